/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The install runner: a chain of steps, each either a job on the
 * connection's call worker (anything that talks to the host), a fetcher
 * transfer (its own thread), or a wait on the main context. What each step
 * creates is recorded as soon as it exists, so that a failure or a cancel
 * at any point can remove exactly that, in one cleanup job, before the run
 * completes. */
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "vireo-connection-private.h"
#include "vireo-installer.h"
#include "vireo-fetcher.h"

#define PROGRESS_INTERVAL_US  (100 * 1000)
#define INSTALL_POLL_MS       1000

struct _VireoInstaller
{
  GObject           parent_instance;

  VireoConnection  *conn;
  VireoInstallPlan *plan;
  gboolean          start;
  gboolean          wait;
  char             *final_xml;      /* the user's, or NULL */
  GMainContext     *context;

  /* prepare */
  gboolean          prepared;
  GTask            *prepare_task;   /* while preparing */
  VireoHostCaps    *caps;
  gboolean          upload;         /* boot files go into a pool on the host */
  char             *cache_dir;

  /* progress */
  VireoInstallStep  step;
  char             *step_text;
  double            fraction;
  gint64            last_emit_us;
  guint             emit_source;

  /* run */
  GTask            *run_task;
  gboolean          ran;
  VireoFetcher     *fetcher;
  char             *kernel_path;    /* as the host reads it */
  char             *initrd_path;
  VireoDomain      *domain;
  guint             poll_source;

  /* What the run made, removed again on failure. */
  GPtrArray        *cached_files;   /* local paths */
  GPtrArray        *boot_volumes;   /* in boot_pool */
  char             *media_volume;   /* an uploaded ISO, in boot_pool: kept on success */
  char             *boot_pool;
  char             *created_pool;   /* a pool this run made */
  char             *volume_pool;    /* the new disk, when made */
  char             *volume_name;
  char             *defined_uuid;
};

G_DEFINE_FINAL_TYPE (VireoInstaller, vireo_installer, G_TYPE_OBJECT)

enum {
  SIGNAL_PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---------------------------------------------------------------------- */
/* Progress                                                               */

static gboolean
emit_progress_cb (gpointer user_data)
{
  VireoInstaller *self = user_data;

  self->emit_source = 0;
  self->last_emit_us = g_get_monotonic_time ();
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0);
  return G_SOURCE_REMOVE;
}

/* At most ten a second, except that a new step is always told at once. */
static void
queue_progress (VireoInstaller *self,
                gboolean        now)
{
  gint64 since = g_get_monotonic_time () - self->last_emit_us;

  if (now || since >= PROGRESS_INTERVAL_US)
    {
      g_clear_handle_id (&self->emit_source, g_source_remove);
      emit_progress_cb (self);
    }
  else if (self->emit_source == 0)
    {
      GSource *source = g_timeout_source_new ((PROGRESS_INTERVAL_US - since) / 1000 + 1);

      g_source_set_callback (source, emit_progress_cb, self, NULL);
      self->emit_source = g_source_attach (source, self->context);
      g_source_unref (source);
    }
}

static void
set_step (VireoInstaller  *self,
          VireoInstallStep step,
          const char      *text)
{
  self->step = step;
  g_free (self->step_text);
  self->step_text = g_strdup (text);
  self->fraction = -1;
  queue_progress (self, TRUE);
}

static void
set_fraction (VireoInstaller *self,
              double          fraction)
{
  if (fraction == self->fraction)
    return;
  self->fraction = fraction;
  queue_progress (self, FALSE);
}

static void
set_text (VireoInstaller *self,
          const char     *text)
{
  if (g_strcmp0 (self->step_text, text) == 0)
    return;
  g_free (self->step_text);
  self->step_text = g_strdup (text);
  queue_progress (self, FALSE);
}

/* ---------------------------------------------------------------------- */
/* GObject                                                                */

static void
vireo_installer_dispose (GObject *object)
{
  VireoInstaller *self = VIREO_INSTALLER (object);

  g_clear_handle_id (&self->emit_source, g_source_remove);
  g_clear_handle_id (&self->poll_source, g_source_remove);
  if (self->fetcher != NULL)
    g_signal_handlers_disconnect_by_data (self->fetcher, self);
  g_clear_object (&self->fetcher);
  g_clear_object (&self->domain);
  G_OBJECT_CLASS (vireo_installer_parent_class)->dispose (object);
}

static void
vireo_installer_finalize (GObject *object)
{
  VireoInstaller *self = VIREO_INSTALLER (object);

  g_clear_object (&self->conn);
  g_clear_object (&self->plan);
  g_clear_object (&self->caps);
  g_free (self->final_xml);
  g_free (self->cache_dir);
  g_free (self->step_text);
  g_free (self->kernel_path);
  g_free (self->initrd_path);
  g_ptr_array_unref (self->cached_files);
  g_ptr_array_unref (self->boot_volumes);
  g_free (self->boot_pool);
  g_free (self->media_volume);
  g_free (self->created_pool);
  g_free (self->volume_pool);
  g_free (self->volume_name);
  g_free (self->defined_uuid);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (vireo_installer_parent_class)->finalize (object);
}

