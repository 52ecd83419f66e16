/* SPDX-License-Identifier: GPL-3.0-or-later */
/* End to end: a real QEMU (TCG, QXL) booting GRUB with its SPICE server on
 * a unix socket; VireoSpiceDisplay in a GtkWindow under Xvfb. Each channel's
 * socket is asked for with "need-fd" and answered later from the main loop,
 * as the app does. The received frame must match QEMU's own screendump;
 * keys typed through X (xdotool) and through send_evdev_key must change the
 * guest's screen. A second client (fd factory) takes over the server and the
 * first sees "disconnected". The USB chooser lists what the manager reports.
 * Anything missing (QEMU, the GRUB image, Xvfb, xdotool) fails the test. */
#include "vireo-config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <json-glib/json-glib.h>
#include <linux/input-event-codes.h>
#include <math.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "display-test-util.h"
#include "vireo-spice-display.h"
#include "vireo-spice-usb-chooser.h"

#define GRUB_ISO "/usr/lib/grub-rescue/grub-rescue-cdrom.iso"
/* Mean absolute difference per channel (0-255): GRUB's blinking cursor is
 * the only change expected between the two captures. */
#define MAX_MEAN_DIFF 2.0
#define WINDOW_TITLE "Vireo SPICE test"

typedef struct {
  int     width;
  int     height;
  guint8 *rgb;
} Image;

static void
image_free (Image *img)
{
  if (img != NULL)
    g_free (img->rgb);
  g_free (img);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Image, image_free)

static struct {
  char              *tmpdir;
  char              *spice_path;
  char              *qmp_path;
  GSubprocess       *qemu;
  GSubprocess       *xvfb;
  GSocketConnection *qmp;
  GDataInputStream  *qmp_in;
  char              *setup_error;
  guint              dump_serial;
} env;

/* ---- helpers ------------------------------------------------------------ */

static char *
qmp_command (const char *json)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (env.qmp));
  g_autofree char *msg = g_strconcat (json, "\n", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_output_stream_write_all (out, msg, strlen (msg), NULL, NULL, &error));
  g_assert_no_error (error);
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

static Image *
screendump (void)
{
  g_autofree char *path = g_strdup_printf ("%s/dump-%u.ppm", env.tmpdir, env.dump_serial++);
  g_autofree char *cmd = g_strdup_printf ("{\"execute\":\"screendump\",\"arguments\":{\"filename\":\"%s\"}}", path);
  g_autofree char *reply = qmp_command (cmd);
  g_autofree char *data = NULL;
  gsize len = 0;
  int maxval = 0, consumed = 0;
  g_autoptr(Image) img = g_new0 (Image, 1);

  g_assert_nonnull (strstr (reply, "\"return\""));
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_unlink (path);
  g_assert_cmpint (sscanf (data, "P6 %d %d %d%n", &img->width, &img->height, &maxval, &consumed), ==, 3);
  g_assert_cmpint (maxval, ==, 255);
  consumed++;
  g_assert_cmpuint (len - consumed, >=, (gsize) img->width * img->height * 3);
  img->rgb = g_memdup2 (data + consumed, (gsize) img->width * img->height * 3);
  return g_steal_pointer (&img);
}

static Image *
widget_image (VireoSpiceDisplay *display)
{
  g_autoptr(GdkTexture) texture = vireo_spice_display_get_image (display);
  Image *img;
  g_autofree guint8 *bgra = NULL;
  gsize stride;

  if (texture == NULL)
    return NULL;
  img = g_new0 (Image, 1);
  img->width = gdk_texture_get_width (texture);
  img->height = gdk_texture_get_height (texture);
  stride = (gsize) img->width * 4;
  bgra = g_malloc (stride * img->height);
  gdk_texture_download (texture, bgra, stride);
  img->rgb = g_malloc ((gsize) img->width * img->height * 3);
  for (gsize i = 0; i < (gsize) img->width * img->height; i++)
    {
      img->rgb[i * 3 + 0] = bgra[i * 4 + 2];
      img->rgb[i * 3 + 1] = bgra[i * 4 + 1];
      img->rgb[i * 3 + 2] = bgra[i * 4 + 0];
    }
  return img;
}

