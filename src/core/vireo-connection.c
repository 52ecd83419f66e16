/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <glib/gi18n-lib.h>
#include <libvirt-glib/libvirt-glib.h>

#include "vireo-connection-private.h"
#include "vireo-stats.h"
#include "vireo-uri.h"
#include "vireo-worker.h"
#include "libvirt/vireo-libvirt-connection.h"

#define HOST_HISTORY_LENGTH    120
#define RECONNECT_MAX_DELAY_S  30
#define AUTH_TIMEOUT_US        (5 * 60 * G_USEC_PER_SEC)

typedef struct {
  char                *uri;
  char                *display_name;
  VireoConnectionState state;
  char                *error_message;
  gboolean             auto_reconnect;
  guint                stats_interval;

  GListStore          *domains;
  GListStore          *networks;
  GListStore          *pools;
  GHashTable          *domain_by_uuid;   /* uuid → VireoDomain (borrowed) */
  GHashTable          *pending_lookups;  /* uuids being fetched after a stats tick */

  /* Calls and statistics have a thread each, so a slow action (a managed
   * save can take minutes) does not stop the graphs. */
  VireoWorker         *calls;
  VireoWorker         *stats_worker;
  GMainContext        *context;

  /* Bumped on every open and close: results of older jobs are dropped. */
  guint64              generation;
  GPtrArray           *open_waiters;     /* GTask* */
  gboolean             was_connected;
  guint                reconnect_source;
  guint                reconnect_delay;
  guint                stats_source;
  gboolean             stats_in_flight;
  guint64              ticks;

  guint                host_cpus;
  guint64              host_memory;
  VireoRing           *host_cpu;
  VireoRing           *host_mem;
  gboolean             have_prev_host;
  guint64              prev_busy, prev_total;
} VireoConnectionPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (VireoConnection, vireo_connection, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URI,
  PROP_DISPLAY_NAME,
  PROP_STATE,
  PROP_ERROR_MESSAGE,
  PROP_AUTO_RECONNECT,
  PROP_STATS_INTERVAL,
  N_PROPS
};

enum {
  SIGNAL_AUTHENTICATE,
  SIGNAL_STATS_UPDATED,
  SIGNAL_DOMAIN_EVENT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void start_open         (VireoConnection *self);
static void restart_stats_timer (VireoConnection *self);

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
/* State                                                                  */

static void
set_state (VireoConnection     *self,
           VireoConnectionState state,
           const char          *error_message)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);

  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (priv->error_message, error_message) != 0)
    {
      g_free (priv->error_message);
      priv->error_message = g_strdup (error_message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
    }
  /* Always notify: the status text also depends on the reconnect timer. */
  priv->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
clear_lists (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (priv->domains));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VireoDomain) d = g_list_model_get_item (G_LIST_MODEL (priv->domains), i);
      vireo_domain_detach (d);
    }
  g_hash_table_remove_all (priv->domain_by_uuid);
  g_hash_table_remove_all (priv->pending_lookups);
  g_list_store_remove_all (priv->domains);
  g_list_store_remove_all (priv->networks);
  g_list_store_remove_all (priv->pools);
}

static void
stop_timers (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);

  g_clear_handle_id (&priv->stats_source, g_source_remove);
  g_clear_handle_id (&priv->reconnect_source, g_source_remove);
}

static void
close_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  VireoConnection *self = source_object;

  VIREO_CONNECTION_GET_CLASS (self)->close (self);
  g_task_return_boolean (task, TRUE);
}

static void
close_backend (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_autoptr(GTask) task = g_task_new (self, NULL, NULL, NULL);

  vireo_worker_run (priv->calls, task, close_thread);
}

static void
complete_open_waiters (VireoConnection *self,
                       const GError    *error)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&priv->open_waiters);

  priv->open_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);
      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

