/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tree detection on our fixture trees (trees/), read as local paths and as
 * file:// URLs, and libosinfo's identification with its fallbacks. */
#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>

#include "vireo-types.h"
#include "vireo-fetcher.h"
#include "vireo-tree-info.h"
#include "vireo-os-guess.h"

typedef struct {
  const char     *tree;          /* directory under trees/ */
  const char     *arch;
  VireoTreeLayout layout;
  const char     *family;
  const char     *version;
  const char     *codename;
  const char     *kernel;
  const char     *initrd;
  const char     *xen_kernel;    /* NULL: no PV */
  const char     *os_short_id;
  gboolean        os_fallback;
} TreeCase;

#define DEB_A "dists/bookworm/main/installer-amd64/current/images/"
#define DEB_I "dists/bookworm/main/installer-i386/current/images/"
#define UBU "main/installer-amd64/current/legacy-images/"

static const TreeCase tree_cases[] = {
  { "fedora-36", "x86_64", VIREO_TREE_LAYOUT_TREEINFO, "fedora", "36", NULL,
    "images/pxeboot/vmlinuz", "images/pxeboot/initrd.img", "images/pxeboot/vmlinuz", "fedora36", FALSE },
  { "centos-stream-9", "x86_64", VIREO_TREE_LAYOUT_TREEINFO, "centos", "9", NULL,
    "images/pxeboot/vmlinuz", "images/pxeboot/initrd.img", NULL, "centos-stream9", FALSE },
  { "debian-bookworm", "x86_64", VIREO_TREE_LAYOUT_DEBIAN, "debian", "12.4", "bookworm",
    DEB_A "netboot/debian-installer/amd64/linux", DEB_A "netboot/debian-installer/amd64/initrd.gz",
    DEB_A "netboot/xen/vmlinuz", "debian11", TRUE },
  { "debian-bookworm", "i686", VIREO_TREE_LAYOUT_DEBIAN, "debian", "12.4", "bookworm",
    DEB_I "netboot/debian-installer/i386/linux", DEB_I "netboot/debian-installer/i386/initrd.gz",
    DEB_I "netboot/xen/vmlinuz", "debian11", TRUE },
  { "ubuntu-focal/dists/focal", "x86_64", VIREO_TREE_LAYOUT_UBUNTU, "ubuntu", "20.04", "focal",
    UBU "netboot/ubuntu-installer/amd64/linux", UBU "netboot/ubuntu-installer/amd64/initrd.gz",
    NULL, "ubuntu20.04", FALSE },
  { "opensuse-leap-15.4", "x86_64", VIREO_TREE_LAYOUT_SUSE, "opensuse", "15.4", NULL,
    "boot/x86_64/loader/linux", "boot/x86_64/loader/initrd", NULL, "opensuse15.4", FALSE },
  /* Older SUSE trees ship a separate Xen kernel beside the loader. */
  { "sles-11-sp4", "x86_64", VIREO_TREE_LAYOUT_SUSE, "sles", "11.4", NULL,
    "boot/x86_64/loader/linux", "boot/x86_64/loader/initrd", "boot/x86_64/vmlinuz-xen", "sles11sp4", FALSE },
};

static char *
tree_path (const char *name)
{
  const char *root = g_getenv ("VIREO_SOURCE_ROOT");

  if (root == NULL)
    g_error ("VIREO_SOURCE_ROOT is not set: run this test through meson");
  return g_build_filename (root, "tests", "install", "trees", name, NULL);
}

static void
check_tree (const TreeCase *c,
            VireoTreeInfo  *info)
{
  g_assert_cmpint (vireo_tree_info_get_layout (info), ==, c->layout);
  g_assert_cmpstr (vireo_tree_info_get_family (info), ==, c->family);
  g_assert_cmpstr (vireo_tree_info_get_version (info), ==, c->version);
  g_assert_cmpstr (vireo_tree_info_get_codename (info), ==, c->codename);
  g_assert_cmpstr (vireo_tree_info_get_arch (info), ==, c->arch);
  g_assert_cmpstr (vireo_tree_info_get_kernel (info), ==, c->kernel);
  g_assert_cmpstr (vireo_tree_info_get_initrd (info), ==, c->initrd);
  g_assert_cmpstr (vireo_tree_info_get_xen_kernel (info), ==, c->xen_kernel);
  g_assert_cmpint (vireo_tree_info_has_xen (info), ==, c->xen_kernel != NULL);
}

