/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The builtin backend. Backend calls run on worker threads; the event
 * monitors (one QMP connection per running VM) live on the main context. */
#include "vireo-config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "vireo-builtin-connection.h"
#include "vireo-builtin-private.h"
#include "vireo-qemu-argv.h"
#include "vireo-qmp-client.h"
#include "vireo-socket-util.h"


/* What the worker threads know of each VM; guarded by `lock`. */
typedef struct {
  char    *uuid;
  guint64  memory_kib;
  GPid     pid;            /* 0 when not running */
  gboolean reboot_pending; /* a guest power-off means "reset", not "quit" */
  gboolean stopping;       /* we asked it to end: an exit is not a crash */
  gboolean watched;        /* this process waits for its exit (qemu_exited) */
  gboolean saving;         /* a save or restore holds its monitor: statistics keep off */
} VmRecord;

struct _VireoBuiltinConnection {
  VireoConnection parent_instance;

  GMutex          lock;
  GHashTable     *vms;       /* uuid → VmRecord */
  GHashTable     *monitors;  /* uuid → VireoQmpClient; main thread only */
  GMainContext   *main_context;
};

G_DEFINE_FINAL_TYPE (VireoBuiltinConnection, vireo_builtin_connection, VIREO_TYPE_CONNECTION)

static void vm_record_free (gpointer data)
{
  VmRecord *r = data;
  g_free (r->uuid);
  g_free (r);
}

char *
vireo_builtin_config_dir (void)
{
  return g_build_filename (g_get_user_config_dir (), "vireo", "builtin", NULL);
}

char *
vireo_builtin_images_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "vireo", "images", NULL);
}

char *
vireo_builtin_runtime_dir (void)
{
  return g_build_filename (g_get_user_runtime_dir (), "vireo", NULL);
}

const char *
vireo_builtin_qemu_package (const char *arch)
{
  if (g_str_equal (arch, "x86_64") || g_str_equal (arch, "i386") || g_str_equal (arch, "i686"))
    return "qemu-system-x86";
  if (g_str_equal (arch, "aarch64") || g_str_equal (arch, "arm") || g_str_equal (arch, "armv7l"))
    return "qemu-system-arm";
  if (g_str_has_prefix (arch, "ppc"))
    return "qemu-system-ppc";
  if (g_str_equal (arch, "s390x"))
    return "qemu-system-s390x";
  return "qemu-system-misc";
}

static char *
vm_runtime_dir (const char *uuid)
{
  g_autofree char *base = vireo_builtin_runtime_dir ();
  return g_build_filename (base, uuid, NULL);
}

static char *
vm_runtime_file (const char *uuid,
                 const char *name)
{
  g_autofree char *dir = vm_runtime_dir (uuid);
  return g_build_filename (dir, name, NULL);
}

static char *
definition_path (const char *uuid)
{
  g_autofree char *dir = vireo_builtin_config_dir ();
  g_autofree char *file = g_strconcat (uuid, ".xml", NULL);
  return g_build_filename (dir, file, NULL);
}

static char *
autostart_path (const char *uuid)
{
  g_autofree char *dir = vireo_builtin_config_dir ();
  g_autofree char *file = g_strconcat (uuid, ".autostart", NULL);
  return g_build_filename (dir, file, NULL);
}

/* ---------------------------------------------------------------------- */
/* Processes                                                              */

/* KVM when /dev/kvm opens; otherwise `reason` says why not, in words a
 * user can act on. VIREO_KVM_DEVICE names another device, for tests. */
static gboolean
kvm_usable (char **reason)
{
  const char *dev = g_getenv ("VIREO_KVM_DEVICE") ? g_getenv ("VIREO_KVM_DEVICE") : "/dev/kvm";
  int fd = open (dev, O_RDWR | O_CLOEXEC);
  int saved = errno;

  if (fd >= 0)
    {
      close (fd);
      return TRUE;
    }
  if (reason == NULL)
    return FALSE;
  if (saved == ENOENT)
    *reason = g_strdup_printf (_("%s does not exist: the processor lacks virtualization "
                                 "support, it is turned off in the firmware, or the kvm "
                                 "module is not loaded"), dev);
  else if (saved == EACCES || saved == EPERM)
    *reason = g_strdup_printf (_("no permission to open %s: add your user to the “kvm” group"), dev);
  else
    *reason = g_strdup_printf (_("%s cannot be opened: %s"), dev, g_strerror (saved));
  return FALSE;
}

static char *vm_runtime_file (const char *uuid, const char *name);

/* Set when QEMU could not start this VM with KVM although /dev/kvm opens (a
 * nested hypervisor refusing a host CPU feature, say): it then runs with
 * TCG until the runtime folder is cleared, at the next boot. */
static gboolean
kvm_failed (const char *uuid,
            char      **reason)
{
  g_autofree char *marker = vm_runtime_file (uuid, "kvm-failed");
  g_autofree char *text = NULL;

  if (!g_file_get_contents (marker, &text, NULL, NULL))
    return FALSE;
  if (reason != NULL && *reason == NULL)
    *reason = g_strdup_printf (_("QEMU could not start it with KVM: %s"), g_strstrip (text));
  return TRUE;
}

/* The accelerator a running QEMU was given, from its command line. */
static gboolean
pid_uses_kvm (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", pid);
  g_autofree char *cmdline = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &cmdline, &len, NULL))
    return FALSE;
  for (gsize i = 0; i + 1 < len; i += strlen (cmdline + i) + 1)
    if (g_str_equal (cmdline + i, "-accel") && i + 7 < len)
      return g_str_has_prefix (cmdline + i + 7, "kvm");
  return FALSE;
}

/* TRUE only for a live QEMU started for this VM: a recycled pid belonging to
 * anything else is never signalled. */
static gboolean
pid_is_our_qemu (GPid        pid,
                 const char *uuid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", pid);
  g_autofree char *cmdline = NULL;
  gsize len = 0;

  if (pid <= 1 || !g_file_get_contents (path, &cmdline, &len, NULL))
    return FALSE;
  for (gsize i = 0; i + 1 < len; i += strlen (cmdline + i) + 1)
    if (g_str_equal (cmdline + i, "-uuid") && i + 6 < len &&
        g_str_equal (cmdline + i + 6, uuid))
      return TRUE;
  return FALSE;
}

static GPid
read_pidfile (const char *uuid)
{
  g_autofree char *path = vm_runtime_file (uuid, "qemu.pid");
  g_autofree char *text = NULL;
  guint64 pid = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  g_strstrip (text);
  if (!g_ascii_string_to_unsigned (text, 10, 2, G_MAXINT, &pid, NULL))
    return 0;
  return (GPid) pid;
}

static void
clean_runtime (const char *uuid)
{
  static const char *const files[] = {
    "qemu.pid", "qmp.sock", "events.sock", "vnc.sock", "spice.sock", "serial.sock", NULL
  };

  for (guint i = 0; files[i]; i++)
    {
      g_autofree char *path = vm_runtime_file (uuid, files[i]);
      g_unlink (path);
    }
}

