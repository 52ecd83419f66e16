/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <glib/gi18n-lib.h>

#include "vireo-connection-internal.h"
#include "vireo-stats.h"

/* ---------------------------------------------------------------------- */
/* Plain records                                                          */

void
vireo_listing_clear (VireoListing *listing)
{
  g_clear_pointer (&listing->domains, g_ptr_array_unref);
  g_clear_pointer (&listing->networks, g_ptr_array_unref);
  g_clear_pointer (&listing->pools, g_ptr_array_unref);
}

static void
sample_clear (gpointer data)
{
  VireoDomainSample *s = data;
  g_free (s->uuid);
}

VireoStatsBatch *
vireo_stats_batch_new (void)
{
  VireoStatsBatch *batch = g_new0 (VireoStatsBatch, 1);

  batch->samples = g_array_new (FALSE, TRUE, sizeof (VireoDomainSample));
  g_array_set_clear_func (batch->samples, sample_clear);
  return batch;
}

void
vireo_stats_batch_free (VireoStatsBatch *batch)
{
  if (batch == NULL)
    return;
  g_array_unref (batch->samples);
  g_free (batch);
}

/* ---------------------------------------------------------------------- */
/* Statistics                                                             */

typedef struct {
  guint64 generation;
  gint64  dispatched;
} StatsJob;

static void
stats_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  VireoConnection *self = source_object;
  GError *error = NULL;
  VireoStatsBatch *batch = VIREO_CONNECTION_GET_CLASS (self)->get_stats (self, &error);

  if (batch == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, batch, (GDestroyNotify) vireo_stats_batch_free);
}

static void
apply_stats (VireoConnection *self,
             VireoStatsBatch *batch,
             gint64           dispatched)
{
  VireoConnectionPrivate *priv = vireo_connection_priv (self);
  GListModel *domains = G_LIST_MODEL (priv->domains);
  guint64 tick = priv->ticks + 1;
  guint n;

  for (guint i = 0; i < batch->samples->len; i++)
    {
      VireoDomainSample *s = &g_array_index (batch->samples, VireoDomainSample, i);
      VireoDomain *domain = g_hash_table_lookup (priv->domain_by_uuid, s->uuid);

      if (domain != NULL)
        vireo_domain_add_sample (domain, s, batch->wall_us, priv->host_cpus, tick);
      else if (!g_hash_table_contains (priv->pending_lookups, s->uuid))
        {
          /* A VM we missed an event for: fetch it. */
          g_hash_table_add (priv->pending_lookups, g_strdup (s->uuid));
          vireo_connection_domain_changed (self, s->uuid, NULL);
        }
    }

  /* VMs gone without an event; spare those added after this tick began. */
  n = g_list_model_get_n_items (domains);
  for (guint i = 0; i < n; i++)
    {
      VireoDomain *domain = g_list_model_get_item (domains, i);

      if (vireo_domain_get_seen_tick (domain) == tick ||
          vireo_domain_get_added_time (domain) >= dispatched)
        ;
      else if ((batch->complete || vireo_domain_state_is_active (vireo_domain_get_state (domain))) &&
               !g_hash_table_contains (priv->pending_lookups, vireo_domain_get_uuid (domain)))
        {
          /* Gone from the full listing, or running by our account but not
           * among the running: it went or stopped without an event reaching
           * us (or before it did). Look it up, so that a removal is always
           * announced as "undefined" by the one path that does so. */
          g_hash_table_add (priv->pending_lookups, g_strdup (vireo_domain_get_uuid (domain)));
          vireo_connection_domain_changed (self, vireo_domain_get_uuid (domain), NULL);
        }
      g_object_unref (domain);  /* the store keeps it */
    }

  if (batch->has_host_cpu)
    {
      if (priv->have_prev_host)
        vireo_ring_push (priv->host_cpu,
                         vireo_stats_host_cpu_percent (priv->prev_busy, priv->prev_total,
                                                       batch->host_cpu_busy, batch->host_cpu_total));
      priv->prev_busy = batch->host_cpu_busy;
      priv->prev_total = batch->host_cpu_total;
      priv->have_prev_host = TRUE;
    }
  if (batch->has_host_memory)
    vireo_ring_push (priv->host_mem, vireo_stats_percent (batch->host_mem_used, batch->host_mem_total));

  priv->ticks++;
  vireo_connection_emit_stats_updated (self);
}

static void
stats_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  VireoConnection *self = VIREO_CONNECTION (source);
  VireoConnectionPrivate *priv = vireo_connection_priv (self);
  StatsJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  VireoStatsBatch *batch = g_task_propagate_pointer (G_TASK (result), &error);

  if (job->generation != priv->generation)
    {
      vireo_stats_batch_free (batch);
      return;
    }
  priv->stats_in_flight = FALSE;

  if (batch == NULL)
    {
      if (g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_CONNECTED))
        vireo_connection_lost (self, error->message);
      else
        g_debug ("%s: statistics failed: %s", priv->uri, error->message);
      return;
    }
  apply_stats (self, batch, job->dispatched);
  vireo_stats_batch_free (batch);
}

static gboolean
stats_tick (gpointer user_data)
{
  VireoConnection *self = user_data;
  VireoConnectionPrivate *priv = vireo_connection_priv (self);
  g_autoptr(GTask) task = NULL;
  StatsJob *job;

  /* A slow host skips ticks rather than piling them up. */
  if (priv->state != VIREO_CONNECTION_STATE_CONNECTED || priv->stats_in_flight)
    return G_SOURCE_CONTINUE;

  job = g_new0 (StatsJob, 1);
  job->generation = priv->generation;
  job->dispatched = g_get_monotonic_time ();
  task = g_task_new (self, NULL, stats_done, NULL);
  g_task_set_task_data (task, job, g_free);
  priv->stats_in_flight = TRUE;
  vireo_worker_run (priv->stats_worker, task, stats_thread);
  return G_SOURCE_CONTINUE;
}

void
vireo_connection_restart_stats_timer (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_priv (self);

  g_clear_handle_id (&priv->stats_source, g_source_remove);
  if (priv->stats_interval == 0 || priv->state != VIREO_CONNECTION_STATE_CONNECTED)
    return;
  priv->stats_source = g_timeout_add (priv->stats_interval, stats_tick, self);
  /* First sample now, so rates can be shown after one interval. */
  stats_tick (self);
}
