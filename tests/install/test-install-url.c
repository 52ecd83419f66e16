/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Install locations: URL parsing and resolving, source validation, and
 * reading a host's capabilities. Pure: no servers. */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vireo-types.h"
#include "vireo-install-url.h"
#include "vireo-install-source.h"
#include "vireo-host-caps.h"

typedef struct {
  const char    *text;
  VireoUrlScheme scheme;
  const char    *host;
  int            port;
  const char    *user;
  const char    *path;
  const char    *base;
} UrlCase;

static const UrlCase good_urls[] = {
  { "http://deb.debian.org/debian/", VIREO_URL_SCHEME_HTTP, "deb.debian.org", -1, NULL, "/debian",
    "http://deb.debian.org/debian/" },
  { "https://mirror.example.org:8443/fedora/releases/36/Server/x86_64/os", VIREO_URL_SCHEME_HTTPS,
    "mirror.example.org", 8443, NULL, "/fedora/releases/36/Server/x86_64/os",
    "https://mirror.example.org:8443/fedora/releases/36/Server/x86_64/os/" },
  { "ftp://anon@127.0.0.1:2121/pub//trees/./debian", VIREO_URL_SCHEME_FTP, "127.0.0.1", 2121, "anon",
    "/pub/trees/debian", "ftp://anon@127.0.0.1:2121/pub/trees/debian/" },
  { "nfs://nfs.example.org/export/trees/debian", VIREO_URL_SCHEME_NFS, "nfs.example.org", -1, NULL,
    "/export/trees/debian", "nfs://nfs.example.org/export/trees/debian/" },
  { "NFS://[::1]/export", VIREO_URL_SCHEME_NFS, "::1", -1, NULL, "/export", "nfs://[::1]/export/" },
  { "  http://h/a%20b/  ", VIREO_URL_SCHEME_HTTP, "h", -1, NULL, "/a b", "http://h/a%20b/" },
  { "file:///srv/trees/fedora", VIREO_URL_SCHEME_FILE, NULL, -1, NULL, "/srv/trees/fedora",
    "file:///srv/trees/fedora/" },
  { "/srv/trees/My Tree/../fedora/", VIREO_URL_SCHEME_FILE, NULL, -1, NULL, "/srv/trees/fedora",
    "file:///srv/trees/fedora/" },
};

static void
test_url_parse_good (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (good_urls); i++)
    {
      const UrlCase *c = &good_urls[i];
      g_auto(VireoInstallUrl) url = { 0 };
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", c->text);
      g_assert_true (vireo_install_url_parse (c->text, &url, &error));
      g_assert_no_error (error);
      g_assert_cmpint (url.scheme, ==, c->scheme);
      g_assert_cmpstr (url.host, ==, c->host);
      g_assert_cmpint (url.port, ==, c->port);
      g_assert_cmpstr (url.user, ==, c->user);
      g_assert_cmpstr (url.path, ==, c->path);
      g_assert_cmpstr (url.base, ==, c->base);
    }
}

typedef struct {
  const char *text;
  const char *message_part;
} BadCase;

static const BadCase bad_urls[] = {
  { "", "No install location" },
  { "   ", "No install location" },
  { "gopher://h/tree", "“gopher” is not supported. Use http://, https://, ftp:// or nfs://" },
  { "smb://server/share", "“smb” is not supported" },
  { "deb.debian.org/debian", "no scheme" },
  { "relative/path", "no scheme" },
  { "http:///debian", "names no host" },
  { "nfs:///export", "names no host" },
  { "http://h/tree?x=1", "query" },
  { "http://h/tree#frag", "fragment" },
  { "file://otherhost/tree", "leave out the host" },
};

static void
test_url_parse_bad (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (bad_urls); i++)
    {
      g_auto(VireoInstallUrl) url = { 0 };
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", bad_urls[i].text);
      g_assert_false (vireo_install_url_parse (bad_urls[i].text, &url, &error));
      g_assert_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI);
      if (strstr (error->message, bad_urls[i].message_part) == NULL)
        g_error ("“%s”: message “%s” lacks “%s”", bad_urls[i].text, error->message,
                 bad_urls[i].message_part);
    }
}

