/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Opening connections on the libvirt test driver, and what they list.
 * tests/fixtures/node.xml is the host; its contents are spelled out below. */
#include <glib/gstdio.h>
#include <string.h>

#include "vireo-connection.h"
#include "vireo-test-util.h"

typedef struct {
  const char      *name;
  const char      *uuid;
  VireoDomainState state;
  const char      *os_type;
  gboolean         persistent;
  gboolean         managed_save;
  guint            vcpus;
  guint64          max_memory;   /* KiB */
} ExpectedDomain;

static const ExpectedDomain node_domains[] = {
  { "web-1",       "6e7a3c1e-0001-4d5b-9a8e-000000000001", VIREO_DOMAIN_STATE_RUNNING, "hvm", TRUE,  FALSE, 2, 2097152 },
  { "web-2",       "6e7a3c1e-0002-4d5b-9a8e-000000000002", VIREO_DOMAIN_STATE_RUNNING, "hvm", TRUE,  FALSE, 1, 1048576 },
  { "db-1",        "6e7a3c1e-0003-4d5b-9a8e-000000000003", VIREO_DOMAIN_STATE_PAUSED,  "hvm", TRUE,  FALSE, 2, 4194304 },
  { "build-1",     "6e7a3c1e-0004-4d5b-9a8e-000000000004", VIREO_DOMAIN_STATE_SHUTOFF, "hvm", TRUE,  FALSE, 1, 1048576 },
  { "saved-1",     "6e7a3c1e-0005-4d5b-9a8e-000000000005", VIREO_DOMAIN_STATE_SHUTOFF, "hvm", TRUE,  TRUE,  1, 1048576 },
  { "xenpv-1",     "6e7a3c1e-0006-4d5b-9a8e-000000000006", VIREO_DOMAIN_STATE_RUNNING, "xen", TRUE,  FALSE, 1, 524288 },
  { "xenpv-2",     "6e7a3c1e-0007-4d5b-9a8e-000000000007", VIREO_DOMAIN_STATE_SHUTOFF, "xen", TRUE,  FALSE, 1, 524288 },
  { "scratch-1",   "6e7a3c1e-0008-4d5b-9a8e-000000000008", VIREO_DOMAIN_STATE_SHUTOFF, "hvm", TRUE,  FALSE, 1, 1048576 },
  { "transient-1", "6e7a3c1e-0009-4d5b-9a8e-000000000009", VIREO_DOMAIN_STATE_RUNNING, "hvm", FALSE, FALSE, 1, 524288 },
};

static void
on_state_notify (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  GArray *seen = user_data;
  VireoConnectionState s = vireo_connection_get_state (VIREO_CONNECTION (object));

  g_array_append_val (seen, s);
}

typedef struct {
  gboolean      done;
  gboolean      ok;
  GError       *error;
} OpenWait;

static void
open_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  OpenWait *w = user_data;

  w->ok = vireo_connection_open_finish (VIREO_CONNECTION (source), result, &w->error);
  w->done = TRUE;
}

static gboolean
open_done (gpointer data)
{
  return ((OpenWait *) data)->done;
}

