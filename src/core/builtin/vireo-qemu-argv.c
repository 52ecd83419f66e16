/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <glib/gi18n-lib.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <string.h>

#include "vireo-types.h"
#include "vireo-qemu-argv.h"

#define DEFAULT_BRIDGE_HELPER "/usr/lib/qemu/qemu-bridge-helper"

char *
vireo_qemu_escape (const char *value)
{
  GString *out;

  if (value == NULL)
    return g_strdup ("");
  out = g_string_sized_new (strlen (value) + 8);
  for (const char *p = value; *p; p++)
    {
      if (*p == ',')
        g_string_append_c (out, ',');
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

gboolean
vireo_qemu_parse_size_kib (const char *value,
                           const char *unit,
                           guint64    *kib)
{
  static const struct { const char *name; guint64 bytes; } units[] = {
    { "b", 1 }, { "bytes", 1 },
    { "KB", 1000 }, { "k", 1024 }, { "KiB", 1024 },
    { "MB", 1000000 }, { "M", 1048576 }, { "MiB", 1048576 },
    { "GB", 1000000000 }, { "G", 1073741824 }, { "GiB", 1073741824 },
    { "TB", 1000000000000ULL }, { "T", 1099511627776ULL }, { "TiB", 1099511627776ULL },
  };
  guint64 n, bytes = 1024;
  char *end = NULL;

  if (value == NULL)
    return FALSE;
  while (g_ascii_isspace (*value))
    value++;
  if (!g_ascii_isdigit (*value))
    return FALSE;
  n = g_ascii_strtoull (value, &end, 10);
  while (end && g_ascii_isspace (*end))
    end++;
  if (end == NULL || *end != '\0')
    return FALSE;
  if (unit != NULL && *unit != '\0')
    {
      gboolean found = FALSE;
      for (guint i = 0; i < G_N_ELEMENTS (units); i++)
        if (g_str_equal (unit, units[i].name))
          {
            bytes = units[i].bytes;
            found = TRUE;
          }
      if (!found)
        return FALSE;
    }
  if (bytes != 0 && n > G_MAXUINT64 / bytes)
    return FALSE;
  *kib = n * bytes / 1024;
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Small XPath helpers                                                    */

typedef struct {
  xmlDocPtr          doc;
  xmlXPathContextPtr ctx;
} Xml;

static char *
xml_string (Xml        *x,
            xmlNodePtr  node,
            const char *expr)
{
  xmlXPathObjectPtr obj;
  char *ret = NULL;

  x->ctx->node = node ? node : xmlDocGetRootElement (x->doc);
  obj = xmlXPathEvalExpression ((const xmlChar *) expr, x->ctx);
  if (obj != NULL && obj->type == XPATH_NODESET && obj->nodesetval &&
      obj->nodesetval->nodeNr > 0)
    {
      xmlChar *content = xmlNodeGetContent (obj->nodesetval->nodeTab[0]);
      if (content != NULL)
        {
          g_autofree char *stripped = g_strstrip (g_strdup ((const char *) content));
          if (*stripped != '\0')
            ret = g_steal_pointer (&stripped);
          xmlFree (content);
        }
    }
  xmlXPathFreeObject (obj);
  return ret;
}

static GPtrArray *
xml_nodes (Xml        *x,
           const char *expr)
{
  GPtrArray *nodes = g_ptr_array_new ();
  xmlXPathObjectPtr obj;

  x->ctx->node = xmlDocGetRootElement (x->doc);
  obj = xmlXPathEvalExpression ((const xmlChar *) expr, x->ctx);
  if (obj != NULL && obj->type == XPATH_NODESET && obj->nodesetval)
    for (int i = 0; i < obj->nodesetval->nodeNr; i++)
      g_ptr_array_add (nodes, obj->nodesetval->nodeTab[i]);
  xmlXPathFreeObject (obj);
  return nodes;
}

static void
add (GPtrArray  *argv,
     const char *arg)
{
  g_ptr_array_add (argv, g_strdup (arg));
}

G_GNUC_PRINTF (2, 3)
static void
addf (GPtrArray  *argv,
      const char *format,
      ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (argv, g_strdup_vprintf (format, args));
  va_end (args);
}

static char *
socket_path (const VireoQemuArgvOptions *options,
             const char                 *name)
{
  g_autofree char *path = g_build_filename (options->runtime_dir, name, NULL);
  return vireo_qemu_escape (path);
}

/* "vdb" → 1, "hdc" → 2 */
static int
target_index (const char *dev)
{
  gsize len;
  int index = 0;

  if (dev == NULL || (len = strlen (dev)) < 3)
    return -1;
  for (gsize i = 2; i < len; i++)
    {
      if (dev[i] < 'a' || dev[i] > 'z')
        return -1;
      index = index * 26 + (dev[i] - 'a') + (i > 2 ? 1 : 0);
    }
  return index;
}

static const char *
nic_device (const char *model)
{
  if (model == NULL || g_str_equal (model, "virtio"))
    return "virtio-net-pci";
  if (g_str_equal (model, "e1000") || g_str_equal (model, "e1000e") ||
      g_str_equal (model, "rtl8139") || g_str_equal (model, "ne2k_pci"))
    return model;
  return NULL;
}

/* ---------------------------------------------------------------------- */

static gboolean
add_disks (Xml                        *x,
           GPtrArray                  *argv,
           GError                    **error)
{
  g_autoptr(GPtrArray) disks = xml_nodes (x, "/domain/devices/disk");
  gboolean need_ahci = FALSE;

  for (guint i = 0; i < disks->len; i++)
    {
      g_autofree char *bus = xml_string (x, disks->pdata[i], "target/@bus");
      if (g_strcmp0 (bus, "sata") == 0)
        need_ahci = TRUE;
    }
  if (need_ahci)
    {
      add (argv, "-device");
      add (argv, "ahci,id=sata0");
    }

  for (guint i = 0; i < disks->len; i++)
    {
      xmlNodePtr node = disks->pdata[i];
      g_autofree char *device = xml_string (x, node, "@device");
      g_autofree char *file = xml_string (x, node, "source/@file");
      g_autofree char *dev = xml_string (x, node, "source/@dev");
      g_autofree char *format = xml_string (x, node, "driver/@type");
      g_autofree char *bus = xml_string (x, node, "target/@bus");
      g_autofree char *target = xml_string (x, node, "target/@dev");
      g_autofree char *readonly = xml_string (x, node, "name(readonly)");
      g_autoptr(GString) drive = g_string_new (NULL);
      const char *path = file ? file : dev;
      gboolean cdrom = g_strcmp0 (device, "cdrom") == 0;
      int index = target_index (target);

      if (device != NULL && !cdrom && !g_str_equal (device, "disk"))
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                       _("Disk device “%s” is not supported by the builtin backend; "
                         "use a disk or a CD-ROM."), device);
          return FALSE;
        }
      if (bus == NULL)
        bus = g_strdup (cdrom ? "sata" : "virtio");
      if (!cdrom && path == NULL)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                       _("Disk %s has no source file."), target ? target : "");
          return FALSE;
        }

      g_string_append_printf (drive, "if=none,id=drive%u", i);
      if (path != NULL)
        {
          g_autofree char *escaped = vireo_qemu_escape (path);
          g_autofree char *fmt = vireo_qemu_escape (format ? format : "raw");
          g_string_append_printf (drive, ",file=%s,format=%s", escaped, fmt);
        }
      if (cdrom)
        g_string_append (drive, ",media=cdrom,readonly=on");
      else if (readonly != NULL)
        g_string_append (drive, ",readonly=on");
      add (argv, "-drive");
      add (argv, drive->str);

      add (argv, "-device");
      if (g_str_equal (bus, "virtio"))
        {
          if (cdrom)
            {
              g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                           _("A CD-ROM cannot be on the virtio bus: use SATA or IDE."));
              return FALSE;
            }
          addf (argv, "virtio-blk-pci,drive=drive%u,id=disk%u", i, i);
        }
      else if (g_str_equal (bus, "sata"))
        addf (argv, "%s,drive=drive%u,id=disk%u,bus=sata0.%d",
              cdrom ? "ide-cd" : "ide-hd", i, i, index >= 0 ? MIN (index, 5) : (int) MIN (i, 5));
      else if (g_str_equal (bus, "ide"))
        {
          int n = index >= 0 ? index : (int) i;
          if (n > 3)
            {
              g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                           _("IDE has room for four devices (hda to hdd), not “%s”."),
                           target ? target : "");
              return FALSE;
            }
          addf (argv, "%s,drive=drive%u,id=disk%u,bus=ide.%d,unit=%d",
                cdrom ? "ide-cd" : "ide-hd", i, i, n / 2, n % 2);
        }
      else
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                       _("Disk bus “%s” is not supported by the builtin backend; "
                         "use virtio, SATA or IDE."), bus);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
