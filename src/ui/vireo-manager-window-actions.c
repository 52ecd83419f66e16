/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <glib/gi18n.h>

#include "vireo-manager-window-private.h"
#include "vireo-ui-util.h"
#include "vireo-application.h"
#include "vireo-module-loader.h"

static const struct {
  const char        *name;
  VireoDomainAction  action;
} domain_actions[] = {
  { "win.run",       VIREO_DOMAIN_ACTION_START },
  { "win.pause",     VIREO_DOMAIN_ACTION_PAUSE },
  { "win.resume",    VIREO_DOMAIN_ACTION_RESUME },
  { "win.shutdown",  VIREO_DOMAIN_ACTION_SHUTDOWN },
  { "win.reboot",    VIREO_DOMAIN_ACTION_REBOOT },
  { "win.reset",     VIREO_DOMAIN_ACTION_RESET },
  { "win.force-off", VIREO_DOMAIN_ACTION_FORCE_OFF },
  { "win.save",      VIREO_DOMAIN_ACTION_SAVE },
  { "win.restore",   VIREO_DOMAIN_ACTION_RESTORE },
  { "win.delete",    VIREO_DOMAIN_ACTION_DELETE },
};

/* Running an action ------------------------------------------------------ */

typedef struct {
  GWeakRef          window;
  VireoDomain      *domain;
  VireoDomainAction action;
} ActionData;

static void
action_data_free (ActionData *data)
{
  g_weak_ref_clear (&data->window);
  g_clear_object (&data->domain);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ActionData, action_data_free)

static void
run_action_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ActionData) data = user_data;
  g_autoptr(VireoManagerWindow) self = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (vireo_domain_run_action_finish (VIREO_DOMAIN (object), result, &error))
    return;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, VIREO_ERROR, VIREO_ERROR_CANCELLED))
    return;

  message = vireo_ui_format_action_error (data->action, vireo_domain_get_name (data->domain), error->message);
  g_message ("%s", message);

  self = g_weak_ref_get (&data->window);
  if (self != NULL)
    vireo_manager_window_show_toast (self, message);
}

void
_vireo_manager_window_run_action (VireoManagerWindow *self,
                                  VireoDomain        *domain,
                                  VireoDomainAction   action,
                                  VireoActionFlags    flags)
{
  ActionData *data;

  g_return_if_fail (VIREO_IS_MANAGER_WINDOW (self));
  g_return_if_fail (VIREO_IS_DOMAIN (domain));

  data = g_new0 (ActionData, 1);
  g_weak_ref_init (&data->window, self);
  data->domain = g_object_ref (domain);
  data->action = action;

  vireo_domain_run_action_async (domain, action, flags, NULL, run_action_cb, data);
}

/* Asking first ----------------------------------------------------------- */

typedef struct {
  VireoManagerWindow *window;
  VireoDomain        *domain;
  VireoConnection    *connection;
  GtkCheckButton     *storage_check;
  VireoDomainAction   action;
} ConfirmData;

static void
confirm_data_free (gpointer  user_data,
                   GClosure *closure)
{
  ConfirmData *data = user_data;

  g_clear_object (&data->window);
  g_clear_object (&data->domain);
  g_clear_object (&data->connection);
  g_free (data);
}

static void
on_confirm_response (AdwMessageDialog *dialog,
                     const char       *response,
                     ConfirmData      *data)
{
  VireoActionFlags flags = VIREO_ACTION_FLAGS_NONE;

  if (g_strcmp0 (response, "confirm") != 0)
    return;

  if (data->connection != NULL)
    {
      GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (data->window)));

      if (app != NULL)
        vireo_application_remove_connection (VIREO_APPLICATION (app), data->connection);
      return;
    }

  if (data->storage_check != NULL && gtk_check_button_get_active (data->storage_check))
    flags |= VIREO_ACTION_FLAGS_REMOVE_STORAGE;

  _vireo_manager_window_run_action (data->window, data->domain, data->action, flags);
}

static AdwMessageDialog *
confirm_dialog_new (VireoManagerWindow *self,
                    const char         *heading,
                    const char         *body,
                    const char         *confirm_label,
                    ConfirmData        *data)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("Cancel"),
                                    "confirm", confirm_label,
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "confirm", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");

  data->window = g_object_ref (self);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_confirm_response),
                         data, confirm_data_free, 0);

  return dialog;
}

