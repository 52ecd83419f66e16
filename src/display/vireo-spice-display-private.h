/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "vireo-spice-display.h"
#include "vireo-vnc-geometry.h"

G_BEGIN_DECLS

/* The SPICE widget reuses the VNC widget's pure geometry (tile grid,
 * fit/1:1 transform): both show a guest framebuffer the same way. */
#define VIREO_SPICE_TILE_SIZE 256
#define VIREO_SPICE_MAX_DOWN_KEYS 32

struct _VireoSpiceDisplay
{
  GtkWidget            parent_instance;

  SpiceSession        *session;
  SpiceMainChannel    *main;
  SpiceDisplayChannel *display;
  SpiceInputsChannel  *inputs;
  SpiceCursorChannel  *cursor;
  gboolean             inputs_ready;
  gboolean             connected;
  gboolean             initialized;

  /* fd requests: channels waiting for a socket, oldest first */
  GQueue               pending;
  VireoSpiceFdFunc     fd_func;
  gpointer             fd_func_data;

  /* Primary surface: the display channel owns the pixels (valid until
   * display-primary-destroy); the widget shows them as tile textures
   * re-made per invalidated tile. */
  const guint8        *pixels;
  int                  format;
  int                  fb_width;
  int                  fb_height;
  int                  stride;
  gboolean             marked;
  VireoVncTileGrid    *grid;
  GdkTexture         **tiles;
  /* GL scanout (dmabuf), shown instead of the tiles when active */
  GdkTexture          *gl_texture;
  gboolean             gl_active;

  gboolean             scaling;
  gboolean             resize_guest;
  guint                resize_timeout_id;
  int                  last_resize_w;
  int                  last_resize_h;

  /* Input */
  gboolean             absolute;
  int                  button_state;
  double               last_x;
  double               last_y;
  gboolean             have_last;
  double               scroll_acc;
  guint                down_keys[VIREO_SPICE_MAX_DOWN_KEYS];
  guint                n_down_keys;
  GdkCursor           *remote_cursor;
  gboolean             cursor_hidden;

  /* Clipboard */
  GdkClipboard        *clipboard;
  gulong               clipboard_changed_id;
  GCancellable        *clipboard_cancellable;
  gboolean             guest_owns_clipboard;
  gboolean             clipboard_announced;  /* our grab sent to the agent */
};

/* vireo-spice-display.c */
void     vireo_spice_display_set_fb_size         (VireoSpiceDisplay *self,
                                                  int                width,
                                                  int                height);
void     vireo_spice_display_became_initialized  (VireoSpiceDisplay *self);
void     vireo_spice_display_emit_error          (VireoSpiceDisplay *self,
                                                  const char        *message);

/* vireo-spice-display-surface.c */
void     vireo_spice_display_attach_display      (VireoSpiceDisplay *self);
void     vireo_spice_display_drop_surface        (VireoSpiceDisplay *self);
void     vireo_spice_display_snapshot            (GtkWidget         *widget,
                                                  GtkSnapshot       *snapshot);

/* vireo-spice-display-input.c */
void     vireo_spice_display_init_input          (VireoSpiceDisplay *self);
void     vireo_spice_display_release_keys        (VireoSpiceDisplay *self);
void     vireo_spice_display_update_cursor       (VireoSpiceDisplay *self);
void     vireo_spice_display_attach_main         (VireoSpiceDisplay *self);
void     vireo_spice_display_attach_cursor       (VireoSpiceDisplay *self);
void     vireo_spice_display_clipboard_attach    (VireoSpiceDisplay *self);
void     vireo_spice_display_clipboard_detach    (VireoSpiceDisplay *self);
void     vireo_spice_display_queue_guest_resize  (VireoSpiceDisplay *self);
void     vireo_spice_display_update_mouse_mode   (VireoSpiceDisplay *self);

G_END_DECLS
