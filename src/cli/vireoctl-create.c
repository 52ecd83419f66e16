/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vireoctl create: virt-install's common options, on the install engine.
 * The source, the host's capabilities and the plan are checked before
 * anything is made; progress goes to stderr; Ctrl+C cancels, and the
 * installer removes what it made before vireoctl exits. */
#include "vireo-config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vireo-installer.h"
#include "vireo-install-plan.h"
#include "vireo-os-guess.h"
#include "vireo-uri.h"
#include "vireoctl.h"

static char     *opt_name;
static char     *opt_cdrom;
static char     *opt_location;
static char     *opt_extra_args;
static gboolean  opt_pxe;
static gboolean  opt_upload;
static gboolean  opt_import;
static char     *opt_boot;
static gboolean  opt_paravirt;
static gboolean  opt_hvm;
static char     *opt_os_variant;
static gint      opt_memory = -1;
static gint      opt_vcpus = -1;
static char     *opt_disk;
static char     *opt_network;
static char     *opt_virt_type;
static char     *opt_graphics;
static char     *opt_arch;
static char     *opt_unattended;
static gboolean  opt_print_xml;
static gboolean  opt_no_start;
static gboolean  opt_wait;

static const GOptionEntry create_entries[] = {
  { "name", 0, 0, G_OPTION_ARG_STRING, &opt_name, N_("Name of the new VM"), N_("NAME") },
  { "cdrom", 0, 0, G_OPTION_ARG_FILENAME, &opt_cdrom,
    N_("Install from an ISO image or a CD/DVD drive"), N_("PATH") },
  { "location", 0, 0, G_OPTION_ARG_STRING, &opt_location,
    N_("Install from a tree at an http, https, ftp or nfs URL (or a local path)"), N_("URL") },
  { "extra-args", 0, 0, G_OPTION_ARG_STRING, &opt_extra_args,
    N_("With --location: more arguments for the installer’s kernel"), N_("ARGS") },
  { "upload", 0, 0, G_OPTION_ARG_NONE, &opt_upload,
    N_("With --cdrom: copy the ISO from this computer into the host’s storage pool (for a remote host)"), NULL },
  { "pxe", 0, 0, G_OPTION_ARG_NONE, &opt_pxe, N_("Boot from the network (PXE)"), NULL },
  { "import", 0, 0, G_OPTION_ARG_NONE, &opt_import,
    N_("Boot the existing disk given with --disk path=PATH"), NULL },
  { "boot", 0, 0, G_OPTION_ARG_STRING, &opt_boot,
    N_("Boot this kernel and initrd: kernel=K,initrd=I[,cmdline=C]"), N_("SPEC") },
  { "paravirt", 0, 0, G_OPTION_ARG_NONE, &opt_paravirt,
    N_("A Xen paravirtualized guest (from a network tree or a kernel)"), NULL },
  { "hvm", 0, 0, G_OPTION_ARG_NONE, &opt_hvm, N_("A fully virtualized guest (the default)"), NULL },
  { "os-variant", 0, 0, G_OPTION_ARG_STRING, &opt_os_variant,
    N_("The OS, as libosinfo names it (osinfo-query os): debian11, fedora36 …"), N_("ID") },
  { "memory", 0, 0, G_OPTION_ARG_INT, &opt_memory,
    N_("Memory in MiB (default: what the OS recommends)"), N_("MiB") },
  { "vcpus", 0, 0, G_OPTION_ARG_INT, &opt_vcpus, N_("Virtual CPUs"), N_("N") },
  { "disk", 0, 0, G_OPTION_ARG_STRING, &opt_disk,
    N_("size=GiB[,pool=POOL] for a new disk, path=PATH for an existing one, or none"), N_("SPEC") },
  { "network", 0, 0, G_OPTION_ARG_STRING, &opt_network,
    N_("network=NAME, bridge=BRIDGE, user or none"), N_("SPEC") },
  { "graphics", 0, 0, G_OPTION_ARG_STRING, &opt_graphics,
    N_("The display: vnc (the default) or spice (with the agent’s channel and USB redirection)"),
    N_("TYPE") },
  { "virt-type", 0, 0, G_OPTION_ARG_STRING, &opt_virt_type,
    N_("kvm, qemu (emulation, TCG) or xen, as the host offers"), N_("TYPE") },
  { "arch", 0, 0, G_OPTION_ARG_STRING, &opt_arch,
    N_("The guest’s architecture (default: the host’s)"), N_("ARCH") },
  { "unattended", 0, 0, G_OPTION_ARG_STRING, &opt_unattended,
    N_("Install from a network tree without questions: user=NAME,password-file=FILE[,admin-password-file=FILE][,timezone=ZONE][,hostname=NAME]"), N_("SPEC") },
  { "print-xml", 0, 0, G_OPTION_ARG_NONE, &opt_print_xml,
    N_("Print the VM’s XML and create nothing"), NULL },
  { "no-start", 0, 0, G_OPTION_ARG_NONE, &opt_no_start,
    N_("Define the VM without starting its installation"), NULL },
  { "wait", 0, 0, G_OPTION_ARG_NONE, &opt_wait,
    N_("Wait for the installation to finish and start the VM from its disk"), NULL },
  { NULL }
};