static void
vireo_installer_class_init (VireoInstallerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vireo_installer_dispose;
  object_class->finalize = vireo_installer_finalize;

  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
vireo_installer_init (VireoInstaller *self)
{
  self->start = TRUE;
  self->fraction = -1;
  self->cached_files = g_ptr_array_new_with_free_func (g_free);
  self->boot_volumes = g_ptr_array_new_with_free_func (g_free);
  self->context = g_main_context_ref_thread_default ();
}

VireoInstaller *
vireo_installer_new (VireoConnection  *connection,
                     VireoInstallPlan *plan)
{
  VireoInstaller *self;

  g_return_val_if_fail (VIREO_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (VIREO_IS_INSTALL_PLAN (plan), NULL);

  self = g_object_new (VIREO_TYPE_INSTALLER, NULL);
  self->conn = g_object_ref (connection);
  self->plan = g_object_ref (plan);
  return self;
}

void
vireo_installer_set_start (VireoInstaller *self,
                           gboolean        start)
{
  g_return_if_fail (VIREO_IS_INSTALLER (self));
  self->start = !!start;
}

void
vireo_installer_set_wait_for_install (VireoInstaller *self,
                                      gboolean        wait)
{
  g_return_if_fail (VIREO_IS_INSTALLER (self));
  self->wait = !!wait;
}

void
vireo_installer_set_final_xml (VireoInstaller *self,
                               const char     *xml)
{
  g_return_if_fail (VIREO_IS_INSTALLER (self));
  g_free (self->final_xml);
  self->final_xml = g_strdup (xml);
}

VireoInstallStep
vireo_installer_get_step (VireoInstaller *self)
{
  g_return_val_if_fail (VIREO_IS_INSTALLER (self), VIREO_INSTALL_STEP_NONE);
  return self->step;
}

const char *
vireo_installer_get_step_text (VireoInstaller *self)
{
  g_return_val_if_fail (VIREO_IS_INSTALLER (self), NULL);
  return self->step_text;
}

double
vireo_installer_get_fraction (VireoInstaller *self)
{
  g_return_val_if_fail (VIREO_IS_INSTALLER (self), -1);
  return self->fraction;
}

/* ---------------------------------------------------------------------- */
/* Host capabilities                                                      */

static void
host_caps_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = vireo_connection_get_capabilities_finish (VIREO_CONNECTION (source),
                                                                   result, &error);
  VireoHostCaps *caps;

  if (xml == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  caps = vireo_host_caps_new (xml, &error);
  if (caps == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, caps, g_object_unref);
}

void
vireo_install_query_host_caps_async (VireoConnection     *connection,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task = g_task_new (connection, cancellable, callback, user_data);

  g_task_set_source_tag (task, vireo_install_query_host_caps_async);
  vireo_connection_get_capabilities_async (connection, cancellable, host_caps_cb, task);
}

VireoHostCaps *
vireo_install_query_host_caps_finish (VireoConnection *connection,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connection), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---------------------------------------------------------------------- */
/* Jobs on the connection's worker                                        */

typedef enum {
  JOB_CHECK,          /* capabilities, pool, names */
  JOB_UPLOAD,         /* boot files into a pool */
  JOB_CREATE_DISK,
  JOB_START,          /* the install phase, or the VM itself */
  JOB_REMOVE_BOOT,    /* uploaded boot files, once the guest has them */
  JOB_POLL,           /* is the install phase still running? */
  JOB_CLEANUP,
} JobKind;

typedef struct {
  JobKind           kind;
  VireoConnection  *conn;
  VireoInstaller   *installer;   /* for upload progress */
  GMainContext     *context;
  /* in */
  char             *pool;
  gboolean          create_pool;
  char             *xml;
  char             *uuid;
  gboolean          is_install_xml;
  GPtrArray        *files;        /* local paths to upload */
  GPtrArray        *volumes;      /* names for them; or to delete */
  char             *disk_pool;    /* cleanup: the new disk */
  char             *disk_volume;
  char             *drop_pool;    /* cleanup: a pool we made */
  guint64           need_bytes;
  GCancellable     *cancellable;
  /* out */
  char             *caps_xml;
  VireoPoolDetails *pool_details;
  gboolean          pool_missing;
  GPtrArray        *names;        /* VM names on the host */
  gboolean          pool_created;
  GPtrArray        *paths;        /* of uploaded volumes, in order */
  char             *volume_path;
  VireoDomainState  state;
  gboolean          gone;
  GString          *leftovers;    /* cleanup failures */
  /* upload progress */
  guint             file_index;
  gint64            last_progress_us;
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  g_clear_object (&job->conn);
  g_clear_object (&job->installer);
  g_clear_pointer (&job->context, g_main_context_unref);
  g_free (job->pool);
  g_free (job->xml);
  g_free (job->uuid);
  g_clear_pointer (&job->files, g_ptr_array_unref);
  g_clear_pointer (&job->volumes, g_ptr_array_unref);
  g_free (job->disk_pool);
  g_free (job->disk_volume);
  g_free (job->drop_pool);
  g_clear_object (&job->cancellable);
  g_free (job->caps_xml);
  vireo_pool_details_free (job->pool_details);
  g_clear_pointer (&job->names, g_ptr_array_unref);
  g_clear_pointer (&job->paths, g_ptr_array_unref);
  g_free (job->volume_path);
  if (job->leftovers != NULL)
    g_string_free (job->leftovers, TRUE);
  g_free (job);
}

static Job *
job_new (VireoInstaller *self,
         JobKind         kind)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->conn = g_object_ref (self->conn);
  job->context = g_main_context_ref (self->context);
  return job;
}

static gboolean
need_vfunc (gpointer     vfunc,
            GError     **error)
{
  if (vfunc != NULL)
    return TRUE;
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
               _("This connection cannot create VMs."));
  return FALSE;
}

typedef struct {
  VireoInstaller *self;
  double          fraction;
  char           *text;
} ProgressUpdate;

static gboolean
progress_update_cb (gpointer user_data)
{
  ProgressUpdate *u = user_data;

  if (u->text != NULL)
    set_text (u->self, u->text);
  set_fraction (u->self, u->fraction);
  g_object_unref (u->self);
  g_free (u->text);
  g_free (u);
  return G_SOURCE_REMOVE;
}

/* On the worker: a transfer's progress, passed to the main context at most
 * ten times a second. */
static void
upload_progress (guint64  done,
                 guint64  total,
                 gpointer user_data)
{
  Job *job = user_data;
  gint64 now = g_get_monotonic_time ();
  ProgressUpdate *u;

  if (now - job->last_progress_us < PROGRESS_INTERVAL_US && done < total)
    return;
  job->last_progress_us = now;
  u = g_new0 (ProgressUpdate, 1);
  u->self = g_object_ref (job->installer);
  u->fraction = total > 0 ? (double) done / total : -1;
  g_main_context_invoke (job->context, progress_update_cb, u);
}

