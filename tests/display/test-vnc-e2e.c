/* SPDX-License-Identifier: GPL-3.0-or-later */
/* End to end: a real QEMU (TCG) booting GRUB, its VNC server on a unix
 * socket, and our capture helper and VireoVncDisplay (in a GtkWindow under
 * Xvfb) reading it. Each received frame is compared with QEMU's own
 * screendump; then keys typed through the widget must change the guest's
 * screen. Anything missing (QEMU, the GRUB image, Xvfb, xdotool) fails the
 * test with the reason. */
#include "vireo-config.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <linux/input-event-codes.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stdlib.h>
#include <unistd.h>

#include "vireo-vnc-capture.h"
#include "vireo-vnc-display-private.h"  /* tile upload counters */

#define GRUB_ISO "/usr/lib/grub-rescue/grub-rescue-cdrom.iso"
/* Mean absolute difference per channel (0-255) a frame may have from the
 * screendump: GRUB's blinking text cursor (about 0.01) is the only expected
 * change; one missing line of text is about 0.3. */
#define MAX_MEAN_DIFF 0.05
/* A typed GRUB command and its output change the screen by more than this;
 * the blinking cursor alone stays near 0.01. */
#define MIN_CHANGE 0.1

typedef struct {
  int     width;
  int     height;
  guint8 *rgb;   /* width * height * 3 */
} Image;

static void
image_free (Image *img)
{
  if (img == NULL)
    return;
  g_free (img->rgb);
  g_free (img);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Image, image_free)

static struct {
  char          *tmpdir;
  char          *vnc_path;
  char          *qmp_path;
  GSubprocess   *qemu;
  GSubprocess   *xvfb;
  GSocketConnection *qmp;
  GDataInputStream  *qmp_in;
  char          *setup_error;
  guint          dump_serial;
} env;

/* ---- helpers ------------------------------------------------------------ */

static gboolean
have_program (const char *name)
{
  g_autofree char *path = g_find_program_in_path (name);

  return path != NULL;
}

static void
pump (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }
}

static gboolean
wait_for_path (const char *path,
               guint       timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return TRUE;
      g_usleep (20000);
    }
  return FALSE;
}

static int
connect_unix (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpuint (strlen (path), <, sizeof addr.sun_path);
  strcpy (addr.sun_path, path);
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

/* QMP: one line per message; events are skipped. */
static char *
qmp_read_reply (GError **error)
{
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (env.qmp_in, NULL, NULL, error);

      if (line == NULL)
        {
          if (error && *error == NULL)
            g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "QMP closed");
          return NULL;
        }
      if (strstr (line, "\"event\"") != NULL)
        continue;
      return g_steal_pointer (&line);
    }
}

static char *
qmp_command (const char  *json,
             GError     **error)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (env.qmp));
  g_autofree char *msg = g_strconcat (json, "\n", NULL);

  if (!g_output_stream_write_all (out, msg, strlen (msg), NULL, NULL, error))
    return NULL;
  return qmp_read_reply (error);
}

static Image *
read_ppm (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr(Image) img = g_new0 (Image, 1);
  int maxval = 0, consumed = 0;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return NULL;
  if (sscanf (data, "P6 %d %d %d%n", &img->width, &img->height, &maxval, &consumed) != 3 ||
      maxval != 255)
    return NULL;
  consumed++;  /* the single whitespace after maxval */
  if (len - consumed < (gsize) img->width * img->height * 3)
    return NULL;
  img->rgb = g_memdup2 (data + consumed, (gsize) img->width * img->height * 3);
  return g_steal_pointer (&img);
}

static Image *
screendump (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("%s/dump-%u.ppm", env.tmpdir, env.dump_serial++);
  g_autofree char *cmd = g_strdup_printf ("{\"execute\":\"screendump\",\"arguments\":{\"filename\":\"%s\"}}", path);
  g_autofree char *reply = qmp_command (cmd, &error);
  Image *img;

  g_assert_no_error (error);
  g_assert_nonnull (strstr (reply, "\"return\""));
  img = read_ppm (path);
  g_assert_nonnull (img);
  g_unlink (path);
  return img;
}