static gboolean
reconnect_cb (gpointer user_data)
{
  VireoConnection *self = user_data;
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);

  priv->reconnect_source = 0;
  start_open (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);

  if (!priv->auto_reconnect || !priv->was_connected || priv->reconnect_source != 0)
    return;
  if (priv->reconnect_delay == 0)
    priv->reconnect_delay = 1;
  priv->reconnect_source = g_timeout_add_seconds (priv->reconnect_delay, reconnect_cb, self);
  priv->reconnect_delay = MIN (priv->reconnect_delay * 2, RECONNECT_MAX_DELAY_S);
}

void
vireo_connection_lost (VireoConnection *self,
                       const char      *reason)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);

  g_return_if_fail (VIREO_IS_CONNECTION (self));

  if (priv->state != VIREO_CONNECTION_STATE_CONNECTED)
    return;

  g_debug ("%s: connection lost: %s", priv->uri, reason);
  priv->generation++;
  stop_timers (self);
  priv->stats_in_flight = FALSE;
  clear_lists (self);
  close_backend (self);
  priv->reconnect_delay = 1;
  schedule_reconnect (self);
  set_state (self, VIREO_CONNECTION_STATE_DISCONNECTED,
             reason ? reason : _("The connection to the host was lost."));
}

/* ---------------------------------------------------------------------- */
/* Reconciling lists with what the host reports                           */

static int
compare_domains (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  return g_utf8_collate (vireo_domain_get_name ((VireoDomain *) a),
                         vireo_domain_get_name ((VireoDomain *) b));
}

static int
compare_domain_ptrs (gconstpointer a,
                     gconstpointer b,
                     gpointer      user_data)
{
  return compare_domains (*(VireoDomain * const *) a, *(VireoDomain * const *) b, NULL);
}

static VireoDomain *
add_domain (VireoConnection       *self,
            const VireoDomainInfo *info)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_autoptr(VireoDomain) domain = vireo_domain_new (self, info);

  g_hash_table_insert (priv->domain_by_uuid, g_strdup (info->uuid), domain);
  g_list_store_insert_sorted (priv->domains, domain, compare_domains, NULL);
  return domain;
}

static void
remove_domain (VireoConnection *self,
               VireoDomain     *domain)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  guint pos;

  if (g_list_store_find (priv->domains, domain, &pos))
    {
      g_autoptr(VireoDomain) keep = g_object_ref (domain);

      g_hash_table_remove (priv->domain_by_uuid, vireo_domain_get_uuid (domain));
      g_list_store_remove (priv->domains, pos);
      vireo_domain_detach (keep);
    }
}

static void
reconcile_domains (VireoConnection *self,
                   GPtrArray       *infos)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) gone = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  for (guint i = 0; i < infos->len; i++)
    {
      VireoDomainInfo *info = g_ptr_array_index (infos, i);
      VireoDomain *domain = g_hash_table_lookup (priv->domain_by_uuid, info->uuid);

      g_hash_table_add (seen, info->uuid);
      if (domain != NULL)
        vireo_domain_update (domain, info);
      else
        {
          VireoDomain *d = vireo_domain_new (self, info);
          g_hash_table_insert (priv->domain_by_uuid, g_strdup (info->uuid), d);
          g_ptr_array_add (added, d);
        }
    }

  g_hash_table_iter_init (&iter, priv->domain_by_uuid);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!g_hash_table_contains (seen, vireo_domain_get_uuid (value)))
      g_ptr_array_add (gone, value);
  for (guint i = 0; i < gone->len; i++)
    remove_domain (self, g_ptr_array_index (gone, i));

  if (added->len == 0)
    return;

  /* Many at once (the first listing): one sorted splice, one signal. */
  if (g_list_model_get_n_items (G_LIST_MODEL (priv->domains)) == 0)
    {
      g_ptr_array_sort_with_data (added, compare_domain_ptrs, NULL);
      g_list_store_splice (priv->domains, 0, 0, added->pdata, added->len);
    }
  else
    for (guint i = 0; i < added->len; i++)
      g_list_store_insert_sorted (priv->domains, g_ptr_array_index (added, i), compare_domains, NULL);
}


