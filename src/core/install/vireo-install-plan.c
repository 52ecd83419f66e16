/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gi18n-lib.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include <string.h>

#include "vireo-types.h"
#include "vireo-install-plan.h"

#define LIBOSINFO_NS "http://libosinfo.org/xmlns/libvirt/domain/1.0"
#define DEFAULT_MEMORY_MIB 1024
#define DEFAULT_DISK_GIB   20

struct _VireoInstallPlan
{
  GObject             parent_instance;
  VireoInstallSource *source;
  VireoTreeInfo      *tree;
  VireoOsGuess       *os;
  char               *name;
  guint               memory_mib;
  guint               vcpus;
  char               *virt_type;
  char               *arch;
  gboolean            paravirt;
  char               *kernel_path;
  char               *media_path;     /* the ISO as the host reads it, when uploaded */
  VireoUnattended    *unattended;
  char               *unattended_file;   /* generated at build: "preseed.cfg" */
  char               *unattended_script;
  char               *initrd_path;

  VireoDiskKind       disk_kind;
  char               *disk_pool;
  char               *disk_volume;
  char               *disk_path;
  guint               disk_gib;

  VireoNetworkKind    net_kind;
  char               *net_source;
  VireoGraphicsType   graphics;

  guint64             host_memory_mib;
  guint64             pool_free_bytes;
  char               *uuid;
  char               *mac;

  /* results of build () */
  char               *resolved_arch;
  char               *resolved_virt_type;
  char               *volume_name;
  char               *cmdline;
  char               *install_xml;
  char               *final_xml;
};

G_DEFINE_FINAL_TYPE (VireoInstallPlan, vireo_install_plan, G_TYPE_OBJECT)

static void
vireo_install_plan_finalize (GObject *object)
{
  VireoInstallPlan *self = VIREO_INSTALL_PLAN (object);

  g_clear_object (&self->source);
  g_clear_object (&self->tree);
  g_clear_object (&self->os);
  g_free (self->name);
  g_free (self->virt_type);
  g_free (self->arch);
  g_free (self->kernel_path);
  g_free (self->media_path);
  vireo_unattended_free (self->unattended);
  g_free (self->unattended_file);
  g_free (self->unattended_script);
  g_free (self->initrd_path);
  g_free (self->disk_pool);
  g_free (self->disk_volume);
  g_free (self->disk_path);
  g_free (self->net_source);
  g_free (self->uuid);
  g_free (self->mac);
  g_free (self->resolved_arch);
  g_free (self->resolved_virt_type);
  g_free (self->volume_name);
  g_free (self->cmdline);
  g_free (self->install_xml);
  g_free (self->final_xml);
  G_OBJECT_CLASS (vireo_install_plan_parent_class)->finalize (object);
}

static void
vireo_install_plan_class_init (VireoInstallPlanClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vireo_install_plan_finalize;
}

static void
vireo_install_plan_init (VireoInstallPlan *self)
{
  self->graphics = VIREO_GRAPHICS_VNC;
}

VireoInstallPlan *
vireo_install_plan_new (VireoInstallSource *source)
{
  VireoInstallPlan *self;

  g_return_val_if_fail (VIREO_IS_INSTALL_SOURCE (source), NULL);

  self = g_object_new (VIREO_TYPE_INSTALL_PLAN, NULL);
  self->source = g_object_ref (source);
  return self;
}

VireoInstallSource *
vireo_install_plan_get_source (VireoInstallPlan *self)
{
  g_return_val_if_fail (VIREO_IS_INSTALL_PLAN (self), NULL);
  return self->source;
}

static void
set_str (char      **field,
         const char *value)
{
  g_free (*field);
  *field = value != NULL && *value != '\0' ? g_strdup (value) : NULL;
}

void vireo_install_plan_set_name (VireoInstallPlan *self, const char *name) { set_str (&self->name, name); }
void vireo_install_plan_set_memory_mib (VireoInstallPlan *self, guint memory_mib) { self->memory_mib = memory_mib; }
void vireo_install_plan_set_vcpus (VireoInstallPlan *self, guint vcpus) { self->vcpus = vcpus; }
void vireo_install_plan_set_virt_type (VireoInstallPlan *self, const char *virt_type) { set_str (&self->virt_type, virt_type); }
void vireo_install_plan_set_arch (VireoInstallPlan *self, const char *arch) { set_str (&self->arch, arch); }
void vireo_install_plan_set_paravirt (VireoInstallPlan *self, gboolean paravirt) { self->paravirt = !!paravirt; }
void vireo_install_plan_set_uuid (VireoInstallPlan *self, const char *uuid) { set_str (&self->uuid, uuid); }
void vireo_install_plan_set_mac (VireoInstallPlan *self, const char *mac) { set_str (&self->mac, mac); }