static Image *
image_from_argb32 (const guint8 *data,
                   int           width,
                   int           height,
                   gsize         stride)
{
  Image *img = g_new0 (Image, 1);

  img->width = width;
  img->height = height;
  img->rgb = g_malloc ((gsize) width * height * 3);
  for (int y = 0; y < height; y++)
    {
      const guint32 *row = (const guint32 *) (data + y * stride);

      for (int x = 0; x < width; x++)
        {
          guint8 *p = img->rgb + ((gsize) y * width + x) * 3;

          p[0] = (row[x] >> 16) & 0xff;
          p[1] = (row[x] >> 8) & 0xff;
          p[2] = row[x] & 0xff;
        }
    }
  return img;
}

static Image *
image_from_texture (GdkTexture *texture)
{
  int w = gdk_texture_get_width (texture);
  int h = gdk_texture_get_height (texture);
  g_autofree guint8 *data = g_malloc ((gsize) w * h * 4);

  /* gdk_texture_download gives cairo's ARGB32 (native 0xAARRGGBB). */
  gdk_texture_download (texture, data, (gsize) w * 4);
  return image_from_argb32 (data, w, h, (gsize) w * 4);
}

static Image *
image_from_png (const char *path)
{
  cairo_surface_t *s = cairo_image_surface_create_from_png (path);
  Image *img = NULL;

  if (cairo_surface_status (s) == CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_flush (s);
      img = image_from_argb32 (cairo_image_surface_get_data (s),
                               cairo_image_surface_get_width (s),
                               cairo_image_surface_get_height (s),
                               cairo_image_surface_get_stride (s));
    }
  cairo_surface_destroy (s);
  return img;
}

static double
mean_diff (const Image *a,
           const Image *b)
{
  gsize n;
  guint64 sum = 0;

  if (a->width != b->width || a->height != b->height)
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
    if (img->rgb[i * 3] + img->rgb[i * 3 + 1] + img->rgb[i * 3 + 2] > 60)
      lit++;
  return (double) lit / n;
}

/* ---- environment ------------------------------------------------------- */

/* Children die with the test, even when an assertion aborts it. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Whether the X server on @n completes a connection handshake: the
 * displayfd report can come a little before clients are served. */
static gboolean
x_server_answers (guint n)
{
  g_autofree char *sock = g_strdup_printf ("/tmp/.X11-unix/X%u", n);
  /* Little-endian setup request, protocol 11.0, no authorisation. */
  const guint8 setup[12] = { 'l', 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
  guint8 reply = 0;
  gboolean ok;
  int fd = connect_unix (sock);

  if (fd < 0)
    return FALSE;
  ok = write (fd, setup, sizeof setup) == sizeof setup && read (fd, &reply, 1) == 1 && reply == 1;
  close (fd);
  return ok;
}

/* Starts Xvfb on a free display. Display numbers are picked from a high,
 * per-process range: other tests on the machine run their own servers and
 * lock files cannot be trusted to be there. */
static gboolean
start_xvfb (GError **error)
{
  g_autofree char *xvfb = g_find_program_in_path ("Xvfb");
  guint base = 100 + (guint) getpid () % 800;

  if (g_getenv ("DISPLAY") != NULL && *g_getenv ("DISPLAY") != '\0')
    return TRUE;
  if (xvfb == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "DISPLAY is unset and Xvfb is not installed (package xvfb)");
      return FALSE;
    }

  for (guint n = base; n < base + 20; n++)
    {
      g_autoptr(GSubprocessLauncher) launcher = NULL;
      g_autofree char *display = g_strdup_printf (":%u", n);
      g_autofree char *sock = g_strdup_printf ("/tmp/.X11-unix/X%u", n);
      g_autofree char *lock = g_strdup_printf ("/tmp/.X%u-lock", n);
      char buf[32] = { 0 };
      int fds[2];
      gssize len;

      if (g_file_test (sock, G_FILE_TEST_EXISTS) || g_file_test (lock, G_FILE_TEST_EXISTS))
        continue;
      if (pipe (fds) < 0)
        g_error ("pipe failed");

      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE);
      g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
      g_subprocess_launcher_take_fd (launcher, fds[1], 3);
      /* -displayfd: Xvfb writes the number once it accepts clients. */
      env.xvfb = g_subprocess_launcher_spawn (launcher, error, xvfb, display, "-displayfd", "3",
                                              "-screen", "0", "1024x768x24", "-nolisten", "tcp",
                                              "-noreset", NULL);
      g_clear_object (&launcher);  /* closes our copy of the write end */
      if (env.xvfb == NULL)
        {
          close (fds[0]);
          return FALSE;
        }
      /* Xvfb writes the number and the newline separately, and dies if
       * the pipe is gone before the second write: read up to the newline. */
      len = 0;
      while (len < (gssize) sizeof buf - 1 && strchr (buf, '\n') == NULL)
        {
          gssize r = read (fds[0], buf + len, sizeof buf - 1 - len);

          if (r <= 0)
            break;
          len += r;
        }
      close (fds[0]);
      if (len > 0 && (guint) atoi (buf) == n)
        {
          for (int i = 0; i < 100 && !x_server_answers (n); i++)
            g_usleep (50 * 1000);
          g_setenv ("DISPLAY", display, TRUE);
          g_unsetenv ("WAYLAND_DISPLAY");
          return TRUE;
        }
      /* Lost a race for this display: the server exits; try the next. */
      g_subprocess_force_exit (env.xvfb);
      g_subprocess_wait (env.xvfb, NULL, NULL);
      g_clear_object (&env.xvfb);
    }

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "could not start Xvfb on a free display");
  return FALSE;
}

