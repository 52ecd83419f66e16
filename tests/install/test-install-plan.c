/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Install plans → domain XML: golden files (golden/NAME-install.xml and
 * NAME-final.xml) for every method, PV and HVM, and the errors for what
 * cannot be done. Regenerate with VIREO_UPDATE_GOLDEN=1 after a deliberate
 * change, and review the diff. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "vireo-types.h"
#include "vireo-fetcher.h"
#include "vireo-install-plan.h"

/* Inputs that must exist on disk get fixed paths so the XML is stable. */
#define INPUTS "/tmp/vireo-install-golden"
#define UUID "0f0e0d0c-0b0a-4908-8706-050403020100"

static const char *
source_root (void)
{
  const char *root = g_getenv ("VIREO_SOURCE_ROOT");

  if (root == NULL)
    g_error ("VIREO_SOURCE_ROOT is not set: run this test through meson");
  return root;
}

static VireoHostCaps *
load_caps (const char *name)
{
  g_autofree char *path = g_build_filename (source_root (), "tests", "install", name, NULL);
  g_autofree char *xml = NULL;
  g_autoptr(GError) error = NULL;
  VireoHostCaps *caps;

  g_assert_true (g_file_get_contents (path, &xml, NULL, &error));
  caps = vireo_host_caps_new (xml, &error);
  g_assert_no_error (error);
  return caps;
}

static VireoTreeInfo *
load_tree (const char *name,
           const char *arch)
{
  g_autofree char *path = g_build_filename (source_root (), "tests", "install", "trees", name, NULL);
  g_autoptr(VireoFetcher) fetcher = vireo_fetcher_new (path, NULL);
  g_autoptr(GError) error = NULL;
  VireoTreeInfo *info = vireo_tree_info_detect (fetcher, arch, NULL, &error);

  g_assert_no_error (error);
  return info;
}

static const char *
cdrom_device (void)
{
  static const char *candidates[] = { "/dev/sr0", "/dev/cdrom", "/dev/loop0" };

  for (gsize i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (g_file_test (candidates[i], G_FILE_TEST_EXISTS))
      return candidates[i];
  g_error ("no block device to stand for a CD drive (/dev/sr0, /dev/loop0): "
           "run where a loop device exists");
  return NULL;
}

static void
make_inputs (void)
{
  g_assert_cmpint (g_mkdir_with_parents (INPUTS, 0755), ==, 0);
  g_assert_true (g_file_set_contents (INPUTS "/vmlinuz", "K", -1, NULL));
  g_assert_true (g_file_set_contents (INPUTS "/initrd.img", "I", -1, NULL));
  g_assert_true (g_file_set_contents (INPUTS "/imported disk é.qcow2", "QFI", -1, NULL));
}

typedef enum {
  SRC_ISO, SRC_CDROM, SRC_URL, SRC_PXE, SRC_IMPORT, SRC_KERNEL,
} SourceKind;

typedef struct {
  const char *name;          /* golden file stem, or the error case's name */
  SourceKind  source;
  const char *caps;
  gboolean    paravirt;
  const char *virt_type;
  const char *arch;
  const char *tree;          /* URL: fixture tree */
  const char *error;         /* expected message part; NULL: golden */
  void      (*tweak) (VireoInstallPlan *plan);
} PlanCase;

static VireoInstallSource *
make_source (const PlanCase *c)
{
  g_autoptr(GError) error = NULL;
  VireoInstallSource *src = NULL;

  switch (c->source)
    {
    case SRC_ISO:
      src = vireo_install_source_new_remote_iso ("/var/lib/libvirt/images/Debian 12 & <netinst> é.iso", &error);
      break;
    case SRC_CDROM:
      src = vireo_install_source_new_cdrom (cdrom_device (), &error);
      break;
    case SRC_URL:
      src = vireo_install_source_new_url (g_str_has_prefix (c->tree, "fedora")
                                            ? "http://mirror.example.org/fedora/releases/36/Server/x86_64/os/"
                                            : "nfs://nfs.example.org/export/debian/",
                                          "console=ttyS0 ks=\"http://h/a&b<c>\"", &error);
      break;
    case SRC_PXE:
      src = vireo_install_source_new_pxe ();
      break;
    case SRC_IMPORT:
      src = vireo_install_source_new_import (INPUTS "/imported disk é.qcow2", &error);
      break;
    case SRC_KERNEL:
      src = vireo_install_source_new_kernel (INPUTS "/vmlinuz", INPUTS "/initrd.img",
                                             "root=/dev/vda1 console=ttyS0 'quoted & <odd>'", &error);
      break;
    default:
      g_assert_not_reached ();
    }
  g_assert_no_error (error);
  return src;
}

static VireoInstallPlan *
make_plan (const PlanCase *c)
{
  g_autoptr(VireoInstallSource) src = make_source (c);
  VireoInstallPlan *plan = vireo_install_plan_new (src);
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoOsGuess) os = vireo_os_guess_for_short_id ("debian11", &error);

  g_assert_no_error (error);
  vireo_install_plan_set_name (plan, c->name);
  vireo_install_plan_set_uuid (plan, UUID);
  vireo_install_plan_set_mac (plan, "52:54:00:12:34:56");
  vireo_install_plan_set_paravirt (plan, c->paravirt);
  vireo_install_plan_set_virt_type (plan, c->virt_type);
  vireo_install_plan_set_arch (plan, c->arch);
  vireo_install_plan_set_os (plan, os);
  vireo_install_plan_set_memory_mib (plan, 2048);
  vireo_install_plan_set_vcpus (plan, 2);
  vireo_install_plan_set_disk_new (plan, "default", 20);
  vireo_install_plan_set_network_virtual (plan, "default");
  vireo_install_plan_set_host_limits (plan, 16384, G_GUINT64_CONSTANT (100) << 30);

  if (c->source == SRC_URL)
    {
      g_autoptr(VireoTreeInfo) tree = load_tree (c->tree, c->arch ? c->arch : "x86_64");

      vireo_install_plan_set_tree (plan, tree);
      vireo_install_plan_set_boot_files (plan, "/var/cache/vireo/boot/My VM/vmlinuz",
                                         "/var/cache/vireo/boot/My VM/initrd.img");
    }
  if (c->tweak)
    c->tweak (plan);
  return plan;
}

