/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The install runner on the libvirt test driver (test:///default, whose
 * state this process shares with the VireoConnection under test, so what
 * the runner leaves behind can be inspected): every method, HVM and Xen PV,
 * from trees served over HTTP and FTP on 127.0.0.1; bad input and cancels
 * that must leave no volume, no definition and no cached boot file. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "vireo-connection.h"
#include "vireo-installer.h"

#define PYTHON   "/usr/bin/python3"
#define GRUB_ISO "/usr/lib/grub-rescue/grub-rescue-cdrom.iso"
#define BIG_SIZE (24 * 1024 * 1024)
#define SPECIAL_NAME "My VM & <\"x\"> $(rm -rf) 'ü' 虚拟机"

static char *tmp_dir;
static char *serve_dir;
static char *cache_dir;      /* $XDG_CACHE_HOME/vireo/boot */
static GPtrArray *servers;
static guint16 http_port, ftp_port, slow_port;
static VireoConnection *conn;
static virConnectPtr vconn;

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

/* ---- servers ---- */

static guint16
free_port (void)
{
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (sock, any, TRUE, NULL));
  bound = g_socket_get_local_address (sock, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
port_open (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) c = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);

  return c != NULL;
}

static guint16
start_server (const char *what,
              const char *const *argv_tail,
              gboolean    python_module)
{
  guint16 port = free_port ();
  g_autofree char *port_s = g_strdup_printf ("%u", port);
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *proc;

  g_ptr_array_add (argv, (char *) PYTHON);
  for (guint i = 0; argv_tail[i]; i++)
    g_ptr_array_add (argv, g_str_equal (argv_tail[i], "PORT") ? port_s : (char *) argv_tail[i]);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  if (proc == NULL)
    g_error ("cannot start the %s server: %s", what, error->message);
  g_ptr_array_add (servers, proc);
  for (int i = 0; i < 200; i++)
    {
      if (port_open (port))
        return port;
      g_usleep (50 * 1000);
    }
  g_error ("the %s server did not start on 127.0.0.1:%u", what, port);
}

static void
copy_tree (const char *from,
           const char *to)
{
  g_autofree char *cmd = g_strdup_printf ("cp -r '%s' '%s'", from, to);

  g_assert_cmpint (system (cmd), ==, 0);
}

static void
make_serve_dir (void)
{
  g_autofree char *trees = g_build_filename (source_root (), "tests", "install", "trees", NULL);
  g_autofree char *bookworm = g_build_filename (trees, "debian-bookworm", NULL);
  g_autofree char *arm = g_build_filename (trees, "arm-only", NULL);
  g_autofree char *big = g_build_filename (serve_dir, "debian-big", NULL);
  g_autofree char *spaced = g_build_filename (serve_dir, "tree with spaces & ü", NULL);
  g_autofree char *nokernel = g_build_filename (serve_dir, "debian-nokernel", NULL);
  g_autofree char *kernel = NULL;
  g_autofree char *zeros = g_malloc0 (BIG_SIZE);

  g_assert_cmpint (g_mkdir_with_parents (serve_dir, 0755), ==, 0);
  copy_tree (bookworm, serve_dir);
  copy_tree (arm, serve_dir);
  copy_tree (bookworm, big);
  copy_tree (bookworm, spaced);
  copy_tree (bookworm, nokernel);
  {
    /* A tree whose MANIFEST names a kernel the server does not have (404). */
    g_autofree char *gone = g_build_filename (nokernel, "dists", "bookworm", "main", "installer-i386",
                                              "current", "images", "netboot", "debian-installer",
                                              "i386", "linux", NULL);
    g_assert_cmpint (g_unlink (gone), ==, 0);
  }
  /* A kernel big enough to cancel while it downloads from the slow server. */
  kernel = g_build_filename (big, "dists", "bookworm", "main", "installer-i386", "current",
                             "images", "netboot", "debian-installer", "i386", "linux", NULL);
  g_assert_true (g_file_set_contents (kernel, zeros, BIG_SIZE, NULL));
}

