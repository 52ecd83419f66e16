/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>
#include <sys/stat.h>

#include "vireo-host-drives.h"

void
vireo_host_drive_free (VireoHostDrive *drive)
{
  if (drive == NULL)
    return;
  g_free (drive->path);
  g_free (drive->label);
  g_free (drive);
}

static VireoHostDrive *
drive_new (const char *path,
           const char *vendor,
           const char *model,
           gboolean    local)
{
  VireoHostDrive *drive = g_new0 (VireoHostDrive, 1);
  g_autofree char *name = NULL;

  if (vendor != NULL && *vendor != 0 && model != NULL && *model != 0)
    name = g_strdup_printf ("%s %s", vendor, model);
  else if (model != NULL && *model != 0)
    name = g_strdup (model);
  drive->path = g_strdup (path);
  drive->label = name ? g_strdup_printf ("%s (%s)", path, name) : g_strdup (path);
  drive->local = local;
  return drive;
}

static char *
read_stripped (const char *dir,
               const char *name,
               const char *file)
{
  g_autofree char *path = g_build_filename (dir, name, "device", file, NULL);
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return g_strstrip (text);
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  const VireoHostDrive *x = *(VireoHostDrive * const *) a;
  const VireoHostDrive *y = *(VireoHostDrive * const *) b;

  return g_strcmp0 (x->path, y->path);
}

GPtrArray *
vireo_host_drives_scan_local (const char *dev_dir,
                              const char *sys_dir)
{
  GPtrArray *drives = g_ptr_array_new_with_free_func ((GDestroyNotify) vireo_host_drive_free);
  g_autoptr(GDir) dir = g_dir_open (dev_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *vendor = NULL;
      g_autofree char *model = NULL;
      GStatBuf st;

      if (!g_str_has_prefix (name, "sr"))
        continue;
      path = g_build_filename (dev_dir, name, NULL);
      if (g_stat (path, &st) != 0 || !S_ISBLK (st.st_mode))
        continue;
      vendor = read_stripped (sys_dir, name, "vendor");
      model = read_stripped (sys_dir, name, "model");
      g_ptr_array_add (drives, drive_new (path, vendor, model, TRUE));
    }
  vireo_host_drives_sort (drives);
  return drives;
}

void
vireo_host_drives_sort (GPtrArray *drives)
{
  g_ptr_array_sort (drives, compare_paths);
}

static xmlNode *
child (xmlNode    *node,
       const char *name)
{
  for (xmlNode *c = node ? node->children : NULL; c != NULL; c = c->next)
    if (c->type == XML_ELEMENT_NODE && xmlStrEqual (c->name, BAD_CAST name))
      return c;
  return NULL;
}

static char *
child_text (xmlNode    *node,
            const char *name)
{
  xmlNode *c = child (node, name);
  xmlChar *text;
  char *out;

  if (c == NULL)
    return NULL;
  text = xmlNodeGetContent (c);
  out = g_strstrip (g_strdup ((const char *) text));
  xmlFree (text);
  return out;
}

VireoHostDrive *
vireo_host_drive_from_nodedev (const char *xml)
{
  xmlDoc *doc;
  xmlNode *root;
  VireoHostDrive *drive = NULL;

  if (xml == NULL)
    return NULL;
  doc = xmlReadMemory (xml, strlen (xml), "nodedev.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == NULL)
    return NULL;
  root = xmlDocGetRootElement (doc);
  if (root != NULL && xmlStrEqual (root->name, BAD_CAST "device"))
    for (xmlNode *c = root->children; c != NULL && drive == NULL; c = c->next)
      {
        g_autofree char *type = NULL;
        g_autofree char *drive_type = NULL;
        g_autofree char *block = NULL;
        g_autofree char *vendor = NULL;
        g_autofree char *model = NULL;
        xmlChar *t;

        if (c->type != XML_ELEMENT_NODE || !xmlStrEqual (c->name, BAD_CAST "capability"))
          continue;
        t = xmlGetProp (c, BAD_CAST "type");
        type = g_strdup ((const char *) t);
        xmlFree (t);
        if (g_strcmp0 (type, "storage") != 0)
          continue;
        drive_type = child_text (c, "drive_type");
        block = child_text (c, "block");
        if (g_strcmp0 (drive_type, "cdrom") != 0 || block == NULL || !g_path_is_absolute (block))
          continue;
        vendor = child_text (c, "vendor");
        model = child_text (c, "model");
        drive = drive_new (block, vendor, model, FALSE);
      }
  xmlFreeDoc (doc);
  return drive;
}

void
vireo_volume_info_free (VireoVolumeInfo *volume)
{
  if (volume == NULL)
    return;
  g_free (volume->name);
  g_free (volume->path);
  g_free (volume);
}

VireoHostDrive *
vireo_host_drives_find (GPtrArray  *drives,
                        const char *path)
{
  for (guint i = 0; drives != NULL && i < drives->len; i++)
    {
      VireoHostDrive *drive = g_ptr_array_index (drives, i);

      if (g_strcmp0 (drive->path, path) == 0)
        return drive;
    }
  return NULL;
}
