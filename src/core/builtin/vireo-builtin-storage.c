/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The builtin backend's part in creating VMs: capabilities synthesized from
 * the QEMU binaries installed and /dev/kvm, and one storage pool, "default",
 * which is the folder $XDG_DATA_HOME/vireo/images of qcow2 files made with
 * qemu-img. Every function here runs on a worker thread. */
#include "vireo-config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "vireo-builtin-connection.h"
#include "vireo-qemu-argv.h"

#define POOL_NAME "default"

/* libvirt's architecture names whose qemu-system-ARCH the backend runs. */
static const char *const known_arches[] = {
  "x86_64", "aarch64", "riscv64", "ppc64", "s390x", NULL
};

gboolean
vireo_builtin_kvm_usable (void)
{
  int fd = open ("/dev/kvm", O_RDWR | O_CLOEXEC);

  if (fd < 0)
    return FALSE;
  close (fd);
  return TRUE;
}

static const char *
host_arch (void)
{
  static char machine[65];
  struct utsname u;

  if (machine[0] == '\0' && uname (&u) == 0)
    g_strlcpy (machine, u.machine, sizeof machine);
  return machine;
}

char *
vireo_builtin_capabilities_xml (void)
{
  GString *xml = g_string_new ("<capabilities>\n  <host>\n    <cpu>\n");
  const char *host = host_arch ();
  gboolean kvm = vireo_builtin_kvm_usable ();

  g_string_append_printf (xml, "      <arch>%s</arch>\n    </cpu>\n  </host>\n", host);
  for (guint i = 0; known_arches[i]; i++)
    {
      g_autofree char *name = g_strconcat ("qemu-system-", known_arches[i], NULL);
      g_autofree char *binary = g_find_program_in_path (name);
      g_autofree char *escaped = NULL;

      if (binary == NULL)
        continue;
      escaped = g_markup_escape_text (binary, -1);
      g_string_append_printf (xml,
                              "  <guest>\n    <os_type>hvm</os_type>\n"
                              "    <arch name='%s'>\n      <emulator>%s</emulator>\n"
                              "      <domain type='qemu'/>\n",
                              known_arches[i], escaped);
      /* KVM runs guests of the host's own architecture only. */
      if (kvm && g_str_equal (known_arches[i], host))
        g_string_append (xml, "      <domain type='kvm'/>\n");
      g_string_append (xml, "    </arch>\n  </guest>\n");
    }
  g_string_append (xml, "</capabilities>\n");
  return g_string_free (xml, FALSE);
}

static gboolean
check_pool (const char *name,
            GError    **error)
{
  if (g_strcmp0 (name, POOL_NAME) == 0)
    return TRUE;
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
               _("The builtin backend has one storage pool, “default”, not “%s”."),
               name ? name : "");
  return FALSE;
}

static gboolean
check_volume_name (const char *volume,
                   GError    **error)
{
  if (volume == NULL || *volume == '\0' || strchr (volume, '/') != NULL ||
      g_str_equal (volume, ".") || g_str_equal (volume, ".."))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("“%s” cannot name a disk image: use a name without “/”."),
                   volume ? volume : "");
      return FALSE;
    }
  return TRUE;
}

static char *
volume_path (const char *volume)
{
  g_autofree char *dir = vireo_builtin_images_dir ();
  return g_build_filename (dir, volume, NULL);
}

VireoPoolDetails *
vireo_builtin_get_pool (const char *name,
                        gboolean    create,
                        GError    **error)
{
  g_autoptr(VireoPoolDetails) details = NULL;
  g_autofree char *dir = vireo_builtin_images_dir ();
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInfo) info = NULL;

  if (!check_pool (name, error))
    return NULL;
  if (create && g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Could not create %s: %s"), dir, g_strerror (saved));
      return NULL;
    }

  details = g_new0 (VireoPoolDetails, 1);
  details->name = g_strdup (POOL_NAME);
  details->path = g_strdup (dir);

  /* Free space of the file system the folder is (or will be) on. */
  file = g_file_new_for_path (dir);
  while (file != NULL && !g_file_query_exists (file, NULL))
    {
      GFile *parent = g_file_get_parent (file);
      g_object_unref (file);
      file = parent;
    }
  if (file != NULL)
    info = g_file_query_filesystem_info (file, G_FILE_ATTRIBUTE_FILESYSTEM_FREE ","
                                         G_FILE_ATTRIBUTE_FILESYSTEM_SIZE, NULL, NULL);
  if (info != NULL)
    {
      details->available = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
      details->capacity = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_SIZE);
    }
  return g_steal_pointer (&details);
}

