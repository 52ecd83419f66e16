/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Counters to rates and percentages, as the stats timer and the graphs use them. */
#include <glib.h>
#include <math.h>

#include "vireo-stats.h"

#define NS_PER_SEC  G_GUINT64_CONSTANT (1000000000)
#define US          G_USEC_PER_SEC

static void
assert_sane_percent (double v)
{
  g_assert_true (isfinite (v));
  g_assert_cmpfloat (v, >=, 0.0);
  g_assert_cmpfloat (v, <=, 100.0);
}

static void
test_cpu_percent_basic (void)
{
  /* Half a second of CPU over one second on one host CPU: 50 %. */
  g_assert_cmpfloat_with_epsilon (
    vireo_stats_cpu_percent (0, NS_PER_SEC / 2, 0, US, 1), 50.0, 1e-9);
  /* Same over two seconds: 25 %. */
  g_assert_cmpfloat_with_epsilon (
    vireo_stats_cpu_percent (0, NS_PER_SEC / 2, 10 * US, 12 * US, 1), 25.0, 1e-9);
  /* Two busy vCPUs on a 4-CPU host: half the host. */
  g_assert_cmpfloat_with_epsilon (
    vireo_stats_cpu_percent (5 * NS_PER_SEC, 7 * NS_PER_SEC, 100 * US, 101 * US, 4),
    50.0, 1e-9);
  /* Idle: 0. */
  g_assert_cmpfloat (vireo_stats_cpu_percent (NS_PER_SEC, NS_PER_SEC, 0, US, 2), ==, 0.0);
  /* Fully busy host: 100. */
  g_assert_cmpfloat_with_epsilon (
    vireo_stats_cpu_percent (0, 8 * NS_PER_SEC, 0, US, 8), 100.0, 1e-9);
  /* Sub-second ticks: 250 ms interval, 25 ms CPU on one CPU = 10 %. */
  g_assert_cmpfloat_with_epsilon (
    vireo_stats_cpu_percent (1000, 1000 + 25000000, 2000000, 2250000, 1), 10.0, 1e-9);
}

static void
test_cpu_percent_counter_reset (void)
{
  /* The VM restarted: its counter went from 50 s back to 1 s. */
  double v = vireo_stats_cpu_percent (50 * NS_PER_SEC, NS_PER_SEC, 0, US, 4);

  g_assert_cmpfloat (v, ==, 0.0);
  /* And from a huge counter to 0: no wrap-around into a huge value. */
  v = vireo_stats_cpu_percent (G_MAXUINT64 - 5, 0, 0, US, 1);
  g_assert_cmpfloat (v, ==, 0.0);
}

static void
test_cpu_percent_zero_wall (void)
{
  /* Two samples in the same microsecond, or the clock went back. */
  g_assert_cmpfloat (vireo_stats_cpu_percent (0, NS_PER_SEC, 5 * US, 5 * US, 1), ==, 0.0);
  g_assert_cmpfloat (vireo_stats_cpu_percent (0, NS_PER_SEC, 5 * US, 4 * US, 1), ==, 0.0);
  assert_sane_percent (vireo_stats_cpu_percent (0, 0, 0, 0, 1));
}

static void
test_cpu_percent_many_cpus (void)
{
  /* One busy vCPU on a 256-CPU host is 1/256 of it. */
  g_assert_cmpfloat_with_epsilon (
    vireo_stats_cpu_percent (0, NS_PER_SEC, 0, US, 256), 100.0 / 256.0, 1e-9);
  /* 1024 CPUs, 512 busy for 3 s. */
  g_assert_cmpfloat_with_epsilon (
    vireo_stats_cpu_percent (0, 512 * 3 * NS_PER_SEC, 0, 3 * US, 1024), 50.0, 1e-9);
  /* Counters of a long-running VM on a big host: years of CPU time in ns. */
  g_assert_cmpfloat_with_epsilon (
    vireo_stats_cpu_percent (G_GUINT64_CONSTANT (4000000000000000000),
                             G_GUINT64_CONSTANT (4000000000000000000) + 64 * NS_PER_SEC,
                             G_GINT64_CONSTANT (1700000000000000),
                             G_GINT64_CONSTANT (1700000000000000) + US, 128),
    50.0, 1e-6);
}

static void
test_cpu_percent_bounds (void)
{
  /* More CPU time than the host has (clock skew between the two sources)
   * must not draw above the top of the graph. */
  assert_sane_percent (vireo_stats_cpu_percent (0, 10 * NS_PER_SEC, 0, US, 2));
  /* No host CPU count yet (not connected): neither infinity nor NaN. */
  assert_sane_percent (vireo_stats_cpu_percent (0, NS_PER_SEC, 0, US, 0));
  g_assert_cmpfloat (vireo_stats_cpu_percent (0, NS_PER_SEC, 0, US, 0), ==, 0.0);
}

