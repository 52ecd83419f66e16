/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The libvirt backend's part in creating VMs: capabilities, pools and
 * volumes, uploads, the install phase (a one-shot start from other XML) and
 * undefining. Every function here runs on a worker thread. */
#include "vireo-config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>
#include <unistd.h>

#define VIREO_LIBVIRT_INTERNAL
#include "vireo-libvirt-connection.h"
#include "vireo-uri.h"

#define UPLOAD_CHUNK (256 * 1024)

static void
set_error (GError    **error,
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

char *
vireo_libvirt_connection_get_capabilities (VireoConnection *conn_base,
                                           GError         **error)
{
  virConnectPtr conn = vireo_libvirt_connection_ref_conn (VIREO_LIBVIRT_CONNECTION (conn_base), error);
  char *caps, *out;

  if (conn == NULL)
    return NULL;
  caps = virConnectGetCapabilities (conn);
  if (caps == NULL)
    set_error (error, VIREO_ERROR_FAILED, _("Could not read the host’s capabilities."));
  out = g_strdup (caps);
  free (caps);
  virConnectClose (conn);
  return out;
}

/* The host's CD/DVD drives from its node devices. A local daemon that has
 * no node device driver still shares this computer's drives. */
GPtrArray *
vireo_libvirt_connection_list_drives (VireoConnection *conn_base,
                                      GError         **error)
{
  virConnectPtr conn = vireo_libvirt_connection_ref_conn (VIREO_LIBVIRT_CONNECTION (conn_base), error);
  virNodeDevicePtr *devices = NULL;
  GPtrArray *drives;
  int n;

  if (conn == NULL)
    return NULL;
  n = virConnectListAllNodeDevices (conn, &devices, VIR_CONNECT_LIST_NODE_DEVICES_CAP_STORAGE);
  if (n < 0)
    {
      g_auto(VireoUriInfo) info = { 0 };

      if (vireo_uri_parse (vireo_connection_get_uri (conn_base), &info, NULL) &&
          info.host == NULL && info.transport == VIREO_TRANSPORT_LOCAL && last_error_is (VIR_ERR_NO_SUPPORT))
        {
          virConnectClose (conn);
          return vireo_host_drives_scan_local ("/dev", "/sys/block");
        }
      set_error (error, VIREO_ERROR_FAILED, _("Could not list the host’s devices."));
      virConnectClose (conn);
      return NULL;
    }

  drives = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_host_drive_free);
  for (int i = 0; i < n; i++)
    {
      char *xml = virNodeDeviceGetXMLDesc (devices[i], 0);
      VireoHostDrive *drive = vireo_host_drive_from_nodedev (xml);

      if (drive != NULL)
        g_ptr_array_add (drives, drive);
      free (xml);
      virNodeDeviceFree (devices[i]);
    }
  free (devices);
  virConnectClose (conn);
  /* libvirt lists them in no particular order. */
  vireo_host_drives_sort (drives);
  return drives;
}

gboolean
vireo_libvirt_connection_needs_upload (VireoConnection *conn_base)
{
  g_auto(VireoUriInfo) info = { 0 };

  if (!vireo_uri_parse (vireo_connection_get_uri (conn_base), &info, NULL))
    return TRUE;
  /* A remote host cannot read our files; a system daemon runs guests as
   * its own user, who cannot read our home either. */
  return info.host != NULL || info.transport != VIREO_TRANSPORT_LOCAL ||
         g_strcmp0 (info.path, "/system") == 0;
}

/* Where libvirt keeps images for a new "default" pool, as virt-install
 * chooses it. */
static char *
default_pool_path (VireoConnection *conn_base)
{
  g_auto(VireoUriInfo) info = { 0 };

  if (vireo_uri_parse (vireo_connection_get_uri (conn_base), &info, NULL) &&
      info.host == NULL && g_strcmp0 (info.path, "/session") == 0)
    return g_build_filename (g_get_user_data_dir (), "libvirt", "images", NULL);
  return g_strdup ("/var/lib/libvirt/images");
}

