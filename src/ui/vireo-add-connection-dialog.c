/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <glib/gi18n.h>

#include "vireo-uri.h"

#include "vireo-add-connection-dialog.h"
#include "vireo-manager-window.h"

/* Positions in the "Hypervisor" and "Method" combo rows. */
enum {
  HYPERVISOR_QEMU_SYSTEM,
  HYPERVISOR_QEMU_SESSION,
  HYPERVISOR_XEN,
  HYPERVISOR_CUSTOM,
};

enum {
  METHOD_SSH,
  METHOD_TLS,
  METHOD_TCP,
};

struct _VireoAddConnectionDialog
{
  AdwWindow         parent_instance;

  AdwComboRow      *hypervisor_row;
  AdwActionRow     *remote_row;
  GtkSwitch        *remote_switch;
  AdwComboRow      *method_row;
  AdwEntryRow      *username_row;
  AdwEntryRow      *hostname_row;
  GtkSwitch        *autoconnect_switch;
  AdwEntryRow      *uri_row;
  GtkLabel         *error_label;
  GtkWidget        *connect_button;

  VireoApplication *application;

  /* Set while we write the URI ourselves, so it is not taken as an edit. */
  guint             updating : 1;
};

G_DEFINE_FINAL_TYPE (VireoAddConnectionDialog, vireo_add_connection_dialog, ADW_TYPE_WINDOW)

static void
vireo_add_connection_dialog_set_error (VireoAddConnectionDialog *self,
                                       const char               *message)
{
  gboolean valid = message == NULL;

  gtk_label_set_label (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), !valid);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.connect", valid);

  if (valid)
    gtk_widget_remove_css_class (GTK_WIDGET (self->uri_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->uri_row), "error");
}

static void
vireo_add_connection_dialog_validate (VireoAddConnectionDialog *self)
{
  g_auto(VireoUriInfo) info = { 0 };
  g_autoptr(GError) error = NULL;
  const char *uri = gtk_editable_get_text (GTK_EDITABLE (self->uri_row));

  if (uri == NULL || *uri == 0)
    {
      vireo_add_connection_dialog_set_error (self, _("Enter a connection URI"));
      return;
    }

  if (!vireo_uri_parse (uri, &info, &error))
    vireo_add_connection_dialog_set_error (self, error->message);
  else
    vireo_add_connection_dialog_set_error (self, NULL);
}

static void
vireo_add_connection_dialog_rebuild (VireoAddConnectionDialog *self)
{
  guint hypervisor = adw_combo_row_get_selected (self->hypervisor_row);
  gboolean remote = gtk_switch_get_active (self->remote_switch);
  VireoTransport transport = VIREO_TRANSPORT_LOCAL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  const char *user = NULL;
  const char *host = NULL;

  if (hypervisor == HYPERVISOR_CUSTOM)
    return;

  if (remote)
    {
      switch (adw_combo_row_get_selected (self->method_row))
        {
        case METHOD_TLS: transport = VIREO_TRANSPORT_TLS; break;
        case METHOD_TCP: transport = VIREO_TRANSPORT_TCP; break;
        case METHOD_SSH:
        default:         transport = VIREO_TRANSPORT_SSH; break;
        }
      user = gtk_editable_get_text (GTK_EDITABLE (self->username_row));
      host = gtk_editable_get_text (GTK_EDITABLE (self->hostname_row));
      if (user != NULL && *user == 0)
        user = NULL;
      if (host != NULL && *host == 0)
        host = NULL;
    }

  uri = vireo_uri_build (hypervisor == HYPERVISOR_XEN ? VIREO_HYPERVISOR_XEN : VIREO_HYPERVISOR_QEMU,
                         transport, user, host,
                         hypervisor == HYPERVISOR_QEMU_SESSION,
                         &error);

  self->updating = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->uri_row), uri ? uri : "");
  self->updating = FALSE;

  if (uri == NULL)
    vireo_add_connection_dialog_set_error (self, error->message);
  else
    vireo_add_connection_dialog_validate (self);
}

static void
on_fields_changed (VireoAddConnectionDialog *self)
{
  vireo_add_connection_dialog_rebuild (self);
}