static gboolean
start_qemu (GError **error)
{
  g_autofree char *vnc_arg = NULL;
  g_autofree char *qmp_arg = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *reply = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketAddress) addr = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;

  if (!have_program ("qemu-system-x86_64"))
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

  env.vnc_path = g_build_filename (env.tmpdir, "vnc.sock", NULL);
  env.qmp_path = g_build_filename (env.tmpdir, "qmp.sock", NULL);
  vnc_arg = g_strdup_printf ("unix:%s", env.vnc_path);
  qmp_arg = g_strdup_printf ("unix:%s,server=on,wait=off", env.qmp_path);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  env.qemu = g_subprocess_launcher_spawn (launcher, error,
                               "qemu-system-x86_64", "-accel", "tcg", "-m", "64",
                               "-nodefaults", "-vga", "std", "-display", "none",
                               "-vnc", vnc_arg, "-cdrom", GRUB_ISO, "-boot", "d",
                               "-qmp", qmp_arg, NULL);
  if (env.qemu == NULL)
    return FALSE;

  if (!wait_for_path (env.qmp_path, 15000) || !wait_for_path (env.vnc_path, 15000))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "QEMU did not create its QMP/VNC sockets");
      return FALSE;
    }

  client = g_socket_client_new ();
  addr = g_unix_socket_address_new (env.qmp_path);
  env.qmp = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (addr), NULL, error);
  if (env.qmp == NULL)
    return FALSE;
  env.qmp_in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (env.qmp)));
  greeting = qmp_read_reply (error);
  if (greeting == NULL)
    return FALSE;
  reply = qmp_command ("{\"execute\":\"qmp_capabilities\"}", error);
  return reply != NULL;
}

static int
luminance (const Image *img,
           int          x,
           int          y)
{
  const guint8 *p = img->rgb + ((gsize) y * img->width + x) * 3;

  return (p[0] + p[1] + p[2]) / 3;
}

/* GRUB's menu highlights its first entry with a grey bar across row 71. */
static gboolean
grub_menu_shown (const Image *img)
{
  return img->width == 720 && img->height == 400 &&
         luminance (img, 400, 71) > 100 && luminance (img, 600, 71) > 100;
}

static void
qmp_send_key (const char *qcode)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cmd = g_strdup_printf ("{\"execute\":\"send-key\",\"arguments\":"
                                          "{\"keys\":[{\"type\":\"qcode\",\"data\":\"%s\"}]}}",
                                          qcode);
  g_autofree char *reply = qmp_command (cmd, &error);

  g_assert_no_error (error);
}

/* Brings GRUB to its command line with QEMU's own key injection (not the
 * code under test): any key stops the menu countdown or leaves a failed
 * boot's "Press any key" page; 'c' at the menu opens the command line. */
