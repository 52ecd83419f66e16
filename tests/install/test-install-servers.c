/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fetcher and tree detection against real servers on 127.0.0.1 that
 * this test starts: python3's http.server, pyftpdlib for FTP, and a slow
 * HTTP server of our own (slow-http.py) for cancelling mid-download. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "vireo-types.h"
#include "vireo-fetcher.h"
#include "vireo-tree-info.h"
#include "vireo-os-guess.h"

#define PYTHON "/usr/bin/python3"
#define BIG_SIZE (32 * 1024 * 1024)

static char *serve_dir;     /* a copy of trees/ plus big.bin */
static char *download_dir;
static char *log_dir;
static GPtrArray *servers;  /* GSubprocess */
static guint16 http_port, ftp_port, slow_port, https_port;

static const char *
source_root (void)
{
  const char *root = g_getenv ("VIREO_SOURCE_ROOT");

  if (root == NULL)
    g_error ("VIREO_SOURCE_ROOT is not set: run this test through meson");
  return root;
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_socket_bind (sock, any, TRUE, &error));
  bound = g_socket_get_local_address (sock, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
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

static void
start_server (const char *what,
              guint16     port,
              const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autofree char *log_name = g_strdup_printf ("%u.log", port);
  g_autofree char *log_path = g_build_filename (log_dir, log_name, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  GSubprocess *proc;

  /* Servers log every request: to a file, never to a pipe nobody drains. */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_set_stderr_file_path (launcher, log_path);
  proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (proc == NULL)
    g_error ("cannot start the %s server (%s): %s", what, argv[0], error->message);
  g_ptr_array_add (servers, proc);

  for (int i = 0; i < 200; i++)
    {
      if (port_open (port))
        return;
      if (g_subprocess_get_identifier (proc) == NULL)   /* it exited */
        break;
      g_usleep (50 * 1000);
      /* Let GSubprocess notice an early exit. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }

  g_subprocess_force_exit (proc);
  g_file_get_contents (log_path, &log, NULL, NULL);
  g_error ("the %s server did not start on 127.0.0.1:%u: %s", what, port, log ? log : "");
}

static void
start_servers (void)
{
  g_autofree char *port_s = NULL;
  g_autofree char *slow_py = g_build_filename (source_root (), "tests", "install", "slow-http.py", NULL);
  const char *check_ftp[] = { PYTHON, "-c", "import pyftpdlib", NULL };
  int status = 0;

  if (!g_file_test (PYTHON, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("%s is missing: install python3 (tools/deps/test.txt)", PYTHON);

  http_port = free_port ();
  port_s = g_strdup_printf ("%u", http_port);
  start_server ("HTTP", http_port, (const char *[]) {
    PYTHON, "-m", "http.server", port_s, "--bind", "127.0.0.1", "--directory", serve_dir, NULL });

  g_spawn_sync (NULL, (char **) check_ftp, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s cannot import pyftpdlib: install python3-pyftpdlib (tools/deps/test.txt)", PYTHON);
  ftp_port = free_port ();
  g_free (port_s);
  port_s = g_strdup_printf ("%u", ftp_port);
  start_server ("FTP", ftp_port, (const char *[]) {
    PYTHON, "-m", "pyftpdlib", "-i", "127.0.0.1", "-p", port_s, "-d", serve_dir, NULL });

  slow_port = free_port ();
  g_free (port_s);
  port_s = g_strdup_printf ("%u", slow_port);
  start_server ("slow HTTP", slow_port, (const char *[]) { PYTHON, slow_py, port_s, serve_dir, NULL });

  /* HTTPS with a self-signed certificate nobody trusts. */
  {
    g_autofree char *cert = g_build_filename (log_dir, "cert.pem", NULL);
    g_autofree char *key = g_build_filename (log_dir, "key.pem", NULL);
    g_autofree char *openssl = g_find_program_in_path ("openssl");
    const char *argv[] = { openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                           "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert, NULL };
    int st = 0;

    if (openssl == NULL)
      g_error ("openssl is missing: install openssl (tools/deps/test.txt)");
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL |
                                 G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &st, NULL));
    g_assert_true (g_spawn_check_wait_status (st, NULL));
    https_port = free_port ();
    g_free (port_s);
    port_s = g_strdup_printf ("%u", https_port);
    start_server ("HTTPS", https_port, (const char *[]) {
      PYTHON, slow_py, port_s, serve_dir, "--tls", cert, key, NULL });
  }
}

static char *
url_for (const char *scheme,
         const char *tree)
{
  return g_strdup_printf ("%s://127.0.0.1:%u/%s/", scheme,
                          g_str_equal (scheme, "ftp") ? ftp_port : http_port, tree);
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

/* ---- detection over the network ---- */

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
  { "debian-bookworm/dists/bookworm/main/installer-amd64", "x86_64", VIREO_TREE_LAYOUT_DEBIAN, TRUE },
  { "ubuntu-focal/dists/focal", "x86_64", VIREO_TREE_LAYOUT_UBUNTU, FALSE },
  { "opensuse-leap-15.4", "x86_64", VIREO_TREE_LAYOUT_SUSE, FALSE },
};

static void
detect_over (const char *scheme)
{
  for (gsize i = 0; i < G_N_ELEMENTS (remote_trees); i++)
    {
      const RemoteTree *t = &remote_trees[i];
      g_autofree char *url = url_for (scheme, t->tree);
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
      g_assert_cmpstr (vireo_tree_info_get_url (info), ==, url);

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

static void test_http_detect (void) { detect_over ("http"); }
static void test_ftp_detect (void) { detect_over ("ftp"); }

/* Debian 12 over HTTP: the fallback OS, with its reason. */
static void
test_http_bookworm_os (void)
{
  g_autofree char *url = url_for ("http", "debian-bookworm");
  g_autoptr(VireoFetcher) fetcher = vireo_fetcher_new (url, NULL);
  g_autoptr(VireoTreeInfo) info = vireo_tree_info_detect (fetcher, "x86_64", NULL, NULL);
  g_autoptr(VireoOsGuess) guess = NULL;

  g_assert_nonnull (info);
  guess = vireo_os_guess_for_tree (info);
  g_assert_cmpstr (vireo_os_guess_get_distro (guess), ==, "debian");
  g_assert_nonnull (vireo_os_guess_get_fallback_reason (guess));
  g_assert_nonnull (strstr (vireo_os_guess_get_fallback_reason (guess), "bookworm"));
}

static void
test_not_a_tree (void)
{
  const char *schemes[] = { "http", "ftp" };

  for (gsize i = 0; i < G_N_ELEMENTS (schemes); i++)
    {
      g_autofree char *url = url_for (schemes[i], "not-a-tree");
      g_autoptr(VireoFetcher) fetcher = vireo_fetcher_new (url, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(VireoTreeInfo) info = vireo_tree_info_detect (fetcher, "x86_64", NULL, &error);

      g_assert_null (info);
      g_assert_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND);
      g_assert_nonnull (strstr (error->message, "No install tree was found at"));
    }
}

/* ---- errors ---- */

static void
test_not_found (void)
{
  const char *schemes[] = { "http", "ftp" };

  for (gsize i = 0; i < G_N_ELEMENTS (schemes); i++)
    {
      g_autofree char *url = url_for (schemes[i], "fedora-36");
      g_autoptr(VireoFetcher) fetcher = vireo_fetcher_new (url, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autofree char *dest = g_build_filename (download_dir, "missing-kernel", NULL);
      g_autofree char *expect = g_strdup_printf ("“images/missing/vmlinuz” was not found at %simages/missing/vmlinuz",
                                                 url);

      bytes = vireo_fetcher_fetch_bytes (fetcher, "images/missing/vmlinuz", 0, NULL, &error);
      g_assert_null (bytes);
      g_assert_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND);
      if (strstr (error->message, expect) == NULL)
        g_error ("“%s” lacks “%s”", error->message, expect);
      g_clear_error (&error);

      g_assert_false (vireo_fetcher_exists (fetcher, "images/missing/vmlinuz", NULL, &error));
      g_assert_no_error (error);
      g_assert_true (vireo_fetcher_exists (fetcher, "images/pxeboot/vmlinuz", NULL, &error));

      /* A failed download leaves nothing behind. */
      g_assert_false (vireo_fetcher_fetch_to_file (fetcher, "images/missing/vmlinuz", dest,
                                                   NULL, NULL, NULL, &error));
      g_assert_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND);
      g_assert_cmpuint (count_files (download_dir), ==, 0);
    }
}

static void
test_unreachable (void)
{
  guint16 closed = free_port ();   /* nothing listens there */
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/tree/", closed);
  g_autoptr(VireoFetcher) fetcher = vireo_fetcher_new (url, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoTreeInfo) info = vireo_tree_info_detect (fetcher, "x86_64", NULL, &error);

  g_assert_null (info);
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "Could not reach the host “127.0.0.1”"));
}

static void
test_unresolvable (void)
{
  g_autoptr(VireoFetcher) fetcher = vireo_fetcher_new ("http://vireo-test.invalid/tree/", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = vireo_fetcher_fetch_bytes (fetcher, ".treeinfo", 0, NULL, &error);

  g_assert_null (bytes);
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "The host “vireo-test.invalid” could not be found"));
}