static double
mean_diff (const Image *a,
           const Image *b)
{
  guint64 sum = 0;
  gsize n;

  if (a == NULL || b == NULL || a->width != b->width || a->height != b->height)
    return INFINITY;
  n = (gsize) a->width * a->height * 3;
  for (gsize i = 0; i < n; i++)
    sum += ABS ((int) a->rgb[i] - (int) b->rgb[i]);
  return (double) sum / n;
}

static double
lit_fraction (const Image *img)
{
  gsize lit = 0, n = (gsize) img->width * img->height;

  for (gsize i = 0; i < n; i++)
    if (img->rgb[i * 3] > 40 || img->rgb[i * 3 + 1] > 40 || img->rgb[i * 3 + 2] > 40)
      lit++;
  return (double) lit / n;
}

/* Waits until the widget's frame shows something (text on screen) and
 * matches the guest's screendump; returns the last difference seen. When
 * @unlike is given, the frame must also differ from it. */
static double
wait_widget_matches (VireoSpiceDisplay *display,
                     const Image       *unlike,
                     guint              timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  double diff = INFINITY;

  while (g_get_monotonic_time () < end)
    {
      g_autoptr(Image) mine = NULL;
      g_autoptr(Image) dump = NULL;

      test_pump (250);
      mine = widget_image (display);
      if (mine == NULL || lit_fraction (mine) < 0.001)
        continue;
      if (unlike != NULL && mean_diff (mine, unlike) < 0.05)
        continue;
      dump = screendump ();
      test_pump (50);
      diff = mean_diff (mine, dump);
      if (diff < MAX_MEAN_DIFF)
        return diff;
    }
  return diff;
}

static gboolean
start_qemu (GError **error)
{
  g_autofree char *spice_arg = NULL;
  g_autofree char *qmp_arg = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketAddress) addr = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *caps = NULL;
  gint64 end;

  if (g_find_program_in_path ("qemu-system-x86_64") == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "qemu-system-x86_64 is not installed (package qemu-system-x86)");
      return FALSE;
    }
  if (!g_file_test (GRUB_ISO, G_FILE_TEST_EXISTS))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           GRUB_ISO " is missing (package grub-rescue-pc)");
      return FALSE;
    }

  spice_arg = g_strdup_printf ("unix=on,addr=%s,disable-ticketing=on", env.spice_path);
  qmp_arg = g_strdup_printf ("unix:%s,server=on,wait=off", env.qmp_path);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, test_die_with_parent, NULL, NULL);
  env.qemu = g_subprocess_launcher_spawn (launcher, error,
                               "qemu-system-x86_64", "-accel", "tcg", "-m", "64", "-nodefaults",
                               "-vga", "qxl", "-display", "none",
                               "-spice", spice_arg,
                               "-device", "qemu-xhci",
                               "-chardev", "spicevmc,name=usbredir,id=usbredir0",
                               "-device", "usb-redir,chardev=usbredir0,id=redir0",
                               "-cdrom", GRUB_ISO, "-boot", "d",
                               "-qmp", qmp_arg, NULL);
  if (env.qemu == NULL)
    return FALSE;

  end = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while (!(g_file_test (env.qmp_path, G_FILE_TEST_EXISTS) &&
           g_file_test (env.spice_path, G_FILE_TEST_EXISTS)))
    {
      if (g_get_monotonic_time () > end || kill (g_ascii_strtoll (g_subprocess_get_identifier (env.qemu), NULL, 10), 0) < 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                               "QEMU did not create its SPICE and QMP sockets");
          return FALSE;
        }
      g_usleep (20000);
    }

  client = g_socket_client_new ();
  addr = g_unix_socket_address_new (env.qmp_path);
  env.qmp = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (addr), NULL, error);
  if (env.qmp == NULL)
    return FALSE;
  env.qmp_in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (env.qmp)));
  greeting = g_data_input_stream_read_line_utf8 (env.qmp_in, NULL, NULL, error);
  if (greeting == NULL)
    return FALSE;
  caps = qmp_command ("{\"execute\":\"qmp_capabilities\"}");
  return TRUE;
}