static void
test_open (void)
{
  g_autofree char *uri = vireo_test_fixture_uri ("node.xml");
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoConnection) conn = vireo_connection_new (uri, &error);
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (VireoConnectionState));
  g_autofree char *status = NULL;
  OpenWait w = { 0 };

  g_assert_no_error (error);
  g_assert_nonnull (conn);
  g_assert_cmpstr (vireo_connection_get_uri (conn), ==, uri);
  g_assert_cmpstr (vireo_connection_get_display_name (conn), ==, "Test: node.xml");
  g_assert_cmpint (vireo_connection_get_state (conn), ==, VIREO_CONNECTION_STATE_DISCONNECTED);
  g_assert_null (vireo_connection_get_error_message (conn));
  g_assert_true (vireo_connection_get_auto_reconnect (conn));   /* on by default */

  g_signal_connect (conn, "notify::state", G_CALLBACK (on_state_notify), seen);
  vireo_connection_open_async (conn, NULL, open_cb, &w);
  g_assert_true (vireo_test_wait_until (open_done, &w, VIREO_TEST_TIMEOUT_S * 1000));
  g_assert_no_error (w.error);
  g_assert_true (w.ok);

  g_assert_cmpint (vireo_connection_get_state (conn), ==, VIREO_CONNECTION_STATE_CONNECTED);
  /* CONNECTING, then CONNECTED, as the header promises. */
  g_assert_cmpuint (seen->len, >=, 2);
  g_assert_cmpint (g_array_index (seen, VireoConnectionState, 0), ==, VIREO_CONNECTION_STATE_CONNECTING);
  g_assert_cmpint (g_array_index (seen, VireoConnectionState, seen->len - 1), ==, VIREO_CONNECTION_STATE_CONNECTED);
  g_assert_null (vireo_connection_get_error_message (conn));
  status = vireo_connection_dup_status_text (conn);
  g_assert_cmpstr (status, ==, "Connected");

  /* The node file's <cpu> and <memory>. */
  g_assert_cmpuint (vireo_connection_get_host_cpus (conn), ==, 4);
  g_assert_cmpuint (vireo_connection_get_host_memory (conn), ==, 16777216);
}

static void
test_domains (void)
{
  g_autofree char *uri = vireo_test_fixture_uri ("node.xml");
  g_autoptr(VireoConnection) conn = vireo_test_open_ok (uri);
  GListModel *model = vireo_connection_get_domains (conn);

  g_assert_true (g_type_is_a (g_list_model_get_item_type (model), VIREO_TYPE_DOMAIN));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, G_N_ELEMENTS (node_domains));

  for (guint i = 0; i < G_N_ELEMENTS (node_domains); i++)
    {
      const ExpectedDomain *e = &node_domains[i];
      VireoDomain *d = vireo_connection_find_domain (conn, e->name);
      VireoDomain *by_uuid = vireo_connection_find_domain (conn, e->uuid);
      g_autofree char *desc = NULL;
      g_autofree char *want_desc = NULL;

      g_test_message ("checking %s", e->name);
      if (d == NULL)
        {
          g_test_fail_printf ("VM %s of the fixture is not listed", e->name);
          continue;
        }
      g_assert_true (d == by_uuid);
      g_assert_true (vireo_domain_get_connection (d) == conn);
      g_assert_cmpstr (vireo_domain_get_name (d), ==, e->name);
      g_assert_cmpstr (vireo_domain_get_uuid (d), ==, e->uuid);
      g_assert_cmpint (vireo_domain_get_state (d), ==, e->state);
      if (g_strcmp0 (vireo_domain_get_os_type (d), e->os_type) != 0)
        g_test_fail_printf ("%s: os type is “%s”, expected “%s” as in its <os><type>. "
                            "(The libvirt backend asks virDomainGetOSType(), which the test "
                            "driver answers “linux” for every VM; the type is in the domain "
                            "XML's /domain/os/type.)",
                            e->name, vireo_domain_get_os_type (d), e->os_type);
      g_assert_cmpint (vireo_domain_get_persistent (d), ==, e->persistent);
      g_assert_false (vireo_domain_get_autostart (d));
      g_assert_cmpint (vireo_domain_get_has_managed_save (d), ==, e->managed_save);
      g_assert_cmpuint (vireo_domain_get_vcpus (d), ==, e->vcpus);
      g_assert_cmpuint (vireo_domain_get_max_memory (d), ==, e->max_memory);
      g_assert_cmpuint (vireo_domain_get_memory (d), >, 0);
      g_assert_cmpuint (vireo_domain_get_memory (d), <=, e->max_memory);
      if (vireo_domain_state_is_active (e->state))
        g_assert_cmpint (vireo_domain_get_id (d), >, 0);
      else
        g_assert_cmpint (vireo_domain_get_id (d), ==, -1);
      desc = vireo_domain_dup_description (d);
      want_desc = g_strdup_printf ("%s, %s", e->name, vireo_domain_state_to_string (e->state));
      g_assert_cmpstr (desc, ==, want_desc);
      /* Every history exists, even before the first tick. */
      for (VireoSeries s = 0; s < VIREO_SERIES_LAST; s++)
        g_assert_nonnull (vireo_domain_get_history (d, s));
    }

  /* Every item of the model is one of the fixture's, none twice. */
  {
    g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < g_list_model_get_n_items (model); i++)
      {
        g_autoptr(VireoDomain) d = g_list_model_get_item (model, i);
        g_assert_false (g_hash_table_contains (names, vireo_domain_get_name (d)));
        g_hash_table_add (names, g_strdup (vireo_domain_get_name (d)));
      }
    g_assert_cmpuint (g_hash_table_size (names), ==, G_N_ELEMENTS (node_domains));
  }

  g_assert_null (vireo_connection_find_domain (conn, "no-such-vm"));
  g_assert_null (vireo_connection_find_domain (conn, "6e7a3c1e-ffff-4d5b-9a8e-00000000ffff"));
  g_assert_null (vireo_connection_find_domain (conn, ""));
}

