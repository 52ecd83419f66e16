/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Lifecycle actions through vireo_domain_run_action_async on the test
 * driver, the state they leave, the events they raise and the list models.
 * Each test opens a fresh connection: a test:/// file is a fresh host per
 * connection, so tests do not see each other's changes. */
#include <string.h>

#include "vireo-connection.h"
#include "vireo-test-util.h"

#define GiB (G_GUINT64_CONSTANT (1) << 30)

typedef struct {
  VireoConnection *conn;
  GPtrArray       *events;       /* "name:what" from domain-event */
  guint            state_notifies;
  gboolean         off_main_thread;
  guint            removed;      /* items-changed removals on the domain list */
  guint            added;
} Fixture;

static GThread *main_thread;

static void
on_domain_event (VireoConnection *conn,
                 VireoDomain     *domain,
                 const char      *what,
                 Fixture         *f)
{
  if (g_thread_self () != main_thread)
    f->off_main_thread = TRUE;
  g_assert_true (VIREO_IS_DOMAIN (domain));
  g_assert_nonnull (what);
  g_ptr_array_add (f->events, g_strdup_printf ("%s:%s", vireo_domain_get_name (domain), what));
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Fixture    *f)
{
  if (g_thread_self () != main_thread)
    f->off_main_thread = TRUE;
  f->removed += removed;
  f->added += added;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *uri = vireo_test_fixture_uri ("node.xml");

  f->conn = vireo_test_open_ok (uri);
  f->events = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->conn, "domain-event", G_CALLBACK (on_domain_event), f);
  g_signal_connect (vireo_connection_get_domains (f->conn), "items-changed",
                    G_CALLBACK (on_items_changed), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_signal_handlers_disconnect_by_data (vireo_connection_get_domains (f->conn), f);
  g_signal_handlers_disconnect_by_data (f->conn, f);
  vireo_connection_close (f->conn);
  g_clear_object (&f->conn);
  g_ptr_array_unref (f->events);
  g_assert_false (f->off_main_thread);
}

static VireoDomain *
get (Fixture    *f,
     const char *name)
{
  VireoDomain *d = vireo_connection_find_domain (f->conn, name);

  if (d == NULL)
    g_error ("fixture VM %s is not listed", name);
  return d;
}