static void
start_servers (void)
{
  g_autofree char *slow = g_build_filename (source_root (), "tests", "install", "slow-http.py", NULL);
  const char *http[] = { "-m", "http.server", "PORT", "--bind", "127.0.0.1", "--directory", serve_dir, NULL };
  const char *ftp[] = { "-m", "pyftpdlib", "-i", "127.0.0.1", "-p", "PORT", "-d", serve_dir, NULL };
  const char *slow_argv[] = { slow, "PORT", serve_dir, NULL };

  if (!g_file_test (PYTHON, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("%s is missing: install python3 (tools/deps/test.txt)", PYTHON);
  http_port = start_server ("HTTP", http, TRUE);
  ftp_port = start_server ("FTP (python3-pyftpdlib)", ftp, TRUE);
  slow_port = start_server ("slow HTTP", slow_argv, FALSE);
}

/* ---- helpers ---- */

static void
wait_for (gboolean *flag)
{
  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
}

static void
open_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;

  if (!vireo_connection_open_finish (VIREO_CONNECTION (source), result, &error))
    g_error ("cannot open test:///default: %s", error->message);
  *(gboolean *) data = TRUE;
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;
  const char *name;

  while (d && (name = g_dir_read_name (d)) != NULL)
    {
      g_test_message ("left in %s: %s", dir, name);
      n++;
    }
  return n;
}

static gboolean
volume_exists (const char *name)
{
  virStoragePoolPtr *pools = NULL;
  int n = virConnectListAllStoragePools (vconn, &pools, 0);
  gboolean found = FALSE;

  for (int i = 0; i < n; i++)
    {
      virStorageVolPtr vol = virStorageVolLookupByName (pools[i], name);
      if (vol != NULL)
        {
          found = TRUE;
          virStorageVolFree (vol);
        }
      virStoragePoolFree (pools[i]);
    }
  free (pools);
  virResetLastError ();
  return found;
}

/* Nothing of the VM `name` is left: definition, volume, cached boot file. */
static void
assert_nothing_left (const char *name)
{
  virDomainPtr dom = virDomainLookupByName (vconn, name);
  g_autofree char *volume = g_strdup_printf ("%s.qcow2", name);

  if (dom != NULL)
    g_error ("the VM “%s” was left defined", name);
  g_assert_false (volume_exists (volume));
  g_assert_cmpuint (count_files (cache_dir), ==, 0);
  /* The connection's list drops the VM once its own lookup (on a worker,
   * asked by the installer's clean-up) finds it gone: soon, not at once. */
  {
    gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (vireo_connection_find_domain (conn, name) != NULL && g_get_monotonic_time () < end)
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (10000);
  }
  g_assert_null (vireo_connection_find_domain (conn, name));
}

static void
validate_xml (const char *xml)
{
  g_autofree char *path = g_build_filename (tmp_dir, "domain.xml", NULL);
  g_autofree char *out = NULL, *err = NULL;
  const char *argv[] = { "virt-xml-validate", path, "domain", NULL };
  int status = 0;
  g_autofree char *program = g_find_program_in_path ("virt-xml-validate");

  if (program == NULL)
    g_error ("virt-xml-validate is missing: install libvirt-clients");
  g_assert_true (g_file_set_contents (path, xml, -1, NULL));
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, &status, NULL));
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("the XML does not pass virt-xml-validate:\n%s%s\n%s", out, err, xml);
}

static void
refresh_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_assert_true (vireo_connection_refresh_finish (VIREO_CONNECTION (source), result, NULL));
  *(gboolean *) data = TRUE;
}

/* Removes a VM the runner made, with its disk. */
static void
remove_vm (const char *name)
{
  virDomainPtr dom = virDomainLookupByName (vconn, name);
  g_autofree char *volume = g_strdup_printf ("%s.qcow2", name);
  virStoragePoolPtr pool = virStoragePoolLookupByName (vconn, "default");

  if (dom != NULL)
    {
      if (virDomainIsActive (dom) == 1)
        virDomainDestroy (dom);
      virDomainUndefine (dom);
      virDomainFree (dom);
    }
  if (pool != NULL)
    {
      virStorageVolPtr vol = virStorageVolLookupByName (pool, volume);
      if (vol != NULL)
        {
          virStorageVolDelete (vol, 0);
          virStorageVolFree (vol);
        }
      virStoragePoolFree (pool);
    }
  virResetLastError ();
  /* Let the connection see it go. */
  {
    gboolean done = FALSE;
    vireo_connection_refresh_async (conn, NULL, refresh_cb, &done);
    wait_for (&done);
  }
  g_assert_null (vireo_connection_find_domain (conn, name));
}

typedef struct {
  gboolean      done;
  VireoDomain  *domain;
  GError       *error;
  /* cancel when this step is reached (STEP_NONE: never) */
  VireoInstallStep cancel_at;
  gboolean      cancel_at_progress;   /* …and some bytes arrived */
  GCancellable *cancellable;
  GPtrArray    *steps;                /* texts seen */
} Run;

static void
run_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Run *r = data;

  r->domain = vireo_installer_run_finish (VIREO_INSTALLER (source), result, &r->error);
  r->done = TRUE;
}

