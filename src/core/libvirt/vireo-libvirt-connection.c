/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The libvirt backend: every function here but the event callbacks runs on
 * one of the connection's worker threads. */
#include "vireo-config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <string.h>

#define VIREO_LIBVIRT_INTERNAL
#include "vireo-libvirt-connection.h"
#include "vireo-uri.h"

struct _VireoLibvirtConnection {
  VireoConnection parent_instance;

  /* Guarded by `lock`: the call and statistics threads both use it; each
   * takes its own reference (virConnectRef) for the duration of a call. */
  GMutex          lock;
  virConnectPtr   conn;
  int             domain_event_id;
  int             network_event_id;
  int             pool_event_id;
  gboolean        close_cb_registered;
  gpointer        close_data;       /* EventData, freed by us after unregistering */
  guint           stats_calls;      /* statistics thread only */
};

#define FULL_STATS_EVERY 10

G_DEFINE_FINAL_TYPE (VireoLibvirtConnection, vireo_libvirt_connection, VIREO_TYPE_CONNECTION)

static const SecretSchema password_schema = {
  "io.github.vireo.Vireo.Password", SECRET_SCHEMA_NONE,
  {
    { "uri", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "username", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

static void
silent_error_handler (void *user_data, virErrorPtr error)
{
  /* Errors are reported as GErrors where they happen; nothing on stderr. */
}

void
vireo_libvirt_connection_global_init (void)
{
  virSetErrorFunc (NULL, silent_error_handler);
}

static void
set_libvirt_error (GError    **error,
                   int         code,
                   const char *fallback)
{
  const char *message = virGetLastErrorMessage ();

  g_set_error (error, VIREO_ERROR, code, "%s",
               message != NULL && !g_str_equal (message, "no error") ? message : fallback);
}

static gboolean
last_error_is (int code)
{
  virErrorPtr err = virGetLastError ();
  return err != NULL && err->code == code;
}

/* A referenced handle, or NULL with NOT_CONNECTED. */
virConnectPtr
vireo_libvirt_connection_ref_conn (VireoLibvirtConnection *self,
                                   GError                **error)
{
  virConnectPtr conn;

  g_mutex_lock (&self->lock);
  conn = self->conn;
  if (conn != NULL)
    virConnectRef (conn);
  g_mutex_unlock (&self->lock);

  if (conn == NULL)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_CONNECTED, _("Not connected."));
  return conn;
}

/* ---------------------------------------------------------------------- */
/* Events: libvirt-glib dispatches these on the main thread.              */

typedef struct {
  GWeakRef self;
} EventData;

static EventData *
event_data_new (gpointer self)
{
  EventData *data = g_new0 (EventData, 1);
  g_weak_ref_init (&data->self, self);
  return data;
}

static void
event_data_free (void *opaque)
{
  EventData *data = opaque;
  g_weak_ref_clear (&data->self);
  g_free (data);
}

static const char *
lifecycle_event_name (int event)
{
  switch (event)
    {
    case VIR_DOMAIN_EVENT_DEFINED:     return "defined";
    case VIR_DOMAIN_EVENT_UNDEFINED:   return "undefined";
    case VIR_DOMAIN_EVENT_STARTED:     return "started";
    case VIR_DOMAIN_EVENT_SUSPENDED:   return "suspended";
    case VIR_DOMAIN_EVENT_RESUMED:     return "resumed";
    case VIR_DOMAIN_EVENT_STOPPED:     return "stopped";
    case VIR_DOMAIN_EVENT_SHUTDOWN:    return "shutdown";
    case VIR_DOMAIN_EVENT_PMSUSPENDED: return "pmsuspended";
    case VIR_DOMAIN_EVENT_CRASHED:     return "crashed";
    default:                           return "changed";
    }
}

static int
domain_lifecycle_cb (virConnectPtr conn,
                     virDomainPtr  dom,
                     int           event,
                     int           detail,
                     void         *opaque)
{
  EventData *data = opaque;
  g_autoptr(VireoConnection) self = g_weak_ref_get (&data->self);
  char uuid[VIR_UUID_STRING_BUFLEN];

  /* Only a local lookup: no call to the host from the main thread. */
  if (self != NULL && virDomainGetUUIDString (dom, uuid) == 0)
    vireo_connection_domain_changed (self, uuid, lifecycle_event_name (event));
  return 0;
}

static void
network_lifecycle_cb (virConnectPtr conn,
                      virNetworkPtr net,
                      int           event,
                      int           detail,
                      void         *opaque)
{
  EventData *data = opaque;
  g_autoptr(VireoConnection) self = g_weak_ref_get (&data->self);

  if (self != NULL)
    vireo_connection_objects_changed (self);
}

static void
pool_lifecycle_cb (virConnectPtr     conn,
                   virStoragePoolPtr pool,
                   int               event,
                   int               detail,
                   void             *opaque)
{
  EventData *data = opaque;
  g_autoptr(VireoConnection) self = g_weak_ref_get (&data->self);

  if (self != NULL)
    vireo_connection_objects_changed (self);
}

static void
close_cb (virConnectPtr conn,
          int           reason,
          void         *opaque)
{
  EventData *data = opaque;
  g_autoptr(VireoConnection) self = g_weak_ref_get (&data->self);
  const char *message;

  if (self == NULL || reason == VIR_CONNECT_CLOSE_REASON_CLIENT)
    return;

  switch (reason)
    {
    case VIR_CONNECT_CLOSE_REASON_EOF:
      message = _("The host closed the connection (the libvirt daemon may have stopped).");
      break;
    case VIR_CONNECT_CLOSE_REASON_KEEPALIVE:
      message = _("The host stopped answering (keepalive timed out).");
      break;
    case VIR_CONNECT_CLOSE_REASON_ERROR:
    default:
      message = _("The connection to the host failed.");
      break;
    }
  vireo_connection_lost (self, message);
}

/* ---------------------------------------------------------------------- */
/* Authentication                                                         */

static VireoCredentialKind
credential_kind (int type)
{
  switch (type)
    {
    case VIR_CRED_USERNAME:
    case VIR_CRED_AUTHNAME:     return VIREO_CREDENTIAL_USERNAME;
    case VIR_CRED_PASSPHRASE:   return VIREO_CREDENTIAL_PASSWORD;
    case VIR_CRED_NOECHOPROMPT: return VIREO_CREDENTIAL_OTHER_SECRET;
    case VIR_CRED_ECHOPROMPT:
    case VIR_CRED_REALM:
    default:                    return VIREO_CREDENTIAL_OTHER;
    }
}

typedef struct {
  VireoLibvirtConnection *self;
  VireoAuthRequest       *asked;   /* kept to store the password later */
  char                   *username;
  gboolean                tried_stored;  /* the keyring was asked once */
  gboolean                used_stored;   /* and its password was given */
} AuthState;

static int
auth_cb (virConnectCredentialPtr cred,
         unsigned int            ncred,
         void                   *cbdata)
{
  AuthState *state = cbdata;
  VireoConnection *conn = VIREO_CONNECTION (state->self);
  const char *uri = vireo_connection_get_uri (conn);
  g_autoptr(VireoAuthRequest) request = vireo_auth_request_new (uri);
  g_autofree char *stored = NULL;
  gboolean only_secret = TRUE;

  for (guint i = 0; i < ncred; i++)
    if (credential_kind (cred[i].type) != VIREO_CREDENTIAL_PASSWORD)
      only_secret = FALSE;

  /* A password the user asked us to keep is tried once, before asking:
   * also when the user name was asked for just before (as SASL does). */
  if (only_secret && !state->tried_stored)
    {
      state->tried_stored = TRUE;
      stored = secret_password_lookup_sync (&password_schema, NULL, NULL,
                                            "uri", uri,
                                            "username", state->username ? state->username : "",
                                            NULL);
    }
  if (stored != NULL)
    {
      state->used_stored = TRUE;
      for (guint i = 0; i < ncred; i++)
        {
          cred[i].result = strdup (stored);
          cred[i].resultlen = strlen (stored);
        }
      return 0;
    }

  for (guint i = 0; i < ncred; i++)
    vireo_auth_request_add_credential (request, credential_kind (cred[i].type),
                                       cred[i].prompt, cred[i].defresult);

  if (!vireo_connection_authenticate (conn, request))
    return -1;

  for (guint i = 0; i < ncred; i++)
    {
      const char *value = vireo_auth_request_get_value (request, i);

      if (value == NULL)
        value = cred[i].defresult ? cred[i].defresult : "";
      cred[i].result = strdup (value);
      cred[i].resultlen = strlen (value);
      if (credential_kind (cred[i].type) == VIREO_CREDENTIAL_USERNAME)
        {
          g_free (state->username);
          state->username = g_strdup (value);
        }
    }
  g_set_object (&state->asked, request);
  return 0;
}

static void
remember_password (AuthState *state)
{
  VireoAuthRequest *request = state->asked;
  const char *uri;

  if (request == NULL || !vireo_auth_request_get_remember (request))
    return;
  uri = vireo_auth_request_get_uri (request);
  for (guint i = 0; i < vireo_auth_request_get_n_credentials (request); i++)
    if (vireo_auth_request_get_kind (request, i) == VIREO_CREDENTIAL_PASSWORD)
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *label = g_strdup_printf (_("Vireo password for %s"), uri);

        if (!secret_password_store_sync (&password_schema, SECRET_COLLECTION_DEFAULT, label,
                                         vireo_auth_request_get_value (request, i), NULL, &error,
                                         "uri", uri,
                                         "username", state->username ? state->username : "",
                                         NULL))
          g_warning ("Could not keep the password in the keyring: %s", error->message);
      }
}

/* ---------------------------------------------------------------------- */
/* Open and close                                                         */

static gboolean
vireo_libvirt_connection_open (VireoConnection *conn_base,
                               guint           *host_cpus,
                               guint64         *host_memory,
                               GError         **error)
{
  VireoLibvirtConnection *self = VIREO_LIBVIRT_CONNECTION (conn_base);
  const char *uri = vireo_connection_get_uri (conn_base);
  static int credtypes[] = {
    VIR_CRED_AUTHNAME, VIR_CRED_USERNAME, VIR_CRED_PASSPHRASE,
    VIR_CRED_ECHOPROMPT, VIR_CRED_NOECHOPROMPT, VIR_CRED_REALM,
  };
  AuthState auth_state = { self, NULL, NULL, FALSE, FALSE };
  virConnectAuth auth = { credtypes, G_N_ELEMENTS (credtypes), auth_cb, &auth_state };
  virConnectPtr conn;
  virNodeInfo node;

  conn = virConnectOpenAuth (uri, &auth, 0);
  if (conn == NULL)
    {
      const char *message = virGetLastErrorMessage ();
      gboolean auth_failed = last_error_is (VIR_ERR_AUTH_FAILED) || last_error_is (VIR_ERR_AUTH_CANCELLED);

      g_set_error (error, VIREO_ERROR, auth_failed ? VIREO_ERROR_AUTH_FAILED : VIREO_ERROR_FAILED,
                   "%s", message ? message : _("unknown error"));
      /* A kept password that no longer works is forgotten, so that the
       * next attempt asks instead of failing the same way for ever. */
      if (auth_failed && auth_state.used_stored)
        secret_password_clear_sync (&password_schema, NULL, NULL,
                                    "uri", uri,
                                    "username", auth_state.username ? auth_state.username : "",
                                    NULL);
      g_clear_object (&auth_state.asked);
      g_free (auth_state.username);
      return FALSE;
    }
  remember_password (&auth_state);
  g_clear_object (&auth_state.asked);
  g_free (auth_state.username);

  /* Keepalive notices a dead host; local drivers refuse it, which is fine. */
  virConnectSetKeepAlive (conn, 5, 3);

  if (virNodeGetInfo (conn, &node) == 0)
    {
      *host_cpus = node.cpus;
      *host_memory = node.memory;
    }
  else
    {
      *host_cpus = g_get_num_processors ();
      *host_memory = 0;
    }

  /* libvirt owns each callback's data only when registering succeeds;
   * drivers without an event kind (or without close callbacks) refuse. */
  {
    EventData *data = event_data_new (self);
    self->domain_event_id =
      virConnectDomainEventRegisterAny (conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                        VIR_DOMAIN_EVENT_CALLBACK (domain_lifecycle_cb),
                                        data, event_data_free);
    if (self->domain_event_id < 0)
      event_data_free (data);
  }
  {
    EventData *data = event_data_new (self);
    self->network_event_id =
      virConnectNetworkEventRegisterAny (conn, NULL, VIR_NETWORK_EVENT_ID_LIFECYCLE,
                                         VIR_NETWORK_EVENT_CALLBACK (network_lifecycle_cb),
                                         data, event_data_free);
    if (self->network_event_id < 0)
      event_data_free (data);
  }
  {
    EventData *data = event_data_new (self);
    self->pool_event_id =
      virConnectStoragePoolEventRegisterAny (conn, NULL, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                                             VIR_STORAGE_POOL_EVENT_CALLBACK (pool_lifecycle_cb),
                                             data, event_data_free);
    if (self->pool_event_id < 0)
      event_data_free (data);
  }
  /* Drivers that run in-process accept a close callback but never store it
   * (nor free its data), so the data stays ours and is freed on close. */
  self->close_data = event_data_new (self);
  self->close_cb_registered =
    virConnectRegisterCloseCallback (conn, close_cb, self->close_data, NULL) == 0;
  virResetLastError ();

  g_mutex_lock (&self->lock);
  self->conn = conn;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static void
vireo_libvirt_connection_close (VireoConnection *conn_base)
{
  VireoLibvirtConnection *self = VIREO_LIBVIRT_CONNECTION (conn_base);
  virConnectPtr conn;

  g_mutex_lock (&self->lock);
  conn = g_steal_pointer (&self->conn);
  g_mutex_unlock (&self->lock);
  if (conn == NULL)
    return;

  if (self->domain_event_id >= 0)
    virConnectDomainEventDeregisterAny (conn, self->domain_event_id);
  if (self->network_event_id >= 0)
    virConnectNetworkEventDeregisterAny (conn, self->network_event_id);
  if (self->pool_event_id >= 0)
    virConnectStoragePoolEventDeregisterAny (conn, self->pool_event_id);
  if (self->close_cb_registered)
    virConnectUnregisterCloseCallback (conn, close_cb);
  self->domain_event_id = self->network_event_id = self->pool_event_id = -1;
  self->close_cb_registered = FALSE;
  virConnectClose (conn);
  g_clear_pointer (&self->close_data, event_data_free);
}

/* ---------------------------------------------------------------------- */
/* Listing                                                                */

static char *
os_type_from_xml (const char *xml)
{
  g_autoptr(GRegex) re = NULL;
  g_autoptr(GMatchInfo) match = NULL;

  if (xml == NULL)
    return g_strdup ("hvm");
  re = g_regex_new ("<os\\b[^>]*>\\s*<type\\b[^>]*>\\s*([A-Za-z0-9_-]+)\\s*</type>",
                    G_REGEX_OPTIMIZE, 0, NULL);
  if (g_regex_match (re, xml, 0, &match))
    return g_match_info_fetch (match, 1);
  return g_strdup ("hvm");
}

static VireoDomainInfo *
domain_info_from (virDomainPtr dom)
{
  VireoDomainInfo *info = g_new0 (VireoDomainInfo, 1);
  char uuid[VIR_UUID_STRING_BUFLEN];
  virDomainInfo vinfo;
  unsigned int id;
  char *xml;
  int autostart = 0;

  if (virDomainGetUUIDString (dom, uuid) == 0)
    info->uuid = g_strdup (uuid);
  info->name = g_strdup (virDomainGetName (dom));
  id = virDomainGetID (dom);
  info->id = id == (unsigned int) -1 ? -1 : (int) id;
  if (virDomainGetInfo (dom, &vinfo) == 0)
    {
      info->state = vinfo.state < VIREO_DOMAIN_STATE_LAST ? vinfo.state : VIREO_DOMAIN_STATE_NOSTATE;
      info->max_memory = vinfo.maxMem;
      info->memory = vinfo.memory;
      info->vcpus = vinfo.nrVirtCpu;
    }
  /* The XML says "hvm" or "xen"; virDomainGetOSType() answers "linux" on
   * some drivers, so read the one source that is always right. */
  xml = virDomainGetXMLDesc (dom, 0);
  info->os_type = os_type_from_xml (xml);
  free (xml);
  info->persistent = virDomainIsPersistent (dom) == 1;
  if (virDomainGetAutostart (dom, &autostart) == 0)
    info->autostart = autostart != 0;
  info->has_managed_save = virDomainHasManagedSaveImage (dom, 0) == 1;
  return info;
}

static gboolean
vireo_libvirt_connection_list (VireoConnection *conn_base,
                               VireoListFlags   what,
                               VireoListing    *listing,
                               GError         **error)
{
  VireoLibvirtConnection *self = VIREO_LIBVIRT_CONNECTION (conn_base);
  virConnectPtr conn = vireo_libvirt_connection_ref_conn (self, error);

  if (conn == NULL)
    return FALSE;

  if (what & VIREO_LIST_DOMAINS)
    {
      virDomainPtr *doms = NULL;
      int n = virConnectListAllDomains (conn, &doms, 0);

      if (n < 0)
        {
          set_libvirt_error (error, VIREO_ERROR_FAILED, _("Could not list the VMs."));
          virConnectClose (conn);
          return FALSE;
        }
      listing->domains = g_ptr_array_new_full (n, (GDestroyNotify) vireo_domain_info_free);
      for (int i = 0; i < n; i++)
        {
          g_ptr_array_add (listing->domains, domain_info_from (doms[i]));
          virDomainFree (doms[i]);
        }
      free (doms);
    }

  if (what & VIREO_LIST_NETWORKS)
    {
      virNetworkPtr *nets = NULL;
      int n = virConnectListAllNetworks (conn, &nets, 0);

      listing->networks = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_object_info_free);
      for (int i = 0; i < n; i++)
        {
          VireoObjectInfo *info = g_new0 (VireoObjectInfo, 1);
          char uuid[VIR_UUID_STRING_BUFLEN];
          int autostart = 0;

          if (virNetworkGetUUIDString (nets[i], uuid) == 0)
            info->uuid = g_strdup (uuid);
          info->name = g_strdup (virNetworkGetName (nets[i]));
          info->active = virNetworkIsActive (nets[i]) == 1;
          if (virNetworkGetAutostart (nets[i], &autostart) == 0)
            info->autostart = autostart != 0;
          g_ptr_array_add (listing->networks, info);
          virNetworkFree (nets[i]);
        }
      free (nets);
      /* Drivers without networks (Xen without a network driver) list none. */
    }

  if (what & VIREO_LIST_POOLS)
    {
      virStoragePoolPtr *pools = NULL;
      int n = virConnectListAllStoragePools (conn, &pools, 0);

      listing->pools = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_object_info_free);
      for (int i = 0; i < n; i++)
        {
          VireoObjectInfo *info = g_new0 (VireoObjectInfo, 1);
          char uuid[VIR_UUID_STRING_BUFLEN];
          virStoragePoolInfo pinfo;
          int autostart = 0;

          if (virStoragePoolGetUUIDString (pools[i], uuid) == 0)
            info->uuid = g_strdup (uuid);
          info->name = g_strdup (virStoragePoolGetName (pools[i]));
          info->active = virStoragePoolIsActive (pools[i]) == 1;
          if (virStoragePoolGetAutostart (pools[i], &autostart) == 0)
            info->autostart = autostart != 0;
          if (virStoragePoolGetInfo (pools[i], &pinfo) == 0)
            {
              info->capacity = pinfo.capacity;
              info->available = pinfo.available;
            }
          g_ptr_array_add (listing->pools, info);
          virStoragePoolFree (pools[i]);
        }
      free (pools);
    }

  virConnectClose (conn);
  return TRUE;
}