GOptionGroup *
vireoctl_create_options (void)
{
  GOptionGroup *group = g_option_group_new ("create", _("Options of “create”:"),
                                            _("Show the options of “create”"), NULL, NULL);

  g_option_group_add_entries (group, create_entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  return group;
}

void
vireoctl_create_cleanup (void)
{
  g_free (opt_name);
  g_free (opt_cdrom);
  g_free (opt_location);
  g_free (opt_extra_args);
  g_free (opt_boot);
  g_free (opt_os_variant);
  g_free (opt_disk);
  g_free (opt_network);
  g_free (opt_virt_type);
  g_free (opt_graphics);
  g_free (opt_arch);
  g_free (opt_unattended);
}

static gboolean
any_create_option (void)
{
  return opt_name || opt_cdrom || opt_upload || opt_location || opt_extra_args || opt_pxe || opt_import ||
         opt_boot || opt_paravirt || opt_hvm || opt_os_variant || opt_memory != -1 ||
         opt_vcpus != -1 || opt_disk || opt_network || opt_virt_type || opt_arch || opt_graphics ||
         opt_unattended || opt_print_xml || opt_no_start || opt_wait;
}

char *
vireoctl_create_check_options (const char *verb)
{
  guint sources = (opt_cdrom != NULL) + (opt_location != NULL) + !!opt_pxe + !!opt_import +
                  (opt_boot != NULL);

  if (!g_str_equal (verb, "create"))
    return any_create_option ()
           ? g_strdup_printf (_("the options of “create” do not go with “%s”"), verb) : NULL;

  if (opt_name == NULL || *opt_name == '\0')
    return g_strdup (_("“create” needs --name NAME"));
  if (sources == 0)
    return g_strdup (_("“create” needs an install source: --cdrom, --location, --pxe, "
                       "--import or --boot"));
  if (sources > 1)
    return g_strdup (_("give one install source: --cdrom, --location, --pxe, --import or "
                       "--boot, not several"));
  if (opt_extra_args != NULL && opt_location == NULL)
    return g_strdup (_("--extra-args goes with --location"));
  if (opt_upload && (opt_cdrom == NULL || g_str_has_prefix (opt_cdrom, "/dev/")))
    return g_strdup (_("--upload goes with --cdrom and an ISO image"));
  if (opt_import && (opt_disk == NULL || !g_str_has_prefix (opt_disk, "path=")))
    return g_strdup (_("--import needs the disk to boot: --disk path=PATH"));
  if (opt_paravirt && opt_hvm)
    return g_strdup (_("choose --paravirt or --hvm, not both"));
  if (opt_memory != -1 && opt_memory <= 0)
    return g_strdup (_("--memory needs a number of MiB, such as 2048"));
  if (opt_vcpus != -1 && (opt_vcpus <= 0 || opt_vcpus > 4096))
    return g_strdup (_("--vcpus needs a number of virtual CPUs, such as 2"));
  if (opt_print_xml && opt_wait)
    return g_strdup (_("--print-xml creates nothing, so there is nothing to --wait for"));
  if (opt_no_start && opt_wait)
    return g_strdup (_("--no-start starts nothing, so there is nothing to --wait for"));
  if (opt_virt_type != NULL && !g_str_equal (opt_virt_type, "kvm") &&
      !g_str_equal (opt_virt_type, "qemu") && !g_str_equal (opt_virt_type, "xen"))
    return g_strdup_printf (_("--virt-type is kvm, qemu or xen, not “%s”"), opt_virt_type);
  if (opt_graphics != NULL && !g_str_equal (opt_graphics, "vnc") && !g_str_equal (opt_graphics, "spice"))
    return g_strdup_printf (_("--graphics is vnc or spice, not “%s”"), opt_graphics);
  return NULL;
}

/* ---- waiting for one async call ---- */

typedef struct {
  Ctl          *ctl;
  GAsyncResult *result;
} Wait;

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *w = user_data;

  w->result = g_object_ref (result);
  g_main_loop_quit (w->ctl->loop);
}