add_nics (Xml                        *x,
          GPtrArray                  *argv,
          const VireoQemuArgvOptions *options,
          GError                    **error)
{
  g_autoptr(GPtrArray) nics = xml_nodes (x, "/domain/devices/interface");

  for (guint i = 0; i < nics->len; i++)
    {
      xmlNodePtr node = nics->pdata[i];
      g_autofree char *type = xml_string (x, node, "@type");
      g_autofree char *model = xml_string (x, node, "model/@type");
      g_autofree char *mac = xml_string (x, node, "mac/@address");
      g_autoptr(GString) netdev = g_string_new (NULL);
      g_autoptr(GString) devarg = g_string_new (NULL);
      const char *device = nic_device (model);

      if (device == NULL)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                       _("Network card model “%s” is not supported; use virtio or e1000."), model);
          return FALSE;
        }

      if (type == NULL || g_str_equal (type, "user"))
        {
          g_autoptr(GPtrArray) forwards = NULL;
          g_autofree char *expr = NULL;

          g_string_append_printf (netdev, "user,id=net%u", i);
          expr = g_strdup_printf ("/domain/devices/interface[%u]/portForward/range", i + 1);
          forwards = xml_nodes (x, expr);
          for (guint j = 0; j < forwards->len; j++)
            {
              g_autofree char *start = xml_string (x, forwards->pdata[j], "@start");
              g_autofree char *to = xml_string (x, forwards->pdata[j], "@to");
              g_autofree char *proto = xml_string (x, ((xmlNodePtr) forwards->pdata[j])->parent, "@proto");
              guint64 host_port, guest_port;

              if (!g_ascii_string_to_unsigned (start ? start : "", 10, 1, 65535, &host_port, NULL) ||
                  !g_ascii_string_to_unsigned (to ? to : (start ? start : ""), 10, 1, 65535, &guest_port, NULL))
                {
                  g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                               _("A port forward needs port numbers from 1 to 65535."));
                  return FALSE;
                }
              g_string_append_printf (netdev, ",hostfwd=%s::%" G_GUINT64_FORMAT "-:%" G_GUINT64_FORMAT,
                                      g_strcmp0 (proto, "udp") == 0 ? "udp" : "tcp",
                                      host_port, guest_port);
            }
        }
      else if (g_str_equal (type, "bridge"))
        {
          g_autofree char *bridge = xml_string (x, node, "source/@bridge");
          g_autofree char *br = vireo_qemu_escape (bridge);
          g_autofree char *helper = vireo_qemu_escape (options->bridge_helper ?
                                                       options->bridge_helper : DEFAULT_BRIDGE_HELPER);
          if (bridge == NULL)
            {
              g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                           _("A bridged network card needs the name of a host bridge."));
              return FALSE;
            }
          g_string_append_printf (netdev, "bridge,id=net%u,br=%s,helper=%s", i, br, helper);
        }
      else
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                       _("Network type “%s” needs libvirt; the builtin backend offers "
                         "user-mode networking and host bridges."), type);
          return FALSE;
        }

      g_string_append_printf (devarg, "%s,netdev=net%u", device, i);
      if (mac != NULL)
        {
          guint8 bytes[6];
          if (sscanf (mac, "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx", &bytes[0], &bytes[1], &bytes[2],
                      &bytes[3], &bytes[4], &bytes[5]) != 6 || strlen (mac) != 17)
            {
              g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                           _("“%s” is not a MAC address (six hex pairs separated by colons)."), mac);
              return FALSE;
            }
          g_string_append_printf (devarg, ",mac=%02x:%02x:%02x:%02x:%02x:%02x",
                                  bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5]);
        }
      add (argv, "-netdev");
      add (argv, netdev->str);
      add (argv, "-device");
      add (argv, devarg->str);
    }
  return TRUE;
}