static void
test_url_resolve (void)
{
  g_auto(VireoInstallUrl) url = { 0 };
  g_auto(VireoInstallUrl) local = { 0 };
  g_auto(VireoInstallUrl) secret = { 0 };
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL, *f = NULL;

  g_assert_true (vireo_install_url_parse ("http://m.example/debian/dists/bookworm/main/installer-amd64/",
                                          &url, NULL));
  a = vireo_install_url_resolve (&url, "current/images/MANIFEST");
  g_assert_cmpstr (a, ==, "http://m.example/debian/dists/bookworm/main/installer-amd64/current/images/MANIFEST");
  b = vireo_install_url_resolve (&url, "../../Release");
  g_assert_cmpstr (b, ==, "http://m.example/debian/dists/bookworm/Release");
  c = vireo_install_url_resolve (&url, "/odd name?#.img");
  g_assert_cmpstr (c, ==, "http://m.example/debian/dists/bookworm/main/installer-amd64/odd%20name%3F%23.img");

  g_assert_true (vireo_install_url_parse ("/srv/tree", &local, NULL));
  d = vireo_install_url_resolve_local (&local, "images/pxeboot/vmlinuz");
  g_assert_cmpstr (d, ==, "/srv/tree/images/pxeboot/vmlinuz");
  e = vireo_install_url_resolve_local (&url, "x");
  g_assert_null (e);

  g_assert_true (vireo_install_url_parse ("ftp://me:s3cret@h/pub", &secret, NULL));
  f = vireo_install_url_to_display (&secret);
  g_assert_null (strstr (f, "s3cret"));
  g_assert_cmpstr (f, ==, "ftp://me@h/pub/");
}

/* ---- sources ---- */

static char *tmpdir;

static char *
make_file (const char *name,
           const char *contents,
           int         mode)
{
  char *path = g_build_filename (tmpdir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
  return path;
}

static void
test_source_iso (void)
{
  g_autofree char *iso = make_file ("Débian 12 & <net>.iso", "CD001", 0644);
  g_autofree char *missing = g_build_filename (tmpdir, "missing.iso", NULL);
  g_autoptr(VireoInstallSource) src = NULL;
  g_autoptr(GError) error = NULL;

  src = vireo_install_source_new_iso (iso, &error);
  g_assert_no_error (error);
  g_assert_cmpint (vireo_install_source_get_method (src), ==, VIREO_INSTALL_METHOD_ISO);
  g_assert_cmpstr (vireo_install_source_get_path (src), ==, iso);
  g_assert_false (vireo_install_source_allows_paravirt (src, &error));
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "cannot install from an ISO or CD; use a network install tree"));
  g_clear_error (&error);
  g_clear_object (&src);

  src = vireo_install_source_new_iso (missing, &error);
  g_assert_null (src);
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "does not exist"));
  g_clear_error (&error);

  src = vireo_install_source_new_iso (tmpdir, &error);
  g_assert_null (src);
  g_assert_nonnull (strstr (error->message, "not a regular file"));
  g_clear_error (&error);

  src = vireo_install_source_new_iso ("relative.iso", &error);
  g_assert_null (src);
  g_assert_nonnull (strstr (error->message, "not an absolute path"));
  g_clear_error (&error);

  src = vireo_install_source_new_iso (NULL, &error);
  g_assert_null (src);
  g_assert_nonnull (strstr (error->message, "was not given"));
  g_clear_error (&error);
}

static void
test_source_unreadable (void)
{
  g_autofree char *iso = make_file ("locked.iso", "CD001", 0000);
  g_autoptr(VireoInstallSource) src = NULL;
  g_autoptr(GError) error = NULL;

  /* root reads anything: drop to nobody's uid for the check when we can. */
  if (geteuid () == 0)
    {
      g_test_trap_subprocess ("/install/source/unreadable/as-nobody", 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return;
    }
  src = vireo_install_source_new_iso (iso, &error);
  g_assert_null (src);
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_NOT_ALLOWED);
  g_assert_nonnull (strstr (error->message, "cannot be read"));
}