static void
on_state_notify (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

/* Runs an action that must succeed, and checks that notify::state came if
 * the state changed. */
static void
act_ok (Fixture          *f,
        const char       *name,
        VireoDomainAction action,
        VireoActionFlags  flags)
{
  VireoDomain *d = get (f, name);
  g_autoptr(VireoDomain) keep = g_object_ref (d);
  g_autoptr(GError) error = NULL;
  guint notifies = 0;
  VireoDomainState before = vireo_domain_get_state (d);
  gulong id;

  g_test_message ("%s %s", vireo_domain_action_to_verb (action), name);
  g_assert_true (vireo_domain_can (d, action));
  id = g_signal_connect (d, "notify::state", G_CALLBACK (on_state_notify), &notifies);
  if (!vireo_test_run_action (d, action, flags, &error))
    g_error ("%s %s failed: %s", vireo_domain_action_to_verb (action), name,
             error ? error->message : "(no error set)");
  g_assert_no_error (error);
  if (vireo_domain_get_state (d) != before)
    g_assert_cmpuint (notifies, >=, 1);
  g_signal_handler_disconnect (d, id);
}

typedef struct {
  VireoDomain     *domain;
  VireoDomainState state;
} StateWait;

static gboolean
reached_state (gpointer data)
{
  StateWait *w = data;
  return vireo_domain_get_state (w->domain) == w->state;
}

/* The action completed; the state must be (or, for an ACPI request, soon
 * become) `state`. */
static void
assert_state (Fixture         *f,
              const char      *name,
              VireoDomainState state)
{
  StateWait w = { get (f, name), state };

  if (!vireo_test_wait_until (reached_state, &w, 5000))
    g_error ("%s is %s, expected %s", name,
             vireo_domain_state_to_string (vireo_domain_get_state (w.domain)),
             vireo_domain_state_to_string (state));
  if (vireo_domain_state_is_active (state))
    g_assert_cmpint (vireo_domain_get_id (w.domain), >, 0);
  else
    g_assert_cmpint (vireo_domain_get_id (w.domain), ==, -1);
}

static gboolean
saw_event_for (Fixture    *f,
               const char *name)
{
  g_autofree char *prefix = g_strconcat (name, ":", NULL);

  for (guint i = 0; i < f->events->len; i++)
    if (g_str_has_prefix (f->events->pdata[i], prefix))
      return TRUE;
  return FALSE;
}

typedef struct {
  Fixture    *f;
  const char *name;
} EventWait;

static gboolean
event_arrived (gpointer data)
{
  EventWait *w = data;
  return saw_event_for (w->f, w->name);
}

static void
assert_event (Fixture    *f,
              const char *name)
{
  EventWait w = { f, name };

  if (!vireo_test_wait_until (event_arrived, &w, 5000))
    {
      g_autofree char *all = NULL;
      g_ptr_array_add (f->events, NULL);
      all = g_strjoinv (", ", (char **) f->events->pdata);
      g_ptr_array_remove_index (f->events, f->events->len - 1);
      g_error ("no domain-event for %s arrived within 5 s (events: %s)", name, all);
    }
}

/* ---- each action ---- */

static void
test_start (Fixture *f, gconstpointer data)
{
  act_ok (f, "build-1", VIREO_DOMAIN_ACTION_START, 0);
  assert_state (f, "build-1", VIREO_DOMAIN_STATE_RUNNING);
  assert_event (f, "build-1");
  g_assert_false (vireo_domain_can (get (f, "build-1"), VIREO_DOMAIN_ACTION_START));
  g_assert_true (vireo_domain_can (get (f, "build-1"), VIREO_DOMAIN_ACTION_PAUSE));
}

static void
test_start_xen_pv (Fixture *f, gconstpointer data)
{
  act_ok (f, "xenpv-2", VIREO_DOMAIN_ACTION_START, 0);
  assert_state (f, "xenpv-2", VIREO_DOMAIN_STATE_RUNNING);
  if (g_strcmp0 (vireo_domain_get_os_type (get (f, "xenpv-2")), "xen") != 0)
    g_test_fail_printf ("xenpv-2 is a Xen PV guest (<os><type>xen</type>) but its os type reads “%s” "
                        "(the libvirt backend uses virDomainGetOSType(), which the test driver "
                        "answers “linux”)", vireo_domain_get_os_type (get (f, "xenpv-2")));
}

static void
test_pause_resume (Fixture *f, gconstpointer data)
{
  act_ok (f, "web-1", VIREO_DOMAIN_ACTION_PAUSE, 0);
  assert_state (f, "web-1", VIREO_DOMAIN_STATE_PAUSED);
  assert_event (f, "web-1");
  act_ok (f, "web-1", VIREO_DOMAIN_ACTION_RESUME, 0);
  assert_state (f, "web-1", VIREO_DOMAIN_STATE_RUNNING);
  /* The fixture's paused VM resumes too. */
  act_ok (f, "db-1", VIREO_DOMAIN_ACTION_RESUME, 0);
  assert_state (f, "db-1", VIREO_DOMAIN_STATE_RUNNING);
  assert_event (f, "db-1");
}

static void
test_shutdown (Fixture *f, gconstpointer data)
{
  act_ok (f, "web-1", VIREO_DOMAIN_ACTION_SHUTDOWN, 0);
  assert_state (f, "web-1", VIREO_DOMAIN_STATE_SHUTOFF);
  assert_event (f, "web-1");
  /* Still defined, still listed. */
  g_assert_true (vireo_domain_get_persistent (get (f, "web-1")));
  g_assert_cmpuint (f->removed, ==, 0);
}

static void
test_shutdown_transient (Fixture *f, gconstpointer data)
{
  guint n = g_list_model_get_n_items (vireo_connection_get_domains (f->conn));

  /* A transient VM that stops is gone: it leaves the list. */
  act_ok (f, "transient-1", VIREO_DOMAIN_ACTION_FORCE_OFF, 0);
  {
    GListModel *model = vireo_connection_get_domains (f->conn);
    guint i;
    for (i = 0; i < 50 && g_list_model_get_n_items (model) == n; i++)
      vireo_test_spin (100);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, n - 1);
  }
  g_assert_null (vireo_connection_find_domain (f->conn, "transient-1"));
  g_assert_cmpuint (f->removed, >=, 1);
}