char *
vireo_builtin_log_tail (const char *uuid,
                        guint       lines)
{
  g_autofree char *path = vm_runtime_file (uuid, "qemu.log");
  g_autofree char *text = NULL;
  g_auto(GStrv) all = NULL;
  guint n;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("");
  all = g_strsplit (g_strstrip (text), "\n", -1);
  n = g_strv_length (all);
  return g_strjoinv ("\n", all + (n > lines ? n - lines : 0));
}

/* The image named by QEMU's image-locking error, if that is what `log` says:
 * 'Failed to get "write" lock' / 'Is another process using the image [P]?' */
static char *
locked_image (const char *log)
{
  const char *start, *end;

  if (strstr (log, "Failed to get \"write\" lock") == NULL &&
      strstr (log, "Failed to get shared \"write\" lock") == NULL)
    return NULL;
  start = strstr (log, "using the image [");
  if (start == NULL || (end = strstr (start, "]?")) == NULL)
    return g_strdup (_("(unknown)"));
  start += strlen ("using the image [");
  return g_strndup (start, end - start);
}

static gboolean
pid_exists (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  const char *end;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  end = strrchr (text, ')');
  return end == NULL || end[1] == '\0' || end[2] != 'Z';
}

static VmRecord *record_lookup (VireoBuiltinConnection *self, const char *uuid);

/* Running pid for the VM, after checking it really is its QEMU. */
static GPid
live_pid (VireoBuiltinConnection *self,
          const char             *uuid)
{
  GPid pid = read_pidfile (uuid);

  if (pid == 0 || !pid_is_our_qemu (pid, uuid))
    {
      if (pid != 0)
        {
          VmRecord *r;
          gboolean stopping;

          g_mutex_lock (&self->lock);
          r = record_lookup (self, uuid);
          stopping = r != NULL && (r->stopping || r->watched);
          g_mutex_unlock (&self->lock);

          /* QEMU removes its pidfile when it exits; one left behind by a
           * process that is gone means it was killed or crashed while no
           * Vireo was watching (a watched exit is reported by qemu_exited). */
          if (!stopping && !pid_exists (pid))
            {
              g_autofree char *marker = vm_runtime_file (uuid, "crashed");
              g_autofree char *tail = vireo_builtin_log_tail (uuid, 20);
              g_autofree char *text =
                *tail ? g_strdup_printf (_("QEMU ended abruptly (killed or crashed) while Vireo "
                                           "was not watching. The end of its log:\n%s"), tail)
                      : g_strdup (_("QEMU ended abruptly (killed or crashed) while Vireo was "
                                    "not watching."));
              g_file_set_contents (marker, text, -1, NULL);
            }
          clean_runtime (uuid);  /* stale: the process is gone or not ours */
        }
      return 0;
    }
  return pid;
}

static VireoDomainState
query_state (const char *uuid)
{
  g_autofree char *qmp = vm_runtime_file (uuid, "qmp.sock");
  g_autoptr(JsonNode) status = vireo_qmp_execute_sync (qmp, "query-status", NULL,
                                                       QMP_TIMEOUT_MS, NULL);
  const char *s;

  if (status == NULL || !JSON_NODE_HOLDS_OBJECT (status))
    return VIREO_DOMAIN_STATE_NOSTATE;
  s = json_object_get_string_member_with_default (json_node_get_object (status), "status", "");
  if (g_str_equal (s, "running"))
    return VIREO_DOMAIN_STATE_RUNNING;
  if (g_str_equal (s, "shutdown"))
    return VIREO_DOMAIN_STATE_SHUTDOWN;
  if (g_str_equal (s, "guest-panicked") || g_str_equal (s, "internal-error"))
    return VIREO_DOMAIN_STATE_CRASHED;
  if (g_str_equal (s, "suspended"))
    return VIREO_DOMAIN_STATE_PMSUSPENDED;
  return VIREO_DOMAIN_STATE_PAUSED;
}

/* ---------------------------------------------------------------------- */
/* Event monitors (main thread)                                           */

typedef struct {
  VireoBuiltinConnection *self;   /* a reference */
  char                   *uuid;
} MonitorData;

static void
monitor_data_free (gpointer data)
{
  MonitorData *md = data;
  g_object_unref (md->self);
  g_free (md->uuid);
  g_free (md);
}

static VmRecord *
record_lookup (VireoBuiltinConnection *self,
               const char             *uuid)
{
  return g_hash_table_lookup (self->vms, uuid);
}

static void
monitor_event (VireoQmpClient *client,
               const char     *name,
               JsonObject     *data,
               gpointer        user_data)
{
  MonitorData *md = user_data;
  VireoBuiltinConnection *self = md->self;

  if (g_str_equal (name, "SHUTDOWN"))
    {
      gboolean reboot;
      VmRecord *r;

      g_mutex_lock (&self->lock);
      r = record_lookup (self, md->uuid);
      reboot = r != NULL && r->reboot_pending;
      if (r != NULL)
        {
          r->reboot_pending = FALSE;
          r->stopping = !reboot;
        }
      g_mutex_unlock (&self->lock);

      /* -no-shutdown left QEMU stopped: finish what the guest asked. */
      if (reboot)
        {
          vireo_qmp_client_execute_async (client, "system_reset", NULL, NULL, NULL, NULL);
          vireo_qmp_client_execute_async (client, "cont", NULL, NULL, NULL, NULL);
        }
      else
        vireo_qmp_client_execute_async (client, "quit", NULL, NULL, NULL, NULL);
    }
  vireo_connection_domain_changed (VIREO_CONNECTION (self), md->uuid,
                                   g_str_equal (name, "STOP") ? "suspended" :
                                   g_str_equal (name, "RESUME") ? "resumed" :
                                   g_str_equal (name, "RESET") ? "reset" : "changed");
}

static void
monitor_closed (VireoQmpClient *client,
                const GError   *reason,
                gpointer        user_data)
{
  MonitorData *md = user_data;

  g_hash_table_remove (md->self->monitors, md->uuid);
  vireo_connection_domain_changed (VIREO_CONNECTION (md->self), md->uuid, "stopped");
}

static void
monitor_connected (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!vireo_qmp_client_connect_finish (VIREO_QMP_CLIENT (source), result, &error))
    g_debug ("QMP event monitor: %s", error->message);
}

typedef struct {
  VireoBuiltinConnection *self;
  char                   *uuid;
} AttachData;

