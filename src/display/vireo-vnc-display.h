/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define VIREO_TYPE_VNC_DISPLAY (vireo_vnc_display_get_type ())

G_DECLARE_FINAL_TYPE (VireoVncDisplay, vireo_vnc_display, VIREO, VNC_DISPLAY, GtkWidget)

/* A guest console over VNC. It knows a connected socket and nothing else.
 *
 * Signals: "connected", "initialized" (first frame requested, size known),
 * "disconnected", "need-password" (answer with set_password),
 * "auth-failure" (const char *reason), "error" (const char *message).
 * Properties: "scaling", "grab-keyboard", read-only "width"/"height". */

GtkWidget  *vireo_vnc_display_new             (void);

/* Takes ownership of @fd, a connected stream socket; FALSE (and @fd
 * closed) if a connection is already open. */
gboolean    vireo_vnc_display_open_fd         (VireoVncDisplay *self,
                                               int              fd);
void        vireo_vnc_display_close           (VireoVncDisplay *self);
gboolean    vireo_vnc_display_is_open         (VireoVncDisplay *self);
gboolean    vireo_vnc_display_is_initialized  (VireoVncDisplay *self);

void        vireo_vnc_display_set_password    (VireoVncDisplay *self,
                                               const char      *password);

gboolean    vireo_vnc_display_get_scaling     (VireoVncDisplay *self);
void        vireo_vnc_display_set_scaling     (VireoVncDisplay *self,
                                               gboolean         scaling);
gboolean    vireo_vnc_display_get_grab_keyboard (VireoVncDisplay *self);
void        vireo_vnc_display_set_grab_keyboard (VireoVncDisplay *self,
                                                 gboolean         grab);
int         vireo_vnc_display_get_width       (VireoVncDisplay *self);
int         vireo_vnc_display_get_height      (VireoVncDisplay *self);
/* Whether the server takes absolute pointer positions (a tablet). */
gboolean    vireo_vnc_display_get_absolute_pointer (VireoVncDisplay *self);

/* Presses @keyvals in order, then releases them in reverse (e.g.
 * Control_L, Alt_L, Delete), with the scancodes of the local keyboard. */
void        vireo_vnc_display_send_keys       (VireoVncDisplay *self,
                                               const guint     *keyvals,
                                               gsize            n_keyvals);
/* One key by its Linux evdev code (KEY_* of linux/input-event-codes.h). */
void        vireo_vnc_display_send_evdev_key  (VireoVncDisplay *self,
                                               guint            evdev_code,
                                               gboolean         down);

/* The current guest frame, or NULL before the first one. */
GdkTexture *vireo_vnc_display_get_image       (VireoVncDisplay *self);

G_END_DECLS
