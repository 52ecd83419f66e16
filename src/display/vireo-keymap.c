/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-keymap.h"

/* Generated at build time from keymaps/xt-scancodes.txt. */
#include "keymaps/vireo-keymap-evdev-qnum.h"

/* xkb keycodes are the evdev codes shifted by 8 (the X11 protocol reserves
 * keycodes below 8). */
#define XKB_EVDEV_OFFSET 8

guint16
vireo_keymap_evdev_to_qnum (guint evdev_code)
{
  if (evdev_code >= G_N_ELEMENTS (vireo_keymap_evdev_qnum))
    return 0;
  return vireo_keymap_evdev_qnum[evdev_code];
}

guint16
vireo_keymap_xkb_to_qnum (guint xkb_keycode)
{
  if (xkb_keycode < XKB_EVDEV_OFFSET)
    return 0;
  return vireo_keymap_evdev_to_qnum (xkb_keycode - XKB_EVDEV_OFFSET);
}