static void
test_https_untrusted (void)
{
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u/fedora-36/", https_port);
  g_autoptr(VireoFetcher) fetcher = vireo_fetcher_new (url, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoTreeInfo) info = vireo_tree_info_detect (fetcher, "x86_64", NULL, &error);

  g_assert_null (info);
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "The secure connection to “127.0.0.1” failed"));
}

/* Cancelled before it starts: no request is made. */
static void
test_detect_cancelled (void)
{
  g_autofree char *url = url_for ("http", "fedora-36");
  g_autoptr(VireoFetcher) fetcher = vireo_fetcher_new (url, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoTreeInfo) info = NULL;

  g_cancellable_cancel (cancellable);
  info = vireo_tree_info_detect (fetcher, "x86_64", cancellable, &error);
  g_assert_null (info);
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_CANCELLED);
}

/* ---- cancellation ---- */

typedef struct {
  GCancellable *cancellable;
  guint64       cancel_at;
  guint64       seen;
} CancelAt;

static void
cancel_at_progress (guint64 done, guint64 total, gpointer data)
{
  CancelAt *c = data;

  c->seen = done;
  if (done >= c->cancel_at)
    g_cancellable_cancel (c->cancellable);
}

static void
cancel_sync_over (const char *scheme)
{
  g_autofree char *url = g_strdup_printf ("%s://127.0.0.1:%u/", scheme,
                                          g_str_equal (scheme, "ftp") ? ftp_port : http_port);
  g_autoptr(VireoFetcher) fetcher = vireo_fetcher_new (url, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dest = g_build_filename (download_dir, "big.bin", NULL);
  CancelAt c = { cancellable, 1024 * 1024, 0 };

  g_assert_false (vireo_fetcher_fetch_to_file (fetcher, "big.bin", dest, cancel_at_progress, &c,
                                               cancellable, &error));
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_CANCELLED);
  g_assert_cmpuint (c.seen, >=, 1024 * 1024);
  g_assert_cmpuint (c.seen, <, BIG_SIZE);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_files (download_dir), ==, 0);
}

