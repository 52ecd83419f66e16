/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The copy runs in two steps: on the source's call worker, read the
 * definition and copy the disks into the target's image folder (its
 * "default" pool for libvirt, or next to the originals when it has none);
 * then define the rewritten XML on the target. A failure removes the copies. */
#include "vireo-config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <string.h>

#include "vireo-connection-internal.h"
#include "vireo-domain-copy.h"
#include "vireo-uri.h"
#include "builtin/vireo-builtin-connection.h"

typedef struct {
  VireoConnection *from;
  VireoConnection *to;
  char            *uuid;
  char            *name;
  char            *xml;      /* the rewritten definition */
  GPtrArray       *copies;   /* disk images made so far */
} CopyJob;

static void
copy_job_free (gpointer data)
{
  CopyJob *job = data;

  g_object_unref (job->from);
  g_object_unref (job->to);
  g_free (job->uuid);
  g_free (job->name);
  g_free (job->xml);
  g_ptr_array_unref (job->copies);
  g_free (job);
}

static void
remove_copies (CopyJob *job)
{
  for (guint i = 0; i < job->copies->len; i++)
    g_unlink (g_ptr_array_index (job->copies, i));
  g_ptr_array_set_size (job->copies, 0);
}

/* A name in `dir` for a copy of `source` that is not taken. */
static char *
copy_path (const char *dir,
           const char *source,
           const char *uuid)
{
  g_autofree char *base = g_path_get_basename (source);
  char *path = g_build_filename (dir, base, NULL);
  const char *dot;
  g_autofree char *stem = NULL;
  g_autofree char *other = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return path;
  g_free (path);
  dot = strrchr (base, '.');
  stem = dot ? g_strndup (base, dot - base) : g_strdup (base);
  other = g_strdup_printf ("%s-%.8s%s", stem, uuid, dot ? dot : "");
  path = g_build_filename (dir, other, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return path;
  g_free (path);
  return NULL;
}

static gboolean
convert (const char *source,
         const char *format,
         const char *dest,
         GError    **error)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *err_text = NULL;
  g_autoptr(GError) local_error = NULL;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                           &local_error, "qemu-img", "convert", "-O", format, source, dest, NULL);
  if (proc == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                   _("Could not run qemu-img (install the qemu-utils package): %s"),
                   local_error->message);
      return FALSE;
    }
  if (!g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err_text, error))
    return FALSE;
  if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED, _("Could not copy %s: %s"),
                   source, err_text ? g_strstrip (err_text) : "");
      return FALSE;
    }
  return TRUE;
}

static xmlXPathObjectPtr
eval (xmlXPathContextPtr ctx,
      xmlNodePtr         node,
      const char        *expr)
{
  ctx->node = node;
  return xmlXPathEvalExpression ((const xmlChar *) expr, ctx);
}

