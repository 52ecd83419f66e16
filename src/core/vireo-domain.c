/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <glib/gi18n-lib.h>

#include "vireo-connection-internal.h"
#include "vireo-domain-private.h"
#include "vireo-stats.h"

/* Two minutes of history at the default 1 s tick. */
#define HISTORY_LENGTH 120

struct _VireoDomain {
  GObject          parent_instance;

  GWeakRef         connection;
  char            *uuid;
  char            *name;
  int              id;
  VireoDomainState state;
  char            *os_type;
  gboolean         persistent;
  gboolean         autostart;
  gboolean         has_managed_save;
  guint64          max_memory;
  guint64          memory;
  guint            vcpus;
  char            *accelerator;
  char            *accelerator_reason;
  char            *state_reason;
  gint64           added_time;
  guint64          seen_tick;

  VireoRing       *history[VIREO_SERIES_LAST];

  /* The previous tick's counters, to turn totals into rates. */
  gboolean         have_prev;
  gint64           prev_wall_us;
  guint64          prev_cpu_ns, prev_rd, prev_wr, prev_rx, prev_tx;
};

G_DEFINE_FINAL_TYPE (VireoDomain, vireo_domain, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_UUID,
  PROP_ID,
  PROP_STATE,
  PROP_OS_TYPE,
  PROP_PERSISTENT,
  PROP_AUTOSTART,
  PROP_HAS_MANAGED_SAVE,
  PROP_MAX_MEMORY,
  PROP_MEMORY,
  PROP_VCPUS,
  PROP_ACCELERATOR,
  PROP_ACCELERATOR_REASON,
  PROP_STATE_REASON,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
vireo_domain_info_free (VireoDomainInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->uuid);
  g_free (info->name);
  g_free (info->os_type);
  g_free (info->accelerator);
  g_free (info->accelerator_reason);
  g_free (info->state_reason);
  g_free (info);
}

static void
vireo_domain_finalize (GObject *object)
{
  VireoDomain *self = VIREO_DOMAIN (object);

  g_weak_ref_clear (&self->connection);
  g_free (self->uuid);
  g_free (self->name);
  g_free (self->os_type);
  g_free (self->accelerator);
  g_free (self->accelerator_reason);
  g_free (self->state_reason);
  for (guint i = 0; i < VIREO_SERIES_LAST; i++)
    vireo_ring_free (self->history[i]);
  G_OBJECT_CLASS (vireo_domain_parent_class)->finalize (object);
}