static void
reconcile_objects (GListStore   *store,
                   GPtrArray    *infos,
                   gpointer    (*make) (const VireoObjectInfo *),
                   void        (*update) (gpointer, const VireoObjectInfo *),
                   const char *(*get_uuid) (gpointer))
{
  g_autoptr(GHashTable) by_uuid = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

  for (guint i = 0; i < infos->len; i++)
    {
      VireoObjectInfo *info = g_ptr_array_index (infos, i);
      g_hash_table_insert (by_uuid, info->uuid, info);
    }

  /* Update or drop what we have, from the end so positions stay valid. */
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(GObject) object = g_list_model_get_item (G_LIST_MODEL (store), i - 1);
      VireoObjectInfo *info = g_hash_table_lookup (by_uuid, get_uuid (object));

      if (info == NULL)
        g_list_store_remove (store, i - 1);
      else
        {
          update (object, info);
          g_hash_table_remove (by_uuid, info->uuid);
        }
    }

  for (guint i = 0; i < infos->len; i++)
    {
      VireoObjectInfo *info = g_ptr_array_index (infos, i);
      if (g_hash_table_contains (by_uuid, info->uuid))
        {
          g_autoptr(GObject) object = make (info);
          g_list_store_append (store, object);
        }
    }
}

static void
apply_listing (VireoConnection *self,
               VireoListing    *listing)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);

  if (listing->domains != NULL)
    reconcile_domains (self, listing->domains);
  if (listing->networks != NULL)
    reconcile_objects (priv->networks, listing->networks,
                       (gpointer (*) (const VireoObjectInfo *)) vireo_network_new,
                       (void (*) (gpointer, const VireoObjectInfo *)) vireo_network_update,
                       (const char *(*) (gpointer)) vireo_network_get_uuid);
  if (listing->pools != NULL)
    reconcile_objects (priv->pools, listing->pools,
                       (gpointer (*) (const VireoObjectInfo *)) vireo_pool_new,
                       (void (*) (gpointer, const VireoObjectInfo *)) vireo_pool_update,
                       (const char *(*) (gpointer)) vireo_pool_get_uuid);
}

/* ---------------------------------------------------------------------- */
/* Opening                                                                */

typedef struct {
  guint64       generation;
  guint         host_cpus;
  guint64       host_memory;
  VireoListing  listing;
} OpenData;

