/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The contract between VireoConnection and its backends. The base class owns
 * the state machine, the lists, the statistics history and the threads; a
 * backend answers a few synchronous questions, always on a worker thread. */
#pragma once

#include "vireo-connection.h"
#include "vireo-domain-private.h"
#include "vireo-network-private.h"

G_BEGIN_DECLS

typedef enum {
  VIREO_LIST_DOMAINS  = 1 << 0,
  VIREO_LIST_NETWORKS = 1 << 1,
  VIREO_LIST_POOLS    = 1 << 2,
  VIREO_LIST_ALL      = 0x7,
} VireoListFlags;

typedef struct {
  GPtrArray *domains;    /* VireoDomainInfo*, NULL when not asked */
  GPtrArray *networks;   /* VireoObjectInfo* */
  GPtrArray *pools;      /* VireoObjectInfo* */
} VireoListing;

void vireo_listing_clear (VireoListing *listing);

typedef struct {
  gint64   wall_us;          /* g_get_monotonic_time() when sampled */
  GArray  *samples;          /* VireoDomainSample */
  gboolean complete;         /* samples cover every VM on the host, not only
                              * the running ones */
  gboolean has_host_cpu;
  guint64  host_cpu_busy;    /* ns, all CPUs */
  guint64  host_cpu_total;
  gboolean has_host_memory;
  guint64  host_mem_used;    /* KiB */
  guint64  host_mem_total;
} VireoStatsBatch;

VireoStatsBatch *vireo_stats_batch_new  (void);
void             vireo_stats_batch_free (VireoStatsBatch *batch);

/* A storage pool as the installer needs it. */
typedef struct {
  char    *name;
  char    *path;        /* target directory; NULL when the pool has none */
  guint64  capacity;    /* bytes */
  guint64  available;   /* bytes */
  gboolean created;     /* made by this call (the default pool was missing) */
} VireoPoolDetails;

void vireo_pool_details_free (VireoPoolDetails *details);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoPoolDetails, vireo_pool_details_free)

/* Called on the worker thread doing a transfer; `total` is 0 when unknown. */
typedef void (*VireoTransferProgress) (guint64  done,
                                       guint64  total,
                                       gpointer user_data);

struct _VireoConnectionClass {
  GObjectClass parent_class;

  /* Each runs on a worker thread and may block. */
  gboolean          (*open)          (VireoConnection  *self,
                                      guint            *host_cpus,
                                      guint64          *host_memory_kib,
                                      GError          **error);
  void              (*close)         (VireoConnection  *self);
  gboolean          (*list)          (VireoConnection  *self,
                                      VireoListFlags    what,
                                      VireoListing     *listing,
                                      GError          **error);
  /* NULL with VIREO_ERROR_NOT_FOUND when the VM is gone. */
  VireoDomainInfo  *(*get_domain)    (VireoConnection  *self,
                                      const char       *uuid,
                                      GError          **error);
  gboolean          (*domain_action) (VireoConnection  *self,
                                      const char       *uuid,
                                      VireoDomainAction action,
                                      VireoActionFlags  flags,
                                      GError          **error);
  /* VIREO_ERROR_NOT_CONNECTED means the host is gone. */
  VireoStatsBatch  *(*get_stats)     (VireoConnection  *self,
                                      GError          **error);

  /* Returns the new VM's UUID. */
  char             *(*define_domain) (VireoConnection  *self,
                                      const char       *xml,
                                      GError          **error);

  /* A connected socket fd to the display or the serial console; -1 and an
   * error otherwise. */
  int               (*open_graphics) (VireoConnection   *self,
                                      const char        *uuid,
                                      VireoGraphicsType *type,
                                      GError           **error);
  int               (*open_console)  (VireoConnection  *self,
                                      const char       *uuid,
                                      GError          **error);

  /* Main thread, cheap. NULL means every action is offered. */
  gboolean          (*supports_action) (VireoConnection  *self,
                                        VireoDomainAction action);

