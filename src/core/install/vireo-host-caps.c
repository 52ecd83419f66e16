/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gi18n-lib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "vireo-types.h"
#include "vireo-host-caps.h"

typedef struct {
  char *os_type;
  char *arch;
  char *virt_type;
} Offer;

struct _VireoHostCaps
{
  GObject parent_instance;
  char   *host_arch;
  GArray *offers;   /* Offer, one per (os_type, arch, domain type) */
};

G_DEFINE_FINAL_TYPE (VireoHostCaps, vireo_host_caps, G_TYPE_OBJECT)

static void
offer_clear (gpointer data)
{
  Offer *offer = data;

  g_free (offer->os_type);
  g_free (offer->arch);
  g_free (offer->virt_type);
}

static void
vireo_host_caps_finalize (GObject *object)
{
  VireoHostCaps *self = VIREO_HOST_CAPS (object);

  g_free (self->host_arch);
  g_array_unref (self->offers);
  G_OBJECT_CLASS (vireo_host_caps_parent_class)->finalize (object);
}

static void
vireo_host_caps_class_init (VireoHostCapsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vireo_host_caps_finalize;
}

static void
vireo_host_caps_init (VireoHostCaps *self)
{
  self->offers = g_array_new (FALSE, TRUE, sizeof (Offer));
  g_array_set_clear_func (self->offers, offer_clear);
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
node_text (xmlNode *node)
{
  xmlChar *content;
  char *out;

  if (node == NULL)
    return NULL;
  content = xmlNodeGetContent (node);
  out = g_strstrip (g_strdup ((const char *) content));
  xmlFree (content);
  return out;
}

static char *
node_prop (xmlNode    *node,
           const char *name)
{
  xmlChar *value = xmlGetProp (node, BAD_CAST name);
  char *out = value ? g_strdup ((const char *) value) : NULL;

  xmlFree (value);
  return out;
}

VireoHostCaps *
vireo_host_caps_new (const char *capabilities_xml,
                     GError    **error)
{
  g_autoptr(VireoHostCaps) self = NULL;
  xmlDoc *doc;
  xmlNode *root;

  g_return_val_if_fail (capabilities_xml != NULL, NULL);

  doc = xmlReadMemory (capabilities_xml, strlen (capabilities_xml), "capabilities.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  root = doc ? xmlDocGetRootElement (doc) : NULL;
  if (root == NULL || !xmlStrEqual (root->name, BAD_CAST "capabilities"))
    {
      g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                           _("The host’s capabilities could not be read (not a <capabilities> "
                             "document). Reconnect to the host and try again."));
      if (doc)
        xmlFreeDoc (doc);
      return NULL;
    }

  self = g_object_new (VIREO_TYPE_HOST_CAPS, NULL);
  self->host_arch = node_text (child (child (child (root, "host"), "cpu"), "arch"));

  for (xmlNode *guest = root->children; guest != NULL; guest = guest->next)
    {
      g_autofree char *os_type = NULL;

      if (guest->type != XML_ELEMENT_NODE || !xmlStrEqual (guest->name, BAD_CAST "guest"))
        continue;
      os_type = node_text (child (guest, "os_type"));
      if (os_type == NULL)
        continue;

      for (xmlNode *arch = guest->children; arch != NULL; arch = arch->next)
        {
          g_autofree char *arch_name = NULL;

          if (arch->type != XML_ELEMENT_NODE || !xmlStrEqual (arch->name, BAD_CAST "arch"))
            continue;
          arch_name = node_prop (arch, "name");
          if (arch_name == NULL)
            continue;

          for (xmlNode *dom = arch->children; dom != NULL; dom = dom->next)
            {
              Offer offer;

              if (dom->type != XML_ELEMENT_NODE || !xmlStrEqual (dom->name, BAD_CAST "domain"))
                continue;
              offer.virt_type = node_prop (dom, "type");
              if (offer.virt_type == NULL)
                continue;
              offer.os_type = g_strdup (os_type);
              offer.arch = g_strdup (arch_name);
              g_array_append_val (self->offers, offer);
            }
        }
    }
  xmlFreeDoc (doc);

  if (self->offers->len == 0)
    {
      g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                           _("This host offers no kind of virtual machine (its capabilities list "
                             "no guests). Check that a hypervisor (KVM, QEMU or Xen) is installed "
                             "on it."));
      return NULL;
    }
  return g_steal_pointer (&self);
}

const char *
vireo_host_caps_get_host_arch (VireoHostCaps *self)
{
  g_return_val_if_fail (VIREO_IS_HOST_CAPS (self), NULL);
  return self->host_arch;
}

enum { FIELD_OS_TYPE, FIELD_ARCH, FIELD_VIRT_TYPE };