static void
setup (void)
{
  g_autoptr(GError) error = NULL;

  env.tmpdir = g_dir_make_tmp ("vireo-spice-XXXXXX", &error);
  g_assert_no_error (error);
  env.spice_path = g_build_filename (env.tmpdir, "spice.sock", NULL);
  env.qmp_path = g_build_filename (env.tmpdir, "qmp.sock", NULL);

  if (!test_start_xvfb (1024, 768, &env.xvfb, &error) || !start_qemu (&error))
    env.setup_error = g_strdup (error->message);
}

static void
teardown (void)
{
  g_clear_object (&env.qmp_in);
  g_clear_object (&env.qmp);
  test_stop_process (env.qemu);
  g_clear_object (&env.qemu);
  test_stop_process (env.xvfb);
  g_clear_object (&env.xvfb);
  test_remove_dir (env.tmpdir);
}

static void
press_evdev_keys (VireoSpiceDisplay *display,
                  const guint       *codes,
                  gsize              n)
{
  for (gsize i = 0; i < n; i++)
    {
      vireo_spice_display_send_evdev_key (display, codes[i], TRUE);
      test_pump (30);
      vireo_spice_display_send_evdev_key (display, codes[i], FALSE);
      test_pump (60);
    }
}

/* What QEMU has plugged into the guest's USB buses ("info usb"). */
static char *
usb_devices_in_guest (void)
{
  g_autofree char *reply = qmp_command ("{\"execute\":\"human-monitor-command\","
                                        "\"arguments\":{\"command-line\":\"info usb\"}}");
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;

  g_assert_true (json_parser_load_from_data (parser, reply, -1, NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_has_member (root, "return"));
  return g_strdup (json_object_get_string_member (root, "return"));
}

static gboolean
find_label (GtkWidget  *widget,
            const char *part)
{
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), part) != NULL)
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (find_label (c, part))
      return TRUE;
  return FALSE;
}

/* The last switch under widget: the newest device's. */
static GtkSwitch *
last_switch (GtkWidget *widget)
{
  GtkSwitch *found = GTK_IS_SWITCH (widget) ? GTK_SWITCH (widget) : NULL;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkSwitch *sw = last_switch (c);

      if (sw != NULL)
        found = sw;
    }
  return found;
}

/* ---- "need-fd" answered later, as the app answers it ----------------------- */

typedef struct {
  VireoSpiceDisplay *display;
  GPtrArray         *types;
  guint              pending;
  int                disconnected;
  GPtrArray         *errors;
} Owner;

static gboolean
answer_later (gpointer data)
{
  Owner *owner = data;
  int fd = test_connect_unix (env.spice_path);
  g_autoptr(GError) error = NULL;

  if (fd < 0)
    error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "cannot connect %s", env.spice_path);
  g_assert_true (vireo_spice_display_provide_fd (owner->display, fd, error));
  owner->pending--;
  return G_SOURCE_REMOVE;
}

static void
on_need_fd (VireoSpiceDisplay *display,
            const char        *type,
            Owner             *owner)
{
  g_ptr_array_add (owner->types, g_strdup (type));
  owner->pending++;
  g_timeout_add (20, answer_later, owner);
}

static void
on_disconnected (VireoSpiceDisplay *display,
                 Owner             *owner)
{
  owner->disconnected++;
}

static void
on_error (VireoSpiceDisplay *display,
          const char        *message,
          Owner             *owner)
{
  g_ptr_array_add (owner->errors, g_strdup (message));
}

