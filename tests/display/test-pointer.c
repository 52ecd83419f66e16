/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The VNC and SPICE widgets' relative pointer mode (SPICE: server mouse
 * mode) against a real QEMU (TCG) whose
 * only mouse is PS/2 (so QEMU stays relative), running a boot-sector guest
 * of our own (tests/fixtures/guests/ps2-mouse.asm) that sums the mouse's
 * motion in memory. Real X pointer motion over the widget (xdotool) must
 * reach the guest as motion of the same size and direction; QMP reads the
 * guest's sums. Anything missing fails the test with the reason. */
#include "display-test-util.h"
#include "vireo-config.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "vireo-spice-display.h"
#include "vireo-vnc-display.h"

static struct {
  char              *tmpdir;
  GDataInputStream  *qmp_in;
  GSocketConnection *qmp;
} env;

static char *
qmp (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *msg = g_strconcat (json, "\n", NULL);

  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (env.qmp)),
                                            msg, strlen (msg), NULL, NULL, &error));
  for (;;)
    {
      char *line = g_data_input_stream_read_line_utf8 (env.qmp_in, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (strstr (line, "\"event\"") == NULL)
        return line;
      g_free (line);
    }
}

/* The guest's sums: X, Y (PS/2: up is positive) and packets. */
static void
guest_motion (int *x, int *y, int *packets)
{
  g_autofree char *reply = qmp ("{\"execute\":\"human-monitor-command\","
                                "\"arguments\":{\"command-line\":\"x /4hx 0x500\"}}");
  const char *p = strstr (reply, "500: ");
  unsigned a = 0, b = 0, c = 0, d = 0;

  g_assert_nonnull (p);
  g_assert_cmpint (sscanf (p + 5, "0x%x 0x%x 0x%x 0x%x", &a, &b, &c, &d), ==, 4);
  *x = (gint16) a;
  *y = (gint16) b;
  *packets = d;
}

static gboolean
run_and_pump (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, &error);

  g_assert_no_error (error);
  while (g_subprocess_get_identifier (proc) != NULL)
    test_pump (20);
  return g_subprocess_get_successful (proc);
}

static void
move_to (int x, int y)
{
  g_autofree char *xs = g_strdup_printf ("%d", x);
  g_autofree char *ys = g_strdup_printf ("%d", y);
  const char *argv[] = { "xdotool", "search", "--name", "Vireo pointer test",
                         "mousemove", "--window", "%1", xs, ys, NULL };

  g_assert_true (run_and_pump (argv));
  test_pump (300);
}

static void
on_count (gpointer data)
{
  (*(int *) data)++;
}

static int
spice_socket (VireoSpiceDisplay *display, const char *channel, gpointer path, GError **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) addr = g_unix_socket_address_new (path);
  g_autoptr(GSocketConnection) c = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (addr), NULL, error);

  return c ? dup (g_socket_get_fd (g_socket_connection_get_socket (c))) : -1;
}