static void
on_progress (VireoInstaller *installer,
             Run            *r)
{
  const char *text = vireo_installer_get_step_text (installer);
  VireoInstallStep step = vireo_installer_get_step (installer);

  if (text != NULL && (r->steps->len == 0 ||
                       !g_str_equal (g_ptr_array_index (r->steps, r->steps->len - 1), text)))
    g_ptr_array_add (r->steps, g_strdup (text));
  if (r->cancel_at != VIREO_INSTALL_STEP_NONE && step == r->cancel_at &&
      (!r->cancel_at_progress || vireo_installer_get_fraction (installer) > 0.05))
    g_cancellable_cancel (r->cancellable);
}

/* Runs the plan; returns the VM, or NULL with `error` set. */
static VireoDomain *
run_plan (VireoInstallPlan *plan,
          gboolean          start,
          gboolean          wait,
          VireoInstallStep  cancel_at,
          gboolean          cancel_at_progress,
          const char       *final_xml,
          GError          **error)
{
  g_autoptr(VireoInstaller) installer = vireo_installer_new (conn, plan);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Run r = { FALSE, NULL, NULL, cancel_at, cancel_at_progress, cancellable,
            g_ptr_array_new_with_free_func (g_free) };

  vireo_installer_set_start (installer, start);
  vireo_installer_set_wait_for_install (installer, wait);
  vireo_installer_set_final_xml (installer, final_xml);
  g_signal_connect (installer, "progress", G_CALLBACK (on_progress), &r);
  vireo_installer_run_async (installer, cancellable, run_cb, &r);
  wait_for (&r.done);
  g_signal_handlers_disconnect_by_data (installer, &r);
  for (guint i = 0; i < r.steps->len; i++)
    g_test_message ("step: %s", (char *) g_ptr_array_index (r.steps, i));
  g_ptr_array_unref (r.steps);
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return r.domain;
}

/* ---- every method ---- */

typedef enum { SRC_ISO, SRC_CDROM, SRC_HTTP, SRC_FTP, SRC_PXE, SRC_IMPORT, SRC_KERNEL,
               SRC_LOCAL_SPECIAL, SRC_HTTP_SPECIAL } SourceKind;

typedef struct {
  const char *path;
  const char *name;
  SourceKind  source;
  gboolean    paravirt;
} MethodCase;

static const MethodCase method_cases[] = {
  { "/install/installer/iso-hvm", "vireo-run-iso", SRC_ISO, FALSE },
  { "/install/installer/cdrom-hvm", "vireo-run-cdrom", SRC_CDROM, FALSE },
  { "/install/installer/http-hvm", "vireo-run-http", SRC_HTTP, FALSE },
  { "/install/installer/http-pv", "vireo-run-http-pv", SRC_HTTP, TRUE },
  { "/install/installer/ftp-hvm", "vireo-run-ftp", SRC_FTP, FALSE },
  { "/install/installer/ftp-pv", "vireo-run-ftp-pv", SRC_FTP, TRUE },
  { "/install/installer/pxe-hvm", "vireo-run-pxe", SRC_PXE, FALSE },
  { "/install/installer/import-hvm", "vireo-run-import", SRC_IMPORT, FALSE },
  { "/install/installer/import-pv", "vireo-run-import-pv", SRC_IMPORT, TRUE },
  { "/install/installer/kernel-hvm", "vireo-run-kernel", SRC_KERNEL, FALSE },
  { "/install/installer/kernel-pv", "vireo-run-kernel-pv", SRC_KERNEL, TRUE },
  /* Names and paths users type: spaces, XML and shell specials, non-ASCII. */
  { "/install/installer/special-local-pv", SPECIAL_NAME, SRC_LOCAL_SPECIAL, TRUE },
  { "/install/installer/special-http-hvm", SPECIAL_NAME " 2", SRC_HTTP_SPECIAL, FALSE },
};

static VireoInstallSource *
make_source (SourceKind kind)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *kernel = g_build_filename (tmp_dir, "vmlinuz & co", NULL);
  g_autofree char *initrd = g_build_filename (tmp_dir, "initrd ü.img", NULL);
  g_autofree char *disk = g_build_filename (tmp_dir, "disk image & <co> ü.qcow2", NULL);
  g_autofree char *url = NULL;
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
    case SRC_HTTP:
    case SRC_FTP:
      url = g_strdup_printf ("%s://127.0.0.1:%u/debian-bookworm/", kind == SRC_HTTP ? "http" : "ftp",
                             kind == SRC_HTTP ? http_port : ftp_port);
      src = vireo_install_source_new_url (url, "priority=low console=\"ttyS0\" & <x>", &error);
      break;
    case SRC_HTTP_SPECIAL:
      url = g_strdup_printf ("http://127.0.0.1:%u/tree%%20with%%20spaces%%20%%26%%20%%C3%%BC/",
                             http_port);
      src = vireo_install_source_new_url (url, NULL, &error);
      break;
    case SRC_LOCAL_SPECIAL:
      url = g_build_filename (serve_dir, "tree with spaces & ü", NULL);
      src = vireo_install_source_new_url (url, NULL, &error);
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
      src = vireo_install_source_new_kernel (kernel, initrd, "console=hvc0 x='a b'", &error);
      break;
    default:
      g_assert_not_reached ();
    }
  g_assert_no_error (error);
  return src;
}

