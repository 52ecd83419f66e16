/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include "vireo-spice-usb-chooser.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <unistd.h>

struct _VireoSpiceUsbChooser
{
  GtkWidget              parent_instance;

  SpiceUsbDeviceManager *manager;
  GtkWidget             *box;
  GtkListBox            *list;
  GtkLabel              *empty_label;
  GtkLabel              *message;
  GtkWidget             *share_button;
  guint                  n_devices;
  GQueue                 sharing;  /* images shared, not yet listed */
};

G_DEFINE_FINAL_TYPE (VireoSpiceUsbChooser, vireo_spice_usb_chooser, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MANAGER,
  N_PROPS
};

enum {
  SIGNAL_ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

#define DEVICE_KEY "vireo-usb-device"
#define SWITCH_KEY "vireo-usb-switch"
#define NAME_KEY "vireo-usb-name"

static void
show_message (VireoSpiceUsbChooser *self,
              const char           *message)
{
  gtk_label_set_text (self->message, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message), message != NULL && *message != '\0');
  if (message != NULL && *message != '\0')
    g_signal_emit (self, signals[SIGNAL_ERROR], 0, message);
}

static void
update_empty (VireoSpiceUsbChooser *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->empty_label), self->n_devices == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->list), self->n_devices > 0);
}

static GtkListBoxRow *
find_row (VireoSpiceUsbChooser *self,
          SpiceUsbDevice       *device)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (g_object_get_data (G_OBJECT (child), DEVICE_KEY) == device)
      return GTK_LIST_BOX_ROW (child);
  return NULL;
}

/* Puts a row's switch in line with the manager, without re-triggering. */
static void
sync_switch (VireoSpiceUsbChooser *self,
             GtkListBoxRow        *row)
{
  SpiceUsbDevice *device = g_object_get_data (G_OBJECT (row), DEVICE_KEY);
  GtkSwitch *sw = g_object_get_data (G_OBJECT (row), SWITCH_KEY);
  gboolean on = spice_usb_device_manager_is_device_connected (self->manager, device);

  g_object_set_data (G_OBJECT (sw), "vireo-syncing", GINT_TO_POINTER (1));
  gtk_switch_set_active (sw, on);
  gtk_switch_set_state (sw, on);
  g_object_set_data (G_OBJECT (sw), "vireo-syncing", NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (sw), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (sw), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  on ? _("Redirected to the virtual machine")
                                     : _("Used by this computer"), -1);
}

typedef struct {
  VireoSpiceUsbChooser *self;  /* weak */
  GtkListBoxRow        *row;   /* strong */
  gboolean              connect;
} Op;

static void
op_free (Op *op)
{
  g_clear_weak_pointer (&op->self);
  g_object_unref (op->row);
  g_free (op);
}

static gboolean
sync_idle (gpointer data)
{
  Op *op = data;

  if (op->self != NULL && gtk_widget_get_parent (GTK_WIDGET (op->row)) != NULL)
    sync_switch (op->self, op->row);
  return G_SOURCE_REMOVE;
}

/* From inside the switch's own "state-set": GtkSwitch finishes its change
 * (and its accessible state) after the handler returns, so a switch set
 * back there would show "on" to assistive technologies. */
static void
sync_switch_later (VireoSpiceUsbChooser *self,
                   GtkListBoxRow        *row)
{
  Op *op = g_new0 (Op, 1);

  g_set_weak_pointer (&op->self, self);
  op->row = g_object_ref (row);
  g_idle_add_full (G_PRIORITY_DEFAULT, sync_idle, op, (GDestroyNotify) op_free);
}