static void
test_source_unreadable_as_nobody (void)
{
  g_autoptr(VireoInstallSource) src = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *iso = NULL;

  if (!g_test_subprocess ())
    return;
  iso = g_build_filename (tmpdir, "locked.iso", NULL);
  if (setgid (65534) != 0 || setuid (65534) != 0)
    g_error ("could not drop to uid 65534 to test an unreadable file");
  src = vireo_install_source_new_iso (iso, &error);
  g_assert_null (src);
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_NOT_ALLOWED);
  g_assert_nonnull (strstr (error->message, "cannot be read"));
}

static void
test_source_others (void)
{
  g_autofree char *kernel = make_file ("vmlinuz", "K", 0644);
  g_autofree char *initrd = make_file ("initrd.img", "I", 0644);
  g_autofree char *disk = make_file ("disk image.qcow2", "QFI", 0644);
  g_autoptr(VireoInstallSource) src = NULL;
  g_autoptr(GError) error = NULL;

  src = vireo_install_source_new_url ("ftp://127.0.0.1/pub/debian", "console=ttyS0 priority=low", &error);
  g_assert_no_error (error);
  g_assert_cmpint (vireo_install_source_get_method (src), ==, VIREO_INSTALL_METHOD_URL);
  g_assert_cmpstr (vireo_install_source_get_url_string (src), ==, "ftp://127.0.0.1/pub/debian/");
  g_assert_cmpint (vireo_install_source_get_url (src)->scheme, ==, VIREO_URL_SCHEME_FTP);
  g_assert_cmpstr (vireo_install_source_get_extra_args (src), ==, "console=ttyS0 priority=low");
  g_assert_true (vireo_install_source_allows_paravirt (src, NULL));
  g_clear_object (&src);

  src = vireo_install_source_new_url ("rsync://h/tree", NULL, &error);
  g_assert_null (src);
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI);
  g_assert_nonnull (strstr (error->message, "http://, https://, ftp:// or nfs://"));
  g_clear_error (&error);

  src = vireo_install_source_new_pxe ();
  g_assert_false (vireo_install_source_allows_paravirt (src, &error));
  g_assert_nonnull (strstr (error->message, "PXE"));
  g_clear_error (&error);
  g_clear_object (&src);

  src = vireo_install_source_new_import (disk, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vireo_install_source_get_path (src), ==, disk);
  g_assert_true (vireo_install_source_allows_paravirt (src, NULL));
  g_clear_object (&src);

  src = vireo_install_source_new_kernel (kernel, initrd, "root=/dev/vda1 quiet", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vireo_install_source_get_kernel (src), ==, kernel);
  g_assert_cmpstr (vireo_install_source_get_initrd (src), ==, initrd);
  g_assert_cmpstr (vireo_install_source_get_extra_args (src), ==, "root=/dev/vda1 quiet");
  g_clear_object (&src);

  src = vireo_install_source_new_kernel ("/nonexistent/vmlinuz", NULL, NULL, &error);
  g_assert_null (src);
  g_assert_nonnull (strstr (error->message, "The kernel"));
  g_clear_error (&error);

  /* A regular file is not a CD drive. */
  src = vireo_install_source_new_cdrom (disk, &error);
  g_assert_null (src);
  g_assert_nonnull (strstr (error->message, "not a block device"));
  g_clear_error (&error);
}

/* ---- capabilities ---- */

static char *
read_fixture (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("VIREO_SOURCE_ROOT"), "tests", "install", name, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    g_error ("fixture %s is missing (is VIREO_SOURCE_ROOT set?)", path);
  return contents;
}

