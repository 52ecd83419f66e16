/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fetcher and tree detection over NFS with libnfs — no mounting — from
 * an nfs-ganesha server (FSAL VFS) this test starts on 127.0.0.1 with
 * rpcbind. Needs root (ganesha's VFS FSAL uses open_by_handle_at). */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "vireo-types.h"
#include "vireo-fetcher.h"
#include "vireo-tree-info.h"

#define BIG_SIZE (32 * 1024 * 1024)

static char *work_dir;      /* config, logs */
static char *serve_dir;     /* the export: a copy of trees/ plus big.bin */
static char *download_dir;
static GPtrArray *servers;

static const char *
source_root (void)
{
  const char *root = g_getenv ("VIREO_SOURCE_ROOT");

  if (root == NULL)
    g_error ("VIREO_SOURCE_ROOT is not set: run this test through meson");
  return root;
}

/* Servers die with the test, even when an assertion aborts it. */
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

static GSubprocess *
spawn (const char * const *argv,
       const char         *log_path)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GError) error = NULL;
  GSubprocess *proc;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_set_stderr_file_path (launcher, log_path);
  proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (proc == NULL)
    g_error ("cannot start %s: %s", argv[0], error->message);
  g_ptr_array_add (servers, proc);
  return proc;
}

static char *
url_for (const char *tree)
{
  return g_strdup_printf ("nfs://127.0.0.1%s/%s/", serve_dir, tree);
}