static void
test_reboot (Fixture *f, gconstpointer data)
{
  act_ok (f, "web-2", VIREO_DOMAIN_ACTION_REBOOT, 0);
  assert_state (f, "web-2", VIREO_DOMAIN_STATE_RUNNING);
}

static void
test_reset (Fixture *f, gconstpointer data)
{
  act_ok (f, "web-2", VIREO_DOMAIN_ACTION_RESET, 0);
  assert_state (f, "web-2", VIREO_DOMAIN_STATE_RUNNING);
}

static void
test_force_off (Fixture *f, gconstpointer data)
{
  act_ok (f, "web-2", VIREO_DOMAIN_ACTION_FORCE_OFF, 0);
  assert_state (f, "web-2", VIREO_DOMAIN_STATE_SHUTOFF);
  assert_event (f, "web-2");
  /* Paused ones can be forced off as well. */
  act_ok (f, "db-1", VIREO_DOMAIN_ACTION_FORCE_OFF, 0);
  assert_state (f, "db-1", VIREO_DOMAIN_STATE_SHUTOFF);
  g_assert_true (vireo_domain_can (get (f, "db-1"), VIREO_DOMAIN_ACTION_START));
}

static void
test_save_restore (Fixture *f, gconstpointer data)
{
  VireoDomain *d = get (f, "web-1");

  act_ok (f, "web-1", VIREO_DOMAIN_ACTION_SAVE, 0);
  assert_state (f, "web-1", VIREO_DOMAIN_STATE_SHUTOFF);
  g_assert_true (vireo_domain_get_has_managed_save (d));
  g_assert_true (vireo_domain_can (d, VIREO_DOMAIN_ACTION_RESTORE));
  assert_event (f, "web-1");

  act_ok (f, "web-1", VIREO_DOMAIN_ACTION_RESTORE, 0);
  assert_state (f, "web-1", VIREO_DOMAIN_STATE_RUNNING);
  g_assert_false (vireo_domain_get_has_managed_save (d));
  g_assert_false (vireo_domain_can (d, VIREO_DOMAIN_ACTION_RESTORE));
}

static void
test_save_paused (Fixture *f, gconstpointer data)
{
  act_ok (f, "db-1", VIREO_DOMAIN_ACTION_SAVE, 0);
  assert_state (f, "db-1", VIREO_DOMAIN_STATE_SHUTOFF);
  g_assert_true (vireo_domain_get_has_managed_save (get (f, "db-1")));
}

static void
test_restore_fixture_image (Fixture *f, gconstpointer data)
{
  act_ok (f, "saved-1", VIREO_DOMAIN_ACTION_RESTORE, 0);
  assert_state (f, "saved-1", VIREO_DOMAIN_STATE_RUNNING);
  g_assert_false (vireo_domain_get_has_managed_save (get (f, "saved-1")));
  assert_event (f, "saved-1");
}

static void
test_autostart (Fixture *f, gconstpointer data)
{
  VireoDomain *d = get (f, "build-1");

  act_ok (f, "build-1", VIREO_DOMAIN_ACTION_AUTOSTART_ON, 0);
  g_assert_true (vireo_domain_get_autostart (d));
  g_assert_false (vireo_domain_can (d, VIREO_DOMAIN_ACTION_AUTOSTART_ON));
  g_assert_true (vireo_domain_can (d, VIREO_DOMAIN_ACTION_AUTOSTART_OFF));
  /* It survives a full re-read of the host. */
  {
    g_autoptr(GError) error = NULL;
    g_assert_true (vireo_test_refresh (f->conn, &error));
    g_assert_no_error (error);
    g_assert_true (vireo_domain_get_autostart (get (f, "build-1")));
  }
  act_ok (f, "build-1", VIREO_DOMAIN_ACTION_AUTOSTART_OFF, 0);
  g_assert_false (vireo_domain_get_autostart (get (f, "build-1")));
  /* On a running VM too. */
  act_ok (f, "web-1", VIREO_DOMAIN_ACTION_AUTOSTART_ON, 0);
  g_assert_true (vireo_domain_get_autostart (get (f, "web-1")));
  assert_state (f, "web-1", VIREO_DOMAIN_STATE_RUNNING);
}