static gboolean
add_display (Xml                        *x,
             GPtrArray                  *argv,
             const VireoQemuArgvOptions *options,
             GError                    **error)
{
  g_autoptr(GPtrArray) graphics = xml_nodes (x, "/domain/devices/graphics");
  g_autofree char *video = xml_string (x, NULL, "/domain/devices/video/model/@type");
  gboolean spice = FALSE;

  add (argv, "-display");
  add (argv, "none");

  for (guint i = 0; i < graphics->len; i++)
    {
      g_autofree char *type = xml_string (x, graphics->pdata[i], "@type");

      if (g_strcmp0 (type, "vnc") == 0)
        {
          g_autofree char *path = socket_path (options, "vnc.sock");
          add (argv, "-vnc");
          addf (argv, "unix:%s", path);
        }
      else if (g_strcmp0 (type, "spice") == 0)
        {
          g_autofree char *path = socket_path (options, "spice.sock");
          add (argv, "-spice");
          addf (argv, "unix=on,addr=%s,disable-ticketing=on", path);
          spice = TRUE;
        }
      else
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                       _("Graphics type “%s” is not supported; use VNC or SPICE."),
                       type ? type : "");
          return FALSE;
        }
    }

  if (video == NULL)
    video = g_strdup (graphics->len > 0 ? (spice ? "qxl" : "vga") : "none");
  add (argv, "-vga");
  if (g_str_equal (video, "vga"))
    add (argv, "std");
  else if (g_str_equal (video, "qxl") || g_str_equal (video, "virtio") ||
           g_str_equal (video, "cirrus") || g_str_equal (video, "none"))
    add (argv, video);
  else
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                   _("Video model “%s” is not supported; use VGA, QXL or virtio."), video);
      return FALSE;
    }

  if (spice)
    {
      /* The agent channel: resizing the guest and sharing the clipboard. */
      add (argv, "-device");
      add (argv, "virtio-serial-pci,id=virtio-serial0");
      add (argv, "-chardev");
      add (argv, "spicevmc,id=vdagent,name=vdagent");
      add (argv, "-device");
      add (argv, "virtserialport,bus=virtio-serial0.0,chardev=vdagent,name=com.redhat.spice.0");
    }

  /* USB redirection over SPICE: one usbredir channel per <redirdev>, on a
   * USB 3 controller of its own (a USB 2 device cannot attach to the
   * UHCI that -usb gives). */
  {
    g_autoptr(GPtrArray) redirs = xml_nodes (x, "/domain/devices/redirdev[@bus='usb']");

    for (guint i = 0; i < redirs->len; i++)
      {
        g_autofree char *type = xml_string (x, redirs->pdata[i], "@type");

        if (g_strcmp0 (type, "spicevmc") != 0 || !spice)
          {
            g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                         _("USB redirection of type “%s” is not supported; it needs SPICE graphics "
                           "and type “spicevmc”."), type ? type : "");
            return FALSE;
          }
        if (i == 0)
          {
            add (argv, "-device");
            add (argv, "qemu-xhci,id=redir-xhci");
          }
        add (argv, "-chardev");
        addf (argv, "spicevmc,id=usbredir%u,name=usbredir", i);
        add (argv, "-device");
        addf (argv, "usb-redir,chardev=usbredir%u,id=redir%u,bus=redir-xhci.0", i, i);
      }
  }
  return TRUE;
}