static VireoDomainInfo *
vireo_libvirt_connection_get_domain (VireoConnection *conn_base,
                                     const char      *uuid,
                                     GError         **error)
{
  VireoLibvirtConnection *self = VIREO_LIBVIRT_CONNECTION (conn_base);
  virConnectPtr conn = vireo_libvirt_connection_ref_conn (self, error);
  virDomainPtr dom;
  VireoDomainInfo *info;

  if (conn == NULL)
    return NULL;

  dom = virDomainLookupByUUIDString (conn, uuid);
  if (dom == NULL)
    {
      if (last_error_is (VIR_ERR_NO_DOMAIN))
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("The VM no longer exists."));
      else
        set_libvirt_error (error, VIREO_ERROR_FAILED, _("Could not look up the VM."));
      virConnectClose (conn);
      return NULL;
    }
  info = domain_info_from (dom);
  virDomainFree (dom);
  virConnectClose (conn);
  return info;
}

static char *
vireo_libvirt_connection_get_domain_xml (VireoConnection *conn_base,
                                         const char      *uuid,
                                         GError         **error)
{
  virConnectPtr conn = vireo_libvirt_connection_ref_conn (VIREO_LIBVIRT_CONNECTION (conn_base), error);
  virDomainPtr dom;
  char *xml, *ret = NULL;

  if (conn == NULL)
    return NULL;
  if ((dom = virDomainLookupByUUIDString (conn, uuid)) == NULL)
    set_libvirt_error (error, VIREO_ERROR_NOT_FOUND, _("Could not look up the VM."));
  else if ((xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE)) == NULL)
    set_libvirt_error (error, VIREO_ERROR_FAILED, _("Could not read the VM's definition."));
  else
    {
      ret = g_strdup (xml);
      free (xml);
    }
  if (dom != NULL)
    virDomainFree (dom);
  virConnectClose (conn);
  return ret;
}

