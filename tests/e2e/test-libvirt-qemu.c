/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The libvirt backend against a real libvirtd and a real QEMU guest (TCG):
 * real statistics (CPU time, memory, disk), the display socket handed over
 * by libvirt (virDomainOpenGraphicsFD) speaking RFB, and the serial console
 * stream bridged to a socket. Run by libvirtd-qemu.sh, which sets
 * VIREO_TEST_URI. */
#include <cairo.h>
#include <gio/gio.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "vireo-connection.h"

#define GRUB_ISO "/usr/lib/grub-rescue/grub-rescue-cdrom.iso"

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

static gboolean
wait_for (gboolean (*check) (gpointer), gpointer data, guint seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!check (data) && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  return check (data);
}

static gboolean
has_real_stats (gpointer d)
{
  return vireo_ring_get_length (vireo_domain_get_history (d, VIREO_SERIES_CPU)) >= 3 &&
         vireo_ring_get_max (vireo_domain_get_history (d, VIREO_SERIES_CPU)) > 0.5 &&
         vireo_ring_get_latest (vireo_domain_get_history (d, VIREO_SERIES_MEMORY)) > 0;
}

static gboolean
host_cpu_known (gpointer c)
{
  return vireo_ring_get_length (vireo_connection_get_host_cpu_history (c)) >= 2 &&
         vireo_ring_get_length (vireo_connection_get_host_memory_history (c)) >= 2;
}

/* libvirt's screenshot as RGB rows: QEMU 7.2 gives a PNG, older ones PPM. */
static guint8 *
load_theirs (const char *path, int *w, int *h)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  guint8 *rgb;
  int max = 0, n = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  if (len > 8 && memcmp (data, "\x89PNG", 4) == 0)
    {
      cairo_surface_t *s = cairo_image_surface_create_from_png (path);

      g_assert_cmpint (cairo_surface_status (s), ==, CAIRO_STATUS_SUCCESS);
      *w = cairo_image_surface_get_width (s);
      *h = cairo_image_surface_get_height (s);
      rgb = g_malloc ((gsize) 3 * *w * *h);
      cairo_surface_flush (s);
      for (int y = 0; y < *h; y++)
        {
          const guint32 *row = (const guint32 *) (cairo_image_surface_get_data (s) +
                                                  y * cairo_image_surface_get_stride (s));
          for (int x = 0; x < *w; x++)
            {
              guint8 *q = rgb + 3 * ((gsize) y * *w + x);
              q[0] = (row[x] >> 16) & 0xff;
              q[1] = (row[x] >> 8) & 0xff;
              q[2] = row[x] & 0xff;
            }
        }
      cairo_surface_destroy (s);
      return rgb;
    }
  g_assert_cmpint (sscanf (data, "P6 %d %d %d%n", w, h, &max, &n), ==, 3);
  g_assert_cmpuint (len, >=, (gsize) n + 1 + (gsize) 3 * *w * *h);
  return g_memdup2 (data + n + 1, (gsize) 3 * *w * *h);
}

/* Mean absolute difference per channel between our PNG and libvirt's
 * screenshot (0 is identical, 255 the opposite); -1 when the sizes differ. */
static double
compare_screens (const char *png, const char *theirs_path)
{
  cairo_surface_t *a = cairo_image_surface_create_from_png (png);
  g_autofree guint8 *pixels = NULL;
  int w = 0, h = 0;
  double sum = 0;

  g_assert_cmpint (cairo_surface_status (a), ==, CAIRO_STATUS_SUCCESS);
  pixels = load_theirs (theirs_path, &w, &h);
  if (w != cairo_image_surface_get_width (a) || h != cairo_image_surface_get_height (a))
    {
      g_test_message ("sizes differ: ours %dx%d, libvirt's %dx%d", cairo_image_surface_get_width (a),
                      cairo_image_surface_get_height (a), w, h);
      cairo_surface_destroy (a);
      return -1;
    }
  cairo_surface_flush (a);
  for (int y = 0; y < h; y++)
    {
      const guint32 *row = (const guint32 *) (cairo_image_surface_get_data (a) +
                                              y * cairo_image_surface_get_stride (a));
      for (int x = 0; x < w; x++)
        {
          guint32 p = row[x];
          const guint8 *q = pixels + 3 * ((gsize) y * w + x);
          sum += ABS ((int) ((p >> 16) & 0xff) - q[0]) + ABS ((int) ((p >> 8) & 0xff) - q[1]) +
                 ABS ((int) (p & 0xff) - q[2]);
        }
    }
  cairo_surface_destroy (a);
  return sum / (3.0 * w * h);
}