static VireoInstallPlan *
make_plan (const char *name,
           SourceKind  kind,
           gboolean    paravirt)
{
  g_autoptr(VireoInstallSource) src = make_source (kind);
  VireoInstallPlan *plan = vireo_install_plan_new (src);

  vireo_install_plan_set_name (plan, name);
  vireo_install_plan_set_paravirt (plan, paravirt);
  vireo_install_plan_set_memory_mib (plan, 512);
  if (kind != SRC_IMPORT)
    vireo_install_plan_set_disk_new (plan, "default", 4);
  vireo_install_plan_set_network_virtual (plan, "default");
  return plan;
}

static void
test_method (gconstpointer data)
{
  const MethodCase *c = data;
  g_autoptr(VireoInstallPlan) plan = make_plan (c->name, c->source, c->paravirt);
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoDomain) domain = run_plan (plan, TRUE, FALSE, VIREO_INSTALL_STEP_NONE, FALSE,
                                            NULL, &error);
  virDomainPtr dom;
  char *inactive, *live;
  g_autofree char *want_type = g_strdup_printf (">%s</type>", c->paravirt ? "xen" : "hvm");

  if (domain == NULL)
    g_error ("%s: %s", c->name, error->message);
  g_assert_cmpstr (vireo_domain_get_name (domain), ==, c->name);
  g_assert_true (vireo_domain_get_persistent (domain));

  dom = virDomainLookupByName (vconn, c->name);
  g_assert_nonnull (dom);
  g_assert_cmpint (virDomainIsActive (dom), ==, 1);
  g_assert_cmpint (virDomainIsPersistent (dom), ==, 1);

  /* The definition that stays is the final one, and valid. */
  inactive = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
  validate_xml (inactive);
  g_assert_nonnull (strstr (inactive, want_type));
  g_assert_null (strstr (inactive, "<kernel>"));
  g_assert_nonnull (strstr (inactive, "<on_reboot>restart</on_reboot>"));
  /* The running one is the install phase (an import has none). */
  live = virDomainGetXMLDesc (dom, 0);
  if (c->source != SRC_IMPORT)
    g_assert_nonnull (strstr (live, "<on_reboot>destroy</on_reboot>"));
  if (c->source == SRC_HTTP || c->source == SRC_FTP || c->source == SRC_KERNEL ||
      c->source == SRC_HTTP_SPECIAL || c->source == SRC_LOCAL_SPECIAL)
    g_assert_nonnull (strstr (live, "<kernel>"));
  free (inactive);
  free (live);
  virDomainFree (dom);

  if (c->source != SRC_IMPORT)
    {
      g_autofree char *volume = g_strdup_printf ("%s.qcow2", c->name);
      g_assert_true (volume_exists (volume));
    }
  /* The fetched boot files went once the guest had started. */
  g_assert_cmpuint (count_files (cache_dir), ==, 0);

  remove_vm (c->name);
}

/* ---- unattended ---- */

typedef struct {
  VireoInstallPlan *plan;
  char             *initrd;     /* its contents when the guest was about to start */
  gsize             length;
} InitrdGrab;

static void
grab_initrd (VireoInstaller *installer,
             InitrdGrab     *g)
{
  const char *xml = vireo_install_plan_get_install_xml (g->plan);
  const char *start, *end;
  g_autofree char *path = NULL;

  if (g->initrd != NULL || vireo_installer_get_step (installer) != VIREO_INSTALL_STEP_START || xml == NULL)
    return;
  /* The host reads the cached initrd (test:///default is this computer). */
  start = strstr (xml, "<initrd>");
  end = start ? strstr (start, "</initrd>") : NULL;
  g_assert_nonnull (end);
  path = g_strndup (start + 8, end - start - 8);
  g_assert_true (g_file_get_contents (path, &g->initrd, &g->length, NULL));
}

