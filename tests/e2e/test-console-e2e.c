/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The console path the app uses, end to end, on whatever connection
 * VIREO_TEST_URI names: a local private libvirtd (libvirtd-qemu.sh) or a
 * remote one in a network namespace reached over SSH (libvirtd-ssh-netns.sh).
 * Real QEMU guests (TCG) boot GRUB; the display is reached through the core
 * (virDomainOpenGraphicsFD locally, `ssh -W` remotely) and shown by our VNC
 * and SPICE widgets in a window under Xvfb. What the widget received must
 * match `virsh screenshot` on the same URI; keys typed through the widget
 * must change the guest's screen; the serial console must carry text both
 * ways (GRUB is switched to the serial port by commands typed into the
 * display). */
#include "display-test-util.h"
#include "vireo-config.h"

#include <cairo.h>
#include <gtk/gtk.h>
#include <glib/gstdio.h>
#include <math.h>
#include <poll.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vireo-connection.h"
#include "vireo-spice-display.h"
#include "vireo-vnc-display.h"

#define GRUB_ISO "/usr/lib/grub-rescue/grub-rescue-cdrom.iso"
/* Mean absolute difference per channel (0-255) between the widget's frame
 * and libvirt's screenshot: GRUB's blinking cursor is about 0.01, a missing
 * line of text about 0.3. SPICE's QXL frames pass through a lossless but
 * differently-timed path; its widget test allows 2.0. */
#define VNC_MAX_DIFF 0.2
#define SPICE_MAX_DIFF 2.0
/* A typed GRUB command changes the screen by more than this. */
#define MIN_CHANGE 0.1

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
  gint64           t0;
  const char      *uri;
  char            *tmpdir;
  VireoConnection *conn;
  GSubprocess     *xvfb;
  guint            shots;
} env;

/* ---- helpers ------------------------------------------------------------ */

/* Test messages carry the seconds since start: the runtime budget matters. */
#define note(fmt, ...) \
  g_test_message ("[%5.1f s] " fmt, (g_get_monotonic_time () - env.t0) / 1e6, ##__VA_ARGS__)

static void
got (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  while (*slot == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  if (*slot == NULL)
    g_error ("timed out");
  return *slot;
}

static Image *
image_from_argb32 (const guint8 *data, int width, int height, gsize stride)
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

  gdk_texture_download (texture, data, (gsize) w * 4);
  return image_from_argb32 (data, w, h, (gsize) w * 4);
}

/* libvirt's screenshot: PNG from QEMU 7.2, PPM from older ones. */
static Image *
image_load (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  int max = 0, n = 0;
  Image *img;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return NULL;
  if (len > 8 && memcmp (data, "\x89PNG", 4) == 0)
    {
      cairo_surface_t *s = cairo_image_surface_create_from_png (path);

      img = NULL;
      if (cairo_surface_status (s) == CAIRO_STATUS_SUCCESS)
        {
          cairo_surface_flush (s);
          img = image_from_argb32 (cairo_image_surface_get_data (s), cairo_image_surface_get_width (s),
                                   cairo_image_surface_get_height (s), cairo_image_surface_get_stride (s));
        }
      cairo_surface_destroy (s);
      return img;
    }
  img = g_new0 (Image, 1);
  if (sscanf (data, "P6 %d %d %d%n", &img->width, &img->height, &max, &n) != 3 ||
      len < (gsize) n + 1 + (gsize) 3 * img->width * img->height)
    {
      g_free (img);
      return NULL;
    }
  img->rgb = g_memdup2 (data + n + 1, (gsize) 3 * img->width * img->height);
  return img;
}

static double
mean_diff (const Image *a, const Image *b)
{
  guint64 sum = 0;
  gsize n;

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
    lit += img->rgb[i * 3] + img->rgb[i * 3 + 1] + img->rgb[i * 3 + 2] > 60;
  return (double) lit / n;
}

/* Runs a child while the main loop keeps turning (the widgets must keep
 * reading their sockets meanwhile); its stdout, stderr in @output. */
static gboolean
run (const char * const *argv, char **output)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                   G_SUBPROCESS_FLAGS_STDERR_MERGE, &error);
  g_autoptr(GAsyncResult) r = NULL;
  g_autofree char *out = NULL;

  if (proc == NULL)
    g_error ("%s: %s", argv[0], error->message);
  g_subprocess_communicate_utf8_async (proc, NULL, NULL, got, &r);
  g_subprocess_communicate_utf8_finish (proc, wait_result (&r), &out, NULL, &error);
  if (output)
    *output = g_steal_pointer (&out);
  return g_subprocess_get_successful (proc);
}