static void
on_hypervisor_changed (VireoAddConnectionDialog *self)
{
  gboolean custom = adw_combo_row_get_selected (self->hypervisor_row) == HYPERVISOR_CUSTOM;

  /* A hand-written URI says everything; the other fields no longer apply. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->remote_row), !custom);
  gtk_widget_set_sensitive (GTK_WIDGET (self->method_row), !custom);
  gtk_widget_set_sensitive (GTK_WIDGET (self->username_row), !custom);
  gtk_widget_set_sensitive (GTK_WIDGET (self->hostname_row), !custom);

  if (!self->updating)
    vireo_add_connection_dialog_rebuild (self);
}

static void
on_uri_changed (VireoAddConnectionDialog *self)
{
  if (self->updating)
    return;

  if (adw_combo_row_get_selected (self->hypervisor_row) != HYPERVISOR_CUSTOM)
    {
      self->updating = TRUE;
      adw_combo_row_set_selected (self->hypervisor_row, HYPERVISOR_CUSTOM);
      self->updating = FALSE;
    }

  vireo_add_connection_dialog_validate (self);
}

static void
connect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  VireoAddConnectionDialog *self = VIREO_ADD_CONNECTION_DIALOG (widget);
  const char *uri = gtk_editable_get_text (GTK_EDITABLE (self->uri_row));
  gboolean autoconnect = gtk_switch_get_active (self->autoconnect_switch);
  g_autoptr(GError) error = NULL;
  g_auto(VireoUriInfo) info = { 0 };
  VireoConnection *connection;
  GtkWindow *parent;

  if (!vireo_uri_parse (uri, &info, &error))
    {
      vireo_add_connection_dialog_set_error (self, error->message);
      return;
    }

  connection = vireo_application_add_connection (self->application, uri, TRUE, autoconnect, &error);
  if (connection == NULL)
    {
      vireo_add_connection_dialog_set_error (self, error->message);
      return;
    }

  parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  if (VIREO_IS_MANAGER_WINDOW (parent))
    vireo_manager_window_select_connection (VIREO_MANAGER_WINDOW (parent), connection);

  gtk_window_close (GTK_WINDOW (self));
}

static void
on_uri_activated (VireoAddConnectionDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "dialog.connect", NULL);
}

static void
label_entry_row (AdwEntryRow *row,
                 const char  *label)
{
  GtkEditable *text = gtk_editable_get_delegate (GTK_EDITABLE (row));

  /* The row is named by its title already; name the text inside too, for
   * tools that reach it directly. */
  if (text != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (text),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static void
vireo_add_connection_dialog_dispose (GObject *object)
{
  VireoAddConnectionDialog *self = VIREO_ADD_CONNECTION_DIALOG (object);

  g_clear_object (&self->application);

  G_OBJECT_CLASS (vireo_add_connection_dialog_parent_class)->dispose (object);
}

static void
vireo_add_connection_dialog_class_init (VireoAddConnectionDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vireo_add_connection_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/vireo/Vireo/vireo-add-connection-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, VireoAddConnectionDialog, hypervisor_row);
  gtk_widget_class_bind_template_child (widget_class, VireoAddConnectionDialog, remote_row);
  gtk_widget_class_bind_template_child (widget_class, VireoAddConnectionDialog, remote_switch);
  gtk_widget_class_bind_template_child (widget_class, VireoAddConnectionDialog, method_row);
  gtk_widget_class_bind_template_child (widget_class, VireoAddConnectionDialog, username_row);
  gtk_widget_class_bind_template_child (widget_class, VireoAddConnectionDialog, hostname_row);
  gtk_widget_class_bind_template_child (widget_class, VireoAddConnectionDialog, autoconnect_switch);
  gtk_widget_class_bind_template_child (widget_class, VireoAddConnectionDialog, uri_row);
  gtk_widget_class_bind_template_child (widget_class, VireoAddConnectionDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, VireoAddConnectionDialog, connect_button);
  gtk_widget_class_bind_template_callback (widget_class, on_fields_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_hypervisor_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_uri_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_uri_activated);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_DIALOG);
  gtk_widget_class_install_action (widget_class, "dialog.connect", NULL, connect_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
vireo_add_connection_dialog_init (VireoAddConnectionDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  label_entry_row (self->uri_row, _("URI"));
  label_entry_row (self->username_row, _("Username"));
  label_entry_row (self->hostname_row, _("Hostname"));

  vireo_add_connection_dialog_rebuild (self);
}

GtkWidget *
vireo_add_connection_dialog_new (VireoApplication *application,
                                 GtkWindow        *parent)
{
  VireoAddConnectionDialog *self;

  g_return_val_if_fail (VIREO_IS_APPLICATION (application), NULL);

  self = g_object_new (VIREO_TYPE_ADD_CONNECTION_DIALOG,
                       "application", application,
                       "transient-for", parent,
                       NULL);
  self->application = g_object_ref (application);

  gtk_widget_grab_focus (self->connect_button);

  return GTK_WIDGET (self);
}