static gboolean is_running (gpointer d) { return vireo_domain_get_state (d) == VIREO_DOMAIN_STATE_RUNNING; }
static gboolean is_shutoff (gpointer d) { return vireo_domain_get_state (d) == VIREO_DOMAIN_STATE_SHUTOFF; }

static void
act (VireoDomain *d, VireoDomainAction action, VireoActionFlags flags)
{
  g_autoptr(GAsyncResult) r = NULL;
  g_autoptr(GError) error = NULL;

  vireo_domain_run_action_async (d, action, flags, NULL, got, &r);
  vireo_domain_run_action_finish (d, wait_result (&r), &error);
  g_assert_no_error (error);
}

static void
test_real_guest (void)
{
  const char *uri = g_getenv ("VIREO_TEST_URI");
  g_autoptr(VireoConnection) conn = NULL;
  g_autoptr(VireoDomain) d = NULL;
  g_autoptr(GAsyncResult) r = NULL;
  g_autoptr(GError) error = NULL;
  VireoGraphicsType type = VIREO_GRAPHICS_NONE;
  char greeting[13] = { 0 };
  int fd;
  const char *xml =
    "<domain type='qemu'><name>vireo-e2e-grub</name><memory unit='MiB'>96</memory>"
    "<vcpu>1</vcpu><os><type arch='x86_64'>hvm</type><boot dev='cdrom'/></os>"
    "<devices><disk type='file' device='cdrom'><source file='" GRUB_ISO "'/>"
    "<target dev='hdc' bus='ide'/><readonly/></disk>"
    "<graphics type='vnc' autoport='yes' listen='127.0.0.1'/>"
    "<serial type='pty'/><console type='pty'/></devices></domain>";

  if (uri == NULL)
    g_error ("VIREO_TEST_URI is not set: run through tests/e2e/libvirtd-qemu.sh");
  if (!g_file_test (GRUB_ISO, G_FILE_TEST_EXISTS))
    g_error ("%s is missing: install grub-rescue-pc (tools/deps/test.txt)", GRUB_ISO);

  conn = vireo_connection_new (uri, &error);
  g_assert_no_error (error);
  vireo_connection_set_stats_interval (conn, 500);
  vireo_connection_open_async (conn, NULL, got, &r);
  g_assert_true (vireo_connection_open_finish (conn, wait_result (&r), &error));
  g_assert_no_error (error);
  g_clear_object (&r);

  /* A run that failed half-way may have left its VM defined. */
  {
    GListModel *domains = vireo_connection_get_domains (conn);
    for (guint i = g_list_model_get_n_items (domains); i > 0; i--)
      {
        g_autoptr(VireoDomain) old = g_list_model_get_item (domains, i - 1);
        if (!g_str_has_prefix (vireo_domain_get_name (old), "vireo-e2e-"))
          continue;
        if (vireo_domain_state_is_active (vireo_domain_get_state (old)))
          act (old, VIREO_DOMAIN_ACTION_FORCE_OFF, 0);
        act (old, VIREO_DOMAIN_ACTION_DELETE, 0);
      }
  }

  vireo_connection_define_domain_async (conn, xml, NULL, got, &r);
  d = vireo_connection_define_domain_finish (conn, wait_result (&r), &error);
  g_assert_no_error (error);
  g_clear_object (&r);
  g_assert_cmpstr (vireo_domain_get_os_type (d), ==, "hvm");

  act (d, VIREO_DOMAIN_ACTION_START, 0);
  g_assert_true (wait_for (is_running, d, 30));

  /* Real counters from one bulk call per tick. */
  g_assert_true (wait_for (has_real_stats, d, 60));
  g_assert_true (wait_for (host_cpu_known, conn, 10));
  g_test_message ("cpu %.1f%%, memory %.1f%%, host cpu %.1f%%",
                  vireo_ring_get_max (vireo_domain_get_history (d, VIREO_SERIES_CPU)),
                  vireo_ring_get_latest (vireo_domain_get_history (d, VIREO_SERIES_MEMORY)),
                  vireo_ring_get_latest (vireo_connection_get_host_cpu_history (conn)));

  /* The display: libvirt hands over a connected socket. */
  vireo_domain_open_graphics_async (d, NULL, got, &r);
  fd = vireo_domain_open_graphics_finish (d, wait_result (&r), &type, &error);
  g_assert_no_error (error);
  g_clear_object (&r);
  g_assert_cmpint (type, ==, VIREO_GRAPHICS_VNC);
  g_assert_cmpint (read (fd, greeting, 12), ==, 12);
  g_assert_true (g_str_has_prefix (greeting, "RFB 003."));
  close (fd);

  /* vireoctl screenshot saves what a display client receives; it matches
   * libvirt's own screenshot of the same moment. */
  {
    g_autofree char *dir = g_dir_make_tmp ("vireo-shot-XXXXXX", NULL);
    g_autofree char *png = g_build_filename (dir, "ours.png", NULL);
    g_autofree char *ppm = g_build_filename (dir, "libvirt.img", NULL);
    g_autofree char *vireoctl = g_build_filename (g_getenv ("VIREO_BUILD_ROOT"), "src", "cli", "vireoctl", NULL);
    const char *ours[] = { vireoctl, "--connect", uri, "screenshot", "vireo-e2e-grub", png, NULL };
    const char *theirs[] = { "virsh", "-c", uri, "screenshot", "vireo-e2e-grub", ppm, NULL };
    int status = -1;
    double diff;

    /* GRUB's menu is up once the guest has run a few seconds. */
    g_usleep (3 * G_USEC_PER_SEC);
    g_autofree char *said = NULL;

    /* Its report goes to the test's log, not to the TAP stream. */
    g_assert_true (g_spawn_sync (NULL, (char **) ours, NULL, 0, NULL, NULL, &said, NULL, &status, &error));
    g_assert_no_error (error);
    g_test_message ("vireoctl screenshot: %s", g_strchomp (said));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_true (g_spawn_sync (NULL, (char **) theirs, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                                 NULL, NULL, NULL, NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    diff = compare_screens (png, ppm);
    g_test_message ("mean difference from virsh screenshot: %.2f / 255", diff);
    g_assert_cmpfloat (diff, >=, 0);
    g_assert_cmpfloat (diff, <, 8.0);
    g_unlink (png);
    g_unlink (ppm);
    g_rmdir (dir);
  }

  /* The serial console: a stream, bridged to a socket. */
  vireo_domain_open_console_async (d, NULL, got, &r);
  fd = vireo_domain_open_console_finish (d, wait_result (&r), &error);
  g_assert_no_error (error);
  g_clear_object (&r);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, "\r", 1), ==, 1);
  close (fd);

  act (d, VIREO_DOMAIN_ACTION_PAUSE, 0);
  act (d, VIREO_DOMAIN_ACTION_RESUME, 0);
  act (d, VIREO_DOMAIN_ACTION_FORCE_OFF, 0);
  g_assert_true (wait_for (is_shutoff, d, 30));
  act (d, VIREO_DOMAIN_ACTION_DELETE, 0);
  vireo_connection_close (conn);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  vireo_core_init ();
  g_test_add_func ("/e2e/libvirt-qemu/real-guest", test_real_guest);
  return g_test_run ();
}
