/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The wizard's pages checked against what the host has: memory and CPUs
 * (the OS's recommendations and the host's totals), storage (the pools and
 * their free space) and name and network (names taken on the host, its
 * virtual networks). */
#include "vireo-config.h"

#include <glib/gi18n.h>

#include "vireo-new-vm-wizard-private.h"

#define GIB G_GUINT64_CONSTANT (1073741824)

/* Memory and CPUs ------------------------------------------------------------- */

void
_vireo_new_vm_wizard_apply_recommendations (VireoNewVmWizard *self)
{
  VireoOsGuess *os = _vireo_new_vm_wizard_get_os (self);
  guint64 host_mib = self->connection ? vireo_connection_get_host_memory (self->connection) / 1024 : 0;
  guint host_cpus = self->connection ? vireo_connection_get_host_cpus (self->connection) : 0;
  guint memory, cpus;

  if (os == self->recommended_for)
    return;
  g_set_object (&self->recommended_for, os);

  if (!self->resources_user_set)
    {
      memory = os ? vireo_os_guess_get_memory_mib (os) : 1024;
      cpus = os ? vireo_os_guess_get_vcpus (os) : 1;
      /* A recommendation the host cannot give is no use as a default. */
      if (host_mib > 0 && memory > host_mib)
        memory = host_mib / 2;
      if (host_cpus > 0 && cpus > host_cpus)
        cpus = host_cpus;
      _vireo_new_vm_wizard_set_spin (self, self->memory_spin, MAX (memory, 64));
      _vireo_new_vm_wizard_set_spin (self, self->cpus_spin, MAX (cpus, 1));
    }
  if (!self->disk_size_user_set && os != NULL && vireo_os_guess_get_disk_gib (os) > 0)
    _vireo_new_vm_wizard_set_spin (self, self->disk_size_spin, vireo_os_guess_get_disk_gib (os));
}

char *
_vireo_new_vm_wizard_check_resources (VireoNewVmWizard *self)
{
  VireoOsGuess *os = _vireo_new_vm_wizard_get_os (self);
  guint64 host_mib = self->connection ? vireo_connection_get_host_memory (self->connection) / 1024 : 0;
  guint host_cpus = self->connection ? vireo_connection_get_host_cpus (self->connection) : 0;
  guint memory = _vireo_new_vm_wizard_spin_value (self->memory_spin);
  guint cpus = _vireo_new_vm_wizard_spin_value (self->cpus_spin);
  g_autofree char *memory_text = NULL;
  g_autofree char *cpus_text = NULL;
  g_autofree char *error = NULL;

  if (os != NULL && host_mib > 0)
    memory_text = g_strdup_printf (_("Recommended for %s: %u MiB. The host has %llu MiB."),
                                   vireo_os_guess_get_name (os), vireo_os_guess_get_memory_mib (os),
                                   (unsigned long long) host_mib);
  else if (host_mib > 0)
    memory_text = g_strdup_printf (_("The host has %llu MiB."), (unsigned long long) host_mib);
  if (os != NULL && host_cpus > 0)
    cpus_text = g_strdup_printf (_("Recommended for %s: %u. The host has %u."),
                                 vireo_os_guess_get_name (os), vireo_os_guess_get_vcpus (os), host_cpus);
  else if (host_cpus > 0)
    cpus_text = g_strdup_printf (_("The host has %u."), host_cpus);
  adw_action_row_set_subtitle (self->memory_row, memory_text ? memory_text : "");
  adw_action_row_set_subtitle (self->cpus_row, cpus_text ? cpus_text : "");

  if (host_mib > 0 && memory > host_mib)
    error = g_strdup_printf (_("%u MiB is more memory than the host has (%llu MiB)."),
                             memory, (unsigned long long) host_mib);
  _vireo_new_vm_wizard_set_error (GTK_WIDGET (self->memory_spin), NULL, error);
  if (error == NULL && host_cpus > 0 && cpus > host_cpus)
    {
      error = g_strdup_printf (_("%u CPUs are more than the host has (%u)."), cpus, host_cpus);
      _vireo_new_vm_wizard_set_error (GTK_WIDGET (self->cpus_spin), NULL, error);
    }
  else
    _vireo_new_vm_wizard_set_error (GTK_WIDGET (self->cpus_spin), NULL, NULL);

  _vireo_new_vm_wizard_set_error (NULL, self->resources_error_label, error);
  return g_steal_pointer (&error);
}