static void
test_relative (gconstpointer data)
{
  gboolean spice = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) qemu = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *img = g_build_filename (env.tmpdir, "guest.img", NULL);
  g_autofree char *vnc = g_build_filename (env.tmpdir, "vnc.sock", NULL);
  g_autofree char *qmp_path = g_build_filename (env.tmpdir, "qmp.sock", NULL);
  g_autofree char *display_arg = spice ? g_strdup_printf ("unix=on,addr=%s,disable-ticketing=on", vnc)
                                       : g_strdup_printf ("unix:%s", vnc);
  g_autofree char *qmp_arg = g_strdup_printf ("unix:%s,server=on,wait=off", qmp_path);
  g_autofree char *drive = g_strdup_printf ("file=%s,format=raw,if=floppy", img);
  g_autofree char *boot = NULL;
  gsize boot_len = 0;
  GtkWidget *window, *display;
  int initialized = 0, x0, y0, n0, x, y, n;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) addr = NULL;
  g_autofree char *greeting = NULL;
  gint64 end;

  if (g_find_program_in_path ("qemu-system-x86_64") == NULL)
    g_error ("qemu-system-x86_64 is missing (package qemu-system-x86)");
  if (g_find_program_in_path ("xdotool") == NULL)
    g_error ("xdotool is missing (package xdotool)");
  if (!g_file_get_contents (VIREO_PS2_MOUSE_IMG, &boot, &boot_len, NULL) || boot_len != 512)
    g_error ("%s is missing: the build assembles it with nasm (package nasm)", VIREO_PS2_MOUSE_IMG);
  {
    /* A whole 1.44 MB floppy, so the BIOS knows its geometry. */
    g_autofree char *floppy = g_malloc0 (1474560);

    memcpy (floppy, boot, 512);
    g_assert_true (g_file_set_contents (img, floppy, 1474560, NULL));
  }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, test_die_with_parent, NULL, NULL);
  qemu = g_subprocess_launcher_spawn (launcher, &error, "qemu-system-x86_64", "-accel", "tcg",
                                      "-m", "16", "-nodefaults", "-vga", "std", "-display", "none",
                                      spice ? "-spice" : "-vnc", display_arg, "-drive", drive, "-boot", "a",
                                      "-qmp", qmp_arg, NULL);
  g_assert_no_error (error);
  end = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while ((!g_file_test (vnc, G_FILE_TEST_EXISTS) || !g_file_test (qmp_path, G_FILE_TEST_EXISTS)) &&
         g_get_monotonic_time () < end)
    g_usleep (20000);
  addr = g_unix_socket_address_new (qmp_path);
  env.qmp = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (addr), NULL, &error);
  g_assert_no_error (error);
  env.qmp_in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (env.qmp)));
  greeting = g_data_input_stream_read_line_utf8 (env.qmp_in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_free (qmp ("{\"execute\":\"qmp_capabilities\"}"));

  /* The guest has its mouse handler in place once it says so. */
  end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autofree char *r = qmp ("{\"execute\":\"human-monitor-command\","
                                "\"arguments\":{\"command-line\":\"x /3hx 0x504\"}}");
      if (strstr (r, "0x600d") != NULL)
        {
          g_assert_null (strstr (r, ": 0x01"));  /* the BIOS enabled the mouse */
          break;
        }
      if (g_get_monotonic_time () > end)
        g_error ("the boot-sector guest did not get ready (%s)", r);
      g_usleep (200 * 1000);
    }
  test_pump (1000);

  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), "Vireo pointer test");
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 500);
  display = spice ? vireo_spice_display_new () : vireo_vnc_display_new ();
  if (spice)
    vireo_spice_display_set_scaling (VIREO_SPICE_DISPLAY (display), FALSE);
  else
    vireo_vnc_display_set_scaling (VIREO_VNC_DISPLAY (display), FALSE);
  gtk_window_set_child (GTK_WINDOW (window), display);
  g_signal_connect_swapped (display, "initialized", G_CALLBACK (on_count), &initialized);
  gtk_window_present (GTK_WINDOW (window));
  if (spice)
    g_assert_true (vireo_spice_display_open_fd_factory (VIREO_SPICE_DISPLAY (display), spice_socket, vnc));
  else
  {
    g_autoptr(GSocketAddress) va = g_unix_socket_address_new (vnc);
    g_autoptr(GSocketConnection) vc = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (va), NULL, &error);
    int fd;

    g_assert_no_error (error);
    fd = dup (g_socket_get_fd (g_socket_connection_get_socket (vc)));
    g_assert_true (vireo_vnc_display_open_fd (VIREO_VNC_DISPLAY (display), fd));
  }
  end = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while (initialized == 0 && g_get_monotonic_time () < end)
    test_pump (20);
  g_assert_cmpint (initialized, ==, 1);
  test_pump (500);

  /* A PS/2 mouse only (and no SPICE agent): QEMU asks for relative motion. */
  g_assert_false (spice ? vireo_spice_display_get_absolute_pointer (VIREO_SPICE_DISPLAY (display))
                        : vireo_vnc_display_get_absolute_pointer (VIREO_VNC_DISPLAY (display)));

  move_to (100, 100);   /* enters the widget: the anchor */
  guest_motion (&x0, &y0, &n0);
  move_to (300, 100);   /* 200 right */
  move_to (300, 250);   /* 150 down */
  move_to (250, 250);   /* 50 left */
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  do
    {
      test_pump (200);
      guest_motion (&x, &y, &n);
    }
  while ((x - x0 != 150 || y - y0 != -150) && g_get_monotonic_time () < end);
  g_test_message ("the guest saw %d packets: x %+d, y %+d (PS/2: up is positive)", n - n0,
                  x - x0, y - y0);
  g_assert_cmpint (n - n0, >, 0);
  g_assert_cmpint (x - x0, ==, 150);
  g_assert_cmpint (y - y0, ==, -150);

  if (spice)
    vireo_spice_display_close (VIREO_SPICE_DISPLAY (display));
  else
    vireo_vnc_display_close (VIREO_VNC_DISPLAY (display));
  test_pump (200);
  gtk_window_destroy (GTK_WINDOW (window));
  g_free (qmp ("{\"execute\":\"quit\"}"));
  g_subprocess_wait (qemu, NULL, NULL);
  g_clear_object (&env.qmp_in);
  g_clear_object (&env.qmp);
  g_unlink (img);
  g_unlink (vnc);
  g_unlink (qmp_path);
}

int
main (int argc, char **argv)
{
  g_autoptr(GSubprocess) xvfb = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  env.tmpdir = g_dir_make_tmp ("vireo-vnc-pointer-XXXXXX", NULL);
  {
    g_autoptr(GError) error = NULL;

    if (!test_start_xvfb (640, 480, &xvfb, &error))
      g_error ("%s", error->message);
  }
  if (!gtk_init_check ())
    g_error ("gtk_init_check failed on DISPLAY=%s", g_getenv ("DISPLAY"));
  g_test_add_data_func ("/vnc/pointer/relative", GINT_TO_POINTER (FALSE), test_relative);
  g_test_add_data_func ("/spice/pointer/relative", GINT_TO_POINTER (TRUE), test_relative);
  ret = g_test_run ();
  g_rmdir (env.tmpdir);
  test_stop_process (xvfb);
  return ret;
}