static Image *
virsh_screenshot (const char *name)
{
  g_autofree char *path = g_strdup_printf ("%s/shot-%u.img", env.tmpdir, env.shots++);
  const char *argv[] = { "virsh", "-q", "-c", env.uri, "screenshot", name, path, NULL };
  g_autofree char *out = NULL;
  Image *img;

  if (!run (argv, &out))
    g_error ("virsh screenshot %s failed: %s", name, out);
  img = image_load (path);
  g_assert_nonnull (img);
  g_unlink (path);
  return img;
}

static void
virsh_quiet (const char *command, const char *name)
{
  const char *argv[] = { "virsh", "-q", "-c", env.uri, command, name, NULL };
  g_autofree char *out = NULL;

  run (argv, &out);  /* the leftovers it removes are usually not there */
}

/* ---- the environment ---------------------------------------------------- */

static void
act (VireoDomain *d, VireoDomainAction action)
{
  g_autoptr(GAsyncResult) r = NULL;
  g_autoptr(GError) error = NULL;

  vireo_domain_run_action_async (d, action, 0, NULL, got, &r);
  vireo_domain_run_action_finish (d, wait_result (&r), &error);
  g_assert_no_error (error);
}

static gboolean
is_running (VireoDomain *d)
{
  return vireo_domain_get_state (d) == VIREO_DOMAIN_STATE_RUNNING;
}

/* Defines and starts a GRUB guest with @graphics; a run that died half-way
 * may have left one of the same name. */
static VireoDomain *
start_guest (const char *name, const char *graphics)
{
  g_autoptr(GAsyncResult) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = g_strdup_printf (
    "<domain type='qemu'><name>%s</name><memory unit='MiB'>96</memory>"
    "<vcpu>1</vcpu><os><type arch='x86_64'>hvm</type><boot dev='cdrom'/></os>"
    "<devices><disk type='file' device='cdrom'><source file='" GRUB_ISO "'/>"
    "<target dev='hdc' bus='ide'/><readonly/></disk>%s"
    "<serial type='pty'/><console type='pty'/></devices></domain>", name, graphics);
  VireoDomain *d;
  gint64 end;

  virsh_quiet ("destroy", name);
  virsh_quiet ("undefine", name);
  vireo_connection_define_domain_async (env.conn, xml, NULL, got, &r);
  d = vireo_connection_define_domain_finish (env.conn, wait_result (&r), &error);
  g_assert_no_error (error);
  note ("%s defined", name);
  act (d, VIREO_DOMAIN_ACTION_START);
  note ("%s started", name);
  end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!is_running (d) && g_get_monotonic_time () < end)
    test_pump (50);
  g_assert_true (is_running (d));
  return d;
}

static void
remove_guest (VireoDomain *d)
{
  act (d, VIREO_DOMAIN_ACTION_FORCE_OFF);
  for (int i = 0; i < 100 && vireo_domain_state_is_active (vireo_domain_get_state (d)); i++)
    test_pump (50);
  act (d, VIREO_DOMAIN_ACTION_DELETE);
}

/* GRUB is up once part of the screen is lit and it stays put. */
static void
wait_for_grub (const char *name)
{
  gint64 end = g_get_monotonic_time () + 90 * G_USEC_PER_SEC;
  g_autoptr(Image) prev = NULL;

  while (g_get_monotonic_time () < end)
    {
      g_autoptr(Image) img = virsh_screenshot (name);

      if (g_getenv ("VIREO_TEST_DEBUG"))
        note ("%dx%d lit %.3f diff %.3f", img->width, img->height, lit_fraction (img),
              prev ? mean_diff (prev, img) : -1);
      if (lit_fraction (img) > 0.01 && prev != NULL && mean_diff (prev, img) < 0.5)
        {
          note ("GRUB is up: %dx%d", img->width, img->height);
          return;
        }
      g_clear_pointer (&prev, image_free);
      prev = g_steal_pointer (&img);
      test_pump (700);
    }
  g_error ("GRUB did not show a stable screen within 90 s");
}

/* ---- the display through the core -------------------------------------- */

typedef struct {
  GtkWidget   *window;
  GtkWidget   *display;
  VireoDomain *domain;
  gboolean     spice;
  int          initialized;
  int          disconnected;
  int          fds_opened;
} Console;