static void
test_delete (Fixture *f, gconstpointer data)
{
  GListModel *model = vireo_connection_get_domains (f->conn);
  guint n = g_list_model_get_n_items (model);
  guint64 avail_default = vireo_pool_get_available (vireo_test_find_pool (f->conn, "default"));
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoDomain) d = g_object_ref (get (f, "build-1"));

  act_ok (f, "build-1", VIREO_DOMAIN_ACTION_DELETE, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n - 1);
  g_assert_cmpuint (f->removed, ==, 1);
  g_assert_null (vireo_connection_find_domain (f->conn, "build-1"));
  g_assert_null (vireo_connection_find_domain (f->conn, "6e7a3c1e-0004-4d5b-9a8e-000000000004"));
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(VireoDomain) other = g_list_model_get_item (model, i);
      g_assert_true (other != d);
    }
  assert_event (f, "build-1");

  /* A re-read agrees, and brings nothing back. */
  g_assert_true (vireo_test_refresh (f->conn, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n - 1);
  g_assert_null (vireo_connection_find_domain (f->conn, "build-1"));

  /* web-1's disk is a volume in "default"; deleting web-1 without
   * REMOVE_STORAGE must leave it alone. */
  act_ok (f, "web-1", VIREO_DOMAIN_ACTION_FORCE_OFF, 0);
  act_ok (f, "web-1", VIREO_DOMAIN_ACTION_DELETE, 0);
  g_assert_null (vireo_connection_find_domain (f->conn, "web-1"));
  g_assert_true (vireo_test_refresh (f->conn, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (vireo_pool_get_available (vireo_test_find_pool (f->conn, "default")), ==, avail_default);
}

static void
test_delete_with_storage (Fixture *f, gconstpointer data)
{
  GListModel *model = vireo_connection_get_domains (f->conn);
  guint n = g_list_model_get_n_items (model);
  VireoPool *images = vireo_test_find_pool (f->conn, "images");
  guint64 before;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (images);
  before = vireo_pool_get_available (images);
  g_assert_cmpuint (before, ==, 97 * GiB);

  act_ok (f, "scratch-1", VIREO_DOMAIN_ACTION_DELETE, VIREO_ACTION_FLAGS_REMOVE_STORAGE);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n - 1);
  g_assert_null (vireo_connection_find_domain (f->conn, "scratch-1"));

  /* The pool list shows the volume gone: its 2 GiB are free again. The pool
   * model is what the core offers to see storage; re-read it. */
  g_assert_true (vireo_test_refresh (f->conn, &error));
  g_assert_no_error (error);
  images = vireo_test_find_pool (f->conn, "images");
  g_assert_nonnull (images);
  if (vireo_pool_get_available (images) != before + 2 * GiB)
    g_test_fail_printf ("after delete --remove-storage of scratch-1, pool “images” has %"
                        G_GUINT64_FORMAT " bytes free, expected %" G_GUINT64_FORMAT
                        " (scratch-1.qcow2, 2 GiB, still allocated: the volume was not removed)",
                        vireo_pool_get_available (images), before + 2 * GiB);
  /* The other volume of the pool is untouched: exactly 2 GiB came back. */
}

/* ---- not allowed ---- */

typedef struct {
  const char       *name;
  VireoDomainAction action;
} Refused;

static const Refused refused[] = {
  { "web-1",       VIREO_DOMAIN_ACTION_START },          /* already running */
  { "db-1",        VIREO_DOMAIN_ACTION_START },          /* paused */
  { "db-1",        VIREO_DOMAIN_ACTION_PAUSE },          /* already paused */
  { "build-1",     VIREO_DOMAIN_ACTION_PAUSE },          /* off */
  { "web-1",       VIREO_DOMAIN_ACTION_RESUME },         /* not paused */
  { "build-1",     VIREO_DOMAIN_ACTION_RESUME },
  { "build-1",     VIREO_DOMAIN_ACTION_SHUTDOWN },
  { "build-1",     VIREO_DOMAIN_ACTION_REBOOT },
  { "build-1",     VIREO_DOMAIN_ACTION_RESET },
  { "build-1",     VIREO_DOMAIN_ACTION_FORCE_OFF },
  { "saved-1",     VIREO_DOMAIN_ACTION_FORCE_OFF },
  { "build-1",     VIREO_DOMAIN_ACTION_SAVE },           /* not running */
  { "transient-1", VIREO_DOMAIN_ACTION_SAVE },           /* transient */
  { "build-1",     VIREO_DOMAIN_ACTION_RESTORE },        /* no image */
  { "web-1",       VIREO_DOMAIN_ACTION_RESTORE },
  { "web-1",       VIREO_DOMAIN_ACTION_DELETE },         /* running */
  { "db-1",        VIREO_DOMAIN_ACTION_DELETE },         /* paused */
  { "transient-1", VIREO_DOMAIN_ACTION_DELETE },         /* transient */
  { "transient-1", VIREO_DOMAIN_ACTION_AUTOSTART_ON },
  { "build-1",     VIREO_DOMAIN_ACTION_AUTOSTART_OFF },  /* already off */
};

static void
test_not_allowed (Fixture *f, gconstpointer data)
{
  GListModel *model = vireo_connection_get_domains (f->conn);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      VireoDomain *d = get (f, refused[i].name);
      VireoDomainState state = vireo_domain_get_state (d);
      gboolean persistent = vireo_domain_get_persistent (d);
      gboolean autostart = vireo_domain_get_autostart (d);
      gboolean saved = vireo_domain_get_has_managed_save (d);
      int id = vireo_domain_get_id (d);
      g_autoptr(GError) error = NULL;
      gboolean ok;

      g_test_message ("%s %s must be refused", vireo_domain_action_to_verb (refused[i].action),
                      refused[i].name);
      g_assert_false (vireo_domain_can (d, refused[i].action));
      ok = vireo_test_run_action (d, refused[i].action, 0, &error);
      if (ok)
        {
          g_test_fail_printf ("%s on %s (%s) succeeded; it must fail with VIREO_ERROR_NOT_ALLOWED",
                              vireo_domain_action_to_verb (refused[i].action), refused[i].name,
                              vireo_domain_state_to_string (state));
          continue;
        }
      g_assert_error (error, VIREO_ERROR, VIREO_ERROR_NOT_ALLOWED);
      g_assert_cmpuint (strlen (error->message), >, 0);
      /* Nothing changed. */
      vireo_test_spin (50);
      g_assert_true (vireo_connection_find_domain (f->conn, refused[i].name) == d);
      g_assert_cmpint (vireo_domain_get_state (d), ==, state);
      g_assert_cmpint (vireo_domain_get_id (d), ==, id);
      g_assert_cmpint (vireo_domain_get_persistent (d), ==, persistent);
      g_assert_cmpint (vireo_domain_get_autostart (d), ==, autostart);
      g_assert_cmpint (vireo_domain_get_has_managed_save (d), ==, saved);
    }
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n);
  g_assert_cmpuint (f->removed, ==, 0);

  /* And the host agrees that nothing happened. */
  {
    g_autoptr(GError) error = NULL;
    g_assert_true (vireo_test_refresh (f->conn, &error));
    g_assert_no_error (error);
    g_assert_cmpint (vireo_domain_get_state (get (f, "build-1")), ==, VIREO_DOMAIN_STATE_SHUTOFF);
    g_assert_cmpint (vireo_domain_get_state (get (f, "web-1")), ==, VIREO_DOMAIN_STATE_RUNNING);
    g_assert_cmpint (vireo_domain_get_state (get (f, "db-1")), ==, VIREO_DOMAIN_STATE_PAUSED);
    g_assert_nonnull (vireo_connection_find_domain (f->conn, "transient-1"));
    g_assert_false (vireo_domain_get_has_managed_save (get (f, "build-1")));
  }
}