static void
confirm_domain_action (VireoManagerWindow *self,
                       VireoDomain        *domain,
                       VireoDomainAction   action)
{
  const char *name = vireo_domain_get_name (domain);
  g_autofree char *heading = NULL;
  const char *body;
  const char *label;
  AdwMessageDialog *dialog;
  ConfirmData *data;

  data = g_new0 (ConfirmData, 1);
  data->domain = g_object_ref (domain);
  data->action = action;

  switch (action)
    {
    case VIREO_DOMAIN_ACTION_FORCE_OFF:
      heading = g_strdup_printf (_("Force Off “%s”?"), name);
      body = _("The virtual machine is turned off at once, as if its power cord were pulled. "
               "Data it has not saved is lost.");
      label = _("Force Off");
      break;

    case VIREO_DOMAIN_ACTION_RESET:
      heading = g_strdup_printf (_("Reset “%s”?"), name);
      body = _("The virtual machine restarts at once, without shutting down. "
               "Data it has not saved is lost.");
      label = _("Reset");
      break;

    case VIREO_DOMAIN_ACTION_DELETE:
    default:
      heading = g_strdup_printf (_("Delete “%s”?"), name);
      body = _("The virtual machine and its configuration are removed for good. "
               "This cannot be undone.");
      label = _("Delete");
      break;
    }

  dialog = confirm_dialog_new (self, heading, body, label, data);

  if (action == VIREO_DOMAIN_ACTION_DELETE)
    {
      GtkWidget *check = gtk_check_button_new_with_label (_("Delete associated storage"));

      data->storage_check = GTK_CHECK_BUTTON (check);
      adw_message_dialog_set_extra_child (dialog, check);
    }

  gtk_window_present (GTK_WINDOW (dialog));
}

/* Action callbacks ------------------------------------------------------- */

static void
domain_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  VireoManagerWindow *self = VIREO_MANAGER_WINDOW (widget);
  VireoDomain *domain = self->selected_domain;

  if (domain == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (domain_actions); i++)
    {
      VireoDomainAction action = domain_actions[i].action;

      if (g_strcmp0 (domain_actions[i].name, action_name) != 0)
        continue;

      if (!vireo_domain_can (domain, action))
        return;

      if (action == VIREO_DOMAIN_ACTION_FORCE_OFF ||
          action == VIREO_DOMAIN_ACTION_RESET ||
          action == VIREO_DOMAIN_ACTION_DELETE)
        confirm_domain_action (self, domain, action);
      else
        _vireo_manager_window_run_action (self, domain, action, VIREO_ACTION_FLAGS_NONE);
      return;
    }
}

static void
autostart_action_cb (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  VireoManagerWindow *self = VIREO_MANAGER_WINDOW (widget);
  VireoDomain *domain = self->selected_domain;
  VireoDomainAction action;

  if (domain == NULL)
    return;

  action = vireo_domain_get_autostart (domain)
    ? VIREO_DOMAIN_ACTION_AUTOSTART_OFF
    : VIREO_DOMAIN_ACTION_AUTOSTART_ON;

  if (vireo_domain_can (domain, action))
    _vireo_manager_window_run_action (self, domain, action, VIREO_ACTION_FLAGS_NONE);
}

static gboolean
toggle_pause_cb (GtkWidget *widget,
                 GVariant  *args,
                 gpointer   user_data)
{
  VireoManagerWindow *self = VIREO_MANAGER_WINDOW (widget);
  VireoDomain *domain = self->selected_domain;

  if (domain == NULL)
    return FALSE;

  if (vireo_domain_can (domain, VIREO_DOMAIN_ACTION_RESUME))
    _vireo_manager_window_run_action (self, domain, VIREO_DOMAIN_ACTION_RESUME, VIREO_ACTION_FLAGS_NONE);
  else if (vireo_domain_can (domain, VIREO_DOMAIN_ACTION_PAUSE))
    _vireo_manager_window_run_action (self, domain, VIREO_DOMAIN_ACTION_PAUSE, VIREO_ACTION_FLAGS_NONE);
  else
    return FALSE;

  return TRUE;
}

static void
connect_action_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  VireoManagerWindow *self = VIREO_MANAGER_WINDOW (widget);
  VireoConnection *connection = self->selected_connection;

  if (connection != NULL &&
      vireo_connection_get_state (connection) == VIREO_CONNECTION_STATE_DISCONNECTED)
    vireo_connection_open_async (connection, NULL, NULL, NULL);
}

static void
disconnect_action_cb (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  VireoManagerWindow *self = VIREO_MANAGER_WINDOW (widget);

  if (self->selected_connection != NULL)
    vireo_connection_close (self->selected_connection);
}