static char *
pool_target_path (virStoragePoolPtr pool)
{
  char *xml = virStoragePoolGetXMLDesc (pool, 0);
  xmlDoc *doc;
  char *path = NULL;

  if (xml == NULL)
    return NULL;
  doc = xmlReadMemory (xml, strlen (xml), "pool.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  free (xml);
  if (doc == NULL)
    return NULL;
  for (xmlNode *n = xmlDocGetRootElement (doc)->children; n != NULL && path == NULL; n = n->next)
    if (n->type == XML_ELEMENT_NODE && xmlStrEqual (n->name, BAD_CAST "target"))
      for (xmlNode *c = n->children; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE && xmlStrEqual (c->name, BAD_CAST "path"))
          {
            xmlChar *text = xmlNodeGetContent (c);
            path = g_strstrip (g_strdup ((const char *) text));
            xmlFree (text);
            break;
          }
  xmlFreeDoc (doc);
  return path;
}

static char *
escape_xml (const char *text)
{
  return g_markup_escape_text (text, -1);
}

static virStoragePoolPtr
create_default_pool (VireoConnection *conn_base,
                     virConnectPtr    conn,
                     GError         **error)
{
  g_autofree char *path = default_pool_path (conn_base);
  g_autofree char *escaped = escape_xml (path);
  g_autofree char *xml = g_strdup_printf ("<pool type='dir'><name>default</name>"
                                          "<target><path>%s</path></target></pool>", escaped);
  virStoragePoolPtr pool = virStoragePoolDefineXML (conn, xml, 0);

  if (pool == NULL)
    {
      set_error (error, VIREO_ERROR_FAILED, _("Could not create the storage pool “default”."));
      return NULL;
    }
  /* Build makes the directory; it may exist already, which is fine. */
  virStoragePoolBuild (pool, 0);
  if (virStoragePoolCreate (pool, 0) < 0)
    {
      set_error (error, VIREO_ERROR_FAILED, _("Could not start the storage pool “default”."));
      virStoragePoolUndefine (pool);
      virStoragePoolFree (pool);
      return NULL;
    }
  virStoragePoolSetAutostart (pool, 1);
  virResetLastError ();
  return pool;
}

VireoPoolDetails *
vireo_libvirt_connection_get_pool (VireoConnection *conn_base,
                                   const char      *name,
                                   gboolean         create,
                                   GError         **error)
{
  virConnectPtr conn = vireo_libvirt_connection_ref_conn (VIREO_LIBVIRT_CONNECTION (conn_base), error);
  g_autoptr(VireoPoolDetails) details = NULL;
  virStoragePoolPtr pool;
  virStoragePoolInfo info;

  if (conn == NULL)
    return NULL;
  details = g_new0 (VireoPoolDetails, 1);
  details->name = g_strdup (name);

  pool = virStoragePoolLookupByName (conn, name);
  if (pool == NULL)
    {
      if (!create || !g_str_equal (name, "default"))
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                       _("The host has no storage pool named “%s”. Choose one of its pools."),
                       name);
          virConnectClose (conn);
          return NULL;
        }
      pool = create_default_pool (conn_base, conn, error);
      if (pool == NULL)
        {
          virConnectClose (conn);
          return NULL;
        }
      details->created = TRUE;
    }
  else if (virStoragePoolIsActive (pool) != 1 && virStoragePoolCreate (pool, 0) < 0)
    {
      set_error (error, VIREO_ERROR_FAILED, _("Could not start the storage pool."));
      virStoragePoolFree (pool);
      virConnectClose (conn);
      return NULL;
    }

  /* Free space as it is now, not as it was when the pool was last read. */
  virStoragePoolRefresh (pool, 0);
  if (virStoragePoolGetInfo (pool, &info) == 0)
    {
      details->capacity = info.capacity;
      details->available = info.available;
    }
  details->path = pool_target_path (pool);
  virResetLastError ();
  virStoragePoolFree (pool);
  virConnectClose (conn);
  return g_steal_pointer (&details);
}