/* Each tree from its top, as a path and as a file:// URL. */
static void
test_detect_local (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (tree_cases); i++)
    {
      const TreeCase *c = &tree_cases[i];
      g_autofree char *path = tree_path (c->tree);
      g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
      const char *locations[] = { path, uri };

      for (gsize l = 0; l < G_N_ELEMENTS (locations); l++)
        {
          g_autoptr(VireoFetcher) fetcher = NULL;
          g_autoptr(VireoTreeInfo) info = NULL;
          g_autoptr(GError) error = NULL;
          g_autoptr(GBytes) kernel = NULL;

          g_test_message ("%s (%s) at %s", c->tree, c->arch, locations[l]);
          fetcher = vireo_fetcher_new (locations[l], &error);
          g_assert_no_error (error);
          info = vireo_tree_info_detect (fetcher, c->arch, NULL, &error);
          g_assert_no_error (error);
          check_tree (c, info);

          /* The paths are good for the same fetcher. */
          kernel = vireo_fetcher_fetch_bytes (fetcher, vireo_tree_info_get_kernel (info), 0, NULL, &error);
          g_assert_no_error (error);
          g_assert_true (g_str_has_prefix (g_bytes_get_data (kernel, NULL), "FAKEKERNEL"));
        }
    }
}

/* Debian trees are also given as the installer directory or the suite. */
static void
test_detect_debian_subdirs (void)
{
  static const char *subdirs[] = {
    "dists/bookworm", "dists/bookworm/main/installer-amd64",
    "dists/bookworm/main/installer-amd64/current/images",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *top = tree_path ("debian-bookworm");
      g_autofree char *path = g_build_filename (top, subdirs[i], NULL);
      g_autoptr(VireoFetcher) fetcher = vireo_fetcher_new (path, NULL);
      g_autoptr(VireoTreeInfo) info = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;

      g_test_message ("%s", subdirs[i]);
      info = vireo_tree_info_detect (fetcher, "x86_64", NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (vireo_tree_info_get_layout (info), ==, VIREO_TREE_LAYOUT_DEBIAN);
      g_assert_cmpstr (vireo_tree_info_get_codename (info), ==, "bookworm");
      g_assert_cmpstr (vireo_tree_info_get_version (info), ==, "12.4");
      bytes = vireo_fetcher_fetch_bytes (fetcher, vireo_tree_info_get_initrd (info), 0, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                       "FAKEINITRD-debian-amd64", 23);
    }
}

static void
expect_detect_error (const char *tree,
                     const char *arch,
                     int         code,
                     const char *message_part)
{
  g_autofree char *path = tree_path (tree);
  g_autoptr(VireoFetcher) fetcher = vireo_fetcher_new (path, NULL);
  g_autoptr(VireoTreeInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = vireo_tree_info_detect (fetcher, arch, NULL, &error);
  g_assert_null (info);
  g_assert_error (error, VIREO_ERROR, code);
  if (strstr (error->message, message_part) == NULL)
    g_error ("%s/%s: “%s” lacks “%s”", tree, arch, error->message, message_part);
}

static void
test_detect_errors (void)
{
  expect_detect_error ("arm-only", "x86_64", VIREO_ERROR_UNSUPPORTED,
                       "has no kernel for the x86_64 architecture; it has boot files for: aarch64");
  expect_detect_error ("fedora-36", "aarch64", VIREO_ERROR_UNSUPPORTED,
                       "no kernel for the aarch64 architecture");
  expect_detect_error ("debian-bookworm", "aarch64", VIREO_ERROR_NOT_FOUND,
                       "No install tree was found");
  expect_detect_error ("ubuntu-focal/dists/focal", "i686", VIREO_ERROR_NOT_FOUND, "No install tree was found");
  expect_detect_error ("ubuntu-focal", "x86_64", VIREO_ERROR_NOT_FOUND, "…/dists/bookworm/");
  expect_detect_error ("opensuse-leap-15.4", "aarch64", VIREO_ERROR_UNSUPPORTED,
                       "no kernel for the aarch64");
  expect_detect_error ("not-a-tree", "x86_64", VIREO_ERROR_NOT_FOUND,
                       "no .treeinfo, no SUSE “content” file and no Debian or Ubuntu installer");
  expect_detect_error ("does-not-exist", "x86_64", VIREO_ERROR_NOT_FOUND, "No install tree");
}

static void
test_parsers (void)
{
  g_autoptr(VireoTreeInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  const char *kernel = NULL, *initrd = NULL;

  info = vireo_tree_info_new_from_treeinfo ("[general]\nfamily = Red Hat Enterprise Linux\n"
                                            "version = 9.1\narch = x86_64\n"
                                            "[images-x86_64]\nkernel = /images/pxeboot/vmlinuz\n"
                                            "initrd = images/pxeboot/initrd.img\n",
                                            -1, "x86_64", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vireo_tree_info_get_family (info), ==, "rhel");
  g_assert_cmpstr (vireo_tree_info_get_kernel (info), ==, "images/pxeboot/vmlinuz");
  g_assert_false (vireo_tree_info_get_boot_files (info, TRUE, &kernel, &initrd, &error));
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "no Xen paravirtualized kernel"));
  g_clear_error (&error);
  g_assert_true (vireo_tree_info_get_boot_files (info, FALSE, &kernel, &initrd, &error));
  g_assert_cmpstr (initrd, ==, "images/pxeboot/initrd.img");
  g_clear_object (&info);

  info = vireo_tree_info_new_from_treeinfo ("not [a keyfile", -1, "x86_64", &error);
  g_assert_null (info);
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_FAILED);
  g_clear_error (&error);

  info = vireo_tree_info_new_from_treeinfo ("[general]\nversion = 1\n", -1, "x86_64", &error);
  g_assert_null (info);
  g_assert_nonnull (strstr (error->message, "names no distribution"));
  g_clear_error (&error);

  info = vireo_tree_info_new_from_suse_content ("PRODUCT SUSE_SLES\nVERSION 15\nBASEARCHS x86_64\n",
                                                -1, "x86_64", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vireo_tree_info_get_family (info), ==, "sles");
  g_clear_object (&info);

  info = vireo_tree_info_new_from_suse_content ("FOO bar\n", -1, "x86_64", &error);
  g_assert_null (info);
  g_assert_nonnull (strstr (error->message, "not a SUSE install tree"));
  g_clear_error (&error);

  g_assert_cmpstr (vireo_arch_to_debian ("x86_64"), ==, "amd64");
  g_assert_cmpstr (vireo_arch_to_debian ("ppc64le"), ==, "ppc64el");
  g_assert_cmpstr (vireo_arch_to_debian ("s390x"), ==, "s390x");
}