static void
open_data_free (gpointer data)
{
  OpenData *od = data;
  vireo_listing_clear (&od->listing);
  g_free (od);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  VireoConnection *self = source_object;
  VireoConnectionClass *klass = VIREO_CONNECTION_GET_CLASS (self);
  OpenData *od = task_data;
  GError *error = NULL;

  if (!klass->open (self, &od->host_cpus, &od->host_memory, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (!klass->list (self, VIREO_LIST_ALL, &od->listing, &error))
    {
      klass->close (self);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
open_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  VireoConnection *self = VIREO_CONNECTION (source);
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  OpenData *od = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (od->generation != priv->generation)
        return;
      set_state (self, VIREO_CONNECTION_STATE_DISCONNECTED, error->message);
      schedule_reconnect (self);
      /* The status text mentions the retry: say it changed. */
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
      complete_open_waiters (self, error);
      return;
    }

  if (od->generation != priv->generation)
    {
      /* Closed while opening: the backend opened anyway, close it again. */
      close_backend (self);
      return;
    }

  priv->host_cpus = od->host_cpus;
  priv->host_memory = od->host_memory;
  priv->was_connected = TRUE;
  priv->reconnect_delay = 1;
  apply_listing (self, &od->listing);
  set_state (self, VIREO_CONNECTION_STATE_CONNECTED, NULL);
  restart_stats_timer (self);
  complete_open_waiters (self, NULL);
}

static void
start_open (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_autoptr(GTask) task = NULL;
  OpenData *od;

  if (priv->state != VIREO_CONNECTION_STATE_DISCONNECTED)
    return;

  g_clear_handle_id (&priv->reconnect_source, g_source_remove);
  priv->generation++;
  od = g_new0 (OpenData, 1);
  od->generation = priv->generation;
  task = g_task_new (self, NULL, open_done, NULL);
  g_task_set_task_data (task, od, open_data_free);
  set_state (self, VIREO_CONNECTION_STATE_CONNECTING, priv->error_message);
  vireo_worker_run (priv->calls, task, open_thread);
}

void
vireo_connection_open_async (VireoConnection     *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (VIREO_IS_CONNECTION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_connection_open_async);

  if (priv->state == VIREO_CONNECTION_STATE_CONNECTED)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_ptr_array_add (priv->open_waiters, g_steal_pointer (&task));
  start_open (self);
}

gboolean
vireo_connection_open_finish (VireoConnection *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
vireo_connection_close (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  gboolean was_open;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (VIREO_IS_CONNECTION (self));

  was_open = priv->state != VIREO_CONNECTION_STATE_DISCONNECTED;
  priv->generation++;
  priv->was_connected = FALSE;
  priv->stats_in_flight = FALSE;
  stop_timers (self);
  clear_lists (self);
  if (was_open)
    close_backend (self);
  error = g_error_new (VIREO_ERROR, VIREO_ERROR_CANCELLED, _("The connection was closed."));
  complete_open_waiters (self, error);
  set_state (self, VIREO_CONNECTION_STATE_DISCONNECTED, NULL);
}

/* ---------------------------------------------------------------------- */
/* Authentication                                                         */

static gboolean
emit_authenticate (gpointer user_data)
{
  VireoAuthRequest *request = user_data;
  VireoConnection *self = g_object_get_data (G_OBJECT (request), "vireo-connection");
  gboolean handled = FALSE;

  g_signal_emit (self, signals[SIGNAL_AUTHENTICATE], 0, request, &handled);
  if (!handled)
    vireo_auth_request_complete (request, FALSE);
  return G_SOURCE_REMOVE;
}

gboolean
vireo_connection_authenticate (VireoConnection  *self,
                               VireoAuthRequest *request)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);

  g_object_set_data_full (G_OBJECT (request), "vireo-connection",
                          g_object_ref (self), g_object_unref);
  g_main_context_invoke_full (priv->context, G_PRIORITY_DEFAULT, emit_authenticate,
                              g_object_ref (request), g_object_unref);
  return vireo_auth_request_wait (request, AUTH_TIMEOUT_US);
}

/* ---------------------------------------------------------------------- */
/* Events and single-VM refreshes                                         */

typedef struct {
  guint64 generation;
  char   *uuid;
  char   *what;
  VireoDomainAction action;
  VireoActionFlags  flags;
  gboolean          run_action;
  GTask            *outer;   /* the caller's task, for actions */
} DomainJob;

static void
domain_job_free (gpointer data)
{
  DomainJob *job = data;

  g_free (job->uuid);
  g_free (job->what);
  g_clear_object (&job->outer);
  g_free (job);
}

typedef struct {
  VireoDomainInfo *info;        /* NULL: the VM is gone */
  GError          *action_error;
} DomainJobResult;

static void
domain_job_result_free (gpointer data)
{
  DomainJobResult *r = data;

  vireo_domain_info_free (r->info);
  g_clear_error (&r->action_error);
  g_free (r);
}

static void
domain_job_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  VireoConnection *self = source_object;
  VireoConnectionClass *klass = VIREO_CONNECTION_GET_CLASS (self);
  DomainJob *job = task_data;
  DomainJobResult *r = g_new0 (DomainJobResult, 1);
  g_autoptr(GError) error = NULL;

  if (job->run_action)
    klass->domain_action (self, job->uuid, job->action, job->flags, &r->action_error);

  r->info = klass->get_domain (self, job->uuid, &error);
  if (r->info == NULL && !g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND))
    {
      /* Could not read it back: keep what we know, but report the action. */
      domain_job_result_free (r);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, r, domain_job_result_free);
}