static void
test_networks (void)
{
  g_autofree char *uri = vireo_test_fixture_uri ("node.xml");
  g_autoptr(VireoConnection) conn = vireo_test_open_ok (uri);
  GListModel *nets = vireo_connection_get_networks (conn);
  VireoNetwork *def, *iso;

  g_assert_true (g_type_is_a (g_list_model_get_item_type (nets), VIREO_TYPE_NETWORK));
  g_assert_cmpuint (g_list_model_get_n_items (nets), ==, 2);
  def = vireo_test_find_network (conn, "default");
  iso = vireo_test_find_network (conn, "isolated");
  g_assert_nonnull (def);
  g_assert_nonnull (iso);
  g_assert_cmpstr (vireo_network_get_uuid (def), ==, "6e7a3c1e-1001-4d5b-9a8e-000000001001");
  g_assert_cmpstr (vireo_network_get_uuid (iso), ==, "6e7a3c1e-1002-4d5b-9a8e-000000001002");
  /* The test driver starts every network of a node file. */
  g_assert_true (vireo_network_get_active (def));
  g_assert_true (vireo_network_get_active (iso));
  g_assert_false (vireo_network_get_autostart (def));
}

static void
test_pools (void)
{
  g_autofree char *uri = vireo_test_fixture_uri ("node.xml");
  g_autoptr(VireoConnection) conn = vireo_test_open_ok (uri);
  GListModel *pools = vireo_connection_get_pools (conn);
  VireoPool *def, *img;

  g_assert_true (g_type_is_a (g_list_model_get_item_type (pools), VIREO_TYPE_POOL));
  g_assert_cmpuint (g_list_model_get_n_items (pools), ==, 2);
  def = vireo_test_find_pool (conn, "default");
  img = vireo_test_find_pool (conn, "images");
  g_assert_nonnull (def);
  g_assert_nonnull (img);
  g_assert_cmpstr (vireo_pool_get_uuid (img), ==, "6e7a3c1e-2002-4d5b-9a8e-000000002002");
  g_assert_true (vireo_pool_get_active (def));
  g_assert_true (vireo_pool_get_active (img));
  /* The test driver gives each pool 100 GiB and counts its volumes as used:
   * images holds 2 GiB + 1 GiB, default 4 GiB. */
  g_assert_cmpuint (vireo_pool_get_capacity (img), ==, G_GUINT64_CONSTANT (100) << 30);
  g_assert_cmpuint (vireo_pool_get_available (img), ==, G_GUINT64_CONSTANT (97) << 30);
  g_assert_cmpuint (vireo_pool_get_available (def), ==, G_GUINT64_CONSTANT (96) << 30);
}

static void
test_bad_uri (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoConnection) conn = vireo_connection_new ("not a uri", &error);

  /* Malformed: refused at once, the only way new() fails. */
  g_assert_null (conn);
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI);
  g_clear_error (&error);

  conn = vireo_connection_new ("", &error);
  g_assert_null (conn);
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI);
}