static void
test_rate (void)
{
  /* 1000 bytes in half a second: 2000 B/s. */
  g_assert_cmpfloat_with_epsilon (vireo_stats_rate (0, 1000, 0, US / 2), 2000.0, 1e-9);
  /* Offsets cancel out. */
  g_assert_cmpfloat_with_epsilon (
    vireo_stats_rate (1000000, 1000000 + 3 * 1048576, 7 * US, 10 * US), 1048576.0, 1e-6);
  /* Nothing moved. */
  g_assert_cmpfloat (vireo_stats_rate (42, 42, 0, US), ==, 0.0);
  /* Counter reset (NIC hot-unplugged and replugged, VM restarted). */
  g_assert_cmpfloat (vireo_stats_rate (5000, 10, 0, US), ==, 0.0);
  /* No time passed, or it went back. */
  g_assert_cmpfloat (vireo_stats_rate (0, 1000, US, US), ==, 0.0);
  g_assert_cmpfloat (vireo_stats_rate (0, 1000, 2 * US, US), ==, 0.0);
  /* Big counters (10 GbE for years). */
  g_assert_cmpfloat_with_epsilon (
    vireo_stats_rate (G_GUINT64_CONSTANT (9000000000000000000),
                      G_GUINT64_CONSTANT (9000000000000000000) + 1250000000,
                      0, US), 1250000000.0, 1e-3);
}

static void
test_host_cpu (void)
{
  /* 50 of 200 more ticks were busy: 25 %. */
  g_assert_cmpfloat_with_epsilon (vireo_stats_host_cpu_percent (100, 1000, 150, 1200), 25.0, 1e-9);
  /* All busy. */
  g_assert_cmpfloat_with_epsilon (vireo_stats_host_cpu_percent (0, 0, 400, 400), 100.0, 1e-9);
  /* Idle. */
  g_assert_cmpfloat (vireo_stats_host_cpu_percent (300, 1000, 300, 2000), ==, 0.0);
  /* No time passed. */
  g_assert_cmpfloat (vireo_stats_host_cpu_percent (100, 1000, 100, 1000), ==, 0.0);
  /* Counters reset (host rebooted between samples). */
  g_assert_cmpfloat (vireo_stats_host_cpu_percent (500, 9000, 10, 20), ==, 0.0);
  assert_sane_percent (vireo_stats_host_cpu_percent (500, 9000, 10, 9500));
  /* Busy grew more than total: inconsistent sources, still a percentage. */
  assert_sane_percent (vireo_stats_host_cpu_percent (0, 0, 500, 100));
}

static void
test_percent (void)
{
  g_assert_cmpfloat_with_epsilon (vireo_stats_percent (512, 2048), 25.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (vireo_stats_percent (2048, 2048), 100.0, 1e-9);
  g_assert_cmpfloat (vireo_stats_percent (0, 2048), ==, 0.0);
  /* Documented: 0 when total is 0. */
  g_assert_cmpfloat (vireo_stats_percent (0, 0), ==, 0.0);
  g_assert_cmpfloat (vireo_stats_percent (1024, 0), ==, 0.0);
  /* A balloon reporting more than the maximum stays on the graph. */
  assert_sane_percent (vireo_stats_percent (4096, 2048));
  /* Large (TiB in KiB, bytes) values. */
  g_assert_cmpfloat_with_epsilon (
    vireo_stats_percent (G_GUINT64_CONSTANT (1) << 50, G_GUINT64_CONSTANT (1) << 52), 25.0, 1e-9);
}

static void
assert_rate_string (double rate, const char *expected)
{
  g_autofree char *s = vireo_format_rate (rate);

  if (g_strcmp0 (s, expected) != 0)
    {
      /* Log each mismatch: the failure message keeps only the last. */
      g_test_message ("vireo_format_rate(%.3f) gave “%s”, expected “%s”", rate, s, expected);
      g_test_fail_printf ("vireo_format_rate(%.3f) gave “%s”, expected “%s”", rate, s, expected);
    }
}

static void
test_format_rate (void)
{
  assert_rate_string (0, "0 B/s");
  assert_rate_string (1, "1 B/s");
  assert_rate_string (512, "512 B/s");
  assert_rate_string (999, "999 B/s");
  assert_rate_string (1000, "1.0 KB/s");
  assert_rate_string (1500, "1.5 KB/s");
  assert_rate_string (12300, "12.3 KB/s");
  assert_rate_string (1000000, "1.0 MB/s");
  assert_rate_string (2500000, "2.5 MB/s");
  assert_rate_string (1260000000, "1.3 GB/s");
  assert_rate_string (2.5e9, "2.5 GB/s");
  /* A rate is never negative on screen. */
  assert_rate_string (-5, "0 B/s");
}

static void
test_format_rate_rounding_boundary (void)
{
  /* Just under a unit boundary the number rounds up to 1000 of the smaller
   * unit; it must then be shown in the next unit, as GNOME's size formatting
   * does (g_format_size (999999) is "1.0 MB"). */
  assert_rate_string (999.7, "1.0 KB/s");
  assert_rate_string (999960, "1.0 MB/s");
  assert_rate_string (999960000, "1.0 GB/s");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stats/cpu-percent/basic", test_cpu_percent_basic);
  g_test_add_func ("/stats/cpu-percent/counter-reset", test_cpu_percent_counter_reset);
  g_test_add_func ("/stats/cpu-percent/zero-wall-time", test_cpu_percent_zero_wall);
  g_test_add_func ("/stats/cpu-percent/many-host-cpus", test_cpu_percent_many_cpus);
  g_test_add_func ("/stats/cpu-percent/bounds", test_cpu_percent_bounds);
  g_test_add_func ("/stats/rate", test_rate);
  g_test_add_func ("/stats/host-cpu", test_host_cpu);
  g_test_add_func ("/stats/percent", test_percent);
  g_test_add_func ("/stats/format-rate", test_format_rate);
  g_test_add_func ("/stats/format-rate/rounding-boundary", test_format_rate_rounding_boundary);

  return g_test_run ();
}