static void
on_resources_changed (VireoNewVmWizard *self)
{
  if (self->updating)
    return;
  self->resources_user_set = TRUE;
  _vireo_new_vm_wizard_update (self);
}

/* Storage --------------------------------------------------------------------- */

static VireoPool *
find_pool (VireoNewVmWizard *self,
           const char       *name)
{
  GListModel *pools;
  guint n;

  if (self->connection == NULL || name == NULL)
    return NULL;
  pools = vireo_connection_get_pools (self->connection);
  n = g_list_model_get_n_items (pools);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VireoPool) pool = g_list_model_get_item (pools, i);

      if (g_strcmp0 (vireo_pool_get_name (pool), name) == 0)
        return pool;   /* the model keeps it alive */
    }
  return NULL;
}

const char *
_vireo_new_vm_wizard_get_pool (VireoNewVmWizard *self)
{
  guint i = gtk_drop_down_get_selected (self->pool_dropdown);

  if (self->pool_names == NULL || i == GTK_INVALID_LIST_POSITION || i >= self->pool_names->len)
    return NULL;
  return g_ptr_array_index (self->pool_names, i);
}

void
_vireo_new_vm_wizard_rebuild_pools (VireoNewVmWizard *self)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *keep = g_strdup (_vireo_new_vm_wizard_get_pool (self));
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  guint select = 0;
  guint n = 0;

  if (self->connection != NULL)
    {
      GListModel *pools = vireo_connection_get_pools (self->connection);

      n = g_list_model_get_n_items (pools);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(VireoPool) pool = g_list_model_get_item (pools, i);
          g_autofree char *free_text = g_format_size_full (vireo_pool_get_available (pool),
                                                           G_FORMAT_SIZE_IEC_UNITS);
          const char *name = vireo_pool_get_name (pool);

          if (g_strcmp0 (name, keep) == 0 || (keep == NULL && g_strcmp0 (name, "default") == 0))
            select = names->len;
          g_ptr_array_add (names, g_strdup (name));
          g_ptr_array_add (labels, vireo_pool_get_active (pool)
                                   ? g_strdup_printf (_("%s (%s free)"), name, free_text)
                                   : g_strdup_printf (_("%s (inactive)"), name));
        }
    }
  if (names->len == 0)
    {
      /* The install engine makes the default pool when the host has none. */
      g_ptr_array_add (names, g_strdup ("default"));
      g_ptr_array_add (labels, g_strdup (_("default (made when the VM is created)")));
    }
  g_ptr_array_add (labels, NULL);

  g_clear_pointer (&self->pool_names, g_ptr_array_unref);
  self->pool_names = names;

  self->updating = TRUE;
  gtk_string_list_splice (self->pool_model, 0, g_list_model_get_n_items (G_LIST_MODEL (self->pool_model)),
                          (const char * const *) labels->pdata);
  gtk_drop_down_set_selected (self->pool_dropdown, select);
  self->updating = FALSE;
}