static void
vireo_domain_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  VireoDomain *self = VIREO_DOMAIN (object);

  switch (prop_id)
    {
    case PROP_NAME:             g_value_set_string (value, self->name); break;
    case PROP_UUID:             g_value_set_string (value, self->uuid); break;
    case PROP_ID:               g_value_set_int (value, self->id); break;
    case PROP_STATE:            g_value_set_int (value, self->state); break;
    case PROP_OS_TYPE:          g_value_set_string (value, self->os_type); break;
    case PROP_PERSISTENT:       g_value_set_boolean (value, self->persistent); break;
    case PROP_AUTOSTART:        g_value_set_boolean (value, self->autostart); break;
    case PROP_HAS_MANAGED_SAVE: g_value_set_boolean (value, self->has_managed_save); break;
    case PROP_MAX_MEMORY:       g_value_set_uint64 (value, self->max_memory); break;
    case PROP_MEMORY:           g_value_set_uint64 (value, self->memory); break;
    case PROP_VCPUS:            g_value_set_uint (value, self->vcpus); break;
    case PROP_ACCELERATOR:      g_value_set_string (value, self->accelerator); break;
    case PROP_ACCELERATOR_REASON: g_value_set_string (value, self->accelerator_reason); break;
    case PROP_STATE_REASON:     g_value_set_string (value, self->state_reason); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vireo_domain_class_init (VireoDomainClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = vireo_domain_finalize;
  object_class->get_property = vireo_domain_get_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_UUID] = g_param_spec_string ("uuid", NULL, NULL, NULL, flags);
  properties[PROP_ID] = g_param_spec_int ("id", NULL, NULL, -1, G_MAXINT, -1, flags);
  /* An int rather than an enum type: the UI only compares it. */
  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, 0, VIREO_DOMAIN_STATE_LAST, 0, flags);
  properties[PROP_OS_TYPE] = g_param_spec_string ("os-type", NULL, NULL, NULL, flags);
  properties[PROP_PERSISTENT] = g_param_spec_boolean ("persistent", NULL, NULL, FALSE, flags);
  properties[PROP_AUTOSTART] = g_param_spec_boolean ("autostart", NULL, NULL, FALSE, flags);
  properties[PROP_HAS_MANAGED_SAVE] = g_param_spec_boolean ("has-managed-save", NULL, NULL, FALSE, flags);
  properties[PROP_MAX_MEMORY] = g_param_spec_uint64 ("max-memory", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_MEMORY] = g_param_spec_uint64 ("memory", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_VCPUS] = g_param_spec_uint ("vcpus", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_ACCELERATOR] = g_param_spec_string ("accelerator", NULL, NULL, NULL, flags);
  properties[PROP_ACCELERATOR_REASON] = g_param_spec_string ("accelerator-reason", NULL, NULL, NULL, flags);
  properties[PROP_STATE_REASON] = g_param_spec_string ("state-reason", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vireo_domain_init (VireoDomain *self)
{
  g_weak_ref_init (&self->connection, NULL);
  self->id = -1;
  for (guint i = 0; i < VIREO_SERIES_LAST; i++)
    self->history[i] = vireo_ring_new (HISTORY_LENGTH);
}

VireoDomain *
vireo_domain_new (VireoConnection       *connection,
                  const VireoDomainInfo *info)
{
  VireoDomain *self = g_object_new (VIREO_TYPE_DOMAIN, NULL);

  g_weak_ref_set (&self->connection, connection);
  self->uuid = g_strdup (info->uuid);
  self->added_time = g_get_monotonic_time ();
  g_object_freeze_notify (G_OBJECT (self));
  vireo_domain_update (self, info);
  g_object_thaw_notify (G_OBJECT (self));
  return self;
}

#define SET_FIELD(field, prop, val) \
  G_STMT_START { \
    if (self->field != (val)) \
      { \
        self->field = (val); \
        g_object_notify_by_pspec (G_OBJECT (self), properties[prop]); \
      } \
  } G_STMT_END

static void
set_string (VireoDomain *self,
            char       **field,
            const char  *value,
            guint        prop)
{
  if (g_strcmp0 (*field, value) != 0)
    {
      g_free (*field);
      *field = g_strdup (value);
      g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
    }
}

void
vireo_domain_update (VireoDomain           *self,
                     const VireoDomainInfo *info)
{
  g_return_if_fail (VIREO_IS_DOMAIN (self));

  g_object_freeze_notify (G_OBJECT (self));
  set_string (self, &self->name, info->name, PROP_NAME);
  set_string (self, &self->os_type, info->os_type, PROP_OS_TYPE);
  SET_FIELD (id, PROP_ID, info->id);
  SET_FIELD (persistent, PROP_PERSISTENT, info->persistent);
  SET_FIELD (autostart, PROP_AUTOSTART, info->autostart);
  SET_FIELD (has_managed_save, PROP_HAS_MANAGED_SAVE, info->has_managed_save);
  SET_FIELD (max_memory, PROP_MAX_MEMORY, info->max_memory);
  SET_FIELD (memory, PROP_MEMORY, info->memory);
  SET_FIELD (vcpus, PROP_VCPUS, info->vcpus);
  set_string (self, &self->accelerator, info->accelerator, PROP_ACCELERATOR);
  set_string (self, &self->accelerator_reason, info->accelerator_reason, PROP_ACCELERATOR_REASON);
  set_string (self, &self->state_reason, info->state_reason, PROP_STATE_REASON);
  vireo_domain_set_state (self, info->state);
  g_object_thaw_notify (G_OBJECT (self));
}

void
vireo_domain_set_state (VireoDomain     *self,
                        VireoDomainState state)
{
  g_return_if_fail (VIREO_IS_DOMAIN (self));

  if (self->state == state)
    return;
  /* A restarted VM's counters start again from zero. */
  if (!vireo_domain_state_is_active (state))
    self->have_prev = FALSE;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
vireo_domain_add_sample (VireoDomain             *self,
                         const VireoDomainSample *s,
                         gint64                   wall_us,
                         guint                    n_host_cpus,
                         guint64                  tick)
{
  double cpu = 0, mem = 0, rd = 0, wr = 0, rx = 0, tx = 0;
  gboolean was_active = vireo_domain_state_is_active (self->state);

  self->seen_tick = tick;
  vireo_domain_set_state (self, s->state);

  /* A stopped VM has no activity to plot: its graphs empty once and then
   * stay still, so a host with many stopped VMs redraws nothing for them. */
  if (!vireo_domain_state_is_active (s->state))
    {
      if (was_active || vireo_ring_get_length (self->history[VIREO_SERIES_CPU]) > 0)
        vireo_domain_clear_history (self);
      return;
    }

  if (self->have_prev)
    {
      if (s->has_cpu)
        cpu = vireo_stats_cpu_percent (self->prev_cpu_ns, s->cpu_ns, self->prev_wall_us,
                                       wall_us, n_host_cpus);
      if (s->has_disk)
        {
          rd = vireo_stats_rate (self->prev_rd, s->rd_bytes, self->prev_wall_us, wall_us);
          wr = vireo_stats_rate (self->prev_wr, s->wr_bytes, self->prev_wall_us, wall_us);
        }
      if (s->has_net)
        {
          rx = vireo_stats_rate (self->prev_rx, s->rx_bytes, self->prev_wall_us, wall_us);
          tx = vireo_stats_rate (self->prev_tx, s->tx_bytes, self->prev_wall_us, wall_us);
        }
    }
  if (s->has_memory)
    mem = vireo_stats_percent (s->mem_used, s->mem_total);

  vireo_ring_push (self->history[VIREO_SERIES_CPU], cpu);
  vireo_ring_push (self->history[VIREO_SERIES_MEMORY], mem);
  vireo_ring_push (self->history[VIREO_SERIES_DISK_READ], rd);
  vireo_ring_push (self->history[VIREO_SERIES_DISK_WRITE], wr);
  vireo_ring_push (self->history[VIREO_SERIES_NET_RX], rx);
  vireo_ring_push (self->history[VIREO_SERIES_NET_TX], tx);

  self->have_prev = vireo_domain_state_is_active (s->state) && s->has_cpu;
  self->prev_wall_us = wall_us;
  self->prev_cpu_ns = s->cpu_ns;
  self->prev_rd = s->rd_bytes;
  self->prev_wr = s->wr_bytes;
  self->prev_rx = s->rx_bytes;
  self->prev_tx = s->tx_bytes;
}

void
vireo_domain_clear_history (VireoDomain *self)
{
  for (guint i = 0; i < VIREO_SERIES_LAST; i++)
    vireo_ring_clear (self->history[i]);
  self->have_prev = FALSE;
}

guint64
vireo_domain_get_seen_tick (VireoDomain *self)
{
  return self->seen_tick;
}

gint64
vireo_domain_get_added_time (VireoDomain *self)
{
  return self->added_time;
}

void
vireo_domain_detach (VireoDomain *self)
{
  g_weak_ref_set (&self->connection, NULL);
}

VireoConnection *
vireo_domain_get_connection (VireoDomain *self)
{
  VireoConnection *conn;

  g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL);
  /* The connection owns its domains, so it outlives any caller's use of
   * this borrowed pointer. */
  conn = g_weak_ref_get (&self->connection);
  if (conn != NULL)
    g_object_unref (conn);
  return conn;
}

const char *vireo_domain_get_name (VireoDomain *self) { g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL); return self->name; }
const char *vireo_domain_get_uuid (VireoDomain *self) { g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL); return self->uuid; }
int vireo_domain_get_id (VireoDomain *self) { g_return_val_if_fail (VIREO_IS_DOMAIN (self), -1); return self->id; }
VireoDomainState vireo_domain_get_state (VireoDomain *self) { g_return_val_if_fail (VIREO_IS_DOMAIN (self), 0); return self->state; }
const char *vireo_domain_get_os_type (VireoDomain *self) { g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL); return self->os_type; }
gboolean vireo_domain_get_persistent (VireoDomain *self) { g_return_val_if_fail (VIREO_IS_DOMAIN (self), FALSE); return self->persistent; }
gboolean vireo_domain_get_autostart (VireoDomain *self) { g_return_val_if_fail (VIREO_IS_DOMAIN (self), FALSE); return self->autostart; }
gboolean vireo_domain_get_has_managed_save (VireoDomain *self) { g_return_val_if_fail (VIREO_IS_DOMAIN (self), FALSE); return self->has_managed_save; }
guint64 vireo_domain_get_max_memory (VireoDomain *self) { g_return_val_if_fail (VIREO_IS_DOMAIN (self), 0); return self->max_memory; }
guint64 vireo_domain_get_memory (VireoDomain *self) { g_return_val_if_fail (VIREO_IS_DOMAIN (self), 0); return self->memory; }
guint vireo_domain_get_vcpus (VireoDomain *self) { g_return_val_if_fail (VIREO_IS_DOMAIN (self), 0); return self->vcpus; }
const char *vireo_domain_get_accelerator (VireoDomain *self) { g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL); return self->accelerator; }
const char *vireo_domain_get_accelerator_reason (VireoDomain *self) { g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL); return self->accelerator_reason; }
const char *vireo_domain_get_state_reason (VireoDomain *self) { g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL); return self->state_reason; }