static void
check_open_fails (const char *uri,
                  const char *must_mention)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoConnection) conn = vireo_test_open (uri, &error);
  g_autofree char *status = NULL;
  const char *message;

  g_test_message ("opening %s", uri);
  g_assert_nonnull (conn);
  g_assert_nonnull (error);
  g_assert_cmpuint (strlen (error->message), >, 0);
  g_assert_cmpint (vireo_connection_get_state (conn), ==, VIREO_CONNECTION_STATE_DISCONNECTED);
  message = vireo_connection_get_error_message (conn);
  g_assert_nonnull (message);
  g_assert_cmpuint (strlen (message), >, 0);
  if (must_mention != NULL && strstr (message, must_mention) == NULL)
    g_test_fail_printf ("the error for %s should name %s: %s", uri, must_mention, message);
  status = vireo_connection_dup_status_text (conn);
  g_assert_true (g_str_has_prefix (status, "Disconnected: "));
  g_assert_nonnull (strstr (status, message));
  /* Lists stay empty and usable. */
  g_assert_cmpuint (g_list_model_get_n_items (vireo_connection_get_domains (conn)), ==, 0);
  g_assert_null (vireo_connection_find_domain (conn, "web-1"));
  /* Still disconnected a moment later: no retry was asked for. */
  vireo_test_spin (300);
  g_assert_cmpint (vireo_connection_get_state (conn), ==, VIREO_CONNECTION_STATE_DISCONNECTED);
}

static void
test_missing_file (void)
{
  g_autofree char *tmpdir = g_dir_make_tmp ("vireo-test-XXXXXX", NULL);
  g_autofree char *missing = g_build_filename (tmpdir, "absent.xml", NULL);
  g_autofree char *missing_uri = g_strconcat ("test://", missing, NULL);
  g_autofree char *broken = g_build_filename (tmpdir, "broken.xml", NULL);
  g_autofree char *broken_uri = g_strconcat ("test://", broken, NULL);
  g_autofree char *bad_dom = g_build_filename (tmpdir, "bad-domain.xml", NULL);
  g_autofree char *bad_dom_uri = g_strconcat ("test://", bad_dom, NULL);

  g_assert_true (g_file_set_contents (broken, "<node><domain type='test'>", -1, NULL));
  g_assert_true (g_file_set_contents (bad_dom,
    "<node><domain type='test'><name>x</name><memory>zero</memory></domain></node>", -1, NULL));

  check_open_fails (missing_uri, NULL);
  check_open_fails (broken_uri, NULL);
  check_open_fails (bad_dom_uri, NULL);

  g_unlink (broken);
  g_unlink (bad_dom);
  g_rmdir (tmpdir);
}

static void
test_open_twice_and_close (void)
{
  g_autofree char *uri = vireo_test_fixture_uri ("node.xml");
  g_autoptr(VireoConnection) conn = vireo_test_open_ok (uri);
  g_autoptr(VireoConnection) other = vireo_test_open_ok (uri);

  /* Each open of a test:/// file is its own host: a change in one does not
   * show in the other, which is why event tests act on one connection. */
  {
    VireoDomain *d = vireo_connection_find_domain (conn, "build-1");
    g_autoptr(GError) error = NULL;
    g_assert_true (vireo_test_run_action (d, VIREO_DOMAIN_ACTION_START, 0, &error));
    g_assert_no_error (error);
    g_assert_cmpint (vireo_domain_get_state (d), ==, VIREO_DOMAIN_STATE_RUNNING);
    g_assert_cmpint (vireo_domain_get_state (vireo_connection_find_domain (other, "build-1")),
                     ==, VIREO_DOMAIN_STATE_SHUTOFF);
  }

  vireo_connection_close (conn);
  g_assert_cmpint (vireo_connection_get_state (conn), ==, VIREO_CONNECTION_STATE_DISCONNECTED);
  /* A closed connection is not an error, and it is not retried. */
  vireo_test_spin (1500);
  g_assert_cmpint (vireo_connection_get_state (conn), ==, VIREO_CONNECTION_STATE_DISCONNECTED);
  g_assert_null (vireo_connection_get_error_message (conn));
  /* The other one is untouched. */
  g_assert_cmpint (vireo_connection_get_state (other), ==, VIREO_CONNECTION_STATE_CONNECTED);

  /* And it can be opened again. */
  {
    OpenWait w = { 0 };
    vireo_connection_open_async (conn, NULL, open_cb, &w);
    g_assert_true (vireo_test_wait_until (open_done, &w, VIREO_TEST_TIMEOUT_S * 1000));
    g_assert_no_error (w.error);
    g_assert_true (w.ok);
    g_assert_cmpint (vireo_connection_get_state (conn), ==, VIREO_CONNECTION_STATE_CONNECTED);
    g_assert_cmpuint (g_list_model_get_n_items (vireo_connection_get_domains (conn)), ==,
                      G_N_ELEMENTS (node_domains));
  }
}