/* The target folder of the "default" pool, on a host that is this computer. */
static char *
vireo_libvirt_connection_image_dir (VireoConnection *conn_base,
                                    GError         **error)
{
  g_auto(VireoUriInfo) uri = { 0 };
  virConnectPtr conn;
  virStoragePoolPtr pool;
  char *xml = NULL;
  char *ret = NULL;

  if (!vireo_uri_parse (vireo_connection_get_uri (conn_base), &uri, error))
    return NULL;
  if (uri.host != NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                   _("%s is another computer: disks can only be copied between hosts on this one."),
                   vireo_connection_get_display_name (conn_base));
      return NULL;
    }
  if ((conn = vireo_libvirt_connection_ref_conn (VIREO_LIBVIRT_CONNECTION (conn_base), error)) == NULL)
    return NULL;
  if ((pool = virStoragePoolLookupByName (conn, "default")) == NULL ||
      (xml = virStoragePoolGetXMLDesc (pool, 0)) == NULL)
    set_libvirt_error (error, VIREO_ERROR_NOT_FOUND, _("The host has no “default” storage pool."));
  else
    {
      g_autoptr(GRegex) re = g_regex_new ("<target>\\s*<path>([^<]+)</path>", 0, 0, NULL);
      g_autoptr(GMatchInfo) match = NULL;

      if (g_regex_match (re, xml, 0, &match))
        ret = g_match_info_fetch (match, 1);
      else
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                     _("The “default” storage pool has no folder."));
    }
  free (xml);
  if (pool != NULL)
    virStoragePoolFree (pool);
  virConnectClose (conn);
  return ret;
}