static gboolean
grub_command_line (GError **error)
{
  for (int attempt = 0; attempt < 30; attempt++)
    {
      g_autoptr(Image) img = NULL;

      qmp_send_key ("esc");
      g_usleep (800 * 1000);
      img = screendump ();
      if (grub_menu_shown (img))
        {
          qmp_send_key ("c");
          for (int i = 0; i < 20; i++)
            {
              g_autoptr(Image) now = NULL;

              g_usleep (300 * 1000);
              now = screendump ();
              if (!grub_menu_shown (now))
                {
                  g_usleep (500 * 1000);
                  return TRUE;
                }
            }
        }
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "could not bring GRUB to its command line");
  return FALSE;
}

/* GRUB is "there" once a good part of the screen is lit and it stays put. */
static gboolean
wait_for_grub (GError **error)
{
  gint64 end = g_get_monotonic_time () + 90 * G_USEC_PER_SEC;
  g_autoptr(Image) prev = NULL;

  while (g_get_monotonic_time () < end)
    {
      g_autoptr(Image) img = screendump ();

      if (lit_fraction (img) > 0.01 && prev != NULL && mean_diff (prev, img) < 0.5)
        {
          g_test_message ("GRUB screen up: %dx%d, %.1f%% lit", img->width, img->height,
                          100 * lit_fraction (img));
          return TRUE;
        }
      g_clear_pointer (&prev, image_free);
      prev = g_steal_pointer (&img);
      g_usleep (700 * 1000);
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "GRUB did not show a stable screen within 90 s");
  return FALSE;
}

static void
teardown_env (void)
{
  if (env.qmp != NULL)
    {
      g_autofree char *r = qmp_command ("{\"execute\":\"quit\"}", NULL);
    }
  g_clear_object (&env.qmp_in);
  g_clear_object (&env.qmp);
  if (env.qemu != NULL)
    {
      g_subprocess_force_exit (env.qemu);
      g_subprocess_wait (env.qemu, NULL, NULL);
      g_clear_object (&env.qemu);
    }
  if (env.xvfb != NULL)
    {
      g_subprocess_send_signal (env.xvfb, SIGTERM);
      g_subprocess_wait (env.xvfb, NULL, NULL);
      g_clear_object (&env.xvfb);
    }
  if (env.tmpdir != NULL)
    {
      g_autoptr(GFile) dir = g_file_new_for_path (env.tmpdir);
      g_autoptr(GFileEnumerator) e = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                                                G_FILE_QUERY_INFO_NONE, NULL, NULL);
      GFileInfo *info;

      while (e != NULL && (info = g_file_enumerator_next_file (e, NULL, NULL)) != NULL)
        {
          g_autofree char *p = g_build_filename (env.tmpdir, g_file_info_get_name (info), NULL);

          g_unlink (p);
          g_object_unref (info);
        }
      g_rmdir (env.tmpdir);
    }
  g_clear_pointer (&env.tmpdir, g_free);
  g_clear_pointer (&env.vnc_path, g_free);
  g_clear_pointer (&env.qmp_path, g_free);
}

static gboolean
require_env (void)
{
  if (env.setup_error != NULL)
    {
      g_test_fail_printf ("test environment: %s", env.setup_error);
      return FALSE;
    }
  return TRUE;
}

/* ---- tests -------------------------------------------------------------- */

static void
test_capture_png (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *png = NULL;
  g_autoptr(Image) captured = NULL;
  g_autoptr(Image) dump = NULL;
  int fd;
  double diff;

  if (!require_env ())
    return;

  png = g_build_filename (env.tmpdir, "capture.png", NULL);
  fd = connect_unix (env.vnc_path);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (vireo_vnc_capture_png (fd, png, 15000, &error));
  g_assert_no_error (error);
  /* It took ownership of the socket and closed it. */
  g_assert_cmpint (fcntl (fd, F_GETFD), ==, -1);
  dump = screendump ();

  captured = image_from_png (png);
  g_assert_nonnull (captured);
  g_assert_cmpint (captured->width, ==, dump->width);
  g_assert_cmpint (captured->height, ==, dump->height);
  diff = mean_diff (captured, dump);
  g_test_message ("capture vs screendump: mean difference %.3f", diff);
  g_assert_cmpfloat (diff, <, MAX_MEAN_DIFF);
}