/* ---- authentication (tests/fixtures/auth.xml: alice / s3cret) ---- */

typedef struct {
  const char *user;
  const char *password;
  gboolean    handle;      /* return value of the handler */
  gboolean    later;       /* complete from an idle, as a dialog would */
  gboolean    cancel;      /* complete(FALSE) */
  guint       calls;
  guint       usernames;
  guint       secrets;
  gboolean    on_main_thread;
} AuthScript;

static GThread *main_thread;

static void
fill_request (VireoAuthRequest *request,
              AuthScript       *script)
{
  guint n = vireo_auth_request_get_n_credentials (request);

  g_assert_cmpuint (n, >, 0);
  for (guint i = 0; i < n; i++)
    {
      VireoCredentialKind kind = vireo_auth_request_get_kind (request, i);

      g_assert_nonnull (vireo_auth_request_get_prompt (request, i));
      if (kind == VIREO_CREDENTIAL_USERNAME)
        {
          script->usernames++;
          g_assert_false (vireo_auth_request_is_secret (request, i));
          vireo_auth_request_set_value (request, i, script->user);
        }
      else
        {
          g_assert_true (kind == VIREO_CREDENTIAL_PASSWORD || kind == VIREO_CREDENTIAL_PASSPHRASE);
          g_assert_true (vireo_auth_request_is_secret (request, i));
          script->secrets++;
          vireo_auth_request_set_value (request, i, script->password);
        }
    }
}

typedef struct {
  VireoAuthRequest *request;
  AuthScript       *script;
} LaterAuth;

static gboolean
complete_later (gpointer data)
{
  LaterAuth *la = data;

  fill_request (la->request, la->script);
  vireo_auth_request_complete (la->request, TRUE);
  g_object_unref (la->request);
  g_free (la);
  return G_SOURCE_REMOVE;
}

static gboolean
on_authenticate (VireoConnection  *conn,
                 VireoAuthRequest *request,
                 AuthScript       *script)
{
  script->calls++;
  script->on_main_thread = g_thread_self () == main_thread;
  g_assert_true (VIREO_IS_AUTH_REQUEST (request));
  g_assert_cmpstr (vireo_auth_request_get_uri (request), ==, vireo_connection_get_uri (conn));

  if (!script->handle)
    return FALSE;
  if (script->cancel)
    {
      vireo_auth_request_complete (request, FALSE);
      return TRUE;
    }
  if (script->later)
    {
      LaterAuth *la = g_new0 (LaterAuth, 1);
      la->request = g_object_ref (request);
      la->script = script;
      g_timeout_add (50, complete_later, la);
      return TRUE;
    }
  fill_request (request, script);
  vireo_auth_request_complete (request, TRUE);
  return TRUE;
}

