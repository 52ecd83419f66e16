/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What backends and the connection know of a VM beyond the public API. */
#pragma once

#include "vireo-domain.h"

G_BEGIN_DECLS

/* A plain snapshot of a VM, filled on a worker thread. */
typedef struct {
  char            *uuid;
  char            *name;
  int              id;
  VireoDomainState state;
  char            *os_type;
  gboolean         persistent;
  gboolean         autostart;
  gboolean         has_managed_save;
  guint64          max_memory;   /* KiB */
  guint64          memory;       /* KiB */
  guint            vcpus;
  char            *accelerator;         /* "KVM", "TCG"; NULL when not known */
  char            *accelerator_reason;  /* why not KVM, when TCG */
  char            *state_reason;        /* e.g. a crash's end of log; may be NULL */
} VireoDomainInfo;

void         vireo_domain_info_free (VireoDomainInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoDomainInfo, vireo_domain_info_free)

/* One VM's counters in one statistics tick. */
typedef struct {
  char            *uuid;
  VireoDomainState state;
  gboolean         has_cpu, has_memory, has_disk, has_net;
  guint64          cpu_ns;
  guint64          mem_used, mem_total;   /* KiB */
  guint64          rd_bytes, wr_bytes;
  guint64          rx_bytes, tx_bytes;
} VireoDomainSample;

VireoDomain *vireo_domain_new        (VireoConnection       *connection,
                                      const VireoDomainInfo *info);
/* Applies a fresh snapshot, notifying only what changed. */
void         vireo_domain_update     (VireoDomain           *self,
                                      const VireoDomainInfo *info);
void         vireo_domain_set_state  (VireoDomain           *self,
                                      VireoDomainState       state);
/* Turns one tick's counters into history samples. */
void         vireo_domain_add_sample (VireoDomain             *self,
                                      const VireoDomainSample *sample,
                                      gint64                   wall_us,
                                      guint                    n_host_cpus,
                                      guint64                  tick);
/* The statistics tick that last reported this VM. */
guint64      vireo_domain_get_seen_tick (VireoDomain *self);
void         vireo_domain_clear_history (VireoDomain *self);
/* Monotonic time at which the connection added it to its list. */
gint64       vireo_domain_get_added_time (VireoDomain *self);
void         vireo_domain_detach     (VireoDomain *self);

G_END_DECLS
