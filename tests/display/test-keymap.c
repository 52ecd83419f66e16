/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <linux/input-event-codes.h>

#include "vireo-keymap.h"

static void
test_known_keys (void)
{
  /* Numbers as the brief states them, so a change of header names cannot
   * hide a wrong table. */
  g_assert_cmpuint (vireo_keymap_evdev_to_qnum (30), ==, 0x1e);   /* KEY_A */
  g_assert_cmpuint (vireo_keymap_evdev_to_qnum (28), ==, 0x1c);   /* KEY_ENTER */
  g_assert_cmpuint (vireo_keymap_evdev_to_qnum (97), ==, 0x9d);   /* KEY_RIGHTCTRL */
  g_assert_cmpuint (vireo_keymap_evdev_to_qnum (103), ==, 0xc8);  /* KEY_UP */
  g_assert_cmpuint (vireo_keymap_evdev_to_qnum (125), ==, 0xdb);  /* KEY_LEFTMETA */
  g_assert_cmpuint (vireo_keymap_evdev_to_qnum (96), ==, 0x9c);   /* KEY_KPENTER */
}

static void
test_more_keys (void)
{
  g_assert_cmpuint (vireo_keymap_evdev_to_qnum (KEY_ESC), ==, 0x01);
  g_assert_cmpuint (vireo_keymap_evdev_to_qnum (KEY_LEFTCTRL), ==, 0x1d);
  g_assert_cmpuint (vireo_keymap_evdev_to_qnum (KEY_LEFTALT), ==, 0x38);
  g_assert_cmpuint (vireo_keymap_evdev_to_qnum (KEY_RIGHTALT), ==, 0xb8);
  g_assert_cmpuint (vireo_keymap_evdev_to_qnum (KEY_DELETE), ==, 0xd3);
  g_assert_cmpuint (vireo_keymap_evdev_to_qnum (KEY_L), ==, 0x26);
  g_assert_cmpuint (vireo_keymap_evdev_to_qnum (KEY_S), ==, 0x1f);
  g_assert_cmpuint (vireo_keymap_evdev_to_qnum (KEY_F1), ==, 0x3b);
  g_assert_cmpuint (vireo_keymap_evdev_to_qnum (KEY_F12), ==, 0x58);
  g_assert_cmpuint (vireo_keymap_evdev_to_qnum (KEY_KPSLASH), ==, 0xb5);
  g_assert_cmpuint (vireo_keymap_evdev_to_qnum (KEY_PAUSE), ==, 0xc6);
  g_assert_cmpuint (vireo_keymap_evdev_to_qnum (KEY_102ND), ==, 0x56);
}

static void
test_unknown_keys (void)
{
  g_assert_cmpuint (vireo_keymap_evdev_to_qnum (0), ==, 0);        /* KEY_RESERVED */
  g_assert_cmpuint (vireo_keymap_evdev_to_qnum (KEY_MACRO1), ==, 0);
  g_assert_cmpuint (vireo_keymap_evdev_to_qnum (0x2ff), ==, 0);
  g_assert_cmpuint (vireo_keymap_evdev_to_qnum (G_MAXUINT), ==, 0);
}

static void
test_xkb_offset (void)
{
  /* X11 / Wayland keycodes are evdev + 8. */
  g_assert_cmpuint (vireo_keymap_xkb_to_qnum (38), ==, 0x1e);    /* a */
  g_assert_cmpuint (vireo_keymap_xkb_to_qnum (36), ==, 0x1c);    /* Return */
  g_assert_cmpuint (vireo_keymap_xkb_to_qnum (105), ==, 0x9d);   /* Control_R */
  g_assert_cmpuint (vireo_keymap_xkb_to_qnum (7), ==, 0);
  g_assert_cmpuint (vireo_keymap_xkb_to_qnum (0), ==, 0);
}

static void
test_no_duplicate_codes (void)
{
  /* Two evdev keys sending the same scancode would be indistinguishable
   * to the guest. */
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  for (guint evdev = 0; evdev < 0x300; evdev++)
    {
      guint16 q = vireo_keymap_evdev_to_qnum (evdev);

      if (q == 0)
        continue;
      g_assert_false (g_hash_table_contains (seen, GUINT_TO_POINTER (q)));
      g_hash_table_add (seen, GUINT_TO_POINTER (q));
    }
  g_assert_cmpuint (g_hash_table_size (seen), >, 100);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/keymap/known", test_known_keys);
  g_test_add_func ("/keymap/more", test_more_keys);
  g_test_add_func ("/keymap/unknown", test_unknown_keys);
  g_test_add_func ("/keymap/xkb-offset", test_xkb_offset);
  g_test_add_func ("/keymap/no-duplicates", test_no_duplicate_codes);
  return g_test_run ();
}