typedef struct {
  gboolean done;
  gboolean ok;
  GError  *error;
} CancelWait;

static void
cancel_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  CancelWait *w = user_data;

  w->ok = vireo_domain_run_action_finish (VIREO_DOMAIN (source), result, &w->error);
  w->done = TRUE;
}

static gboolean
cancel_done (gpointer data)
{
  return ((CancelWait *) data)->done;
}

static void
test_cancelled (Fixture *f, gconstpointer data)
{
  /* An action whose cancellable is already cancelled completes with a
   * cancellation error and leaves the VM alone. */
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  VireoDomain *d = get (f, "build-1");
  CancelWait w = { 0 };

  g_cancellable_cancel (cancellable);
  vireo_domain_run_action_async (d, VIREO_DOMAIN_ACTION_START, 0, cancellable, cancel_cb, &w);
  g_assert_true (vireo_test_wait_until (cancel_done, &w, VIREO_TEST_TIMEOUT_S * 1000));
  g_assert_false (w.ok);
  g_assert_nonnull (w.error);
  g_assert_true (g_error_matches (w.error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
                 g_error_matches (w.error, VIREO_ERROR, VIREO_ERROR_CANCELLED));
  g_clear_error (&w.error);
  vireo_test_spin (200);
  if (vireo_domain_get_state (d) != VIREO_DOMAIN_STATE_SHUTOFF)
    g_test_fail_printf ("start with a cancelled GCancellable reported cancellation but started "
                        "build-1 anyway (now %s): the worker runs the action without checking "
                        "the cancellable (domain_job_thread in src/core/vireo-connection-lists.c)",
                        vireo_domain_state_to_string (vireo_domain_get_state (d)));
}

/* ---- events on the main loop ---- */

static void
test_events_sequence (Fixture *f, gconstpointer data)
{
  /* Several actions in a row: each brings an event for its VM, on the
   * main thread (checked in teardown), and the list never duplicates. */
  act_ok (f, "build-1", VIREO_DOMAIN_ACTION_START, 0);
  act_ok (f, "build-1", VIREO_DOMAIN_ACTION_PAUSE, 0);
  act_ok (f, "build-1", VIREO_DOMAIN_ACTION_RESUME, 0);
  act_ok (f, "build-1", VIREO_DOMAIN_ACTION_FORCE_OFF, 0);
  assert_event (f, "build-1");
  vireo_test_spin (300);
  {
    guint count = 0;
    for (guint i = 0; i < f->events->len; i++)
      if (g_str_has_prefix (f->events->pdata[i], "build-1:"))
        count++;
    g_assert_cmpuint (count, >=, 4);
  }
  assert_state (f, "build-1", VIREO_DOMAIN_STATE_SHUTOFF);
  g_assert_cmpuint (g_list_model_get_n_items (vireo_connection_get_domains (f->conn)), ==, 9);
  g_assert_cmpuint (f->added, ==, 0);
  g_assert_cmpuint (f->removed, ==, 0);
}

static void
test_events_what (Fixture *f, gconstpointer data)
{
  /* The header names the "what" strings: "started", "stopped", "undefined". */
  act_ok (f, "build-1", VIREO_DOMAIN_ACTION_START, 0);
  act_ok (f, "web-2", VIREO_DOMAIN_ACTION_FORCE_OFF, 0);
  act_ok (f, "xenpv-2", VIREO_DOMAIN_ACTION_DELETE, 0);
  vireo_test_spin (500);
  {
    gboolean started = FALSE, stopped = FALSE, undefined = FALSE;
    for (guint i = 0; i < f->events->len; i++)
      {
        const char *e = f->events->pdata[i];
        started |= g_str_equal (e, "build-1:started");
        stopped |= g_str_equal (e, "web-2:stopped");
        undefined |= g_str_equal (e, "xenpv-2:undefined");
      }
    if (!started || !stopped || !undefined)
      {
        g_autofree char *all = NULL;
        g_ptr_array_add (f->events, NULL);
        all = g_strjoinv (", ", (char **) f->events->pdata);
        g_ptr_array_remove_index (f->events, f->events->len - 1);
        g_test_fail_printf ("expected build-1:started, web-2:stopped and xenpv-2:undefined; got: %s", all);
      }
  }
}

int
main (int argc, char *argv[])
{
  vireo_test_init (&argc, &argv);
  main_thread = g_thread_self ();
  vireo_core_init ();

#define ADD(path, fn) g_test_add ("/actions/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("start", test_start);
  ADD ("start-xen-pv", test_start_xen_pv);
  ADD ("pause-resume", test_pause_resume);
  ADD ("shutdown", test_shutdown);
  ADD ("force-off-transient", test_shutdown_transient);
  ADD ("reboot", test_reboot);
  ADD ("reset", test_reset);
  ADD ("force-off", test_force_off);
  ADD ("save-restore", test_save_restore);
  ADD ("save-paused", test_save_paused);
  ADD ("restore-fixture-image", test_restore_fixture_image);
  ADD ("autostart", test_autostart);
  ADD ("delete", test_delete);
  ADD ("delete-with-storage", test_delete_with_storage);
  ADD ("not-allowed", test_not_allowed);
  ADD ("cancelled", test_cancelled);
  ADD ("events/sequence", test_events_sequence);
  ADD ("events/what", test_events_what);
#undef ADD

  return vireo_test_run ();
}