static GAsyncResult *
wait_run (Wait *w)
{
  g_main_loop_run (w->ctl->loop);
  return w->result;
}

/* ---- option values ---- */

/* "key=value,key=value"; the key named `rest_key` takes the rest of the
 * text, commas and all (paths and kernel command lines have commas). */
static GHashTable *
parse_spec (const char  *option,
            const char  *spec,
            const char  *rest_key,
            const char **keys,
            GError     **error)
{
  g_autoptr(GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *p = spec;

  while (*p != '\0')
    {
      const char *eq = strchr (p, '=');
      const char *comma;
      g_autofree char *key = NULL;
      gboolean known = FALSE;

      if (eq == NULL)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                       _("%s: “%s” is not KEY=VALUE"), option, p);
          return NULL;
        }
      key = g_strndup (p, eq - p);
      for (guint i = 0; keys[i]; i++)
        known |= g_str_equal (keys[i], key);
      if (!known)
        {
          g_autofree char *list = g_strjoinv (", ", (char **) keys);
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                       _("%s: unknown key “%s” (known: %s)"), option, key, list);
          return NULL;
        }
      if (rest_key != NULL && g_str_equal (key, rest_key))
        {
          g_hash_table_replace (table, g_steal_pointer (&key), g_strdup (eq + 1));
          break;
        }
      comma = strchr (eq + 1, ',');
      g_hash_table_replace (table, g_steal_pointer (&key),
                            comma ? g_strndup (eq + 1, comma - eq - 1) : g_strdup (eq + 1));
      p = comma ? comma + 1 : eq + strlen (eq);
    }
  return g_steal_pointer (&table);
}

static gboolean
has_network (VireoConnection *conn,
             const char      *name)
{
  GListModel *networks = vireo_connection_get_networks (conn);

  for (guint i = 0; i < g_list_model_get_n_items (networks); i++)
    {
      g_autoptr(VireoNetwork) net = g_list_model_get_item (networks, i);
      if (g_str_equal (vireo_network_get_name (net), name))
        return TRUE;
    }
  return FALSE;
}

/* TRUE when the connection's host is another machine, whose files this
 * one cannot see. */
static gboolean
host_is_remote (VireoConnection *conn)
{
  g_auto(VireoUriInfo) info = { 0 };

  return vireo_uri_parse (vireo_connection_get_uri (conn), &info, NULL) &&
         info.host != NULL && *info.host != 0;
}

