/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <glib/gi18n-lib.h>
#include <libvirt-glib/libvirt-glib.h>

#include "vireo-connection-private.h"
#include "vireo-stats.h"
#include "vireo-uri.h"
#include "vireo-worker.h"
#include "builtin/vireo-builtin-connection.h"
#include "libvirt/vireo-libvirt-connection.h"

#define HOST_HISTORY_LENGTH    120
#define AUTH_TIMEOUT_US        (5 * 60 * G_USEC_PER_SEC)

#include "vireo-connection-internal.h"

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

VireoConnectionPrivate *
vireo_connection_priv (VireoConnection *self)
{
  return vireo_connection_get_instance_private (self);
}

void
vireo_connection_run_call (VireoConnection *self,
                           GTask           *task,
                           GTaskThreadFunc  func)
{
  vireo_worker_run (vireo_connection_priv (self)->calls, task, func);
}

void
vireo_connection_emit_stats_updated (VireoConnection *self)
{
  g_signal_emit (self, signals[SIGNAL_STATS_UPDATED], 0);
}

void
vireo_connection_emit_domain_event (VireoConnection *self,
                                    VireoDomain     *domain,
                                    const char      *what)
{
  g_signal_emit (self, signals[SIGNAL_DOMAIN_EVENT], 0, domain, what);
}

static void start_open         (VireoConnection *self);

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
  vireo_connection_apply_listing (self, &od->listing);
  set_state (self, VIREO_CONNECTION_STATE_CONNECTED, NULL);
  vireo_connection_restart_stats_timer (self);
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
    return g_object_new (VIREO_TYPE_BUILTIN_CONNECTION, "uri", uri, NULL);
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
  vireo_connection_restart_stats_timer (self);
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

/* ---------------------------------------------------------------------- */
/* Jobs for the installer                                                 */

void
vireo_pool_details_free (VireoPoolDetails *details)
{
  if (details == NULL)
    return;
  g_free (details->name);
  g_free (details->path);
  g_free (details);
}

void
vireo_connection_run_on_worker (VireoConnection *self,
                                GTask           *task,
                                GTaskThreadFunc  func)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);

  g_return_if_fail (VIREO_IS_CONNECTION (self));
  vireo_worker_run (priv->calls, task, func);
}

/* A task for `func` on the call worker, failed at once when the
 * connection is not up. */
static void
start_call (VireoConnection     *self,
            gpointer             source_tag,
            GTaskThreadFunc      func,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  if (priv->state != VIREO_CONNECTION_STATE_CONNECTED)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_NOT_CONNECTED,
                               _("%s is not connected."), priv->display_name);
      return;
    }
  vireo_worker_run (priv->calls, task, func);
}

static void
drives_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  VireoConnection *self = source_object;
  VireoConnectionClass *klass = VIREO_CONNECTION_GET_CLASS (self);
  GError *error = NULL;
  GPtrArray *drives;

  if (klass->list_drives == NULL)
    drives = vireo_host_drives_scan_local ("/dev", "/sys/block");
  else
    drives = klass->list_drives (self, &error);
  if (drives == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, drives, (GDestroyNotify) g_ptr_array_unref);
}

void
vireo_connection_list_drives_async (VireoConnection     *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (VIREO_IS_CONNECTION (self));
  start_call (self, vireo_connection_list_drives_async, drives_thread, cancellable, callback, user_data);
}

GPtrArray *
vireo_connection_list_drives_finish (VireoConnection *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
volumes_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  VireoConnection *self = source_object;
  VireoConnectionClass *klass = VIREO_CONNECTION_GET_CLASS (self);
  GError *error = NULL;
  GPtrArray *volumes;

  if (klass->list_volumes == NULL)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                               _("This connection has no storage pools to browse."));
      return;
    }
  volumes = klass->list_volumes (self, task_data, &error);
  if (volumes == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, volumes, (GDestroyNotify) g_ptr_array_unref);
}

void
vireo_connection_list_volumes_async (VireoConnection     *self,
                                     const char          *pool,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  VireoConnectionPrivate *priv = vireo_connection_get_instance_private (self);
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (VIREO_IS_CONNECTION (self));
  g_return_if_fail (pool != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_connection_list_volumes_async);
  g_task_set_task_data (task, g_strdup (pool), g_free);
  if (priv->state != VIREO_CONNECTION_STATE_CONNECTED)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_NOT_CONNECTED,
                               _("%s is not connected."), priv->display_name);
      return;
    }
  vireo_worker_run (priv->calls, task, volumes_thread);
}

GPtrArray *
vireo_connection_list_volumes_finish (VireoConnection *self,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
vireo_connection_can_list_volumes (VireoConnection *self)
{
  g_return_val_if_fail (VIREO_IS_CONNECTION (self), FALSE);
  return VIREO_CONNECTION_GET_CLASS (self)->list_volumes != NULL;
}

static void
capabilities_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  VireoConnection *self = source_object;
  VireoConnectionClass *klass = VIREO_CONNECTION_GET_CLASS (self);
  GError *error = NULL;
  char *xml;

  if (klass->get_capabilities == NULL)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                               _("This connection cannot tell what guests its host runs."));
      return;
    }
  xml = klass->get_capabilities (self, &error);
  if (xml == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, xml, g_free);
}

void
vireo_connection_get_capabilities_async (VireoConnection     *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_return_if_fail (VIREO_IS_CONNECTION (self));
  start_call (self, vireo_connection_get_capabilities_async, capabilities_thread,
              cancellable, callback, user_data);
}

char *
vireo_connection_get_capabilities_finish (VireoConnection *self,
                                          GAsyncResult    *result,
                                          GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