char *
_vireo_new_vm_wizard_check_storage (VireoNewVmWizard *self)
{
  VireoInstallMethod method = _vireo_new_vm_wizard_get_method (self);
  gboolean new_disk = gtk_check_button_get_active (self->storage_new);
  gboolean existing = gtk_check_button_get_active (self->storage_existing);
  g_autofree char *error = NULL;
  GtkWidget *field = NULL;

  gtk_widget_set_sensitive (self->storage_new_grid, new_disk);
  gtk_widget_set_sensitive (self->storage_existing_box, existing);

  if (new_disk)
    {
      const char *name = _vireo_new_vm_wizard_get_pool (self);
      VireoPool *pool = find_pool (self, name);
      guint64 size = (guint64) _vireo_new_vm_wizard_spin_value (self->disk_size_spin) * GIB;

      field = GTK_WIDGET (self->disk_size_spin);
      if (pool != NULL)
        {
          g_autofree char *avail = g_format_size_full (vireo_pool_get_available (pool), G_FORMAT_SIZE_IEC_UNITS);
          g_autofree char *cap = g_format_size_full (vireo_pool_get_capacity (pool), G_FORMAT_SIZE_IEC_UNITS);
          g_autofree char *info = g_strdup_printf (_("%s free of %s in “%s”."), avail, cap, name);

          gtk_label_set_text (self->pool_info_label, info);
          if (!vireo_pool_get_active (pool))
            {
              error = g_strdup_printf (_("The pool “%s” is not active; choose another."), name);
              field = GTK_WIDGET (self->pool_dropdown);
            }
          else if (size > vireo_pool_get_available (pool))
            error = g_strdup_printf (_("A %u GiB disk does not fit in the pool “%s” (%s free)."),
                                     _vireo_new_vm_wizard_spin_value (self->disk_size_spin), name, avail);
        }
      else
        gtk_label_set_text (self->pool_info_label, "");
    }
  else if (existing)
    {
      g_autofree char *path = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->storage_path_entry))));

      field = GTK_WIDGET (self->storage_path_entry);
      if (*path == 0)
        error = g_strdup (_("Enter the path of a disk image or device"));
      else if (!g_path_is_absolute (path))
        error = g_strdup_printf (_("“%s” is not an absolute path."), path);
      else if (!self->remote && !g_file_test (path, G_FILE_TEST_EXISTS))
        error = g_strdup_printf (_("“%s” does not exist."), path);
    }
  else if (method != VIREO_INSTALL_METHOD_PXE && method != VIREO_INSTALL_METHOD_KERNEL)
    {
      field = GTK_WIDGET (self->storage_none);
      error = g_strdup (_("The operating system needs a disk to install to."));
    }

  _vireo_new_vm_wizard_set_error (GTK_WIDGET (self->disk_size_spin), NULL,
                                  field == GTK_WIDGET (self->disk_size_spin) ? error : NULL);
  _vireo_new_vm_wizard_set_error (GTK_WIDGET (self->pool_dropdown), NULL,
                                  field == GTK_WIDGET (self->pool_dropdown) ? error : NULL);
  _vireo_new_vm_wizard_set_error (GTK_WIDGET (self->storage_path_entry), NULL,
                                  field == GTK_WIDGET (self->storage_path_entry) ? error : NULL);
  _vireo_new_vm_wizard_set_error (NULL, self->storage_error_label, error);
  return g_steal_pointer (&error);
}

static void
on_storage_changed (VireoNewVmWizard *self,
                    GObject          *sender)
{
  if (self->updating)
    return;
  if (sender == G_OBJECT (self->disk_size_spin))
    self->disk_size_user_set = TRUE;
  _vireo_new_vm_wizard_update (self);
}

static void
on_browse_storage (VireoNewVmWizard *self)
{
  _vireo_new_vm_wizard_choose_file (self, self->storage_path_entry, _("Choose a Disk"), TRUE);
}

/* Name and network ---------------------------------------------------------- */

/* No virtual network listed: user-mode networking is then the default. */
static gboolean
names_have_no_network (GArray *kinds)
{
  for (guint i = 0; i < kinds->len; i++)
    if (g_array_index (kinds, NetItemKind, i) == NET_ITEM_VIRTUAL)
      return FALSE;
  return TRUE;
}