static void
domain_job_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  VireoConnection *self = VIREO_CONNECTION (source);
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  DomainJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  DomainJobResult *r = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(VireoDomain) domain = NULL;
  const char *what = job->what;

  g_hash_table_remove (priv->pending_lookups, job->uuid);

  if (job->generation == priv->generation && r != NULL)
    {
      domain = g_hash_table_lookup (priv->domain_by_uuid, job->uuid);
      if (domain != NULL)
        g_object_ref (domain);

      if (r->info == NULL && domain != NULL)
        {
          remove_domain (self, domain);
          g_signal_emit (self, signals[SIGNAL_DOMAIN_EVENT], 0, domain,
                         what ? what : "undefined");
        }
      else if (r->info != NULL)
        {
          if (domain == NULL)
            domain = g_object_ref (add_domain (self, r->info));
          else
            vireo_domain_update (domain, r->info);
          if (what != NULL)
            g_signal_emit (self, signals[SIGNAL_DOMAIN_EVENT], 0, domain, what);
        }
    }

  if (job->outer != NULL)
    {
      if (r != NULL && r->action_error != NULL)
        g_task_return_error (job->outer, g_error_copy (r->action_error));
      else if (error != NULL && job->run_action)
        /* The action ran; only reading the VM back failed. */
        g_task_return_boolean (job->outer, TRUE);
      else
        g_task_return_boolean (job->outer, TRUE);
    }

  if (r != NULL)
    domain_job_result_free (r);
}

static void
queue_domain_job (VireoConnection *self,
                  DomainJob       *job)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_autoptr(GTask) task = g_task_new (self, NULL, domain_job_done, NULL);

  job->generation = priv->generation;
  g_task_set_task_data (task, job, domain_job_free);
  vireo_worker_run (priv->calls, task, domain_job_thread);
}

void
vireo_connection_domain_changed (VireoConnection *self,
                                 const char      *uuid,
                                 const char      *what)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  DomainJob *job;

  g_return_if_fail (VIREO_IS_CONNECTION (self));

  if (priv->state != VIREO_CONNECTION_STATE_CONNECTED)
    return;

  job = g_new0 (DomainJob, 1);
  job->uuid = g_strdup (uuid);
  job->what = g_strdup (what);
  queue_domain_job (self, job);
}

void
vireo_connection_run_domain_action (VireoConnection  *self,
                                    VireoDomain      *domain,
                                    VireoDomainAction action,
                                    VireoActionFlags  flags,
                                    GTask            *task)
{
  DomainJob *job = g_new0 (DomainJob, 1);

  job->uuid = g_strdup (vireo_domain_get_uuid (domain));
  job->action = action;
  job->flags = flags;
  job->run_action = TRUE;
  job->outer = task;
  queue_domain_job (self, job);
}

typedef struct {
  guint64        generation;
  VireoListFlags what;
  VireoListing   listing;
  GTask         *outer;
} ListJob;

static void
list_job_free (gpointer data)
{
  ListJob *job = data;

  vireo_listing_clear (&job->listing);
  g_clear_object (&job->outer);
  g_free (job);
}

static void
list_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  VireoConnection *self = source_object;
  ListJob *job = task_data;
  GError *error = NULL;

  if (!VIREO_CONNECTION_GET_CLASS (self)->list (self, job->what, &job->listing, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
list_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  VireoConnection *self = VIREO_CONNECTION (source);
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  ListJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error) &&
      job->generation == priv->generation)
    apply_listing (self, &job->listing);

  if (job->outer != NULL)
    {
      if (error != NULL)
        g_task_return_error (job->outer, g_steal_pointer (&error));
      else
        g_task_return_boolean (job->outer, TRUE);
    }
}

static void
queue_list_job (VireoConnection *self,
                VireoListFlags   what,
                GTask           *outer)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_autoptr(GTask) task = g_task_new (self, NULL, list_done, NULL);
  ListJob *job = g_new0 (ListJob, 1);

  job->generation = priv->generation;
  job->what = what;
  job->outer = outer;
  g_task_set_task_data (task, job, list_job_free);
  vireo_worker_run (priv->calls, task, list_thread);
}

void
vireo_connection_objects_changed (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);

  if (priv->state == VIREO_CONNECTION_STATE_CONNECTED)
    queue_list_job (self, VIREO_LIST_NETWORKS | VIREO_LIST_POOLS, NULL);
}

