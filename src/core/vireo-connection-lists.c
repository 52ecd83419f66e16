/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "vireo-connection-internal.h"

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

VireoDomain *
vireo_connection_add_domain (VireoConnection       *self,
            const VireoDomainInfo *info)
{
  VireoConnectionPrivate *priv = vireo_connection_priv (self);
  g_autoptr(VireoDomain) domain = vireo_domain_new (self, info);

  g_hash_table_insert (priv->domain_by_uuid, g_strdup (info->uuid), domain);
  g_list_store_insert_sorted (priv->domains, domain, compare_domains, NULL);
  return domain;
}

void
vireo_connection_remove_domain (VireoConnection *self,
               VireoDomain     *domain)
{
  VireoConnectionPrivate *priv = vireo_connection_priv (self);
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
  VireoConnectionPrivate *priv = vireo_connection_priv (self);
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
    vireo_connection_remove_domain (self, g_ptr_array_index (gone, i));

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

void
vireo_connection_apply_listing (VireoConnection *self,
               VireoListing    *listing)
{
  VireoConnectionPrivate *priv = vireo_connection_priv (self);

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
    {
      GCancellable *cancel = job->outer ? g_task_get_cancellable (job->outer) : NULL;

      /* Cancelled before it ran: do nothing, say so. */
      if (g_cancellable_set_error_if_cancelled (cancel, &r->action_error))
        ;
      else
        klass->domain_action (self, job->uuid, job->action, job->flags, &r->action_error);
    }

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
  VireoConnectionPrivate *priv = vireo_connection_priv (self);
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
          /* Gone by the time we looked. Report the event that asked us to
           * look (a VM can stop and be undefined before the first lookup
           * runs), then the removal, which the later "undefined" lookup will
           * find already done. */
          if (what != NULL && !g_str_equal (what, "undefined"))
            vireo_connection_emit_domain_event (self, domain, what);
          vireo_connection_remove_domain (self, domain);
          vireo_connection_emit_domain_event (self, domain, "undefined");
        }
      else if (r->info != NULL)
        {
          if (domain == NULL)
            domain = g_object_ref (vireo_connection_add_domain (self, r->info));
          else
            vireo_domain_update (domain, r->info);
          if (what != NULL)
            vireo_connection_emit_domain_event (self, domain, what);
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
  VireoConnectionPrivate *priv = vireo_connection_priv (self);
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
  VireoConnectionPrivate *priv = vireo_connection_priv (self);
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
  VireoConnectionPrivate *priv = vireo_connection_priv (self);
  ListJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error) &&
      job->generation == priv->generation)
    vireo_connection_apply_listing (self, &job->listing);

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
  VireoConnectionPrivate *priv = vireo_connection_priv (self);
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
  VireoConnectionPrivate *priv = vireo_connection_priv (self);

  if (priv->state == VIREO_CONNECTION_STATE_CONNECTED)
    queue_list_job (self, VIREO_LIST_NETWORKS | VIREO_LIST_POOLS, NULL);
}

void
vireo_connection_refresh_async (VireoConnection     *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  VireoConnectionPrivate *priv = vireo_connection_priv (self);
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
/* Defining                                                               */

typedef struct {
  guint64 generation;
  char   *xml;
} DefineJob;

static void
define_job_free (gpointer data)
{
  DefineJob *job = data;

  g_free (job->xml);
  g_free (job);
}

static void
define_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  VireoConnection *self = source_object;
  VireoConnectionClass *klass = VIREO_CONNECTION_GET_CLASS (self);
  DefineJob *job = task_data;
  GError *error = NULL;
  g_autofree char *uuid = NULL;
  VireoDomainInfo *info;

  if (klass->define_domain == NULL)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                               _("This connection cannot create VMs."));
      return;
    }
  uuid = klass->define_domain (self, job->xml, &error);
  if (uuid == NULL || (info = klass->get_domain (self, uuid, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, info, (GDestroyNotify) vireo_domain_info_free);
}

static void
define_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  VireoConnection *self = VIREO_CONNECTION (source);
  VireoConnectionPrivate *priv = vireo_connection_priv (self);
  g_autoptr(GTask) outer = user_data;
  DefineJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoDomainInfo) info = g_task_propagate_pointer (G_TASK (result), &error);
  VireoDomain *domain;

  if (info == NULL)
    {
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }
  if (job->generation != priv->generation)
    {
      g_task_return_new_error (outer, VIREO_ERROR, VIREO_ERROR_NOT_CONNECTED,
                               _("The connection closed while the VM was being created."));
      return;
    }
  domain = g_hash_table_lookup (priv->domain_by_uuid, info->uuid);
  if (domain != NULL)
    vireo_domain_update (domain, info);
  else
    domain = vireo_connection_add_domain (self, info);
  g_task_return_pointer (outer, g_object_ref (domain), g_object_unref);
}