static gboolean
xml_open (Xml        *x,
          const char *domain_xml,
          GError    **error)
{
  x->doc = xmlReadMemory (domain_xml, strlen (domain_xml), "domain.xml", NULL,
                          XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (x->doc == NULL || xmlDocGetRootElement (x->doc) == NULL ||
      !xmlStrEqual (xmlDocGetRootElement (x->doc)->name, (const xmlChar *) "domain"))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("The VM's configuration is not valid domain XML."));
      return FALSE;
    }
  x->ctx = xmlXPathNewContext (x->doc);
  return TRUE;
}

static void
xml_close (Xml *x)
{
  if (x->ctx != NULL)
    xmlXPathFreeContext (x->ctx);
  if (x->doc != NULL)
    xmlFreeDoc (x->doc);
  x->ctx = NULL;
  x->doc = NULL;
}

void
vireo_qemu_summary_clear (VireoQemuSummary *summary)
{
  g_clear_pointer (&summary->name, g_free);
  g_clear_pointer (&summary->uuid, g_free);
  g_clear_pointer (&summary->os_type, g_free);
  g_clear_pointer (&summary->arch, g_free);
  g_clear_pointer (&summary->disk_paths, g_ptr_array_unref);
}

gboolean
vireo_qemu_read_summary (const char       *domain_xml,
                         VireoQemuSummary *summary,
                         GError          **error)
{
  Xml x = { NULL, NULL };
  g_autofree char *memory = NULL, *unit = NULL, *vcpu = NULL, *type = NULL;
  g_autoptr(GPtrArray) disks = NULL;
  guint64 vcpus = 1;
  gboolean ok = FALSE;

  memset (summary, 0, sizeof *summary);
  if (!xml_open (&x, domain_xml, error))
    goto out;

  summary->name = xml_string (&x, NULL, "/domain/name");
  summary->uuid = xml_string (&x, NULL, "/domain/uuid");
  summary->os_type = xml_string (&x, NULL, "/domain/os/type");
  summary->arch = xml_string (&x, NULL, "/domain/os/type/@arch");
  type = xml_string (&x, NULL, "/domain/@type");
  memory = xml_string (&x, NULL, "/domain/memory");
  unit = xml_string (&x, NULL, "/domain/memory/@unit");
  vcpu = xml_string (&x, NULL, "/domain/vcpu");
  if (summary->os_type == NULL)
    summary->os_type = g_strdup ("hvm");
  if (summary->arch == NULL)
    summary->arch = g_strdup ("x86_64");
  summary->want_kvm = g_strcmp0 (type, "qemu") != 0;

  if (summary->name == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED, _("The VM has no name."));
      goto out;
    }
  if (!vireo_qemu_parse_size_kib (memory, unit, &summary->memory_kib))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("“%s” has no valid memory size."), summary->name);
      goto out;
    }
  if (vcpu != NULL && !g_ascii_string_to_unsigned (vcpu, 10, 1, 255, &vcpus, NULL))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("“%s” asks for %s virtual CPUs; choose from 1 to 255."), summary->name, vcpu);
      goto out;
    }
  summary->vcpus = vcpus;

  summary->disk_paths = g_ptr_array_new_with_free_func (g_free);
  disks = xml_nodes (&x, "/domain/devices/disk[not(@device) or @device='disk']/source/@file");
  for (guint i = 0; i < disks->len; i++)
    {
      xmlChar *path = xmlNodeGetContent (disks->pdata[i]);
      g_ptr_array_add (summary->disk_paths, g_strdup ((const char *) path));
      xmlFree (path);
    }
  ok = TRUE;