static int
open_graphics (VireoDomain *d, VireoGraphicsType *type, GError **error)
{
  g_autoptr(GAsyncResult) r = NULL;

  vireo_domain_open_graphics_async (d, NULL, got, &r);
  return vireo_domain_open_graphics_finish (d, wait_result (&r), type, error);
}

static void
spice_fd_opened (GObject *source, GAsyncResult *result, gpointer data)
{
  Console *c = data;
  g_autoptr(GError) error = NULL;
  int fd = vireo_domain_open_graphics_finish (VIREO_DOMAIN (source), result, NULL, &error);

  c->fds_opened += fd >= 0;
  vireo_spice_display_provide_fd (VIREO_SPICE_DISPLAY (c->display), fd, error);
}

/* The app's answer to "need-fd": one more socket the same way. */
static void
on_need_fd (VireoSpiceDisplay *display, const char *channel, Console *c)
{
  vireo_domain_open_graphics_async (c->domain, NULL, spice_fd_opened, c);
}

static void
on_count (gpointer data)
{
  (*(int *) data)++;
}

static void
console_open (Console *c, VireoDomain *d, gboolean spice)
{
  g_autoptr(GError) error = NULL;
  VireoGraphicsType type = VIREO_GRAPHICS_NONE;
  gint64 end;
  int fd;

  c->domain = d;
  c->spice = spice;
  c->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (c->window), 800, 600);
  c->display = spice ? vireo_spice_display_new () : vireo_vnc_display_new ();
  gtk_window_set_child (GTK_WINDOW (c->window), c->display);
  g_signal_connect_swapped (c->display, "initialized", G_CALLBACK (on_count), &c->initialized);
  g_signal_connect_swapped (c->display, "disconnected", G_CALLBACK (on_count), &c->disconnected);
  if (spice)
    g_signal_connect (c->display, "need-fd", G_CALLBACK (on_need_fd), c);
  gtk_window_present (GTK_WINDOW (c->window));

  fd = open_graphics (d, &type, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  c->fds_opened++;
  g_assert_cmpint (type, ==, spice ? VIREO_GRAPHICS_SPICE : VIREO_GRAPHICS_VNC);
  if (spice)
    g_assert_true (vireo_spice_display_open_fd (VIREO_SPICE_DISPLAY (c->display), fd));
  else
    g_assert_true (vireo_vnc_display_open_fd (VIREO_VNC_DISPLAY (c->display), fd));

  end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (c->initialized == 0 && c->disconnected == 0 && g_get_monotonic_time () < end)
    test_pump (20);
  g_assert_cmpint (c->disconnected, ==, 0);
  g_assert_cmpint (c->initialized, ==, 1);
}

static void
console_close (Console *c)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  if (c->spice)
    vireo_spice_display_close (VIREO_SPICE_DISPLAY (c->display));
  else
    vireo_vnc_display_close (VIREO_VNC_DISPLAY (c->display));
  while (c->disconnected == 0 && g_get_monotonic_time () < end)
    test_pump (20);
  g_assert_cmpint (c->disconnected, ==, 1);
  gtk_window_destroy (GTK_WINDOW (c->window));
  test_pump (100);
}

static Image *
console_image (Console *c)
{
  g_autoptr(GdkTexture) tex = c->spice ? vireo_spice_display_get_image (VIREO_SPICE_DISPLAY (c->display))
                                       : vireo_vnc_display_get_image (VIREO_VNC_DISPLAY (c->display));

  return tex ? image_from_texture (tex) : NULL;
}

/* Waits until what the widget received matches libvirt's screenshot. */
static double
console_matches (Console *c, double max_diff)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  double diff = INFINITY;

  while (g_get_monotonic_time () < end)
    {
      g_autoptr(Image) theirs = NULL;
      g_autoptr(Image) ours = NULL;

      test_pump (200);
      theirs = virsh_screenshot (vireo_domain_get_name (c->domain));
      ours = console_image (c);
      if (ours == NULL)
        continue;
      diff = mean_diff (ours, theirs);
      if (diff < max_diff)
        break;
      if (isinf (diff))
        note ("sizes differ: ours %dx%d, libvirt's %dx%d", ours->width, ours->height,
                        theirs->width, theirs->height);
    }
  return diff;
}