/* ---- libosinfo ---- */

static void
test_os_guess_trees (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (tree_cases); i++)
    {
      const TreeCase *c = &tree_cases[i];
      g_autofree char *path = tree_path (c->tree);
      g_autoptr(VireoFetcher) fetcher = vireo_fetcher_new (path, NULL);
      g_autoptr(VireoTreeInfo) info = vireo_tree_info_detect (fetcher, c->arch, NULL, NULL);
      g_autoptr(VireoOsGuess) guess = NULL;

      g_assert_nonnull (info);
      guess = vireo_os_guess_for_tree (info);
      g_test_message ("%s → %s (%s)", c->tree, vireo_os_guess_get_short_id (guess),
                      vireo_os_guess_get_fallback_reason (guess) ? vireo_os_guess_get_fallback_reason (guess)
                                                                 : "exact");
      g_assert_cmpstr (vireo_os_guess_get_short_id (guess), ==, c->os_short_id);
      g_assert_cmpint (vireo_os_guess_is_fallback (guess), ==, c->os_fallback);
      g_assert_nonnull (vireo_os_guess_get_id (guess));
      g_assert_cmpuint (vireo_os_guess_get_memory_mib (guess), >=, 512);
      g_assert_cmpuint (vireo_os_guess_get_vcpus (guess), >=, 1);
      g_assert_cmpuint (vireo_os_guess_get_disk_gib (guess), >=, 5);
    }
}