static void
add_leftover (Job        *job,
              const char *what,
              GError     *error)
{
  if (job->leftovers == NULL)
    job->leftovers = g_string_new (NULL);
  g_string_append_printf (job->leftovers, "%s%s (%s)", job->leftovers->len ? "; " : "",
                          what, error ? error->message : _("unknown error"));
}

static void
job_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Job *job = task_data;
  VireoConnection *conn = job->conn;
  VireoConnectionClass *klass = VIREO_CONNECTION_GET_CLASS (conn);
  GError *error = NULL;

  switch (job->kind)
    {
    case JOB_CHECK:
      {
        VireoListing listing = { 0 };

        if (!need_vfunc (klass->get_capabilities, &error) ||
            (job->caps_xml = klass->get_capabilities (conn, &error)) == NULL)
          break;
        if (job->pool != NULL && need_vfunc (klass->get_pool, &error))
          {
            job->pool_details = klass->get_pool (conn, job->pool, FALSE, &error);
            if (job->pool_details == NULL)
              {
                /* A missing "default" pool is made when the disk is. */
                if (!g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND) ||
                    !g_str_equal (job->pool, "default"))
                  break;
                g_clear_error (&error);
                job->pool_missing = TRUE;
              }
          }
        else if (error != NULL)
          break;
        if (!klass->list (conn, VIREO_LIST_DOMAINS, &listing, &error))
          break;
        job->names = g_ptr_array_new_with_free_func (g_free);
        for (guint i = 0; listing.domains && i < listing.domains->len; i++)
          {
            VireoDomainInfo *info = g_ptr_array_index (listing.domains, i);
            g_ptr_array_add (job->names, g_strdup (info->name));
          }
        vireo_listing_clear (&listing);
      }
      break;

    case JOB_UPLOAD:
      if (!need_vfunc (klass->get_pool, &error) || !need_vfunc (klass->upload_volume, &error))
        break;
      job->pool_details = klass->get_pool (conn, job->pool, TRUE, &error);
      if (job->pool_details == NULL)
        break;
      job->pool_created = job->pool_details->created;
      job->paths = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < job->files->len; i++)
        {
          char *path;

          job->file_index = i;
          path = klass->upload_volume (conn, job->pool, g_ptr_array_index (job->volumes, i),
                                       g_ptr_array_index (job->files, i),
                                       upload_progress, job, job->cancellable, &error);
          if (path == NULL)
            break;
          g_ptr_array_add (job->paths, path);
        }
      break;

    case JOB_CREATE_DISK:
      if (!need_vfunc (klass->get_pool, &error) || !need_vfunc (klass->create_volume, &error))
        break;
      job->pool_details = klass->get_pool (conn, job->pool, TRUE, &error);
      if (job->pool_details == NULL)
        break;
      job->pool_created = job->pool_details->created;
      if (job->pool_details->available > 0 && job->need_bytes > job->pool_details->available)
        {
          g_set_error (&error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                       _("A %.1f GiB disk is larger than the free space in the pool “%s” "
                         "(%.1f GiB). Choose a smaller disk or another pool."),
                       job->need_bytes / 1073741824.0, job->pool,
                       job->pool_details->available / 1073741824.0);
          break;
        }
      job->volume_path = klass->create_volume (conn, job->pool, job->xml, &error);
      break;

    case JOB_START:
      if (job->is_install_xml)
        {
          g_autofree char *uuid = NULL;

          if (!need_vfunc (klass->create_domain, &error))
            break;
          uuid = klass->create_domain (conn, job->xml, &error);
        }
      else
        klass->domain_action (conn, job->uuid, VIREO_DOMAIN_ACTION_START,
                              VIREO_ACTION_FLAGS_NONE, &error);
      break;

    case JOB_REMOVE_BOOT:
      for (guint i = 0; job->volumes && i < job->volumes->len; i++)
        {
          g_autoptr(GError) local_error = NULL;
          const char *name = g_ptr_array_index (job->volumes, i);

          if (!klass->delete_volume (conn, job->pool, name, &local_error))
            add_leftover (job, name, local_error);
        }
      break;

    case JOB_POLL:
      {
        VireoDomainInfo *info = klass->get_domain (conn, job->uuid, &error);

        if (info == NULL && g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND))
          {
            g_clear_error (&error);
            job->gone = TRUE;
          }
        else if (info != NULL)
          {
            job->state = info->state;
            vireo_domain_info_free (info);
          }
      }
      break;

    case JOB_CLEANUP:
      /* Each part is tried even when another failed; what could not be
       * removed is named in the error. */
      if (job->uuid != NULL && klass->undefine_domain != NULL)
        {
          g_autoptr(GError) local_error = NULL;
          if (!klass->undefine_domain (conn, job->uuid, &local_error))
            add_leftover (job, _("the VM’s definition"), local_error);
        }
      for (guint i = 0; job->volumes && i < job->volumes->len; i++)
        {
          g_autoptr(GError) local_error = NULL;
          const char *name = g_ptr_array_index (job->volumes, i);

          if (klass->delete_volume && !klass->delete_volume (conn, job->pool, name, &local_error))
            add_leftover (job, name, local_error);
        }
      if (job->disk_volume != NULL && klass->delete_volume)
        {
          g_autoptr(GError) local_error = NULL;
          if (!klass->delete_volume (conn, job->disk_pool, job->disk_volume, &local_error))
            add_leftover (job, job->disk_volume, local_error);
        }
      if (job->drop_pool != NULL && klass->delete_pool)
        {
          g_autoptr(GError) local_error = NULL;
          if (!klass->delete_pool (conn, job->drop_pool, &local_error))
            add_leftover (job, job->drop_pool, local_error);
        }
      break;

    default:
      g_assert_not_reached ();
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
run_job (VireoInstaller      *self,
         Job                 *job,
         GAsyncReadyCallback  callback,
         gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_task_data (task, job, job_free);
  vireo_connection_run_on_worker (self->conn, task, job_thread);
}

static Job *
job_of (GAsyncResult *result)
{
  return g_task_get_task_data (G_TASK (result));
}

/* ---------------------------------------------------------------------- */
/* Prepare: the plan, built against the host                              */

static void prepare_tree (VireoInstaller *self, GTask *task);
static void prepare_build (VireoInstaller *self, GTask *task);

