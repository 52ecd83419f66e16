/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A queue of jobs run one at a time on a thread of its own. Each connection
 * has its own, so a slow host never delays another. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _VireoWorker VireoWorker;

VireoWorker *vireo_worker_new   (const char *name);
/* Runs func(task, source, task_data, cancellable) on the worker; the task's
 * callback fires on the task's context as usual. Takes a reference. */
void         vireo_worker_run   (VireoWorker     *worker,
                                 GTask           *task,
                                 GTaskThreadFunc  func);
/* Returns at once; queued and running jobs finish on their thread (a libvirt
 * call cannot be interrupted), then the thread exits. */
void         vireo_worker_free  (VireoWorker *worker);
guint        vireo_worker_get_pending (VireoWorker *worker);

G_END_DECLS