static gboolean
attach_monitor_cb (gpointer user_data)
{
  AttachData *ad = user_data;
  VireoBuiltinConnection *self = ad->self;
  g_autofree char *path = vm_runtime_file (ad->uuid, "events.sock");
  VireoQmpClient *client;
  MonitorData *md;

  if (!g_hash_table_contains (self->monitors, ad->uuid) &&
      vireo_connection_get_state (VIREO_CONNECTION (self)) == VIREO_CONNECTION_STATE_CONNECTED)
    {
      client = vireo_qmp_client_new ();
      md = g_new0 (MonitorData, 1);
      md->self = g_object_ref (self);
      md->uuid = g_strdup (ad->uuid);
      g_signal_connect_data (client, "event", G_CALLBACK (monitor_event), md, NULL, 0);
      g_signal_connect_data (client, "closed", G_CALLBACK (monitor_closed), md,
                             (GClosureNotify) (void (*) (void)) monitor_data_free, 0);
      g_hash_table_insert (self->monitors, g_strdup (ad->uuid), client);
      vireo_qmp_client_connect_unix_async (client, path, NULL, monitor_connected, NULL);
    }
  g_object_unref (ad->self);
  g_free (ad->uuid);
  g_free (ad);
  return G_SOURCE_REMOVE;
}

/* From a worker: watch a running VM's events on the main context. */
static void
attach_monitor (VireoBuiltinConnection *self,
                const char             *uuid)
{
  AttachData *ad = g_new0 (AttachData, 1);

  ad->self = g_object_ref (self);
  ad->uuid = g_strdup (uuid);
  g_main_context_invoke (self->main_context, attach_monitor_cb, ad);
}

/* ---------------------------------------------------------------------- */
/* Reading definitions                                                    */

static VireoDomainInfo *
load_vm (VireoBuiltinConnection *self,
         const char             *uuid,
         GError                **error)
{
  g_autofree char *path = definition_path (uuid);
  g_autofree char *xml = NULL;
  g_autofree char *crashed = vm_runtime_file (uuid, "crashed");
  g_auto(VireoQemuSummary) summary = { 0 };
  g_autofree char *autostart = autostart_path (uuid);
  VireoDomainInfo *info;
  VmRecord *r;
  GPid pid;

  if (!g_file_get_contents (path, &xml, NULL, NULL))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("The VM no longer exists."));
      return NULL;
    }
  if (!vireo_qemu_read_summary (xml, &summary, error))
    return NULL;

  pid = live_pid (self, uuid);
  info = g_new0 (VireoDomainInfo, 1);
  info->uuid = g_strdup (uuid);
  info->name = g_strdup (summary.name);
  info->os_type = g_strdup (summary.os_type);
  info->persistent = TRUE;
  info->autostart = g_file_test (autostart, G_FILE_TEST_EXISTS);
  {
    g_autofree char *state = vireo_builtin_save_file (uuid, ".state");
    info->has_managed_save = g_file_test (state, G_FILE_TEST_EXISTS);
  }
  info->max_memory = info->memory = summary.memory_kib;
  info->vcpus = summary.vcpus;
  info->id = pid > 0 ? pid : -1;
  if (pid > 0)
    info->state = query_state (uuid);
  else if (g_file_get_contents (crashed, &info->state_reason, NULL, NULL))
    info->state = VIREO_DOMAIN_STATE_CRASHED;
  else
    info->state = VIREO_DOMAIN_STATE_SHUTOFF;

  /* What it runs with, or would run with if started now; and why not KVM. */
  {
    gboolean kvm = pid > 0 ? pid_uses_kvm (pid)
                           : summary.want_kvm && kvm_usable (&info->accelerator_reason) &&
                             !kvm_failed (uuid, &info->accelerator_reason);

    info->accelerator = g_strdup (kvm ? "KVM" : "TCG");
    if (!kvm && info->accelerator_reason == NULL)
      {
        if (!summary.want_kvm)
          info->accelerator_reason = g_strdup (_("the VM is set to be emulated (domain type “qemu”)"));
        else if (!kvm_failed (uuid, &info->accelerator_reason) &&
                 kvm_usable (&info->accelerator_reason))
          info->accelerator_reason = g_strdup (_("KVM was not usable when the VM started"));
      }
  }

  g_mutex_lock (&self->lock);
  r = record_lookup (self, uuid);
  if (r == NULL)
    {
      r = g_new0 (VmRecord, 1);
      r->uuid = g_strdup (uuid);
      g_hash_table_insert (self->vms, r->uuid, r);
    }
  r->memory_kib = summary.memory_kib;
  r->pid = pid;
  g_mutex_unlock (&self->lock);

  if (pid > 0)
    attach_monitor (self, uuid);
  return info;
}

static GPtrArray *
list_uuids (void)
{
  g_autofree char *dir_path = vireo_builtin_config_dir ();
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  GPtrArray *uuids = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".xml"))
      {
        g_autofree char *uuid = g_strndup (name, strlen (name) - 4);
        if (g_uuid_string_is_valid (uuid))
          g_ptr_array_add (uuids, g_steal_pointer (&uuid));
      }
  return uuids;
}

/* ---------------------------------------------------------------------- */
/* Backend vfuncs                                                         */

static gboolean start_vm (VireoBuiltinConnection *self, const char *uuid,
                          const char *override_xml, GError **error);

static gboolean
vireo_builtin_connection_open (VireoConnection *conn,
                               guint           *host_cpus,
                               guint64         *host_memory,
                               GError         **error)
{
  VireoBuiltinConnection *self = VIREO_BUILTIN_CONNECTION (conn);
  g_autofree char *config = vireo_builtin_config_dir ();
  g_autofree char *runtime = vireo_builtin_runtime_dir ();
  g_autofree char *meminfo = NULL;
  g_autoptr(GPtrArray) uuids = NULL;

  if (g_mkdir_with_parents (config, 0700) != 0 || g_mkdir_with_parents (runtime, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Could not create Vireo's folders (%s): %s"), config, g_strerror (saved));
      return FALSE;
    }
  /* Sockets of running VMs live here: nobody else may reach them. */
  g_chmod (runtime, 0700);

  *host_cpus = g_get_num_processors ();
  *host_memory = 0;
  if (g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL))
    sscanf (meminfo, "MemTotal: %" G_GUINT64_FORMAT, host_memory);

  /* Autostart means "when Vireo opens this computer's VMs". */
  uuids = list_uuids ();
  for (guint i = 0; i < uuids->len; i++)
    {
      const char *uuid = g_ptr_array_index (uuids, i);
      g_autofree char *autostart = autostart_path (uuid);
      g_autoptr(GError) local_error = NULL;

      if (g_file_test (autostart, G_FILE_TEST_EXISTS) && live_pid (self, uuid) == 0 &&
          !start_vm (self, uuid, NULL, &local_error))
        g_warning ("Could not autostart %s: %s", uuid, local_error->message);
    }
  return TRUE;
}

static void
vireo_builtin_connection_close (VireoConnection *conn)
{
  VireoBuiltinConnection *self = VIREO_BUILTIN_CONNECTION (conn);

  /* VMs keep running; only our view of them goes. */
  g_mutex_lock (&self->lock);
  g_hash_table_remove_all (self->vms);
  g_mutex_unlock (&self->lock);
}