/* The files of a newc cpio archive: name → contents. */
static GHashTable *
cpio_files (const guint8 *data,
            gsize         length)
{
  GHashTable *files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  gsize at = 0;

  while (at + 110 <= length && memcmp (data + at, "070701", 6) == 0)
    {
      char field[9] = { 0 };
      guint32 size, name_size;
      g_autofree char *name = NULL;

      memcpy (field, data + at + 54, 8);
      size = strtoul (field, NULL, 16);
      memcpy (field, data + at + 94, 8);
      name_size = strtoul (field, NULL, 16);
      g_assert_cmpuint (at + 110 + name_size, <=, length);
      name = g_strndup ((const char *) data + at + 110, name_size - 1);
      at = (at + 110 + name_size + 3) & ~(gsize) 3;
      g_assert_cmpuint (at + size, <=, length);
      if (g_str_equal (name, "TRAILER!!!"))
        break;
      g_hash_table_insert (files, g_steal_pointer (&name), g_strndup ((const char *) data + at, size));
      at = (at + size + 3) & ~(gsize) 3;
    }
  return files;
}

/* An unattended install from a tree: the installer's initrd the guest gets
 * is the tree's with a gzip'd cpio appended, holding the OS's answers file
 * (Debian: preseed.cfg) with the user, time zone and host name. */
static void
test_unattended (void)
{
  g_autoptr(VireoInstallPlan) plan = make_plan ("vireo-run-unattended", SRC_HTTP, FALSE);
  g_autoptr(VireoUnattended) answers = vireo_unattended_new ("alice", "s3cret pass");
  g_autoptr(VireoInstaller) installer = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *tree_initrd_path = NULL;
  g_autofree char *tree_initrd = NULL;
  gsize tree_length;
  const char *debian_arch;
  g_autoptr(GZlibDecompressor) gunzip = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr(GInputStream) packed = NULL;
  g_autoptr(GInputStream) unpacked = NULL;
  g_autoptr(GBytes) archive = NULL;
  g_autoptr(GHashTable) files = NULL;
  g_autoptr(GError) error = NULL;
  InitrdGrab g = { plan, NULL, 0 };
  Run r = { FALSE, NULL, NULL, VIREO_INSTALL_STEP_NONE, FALSE, cancellable,
            g_ptr_array_new_with_free_func (g_free) };
  const char *preseed;

  vireo_unattended_set_timezone (answers, "Europe/Paris");
  vireo_unattended_set_hostname (answers, "web1");
  vireo_install_plan_set_unattended (plan, answers);

  installer = vireo_installer_new (conn, plan);
  g_signal_connect (installer, "progress", G_CALLBACK (on_progress), &r);
  g_signal_connect (installer, "progress", G_CALLBACK (grab_initrd), &g);
  vireo_installer_run_async (installer, cancellable, run_cb, &r);
  wait_for (&r.done);
  g_signal_handlers_disconnect_by_data (installer, &r);
  g_signal_handlers_disconnect_by_data (installer, &g);
  g_ptr_array_unref (r.steps);
  if (r.domain == NULL)
    g_error ("unattended: %s", r.error->message);
  g_clear_object (&r.domain);

  /* The tree's initrd (for the arch the test host runs: i686 for
   * test:///default), then our archive. */
  g_assert_nonnull (g.initrd);
  debian_arch = strstr (vireo_install_plan_get_install_xml (plan), "arch=\"x86_64\"") ? "amd64" : "i386";
  tree_initrd_path = g_strdup_printf ("%s/tests/install/trees/debian-bookworm/dists/bookworm/main/"
                                      "installer-%s/current/images/netboot/debian-installer/%s/initrd.gz",
                                      source_root (), debian_arch, debian_arch);
  g_assert_true (g_file_get_contents (tree_initrd_path, &tree_initrd, &tree_length, NULL));
  g_assert_cmpuint (g.length, >, tree_length);
  g_assert_cmpmem (g.initrd, tree_length, tree_initrd, tree_length);
  g_assert_cmpint ((guint8) g.initrd[tree_length], ==, 0x1f);
  g_assert_cmpint ((guint8) g.initrd[tree_length + 1], ==, 0x8b);

  packed = g_memory_input_stream_new_from_data (g.initrd + tree_length, g.length - tree_length, NULL);
  unpacked = g_converter_input_stream_new (packed, G_CONVERTER (gunzip));
  archive = g_input_stream_read_bytes (unpacked, 1024 * 1024, NULL, &error);
  g_assert_no_error (error);
  files = cpio_files (g_bytes_get_data (archive, NULL), g_bytes_get_size (archive));
  preseed = g_hash_table_lookup (files, "preseed.cfg");
  g_assert_nonnull (preseed);
  g_test_message ("preseed.cfg: %zu bytes", strlen (preseed));
  g_assert_nonnull (strstr (preseed, "passwd/username string alice"));
  g_assert_nonnull (strstr (preseed, "Europe/Paris"));
  g_assert_nonnull (strstr (preseed, "web1"));
  /* The password is in it (the installer needs it), in no log. */
  g_assert_nonnull (strstr (preseed, "s3cret pass"));
  g_assert_cmpuint (count_files (cache_dir), ==, 0);

  g_free (g.initrd);
  remove_vm ("vireo-run-unattended");
}