gboolean
vireo_libvirt_connection_delete_pool (VireoConnection *conn_base,
                                      const char      *name,
                                      GError         **error)
{
  virConnectPtr conn = vireo_libvirt_connection_ref_conn (VIREO_LIBVIRT_CONNECTION (conn_base), error);
  virStoragePoolPtr pool;
  gboolean ok = TRUE;

  if (conn == NULL)
    return FALSE;
  pool = virStoragePoolLookupByName (conn, name);
  if (pool != NULL)
    {
      if (virStoragePoolIsActive (pool) == 1)
        virStoragePoolDestroy (pool);
      if (virStoragePoolUndefine (pool) < 0)
        {
          set_error (error, VIREO_ERROR_FAILED, _("Could not remove the storage pool."));
          ok = FALSE;
        }
      virStoragePoolFree (pool);
    }
  virConnectClose (conn);
  return ok;
}

static virStoragePoolPtr
lookup_pool (virConnectPtr conn,
             const char   *name,
             GError      **error)
{
  virStoragePoolPtr pool = virStoragePoolLookupByName (conn, name);

  if (pool == NULL)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                 _("The host has no storage pool named “%s”."), name);
  return pool;
}

static int
compare_volume_names (gconstpointer a,
                      gconstpointer b)
{
  const VireoVolumeInfo *x = *(VireoVolumeInfo * const *) a;
  const VireoVolumeInfo *y = *(VireoVolumeInfo * const *) b;

  return g_strcmp0 (x->name, y->name);
}

GPtrArray *
vireo_libvirt_connection_list_volumes (VireoConnection *conn_base,
                                       const char      *pool_name,
                                       GError         **error)
{
  virConnectPtr conn = vireo_libvirt_connection_ref_conn (VIREO_LIBVIRT_CONNECTION (conn_base), error);
  virStoragePoolPtr pool;
  virStorageVolPtr *vols = NULL;
  GPtrArray *out = NULL;
  int n;

  if (conn == NULL)
    return NULL;
  if ((pool = lookup_pool (conn, pool_name, error)) == NULL)
    goto done;
  /* Files copied into the pool's directory by other means show too. */
  virStoragePoolRefresh (pool, 0);
  virResetLastError ();
  n = virStoragePoolListAllVolumes (pool, &vols, 0);
  if (n < 0)
    {
      set_error (error, VIREO_ERROR_FAILED, _("Could not list the volumes of the pool."));
      goto done;
    }
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_volume_info_free);
  for (int i = 0; i < n; i++)
    {
      VireoVolumeInfo *v = g_new0 (VireoVolumeInfo, 1);
      virStorageVolInfo info;
      char *path = virStorageVolGetPath (vols[i]);

      v->name = g_strdup (virStorageVolGetName (vols[i]));
      v->path = g_strdup (path);
      if (virStorageVolGetInfo (vols[i], &info) == 0)
        v->capacity = info.capacity;
      free (path);
      virStorageVolFree (vols[i]);
      if (v->path == NULL)
        vireo_volume_info_free (v);
      else
        g_ptr_array_add (out, v);
    }
  free (vols);
  g_ptr_array_sort (out, compare_volume_names);

done:
  if (pool != NULL)
    virStoragePoolFree (pool);
  virResetLastError ();
  virConnectClose (conn);
  return out;
}