static gboolean
vireo_builtin_connection_list (VireoConnection *conn,
                               VireoListFlags   what,
                               VireoListing    *listing,
                               GError         **error)
{
  VireoBuiltinConnection *self = VIREO_BUILTIN_CONNECTION (conn);

  if (what & VIREO_LIST_DOMAINS)
    {
      g_autoptr(GPtrArray) uuids = list_uuids ();

      listing->domains = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_domain_info_free);
      for (guint i = 0; i < uuids->len; i++)
        {
          g_autoptr(GError) local_error = NULL;
          VireoDomainInfo *info = load_vm (self, g_ptr_array_index (uuids, i), &local_error);

          if (info != NULL)
            g_ptr_array_add (listing->domains, info);
          else
            g_warning ("Skipping a VM definition: %s", local_error->message);
        }
    }
  /* User-mode networking needs no networks to list. */
  if (what & VIREO_LIST_NETWORKS)
    listing->networks = g_ptr_array_new ();
  /* The one pool, "default": the images folder (made at the first disk),
   * with the free space of its file system. */
  if (what & VIREO_LIST_POOLS)
    {
      g_autoptr(VireoPoolDetails) pool = vireo_builtin_get_pool ("default", FALSE, NULL);

      listing->pools = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_object_info_free);
      if (pool != NULL)
        {
          VireoObjectInfo *info = g_new0 (VireoObjectInfo, 1);

          info->uuid = g_strdup (pool->name);
          info->name = g_strdup (pool->name);
          info->active = TRUE;
          info->autostart = TRUE;
          info->capacity = pool->capacity;
          info->available = pool->available;
          g_ptr_array_add (listing->pools, info);
        }
    }
  return TRUE;
}

static VireoDomainInfo *
vireo_builtin_connection_get_domain (VireoConnection *conn,
                                     const char      *uuid,
                                     GError         **error)
{
  return load_vm (VIREO_BUILTIN_CONNECTION (conn), uuid, error);
}


static void
child_setup (gpointer user_data)
{
  /* Its own session: the VM outlives the app and its terminal. */
  setsid ();
}

typedef struct {
  VireoBuiltinConnection *self;
  char                   *uuid;
  GSubprocess            *process;
} ExitWatch;

static void
exit_watch_free (ExitWatch *w)
{
  g_object_unref (w->self);
  g_object_unref (w->process);
  g_free (w->uuid);
  g_free (w);
}

static void
qemu_exited (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ExitWatch *w = user_data;
  GSubprocess *process = G_SUBPROCESS (source);
  gboolean stopping = FALSE;
  gboolean crashed;
  VmRecord *r;

  if (!g_subprocess_wait_finish (process, result, NULL) || g_subprocess_get_identifier (process) != NULL)
    {
      /* Not a real exit (the wait itself failed): nothing to report. */
      exit_watch_free (w);
      return;
    }
  g_mutex_lock (&w->self->lock);
  if ((r = record_lookup (w->self, w->uuid)) != NULL)
    {
      stopping = r->stopping;
      r->pid = 0;
      r->watched = FALSE;
    }
  g_mutex_unlock (&w->self->lock);

  /* Killed by a signal we did not send, or an error exit: a crash. Keep the
   * end of QEMU's log to show; the disk is untouched. */
  crashed = !stopping && (g_subprocess_get_if_signaled (process) ||
                          g_subprocess_get_exit_status (process) != 0);
  if (crashed)
    {
      g_autofree char *tail = vireo_builtin_log_tail (w->uuid, 20);
      g_autofree char *marker = vm_runtime_file (w->uuid, "crashed");
      g_autofree char *how = NULL;

      if (g_subprocess_get_if_signaled (process))
        how = g_strdup_printf (_("QEMU was killed by signal %d (%s)."),
                               g_subprocess_get_term_sig (process),
                               g_strsignal (g_subprocess_get_term_sig (process)));
      else
        how = g_strdup_printf (_("QEMU ended with exit status %d."),
                               g_subprocess_get_exit_status (process));
      if (*tail != '\0')
        {
          g_autofree char *both = g_strdup_printf (_("%s The end of its log:\n%s"), how, tail);
          g_free (how);
          how = g_steal_pointer (&both);
        }
      g_file_set_contents (marker, how, -1, NULL);
    }
  clean_runtime (w->uuid);
  vireo_connection_domain_changed (VIREO_CONNECTION (w->self), w->uuid,
                                   crashed ? "crashed" : "stopped");
  exit_watch_free (w);
}

static gboolean
watch_exit_cb (gpointer user_data)
{
  ExitWatch *w = user_data;

  g_subprocess_wait_async (w->process, NULL, qemu_exited, w);
  return G_SOURCE_REMOVE;
}


/* ---------------------------------------------------------------------- */
/* Save (the migration itself is in vireo-builtin-save.c)                 */

static gboolean force_off (VireoBuiltinConnection *self, const char *uuid, GError **error);

static void
set_saving (VireoBuiltinConnection *self,
            const char             *uuid,
            gboolean                saving)
{
  VmRecord *r;

  g_mutex_lock (&self->lock);
  if ((r = record_lookup (self, uuid)) != NULL)
    r->saving = saving;
  g_mutex_unlock (&self->lock);
}

static gboolean
save_vm (VireoBuiltinConnection *self,
         const char             *uuid,
         GError                **error)
{
  g_autofree char *definition = definition_path (uuid);
  g_autofree char *state = vireo_builtin_save_file (uuid, ".state");
  g_autofree char *dir = g_path_get_dirname (state);
  g_autofree char *xml = NULL;
  gboolean ok;

  if (live_pid (self, uuid) == 0)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_ALLOWED, _("The VM is not running."));
      return FALSE;
    }
  if (!g_file_get_contents (definition, &xml, NULL, error))
    return FALSE;
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Could not create %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  set_saving (self, uuid, TRUE);
  ok = vireo_builtin_save_to_file (uuid, xml, error);
  set_saving (self, uuid, FALSE);
  if (!ok)
    return FALSE;
  return force_off (self, uuid, error);
}

/* `override_xml`, when given, runs instead of the definition this once
 * (the install phase); the definition stays as it is. */
