/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Events from changes the core did not make. The test driver keeps one
 * shared host for test:///default within a process, so a second, plain
 * libvirt connection opened here changes the same host the core watches:
 * what it defines, starts, pauses, stops and undefines must reach the core's
 * list model and VireoDomain properties through libvirt events alone. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <string.h>

#include "vireo-connection.h"
#include "vireo-test-util.h"

#define NEW_UUID "6e7a3c1e-00e0-4d5b-9a8e-0000000000e0"

static const char new_vm_xml[] =
  "<domain type='test'>"
  "  <name>evt-new</name>"
  "  <uuid>" NEW_UUID "</uuid>"
  "  <memory unit='KiB'>262144</memory>"
  "  <vcpu>1</vcpu>"
  "  <os><type arch='x86_64'>hvm</type></os>"
  "</domain>";

typedef struct {
  guint      added;
  guint      removed;
  GPtrArray *events;
} Seen;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Seen       *seen)
{
  seen->added += added;
  seen->removed += removed;
}

static void
on_domain_event (VireoConnection *conn,
                 VireoDomain     *domain,
                 const char      *what,
                 Seen            *seen)
{
  g_ptr_array_add (seen->events, g_strdup_printf ("%s:%s", vireo_domain_get_name (domain), what));
}

typedef struct {
  VireoConnection *conn;
  const char      *name;
  gboolean         present;
  VireoDomainState state;   /* checked when present and != NOSTATE */
} Want;

static gboolean
wanted (gpointer data)
{
  Want *w = data;
  VireoDomain *d = vireo_connection_find_domain (w->conn, w->name);

  if (!w->present)
    return d == NULL;
  if (d == NULL)
    return FALSE;
  return w->state == VIREO_DOMAIN_STATE_NOSTATE || vireo_domain_get_state (d) == w->state;
}

static void
wait_for (VireoConnection *conn,
          const char      *name,
          gboolean         present,
          VireoDomainState state,
          const char      *after)
{
  Want w = { conn, name, present, state };

  if (!vireo_test_wait_until (wanted, &w, 5000))
    {
      VireoDomain *d = vireo_connection_find_domain (conn, name);
      g_test_fail_printf ("after %s on another connection, the core's list %s “%s”%s%s "
                          "within 5 s (no libvirt event handled?)",
                          after, present ? "does not show" : "still shows", name,
                          d && present ? " in state " : "",
                          d && present ? vireo_domain_state_to_string (state) : "");
    }
}

static void
silence (void *data, virErrorPtr error)
{
}

static void
test_external_changes (void)
{
  g_autoptr(VireoConnection) conn = vireo_test_open_ok ("test:///default");
  GListModel *model = vireo_connection_get_domains (conn);
  Seen seen = { 0, 0, g_ptr_array_new_with_free_func (g_free) };
  virConnectPtr other;
  virDomainPtr dom;
  guint n;

  virSetErrorFunc (NULL, silence);
  other = virConnectOpen ("test:///default");
  g_assert_nonnull (other);
  n = g_list_model_get_n_items (model);
  g_assert_cmpuint (n, >=, 1);     /* the driver's own "test" VM */
  g_assert_null (vireo_connection_find_domain (conn, "evt-new"));

  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), &seen);
  g_signal_connect (conn, "domain-event", G_CALLBACK (on_domain_event), &seen);

  /* Defined elsewhere: appears in the model. */
  dom = virDomainDefineXML (other, new_vm_xml);
  g_assert_nonnull (dom);
  wait_for (conn, "evt-new", TRUE, VIREO_DOMAIN_STATE_SHUTOFF, "virDomainDefineXML");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n + 1);
  g_assert_cmpuint (seen.added, ==, 1);
  {
    VireoDomain *d = vireo_connection_find_domain (conn, NEW_UUID);
    g_assert_nonnull (d);
    if (d != NULL)
      {
        g_assert_cmpstr (vireo_domain_get_name (d), ==, "evt-new");
        g_assert_true (vireo_domain_get_persistent (d));
        g_assert_cmpuint (vireo_domain_get_max_memory (d), ==, 262144);
      }
  }

  /* Started, paused, resumed, stopped elsewhere: the state follows. */
  g_assert_cmpint (virDomainCreate (dom), ==, 0);
  wait_for (conn, "evt-new", TRUE, VIREO_DOMAIN_STATE_RUNNING, "virDomainCreate");
  g_assert_cmpint (virDomainSuspend (dom), ==, 0);
  wait_for (conn, "evt-new", TRUE, VIREO_DOMAIN_STATE_PAUSED, "virDomainSuspend");
  g_assert_cmpint (virDomainResume (dom), ==, 0);
  wait_for (conn, "evt-new", TRUE, VIREO_DOMAIN_STATE_RUNNING, "virDomainResume");
  g_assert_cmpint (virDomainDestroy (dom), ==, 0);
  wait_for (conn, "evt-new", TRUE, VIREO_DOMAIN_STATE_SHUTOFF, "virDomainDestroy");

  /* Undefined elsewhere: leaves the model. */
  g_assert_cmpint (virDomainUndefine (dom), ==, 0);
  wait_for (conn, "evt-new", FALSE, VIREO_DOMAIN_STATE_NOSTATE, "virDomainUndefine");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n);
  g_assert_cmpuint (seen.removed, ==, 1);

  /* The signal named what happened, in order. */
  {
    static const char *const expected[] = {
      "evt-new:defined", "evt-new:started", "evt-new:suspended", "evt-new:resumed",
      "evt-new:stopped", "evt-new:undefined",
    };
    guint next = 0;
    g_autofree char *all = NULL;

    for (guint i = 0; i < seen.events->len && next < G_N_ELEMENTS (expected); i++)
      if (g_str_equal (seen.events->pdata[i], expected[next]))
        next++;
    g_ptr_array_add (seen.events, NULL);
    all = g_strjoinv (", ", (char **) seen.events->pdata);
    if (next < G_N_ELEMENTS (expected))
      g_test_fail_printf ("domain-event did not report “%s” in order; got: %s",
                          expected[next], all);
  }

  /* A transient VM created elsewhere appears, and goes when it stops. */
  {
    virDomainPtr t = virDomainCreateXML (other,
      "<domain type='test'><name>evt-transient</name><memory>131072</memory>"
      "<vcpu>1</vcpu><os><type>hvm</type></os></domain>", 0);
    g_assert_nonnull (t);
    wait_for (conn, "evt-transient", TRUE, VIREO_DOMAIN_STATE_RUNNING, "virDomainCreateXML");
    {
      VireoDomain *d = vireo_connection_find_domain (conn, "evt-transient");
      if (d != NULL)
        g_assert_false (vireo_domain_get_persistent (d));
    }
    g_assert_cmpint (virDomainDestroy (t), ==, 0);
    wait_for (conn, "evt-transient", FALSE, VIREO_DOMAIN_STATE_NOSTATE, "virDomainDestroy of a transient VM");
    virDomainFree (t);
  }

  g_signal_handlers_disconnect_by_data (model, &seen);
  g_signal_handlers_disconnect_by_data (conn, &seen);
  virDomainFree (dom);
  virConnectClose (other);
  g_ptr_array_unref (seen.events);
}

int
main (int argc, char *argv[])
{
  vireo_test_init (&argc, &argv);
  vireo_core_init ();

  g_test_add_func ("/events/external-changes", test_external_changes);

  return vireo_test_run ();
}