void
vireo_connection_refresh_async (VireoConnection     *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, vireo_connection_refresh_async);
  if (priv->state != VIREO_CONNECTION_STATE_CONNECTED)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_NOT_CONNECTED,
                               _("%s is not connected."), priv->display_name);
      return;
    }
  queue_list_job (self, VIREO_LIST_ALL, g_steal_pointer (&task));
}

gboolean
vireo_connection_refresh_finish (VireoConnection *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
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
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) gone = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  for (guint i = 0; i < batch->samples->len; i++)
    {
      VireoDomainSample *s = &g_array_index (batch->samples, VireoDomainSample, i);
      VireoDomain *domain = g_hash_table_lookup (priv->domain_by_uuid, s->uuid);

      g_hash_table_add (seen, s->uuid);
      if (domain != NULL)
        vireo_domain_add_sample (domain, s, batch->wall_us, priv->host_cpus);
      else if (!g_hash_table_contains (priv->pending_lookups, s->uuid))
        {
          /* A VM we missed an event for: fetch it. */
          g_hash_table_add (priv->pending_lookups, g_strdup (s->uuid));
          vireo_connection_domain_changed (self, s->uuid, NULL);
        }
    }

  /* VMs gone without an event; spare those added after this tick began. */
  g_hash_table_iter_init (&iter, priv->domain_by_uuid);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!g_hash_table_contains (seen, vireo_domain_get_uuid (value)) &&
        vireo_domain_get_added_time (value) < dispatched)
      g_ptr_array_add (gone, value);
  for (guint i = 0; i < gone->len; i++)
    remove_domain (self, g_ptr_array_index (gone, i));

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
  g_signal_emit (self, signals[SIGNAL_STATS_UPDATED], 0);
}

static void
stats_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  VireoConnection *self = VIREO_CONNECTION (source);
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
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
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
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

static void
restart_stats_timer (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);

  g_clear_handle_id (&priv->stats_source, g_source_remove);
  if (priv->stats_interval == 0 || priv->state != VIREO_CONNECTION_STATE_CONNECTED)
    return;
  priv->stats_source = g_timeout_add (priv->stats_interval, stats_tick, self);
  /* First sample now, so rates can be shown after one interval. */
  stats_tick (self);
}

/* ---------------------------------------------------------------------- */
/* GObject                                                                */

static void
vireo_connection_dispose (GObject *object)
{
  VireoConnection *self = VIREO_CONNECTION (object);
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);

  stop_timers (self);
  if (priv->domains != NULL)
    clear_lists (self);
  G_OBJECT_CLASS (vireo_connection_parent_class)->dispose (object);
}

static void
vireo_connection_finalize (GObject *object)
{
  VireoConnection *self = VIREO_CONNECTION (object);
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);

  /* Jobs hold a reference to the connection, so none is queued now. */
  vireo_worker_free (priv->calls);
  vireo_worker_free (priv->stats_worker);
  g_clear_object (&priv->domains);
  g_clear_object (&priv->networks);
  g_clear_object (&priv->pools);
  g_clear_pointer (&priv->domain_by_uuid, g_hash_table_unref);
  g_clear_pointer (&priv->pending_lookups, g_hash_table_unref);
  g_clear_pointer (&priv->open_waiters, g_ptr_array_unref);
  g_clear_pointer (&priv->host_cpu, vireo_ring_free);
  g_clear_pointer (&priv->host_mem, vireo_ring_free);
  g_clear_pointer (&priv->context, g_main_context_unref);
  g_free (priv->uri);
  g_free (priv->display_name);
  g_free (priv->error_message);
  G_OBJECT_CLASS (vireo_connection_parent_class)->finalize (object);
}