static gboolean
start_vm (VireoBuiltinConnection *self,
          const char             *uuid,
          const char             *override_xml,
          GError                **error)
{
  g_autofree char *path = definition_path (uuid);
  g_autofree char *xml = NULL;
  g_autofree char *runtime = vm_runtime_dir (uuid);
  g_autofree char *log = vm_runtime_file (uuid, "qemu.log");
  g_autofree char *crashed = vm_runtime_file (uuid, "crashed");
  g_autofree char *qmp = vm_runtime_file (uuid, "qmp.sock");
  g_autofree char *state = vireo_builtin_save_file (uuid, ".state");
  g_autofree char *saved_xml = vireo_builtin_save_file (uuid, ".xml");
  gboolean restore = g_file_test (state, G_FILE_TEST_EXISTS);
  g_autofree char *binary_name = NULL;
  g_autofree char *binary = NULL;
  g_auto(VireoQemuSummary) summary = { 0 };
  g_auto(GStrv) argv = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  VireoQemuArgvOptions options = { 0 };
  gint64 deadline;

  /* A saved VM resumes with the devices it was saved with, as libvirt's
   * managed save does. An install phase (override_xml) never restores. */
  if (override_xml != NULL)
    restore = FALSE;
  else if (restore && g_file_test (saved_xml, G_FILE_TEST_EXISTS))
    {
      g_free (path);
      path = g_strdup (saved_xml);
    }
  if (override_xml != NULL)
    xml = vireo_builtin_resolve_volumes (override_xml, error);
  else if (!g_file_get_contents (path, &xml, NULL, error))
    return FALSE;
  if (xml == NULL || !vireo_qemu_read_summary (xml, &summary, error))
    return FALSE;

  binary_name = g_strconcat ("qemu-system-", summary.arch, NULL);
  binary = g_find_program_in_path (binary_name);
  if (binary == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                   _("QEMU for %s is not installed: install the %s package."),
                   summary.arch, vireo_builtin_qemu_package (summary.arch));
      return FALSE;
    }

  if (g_mkdir_with_parents (runtime, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Could not create %s: %s"), runtime, g_strerror (saved));
      return FALSE;
    }
  clean_runtime (uuid);
  g_unlink (crashed);

  options.qemu_binary = binary;
  options.runtime_dir = runtime;
  options.kvm = summary.want_kvm && kvm_usable (NULL) && !kvm_failed (uuid, NULL);
  options.incoming = restore;
  argv = vireo_qemu_build_argv (xml, &options, error);
  if (argv == NULL)
    return FALSE;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, error);
  if (process == NULL)
    return FALSE;

  /* Ready when its monitor answers; gone if it exits first. */
  deadline = g_get_monotonic_time () + START_TIMEOUT_US;
  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(JsonNode) status = NULL;

      if (g_file_test (qmp, G_FILE_TEST_EXISTS) &&
          (status = vireo_qmp_execute_sync (qmp, "query-status", NULL, 1000, NULL)) != NULL)
        {
          VmRecord *r;

          gboolean restored = TRUE;

          /* The monitor is the restore's meanwhile (see set_saving). */
          if (restore)
            {
              set_saving (self, uuid, TRUE);
              restored = vireo_builtin_restore_state (uuid, process, error);
              set_saving (self, uuid, FALSE);
            }
          if (!restored)
            {
              g_subprocess_force_exit (process);
              g_subprocess_wait (process, NULL, NULL);
              clean_runtime (uuid);
              return FALSE;
            }

          g_mutex_lock (&self->lock);
          r = record_lookup (self, uuid);
          if (r != NULL)
            {
              r->pid = atoi (g_subprocess_get_identifier (process));
              r->stopping = FALSE;
              r->reboot_pending = FALSE;
              r->watched = TRUE;
            }
          g_mutex_unlock (&self->lock);
          {
            ExitWatch *w = g_new0 (ExitWatch, 1);
            w->self = g_object_ref (self);
            w->uuid = g_strdup (uuid);
            w->process = g_object_ref (process);
            /* The exit is noticed on the main context, like every event. */
            g_main_context_invoke (self->main_context, watch_exit_cb, w);
          }
          return TRUE;
        }
      if (g_subprocess_get_identifier (process) == NULL)
        {
          g_autofree char *tail = vireo_builtin_log_tail (uuid, 6);
          g_autofree char *locked = locked_image (tail);

          if (options.kvm && locked == NULL &&
              (strstr (tail, "/kvm/") || strstr (tail, "kvm_") || strstr (tail, "KVM")))
            {
              /* /dev/kvm opens, yet QEMU cannot run this VM with it: TCG. */
              g_autofree char *marker = vm_runtime_file (uuid, "kvm-failed");
              g_auto(GStrv) lines = g_strsplit (tail, "\n", 2);

              clean_runtime (uuid);
              g_file_set_contents (marker, lines[0], -1, NULL);
              return start_vm (self, uuid, override_xml, error);
            }

          clean_runtime (uuid);
          if (locked != NULL)
            g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                         _("The disk image %s is already in use by another running VM (QEMU "
                           "could not lock it). Shut that VM down, or give this one a disk "
                           "of its own.\n%s"), locked, tail);
          else
            g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                         _("QEMU stopped at once:\n%s"), tail);
          return FALSE;
        }
      g_usleep (50 * 1000);
    }

  g_subprocess_force_exit (process);
  clean_runtime (uuid);
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
               _("QEMU did not become ready within 30 seconds."));
  return FALSE;
}

static gboolean
qmp_simple (const char  *uuid,
            const char  *command,
            GError     **error)
{
  g_autofree char *qmp = vm_runtime_file (uuid, "qmp.sock");
  g_autoptr(JsonNode) result = vireo_qmp_execute_sync (qmp, command, NULL, QMP_TIMEOUT_MS, error);
  return result != NULL;
}

static gboolean
force_off (VireoBuiltinConnection *self,
           const char             *uuid,
           GError                **error)
{
  GPid pid = live_pid (self, uuid);
  VmRecord *r;

  if (pid == 0)
    return TRUE;
  g_mutex_lock (&self->lock);
  if ((r = record_lookup (self, uuid)) != NULL)
    r->stopping = TRUE;
  g_mutex_unlock (&self->lock);

  if (!qmp_simple (uuid, "quit", NULL))
    kill (pid, SIGTERM);
  for (int i = 0; i < 100 && pid_is_our_qemu (pid, uuid); i++)
    g_usleep (50 * 1000);
  if (pid_is_our_qemu (pid, uuid))
    kill (pid, SIGKILL);
  for (int i = 0; i < 40 && pid_is_our_qemu (pid, uuid); i++)
    g_usleep (50 * 1000);
  if (pid_is_our_qemu (pid, uuid))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED, _("QEMU (process %d) would not stop."), pid);
      return FALSE;
    }
  clean_runtime (uuid);
  return TRUE;
}