static char *
cache_file_for (VireoInstaller *self,
                const char     *relative)
{
  g_autofree char *base = g_path_get_basename (relative);
  g_autofree char *file = g_strdup_printf ("%s-%s", vireo_install_plan_get_uuid (self->plan), base);

  return g_build_filename (self->cache_dir, file, NULL);
}

static void
prepare_done (VireoInstaller *self,
              GTask          *task,
              GError         *error)
{
  self->prepare_task = NULL;
  if (error != NULL)
    g_task_return_error (task, error);
  else
    {
      self->prepared = TRUE;
      g_task_return_boolean (task, TRUE);
    }
  g_object_unref (task);
}

static void
check_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  VireoInstaller *self = VIREO_INSTALLER (source);
  GTask *task = user_data;
  Job *job = job_of (result);
  GError *error = NULL;
  const char *name = vireo_install_plan_get_name (self->plan);
  guint64 host_mib = vireo_connection_get_host_memory (self->conn) / 1024;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      prepare_done (self, task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    {
      self->prepare_task = NULL;
      g_object_unref (task);
      return;
    }

  g_clear_object (&self->caps);
  self->caps = vireo_host_caps_new (job->caps_xml, &error);
  if (self->caps == NULL)
    {
      prepare_done (self, task, error);
      return;
    }
  vireo_install_plan_set_host_limits (self->plan, host_mib,
                                      job->pool_details ? job->pool_details->available : 0);

  for (guint i = 0; name != NULL && i < job->names->len; i++)
    if (g_str_equal (g_ptr_array_index (job->names, i), name))
      {
        prepare_done (self, task,
                      g_error_new (VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                                   _("A VM named “%s” already exists on %s. Choose another "
                                     "name, or delete that VM first."),
                                   name, vireo_connection_get_display_name (self->conn)));
        return;
      }

  prepare_tree (self, task);
}

static void
os_guess_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  VireoInstaller *self = g_task_get_source_object (task);
  g_autoptr(VireoOsGuess) os = vireo_os_guess_for_tree_finish (result, NULL);

  /* Identification never fails; without an answer the plan uses defaults. */
  if (os != NULL)
    vireo_install_plan_set_os (self->plan, os);
  prepare_build (self, task);
}

static void
detect_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  VireoInstaller *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr(VireoTreeInfo) tree = vireo_tree_info_detect_finish (result, &error);

  if (tree == NULL)
    {
      g_autofree char *url = vireo_install_url_to_display (
        vireo_install_source_get_url (vireo_install_plan_get_source (self->plan)));

      /* Most messages name the URL already; the others get it. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          !g_error_matches (error, VIREO_ERROR, VIREO_ERROR_CANCELLED) &&
          strstr (error->message, url) == NULL)
        g_prefix_error (&error, _("No install tree could be used at %s: "), url);
      prepare_done (self, task, error);
      return;
    }
  vireo_install_plan_set_tree (self->plan, tree);
  if (vireo_install_plan_get_os (self->plan) == NULL)
    vireo_os_guess_for_tree_async (tree, g_task_get_cancellable (task), os_guess_cb, task);
  else
    prepare_build (self, task);
}

static void
prepare_tree (VireoInstaller *self,
              GTask          *task)
{
  VireoInstallSource *source = vireo_install_plan_get_source (self->plan);
  gboolean paravirt = vireo_install_plan_get_paravirt (self->plan);
  g_autofree char *arch = g_strdup (vireo_install_plan_get_requested_arch (self->plan));
  g_autofree char *virt_type = g_strdup (vireo_install_plan_get_requested_virt_type (self->plan));
  g_autoptr(VireoFetcher) fetcher = NULL;
  GError *error = NULL;

  if (vireo_install_source_get_method (source) != VIREO_INSTALL_METHOD_URL ||
      vireo_install_plan_get_tree (self->plan) != NULL)
    {
      prepare_build (self, task);
      return;
    }

  /* PV from a source that cannot give it is the user's to fix first. */
  if (paravirt && !vireo_install_source_allows_paravirt (source, &error))
    {
      prepare_done (self, task, error);
      return;
    }
  /* The tree is read for the arch the VM will have. */
  if (!vireo_host_caps_resolve (self->caps, paravirt ? "xen" : "hvm", &arch, &virt_type, &error))
    {
      prepare_done (self, task, error);
      return;
    }
  fetcher = vireo_fetcher_new (vireo_install_source_get_url_string (source), &error);
  if (fetcher == NULL)
    {
      prepare_done (self, task, error);
      return;
    }
  set_text (self, _("Reading the install tree…"));
  vireo_tree_info_detect_async (fetcher, arch, g_task_get_cancellable (task), detect_cb, task);
}

static void
prepare_build (VireoInstaller *self,
               GTask          *task)
{
  VireoInstallSource *source = vireo_install_plan_get_source (self->plan);
  GError *error = NULL;

  if (vireo_install_source_get_method (source) == VIREO_INSTALL_METHOD_URL)
    {
      VireoTreeInfo *tree = vireo_install_plan_get_tree (self->plan);
      const char *kernel = NULL, *initrd = NULL;

      /* The files are not fetched yet; the plan names where they will be. */
      if (!vireo_tree_info_get_boot_files (tree, vireo_install_plan_get_paravirt (self->plan),
                                           &kernel, &initrd, &error))
        {
          prepare_done (self, task, error);
          return;
        }
      {
        g_autofree char *k = cache_file_for (self, kernel);
        g_autofree char *i = initrd ? cache_file_for (self, initrd) : NULL;
        vireo_install_plan_set_boot_files (self->plan, k, i);
      }
    }

  if (!vireo_install_plan_build (self->plan, self->caps, &error))
    {
      prepare_done (self, task, error);
      return;
    }
  prepare_done (self, task, NULL);
}

