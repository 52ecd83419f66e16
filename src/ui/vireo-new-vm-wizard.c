/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The New VM wizard: pages, navigation, the checks that keep Forward off
 * with a reason, and the install run. Each page's fields are checked as they
 * change, with an error line beside them; what the host knows (capabilities,
 * memory, pools, networks, names taken) comes from the connection. The
 * source and OS pages live in vireo-new-vm-wizard-source.c. */
#include "vireo-config.h"

#include <glib/gi18n.h>

#include "vireo-new-vm-wizard-private.h"
#include "vireo-manager-window.h"
#include "vireo-uri.h"
#include "vireo-types.h"

G_DEFINE_FINAL_TYPE (VireoNewVmWizard, vireo_new_vm_wizard, ADW_TYPE_WINDOW)

static const char *page_names[N_PAGES] = {
  "method", "source", "os", "resources", "storage", "name", "customize", "progress",
};

static const char *source_page_names[] = {
  [VIREO_INSTALL_METHOD_ISO] = "iso",
  [VIREO_INSTALL_METHOD_CDROM] = "cdrom",
  [VIREO_INSTALL_METHOD_URL] = "url",
  [VIREO_INSTALL_METHOD_PXE] = "pxe",
  [VIREO_INSTALL_METHOD_IMPORT] = "import",
  [VIREO_INSTALL_METHOD_KERNEL] = "kernel",
};

/* Helpers ------------------------------------------------------------------- */

void
_vireo_new_vm_wizard_set_error (GtkWidget  *field,
                                GtkLabel   *label,
                                const char *message)
{
  gboolean error = message != NULL && *message != 0;

  if (label != NULL)
    {
      if (g_strcmp0 (gtk_label_get_text (label), error ? message : "") != 0)
        gtk_label_set_text (label, error ? message : "");
      gtk_widget_set_visible (GTK_WIDGET (label), error);
    }
  if (field != NULL)
    {
      if (error)
        gtk_widget_add_css_class (field, "error");
      else
        gtk_widget_remove_css_class (field, "error");
      /* Screen readers hear the error with the field. */
      if (error)
        gtk_accessible_update_property (GTK_ACCESSIBLE (field),
                                        GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message, -1);
      else
        gtk_accessible_reset_property (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      gtk_accessible_update_state (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_STATE_INVALID,
                                   error ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE, -1);
    }
}

static WizardPage
current_page (VireoNewVmWizard *self)
{
  const char *name = gtk_stack_get_visible_child_name (self->stack);

  for (guint i = 0; i < N_PAGES; i++)
    if (g_strcmp0 (name, page_names[i]) == 0)
      return i;
  return PAGE_METHOD;
}

VireoInstallMethod
_vireo_new_vm_wizard_get_method (VireoNewVmWizard *self)
{
  if (gtk_check_button_get_active (self->method_cdrom))
    return VIREO_INSTALL_METHOD_CDROM;
  if (gtk_check_button_get_active (self->method_url))
    return VIREO_INSTALL_METHOD_URL;
  if (gtk_check_button_get_active (self->method_pxe))
    return VIREO_INSTALL_METHOD_PXE;
  if (gtk_check_button_get_active (self->method_import))
    return VIREO_INSTALL_METHOD_IMPORT;
  if (gtk_check_button_get_active (self->method_kernel))
    return VIREO_INSTALL_METHOD_KERNEL;
  return VIREO_INSTALL_METHOD_ISO;
}

gboolean
_vireo_new_vm_wizard_get_paravirt (VireoNewVmWizard *self)
{
  return self->caps != NULL && vireo_host_caps_offers_paravirt_choice (self->caps) &&
         gtk_check_button_get_active (self->virt_pv);
}

const char *
_vireo_new_vm_wizard_get_arch (VireoNewVmWizard *self)
{
  const char *arch = self->caps ? vireo_host_caps_get_host_arch (self->caps) : NULL;

  return arch ? arch : "x86_64";
}

/* Connection ------------------------------------------------------------------ */

static void query_caps (VireoNewVmWizard *self);

static char *
connection_display_name (VireoConnection *connection)
{
  return g_strdup (connection ? vireo_connection_get_display_name (connection) : "");
}

static void
on_connection_state (VireoNewVmWizard *self)
{
  if (vireo_connection_get_state (self->connection) == VIREO_CONNECTION_STATE_CONNECTED &&
      self->caps == NULL)
    query_caps (self);
  _vireo_new_vm_wizard_update (self);
}

static void
on_host_lists_changed (VireoNewVmWizard *self)
{
  _vireo_new_vm_wizard_rebuild_pools (self);
  _vireo_new_vm_wizard_rebuild_networks (self);
  _vireo_new_vm_wizard_update (self);
}

static void
caps_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(VireoNewVmWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoHostCaps) caps = NULL;

  caps = vireo_install_query_host_caps_finish (VIREO_CONNECTION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, VIREO_ERROR, VIREO_ERROR_CANCELLED) ||
      VIREO_CONNECTION (object) != self->connection)
    return;

  g_clear_object (&self->caps_cancellable);
  if (caps == NULL)
    self->caps_error = g_strdup_printf (_("Could not read what the host can run: %s"), error->message);
  else
    self->caps = g_steal_pointer (&caps);

  /* PV or HVM is a choice only where the host offers both. */
  gtk_widget_set_visible (self->virt_group,
                          self->caps != NULL && vireo_host_caps_offers_paravirt_choice (self->caps));
  _vireo_new_vm_wizard_update (self);
}

