/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The wizard's install source and OS pages: file choosers, the drive list,
 * tree detection for URLs and media detection for ISOs (in the background,
 * the latest input winning), and the searchable list of every OS the
 * database knows. */
#include "vireo-config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "vireo-new-vm-wizard-private.h"
#include "vireo-volume-chooser.h"
#include "vireo-fetcher.h"
#include "vireo-types.h"

/* Typing a URL starts detection after this pause, not at every key. */
#define DETECT_DELAY_MS 500

static const char *
entry_text (GtkEntry *entry)
{
  return gtk_editable_get_text (GTK_EDITABLE (entry));
}

static char *
entry_dup_stripped (GtkEntry *entry)
{
  return g_strstrip (g_strdup (entry_text (entry)));
}

/* File choosers ----------------------------------------------------------- */

typedef enum {
  FILTER_ISO,
  FILTER_DISK,
  FILTER_ANY,
} FilterKind;

static void
on_chooser_response (GtkNativeDialog *dialog,
                     int              response,
                     GtkEntry        *entry)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        gtk_editable_set_text (GTK_EDITABLE (entry), path);
    }

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (entry);
}

static void
choose_file (VireoNewVmWizard *self,
             GtkEntry         *entry,
             const char       *title,
             FilterKind        kind)
{
  GtkFileChooserNative *chooser;
  g_autofree char *current = entry_dup_stripped (entry);

  /* GtkFileDialog arrives in GTK 4.10; Debian 12 has 4.8. */
  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("Open"), _("Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);

  if (kind == FILTER_ISO || kind == FILTER_DISK)
    {
      GtkFileFilter *filter = gtk_file_filter_new ();

      if (kind == FILTER_ISO)
        {
          gtk_file_filter_set_name (filter, _("ISO images"));
          gtk_file_filter_add_pattern (filter, "*.iso");
          gtk_file_filter_add_pattern (filter, "*.ISO");
          gtk_file_filter_add_mime_type (filter, "application/x-cd-image");
        }
      else
        {
          gtk_file_filter_set_name (filter, _("Disk images"));
          gtk_file_filter_add_pattern (filter, "*.qcow2");
          gtk_file_filter_add_pattern (filter, "*.img");
          gtk_file_filter_add_pattern (filter, "*.raw");
          gtk_file_filter_add_pattern (filter, "*.vmdk");
          gtk_file_filter_add_pattern (filter, "*.vdi");
        }
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
      g_object_unref (filter);
    }

  {
    GtkFileFilter *all = gtk_file_filter_new ();

    gtk_file_filter_set_name (all, _("All files"));
    gtk_file_filter_add_pattern (all, "*");
    gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
    g_object_unref (all);
  }

  if (current != NULL && g_path_is_absolute (current))
    {
      g_autofree char *dir = g_path_get_dirname (current);
      g_autoptr(GFile) folder = g_file_new_for_path (dir);

      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
    }

  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), g_object_ref (entry));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
_vireo_new_vm_wizard_choose_file (VireoNewVmWizard *self,
                                  GtkEntry         *entry,
                                  const char       *title,
                                  gboolean          disk_images)
{
  choose_file (self, entry, title, disk_images ? FILTER_DISK : FILTER_ANY);
}

static void
on_browse_iso (VireoNewVmWizard *self)
{
  /* A remote host's ISO is one of its files: browse its storage. */
  if (self->remote && !gtk_check_button_get_active (self->iso_upload_check) &&
      self->connection != NULL && vireo_connection_can_list_volumes (self->connection))
    {
      g_autofree char *title = g_strdup_printf (_("Choose an ISO Image on %s"),
                                                vireo_connection_get_display_name (self->connection));

      vireo_volume_chooser_open (GTK_WINDOW (self), self->connection, title, GTK_EDITABLE (self->iso_entry));
      return;
    }
  choose_file (self, self->iso_entry, _("Choose an ISO Image"), FILTER_ISO);
}

static void
on_browse_import (VireoNewVmWizard *self)
{
  choose_file (self, self->import_entry, _("Choose a Disk Image"), FILTER_DISK);
}