char *
vireo_libvirt_connection_create_volume (VireoConnection *conn_base,
                                        const char      *pool_name,
                                        const char      *volume_xml,
                                        GError         **error)
{
  virConnectPtr conn = vireo_libvirt_connection_ref_conn (VIREO_LIBVIRT_CONNECTION (conn_base), error);
  virStoragePoolPtr pool;
  virStorageVolPtr vol;
  char *path = NULL;

  if (conn == NULL)
    return NULL;
  if ((pool = lookup_pool (conn, pool_name, error)) == NULL)
    {
      virConnectClose (conn);
      return NULL;
    }
  vol = virStorageVolCreateXML (pool, volume_xml, 0);
  if (vol == NULL)
    set_error (error, last_error_is (VIR_ERR_STORAGE_VOL_EXIST) ? VIREO_ERROR_NOT_ALLOWED
                                                                  : VIREO_ERROR_FAILED,
               _("Could not create the disk volume."));
  else
    {
      char *p = virStorageVolGetPath (vol);
      path = g_strdup (p ? p : virStorageVolGetName (vol));
      free (p);
      virStorageVolFree (vol);
    }
  virStoragePoolFree (pool);
  virConnectClose (conn);
  return path;
}

gboolean
vireo_libvirt_connection_delete_volume (VireoConnection *conn_base,
                                        const char      *pool_name,
                                        const char      *volume,
                                        GError         **error)
{
  virConnectPtr conn = vireo_libvirt_connection_ref_conn (VIREO_LIBVIRT_CONNECTION (conn_base), error);
  virStoragePoolPtr pool;
  virStorageVolPtr vol;
  gboolean ok = TRUE;

  if (conn == NULL)
    return FALSE;
  pool = virStoragePoolLookupByName (conn, pool_name);
  vol = pool ? virStorageVolLookupByName (pool, volume) : NULL;
  if (vol != NULL)
    {
      if (virStorageVolDelete (vol, 0) < 0)
        {
          set_error (error, VIREO_ERROR_FAILED, _("Could not delete the volume."));
          ok = FALSE;
        }
      virStorageVolFree (vol);
    }
  virResetLastError ();
  if (pool != NULL)
    virStoragePoolFree (pool);
  virConnectClose (conn);
  return ok;
}

char *
vireo_libvirt_connection_upload_volume (VireoConnection      *conn_base,
                                        const char           *pool_name,
                                        const char           *volume,
                                        const char           *local_path,
                                        VireoTransferProgress progress,
                                        gpointer              progress_data,
                                        GCancellable         *cancellable,
                                        GError              **error)
{
  virConnectPtr conn = vireo_libvirt_connection_ref_conn (VIREO_LIBVIRT_CONNECTION (conn_base), error);
  virStoragePoolPtr pool = NULL;
  virStorageVolPtr vol = NULL;
  virStreamPtr stream = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *buffer = NULL;
  char *path = NULL;
  GStatBuf st;
  guint64 done = 0;
  gboolean ok = FALSE;
  int fd = -1;

  if (conn == NULL)
    return NULL;

  fd = g_open (local_path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0 || fstat (fd, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Could not read “%s”: %s"), local_path, g_strerror (saved));
      goto out;
    }
  if ((pool = lookup_pool (conn, pool_name, error)) == NULL)
    goto out;

  /* Never over a volume that is there already (it is not ours to replace). */
  if ((vol = virStorageVolLookupByName (pool, volume)) != NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("The pool “%s” already has a volume named “%s”. Use that volume on the host, "
                     "or rename the file."), pool_name, volume);
      virStorageVolFree (vol);
      vol = NULL;
      goto out;
    }
  escaped = escape_xml (volume);
  xml = g_strdup_printf ("<volume><name>%s</name><capacity unit='bytes'>%" G_GUINT64_FORMAT
                         "</capacity><target><format type='raw'/></target></volume>",
                         escaped, (guint64) st.st_size);
  vol = virStorageVolCreateXML (pool, xml, 0);
  if (vol == NULL)
    {
      set_error (error, VIREO_ERROR_FAILED, _("Could not create a volume for the file to upload."));
      goto out;
    }
  stream = virStreamNew (conn, 0);
  if (stream == NULL || virStorageVolUpload (vol, stream, 0, st.st_size, 0) < 0)
    {
      set_error (error, VIREO_ERROR_FAILED, _("Could not upload the file to the host."));
      goto out;
    }

  buffer = g_malloc (UPLOAD_CHUNK);
  while (done < (guint64) st.st_size)
    {
      ssize_t n = read (fd, buffer, UPLOAD_CHUNK);
      ssize_t sent = 0;

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                       _("Could not read “%s”: %s"), local_path,
                       n < 0 ? g_strerror (errno) : _("the file is shorter than expected"));
          goto out;
        }
      while (sent < n)
        {
          int w = virStreamSend (stream, buffer + sent, n - sent);
          if (w < 0)
            {
              set_error (error, VIREO_ERROR_FAILED, _("The upload to the host failed."));
              goto out;
            }
          sent += w;
        }
      done += n;
      if (progress != NULL)
        progress (done, st.st_size, progress_data);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
    }
  if (virStreamFinish (stream) < 0)
    {
      set_error (error, VIREO_ERROR_FAILED, _("The upload to the host failed."));
      goto out;
    }
  {
    char *p = virStorageVolGetPath (vol);
    path = g_strdup (p);
    free (p);
  }
  ok = path != NULL;
  if (!ok)
    set_error (error, VIREO_ERROR_FAILED, _("The host did not say where the uploaded file is."));