/* --cdrom /dev/…: one of the host's CD/DVD drives (its node devices for a
 * libvirt host), named in the refusal when it is not one. */
static VireoInstallSource *
make_drive_source (Ctl     *ctl,
                   GError **error)
{
  Wait w = { ctl, NULL };
  g_autoptr(GPtrArray) drives = NULL;
  g_autoptr(GString) known = NULL;
  VireoHostDrive *drive;

  vireo_connection_list_drives_async (ctl->conn, NULL, wait_cb, &w);
  drives = vireo_connection_list_drives_finish (ctl->conn, wait_run (&w), error);
  g_clear_object (&w.result);
  if (drives == NULL)
    return NULL;
  drive = vireo_host_drives_find (drives, opt_cdrom);
  if (drive != NULL)
    return drive->local ? vireo_install_source_new_cdrom (drive->path, error)
                        : vireo_install_source_new_host_cdrom (drive->path, error);

  if (drives->len == 0)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                   _("%s is not a CD/DVD drive: %s has none. Give an ISO image instead."),
                   opt_cdrom, vireo_connection_get_display_name (ctl->conn));
      return NULL;
    }
  known = g_string_new (NULL);
  for (guint i = 0; i < drives->len; i++)
    g_string_append_printf (known, "%s%s", i ? ", " : "",
                            ((VireoHostDrive *) g_ptr_array_index (drives, i))->label);
  g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
               _("%s is not a CD/DVD drive of %s. Its drives: %s."),
               opt_cdrom, vireo_connection_get_display_name (ctl->conn), known->str);
  return NULL;
}

static VireoInstallSource *
make_source (Ctl     *ctl,
             GError **error)
{
  if (opt_cdrom != NULL)
    {
      if (g_str_has_prefix (opt_cdrom, "/dev/"))
        return make_drive_source (ctl, error);
      /* --upload: ours, copied into the host's pool. Otherwise, on a remote
       * host, the ISO is the host's file (in one of its pools). */
      if (opt_upload)
        return vireo_install_source_new_iso_upload (opt_cdrom, error);
      if (host_is_remote (ctl->conn))
        return vireo_install_source_new_remote_iso (opt_cdrom, error);
      return vireo_install_source_new_iso (opt_cdrom, error);
    }
  if (opt_location != NULL)
    return vireo_install_source_new_url (opt_location, opt_extra_args, error);
  if (opt_pxe)
    return vireo_install_source_new_pxe ();
  if (opt_import)
    return vireo_install_source_new_import (opt_disk + strlen ("path="), error);
  {
    static const char *keys[] = { "kernel", "initrd", "cmdline", NULL };
    g_autoptr(GHashTable) spec = parse_spec ("--boot", opt_boot, "cmdline", keys, error);

    if (spec == NULL)
      return NULL;
    if (g_hash_table_lookup (spec, "kernel") == NULL)
      {
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                     _("--boot needs kernel=PATH (and usually initrd=PATH)"));
        return NULL;
      }
    return vireo_install_source_new_kernel (g_hash_table_lookup (spec, "kernel"),
                                            g_hash_table_lookup (spec, "initrd"),
                                            g_hash_table_lookup (spec, "cmdline"), error);
  }
}