static void
start_nfs (void)
{
  g_autofree char *conf = g_build_filename (work_dir, "ganesha.conf", NULL);
  g_autofree char *log = g_build_filename (work_dir, "ganesha.log", NULL);
  g_autofree char *pid = g_build_filename (work_dir, "ganesha.pid", NULL);
  g_autofree char *rpc_log = g_build_filename (work_dir, "rpcbind.log", NULL);
  g_autofree char *config = NULL;
  g_autofree char *probe_url = NULL;
  g_autofree char *ganesha = g_find_program_in_path ("ganesha.nfsd");
  g_autofree char *rpcbind = g_find_program_in_path ("rpcbind");

  if (geteuid () != 0)
    g_error ("this test needs root: nfs-ganesha's VFS export uses file handles only root may open");
  if (ganesha == NULL || !g_file_test ("/usr/lib/x86_64-linux-gnu/ganesha/libfsalvfs.so", G_FILE_TEST_EXISTS))
    g_error ("nfs-ganesha is missing: install nfs-ganesha and nfs-ganesha-vfs (tools/deps/test.txt)");
  if (rpcbind == NULL && !g_file_test ("/usr/sbin/rpcbind", G_FILE_TEST_EXISTS))
    g_error ("rpcbind is missing: install rpcbind (tools/deps/test.txt)");
  if (port_open (2049))
    g_error ("an NFS server already listens on 127.0.0.1:2049; stop it to run this test");

  if (!port_open (111))
    {
      spawn ((const char *[]) { rpcbind ? rpcbind : "/usr/sbin/rpcbind", "-f", "-w", NULL }, rpc_log);
      for (int i = 0; i < 100 && !port_open (111); i++)
        g_usleep (50 * 1000);
      if (!port_open (111))
        g_error ("rpcbind did not start (see %s)", rpc_log);
    }

  config = g_strdup_printf ("NFS_CORE_PARAM {\n"
                            "  Bind_addr = 127.0.0.1;\n"
                            "  Protocols = 3, 4;\n"
                            "  Enable_NLM = false;\n"
                            "  Enable_RQUOTA = false;\n"
                            "}\n"
                            "NFSV4 { Graceless = true; }\n"
                            "EXPORT {\n"
                            "  Export_Id = 77;\n"
                            "  Path = \"%s\";\n"
                            "  Pseudo = \"%s\";\n"
                            "  Access_Type = RO;\n"
                            "  Squash = No_Root_Squash;\n"
                            "  Protocols = 3, 4;\n"
                            "  Transports = TCP;\n"
                            "  SecType = sys;\n"
                            "  FSAL { Name = VFS; }\n"
                            "}\n", serve_dir, serve_dir);
  g_assert_true (g_file_set_contents (conf, config, -1, NULL));
  spawn ((const char *[]) { ganesha, "-F", "-f", conf, "-L", log, "-p", pid, NULL }, log);

  /* Up when a file can be read through libnfs. */
  probe_url = url_for ("fedora-36");
  for (int i = 0; i < 200; i++)
    {
      g_autoptr(VireoFetcher) fetcher = vireo_fetcher_new (probe_url, NULL);
      g_autoptr(GBytes) bytes = NULL;

      if (port_open (2049) &&
          (bytes = vireo_fetcher_fetch_bytes (fetcher, ".treeinfo", 0, NULL, NULL)) != NULL)
        return;
      g_usleep (100 * 1000);
    }
  {
    g_autofree char *contents = NULL;

    g_file_get_contents (log, &contents, NULL, NULL);
    g_error ("nfs-ganesha did not serve %s within 20 s:\n%s", serve_dir, contents ? contents : "");
  }
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

typedef struct {
  const char     *tree;
  const char     *arch;
  VireoTreeLayout layout;
  gboolean        xen;
} RemoteTree;

static const RemoteTree remote_trees[] = {
  { "fedora-36", "x86_64", VIREO_TREE_LAYOUT_TREEINFO, TRUE },
  { "centos-stream-9", "x86_64", VIREO_TREE_LAYOUT_TREEINFO, FALSE },
  { "debian-bookworm", "x86_64", VIREO_TREE_LAYOUT_DEBIAN, TRUE },
  { "debian-bookworm", "i686", VIREO_TREE_LAYOUT_DEBIAN, TRUE },
  { "ubuntu-focal/dists/focal", "x86_64", VIREO_TREE_LAYOUT_UBUNTU, FALSE },
  { "opensuse-leap-15.4", "x86_64", VIREO_TREE_LAYOUT_SUSE, FALSE },
};

static void
test_detect (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (remote_trees); i++)
    {
      const RemoteTree *t = &remote_trees[i];
      g_autofree char *url = url_for (t->tree);
      g_autoptr(VireoFetcher) fetcher = NULL;
      g_autoptr(VireoTreeInfo) info = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) kernel = NULL;
      g_autofree char *dest = g_build_filename (download_dir, "initrd", NULL);
      g_autofree char *contents = NULL;

      g_test_message ("%s (%s)", url, t->arch);
      fetcher = vireo_fetcher_new (url, &error);
      g_assert_no_error (error);
      info = vireo_tree_info_detect (fetcher, t->arch, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (vireo_tree_info_get_layout (info), ==, t->layout);
      g_assert_cmpint (vireo_tree_info_has_xen (info), ==, t->xen);

      kernel = vireo_fetcher_fetch_bytes (fetcher, vireo_tree_info_get_kernel (info), 0, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_str_has_prefix (g_bytes_get_data (kernel, NULL), "FAKEKERNEL"));

      g_assert_true (vireo_fetcher_fetch_to_file (fetcher, vireo_tree_info_get_initrd (info), dest,
                                                  NULL, NULL, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (dest, &contents, NULL, NULL));
      g_assert_true (g_str_has_prefix (contents, "FAKEINITRD"));
      g_unlink (dest);
    }
}

static void
test_not_found (void)
{
  g_autofree char *url = url_for ("fedora-36");
  g_autoptr(VireoFetcher) fetcher = vireo_fetcher_new (url, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(VireoTreeInfo) info = NULL;
  g_autofree char *dest = g_build_filename (download_dir, "k", NULL);
  g_autofree char *expect = g_strdup_printf ("was not found at %simages/missing/vmlinuz", url);

  bytes = vireo_fetcher_fetch_bytes (fetcher, "images/missing/vmlinuz", 0, NULL, &error);
  g_assert_null (bytes);
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND);
  if (strstr (error->message, expect) == NULL)
    g_error ("“%s” lacks “%s”", error->message, expect);
  g_clear_error (&error);

  g_assert_false (vireo_fetcher_exists (fetcher, "images/missing/vmlinuz", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (vireo_fetcher_exists (fetcher, "images/pxeboot/vmlinuz", NULL, &error));
  g_assert_no_error (error);

  g_assert_false (vireo_fetcher_fetch_to_file (fetcher, "images/missing/vmlinuz", dest, NULL, NULL,
                                               NULL, &error));
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND);
  g_assert_cmpuint (count_files (download_dir), ==, 0);
  g_clear_error (&error);

  /* A path outside every export. */
  g_clear_object (&fetcher);
  fetcher = vireo_fetcher_new ("nfs://127.0.0.1/no/such/export/tree/", NULL);
  info = vireo_tree_info_detect (fetcher, "x86_64", NULL, &error);
  g_assert_null (info);
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "The NFS server “127.0.0.1” exports no directory holding"));
  g_clear_error (&error);

  /* Nothing listens on this address's NFS ports. */
  g_clear_object (&fetcher);
  fetcher = vireo_fetcher_new ("nfs://127.0.0.2/tree/", NULL);
  info = vireo_tree_info_detect (fetcher, "x86_64", NULL, &error);
  g_assert_null (info);
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "Could not reach the NFS server “127.0.0.2”"));
}