static void
start_prepare (VireoInstaller *self,
               GTask          *task)
{
  Job *job = job_new (self, JOB_CHECK);
  GError *error = NULL;
  VireoConnectionClass *klass = VIREO_CONNECTION_GET_CLASS (self->conn);

  if (vireo_connection_get_state (self->conn) != VIREO_CONNECTION_STATE_CONNECTED)
    {
      job_free (job);
      prepare_done (self, task, g_error_new (VIREO_ERROR, VIREO_ERROR_NOT_CONNECTED,
                                             _("%s is not connected."),
                                             vireo_connection_get_display_name (self->conn)));
      return;
    }
  g_free (self->cache_dir);
  self->cache_dir = vireo_fetcher_dup_cache_dir (&error);
  if (self->cache_dir == NULL)
    {
      job_free (job);
      prepare_done (self, task, error);
      return;
    }
  self->upload = klass->needs_upload != NULL && klass->needs_upload (self->conn);
  /* Fixed now, so that fetched file names and both documents agree. */
  if (vireo_install_plan_get_uuid (self->plan) == NULL)
    {
      g_autofree char *uuid = g_uuid_string_random ();
      vireo_install_plan_set_uuid (self->plan, uuid);
    }
  job->pool = g_strdup (vireo_install_plan_get_disk_pool (self->plan));
  self->prepare_task = task;
  run_job (self, job, check_cb, task);
}

void
vireo_installer_prepare_async (VireoInstaller      *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (VIREO_IS_INSTALLER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_installer_prepare_async);
  if (self->prepare_task != NULL || self->run_task != NULL)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_NOT_ALLOWED,
                               _("The installer is busy."));
      g_object_unref (task);
      return;
    }
  set_step (self, VIREO_INSTALL_STEP_CHECK, _("Checking the host…"));
  start_prepare (self, task);
}

gboolean
vireo_installer_prepare_finish (VireoInstaller *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---------------------------------------------------------------------- */
/* Run                                                                    */

static void step_download (VireoInstaller *self);
static void step_upload (VireoInstaller *self);
static void step_upload_media (VireoInstaller *self);
static void step_create_disk (VireoInstaller *self);
static void step_define (VireoInstaller *self);
static void step_start (VireoInstaller *self);
static void step_wait (VireoInstaller *self);
static void step_restart (VireoInstaller *self);
static void fail_run (VireoInstaller *self, GError *error);

static GCancellable *
run_cancellable (VireoInstaller *self)
{
  return g_task_get_cancellable (self->run_task);
}

/* TRUE (and the run is being undone) when the caller cancelled. */
static gboolean
run_cancelled (VireoInstaller *self)
{
  GError *error = NULL;

  if (!g_cancellable_set_error_if_cancelled (run_cancellable (self), &error))
    return FALSE;
  fail_run (self, error);
  return TRUE;
}

static void
unlink_cached_files (VireoInstaller *self)
{
  for (guint i = 0; i < self->cached_files->len; i++)
    g_unlink (g_ptr_array_index (self->cached_files, i));
  g_ptr_array_set_size (self->cached_files, 0);
}

static void
finish_run (VireoInstaller *self,
            GError         *error)
{
  GTask *task = g_steal_pointer (&self->run_task);

  g_clear_handle_id (&self->poll_source, g_source_remove);
  if (self->fetcher != NULL)
    g_signal_handlers_disconnect_by_data (self->fetcher, self);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    {
      set_step (self, VIREO_INSTALL_STEP_DONE, _("Done."));
      g_task_return_pointer (task, g_object_ref (self->domain), g_object_unref);
    }
  g_object_unref (task);
}

static void
cleanup_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  VireoInstaller *self = VIREO_INSTALLER (source);
  GError *error = user_data;
  Job *job = job_of (result);

  g_task_propagate_boolean (G_TASK (result), NULL);
  unlink_cached_files (self);
  if (self->defined_uuid != NULL &&
      vireo_connection_get_state (self->conn) == VIREO_CONNECTION_STATE_CONNECTED)
    /* The list drops the VM once a lookup finds it gone. */
    vireo_connection_domain_changed (self->conn, self->defined_uuid, "undefined");
  g_clear_pointer (&self->defined_uuid, g_free);
  g_clear_pointer (&self->volume_name, g_free);
  g_clear_pointer (&self->created_pool, g_free);
  g_ptr_array_set_size (self->boot_volumes, 0);
  g_clear_object (&self->domain);

  if (job->leftovers != NULL)
    {
      /* Not a clean cancel any more: something is left. */
      GError *more = g_error_new (VIREO_ERROR, VIREO_ERROR_FAILED,
                                  _("%s (Some of what was created could not be removed: %s.)"),
                                  error->message, job->leftovers->str);
      g_error_free (error);
      error = more;
    }
  finish_run (self, error);
}

/* Undoes the run, then completes it with `error`. */
static void
fail_run (VireoInstaller *self,
          GError         *error)
{
  Job *job;

  g_clear_handle_id (&self->poll_source, g_source_remove);
  if (self->defined_uuid == NULL && self->volume_name == NULL && self->created_pool == NULL &&
      self->boot_volumes->len == 0 && self->media_volume == NULL)
    {
      unlink_cached_files (self);
      finish_run (self, error);
      return;
    }
  set_text (self, _("Removing what was created…"));
  job = job_new (self, JOB_CLEANUP);
  job->uuid = g_strdup (self->defined_uuid);
  job->pool = g_strdup (self->boot_pool);
  job->volumes = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < self->boot_volumes->len; i++)
    g_ptr_array_add (job->volumes, g_strdup (g_ptr_array_index (self->boot_volumes, i)));
  if (self->media_volume != NULL)
    g_ptr_array_add (job->volumes, g_steal_pointer (&self->media_volume));
  job->disk_pool = g_strdup (self->volume_pool);
  job->disk_volume = g_strdup (self->volume_name);
  job->drop_pool = g_strdup (self->created_pool);
  run_job (self, job, cleanup_cb, error);
}

/* ---- download ---- */

static void
fetch_progress (VireoFetcher *fetcher,
                const char   *relative,
                guint64       done,
                guint64       total,
                gpointer      user_data)
{
  VireoInstaller *self = user_data;
  g_autofree char *base = g_path_get_basename (relative);
  /* Translators: a file of the install tree, such as “vmlinuz” */
  g_autofree char *text = g_strdup_printf (_("Downloading “%s”…"), base);

  set_text (self, text);
  set_fraction (self, total > 0 ? (double) done / total : -1);
}