static gboolean
has_type (GPtrArray  *types,
          const char *type)
{
  for (guint i = 0; i < types->len; i++)
    if (g_str_equal (g_ptr_array_index (types, i), type))
      return TRUE;
  return FALSE;
}

static int
factory (VireoSpiceDisplay  *self,
         const char         *channel_type,
         gpointer            user_data,
         GError            **error)
{
  int fd = test_connect_unix (user_data);

  if (fd < 0)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot connect %s", (char *) user_data);
  return fd;
}

static void
test_spice_e2e (void)
{
  Owner owner = { 0 };
  GtkWidget *window, *display, *display2, *window2;
  g_autoptr(Image) before = NULL;
  g_autoptr(Image) after_x = NULL;
  g_autoptr(GError) error = NULL;
  SpiceUsbDeviceManager *manager;
  double diff;

  if (env.setup_error != NULL)
    {
      g_test_fail_printf ("%s", env.setup_error);
      return;
    }
  if (!gtk_init_check ())
    {
      g_test_fail_printf ("gtk_init_check failed on DISPLAY=%s", g_getenv ("DISPLAY"));
      return;
    }

  owner.types = g_ptr_array_new_with_free_func (g_free);
  owner.errors = g_ptr_array_new_with_free_func (g_free);

  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), WINDOW_TITLE);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 500);
  display = vireo_spice_display_new ();
  owner.display = VIREO_SPICE_DISPLAY (display);
  vireo_spice_display_set_scaling (owner.display, FALSE);
  g_signal_connect (display, "need-fd", G_CALLBACK (on_need_fd), &owner);
  g_signal_connect (display, "disconnected", G_CALLBACK (on_disconnected), &owner);
  g_signal_connect (display, "error", G_CALLBACK (on_error), &owner);
  gtk_window_set_child (GTK_WINDOW (window), display);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_grab_focus (display);

  /* Every socket, the main one included, through "need-fd". */
  g_assert_true (vireo_spice_display_open_fd (owner.display, -1));
  g_assert_true (vireo_spice_display_is_open (owner.display));

  diff = wait_widget_matches (owner.display, NULL, 60000);
  g_test_message ("first frame: mean difference %.3f, %d × %d", diff,
                  vireo_spice_display_get_width (owner.display),
                  vireo_spice_display_get_height (owner.display));
  for (guint i = 0; i < owner.errors->len; i++)
    g_test_message ("error signal: %s", (char *) g_ptr_array_index (owner.errors, i));
  g_assert_cmpfloat (diff, <, MAX_MEAN_DIFF);
  g_assert_true (vireo_spice_display_is_initialized (owner.display));
  g_assert_true (has_type (owner.types, "main"));
  g_assert_true (has_type (owner.types, "display"));
  g_assert_true (has_type (owner.types, "inputs"));
  g_assert_cmpuint (owner.pending, ==, 0);
  /* Without a tablet or agent, QEMU offers server mouse mode only. */
  g_assert_false (vireo_spice_display_get_absolute_pointer (owner.display));
  g_assert_false (vireo_spice_display_get_agent_connected (owner.display));

  /* The evdev API: "c" leaves GRUB's menu for its command line. */
  {
    guint codes[] = { KEY_C };
    g_autoptr(Image) menu = widget_image (owner.display);

    g_assert_cmpuint (vireo_spice_scancode_from_evdev (KEY_ENTER), ==, 0x1c);
    g_assert_cmpuint (vireo_spice_scancode_from_evdev (KEY_KPENTER), ==, 0x11c);
    g_assert_cmpuint (vireo_spice_scancode_from_evdev (KEY_RIGHTCTRL), ==, 0x11d);
    press_evdev_keys (owner.display, codes, G_N_ELEMENTS (codes));
    diff = wait_widget_matches (owner.display, menu, 15000);
    g_test_message ("after c: mean difference %.3f", diff);
    g_assert_cmpfloat (diff, <, MAX_MEAN_DIFF);
  }

  /* Real key events from the X server, through the widget's key path. */
  if (g_find_program_in_path ("xdotool") == NULL)
    {
      g_test_fail_printf ("xdotool is not installed (package xdotool): cannot send real key events");
      return;
    }
  before = widget_image (owner.display);
  {
    const char *focus[] = { "xdotool", "search", "--sync", "--name", WINDOW_TITLE,
                            "windowactivate", "--sync", "windowfocus", "--sync", NULL };
    const char *type[] = { "xdotool", "type", "--delay", "80", "ls", NULL };
    const char *enter[] = { "xdotool", "key", "Return", NULL };

    test_run_quiet (focus);
    test_pump (300);
    g_assert_true (test_run_quiet (type));
    g_assert_true (test_run_quiet (enter));
  }
  diff = wait_widget_matches (owner.display, before, 15000);
  g_test_message ("after typing ls: mean difference %.3f", diff);
  g_assert_cmpfloat (diff, <, MAX_MEAN_DIFF);
  after_x = widget_image (owner.display);
  g_assert_cmpfloat (mean_diff (before, after_x), >, 0.05);

  /* The evdev API again: "help" + Enter at the command line. */
  {
    guint codes[] = { KEY_H, KEY_E, KEY_L, KEY_P, KEY_ENTER };
    g_autoptr(Image) after_api = NULL;

    press_evdev_keys (owner.display, codes, G_N_ELEMENTS (codes));
    diff = wait_widget_matches (owner.display, after_x, 15000);
    g_test_message ("after help: mean difference %.3f", diff);
    g_assert_cmpfloat (diff, <, MAX_MEAN_DIFF);
    after_api = widget_image (owner.display);
    g_assert_cmpfloat (mean_diff (after_x, after_api), >, 0.05);
  }

  /* A screenshot of the X screen with the widget showing GRUB. */
  if (g_find_program_in_path ("import") != NULL)
    {
      const char *shot = g_getenv ("VIREO_SPICE_SCREENSHOT");
      const char *argv[] = { "import", "-window", "root", shot ? shot : "/tmp/spice.png", NULL };

      test_pump (300);
      if (!test_run_quiet (argv))
        g_test_message ("import failed");
    }

  /* USB: the chooser lists exactly what the session's manager reports. */
  manager = vireo_spice_display_get_usb_device_manager (owner.display, &error);
  if (manager == NULL)
    g_test_message ("no USB manager: %s", error->message);
  else
    {
      g_autoptr(GPtrArray) devices = spice_usb_device_manager_get_devices (manager);
      GtkWidget *chooser = vireo_spice_usb_chooser_new (manager);

      GtkWidget *usb_window = gtk_window_new ();
      guint n = devices ? devices->len : 0;
      GtkSwitch *sw;
      g_autofree char *usb = NULL;
      g_autofree char *idle = NULL;

      g_test_message ("USB devices reported: %u", n);
      g_assert_cmpuint (vireo_spice_usb_chooser_get_n_devices (VIREO_SPICE_USB_CHOOSER (chooser)), ==, n);
      gtk_window_set_child (GTK_WINDOW (usb_window), chooser);
      gtk_window_present (GTK_WINDOW (usb_window));

      /* Nothing is plugged into the guest's redirection port yet: QEMU
       * shows the port itself. */
      idle = usb_devices_in_guest ();
      g_test_message ("QEMU's USB devices before: %s", idle);
      g_assert_nonnull (strstr (idle, "Product USB Redirection Device"));

      /* A file that is not there is refused with the reason. */
      g_assert_false (vireo_spice_usb_chooser_share_image (VIREO_SPICE_USB_CHOOSER (chooser),
                                                           "/nonexistent/disc.iso", &error));
      g_test_message ("refused: %s", error->message);
      g_assert_nonnull (strstr (error->message, "disc.iso"));
      g_clear_error (&error);
      g_assert_cmpuint (vireo_spice_usb_chooser_get_n_devices (VIREO_SPICE_USB_CHOOSER (chooser)), ==, n);

      /* A disc image shared as a USB CD drive joins the list... */
      g_assert_true (vireo_spice_usb_chooser_share_image (VIREO_SPICE_USB_CHOOSER (chooser), GRUB_ISO, &error));
      g_assert_no_error (error);
      {
        gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

        while (vireo_spice_usb_chooser_get_n_devices (VIREO_SPICE_USB_CHOOSER (chooser)) == n &&
               g_get_monotonic_time () < end)
          test_pump (50);
      }
      g_assert_cmpuint (vireo_spice_usb_chooser_get_n_devices (VIREO_SPICE_USB_CHOOSER (chooser)), ==, n + 1);
      g_assert_true (find_label (chooser, "grub-rescue-cdrom.iso"));

      /* ...and its switch redirects it: QEMU's usb-redir port gets a
       * device, through the session's usbredir channel. */
      sw = last_switch (chooser);
      g_assert_nonnull (sw);
      g_assert_false (gtk_switch_get_active (sw));
      gtk_switch_set_active (sw, TRUE);
      {
        gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

        do
          {
            g_clear_pointer (&usb, g_free);
            test_pump (250);
            usb = usb_devices_in_guest ();
          }
        while (g_str_equal (usb, idle) && g_get_monotonic_time () < end);
      }
      g_test_message ("QEMU's USB devices, redirected: %s", usb);
      /* The port now carries spice-gtk's emulated CD drive, a USB 2
       * (high-speed) device; the idle port shows 1.5 Mb/s. */
      g_assert_nonnull (strstr (usb, "ID: redir0"));
      g_assert_nonnull (strstr (usb, "Speed 480 Mb/s"));
      g_assert_true (gtk_switch_get_state (sw));
      g_assert_true (has_type (owner.types, "usbredir"));

      /* Off again: the device leaves the guest. */
      gtk_switch_set_active (sw, FALSE);
      {
        gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

        do
          {
            g_clear_pointer (&usb, g_free);
            test_pump (250);
            usb = usb_devices_in_guest ();
          }
        while (!g_str_equal (usb, idle) && g_get_monotonic_time () < end);
      }
      g_test_message ("QEMU's USB devices after: %s", usb);
      g_assert_cmpstr (usb, ==, idle);
      gtk_window_destroy (GTK_WINDOW (usb_window));
    }

  /* A second client, fds from a factory: QEMU serves one client at a
   * time, so the first one must see its session end. */
  window2 = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window2), 400, 300);
  display2 = vireo_spice_display_new ();
  gtk_window_set_child (GTK_WINDOW (window2), display2);
  gtk_window_present (GTK_WINDOW (window2));
  g_assert_true (vireo_spice_display_open_fd_factory (VIREO_SPICE_DISPLAY (display2), factory,
                                                      env.spice_path));
  diff = wait_widget_matches (VIREO_SPICE_DISPLAY (display2), NULL, 30000);
  g_test_message ("second client: mean difference %.3f", diff);
  g_assert_cmpfloat (diff, <, MAX_MEAN_DIFF);
  {
    gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (owner.disconnected == 0 && g_get_monotonic_time () < end)
      test_pump (50);
  }
  g_assert_cmpint (owner.disconnected, ==, 1);
  g_assert_false (vireo_spice_display_is_open (owner.display));

  vireo_spice_display_close (VIREO_SPICE_DISPLAY (display2));
  g_assert_false (vireo_spice_display_is_open (VIREO_SPICE_DISPLAY (display2)));
  gtk_window_destroy (GTK_WINDOW (window2));
  gtk_window_destroy (GTK_WINDOW (window));
  test_pump (200);
  g_ptr_array_unref (owner.types);
  g_ptr_array_unref (owner.errors);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  setup ();
  g_test_add_func ("/display/spice/e2e", test_spice_e2e);
  ret = g_test_run ();
  teardown ();
  return ret;
}