static void
op_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Op *op = user_data;
  SpiceUsbDeviceManager *manager = SPICE_USB_DEVICE_MANAGER (source);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (op->connect)
    ok = spice_usb_device_manager_connect_device_finish (manager, result, &error);
  else
    ok = spice_usb_device_manager_disconnect_device_finish (manager, result, &error);

  if (op->self != NULL)
    {
      if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          const char *desc = g_object_get_data (G_OBJECT (op->row), NAME_KEY);
          g_autofree char *msg = NULL;

          if (op->connect)
            msg = g_strdup_printf (_("Could not redirect %s: %s"), desc, error->message);
          else
            msg = g_strdup_printf (_("Could not give %s back to this computer: %s"),
                                   desc, error->message);
          show_message (op->self, msg);
        }
      else if (ok)
        show_message (op->self, NULL);
      if (gtk_widget_get_parent (GTK_WIDGET (op->row)) != NULL)
        sync_switch (op->self, op->row);
    }
  op_free (op);
}

static gboolean
on_switch_state_set (GtkSwitch            *sw,
                     gboolean              state,
                     VireoSpiceUsbChooser *self)
{
  GtkListBoxRow *row;
  SpiceUsbDevice *device;
  Op *op;

  if (g_object_get_data (G_OBJECT (sw), "vireo-syncing") != NULL)
    return FALSE;

  row = GTK_LIST_BOX_ROW (gtk_widget_get_ancestor (GTK_WIDGET (sw), GTK_TYPE_LIST_BOX_ROW));
  device = g_object_get_data (G_OBJECT (row), DEVICE_KEY);
  if (state == spice_usb_device_manager_is_device_connected (self->manager, device))
    return FALSE;

  if (state)
    {
      g_autoptr(GError) error = NULL;

      if (!spice_usb_device_manager_can_redirect_device (self->manager, device, &error))
        {
          const char *desc = g_object_get_data (G_OBJECT (row), NAME_KEY);
          g_autofree char *msg = g_strdup_printf (_("Could not redirect %s: %s"), desc,
                                                  error ? error->message : _("not allowed"));
          show_message (self, msg);
          sync_switch_later (self, row);
          return TRUE;
        }
    }

  /* The switch shows its final state once the manager has answered. */
  gtk_widget_set_sensitive (GTK_WIDGET (sw), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (sw), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  state ? _("Redirecting to the virtual machine…")
                                        : _("Giving it back to this computer…"), -1);
  op = g_new0 (Op, 1);
  g_set_weak_pointer (&op->self, self);
  op->row = g_object_ref (row);
  op->connect = state;
  if (state)
    spice_usb_device_manager_connect_device_async (self->manager, device, NULL, op_done, op);
  else
    spice_usb_device_manager_disconnect_device_async (self->manager, device, NULL, op_done, op);
  return TRUE;
}

static void
device_free (gpointer device)
{
  g_boxed_free (spice_usb_device_get_type (), device);
}

static void
add_device (VireoSpiceUsbChooser *self,
            SpiceUsbDevice       *device)
{
  g_autofree char *desc = NULL;
  GtkWidget *row, *hbox, *label, *sw;

  if (find_row (self, device) != NULL)
    return;

  /* A disc image shared as a USB CD drive is named after its file. */
  if (!g_queue_is_empty (&self->sharing) &&
      spice_usb_device_manager_is_device_shared_cd (self->manager, device))
    {
      g_autofree char *path = g_queue_pop_head (&self->sharing);
      g_autofree char *base = g_filename_display_basename (path);

      desc = g_strdup_printf (_("Disc image “%s” (USB CD drive)"), base);
    }
  else
    desc = spice_usb_device_get_description (device, NULL);
  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  g_object_set_data_full (G_OBJECT (row), DEVICE_KEY,
                          g_boxed_copy (spice_usb_device_get_type (), device), device_free);
  g_object_set_data_full (G_OBJECT (row), NAME_KEY, g_strdup (desc), g_free);
  hbox = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_margin_start (hbox, 12);
  gtk_widget_set_margin_end (hbox, 12);
  gtk_widget_set_margin_top (hbox, 6);
  gtk_widget_set_margin_bottom (hbox, 6);

  label = gtk_label_new (desc);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (hbox), label);

  sw = gtk_switch_new ();
  gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
  {
    g_autofree char *name = g_strdup_printf (_("Redirect %s to the virtual machine"), desc);

    gtk_accessible_update_property (GTK_ACCESSIBLE (sw), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
    gtk_widget_set_tooltip_text (sw, name);
  }
  g_signal_connect (sw, "state-set", G_CALLBACK (on_switch_state_set), self);
  gtk_box_append (GTK_BOX (hbox), sw);

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), hbox);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, desc, -1);
  g_object_set_data (G_OBJECT (row), SWITCH_KEY, sw);
  gtk_list_box_append (self->list, row);
  self->n_devices++;
  sync_switch (self, GTK_LIST_BOX_ROW (row));
  update_empty (self);
}