char *
vireo_domain_dup_description (VireoDomain *self)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL);
  /* Translators: a VM's name and its state, e.g. "web-1, Running" */
  return g_strdup_printf (_("%s, %s"), self->name, vireo_domain_state_to_string (self->state));
}

gboolean
vireo_domain_can (VireoDomain      *self,
                  VireoDomainAction action)
{
  g_autoptr(VireoConnection) conn = NULL;

  g_return_val_if_fail (VIREO_IS_DOMAIN (self), FALSE);

  /* What a backend cannot do is hidden, not offered and then refused. */
  conn = g_weak_ref_get (&self->connection);
  if (conn != NULL && VIREO_CONNECTION_GET_CLASS (conn)->supports_action != NULL &&
      !VIREO_CONNECTION_GET_CLASS (conn)->supports_action (conn, action))
    return FALSE;
  return vireo_domain_action_allowed (action, self->state, self->persistent,
                                      self->has_managed_save, self->autostart);
}

const VireoRing *
vireo_domain_get_history (VireoDomain *self,
                          VireoSeries  series)
{
  g_return_val_if_fail (VIREO_IS_DOMAIN (self), NULL);
  g_return_val_if_fail (series < VIREO_SERIES_LAST, NULL);
  return self->history[series];
}

/* Why an action is refused, in words a user can act on. */
static char *
refusal_message (VireoDomain      *self,
                 VireoDomainAction action)
{
  gboolean active = vireo_domain_state_is_active (self->state);

  switch (action)
    {
    case VIREO_DOMAIN_ACTION_START:
      if (active)
        return g_strdup_printf (_("“%s” is already running."), self->name);
      return g_strdup_printf (_("“%s” has a saved state: restore it instead."), self->name);
    case VIREO_DOMAIN_ACTION_RESTORE:
      if (active)
        return g_strdup_printf (_("“%s” is already running."), self->name);
      return g_strdup_printf (_("“%s” has no saved state to restore."), self->name);
    case VIREO_DOMAIN_ACTION_RESUME:
      return g_strdup_printf (_("“%s” is not paused."), self->name);
    case VIREO_DOMAIN_ACTION_SAVE:
      if (!self->persistent)
        return g_strdup_printf (_("“%s” is a transient VM: only a defined VM can be saved."), self->name);
      return g_strdup_printf (_("“%s” is not running."), self->name);
    case VIREO_DOMAIN_ACTION_DELETE:
      if (!self->persistent)
        return g_strdup_printf (_("“%s” is a transient VM: it disappears by itself when it stops."), self->name);
      return g_strdup_printf (_("“%s” is running: shut it down before deleting it."), self->name);
    case VIREO_DOMAIN_ACTION_AUTOSTART_ON:
    case VIREO_DOMAIN_ACTION_AUTOSTART_OFF:
      if (!self->persistent)
        return g_strdup_printf (_("“%s” is a transient VM: autostart needs a defined VM."), self->name);
      if (self->autostart)
        return g_strdup_printf (_("Autostart is already on for “%s”."), self->name);
      return g_strdup_printf (_("Autostart is already off for “%s”."), self->name);
    case VIREO_DOMAIN_ACTION_PAUSE:
    case VIREO_DOMAIN_ACTION_SHUTDOWN:
    case VIREO_DOMAIN_ACTION_REBOOT:
    case VIREO_DOMAIN_ACTION_RESET:
    case VIREO_DOMAIN_ACTION_FORCE_OFF:
    case VIREO_DOMAIN_ACTION_LAST:
    default:
      return g_strdup_printf (_("“%s” is not running."), self->name);
    }
}