/* ---------------------------------------------------------------------- */
/* Actions                                                                */

typedef struct {
  gboolean   in_disk;
  gboolean   is_disk;      /* device='disk', not a CD-ROM or floppy */
  GPtrArray *paths;        /* "file:/path" or "vol:pool/volume" */
} DiskParser;

static void
disk_start (GMarkupParseContext *context,
            const char          *element,
            const char         **names,
            const char         **values,
            gpointer             user_data,
            GError             **error)
{
  DiskParser *p = user_data;
  const GSList *stack = g_markup_parse_context_get_element_stack (context);

  if (g_str_equal (element, "disk") && stack->next != NULL &&
      g_str_equal (stack->next->data, "devices"))
    {
      const char *device = "disk";
      for (guint i = 0; names[i]; i++)
        if (g_str_equal (names[i], "device"))
          device = values[i];
      p->in_disk = TRUE;
      p->is_disk = g_str_equal (device, "disk");
    }
  else if (p->in_disk && p->is_disk && g_str_equal (element, "source"))
    {
      const char *file = NULL, *pool = NULL, *volume = NULL;

      for (guint i = 0; names[i]; i++)
        {
          if (g_str_equal (names[i], "file") || g_str_equal (names[i], "dev"))
            file = values[i];
          else if (g_str_equal (names[i], "pool"))
            pool = values[i];
          else if (g_str_equal (names[i], "volume"))
            volume = values[i];
        }
      if (file != NULL)
        g_ptr_array_add (p->paths, g_strdup_printf ("file:%s", file));
      else if (pool != NULL && volume != NULL)
        g_ptr_array_add (p->paths, g_strdup_printf ("vol:%s/%s", pool, volume));
    }
}