/* Answers the engine refuses before anything is made. */
static void
test_unattended_refused (void)
{
  struct { SourceKind kind; const char *user; const char *zone; const char *want; } cases[] = {
    { SRC_ISO, "alice", NULL, "needs a network install tree" },
    { SRC_HTTP, "Alice Smith", NULL, "is not a user name the installer accepts" },
    { SRC_HTTP, "root", NULL, "cannot be “root”" },
    { SRC_HTTP, "alice", "Mars/Olympus_Mons", "is not a time zone" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(VireoInstallPlan) plan = make_plan ("vireo-run-unattended-bad", cases[i].kind, FALSE);
      g_autoptr(VireoUnattended) answers = vireo_unattended_new (cases[i].user, "pw");
      g_autoptr(GError) error = NULL;
      g_autoptr(VireoDomain) domain = NULL;

      vireo_unattended_set_timezone (answers, cases[i].zone);
      vireo_install_plan_set_unattended (plan, answers);
      domain = run_plan (plan, TRUE, FALSE, VIREO_INSTALL_STEP_NONE, FALSE, NULL, &error);
      g_assert_null (domain);
      g_assert_nonnull (error);
      g_test_message ("%s: %s", cases[i].user, error->message);
      g_assert_nonnull (strstr (error->message, cases[i].want));
      g_assert_null (vireo_connection_find_domain (conn, "vireo-run-unattended-bad"));
      g_assert_false (volume_exists ("vireo-run-unattended-bad.qcow2"));
      g_assert_cmpuint (count_files (cache_dir), ==, 0);
    }
}

/* --wait: the runner sees the install phase end, and starts the VM again
 * from its final definition. */
static guint end_source;

static gboolean
end_install_phase (gpointer data)
{
  virDomainPtr dom = virDomainLookupByName (vconn, data);

  if (dom == NULL || virDomainIsActive (dom) != 1)
    {
      if (dom)
        virDomainFree (dom);
      return G_SOURCE_CONTINUE;
    }
  /* What the installer's reboot does with on_reboot=destroy. */
  g_assert_cmpint (virDomainDestroy (dom), ==, 0);
  virDomainFree (dom);
  end_source = 0;
  return G_SOURCE_REMOVE;
}

static void
test_wait (void)
{
  const char *name = "vireo-run-wait";
  g_autoptr(VireoInstallPlan) plan = make_plan (name, SRC_HTTP, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoDomain) domain = NULL;
  virDomainPtr dom;
  char *live;

  end_source = g_timeout_add (300, end_install_phase, (gpointer) name);
  domain = run_plan (plan, TRUE, TRUE, VIREO_INSTALL_STEP_NONE, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (end_source, ==, 0);
  dom = virDomainLookupByName (vconn, name);
  g_assert_cmpint (virDomainIsActive (dom), ==, 1);
  live = virDomainGetXMLDesc (dom, 0);
  /* Running from the final definition now. */
  g_assert_nonnull (strstr (live, "<on_reboot>restart</on_reboot>"));
  g_assert_null (strstr (live, "<kernel>"));
  free (live);
  virDomainFree (dom);
  remove_vm (name);
}

/* set_start (FALSE): defined, nothing fetched or started. */
static void
test_no_start (void)
{
  const char *name = "vireo-run-no-start";
  g_autoptr(VireoInstallPlan) plan = make_plan (name, SRC_HTTP, TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoDomain) domain = run_plan (plan, FALSE, FALSE, VIREO_INSTALL_STEP_NONE, FALSE,
                                            NULL, &error);
  virDomainPtr dom;

  g_assert_no_error (error);
  dom = virDomainLookupByName (vconn, name);
  g_assert_nonnull (dom);
  g_assert_cmpint (virDomainIsActive (dom), ==, 0);
  virDomainFree (dom);
  g_assert_cmpuint (count_files (cache_dir), ==, 0);
  remove_vm (name);
}

/* ---- bad input: a clear message, nothing left behind ---- */

typedef struct {
  const char *path;
  const char *expect;        /* in the message */
  SourceKind  source;
  gboolean    paravirt;
  const char *url_tree;      /* for SRC_HTTP: another tree */
  guint       disk_gib;
  guint       memory_mib;
  const char *name;
} BadCase;

static const BadCase bad_cases[] = {
  { "/install/installer/bad/no-tree", "No install tree was found", SRC_HTTP, FALSE, "nothing-here", 4, 512, NULL },
  { "/install/installer/bad/404", "names a boot file that is not there", SRC_HTTP, FALSE, "debian-nokernel", 4, 512, NULL },
  { "/install/installer/bad/unreachable", "Could not reach the host", SRC_HTTP, FALSE, "UNREACHABLE", 4, 512, NULL },
  { "/install/installer/bad/no-kernel-for-arch", "has no kernel for the i686 architecture", SRC_HTTP, FALSE, "arm-only", 4, 512, NULL },
  { "/install/installer/bad/pv-from-iso", "cannot install from an ISO", SRC_ISO, TRUE, NULL, 4, 512, NULL },
  { "/install/installer/bad/duplicate-name", "already exists", SRC_ISO, FALSE, NULL, 4, 512, "test" },
  { "/install/installer/bad/disk-too-large", "larger than the free space", SRC_ISO, FALSE, NULL, 400, 512, NULL },
  { "/install/installer/bad/memory-above-host", "more than the host has", SRC_HTTP, FALSE, NULL, 4, 64 * 1024, NULL },
};

static void
test_bad (gconstpointer data)
{
  const BadCase *c = data;
  const char *name = c->name ? c->name : "vireo-run-bad";
  g_autoptr(VireoInstallSource) src = NULL;
  g_autoptr(VireoInstallPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoDomain) domain = NULL;

  if (c->source == SRC_HTTP && c->url_tree != NULL)
    {
      g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/%s/",
                                              g_str_equal (c->url_tree, "UNREACHABLE") ? free_port ()
                                                                                       : http_port,
                                              c->url_tree);
      src = vireo_install_source_new_url (url, NULL, &error);
      g_assert_no_error (error);
    }
  else
    src = make_source (c->source);
  plan = vireo_install_plan_new (src);
  vireo_install_plan_set_name (plan, name);
  vireo_install_plan_set_paravirt (plan, c->paravirt);
  vireo_install_plan_set_memory_mib (plan, c->memory_mib);
  vireo_install_plan_set_disk_new (plan, "default", c->disk_gib);
  vireo_install_plan_set_network_virtual (plan, "default");

  domain = run_plan (plan, TRUE, FALSE, VIREO_INSTALL_STEP_NONE, FALSE, NULL, &error);
  g_assert_null (domain);
  g_assert_nonnull (error);
  g_test_message ("message: %s", error->message);
  if (strstr (error->message, c->expect) == NULL)
    g_error ("“%s” lacks “%s”", error->message, c->expect);
  if (c->name == NULL)
    assert_nothing_left (name);
  else
    g_assert_cmpuint (count_files (cache_dir), ==, 0);
}

/* A failure after the disk was made (the host refuses the definition):
 * the disk and the fetched boot files go again. */
static void
test_late_failure (void)
{
  const char *name = "vireo-run-late";
  g_autoptr(VireoInstallPlan) plan = make_plan (name, SRC_HTTP, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoDomain) domain = NULL;
  g_autofree char *bad = NULL;

  vireo_install_plan_set_uuid (plan, "5c0ffee0-1234-4321-8888-0123456789ab");
  /* Its name and UUID, but a document the driver refuses. */
  bad = g_strdup_printf ("<domain type='test'><name>%s</name>"
                         "<uuid>5c0ffee0-1234-4321-8888-0123456789ab</uuid>"
                         "<memory>x</memory><os><type>hvm</type></os></domain>", name);
  domain = run_plan (plan, TRUE, FALSE, VIREO_INSTALL_STEP_NONE, FALSE, bad, &error);
  g_assert_null (domain);
  g_assert_nonnull (error);
  g_test_message ("message: %s", error->message);
  g_assert_nonnull (strstr (error->message, "The host refused the VM’s configuration"));
  assert_nothing_left (name);
}

/* An edited final XML that is another VM is refused before anything. */
static void
test_final_xml_mismatch (void)
{
  const char *name = "vireo-run-mismatch";
  g_autoptr(VireoInstallPlan) plan = make_plan (name, SRC_ISO, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoDomain) domain = NULL;

  domain = run_plan (plan, TRUE, FALSE, VIREO_INSTALL_STEP_NONE, FALSE,
                     "<domain type='test'><name>other</name></domain>", &error);
  g_assert_null (domain);
  g_assert_nonnull (strstr (error->message, "must keep the VM’s name"));
  assert_nothing_left (name);
}

/* ---- cancelling ---- */

static void
cancel_case (const char      *name,
             const char      *url,
             VireoInstallStep step,
             gboolean         at_progress)
{
  g_autoptr(VireoInstallSource) src = vireo_install_source_new_url (url, NULL, NULL);
  g_autoptr(VireoInstallPlan) plan = vireo_install_plan_new (src);
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoDomain) domain = NULL;
  gint64 started = g_get_monotonic_time ();

  vireo_install_plan_set_name (plan, name);
  vireo_install_plan_set_memory_mib (plan, 512);
  vireo_install_plan_set_disk_new (plan, "default", 4);
  vireo_install_plan_set_network_virtual (plan, "default");
  domain = run_plan (plan, TRUE, FALSE, step, at_progress, NULL, &error);
  g_assert_null (domain);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      !g_error_matches (error, VIREO_ERROR, VIREO_ERROR_CANCELLED))
    g_error ("expected a cancel, got: %s", error ? error->message : "(nothing)");
  /* The slow server takes ~8 s for the whole kernel: cancel cut it short. */
  if (at_progress)
    g_assert_cmpint (g_get_monotonic_time () - started, <, 6 * G_USEC_PER_SEC);
  assert_nothing_left (name);
}

