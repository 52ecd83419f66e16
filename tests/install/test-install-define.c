/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every install method, PV and HVM, makes XML that libvirt accepts: defined
 * on the test driver (whose capabilities offer hvm and xen guests) and
 * checked with virt-xml-validate against libvirt's schemas, as are all the
 * golden files. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <string.h>

#include "vireo-types.h"
#include "vireo-fetcher.h"
#include "vireo-install-plan.h"

#define GRUB_ISO "/usr/lib/grub-rescue/grub-rescue-cdrom.iso"

static virConnectPtr conn;
static VireoHostCaps *caps;
static char *tmpdir;

static const char *
source_root (void)
{
  const char *root = g_getenv ("VIREO_SOURCE_ROOT");

  if (root == NULL)
    g_error ("VIREO_SOURCE_ROOT is not set: run this test through meson");
  return root;
}

static void
ignore_libvirt_errors (void *data, virErrorPtr error)
{
}

static void
validate_xml_as (const char *what,
                 const char *xml,
                 const char *schema)
{
  g_autofree char *path = g_build_filename (tmpdir, "domain.xml", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "virt-xml-validate", path, schema, NULL };
  g_autofree char *program = g_find_program_in_path ("virt-xml-validate");
  int status = 0;

  if (program == NULL)
    g_error ("virt-xml-validate is missing: install libvirt-clients (tools/deps/build.txt)");

  g_assert_true (g_file_set_contents (path, xml, -1, NULL));
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s does not pass virt-xml-validate:\n%s%s\n%s", what, out, err, xml);
}

static void
validate_xml (const char *what,
              const char *xml)
{
  validate_xml_as (what, xml, "domain");
}

typedef enum { SRC_ISO, SRC_CDROM, SRC_URL, SRC_PXE, SRC_IMPORT, SRC_KERNEL } SourceKind;

typedef struct {
  const char *name;
  SourceKind  source;
  gboolean    paravirt;
} DefineCase;

static const DefineCase cases[] = {
  { "vireo-iso-hvm", SRC_ISO, FALSE },
  { "vireo-cdrom-hvm", SRC_CDROM, FALSE },
  { "vireo-url-hvm", SRC_URL, FALSE },
  { "vireo-url-pv", SRC_URL, TRUE },
  { "vireo-pxe-hvm", SRC_PXE, FALSE },
  { "vireo-import-hvm", SRC_IMPORT, FALSE },
  { "vireo-import-pv", SRC_IMPORT, TRUE },
  { "vireo-kernel-hvm", SRC_KERNEL, FALSE },
  { "vireo-kernel-pv", SRC_KERNEL, TRUE },
  /* Names users type: spaces, XML and shell specials, non-ASCII. */
  { "My VM & <\"test\"> $(rm -rf) 'ü' 虚拟机", SRC_URL, TRUE },
};

static VireoInstallSource *
make_source (SourceKind kind)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *kernel = g_build_filename (tmpdir, "vmlinuz", NULL);
  g_autofree char *initrd = g_build_filename (tmpdir, "initrd.img", NULL);
  g_autofree char *disk = g_build_filename (tmpdir, "disk image & co.qcow2", NULL);
  VireoInstallSource *src = NULL;

  switch (kind)
    {
    case SRC_ISO:
      if (!g_file_test (GRUB_ISO, G_FILE_TEST_IS_REGULAR))
        g_error ("%s is missing: install grub-rescue-pc (tools/deps/test.txt)", GRUB_ISO);
      src = vireo_install_source_new_iso (GRUB_ISO, &error);
      break;
    case SRC_CDROM:
      {
        const char *dev = g_file_test ("/dev/sr0", G_FILE_TEST_EXISTS) ? "/dev/sr0" : "/dev/loop0";

        if (!g_file_test (dev, G_FILE_TEST_EXISTS))
          g_error ("no block device to stand for a CD drive (/dev/sr0 or /dev/loop0)");
        src = vireo_install_source_new_cdrom (dev, &error);
      }
      break;
    case SRC_URL:
      src = vireo_install_source_new_url ("http://127.0.0.1/debian/", "priority=low", &error);
      break;
    case SRC_PXE:
      src = vireo_install_source_new_pxe ();
      break;
    case SRC_IMPORT:
      g_assert_true (g_file_set_contents (disk, "QFI", -1, NULL));
      src = vireo_install_source_new_import (disk, &error);
      break;
    case SRC_KERNEL:
      g_assert_true (g_file_set_contents (kernel, "K", -1, NULL));
      g_assert_true (g_file_set_contents (initrd, "I", -1, NULL));
      src = vireo_install_source_new_kernel (kernel, initrd, "console=hvc0", &error);
      break;
    default:
      g_assert_not_reached ();
    }
  g_assert_no_error (error);
  return src;
}

static void
define_ok (const char *what,
           const char *xml,
           const char *expect_os_type)
{
  virDomainPtr dom = virDomainDefineXML (conn, xml);
  char *os_type;

  if (dom == NULL)
    g_error ("the test driver rejected the %s XML: %s\n%s", what,
             virGetLastErrorMessage (), xml);
  /* The test driver answers "linux" to virDomainGetOSType: read the XML. */
  {
    char *live = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
    g_autofree char *want = g_strdup_printf (">%s</type>", expect_os_type);

    g_assert_nonnull (live);
    if (strstr (live, want) == NULL)
      g_error ("the %s VM came back without OS type %s:\n%s", what, expect_os_type, live);
    os_type = live;
  }
  free (os_type);
  virDomainFree (dom);
}