static void
on_browse_kernel (VireoNewVmWizard *self)
{
  choose_file (self, self->kernel_entry, _("Choose a Kernel"), FILTER_ANY);
}

static void
on_browse_initrd (VireoNewVmWizard *self)
{
  choose_file (self, self->initrd_entry, _("Choose an Initrd"), FILTER_ANY);
}

/* Drives ------------------------------------------------------------------ */

/* The drive chosen in the list, or NULL. */
static VireoHostDrive *
selected_drive (VireoNewVmWizard *self)
{
  guint i = gtk_drop_down_get_selected (self->cdrom_dropdown);

  if (self->drives == NULL || i >= self->drives->len)
    return NULL;
  return g_ptr_array_index (self->drives, i);
}

const char *
_vireo_new_vm_wizard_get_drive (VireoNewVmWizard *self)
{
  VireoHostDrive *drive = selected_drive (self);

  return drive ? drive->path : NULL;
}

static void
show_drives (VireoNewVmWizard *self,
             GPtrArray        *drives)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->cdrom_model));

  g_clear_pointer (&self->drives, g_ptr_array_unref);
  self->drives = drives;
  for (guint i = 0; drives != NULL && i < drives->len; i++)
    g_ptr_array_add (labels, ((VireoHostDrive *) g_ptr_array_index (drives, i))->label);
  g_ptr_array_add (labels, NULL);

  self->updating = TRUE;
  gtk_string_list_splice (self->cdrom_model, 0, n, (const char * const *) labels->pdata);
  self->updating = FALSE;
}

static void
drives_listed (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *drives = vireo_connection_list_drives_finish (VIREO_CONNECTION (source), result, &error);
  VireoNewVmWizard *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = VIREO_NEW_VM_WIZARD (user_data);
  self->drives_loading = FALSE;
  g_clear_pointer (&self->drives_error, g_free);
  if (drives == NULL)
    self->drives_error = g_strdup (error->message);
  show_drives (self, drives);
  _vireo_new_vm_wizard_update (self);
}

/* The CD/DVD drives of the chosen host, read off the main thread: a
 * libvirt host's from its node devices, this computer's for the builtin
 * backend. */
void
_vireo_new_vm_wizard_refresh_drives (VireoNewVmWizard *self)
{
  g_cancellable_cancel (self->drives_cancellable);
  g_clear_object (&self->drives_cancellable);
  g_clear_pointer (&self->drives_error, g_free);
  show_drives (self, NULL);
  self->drives_loading = FALSE;
  if (self->connection == NULL ||
      vireo_connection_get_state (self->connection) != VIREO_CONNECTION_STATE_CONNECTED)
    return;
  self->drives_loading = TRUE;
  self->drives_cancellable = g_cancellable_new ();
  /* The wizard outlives the call or cancels it in dispose. */
  vireo_connection_list_drives_async (self->connection, self->drives_cancellable, drives_listed, self);
}

static void
on_refresh_drives (VireoNewVmWizard *self)
{
  _vireo_new_vm_wizard_refresh_drives (self);
  _vireo_new_vm_wizard_update (self);
}

/* Building the source ----------------------------------------------------- */

/* The ISO is a file of this computer's (so it can be read for detection):
 * always on a local host, on a remote one when it is to be uploaded. */
static gboolean
local_iso (VireoNewVmWizard *self)
{
  return !self->remote || gtk_check_button_get_active (self->iso_upload_check);
}