/* One key (with Shift for the characters that need it on a US layout). */
static void
console_key (Console *c, guint keyval)
{
  static const char shifted[] = "_:\"|<>?+{}!@#$%^&*()~";
  static const guint unshifted[] = { GDK_KEY_minus, GDK_KEY_semicolon, GDK_KEY_apostrophe,
                                     GDK_KEY_backslash, GDK_KEY_comma, GDK_KEY_period,
                                     GDK_KEY_slash, GDK_KEY_equal, GDK_KEY_bracketleft,
                                     GDK_KEY_bracketright, GDK_KEY_1, GDK_KEY_2, GDK_KEY_3,
                                     GDK_KEY_4, GDK_KEY_5, GDK_KEY_6, GDK_KEY_7, GDK_KEY_8,
                                     GDK_KEY_9, GDK_KEY_0, GDK_KEY_grave };
  guint32 ch = gdk_keyval_to_unicode (keyval);
  const char *s = ch > 0 && ch < 128 ? strchr (shifted, (int) ch) : NULL;
  guint keys[2] = { keyval, 0 };
  gsize n = 1;

  if (s != NULL && ch != 0)
    {
      keys[0] = GDK_KEY_Shift_L;
      keys[1] = unshifted[s - shifted];
      n = 2;
    }
  else if (ch >= 'A' && ch <= 'Z')
    {
      keys[0] = GDK_KEY_Shift_L;
      keys[1] = gdk_keyval_to_lower (keyval);
      n = 2;
    }
  if (c->spice)
    vireo_spice_display_send_keys (VIREO_SPICE_DISPLAY (c->display), keys, n);
  else
    vireo_vnc_display_send_keys (VIREO_VNC_DISPLAY (c->display), keys, n);
  test_pump (30);
}

static void
console_type (Console *c, const char *text)
{
  for (const char *p = text; *p; p++)
    console_key (c, *p == '\n' ? GDK_KEY_Return : gdk_unicode_to_keyval ((guchar) *p));
  test_pump (200);
}

/* GRUB's menu highlights its first entry with a bar across row 71. */
static gboolean
grub_menu_shown (const Image *img)
{
  const guint8 *a = img->rgb + ((gsize) 71 * img->width + 400) * 3;
  const guint8 *b = img->rgb + ((gsize) 71 * img->width + 600) * 3;

  return img->width == 720 && img->height == 400 &&
         (a[0] + a[1] + a[2]) / 3 > 100 && (b[0] + b[1] + b[2]) / 3 > 100;
}

/* Brings GRUB to its command line with keys typed through the widget: Esc
 * stops the menu's countdown (or leaves a failed boot's page), 'c' at the
 * menu opens the command line. */
static void
grub_command_line (Console *c)
{
  for (int attempt = 0; attempt < 20; attempt++)
    {
      g_autoptr(Image) img = NULL;

      console_key (c, GDK_KEY_Escape);
      test_pump (800);
      img = virsh_screenshot (vireo_domain_get_name (c->domain));
      if (!grub_menu_shown (img))
        continue;
      console_key (c, GDK_KEY_c);
      for (int i = 0; i < 10; i++)
        {
          g_autoptr(Image) now = NULL;

          test_pump (300);
          now = virsh_screenshot (vireo_domain_get_name (c->domain));
          if (!grub_menu_shown (now))
            return;
        }
    }
  g_error ("could not bring GRUB to its command line with keys typed into the widget");
}

static double
guest_changed (const char *name, const Image *before)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  double diff = 0;

  while (g_get_monotonic_time () < end && diff <= MIN_CHANGE)
    {
      g_autoptr(Image) now = NULL;

      test_pump (300);
      now = virsh_screenshot (name);
      diff = mean_diff (before, now);
    }
  return diff;
}

/* ---- the serial console -------------------------------------------------- */

/* Reads from @fd until @needle has been seen @times times, or @seconds. */
static gboolean
read_until (int fd, GString *seen, const char *needle, guint times, guint seconds)
{
  gint64 end = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < end)
    {
      struct pollfd p = { fd, POLLIN, 0 };
      char buf[1024];
      guint count = 0;

      for (const char *s = seen->str; (s = strstr (s, needle)) != NULL; s += strlen (needle))
        count++;
      if (count >= times)
        return TRUE;
      if (poll (&p, 1, 200) > 0)
        {
          ssize_t n = read (fd, buf, sizeof buf);
          if (n <= 0)
            return FALSE;
          g_string_append_len (seen, buf, n);
        }
    }
  return FALSE;
}