static void
disk_end (GMarkupParseContext *context,
          const char          *element,
          gpointer             user_data,
          GError             **error)
{
  DiskParser *p = user_data;

  if (g_str_equal (element, "disk"))
    p->in_disk = FALSE;
}

/* The disks (not CD-ROMs) a VM's XML names. */
static GPtrArray *
collect_disks (const char *xml)
{
  static const GMarkupParser parser = { disk_start, disk_end, NULL, NULL, NULL };
  DiskParser p = { FALSE, FALSE, g_ptr_array_new_with_free_func (g_free) };
  g_autoptr(GMarkupParseContext) context =
    g_markup_parse_context_new (&parser, 0, &p, NULL);

  if (!g_markup_parse_context_parse (context, xml, -1, NULL))
    g_ptr_array_set_size (p.paths, 0);
  return p.paths;
}

static gboolean
delete_volume (virConnectPtr conn,
               const char   *spec,
               GError      **error)
{
  virStorageVolPtr vol = NULL;
  int ret;

  if (g_str_has_prefix (spec, "file:"))
    vol = virStorageVolLookupByPath (conn, spec + 5);
  else
    {
      g_auto(GStrv) parts = g_strsplit (spec + 4, "/", 2);
      virStoragePoolPtr pool = virStoragePoolLookupByName (conn, parts[0]);

      if (pool != NULL)
        {
          vol = virStorageVolLookupByName (pool, parts[1]);
          virStoragePoolFree (pool);
        }
    }
  if (vol == NULL)
    {
      /* Not in any storage pool: libvirt cannot delete it for us, and we do
       * not remove files behind the host's back. */
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                   _("“%s” is not a volume of any storage pool, so it was left in place."),
                   strchr (spec, ':') + 1);
      return FALSE;
    }
  ret = virStorageVolDelete (vol, 0);
  if (ret < 0)
    set_libvirt_error (error, VIREO_ERROR_FAILED, _("Could not delete the volume."));
  virStorageVolFree (vol);
  return ret == 0;
}