static gboolean
apply_disk (VireoInstallPlan *plan,
            GError          **error)
{
  static const char *keys[] = { "size", "pool", "path", NULL };
  g_autoptr(GHashTable) spec = NULL;
  const char *size, *pool, *path;
  guint64 gib = 0;

  if (opt_import)
    return TRUE;   /* the imported image is the disk */
  if (opt_disk == NULL)
    {
      vireo_install_plan_set_disk_new (plan, "default", 0);
      return TRUE;
    }
  if (g_str_equal (opt_disk, "none"))
    {
      vireo_install_plan_set_disk_none (plan);
      return TRUE;
    }
  spec = parse_spec ("--disk", opt_disk, "path", keys, error);
  if (spec == NULL)
    return FALSE;
  size = g_hash_table_lookup (spec, "size");
  pool = g_hash_table_lookup (spec, "pool");
  path = g_hash_table_lookup (spec, "path");
  if (path != NULL)
    {
      if (size != NULL || pool != NULL)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                       _("--disk: path= names an existing disk; it takes no size= or pool="));
          return FALSE;
        }
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                       _("--disk: “%s” does not exist. Give the path of an existing disk "
                         "image, or size=GiB for a new disk."), path);
          return FALSE;
        }
      vireo_install_plan_set_disk_path (plan, path);
      return TRUE;
    }
  if (size != NULL && !g_ascii_string_to_unsigned (size, 10, 1, 1024 * 1024, &gib, NULL))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("--disk: size is a whole number of GiB, such as size=20, not “%s”"), size);
      return FALSE;
    }
  vireo_install_plan_set_disk_new (plan, pool ? pool : "default", (guint) gib);
  return TRUE;
}

static gboolean
apply_network (VireoInstallPlan *plan,
               VireoConnection  *conn,
               GError          **error)
{
  const char *spec = opt_network;

  if (spec == NULL)
    {
      /* libvirt's NAT network where the host has it; user mode elsewhere
       * (the builtin backend, hosts without networks). */
      if (has_network (conn, "default"))
        vireo_install_plan_set_network_virtual (plan, "default");
      else
        vireo_install_plan_set_network_user (plan);
      return TRUE;
    }
  if (g_str_equal (spec, "user"))
    vireo_install_plan_set_network_user (plan);
  else if (g_str_equal (spec, "none"))
    vireo_install_plan_set_network_none (plan);
  else if (g_str_has_prefix (spec, "network=") && spec[8] != '\0')
    {
      if (!has_network (conn, spec + 8))
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                       _("--network: %s has no virtual network named “%s”"),
                       vireo_connection_get_display_name (conn), spec + 8);
          return FALSE;
        }
      vireo_install_plan_set_network_virtual (plan, spec + 8);
    }
  else if (g_str_has_prefix (spec, "bridge=") && spec[7] != '\0')
    vireo_install_plan_set_network_bridge (plan, spec + 7);
  else if (g_str_has_prefix (spec, "direct=") && spec[7] != '\0')
    vireo_install_plan_set_network_direct (plan, spec + 7);
  else
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("--network is network=NAME, bridge=BRIDGE, direct=DEVICE, user or none, not “%s”"), spec);
      return FALSE;
    }
  return TRUE;
}

/* A password from its file: the first line, without its line break. */
static char *
read_password (const char  *file,
               GError     **error)
{
  g_autofree char *text = NULL;

  if (!g_file_test (file, G_FILE_TEST_IS_REGULAR) || access (file, R_OK) != 0 ||
      !g_file_get_contents (file, &text, NULL, NULL))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("--unattended: cannot read the password file “%s”"), file);
      return NULL;
    }
  text[strcspn (text, "\r\n")] = '\0';
  return g_steal_pointer (&text);
}

/* --unattended user=NAME,password-file=FILE[,admin-password-file=FILE]
 * [,timezone=ZONE][,hostname=NAME]: the answers go to the plan, which
 * checks them and the OS's script when it is built. */