  /* For creating VMs (the installer). Each runs on a worker thread. */
  /* The host's capabilities XML (virConnectGetCapabilities). */
  char             *(*get_capabilities) (VireoConnection *self,
                                         GError         **error);
  /* A pool, started when inactive. When it is missing and `create` is
   * set, the pool named "default" is made (a directory pool where the host
   * keeps images); other names fail with VIREO_ERROR_NOT_FOUND. */
  VireoPoolDetails *(*get_pool)      (VireoConnection  *self,
                                      const char       *name,
                                      gboolean          create,
                                      GError          **error);
  /* Undoes a get_pool that created the pool. */
  gboolean          (*delete_pool)   (VireoConnection  *self,
                                      const char       *name,
                                      GError          **error);
  /* Creates a volume from storage volume XML; returns its path. */
  char             *(*create_volume) (VireoConnection  *self,
                                      const char       *pool,
                                      const char       *volume_xml,
                                      GError          **error);
  /* A volume that is already gone is not an error. */
  gboolean          (*delete_volume) (VireoConnection  *self,
                                      const char       *pool,
                                      const char       *volume,
                                      GError          **error);
  /* Copies a local file into a new raw volume (boot files for a remote
   * host); returns the volume's path on the host. Nothing is left behind
   * on failure or cancellation. */
  char             *(*upload_volume) (VireoConnection      *self,
                                      const char           *pool,
                                      const char           *volume,
                                      const char           *local_path,
                                      VireoTransferProgress progress,
                                      gpointer              progress_data,
                                      GCancellable         *cancellable,
                                      GError              **error);
  /* Starts a VM from `xml` once, without changing its definition (the
   * install phase: same name and UUID as a defined VM). Returns the UUID. */
  char             *(*create_domain) (VireoConnection  *self,
                                      const char       *xml,
                                      GError          **error);
  /* Stops the VM if it runs and removes its definition, keeping its disks.
   * A VM that is already gone is not an error. */
  gboolean          (*undefine_domain) (VireoConnection  *self,
                                        const char       *uuid,
                                        GError          **error);
  /* TRUE when files on this machine are not readable by the host (a remote
   * host, or a system daemon running guests as another user): boot files
   * must then be uploaded into a pool. Main thread, cheap. */
  gboolean          (*needs_upload)  (VireoConnection  *self);


  /* For moving a VM between hosts (vireo-move.c); NULL: not offered.
   * The VM's persistent definition, as domain XML. */
  char             *(*get_domain_xml) (VireoConnection  *self,
                                       const char       *uuid,
                                       GError          **error);
  /* A folder on this computer where the host keeps disk images. */
  char             *(*image_dir)       (VireoConnection  *self,
                                        GError          **error);

  /* The host's CD/DVD drives, as VireoHostDrive. NULL: this computer's
   * (vireo_host_drives_scan_local). */
  GPtrArray        *(*list_drives)     (VireoConnection  *self,
                                        GError          **error);
  /* The volumes of a pool (VireoVolumeInfo), refreshed first. NULL: not
   * offered. */
  GPtrArray        *(*list_volumes)    (VireoConnection  *self,
                                        const char       *pool,
                                        GError          **error);

  gpointer padding[8];
};

/* For backends, on the main thread. */
void     vireo_connection_lost            (VireoConnection *self,
                                           const char      *reason);
void     vireo_connection_domain_changed  (VireoConnection *self,
                                           const char      *uuid,
                                           const char      *what);
void     vireo_connection_objects_changed (VireoConnection *self);

/* Runs `func` on the connection's call worker (after the jobs queued
 * before it), for code beside the core that calls the backend's vfuncs:
 * the installer. Takes a reference to `task`. */
void     vireo_connection_run_on_worker   (VireoConnection *self,
                                           GTask           *task,
                                           GTaskThreadFunc  func);

/* For backends, on a worker thread: asks the UI and waits for the answer. */
gboolean vireo_connection_authenticate    (VireoConnection  *self,
                                           VireoAuthRequest *request);

/* For VireoDomain: runs a checked action and completes `task` (whose source
 * is the domain) once the domain reflects the result. Takes `task`. */
void     vireo_connection_run_domain_action (VireoConnection  *self,
                                             VireoDomain      *domain,
                                             VireoDomainAction action,
                                             VireoActionFlags  flags,
                                             GTask            *task);

G_END_DECLS
