/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Turning cumulative counters into rates and percentages. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* CPU time used between two samples, as a percentage of all the host's CPUs
 * over the wall time between them. A counter that went backwards (the VM
 * restarted) gives 0, never a negative or huge value. */
double vireo_stats_cpu_percent (guint64 prev_cpu_ns,
                                guint64 cur_cpu_ns,
                                gint64  prev_wall_us,
                                gint64  cur_wall_us,
                                guint   n_host_cpus);

/* Bytes (or any unit) per second between two cumulative counters. */
double vireo_stats_rate        (guint64 prev,
                                guint64 cur,
                                gint64  prev_wall_us,
                                gint64  cur_wall_us);

/* Host CPU busy percentage from two (busy, total) samples of node CPU time. */
double vireo_stats_host_cpu_percent (guint64 prev_busy,
                                     guint64 prev_total,
                                     guint64 cur_busy,
                                     guint64 cur_total);

/* Memory in use as a percentage; 0 when total is 0. */
double vireo_stats_percent     (guint64 used,
                                guint64 total);

/* "12.3 KB/s", "1.0 MB/s" */
char  *vireo_format_rate       (double bytes_per_second);

G_END_DECLS