VireoInstallSource *
_vireo_new_vm_wizard_build_source (VireoNewVmWizard *self,
                                   GError          **error)
{
  switch (_vireo_new_vm_wizard_get_method (self))
    {
    case VIREO_INSTALL_METHOD_ISO:
      {
        g_autofree char *path = entry_dup_stripped (self->iso_entry);

        if (*path == 0)
          {
            g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                                 _("Choose an ISO image"));
            return NULL;
          }
        /* On a remote host the ISO is the host's file, whose form only can
         * be checked from here, or ours to upload. */
        if (self->remote && gtk_check_button_get_active (self->iso_upload_check))
          return vireo_install_source_new_iso_upload (path, error);
        if (self->remote)
          return vireo_install_source_new_remote_iso (path, error);
        return vireo_install_source_new_iso (path, error);
      }

    case VIREO_INSTALL_METHOD_CDROM:
      {
        VireoHostDrive *drive = selected_drive (self);

        if (drive == NULL)
          {
            if (self->drives_loading)
              g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                                   _("Looking for the host’s CD and DVD drives…"));
            else if (self->drives_error != NULL)
              g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                           _("The host’s drives could not be listed: %s"), self->drives_error);
            else
              g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                                   self->remote
                                   ? _("No CD or DVD drive was found on the host. "
                                       "Use an ISO image in one of its storage pools instead.")
                                   : _("No CD or DVD drive was found on this computer."));
            return NULL;
          }
        /* A drive of this computer can be checked from here; a libvirt
         * host's is the host's to open. */
        if (drive->local)
          return vireo_install_source_new_cdrom (drive->path, error);
        return vireo_install_source_new_host_cdrom (drive->path, error);
      }

    case VIREO_INSTALL_METHOD_URL:
      {
        g_autofree char *url = entry_dup_stripped (self->url_entry);
        g_autofree char *args = entry_dup_stripped (self->url_args_entry);

        if (*url == 0)
          {
            g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                                 _("Enter the URL of an install tree"));
            return NULL;
          }
        return vireo_install_source_new_url (url, *args ? args : NULL, error);
      }

    case VIREO_INSTALL_METHOD_PXE:
      return vireo_install_source_new_pxe ();

    case VIREO_INSTALL_METHOD_IMPORT:
      {
        g_autofree char *path = entry_dup_stripped (self->import_entry);

        if (*path == 0)
          {
            g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                                 _("Choose a disk image"));
            return NULL;
          }
        return vireo_install_source_new_import (path, error);
      }

    case VIREO_INSTALL_METHOD_KERNEL:
    default:
      {
        g_autofree char *kernel = entry_dup_stripped (self->kernel_entry);
        g_autofree char *initrd = entry_dup_stripped (self->initrd_entry);
        g_autofree char *cmdline = entry_dup_stripped (self->cmdline_entry);

        if (*kernel == 0)
          {
            g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                                 _("Choose a kernel"));
            return NULL;
          }
        return vireo_install_source_new_kernel (kernel, *initrd ? initrd : NULL,
                                                *cmdline ? cmdline : NULL, error);
      }
    }
}

/* Detection ----------------------------------------------------------------- */

static void
detection_clear (VireoNewVmWizard *self)
{
  g_clear_handle_id (&self->detect_timeout_id, g_source_remove);
  if (self->detect_cancellable != NULL)
    g_cancellable_cancel (self->detect_cancellable);
  g_clear_object (&self->detect_cancellable);
  g_clear_pointer (&self->detect_key, g_free);
  g_clear_object (&self->tree);
  g_clear_pointer (&self->tree_error, g_free);
  g_clear_object (&self->detected_os);
  g_clear_pointer (&self->os_detect_error, g_free);
  self->detecting = FALSE;
  self->os_guessing = FALSE;
  gtk_spinner_stop (self->url_spinner);
}

void
_vireo_new_vm_wizard_source_reset (VireoNewVmWizard *self)
{
  detection_clear (self);
}

typedef struct {
  VireoNewVmWizard *self;
  GCancellable     *cancellable;   /* this detection's */
  gboolean          for_tree;      /* OS guess from a tree, not media */
} DetectData;

static DetectData *
detect_data_new (VireoNewVmWizard *self)
{
  DetectData *data = g_new0 (DetectData, 1);

  data->self = g_object_ref (self);
  data->cancellable = g_object_ref (self->detect_cancellable);
  return data;
}

static void
detect_data_free (DetectData *data)
{
  g_clear_object (&data->self);
  g_clear_object (&data->cancellable);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DetectData, detect_data_free)

/* A result for input that has changed since is dropped. */
static gboolean
detect_data_is_current (DetectData *data)
{
  return !g_cancellable_is_cancelled (data->cancellable) &&
         data->self->detect_cancellable == data->cancellable;
}