static void
on_device_added (SpiceUsbDeviceManager *manager,
                 SpiceUsbDevice        *device,
                 VireoSpiceUsbChooser  *self)
{
  add_device (self, device);
}

static void
on_device_removed (SpiceUsbDeviceManager *manager,
                   SpiceUsbDevice        *device,
                   VireoSpiceUsbChooser  *self)
{
  GtkListBoxRow *row = find_row (self, device);

  if (row == NULL)
    return;
  gtk_list_box_remove (self->list, GTK_WIDGET (row));
  self->n_devices--;
  update_empty (self);
}

static void
on_device_error (SpiceUsbDeviceManager *manager,
                 SpiceUsbDevice        *device,
                 GError                *error,
                 VireoSpiceUsbChooser  *self)
{
  GtkListBoxRow *row = find_row (self, device);
  g_autofree char *desc = row ? g_strdup (g_object_get_data (G_OBJECT (row), NAME_KEY))
                              : spice_usb_device_get_description (device, NULL);
  g_autofree char *msg = g_strdup_printf (_("USB redirection of %s failed: %s"), desc,
                                          error ? error->message : "");

  show_message (self, msg);
  if (row != NULL)
    sync_switch (self, row);
}

static void
set_manager (VireoSpiceUsbChooser  *self,
             SpiceUsbDeviceManager *manager)
{
  g_autoptr(GPtrArray) devices = NULL;

  if (manager == NULL)
    {
      show_message (self, _("USB redirection is not available"));
      gtk_widget_set_sensitive (self->share_button, FALSE);
      return;
    }
  self->manager = g_object_ref (manager);
  g_signal_connect_object (manager, "device-added", G_CALLBACK (on_device_added), self, 0);
  g_signal_connect_object (manager, "device-removed", G_CALLBACK (on_device_removed), self, 0);
  g_signal_connect_object (manager, "device-error", G_CALLBACK (on_device_error), self, 0);
  g_signal_connect_object (manager, "auto-connect-failed", G_CALLBACK (on_device_error), self, 0);

  devices = spice_usb_device_manager_get_devices (manager);
  for (guint i = 0; devices != NULL && i < devices->len; i++)
    add_device (self, g_ptr_array_index (devices, i));
}

GtkWidget *
vireo_spice_usb_chooser_new (SpiceUsbDeviceManager *manager)
{
  g_return_val_if_fail (manager == NULL || SPICE_IS_USB_DEVICE_MANAGER (manager), NULL);
  return g_object_new (VIREO_TYPE_SPICE_USB_CHOOSER, "manager", manager, NULL);
}

gboolean
vireo_spice_usb_chooser_share_image (VireoSpiceUsbChooser  *self,
                                     const char            *path,
                                     GError               **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *copy = NULL;
  gboolean ok;

  g_return_val_if_fail (VIREO_IS_SPICE_USB_CHOOSER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->manager == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("USB redirection is not available"));
      return FALSE;
    }
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) || g_access (path, R_OK) != 0)
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("“%s” is not a readable file: choose a disc image (ISO) file."), display);
      return FALSE;
    }
  /* The device is listed later, from the main loop. */
  copy = g_strdup (path);
  g_queue_push_tail (&self->sharing, g_strdup (path));
  ok = spice_usb_device_manager_create_shared_cd_device (self->manager, copy, &local);
  if (!ok)
    {
      g_free (g_queue_pop_tail (&self->sharing));
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not share “%s”: %s"), display,
                   local ? local->message : _("unknown error"));
      return FALSE;
    }
  return TRUE;
}