static void
test_capture_errors (void)
{
  g_autoptr(GError) error = NULL;
  int sv[2];

  /* A peer that says nothing: the timeout must hold. */
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  g_assert_false (vireo_vnc_capture_png (sv[0], "/nonexistent/x.png", 300, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_clear_error (&error);
  close (sv[1]);

  /* A peer that hangs up at once. */
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  close (sv[1]);
  g_assert_false (vireo_vnc_capture_png (sv[0], "/nonexistent/x.png", 5000, &error));
  g_assert_nonnull (error);
}

/* Waits until the widget's frame matches QEMU's screendump. */
static double
wait_widget_matches (VireoVncDisplay *display,
                     guint            timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  double diff = INFINITY;

  while (g_get_monotonic_time () < end)
    {
      g_autoptr(GdkTexture) tex = NULL;

      pump (250);
      tex = vireo_vnc_display_get_image (display);
      if (tex != NULL)
        {
          g_autoptr(Image) dump = screendump ();
          g_autoptr(Image) got = image_from_texture (tex);

          diff = mean_diff (got, dump);
          if (diff < MAX_MEAN_DIFF)
            break;
        }
    }
  return diff;
}

/* Waits until QEMU's screen differs from @before by more than noise. */
static double
wait_guest_changed (const Image *before,
                    guint        timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  double diff = 0;

  while (g_get_monotonic_time () < end)
    {
      g_autoptr(Image) now = NULL;

      pump (250);
      now = screendump ();
      diff = mean_diff (before, now);
      if (diff > MIN_CHANGE)
        break;
    }
  return diff;
}

/* What the widget draws (its tiles through GSK), cropped to the guest
 * picture: 1:1 mode centres it at whole-pixel offsets. */
static Image *
render_widget_picture (GtkWidget *widget,
                       int        fb_width,
                       int        fb_height)
{
  int ww = gtk_widget_get_width (widget);
  int wh = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(Image) full = NULL;
  Image *crop;
  int ox = MAX (0, (ww - fb_width) / 2), oy = MAX (0, (wh - fb_height) / 2);

  gdk_paintable_snapshot (paintable, snapshot, ww, wh);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, ww, wh));
  full = image_from_texture (texture);
  g_assert_cmpint (ww, >=, fb_width);
  g_assert_cmpint (wh, >=, fb_height);

  crop = g_new0 (Image, 1);
  crop->width = fb_width;
  crop->height = fb_height;
  crop->rgb = g_malloc ((gsize) fb_width * fb_height * 3);
  for (int y = 0; y < fb_height; y++)
    memcpy (crop->rgb + (gsize) y * fb_width * 3,
            full->rgb + ((gsize) (y + oy) * full->width + ox) * 3, (gsize) fb_width * 3);
  return crop;
}

static void
on_count (gpointer data)
{
  (*(int *) data)++;
}

static gboolean
run_and_pump (const char * const *argv,
              GError            **error)
{
  g_autoptr(GSubprocess) proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, error);

  if (proc == NULL)
    return FALSE;
  /* The widget must keep running while xdotool drives the X server. */
  while (g_subprocess_get_identifier (proc) != NULL)
    pump (20);
  return g_subprocess_get_successful (proc);
}