static void tweak_special_name (VireoInstallPlan *p) { vireo_install_plan_set_name (p, "My VM & <\"quoted\"> 'ünïcödé' 虚拟机"); }
static void tweak_bridge (VireoInstallPlan *p) { vireo_install_plan_set_network_bridge (p, "br0"); }
static void tweak_user_net_path (VireoInstallPlan *p)
{
  vireo_install_plan_set_network_user (p);
  vireo_install_plan_set_disk_path (p, "/var/lib/libvirt/images/fedora & co.qcow2");
}
static void tweak_xen_bridge (VireoInstallPlan *p) { vireo_install_plan_set_network_bridge (p, "xenbr0"); }
static void tweak_volume (VireoInstallPlan *p) { vireo_install_plan_set_disk_volume (p, "default", "pxe disk.img"); }
static void tweak_import (VireoInstallPlan *p) { vireo_install_plan_set_disk_none (p); }
static void tweak_no_net_no_disk (VireoInstallPlan *p)
{
  vireo_install_plan_set_network_none (p);
  vireo_install_plan_set_disk_none (p);
}
static void tweak_memory (VireoInstallPlan *p) { vireo_install_plan_set_memory_mib (p, 65536); }
static void tweak_disk (VireoInstallPlan *p) { vireo_install_plan_set_disk_new (p, "default", 500); }
static void tweak_bad_name (VireoInstallPlan *p) { vireo_install_plan_set_name (p, "a/b"); }
static void tweak_no_boot (VireoInstallPlan *p) { vireo_install_plan_set_boot_files (p, NULL, NULL); }
static void tweak_bad_mac (VireoInstallPlan *p) { vireo_install_plan_set_mac (p, "52:54:00:zz:34:56"); }
static void tweak_no_disk (VireoInstallPlan *p) { vireo_install_plan_set_disk_none (p); }
static void tweak_user_net (VireoInstallPlan *p) { vireo_install_plan_set_network_user (p); }
static void tweak_direct (VireoInstallPlan *p) { vireo_install_plan_set_network_direct (p, "enp1s0"); }
static void tweak_direct_unnamed (VireoInstallPlan *p) { vireo_install_plan_set_network_direct (p, NULL); }
static void tweak_spice (VireoInstallPlan *p) { vireo_install_plan_set_graphics (p, VIREO_GRAPHICS_SPICE); }