/* Copies the disks and rewrites `xml` to name the copies. */
static gboolean
copy_disks_and_rewrite (CopyJob    *job,
                        const char *xml,
                        const char *dir,
                        gboolean    to_builtin,
                        GError    **error)
{
  xmlDocPtr doc = xmlReadMemory (xml, strlen (xml), "domain.xml", NULL,
                                 XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  xmlXPathContextPtr ctx = NULL;
  xmlXPathObjectPtr disks = NULL;
  gboolean ok = FALSE;

  if (doc == NULL || xmlDocGetRootElement (doc) == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED, _("The VM's definition is not valid XML."));
      goto out;
    }
  ctx = xmlXPathNewContext (doc);
  disks = eval (ctx, xmlDocGetRootElement (doc),
                "/domain/devices/disk[(@device='disk' or not(@device)) and source/@file]");
  for (int i = 0; disks && disks->nodesetval && i < disks->nodesetval->nodeNr; i++)
    {
      xmlNodePtr disk = disks->nodesetval->nodeTab[i];
      xmlXPathObjectPtr src = eval (ctx, disk, "source");
      xmlXPathObjectPtr drv = eval (ctx, disk, "driver");
      xmlNodePtr source = src->nodesetval->nodeTab[0];
      xmlNodePtr driver = drv->nodesetval && drv->nodesetval->nodeNr ? drv->nodesetval->nodeTab[0] : NULL;
      xmlChar *file = xmlGetProp (source, (const xmlChar *) "file");
      xmlChar *type = driver ? xmlGetProp (driver, (const xmlChar *) "type") : NULL;
      const char *format = type && g_str_equal ((char *) type, "raw") ? "raw" : "qcow2";
      g_autofree char *parent = g_path_get_dirname ((char *) file);
      g_autofree char *dest = copy_path (dir ? dir : parent, (char *) file, job->uuid);
      gboolean copied = FALSE;

      if (dest == NULL)
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                     _("Could not find a free name for a copy of %s in %s."),
                     (char *) file, dir ? dir : parent);
      else if (convert ((char *) file, format, dest, error))
        {
          g_ptr_array_add (job->copies, g_strdup (dest));
          xmlSetProp (source, (const xmlChar *) "file", (const xmlChar *) dest);
          if (driver == NULL)
            {
              driver = xmlNewChild (disk, NULL, (const xmlChar *) "driver", NULL);
              xmlSetProp (driver, (const xmlChar *) "name", (const xmlChar *) "qemu");
            }
          xmlSetProp (driver, (const xmlChar *) "type", (const xmlChar *) format);
          copied = TRUE;
        }
      xmlFree (file);
      xmlFree (type);
      xmlXPathFreeObject (src);
      xmlXPathFreeObject (drv);
      if (!copied)
        goto out;
    }

  /* The builtin backend has no libvirt networks: a guest on one gets
   * QEMU's user-mode network instead. */
  if (to_builtin)
    {
      xmlXPathObjectPtr nets = eval (ctx, xmlDocGetRootElement (doc),
                                     "/domain/devices/interface[@type='network']");
      for (int i = 0; nets && nets->nodesetval && i < nets->nodesetval->nodeNr; i++)
        {
          xmlNodePtr nic = nets->nodesetval->nodeTab[i];
          xmlXPathObjectPtr src = eval (ctx, nic, "source");

          for (int j = 0; src && src->nodesetval && j < src->nodesetval->nodeNr; j++)
            {
              xmlUnlinkNode (src->nodesetval->nodeTab[j]);
              xmlFreeNode (src->nodesetval->nodeTab[j]);
            }
          xmlXPathFreeObject (src);
          xmlSetProp (nic, (const xmlChar *) "type", (const xmlChar *) "user");
        }
      xmlXPathFreeObject (nets);
    }

  {
    xmlChar *text = NULL;
    int len = 0;

    xmlDocDumpMemory (doc, &text, &len);
    job->xml = g_strndup ((char *) text, len);
    xmlFree (text);
  }
  ok = TRUE;

out:
  xmlXPathFreeObject (disks);
  if (ctx != NULL)
    xmlXPathFreeContext (ctx);
  if (doc != NULL)
    xmlFreeDoc (doc);
  return ok;
}

