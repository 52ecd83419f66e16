/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gvnc.h>

#include "vireo-vnc-display.h"
#include "vireo-vnc-geometry.h"

G_BEGIN_DECLS

#define VIREO_VNC_TILE_SIZE 256
#define VIREO_VNC_MAX_DOWN_KEYS 32

typedef struct {
  guint   keyval;
  guint16 scancode;
} VireoVncDownKey;

struct _VireoVncDisplay
{
  GtkWidget          parent_instance;

  VncConnection     *conn;
  gboolean           initialized;
  char              *password;
  guint              update_request_id;   /* the update-done idle */
  guint              update_timeout_id;   /* ... or at the latest this */
  gboolean           local_server;        /* RAW first: see on_vnc_initialized */

  /* Frame: gvnc writes into pixels (B8G8R8X8 little-endian) through fb;
   * the widget shows it as a grid of textures, re-made per damaged tile. */
  VncFramebuffer    *fb;
  guint8            *pixels;
  int                fb_width;
  int                fb_height;
  int                stride;
  VireoVncTileGrid  *grid;
  GdkTexture       **tiles;
  guint             *tile_uploads;   /* per tile, for tests and profiling */
  /* With GTK's cairo renderer: per tile, a cairo node painting straight
   * from the frame (see snapshot_cairo_tiles), for the transform below. */
  cairo_surface_t   *surface;
  GskRenderNode    **tile_nodes;
  VireoVncTransform  node_transform;

  gboolean           scaling;
  gboolean           grab_keyboard;
  GdkToplevel       *inhibited_toplevel;

  /* Input */
  gboolean           absolute;
  gboolean           pointer_known;  /* the server has said which mode it wants */
  guint8             button_mask;
  double             pointer_x;
  double             pointer_y;
  gboolean           have_pointer;
  VireoVncDownKey    down_keys[VIREO_VNC_MAX_DOWN_KEYS];
  guint              n_down_keys;
  GdkCursor         *remote_cursor;
  GdkCursor         *blank_cursor;

  /* Clipboard */
  GdkClipboard      *clipboard;
  gulong             clipboard_changed_id;
  GCancellable      *clipboard_cancellable;
};

/* vireo-vnc-display-input.c */
void     vireo_vnc_display_init_input        (VireoVncDisplay *self);
void     vireo_vnc_display_release_keys      (VireoVncDisplay *self);
void     vireo_vnc_display_update_cursor     (VireoVncDisplay *self);
void     vireo_vnc_display_set_remote_cursor (VireoVncDisplay *self,
                                              VncCursor       *cursor);
void     vireo_vnc_display_server_cut_text   (VireoVncDisplay *self,
                                              const char      *text);
void     vireo_vnc_display_clipboard_attach  (VireoVncDisplay *self);
void     vireo_vnc_display_clipboard_detach  (VireoVncDisplay *self);
void     vireo_vnc_display_update_grab       (VireoVncDisplay *self);
/* Sends one key with the scancode of GDK hardware keycode @keycode. */
void     vireo_vnc_display_key_event         (VireoVncDisplay *self,
                                              gboolean         down,
                                              guint            keyval,
                                              guint            keycode);
guint16  vireo_vnc_display_scancode_for_keycode (VireoVncDisplay *self,
                                                 guint            keycode);

G_END_DECLS