static void
test_widget (void)
{
  GtkWidget *window, *scrolled, *display;
  int initialized = 0, connected = 0, disconnected = 0;
  g_autoptr(Image) before = NULL;
  g_autoptr(GError) error = NULL;
  double diff;
  int fd;

  if (!require_env ())
    return;

  if (!gtk_init_check ())
    {
      g_test_fail_printf ("gtk_init_check failed on DISPLAY=%s", g_getenv ("DISPLAY"));
      return;
    }

  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), "Vireo VNC test");
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 500);
  scrolled = gtk_scrolled_window_new ();
  display = vireo_vnc_display_new ();
  vireo_vnc_display_set_scaling (VIREO_VNC_DISPLAY (display), FALSE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), display);
  gtk_window_set_child (GTK_WINDOW (window), scrolled);
  g_signal_connect_swapped (display, "connected", G_CALLBACK (on_count), &connected);
  g_signal_connect_swapped (display, "initialized", G_CALLBACK (on_count), &initialized);
  g_signal_connect_swapped (display, "disconnected", G_CALLBACK (on_count), &disconnected);
  gtk_window_present (GTK_WINDOW (window));

  fd = connect_unix (env.vnc_path);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (vireo_vnc_display_open_fd (VIREO_VNC_DISPLAY (display), fd));

  /* 1. The first frame equals QEMU's screen. */
  diff = wait_widget_matches (VIREO_VNC_DISPLAY (display), 20000);
  g_test_message ("widget vs screendump after connect: mean difference %.3f", diff);
  g_assert_cmpint (connected, ==, 1);
  g_assert_cmpint (initialized, ==, 1);
  g_assert_cmpfloat (diff, <, MAX_MEAN_DIFF);
  g_assert_cmpint (vireo_vnc_display_get_width (VIREO_VNC_DISPLAY (display)), ==, 720);
  g_assert_cmpint (vireo_vnc_display_get_height (VIREO_VNC_DISPLAY (display)), ==, 400);

  /* What is drawn on screen (the tile textures) is the guest's picture,
   * once the widget has seen the end of the update (it draws a frame when
   * the whole update is in, from an idle). */
  pump (100);
  {
    g_autoptr(Image) drawn = render_widget_picture (display, 720, 400);
    g_autoptr(Image) dump = screendump ();

    diff = mean_diff (drawn, dump);
    g_test_message ("drawn widget vs screendump: mean difference %.3f", diff);
    g_assert_cmpfloat (diff, <, MAX_MEAN_DIFF);
  }

  /* 2. Keyvals through send_keys: "ls" Enter. */
  before = screendump ();
  {
    const guint keys[] = { GDK_KEY_l, GDK_KEY_s, GDK_KEY_Return };

    for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
      vireo_vnc_display_send_keys (VIREO_VNC_DISPLAY (display), &keys[i], 1);
  }
  diff = wait_guest_changed (before, 10000);
  g_test_message ("guest change after send_keys: %.3f", diff);
  g_assert_cmpfloat (diff, >, MIN_CHANGE);
  diff = wait_widget_matches (VIREO_VNC_DISPLAY (display), 10000);
  g_test_message ("widget follows: %.3f", diff);
  g_assert_cmpfloat (diff, <, MAX_MEAN_DIFF);

  /* 3. Evdev codes straight to the scancode table: "ls" Enter. */
  g_clear_pointer (&before, image_free);
  before = screendump ();
  {
    const guint codes[] = { KEY_L, KEY_S, KEY_ENTER };

    for (gsize i = 0; i < G_N_ELEMENTS (codes); i++)
      {
        vireo_vnc_display_send_evdev_key (VIREO_VNC_DISPLAY (display), codes[i], TRUE);
        vireo_vnc_display_send_evdev_key (VIREO_VNC_DISPLAY (display), codes[i], FALSE);
      }
  }
  diff = wait_guest_changed (before, 10000);
  g_test_message ("guest change after evdev keys: %.3f", diff);
  g_assert_cmpfloat (diff, >, MIN_CHANGE);

  /* 4. Real X key events into the focused widget (GTK's key path). */
  if (!have_program ("xdotool"))
    {
      g_test_fail_printf ("xdotool is not installed (package xdotool): cannot send real key events");
      goto out;
    }
  gtk_widget_grab_focus (display);
  pump (300);
  g_clear_pointer (&before, image_free);
  before = screendump ();
  {
    const char *focus[] = { "xdotool", "search", "--sync", "--name", "Vireo VNC test",
                            "windowfocus", "--sync", NULL };
    const char *type[] = { "xdotool", "type", "--delay", "60", "ls", NULL };
    const char *enter[] = { "xdotool", "key", "Return", NULL };

    g_assert_true (run_and_pump (focus, &error));
    g_assert_no_error (error);
    pump (300);
    g_assert_true (run_and_pump (type, &error));
    g_assert_true (run_and_pump (enter, &error));
  }
  diff = wait_guest_changed (before, 10000);
  g_test_message ("guest change after X key events: %.3f", diff);
  g_assert_cmpfloat (diff, >, MIN_CHANGE);
  diff = wait_widget_matches (VIREO_VNC_DISPLAY (display), 10000);
  g_assert_cmpfloat (diff, <, MAX_MEAN_DIFF);
  {
    /* Only the tiles the typing touched were re-made; all are drawn right. */
    g_autoptr(Image) drawn = render_widget_picture (display, 720, 400);
    g_autoptr(Image) dump = screendump ();

    diff = mean_diff (drawn, dump);
    g_test_message ("drawn widget after typing vs screendump: mean difference %.3f", diff);
    g_assert_cmpfloat (diff, <, MAX_MEAN_DIFF);
  }

  /* One more typed character re-makes only the tiles its line touches
   * (the line may straddle a tile boundary), never the whole frame. */
  {
    VireoVncDisplay *vnc = VIREO_VNC_DISPLAY (display);
    guint n_tiles = vireo_vnc_tile_grid_n_tiles (vnc->grid);
    g_autofree guint *counts = g_memdup2 (vnc->tile_uploads, n_tiles * sizeof (guint));
    const guint key = GDK_KEY_x;
    guint touched = 0;

    g_clear_pointer (&before, image_free);
    before = screendump ();
    vireo_vnc_display_send_keys (vnc, &key, 1);
    g_assert_cmpfloat (wait_guest_changed (before, 10000), >, 0.01);
    g_assert_cmpfloat (wait_widget_matches (vnc, 10000), <, MAX_MEAN_DIFF);
    pump (100);
    for (guint i = 0; i < n_tiles; i++)
      touched += vnc->tile_uploads[i] != counts[i];
    g_test_message ("one key re-made %u of %u tiles", touched, n_tiles);
    g_assert_cmpuint (touched, >=, 1);
    g_assert_cmpuint (touched, <=, 2);
  }

  /* Real X motion, clicks and wheel through the pointer path. GRUB never
   * enables a USB tablet, so QEMU stays in relative (PS/2) mode here. */
  g_assert_false (vireo_vnc_display_get_absolute_pointer (VIREO_VNC_DISPLAY (display)));
  {
    const char *move[] = { "xdotool", "search", "--name", "Vireo VNC test",
                           "mousemove", "--window", "%1", "300", "200", "click", "1",
                           "mousemove", "--window", "%1", "320", "210", "click", "4", NULL };

    g_assert_true (run_and_pump (move, NULL));
    pump (200);
  }

  /* Fit mode in a larger window, for the screenshot. */
  vireo_vnc_display_set_scaling (VIREO_VNC_DISPLAY (display), TRUE);
  {
    const char *resize[] = { "xdotool", "search", "--name", "Vireo VNC test",
                             "windowsize", "1000", "700", NULL };

    run_and_pump (resize, NULL);
    pump (500);
  }