static void
query_caps (VireoNewVmWizard *self)
{
  if (self->caps_cancellable != NULL)
    g_cancellable_cancel (self->caps_cancellable);
  g_clear_object (&self->caps_cancellable);
  g_clear_object (&self->caps);
  g_clear_pointer (&self->caps_error, g_free);
  gtk_widget_set_visible (self->virt_group, FALSE);

  if (self->connection == NULL ||
      vireo_connection_get_state (self->connection) != VIREO_CONNECTION_STATE_CONNECTED)
    return;

  self->caps_cancellable = g_cancellable_new ();
  vireo_install_query_host_caps_async (self->connection, self->caps_cancellable,
                                       caps_done, g_object_ref (self));
}

static void
set_connection (VireoNewVmWizard *self,
                VireoConnection  *connection)
{
  g_auto(VireoUriInfo) info = { 0 };

  if (connection == self->connection)
    return;

  if (self->connection != NULL)
    {
      g_clear_signal_handler (&self->connection_state_handler, self->connection);
      g_clear_signal_handler (&self->pools_handler, vireo_connection_get_pools (self->connection));
      g_clear_signal_handler (&self->networks_handler, vireo_connection_get_networks (self->connection));
    }
  g_set_object (&self->connection, connection);

  self->remote = FALSE;
  if (connection != NULL)
    {
      self->connection_state_handler =
        g_signal_connect_swapped (connection, "notify::state", G_CALLBACK (on_connection_state), self);
      self->pools_handler =
        g_signal_connect_swapped (vireo_connection_get_pools (connection), "items-changed",
                                  G_CALLBACK (on_host_lists_changed), self);
      self->networks_handler =
        g_signal_connect_swapped (vireo_connection_get_networks (connection), "items-changed",
                                  G_CALLBACK (on_host_lists_changed), self);
      if (vireo_uri_parse (vireo_connection_get_uri (connection), &info, NULL))
        self->remote = info.host != NULL && *info.host != 0;
    }

  /* What was detected or checked against the old host no longer holds. */
  _vireo_new_vm_wizard_source_reset (self);
  _vireo_new_vm_wizard_refresh_drives (self);
  query_caps (self);
  _vireo_new_vm_wizard_rebuild_pools (self);
  _vireo_new_vm_wizard_rebuild_networks (self);
}

static void
on_connection_changed (VireoNewVmWizard *self)
{
  set_connection (self, adw_combo_row_get_selected_item (self->connection_row));
  _vireo_new_vm_wizard_update (self);
}

