/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Linux evdev key code -> QEMU "qnum" (XT set 1, 0x80 | code for e0-prefixed
 * keys), the scancode of the QEMU extended key event. 0 when unknown. */
guint16 vireo_keymap_evdev_to_qnum   (guint evdev_code);

/* A hardware keycode as GDK reports it on X11, Xwayland and Wayland
 * (evdev + 8) -> qnum. 0 when unknown. */
guint16 vireo_keymap_xkb_to_qnum     (guint xkb_keycode);

G_END_DECLS
