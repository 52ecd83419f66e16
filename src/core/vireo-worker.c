/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-worker.h"

struct _VireoWorker {
  GThreadPool *pool;
  char        *name;
};

typedef struct {
  GTask           *task;
  GTaskThreadFunc  func;
} Job;

static void
run_job (gpointer data,
         gpointer user_data)
{
  Job *job = data;

  job->func (job->task,
             g_task_get_source_object (job->task),
             g_task_get_task_data (job->task),
             g_task_get_cancellable (job->task));
  g_object_unref (job->task);
  g_free (job);
}

VireoWorker *
vireo_worker_new (const char *name)
{
  VireoWorker *worker = g_new0 (VireoWorker, 1);

  worker->name = g_strdup (name);
  worker->pool = g_thread_pool_new (run_job, worker, 1, FALSE, NULL);
  return worker;
}

void
vireo_worker_run (VireoWorker     *worker,
                  GTask           *task,
                  GTaskThreadFunc  func)
{
  Job *job;

  g_return_if_fail (worker != NULL);
  g_return_if_fail (G_IS_TASK (task));

  job = g_new0 (Job, 1);
  job->task = g_object_ref (task);
  job->func = func;
  g_thread_pool_push (worker->pool, job, NULL);
}

guint
vireo_worker_get_pending (VireoWorker *worker)
{
  return g_thread_pool_unprocessed (worker->pool) + g_thread_pool_get_num_threads (worker->pool);
}

void
vireo_worker_free (VireoWorker *worker)
{
  if (worker == NULL)
    return;

  /* Queued jobs still run (each holds its connection alive), but nobody
   * waits for them: a libvirt call stuck on a dead host must not block. */
  g_thread_pool_free (worker->pool, FALSE, FALSE);
  g_free (worker->name);
  g_free (worker);
}
