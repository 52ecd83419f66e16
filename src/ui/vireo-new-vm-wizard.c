/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The New VM wizard: the connection and method page, navigation, and the
 * checks that keep Forward off with a reason. Each page's fields are checked
 * as they change, with an error line beside them; what the host knows
 * (capabilities, memory, pools, networks, names taken) comes from the
 * connection. The other pages: -source.c (source, OS), -pages.c (memory
 * and CPUs, storage, name and network); the plan, customize and the run:
 * -run.c. */
#include "vireo-config.h"

#include <glib/gi18n.h>
#include <gmodule.h>

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

WizardPage
_vireo_new_vm_wizard_get_page (VireoNewVmWizard *self)
{
  const char *name = gtk_stack_get_visible_child_name (self->stack);

  for (guint i = 0; i < N_PAGES; i++)
    if (g_strcmp0 (name, page_names[i]) == 0)
      return i;
  return PAGE_METHOD;
}

void
_vireo_new_vm_wizard_show_page (VireoNewVmWizard *self,
                                WizardPage        page)
{
  gtk_stack_set_visible_child_name (self->stack, page_names[page]);
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

/* The chosen libvirt domain type ("kvm", "qemu", "xen"), or NULL for the
 * host's best (KVM where offered). */
const char *
_vireo_new_vm_wizard_get_virt_type (VireoNewVmWizard *self)
{
  guint i = gtk_drop_down_get_selected (self->accel_dropdown);

  if (self->accel_types == NULL || i >= g_strv_length (self->accel_types))
    return NULL;
  return self->accel_types[i];
}

static const char *
accel_label (const char *type)
{
  if (g_str_equal (type, "kvm"))
    return _("KVM (hardware virtualization)");
  if (g_str_equal (type, "qemu"))
    return _("QEMU (software emulation, TCG: slow)");
  if (g_str_equal (type, "xen"))
    return _("Xen");
  return type;
}

/* The domain types the host offers for the guest chosen (HVM or PV, the
 * host's architecture): a choice only when there are several. The one
 * chosen is kept when still offered; otherwise KVM, the first offered. */
static void
rebuild_accel (VireoNewVmWizard *self)
{
  g_autofree char *old = g_strdup (_vireo_new_vm_wizard_get_virt_type (self));
  g_auto(GStrv) types = NULL;
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accel_model));
  guint select = 0;

  if (self->caps != NULL)
    types = vireo_host_caps_dup_virt_types (self->caps,
                                            _vireo_new_vm_wizard_get_paravirt (self) ? "xen" : "hvm",
                                            _vireo_new_vm_wizard_get_arch (self));
  for (guint i = 0; types != NULL && types[i] != NULL; i++)
    {
      g_ptr_array_add (labels, (gpointer) accel_label (types[i]));
      if (old != NULL ? g_str_equal (old, types[i]) : g_str_equal (types[i], "kvm"))
        select = i;
    }
  g_ptr_array_add (labels, NULL);

  self->updating = TRUE;
  g_strfreev (self->accel_types);
  self->accel_types = g_steal_pointer (&types);
  gtk_string_list_splice (self->accel_model, 0, n, (const char * const *) labels->pdata);
  gtk_drop_down_set_selected (self->accel_dropdown, select);
  self->updating = FALSE;
  gtk_widget_set_visible (self->accel_group, self->accel_types != NULL && g_strv_length (self->accel_types) > 1);
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
  if (vireo_connection_get_state (self->connection) == VIREO_CONNECTION_STATE_CONNECTED &&
      self->drives == NULL && !self->drives_loading && self->drives_error == NULL)
    _vireo_new_vm_wizard_refresh_drives (self);
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
  rebuild_accel (self);
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
  rebuild_accel (self);

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

  /* On a remote host an ISO path is the host's, unless the user has us
   * upload one of ours. */
  gtk_widget_set_visible (GTK_WIDGET (self->iso_upload_check), self->remote);
  if (!self->remote)
    gtk_check_button_set_active (self->iso_upload_check, FALSE);

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
  /* PV and HVM guests may run on different domain types. */
  if (button == self->virt_pv || button == self->virt_hvm)
    rebuild_accel (self);
  _vireo_new_vm_wizard_update (self);
}

/* Navigation ------------------------------------------------------------------ */

gboolean
_vireo_new_vm_wizard_page_is_skipped (VireoNewVmWizard *self,
                 WizardPage        page)
{
  if (page == PAGE_STORAGE)
    return _vireo_new_vm_wizard_get_method (self) == VIREO_INSTALL_METHOD_IMPORT;
  if (page == PAGE_CUSTOMIZE)
    return !gtk_check_button_get_active (self->customize_check);
  return page == PAGE_PROGRESS;
}