void
vireo_domain_run_action_async (VireoDomain         *self,
                               VireoDomainAction    action,
                               VireoActionFlags     flags,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(VireoConnection) conn = NULL;

  g_return_if_fail (VIREO_IS_DOMAIN (self));
  g_return_if_fail (action < VIREO_DOMAIN_ACTION_LAST);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_domain_run_action_async);

  conn = g_weak_ref_get (&self->connection);
  if (conn == NULL || vireo_connection_get_state (conn) != VIREO_CONNECTION_STATE_CONNECTED)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_NOT_CONNECTED,
                               _("The connection to “%s”'s host is not open."), self->name);
      return;
    }
  if (VIREO_CONNECTION_GET_CLASS (conn)->supports_action != NULL &&
      !VIREO_CONNECTION_GET_CLASS (conn)->supports_action (conn, action))
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                               _("%s is not available on %s."),
                               vireo_domain_action_to_label (action),
                               vireo_connection_get_display_name (conn));
      return;
    }
  if (!vireo_domain_can (self, action))
    {
      g_autofree char *message = refusal_message (self, action);
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_NOT_ALLOWED, "%s", message);
      return;
    }

  vireo_connection_run_domain_action (conn, self, action, flags, g_steal_pointer (&task));
}

gboolean
vireo_domain_run_action_finish (VireoDomain  *self,
                                GAsyncResult *result,
                                GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
open_stream (VireoDomain         *self,
             gboolean             graphics,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(VireoConnection) conn = g_weak_ref_get (&self->connection);

  g_task_set_source_tag (task, graphics ? (gpointer) vireo_domain_open_graphics_async
                                        : (gpointer) vireo_domain_open_console_async);
  if (conn == NULL || vireo_connection_get_state (conn) != VIREO_CONNECTION_STATE_CONNECTED)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_NOT_CONNECTED,
                               _("The connection to “%s”'s host is not open."), self->name);
      return;
    }
  if (!vireo_domain_state_is_active (self->state))
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_NOT_ALLOWED,
                               _("“%s” is not running."), self->name);
      return;
    }
  vireo_connection_open_stream (conn, self, graphics, g_steal_pointer (&task));
}

void
vireo_domain_open_graphics_async (VireoDomain         *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (VIREO_IS_DOMAIN (self));
  open_stream (self, TRUE, cancellable, callback, user_data);
}

int
vireo_domain_open_graphics_finish (VireoDomain       *self,
                                   GAsyncResult      *result,
                                   VireoGraphicsType *type,
                                   GError           **error)
{
  int fd;

  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  fd = (int) g_task_propagate_int (G_TASK (result), error);
  if (fd >= 0)
    vireo_connection_stream_fd_taken (G_TASK (result));
  if (type != NULL)
    *type = fd >= 0 ? vireo_connection_stream_type (G_TASK (result)) : VIREO_GRAPHICS_NONE;
  return fd;
}

void
vireo_domain_open_console_async (VireoDomain         *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (VIREO_IS_DOMAIN (self));
  open_stream (self, FALSE, cancellable, callback, user_data);
}

int
vireo_domain_open_console_finish (VireoDomain  *self,
                                  GAsyncResult *result,
                                  GError      **error)
{
  int fd;

  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  fd = (int) g_task_propagate_int (G_TASK (result), error);
  if (fd >= 0)
    vireo_connection_stream_fd_taken (G_TASK (result));
  return fd;
}