static gboolean
delete_vm (const char      *uuid,
           VireoActionFlags flags,
           GError         **error)
{
  g_autofree char *path = definition_path (uuid);
  g_autofree char *autostart = autostart_path (uuid);
  g_autofree char *images = vireo_builtin_images_dir ();
  g_autofree char *runtime = vm_runtime_dir (uuid);
  g_autofree char *xml = NULL;
  g_auto(VireoQemuSummary) summary = { 0 };
  g_autoptr(GString) left = NULL;

  if (!g_file_get_contents (path, &xml, NULL, error) ||
      !vireo_qemu_read_summary (xml, &summary, error))
    return FALSE;
  if (g_unlink (path) != 0)
    {
      int saved = errno;
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Could not delete %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  g_unlink (autostart);
  clean_runtime (uuid);
  vireo_builtin_remove_saved_state (uuid);
  {
    g_autofree char *crashed = vm_runtime_file (uuid, "crashed");
    g_autofree char *log = vm_runtime_file (uuid, "qemu.log");
    g_autofree char *kvm = vm_runtime_file (uuid, "kvm-failed");
    g_unlink (crashed);
    g_unlink (log);
    g_unlink (kvm);
    g_rmdir (runtime);
  }

  if (!(flags & VIREO_ACTION_FLAGS_REMOVE_STORAGE))
    return TRUE;
  /* Only images Vireo made are ours to remove; others stay where they are. */
  for (guint i = 0; i < summary.disk_paths->len; i++)
    {
      const char *disk = g_ptr_array_index (summary.disk_paths, i);
      g_autofree char *parent = g_path_get_dirname (disk);

      if (g_str_equal (parent, images))
        {
          if (g_unlink (disk) != 0 && errno != ENOENT)
            {
              if (left == NULL)
                left = g_string_new (NULL);
              g_string_append_printf (left, "%s%s (%s)", left->len ? ", " : "", disk,
                                      g_strerror (errno));
            }
        }
      else
        {
          if (left == NULL)
            left = g_string_new (NULL);
          g_string_append_printf (left, "%s%s", left->len ? ", " : "", disk);
        }
    }
  if (left != NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("“%s” was deleted; these disks were left in place because they are "
                     "outside Vireo's image folder or could not be removed: %s"),
                   summary.name, left->str);
      return FALSE;
    }
  return TRUE;
}

static gboolean
vireo_builtin_connection_domain_action (VireoConnection  *conn,
                                        const char       *uuid,
                                        VireoDomainAction action,
                                        VireoActionFlags  flags,
                                        GError          **error)
{
  VireoBuiltinConnection *self = VIREO_BUILTIN_CONNECTION (conn);
  VmRecord *r;

  switch (action)
    {
    case VIREO_DOMAIN_ACTION_START:
      if (live_pid (self, uuid) != 0)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_ALLOWED, _("The VM is already running."));
          return FALSE;
        }
      if (!start_vm (self, uuid, NULL, error))
        return FALSE;
      attach_monitor (self, uuid);
      return TRUE;
    case VIREO_DOMAIN_ACTION_PAUSE:    return qmp_simple (uuid, "stop", error);
    case VIREO_DOMAIN_ACTION_RESUME:   return qmp_simple (uuid, "cont", error);
    case VIREO_DOMAIN_ACTION_RESET:    return qmp_simple (uuid, "system_reset", error);
    case VIREO_DOMAIN_ACTION_SHUTDOWN: return qmp_simple (uuid, "system_powerdown", error);
    case VIREO_DOMAIN_ACTION_REBOOT:
      g_mutex_lock (&self->lock);
      if ((r = record_lookup (self, uuid)) != NULL)
        r->reboot_pending = TRUE;
      g_mutex_unlock (&self->lock);
      return qmp_simple (uuid, "system_powerdown", error);
    case VIREO_DOMAIN_ACTION_FORCE_OFF:
      return force_off (self, uuid, error);
    case VIREO_DOMAIN_ACTION_DELETE:
      if (live_pid (self, uuid) != 0)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_ALLOWED,
                       _("The VM is running: shut it down before deleting it."));
          return FALSE;
        }
      return delete_vm (uuid, flags, error);
    case VIREO_DOMAIN_ACTION_AUTOSTART_ON:
      {
        g_autofree char *path = autostart_path (uuid);
        return g_file_set_contents_full (path, "", 0, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
      }
    case VIREO_DOMAIN_ACTION_AUTOSTART_OFF:
      {
        g_autofree char *path = autostart_path (uuid);
        g_unlink (path);
        return TRUE;
      }
    case VIREO_DOMAIN_ACTION_SAVE:
      return save_vm (self, uuid, error);
    case VIREO_DOMAIN_ACTION_RESTORE:
      {
        /* START restores a saved VM too, as libvirt's does. */
        g_autofree char *state = vireo_builtin_save_file (uuid, ".state");
        if (!g_file_test (state, G_FILE_TEST_EXISTS))
          {
            g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_ALLOWED, _("The VM has no saved state."));
            return FALSE;
          }
        return vireo_builtin_connection_domain_action (conn, uuid, VIREO_DOMAIN_ACTION_START,
                                                       flags, error);
      }
    case VIREO_DOMAIN_ACTION_LAST:
    default:
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                   _("The builtin backend cannot do this."));
      return FALSE;
    }
}

static gboolean
vireo_builtin_connection_supports_action (VireoConnection  *conn,
                                          VireoDomainAction action)
{
  return action < VIREO_DOMAIN_ACTION_LAST;
}

static char *
vireo_builtin_connection_define_domain (VireoConnection *conn,
                                        const char      *xml,
                                        GError         **error)
{
  g_auto(VireoQemuSummary) summary = { 0 };
  g_autoptr(GPtrArray) uuids = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *with_uuid = NULL;
  g_autofree char *path = NULL;
  g_autofree char *resolved = NULL;
  g_auto(GStrv) probe = NULL;
  VireoQemuArgvOptions options = { "qemu-system-x86_64", "/nonexistent", FALSE, NULL };

  /* Disks in the pool are files of the images folder: store them so. */
  resolved = vireo_builtin_resolve_volumes (xml, error);
  if (resolved == NULL)
    return NULL;
  xml = resolved;
  if (!vireo_qemu_read_summary (xml, &summary, error))
    return NULL;
  if (*g_strstrip (summary.name) == '\0')
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED, _("The VM needs a name."));
      return NULL;
    }
  /* Refuse now what could never start. */
  probe = vireo_qemu_build_argv (xml, &options, error);
  if (probe == NULL)
    return NULL;

  uuid = summary.uuid ? g_strdup (summary.uuid) : g_uuid_string_random ();
  if (!g_uuid_string_is_valid (uuid))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED, _("“%s” is not a UUID."), uuid);
      return NULL;
    }

  uuids = list_uuids ();
  for (guint i = 0; i < uuids->len; i++)
    {
      const char *other = g_ptr_array_index (uuids, i);
      g_autofree char *other_path = definition_path (other);
      g_autofree char *other_xml = NULL;
      g_auto(VireoQemuSummary) other_summary = { 0 };

      if (g_str_equal (other, uuid))
        continue;
      if (g_file_get_contents (other_path, &other_xml, NULL, NULL) &&
          vireo_qemu_read_summary (other_xml, &other_summary, NULL) &&
          g_strcmp0 (other_summary.name, summary.name) == 0)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                       _("A VM named “%s” already exists: choose another name."), summary.name);
          return NULL;
        }
    }

  with_uuid = vireo_qemu_set_uuid (xml, uuid, error);
  if (with_uuid == NULL)
    return NULL;
  {
    g_autofree char *dir = vireo_builtin_config_dir ();
    if (g_mkdir_with_parents (dir, 0700) != 0)
      {
        int saved = errno;
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                     _("Could not create %s: %s"), dir, g_strerror (saved));
        return NULL;
      }
  }
  /* Written to a temporary file, synced, then renamed: a crash leaves the
   * old definition or the new one, never half of one. */
  path = definition_path (uuid);
  if (!g_file_set_contents_full (path, with_uuid, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, error))
    return NULL;
  return g_steal_pointer (&uuid);
}

