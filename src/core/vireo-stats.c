/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <glib/gi18n-lib.h>

#include "vireo-stats.h"

double
vireo_stats_cpu_percent (guint64 prev_cpu_ns,
                         guint64 cur_cpu_ns,
                         gint64  prev_wall_us,
                         gint64  cur_wall_us,
                         guint   n_host_cpus)
{
  double pct;

  if (cur_cpu_ns < prev_cpu_ns || cur_wall_us <= prev_wall_us || n_host_cpus == 0)
    return 0;

  pct = (double) (cur_cpu_ns - prev_cpu_ns) /
        ((double) (cur_wall_us - prev_wall_us) * 1000.0 * n_host_cpus) * 100.0;
  return CLAMP (pct, 0.0, 100.0);
}

double
vireo_stats_rate (guint64 prev,
                  guint64 cur,
                  gint64  prev_wall_us,
                  gint64  cur_wall_us)
{
  if (cur < prev || cur_wall_us <= prev_wall_us)
    return 0;
  return (double) (cur - prev) * G_USEC_PER_SEC / (double) (cur_wall_us - prev_wall_us);
}

double
vireo_stats_host_cpu_percent (guint64 prev_busy,
                              guint64 prev_total,
                              guint64 cur_busy,
                              guint64 cur_total)
{
  double pct;

  if (cur_total <= prev_total || cur_busy < prev_busy)
    return 0;
  pct = (double) (cur_busy - prev_busy) / (double) (cur_total - prev_total) * 100.0;
  return CLAMP (pct, 0.0, 100.0);
}

double
vireo_stats_percent (guint64 used,
                     guint64 total)
{
  if (total == 0)
    return 0;
  return CLAMP ((double) used / (double) total * 100.0, 0.0, 100.0);
}

char *
vireo_format_rate (double bytes_per_second)
{
  double v = bytes_per_second < 0 ? 0 : bytes_per_second;

  /* Decimal units, as GNOME shows sizes. Pick the unit after rounding, so
   * 999.96 KB/s reads "1.0 MB/s", never "1000.0 KB/s". */
  if (v < 999.5)
    return g_strdup_printf (_("%.0f B/s"), v);
  if (v < 999950.0)
    return g_strdup_printf (_("%.1f KB/s"), v / 1000.0);
  if (v < 999950000.0)
    return g_strdup_printf (_("%.1f MB/s"), v / (1000.0 * 1000.0));
  return g_strdup_printf (_("%.1f GB/s"), v / (1000.0 * 1000.0 * 1000.0));
}