out:
  xml_close (&x);
  if (!ok)
    vireo_qemu_summary_clear (summary);
  return ok;
}

char *
vireo_qemu_set_uuid (const char *domain_xml,
                     const char *uuid,
                     GError    **error)
{
  Xml x = { NULL, NULL };
  g_autoptr(GPtrArray) nodes = NULL;
  xmlChar *out = NULL;
  int size = 0;
  char *ret;

  if (!xml_open (&x, domain_xml, error))
    {
      xml_close (&x);
      return NULL;
    }
  nodes = xml_nodes (&x, "/domain/uuid");
  if (nodes->len > 0)
    xmlNodeSetContent (nodes->pdata[0], (const xmlChar *) uuid);
  else
    xmlNewTextChild (xmlDocGetRootElement (x.doc), NULL, (const xmlChar *) "uuid",
                     (const xmlChar *) uuid);
  xmlDocDumpMemoryEnc (x.doc, &out, &size, "UTF-8");
  ret = g_strndup ((const char *) out, size);
  xmlFree (out);
  xml_close (&x);
  return ret;
}

GStrv
vireo_qemu_build_argv (const char                 *domain_xml,
                       const VireoQemuArgvOptions *options,
                       GError                    **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *name = NULL, *uuid = NULL, *memory = NULL, *unit = NULL;
  g_autofree char *vcpu = NULL, *arch = NULL, *machine = NULL, *emulator = NULL;
  g_autofree char *kernel = NULL, *initrd = NULL, *cmdline = NULL, *domain_type = NULL;
  g_autoptr(GPtrArray) boots = NULL;
  g_autoptr(GString) order = g_string_new (NULL);
  guint64 memory_kib = 0, vcpus = 1;
  Xml x = { NULL, NULL };
  gboolean ok = FALSE;

  g_return_val_if_fail (options != NULL && options->runtime_dir != NULL, NULL);

  if (!xml_open (&x, domain_xml, error))
    goto out;

  name = xml_string (&x, NULL, "/domain/name");
  uuid = xml_string (&x, NULL, "/domain/uuid");
  domain_type = xml_string (&x, NULL, "/domain/@type");
  memory = xml_string (&x, NULL, "/domain/memory");
  unit = xml_string (&x, NULL, "/domain/memory/@unit");
  vcpu = xml_string (&x, NULL, "/domain/vcpu");
  arch = xml_string (&x, NULL, "/domain/os/type/@arch");
  machine = xml_string (&x, NULL, "/domain/os/type/@machine");
  emulator = xml_string (&x, NULL, "/domain/devices/emulator");
  kernel = xml_string (&x, NULL, "/domain/os/kernel");
  initrd = xml_string (&x, NULL, "/domain/os/initrd");
  cmdline = xml_string (&x, NULL, "/domain/os/cmdline");

  if (name == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED, _("The VM has no name."));
      goto out;
    }
  if (!vireo_qemu_parse_size_kib (memory, unit, &memory_kib) || memory_kib < 1024)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("“%s” needs at least 1 MiB of memory."), name);
      goto out;
    }
  if (vcpu != NULL && !g_ascii_string_to_unsigned (vcpu, 10, 1, 255, &vcpus, NULL))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("“%s” asks for %s virtual CPUs; choose from 1 to 255."), name, vcpu);
      goto out;
    }
  if (arch != NULL && !g_regex_match_simple ("^[a-z0-9_]+$", arch, 0, 0))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("“%s” is not a CPU architecture."), arch);
      goto out;
    }

  if (options->qemu_binary != NULL)
    add (argv, options->qemu_binary);
  else if (emulator != NULL)
    add (argv, emulator);
  else
    addf (argv, "qemu-system-%s", arch ? arch : "x86_64");

  {
    g_autofree char *escaped = vireo_qemu_escape (name);
    add (argv, "-name");
    addf (argv, "guest=%s,debug-threads=on", escaped);
  }
  if (uuid != NULL)
    {
      if (!g_uuid_string_is_valid (uuid))
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED, _("“%s” is not a UUID."), uuid);
          goto out;
        }
      add (argv, "-uuid");
      add (argv, uuid);
    }

  {
    g_autofree char *escaped = vireo_qemu_escape (machine ? machine : "pc");
    /* type='kvm' asks for KVM, but only a usable /dev/kvm gives it. */
    gboolean kvm = options->kvm && g_strcmp0 (domain_type, "qemu") != 0;

    add (argv, "-machine");
    add (argv, escaped);
    add (argv, "-accel");
    add (argv, kvm ? "kvm" : "tcg");
    if (kvm)
      {
        add (argv, "-cpu");
        add (argv, "host");
      }
  }
  add (argv, "-m");
  addf (argv, "size=%" G_GUINT64_FORMAT "k", memory_kib);
  add (argv, "-smp");
  addf (argv, "%" G_GUINT64_FORMAT, vcpus);
  add (argv, "-nodefaults");
  add (argv, "-no-user-config");

  boots = xml_nodes (&x, "/domain/os/boot/@dev");
  for (guint i = 0; i < boots->len; i++)
    {
      xmlChar *dev = xmlNodeGetContent (boots->pdata[i]);
      const char *d = (const char *) dev;
      char c = g_strcmp0 (d, "hd") == 0 ? 'c' : g_strcmp0 (d, "cdrom") == 0 ? 'd' :
               g_strcmp0 (d, "network") == 0 ? 'n' : g_strcmp0 (d, "fd") == 0 ? 'a' : 0;
      xmlFree (dev);
      if (c != 0 && strchr (order->str, c) == NULL)
        g_string_append_c (order, c);
    }
  if (order->len > 0)
    {
      add (argv, "-boot");
      addf (argv, "order=%s", order->str);
    }

  if (kernel != NULL)
    {
      add (argv, "-kernel");
      add (argv, kernel);
      if (initrd != NULL)
        {
          add (argv, "-initrd");
          add (argv, initrd);
        }
      if (cmdline != NULL)
        {
          add (argv, "-append");
          add (argv, cmdline);
        }
    }
  else if (initrd != NULL || cmdline != NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("An initrd or kernel command line needs a kernel to go with it."));
      goto out;
    }

  if (!add_disks (&x, argv, error) || !add_nics (&x, argv, options, error) ||
      !add_display (&x, argv, options, error))
    goto out;

  {
    g_autoptr(GPtrArray) tablets = xml_nodes (&x, "/domain/devices/input[@type='tablet']");
    if (tablets->len > 0)
      {
        add (argv, "-usb");
        add (argv, "-device");
        add (argv, "usb-tablet");
      }
  }

  {
    g_autoptr(GPtrArray) serials = xml_nodes (&x, "/domain/devices/serial | /domain/devices/console");
    if (serials->len > 0)
      {
        g_autofree char *path = socket_path (options, "serial.sock");
        add (argv, "-chardev");
        addf (argv, "socket,id=serial0,path=%s,server=on,wait=off", path);
        add (argv, "-serial");
        add (argv, "chardev:serial0");
      }
  }

  {
    g_autofree char *qmp = socket_path (options, "qmp.sock");
    g_autofree char *events = socket_path (options, "events.sock");
    g_autofree char *pidfile = g_build_filename (options->runtime_dir, "qemu.pid", NULL);

    /* Two monitors: short-lived command connections from worker threads,
     * and one long-lived connection for events. A guest's power-off stops
     * QEMU rather than ending it (-no-shutdown), so a reboot can be told
     * from a shutdown, as libvirt does. */
    add (argv, "-chardev");
    addf (argv, "socket,id=qmp,path=%s,server=on,wait=off", qmp);
    add (argv, "-mon");
    add (argv, "chardev=qmp,mode=control");
    add (argv, "-chardev");
    addf (argv, "socket,id=qmp-events,path=%s,server=on,wait=off", events);
    add (argv, "-mon");
    add (argv, "chardev=qmp-events,mode=control");
    add (argv, "-no-shutdown");
    {
      /* The install phase ends at the installer's reboot: a guest reset
       * becomes a shutdown, which ends QEMU like a power-off. */
      g_autofree char *on_reboot = xml_string (&x, NULL, "/domain/on_reboot");
      if (g_strcmp0 (on_reboot, "destroy") == 0)
        add (argv, "-no-reboot");
    }
    add (argv, "-pidfile");
    add (argv, pidfile);
  }
  if (options->incoming)
    {
      /* The saved state arrives over QMP as an fd; the VM stays paused
       * until it is known whether it ran when it was saved. */
      add (argv, "-S");
      add (argv, "-incoming");
      add (argv, "defer");
    }
  ok = TRUE;

out:
  xml_close (&x);
  if (!ok)
    return NULL;
  g_ptr_array_add (argv, NULL);
  return (GStrv) g_ptr_array_steal (argv, NULL);
}