static void
copy_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CopyJob *job = task_data;
  VireoConnectionClass *from = VIREO_CONNECTION_GET_CLASS (job->from);
  VireoConnectionClass *to = VIREO_CONNECTION_GET_CLASS (job->to);
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *from_dir = NULL;
  g_autofree char *dir = NULL;

  if (from->get_domain_xml == NULL || to->image_dir == NULL || from->image_dir == NULL)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                               _("VMs cannot be copied between these hosts."));
      return;
    }
  /* Both hosts must be this computer: the disks are copied as files. A
   * source without a default pool is fine; a remote one is not. */
  from_dir = from->image_dir (job->from, &error);
  if (from_dir == NULL && !g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_error (&error);
  dir = to->image_dir (job->to, &error);
  if (dir == NULL && !g_error_matches (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_error (&error);
  if (dir != NULL && g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_FAILED,
                               _("Could not create %s: %s"), dir, g_strerror (saved));
      return;
    }

  xml = from->get_domain_xml (job->from, job->uuid, &error);
  if (xml == NULL ||
      !copy_disks_and_rewrite (job, xml, dir, VIREO_IS_BUILTIN_CONNECTION (job->to), &error))
    {
      remove_copies (job);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
defined (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  CopyJob *job = g_task_get_task_data (outer);
  GError *error = NULL;
  VireoDomain *domain = vireo_connection_define_domain_finish (VIREO_CONNECTION (source), result, &error);

  if (domain == NULL)
    {
      remove_copies (job);
      g_task_return_error (outer, error);
      return;
    }
  g_task_return_pointer (outer, domain, g_object_unref);
}

static void
copied (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  CopyJob *job = g_task_get_task_data (outer);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (outer, error);
      return;
    }
  vireo_connection_define_domain_async (job->to, job->xml, NULL, defined, g_steal_pointer (&outer));
}

static gboolean
local_qemu_host (VireoConnection *conn)
{
  VireoConnectionClass *klass = VIREO_CONNECTION_GET_CLASS (conn);
  g_auto(VireoUriInfo) info = { 0 };

  if (klass->get_domain_xml == NULL || klass->image_dir == NULL ||
      !vireo_uri_parse (vireo_connection_get_uri (conn), &info, NULL))
    return FALSE;
  return info.transport == VIREO_TRANSPORT_LOCAL && info.host == NULL &&
         (info.hypervisor == VIREO_HYPERVISOR_QEMU || info.hypervisor == VIREO_HYPERVISOR_BUILTIN);
}

gboolean
vireo_domain_copy_supported (VireoConnection *from,
                             VireoConnection *to)
{
  g_return_val_if_fail (VIREO_IS_CONNECTION (from), FALSE);
  g_return_val_if_fail (VIREO_IS_CONNECTION (to), FALSE);

  return from != to && !vireo_uri_equal (vireo_connection_get_uri (from), vireo_connection_get_uri (to)) &&
         local_qemu_host (from) && local_qemu_host (to);
}

void
vireo_domain_copy_to_async (VireoDomain         *domain,
                            VireoConnection     *to,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) task = NULL;
  VireoConnection *from;
  VireoDomain *clash;
  CopyJob *job;

  g_return_if_fail (VIREO_IS_DOMAIN (domain));
  g_return_if_fail (VIREO_IS_CONNECTION (to));

  outer = g_task_new (domain, cancellable, callback, user_data);
  g_task_set_source_tag (outer, vireo_domain_copy_to_async);
  from = vireo_domain_get_connection (domain);
  if (from == NULL || vireo_connection_get_state (from) != VIREO_CONNECTION_STATE_CONNECTED ||
      vireo_connection_get_state (to) != VIREO_CONNECTION_STATE_CONNECTED)
    {
      g_task_return_new_error (outer, VIREO_ERROR, VIREO_ERROR_NOT_CONNECTED,
                               _("Both hosts must be connected."));
      return;
    }
  if (vireo_domain_state_is_active (vireo_domain_get_state (domain)))
    {
      g_task_return_new_error (outer, VIREO_ERROR, VIREO_ERROR_NOT_ALLOWED,
                               _("“%s” is running: shut it down before copying it, so that "
                                 "its disks are consistent."), vireo_domain_get_name (domain));
      return;
    }
  if (vireo_domain_get_has_managed_save (domain))
    {
      g_task_return_new_error (outer, VIREO_ERROR, VIREO_ERROR_NOT_ALLOWED,
                               _("“%s” has a saved state, which cannot be copied: restore it "
                                 "and shut it down first."), vireo_domain_get_name (domain));
      return;
    }
  clash = vireo_connection_find_domain (to, vireo_domain_get_uuid (domain));
  if (clash == NULL)
    clash = vireo_connection_find_domain (to, vireo_domain_get_name (domain));
  if (clash != NULL)
    {
      g_task_return_new_error (outer, VIREO_ERROR, VIREO_ERROR_FAILED,
                               _("%s already has a VM “%s”."),
                               vireo_connection_get_display_name (to), vireo_domain_get_name (clash));
      return;
    }

  job = g_new0 (CopyJob, 1);
  job->from = g_object_ref (from);
  job->to = g_object_ref (to);
  job->uuid = g_strdup (vireo_domain_get_uuid (domain));
  job->name = g_strdup (vireo_domain_get_name (domain));
  job->copies = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (outer, job, copy_job_free);

  task = g_task_new (from, NULL, copied, g_steal_pointer (&outer));
  g_task_set_task_data (task, job, NULL);
  vireo_connection_run_call (from, task, copy_thread);
}

VireoDomain *
vireo_domain_copy_to_finish (VireoDomain   *domain,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, domain), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