static char *
xpath_string (xmlXPathContext *ctx,
              const char      *expr)
{
  xmlXPathObject *obj = xmlXPathEvalExpression (BAD_CAST expr, ctx);
  char *out = NULL;

  if (obj != NULL && obj->nodesetval != NULL && obj->nodesetval->nodeNr > 0)
    {
      xmlChar *text = xmlNodeGetContent (obj->nodesetval->nodeTab[0]);
      out = g_strstrip (g_strdup ((const char *) text));
      xmlFree (text);
    }
  xmlXPathFreeObject (obj);
  return out;
}

char *
vireo_builtin_create_volume (const char *pool,
                             const char *volume_xml,
                             GError    **error)
{
  g_autofree char *name = NULL, *capacity = NULL, *unit = NULL, *format = NULL;
  g_autofree char *path = NULL, *size = NULL, *err_text = NULL, *qemu_img = NULL;
  g_autofree char *dir = vireo_builtin_images_dir ();
  g_autoptr(GError) local_error = NULL;
  xmlDoc *doc;
  xmlXPathContext *ctx;
  guint64 kib = 0;
  int status = 0;

  if (!check_pool (pool, error))
    return NULL;
  doc = xmlReadMemory (volume_xml, strlen (volume_xml), "volume.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED, _("The volume description is not XML."));
      return NULL;
    }
  ctx = xmlXPathNewContext (doc);
  name = xpath_string (ctx, "/volume/name");
  capacity = xpath_string (ctx, "/volume/capacity");
  unit = xpath_string (ctx, "/volume/capacity/@unit");
  format = xpath_string (ctx, "/volume/target/format/@type");
  xmlXPathFreeContext (ctx);
  xmlFreeDoc (doc);

  if (!check_volume_name (name, error))
    return NULL;
  if (!vireo_qemu_parse_size_kib (capacity, unit ? unit : "bytes", &kib) || kib == 0)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("The disk “%s” needs a size."), name);
      return NULL;
    }
  if (format != NULL && !g_str_equal (format, "qcow2") && !g_str_equal (format, "raw"))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                   _("The builtin backend makes qcow2 and raw disks, not %s."), format);
      return NULL;
    }
  qemu_img = g_find_program_in_path ("qemu-img");
  if (qemu_img == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                   _("qemu-img is not installed: install the qemu-utils package."));
      return NULL;
    }
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Could not create %s: %s"), dir, g_strerror (saved));
      return NULL;
    }
  path = volume_path (name);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_ALLOWED,
                   _("A disk image named “%s” already exists in %s: choose another name, "
                     "or delete the old image first."), name, dir);
      return NULL;
    }

  size = g_strdup_printf ("%" G_GUINT64_FORMAT "K", kib);
  {
    const char *argv[] = { qemu_img, "create", "-q", "-f", format ? format : "qcow2",
                           path, size, NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                       NULL, &err_text, &status, &local_error) ||
        !g_spawn_check_wait_status (status, NULL))
      {
        g_unlink (path);
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                     _("qemu-img could not create the disk “%s”: %s"), name,
                     local_error ? local_error->message : g_strstrip (err_text));
        return NULL;
      }
  }
  return g_steal_pointer (&path);
}

gboolean
vireo_builtin_delete_volume (const char *pool,
                             const char *volume,
                             GError    **error)
{
  g_autofree char *path = NULL;

  if (!check_pool (pool, error) || !check_volume_name (volume, error))
    return FALSE;
  path = volume_path (volume);
  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved = errno;
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Could not delete %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  VireoTransferProgress progress;
  gpointer              data;
} CopyProgress;