static gboolean
apply_unattended (VireoInstallPlan *plan,
                  GError          **error)
{
  static const char *keys[] = { "user", "password-file", "admin-password-file", "timezone",
                                "hostname", NULL };
  g_autoptr(GHashTable) spec = NULL;
  g_autoptr(VireoUnattended) answers = NULL;
  g_autofree char *password = NULL;
  g_autofree char *admin = NULL;
  const char *file, *admin_file;

  if (opt_unattended == NULL)
    return TRUE;
  spec = parse_spec ("--unattended", opt_unattended, NULL, keys, error);
  if (spec == NULL)
    return FALSE;
  file = g_hash_table_lookup (spec, "password-file");
  if (g_hash_table_lookup (spec, "user") == NULL || file == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("--unattended needs user=NAME,password-file=FILE"));
      return FALSE;
    }
  if ((password = read_password (file, error)) == NULL)
    return FALSE;
  admin_file = g_hash_table_lookup (spec, "admin-password-file");
  if (admin_file != NULL && (admin = read_password (admin_file, error)) == NULL)
    return FALSE;

  answers = vireo_unattended_new (g_hash_table_lookup (spec, "user"), password);
  vireo_unattended_set_admin_password (answers, admin);
  vireo_unattended_set_timezone (answers, g_hash_table_lookup (spec, "timezone"));
  vireo_unattended_set_hostname (answers, g_hash_table_lookup (spec, "hostname"));
  vireo_install_plan_set_unattended (plan, answers);
  if (password != NULL)
    memset (password, 0, strlen (password));
  if (admin != NULL)
    memset (admin, 0, strlen (admin));
  return TRUE;
}

/* ---- progress and Ctrl+C ---- */

typedef struct {
  Ctl          *ctl;
  GCancellable *cancellable;
  gboolean      tty;
  char         *last_text;
  gboolean      line_open;
} Create;

static void
on_progress (VireoInstaller *installer,
             Create         *c)
{
  const char *text = vireo_installer_get_step_text (installer);
  double fraction = vireo_installer_get_fraction (installer);

  if (text == NULL)
    return;
  if (c->tty)
    {
      if (fraction >= 0)
        g_printerr ("\r\033[K%s %3.0f%%", text, fraction * 100);
      else
        g_printerr ("\r\033[K%s", text);
      c->line_open = TRUE;
    }
  else if (g_strcmp0 (c->last_text, text) != 0)
    g_printerr ("%s\n", text);
  g_free (c->last_text);
  c->last_text = g_strdup (text);
}

static void
end_progress_line (Create *c)
{
  if (c->line_open)
    g_printerr ("\n");
  c->line_open = FALSE;
}

static gboolean
on_interrupt (gpointer user_data)
{
  Create *c = user_data;

  if (!g_cancellable_is_cancelled (c->cancellable))
    {
      end_progress_line (c);
      g_printerr ("%s\n", _("Cancelling: removing what was created…"));
      g_cancellable_cancel (c->cancellable);
    }
  return G_SOURCE_CONTINUE;
}

/* ---- the command ---- */