out:
  if (stream != NULL)
    {
      if (!ok)
        virStreamAbort (stream);
      virStreamFree (stream);
    }
  if (vol != NULL)
    {
      if (!ok)
        virStorageVolDelete (vol, 0);
      virStorageVolFree (vol);
    }
  if (pool != NULL)
    virStoragePoolFree (pool);
  if (fd >= 0)
    close (fd);
  virResetLastError ();
  virConnectClose (conn);
  if (!ok)
    g_clear_pointer (&path, g_free);
  return path;
}

char *
vireo_libvirt_connection_create_domain (VireoConnection *conn_base,
                                        const char      *xml,
                                        GError         **error)
{
  virConnectPtr conn = vireo_libvirt_connection_ref_conn (VIREO_LIBVIRT_CONNECTION (conn_base), error);
  virDomainPtr dom;
  char uuid[VIR_UUID_STRING_BUFLEN];

  if (conn == NULL)
    return NULL;
  dom = virDomainCreateXML (conn, xml, 0);
  if (dom == NULL)
    {
      set_error (error, VIREO_ERROR_FAILED, _("Could not start the VM."));
      virConnectClose (conn);
      return NULL;
    }
  virDomainGetUUIDString (dom, uuid);
  virDomainFree (dom);
  virConnectClose (conn);
  return g_strdup (uuid);
}

gboolean
vireo_libvirt_connection_undefine_domain (VireoConnection *conn_base,
                                          const char      *uuid,
                                          GError         **error)
{
  virConnectPtr conn = vireo_libvirt_connection_ref_conn (VIREO_LIBVIRT_CONNECTION (conn_base), error);
  virDomainPtr dom;
  gboolean ok = TRUE;

  if (conn == NULL)
    return FALSE;
  dom = virDomainLookupByUUIDString (conn, uuid);
  if (dom == NULL)
    {
      virResetLastError ();
      virConnectClose (conn);
      return TRUE;
    }
  if (virDomainIsActive (dom) == 1 && virDomainDestroy (dom) < 0)
    {
      set_error (error, VIREO_ERROR_FAILED, _("Could not stop the VM."));
      ok = FALSE;
    }
  else if (virDomainIsPersistent (dom) == 1 &&
           virDomainUndefineFlags (dom, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                                        VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
                                        VIR_DOMAIN_UNDEFINE_NVRAM) < 0 &&
           virDomainUndefine (dom) < 0)
    {
      set_error (error, VIREO_ERROR_FAILED, _("Could not remove the VM’s definition."));
      ok = FALSE;
    }
  virDomainFree (dom);
  virConnectClose (conn);
  return ok;
}