static void
test_caps (void)
{
  g_autofree char *kvm_xml = read_fixture ("caps-kvm.xml");
  g_autofree char *xen_xml = read_fixture ("caps-xen.xml");
  g_autoptr(VireoHostCaps) kvm = NULL;
  g_autoptr(VireoHostCaps) xen = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) os_types = NULL;
  g_auto(GStrv) virt = NULL;
  g_autofree char *arch = NULL;
  g_autofree char *vt = NULL;

  kvm = vireo_host_caps_new (kvm_xml, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vireo_host_caps_get_host_arch (kvm), ==, "x86_64");
  os_types = vireo_host_caps_dup_os_types (kvm, NULL);
  g_assert_cmpstrv (os_types, ((const char *[]) { "hvm", NULL }));
  virt = vireo_host_caps_dup_virt_types (kvm, "hvm", "x86_64");
  g_assert_cmpstrv (virt, ((const char *[]) { "qemu", "kvm", NULL }));
  g_assert_false (vireo_host_caps_offers_paravirt_choice (kvm));
  g_assert_true (vireo_host_caps_supports (kvm, "hvm", "i686", "kvm"));
  g_assert_false (vireo_host_caps_supports (kvm, "xen", NULL, NULL));

  g_assert_true (vireo_host_caps_resolve (kvm, "hvm", &arch, &vt, &error));
  g_assert_cmpstr (arch, ==, "x86_64");
  g_assert_cmpstr (vt, ==, "kvm");   /* preferred over TCG when offered */
  g_clear_pointer (&arch, g_free);
  g_clear_pointer (&vt, g_free);

  g_assert_false (vireo_host_caps_resolve (kvm, "xen", &arch, &vt, &error));
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "paravirtualized"));
  g_clear_error (&error);

  vt = g_strdup ("xen");
  g_assert_false (vireo_host_caps_resolve (kvm, "hvm", &arch, &vt, &error));
  g_assert_nonnull (strstr (error->message, "qemu, kvm"));
  g_clear_error (&error);
  g_clear_pointer (&vt, g_free);

  arch = g_strdup ("aarch64");
  g_assert_false (vireo_host_caps_resolve (kvm, "hvm", &arch, &vt, &error));
  g_assert_nonnull (strstr (error->message, "i686, x86_64"));
  g_clear_error (&error);
  g_clear_pointer (&arch, g_free);

  xen = vireo_host_caps_new (xen_xml, &error);
  g_assert_no_error (error);
  g_assert_true (vireo_host_caps_offers_paravirt_choice (xen));
  g_clear_pointer (&os_types, g_strfreev);
  os_types = vireo_host_caps_dup_os_types (xen, "x86_64");
  g_assert_cmpstrv (os_types, ((const char *[]) { "xen", "hvm", NULL }));

  g_assert_null (vireo_host_caps_new ("<nope/>", &error));
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_null (vireo_host_caps_new ("<capabilities><host/></capabilities>", &error));
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  if (g_test_subprocess ())
    tmpdir = g_strdup (g_getenv ("VIREO_TEST_TMPDIR"));
  else
    {
      tmpdir = g_dir_make_tmp ("vireo-install-url-XXXXXX", &error);
      g_assert_no_error (error);
      g_chmod (tmpdir, 0755);
      g_setenv ("VIREO_TEST_TMPDIR", tmpdir, TRUE);
    }

  g_test_add_func ("/install/url/parse-good", test_url_parse_good);
  g_test_add_func ("/install/url/parse-bad", test_url_parse_bad);
  g_test_add_func ("/install/url/resolve", test_url_resolve);
  g_test_add_func ("/install/source/iso", test_source_iso);
  g_test_add_func ("/install/source/unreadable", test_source_unreadable);
  g_test_add_func ("/install/source/unreadable/as-nobody", test_source_unreadable_as_nobody);
  g_test_add_func ("/install/source/others", test_source_others);
  g_test_add_func ("/install/caps", test_caps);

  ret = g_test_run ();
  if (!g_test_subprocess ())
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
      if (system (cmd) != 0)
        g_printerr ("could not remove %s\n", tmpdir);
    }
  return ret;
}