static void test_http_cancel_sync (void) { cancel_sync_over ("http"); }
static void test_ftp_cancel_sync (void) { cancel_sync_over ("ftp"); }

typedef struct {
  GCancellable *cancellable;
  guint         progress_signals;
  guint64       last_done;
  guint64       last_total;
  gboolean      finished;
  GError       *error;
  gboolean      cancel_on_progress;
} AsyncState;

static void
on_progress (VireoFetcher *fetcher,
             const char   *relative,
             guint64       done,
             guint64       total,
             gpointer      data)
{
  AsyncState *s = data;

  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  s->progress_signals++;
  s->last_done = done;
  s->last_total = total;
  if (s->cancel_on_progress && done > 0)
    g_cancellable_cancel (s->cancellable);
}

static void
on_fetched (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  AsyncState *s = data;

  vireo_fetcher_fetch_to_file_finish (VIREO_FETCHER (source), result, &s->error);
  s->finished = TRUE;
}

/* Cancelled from the main loop while the slow server is still sending:
 * the download stops and its partial file is gone. */
static void
test_http_cancel_async (void)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/", slow_port);
  g_autoptr(VireoFetcher) fetcher = vireo_fetcher_new (url, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *dest = g_build_filename (download_dir, "big.bin", NULL);
  AsyncState s = { cancellable, 0, 0, 0, FALSE, NULL, TRUE };

  g_signal_connect (fetcher, "progress", G_CALLBACK (on_progress), &s);
  vireo_fetcher_fetch_to_file_async (fetcher, "big.bin", dest, cancellable, on_fetched, &s);
  while (!s.finished)
    g_main_context_iteration (NULL, TRUE);

  g_assert_error (s.error, VIREO_ERROR, VIREO_ERROR_CANCELLED);
  g_clear_error (&s.error);
  g_assert_cmpuint (s.progress_signals, >=, 1);
  g_assert_cmpuint (s.last_done, <, BIG_SIZE);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_files (download_dir), ==, 0);
}