void
vireo_connection_define_domain_async (VireoConnection     *self,
                                      const char          *xml,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  VireoConnectionPrivate *priv = vireo_connection_priv (self);
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) task = NULL;
  DefineJob *job;

  g_return_if_fail (VIREO_IS_CONNECTION (self));
  g_return_if_fail (xml != NULL);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, vireo_connection_define_domain_async);
  if (priv->state != VIREO_CONNECTION_STATE_CONNECTED)
    {
      g_task_return_new_error (outer, VIREO_ERROR, VIREO_ERROR_NOT_CONNECTED,
                               _("%s is not connected."), priv->display_name);
      return;
    }
  job = g_new0 (DefineJob, 1);
  job->generation = priv->generation;
  job->xml = g_strdup (xml);
  task = g_task_new (self, NULL, define_done, g_steal_pointer (&outer));
  g_task_set_task_data (task, job, define_job_free);
  vireo_worker_run (priv->calls, task, define_thread);
}

VireoDomain *
vireo_connection_define_domain_finish (VireoConnection *self,
                                       GAsyncResult    *result,
                                       GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---------------------------------------------------------------------- */
/* Display and console sockets                                            */

typedef struct {
  VireoConnection  *conn;
  char             *uuid;
  gboolean          graphics;
  VireoGraphicsType type;
  int               fd;      /* opened, not yet taken by the caller */
} StreamJob;

static void
stream_job_free (gpointer data)
{
  StreamJob *job = data;
  /* The caller cancelled, or never finished: the socket is ours to close. */
  if (job->fd >= 0)
    close (job->fd);
  g_object_unref (job->conn);
  g_free (job->uuid);
  g_free (job);
}

static void
stream_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  StreamJob *job = task_data;
  VireoConnectionClass *klass = VIREO_CONNECTION_GET_CLASS (job->conn);
  GError *error = NULL;
  int fd;

  if (job->graphics)
    fd = klass->open_graphics ? klass->open_graphics (job->conn, job->uuid, &job->type, &error) : -1;
  else
    fd = klass->open_console ? klass->open_console (job->conn, job->uuid, &error) : -1;
  if (fd < 0 && error == NULL)
    g_set_error (&error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED, "%s",
                 job->graphics ? _("This connection offers no graphical display.")
                               : _("This connection offers no serial console."));
  if (fd < 0)
    g_task_return_error (task, error);
  else
    {
      job->fd = fd;
      g_task_return_int (task, fd);
    }
}

/* `task` is the caller's (its source is the domain); its task data becomes
 * the job, whose `type` the finish function reads. */
void
vireo_connection_open_stream (VireoConnection *self,
                              VireoDomain     *domain,
                              gboolean         graphics,
                              GTask           *task)
{
  VireoConnectionPrivate *priv = vireo_connection_priv (self);
  StreamJob *job = g_new0 (StreamJob, 1);

  job->conn = g_object_ref (self);
  job->uuid = g_strdup (vireo_domain_get_uuid (domain));
  job->graphics = graphics;
  job->fd = -1;
  g_task_set_task_data (task, job, stream_job_free);
  vireo_worker_run (priv->calls, task, stream_thread);
}

VireoGraphicsType
vireo_connection_stream_type (GTask *task)
{
  StreamJob *job = g_task_get_task_data (task);
  return job ? job->type : VIREO_GRAPHICS_NONE;
}

void
vireo_connection_stream_fd_taken (GTask *task)
{
  StreamJob *job = g_task_get_task_data (task);

  if (job != NULL)
    job->fd = -1;
}