static void
image_chosen (GtkNativeDialog      *dialog,
              int                   response,
              VireoSpiceUsbChooser *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      g_autoptr(GError) error = NULL;

      if (path == NULL)
        show_message (self, _("Choose a disc image on this computer."));
      else if (!vireo_spice_usb_chooser_share_image (self, path, &error))
        show_message (self, error->message);
      else
        show_message (self, NULL);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
on_share_clicked (GtkButton            *button,
                  VireoSpiceUsbChooser *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *dialog;
  GtkFileFilter *filter;

  dialog = gtk_file_chooser_native_new (_("Share a Disc Image"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Share"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Disc images"));
  gtk_file_filter_add_mime_type (filter, "application/x-cd-image");
  gtk_file_filter_add_suffix (filter, "iso");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_unref (filter);
  g_signal_connect (dialog, "response", G_CALLBACK (image_chosen), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

guint
vireo_spice_usb_chooser_get_n_devices (VireoSpiceUsbChooser *self)
{
  g_return_val_if_fail (VIREO_IS_SPICE_USB_CHOOSER (self), 0);
  return self->n_devices;
}

static void
vireo_spice_usb_chooser_dispose (GObject *object)
{
  VireoSpiceUsbChooser *self = VIREO_SPICE_USB_CHOOSER (object);

  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->manager);
  g_queue_clear_full (&self->sharing, g_free);
  G_OBJECT_CLASS (vireo_spice_usb_chooser_parent_class)->dispose (object);
}

static void
vireo_spice_usb_chooser_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  VireoSpiceUsbChooser *self = VIREO_SPICE_USB_CHOOSER (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      g_value_set_object (value, self->manager);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vireo_spice_usb_chooser_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  VireoSpiceUsbChooser *self = VIREO_SPICE_USB_CHOOSER (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      set_manager (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vireo_spice_usb_chooser_class_init (VireoSpiceUsbChooserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vireo_spice_usb_chooser_dispose;
  object_class->get_property = vireo_spice_usb_chooser_get_property;
  object_class->set_property = vireo_spice_usb_chooser_set_property;

  properties[PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL, SPICE_TYPE_USB_DEVICE_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "vireo-spice-usb-chooser");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
vireo_spice_usb_chooser_init (VireoSpiceUsbChooser *self)
{
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("USB devices"), -1);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->list));

  self->empty_label = GTK_LABEL (gtk_label_new (_("No USB devices found on this computer")));
  gtk_widget_add_css_class (GTK_WIDGET (self->empty_label), "dim-label");
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->empty_label));

  /* Translators: a disc image file (ISO) made to look like a USB CD drive
   * to the virtual machine */
  self->share_button = gtk_button_new_with_mnemonic (_("Share a _Disc Image…"));
  gtk_widget_set_halign (self->share_button, GTK_ALIGN_START);
  /* GTK 4.8 reads a mnemonic label's underscore into the name: set both. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->share_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Share a Disc Image…"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("Share a disc image as a USB CD drive"), -1);
  gtk_widget_set_tooltip_text (self->share_button,
                               _("Give the virtual machine an ISO file of this computer as a USB CD drive"));
  g_signal_connect (self->share_button, "clicked", G_CALLBACK (on_share_clicked), self);
  gtk_box_append (GTK_BOX (self->box), self->share_button);

  self->message = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->message, TRUE);
  gtk_label_set_xalign (self->message, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->message), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->message), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->message), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("USB redirection message"), -1);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->message));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("USB device redirection"), -1);
  update_empty (self);
}