static char *
vireo_builtin_connection_get_capabilities (VireoConnection *conn,
                                           GError         **error)
{
  return vireo_builtin_capabilities_xml ();
}

static VireoPoolDetails *
vireo_builtin_connection_get_pool (VireoConnection *conn,
                                   const char      *name,
                                   gboolean         create,
                                   GError         **error)
{
  return vireo_builtin_get_pool (name, create, error);
}

static gboolean
vireo_builtin_connection_delete_pool (VireoConnection *conn,
                                      const char      *name,
                                      GError         **error)
{
  /* The pool is a folder that always exists; there is nothing to undo. */
  return TRUE;
}

static char *
vireo_builtin_connection_create_volume (VireoConnection *conn,
                                        const char      *pool,
                                        const char      *volume_xml,
                                        GError         **error)
{
  return vireo_builtin_create_volume (pool, volume_xml, error);
}

static gboolean
vireo_builtin_connection_delete_volume (VireoConnection *conn,
                                        const char      *pool,
                                        const char      *volume,
                                        GError         **error)
{
  return vireo_builtin_delete_volume (pool, volume, error);
}

static char *
vireo_builtin_connection_upload_volume (VireoConnection      *conn,
                                        const char           *pool,
                                        const char           *volume,
                                        const char           *local_path,
                                        VireoTransferProgress progress,
                                        gpointer              progress_data,
                                        GCancellable         *cancellable,
                                        GError              **error)
{
  return vireo_builtin_upload_volume (pool, volume, local_path, progress, progress_data,
                                      cancellable, error);
}

/* The install phase: a defined VM started once from other XML. */
static char *
vireo_builtin_connection_create_domain (VireoConnection *conn,
                                        const char      *xml,
                                        GError         **error)
{
  VireoBuiltinConnection *self = VIREO_BUILTIN_CONNECTION (conn);
  g_auto(VireoQemuSummary) summary = { 0 };
  g_autofree char *path = NULL;
  g_autoptr(VireoDomainInfo) info = NULL;

  if (!vireo_qemu_read_summary (xml, &summary, error))
    return NULL;
  if (summary.uuid == NULL || !g_uuid_string_is_valid (summary.uuid))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                   _("The builtin backend starts only defined VMs: define “%s” first."),
                   summary.name);
      return NULL;
    }
  path = definition_path (summary.uuid);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                   _("The builtin backend starts only defined VMs: define “%s” first."),
                   summary.name);
      return NULL;
    }
  if (live_pid (self, summary.uuid) != 0)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_ALLOWED, _("The VM is already running."));
      return NULL;
    }
  /* Makes sure the VM has its record, which start_vm fills in. */
  info = load_vm (self, summary.uuid, error);
  if (info == NULL || !start_vm (self, summary.uuid, xml, error))
    return NULL;
  attach_monitor (self, summary.uuid);
  return g_strdup (summary.uuid);
}

static gboolean
vireo_builtin_connection_undefine_domain (VireoConnection *conn,
                                          const char      *uuid,
                                          GError         **error)
{
  VireoBuiltinConnection *self = VIREO_BUILTIN_CONNECTION (conn);
  g_autofree char *path = definition_path (uuid);

  if (!force_off (self, uuid, error))
    return FALSE;
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  return delete_vm (uuid, VIREO_ACTION_FLAGS_NONE, error);
}

static int
vireo_builtin_connection_open_graphics (VireoConnection   *conn,
                                        const char        *uuid,
                                        VireoGraphicsType *type,
                                        GError           **error)
{
  g_autofree char *path = definition_path (uuid);
  g_autofree char *xml = NULL;
  g_autofree char *socket = NULL;
  const char *vnc, *spice;

  if (!g_file_get_contents (path, &xml, NULL, error))
    return -1;
  /* The first <graphics> wins, as QEMU's command line was built. */
  vnc = strstr (xml, "type='vnc'") ? strstr (xml, "type='vnc'") : strstr (xml, "type=\"vnc\"");
  spice = strstr (xml, "type='spice'") ? strstr (xml, "type='spice'") : strstr (xml, "type=\"spice\"");
  if (vnc == NULL && spice == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                   _("This VM has no graphical display: add VNC or SPICE graphics."));
      return -1;
    }
  *type = (spice != NULL && (vnc == NULL || spice < vnc)) ? VIREO_GRAPHICS_SPICE : VIREO_GRAPHICS_VNC;
  socket = vm_runtime_file (uuid, *type == VIREO_GRAPHICS_SPICE ? "spice.sock" : "vnc.sock");
  return vireo_socket_connect_unix (socket, error);
}

static int
vireo_builtin_connection_open_console (VireoConnection *conn,
                                       const char      *uuid,
                                       GError         **error)
{
  g_autofree char *socket = vm_runtime_file (uuid, "serial.sock");

  if (!g_file_test (socket, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                   _("This VM has no serial console: add a serial port."));
      return -1;
    }
  return vireo_socket_connect_unix (socket, error);
}

static char *
vireo_builtin_connection_get_domain_xml (VireoConnection *conn,
                                         const char      *uuid,
                                         GError         **error)
{
  g_autofree char *path = definition_path (uuid);
  char *xml = NULL;

  if (!g_file_get_contents (path, &xml, NULL, NULL))
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("The VM no longer exists."));
  return xml;
}

static char *
vireo_builtin_connection_image_dir (VireoConnection *conn,
                                    GError         **error)
{
  return vireo_builtin_images_dir ();
}

/* ---------------------------------------------------------------------- */
/* Statistics                                                             */

static gboolean
read_proc_cpu (GPid     pid,
               guint64 *cpu_ns,
               guint64 *rss_kib)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *statm_path = g_strdup_printf ("/proc/%d/statm", pid);
  g_autofree char *text = NULL;
  g_autofree char *statm = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;
  long ticks = sysconf (_SC_CLK_TCK);
  guint64 utime, stime, pages = 0, resident = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (after = strrchr (text, ')')) == NULL)
    return FALSE;
  /* Fields after the command name: state is field 3; utime 14, stime 15. */
  fields = g_strsplit (after + 2, " ", -1);
  if (g_strv_length (fields) < 13)
    return FALSE;
  utime = g_ascii_strtoull (fields[11], NULL, 10);
  stime = g_ascii_strtoull (fields[12], NULL, 10);
  *cpu_ns = (utime + stime) * (G_GUINT64_CONSTANT (1000000000) / (ticks > 0 ? ticks : 100));
  if (g_file_get_contents (statm_path, &statm, NULL, NULL) &&
      sscanf (statm, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &pages, &resident) == 2)
    *rss_kib = resident * (sysconf (_SC_PAGESIZE) / 1024);
  return TRUE;
}