void
vireo_install_plan_set_os (VireoInstallPlan *self,
                           VireoOsGuess     *os)
{
  g_return_if_fail (VIREO_IS_INSTALL_PLAN (self));
  g_set_object (&self->os, os);
}

void
vireo_install_plan_set_tree (VireoInstallPlan *self,
                             VireoTreeInfo    *tree)
{
  g_return_if_fail (VIREO_IS_INSTALL_PLAN (self));
  g_set_object (&self->tree, tree);
}

void
vireo_install_plan_set_unattended (VireoInstallPlan      *self,
                                   const VireoUnattended *unattended)
{
  g_return_if_fail (VIREO_IS_INSTALL_PLAN (self));
  vireo_unattended_free (self->unattended);
  self->unattended = vireo_unattended_copy (unattended);
}

const char *vireo_install_plan_get_unattended_file (VireoInstallPlan *self) { return self->unattended_file; }
const char *vireo_install_plan_get_unattended_script (VireoInstallPlan *self) { return self->unattended_script; }

void
vireo_install_plan_set_media_path (VireoInstallPlan *self,
                                   const char       *path)
{
  g_return_if_fail (VIREO_IS_INSTALL_PLAN (self));
  set_str (&self->media_path, path);
}

void
vireo_install_plan_set_boot_files (VireoInstallPlan *self,
                                   const char       *kernel_path,
                                   const char       *initrd_path)
{
  g_return_if_fail (VIREO_IS_INSTALL_PLAN (self));
  set_str (&self->kernel_path, kernel_path);
  set_str (&self->initrd_path, initrd_path);
}

static void
disk_reset (VireoInstallPlan *self,
            VireoDiskKind     kind)
{
  self->disk_kind = kind;
  g_clear_pointer (&self->disk_pool, g_free);
  g_clear_pointer (&self->disk_volume, g_free);
  g_clear_pointer (&self->disk_path, g_free);
  self->disk_gib = 0;
}

void
vireo_install_plan_set_disk_none (VireoInstallPlan *self)
{
  disk_reset (self, VIREO_DISK_NONE);
}

void
vireo_install_plan_set_disk_new (VireoInstallPlan *self,
                                 const char       *pool,
                                 guint             size_gib)
{
  disk_reset (self, VIREO_DISK_NEW_VOLUME);
  set_str (&self->disk_pool, pool ? pool : "default");
  self->disk_gib = size_gib;
}

void
vireo_install_plan_set_disk_path (VireoInstallPlan *self,
                                  const char       *path)
{
  disk_reset (self, VIREO_DISK_EXISTING_PATH);
  set_str (&self->disk_path, path);
}

void
vireo_install_plan_set_disk_volume (VireoInstallPlan *self,
                                    const char       *pool,
                                    const char       *volume)
{
  disk_reset (self, VIREO_DISK_EXISTING_VOLUME);
  set_str (&self->disk_pool, pool);
  set_str (&self->disk_volume, volume);
}

static void
net_set (VireoInstallPlan *self,
         VireoNetworkKind  kind,
         const char       *source)
{
  self->net_kind = kind;
  set_str (&self->net_source, source);
}

void vireo_install_plan_set_network_none (VireoInstallPlan *self) { net_set (self, VIREO_NETWORK_NONE, NULL); }
void vireo_install_plan_set_network_virtual (VireoInstallPlan *self, const char *network) { net_set (self, VIREO_NETWORK_VIRTUAL, network); }
void vireo_install_plan_set_network_bridge (VireoInstallPlan *self, const char *bridge) { net_set (self, VIREO_NETWORK_BRIDGE, bridge); }
void vireo_install_plan_set_network_user (VireoInstallPlan *self) { net_set (self, VIREO_NETWORK_USER, NULL); }

void
vireo_install_plan_set_graphics (VireoInstallPlan  *self,
                                 VireoGraphicsType  graphics)
{
  g_return_if_fail (VIREO_IS_INSTALL_PLAN (self));
  g_return_if_fail (graphics == VIREO_GRAPHICS_VNC || graphics == VIREO_GRAPHICS_SPICE);
  self->graphics = graphics;
}