static void
remove_connection_action_cb (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  VireoManagerWindow *self = VIREO_MANAGER_WINDOW (widget);
  VireoConnection *connection = self->selected_connection;
  g_autofree char *heading = NULL;
  ConfirmData *data;
  AdwMessageDialog *dialog;

  if (connection == NULL)
    return;

  data = g_new0 (ConfirmData, 1);
  data->connection = g_object_ref (connection);

  heading = g_strdup_printf (_("Remove “%s”?"), vireo_connection_get_display_name (connection));
  dialog = confirm_dialog_new (self, heading,
                               _("The connection is closed and no longer listed. "
                                 "Its virtual machines are not changed."),
                               _("Remove"), data);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
copy_to_action_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  _vireo_manager_window_copy_to (VIREO_MANAGER_WINDOW (widget));
}

static void
context_menu_action_cb (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  _vireo_manager_window_popup_menu (VIREO_MANAGER_WINDOW (widget));
}

/* The shortcuts window is built when asked for and destroyed when closed.
 * It is not GtkApplication's automatic help overlay, which builds one hidden
 * window per application window at start-up: that costs memory, and GTK 4.8's
 * AT-SPI root answers a GetChildAtIndex past the shown windows with the last
 * toplevel, crashing on a hidden one whose accessible was never realized. */
static void
show_help_overlay_action_cb (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  g_autoptr(GtkBuilder) builder = NULL;
  GtkWindow *shortcuts;

  builder = gtk_builder_new_from_resource ("/io/github/vireo/Vireo/vireo-shortcuts-window.ui");
  shortcuts = GTK_WINDOW (gtk_builder_get_object (builder, "shortcuts_window"));
  gtk_window_set_transient_for (shortcuts, GTK_WINDOW (widget));
  gtk_window_set_hide_on_close (shortcuts, FALSE);
  gtk_window_present (shortcuts);
}

static void
search_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  VireoManagerWindow *self = VIREO_MANAGER_WINDOW (widget);
  gboolean active = !gtk_toggle_button_get_active (self->search_button);

  gtk_toggle_button_set_active (self->search_button, active);
  if (active)
    gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* State ------------------------------------------------------------------ */

static void
set_autostart_label (GMenu      *section,
                     const char *label)
{
  if (g_menu_model_get_n_items (G_MENU_MODEL (section)) > 0)
    g_menu_remove_all (section);
  g_menu_append (section, label, "win.autostart");
}

static void
vireo_manager_window_set_autostart_on (VireoManagerWindow *self,
                                       gboolean            autostart_on)
{
  const char *label;

  if (self->autostart_on == autostart_on &&
      g_menu_model_get_n_items (G_MENU_MODEL (self->more_autostart_section)) > 0)
    return;

  self->autostart_on = autostart_on;
  label = autostart_on ? _("Disable Autostart") : _("Enable Autostart");
  set_autostart_label (self->more_autostart_section, label);
  set_autostart_label (self->domain_autostart_section, label);
}

static void
open_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  VireoManagerWindow *self = VIREO_MANAGER_WINDOW (widget);

  if (self->selected_domain != NULL)
    vireo_application_show_console (VIREO_APPLICATION_DEFAULT, self->selected_domain);
}

/* vireo_new_vm_module_new_wizard() of the wizard module. */
typedef GtkWidget *(*NewWizardFunc) (VireoApplication *application,
                                     GtkWindow        *parent,
                                     VireoConnection  *connection);

static void
new_vm_module_loaded (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(VireoManagerWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  NewWizardFunc new_wizard = (NewWizardFunc) vireo_module_lookup_finish (result, &error);
  GtkWidget *wizard;

  self->new_vm_loading = FALSE;
  if (new_wizard == NULL)
    {
      vireo_manager_window_show_toast (self, error->message);
      return;
    }
  wizard = new_wizard (VIREO_APPLICATION_DEFAULT, GTK_WINDOW (self), self->new_vm_connection);
  g_clear_object (&self->new_vm_connection);
  gtk_window_present (GTK_WINDOW (wizard));
}

static void
new_vm_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  VireoManagerWindow *self = VIREO_MANAGER_WINDOW (widget);
  VireoConnection *connection = self->selected_connection;

  /* The connection of the selected row, host or VM, is preselected. */
  if (connection == NULL && self->selected_domain != NULL)
    connection = vireo_domain_get_connection (self->selected_domain);

  /* The wizard is a module, loaded in the background the first time. */
  g_clear_object (&self->new_vm_connection);
  if (connection != NULL)
    self->new_vm_connection = g_object_ref (connection);
  if (self->new_vm_loading)
    return;
  self->new_vm_loading = TRUE;
  vireo_module_lookup_async ("vireo-new-vm", "vireo_new_vm_module_new_wizard", NULL,
                             new_vm_module_loaded, g_object_ref (self));
}