char *
_vireo_new_vm_wizard_check_page (VireoNewVmWizard *self,
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
    case PAGE_CUSTOMIZE: return _vireo_new_vm_wizard_check_customize (self);
    case PAGE_PROGRESS:
    default:             return NULL;
    }
}

WizardPage
_vireo_new_vm_wizard_get_last_page (VireoNewVmWizard *self)
{
  return gtk_check_button_get_active (self->customize_check) ? PAGE_CUSTOMIZE : PAGE_NAME;
}

void
_vireo_new_vm_wizard_update (VireoNewVmWizard *self)
{
  WizardPage page = _vireo_new_vm_wizard_get_page (self);
  g_autofree char *reason = NULL;
  g_autofree char *subtitle = NULL;
  gboolean last = page == _vireo_new_vm_wizard_get_last_page (self);
  guint step = 0, steps = 0;

  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;

  if (page != PAGE_PROGRESS)
    reason = _vireo_new_vm_wizard_check_page (self, page);

  for (WizardPage p = PAGE_METHOD; p <= PAGE_CUSTOMIZE; p++)
    if (!_vireo_new_vm_wizard_page_is_skipped (self, p))
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

void
_vireo_new_vm_wizard_go_to (VireoNewVmWizard *self,
       WizardPage        page)
{
  WizardPage from = _vireo_new_vm_wizard_get_page (self);

  if (page == PAGE_RESOURCES || page == PAGE_STORAGE || page == PAGE_NAME)
    _vireo_new_vm_wizard_apply_recommendations (self);
  if (page == PAGE_STORAGE)
    _vireo_new_vm_wizard_rebuild_pools (self);
  if (page == PAGE_NAME)
    _vireo_new_vm_wizard_suggest_name (self);
  if (page == PAGE_CUSTOMIZE && from != PAGE_PROGRESS && !_vireo_new_vm_wizard_start_prepare (self, NULL))
    return;
  if (from == PAGE_CUSTOMIZE && page < PAGE_CUSTOMIZE)
    _vireo_new_vm_wizard_drop_installer (self);

  gtk_stack_set_visible_child_name (self->stack, page_names[page]);
  _vireo_new_vm_wizard_update (self);
}

/* Enter in a field goes on, as Forward (or Finish on the last step) would. */
static void
on_entry_activate (VireoNewVmWizard *self)
{
  WizardPage page = _vireo_new_vm_wizard_get_page (self);

  if (page == PAGE_PROGRESS)
    return;
  gtk_widget_activate_action (GTK_WIDGET (self),
                              page == _vireo_new_vm_wizard_get_last_page (self) ? "wizard.finish" : "wizard.forward", NULL);
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
  WizardPage page = _vireo_new_vm_wizard_get_page (self);
  g_autofree char *reason = _vireo_new_vm_wizard_check_page (self, page);

  if (reason != NULL || page >= _vireo_new_vm_wizard_get_last_page (self))
    return;

  do
    page++;
  while (page < PAGE_PROGRESS && _vireo_new_vm_wizard_page_is_skipped (self, page));
  _vireo_new_vm_wizard_go_to (self, page);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  VireoNewVmWizard *self = VIREO_NEW_VM_WIZARD (widget);
  WizardPage page = _vireo_new_vm_wizard_get_page (self);

  if (page == PAGE_METHOD || page == PAGE_PROGRESS || self->running)
    return;

  do
    page--;
  while (page > PAGE_METHOD && _vireo_new_vm_wizard_page_is_skipped (self, page));
  _vireo_new_vm_wizard_go_to (self, page);
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
  _vireo_new_vm_wizard_drop_installer (self);
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
  g_strfreev (self->accel_types);

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
  BIND (display_group);
  BIND (display_dropdown);
  BIND (accel_group);
  BIND (accel_dropdown);
  BIND (accel_model);
  BIND (unattended_group);
  BIND (unattended_check);
  BIND (unattended_user_entry);
  BIND (unattended_password_entry);
  BIND (unattended_timezone_entry);
  BIND (unattended_hostname_entry);
  BIND (unattended_error_label);
  BIND (iso_entry);
  BIND (iso_browse_button);
  BIND (iso_upload_check);
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
  _vireo_new_vm_wizard_run_class_init (widget_class);
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
  _vireo_new_vm_wizard_run_init (self);

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

/* The entry point of the wizard module (see vireo-module-loader.h). */
G_MODULE_EXPORT GtkWidget *vireo_new_vm_module_new_wizard (VireoApplication *application,
                                                           GtkWindow        *parent,
                                                           VireoConnection  *connection);

G_MODULE_EXPORT GtkWidget *
vireo_new_vm_module_new_wizard (VireoApplication *application,
                                GtkWindow        *parent,
                                VireoConnection  *connection)
{
  return vireo_new_vm_wizard_new (application, parent, connection);
}