out:
  if (g_getenv ("VIREO_TEST_SCREENSHOT") != NULL)
    pump (500);  /* let the last frame reach the screen */
  {
    const char *shot = g_getenv ("VIREO_TEST_SCREENSHOT");

    if (shot != NULL)
      {
        const char *argv[] = { "import", "-window", "root", shot, NULL };

        run_and_pump (argv, NULL);
      }
  }

  vireo_vnc_display_close (VIREO_VNC_DISPLAY (display));
  {
    gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    while (disconnected == 0 && g_get_monotonic_time () < end)
      pump (20);
  }
  g_assert_cmpint (disconnected, ==, 1);
  g_assert_false (vireo_vnc_display_is_open (VIREO_VNC_DISPLAY (display)));
  pump (100);
  g_assert_cmpint (fcntl (fd, F_GETFD), ==, -1);  /* the widget's socket is closed */
  gtk_window_destroy (GTK_WINDOW (window));
  pump (100);
}

static void
on_need_password (VireoVncDisplay *display,
                  gpointer         data)
{
  const char **answer = data;

  (*(int *) g_object_get_data (G_OBJECT (display), "asked"))++;
  vireo_vnc_display_set_password (display, *answer);
}

static void
on_auth_failure (VireoVncDisplay *display,
                 const char      *reason,
                 gpointer         data)
{
  g_test_message ("auth-failure: %s", reason);
  (*(int *) data)++;
}