void
_vireo_new_vm_wizard_rebuild_networks (VireoNewVmWizard *self)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  GArray *kinds = g_array_new (FALSE, FALSE, sizeof (NetItemKind));
  guint old = gtk_drop_down_get_selected (self->network_dropdown);
  NetItemKind old_kind = NET_ITEM_NONE;
  g_autofree char *old_name = NULL;
  guint select = GTK_INVALID_LIST_POSITION;
  NetItemKind kind;

  if (self->network_kinds != NULL && old < self->network_kinds->len)
    {
      old_kind = g_array_index (self->network_kinds, NetItemKind, old);
      old_name = g_strdup (g_ptr_array_index (self->network_names, old));
    }

  if (self->connection != NULL)
    {
      GListModel *networks = vireo_connection_get_networks (self->connection);
      guint n = g_list_model_get_n_items (networks);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(VireoNetwork) net = g_list_model_get_item (networks, i);
          const char *name = vireo_network_get_name (net);

          if (old_name != NULL && old_kind == NET_ITEM_VIRTUAL && g_strcmp0 (name, old_name) == 0)
            select = names->len;
          if (select == GTK_INVALID_LIST_POSITION && old_name == NULL && g_strcmp0 (name, "default") == 0)
            select = names->len;
          kind = NET_ITEM_VIRTUAL;
          g_array_append_val (kinds, kind);
          g_ptr_array_add (names, g_strdup (name));
          g_ptr_array_add (labels, vireo_network_get_active (net)
                                   ? g_strdup_printf (_("Virtual network “%s”"), name)
                                   : g_strdup_printf (_("Virtual network “%s” (inactive)"), name));
        }
    }

  kind = NET_ITEM_BRIDGE;
  if (old_kind == kind && old_name == NULL && self->network_kinds != NULL)
    select = names->len;
  g_array_append_val (kinds, kind);
  g_ptr_array_add (names, NULL);
  g_ptr_array_add (labels, g_strdup (_("Bridge device")));

  /* Macvtap is libvirt's to set up (it needs privileges QEMU run by the
   * user does not have): not offered on the builtin backend. */
  if (self->connection != NULL && !g_str_has_prefix (vireo_connection_get_uri (self->connection), "builtin:"))
    {
      kind = NET_ITEM_DIRECT;
      if (old_kind == kind && self->network_kinds != NULL)
        select = names->len;
      g_array_append_val (kinds, kind);
      g_ptr_array_add (names, NULL);
      g_ptr_array_add (labels, g_strdup (_("Macvtap on a host device")));
    }

  kind = NET_ITEM_USER;
  if ((old_kind == kind && self->network_kinds != NULL) ||
      (select == GTK_INVALID_LIST_POSITION && names_have_no_network (kinds)))
    select = names->len;
  g_array_append_val (kinds, kind);
  g_ptr_array_add (names, NULL);
  g_ptr_array_add (labels, g_strdup (_("User-mode networking")));

  kind = NET_ITEM_NONE;
  if (old_kind == kind && self->network_kinds != NULL && old < self->network_kinds->len)
    select = names->len;
  g_array_append_val (kinds, kind);
  g_ptr_array_add (names, NULL);
  g_ptr_array_add (labels, g_strdup (_("No network")));
  g_ptr_array_add (labels, NULL);

  if (select == GTK_INVALID_LIST_POSITION)
    select = 0;

  g_clear_pointer (&self->network_names, g_ptr_array_unref);
  g_clear_pointer (&self->network_kinds, g_array_unref);
  self->network_names = names;
  self->network_kinds = kinds;

  self->updating = TRUE;
  gtk_string_list_splice (self->network_model, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->network_model)),
                          (const char * const *) labels->pdata);
  gtk_drop_down_set_selected (self->network_dropdown, select);
  self->updating = FALSE;
}

NetItemKind
_vireo_new_vm_wizard_get_network (VireoNewVmWizard *self,
                  const char      **name)
{
  guint i = gtk_drop_down_get_selected (self->network_dropdown);

  *name = NULL;
  if (self->network_kinds == NULL || i >= self->network_kinds->len)
    return NET_ITEM_NONE;
  *name = g_ptr_array_index (self->network_names, i);
  return g_array_index (self->network_kinds, NetItemKind, i);
}

char *
_vireo_new_vm_wizard_dup_name (VireoNewVmWizard *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_entry))));
}

