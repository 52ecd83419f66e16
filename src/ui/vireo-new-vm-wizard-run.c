/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The wizard's end: the user's choices as an install plan, the final XML
 * for "Customize before install" (from the engine's prepare step, edited
 * in place), and the run with its progress, Cancel and errors. */
#include "vireo-config.h"

#include <glib/gi18n.h>

#include "vireo-new-vm-wizard-private.h"
#include "vireo-manager-window.h"
#include "vireo-types.h"

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
  vireo_install_plan_set_virt_type (plan, _vireo_new_vm_wizard_get_virt_type (self));
  vireo_install_plan_set_graphics (plan, _vireo_new_vm_wizard_get_graphics (self));
  {
    g_autoptr(VireoUnattended) answers = _vireo_new_vm_wizard_dup_unattended (self);

    vireo_install_plan_set_unattended (plan, answers);
  }
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
    case NET_ITEM_DIRECT:
      {
        g_autofree char *device = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->bridge_entry))));

        vireo_install_plan_set_network_direct (plan, device);
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

void
_vireo_new_vm_wizard_drop_installer (VireoNewVmWizard *self)
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
      _vireo_new_vm_wizard_show_page (self, PAGE_NAME);
      _vireo_new_vm_wizard_drop_installer (self);
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
gboolean
_vireo_new_vm_wizard_start_prepare (VireoNewVmWizard *self,
               const char       *keep_uuid)
{
  g_autoptr(GError) error = NULL;

  _vireo_new_vm_wizard_drop_installer (self);
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

char *
_vireo_new_vm_wizard_check_customize (VireoNewVmWizard *self)
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
  WizardPage current_page_before_run = _vireo_new_vm_wizard_get_last_page (self);
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
      _vireo_new_vm_wizard_drop_installer (self);
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

      _vireo_new_vm_wizard_show_page (self, PAGE_CUSTOMIZE);
      _vireo_new_vm_wizard_start_prepare (self, uuid);
    }
  else
    {
      _vireo_new_vm_wizard_drop_installer (self);
      _vireo_new_vm_wizard_show_page (self, PAGE_NAME);
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
  WizardPage page = _vireo_new_vm_wizard_get_page (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *name = NULL;

  if (self->running || page != _vireo_new_vm_wizard_get_last_page (self))
    return;

  /* Everything again: the host may have changed since those pages. */
  for (WizardPage p = PAGE_METHOD; p <= page; p++)
    {
      g_autofree char *reason = NULL;

      if (_vireo_new_vm_wizard_page_is_skipped (self, p))
        continue;
      reason = _vireo_new_vm_wizard_check_page (self, p);
      if (reason != NULL)
        {
          if (p != page)
            _vireo_new_vm_wizard_go_to (self, p);
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
      _vireo_new_vm_wizard_drop_installer (self);
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
  _vireo_new_vm_wizard_show_page (self, PAGE_PROGRESS);
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


void
_vireo_new_vm_wizard_run_init (VireoNewVmWizard *self)
{
  g_signal_connect_object (gtk_text_view_get_buffer (self->xml_view), "changed",
                           G_CALLBACK (on_xml_changed), self, G_CONNECT_SWAPPED);
}

void
_vireo_new_vm_wizard_run_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "wizard.finish", NULL, finish_action);
  gtk_widget_class_install_action (widget_class, "wizard.cancel", NULL, cancel_action);
}