static void
download_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  VireoInstaller *self = user_data;
  GError *error = NULL;
  gboolean ok = vireo_fetcher_fetch_files_finish (VIREO_FETCHER (source), result, &error);

  g_signal_handlers_disconnect_by_data (source, self);
  if (!ok)
    {
      fail_run (self, error);
      g_object_unref (self);
      return;
    }
  /* Both files exist now: they are the run's to remove. */
  g_ptr_array_add (self->cached_files, g_strdup (self->kernel_path));
  if (self->initrd_path != NULL)
    g_ptr_array_add (self->cached_files, g_strdup (self->initrd_path));
  /* An unattended install's answers ride in the installer's initrd. */
  if (vireo_install_plan_get_unattended_script (self->plan) != NULL)
    {
      if (self->initrd_path == NULL)
        error = g_error_new_literal (VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                                     _("This install tree has no initrd to carry the unattended "
                                       "install’s answers."));
      else
        {
          set_text (self, _("Adding the unattended install’s answers to the installer…"));
          vireo_unattended_inject_initrd (self->initrd_path,
                                          vireo_install_plan_get_unattended_file (self->plan),
                                          vireo_install_plan_get_unattended_script (self->plan),
                                          &error);
        }
      if (error != NULL)
        {
          fail_run (self, error);
          g_object_unref (self);
          return;
        }
    }
  if (!run_cancelled (self))
    {
      if (self->upload)
        step_upload (self);
      else
        step_create_disk (self);
    }
  g_object_unref (self);
}

static void
step_download (VireoInstaller *self)
{
  VireoInstallSource *source = vireo_install_plan_get_source (self->plan);
  VireoTreeInfo *tree = vireo_install_plan_get_tree (self->plan);
  const char *kernel = NULL, *initrd = NULL;
  const char *relatives[3] = { NULL, NULL, NULL };
  const char *dests[3] = { NULL, NULL, NULL };
  GError *error = NULL;

  /* Only the install phase reads the ISO (the VM keeps an empty drive). */
  if (vireo_install_source_get_upload (source) && self->start)
    {
      step_upload_media (self);
      return;
    }
  if (vireo_install_source_get_method (source) != VIREO_INSTALL_METHOD_URL || !self->start)
    {
      step_create_disk (self);
      return;
    }
  if (!vireo_tree_info_get_boot_files (tree, vireo_install_plan_get_paravirt (self->plan),
                                       &kernel, &initrd, &error))
    {
      fail_run (self, error);
      return;
    }
  g_clear_object (&self->fetcher);
  self->fetcher = vireo_fetcher_new (vireo_install_source_get_url_string (source), &error);
  if (self->fetcher == NULL)
    {
      fail_run (self, error);
      return;
    }
  g_free (self->kernel_path);
  g_free (self->initrd_path);
  self->kernel_path = cache_file_for (self, kernel);
  self->initrd_path = initrd ? cache_file_for (self, initrd) : NULL;
  relatives[0] = kernel;
  relatives[1] = initrd;
  dests[0] = self->kernel_path;
  dests[1] = self->initrd_path;

  {
    g_autofree char *base = g_path_get_basename (kernel);
    g_autofree char *text = g_strdup_printf (_("Downloading “%s”…"), base);
    set_step (self, VIREO_INSTALL_STEP_DOWNLOAD, text);
  }
  g_signal_connect (self->fetcher, "progress", G_CALLBACK (fetch_progress), self);
  vireo_fetcher_fetch_files_async (self->fetcher, relatives, dests, run_cancellable (self),
                                   download_cb, g_object_ref (self));
}

/* ---- upload ---- */

/* An upload into the pool of the new disk (or "default"), which the run's
 * uploads then live in (boot_pool); the caller adds the files. */
static Job *
upload_job_new (VireoInstaller *self)
{
  Job *job = job_new (self, JOB_UPLOAD);
  const char *pool = vireo_install_plan_get_volume_pool (self->plan);

  job->installer = g_object_ref (self);
  job->pool = g_strdup (pool ? pool : "default");
  job->cancellable = run_cancellable (self) ? g_object_ref (run_cancellable (self)) : NULL;
  job->files = g_ptr_array_new_with_free_func (g_free);
  job->volumes = g_ptr_array_new_with_free_func (g_free);
  g_free (self->boot_pool);
  self->boot_pool = g_strdup (job->pool);
  return job;
}

static void
upload_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  VireoInstaller *self = VIREO_INSTALLER (source);
  Job *job = job_of (result);
  GError *error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  if (job->pool_created)
    self->created_pool = g_strdup (job->pool);
  /* Every file uploaded is recorded, even when a later one failed. */
  for (guint i = 0; job->paths && i < job->paths->len; i++)
    g_ptr_array_add (self->boot_volumes, g_strdup (g_ptr_array_index (job->volumes, i)));
  if (!ok)
    {
      fail_run (self, error);
      return;
    }
  /* The host has its copies: ours go now. */
  unlink_cached_files (self);
  g_free (self->kernel_path);
  g_free (self->initrd_path);
  self->kernel_path = g_strdup (g_ptr_array_index (job->paths, 0));
  self->initrd_path = job->paths->len > 1 ? g_strdup (g_ptr_array_index (job->paths, 1)) : NULL;
  if (!run_cancelled (self))
    step_create_disk (self);
}

static void
step_upload (VireoInstaller *self)
{
  Job *job = upload_job_new (self);
  const char *uuid = vireo_install_plan_get_uuid (self->plan);

  g_ptr_array_add (job->files, g_strdup (self->kernel_path));
  g_ptr_array_add (job->volumes, g_strdup_printf ("vireo-%s-kernel", uuid));
  if (self->initrd_path != NULL)
    {
      g_ptr_array_add (job->files, g_strdup (self->initrd_path));
      g_ptr_array_add (job->volumes, g_strdup_printf ("vireo-%s-initrd", uuid));
    }
  {
    g_autofree char *text = g_strdup_printf (_("Uploading the installer’s kernel and initrd to %s…"),
                                             vireo_connection_get_display_name (self->conn));
    set_step (self, VIREO_INSTALL_STEP_UPLOAD, text);
  }
  run_job (self, job, upload_cb, NULL);
}