/* A second, paused QEMU whose VNC server wants a password. */
static void
test_password (void)
{
  g_autofree char *sock = NULL;
  g_autofree char *vnc_arg = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) qemu = NULL;
  g_autoptr(GError) error = NULL;
  const char *answers[] = { "wrong", "hunter2" };

  if (!require_env ())
    return;
  if (!gtk_init_check ())
    {
      g_test_fail_printf ("gtk_init_check failed on DISPLAY=%s", g_getenv ("DISPLAY"));
      return;
    }

  sock = g_build_filename (env.tmpdir, "vnc-pw.sock", NULL);
  vnc_arg = g_strdup_printf ("unix:%s,password-secret=pw0", sock);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  qemu = g_subprocess_launcher_spawn (launcher, &error, "qemu-system-x86_64", "-S",
                                      "-accel", "tcg", "-m", "16", "-nodefaults", "-vga", "std",
                                      "-display", "none", "-object", "secret,id=pw0,data=hunter2",
                                      "-vnc", vnc_arg, NULL);
  g_assert_no_error (error);
  g_assert_true (wait_for_path (sock, 15000));

  /* The capture helper has no password: a clear error, not a hang. */
  {
    g_autofree char *png = g_build_filename (env.tmpdir, "pw.png", NULL);

    g_assert_false (vireo_vnc_capture_png (connect_unix (sock), png, 10000, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
    g_clear_error (&error);
  }

  for (guint round = 0; round < G_N_ELEMENTS (answers); round++)
    {
      GtkWidget *display = vireo_vnc_display_new ();
      int asked = 0, failures = 0, initialized = 0, disconnected = 0;
      gint64 end = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

      g_object_ref_sink (display);
      g_object_set_data (G_OBJECT (display), "asked", &asked);
      g_signal_connect (display, "need-password", G_CALLBACK (on_need_password), &answers[round]);
      g_signal_connect (display, "auth-failure", G_CALLBACK (on_auth_failure), &failures);
      g_signal_connect_swapped (display, "initialized", G_CALLBACK (on_count), &initialized);
      g_signal_connect_swapped (display, "disconnected", G_CALLBACK (on_count), &disconnected);
      g_assert_true (vireo_vnc_display_open_fd (VIREO_VNC_DISPLAY (display), connect_unix (sock)));

      while (initialized == 0 && disconnected == 0 && g_get_monotonic_time () < end)
        pump (20);

      g_assert_cmpint (asked, ==, 1);
      if (round == 0)
        {
          g_assert_cmpint (failures, ==, 1);
          g_assert_cmpint (initialized, ==, 0);
        }
      else
        {
          g_assert_cmpint (failures, ==, 0);
          g_assert_cmpint (initialized, ==, 1);
          vireo_vnc_display_close (VIREO_VNC_DISPLAY (display));
          while (disconnected == 0 && g_get_monotonic_time () < end)
            pump (20);
        }
      g_assert_cmpint (disconnected, ==, 1);
      g_object_unref (display);
      pump (50);
    }

  g_subprocess_force_exit (qemu);
  g_subprocess_wait (qemu, NULL, NULL);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  env.tmpdir = g_dir_make_tmp ("vireo-vnc-e2e-XXXXXX", &error);
  g_assert_no_error (error);
  if (!start_xvfb (&error) || !start_qemu (&error) || !wait_for_grub (&error) ||
      !grub_command_line (&error))
    env.setup_error = g_strdup (error->message);
  g_clear_error (&error);

  g_test_add_func ("/vnc/capture/png-matches-screendump", test_capture_png);
  g_test_add_func ("/vnc/capture/errors", test_capture_errors);
  g_test_add_func ("/vnc/widget/frames-and-keys", test_widget);
  g_test_add_func ("/vnc/widget/password", test_password);

  ret = g_test_run ();
  teardown_env ();
  g_free (env.setup_error);
  return ret;
}