static void
os_guess_done (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(DetectData) data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoOsGuess) guess = NULL;
  VireoNewVmWizard *self = data->self;

  guess = data->for_tree ? vireo_os_guess_for_tree_finish (result, &error)
                         : vireo_os_guess_for_media_finish (result, &error);
  if (!detect_data_is_current (data))
    return;

  self->os_guessing = FALSE;
  if (guess == NULL)
    self->os_detect_error = g_strdup (error->message);
  else
    self->detected_os = g_steal_pointer (&guess);

  _vireo_new_vm_wizard_update (self);
}

static char *
describe_tree (VireoTreeInfo *tree)
{
  const char *name = vireo_tree_info_get_name (tree);
  const char *version = vireo_tree_info_get_version (tree);
  const char *codename = vireo_tree_info_get_codename (tree);
  const char *arch = vireo_tree_info_get_arch (tree);
  g_autoptr(GString) s = g_string_new (name ? name : vireo_tree_layout_to_string (vireo_tree_info_get_layout (tree)));

  if (version != NULL)
    g_string_append_printf (s, " %s", version);
  if (codename != NULL)
    g_string_append_printf (s, " “%s”", codename);
  if (arch != NULL)
    g_string_append_printf (s, " (%s)", arch);
  if (vireo_tree_info_has_xen (tree))
    g_string_append (s, _(", with Xen PV boot files"));
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
tree_detect_done (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(DetectData) data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoTreeInfo) tree = NULL;
  VireoNewVmWizard *self = data->self;
  DetectData *next;

  tree = vireo_tree_info_detect_finish (result, &error);
  if (!detect_data_is_current (data))
    return;

  self->detecting = FALSE;
  gtk_spinner_stop (self->url_spinner);

  if (tree == NULL)
    {
      self->tree_error = g_strdup (error->message);
      _vireo_new_vm_wizard_update (self);
      return;
    }

  self->tree = g_steal_pointer (&tree);
  self->os_guessing = TRUE;
  next = detect_data_new (self);
  next->for_tree = TRUE;
  vireo_os_guess_for_tree_async (self->tree, self->detect_cancellable, os_guess_done, next);
  _vireo_new_vm_wizard_update (self);
}

static gboolean
start_tree_detection (gpointer user_data)
{
  VireoNewVmWizard *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VireoFetcher) fetcher = NULL;
  g_autofree char *url = entry_dup_stripped (self->url_entry);

  self->detect_timeout_id = 0;

  fetcher = vireo_fetcher_new (url, &error);
  if (fetcher == NULL)
    {
      self->detecting = FALSE;
      gtk_spinner_stop (self->url_spinner);
      self->tree_error = g_strdup (error->message);
      _vireo_new_vm_wizard_update (self);
      return G_SOURCE_REMOVE;
    }

  vireo_tree_info_detect_async (fetcher, _vireo_new_vm_wizard_get_arch (self),
                                self->detect_cancellable, tree_detect_done,
                                detect_data_new (self));
  return G_SOURCE_REMOVE;
}

/* Starts detection for `key` unless that is what the current result (or the
 * one in progress) is for. */
static void
maybe_detect (VireoNewVmWizard   *self,
              VireoInstallMethod  method,
              const char         *key,
              const char         *path_or_url)
{
  if (g_strcmp0 (key, self->detect_key) == 0)
    return;

  detection_clear (self);
  self->detect_key = g_strdup (key);
  self->detect_cancellable = g_cancellable_new ();

  if (method == VIREO_INSTALL_METHOD_URL)
    {
      self->detecting = TRUE;
      gtk_spinner_start (self->url_spinner);
      self->detect_timeout_id = g_timeout_add (DETECT_DELAY_MS, start_tree_detection, self);
    }
  else
    {
      self->os_guessing = TRUE;
      vireo_os_guess_for_media_async (path_or_url, self->detect_cancellable,
                                      os_guess_done, detect_data_new (self));
    }
}

/* The source page's check ------------------------------------------------- */