static char *
check_method (VireoNewVmWizard *self)
{
  g_autofree char *connection_error = NULL;
  g_autofree char *virt_error = NULL;
  char *reason = NULL;

  if (self->connection == NULL)
    connection_error = g_strdup (_("There is no connection to create the VM on: add one in the main window first."));
  else
    switch (vireo_connection_get_state (self->connection))
      {
      case VIREO_CONNECTION_STATE_CONNECTED:
        if (self->caps_error != NULL)
          connection_error = g_strdup (self->caps_error);
        else if (self->caps == NULL)
          reason = g_strdup (_("Reading what the host can run…"));
        break;
      case VIREO_CONNECTION_STATE_CONNECTING:
        reason = g_strdup_printf (_("Connecting to %s…"), vireo_connection_get_display_name (self->connection));
        break;
      case VIREO_CONNECTION_STATE_DISCONNECTED:
      default:
        {
          const char *why = vireo_connection_get_error_message (self->connection);

          connection_error = why
            ? g_strdup_printf (_("%s is not connected: %s"), vireo_connection_get_display_name (self->connection), why)
            : g_strdup_printf (_("%s is not connected. Connect it from the main window."),
                               vireo_connection_get_display_name (self->connection));
        }
        break;
      }

  _vireo_new_vm_wizard_set_error (GTK_WIDGET (self->connection_row), self->connection_error_label,
                                  connection_error);

  if (_vireo_new_vm_wizard_get_paravirt (self))
    {
      g_autoptr(VireoInstallSource) probe = NULL;
      g_autoptr(GError) error = NULL;

      /* Only the method matters to this check; a placeholder stands for
       * the source the next page asks for. */
      switch (_vireo_new_vm_wizard_get_method (self))
        {
        case VIREO_INSTALL_METHOD_ISO:
        case VIREO_INSTALL_METHOD_CDROM:
          probe = vireo_install_source_new_remote_iso ("/install.iso", NULL);
          break;
        case VIREO_INSTALL_METHOD_PXE:
          probe = vireo_install_source_new_pxe ();
          break;
        default:
          break;
        }
      if (probe != NULL && !vireo_install_source_allows_paravirt (probe, &error))
        virt_error = g_strdup (error->message);
    }
  _vireo_new_vm_wizard_set_error (GTK_WIDGET (self->virt_pv), self->virt_error_label, virt_error);

  if (connection_error != NULL)
    {
      g_free (reason);
      return g_steal_pointer (&connection_error);
    }
  if (virt_error != NULL && reason == NULL)
    return g_steal_pointer (&virt_error);
  return reason;
}

static void
on_method_toggled (VireoNewVmWizard *self,
                   GtkCheckButton   *button)
{
  /* Each radio toggles twice (off, then the other on): act on the "on". */
  if (!gtk_check_button_get_active (button))
    return;

  gtk_stack_set_visible_child_name (self->source_stack,
                                    source_page_names[_vireo_new_vm_wizard_get_method (self)]);
  _vireo_new_vm_wizard_update (self);
}

/* The plan ------------------------------------------------------------------- */

static VireoInstallPlan *
build_plan (VireoNewVmWizard *self,
            GError          **error)
{
  g_autoptr(VireoInstallSource) source = NULL;
  g_autoptr(VireoInstallPlan) plan = NULL;
  g_autofree char *name = _vireo_new_vm_wizard_dup_name (self);
  VireoInstallMethod method = _vireo_new_vm_wizard_get_method (self);
  VireoOsGuess *os = _vireo_new_vm_wizard_get_os (self);
  const char *net_name;
  NetItemKind kind;

  source = _vireo_new_vm_wizard_build_source (self, error);
  if (source == NULL)
    return NULL;

  plan = vireo_install_plan_new (source);
  vireo_install_plan_set_name (plan, name);
  vireo_install_plan_set_memory_mib (plan, _vireo_new_vm_wizard_spin_value (self->memory_spin));
  vireo_install_plan_set_vcpus (plan, _vireo_new_vm_wizard_spin_value (self->cpus_spin));
  vireo_install_plan_set_paravirt (plan, _vireo_new_vm_wizard_get_paravirt (self));
  if (os != NULL)
    vireo_install_plan_set_os (plan, os);
  if (method == VIREO_INSTALL_METHOD_URL && self->tree != NULL)
    vireo_install_plan_set_tree (plan, self->tree);

  if (method == VIREO_INSTALL_METHOD_IMPORT)
    vireo_install_plan_set_disk_none (plan);
  else if (gtk_check_button_get_active (self->storage_new))
    vireo_install_plan_set_disk_new (plan, _vireo_new_vm_wizard_get_pool (self), _vireo_new_vm_wizard_spin_value (self->disk_size_spin));
  else if (gtk_check_button_get_active (self->storage_existing))
    {
      g_autofree char *path = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->storage_path_entry))));

      vireo_install_plan_set_disk_path (plan, path);
    }
  else
    vireo_install_plan_set_disk_none (plan);

  kind = _vireo_new_vm_wizard_get_network (self, &net_name);
  switch (kind)
    {
    case NET_ITEM_VIRTUAL:
      vireo_install_plan_set_network_virtual (plan, net_name);
      break;
    case NET_ITEM_BRIDGE:
      {
        g_autofree char *bridge = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->bridge_entry))));

        vireo_install_plan_set_network_bridge (plan, bridge);
      }
      break;
    case NET_ITEM_USER:
      vireo_install_plan_set_network_user (plan);
      break;
    case NET_ITEM_NONE:
    default:
      vireo_install_plan_set_network_none (plan);
      break;
    }

  return g_steal_pointer (&plan);
}