static void
vireo_connection_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  VireoConnection *self = VIREO_CONNECTION (object);
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_URI:            g_value_set_string (value, priv->uri); break;
    case PROP_DISPLAY_NAME:   g_value_set_string (value, priv->display_name); break;
    case PROP_STATE:          g_value_set_int (value, priv->state); break;
    case PROP_ERROR_MESSAGE:  g_value_set_string (value, priv->error_message); break;
    case PROP_AUTO_RECONNECT: g_value_set_boolean (value, priv->auto_reconnect); break;
    case PROP_STATS_INTERVAL: g_value_set_uint (value, priv->stats_interval); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vireo_connection_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  VireoConnection *self = VIREO_CONNECTION (object);
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_URI:
      priv->uri = g_value_dup_string (value);
      priv->display_name = vireo_uri_display_name (priv->uri);
      break;
    case PROP_AUTO_RECONNECT:
      vireo_connection_set_auto_reconnect (self, g_value_get_boolean (value));
      break;
    case PROP_STATS_INTERVAL:
      vireo_connection_set_stats_interval (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vireo_connection_class_init (VireoConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vireo_connection_dispose;
  object_class->finalize = vireo_connection_finalize;
  object_class->get_property = vireo_connection_get_property;
  object_class->set_property = vireo_connection_set_property;

  properties[PROP_URI] =
    g_param_spec_string ("uri", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, 0, VIREO_CONNECTION_STATE_CONNECTED, 0,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AUTO_RECONNECT] =
    g_param_spec_boolean ("auto-reconnect", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATS_INTERVAL] =
    g_param_spec_uint ("stats-interval", NULL, NULL, 0, 3600 * 1000, 1000,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_AUTHENTICATE] =
    g_signal_new ("authenticate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, VIREO_TYPE_AUTH_REQUEST);
  signals[SIGNAL_STATS_UPDATED] =
    g_signal_new ("stats-updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_DOMAIN_EVENT] =
    g_signal_new ("domain-event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, VIREO_TYPE_DOMAIN, G_TYPE_STRING);
}

static void
vireo_connection_init (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);

  priv->auto_reconnect = TRUE;
  priv->stats_interval = 1000;
  priv->domains = g_list_store_new (VIREO_TYPE_DOMAIN);
  priv->networks = g_list_store_new (VIREO_TYPE_NETWORK);
  priv->pools = g_list_store_new (VIREO_TYPE_POOL);
  priv->domain_by_uuid = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  priv->pending_lookups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  priv->open_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  priv->calls = vireo_worker_new ("calls");
  priv->stats_worker = vireo_worker_new ("stats");
  priv->context = g_main_context_ref_thread_default ();
  priv->host_cpu = vireo_ring_new (HOST_HISTORY_LENGTH);
  priv->host_mem = vireo_ring_new (HOST_HISTORY_LENGTH);
}

/* ---------------------------------------------------------------------- */
/* Public API                                                             */

VireoConnection *
vireo_connection_new (const char *uri,
                      GError    **error)
{
  g_auto(VireoUriInfo) info = { 0 };

  if (!vireo_uri_parse (uri, &info, error))
    return NULL;
  if (info.hypervisor == VIREO_HYPERVISOR_BUILTIN)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                   _("The builtin QEMU backend is not available in this build."));
      return NULL;
    }
  return g_object_new (VIREO_TYPE_LIBVIRT_CONNECTION, "uri", uri, NULL);
}

void
vireo_core_init (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      gvir_init (NULL, NULL);
      gvir_event_register ();
      vireo_libvirt_connection_global_init ();
      g_once_init_leave (&once, 1);
    }
}

const char *
vireo_connection_get_uri (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_return_val_if_fail (VIREO_IS_CONNECTION (self), NULL);
  return priv->uri;
}

const char *
vireo_connection_get_display_name (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_return_val_if_fail (VIREO_IS_CONNECTION (self), NULL);
  return priv->display_name;
}

VireoConnectionState
vireo_connection_get_state (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_return_val_if_fail (VIREO_IS_CONNECTION (self), VIREO_CONNECTION_STATE_DISCONNECTED);
  return priv->state;
}

const char *
vireo_connection_get_error_message (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_return_val_if_fail (VIREO_IS_CONNECTION (self), NULL);
  return priv->state == VIREO_CONNECTION_STATE_CONNECTED ? NULL : priv->error_message;
}