static const PlanCase golden_cases[] = {
  { "iso-hvm", SRC_ISO, "caps-kvm.xml", FALSE, NULL, NULL, NULL, NULL, tweak_special_name },
  { "cdrom-hvm", SRC_CDROM, "caps-kvm.xml", FALSE, "kvm", NULL, NULL, NULL, tweak_bridge },
  { "url-hvm", SRC_URL, "caps-kvm.xml", FALSE, "kvm", NULL, "fedora-36", NULL, tweak_user_net_path },
  { "url-pv", SRC_URL, "caps-xen.xml", TRUE, NULL, NULL, "debian-bookworm", NULL, tweak_xen_bridge },
  { "url-hvm-xen", SRC_URL, "caps-xen.xml", FALSE, "xen", NULL, "debian-bookworm", NULL, NULL },
  { "pxe-hvm", SRC_PXE, "caps-kvm.xml", FALSE, "qemu", NULL, NULL, NULL, tweak_volume },
  { "import-hvm", SRC_IMPORT, "caps-kvm.xml", FALSE, "kvm", NULL, NULL, NULL, tweak_import },
  { "import-pv", SRC_IMPORT, "caps-xen.xml", TRUE, NULL, NULL, NULL, NULL, tweak_import },
  { "kernel-hvm", SRC_KERNEL, "caps-kvm.xml", FALSE, "qemu", "i686", NULL, NULL, NULL },
  { "kernel-pv", SRC_KERNEL, "caps-xen.xml", TRUE, "xen", NULL, NULL, NULL, tweak_no_net_no_disk },
  { "iso-hvm-macvtap", SRC_ISO, "caps-kvm.xml", FALSE, "kvm", NULL, NULL, NULL, tweak_direct },
  { "iso-hvm-spice", SRC_ISO, "caps-kvm.xml", FALSE, "kvm", NULL, NULL, NULL, tweak_spice },
};

static const PlanCase error_cases[] = {
  { "iso-pv", SRC_ISO, "caps-xen.xml", TRUE, NULL, NULL, NULL,
    "cannot install from an ISO or CD; use a network install tree", NULL },
  { "cdrom-pv", SRC_CDROM, "caps-xen.xml", TRUE, NULL, NULL, NULL, "cannot install from an ISO or CD", NULL },
  { "pxe-pv", SRC_PXE, "caps-xen.xml", TRUE, NULL, NULL, NULL, "cannot boot from the network (PXE)", NULL },
  { "pxe-user-net", SRC_PXE, "caps-kvm.xml", FALSE, NULL, NULL, NULL,
    "user-mode networking has none", tweak_user_net },
  { "macvtap-unnamed", SRC_ISO, "caps-kvm.xml", FALSE, NULL, NULL, NULL,
    "network device for macvtap", tweak_direct_unnamed },
  { "url-pv-no-xen-kernel", SRC_URL, "caps-xen.xml", TRUE, NULL, NULL, "centos-stream-9",
    "no Xen paravirtualized kernel", NULL },
  { "pv-on-kvm-host", SRC_URL, "caps-kvm.xml", TRUE, NULL, NULL, "debian-bookworm",
    "cannot run paravirtualized (Xen PV) guests", NULL },
  { "xen-on-kvm-host", SRC_ISO, "caps-kvm.xml", FALSE, "xen", NULL, NULL, "it offers: qemu, kvm", NULL },
  { "arch-not-offered", SRC_ISO, "caps-xen.xml", FALSE, NULL, "aarch64", NULL,
    "offers these architectures: x86_64", NULL },
  { "tree-arch-mismatch", SRC_URL, "caps-kvm.xml", FALSE, NULL, NULL, "fedora-36",
    "detected for x86_64, but the VM is i686", NULL },
  { "memory-above-host", SRC_ISO, "caps-kvm.xml", FALSE, NULL, NULL, NULL,
    "65536 MiB of memory is more than the host has (16384 MiB)", tweak_memory },
  { "disk-above-free", SRC_ISO, "caps-kvm.xml", FALSE, NULL, NULL, NULL,
    "500 GiB disk is larger than the free space in the pool “default” (100.0 GiB)", tweak_disk },
  { "bad-name", SRC_ISO, "caps-kvm.xml", FALSE, NULL, NULL, NULL, "contains “/”", tweak_bad_name },
  { "url-not-fetched", SRC_URL, "caps-kvm.xml", FALSE, NULL, NULL, "fedora-36",
    "kernel has not been downloaded yet", tweak_no_boot },
  { "bad-mac", SRC_ISO, "caps-kvm.xml", FALSE, NULL, NULL, NULL, "is not a MAC address", tweak_bad_mac },
  { "iso-no-disk", SRC_ISO, "caps-kvm.xml", FALSE, NULL, NULL, NULL, "has no disk to install to", tweak_no_disk },
  { "url-pv-spice", SRC_URL, "caps-xen.xml", TRUE, NULL, NULL, "debian-bookworm",
    "paravirtualized (Xen PV) VM cannot have a SPICE display", tweak_spice },
};