static VireoConnection *
open_with_script (AuthScript *script,
                  GError    **error)
{
  g_autofree char *uri = vireo_test_fixture_uri ("auth.xml");
  g_autoptr(VireoConnection) conn = vireo_connection_new (uri, error);
  OpenWait w = { 0 };

  g_assert_nonnull (conn);
  vireo_connection_set_auto_reconnect (conn, FALSE);
  g_signal_connect (conn, "authenticate", G_CALLBACK (on_authenticate), script);
  vireo_connection_open_async (conn, NULL, open_cb, &w);
  if (!vireo_test_wait_until (open_done, &w, VIREO_TEST_TIMEOUT_S * 1000))
    g_error ("opening %s with credentials did not complete", uri);
  if (w.error)
    g_propagate_error (error, w.error);
  return g_steal_pointer (&conn);
}

static void
test_auth_ok (void)
{
  AuthScript script = { "alice", "s3cret", TRUE, FALSE, FALSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoConnection) conn = open_with_script (&script, &error);

  g_assert_no_error (error);
  g_assert_cmpint (vireo_connection_get_state (conn), ==, VIREO_CONNECTION_STATE_CONNECTED);
  g_assert_cmpuint (script.calls, >=, 1);
  g_assert_true (script.on_main_thread);
  g_assert_cmpuint (script.usernames, ==, 1);
  g_assert_cmpuint (script.secrets, ==, 1);
  g_assert_nonnull (vireo_connection_find_domain (conn, "locked-1"));
}

static void
test_auth_later (void)
{
  AuthScript script = { "alice", "s3cret", TRUE, TRUE, FALSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoConnection) conn = open_with_script (&script, &error);

  g_assert_no_error (error);
  g_assert_cmpint (vireo_connection_get_state (conn), ==, VIREO_CONNECTION_STATE_CONNECTED);
  g_assert_cmpuint (script.usernames, ==, 1);
  g_assert_cmpuint (script.secrets, ==, 1);
}

static void
test_auth_wrong (void)
{
  AuthScript script = { "alice", "wrong", TRUE, FALSE, FALSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoConnection) conn = open_with_script (&script, &error);

  g_assert_nonnull (error);
  g_assert_cmpint (vireo_connection_get_state (conn), ==, VIREO_CONNECTION_STATE_DISCONNECTED);
  g_assert_nonnull (vireo_connection_get_error_message (conn));
  g_assert_cmpuint (g_list_model_get_n_items (vireo_connection_get_domains (conn)), ==, 0);
}

static void
test_auth_unhandled (void)
{
  AuthScript script = { NULL, NULL, FALSE, FALSE, FALSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoConnection) conn = open_with_script (&script, &error);

  /* Nobody answers: the open fails promptly instead of waiting. */
  g_assert_cmpuint (script.calls, >=, 1);
  g_assert_nonnull (error);
  g_assert_cmpint (vireo_connection_get_state (conn), ==, VIREO_CONNECTION_STATE_DISCONNECTED);
}

static void
test_auth_cancelled (void)
{
  AuthScript script = { NULL, NULL, TRUE, FALSE, TRUE };
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoConnection) conn = open_with_script (&script, &error);

  g_assert_nonnull (error);
  g_assert_cmpint (vireo_connection_get_state (conn), ==, VIREO_CONNECTION_STATE_DISCONNECTED);
}

int
main (int argc, char *argv[])
{
  vireo_test_init (&argc, &argv);
  main_thread = g_thread_self ();
  vireo_core_init ();

  g_test_add_func ("/connection/open", test_open);
  g_test_add_func ("/connection/domains", test_domains);
  g_test_add_func ("/connection/networks", test_networks);
  g_test_add_func ("/connection/pools", test_pools);
  g_test_add_func ("/connection/bad-uri", test_bad_uri);
  g_test_add_func ("/connection/open-fails", test_missing_file);
  g_test_add_func ("/connection/open-twice-and-close", test_open_twice_and_close);
  g_test_add_func ("/connection/auth/ok", test_auth_ok);
  g_test_add_func ("/connection/auth/later", test_auth_later);
  g_test_add_func ("/connection/auth/wrong-password", test_auth_wrong);
  g_test_add_func ("/connection/auth/unhandled", test_auth_unhandled);
  g_test_add_func ("/connection/auth/cancelled", test_auth_cancelled);

  return vireo_test_run ();
}
