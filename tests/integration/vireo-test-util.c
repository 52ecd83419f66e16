/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-test-util.h"

static GLogWriterOutput
quiet_writer (GLogLevelFlags   level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  /* Debug and info lines printed from another thread land in the middle of
   * a TAP "ok" line. Keep them only when asked for. */
  if ((level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) != 0 &&
      g_getenv ("VIREO_TEST_DEBUG") == NULL)
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static GLogFunc test_log_handler;

static void
quiet_handler (const char     *domain,
               GLogLevelFlags  level,
               const char     *message,
               gpointer        user_data)
{
  if ((level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) != 0 &&
      g_getenv ("VIREO_TEST_DEBUG") == NULL)
    return;
  test_log_handler (domain, level, message, user_data);
}

void
vireo_test_init (int    *argc,
                 char ***argv)
{
  /* Structured logging goes through the writer; g_log() calls go through
   * the default handler, which GTest replaces with its own. Filter both. */
  g_log_set_writer_func (quiet_writer, NULL, NULL);
  g_test_init (argc, argv, NULL);
  test_log_handler = g_log_set_default_handler (quiet_handler, NULL);
  g_test_set_nonfatal_assertions ();
}

char *
vireo_test_fixture_uri (const char *file)
{
  const char *dir = g_getenv ("VIREO_FIXTURES");
  g_autofree char *path = NULL;

  if (dir == NULL || *dir == '\0')
    g_error ("VIREO_FIXTURES is not set: run the tests with “meson test”, "
             "which points it at tests/fixtures");
  path = g_build_filename (dir, file, NULL);
  if (!g_path_is_absolute (path))
    g_error ("VIREO_FIXTURES must be an absolute path, not “%s”", dir);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    g_error ("fixture %s is missing", path);
  return g_strconcat ("test://", path, NULL);
}

typedef struct {
  gboolean      done;
  GAsyncResult *result;
} Waiter;

static void
waiter_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Waiter *w = user_data;

  w->result = g_object_ref (result);
  w->done = TRUE;
}

static gboolean
waiter_done (gpointer data)
{
  return ((Waiter *) data)->done;
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
vireo_test_wait_until (gboolean (*check) (gpointer data),
                       gpointer  data,
                       guint     timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_cb, &timed_out);

  while (!check (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return check (data);
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

void
vireo_test_spin (guint ms)
{
  vireo_test_wait_until (never, NULL, ms);
}

static GAsyncResult *
wait_result (Waiter     *w,
             const char *what)
{
  if (!vireo_test_wait_until (waiter_done, w, VIREO_TEST_TIMEOUT_S * 1000))
    g_error ("%s did not complete within %d s", what, VIREO_TEST_TIMEOUT_S);
  return w->result;
}

/* Every connection a test opened, so the end of the run can close them and
 * let their last jobs finish: a leak check at exit then sees only real leaks. */
static GPtrArray *opened;

static void
track (VireoConnection *conn)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  if (opened == NULL)
    opened = g_ptr_array_new ();
  g_weak_ref_init (ref, conn);
  g_ptr_array_add (opened, ref);
}

static gboolean
all_finalized (gpointer data)
{
  for (guint i = 0; opened != NULL && i < opened->len; i++)
    {
      g_autoptr(GObject) object = g_weak_ref_get (g_ptr_array_index (opened, i));
      if (object != NULL)
        return FALSE;
    }
  return TRUE;
}

int
vireo_test_run (void)
{
  int ret = g_test_run ();

  for (guint i = 0; opened != NULL && i < opened->len; i++)
    {
      g_autoptr(VireoConnection) conn = g_weak_ref_get (g_ptr_array_index (opened, i));
      if (conn != NULL)
        vireo_connection_close (conn);
    }
  /* Jobs still queued complete on the main context; let them. */
  vireo_test_wait_until (all_finalized, NULL, 10 * 1000);
  vireo_test_spin (100);
  for (guint i = 0; opened != NULL && i < opened->len; i++)
    {
      g_weak_ref_clear (g_ptr_array_index (opened, i));
      g_free (g_ptr_array_index (opened, i));
    }
  g_clear_pointer (&opened, g_ptr_array_unref);
  return ret;
}

VireoConnection *
vireo_test_open (const char *uri,
                 GError    **error)
{
  g_autoptr(VireoConnection) conn = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  Waiter w = { 0 };

  conn = vireo_connection_new (uri, error);
  if (conn == NULL)
    return NULL;
  track (conn);
  /* A failed test open must not keep retrying behind the test's back. */
  vireo_connection_set_auto_reconnect (conn, FALSE);
  vireo_connection_open_async (conn, NULL, waiter_cb, &w);
  result = wait_result (&w, "vireo_connection_open_async");
  vireo_connection_open_finish (conn, result, error);
  return g_steal_pointer (&conn);
}

VireoConnection *
vireo_test_open_ok (const char *uri)
{
  g_autoptr(GError) error = NULL;
  VireoConnection *conn = vireo_test_open (uri, &error);

  if (error != NULL)
    g_error ("opening %s failed: %s", uri, error->message);
  g_assert_nonnull (conn);
  g_assert_cmpint (vireo_connection_get_state (conn), ==, VIREO_CONNECTION_STATE_CONNECTED);
  return conn;
}

gboolean
vireo_test_run_action (VireoDomain       *domain,
                       VireoDomainAction  action,
                       VireoActionFlags   flags,
                       GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  Waiter w = { 0 };

  vireo_domain_run_action_async (domain, action, flags, NULL, waiter_cb, &w);
  result = wait_result (&w, vireo_domain_action_to_verb (action));
  return vireo_domain_run_action_finish (domain, result, error);
}

gboolean
vireo_test_refresh (VireoConnection *conn,
                    GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  Waiter w = { 0 };

  vireo_connection_refresh_async (conn, NULL, waiter_cb, &w);
  result = wait_result (&w, "vireo_connection_refresh_async");
  return vireo_connection_refresh_finish (conn, result, error);
}

VireoPool *
vireo_test_find_pool (VireoConnection *conn,
                      const char      *name)
{
  GListModel *pools = vireo_connection_get_pools (conn);

  for (guint i = 0; i < g_list_model_get_n_items (pools); i++)
    {
      g_autoptr(VireoPool) p = g_list_model_get_item (pools, i);
      if (g_strcmp0 (vireo_pool_get_name (p), name) == 0)
        return p;   /* the model keeps it alive */
    }
  return NULL;
}

VireoNetwork *
vireo_test_find_network (VireoConnection *conn,
                         const char      *name)
{
  GListModel *nets = vireo_connection_get_networks (conn);

  for (guint i = 0; i < g_list_model_get_n_items (nets); i++)
    {
      g_autoptr(VireoNetwork) n = g_list_model_get_item (nets, i);
      if (g_strcmp0 (vireo_network_get_name (n), name) == 0)
        return n;
    }
  return NULL;
}
