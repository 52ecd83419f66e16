/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <glib/gi18n.h>

#include "vireo-auth-dialog.h"

struct _VireoAuthDialog
{
  AdwMessageDialog  parent_instance;

  GtkBox           *fields_box;
  GtkCheckButton   *remember_check;

  VireoAuthRequest *request;
  /* one GtkEditable per credential, in order */
  GPtrArray        *entries;
  guint             completed : 1;
};

G_DEFINE_FINAL_TYPE (VireoAuthDialog, vireo_auth_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
vireo_auth_dialog_complete (VireoAuthDialog *self,
                            gboolean         ok)
{
  if (self->completed || self->request == NULL)
    return;
  self->completed = TRUE;

  if (ok)
    {
      for (guint i = 0; i < self->entries->len; i++)
        vireo_auth_request_set_value (self->request, i,
                                      gtk_editable_get_text (g_ptr_array_index (self->entries, i)));
      vireo_auth_request_set_remember (self->request,
                                       gtk_widget_get_visible (GTK_WIDGET (self->remember_check)) &&
                                       gtk_check_button_get_active (self->remember_check));
    }

  vireo_auth_request_complete (self->request, ok);
}

static void
vireo_auth_dialog_response (AdwMessageDialog *dialog,
                            const char       *response)
{
  VireoAuthDialog *self = VIREO_AUTH_DIALOG (dialog);

  vireo_auth_dialog_complete (self, g_strcmp0 (response, "login") == 0);

  if (ADW_MESSAGE_DIALOG_CLASS (vireo_auth_dialog_parent_class)->response)
    ADW_MESSAGE_DIALOG_CLASS (vireo_auth_dialog_parent_class)->response (dialog, response);
}

static void
on_entry_activate (VireoAuthDialog *self)
{
  /* Only the response buttons close the dialog by themselves. */
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (self), "login");
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
vireo_auth_dialog_dispose (GObject *object)
{
  VireoAuthDialog *self = VIREO_AUTH_DIALOG (object);

  /* A dialog that goes away unanswered must not leave the opener waiting. */
  vireo_auth_dialog_complete (self, FALSE);
  g_clear_object (&self->request);
  g_clear_pointer (&self->entries, g_ptr_array_unref);

  G_OBJECT_CLASS (vireo_auth_dialog_parent_class)->dispose (object);
}

static void
vireo_auth_dialog_class_init (VireoAuthDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  AdwMessageDialogClass *dialog_class = ADW_MESSAGE_DIALOG_CLASS (klass);

  object_class->dispose = vireo_auth_dialog_dispose;
  dialog_class->response = vireo_auth_dialog_response;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/vireo/Vireo/vireo-auth-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, VireoAuthDialog, fields_box);
  gtk_widget_class_bind_template_child (widget_class, VireoAuthDialog, remember_check);
}

static void
vireo_auth_dialog_init (VireoAuthDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->entries = g_ptr_array_new ();
}

VireoAuthDialog *
vireo_auth_dialog_new (GtkWindow        *parent,
                       VireoConnection  *connection,
                       VireoAuthRequest *request)
{
  VireoAuthDialog *self;
  g_autofree char *body = NULL;
  gboolean any_secret = FALSE;
  guint n;

  g_return_val_if_fail (VIREO_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (VIREO_IS_AUTH_REQUEST (request), NULL);

  self = g_object_new (VIREO_TYPE_AUTH_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->request = g_object_ref (request);

  /* Translators: %s is a connection name such as "QEMU/KVM: root@host (SSH)" */
  body = g_strdup_printf (_("“%s” needs you to log in."),
                          vireo_connection_get_display_name (connection));
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self), body);

  n = vireo_auth_request_get_n_credentials (request);
  for (guint i = 0; i < n; i++)
    {
      const char *prompt = vireo_auth_request_get_prompt (request, i);
      const char *value = vireo_auth_request_get_default (request, i);
      gboolean secret = vireo_auth_request_is_secret (request, i);
      GtkWidget *label;
      GtkWidget *entry;
      GtkEditable *text;

      if (prompt == NULL || *prompt == 0)
        prompt = secret ? _("Password") : _("Username");

      label = g_object_new (GTK_TYPE_LABEL,
                            "label", prompt,
                            "xalign", 0.0f,
                            "wrap", TRUE,
                            NULL);
      if (secret)
        {
          any_secret = TRUE;
          entry = g_object_new (GTK_TYPE_PASSWORD_ENTRY,
                                "show-peek-icon", TRUE,
                                "activates-default", FALSE,
                                NULL);
        }
      else
        entry = gtk_entry_new ();

      if (value != NULL)
        gtk_editable_set_text (GTK_EDITABLE (entry), value);

      gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, prompt, -1);
      /* Screen readers and AT-SPI tests reach the text itself. */
      text = gtk_editable_get_delegate (GTK_EDITABLE (entry));
      if (text != NULL)
        gtk_accessible_update_property (GTK_ACCESSIBLE (text),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, prompt, -1);

      if (i + 1 == n)
        g_signal_connect_object (entry, "activate", G_CALLBACK (on_entry_activate),
                                 self, G_CONNECT_SWAPPED);

      gtk_box_append (self->fields_box, label);
      gtk_box_append (self->fields_box, entry);
      g_ptr_array_add (self->entries, entry);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->remember_check), any_secret);

  return self;
}
