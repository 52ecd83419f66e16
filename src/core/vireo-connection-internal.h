/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared between the files that make up VireoConnection. */
#pragma once

#include "vireo-connection-private.h"
#include "vireo-worker.h"

G_BEGIN_DECLS

#define RECONNECT_MAX_DELAY_S  30

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

VireoConnectionPrivate *vireo_connection_priv (VireoConnection *self);

/* Queues func on the connection's call worker (vireo-move.c). */
void vireo_connection_run_call (VireoConnection *self,
                                GTask           *task,
                                GTaskThreadFunc  func);

/* vireo-connection-lists.c */
VireoDomain *vireo_connection_add_domain    (VireoConnection       *self,
                                             const VireoDomainInfo *info);
void         vireo_connection_remove_domain (VireoConnection       *self,
                                             VireoDomain           *domain);
void         vireo_connection_apply_listing (VireoConnection       *self,
                                             VireoListing          *listing);

void         vireo_connection_open_stream (VireoConnection *self,
                                           VireoDomain     *domain,
                                           gboolean         graphics,
                                           GTask           *task);
VireoGraphicsType vireo_connection_stream_type (GTask *task);
/* The caller has the stream's fd: it is no longer closed with the task. */
void              vireo_connection_stream_fd_taken (GTask *task);

/* vireo-connection-stats.c */
void         vireo_connection_restart_stats_timer (VireoConnection *self);

/* vireo-connection.c */
void         vireo_connection_emit_stats_updated (VireoConnection *self);
void         vireo_connection_emit_domain_event  (VireoConnection *self,
                                                  VireoDomain     *domain,
                                                  const char      *what);

G_END_DECLS