static void
test_define (gconstpointer data)
{
  const DefineCase *c = data;
  g_autoptr(VireoInstallSource) src = make_source (c->source);
  g_autoptr(VireoInstallPlan) plan = vireo_install_plan_new (src);
  g_autoptr(GError) error = NULL;
  const char *os_type = c->paravirt ? "xen" : "hvm";
  virDomainPtr dom;
  char *final_live;

  vireo_install_plan_set_name (plan, c->name);
  vireo_install_plan_set_paravirt (plan, c->paravirt);
  vireo_install_plan_set_memory_mib (plan, 1024);
  vireo_install_plan_set_vcpus (plan, 1);
  if (c->source != SRC_IMPORT)
    vireo_install_plan_set_disk_new (plan, "default", 8);
  vireo_install_plan_set_network_virtual (plan, "default");

  if (c->source == SRC_URL)
    {
      g_autofree char *path = g_build_filename (source_root (), "tests", "install", "trees",
                                                "debian-bookworm", NULL);
      g_autoptr(VireoFetcher) fetcher = vireo_fetcher_new (path, NULL);
      g_autoptr(VireoTreeInfo) tree = NULL;
      g_autoptr(VireoOsGuess) os = NULL;

      /* The test driver's guests are i686. */
      tree = vireo_tree_info_detect (fetcher, "i686", NULL, &error);
      g_assert_no_error (error);
      os = vireo_os_guess_for_tree (tree);
      vireo_install_plan_set_tree (plan, tree);
      vireo_install_plan_set_os (plan, os);
      vireo_install_plan_set_boot_files (plan, "/var/cache/vireo/linux", "/var/cache/vireo/initrd.gz");
    }

  if (!vireo_install_plan_build (plan, caps, &error))
    g_error ("%s: %s", c->name, error->message);
  g_assert_cmpstr (vireo_install_plan_get_virt_type (plan), ==, "test");
  g_assert_cmpstr (vireo_install_plan_get_arch (plan), ==, "i686");

  if (vireo_install_plan_get_install_xml (plan) != NULL)
    {
      validate_xml ("install-time", vireo_install_plan_get_install_xml (plan));
      define_ok ("install-time", vireo_install_plan_get_install_xml (plan), os_type);
    }
  validate_xml ("final", vireo_install_plan_get_final_xml (plan));
  /* Same name and UUID: the final definition replaces the install one. */
  define_ok ("final", vireo_install_plan_get_final_xml (plan), os_type);

  dom = virDomainLookupByName (conn, c->name);
  g_assert_nonnull (dom);
  final_live = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
  g_assert_null (strstr (final_live, "<kernel>"));
  g_assert_nonnull (strstr (final_live, "<on_reboot>restart</on_reboot>"));
  free (final_live);
  g_assert_cmpint (virDomainUndefine (dom), ==, 0);
  virDomainFree (dom);

  /* The new disk: its volume XML creates it in the test driver's pool. */
  if (vireo_install_plan_get_disk_kind (plan) == VIREO_DISK_NEW_VOLUME)
    {
      g_autofree char *vol_xml = vireo_install_plan_dup_volume_xml (plan);
      virStoragePoolPtr pool = virStoragePoolLookupByName (conn, "default-pool");
      virStorageVolPtr vol;
      virStorageVolInfo info;

      g_assert_nonnull (vol_xml);
      validate_xml_as ("volume", vol_xml, "storagevol");
      g_assert_nonnull (pool);
      vol = virStorageVolCreateXML (pool, vol_xml, 0);
      if (vol == NULL)
        g_error ("the test driver rejected the volume XML: %s\n%s", virGetLastErrorMessage (), vol_xml);
      g_assert_cmpstr (virStorageVolGetName (vol), ==, vireo_install_plan_get_volume_name (plan));
      g_assert_cmpint (virStorageVolGetInfo (vol, &info), ==, 0);
      g_assert_cmpuint (info.capacity, ==, vireo_install_plan_get_volume_capacity (plan));
      g_assert_cmpint (virStorageVolDelete (vol, 0), ==, 0);
      virStorageVolFree (vol);
      virStoragePoolFree (pool);
    }
}

static void
test_golden_files_validate (void)
{
  g_autofree char *dir = g_build_filename (source_root (), "tests", "install", "golden", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *xml = NULL;

      if (!g_str_has_suffix (name, ".xml"))
        continue;
      g_assert_true (g_file_get_contents (path, &xml, NULL, NULL));
      validate_xml (name, xml);
      n++;
    }
  g_assert_cmpuint (n, >=, 18);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  char *caps_xml;
  int ret;

  g_test_init (&argc, &argv, NULL);
  virSetErrorFunc (NULL, ignore_libvirt_errors);

  conn = virConnectOpen ("test:///default");
  if (conn == NULL)
    g_error ("cannot open the libvirt test driver: %s", virGetLastErrorMessage ());
  caps_xml = virConnectGetCapabilities (conn);
  caps = vireo_host_caps_new (caps_xml, &error);
  g_assert_no_error (error);
  free (caps_xml);
  g_assert_true (vireo_host_caps_offers_paravirt_choice (caps));

  tmpdir = g_dir_make_tmp ("vireo-install-define-XXXXXX", &error);
  g_assert_no_error (error);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/install/define/%zu-%s", i,
                                               cases[i].source == SRC_URL && i > 8 ? "special-name"
                                                                                   : cases[i].name + 6);
      g_test_add_data_func (path, &cases[i], test_define);
    }
  g_test_add_func ("/install/define/golden-files-validate", test_golden_files_validate);

  ret = g_test_run ();

  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", tmpdir);
  }
  g_object_unref (caps);
  virConnectClose (conn);
  return ret;
}
