/* SPDX-License-Identifier: GPL-3.0-or-later */
/* VireoSpiceDisplay and VireoSpiceUsbChooser without a SPICE server:
 * scancodes, the "need-fd" bookkeeping, failures reported as "error" and
 * "disconnected", and the chooser listing what a manager reports. GTK needs
 * a display: an Xvfb of the test's own when DISPLAY is unset. */
#include "display-test-util.h"
#include "vireo-config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <gtk/gtk.h>
#include <linux/input-event-codes.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vireo-spice-display.h"
#include "vireo-spice-usb-chooser.h"

static GSubprocess *xvfb;
static char *setup_error;

static gboolean
need_gtk (void)
{
  if (setup_error != NULL)
    {
      g_test_fail_printf ("%s", setup_error);
      return FALSE;
    }
  if (!gtk_init_check ())
    {
      g_test_fail_printf ("gtk_init_check failed on DISPLAY=%s", g_getenv ("DISPLAY"));
      return FALSE;
    }
  return TRUE;
}

static void
test_scancodes (void)
{
  g_assert_cmpuint (vireo_spice_scancode_from_evdev (KEY_ESC), ==, 0x01);
  g_assert_cmpuint (vireo_spice_scancode_from_evdev (KEY_A), ==, 0x1e);
  g_assert_cmpuint (vireo_spice_scancode_from_evdev (KEY_ENTER), ==, 0x1c);
  /* e0-prefixed keys: 0x100 | code */
  g_assert_cmpuint (vireo_spice_scancode_from_evdev (KEY_KPENTER), ==, 0x11c);
  g_assert_cmpuint (vireo_spice_scancode_from_evdev (KEY_RIGHTCTRL), ==, 0x11d);
  g_assert_cmpuint (vireo_spice_scancode_from_evdev (KEY_RIGHTALT), ==, 0x138);
  g_assert_cmpuint (vireo_spice_scancode_from_evdev (KEY_LEFTMETA), ==, 0x15b);
  g_assert_cmpuint (vireo_spice_scancode_from_evdev (KEY_UP), ==, 0x148);
  g_assert_cmpuint (vireo_spice_scancode_from_evdev (KEY_RESERVED), ==, 0);
}

typedef struct {
  GPtrArray *need;
  GPtrArray *errors;
  int        disconnected;
} Events;

static void
on_need_fd (VireoSpiceDisplay *display, const char *type, Events *ev)
{
  g_ptr_array_add (ev->need, g_strdup (type));
}

static void
on_error (VireoSpiceDisplay *display, const char *message, Events *ev)
{
  g_ptr_array_add (ev->errors, g_strdup (message));
}

static void
on_disconnected (VireoSpiceDisplay *display, Events *ev)
{
  ev->disconnected++;
}

static void
wait_disconnected (Events *ev, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (ev->disconnected == 0 && g_get_monotonic_time () < end)
    test_pump (20);
}

static void
test_need_fd (void)
{
  GtkWidget *widget;
  VireoSpiceDisplay *display;
  Events ev = { 0 };
  g_autoptr(GError) refusal = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                                                   "no display for you");
  int sv[2];

  if (!need_gtk ())
    return;
  ev.need = g_ptr_array_new_with_free_func (g_free);
  ev.errors = g_ptr_array_new_with_free_func (g_free);
  widget = g_object_ref_sink (vireo_spice_display_new ());
  display = VIREO_SPICE_DISPLAY (widget);
  g_signal_connect (widget, "need-fd", G_CALLBACK (on_need_fd), &ev);
  g_signal_connect (widget, "error", G_CALLBACK (on_error), &ev);
  g_signal_connect (widget, "disconnected", G_CALLBACK (on_disconnected), &ev);

  /* Nothing pending: refused, and the fd is closed. */
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  g_assert_false (vireo_spice_display_provide_fd (display, sv[0], NULL));
  g_assert_cmpint (fcntl (sv[0], F_GETFD), ==, -1);
  close (sv[1]);
  g_assert_false (vireo_spice_display_is_open (display));
  g_assert_null (vireo_spice_display_get_image (display));

  /* The main channel's socket is asked for; the owner cannot give one. */
  g_assert_true (vireo_spice_display_open_fd (display, -1));
  g_assert_true (vireo_spice_display_is_open (display));
  {
    gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    while (ev.need->len == 0 && g_get_monotonic_time () < end)
      test_pump (20);
  }
  g_assert_cmpuint (ev.need->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (ev.need, 0), ==, "main");
  /* A second open while one is running is refused. */
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  g_assert_false (vireo_spice_display_open_fd (display, sv[0]));
  g_assert_cmpint (fcntl (sv[0], F_GETFD), ==, -1);
  close (sv[1]);

  g_assert_true (vireo_spice_display_provide_fd (display, -1, refusal));
  g_assert_cmpuint (ev.errors->len, >=, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (ev.errors, 0), "no display for you"));
  wait_disconnected (&ev, 5000);
  g_assert_cmpint (ev.disconnected, ==, 1);
  g_assert_false (vireo_spice_display_is_open (display));

  /* A "server" that hangs up at once. */
  g_ptr_array_set_size (ev.errors, 0);
  ev.disconnected = 0;
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  g_assert_true (vireo_spice_display_open_fd (display, sv[0]));
  close (sv[1]);
  wait_disconnected (&ev, 5000);
  g_assert_cmpint (ev.disconnected, ==, 1);
  g_assert_false (vireo_spice_display_is_open (display));
  g_assert_false (vireo_spice_display_is_initialized (display));

  g_object_unref (widget);
  test_pump (50);
  g_ptr_array_unref (ev.need);
  g_ptr_array_unref (ev.errors);
}

static void
test_usb_chooser (void)
{
  g_autoptr(GObject) session = NULL;
  g_autoptr(GError) error = NULL;
  SpiceUsbDeviceManager *manager;
  GtkWidget *chooser;

  if (!need_gtk ())
    return;

  /* No manager: the chooser says so. */
  chooser = g_object_ref_sink (vireo_spice_usb_chooser_new (NULL));
  g_assert_cmpuint (vireo_spice_usb_chooser_get_n_devices (VIREO_SPICE_USB_CHOOSER (chooser)), ==, 0);
  g_object_unref (chooser);

  session = G_OBJECT (spice_session_new ());
  manager = spice_usb_device_manager_get (SPICE_SESSION (session), &error);
  if (manager == NULL)
    {
      g_test_fail_printf ("spice-glib has no USB device manager here: %s", error->message);
      return;
    }
  {
    g_autoptr(GPtrArray) devices = spice_usb_device_manager_get_devices (manager);

    chooser = g_object_ref_sink (vireo_spice_usb_chooser_new (manager));
    g_test_message ("USB devices reported: %u", devices ? devices->len : 0);
    g_assert_cmpuint (vireo_spice_usb_chooser_get_n_devices (VIREO_SPICE_USB_CHOOSER (chooser)), ==,
                      devices ? devices->len : 0);
    g_object_unref (chooser);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  /* spice-glib warns when a server hangs up mid-handshake, which this
   * test does on purpose: warnings are not fatal here, criticals are. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  if (!test_start_xvfb (1024, 768, &xvfb, &error))
    setup_error = g_strdup (error->message);
  g_test_add_func ("/display/spice/scancodes", test_scancodes);
  g_test_add_func ("/display/spice/need-fd", test_need_fd);
  g_test_add_func ("/display/spice/usb-chooser", test_usb_chooser);
  ret = g_test_run ();
  test_stop_process (xvfb);
  g_clear_object (&xvfb);
  g_free (setup_error);
  return ret;
}