static char *
golden_path (const char *stem,
             const char *phase)
{
  g_autofree char *file = g_strdup_printf ("%s-%s.xml", stem, phase);

  return g_build_filename (source_root (), "tests", "install", "golden", file, NULL);
}

static void
compare_golden (const char *stem,
                const char *phase,
                const char *xml)
{
  g_autofree char *path = golden_path (stem, phase);
  g_autofree char *expected = NULL;
  g_autofree char *actual = NULL;
  g_autoptr(GError) error = NULL;

  /* The CD drive differs between machines; the golden files say /dev/sr0. */
  actual = g_strdup (xml);
  if (strstr (actual, cdrom_device ()) != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (actual, cdrom_device (), -1);

      g_free (actual);
      actual = g_strjoinv ("/dev/sr0", parts);
    }

  if (g_getenv ("VIREO_UPDATE_GOLDEN") != NULL)
    {
      g_assert_true (g_file_set_contents (path, actual, -1, &error));
      g_test_message ("wrote %s", path);
      return;
    }
  if (!g_file_get_contents (path, &expected, NULL, &error))
    g_error ("golden file %s is missing (%s); run with VIREO_UPDATE_GOLDEN=1 to create it",
             path, error->message);
  if (strcmp (expected, actual) != 0)
    g_error ("%s differs from its golden file %s.\n--- expected\n%s\n--- actual\n%s",
             stem, path, expected, actual);
}

/* The XML parses, and the name comes back exactly as given. */
static void
check_well_formed (const char *xml,
                   const char *name)
{
  xmlDoc *doc = xmlReadMemory (xml, strlen (xml), "domain.xml", "UTF-8", XML_PARSE_NONET);
  xmlNode *root;
  xmlChar *got = NULL;

  g_assert_nonnull (doc);
  root = xmlDocGetRootElement (doc);
  for (xmlNode *n = root->children; n; n = n->next)
    if (n->type == XML_ELEMENT_NODE && xmlStrEqual (n->name, BAD_CAST "name"))
      got = xmlNodeGetContent (n);
  g_assert_cmpstr ((const char *) got, ==, name);
  xmlFree (got);
  xmlFreeDoc (doc);
}

static void
test_golden (gconstpointer data)
{
  const PlanCase *c = data;
  g_autoptr(VireoHostCaps) caps = load_caps (c->caps);
  g_autoptr(VireoInstallPlan) plan = make_plan (c);
  g_autoptr(GError) error = NULL;
  const char *install_xml;

  g_assert_true (vireo_install_plan_build (plan, caps, &error));
  g_assert_no_error (error);

  install_xml = vireo_install_plan_get_install_xml (plan);
  if (c->source == SRC_IMPORT)
    g_assert_null (install_xml);
  else
    {
      g_assert_nonnull (install_xml);
      g_assert_nonnull (strstr (install_xml, "<on_reboot>destroy</on_reboot>"));
      check_well_formed (install_xml, vireo_install_plan_get_name (plan));
      compare_golden (c->name, "install", install_xml);
    }
  g_assert_nonnull (strstr (vireo_install_plan_get_final_xml (plan), "<on_reboot>restart</on_reboot>"));
  check_well_formed (vireo_install_plan_get_final_xml (plan), vireo_install_plan_get_name (plan));
  compare_golden (c->name, "final", vireo_install_plan_get_final_xml (plan));

  if (c->paravirt)
    {
      g_assert_nonnull (strstr (vireo_install_plan_get_final_xml (plan), ">xen</type>"));
      if (install_xml)
        g_assert_null (strstr (install_xml, "<boot dev"));
    }
}

