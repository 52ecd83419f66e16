/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A host's CD/DVD drives: this computer's found under /dev (block devices
 * sr*, their model from /sys/block), a libvirt host's read from its node
 * devices' XML. */
#include "vireo-config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "vireo-host-drives.h"

static void
test_nodedev (void)
{
  g_autoptr(VireoHostDrive) dvd = vireo_host_drive_from_nodedev (
    "<device><name>block_sr0</name><parent>computer</parent>"
    "<capability type='storage'><block>/dev/sr0</block><bus>ata</bus>"
    "<drive_type>cdrom</drive_type><model> DVD-RW DH16 </model><vendor>HL-DT-ST</vendor>"
    "<capability type='removable'><media_available>1</media_available></capability>"
    "</capability></device>");
  g_autoptr(VireoHostDrive) bare = vireo_host_drive_from_nodedev (
    "<device><name>block_sr1</name><capability type='storage'><block>/dev/sr1</block>"
    "<drive_type>cdrom</drive_type></capability></device>");

  g_assert_nonnull (dvd);
  g_assert_cmpstr (dvd->path, ==, "/dev/sr0");
  g_assert_cmpstr (dvd->label, ==, "/dev/sr0 (HL-DT-ST DVD-RW DH16)");
  g_assert_false (dvd->local);
  g_assert_nonnull (bare);
  g_assert_cmpstr (bare->label, ==, "/dev/sr1");

  /* Not drives: a disk, another kind of device, no block path, a relative
   * path, not XML at all. */
  g_assert_null (vireo_host_drive_from_nodedev (
    "<device><capability type='storage'><block>/dev/sda</block>"
    "<drive_type>disk</drive_type></capability></device>"));
  g_assert_null (vireo_host_drive_from_nodedev (
    "<device><capability type='net'><interface>eth0</interface></capability></device>"));
  g_assert_null (vireo_host_drive_from_nodedev (
    "<device><capability type='storage'><drive_type>cdrom</drive_type></capability></device>"));
  g_assert_null (vireo_host_drive_from_nodedev (
    "<device><capability type='storage'><block>sr0</block><drive_type>cdrom</drive_type></capability></device>"));
  g_assert_null (vireo_host_drive_from_nodedev ("<device"));
  g_assert_null (vireo_host_drive_from_nodedev (NULL));
}

static void
make_block (const char *dev, const char *name, unsigned minor)
{
  g_autofree char *path = g_build_filename (dev, name, NULL);

  if (mknod (path, S_IFBLK | 0600, makedev (11, minor)) != 0)
    g_error ("cannot make the block device %s: %s (this test needs root for mknod)",
             path, g_strerror (errno));
}

static void
write_sys (const char *sys, const char *name, const char *file, const char *text)
{
  g_autofree char *dir = g_build_filename (sys, name, "device", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
test_scan_local (void)
{
  g_autofree char *root = g_dir_make_tmp ("vireo-drives-XXXXXX", NULL);
  g_autofree char *dev = g_build_filename (root, "dev", NULL);
  g_autofree char *sys = g_build_filename (root, "sys", NULL);
  g_autofree char *plain = g_build_filename (dev, "sr9", NULL);
  g_autoptr(GPtrArray) drives = NULL;
  g_autofree char *sr0 = g_build_filename (dev, "sr0", NULL);
  g_autofree char *sr1 = g_build_filename (dev, "sr1", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dev, 0755), ==, 0);
  make_block (dev, "sr1", 1);
  make_block (dev, "sr0", 0);
  make_block (dev, "sda", 2);                       /* not sr* */
  g_assert_true (g_file_set_contents (plain, "", -1, NULL));   /* not a block device */
  write_sys (sys, "sr0", "model", "QEMU DVD-ROM    \n");
  write_sys (sys, "sr0", "vendor", "QEMU    \n");
  write_sys (sys, "sr1", "model", "Slim Drive\n");

  drives = vireo_host_drives_scan_local (dev, sys);
  g_assert_cmpuint (drives->len, ==, 2);
  g_assert_cmpstr (((VireoHostDrive *) drives->pdata[0])->path, ==, sr0);
  g_assert_true (g_str_has_suffix (((VireoHostDrive *) drives->pdata[0])->label, "/sr0 (QEMU QEMU DVD-ROM)"));
  g_assert_true (((VireoHostDrive *) drives->pdata[0])->local);
  g_assert_cmpstr (((VireoHostDrive *) drives->pdata[1])->path, ==, sr1);
  g_assert_true (g_str_has_suffix (((VireoHostDrive *) drives->pdata[1])->label, "/sr1 (Slim Drive)"));
  g_assert_true (vireo_host_drives_find (drives, sr1) == drives->pdata[1]);
  g_assert_null (vireo_host_drives_find (drives, plain));

  /* No /dev at all: no drive, no failure. */
  g_clear_pointer (&drives, g_ptr_array_unref);
  drives = vireo_host_drives_scan_local ("/nonexistent", sys);
  g_assert_cmpuint (drives->len, ==, 0);

  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", root);
    g_assert_cmpint (system (cmd), ==, 0);
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/host-drives/nodedev", test_nodedev);
  g_test_add_func ("/host-drives/scan-local", test_scan_local);
  return g_test_run ();
}