/* A complete async download reports progress ending at the full size. */
static void
test_http_fetch_async (void)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/", http_port);
  g_autoptr(VireoFetcher) fetcher = vireo_fetcher_new (url, NULL);
  g_autofree char *dest = g_build_filename (download_dir, "big.bin", NULL);
  AsyncState s = { NULL, 0, 0, 0, FALSE, NULL, FALSE };
  GStatBuf st;

  g_signal_connect (fetcher, "progress", G_CALLBACK (on_progress), &s);
  vireo_fetcher_fetch_to_file_async (fetcher, "big.bin", dest, NULL, on_fetched, &s);
  while (!s.finished)
    g_main_context_iteration (NULL, TRUE);
  /* The last progress report may be queued just behind the result. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_assert_no_error (s.error);
  g_assert_cmpint (g_stat (dest, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, BIG_SIZE);
  g_assert_cmpuint (s.progress_signals, >=, 1);
  g_assert_cmpuint (s.last_done, ==, BIG_SIZE);
  g_assert_cmpuint (s.last_total, ==, BIG_SIZE);
  g_unlink (dest);
}

/* A kernel and its initrd, all or nothing. */
typedef struct {
  GPtrArray    *names;      /* relative paths seen in "progress" */
  GCancellable *cancellable;
  const char   *cancel_on;  /* cancel when this file starts */
  gboolean      finished;
  GError       *error;
} FilesState;

static void
on_files_progress (VireoFetcher *fetcher,
                   const char   *relative,
                   guint64       done,
                   guint64       total,
                   gpointer      data)
{
  FilesState *s = data;

  if (s->names->len == 0 || !g_str_equal (g_ptr_array_index (s->names, s->names->len - 1), relative))
    g_ptr_array_add (s->names, g_strdup (relative));
  if (s->cancel_on && g_str_equal (relative, s->cancel_on))
    g_cancellable_cancel (s->cancellable);
}

static void
on_files_fetched (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  FilesState *s = data;

  vireo_fetcher_fetch_files_finish (VIREO_FETCHER (source), result, &s->error);
  s->finished = TRUE;
}

