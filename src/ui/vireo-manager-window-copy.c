/* SPDX-License-Identifier: GPL-3.0-or-later */
/* "Copy to Another Host…": a shut-off VM and its disks copied between the
 * builtin backend and a local QEMU/KVM libvirt (vireo-domain-copy.c does the
 * work in a worker). The dialog lists the connected hosts a copy can go to;
 * a toast stays while the disks are copied and says how it ended. */
#include "vireo-config.h"

#include <glib/gi18n.h>

#include "vireo-application.h"
#include "vireo-domain-copy.h"
#include "vireo-manager-window-private.h"

typedef struct {
  VireoManagerWindow *window;
  VireoDomain        *domain;
  GPtrArray          *targets;   /* VireoConnection, as listed */
  GtkDropDown        *drop_down;
  AdwToast           *toast;     /* "Copying…", dismissed at the end */
  VireoConnection    *to;
} CopyData;

static void
copy_data_free (gpointer user_data)
{
  CopyData *data = user_data;

  g_clear_object (&data->window);
  g_clear_object (&data->domain);
  g_clear_pointer (&data->targets, g_ptr_array_unref);
  g_clear_object (&data->toast);
  g_clear_object (&data->to);
  g_free (data);
}

/* The connected hosts a VM of `from` can be copied to. */
static GPtrArray *
copy_targets (VireoConnection *from)
{
  GListModel *connections = vireo_application_get_connections (VIREO_APPLICATION_DEFAULT);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = g_list_model_get_n_items (connections);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VireoConnection) c = g_list_model_get_item (connections, i);

      if (vireo_connection_get_state (c) == VIREO_CONNECTION_STATE_CONNECTED &&
          vireo_domain_copy_supported (from, c))
        g_ptr_array_add (out, g_steal_pointer (&c));
    }
  return out;
}

static void
show_error (VireoManagerWindow *self,
            const char         *heading,
            const char         *body)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
  adw_message_dialog_add_response (dialog, "close", _("Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
copied (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  CopyData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoDomain) copy = vireo_domain_copy_to_finish (VIREO_DOMAIN (source), result, &error);
  const char *name = vireo_domain_get_name (data->domain);
  const char *host = vireo_connection_get_display_name (data->to);

  adw_toast_dismiss (data->toast);
  if (copy == NULL)
    {
      g_autofree char *heading = g_strdup_printf (_("Could not copy “%s” to %s"), name, host);

      show_error (data->window, heading, error->message);
    }
  else
    {
      g_autofree char *message = g_strdup_printf (_("“%s” was copied to %s."), name, host);

      vireo_manager_window_show_toast (data->window, message);
    }
  copy_data_free (data);
}

static void
on_copy_response (AdwMessageDialog *dialog,
                  const char       *response,
                  gpointer          user_data)
{
  CopyData *data = user_data;
  g_autofree char *title = NULL;
  guint chosen;

  if (g_strcmp0 (response, "copy") != 0 || data->targets->len == 0)
    {
      copy_data_free (data);
      return;
    }
  chosen = gtk_drop_down_get_selected (data->drop_down);
  if (chosen >= data->targets->len)
    {
      copy_data_free (data);
      return;
    }
  data->to = g_object_ref (g_ptr_array_index (data->targets, chosen));

  /* Copying the disks takes a while: a toast stays until it ends. */
  title = g_markup_printf_escaped (_("Copying “%s” and its disks to %s…"),
                                   vireo_domain_get_name (data->domain),
                                   vireo_connection_get_display_name (data->to));
  data->toast = adw_toast_new (title);
  adw_toast_set_timeout (data->toast, 0);
  adw_toast_overlay_add_toast (data->window->toast_overlay, g_object_ref (data->toast));
  vireo_domain_copy_to_async (data->domain, data->to, NULL, copied, data);
}

void
_vireo_manager_window_copy_to (VireoManagerWindow *self)
{
  VireoDomain *domain = self->selected_domain;
  VireoConnection *from;
  CopyData *data;
  AdwMessageDialog *dialog;
  g_autofree char *heading = NULL;
  GtkStringList *names;
  GtkWidget *drop_down;

  if (domain == NULL || (from = vireo_domain_get_connection (domain)) == NULL)
    return;

  data = g_new0 (CopyData, 1);
  data->window = g_object_ref (self);
  data->domain = g_object_ref (domain);
  data->targets = copy_targets (from);
  heading = g_strdup_printf (_("Copy “%s” to Another Host"), vireo_domain_get_name (domain));

  if (data->targets->len == 0)
    {
      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
        GTK_WINDOW (self), heading,
        _("No other host on this computer is connected that can take a copy. "
          "VMs are copied between “This computer (QEMU)” and a local QEMU/KVM "
          "connection: add or connect one, then try again.")));
      adw_message_dialog_add_response (dialog, "close", _("Close"));
      copy_data_free (data);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  names = gtk_string_list_new (NULL);
  for (guint i = 0; i < data->targets->len; i++)
    gtk_string_list_append (names, vireo_connection_get_display_name (g_ptr_array_index (data->targets, i)));
  drop_down = gtk_drop_down_new (G_LIST_MODEL (names), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (drop_down),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Copy to"), -1);
  gtk_widget_set_tooltip_text (drop_down, _("The host that gets the copy"));
  data->drop_down = GTK_DROP_DOWN (drop_down);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
    GTK_WINDOW (self), heading,
    _("The VM is defined on the host you choose, with copies of its disks. "
      "The original is not changed.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("Cancel"), "copy", _("Copy"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "copy", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "copy");
  adw_message_dialog_set_close_response (dialog, "cancel");
  adw_message_dialog_set_extra_child (dialog, drop_down);
  g_signal_connect (dialog, "response", G_CALLBACK (on_copy_response), data);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* A VM can be copied when it is shut off without a saved state; where to
 * is asked when the dialog opens (hosts connect and disconnect meanwhile). */
gboolean
_vireo_manager_window_can_copy (VireoDomain *domain)
{
  return domain != NULL && vireo_domain_get_connection (domain) != NULL &&
         !vireo_domain_state_is_active (vireo_domain_get_state (domain)) &&
         !vireo_domain_get_has_managed_save (domain);
}