VireoGraphicsType
vireo_install_plan_get_graphics (VireoInstallPlan *self)
{
  g_return_val_if_fail (VIREO_IS_INSTALL_PLAN (self), VIREO_GRAPHICS_VNC);
  return self->graphics;
}
void vireo_install_plan_set_network_direct (VireoInstallPlan *self, const char *device) { net_set (self, VIREO_NETWORK_DIRECT, device); }

void
vireo_install_plan_set_host_limits (VireoInstallPlan *self,
                                    guint64           host_memory_mib,
                                    guint64           pool_free_bytes)
{
  self->host_memory_mib = host_memory_mib;
  self->pool_free_bytes = pool_free_bytes;
}

/* ------------------------------------------------------------------------ */
/* Checks                                                                   */

static gboolean
invalid (GError    **error,
         const char *format,
         ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError    **error,
         const char *format,
         ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (VIREO_ERROR, VIREO_ERROR_INVALID_URI, format, args));
  va_end (args);
  return FALSE;
}

static gboolean
check_name (const char *name,
            GError    **error)
{
  if (name == NULL || *name == '\0')
    return invalid (error, _("The VM has no name. Give it a name."));
  if (!g_utf8_validate (name, -1, NULL))
    return invalid (error, _("The VM name is not valid UTF-8 text. Type the name again."));
  if (strchr (name, '/') != NULL)
    return invalid (error, _("The VM name “%s” contains “/”, which libvirt does not allow. "
                             "Choose a name without it."), name);
  for (const char *p = name; *p; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return invalid (error, _("The VM name contains a control character (such as a tab or "
                               "newline). Choose a name without one."));
  if (g_utf8_strlen (name, -1) > 200)
    return invalid (error, _("The VM name is too long (at most 200 characters)."));
  return TRUE;
}

static gboolean
check_mac (const char *mac,
           GError    **error)
{
  if (mac == NULL)
    return TRUE;
  if (strlen (mac) != 17)
    goto bad;
  for (int i = 0; i < 17; i++)
    if ((i % 3 == 2) ? mac[i] != ':' : !g_ascii_isxdigit (mac[i]))
      goto bad;
  if (g_ascii_xdigit_value (mac[1]) & 1)
    return invalid (error, _("The MAC address %s is a multicast address. Use a unicast one, "
                             "such as 52:54:00:12:34:56."), mac);
  return TRUE;
bad:
  return invalid (error, _("“%s” is not a MAC address. Write it as six pairs of hex digits, "
                           "such as 52:54:00:12:34:56."), mac);
}

/* ------------------------------------------------------------------------ */
/* XML                                                                      */

static xmlNode *
add (xmlNode    *parent,
     const char *name,
     const char *text)
{
  /* xmlNewTextChild escapes &, <, > in the text; attributes are escaped
   * when saved. */
  return xmlNewTextChild (parent, NULL, BAD_CAST name, BAD_CAST text);
}

static void
prop (xmlNode    *node,
      const char *name,
      const char *value)
{
  xmlNewProp (node, BAD_CAST name, BAD_CAST value);
}

static xmlNode *
add_with (xmlNode    *parent,
          const char *name,
          const char *attr,
          const char *value)
{
  xmlNode *node = add (parent, name, NULL);

  prop (node, attr, value);
  return node;
}

typedef enum { PHASE_INSTALL, PHASE_FINAL } Phase;

static gboolean
is_xen (VireoInstallPlan *self)
{
  return g_strcmp0 (self->resolved_virt_type, "xen") == 0;
}

static void
add_disk (VireoInstallPlan *self,
          xmlNode          *devices)
{
  xmlNode *disk, *node;
  const char *format = NULL;

  if (self->disk_kind == VIREO_DISK_NONE)
    return;

  disk = add (devices, "disk", NULL);
  switch (self->disk_kind)
    {
    case VIREO_DISK_NEW_VOLUME:
    case VIREO_DISK_EXISTING_VOLUME:
      prop (disk, "type", "volume");
      format = self->disk_kind == VIREO_DISK_NEW_VOLUME ? "qcow2" : NULL;
      break;
    case VIREO_DISK_EXISTING_PATH:
      prop (disk, "type", g_str_has_prefix (self->disk_path, "/dev/") ? "block" : "file");
      format = g_str_has_suffix (self->disk_path, ".qcow2") ? "qcow2" : "raw";
      break;
    case VIREO_DISK_NONE:
    default:
      break;
    }
  prop (disk, "device", "disk");

  if (format != NULL)
    {
      node = add (disk, "driver", NULL);
      prop (node, "name", "qemu");
      prop (node, "type", format);
    }

  node = add (disk, "source", NULL);
  if (self->disk_kind == VIREO_DISK_EXISTING_PATH)
    prop (node, g_str_has_prefix (self->disk_path, "/dev/") ? "dev" : "file", self->disk_path);
  else
    {
      prop (node, "pool", self->disk_pool);
      prop (node, "volume", self->disk_kind == VIREO_DISK_NEW_VOLUME ? self->volume_name
                                                                      : self->disk_volume);
    }

  node = add (disk, "target", NULL);
  prop (node, "dev", is_xen (self) ? "xvda" : "vda");
  prop (node, "bus", is_xen (self) ? "xen" : "virtio");
}

static void
add_cdrom (VireoInstallPlan *self,
           xmlNode          *devices,
           Phase             phase)
{
  VireoInstallMethod method = vireo_install_source_get_method (self->source);
  const char *path = self->media_path ? self->media_path : vireo_install_source_get_path (self->source);
  gboolean block = method == VIREO_INSTALL_METHOD_CDROM;
  xmlNode *disk, *node;

  disk = add (devices, "disk", NULL);
  prop (disk, "type", block ? "block" : "file");
  prop (disk, "device", "cdrom");
  node = add (disk, "driver", NULL);
  prop (node, "name", "qemu");
  prop (node, "type", "raw");
  /* The final VM keeps the drive, empty, as virt-install leaves it: the
   * guest can be given another disc later without a device change. */
  if (phase == PHASE_INSTALL)
    {
      node = add (disk, "source", NULL);
      prop (node, block ? "dev" : "file", path);
    }
  node = add (disk, "target", NULL);
  prop (node, "dev", is_xen (self) ? "hdc" : "sda");
  prop (node, "bus", is_xen (self) ? "ide" : "sata");
  add (disk, "readonly", NULL);
}

static void
add_interface (VireoInstallPlan *self,
               xmlNode          *devices)
{
  xmlNode *iface;

  if (self->net_kind == VIREO_NETWORK_NONE)
    return;

  iface = add (devices, "interface", NULL);
  switch (self->net_kind)
    {
    case VIREO_NETWORK_VIRTUAL:
      prop (iface, "type", "network");
      add_with (iface, "source", "network", self->net_source);
      break;
    case VIREO_NETWORK_BRIDGE:
      prop (iface, "type", "bridge");
      add_with (iface, "source", "bridge", self->net_source);
      break;
    case VIREO_NETWORK_DIRECT:
      {
        /* Bridge mode: guests on the device reach each other and the
         * network, as virt-manager's default for macvtap. */
        xmlNode *source;

        prop (iface, "type", "direct");
        source = add_with (iface, "source", "dev", self->net_source);
        prop (source, "mode", "bridge");
      }
      break;
    case VIREO_NETWORK_USER:
    case VIREO_NETWORK_NONE:
    default:
      prop (iface, "type", "user");
      break;
    }
  add_with (iface, "mac", "address", self->mac);
  /* Xen guests get netfront, its own PV NIC, by default. */
  if (!is_xen (self))
    add_with (iface, "model", "type", "virtio");
}

static char *
save_doc (xmlDoc *doc)
{
  xmlBuffer *buffer = xmlBufferCreate ();
  xmlSaveCtxt *save = xmlSaveToBuffer (buffer, "UTF-8", XML_SAVE_FORMAT | XML_SAVE_NO_DECL);
  char *out;

  xmlSaveDoc (save, doc);
  xmlSaveClose (save);
  out = g_strdup ((const char *) xmlBufferContent (buffer));
  xmlBufferFree (buffer);
  return out;
}

static char *
build_xml (VireoInstallPlan *self,
           Phase             phase)
{
  VireoInstallMethod method = vireo_install_source_get_method (self->source);
  gboolean direct_kernel = phase == PHASE_INSTALL &&
                           (method == VIREO_INSTALL_METHOD_URL || method == VIREO_INSTALL_METHOD_KERNEL);
  gboolean has_cdrom = method == VIREO_INSTALL_METHOD_ISO || method == VIREO_INSTALL_METHOD_CDROM;
  g_autofree char *memory = g_strdup_printf ("%u", self->memory_mib);
  g_autofree char *vcpus = g_strdup_printf ("%u", self->vcpus);
  xmlDoc *doc = xmlNewDoc (BAD_CAST "1.0");
  xmlNode *domain, *os, *node, *devices;
  char *out;

  domain = xmlNewNode (NULL, BAD_CAST "domain");
  xmlDocSetRootElement (doc, domain);
  prop (domain, "type", self->resolved_virt_type);

  add (domain, "name", self->name);
  add (domain, "uuid", self->uuid);

  if (self->os != NULL && vireo_os_guess_get_id (self->os) != NULL)
    {
      xmlNode *metadata = add (domain, "metadata", NULL);
      xmlNode *info = xmlNewChild (metadata, NULL, BAD_CAST "libosinfo", NULL);
      xmlNs *ns = xmlNewNs (info, BAD_CAST LIBOSINFO_NS, BAD_CAST "libosinfo");

      xmlSetNs (info, ns);
      node = xmlNewChild (info, ns, BAD_CAST "os", NULL);
      prop (node, "id", vireo_os_guess_get_id (self->os));
    }

  node = add (domain, "memory", memory);
  prop (node, "unit", "MiB");
  node = add (domain, "currentMemory", memory);
  prop (node, "unit", "MiB");
  add (domain, "vcpu", vcpus);

  if (self->paravirt && !direct_kernel)
    add (domain, "bootloader", "pygrub");

  os = add (domain, "os", NULL);
  node = add (os, "type", self->paravirt ? "xen" : "hvm");
  prop (node, "arch", self->resolved_arch);

  if (direct_kernel)
    {
      add (os, "kernel", self->kernel_path);
      if (self->initrd_path != NULL)
        add (os, "initrd", self->initrd_path);
      if (self->cmdline != NULL)
        add (os, "cmdline", self->cmdline);
    }
  if (!self->paravirt)
    {
      /* Direct kernel boot needs no boot order; the rest say where to start. */
      if (phase == PHASE_INSTALL && method == VIREO_INSTALL_METHOD_PXE)
        add_with (os, "boot", "dev", "network");
      if (phase == PHASE_INSTALL && has_cdrom)
        add_with (os, "boot", "dev", "cdrom");
      if (!direct_kernel)
        add_with (os, "boot", "dev", "hd");
    }

  if (!self->paravirt)
    {
      node = add (domain, "features", NULL);
      add (node, "acpi", NULL);
      add (node, "apic", NULL);
    }
  add_with (domain, "clock", "offset", "utc");

  add (domain, "on_poweroff", "destroy");
  /* The installer's reboot ends the install phase: the VM stops, and the
   * final definition (boot from disk) replaces this one. */
  add (domain, "on_reboot", phase == PHASE_INSTALL ? "destroy" : "restart");
  add (domain, "on_crash", "destroy");

  devices = add (domain, "devices", NULL);
  add_disk (self, devices);
  if (has_cdrom)
    add_cdrom (self, devices, phase);
  add_interface (self, devices);

  if (self->paravirt)
    {
      node = add_with (devices, "console", "type", "pty");
      node = add (node, "target", NULL);
      prop (node, "type", "xen");
      prop (node, "port", "0");
    }
  else
    {
      node = add_with (devices, "serial", "type", "pty");
      add_with (node, "target", "port", "0");
      node = add_with (devices, "console", "type", "pty");
      node = add (node, "target", NULL);
      prop (node, "type", "serial");
      prop (node, "port", "0");
      /* An absolute pointer, as virt-install gives HVM guests: the console
       * follows the desktop's pointer without grabbing it. */
      node = add_with (devices, "input", "type", "tablet");
      prop (node, "bus", "usb");
    }
  if (self->graphics == VIREO_GRAPHICS_SPICE)
    {
      /* As virt-manager makes them: the agent's channel (guest resizing,
       * clipboard) and two USB redirection ports on a USB 3 controller. */
      node = add_with (devices, "controller", "type", "usb");
      prop (node, "model", "qemu-xhci");
      prop (node, "ports", "15");
      node = add_with (devices, "channel", "type", "spicevmc");
      node = add_with (node, "target", "type", "virtio");
      prop (node, "name", "com.redhat.spice.0");
      node = add_with (devices, "graphics", "type", "spice");
      prop (node, "autoport", "yes");
      node = add_with (devices, "redirdev", "bus", "usb");
      prop (node, "type", "spicevmc");
      node = add_with (devices, "redirdev", "bus", "usb");
      prop (node, "type", "spicevmc");
    }
  else
    {
      node = add_with (devices, "graphics", "type", "vnc");
      prop (node, "port", "-1");
      prop (node, "autoport", "yes");
    }

  out = save_doc (doc);
  xmlFreeDoc (doc);
  return out;
}

static char *
random_mac (gboolean xen)
{
  /* Locally administered ranges the hypervisors use themselves. */
  return g_strdup_printf ("%s:%02x:%02x:%02x", xen ? "00:16:3e" : "52:54:00",
                          g_random_int_range (0, 0x80), g_random_int_range (0, 256),
                          g_random_int_range (0, 256));
}

static gboolean
same_arch (const char *a,
           const char *b)
{
  return g_strcmp0 (a, b) == 0 || g_strcmp0 (vireo_arch_to_debian (a), vireo_arch_to_debian (b)) == 0;
}

gboolean
vireo_install_plan_build (VireoInstallPlan *self,
                          VireoHostCaps    *caps,
                          GError          **error)
{
  VireoInstallMethod method;
  const char *os_type;

  g_return_val_if_fail (VIREO_IS_INSTALL_PLAN (self), FALSE);
  g_return_val_if_fail (VIREO_IS_HOST_CAPS (caps), FALSE);

  g_clear_pointer (&self->install_xml, g_free);
  g_clear_pointer (&self->final_xml, g_free);
  g_clear_pointer (&self->resolved_arch, g_free);
  g_clear_pointer (&self->resolved_virt_type, g_free);
  g_clear_pointer (&self->volume_name, g_free);
  g_clear_pointer (&self->cmdline, g_free);
  g_clear_pointer (&self->unattended_file, g_free);
  g_clear_pointer (&self->unattended_script, g_free);

  method = vireo_install_source_get_method (self->source);

  if (!check_name (self->name, error))
    return FALSE;

  /* The source decides first: PV from an ISO is the user's mistake to fix,
   * whatever the host offers. */
  if (self->paravirt && !vireo_install_source_allows_paravirt (self->source, error))
    return FALSE;

  /* Xen's paravirtualized guests have a framebuffer of their own (VNC). */
  if (self->paravirt && self->graphics == VIREO_GRAPHICS_SPICE)
    {
      g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                           _("A paravirtualized (Xen PV) VM cannot have a SPICE display; choose "
                             "VNC, or a fully virtualized (HVM) VM."));
      return FALSE;
    }

  if (method == VIREO_INSTALL_METHOD_URL && self->tree == NULL)
    return invalid (error, _("The install tree has not been detected yet. Detect the tree at "
                             "the URL before building the VM."));

  /* Architecture and virtualization type come from the host. */
  os_type = self->paravirt ? "xen" : "hvm";
  self->resolved_arch = g_strdup (self->arch ? self->arch
                                  : self->tree ? vireo_tree_info_get_arch (self->tree) : NULL);
  self->resolved_virt_type = g_strdup (self->virt_type);
  if (!vireo_host_caps_resolve (caps, os_type, &self->resolved_arch, &self->resolved_virt_type, error))
    return FALSE;

  if (self->tree != NULL && method == VIREO_INSTALL_METHOD_URL &&
      !same_arch (vireo_tree_info_get_arch (self->tree), self->resolved_arch))
    return invalid (error, _("The install tree was detected for %s, but the VM is %s. "
                             "Detect the tree again for %s."),
                    vireo_tree_info_get_arch (self->tree), self->resolved_arch, self->resolved_arch);

  if (method == VIREO_INSTALL_METHOD_URL)
    {
      g_autofree char *tree_args = NULL;
      const char *extra = vireo_install_source_get_extra_args (self->source);

      if (!vireo_tree_info_get_boot_files (self->tree, self->paravirt, NULL, NULL, error))
        return FALSE;
      if (self->kernel_path == NULL)
        return invalid (error, _("The installer’s kernel has not been downloaded yet. Fetch the "
                                 "tree’s kernel and initrd before building the VM."));
      tree_args = vireo_tree_info_dup_install_args (self->tree,
                                                    vireo_install_source_get_url_string (self->source));
      if (tree_args && extra)
        self->cmdline = g_strconcat (tree_args, " ", extra, NULL);
      else
        self->cmdline = g_strdup (tree_args ? tree_args : extra);
    }
  if (self->unattended != NULL)
    {
      g_autofree char *script_args = NULL;

      /* The answers travel in the installer's initrd: a tree's. */
      if (method != VIREO_INSTALL_METHOD_URL)
        return invalid (error, _("An unattended install needs a network install tree: the answers "
                                 "go in the initrd of the installer it downloads."));
      if (!vireo_unattended_generate (self->unattended, self->os, &self->unattended_file,
                                      &self->unattended_script, &script_args, error))
        return FALSE;
      if (script_args != NULL && *script_args != '\0')
        {
          char *both = self->cmdline ? g_strconcat (self->cmdline, " ", script_args, NULL)
                                     : g_strdup (script_args);
          g_free (self->cmdline);
          self->cmdline = both;
        }
    }
  else if (method == VIREO_INSTALL_METHOD_KERNEL)
    {
      set_str (&self->kernel_path, vireo_install_source_get_kernel (self->source));
      set_str (&self->initrd_path, vireo_install_source_get_initrd (self->source));
      self->cmdline = g_strdup (vireo_install_source_get_extra_args (self->source));
    }

  /* Sizes: the user's, else what the OS recommends. */
  if (self->memory_mib == 0)
    {
      self->memory_mib = self->os ? vireo_os_guess_get_memory_mib (self->os) : DEFAULT_MEMORY_MIB;
      /* A recommendation the host cannot give is no reason to fail: half
       * of what it has, as the user did not ask for more. */
      if (self->host_memory_mib > 0 && self->memory_mib > self->host_memory_mib)
        self->memory_mib = MAX (256, self->host_memory_mib / 2);
    }
  if (self->vcpus == 0)
    self->vcpus = self->os ? vireo_os_guess_get_vcpus (self->os) : 1;
  if (self->memory_mib < 16)
    return invalid (error, _("%u MiB of memory is too little for any OS. Give the VM at least "
                             "256 MiB."), self->memory_mib);
  if (self->host_memory_mib > 0 && self->memory_mib > self->host_memory_mib)
    return invalid (error, _("%u MiB of memory is more than the host has (%llu MiB). "
                             "Choose at most %llu MiB."),
                    self->memory_mib, (unsigned long long) self->host_memory_mib,
                    (unsigned long long) self->host_memory_mib);

  switch (self->disk_kind)
    {
    case VIREO_DISK_NEW_VOLUME:
      if (self->disk_gib == 0)
        self->disk_gib = self->os ? vireo_os_guess_get_disk_gib (self->os) : DEFAULT_DISK_GIB;
      if (self->pool_free_bytes > 0 &&
          (guint64) self->disk_gib * G_GUINT64_CONSTANT (1073741824) > self->pool_free_bytes)
        return invalid (error, _("A %u GiB disk is larger than the free space in the pool “%s” "
                                 "(%.1f GiB). Choose a smaller disk or another pool."),
                        self->disk_gib, self->disk_pool,
                        self->pool_free_bytes / 1073741824.0);
      self->volume_name = g_strdup_printf ("%s.qcow2", self->name);
      break;
    case VIREO_DISK_EXISTING_PATH:
      if (self->disk_path == NULL || !g_path_is_absolute (self->disk_path))
        return invalid (error, _("The disk path “%s” is not an absolute path. Give the full path "
                                 "of the disk image on the host."),
                        self->disk_path ? self->disk_path : "");
      break;
    case VIREO_DISK_EXISTING_VOLUME:
      if (self->disk_pool == NULL || self->disk_volume == NULL)
        return invalid (error, _("Choose both the storage pool and the volume for the disk."));
      break;
    case VIREO_DISK_NONE:
    default:
      break;
    }

  if (method == VIREO_INSTALL_METHOD_IMPORT)
    {
      /* The imported image is the VM's disk. */
      if (self->disk_kind != VIREO_DISK_NONE && self->disk_kind != VIREO_DISK_EXISTING_PATH)
        return invalid (error, _("An imported VM boots the image it imports; do not add a new "
                                 "disk as well."));
      disk_reset (self, VIREO_DISK_EXISTING_PATH);
      self->disk_path = g_strdup (vireo_install_source_get_path (self->source));
    }
  else if (self->disk_kind == VIREO_DISK_NONE && method != VIREO_INSTALL_METHOD_PXE &&
           method != VIREO_INSTALL_METHOD_KERNEL)
    return invalid (error, _("The VM has no disk to install to. Add a new disk or choose an "
                             "existing one."));

  if ((self->net_kind == VIREO_NETWORK_VIRTUAL || self->net_kind == VIREO_NETWORK_BRIDGE ||
       self->net_kind == VIREO_NETWORK_DIRECT) && self->net_source == NULL)
    return invalid (error, self->net_kind == VIREO_NETWORK_VIRTUAL
                             ? _("Choose the virtual network to connect the VM to.")
                             : self->net_kind == VIREO_NETWORK_BRIDGE
                             ? _("Name the host bridge to connect the VM to (such as br0).")
                             : _("Name the host’s network device for macvtap (such as eth0)."));
  if (method == VIREO_INSTALL_METHOD_PXE && self->net_kind == VIREO_NETWORK_NONE)
    return invalid (error, _("A PXE install boots from the network; connect the VM to a network."));
  /* User-mode networking answers DHCP but offers no boot file: the guest's
   * PXE firmware would find nothing to boot. */
  if (method == VIREO_INSTALL_METHOD_PXE && self->net_kind == VIREO_NETWORK_USER)
    return invalid (error, _("A PXE install needs a boot server, and user-mode networking has none: "
                             "connect the VM to a virtual network or a host bridge where a PXE "
                             "server answers."));
  if (!check_mac (self->mac, error))
    return FALSE;

  if (self->uuid == NULL)
    self->uuid = g_uuid_string_random ();
  else if (!g_uuid_string_is_valid (self->uuid))
    return invalid (error, _("“%s” is not a UUID."), self->uuid);
  if (self->mac == NULL && self->net_kind != VIREO_NETWORK_NONE)
    self->mac = random_mac (is_xen (self));

  if (method != VIREO_INSTALL_METHOD_IMPORT)
    self->install_xml = build_xml (self, PHASE_INSTALL);
  self->final_xml = build_xml (self, PHASE_FINAL);
  return TRUE;
}