/* Debian 12 is not in this osinfo-db (2022-11): the closest Debian, with the
 * reason said. */
static void
test_os_guess_bookworm_fallback (void)
{
  g_autofree char *path = tree_path ("debian-bookworm");
  g_autoptr(VireoFetcher) fetcher = vireo_fetcher_new (path, NULL);
  g_autoptr(VireoTreeInfo) info = vireo_tree_info_detect (fetcher, "x86_64", NULL, NULL);
  g_autoptr(VireoOsGuess) guess = vireo_os_guess_for_tree (info);
  const char *reason = vireo_os_guess_get_fallback_reason (guess);

  g_assert_nonnull (reason);
  g_test_message ("%s", reason);
  g_assert_nonnull (strstr (reason, "Debian 12.4 (bookworm)"));
  g_assert_nonnull (strstr (reason, "debian11"));
  g_assert_cmpstr (vireo_os_guess_get_distro (guess), ==, "debian");
  g_assert_cmpuint (vireo_os_guess_get_memory_mib (guess), ==, 1024);
  g_assert_cmpuint (vireo_os_guess_get_disk_gib (guess), ==, 20);
}

static void
test_os_guess_unknown_family (void)
{
  g_autoptr(VireoTreeInfo) info = NULL;
  g_autoptr(VireoOsGuess) guess = NULL;

  info = vireo_tree_info_new_from_treeinfo ("[general]\nfamily = Vireo Linux\nversion = 1\n"
                                            "arch = x86_64\n[images-x86_64]\nkernel = k\ninitrd = i\n",
                                            -1, "x86_64", NULL);
  g_assert_nonnull (info);
  guess = vireo_os_guess_for_tree (info);
  g_assert_true (vireo_os_guess_is_fallback (guess));
  g_assert_true (g_str_has_prefix (vireo_os_guess_get_short_id (guess), "linux20"));
  g_assert_nonnull (strstr (vireo_os_guess_get_fallback_reason (guess), "generic Linux"));
  g_assert_nonnull (strstr (vireo_os_guess_get_fallback_reason (guess), "Vireo Linux 1"));
}

static void
test_os_guess_short_id (void)
{
  g_autoptr(VireoOsGuess) guess = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) all = NULL;

  guess = vireo_os_guess_for_short_id ("debian11", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vireo_os_guess_get_id (guess), ==, "http://debian.org/debian/11");
  g_assert_false (vireo_os_guess_is_fallback (guess));
  g_clear_object (&guess);

  guess = vireo_os_guess_for_short_id ("debian99", &error);
  g_assert_null (guess);
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "osinfo-query os"));

  all = vireo_os_guess_list_all ();
  g_assert_cmpuint (g_list_model_get_n_items (all), >, 100);
}

/* libosinfo's media detection on a real ISO that it does not know (GRUB's
 * rescue CD from grub-rescue-pc): a generic Linux, with the reason. */
static void
test_os_guess_media (void)
{
  const char *iso = "/usr/lib/grub-rescue/grub-rescue-cdrom.iso";
  g_autoptr(VireoOsGuess) guess = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_file_test (iso, G_FILE_TEST_IS_REGULAR))
    g_error ("%s is missing: install grub-rescue-pc (tools/deps/test.txt)", iso);

  guess = vireo_os_guess_for_media (iso, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("%s → %s: %s", iso, vireo_os_guess_get_short_id (guess),
                  vireo_os_guess_get_fallback_reason (guess));
  g_assert_true (vireo_os_guess_is_fallback (guess));
  g_assert_true (g_str_has_prefix (vireo_os_guess_get_short_id (guess), "linux20"));

  g_clear_object (&guess);
  guess = vireo_os_guess_for_media ("/etc/hostname", NULL, &error);
  g_assert_null (guess);
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "could not be read as an ISO image"));
}