static void
drop_installer (VireoNewVmWizard *self)
{
  if (self->run_cancellable != NULL && !self->running)
    g_cancellable_cancel (self->run_cancellable);
  if (!self->running)
    g_clear_object (&self->run_cancellable);
  g_clear_object (&self->installer);
  g_clear_object (&self->plan);
  g_clear_pointer (&self->prepared_xml, g_free);
  self->preparing = FALSE;
  self->prepared = FALSE;
}

/* Customize: the final XML, from the engine --------------------------------- */

static void
show_error_dialog (VireoNewVmWizard *self,
                   const char       *heading,
                   const char       *body)
{
  AdwMessageDialog *dialog;

  /* Plain labels: mnemonic underscores leak into accessible names on GTK 4.8. */
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
  adw_message_dialog_add_response (dialog, "close", _("Close"));
  adw_message_dialog_set_default_response (dialog, "close");
  adw_message_dialog_set_close_response (dialog, "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
prepare_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(VireoNewVmWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  VireoInstaller *installer = VIREO_INSTALLER (object);
  GtkTextBuffer *buffer;
  const char *xml;

  if (!vireo_installer_prepare_finish (installer, result, &error))
    {
      if (installer != self->installer)
        return;
      self->preparing = FALSE;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (error, VIREO_ERROR, VIREO_ERROR_CANCELLED))
        return;
      gtk_label_set_text (self->xml_status_label, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->xml_status_label), "error");
      show_error_dialog (self, _("The configuration could not be made"), error->message);
      gtk_stack_set_visible_child_name (self->stack, page_names[PAGE_NAME]);
      drop_installer (self);
      _vireo_new_vm_wizard_update (self);
      return;
    }
  if (installer != self->installer)
    return;

  self->preparing = FALSE;
  self->prepared = TRUE;
  xml = vireo_install_plan_get_final_xml (self->plan);
  self->prepared_xml = g_strdup (xml ? xml : "");
  buffer = gtk_text_view_get_buffer (self->xml_view);
  if (!self->keep_edits)
    gtk_text_buffer_set_text (buffer, self->prepared_xml, -1);
  self->keep_edits = FALSE;
  gtk_label_set_text (self->xml_status_label, "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->xml_status_label), "error");
  gtk_text_view_set_editable (self->xml_view, TRUE);
  _vireo_new_vm_wizard_update (self);
}

/* `keep_uuid` non-NULL: prepare again for the text the user already edited
 * (after a failed run), under the same identity, leaving the text alone. */
static gboolean
start_prepare (VireoNewVmWizard *self,
               const char       *keep_uuid)
{
  g_autoptr(GError) error = NULL;

  drop_installer (self);
  self->plan = build_plan (self, &error);
  if (self->plan == NULL)
    {
      show_error_dialog (self, _("The configuration could not be made"), error->message);
      return FALSE;
    }
  if (keep_uuid != NULL)
    vireo_install_plan_set_uuid (self->plan, keep_uuid);
  self->keep_edits = keep_uuid != NULL;
  self->installer = vireo_installer_new (self->connection, self->plan);
  self->run_cancellable = g_cancellable_new ();
  self->preparing = TRUE;
  if (!self->keep_edits)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->xml_view), "", -1);
  gtk_text_view_set_editable (self->xml_view, FALSE);
  gtk_label_set_text (self->xml_status_label, _("Preparing the configuration…"));
  gtk_widget_remove_css_class (GTK_WIDGET (self->xml_status_label), "error");
  vireo_installer_prepare_async (self->installer, self->run_cancellable, prepare_done, g_object_ref (self));
  return TRUE;
}