/* A local ISO copied into a pool of the host, which then boots the
 * install from the volume. */
static void
upload_media_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  VireoInstaller *self = VIREO_INSTALLER (source);
  Job *job = job_of (result);
  GError *error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  if (job->pool_created)
    self->created_pool = g_strdup (job->pool);
  if (job->paths != NULL && job->paths->len > 0)
    self->media_volume = g_strdup (g_ptr_array_index (job->volumes, 0));
  if (!ok)
    {
      fail_run (self, error);
      return;
    }
  vireo_install_plan_set_media_path (self->plan, g_ptr_array_index (job->paths, 0));
  if (!vireo_install_plan_build (self->plan, self->caps, &error))
    {
      fail_run (self, error);
      return;
    }
  if (!run_cancelled (self))
    step_create_disk (self);
}

static void
step_upload_media (VireoInstaller *self)
{
  Job *job = upload_job_new (self);
  const char *iso = vireo_install_source_get_path (vireo_install_plan_get_source (self->plan));
  g_autofree char *base = g_path_get_basename (iso);

  g_ptr_array_add (job->files, g_strdup (iso));
  g_ptr_array_add (job->volumes, g_strdup (base));
  {
    /* Translators: “debian.iso” to “My host” */
    g_autofree char *text = g_strdup_printf (_("Uploading “%s” to %s…"), base,
                                             vireo_connection_get_display_name (self->conn));
    set_step (self, VIREO_INSTALL_STEP_UPLOAD, text);
  }
  run_job (self, job, upload_media_cb, NULL);
}

/* ---- disk ---- */

static void
create_disk_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  VireoInstaller *self = VIREO_INSTALLER (source);
  Job *job = job_of (result);
  GError *error = NULL;

  if (job->pool_created && self->created_pool == NULL)
    self->created_pool = g_strdup (job->pool);
  if (job->volume_path != NULL)
    {
      self->volume_pool = g_strdup (job->pool);
      self->volume_name = g_strdup (vireo_install_plan_get_volume_name (self->plan));
    }
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      fail_run (self, error);
      return;
    }
  if (!run_cancelled (self))
    step_define (self);
}

static void
step_create_disk (VireoInstaller *self)
{
  GError *error = NULL;
  Job *job;

  /* Boot files where the host reads them: the plan is built again with
   * their real paths. */
  if (self->kernel_path != NULL)
    {
      vireo_install_plan_set_boot_files (self->plan, self->kernel_path, self->initrd_path);
      if (!vireo_install_plan_build (self->plan, self->caps, &error))
        {
          fail_run (self, error);
          return;
        }
    }

  if (vireo_install_plan_get_disk_kind (self->plan) != VIREO_DISK_NEW_VOLUME)
    {
      step_define (self);
      return;
    }
  job = job_new (self, JOB_CREATE_DISK);
  job->pool = g_strdup (vireo_install_plan_get_volume_pool (self->plan));
  job->xml = vireo_install_plan_dup_volume_xml (self->plan);
  job->need_bytes = vireo_install_plan_get_volume_capacity (self->plan);
  {
    /* Translators: the disk's volume name, such as “debian.qcow2” */
    g_autofree char *text = g_strdup_printf (_("Creating the disk “%s”…"),
                                             vireo_install_plan_get_volume_name (self->plan));
    set_step (self, VIREO_INSTALL_STEP_CREATE_DISK, text);
  }
  run_job (self, job, create_disk_cb, NULL);
}

/* ---- define ---- */

static void
define_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  VireoInstaller *self = user_data;
  GError *error = NULL;
  g_autoptr(VireoDomain) domain = vireo_connection_define_domain_finish (VIREO_CONNECTION (source),
                                                                         result, &error);

  if (domain == NULL)
    {
      g_prefix_error (&error, _("The host refused the VM’s configuration: "));
      fail_run (self, error);
      g_object_unref (self);
      return;
    }
  self->domain = g_object_ref (domain);
  self->defined_uuid = g_strdup (vireo_domain_get_uuid (domain));
  if (!run_cancelled (self))
    {
      if (self->start)
        step_start (self);
      else
        finish_run (self, NULL);
    }
  g_object_unref (self);
}

/* The user's edited final XML must still be this VM. */
static gboolean
check_final_xml (VireoInstaller *self,
                 GError        **error)
{
  xmlDoc *doc;
  xmlNode *root;
  g_autofree char *name = NULL, *uuid = NULL;

  if (self->final_xml == NULL)
    return TRUE;
  doc = xmlReadMemory (self->final_xml, strlen (self->final_xml), "domain.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  root = doc ? xmlDocGetRootElement (doc) : NULL;
  for (xmlNode *n = root ? root->children : NULL; n != NULL; n = n->next)
    if (n->type == XML_ELEMENT_NODE)
      {
        xmlChar *text = xmlNodeGetContent (n);
        if (xmlStrEqual (n->name, BAD_CAST "name"))
          name = g_strstrip (g_strdup ((const char *) text));
        else if (xmlStrEqual (n->name, BAD_CAST "uuid"))
          uuid = g_strstrip (g_strdup ((const char *) text));
        xmlFree (text);
      }
  if (doc != NULL)
    xmlFreeDoc (doc);
  if (root == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("The edited configuration is not valid XML. Correct it, or go back to "
                     "the one Vireo made."));
      return FALSE;
    }
  if (g_strcmp0 (name, vireo_install_plan_get_name (self->plan)) != 0 ||
      uuid == NULL || g_ascii_strcasecmp (uuid, vireo_install_plan_get_uuid (self->plan)) != 0)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("The edited configuration must keep the VM’s name (“%s”) and UUID (%s): "
                     "the install phase uses them too."),
                   vireo_install_plan_get_name (self->plan), vireo_install_plan_get_uuid (self->plan));
      return FALSE;
    }
  return TRUE;
}