static gboolean
delete_domain (virConnectPtr    conn,
               virDomainPtr     dom,
               VireoActionFlags flags,
               GError         **error)
{
  g_autoptr(GPtrArray) disks = NULL;
  g_autoptr(GString) failures = NULL;
  const char *name = virDomainGetName (dom);
  unsigned int undefine_flags = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                                VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
                                VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA |
                                VIR_DOMAIN_UNDEFINE_NVRAM;

  if (flags & VIREO_ACTION_FLAGS_REMOVE_STORAGE)
    {
      char *xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);

      if (xml == NULL)
        {
          set_libvirt_error (error, VIREO_ERROR_FAILED, _("Could not read the VM's configuration."));
          return FALSE;
        }
      disks = collect_disks (xml);
      free (xml);
    }

  /* Undefine first: if a disk then cannot be removed, it is left behind
   * rather than the VM losing a disk it still names. */
  if (virDomainUndefineFlags (dom, undefine_flags) < 0)
    {
      if (!last_error_is (VIR_ERR_NO_SUPPORT) && !last_error_is (VIR_ERR_INVALID_ARG) &&
          !last_error_is (VIR_ERR_ARGUMENT_UNSUPPORTED))
        {
          set_libvirt_error (error, VIREO_ERROR_FAILED, _("Could not delete the VM."));
          return FALSE;
        }
      if (virDomainUndefine (dom) < 0)
        {
          set_libvirt_error (error, VIREO_ERROR_FAILED, _("Could not delete the VM."));
          return FALSE;
        }
    }

  for (guint i = 0; disks != NULL && i < disks->len; i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (!delete_volume (conn, g_ptr_array_index (disks, i), &local_error))
        {
          if (failures == NULL)
            failures = g_string_new (NULL);
          g_string_append_printf (failures, "%s%s", failures->len ? " " : "",
                                  local_error->message);
        }
    }
  if (failures != NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("“%s” was deleted, but not all of its storage: %s"), name, failures->str);
      return FALSE;
    }
  return TRUE;
}

static gboolean
vireo_libvirt_connection_domain_action (VireoConnection  *conn_base,
                                        const char       *uuid,
                                        VireoDomainAction action,
                                        VireoActionFlags  flags,
                                        GError          **error)
{
  VireoLibvirtConnection *self = VIREO_LIBVIRT_CONNECTION (conn_base);
  virConnectPtr conn = vireo_libvirt_connection_ref_conn (self, error);
  virDomainPtr dom;
  int ret = -1;
  gboolean ok;

  if (conn == NULL)
    return FALSE;

  dom = virDomainLookupByUUIDString (conn, uuid);
  if (dom == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND, _("The VM no longer exists."));
      virConnectClose (conn);
      return FALSE;
    }

  switch (action)
    {
    case VIREO_DOMAIN_ACTION_START:
    case VIREO_DOMAIN_ACTION_RESTORE:   ret = virDomainCreate (dom); break;
    case VIREO_DOMAIN_ACTION_PAUSE:     ret = virDomainSuspend (dom); break;
    case VIREO_DOMAIN_ACTION_RESUME:    ret = virDomainResume (dom); break;
    case VIREO_DOMAIN_ACTION_SHUTDOWN:  ret = virDomainShutdown (dom); break;
    case VIREO_DOMAIN_ACTION_REBOOT:    ret = virDomainReboot (dom, 0); break;
    case VIREO_DOMAIN_ACTION_RESET:     ret = virDomainReset (dom, 0); break;
    case VIREO_DOMAIN_ACTION_FORCE_OFF: ret = virDomainDestroy (dom); break;
    case VIREO_DOMAIN_ACTION_SAVE:      ret = virDomainManagedSave (dom, 0); break;
    case VIREO_DOMAIN_ACTION_AUTOSTART_ON:  ret = virDomainSetAutostart (dom, 1); break;
    case VIREO_DOMAIN_ACTION_AUTOSTART_OFF: ret = virDomainSetAutostart (dom, 0); break;
    case VIREO_DOMAIN_ACTION_DELETE:
      ok = delete_domain (conn, dom, flags, error);
      virDomainFree (dom);
      virConnectClose (conn);
      return ok;
    case VIREO_DOMAIN_ACTION_LAST:
    default:
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED, _("Unknown action."));
      break;
    }

  if (ret < 0 && action < VIREO_DOMAIN_ACTION_LAST)
    set_libvirt_error (error,
                       last_error_is (VIR_ERR_NO_SUPPORT) ? VIREO_ERROR_UNSUPPORTED : VIREO_ERROR_FAILED,
                       _("The hypervisor refused the request."));
  virDomainFree (dom);
  virConnectClose (conn);
  return ret == 0;
}