static void
test_cancel_download (void)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/debian-big/", slow_port);
  cancel_case ("vireo-run-cancel-download", url, VIREO_INSTALL_STEP_DOWNLOAD, TRUE);
}

static void
test_cancel_after_define (void)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/debian-bookworm/", http_port);
  /* Asked while the definition is being made: it is made, then undone. */
  cancel_case ("vireo-run-cancel-define", url, VIREO_INSTALL_STEP_DEFINE, FALSE);
}

static void
test_cancel_disk (void)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/debian-bookworm/", http_port);
  cancel_case ("vireo-run-cancel-disk", url, VIREO_INSTALL_STEP_CREATE_DISK, FALSE);
}

/* ---- host capabilities for the wizard ---- */

static void
caps_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoHostCaps) caps = vireo_install_query_host_caps_finish (VIREO_CONNECTION (source),
                                                                        result, &error);

  g_assert_no_error (error);
  g_assert_true (vireo_host_caps_offers_paravirt_choice (caps));
  *(gboolean *) data = TRUE;
}

static void
test_host_caps (void)
{
  gboolean done = FALSE;

  vireo_install_query_host_caps_async (conn, NULL, caps_cb, &done);
  wait_for (&done);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cache_home = NULL;
  gboolean opened = FALSE;
  int ret;

  g_test_init (&argc, &argv, NULL);
  virSetErrorFunc (NULL, ignore_libvirt_errors);

  tmp_dir = g_dir_make_tmp ("vireo-installer-XXXXXX", &error);
  g_assert_no_error (error);
  serve_dir = g_build_filename (tmp_dir, "serve", NULL);
  cache_home = g_build_filename (tmp_dir, "cache", NULL);
  g_setenv ("XDG_CACHE_HOME", cache_home, TRUE);
  cache_dir = g_build_filename (cache_home, "vireo", "boot", NULL);
  g_assert_cmpint (g_mkdir_with_parents (cache_dir, 0700), ==, 0);

  servers = g_ptr_array_new_with_free_func (g_object_unref);
  make_serve_dir ();
  start_servers ();

  vireo_core_init ();
  conn = vireo_connection_new ("test:///default", &error);
  g_assert_no_error (error);
  vireo_connection_set_stats_interval (conn, 0);
  vireo_connection_open_async (conn, NULL, open_cb, &opened);
  wait_for (&opened);
  /* The same in-process driver: what the runner makes is visible here. */
  vconn = virConnectOpen ("test:///default");
  g_assert_nonnull (vconn);

  g_test_add_func ("/install/installer/host-caps", test_host_caps);
  for (gsize i = 0; i < G_N_ELEMENTS (method_cases); i++)
    g_test_add_data_func (method_cases[i].path, &method_cases[i], test_method);
  g_test_add_func ("/install/installer/wait", test_wait);
  g_test_add_func ("/install/installer/unattended", test_unattended);
  g_test_add_func ("/install/installer/unattended-refused", test_unattended_refused);
  g_test_add_func ("/install/installer/no-start", test_no_start);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    g_test_add_data_func (bad_cases[i].path, &bad_cases[i], test_bad);
  g_test_add_func ("/install/installer/bad/late-failure", test_late_failure);
  g_test_add_func ("/install/installer/bad/final-xml-mismatch", test_final_xml_mismatch);
  g_test_add_func ("/install/installer/cancel/download", test_cancel_download);
  g_test_add_func ("/install/installer/cancel/disk", test_cancel_disk);
  g_test_add_func ("/install/installer/cancel/after-define", test_cancel_after_define);

  ret = g_test_run ();

  vireo_connection_close (conn);
  g_clear_object (&conn);
  virConnectClose (vconn);
  for (guint i = 0; i < servers->len; i++)
    g_subprocess_force_exit (g_ptr_array_index (servers, i));
  g_ptr_array_unref (servers);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp_dir);
    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", tmp_dir);
  }
  g_free (tmp_dir);
  g_free (serve_dir);
  g_free (cache_dir);
  return ret;
}
