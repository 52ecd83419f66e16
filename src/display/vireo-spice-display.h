/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <spice-client.h>

G_BEGIN_DECLS

#define VIREO_TYPE_SPICE_DISPLAY (vireo_spice_display_get_type ())

G_DECLARE_FINAL_TYPE (VireoSpiceDisplay, vireo_spice_display, VIREO, SPICE_DISPLAY, GtkWidget)

/* A guest console over SPICE. It knows connected sockets and nothing else.
 *
 * SPICE opens one socket per channel (main, display, inputs, cursor,
 * usbredir…). The widget asks for each with "need-fd" (const char
 * *channel_type, e.g. "main", "display"); the owner answers, now or later,
 * with vireo_spice_display_provide_fd(). Answers are matched to requests in
 * the order the requests were made.
 *
 * Signals: "need-fd" (const char *channel_type), "connected" (main channel
 * up), "initialized" (first guest frame, size known), "disconnected",
 * "error" (const char *message).
 * Properties: "scaling", "resize-guest", read-only "width"/"height",
 * "agent-connected", "absolute-pointer". */

/* Gives a connected socket for a channel of type @channel_type, or -1 and
 * @error. Called on the main thread; must not block for long. */
typedef int (*VireoSpiceFdFunc) (VireoSpiceDisplay  *self,
                                 const char         *channel_type,
                                 gpointer            user_data,
                                 GError            **error);

GtkWidget  *vireo_spice_display_new              (void);

/* Starts the session. @fd (owned by the widget from now on) is the main
 * channel's socket; -1 asks for it with "need-fd" too. FALSE (and @fd
 * closed) if a session is already open. */
gboolean    vireo_spice_display_open_fd          (VireoSpiceDisplay *self,
                                                  int                fd);
/* Starts the session with every socket, the main one included, from
 * @func (e.g. connecting a unix socket path): no "need-fd" is emitted. */
gboolean    vireo_spice_display_open_fd_factory  (VireoSpiceDisplay *self,
                                                  VireoSpiceFdFunc   func,
                                                  gpointer           user_data);
/* Answers the oldest pending "need-fd". @fd is owned by the widget; -1
 * with @error fails that channel (the whole session if it is the main
 * one). FALSE if nothing was pending (and @fd is closed). */
gboolean    vireo_spice_display_provide_fd       (VireoSpiceDisplay *self,
                                                  int                fd,
                                                  const GError      *error);
void        vireo_spice_display_close            (VireoSpiceDisplay *self);
gboolean    vireo_spice_display_is_open          (VireoSpiceDisplay *self);
gboolean    vireo_spice_display_is_initialized   (VireoSpiceDisplay *self);

gboolean    vireo_spice_display_get_scaling      (VireoSpiceDisplay *self);
void        vireo_spice_display_set_scaling      (VireoSpiceDisplay *self,
                                                  gboolean           scaling);
/* With a guest agent, ask the guest to take the widget's size. */
gboolean    vireo_spice_display_get_resize_guest (VireoSpiceDisplay *self);
void        vireo_spice_display_set_resize_guest (VireoSpiceDisplay *self,
                                                  gboolean           resize_guest);
int         vireo_spice_display_get_width        (VireoSpiceDisplay *self);
int         vireo_spice_display_get_height       (VireoSpiceDisplay *self);
gboolean    vireo_spice_display_get_agent_connected (VireoSpiceDisplay *self);
/* Client mouse mode (absolute positions) rather than server mode
 * (relative motion). */
gboolean    vireo_spice_display_get_absolute_pointer (VireoSpiceDisplay *self);

/* Presses @keyvals in order, then releases them in reverse (e.g.
 * Control_L, Alt_L, Delete), with the scancodes of the local keyboard. */
void        vireo_spice_display_send_keys        (VireoSpiceDisplay *self,
                                                  const guint       *keyvals,
                                                  gsize              n_keyvals);
/* One key by its Linux evdev code (KEY_* of linux/input-event-codes.h). */
void        vireo_spice_display_send_evdev_key   (VireoSpiceDisplay *self,
                                                  guint              evdev_code,
                                                  gboolean           down);

/* The current guest frame, or NULL before the first one. */
GdkTexture *vireo_spice_display_get_image        (VireoSpiceDisplay *self);

/* The session's USB redirection manager (for VireoSpiceUsbChooser), or
 * NULL with @error when this build or host cannot redirect USB. */
SpiceUsbDeviceManager *vireo_spice_display_get_usb_device_manager (VireoSpiceDisplay  *self,
                                                                   GError            **error);

/* spice_inputs_channel_key_press() scancode (XT set 1, 0x100 | code for
 * e0-prefixed keys) for a Linux evdev code; 0 when unknown. */
guint       vireo_spice_scancode_from_evdev      (guint evdev_code);

G_END_DECLS