static char *
vireo_libvirt_connection_define_domain (VireoConnection *conn_base,
                                        const char      *xml,
                                        GError         **error)
{
  VireoLibvirtConnection *self = VIREO_LIBVIRT_CONNECTION (conn_base);
  virConnectPtr conn = vireo_libvirt_connection_ref_conn (self, error);
  virDomainPtr dom;
  char uuid[VIR_UUID_STRING_BUFLEN];

  if (conn == NULL)
    return NULL;
  /* Validate against the schema where the driver can, so a bad document is
   * refused with a precise message instead of half-understood. */
  dom = virDomainDefineXMLFlags (conn, xml, VIR_DOMAIN_DEFINE_VALIDATE);
  if (dom == NULL && (last_error_is (VIR_ERR_NO_SUPPORT) || last_error_is (VIR_ERR_INVALID_ARG)))
    dom = virDomainDefineXML (conn, xml);
  if (dom == NULL)
    {
      set_libvirt_error (error, VIREO_ERROR_FAILED, _("Could not define the VM."));
      virConnectClose (conn);
      return NULL;
    }
  virDomainGetUUIDString (dom, uuid);
  virDomainFree (dom);
  virConnectClose (conn);
  return g_strdup (uuid);
}

/* ---------------------------------------------------------------------- */
/* Statistics: one bulk call per tick                                     */

static gboolean
param_ullong (const virTypedParameter *p,
              guint64                 *out)
{
  switch (p->type)
    {
    case VIR_TYPED_PARAM_ULLONG: *out = p->value.ul; return TRUE;
    case VIR_TYPED_PARAM_LLONG:  *out = p->value.l < 0 ? 0 : (guint64) p->value.l; return TRUE;
    case VIR_TYPED_PARAM_UINT:   *out = p->value.ui; return TRUE;
    case VIR_TYPED_PARAM_INT:    *out = p->value.i < 0 ? 0 : (guint64) p->value.i; return TRUE;
    default:                     return FALSE;
    }
}

static void
parse_record (virDomainStatsRecordPtr rec,
              VireoDomainSample      *s)
{
  guint64 cur = 0, max = 0, rss = 0, available = 0, unused = 0, v;
  gboolean has_cur = FALSE, has_max = FALSE, has_avail = FALSE, has_unused = FALSE;
  char uuid[VIR_UUID_STRING_BUFLEN];

  if (virDomainGetUUIDString (rec->dom, uuid) == 0)
    s->uuid = g_strdup (uuid);

  for (int i = 0; i < rec->nparams; i++)
    {
      const virTypedParameter *p = &rec->params[i];
      const char *f = p->field;

      if (!param_ullong (p, &v))
        continue;
      if (g_str_equal (f, "state.state"))
        s->state = v < VIREO_DOMAIN_STATE_LAST ? (VireoDomainState) v : VIREO_DOMAIN_STATE_NOSTATE;
      else if (g_str_equal (f, "cpu.time"))
        s->cpu_ns = v, s->has_cpu = TRUE;
      else if (g_str_equal (f, "balloon.current"))
        cur = v, has_cur = TRUE;
      else if (g_str_equal (f, "balloon.maximum"))
        max = v, has_max = TRUE;
      else if (g_str_equal (f, "balloon.rss"))
        rss = v;
      else if (g_str_equal (f, "balloon.available"))
        available = v, has_avail = TRUE;
      else if (g_str_equal (f, "balloon.unused"))
        unused = v, has_unused = TRUE;
      else if (g_str_has_prefix (f, "block."))
        {
          if (g_str_has_suffix (f, ".rd.bytes"))
            s->rd_bytes += v, s->has_disk = TRUE;
          else if (g_str_has_suffix (f, ".wr.bytes"))
            s->wr_bytes += v, s->has_disk = TRUE;
        }
      else if (g_str_has_prefix (f, "net."))
        {
          if (g_str_has_suffix (f, ".rx.bytes"))
            s->rx_bytes += v, s->has_net = TRUE;
          else if (g_str_has_suffix (f, ".tx.bytes"))
            s->tx_bytes += v, s->has_net = TRUE;
        }
    }

  /* Memory in use, best source first: the guest's own balloon report, then
   * what QEMU really holds, then what the VM was given. */
  if (has_avail && has_unused && available > 0)
    s->mem_used = available - MIN (unused, available), s->mem_total = available, s->has_memory = TRUE;
  else if (rss > 0 && has_cur && cur > 0)
    s->mem_used = MIN (rss, cur), s->mem_total = cur, s->has_memory = TRUE;
  else if (has_cur && has_max && max > 0)
    s->mem_used = cur, s->mem_total = max, s->has_memory = TRUE;
}

static void
host_stats (virConnectPtr    conn,
            VireoStatsBatch *batch)
{
  int n = 0;

  if (virNodeGetCPUStats (conn, VIR_NODE_CPU_STATS_ALL_CPUS, NULL, &n, 0) == 0 && n > 0)
    {
      g_autofree virNodeCPUStatsPtr params = g_new0 (virNodeCPUStats, n);

      if (virNodeGetCPUStats (conn, VIR_NODE_CPU_STATS_ALL_CPUS, params, &n, 0) == 0)
        {
          guint64 busy = 0, total = 0;

          for (int i = 0; i < n; i++)
            {
              if (g_str_equal (params[i].field, VIR_NODE_CPU_STATS_KERNEL) ||
                  g_str_equal (params[i].field, VIR_NODE_CPU_STATS_USER))
                busy += params[i].value;
              if (!g_str_equal (params[i].field, VIR_NODE_CPU_STATS_UTILIZATION))
                total += params[i].value;
            }
          batch->has_host_cpu = total > 0;
          batch->host_cpu_busy = busy;
          batch->host_cpu_total = total;
        }
    }

  n = 0;
  if (virNodeGetMemoryStats (conn, VIR_NODE_MEMORY_STATS_ALL_CELLS, NULL, &n, 0) == 0 && n > 0)
    {
      g_autofree virNodeMemoryStatsPtr params = g_new0 (virNodeMemoryStats, n);

      if (virNodeGetMemoryStats (conn, VIR_NODE_MEMORY_STATS_ALL_CELLS, params, &n, 0) == 0)
        {
          guint64 total = 0, free_ = 0, buffers = 0, cached = 0;

          for (int i = 0; i < n; i++)
            {
              if (g_str_equal (params[i].field, VIR_NODE_MEMORY_STATS_TOTAL))
                total = params[i].value;
              else if (g_str_equal (params[i].field, VIR_NODE_MEMORY_STATS_FREE))
                free_ = params[i].value;
              else if (g_str_equal (params[i].field, VIR_NODE_MEMORY_STATS_BUFFERS))
                buffers = params[i].value;
              else if (g_str_equal (params[i].field, VIR_NODE_MEMORY_STATS_CACHED))
                cached = params[i].value;
            }
          if (total > 0)
            {
              guint64 unused = MIN (free_ + buffers + cached, total);
              batch->has_host_memory = TRUE;
              batch->host_mem_total = total;
              batch->host_mem_used = total - unused;
            }
        }
    }
  /* Drivers without node statistics (some test setups) just give no host
   * graph; that is not an error. */
  virResetLastError ();
}