int
vireoctl_create (Ctl *ctl)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoInstallSource) source = NULL;
  g_autoptr(VireoInstallPlan) plan = NULL;
  g_autoptr(VireoHostCaps) caps = NULL;
  g_autoptr(VireoInstaller) installer = NULL;
  g_autoptr(VireoDomain) domain = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Create c = { ctl, cancellable, isatty (STDERR_FILENO), NULL, FALSE };
  Wait w = { ctl, NULL };
  guint sigint, sigterm;
  gboolean paravirt;
  int status = EXIT_FAILURE;

  source = make_source (ctl, &error);
  if (source == NULL)
    goto failed;

  vireo_install_query_host_caps_async (ctl->conn, NULL, wait_cb, &w);
  caps = vireo_install_query_host_caps_finish (ctl->conn, wait_run (&w), &error);
  g_clear_object (&w.result);
  if (caps == NULL)
    goto failed;

  /* HVM unless asked otherwise, or unless the host offers only PV. */
  paravirt = opt_paravirt;
  if (!opt_paravirt && !opt_hvm)
    {
      g_auto(GStrv) types = vireo_host_caps_dup_os_types (caps, opt_arch);
      paravirt = !g_strv_contains ((const char * const *) types, "hvm") &&
                 g_strv_contains ((const char * const *) types, "xen");
    }

  plan = vireo_install_plan_new (source);
  vireo_install_plan_set_name (plan, opt_name);
  vireo_install_plan_set_paravirt (plan, paravirt);
  vireo_install_plan_set_virt_type (plan, opt_virt_type);
  vireo_install_plan_set_arch (plan, opt_arch);
  if (opt_memory > 0)
    vireo_install_plan_set_memory_mib (plan, opt_memory);
  if (opt_vcpus > 0)
    vireo_install_plan_set_vcpus (plan, opt_vcpus);
  if (g_strcmp0 (opt_graphics, "spice") == 0)
    vireo_install_plan_set_graphics (plan, VIREO_GRAPHICS_SPICE);
  if (!apply_disk (plan, &error) || !apply_network (plan, ctl->conn, &error) ||
      !apply_unattended (plan, &error))
    goto failed;

  if (opt_os_variant != NULL)
    {
      g_autoptr(VireoOsGuess) os = vireo_os_guess_for_short_id (opt_os_variant, &error);
      if (os == NULL)
        goto failed;
      vireo_install_plan_set_os (plan, os);
    }
  else if (opt_cdrom != NULL && !g_str_has_prefix (opt_cdrom, "/dev/") &&
           (opt_upload || !host_is_remote (ctl->conn)))
    {
      g_autoptr(VireoOsGuess) os = NULL;

      vireo_os_guess_for_media_async (opt_cdrom, NULL, wait_cb, &w);
      /* Not knowing the OS is no reason to stop: defaults apply. */
      os = vireo_os_guess_for_media_finish (wait_run (&w), NULL);
      g_clear_object (&w.result);
      if (os != NULL)
        vireo_install_plan_set_os (plan, os);
    }

  installer = vireo_installer_new (ctl->conn, plan);
  vireo_installer_set_start (installer, !opt_no_start);
  vireo_installer_set_wait_for_install (installer, opt_wait);
  g_signal_connect (installer, "progress", G_CALLBACK (on_progress), &c);
  sigint = g_unix_signal_add (SIGINT, on_interrupt, &c);
  sigterm = g_unix_signal_add (SIGTERM, on_interrupt, &c);

  /* Everything is checked before anything is made. */
  vireo_installer_prepare_async (installer, cancellable, wait_cb, &w);
  if (!vireo_installer_prepare_finish (installer, wait_run (&w), &error))
    goto out;
  g_clear_object (&w.result);

  if (opt_print_xml)
    {
      end_progress_line (&c);
      if (vireo_install_plan_get_install_xml (plan) != NULL)
        g_print ("%s\n", vireo_install_plan_get_install_xml (plan));
      g_print ("%s\n", vireo_install_plan_get_final_xml (plan));
      status = EXIT_SUCCESS;
      goto out;
    }

  vireo_installer_run_async (installer, cancellable, wait_cb, &w);
  domain = vireo_installer_run_finish (installer, wait_run (&w), &error);
  if (domain == NULL)
    goto out;

  end_progress_line (&c);
  if (opt_no_start)
    g_print (_("VM “%s” created on %s; start it with: vireoctl --connect '%s' start '%s'\n"),
             opt_name, ctl->uri, ctl->uri, opt_name);
  else if (opt_wait || opt_import)
    g_print (_("VM “%s” created on %s and running.\n"), opt_name, ctl->uri);
  else
    g_print (_("VM “%s” created on %s; its installation is running. Watch it with: "
               "vireo --connect '%s' --show-domain-console '%s'\n"),
             opt_name, ctl->uri, ctl->uri, opt_name);
  status = EXIT_SUCCESS;

out:
  g_clear_object (&w.result);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_signal_handlers_disconnect_by_data (installer, &c);
  end_progress_line (&c);
  g_free (c.last_text);
  if (status == EXIT_SUCCESS)
    return status;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, VIREO_ERROR, VIREO_ERROR_CANCELLED))
    {
      fail (_("cancelled; nothing of “%s” was left behind"), opt_name);
      return EXIT_FAILURE;
    }

failed:
  fail (_("cannot create “%s”: %s"), opt_name, error ? error->message : _("unknown error"));
  return EXIT_FAILURE;
}
