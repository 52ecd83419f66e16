/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The statistics timer on the test driver: ticks, host and VM history. */
#include "vireo-connection.h"
#include "vireo-test-util.h"

typedef struct {
  guint   fired;
  guint64 last_ticks;
  gboolean ticks_monotonic;
} TickCount;

static void
on_stats_updated (VireoConnection *conn,
                  TickCount       *t)
{
  guint64 ticks = vireo_connection_get_stats_ticks (conn);

  if (t->fired > 0 && ticks <= t->last_ticks)
    t->ticks_monotonic = FALSE;
  t->last_ticks = ticks;
  t->fired++;
}

typedef struct {
  TickCount *t;
  guint      want;
} TickWait;

static gboolean
enough_ticks (gpointer data)
{
  TickWait *w = data;
  return w->t->fired >= w->want;
}

static void
test_ticks (void)
{
  g_autofree char *uri = vireo_test_fixture_uri ("node.xml");
  g_autoptr(VireoConnection) conn = vireo_test_open_ok (uri);
  TickCount t = { 0, 0, TRUE };
  TickWait w = { &t, 4 };
  guint64 start_ticks = vireo_connection_get_stats_ticks (conn);
  gint64 started;
  gint64 elapsed_ms;

  g_signal_connect (conn, "stats-updated", G_CALLBACK (on_stats_updated), &t);
  vireo_connection_set_stats_interval (conn, 250);
  g_assert_cmpuint (vireo_connection_get_stats_interval (conn), ==, 250);

  started = g_get_monotonic_time ();
  if (!vireo_test_wait_until (enough_ticks, &w, 5000))
    g_error ("with a 250 ms interval, only %u stats-updated in 5 s", t.fired);
  elapsed_ms = (g_get_monotonic_time () - started) / 1000;

  g_assert_true (t.ticks_monotonic);
  g_assert_cmpuint (vireo_connection_get_stats_ticks (conn), >=, start_ticks + 4);
  /* Four ticks at 250 ms: not all at once, and not at 1 s each. The first
   * may come at once. */
  g_assert_cmpint (elapsed_ms, >=, 3 * 250 - 100);
  g_assert_cmpint (elapsed_ms, <, 3000);

  /* 0 stops polling. */
  vireo_connection_set_stats_interval (conn, 0);
  vireo_test_spin (100);   /* a tick already in flight may land */
  {
    guint before = t.fired;
    guint64 ticks = vireo_connection_get_stats_ticks (conn);
    vireo_test_spin (800);
    g_assert_cmpuint (t.fired, ==, before);
    g_assert_cmpuint (vireo_connection_get_stats_ticks (conn), ==, ticks);
  }
  g_signal_handlers_disconnect_by_data (conn, &t);
}

static void
test_history (void)
{
  g_autofree char *uri = vireo_test_fixture_uri ("node.xml");
  g_autoptr(VireoConnection) conn = vireo_test_open_ok (uri);
  TickCount t = { 0, 0, TRUE };
  TickWait w = { &t, 4 };
  const VireoRing *host_cpu = vireo_connection_get_host_cpu_history (conn);
  const VireoRing *host_mem = vireo_connection_get_host_memory_history (conn);
  static const char *const running[] = { "web-1", "web-2", "xenpv-1", "transient-1" };

  g_assert_nonnull (host_cpu);
  g_assert_nonnull (host_mem);
  g_assert_cmpuint (vireo_ring_get_capacity (host_cpu), >, 1);

  g_signal_connect (conn, "stats-updated", G_CALLBACK (on_stats_updated), &t);
  vireo_connection_set_stats_interval (conn, 250);
  if (!vireo_test_wait_until (enough_ticks, &w, 5000))
    g_error ("only %u stats ticks in 5 s", t.fired);

  /* The test driver reports node CPU times: the host graph fills (a rate
   * needs two samples, so at least ticks - 1 points). */
  if (vireo_ring_get_length (host_cpu) < 3)
    g_test_fail_printf ("host CPU history has %u samples after %u ticks",
                        vireo_ring_get_length (host_cpu), t.fired);
  for (guint age = 0; age < vireo_ring_get_length (host_cpu); age++)
    {
      double v = vireo_ring_get (host_cpu, age);
      g_assert_cmpfloat (v, >=, 0.0);
      g_assert_cmpfloat (v, <=, 100.0);
    }

  /* Each running VM's CPU series gets samples. */
  for (guint i = 0; i < G_N_ELEMENTS (running); i++)
    {
      VireoDomain *d = vireo_connection_find_domain (conn, running[i]);
      const VireoRing *cpu;

      g_assert_nonnull (d);
      cpu = vireo_domain_get_history (d, VIREO_SERIES_CPU);
      g_assert_nonnull (cpu);
      if (vireo_ring_get_length (cpu) < 2)
        g_test_fail_printf ("%s: CPU history has %u samples after %u ticks",
                            running[i], vireo_ring_get_length (cpu), t.fired);
      for (guint age = 0; age < vireo_ring_get_length (cpu); age++)
        {
          g_assert_cmpfloat (vireo_ring_get (cpu, age), >=, 0.0);
          g_assert_cmpfloat (vireo_ring_get (cpu, age), <=, 100.0);
        }
      for (VireoSeries s = 0; s < VIREO_SERIES_LAST; s++)
        g_assert_nonnull (vireo_domain_get_history (d, s));
    }

  /* The history of a VM follows it across a restart without garbage: stop
   * and start web-2, and its CPU samples stay within 0..100. */
  {
    VireoDomain *d = vireo_connection_find_domain (conn, "web-2");
    g_autoptr(GError) error = NULL;
    TickWait more = { &t, t.fired + 3 };

    g_assert_true (vireo_test_run_action (d, VIREO_DOMAIN_ACTION_FORCE_OFF, 0, &error));
    g_assert_true (vireo_test_run_action (d, VIREO_DOMAIN_ACTION_START, 0, &error));
    g_assert_no_error (error);
    g_assert_true (vireo_test_wait_until (enough_ticks, &more, 5000));
    for (guint age = 0; age < vireo_ring_get_length (vireo_domain_get_history (d, VIREO_SERIES_CPU)); age++)
      {
        double v = vireo_ring_get (vireo_domain_get_history (d, VIREO_SERIES_CPU), age);
        g_assert_cmpfloat (v, >=, 0.0);
        g_assert_cmpfloat (v, <=, 100.0);
      }
  }

  vireo_connection_set_stats_interval (conn, 0);
  g_signal_handlers_disconnect_by_data (conn, &t);
}

int
main (int argc, char *argv[])
{
  vireo_test_init (&argc, &argv);
  vireo_core_init ();

  g_test_add_func ("/stats/ticks", test_ticks);
  g_test_add_func ("/stats/history", test_history);

  return vireo_test_run ();
}