static void
check_serial (Console *c)
{
  g_autoptr(GAsyncResult) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  const char *cmd = "echo vireo-serial-ok\r";
  int fd;

  vireo_domain_open_console_async (c->domain, NULL, got, &r);
  fd = vireo_domain_open_console_finish (c->domain, wait_result (&r), &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);

  /* GRUB talks on the serial port once told so (typed into the display);
   * its prompt there says it listens too. A guest slowed down by a busy
   * machine may drop keys (QEMU's PS/2 queue is short): each line starts
   * with Ctrl+U (GRUB: erase the line), and the three are typed again if
   * no prompt comes. */
  for (int attempt = 0;; attempt++)
    {
      static const char *lines[] = { "serial", "terminal_input --append serial",
                                     "terminal_output --append serial" };

      for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
        {
          const guint erase[] = { GDK_KEY_Control_L, GDK_KEY_u };

          if (c->spice)
            vireo_spice_display_send_keys (VIREO_SPICE_DISPLAY (c->display), erase, 2);
          else
            vireo_vnc_display_send_keys (VIREO_VNC_DISPLAY (c->display), erase, 2);
          test_pump (100);
          console_type (c, lines[i]);
          console_key (c, GDK_KEY_Return);
          test_pump (1000);
        }
      if (read_until (fd, seen, "grub>", 1, 15))
        break;
      if (attempt == 2)
        g_error ("GRUB did not come to the serial console; it said: %s", g_strescape (seen->str, NULL));
      note ("no GRUB prompt on the serial console yet: typing the commands again");
    }
  test_pump (500);

  /* Typed on the serial line. GRUB echoes each typed character with
   * cursor moves between them, so the text comes back in one piece only as
   * the command's output, at the start of a line. */
  g_assert_cmpint (write (fd, cmd, strlen (cmd)), ==, (gssize) strlen (cmd));
  if (!read_until (fd, seen, "\rvireo-serial-ok", 1, 30))
    g_error ("the serial console did not answer; it said: %s", g_strescape (seen->str, NULL));
  note ("serial console: %zu bytes from GRUB", seen->len);
  close (fd);
}

/* ---- tests ---------------------------------------------------------------- */

static void
test_display (gconstpointer data)
{
  gboolean spice = GPOINTER_TO_INT (data);
  const char *name = spice ? "vireo-e2e-con-spice" : "vireo-e2e-con-vnc";
  double max_diff = spice ? SPICE_MAX_DIFF : VNC_MAX_DIFF;
  g_autoptr(VireoDomain) d = start_guest (name, spice ? "<graphics type='spice' autoport='yes' listen='127.0.0.1'/>"
                                                       "<video><model type='qxl'/></video>"
                                                     : "<graphics type='vnc' autoport='yes' listen='127.0.0.1'/>");
  Console c = { 0 };
  g_autoptr(Image) before = NULL;
  double diff;

  wait_for_grub (name);
  console_open (&c, d, spice);
  note ("%s: %d socket(s) opened through the connection", name, c.fds_opened);
  if (spice)
    g_assert_cmpint (c.fds_opened, >=, 2);  /* main + display at least */

  diff = console_matches (&c, max_diff);
  note ("%s: widget vs virsh screenshot: mean difference %.3f", name, diff);
  g_assert_cmpfloat (diff, <, max_diff);

  /* Keys typed through the widget reach the guest. */
  grub_command_line (&c);
  before = virsh_screenshot (name);
  console_type (&c, "ls\n");
  diff = guest_changed (name, before);
  note ("%s: guest screen change after typing \"ls\": %.3f", name, diff);
  g_assert_cmpfloat (diff, >, MIN_CHANGE);
  diff = console_matches (&c, max_diff);
  note ("%s: widget follows: %.3f", name, diff);
  g_assert_cmpfloat (diff, <, max_diff);

  if (!spice)
    check_serial (&c);

  console_close (&c);
  remove_guest (d);
}

/* Over TCP (or TLS) the client connects to the display's listen address:
 * one on the remote host's 127.0.0.1 cannot be reached, and the message
 * says so and what to do; one on 0.0.0.0 is reached at the host's address. */