static void
set_url_status (VireoNewVmWizard *self,
                const char       *text,
                gboolean          error)
{
  gtk_label_set_text (self->url_status_label, text ? text : "");
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->url_status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->url_status_label), "error");
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->url_entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->url_entry), "error");
}

char *
_vireo_new_vm_wizard_check_source (VireoNewVmWizard *self)
{
  VireoInstallMethod method = _vireo_new_vm_wizard_get_method (self);
  g_autoptr(VireoInstallSource) source = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *field = NULL;
  GtkLabel *label = NULL;
  gboolean typed = TRUE;

  switch (method)
    {
    case VIREO_INSTALL_METHOD_ISO:
      field = GTK_WIDGET (self->iso_entry);
      label = self->iso_error_label;
      typed = *entry_text (self->iso_entry) != 0;
      break;
    case VIREO_INSTALL_METHOD_CDROM:
      field = GTK_WIDGET (self->cdrom_dropdown);
      label = self->cdrom_error_label;
      break;
    case VIREO_INSTALL_METHOD_IMPORT:
      field = GTK_WIDGET (self->import_entry);
      label = self->import_error_label;
      typed = *entry_text (self->import_entry) != 0;
      break;
    case VIREO_INSTALL_METHOD_KERNEL:
      field = GTK_WIDGET (self->kernel_entry);
      label = self->kernel_error_label;
      typed = *entry_text (self->kernel_entry) != 0 || *entry_text (self->initrd_entry) != 0;
      break;
    case VIREO_INSTALL_METHOD_URL:
    case VIREO_INSTALL_METHOD_PXE:
    default:
      break;
    }

  source = _vireo_new_vm_wizard_build_source (self, &error);

  /* An empty field is not an error to shout about yet; Forward says why it
   * is off. */
  if (field != NULL)
    _vireo_new_vm_wizard_set_error (field, label, source == NULL && typed ? error->message : NULL);

  if (method == VIREO_INSTALL_METHOD_URL)
    {
      g_autofree char *key = NULL;
      g_autofree char *url = entry_dup_stripped (self->url_entry);

      if (source == NULL)
        {
          detection_clear (self);
          set_url_status (self, *url ? error->message : NULL, *url != 0);
          return g_strdup (error->message);
        }

      key = g_strdup_printf ("url:%s:%s", _vireo_new_vm_wizard_get_arch (self), url);
      maybe_detect (self, method, key, url);

      if (self->detecting)
        {
          g_autofree char *text = g_strdup_printf (_("Looking for an install tree at %s…"), url);

          set_url_status (self, text, FALSE);
          return g_strdup (_("Looking for an install tree…"));
        }
      if (self->tree_error != NULL)
        {
          set_url_status (self, self->tree_error, TRUE);
          return g_strdup (self->tree_error);
        }
      if (self->tree != NULL)
        {
          g_autofree char *what = describe_tree (self->tree);
          g_autofree char *text = g_strdup_printf (_("Found: %s"), what);

          set_url_status (self, text, FALSE);
        }
      return NULL;
    }

  if (source == NULL)
    return g_strdup (error->message);

  if (method == VIREO_INSTALL_METHOD_ISO && local_iso (self))
    {
      g_autofree char *key = g_strdup_printf ("iso:%s", vireo_install_source_get_path (source));

      maybe_detect (self, method, key, vireo_install_source_get_path (source));
    }
  else if (self->detect_key != NULL)
    detection_clear (self);

  return NULL;
}

static void
on_source_changed (VireoNewVmWizard *self)
{
  if (!self->updating)
    _vireo_new_vm_wizard_update (self);
}

static void
on_url_changed (VireoNewVmWizard *self)
{
  if (!self->updating)
    _vireo_new_vm_wizard_update (self);
}

/* The OS page ---------------------------------------------------------------- */

static gboolean
method_can_detect (VireoNewVmWizard *self)
{
  VireoInstallMethod method = _vireo_new_vm_wizard_get_method (self);

  return method == VIREO_INSTALL_METHOD_URL ||
         (method == VIREO_INSTALL_METHOD_ISO && local_iso (self));
}