/* ISO images of our own (xorriso) named as Debian's netinst discs are: 11 is
 * known exactly; 12 is not in this osinfo-db and falls back to 11. */
static char *
make_iso (const char *dir,
          const char *volume_id)
{
  g_autofree char *content = g_build_filename (dir, "content", NULL);
  g_autofree char *readme = g_build_filename (content, "README", NULL);
  g_autofree char *iso = g_strdup_printf ("%s/%s.iso", dir, volume_id);
  g_autofree char *xorriso = g_find_program_in_path ("xorriso");
  const char *argv[] = { xorriso, "-as", "mkisofs", "-V", volume_id, "-o", iso, content, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (xorriso == NULL)
    g_error ("xorriso is missing: install xorriso (tools/deps/test.txt)");
  g_mkdir_with_parents (content, 0755);
  g_assert_true (g_file_set_contents (readme, "Vireo test disc\n", -1, NULL));
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL |
                               G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_steal_pointer (&iso);
}

static void
preload_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (vireo_os_guess_preload_finish (result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
test_os_guess_debian_isos (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vireo-iso-XXXXXX", &error);
  g_autofree char *iso11 = make_iso (dir, "Debian 11.5.0 amd64 n");
  g_autofree char *iso12 = make_iso (dir, "Debian 12.1.0 amd64 n");
  g_autoptr(VireoOsGuess) g11 = NULL;
  g_autoptr(VireoOsGuess) g12 = NULL;
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
  gboolean done = FALSE;

  vireo_os_guess_preload_async (NULL, preload_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  g11 = vireo_os_guess_for_media (iso11, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vireo_os_guess_get_short_id (g11), ==, "debian11");
  g_assert_false (vireo_os_guess_is_fallback (g11));

  g12 = vireo_os_guess_for_media (iso12, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("%s", vireo_os_guess_get_fallback_reason (g12));
  g_assert_cmpstr (vireo_os_guess_get_short_id (g12), ==, "debian11");
  g_assert_true (vireo_os_guess_is_fallback (g12));
  g_assert_nonnull (strstr (vireo_os_guess_get_fallback_reason (g12), "Debian 12.1.0 amd64 n"));
  g_assert_cmpint (system (cmd), ==, 0);
}

static void
test_os_guess_media_missing (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoOsGuess) guess = NULL;

  guess = vireo_os_guess_for_media ("/nonexistent.iso", NULL, &error);
  g_assert_null (guess);
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "could not be read as an ISO image"));
}

/* The async form delivers on the caller's main context. */
static void
detect_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  VireoTreeInfo **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = vireo_tree_info_detect_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_detect_async (void)
{
  g_autofree char *path = tree_path ("fedora-36");
  g_autoptr(VireoFetcher) fetcher = vireo_fetcher_new (path, NULL);
  g_autoptr(VireoTreeInfo) info = NULL;

  vireo_tree_info_detect_async (fetcher, "x86_64", NULL, detect_done, &info);
  while (info == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (vireo_tree_info_get_family (info), ==, "fedora");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/install/tree/detect-local", test_detect_local);
  g_test_add_func ("/install/tree/detect-debian-subdirs", test_detect_debian_subdirs);
  g_test_add_func ("/install/tree/detect-errors", test_detect_errors);
  g_test_add_func ("/install/tree/detect-async", test_detect_async);
  g_test_add_func ("/install/tree/parsers", test_parsers);
  g_test_add_func ("/install/os/trees", test_os_guess_trees);
  g_test_add_func ("/install/os/bookworm-fallback", test_os_guess_bookworm_fallback);
  g_test_add_func ("/install/os/unknown-family", test_os_guess_unknown_family);
  g_test_add_func ("/install/os/short-id", test_os_guess_short_id);
  g_test_add_func ("/install/os/media", test_os_guess_media);
  g_test_add_func ("/install/os/media-nonexistent", test_os_guess_media_missing);
  g_test_add_func ("/install/os/debian-isos", test_os_guess_debian_isos);

  return g_test_run ();
}