static void
test_error (gconstpointer data)
{
  const PlanCase *c = data;
  g_autoptr(VireoHostCaps) caps = load_caps (c->caps);
  g_autoptr(VireoInstallPlan) plan = NULL;
  g_autoptr(GError) error = NULL;

  if (c->source == SRC_URL && g_str_equal (c->name, "tree-arch-mismatch"))
    {
      plan = make_plan (c);
      vireo_install_plan_set_arch (plan, "i686");
    }
  else
    plan = make_plan (c);

  g_assert_false (vireo_install_plan_build (plan, caps, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == VIREO_ERROR);
  if (strstr (error->message, c->error) == NULL)
    g_error ("%s: “%s” lacks “%s”", c->name, error->message, c->error);
  g_assert_null (vireo_install_plan_get_final_xml (plan));
}

/* Sizes default to what the OS recommends; identity is random but shared
 * by both documents so the final one redefines the same VM. */
static void
test_defaults (void)
{
  g_autoptr(VireoHostCaps) caps = load_caps ("caps-kvm.xml");
  g_autoptr(VireoInstallSource) src = vireo_install_source_new_pxe ();
  g_autoptr(VireoInstallPlan) plan = vireo_install_plan_new (src);
  g_autoptr(VireoOsGuess) os = vireo_os_guess_for_short_id ("debian11", NULL);
  g_autoptr(GError) error = NULL;
  const char *uuid;
  g_autofree char *uuid_el = NULL;

  vireo_install_plan_set_name (plan, "defaults");
  vireo_install_plan_set_os (plan, os);
  vireo_install_plan_set_disk_new (plan, "default", 0);
  vireo_install_plan_set_network_virtual (plan, "default");
  g_assert_true (vireo_install_plan_build (plan, caps, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (vireo_install_plan_get_arch (plan), ==, "x86_64");
  g_assert_cmpstr (vireo_install_plan_get_virt_type (plan), ==, "kvm");
  g_assert_cmpstr (vireo_install_plan_get_volume_name (plan), ==, "defaults.qcow2");
  g_assert_cmpstr (vireo_install_plan_get_volume_pool (plan), ==, "default");
  g_assert_cmpuint (vireo_install_plan_get_volume_capacity (plan), ==,
                    (guint64) vireo_os_guess_get_disk_gib (os) << 30);
  g_assert_nonnull (strstr (vireo_install_plan_get_install_xml (plan), "<memory unit=\"MiB\">1024</memory>"));
  uuid = vireo_install_plan_get_uuid (plan);
  g_assert_true (g_uuid_string_is_valid (uuid));
  uuid_el = g_strdup_printf ("<uuid>%s</uuid>", uuid);
  g_assert_nonnull (strstr (vireo_install_plan_get_install_xml (plan), uuid_el));
  g_assert_nonnull (strstr (vireo_install_plan_get_final_xml (plan), uuid_el));
  g_assert_nonnull (strstr (vireo_install_plan_get_install_xml (plan), "<mac address=\"52:54:00:"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  make_inputs ();

  for (gsize i = 0; i < G_N_ELEMENTS (golden_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/install/plan/golden/%s", golden_cases[i].name);
      g_test_add_data_func (path, &golden_cases[i], test_golden);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/install/plan/error/%s", error_cases[i].name);
      g_test_add_data_func (path, &error_cases[i], test_error);
    }
  g_test_add_func ("/install/plan/defaults", test_defaults);

  return g_test_run ();
}