char *
vireo_connection_dup_status_text (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);

  g_return_val_if_fail (VIREO_IS_CONNECTION (self), NULL);

  if (priv->state != VIREO_CONNECTION_STATE_DISCONNECTED || priv->error_message == NULL)
    return g_strdup (vireo_connection_state_to_string (priv->state));
  if (priv->reconnect_source != 0)
    /* Translators: the reason a connection was lost; a retry is scheduled */
    return g_strdup_printf (_("Disconnected: %s (retrying)"), priv->error_message);
  /* Translators: the reason a connection is down */
  return g_strdup_printf (_("Disconnected: %s"), priv->error_message);
}

void
vireo_connection_set_auto_reconnect (VireoConnection *self,
                                     gboolean         auto_reconnect)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);

  g_return_if_fail (VIREO_IS_CONNECTION (self));
  auto_reconnect = !!auto_reconnect;
  if (priv->auto_reconnect == auto_reconnect)
    return;
  priv->auto_reconnect = auto_reconnect;
  if (!auto_reconnect)
    g_clear_handle_id (&priv->reconnect_source, g_source_remove);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTO_RECONNECT]);
}

gboolean
vireo_connection_get_auto_reconnect (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_return_val_if_fail (VIREO_IS_CONNECTION (self), FALSE);
  return priv->auto_reconnect;
}

void
vireo_connection_set_stats_interval (VireoConnection *self,
                                     guint            interval_ms)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);

  g_return_if_fail (VIREO_IS_CONNECTION (self));
  if (priv->stats_interval == interval_ms)
    return;
  priv->stats_interval = interval_ms;
  restart_stats_timer (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATS_INTERVAL]);
}

guint
vireo_connection_get_stats_interval (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_return_val_if_fail (VIREO_IS_CONNECTION (self), 0);
  return priv->stats_interval;
}

GListModel *
vireo_connection_get_domains (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_return_val_if_fail (VIREO_IS_CONNECTION (self), NULL);
  return G_LIST_MODEL (priv->domains);
}

GListModel *
vireo_connection_get_networks (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_return_val_if_fail (VIREO_IS_CONNECTION (self), NULL);
  return G_LIST_MODEL (priv->networks);
}

GListModel *
vireo_connection_get_pools (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_return_val_if_fail (VIREO_IS_CONNECTION (self), NULL);
  return G_LIST_MODEL (priv->pools);
}

VireoDomain *
vireo_connection_find_domain (VireoConnection *self,
                              const char      *name_or_uuid)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  VireoDomain *domain;
  guint n;

  g_return_val_if_fail (VIREO_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (name_or_uuid != NULL, NULL);

  domain = g_hash_table_lookup (priv->domain_by_uuid, name_or_uuid);
  if (domain != NULL)
    return domain;

  n = g_list_model_get_n_items (G_LIST_MODEL (priv->domains));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VireoDomain) d = g_list_model_get_item (G_LIST_MODEL (priv->domains), i);
      if (g_strcmp0 (vireo_domain_get_name (d), name_or_uuid) == 0)
        return d;  /* the store keeps it alive */
    }
  return NULL;
}

guint
vireo_connection_get_host_cpus (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_return_val_if_fail (VIREO_IS_CONNECTION (self), 0);
  return priv->host_cpus;
}

guint64
vireo_connection_get_host_memory (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_return_val_if_fail (VIREO_IS_CONNECTION (self), 0);
  return priv->host_memory;
}

const VireoRing *
vireo_connection_get_host_cpu_history (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_return_val_if_fail (VIREO_IS_CONNECTION (self), NULL);
  return priv->host_cpu;
}

const VireoRing *
vireo_connection_get_host_memory_history (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_return_val_if_fail (VIREO_IS_CONNECTION (self), NULL);
  return priv->host_mem;
}

guint64
vireo_connection_get_stats_ticks (VireoConnection *self)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_return_val_if_fail (VIREO_IS_CONNECTION (self), 0);
  return priv->ticks;
}