typedef struct {
  GCancellable *cancellable;
  guint64       seen;
} CancelAt;

static void
cancel_at_progress (guint64 done, guint64 total, gpointer data)
{
  CancelAt *c = data;

  c->seen = done;
  g_assert_cmpuint (total, ==, BIG_SIZE);
  if (done >= 1024 * 1024)
    g_cancellable_cancel (c->cancellable);
}

static void
test_cancel (void)
{
  g_autofree char *url = g_strdup_printf ("nfs://127.0.0.1%s/", serve_dir);
  g_autoptr(VireoFetcher) fetcher = vireo_fetcher_new (url, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dest = g_build_filename (download_dir, "big.bin", NULL);
  CancelAt c = { cancellable, 0 };

  g_assert_false (vireo_fetcher_fetch_to_file (fetcher, "big.bin", dest, cancel_at_progress, &c,
                                               cancellable, &error));
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_CANCELLED);
  g_assert_cmpuint (c.seen, >=, 1024 * 1024);
  g_assert_cmpuint (c.seen, <, BIG_SIZE);
  g_assert_cmpuint (count_files (download_dir), ==, 0);
}

static void
test_full_download (void)
{
  g_autofree char *url = g_strdup_printf ("nfs://127.0.0.1%s/", serve_dir);
  g_autoptr(VireoFetcher) fetcher = vireo_fetcher_new (url, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dest = g_build_filename (download_dir, "big.bin", NULL);
  GStatBuf st;

  g_assert_true (vireo_fetcher_fetch_to_file (fetcher, "big.bin", dest, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (dest, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, BIG_SIZE);
  g_unlink (dest);
}

static void
setup_dirs (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *trees = g_build_filename (source_root (), "tests", "install", "trees", NULL);
  g_autofree char *cmd = NULL;
  g_autofree char *big = NULL;
  int status = 0;
  FILE *f;

  work_dir = g_dir_make_tmp ("vireo-install-nfs-XXXXXX", &error);
  g_assert_no_error (error);
  g_chmod (work_dir, 0755);
  serve_dir = g_build_filename (work_dir, "serve", NULL);
  download_dir = g_build_filename (work_dir, "download", NULL);
  g_assert_cmpint (g_mkdir (serve_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (download_dir, 0755), ==, 0);

  cmd = g_strdup_printf ("cp -a '%s'/. '%s'/", trees, serve_dir);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, &status, &error));
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  big = g_build_filename (serve_dir, "big.bin", NULL);
  f = fopen (big, "wb");
  g_assert_nonnull (f);
  g_assert_cmpint (ftruncate (fileno (f), BIG_SIZE), ==, 0);
  fclose (f);
}

static void
cleanup (void)
{
  /* Newest first: ganesha before the rpcbind it registered with. */
  for (guint i = servers->len; i > 0; i--)
    {
      GSubprocess *proc = g_ptr_array_index (servers, i - 1);

      g_subprocess_send_signal (proc, SIGTERM);
      g_subprocess_wait (proc, NULL, NULL);
    }
  g_ptr_array_unref (servers);

  if (work_dir != NULL)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", work_dir);

      if (system (cmd) != 0)
        g_printerr ("could not remove %s\n", work_dir);
    }
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  servers = g_ptr_array_new_with_free_func (g_object_unref);
  setup_dirs ();
  start_nfs ();

  g_test_add_func ("/install/nfs/detect", test_detect);
  g_test_add_func ("/install/nfs/not-found", test_not_found);
  g_test_add_func ("/install/nfs/full-download", test_full_download);
  g_test_add_func ("/install/nfs/cancel", test_cancel);

  ret = g_test_run ();
  cleanup ();
  return ret;
}