static VireoStatsBatch *
vireo_libvirt_connection_get_stats (VireoConnection *conn_base,
                                    GError         **error)
{
  VireoLibvirtConnection *self = VIREO_LIBVIRT_CONNECTION (conn_base);
  virConnectPtr conn = vireo_libvirt_connection_ref_conn (self, error);
  virDomainStatsRecordPtr *records = NULL;
  VireoStatsBatch *batch;
  gboolean full;
  int n;

  if (conn == NULL)
    return NULL;

  /* Most ticks ask about running VMs only (stopped ones have nothing to
   * measure and events report their changes); every tenth asks about all,
   * which also catches any event that was missed. */
  full = (self->stats_calls++ % FULL_STATS_EVERY) == 0;
  n = virConnectGetAllDomainStats (conn,
                                   VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL |
                                   VIR_DOMAIN_STATS_BALLOON | VIR_DOMAIN_STATS_BLOCK |
                                   VIR_DOMAIN_STATS_INTERFACE,
                                   &records, full ? 0 : VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE);
  if (n < 0)
    {
      if (virConnectIsAlive (conn) != 1)
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_CONNECTED, "%s",
                     _("The host stopped answering."));
      else
        set_libvirt_error (error, VIREO_ERROR_FAILED, _("Could not read statistics."));
      virConnectClose (conn);
      return NULL;
    }

  batch = vireo_stats_batch_new ();
  batch->wall_us = g_get_monotonic_time ();
  batch->complete = full;
  g_array_set_size (batch->samples, n);
  for (int i = 0; i < n; i++)
    parse_record (records[i], &g_array_index (batch->samples, VireoDomainSample, i));
  virDomainStatsRecordListFree (records);

  host_stats (conn, batch);
  virConnectClose (conn);
  return batch;
}

/* ---------------------------------------------------------------------- */

static void
vireo_libvirt_connection_finalize (GObject *object)
{
  VireoLibvirtConnection *self = VIREO_LIBVIRT_CONNECTION (object);

  /* Normally closed by a job already; this is the last resort. */
  vireo_libvirt_connection_close (VIREO_CONNECTION (self));
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (vireo_libvirt_connection_parent_class)->finalize (object);
}

static void
vireo_libvirt_connection_class_init (VireoLibvirtConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  VireoConnectionClass *conn_class = VIREO_CONNECTION_CLASS (klass);

  object_class->finalize = vireo_libvirt_connection_finalize;
  conn_class->open = vireo_libvirt_connection_open;
  conn_class->close = vireo_libvirt_connection_close;
  conn_class->list = vireo_libvirt_connection_list;
  conn_class->get_domain = vireo_libvirt_connection_get_domain;
  conn_class->domain_action = vireo_libvirt_connection_domain_action;
  conn_class->get_stats = vireo_libvirt_connection_get_stats;
  conn_class->define_domain = vireo_libvirt_connection_define_domain;
  conn_class->open_graphics = vireo_libvirt_connection_open_graphics;
  conn_class->open_console = vireo_libvirt_connection_open_console;
  conn_class->get_capabilities = vireo_libvirt_connection_get_capabilities;
  conn_class->get_pool = vireo_libvirt_connection_get_pool;
  conn_class->delete_pool = vireo_libvirt_connection_delete_pool;
  conn_class->create_volume = vireo_libvirt_connection_create_volume;
  conn_class->delete_volume = vireo_libvirt_connection_delete_volume;
  conn_class->upload_volume = vireo_libvirt_connection_upload_volume;
  conn_class->create_domain = vireo_libvirt_connection_create_domain;
  conn_class->undefine_domain = vireo_libvirt_connection_undefine_domain;
  conn_class->needs_upload = vireo_libvirt_connection_needs_upload;
  conn_class->get_domain_xml = vireo_libvirt_connection_get_domain_xml;
  conn_class->image_dir = vireo_libvirt_connection_image_dir;
  conn_class->list_drives = vireo_libvirt_connection_list_drives;
  conn_class->list_volumes = vireo_libvirt_connection_list_volumes;
}

static void
vireo_libvirt_connection_init (VireoLibvirtConnection *self)
{
  g_mutex_init (&self->lock);
  self->domain_event_id = self->network_event_id = self->pool_event_id = -1;
}