void
_vireo_new_vm_wizard_suggest_name (VireoNewVmWizard *self)
{
  VireoOsGuess *os = _vireo_new_vm_wizard_get_os (self);
  const char *base = os && vireo_os_guess_get_short_id (os) ? vireo_os_guess_get_short_id (os) : "vm";
  g_autofree char *name = g_strdup (base);

  if (self->name_user_set || self->connection == NULL)
    return;

  for (guint i = 2; vireo_connection_find_domain (self->connection, name) != NULL && i < 1000; i++)
    {
      g_free (name);
      name = g_strdup_printf ("%s-%u", base, i);
    }

  self->updating = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), name);
  self->updating = FALSE;
}

static char *
describe_method (VireoNewVmWizard *self)
{
  const char *text;

  switch (_vireo_new_vm_wizard_get_method (self))
    {
    case VIREO_INSTALL_METHOD_ISO:
      return g_strdup_printf (_("From the ISO image %s"), gtk_editable_get_text (GTK_EDITABLE (self->iso_entry)));
    case VIREO_INSTALL_METHOD_CDROM:
      {
        const char *device = _vireo_new_vm_wizard_get_drive (self);

        return g_strdup_printf (_("From the drive %s"), device ? device : "");
      }
    case VIREO_INSTALL_METHOD_URL:
      return g_strdup_printf (_("From the install tree at %s"), gtk_editable_get_text (GTK_EDITABLE (self->url_entry)));
    case VIREO_INSTALL_METHOD_PXE:
      return g_strdup (_("Network boot (PXE)"));
    case VIREO_INSTALL_METHOD_IMPORT:
      return g_strdup_printf (_("Importing %s"), gtk_editable_get_text (GTK_EDITABLE (self->import_entry)));
    case VIREO_INSTALL_METHOD_KERNEL:
    default:
      text = gtk_editable_get_text (GTK_EDITABLE (self->kernel_entry));
      return g_strdup_printf (_("Booting the kernel %s"), text);
    }
}

static void
update_summary (VireoNewVmWizard *self)
{
  VireoOsGuess *os = _vireo_new_vm_wizard_get_os (self);
  g_autofree char *method = describe_method (self);
  g_autofree char *storage = NULL;
  g_autofree char *text = NULL;

  if (_vireo_new_vm_wizard_get_method (self) == VIREO_INSTALL_METHOD_IMPORT)
    storage = g_strdup (_("the imported image"));
  else if (gtk_check_button_get_active (self->storage_new))
    storage = g_strdup_printf (_("a new %u GiB disk in the pool “%s”"), _vireo_new_vm_wizard_spin_value (self->disk_size_spin),
                               _vireo_new_vm_wizard_get_pool (self) ? _vireo_new_vm_wizard_get_pool (self) : "default");
  else if (gtk_check_button_get_active (self->storage_existing))
    storage = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->storage_path_entry)));
  else
    storage = g_strdup (_("no disk"));

  text = g_strdup_printf (_("Connection: %s\nInstall: %s\nOperating system: %s\nMemory: %u MiB, CPUs: %u\nStorage: %s\nDisplay: %s"),
                          self->connection ? vireo_connection_get_display_name (self->connection) : "",
                          method, os ? vireo_os_guess_get_name (os) : _("unknown"),
                          _vireo_new_vm_wizard_spin_value (self->memory_spin), _vireo_new_vm_wizard_spin_value (self->cpus_spin), storage,
                          _vireo_new_vm_wizard_get_graphics (self) == VIREO_GRAPHICS_SPICE ? _("SPICE") : _("VNC"));
  {
    g_autoptr(VireoUnattended) answers = _vireo_new_vm_wizard_dup_unattended (self);

    if (answers != NULL)
      {
        /* Translators: the summary's last line, "Unattended: as alice" */
        char *more = g_strdup_printf (_("%s\nUnattended: as %s"), text, vireo_unattended_get_user (answers));
        g_free (text);
        text = more;
      }
  }
  gtk_label_set_text (self->summary_label, text);
}