const char *vireo_install_plan_get_install_xml (VireoInstallPlan *self) { return self->install_xml; }
const char *vireo_install_plan_get_final_xml (VireoInstallPlan *self) { return self->final_xml; }
const char *vireo_install_plan_get_name (VireoInstallPlan *self) { return self->name; }
const char *vireo_install_plan_get_uuid (VireoInstallPlan *self) { return self->uuid; }
const char *vireo_install_plan_get_arch (VireoInstallPlan *self) { return self->resolved_arch; }
const char *vireo_install_plan_get_virt_type (VireoInstallPlan *self) { return self->resolved_virt_type; }
VireoDiskKind vireo_install_plan_get_disk_kind (VireoInstallPlan *self) { return self->disk_kind; }
const char *vireo_install_plan_get_volume_pool (VireoInstallPlan *self) { return self->disk_kind == VIREO_DISK_NEW_VOLUME ? self->disk_pool : NULL; }
const char *vireo_install_plan_get_volume_name (VireoInstallPlan *self) { return self->volume_name; }
const char *vireo_install_plan_get_cmdline (VireoInstallPlan *self) { return self->cmdline; }
gboolean vireo_install_plan_get_paravirt (VireoInstallPlan *self) { return self->paravirt; }
const char *vireo_install_plan_get_requested_arch (VireoInstallPlan *self) { return self->arch; }
const char *vireo_install_plan_get_requested_virt_type (VireoInstallPlan *self) { return self->virt_type; }
VireoTreeInfo *vireo_install_plan_get_tree (VireoInstallPlan *self) { return self->tree; }
VireoOsGuess *vireo_install_plan_get_os (VireoInstallPlan *self) { return self->os; }
const char *vireo_install_plan_get_disk_pool (VireoInstallPlan *self) { return self->disk_kind == VIREO_DISK_NEW_VOLUME ? self->disk_pool : NULL; }