static char *
dup_edited_xml (VireoNewVmWizard *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->xml_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static char *
check_customize (VireoNewVmWizard *self)
{
  g_autofree char *xml = NULL;
  g_autofree char *stripped = NULL;

  if (self->preparing)
    return g_strdup (_("Preparing the configuration…"));
  if (!self->prepared)
    return g_strdup (_("The configuration is not ready"));

  xml = dup_edited_xml (self);
  stripped = g_strstrip (g_strdup (xml));
  if (*stripped == 0 || stripped[0] != '<')
    {
      gtk_label_set_text (self->xml_status_label, _("The configuration must be libvirt domain XML"));
      gtk_widget_add_css_class (GTK_WIDGET (self->xml_status_label), "error");
      return g_strdup (_("The configuration must be libvirt domain XML"));
    }
  gtk_label_set_text (self->xml_status_label, "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->xml_status_label), "error");
  return NULL;
}

static void
on_xml_changed (VireoNewVmWizard *self)
{
  if (self->prepared)
    _vireo_new_vm_wizard_update (self);
}

/* Navigation ------------------------------------------------------------------ */

static gboolean
page_is_skipped (VireoNewVmWizard *self,
                 WizardPage        page)
{
  if (page == PAGE_STORAGE)
    return _vireo_new_vm_wizard_get_method (self) == VIREO_INSTALL_METHOD_IMPORT;
  if (page == PAGE_CUSTOMIZE)
    return !gtk_check_button_get_active (self->customize_check);
  return page == PAGE_PROGRESS;
}

static char *
check_page (VireoNewVmWizard *self,
            WizardPage        page)
{
  switch (page)
    {
    case PAGE_METHOD:    return check_method (self);
    case PAGE_SOURCE:    return _vireo_new_vm_wizard_check_source (self);
    case PAGE_OS:        return _vireo_new_vm_wizard_check_os (self);
    case PAGE_RESOURCES: return _vireo_new_vm_wizard_check_resources (self);
    case PAGE_STORAGE:   return _vireo_new_vm_wizard_check_storage (self);
    case PAGE_NAME:      return _vireo_new_vm_wizard_check_name (self);
    case PAGE_CUSTOMIZE: return check_customize (self);
    case PAGE_PROGRESS:
    default:             return NULL;
    }
}

static WizardPage
last_page (VireoNewVmWizard *self)
{
  return gtk_check_button_get_active (self->customize_check) ? PAGE_CUSTOMIZE : PAGE_NAME;
}

void
_vireo_new_vm_wizard_update (VireoNewVmWizard *self)
{
  WizardPage page = current_page (self);
  g_autofree char *reason = NULL;
  g_autofree char *subtitle = NULL;
  gboolean last = page == last_page (self);
  guint step = 0, steps = 0;

  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;

  if (page != PAGE_PROGRESS)
    reason = check_page (self, page);

  for (WizardPage p = PAGE_METHOD; p <= PAGE_CUSTOMIZE; p++)
    if (!page_is_skipped (self, p))
      {
        steps++;
        if (p <= page)
          step = steps;
      }
  if (page == PAGE_PROGRESS)
    subtitle = g_strdup (_("Creating the virtual machine"));
  else
    subtitle = g_strdup_printf (_("Step %u of %u"), step, steps);
  adw_window_title_set_subtitle (self->window_title, subtitle);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.back",
                                 page != PAGE_METHOD && page != PAGE_PROGRESS && !self->running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.forward",
                                 !last && page != PAGE_PROGRESS && reason == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.finish",
                                 last && reason == NULL && !self->running);

  if (page == PAGE_PROGRESS)
    gtk_label_set_text (self->forward_reason_label, "");
  else
    gtk_label_set_text (self->forward_reason_label, reason ? reason : "");
  if (reason != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (last ? self->finish_button : self->forward_button),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, reason, -1);
  else
    {
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self->forward_button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self->finish_button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }
}

static void
go_to (VireoNewVmWizard *self,
       WizardPage        page)
{
  WizardPage from = current_page (self);

  if (page == PAGE_RESOURCES || page == PAGE_STORAGE || page == PAGE_NAME)
    _vireo_new_vm_wizard_apply_recommendations (self);
  if (page == PAGE_STORAGE)
    _vireo_new_vm_wizard_rebuild_pools (self);
  if (page == PAGE_NAME)
    _vireo_new_vm_wizard_suggest_name (self);
  if (page == PAGE_CUSTOMIZE && from != PAGE_PROGRESS && !start_prepare (self, NULL))
    return;
  if (from == PAGE_CUSTOMIZE && page < PAGE_CUSTOMIZE)
    drop_installer (self);

  gtk_stack_set_visible_child_name (self->stack, page_names[page]);
  _vireo_new_vm_wizard_update (self);
}

/* Enter in a field goes on, as Forward (or Finish on the last step) would. */
static void
on_entry_activate (VireoNewVmWizard *self)
{
  WizardPage page = current_page (self);

  if (page == PAGE_PROGRESS)
    return;
  gtk_widget_activate_action (GTK_WIDGET (self),
                              page == last_page (self) ? "wizard.finish" : "wizard.forward", NULL);
}

static void
on_page_changed (VireoNewVmWizard *self)
{
  _vireo_new_vm_wizard_update (self);
}

static void
forward_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  VireoNewVmWizard *self = VIREO_NEW_VM_WIZARD (widget);
  WizardPage page = current_page (self);
  g_autofree char *reason = check_page (self, page);

  if (reason != NULL || page >= last_page (self))
    return;

  do
    page++;
  while (page < PAGE_PROGRESS && page_is_skipped (self, page));
  go_to (self, page);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  VireoNewVmWizard *self = VIREO_NEW_VM_WIZARD (widget);
  WizardPage page = current_page (self);

  if (page == PAGE_METHOD || page == PAGE_PROGRESS || self->running)
    return;

  do
    page--;
  while (page > PAGE_METHOD && page_is_skipped (self, page));
  go_to (self, page);
}