VireoGraphicsType
_vireo_new_vm_wizard_get_graphics (VireoNewVmWizard *self)
{
  if (!_vireo_new_vm_wizard_get_paravirt (self) && gtk_drop_down_get_selected (self->display_dropdown) == 1)
    return VIREO_GRAPHICS_SPICE;
  return VIREO_GRAPHICS_VNC;
}

/* The answers for an unattended install, or NULL for an interactive one
 * (not ticked, or not a network tree). */
VireoUnattended *
_vireo_new_vm_wizard_dup_unattended (VireoNewVmWizard *self)
{
  g_autofree char *zone = NULL;
  g_autofree char *host = NULL;
  VireoUnattended *answers;

  if (_vireo_new_vm_wizard_get_method (self) != VIREO_INSTALL_METHOD_URL ||
      !gtk_check_button_get_active (self->unattended_check))
    return NULL;
  answers = vireo_unattended_new (gtk_editable_get_text (GTK_EDITABLE (self->unattended_user_entry)),
                                  gtk_editable_get_text (GTK_EDITABLE (self->unattended_password_entry)));
  zone = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->unattended_timezone_entry))));
  host = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->unattended_hostname_entry))));
  vireo_unattended_set_timezone (answers, *zone ? zone : NULL);
  vireo_unattended_set_hostname (answers, *host ? host : NULL);
  return answers;
}

/* The unattended section: offered for network trees; its answers checked
 * where they are typed. */
static char *
check_unattended (VireoNewVmWizard *self)
{
  gboolean tree = _vireo_new_vm_wizard_get_method (self) == VIREO_INSTALL_METHOD_URL;
  gboolean on = tree && gtk_check_button_get_active (self->unattended_check);
  g_autoptr(VireoUnattended) answers = _vireo_new_vm_wizard_dup_unattended (self);
  g_autoptr(GError) error = NULL;

  gtk_widget_set_visible (self->unattended_group, tree);
  /* A paravirtualized VM's display is VNC: nothing to choose. */
  gtk_widget_set_visible (self->display_group, !_vireo_new_vm_wizard_get_paravirt (self));
  gtk_widget_set_sensitive (GTK_WIDGET (self->unattended_user_entry), on);
  gtk_widget_set_sensitive (GTK_WIDGET (self->unattended_password_entry), on);
  gtk_widget_set_sensitive (GTK_WIDGET (self->unattended_timezone_entry), on);
  gtk_widget_set_sensitive (GTK_WIDGET (self->unattended_hostname_entry), on);
  if (answers != NULL && !vireo_unattended_check (answers, &error))
    {
      _vireo_new_vm_wizard_set_error (GTK_WIDGET (self->unattended_user_entry), self->unattended_error_label,
                                      error->message);
      return g_strdup (error->message);
    }
  _vireo_new_vm_wizard_set_error (GTK_WIDGET (self->unattended_user_entry), self->unattended_error_label, NULL);
  return NULL;
}

