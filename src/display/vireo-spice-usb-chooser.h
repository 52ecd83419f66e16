/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <spice-client.h>

G_BEGIN_DECLS

#define VIREO_TYPE_SPICE_USB_CHOOSER (vireo_spice_usb_chooser_get_type ())

G_DECLARE_FINAL_TYPE (VireoSpiceUsbChooser, vireo_spice_usb_chooser, VIREO, SPICE_USB_CHOOSER, GtkWidget)

/* The host's USB devices that a SPICE session's manager reports, each with
 * a switch that redirects it to the guest, and disc images shared as USB
 * CD drives. Failures are shown in the
 * widget and emitted as "error" (const char *message).
 * Property: "manager" (construct-only). */

GtkWidget *vireo_spice_usb_chooser_new           (SpiceUsbDeviceManager *manager);
guint      vireo_spice_usb_chooser_get_n_devices (VireoSpiceUsbChooser  *self);
/* Shares a disc image (ISO) of this computer as an emulated USB CD drive:
 * it joins the list, to be redirected like any device ("Share a Disc
 * Image…" does this with a file chooser). */
gboolean   vireo_spice_usb_chooser_share_image   (VireoSpiceUsbChooser  *self,
                                                  const char            *path,
                                                  GError               **error);

G_END_DECLS