/* The run ---------------------------------------------------------------------- */

static void
on_progress (VireoNewVmWizard *self,
             VireoInstaller   *installer)
{
  double fraction = vireo_installer_get_fraction (installer);
  const char *text = vireo_installer_get_step_text (installer);

  if (installer != self->installer || self->cancelling)
    return;

  if (fraction < 0)
    gtk_progress_bar_pulse (self->progress_bar);
  else
    gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0.0, 1.0));
  gtk_label_set_text (self->progress_step_label, text ? text : "");
}

static void
run_done (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(VireoNewVmWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoDomain) domain = NULL;
  g_autofree char *name = NULL;
  WizardPage current_page_before_run = last_page (self);
  gboolean cancelled;
  GtkWindow *parent;

  domain = vireo_installer_run_finish (VIREO_INSTALLER (object), result, &error);
  self->running = FALSE;
  g_signal_handlers_disconnect_by_func (object, on_progress, self);
  name = _vireo_new_vm_wizard_dup_name (self);

  if (domain != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Created “%s”"), vireo_domain_get_name (domain));

      parent = gtk_window_get_transient_for (GTK_WINDOW (self));
      if (VIREO_IS_MANAGER_WINDOW (parent))
        vireo_manager_window_show_toast (VIREO_MANAGER_WINDOW (parent), message);
      drop_installer (self);
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }

  cancelled = self->cancelling ||
              g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
              g_error_matches (error, VIREO_ERROR, VIREO_ERROR_CANCELLED);
  if (!cancelled && current_page_before_run == PAGE_CUSTOMIZE && self->plan != NULL)
    {
      /* Back to the edited configuration, to fix what the host refused. */
      g_autofree char *uuid = g_strdup (vireo_install_plan_get_uuid (self->plan));

      gtk_stack_set_visible_child_name (self->stack, page_names[PAGE_CUSTOMIZE]);
      start_prepare (self, uuid);
    }
  else
    {
      drop_installer (self);
      gtk_stack_set_visible_child_name (self->stack, page_names[PAGE_NAME]);
    }

  if (cancelled && self->close_when_done)
    {
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }
  if (cancelled)
    {
      self->cancelling = FALSE;
      _vireo_new_vm_wizard_update (self);
      gtk_label_set_text (self->forward_reason_label,
                          _("The installation was cancelled; what it had made was removed."));
      return;
    }

  _vireo_new_vm_wizard_update (self);
  {
    g_autofree char *heading = g_strdup_printf (_("Could not create “%s”"), name);

    g_message ("%s: %s", heading, error->message);
    show_error_dialog (self, heading, error->message);
  }
}

static void
finish_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  VireoNewVmWizard *self = VIREO_NEW_VM_WIZARD (widget);
  WizardPage page = current_page (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *name = NULL;

  if (self->running || page != last_page (self))
    return;

  /* Everything again: the host may have changed since those pages. */
  for (WizardPage p = PAGE_METHOD; p <= page; p++)
    {
      g_autofree char *reason = NULL;

      if (page_is_skipped (self, p))
        continue;
      reason = check_page (self, p);
      if (reason != NULL)
        {
          if (p != page)
            go_to (self, p);
          _vireo_new_vm_wizard_update (self);
          return;
        }
    }

  if (page == PAGE_CUSTOMIZE)
    {
      g_autofree char *xml = dup_edited_xml (self);

      if (self->installer == NULL)
        return;
      if (g_strcmp0 (xml, self->prepared_xml) != 0)
        vireo_installer_set_final_xml (self->installer, xml);
    }
  else
    {
      drop_installer (self);
      self->plan = build_plan (self, &error);
      if (self->plan == NULL)
        {
          show_error_dialog (self, _("The virtual machine could not be created"), error->message);
          return;
        }
      self->installer = vireo_installer_new (self->connection, self->plan);
      self->run_cancellable = g_cancellable_new ();
    }

  name = _vireo_new_vm_wizard_dup_name (self);
  title = g_strdup_printf (_("Creating “%s”…"), name);
  gtk_label_set_text (self->progress_title_label, title);
  gtk_label_set_text (self->progress_step_label, _("Starting…"));
  gtk_progress_bar_set_fraction (self->progress_bar, 0);

  self->running = TRUE;
  self->cancelling = FALSE;
  vireo_installer_set_start (self->installer, TRUE);
  g_signal_connect_object (self->installer, "progress", G_CALLBACK (on_progress), self, G_CONNECT_SWAPPED);
  gtk_stack_set_visible_child_name (self->stack, page_names[PAGE_PROGRESS]);
  _vireo_new_vm_wizard_update (self);
  vireo_installer_run_async (self->installer, self->run_cancellable, run_done, g_object_ref (self));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  VireoNewVmWizard *self = VIREO_NEW_VM_WIZARD (widget);

  if (self->running)
    {
      /* The engine removes what it made, then the run completes. */
      if (!self->cancelling)
        {
          self->cancelling = TRUE;
          g_cancellable_cancel (self->run_cancellable);
          gtk_label_set_text (self->progress_step_label, _("Cancelling: removing what was made…"));
        }
      return;
    }

  gtk_window_close (GTK_WINDOW (self));
}