static void
step_define (VireoInstaller *self)
{
  g_autofree char *text = g_strdup_printf (_("Creating the VM “%s”…"),
                                           vireo_install_plan_get_name (self->plan));

  set_step (self, VIREO_INSTALL_STEP_DEFINE, text);
  vireo_connection_define_domain_async (self->conn,
                                        self->final_xml ? self->final_xml
                                                        : vireo_install_plan_get_final_xml (self->plan),
                                        NULL, define_cb, g_object_ref (self));
}

/* ---- start ---- */

static void
remove_boot_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  VireoInstaller *self = VIREO_INSTALLER (source);
  Job *job = job_of (result);

  g_task_propagate_boolean (G_TASK (result), NULL);
  if (job->leftovers != NULL)
    g_warning ("Could not remove the uploaded boot files: %s", job->leftovers->str);
  g_ptr_array_set_size (self->boot_volumes, 0);
  if (run_cancelled (self))
    return;
  if (self->wait && vireo_install_plan_get_install_xml (self->plan) != NULL)
    step_wait (self);
  else
    finish_run (self, NULL);
}

static void
start_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  VireoInstaller *self = VIREO_INSTALLER (source);
  GError *error = NULL;
  Job *job;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      fail_run (self, error);
      return;
    }
  vireo_connection_domain_changed (self->conn, self->defined_uuid, "started");
  /* The guest has read its kernel and initrd: they can go. */
  unlink_cached_files (self);
  job = job_new (self, JOB_REMOVE_BOOT);
  job->pool = g_strdup (self->boot_pool);
  job->volumes = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < self->boot_volumes->len; i++)
    g_ptr_array_add (job->volumes, g_strdup (g_ptr_array_index (self->boot_volumes, i)));
  run_job (self, job, remove_boot_cb, NULL);
}

static void
step_start (VireoInstaller *self)
{
  const char *install_xml = vireo_install_plan_get_install_xml (self->plan);
  Job *job = job_new (self, JOB_START);

  job->uuid = g_strdup (self->defined_uuid);
  job->is_install_xml = install_xml != NULL;
  job->xml = g_strdup (install_xml);
  set_step (self, VIREO_INSTALL_STEP_START,
            install_xml ? _("Starting the installation…") : _("Starting the VM…"));
  run_job (self, job, start_cb, NULL);
}

/* ---- waiting for the install phase ---- */

static gboolean poll_tick (gpointer user_data);

static void
poll_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  VireoInstaller *self = VIREO_INSTALLER (source);
  Job *job = job_of (result);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      fail_run (self, error);
      return;
    }
  if (run_cancelled (self))
    return;
  if (job->gone)
    {
      /* Someone deleted it while it installed: nothing of ours is left. */
      g_clear_pointer (&self->defined_uuid, g_free);
      fail_run (self, g_error_new (VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                                   _("The VM was deleted during its installation.")));
      return;
    }
  if (!vireo_domain_state_is_active (job->state) && job->state != VIREO_DOMAIN_STATE_NOSTATE)
    {
      step_restart (self);
      return;
    }
  self->poll_source = g_timeout_add (INSTALL_POLL_MS, poll_tick, self);
}

static gboolean
poll_tick (gpointer user_data)
{
  VireoInstaller *self = user_data;
  Job *job;

  self->poll_source = 0;
  if (run_cancelled (self))
    return G_SOURCE_REMOVE;
  job = job_new (self, JOB_POLL);
  job->uuid = g_strdup (self->defined_uuid);
  run_job (self, job, poll_cb, NULL);
  return G_SOURCE_REMOVE;
}

static void
step_wait (VireoInstaller *self)
{
  set_step (self, VIREO_INSTALL_STEP_INSTALLING,
            _("Installing… The VM starts again from its disk when the installer finishes."));
  self->poll_source = g_timeout_add (INSTALL_POLL_MS, poll_tick, self);
}

static void
restart_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  VireoInstaller *self = user_data;
  GError *error = NULL;

  if (!vireo_domain_run_action_finish (VIREO_DOMAIN (source), result, &error))
    {
      /* Installed but not started: the VM is complete, so it stays. */
      g_prefix_error (&error, _("The installation finished, but the VM could not be started "
                                "from its disk: "));
      finish_run (self, error);
    }
  else
    finish_run (self, NULL);
  g_object_unref (self);
}

static void
step_restart (VireoInstaller *self)
{
  g_autofree char *text = g_strdup_printf (_("Starting “%s” from its disk…"),
                                           vireo_install_plan_get_name (self->plan));

  set_step (self, VIREO_INSTALL_STEP_RESTART, text);
  vireo_domain_run_action_async (self->domain, VIREO_DOMAIN_ACTION_START, VIREO_ACTION_FLAGS_NONE,
                                 NULL, restart_cb, g_object_ref (self));
}

/* ---- entry ---- */

static void
run_prepared (VireoInstaller *self)
{
  GError *error = NULL;

  if (!check_final_xml (self, &error))
    {
      fail_run (self, error);
      return;
    }
  if (!run_cancelled (self))
    step_download (self);
}

static void
run_prepare_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  VireoInstaller *self = VIREO_INSTALLER (source);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    finish_run (self, error);
  else
    run_prepared (self);
}

void
vireo_installer_run_async (VireoInstaller      *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (VIREO_IS_INSTALLER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_installer_run_async);
  if (self->prepare_task != NULL || self->run_task != NULL || self->ran)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_NOT_ALLOWED,
                               self->ran ? _("This installer has run already; make another.")
                                         : _("The installer is busy."));
      g_object_unref (task);
      return;
    }
  self->ran = TRUE;
  self->run_task = task;
  if (!self->prepared)
    set_step (self, VIREO_INSTALL_STEP_CHECK, _("Checking the host…"));
  if (self->prepared)
    run_prepared (self);
  else
    {
      /* The checks run again at each run: the host may have changed. */
      GTask *prepare = g_task_new (self, cancellable, run_prepare_cb, NULL);
      start_prepare (self, prepare);
    }
}

VireoDomain *
vireo_installer_run_finish (VireoInstaller *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