VireoOsGuess *
_vireo_new_vm_wizard_get_os (VireoNewVmWizard *self)
{
  if (method_can_detect (self) && gtk_check_button_get_active (self->os_detect_check))
    return self->detected_os;

  return gtk_single_selection_get_selected_item (self->os_selection);
}

char *
_vireo_new_vm_wizard_check_os (VireoNewVmWizard *self)
{
  gboolean can_detect = method_can_detect (self);
  gboolean detect = can_detect && gtk_check_button_get_active (self->os_detect_check);
  VireoOsGuess *chosen = gtk_single_selection_get_selected_item (self->os_selection);
  const char *fallback = NULL;
  g_autofree char *detected = NULL;
  char *reason = NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->os_detect_check), can_detect);
  gtk_widget_set_sensitive (self->os_choose_group, !detect);

  if (!can_detect)
    detected = g_strdup (_("This install method has nothing to detect the operating system from: choose it below."));
  else if (self->os_guessing || self->detecting)
    {
      detected = g_strdup (_("Identifying the operating system…"));
      if (detect)
        reason = g_strdup (detected);
    }
  else if (self->detected_os != NULL)
    {
      detected = g_strdup_printf (_("Detected: %s"), vireo_os_guess_get_name (self->detected_os));
      fallback = vireo_os_guess_get_fallback_reason (self->detected_os);
    }
  else
    {
      detected = g_strdup_printf (_("The operating system could not be detected: %s"),
                                  self->os_detect_error ? self->os_detect_error
                                                        : _("no install media was checked"));
      if (detect)
        reason = g_strdup (_("The operating system could not be detected: turn off detection and choose it from the list"));
    }

  gtk_label_set_text (self->os_detected_label, detected);
  gtk_label_set_text (self->os_fallback_label, fallback ? fallback : "");
  gtk_widget_set_visible (GTK_WIDGET (self->os_fallback_label), fallback != NULL);

  if (!detect)
    {
      if (chosen == NULL)
        reason = g_strdup (self->os_db_loading ? _("Loading the list of operating systems…")
                           : self->os_db_error ? self->os_db_error
                           : _("Choose an operating system from the list"));
      _vireo_new_vm_wizard_set_error (GTK_WIDGET (self->os_list), self->os_error_label,
                                      chosen == NULL && self->os_db_error ? self->os_db_error : NULL);
    }
  else
    _vireo_new_vm_wizard_set_error (GTK_WIDGET (self->os_list), self->os_error_label, NULL);

  return reason;
}

static void
on_os_detect_toggled (VireoNewVmWizard *self)
{
  _vireo_new_vm_wizard_update (self);
}

static gboolean
os_filter_func (gpointer item,
                gpointer user_data)
{
  VireoNewVmWizard *self = user_data;
  g_autofree char *name = NULL;
  const char *short_id;

  if (self->os_search == NULL)
    return TRUE;

  name = g_utf8_casefold (vireo_os_guess_get_name (item), -1);
  short_id = vireo_os_guess_get_short_id (item);
  return strstr (name, self->os_search) != NULL ||
         (short_id != NULL && strstr (short_id, self->os_search) != NULL);
}

static void
on_os_search_changed (VireoNewVmWizard *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->os_search_entry));

  g_clear_pointer (&self->os_search, g_free);
  if (text != NULL && *text != 0)
    self->os_search = g_utf8_casefold (text, -1);
  gtk_filter_changed (GTK_FILTER (self->os_filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
os_item_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_margin_start (label, 6);
  gtk_widget_set_margin_top (label, 3);
  gtk_widget_set_margin_bottom (label, 3);
  gtk_list_item_set_child (item, label);
}

static void
os_item_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item)
{
  VireoOsGuess *os = gtk_list_item_get_item (item);
  g_autofree char *text = g_strdup_printf ("%s (%s)", vireo_os_guess_get_name (os),
                                           vireo_os_guess_get_short_id (os));

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

static void
list_all_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  /* Hundreds of entries made from the database: not on the main thread. */
  g_task_return_pointer (task, vireo_os_guess_list_all (), g_object_unref);
}