static GStrv
collect (VireoHostCaps *self,
         int            field,
         const char    *os_type,
         const char    *arch,
         const char    *virt_type)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) seen = g_ptr_array_new ();

  for (guint i = 0; i < self->offers->len; i++)
    {
      Offer *o = &g_array_index (self->offers, Offer, i);
      const char *value;

      if ((os_type && g_strcmp0 (o->os_type, os_type) != 0) ||
          (arch && g_strcmp0 (o->arch, arch) != 0) ||
          (virt_type && g_strcmp0 (o->virt_type, virt_type) != 0))
        continue;
      value = field == FIELD_OS_TYPE ? o->os_type : field == FIELD_ARCH ? o->arch : o->virt_type;
      if (g_ptr_array_find_with_equal_func (seen, value, g_str_equal, NULL))
        continue;
      g_ptr_array_add (seen, (gpointer) value);
      g_strv_builder_add (builder, value);
    }
  return g_strv_builder_end (builder);
}

GStrv
vireo_host_caps_dup_os_types (VireoHostCaps *self,
                              const char    *arch)
{
  g_return_val_if_fail (VIREO_IS_HOST_CAPS (self), NULL);
  return collect (self, FIELD_OS_TYPE, NULL, arch, NULL);
}

GStrv
vireo_host_caps_dup_arches (VireoHostCaps *self,
                            const char    *os_type)
{
  g_return_val_if_fail (VIREO_IS_HOST_CAPS (self), NULL);
  return collect (self, FIELD_ARCH, os_type, NULL, NULL);
}

GStrv
vireo_host_caps_dup_virt_types (VireoHostCaps *self,
                                const char    *os_type,
                                const char    *arch)
{
  g_return_val_if_fail (VIREO_IS_HOST_CAPS (self), NULL);
  return collect (self, FIELD_VIRT_TYPE, os_type, arch, NULL);
}

gboolean
vireo_host_caps_supports (VireoHostCaps *self,
                          const char    *os_type,
                          const char    *arch,
                          const char    *virt_type)
{
  g_auto(GStrv) found = NULL;

  g_return_val_if_fail (VIREO_IS_HOST_CAPS (self), FALSE);
  found = collect (self, FIELD_OS_TYPE, os_type, arch, virt_type);
  return found[0] != NULL;
}

gboolean
vireo_host_caps_offers_paravirt_choice (VireoHostCaps *self)
{
  g_return_val_if_fail (VIREO_IS_HOST_CAPS (self), FALSE);
  return vireo_host_caps_supports (self, "xen", NULL, NULL) &&
         vireo_host_caps_supports (self, "hvm", NULL, NULL);
}

static const char *
os_type_label (const char *os_type)
{
  if (g_strcmp0 (os_type, "xen") == 0)
    return _("paravirtualized (Xen PV)");
  if (g_strcmp0 (os_type, "hvm") == 0)
    return _("fully virtualized (HVM)");
  return os_type;
}

gboolean
vireo_host_caps_resolve (VireoHostCaps *self,
                         const char    *os_type,
                         char         **arch,
                         char         **virt_type,
                         GError       **error)
{
  g_auto(GStrv) arches = NULL;
  g_auto(GStrv) types = NULL;

  g_return_val_if_fail (VIREO_IS_HOST_CAPS (self), FALSE);
  g_return_val_if_fail (os_type != NULL && arch != NULL && virt_type != NULL, FALSE);

  arches = collect (self, FIELD_ARCH, os_type, NULL, *virt_type);
  if (arches[0] == NULL)
    {
      g_auto(GStrv) offered = collect (self, FIELD_OS_TYPE, NULL, NULL, NULL);
      g_autofree char *list = g_strjoinv (", ", offered);

      if (*virt_type != NULL && vireo_host_caps_supports (self, os_type, NULL, NULL))
        {
          g_auto(GStrv) vt = collect (self, FIELD_VIRT_TYPE, os_type, NULL, NULL);
          g_autofree char *vlist = g_strjoinv (", ", vt);

          g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                       _("This host cannot run %s guests with “%s”; it offers: %s. "
                         "Choose one of those."), os_type_label (os_type), *virt_type, vlist);
        }
      else
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                     _("This host cannot run %s guests; it offers guest types: %s. "
                       "Choose one of those."), os_type_label (os_type), list);
      return FALSE;
    }

  if (*arch == NULL)
    *arch = g_strdup (self->host_arch && g_strv_contains ((const char * const *) arches, self->host_arch)
                        ? self->host_arch : arches[0]);
  else if (!g_strv_contains ((const char * const *) arches, *arch))
    {
      g_autofree char *list = g_strjoinv (", ", arches);

      g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                   _("This host cannot run %s %s guests; it offers these architectures: %s."),
                   *arch, os_type_label (os_type), list);
      return FALSE;
    }

  types = collect (self, FIELD_VIRT_TYPE, os_type, *arch, NULL);
  if (*virt_type == NULL)
    *virt_type = g_strdup (g_strv_contains ((const char * const *) types, "kvm") ? "kvm" : types[0]);
  else if (!g_strv_contains ((const char * const *) types, *virt_type))
    {
      g_autofree char *list = g_strjoinv (", ", types);

      g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                   _("This host cannot run %s %s guests with “%s”; it offers: %s."),
                   *arch, os_type_label (os_type), *virt_type, list);
      return FALSE;
    }
  return TRUE;
}