static void
copy_progress (goffset  current,
               goffset  total,
               gpointer user_data)
{
  CopyProgress *cp = user_data;

  if (cp->progress != NULL)
    cp->progress (current, total, cp->data);
}

char *
vireo_builtin_upload_volume (const char           *pool,
                             const char           *volume,
                             const char           *local_path,
                             VireoTransferProgress progress,
                             gpointer              progress_data,
                             GCancellable         *cancellable,
                             GError              **error)
{
  g_autofree char *dir = vireo_builtin_images_dir ();
  g_autofree char *path = NULL;
  g_autoptr(GFile) src = NULL;
  g_autoptr(GFile) dest = NULL;
  CopyProgress cp = { progress, progress_data };

  if (!check_pool (pool, error) || !check_volume_name (volume, error))
    return NULL;
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Could not create %s: %s"), dir, g_strerror (saved));
      return NULL;
    }
  path = volume_path (volume);
  src = g_file_new_for_path (local_path);
  dest = g_file_new_for_path (path);
  if (!g_file_copy (src, dest, G_FILE_COPY_NONE, cancellable, copy_progress, &cp, error))
    {
      g_unlink (path);
      return NULL;
    }
  return g_steal_pointer (&path);
}

char *
vireo_builtin_resolve_volumes (const char *domain_xml,
                               GError    **error)
{
  xmlDoc *doc = xmlReadMemory (domain_xml, strlen (domain_xml), "domain.xml", NULL,
                               XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  xmlXPathContext *ctx;
  xmlXPathObject *obj;
  xmlChar *out = NULL;
  int len = 0;
  gboolean ok = TRUE;
  char *ret;

  if (doc == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED, _("The VM’s configuration is not XML."));
      return NULL;
    }
  ctx = xmlXPathNewContext (doc);
  obj = xmlXPathEvalExpression (BAD_CAST "/domain/devices/disk[@type='volume']", ctx);
  if (obj == NULL || obj->nodesetval == NULL || obj->nodesetval->nodeNr == 0)
    {
      /* Nothing to resolve: keep the document exactly as it was. */
      xmlXPathFreeObject (obj);
      xmlXPathFreeContext (ctx);
      xmlFreeDoc (doc);
      return g_strdup (domain_xml);
    }
  for (int i = 0; ok && obj && obj->nodesetval && i < obj->nodesetval->nodeNr; i++)
    {
      xmlNode *disk = obj->nodesetval->nodeTab[i];

      for (xmlNode *c = disk->children; c != NULL; c = c->next)
        {
          xmlChar *pool, *volume;
          g_autofree char *path = NULL;

          if (c->type != XML_ELEMENT_NODE || !xmlStrEqual (c->name, BAD_CAST "source"))
            continue;
          pool = xmlGetProp (c, BAD_CAST "pool");
          volume = xmlGetProp (c, BAD_CAST "volume");
          ok = check_pool ((const char *) pool, error) &&
               check_volume_name ((const char *) volume, error);
          if (ok)
            {
              /* The pool is a folder: the volume is a file in it. */
              path = volume_path ((const char *) volume);
              xmlUnsetProp (c, BAD_CAST "pool");
              xmlUnsetProp (c, BAD_CAST "volume");
              xmlSetProp (c, BAD_CAST "file", BAD_CAST path);
              xmlSetProp (disk, BAD_CAST "type", BAD_CAST "file");
            }
          xmlFree (pool);
          xmlFree (volume);
          break;
        }
    }
  xmlXPathFreeObject (obj);
  xmlXPathFreeContext (ctx);
  if (ok)
    xmlDocDumpFormatMemoryEnc (doc, &out, &len, "UTF-8", 0);
  xmlFreeDoc (doc);
  if (!ok)
    return NULL;
  /* Without the XML declaration, as the rest of the backend writes it. */
  ret = g_strdup (g_str_has_prefix ((const char *) out, "<?xml")
                  ? strchr ((const char *) out, '\n') + 1 : (const char *) out);
  xmlFree (out);
  return ret;
}