char *
_vireo_new_vm_wizard_check_name (VireoNewVmWizard *self)
{
  g_autofree char *unattended_error = check_unattended (self);
  g_autofree char *name = _vireo_new_vm_wizard_dup_name (self);
  g_autofree char *name_error = NULL;
  g_autofree char *network_error = NULL;
  const char *net_name;
  NetItemKind kind = _vireo_new_vm_wizard_get_network (self, &net_name);

  if (*name == 0)
    name_error = g_strdup (_("Enter a name for the virtual machine"));
  else if (strchr (name, '/') != NULL)
    name_error = g_strdup (_("A name cannot contain “/”"));
  else if (g_utf8_strlen (name, -1) > 200)
    name_error = g_strdup (_("The name is too long (at most 200 characters)"));
  else
    {
      for (const char *p = name; *p && name_error == NULL; p = g_utf8_next_char (p))
        if (g_unichar_iscntrl (g_utf8_get_char (p)))
          name_error = g_strdup (_("A name cannot contain control characters"));
    }
  if (name_error == NULL && self->connection != NULL &&
      vireo_connection_find_domain (self->connection, name) != NULL)
    name_error = g_strdup_printf (_("A virtual machine named “%s” already exists on %s"),
                                  name, vireo_connection_get_display_name (self->connection));
  _vireo_new_vm_wizard_set_error (GTK_WIDGET (self->name_entry), self->name_error_label, name_error);

  /* One field names the host device: a bridge, or macvtap's device. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->bridge_entry), kind == NET_ITEM_BRIDGE || kind == NET_ITEM_DIRECT);
  gtk_entry_set_placeholder_text (self->bridge_entry, kind == NET_ITEM_DIRECT
                                  ? _("Host network device, for example eth0")
                                  : _("Bridge device, for example br0"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->bridge_entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  kind == NET_ITEM_DIRECT ? _("Host network device") : _("Bridge device"),
                                  -1);
  if (kind == NET_ITEM_BRIDGE || kind == NET_ITEM_DIRECT)
    {
      g_autofree char *device = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->bridge_entry))));

      if (*device == 0)
        network_error = g_strdup (kind == NET_ITEM_BRIDGE
                                  ? _("Enter the name of the host's bridge device, such as br0")
                                  : _("Enter the name of the host's network device for macvtap, such as eth0"));
      else if (strpbrk (device, " /\t") != NULL)
        network_error = g_strdup_printf (kind == NET_ITEM_BRIDGE
                                         ? _("“%s” is not a bridge device name")
                                         : _("“%s” is not a network device name"), device);
    }
  else if (kind == NET_ITEM_VIRTUAL && self->connection != NULL)
    {
      GListModel *networks = vireo_connection_get_networks (self->connection);
      guint n = g_list_model_get_n_items (networks);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(VireoNetwork) net = g_list_model_get_item (networks, i);

          if (g_strcmp0 (vireo_network_get_name (net), net_name) == 0 && !vireo_network_get_active (net))
            network_error = g_strdup_printf (_("The network “%s” is not active: start it first, or choose another"),
                                             net_name);
        }
    }
  else if (kind == NET_ITEM_NONE && _vireo_new_vm_wizard_get_method (self) == VIREO_INSTALL_METHOD_PXE)
    network_error = g_strdup (_("A network boot needs a network"));
  else if (kind == NET_ITEM_USER && _vireo_new_vm_wizard_get_method (self) == VIREO_INSTALL_METHOD_PXE)
    network_error = g_strdup (_("User-mode networking has no boot server for a network boot: "
                                "choose a virtual network or a host bridge with a PXE server"));
  _vireo_new_vm_wizard_set_error (kind == NET_ITEM_BRIDGE || kind == NET_ITEM_DIRECT
                                  ? GTK_WIDGET (self->bridge_entry) : GTK_WIDGET (self->network_dropdown),
                                  self->network_error_label, network_error);
  if (kind != NET_ITEM_BRIDGE && kind != NET_ITEM_DIRECT)
    _vireo_new_vm_wizard_set_error (GTK_WIDGET (self->bridge_entry), NULL, NULL);

  update_summary (self);

  if (name_error != NULL)
    return g_steal_pointer (&name_error);
  if (network_error != NULL)
    return g_steal_pointer (&network_error);
  return g_steal_pointer (&unattended_error);
}

static void
on_name_changed (VireoNewVmWizard *self)
{
  if (self->updating)
    return;
  self->name_user_set = TRUE;
  _vireo_new_vm_wizard_update (self);
}

static void
on_network_changed (VireoNewVmWizard *self)
{
  if (!self->updating)
    _vireo_new_vm_wizard_update (self);
}

static void
on_customize_toggled (VireoNewVmWizard *self)
{
  _vireo_new_vm_wizard_update (self);
}

void
_vireo_new_vm_wizard_pages_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, on_resources_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_storage_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_browse_storage);
  gtk_widget_class_bind_template_callback (widget_class, on_name_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_network_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_customize_toggled);
}