guint64
vireo_install_plan_get_volume_capacity (VireoInstallPlan *self)
{
  return self->disk_kind == VIREO_DISK_NEW_VOLUME ? (guint64) self->disk_gib * G_GUINT64_CONSTANT (1073741824) : 0;
}

char *
vireo_install_plan_dup_volume_xml (VireoInstallPlan *self)
{
  g_autofree char *capacity = NULL;
  xmlDoc *doc;
  xmlNode *volume, *node;
  char *out;

  g_return_val_if_fail (VIREO_IS_INSTALL_PLAN (self), NULL);

  if (self->disk_kind != VIREO_DISK_NEW_VOLUME || self->volume_name == NULL)
    return NULL;

  capacity = g_strdup_printf ("%" G_GUINT64_FORMAT, vireo_install_plan_get_volume_capacity (self));
  doc = xmlNewDoc (BAD_CAST "1.0");
  volume = xmlNewNode (NULL, BAD_CAST "volume");
  xmlDocSetRootElement (doc, volume);
  add (volume, "name", self->volume_name);
  /* Thin: qcow2 grows as the guest writes; the free-space check above is
   * against the full size all the same. */
  add_with (volume, "allocation", "unit", "bytes");
  xmlNodeSetContent (xmlGetLastChild (volume), BAD_CAST "0");
  node = add (volume, "capacity", capacity);
  prop (node, "unit", "bytes");
  node = add (volume, "target", NULL);
  add_with (node, "format", "type", "qcow2");
  out = save_doc (doc);
  xmlFreeDoc (doc);
  return out;
}
