/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Golden tests of the builtin backend's QEMU command lines, hostile names
 * and paths included, and of the refusals. Set VIREO_UPDATE_GOLDEN=1 to
 * rewrite the .args files after a deliberate change (and read the diff). */
#include <glib.h>
#include <string.h>

#include "vireo-types.h"
#include "builtin/vireo-qemu-argv.h"

static const VireoQemuArgvOptions options = {
  .qemu_binary = "/usr/bin/qemu-system-x86_64",
  .runtime_dir = "/run/user/1000/vireo/vm,dir",
  .kvm = TRUE,
  .bridge_helper = NULL,
};

static char *
golden_dir (void)
{
  const char *root = g_getenv ("VIREO_SOURCE_ROOT");

  if (root == NULL)
    g_error ("VIREO_SOURCE_ROOT is not set: run this test through meson test");
  return g_build_filename (root, "tests", "builtin", "golden", NULL);
}

static const char *
golden_dir_path (void)
{
  static char *dir;
  if (dir == NULL)
    dir = golden_dir ();
  return dir;
}

static void
test_golden (gconstpointer data)
{
  const char *name = data;
  g_autofree char *dir = golden_dir ();
  g_autofree char *xml_path = g_strdup_printf ("%s/%s.xml", dir, name);
  g_autofree char *args_path = g_strdup_printf ("%s/%s.args", dir, name);
  g_autofree char *xml = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *actual = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;

  g_assert_true (g_file_get_contents (xml_path, &xml, NULL, &error));
  argv = vireo_qemu_build_argv (xml, &options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (argv);
  {
    g_autofree char *joined = g_strjoinv ("\n", argv);
    actual = g_strconcat (joined, "\n", NULL);
  }

  if (g_getenv ("VIREO_UPDATE_GOLDEN") != NULL)
    g_assert_true (g_file_set_contents (args_path, actual, -1, NULL));
  g_assert_true (g_file_get_contents (args_path, &expected, NULL, &error));
  g_assert_cmpstr (actual, ==, expected);
}

/* Whatever the name or path, each user string stays inside one value:
 * no argv element is an option QEMU would read as a new one, and every
 * comma inside a key=value list is doubled. */
static void
test_hostile_contained (void)
{
  g_autofree char *path = g_build_filename (golden_dir_path (), "hostile.xml", NULL);
  g_autofree char *xml = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  guint n_options = 0;

  g_assert_true (g_file_get_contents (path, &xml, NULL, &error));
  argv = vireo_qemu_build_argv (xml, &options, &error);
  g_assert_no_error (error);

  for (guint i = 1; argv[i]; i++)
    {
      if (argv[i][0] == '-' && (i == 1 || argv[i - 1][0] != '-' ||
                                g_str_equal (argv[i - 1], "-nodefaults") ||
                                g_str_equal (argv[i - 1], "-no-user-config") ||
                                g_str_equal (argv[i - 1], "-usb") ||
                                g_str_equal (argv[i - 1], "-no-shutdown")))
        n_options++;
      /* The name's "id=x" and "file=/etc/passwd" must not become keys. */
      if (g_str_has_prefix (argv[i], "guest="))
        g_assert_nonnull (strstr (argv[i], "-evil,,id=x,,file=/etc/passwd"));
      if (strstr (argv[i], "shadow") != NULL)
        g_assert_nonnull (strstr (argv[i], "file=/tmp/x,,format=qcow2,,file=/etc/shadow.iso"));
      if (g_str_has_prefix (argv[i], "bridge,"))
        g_assert_nonnull (strstr (argv[i], "br=br0,,helper=/bin/sh,helper="));
    }
  /* The kernel path starting with '-' is the value of -kernel, not an option. */
  for (guint i = 1; argv[i]; i++)
    if (g_str_equal (argv[i], "-kernel"))
      g_assert_cmpstr (argv[i + 1], ==, "/boot/-vmlinuz,if=none");
  g_assert_cmpuint (n_options, >, 10);
}

static void
expect_refusal (const char *xml,
                const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = vireo_qemu_build_argv (xml, &options, &error);

  g_assert_null (argv);
  g_assert_nonnull (error);
  if (strstr (error->message, fragment) == NULL)
    g_error ("expected “%s” in: %s", fragment, error->message);
}

static void
test_refusals (void)
{
  expect_refusal ("not xml at all", "not valid domain XML");
  expect_refusal ("<network/>", "not valid domain XML");
  expect_refusal ("<domain><memory>1024</memory></domain>", "no name");
  expect_refusal ("<domain><name>a</name><memory>12</memory></domain>", "at least 1 MiB");
  expect_refusal ("<domain><name>a</name><memory unit='parsec'>12</memory></domain>", "at least 1 MiB");
  expect_refusal ("<domain><name>a</name><memory>65536</memory><vcpu>0</vcpu></domain>", "virtual CPUs");
  expect_refusal ("<domain><name>a</name><memory>65536</memory><os><type arch='x86 64;rm'>hvm</type></os></domain>",
                  "not a CPU architecture");
  expect_refusal ("<domain><name>a</name><memory>65536</memory><devices><disk device='cdrom'><target bus='virtio'/></disk></devices></domain>",
                  "virtio bus");
  expect_refusal ("<domain><name>a</name><memory>65536</memory><devices><disk device='disk'><source file='/x'/><target bus='usb'/></disk></devices></domain>",
                  "Disk bus");
  expect_refusal ("<domain><name>a</name><memory>65536</memory><devices><disk device='disk'><target bus='virtio'/></disk></devices></domain>",
                  "no source");
  expect_refusal ("<domain><name>a</name><memory>65536</memory><devices><disk device='disk'><source file='/x'/><target dev='hde' bus='ide'/></disk></devices></domain>",
                  "four devices");
  expect_refusal ("<domain><name>a</name><memory>65536</memory><devices><interface type='user'><mac address='52:54:00:zz:00:01'/></interface></devices></domain>",
                  "MAC address");
  expect_refusal ("<domain><name>a</name><memory>65536</memory><devices><interface type='network'/></devices></domain>",
                  "needs libvirt");
  expect_refusal ("<domain><name>a</name><memory>65536</memory><devices><interface type='user'><portForward><range start='70000'/></portForward></interface></devices></domain>",
                  "port numbers");
  expect_refusal ("<domain><name>a</name><memory>65536</memory><devices><graphics type='sdl'/></devices></domain>",
                  "Graphics type");
  expect_refusal ("<domain><name>a</name><memory>65536</memory><devices><graphics type='vnc'/><redirdev bus='usb' type='spicevmc'/></devices></domain>",
                  "needs SPICE graphics");
  expect_refusal ("<domain><name>a</name><memory>65536</memory><devices><graphics type='spice'/><redirdev bus='usb' type='tcp'/></devices></domain>",
                  "USB redirection of type “tcp”");
  expect_refusal ("<domain><name>a</name><memory>65536</memory><os><initrd>/i</initrd></os></domain>",
                  "needs a kernel");
  expect_refusal ("<domain><name>a</name><uuid>nope</uuid><memory>65536</memory></domain>", "not a UUID");
}

static void
test_escape (void)
{
  g_autofree char *a = vireo_qemu_escape ("a,b,,c");
  g_autofree char *b = vireo_qemu_escape ("");
  g_autofree char *c = vireo_qemu_escape (NULL);

  g_assert_cmpstr (a, ==, "a,,b,,,,c");
  g_assert_cmpstr (b, ==, "");
  g_assert_cmpstr (c, ==, "");
}

static void
test_sizes (void)
{
  guint64 kib = 0;

  g_assert_true (vireo_qemu_parse_size_kib ("2", "GiB", &kib));
  g_assert_cmpuint (kib, ==, 2 * 1024 * 1024);
  g_assert_true (vireo_qemu_parse_size_kib (" 1000 ", "MB", &kib));
  g_assert_cmpuint (kib, ==, 976562);
  g_assert_true (vireo_qemu_parse_size_kib ("4096", NULL, &kib));
  g_assert_cmpuint (kib, ==, 4096);
  g_assert_false (vireo_qemu_parse_size_kib ("-1", "KiB", &kib));
  g_assert_false (vireo_qemu_parse_size_kib ("12x", "KiB", &kib));
  g_assert_false (vireo_qemu_parse_size_kib ("99999999999999999999", "TiB", &kib));
}

static void
test_summary_and_uuid (void)
{
  g_autofree char *path = g_build_filename (golden_dir_path (), "full.xml", NULL);
  g_autofree char *xml = NULL;
  g_autofree char *changed = NULL;
  g_auto(VireoQemuSummary) s = { 0 };
  g_auto(VireoQemuSummary) s2 = { 0 };

  g_assert_true (g_file_get_contents (path, &xml, NULL, NULL));
  g_assert_true (vireo_qemu_read_summary (xml, &s, NULL));
  g_assert_cmpstr (s.name, ==, "web-1");
  g_assert_cmpuint (s.memory_kib, ==, 2 * 1024 * 1024);
  g_assert_cmpuint (s.vcpus, ==, 2);
  g_assert_true (s.want_kvm);
  g_assert_cmpuint (s.disk_paths->len, ==, 1);  /* the CD-ROM is not a disk */
  g_assert_cmpstr (g_ptr_array_index (s.disk_paths, 0), ==, "/var/lib/vireo/web-1.qcow2");

  changed = vireo_qemu_set_uuid ("<domain><name>n</name><memory>65536</memory></domain>",
                                 "11111111-2222-4333-8444-555555555555", NULL);
  g_assert_true (vireo_qemu_read_summary (changed, &s2, NULL));
  g_assert_cmpstr (s2.uuid, ==, "11111111-2222-4333-8444-555555555555");
}

/* A restore starts QEMU paused, waiting for its state over the monitor:
 * never from a path on the command line. */
static void
test_incoming (void)
{
  VireoQemuArgvOptions restoring = options;
  g_auto(GStrv) plain = NULL;
  g_auto(GStrv) argv = NULL;
  const char *xml = "<domain type='qemu'><name>n</name><memory>65536</memory></domain>";
  guint n;

  restoring.incoming = TRUE;
  plain = vireo_qemu_build_argv (xml, &options, NULL);
  argv = vireo_qemu_build_argv (xml, &restoring, NULL);
  g_assert_nonnull (plain);
  g_assert_nonnull (argv);
  g_assert_false (g_strv_contains ((const char * const *) plain, "-incoming"));
  n = g_strv_length (argv);
  g_assert_cmpuint (n, ==, g_strv_length (plain) + 3);
  g_assert_cmpstr (argv[n - 3], ==, "-S");
  g_assert_cmpstr (argv[n - 2], ==, "-incoming");
  g_assert_cmpstr (argv[n - 1], ==, "defer");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/qemu-argv/golden/full", "full", test_golden);
  g_test_add_data_func ("/qemu-argv/golden/hostile", "hostile", test_golden);
  g_test_add_data_func ("/qemu-argv/golden/minimal", "minimal", test_golden);
  g_test_add_func ("/qemu-argv/hostile-contained", test_hostile_contained);
  g_test_add_func ("/qemu-argv/refusals", test_refusals);
  g_test_add_func ("/qemu-argv/escape", test_escape);
  g_test_add_func ("/qemu-argv/sizes", test_sizes);
  g_test_add_func ("/qemu-argv/summary-and-uuid", test_summary_and_uuid);
  g_test_add_func ("/qemu-argv/incoming", test_incoming);
  return g_test_run ();
}