static gboolean
vireo_new_vm_wizard_close_request (GtkWindow *window)
{
  VireoNewVmWizard *self = VIREO_NEW_VM_WIZARD (window);

  /* Closing during a run cancels it; the window goes once it has cleaned up. */
  if (self->running)
    {
      self->close_when_done = TRUE;
      gtk_widget_activate_action (GTK_WIDGET (self), "wizard.cancel", NULL);
      return TRUE;
    }
  return GTK_WINDOW_CLASS (vireo_new_vm_wizard_parent_class)->close_request (window);
}

/* GObject ---------------------------------------------------------------------- */

static void
vireo_new_vm_wizard_dispose (GObject *object)
{
  VireoNewVmWizard *self = VIREO_NEW_VM_WIZARD (object);

  g_cancellable_cancel (self->cancellable);
  if (self->caps_cancellable != NULL)
    g_cancellable_cancel (self->caps_cancellable);
  /* Only drop state here: updating widgets of a window being destroyed
   * makes GTK 4.8's AT-SPI bridge look up objects it has already dropped. */
  if (self->connection != NULL)
    {
      g_clear_signal_handler (&self->connection_state_handler, self->connection);
      g_clear_signal_handler (&self->pools_handler, vireo_connection_get_pools (self->connection));
      g_clear_signal_handler (&self->networks_handler, vireo_connection_get_networks (self->connection));
      g_clear_object (&self->connection);
    }
  _vireo_new_vm_wizard_source_dispose (self);
  self->running = FALSE;
  drop_installer (self);
  g_clear_object (&self->caps_cancellable);
  g_clear_object (&self->caps);
  g_clear_pointer (&self->caps_error, g_free);
  g_clear_object (&self->recommended_for);
  g_clear_object (&self->pool_model);
  g_clear_pointer (&self->pool_names, g_ptr_array_unref);
  g_clear_object (&self->network_model);
  g_clear_pointer (&self->network_kinds, g_array_unref);
  g_clear_pointer (&self->network_names, g_ptr_array_unref);
  g_clear_object (&self->application);

  gtk_widget_dispose_template (GTK_WIDGET (self), VIREO_TYPE_NEW_VM_WIZARD);

  G_OBJECT_CLASS (vireo_new_vm_wizard_parent_class)->dispose (object);
}