static void
test_tcp_listen (void)
{
  const char *ssh_uri = env.uri;
  VireoConnection *ssh_conn = env.conn;
  g_autoptr(VireoConnection) conn = NULL;
  g_autoptr(GAsyncResult) r = NULL;
  g_autoptr(GError) error = NULL;
  VireoGraphicsType type = VIREO_GRAPHICS_NONE;
  char greeting[13] = { 0 };
  int fd;

  conn = vireo_connection_new (g_getenv ("VIREO_TEST_TCP_URI"), &error);
  g_assert_no_error (error);
  vireo_connection_open_async (conn, NULL, got, &r);
  g_assert_true (vireo_connection_open_finish (conn, wait_result (&r), &error));
  g_assert_no_error (error);
  env.uri = g_getenv ("VIREO_TEST_TCP_URI");
  env.conn = conn;

  {
    g_autoptr(VireoDomain) d = start_guest ("vireo-e2e-con-tcp",
                                            "<graphics type='vnc' autoport='yes' listen='127.0.0.1'/>");

    fd = open_graphics (d, &type, &error);
    g_assert_cmpint (fd, <, 0);
    g_assert_nonnull (error);
    note ("display on 127.0.0.1 over TCP: %s", error->message);
    g_assert_nonnull (strstr (error->message, "127.0.0.1"));
    g_assert_nonnull (strstr (error->message, "TCP"));
    g_assert_nonnull (strstr (error->message, "0.0.0.0"));
    g_assert_nonnull (strstr (error->message, "SSH"));
    g_clear_error (&error);
    remove_guest (d);
  }
  {
    g_autoptr(VireoDomain) d = start_guest ("vireo-e2e-con-tcp",
                                            "<graphics type='vnc' autoport='yes' listen='0.0.0.0'/>");

    fd = open_graphics (d, &type, &error);
    g_assert_no_error (error);
    g_assert_cmpint (fd, >=, 0);
    g_assert_cmpint (read (fd, greeting, 12), ==, 12);
    note ("display on 0.0.0.0 over TCP: the server says %.11s", greeting);
    g_assert_true (g_str_has_prefix (greeting, "RFB 003."));
    close (fd);
    remove_guest (d);
  }
  vireo_connection_close (conn);
  env.uri = ssh_uri;
  env.conn = ssh_conn;
}

int
main (int argc, char **argv)
{
  g_autoptr(GAsyncResult) r = NULL;
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  vireo_core_init ();
  env.t0 = g_get_monotonic_time ();
  env.uri = g_getenv ("VIREO_TEST_URI");
  if (env.uri == NULL)
    g_error ("VIREO_TEST_URI is not set: run through tests/e2e/libvirtd-qemu.sh or libvirtd-ssh-netns.sh");
  if (!g_file_test (GRUB_ISO, G_FILE_TEST_EXISTS))
    g_error ("%s is missing: install grub-rescue-pc (tools/deps/test.txt)", GRUB_ISO);
  if (g_find_program_in_path ("virsh") == NULL)
    g_error ("virsh is missing: install libvirt-clients (tools/deps/test.txt)");
  env.tmpdir = g_dir_make_tmp ("vireo-console-e2e-XXXXXX", &error);
  g_assert_no_error (error);
  if (!test_start_xvfb (1024, 768, &env.xvfb, &error))
    g_error ("%s", error->message);
  if (!gtk_init_check ())
    g_error ("gtk_init_check failed on DISPLAY=%s", g_getenv ("DISPLAY"));

  env.conn = vireo_connection_new (env.uri, &error);
  g_assert_no_error (error);
  vireo_connection_open_async (env.conn, NULL, got, &r);
  if (!vireo_connection_open_finish (env.conn, wait_result (&r), &error))
    g_error ("cannot connect to %s: %s", env.uri, error->message);
  note ("connected to %s", env.uri);

  g_test_add_data_func ("/e2e/console/vnc", GINT_TO_POINTER (FALSE), test_display);
  g_test_add_data_func ("/e2e/console/spice", GINT_TO_POINTER (TRUE), test_display);
  /* libvirtd-ssh-netns.sh serves its remote libvirtd over TCP too. */
  if (g_getenv ("VIREO_TEST_TCP_URI") != NULL)
    g_test_add_func ("/e2e/console/tcp-listen", test_tcp_listen);
  ret = g_test_run ();

  vireo_connection_close (env.conn);
  g_clear_object (&env.conn);
  if (env.xvfb != NULL)
    {
      g_subprocess_send_signal (env.xvfb, SIGTERM);
      g_subprocess_wait (env.xvfb, NULL, NULL);
    }
  g_rmdir (env.tmpdir);
  return ret;
}