static void
run_fetch_files (guint16       port,
                 const char   *tree,
                 const char  **relatives,
                 const char  **dests,
                 FilesState   *s)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/%s", port, tree);
  g_autoptr(VireoFetcher) fetcher = vireo_fetcher_new (url, NULL);

  g_signal_connect (fetcher, "progress", G_CALLBACK (on_files_progress), s);
  vireo_fetcher_fetch_files_async (fetcher, relatives, dests, s->cancellable, on_files_fetched, s);
  while (!s->finished)
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_http_fetch_files (void)
{
  g_autofree char *kernel = g_build_filename (download_dir, "vmlinuz", NULL);
  g_autofree char *initrd = g_build_filename (download_dir, "initrd.img", NULL);
  const char *dests[] = { kernel, initrd, NULL };
  const char *good[] = { "images/pxeboot/vmlinuz", "images/pxeboot/initrd.img", NULL };
  const char *bad[] = { "images/pxeboot/vmlinuz", "images/pxeboot/missing.img", NULL };
  g_autofree char *slow_dest = g_build_filename (download_dir, "big.bin", NULL);
  const char *slow_dests[] = { kernel, slow_dest, NULL };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *contents = NULL;
  FilesState s = { g_ptr_array_new_with_free_func (g_free), NULL, NULL, FALSE, NULL };

  run_fetch_files (http_port, "fedora-36", good, dests, &s);
  g_assert_no_error (s.error);
  g_assert_true (g_file_get_contents (initrd, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "FAKEINITRD-fedora");
  g_assert_cmpuint (s.names->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (s.names, 1), ==, "images/pxeboot/initrd.img");
  g_unlink (kernel);
  g_unlink (initrd);

  /* The second is missing: the first goes too. */
  s.finished = FALSE;
  run_fetch_files (http_port, "fedora-36", bad, dests, &s);
  g_assert_error (s.error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND);
  g_clear_error (&s.error);
  g_assert_cmpuint (count_files (download_dir), ==, 0);

  /* Cancelled during the second, from the slow server's root. */
  s.finished = FALSE;
  s.cancellable = cancellable;
  s.cancel_on = "big.bin";
  {
    const char *rels[] = { "fedora-36/images/pxeboot/vmlinuz", "big.bin", NULL };

    run_fetch_files (slow_port, "", rels, slow_dests, &s);
  }
  g_assert_error (s.error, VIREO_ERROR, VIREO_ERROR_CANCELLED);
  g_clear_error (&s.error);
  g_assert_cmpuint (count_files (download_dir), ==, 0);
  g_ptr_array_unref (s.names);
}

/* ---- set-up ---- */

static void
make_serve_dir (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *trees = g_build_filename (source_root (), "tests", "install", "trees", NULL);
  g_autofree char *big = NULL;
  g_autofree char *cmd = NULL;
  int status = 0;
  FILE *f;

  serve_dir = g_dir_make_tmp ("vireo-install-serve-XXXXXX", &error);
  g_assert_no_error (error);
  download_dir = g_dir_make_tmp ("vireo-install-download-XXXXXX", &error);
  g_assert_no_error (error);
  log_dir = g_dir_make_tmp ("vireo-install-logs-XXXXXX", &error);
  g_assert_no_error (error);
  g_chmod (serve_dir, 0755);

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
  for (guint i = 0; servers && i < servers->len; i++)
    {
      GSubprocess *proc = g_ptr_array_index (servers, i);

      g_subprocess_send_signal (proc, SIGTERM);
      g_subprocess_wait (proc, NULL, NULL);
    }
  g_clear_pointer (&servers, g_ptr_array_unref);

  if (serve_dir != NULL)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s' '%s' '%s'", serve_dir, download_dir, log_dir);

      if (system (cmd) != 0)
        g_printerr ("could not remove %s\n", serve_dir);
    }
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  servers = g_ptr_array_new_with_free_func (g_object_unref);
  make_serve_dir ();
  start_servers ();

  g_test_add_func ("/install/servers/http/detect", test_http_detect);
  g_test_add_func ("/install/servers/ftp/detect", test_ftp_detect);
  g_test_add_func ("/install/servers/http/bookworm-os", test_http_bookworm_os);
  g_test_add_func ("/install/servers/not-a-tree", test_not_a_tree);
  g_test_add_func ("/install/servers/not-found", test_not_found);
  g_test_add_func ("/install/servers/unreachable", test_unreachable);
  g_test_add_func ("/install/servers/unresolvable", test_unresolvable);
  g_test_add_func ("/install/servers/https-untrusted", test_https_untrusted);
  g_test_add_func ("/install/servers/detect-cancelled", test_detect_cancelled);
  g_test_add_func ("/install/servers/http/fetch-async", test_http_fetch_async);
  g_test_add_func ("/install/servers/http/cancel-sync", test_http_cancel_sync);
  g_test_add_func ("/install/servers/ftp/cancel-sync", test_ftp_cancel_sync);
  g_test_add_func ("/install/servers/http/cancel-async", test_http_cancel_async);
  g_test_add_func ("/install/servers/http/fetch-files", test_http_fetch_files);

  ret = g_test_run ();
  cleanup ();
  return ret;
}