static void
list_all_done (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(VireoNewVmWizard) self = user_data;
  g_autoptr(GListModel) all = g_task_propagate_pointer (G_TASK (result), NULL);

  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  self->os_db_loading = FALSE;
  if (all != NULL)
    gtk_filter_list_model_set_model (self->os_filtered, all);
  _vireo_new_vm_wizard_update (self);
}

static void
preload_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(VireoNewVmWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;

  if (!vireo_os_guess_preload_finish (result, &error))
    {
      if (g_cancellable_is_cancelled (self->cancellable))
        return;
      self->os_db_loading = FALSE;
      self->os_db_error = g_strdup (error->message);
      _vireo_new_vm_wizard_update (self);
      return;
    }
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  task = g_task_new (NULL, self->cancellable, list_all_done, g_object_ref (self));
  g_task_set_source_tag (task, preload_done);
  g_task_run_in_thread (task, list_all_thread);
}

static void
on_os_selected (VireoNewVmWizard *self)
{
  _vireo_new_vm_wizard_update (self);
}

/* Set-up ---------------------------------------------------------------------- */

void
_vireo_new_vm_wizard_source_init (VireoNewVmWizard *self)
{
  GtkListItemFactory *factory;

  self->cdrom_model = gtk_string_list_new (NULL);
  gtk_drop_down_set_model (self->cdrom_dropdown, G_LIST_MODEL (self->cdrom_model));

  self->os_filter = gtk_custom_filter_new (os_filter_func, self, NULL);
  self->os_filtered = gtk_filter_list_model_new (NULL, g_object_ref (GTK_FILTER (self->os_filter)));
  self->os_selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->os_filtered)));
  gtk_single_selection_set_autoselect (self->os_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->os_selection, TRUE);
  g_signal_connect_swapped (self->os_selection, "notify::selected", G_CALLBACK (on_os_selected), self);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (os_item_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (os_item_bind), NULL);
  gtk_list_view_set_factory (self->os_list, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->os_list, GTK_SELECTION_MODEL (self->os_selection));

  /* Loading the OS database takes a moment: start now, in a worker. */
  self->os_db_loading = TRUE;
  vireo_os_guess_preload_async (self->cancellable, preload_done, g_object_ref (self));

  _vireo_new_vm_wizard_refresh_drives (self);
}

void
_vireo_new_vm_wizard_source_dispose (VireoNewVmWizard *self)
{
  /* No widget is touched here (see the wizard's dispose). */
  g_clear_handle_id (&self->detect_timeout_id, g_source_remove);
  if (self->detect_cancellable != NULL)
    g_cancellable_cancel (self->detect_cancellable);
  g_clear_object (&self->detect_cancellable);
  g_clear_pointer (&self->detect_key, g_free);
  g_clear_object (&self->tree);
  g_clear_pointer (&self->tree_error, g_free);
  g_clear_object (&self->detected_os);
  g_clear_pointer (&self->os_detect_error, g_free);
  g_clear_object (&self->os_selection);
  g_clear_object (&self->os_filtered);
  g_clear_object (&self->os_filter);
  g_clear_object (&self->cdrom_model);
  g_cancellable_cancel (self->drives_cancellable);
  g_clear_object (&self->drives_cancellable);
  g_clear_pointer (&self->drives, g_ptr_array_unref);
  g_clear_pointer (&self->drives_error, g_free);
  g_clear_pointer (&self->os_search, g_free);
  g_clear_pointer (&self->os_db_error, g_free);
}

void
_vireo_new_vm_wizard_source_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, on_browse_iso);
  gtk_widget_class_bind_template_callback (widget_class, on_browse_import);
  gtk_widget_class_bind_template_callback (widget_class, on_browse_kernel);
  gtk_widget_class_bind_template_callback (widget_class, on_browse_initrd);
  gtk_widget_class_bind_template_callback (widget_class, on_refresh_drives);
  gtk_widget_class_bind_template_callback (widget_class, on_source_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_url_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_os_detect_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_os_search_changed);
}