void
_vireo_manager_window_update_actions (VireoManagerWindow *self)
{
  VireoDomain *domain = self->selected_domain;
  VireoConnection *connection = self->selected_connection;
  VireoConnectionState state = VIREO_CONNECTION_STATE_DISCONNECTED;
  gboolean autostart = FALSE;
  gboolean resume = FALSE;
  GtkWidget *widget = GTK_WIDGET (self);

  for (guint i = 0; i < G_N_ELEMENTS (domain_actions); i++)
    gtk_widget_action_set_enabled (widget, domain_actions[i].name,
                                   domain != NULL && vireo_domain_can (domain, domain_actions[i].action));

  if (domain != NULL)
    {
      autostart = vireo_domain_get_autostart (domain);
      resume = vireo_domain_can (domain, VIREO_DOMAIN_ACTION_RESUME);
    }

  gtk_widget_action_set_enabled (widget, "win.open", domain != NULL);
  gtk_widget_action_set_enabled (widget, "win.copy-to", _vireo_manager_window_can_copy (domain));
  gtk_widget_action_set_enabled (widget, "win.autostart",
                                 domain != NULL &&
                                 vireo_domain_can (domain, autostart ? VIREO_DOMAIN_ACTION_AUTOSTART_OFF
                                                                     : VIREO_DOMAIN_ACTION_AUTOSTART_ON));
  vireo_manager_window_set_autostart_on (self, autostart);

  /* One button: "Pause", or "Resume" for a paused VM. */
  if (resume)
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->pause_button), "win.resume");
      gtk_button_set_icon_name (self->pause_button, "media-playback-start-symbolic");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->pause_button), _("Resume"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->pause_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Resume"), -1);
    }
  else
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->pause_button), "win.pause");
      gtk_button_set_icon_name (self->pause_button, "media-playback-pause-symbolic");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->pause_button), _("Pause"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->pause_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Pause"), -1);
    }

  if (connection != NULL)
    state = vireo_connection_get_state (connection);
  gtk_widget_action_set_enabled (widget, "win.connect",
                                 connection != NULL && state == VIREO_CONNECTION_STATE_DISCONNECTED);
  gtk_widget_action_set_enabled (widget, "win.disconnect",
                                 connection != NULL && state != VIREO_CONNECTION_STATE_DISCONNECTED);
  gtk_widget_action_set_enabled (widget, "win.remove-connection", connection != NULL);
}

void
_vireo_manager_window_actions_init (VireoManagerWindow *self)
{
  vireo_manager_window_set_autostart_on (self, FALSE);
  _vireo_manager_window_update_actions (self);
}

void
_vireo_manager_window_class_actions_init (VireoManagerWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GdkModifierType ctrl_shift = GDK_CONTROL_MASK | GDK_SHIFT_MASK;

  for (guint i = 0; i < G_N_ELEMENTS (domain_actions); i++)
    gtk_widget_class_install_action (widget_class, domain_actions[i].name, NULL, domain_action_cb);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action_cb);
  gtk_widget_class_install_action (widget_class, "win.new-vm", NULL, new_vm_action_cb);
  gtk_widget_class_install_action (widget_class, "win.autostart", NULL, autostart_action_cb);
  gtk_widget_class_install_action (widget_class, "win.connect", NULL, connect_action_cb);
  gtk_widget_class_install_action (widget_class, "win.disconnect", NULL, disconnect_action_cb);
  gtk_widget_class_install_action (widget_class, "win.remove-connection", NULL, remove_connection_action_cb);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action_cb);
  gtk_widget_class_install_action (widget_class, "win.context-menu", NULL, context_menu_action_cb);
  gtk_widget_class_install_action (widget_class, "win.show-help-overlay", NULL, show_help_overlay_action_cb);
  gtk_widget_class_install_action (widget_class, "win.copy-to", NULL, copy_to_action_cb);

  /* Keep in sync with data/ui/vireo-shortcuts-window.ui */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new-vm", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, ctrl_shift, "win.run", NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_p, ctrl_shift, toggle_pause_cb, NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, ctrl_shift, "win.shutdown", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_b, ctrl_shift, "win.reboot", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, ctrl_shift, "win.force-off", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, ctrl_shift, "win.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "win.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "win.context-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "win.context-menu", NULL);
}