static void
vireo_new_vm_wizard_finalize (GObject *object)
{
  VireoNewVmWizard *self = VIREO_NEW_VM_WIZARD (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (vireo_new_vm_wizard_parent_class)->finalize (object);
}

static void
vireo_new_vm_wizard_class_init (VireoNewVmWizardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = vireo_new_vm_wizard_dispose;
  object_class->finalize = vireo_new_vm_wizard_finalize;
  window_class->close_request = vireo_new_vm_wizard_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/vireo/Vireo/vireo-new-vm-wizard.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, VireoNewVmWizard, name)
  BIND (window_title);
  BIND (cancel_button);
  BIND (back_button);
  BIND (forward_button);
  BIND (finish_button);
  BIND (stack);
  BIND (forward_reason_label);
  BIND (connection_row);
  BIND (connection_error_label);
  BIND (method_iso);
  BIND (method_cdrom);
  BIND (method_url);
  BIND (method_pxe);
  BIND (method_import);
  BIND (method_kernel);
  BIND (virt_group);
  BIND (virt_hvm);
  BIND (virt_pv);
  BIND (virt_error_label);
  BIND (source_stack);
  BIND (iso_entry);
  BIND (iso_error_label);
  BIND (cdrom_dropdown);
  BIND (cdrom_error_label);
  BIND (url_entry);
  BIND (url_args_entry);
  BIND (url_spinner);
  BIND (url_status_label);
  BIND (import_entry);
  BIND (import_error_label);
  BIND (kernel_entry);
  BIND (initrd_entry);
  BIND (cmdline_entry);
  BIND (kernel_error_label);
  BIND (os_detect_check);
  BIND (os_detected_label);
  BIND (os_fallback_label);
  BIND (os_choose_group);
  BIND (os_search_entry);
  BIND (os_list);
  BIND (os_error_label);
  BIND (memory_row);
  BIND (memory_spin);
  BIND (cpus_row);
  BIND (cpus_spin);
  BIND (resources_error_label);
  BIND (storage_new);
  BIND (storage_new_grid);
  BIND (pool_dropdown);
  BIND (disk_size_spin);
  BIND (pool_info_label);
  BIND (storage_existing);
  BIND (storage_existing_box);
  BIND (storage_path_entry);
  BIND (storage_none);
  BIND (storage_error_label);
  BIND (name_entry);
  BIND (name_error_label);
  BIND (network_dropdown);
  BIND (bridge_entry);
  BIND (network_error_label);
  BIND (summary_label);
  BIND (customize_check);
  BIND (xml_status_label);
  BIND (xml_view);
  BIND (progress_title_label);
  BIND (progress_bar);
  BIND (progress_step_label);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, on_page_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_connection_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_method_toggled);
  _vireo_new_vm_wizard_source_class_init (widget_class);
  _vireo_new_vm_wizard_pages_class_init (widget_class);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_DIALOG);
  gtk_widget_class_install_action (widget_class, "wizard.forward", NULL, forward_action);
  gtk_widget_class_install_action (widget_class, "wizard.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "wizard.finish", NULL, finish_action);
  gtk_widget_class_install_action (widget_class, "wizard.cancel", NULL, cancel_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "wizard.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, GDK_ALT_MASK, "wizard.forward", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, GDK_ALT_MASK, "wizard.back", NULL);
}

static void
vireo_new_vm_wizard_init (VireoNewVmWizard *self)
{
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->pool_model = gtk_string_list_new (NULL);
  gtk_drop_down_set_model (self->pool_dropdown, G_LIST_MODEL (self->pool_model));
  self->network_model = gtk_string_list_new (NULL);
  gtk_drop_down_set_model (self->network_dropdown, G_LIST_MODEL (self->network_model));
  g_signal_connect_object (gtk_text_view_get_buffer (self->xml_view), "changed",
                           G_CALLBACK (on_xml_changed), self, G_CONNECT_SWAPPED);

  _vireo_new_vm_wizard_source_init (self);

  {
    GtkEntry *entries[] = {
      self->iso_entry, self->url_entry, self->url_args_entry, self->import_entry,
      self->kernel_entry, self->initrd_entry, self->cmdline_entry,
      self->storage_path_entry, self->name_entry, self->bridge_entry,
    };

    for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
      g_signal_connect_object (entries[i], "activate", G_CALLBACK (on_entry_activate),
                               self, G_CONNECT_SWAPPED);
  }
}

GtkWidget *
vireo_new_vm_wizard_new (VireoApplication *application,
                         GtkWindow        *parent,
                         VireoConnection  *connection)
{
  VireoNewVmWizard *self;
  GListModel *connections;
  GtkExpression *expression;
  guint n, select = 0;

  g_return_val_if_fail (VIREO_IS_APPLICATION (application), NULL);

  self = g_object_new (VIREO_TYPE_NEW_VM_WIZARD,
                       "application", application,
                       "transient-for", parent,
                       NULL);
  self->application = g_object_ref (application);

  connections = vireo_application_get_connections (application);
  n = g_list_model_get_n_items (connections);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VireoConnection) c = g_list_model_get_item (connections, i);

      /* The selected connection, else the first one that is connected. */
      if (c == connection)
        {
          select = i;
          break;
        }
      if (connection == NULL && vireo_connection_get_state (c) == VIREO_CONNECTION_STATE_CONNECTED)
        {
          select = i;
          connection = c;
        }
    }

  expression = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                            G_CALLBACK (connection_display_name), NULL, NULL);
  adw_combo_row_set_expression (self->connection_row, expression);
  gtk_expression_unref (expression);
  adw_combo_row_set_model (self->connection_row, connections);
  if (n > 0)
    adw_combo_row_set_selected (self->connection_row, select);
  on_connection_changed (self);

  gtk_stack_set_visible_child_name (self->source_stack, source_page_names[VIREO_INSTALL_METHOD_ISO]);
  gtk_stack_set_visible_child_name (self->stack, page_names[PAGE_METHOD]);
  _vireo_new_vm_wizard_update (self);

  return GTK_WIDGET (self);
}