static void
read_blockstats (const char        *uuid,
                 VireoDomainSample *s)
{
  g_autofree char *qmp = vm_runtime_file (uuid, "qmp.sock");
  g_autoptr(JsonNode) result = vireo_qmp_execute_sync (qmp, "query-blockstats", NULL,
                                                       QMP_TIMEOUT_MS, NULL);
  JsonArray *devices;

  if (result == NULL || !JSON_NODE_HOLDS_ARRAY (result))
    return;
  devices = json_node_get_array (result);
  for (guint i = 0; i < json_array_get_length (devices); i++)
    {
      JsonObject *dev = json_array_get_object_element (devices, i);
      JsonObject *stats;

      if (dev == NULL || !json_object_has_member (dev, "stats"))
        continue;
      stats = json_object_get_object_member (dev, "stats");
      s->rd_bytes += json_object_get_int_member_with_default (stats, "rd_bytes", 0);
      s->wr_bytes += json_object_get_int_member_with_default (stats, "wr_bytes", 0);
      s->has_disk = TRUE;
    }
}

static void
host_stats (VireoStatsBatch *batch)
{
  g_autofree char *stat = NULL;
  g_autofree char *meminfo = NULL;
  guint64 v[8] = { 0 };

  if (g_file_get_contents ("/proc/stat", &stat, NULL, NULL) &&
      sscanf (stat, "cpu %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
              " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
              " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
              &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8)
    {
      /* user nice system idle iowait irq softirq steal */
      batch->host_cpu_busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
      batch->host_cpu_total = batch->host_cpu_busy + v[3] + v[4];
      batch->has_host_cpu = TRUE;
    }
  if (g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL))
    {
      const char *total = strstr (meminfo, "MemTotal:");
      const char *avail = strstr (meminfo, "MemAvailable:");
      guint64 t = 0, a = 0;

      if (total && avail && sscanf (total, "MemTotal: %" G_GUINT64_FORMAT, &t) == 1 &&
          sscanf (avail, "MemAvailable: %" G_GUINT64_FORMAT, &a) == 1 && t > 0)
        {
          batch->has_host_memory = TRUE;
          batch->host_mem_total = t;
          batch->host_mem_used = t - MIN (a, t);
        }
    }
}

static VireoStatsBatch *
vireo_builtin_connection_get_stats (VireoConnection *conn,
                                    GError         **error)
{
  VireoBuiltinConnection *self = VIREO_BUILTIN_CONNECTION (conn);
  VireoStatsBatch *batch = vireo_stats_batch_new ();
  g_autoptr(GPtrArray) uuids = list_uuids ();

  batch->wall_us = g_get_monotonic_time ();
  batch->complete = TRUE;
  for (guint i = 0; i < uuids->len; i++)
    {
      const char *uuid = g_ptr_array_index (uuids, i);
      VireoDomainSample s = { 0 };
      guint64 memory_kib = 0, rss = 0;
      GPid pid = live_pid (self, uuid);
      VmRecord *r;

      gboolean saving = FALSE;

      g_mutex_lock (&self->lock);
      if ((r = record_lookup (self, uuid)) != NULL)
        {
          memory_kib = r->memory_kib;
          saving = r->saving;
        }
      g_mutex_unlock (&self->lock);

      s.uuid = g_strdup (uuid);
      if (pid > 0 && read_proc_cpu (pid, &s.cpu_ns, &rss))
        {
          s.state = VIREO_DOMAIN_STATE_RUNNING;
          s.has_cpu = TRUE;
          if (memory_kib > 0)
            {
              s.has_memory = TRUE;
              s.mem_used = MIN (rss, memory_kib);
              s.mem_total = memory_kib;
            }
          /* QEMU's monitor serves one client: during a save (minutes for a
           * large VM) it is the save's, and the VM is stopped anyway. */
          if (saving)
            s.state = VIREO_DOMAIN_STATE_PAUSED;
          else
            {
              read_blockstats (uuid, &s);
              /* Paused and other states come through events; keep them. */
              s.state = query_state (uuid);
            }
        }
      else
        {
          g_autofree char *crashed = vm_runtime_file (uuid, "crashed");
          s.state = g_file_test (crashed, G_FILE_TEST_EXISTS) ?
                    VIREO_DOMAIN_STATE_CRASHED : VIREO_DOMAIN_STATE_SHUTOFF;
        }
      g_array_append_val (batch->samples, s);
    }
  host_stats (batch);
  return batch;
}

/* ---------------------------------------------------------------------- */

static void
vireo_builtin_connection_finalize (GObject *object)
{
  VireoBuiltinConnection *self = VIREO_BUILTIN_CONNECTION (object);

  g_hash_table_unref (self->vms);
  g_hash_table_unref (self->monitors);
  g_main_context_unref (self->main_context);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (vireo_builtin_connection_parent_class)->finalize (object);
}

static void
vireo_builtin_connection_dispose (GObject *object)
{
  VireoBuiltinConnection *self = VIREO_BUILTIN_CONNECTION (object);

  g_hash_table_remove_all (self->monitors);
  G_OBJECT_CLASS (vireo_builtin_connection_parent_class)->dispose (object);
}

static void
vireo_builtin_connection_class_init (VireoBuiltinConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  VireoConnectionClass *conn_class = VIREO_CONNECTION_CLASS (klass);

  object_class->dispose = vireo_builtin_connection_dispose;
  object_class->finalize = vireo_builtin_connection_finalize;
  conn_class->open = vireo_builtin_connection_open;
  conn_class->close = vireo_builtin_connection_close;
  conn_class->list = vireo_builtin_connection_list;
  conn_class->get_domain = vireo_builtin_connection_get_domain;
  conn_class->domain_action = vireo_builtin_connection_domain_action;
  conn_class->get_stats = vireo_builtin_connection_get_stats;
  conn_class->define_domain = vireo_builtin_connection_define_domain;
  conn_class->supports_action = vireo_builtin_connection_supports_action;
  conn_class->open_graphics = vireo_builtin_connection_open_graphics;
  conn_class->open_console = vireo_builtin_connection_open_console;
  conn_class->get_capabilities = vireo_builtin_connection_get_capabilities;
  conn_class->get_pool = vireo_builtin_connection_get_pool;
  conn_class->delete_pool = vireo_builtin_connection_delete_pool;
  conn_class->create_volume = vireo_builtin_connection_create_volume;
  conn_class->delete_volume = vireo_builtin_connection_delete_volume;
  conn_class->upload_volume = vireo_builtin_connection_upload_volume;
  conn_class->create_domain = vireo_builtin_connection_create_domain;
  conn_class->undefine_domain = vireo_builtin_connection_undefine_domain;
  conn_class->get_domain_xml = vireo_builtin_connection_get_domain_xml;
  conn_class->image_dir = vireo_builtin_connection_image_dir;
}

static void
vireo_builtin_connection_init (VireoBuiltinConnection *self)
{
  g_mutex_init (&self->lock);
  self->vms = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, vm_record_free);
  self->monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->main_context = g_main_context_ref_thread_default ();
}
