/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <glib/gi18n.h>
#include <gmodule.h>
#include <string.h>
#include <unistd.h>

#include "vireo-console-window.h"
#include "vireo-ui-util.h"
#include "vireo-serial-console.h"
#include "vireo-spice-display.h"
#include "vireo-spice-usb-chooser.h"
#include "vireo-vnc-display.h"

#define RECONNECT_DELAY_MS 1000
/* A display that cannot be opened while the VM runs (it is still starting,
 * or restarting) is tried again this many times, a little later each time,
 * before the window shows the error. */
#define MAX_OPEN_RETRIES 8

struct _VireoConsoleWindow
{
  AdwApplicationWindow parent_instance;

  GtkRevealer       *header_revealer;
  AdwWindowTitle    *window_title;
  GtkButton         *pause_button;
  GtkWidget         *connecting_page;
  GtkSpinner        *connecting_spinner;
  GtkScrolledWindow *display_scroller;
  GtkBox            *serial_box;
  AdwStatusPage     *off_page;
  AdwStatusPage     *error_page;
  GtkLabel          *grab_hint;
  GMenu             *function_keys_section;

  VireoDomain       *domain;
  GtkWidget         *display;        /* VireoVncDisplay or VireoSpiceDisplay, or NULL */
  GtkWidget         *serial;         /* VireoSerialConsole, or NULL */
  GCancellable      *cancellable;
  gulong             state_handler;
  VireoConnection   *connection;     /* the domain's, for its removal */
  gulong             event_handler;
  guint              reconnect_source;
  guint              open_retries;
  gboolean           opening;        /* an open_graphics/open_console is under way */
  gboolean           live;           /* a widget holds a connection (or is making one) */
  gboolean           want_serial;
  gboolean           grabbed;
  GdkModifierType    release_mods;
};

G_DEFINE_FINAL_TYPE (VireoConsoleWindow, vireo_console_window, ADW_TYPE_APPLICATION_WINDOW)

static void connect_console (VireoConsoleWindow *self);

VireoDomain *
vireo_console_window_get_domain (VireoConsoleWindow *self)
{
  g_return_val_if_fail (VIREO_IS_CONSOLE_WINDOW (self), NULL);
  return self->domain;
}

/* The display ---------------------------------------------------------- */

static void
show_page (VireoConsoleWindow *self,
           const char         *name)
{
  gtk_widget_set_visible (self->connecting_page, g_str_equal (name, "connecting"));
  gtk_spinner_set_spinning (self->connecting_spinner, g_str_equal (name, "connecting"));
  gtk_widget_set_visible (GTK_WIDGET (self->off_page), g_str_equal (name, "off"));
  gtk_widget_set_visible (GTK_WIDGET (self->error_page), g_str_equal (name, "error"));
  gtk_widget_set_visible (GTK_WIDGET (self->display_scroller), g_str_equal (name, "display"));
  gtk_widget_set_visible (GTK_WIDGET (self->serial_box), g_str_equal (name, "serial"));

  /* GTK 4.8 does not tell assistive technologies about a page that becomes
   * visible later, so the window itself says what it shows. */
  if (self->domain != NULL)
    {
      const char *vm = vireo_domain_get_name (self->domain);
      g_autofree char *text = NULL;

      if (g_str_equal (name, "display"))
        text = g_strdup_printf (_("Showing the display of “%s”"), vm);
      else if (g_str_equal (name, "serial"))
        text = g_strdup_printf (_("Showing the serial console of “%s”"), vm);
      else if (g_str_equal (name, "off"))
        text = g_strdup_printf (_("“%s” is not running"), vm);
      else if (g_str_equal (name, "error"))
        text = g_strdup (adw_status_page_get_description (self->error_page));
      else
        text = g_strdup (_("Connecting to the console…"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      text ? text : "", -1);
    }
}

static void
show_error (VireoConsoleWindow *self,
            const char         *message)
{
  adw_status_page_set_description (self->error_page, message);
  show_page (self, "error");
}

static void
close_display (VireoConsoleWindow *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->reconnect_source, g_source_remove);
  self->opening = FALSE;
  self->live = FALSE;
  if (self->display != NULL && VIREO_IS_VNC_DISPLAY (self->display))
    vireo_vnc_display_close (VIREO_VNC_DISPLAY (self->display));
  else if (self->display != NULL && VIREO_IS_SPICE_DISPLAY (self->display))
    vireo_spice_display_close (VIREO_SPICE_DISPLAY (self->display));
  if (self->serial != NULL)
    vireo_serial_console_close (VIREO_SERIAL_CONSOLE (self->serial));
}

/* Drops a widget of the other protocol: a VM's graphics may change between
 * runs. */
static void
drop_display (VireoConsoleWindow *self)
{
  if (self->display != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->display, self);
      gtk_scrolled_window_set_child (self->display_scroller, NULL);
      self->display = NULL;
    }
}

static gboolean
reconnect_cb (gpointer user_data)
{
  VireoConsoleWindow *self = user_data;

  self->reconnect_source = 0;
  connect_console (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (VireoConsoleWindow *self)
{
  if (self->reconnect_source != 0)
    return;
  show_page (self, "connecting");
  self->reconnect_source = g_timeout_add (MIN (RECONNECT_DELAY_MS * (1 + self->open_retries), 5000),
                                          reconnect_cb, self);
}

static void
on_display_disconnected (VireoConsoleWindow *self)
{
  /* The late goodbye of a connection already replaced by a new one. */
  if (self->opening)
    return;
  self->live = FALSE;
  /* A reboot or a restart closes the display for a moment: come back. */
  if (vireo_domain_state_is_active (vireo_domain_get_state (self->domain)))
    schedule_reconnect (self);
}

/* An open that failed while the VM runs is tried again: during a restart
 * the VM's new display may not be there yet (or the state we know is a
 * moment behind), and the window must come back by itself. */
static void
open_failed (VireoConsoleWindow *self,
             GError             *error)
{
  self->opening = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_debug ("opening the console of %s failed (try %u): %s", vireo_domain_get_name (self->domain),
           self->open_retries + 1, error->message);
  if (vireo_domain_state_is_active (vireo_domain_get_state (self->domain)) &&
      self->open_retries < MAX_OPEN_RETRIES)
    {
      self->open_retries++;
      schedule_reconnect (self);
      return;
    }
  show_error (self, error->message);
}

static void
on_display_initialized (VireoConsoleWindow *self)
{
  self->open_retries = 0;
  if (!self->want_serial)
    {
      show_page (self, "display");
      /* Keys typed into a console window go to the guest at once. */
      if (self->display != NULL)
        gtk_widget_grab_focus (self->display);
    }
}

static void
on_display_error (VireoConsoleWindow *self,
                  const char         *message)
{
  /* A VM that stopped closes its display: the widget's late "Server
   * closed the connection" must not cover the "not running" page. */
  if (!vireo_domain_state_is_active (vireo_domain_get_state (self->domain)))
    return;
  show_error (self, message);
}

static GtkWidget *
ensure_vnc_display (VireoConsoleWindow *self)
{
  if (self->display != NULL && VIREO_IS_VNC_DISPLAY (self->display))
    return self->display;
  drop_display (self);

  self->display = vireo_vnc_display_new ();
  gtk_widget_set_hexpand (self->display, TRUE);
  gtk_widget_set_vexpand (self->display, TRUE);
  vireo_vnc_display_set_scaling (VIREO_VNC_DISPLAY (self->display), TRUE);
  g_signal_connect_swapped (self->display, "initialized", G_CALLBACK (on_display_initialized), self);
  g_signal_connect_swapped (self->display, "disconnected", G_CALLBACK (on_display_disconnected), self);
  g_signal_connect_swapped (self->display, "error", G_CALLBACK (on_display_error), self);
  g_signal_connect_swapped (self->display, "auth-failure", G_CALLBACK (on_display_error), self);
  gtk_scrolled_window_set_child (self->display_scroller, self->display);
  return self->display;
}

/* SPICE wants a socket per channel: each "need-fd" opens one more. */
static void
spice_channel_opened (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(VireoConsoleWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  int fd = vireo_domain_open_graphics_finish (VIREO_DOMAIN (source), result, NULL, &error);

  if (self->display != NULL && VIREO_IS_SPICE_DISPLAY (self->display))
    vireo_spice_display_provide_fd (VIREO_SPICE_DISPLAY (self->display), fd, error);
  else if (fd >= 0)
    close (fd);
}

static void
on_spice_need_fd (VireoConsoleWindow *self,
                  const char         *channel_type)
{
  vireo_domain_open_graphics_async (self->domain, self->cancellable, spice_channel_opened,
                                    g_object_ref (self));
}

static GtkWidget *
ensure_spice_display (VireoConsoleWindow *self)
{
  if (self->display != NULL && VIREO_IS_SPICE_DISPLAY (self->display))
    return self->display;
  drop_display (self);

  self->display = vireo_spice_display_new ();
  gtk_widget_set_hexpand (self->display, TRUE);
  gtk_widget_set_vexpand (self->display, TRUE);
  vireo_spice_display_set_scaling (VIREO_SPICE_DISPLAY (self->display), TRUE);
  vireo_spice_display_set_resize_guest (VIREO_SPICE_DISPLAY (self->display), TRUE);
  g_signal_connect_swapped (self->display, "need-fd", G_CALLBACK (on_spice_need_fd), self);
  g_signal_connect_swapped (self->display, "initialized", G_CALLBACK (on_display_initialized), self);
  g_signal_connect_swapped (self->display, "disconnected", G_CALLBACK (on_display_disconnected), self);
  g_signal_connect_swapped (self->display, "error", G_CALLBACK (on_display_error), self);
  gtk_scrolled_window_set_child (self->display_scroller, self->display);
  return self->display;
}

static void
serial_opened (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(VireoConsoleWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  int fd = vireo_domain_open_console_finish (VIREO_DOMAIN (source), result, &error);

  if (fd < 0)
    {
      open_failed (self, error);
      return;
    }
  self->opening = FALSE;
  self->live = TRUE;
  self->open_retries = 0;
  if (self->serial == NULL)
    {
      self->serial = vireo_serial_console_new ();
      gtk_widget_set_vexpand (self->serial, TRUE);
      g_signal_connect_swapped (self->serial, "disconnected", G_CALLBACK (on_display_disconnected), self);
      gtk_box_append (self->serial_box, self->serial);
    }
  vireo_serial_console_open_fd (VIREO_SERIAL_CONSOLE (self->serial), fd);
  show_page (self, "serial");
  gtk_widget_grab_focus (self->serial);
}

static void
graphics_opened (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(VireoConsoleWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  VireoGraphicsType type = VIREO_GRAPHICS_NONE;
  int fd;

  fd = vireo_domain_open_graphics_finish (VIREO_DOMAIN (source), result, &type, &error);
  if (fd < 0)
    {
      open_failed (self, error);
      return;
    }
  self->opening = FALSE;
  self->live = TRUE;
  /* gtk-vnc and spice-gtk start their connections from idle callbacks,
   * which a window redrawn every frame never lets run when a frame takes
   * longer than the refresh interval (GTK's GL renderer on a software
   * rasterizer): the spinner stands still from here until the display
   * shows or another attempt starts. */
  gtk_spinner_set_spinning (self->connecting_spinner, FALSE);
  if (type == VIREO_GRAPHICS_SPICE)
    vireo_spice_display_open_fd (VIREO_SPICE_DISPLAY (ensure_spice_display (self)), fd);
  else
    vireo_vnc_display_open_fd (VIREO_VNC_DISPLAY (ensure_vnc_display (self)), fd);
}

static void
connect_console (VireoConsoleWindow *self)
{
  close_display (self);

  if (!vireo_domain_state_is_active (vireo_domain_get_state (self->domain)))
    {
      show_page (self, "off");
      return;
    }
  self->cancellable = g_cancellable_new ();
  self->opening = TRUE;
  show_page (self, "connecting");
  if (self->want_serial)
    {
      vireo_domain_open_console_async (self->domain, self->cancellable, serial_opened,
                                       g_object_ref (self));
      return;
    }
  vireo_domain_open_graphics_async (self->domain, self->cancellable, graphics_opened,
                                    g_object_ref (self));
}

/* Following the VM ------------------------------------------------------ */

static void
update_actions (VireoConsoleWindow *self)
{
  VireoDomainState state = vireo_domain_get_state (self->domain);
  gboolean paused = state == VIREO_DOMAIN_STATE_PAUSED;
  GtkWidget *widget = GTK_WIDGET (self);

  gtk_widget_action_set_enabled (widget, "win.run", vireo_domain_can (self->domain, VIREO_DOMAIN_ACTION_START));
  gtk_widget_action_set_enabled (widget, "win.pause-resume",
                                 vireo_domain_can (self->domain, paused ? VIREO_DOMAIN_ACTION_RESUME
                                                                        : VIREO_DOMAIN_ACTION_PAUSE));
  gtk_widget_action_set_enabled (widget, "win.shutdown", vireo_domain_can (self->domain, VIREO_DOMAIN_ACTION_SHUTDOWN));
  gtk_widget_action_set_enabled (widget, "win.reboot", vireo_domain_can (self->domain, VIREO_DOMAIN_ACTION_REBOOT));
  gtk_widget_action_set_enabled (widget, "win.reset", vireo_domain_can (self->domain, VIREO_DOMAIN_ACTION_RESET));
  gtk_widget_action_set_enabled (widget, "win.force-off", vireo_domain_can (self->domain, VIREO_DOMAIN_ACTION_FORCE_OFF));
  gtk_button_set_icon_name (self->pause_button, paused ? "media-playback-start-symbolic"
                                                       : "media-playback-pause-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->pause_button), paused ? _("Resume") : _("Pause"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->pause_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  paused ? _("Resume") : _("Pause"), -1);
}

static void
on_state_changed (VireoConsoleWindow *self)
{
  gboolean active = vireo_domain_state_is_active (vireo_domain_get_state (self->domain));
  g_autofree char *subtitle = vireo_domain_dup_description (self->domain);

  update_actions (self);
  adw_window_title_set_subtitle (self->window_title,
                                 vireo_domain_state_to_string (vireo_domain_get_state (self->domain)));
  (void) subtitle;

  if (!active)
    {
      close_display (self);
      show_page (self, "off");
    }
  else if (!self->opening && !self->live && self->reconnect_source == 0)
    connect_console (self);
}

/* Actions --------------------------------------------------------------- */

static void
action_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(VireoConsoleWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  VireoDomainAction action = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (result), "vireo-action"));

  if (!vireo_domain_run_action_finish (VIREO_DOMAIN (source), result, &error))
    {
      g_autofree char *message =
        vireo_ui_format_action_error (action, vireo_domain_get_name (self->domain), error->message);
      AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), NULL, message));

      adw_message_dialog_add_response (dialog, "close", _("Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

static void
run_action (VireoConsoleWindow *self,
            VireoDomainAction   action)
{
  vireo_domain_run_action_async (self->domain, action, VIREO_ACTION_FLAGS_NONE, NULL,
                                 action_done, g_object_ref (self));
}

static void
confirm_response (AdwMessageDialog *dialog,
                  const char       *response,
                  gpointer          user_data)
{
  VireoConsoleWindow *self = g_object_get_data (G_OBJECT (dialog), "vireo-window");
  VireoDomainAction action = GPOINTER_TO_INT (user_data);

  if (g_strcmp0 (response, "confirm") == 0)
    run_action (self, action);
}

static void
confirm_action (VireoConsoleWindow *self,
                VireoDomainAction   action,
                const char         *heading,
                const char         *body,
                const char         *confirm_label)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));

  /* No mnemonics: GTK 4.8 reads the underscore out to screen readers. */
  adw_message_dialog_add_responses (dialog, "cancel", _("Cancel"), "confirm", confirm_label, NULL);
  adw_message_dialog_set_response_appearance (dialog, "confirm", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "vireo-window", self);
  g_signal_connect (dialog, "response", G_CALLBACK (confirm_response), GINT_TO_POINTER (action));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
lifecycle_action (GtkWidget  *widget,
                  const char *name,
                  GVariant   *param)
{
  VireoConsoleWindow *self = VIREO_CONSOLE_WINDOW (widget);

  if (g_str_equal (name, "win.run"))
    run_action (self, vireo_domain_get_has_managed_save (self->domain) ? VIREO_DOMAIN_ACTION_RESTORE
                                                                       : VIREO_DOMAIN_ACTION_START);
  else if (g_str_equal (name, "win.pause-resume"))
    run_action (self, vireo_domain_get_state (self->domain) == VIREO_DOMAIN_STATE_PAUSED
                      ? VIREO_DOMAIN_ACTION_RESUME : VIREO_DOMAIN_ACTION_PAUSE);
  else if (g_str_equal (name, "win.shutdown"))
    run_action (self, VIREO_DOMAIN_ACTION_SHUTDOWN);
  else if (g_str_equal (name, "win.reboot"))
    run_action (self, VIREO_DOMAIN_ACTION_REBOOT);
  else if (g_str_equal (name, "win.reset"))
    {
      g_autofree char *heading = g_strdup_printf (_("Reset “%s”?"), vireo_domain_get_name (self->domain));
      confirm_action (self, VIREO_DOMAIN_ACTION_RESET, heading,
                    _("The VM restarts at once, as if its reset button were pressed. "
                      "Work not saved inside it is lost."), _("Reset"));
    }
  else if (g_str_equal (name, "win.force-off"))
    {
      g_autofree char *heading = g_strdup_printf (_("Force Off “%s”?"), vireo_domain_get_name (self->domain));
      confirm_action (self, VIREO_DOMAIN_ACTION_FORCE_OFF, heading,
                    _("The VM stops at once, as if its power cord were pulled. "
                      "Work not saved inside it is lost."), _("Force Off"));
    }
}

/* Key combinations a window manager would otherwise catch. */
static void
send_key_action (GtkWidget  *widget,
                 const char *name,
                 GVariant   *param)
{
  VireoConsoleWindow *self = VIREO_CONSOLE_WINDOW (widget);
  const char *which = g_variant_get_string (param, NULL);
  guint keys[3] = { GDK_KEY_Control_L, GDK_KEY_Alt_L, 0 };
  gsize n = 3;

  if (self->display == NULL)
    return;
  if (g_str_equal (which, "ctrl-alt-delete"))
    keys[2] = GDK_KEY_Delete;
  else if (g_str_equal (which, "ctrl-alt-backspace"))
    keys[2] = GDK_KEY_BackSpace;
  else if (g_str_equal (which, "print"))
    {
      keys[0] = GDK_KEY_Print;
      n = 1;
    }
  else if (g_str_has_prefix (which, "ctrl-alt-f"))
    {
      guint64 f = 0;
      if (!g_ascii_string_to_unsigned (which + 10, 10, 1, 12, &f, NULL))
        return;
      keys[2] = GDK_KEY_F1 + (guint) f - 1;
    }
  else
    return;
  if (VIREO_IS_VNC_DISPLAY (self->display))
    vireo_vnc_display_send_keys (VIREO_VNC_DISPLAY (self->display), keys, n);
  else if (VIREO_IS_SPICE_DISPLAY (self->display))
    vireo_spice_display_send_keys (VIREO_SPICE_DISPLAY (self->display), keys, n);
}

static void
screenshot_saved (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(VireoConsoleWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    show_error (self, error->message);
}

static void
save_png_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GdkTexture *texture = g_object_get_data (G_OBJECT (task), "vireo-texture");
  const char *path = task_data;

  if (gdk_texture_save_to_png (texture, path))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                             _("Could not save the screenshot to %s."), path);
}

static void
screenshot_chosen (GtkNativeDialog *dialog,
                   int              response,
                   gpointer         user_data)
{
  VireoConsoleWindow *self = user_data;
  GdkTexture *texture = g_object_get_data (G_OBJECT (dialog), "vireo-texture");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GTask) task = g_task_new (self, NULL, screenshot_saved, g_object_ref (self));

      /* PNG encoding is slow enough to keep off the main thread. */
      g_object_set_data_full (G_OBJECT (task), "vireo-texture", g_object_ref (texture), g_object_unref);
      g_task_set_task_data (task, g_file_get_path (file), g_free);
      g_task_run_in_thread (task, save_png_thread);
    }
  g_object_unref (dialog);
}

static void
screenshot_action (GtkWidget  *widget,
                   const char *name,
                   GVariant   *param)
{
  VireoConsoleWindow *self = VIREO_CONSOLE_WINDOW (widget);
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *suggested = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H-%M-%S");
  GtkFileChooserNative *dialog;

  if (self->display != NULL && VIREO_IS_VNC_DISPLAY (self->display))
    texture = vireo_vnc_display_get_image (VIREO_VNC_DISPLAY (self->display));
  else if (self->display != NULL && VIREO_IS_SPICE_DISPLAY (self->display))
    texture = vireo_spice_display_get_image (VIREO_SPICE_DISPLAY (self->display));
  if (texture == NULL)
    return;

  dialog = gtk_file_chooser_native_new (_("Save Screenshot"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  /* Translators: file name of a screenshot: VM name, date and time */
  suggested = g_strdup_printf (_("%s %s.png"), vireo_domain_get_name (self->domain), stamp);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), suggested);
  g_object_set_data_full (G_OBJECT (dialog), "vireo-texture", g_steal_pointer (&texture), g_object_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (screenshot_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
usb_action (GtkWidget  *widget,
            const char *name,
            GVariant   *param)
{
  VireoConsoleWindow *self = VIREO_CONSOLE_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  SpiceUsbDeviceManager *manager = NULL;
  AdwMessageDialog *dialog;
  g_autofree char *heading = NULL;

  if (self->display != NULL && VIREO_IS_SPICE_DISPLAY (self->display))
    manager = vireo_spice_display_get_usb_device_manager (VIREO_SPICE_DISPLAY (self->display), &error);
  else
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 _("USB devices can be redirected to VMs shown over SPICE only."));

  heading = g_strdup_printf (_("USB Devices for “%s”"), vireo_domain_get_name (self->domain));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading,
                                                       manager ? NULL : error->message));
  if (manager != NULL)
    adw_message_dialog_set_extra_child (dialog, vireo_spice_usb_chooser_new (manager));
  adw_message_dialog_add_response (dialog, "close", _("Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
fullscreen_action (GtkWidget  *widget,
                   const char *name,
                   GVariant   *param)
{
  if (gtk_window_is_fullscreen (GTK_WINDOW (widget)))
    gtk_window_unfullscreen (GTK_WINDOW (widget));
  else
    gtk_window_fullscreen (GTK_WINDOW (widget));
}

static void
on_fullscreen_changed (VireoConsoleWindow *self)
{
  /* Fullscreen: the toolbar hides, and shows again at the top edge. */
  gtk_revealer_set_reveal_child (self->header_revealer,
                                 !gtk_window_is_fullscreen (GTK_WINDOW (self)));
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           VireoConsoleWindow       *self)
{
  if (gtk_window_is_fullscreen (GTK_WINDOW (self)))
    gtk_revealer_set_reveal_child (self->header_revealer, y < 8 ||
                                   (gtk_revealer_get_child_revealed (self->header_revealer) && y < 64));
}

static void
scale_changed (GSimpleAction *action,
               GVariant      *value,
               gpointer       user_data)
{
  VireoConsoleWindow *self = user_data;
  gboolean scale = g_variant_get_boolean (value);

  g_simple_action_set_state (action, value);
  if (self->display != NULL && VIREO_IS_VNC_DISPLAY (self->display))
    vireo_vnc_display_set_scaling (VIREO_VNC_DISPLAY (self->display), scale);
  else if (self->display != NULL && VIREO_IS_SPICE_DISPLAY (self->display))
    vireo_spice_display_set_scaling (VIREO_SPICE_DISPLAY (self->display), scale);
  gtk_scrolled_window_set_policy (self->display_scroller,
                                  scale ? GTK_POLICY_NEVER : GTK_POLICY_AUTOMATIC,
                                  scale ? GTK_POLICY_NEVER : GTK_POLICY_AUTOMATIC);
}

static void
view_changed (GSimpleAction *action,
              GVariant      *value,
              gpointer       user_data)
{
  VireoConsoleWindow *self = user_data;

  g_simple_action_set_state (action, value);
  self->want_serial = g_str_equal (g_variant_get_string (value, NULL), "serial");
  connect_console (self);
}

static void
reconnect_action (GtkWidget  *widget,
                  const char *name,
                  GVariant   *param)
{
  VIREO_CONSOLE_WINDOW (widget)->open_retries = 0;
  connect_console (VIREO_CONSOLE_WINDOW (widget));
}

/* Keyboard grab ---------------------------------------------------------- */

static void
set_grab (VireoConsoleWindow *self,
          gboolean            grab)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (self));

  if (self->grabbed == grab || self->display == NULL)
    return;
  self->grabbed = grab;
  if (VIREO_IS_VNC_DISPLAY (self->display))
    vireo_vnc_display_set_grab_keyboard (VIREO_VNC_DISPLAY (self->display), grab);
  /* While grabbed, Alt+Tab and friends go to the guest, not the desktop. */
  if (surface != NULL && GDK_IS_TOPLEVEL (surface))
    {
      if (grab)
        gdk_toplevel_inhibit_system_shortcuts (GDK_TOPLEVEL (surface), NULL);
      else
        gdk_toplevel_restore_system_shortcuts (GDK_TOPLEVEL (surface));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->grab_hint), grab);
}

static void
on_display_pressed (GtkGestureClick    *gesture,
                    int                 n_press,
                    double              x,
                    double              y,
                    VireoConsoleWindow *self)
{
  set_grab (self, TRUE);
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                VireoConsoleWindow    *self)
{
  GdkModifierType mods = state & gtk_accelerator_get_default_mod_mask ();
  GdkModifierType key_mod = 0;

  if (!self->grabbed)
    return FALSE;
  /* The release combination is modifiers only: the last one pressed
   * completes it. */
  switch (keyval)
    {
    case GDK_KEY_Control_L: case GDK_KEY_Control_R: key_mod = GDK_CONTROL_MASK; break;
    case GDK_KEY_Alt_L: case GDK_KEY_Alt_R: key_mod = GDK_ALT_MASK; break;
    case GDK_KEY_Shift_L: case GDK_KEY_Shift_R: key_mod = GDK_SHIFT_MASK; break;
    case GDK_KEY_Super_L: case GDK_KEY_Super_R: key_mod = GDK_SUPER_MASK; break;
    default: return FALSE;
    }
  if ((mods | key_mod) == self->release_mods)
    {
      set_grab (self, FALSE);
      return TRUE;
    }
  return FALSE;
}

static GdkModifierType
parse_release (const char *text)
{
  GdkModifierType mods = 0;

  if (strstr (text, "<Control>") || strstr (text, "<Primary>"))
    mods |= GDK_CONTROL_MASK;
  if (strstr (text, "<Alt>"))
    mods |= GDK_ALT_MASK;
  if (strstr (text, "<Shift>"))
    mods |= GDK_SHIFT_MASK;
  if (strstr (text, "<Super>"))
    mods |= GDK_SUPER_MASK;
  return mods ? mods : (GDK_CONTROL_MASK | GDK_ALT_MASK);
}

static char *
release_label (GdkModifierType mods)
{
  g_autofree char *accel = gtk_accelerator_get_label (0, mods);
  /* Translators: %s is a key combination such as "Ctrl+Alt" */
  return g_strdup_printf (_("Keyboard grabbed by the VM — press %s to release"), accel);
}

/* GObject --------------------------------------------------------------- */

static void
vireo_console_window_dispose (GObject *object)
{
  VireoConsoleWindow *self = VIREO_CONSOLE_WINDOW (object);

  close_display (self);
  if (self->domain != NULL)
    g_clear_signal_handler (&self->state_handler, self->domain);
  if (self->connection != NULL)
    g_clear_signal_handler (&self->event_handler, self->connection);
  g_clear_object (&self->connection);
  g_clear_object (&self->domain);
  G_OBJECT_CLASS (vireo_console_window_parent_class)->dispose (object);
}

/* The VM was deleted (here or by another client): there is nothing left to
 * show or to run, so the window goes, as the VM's row does. */
static void
on_domain_event (VireoConsoleWindow *self,
                 VireoDomain        *domain,
                 const char         *what)
{
  if (domain == self->domain && g_strcmp0 (what, "undefined") == 0)
    gtk_window_destroy (GTK_WINDOW (self));
}

static void
vireo_console_window_class_init (VireoConsoleWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vireo_console_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/vireo/Vireo/vireo-console-window.ui");
  gtk_widget_class_bind_template_child (widget_class, VireoConsoleWindow, header_revealer);
  gtk_widget_class_bind_template_child (widget_class, VireoConsoleWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, VireoConsoleWindow, pause_button);
  gtk_widget_class_bind_template_child (widget_class, VireoConsoleWindow, connecting_page);
  gtk_widget_class_bind_template_child (widget_class, VireoConsoleWindow, connecting_spinner);
  gtk_widget_class_bind_template_child (widget_class, VireoConsoleWindow, display_scroller);
  gtk_widget_class_bind_template_child (widget_class, VireoConsoleWindow, serial_box);
  gtk_widget_class_bind_template_child (widget_class, VireoConsoleWindow, off_page);
  gtk_widget_class_bind_template_child (widget_class, VireoConsoleWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, VireoConsoleWindow, grab_hint);
  gtk_widget_class_bind_template_child (widget_class, VireoConsoleWindow, function_keys_section);

  gtk_widget_class_install_action (widget_class, "win.run", NULL, lifecycle_action);
  gtk_widget_class_install_action (widget_class, "win.pause-resume", NULL, lifecycle_action);
  gtk_widget_class_install_action (widget_class, "win.shutdown", NULL, lifecycle_action);
  gtk_widget_class_install_action (widget_class, "win.reboot", NULL, lifecycle_action);
  gtk_widget_class_install_action (widget_class, "win.reset", NULL, lifecycle_action);
  gtk_widget_class_install_action (widget_class, "win.force-off", NULL, lifecycle_action);
  gtk_widget_class_install_action (widget_class, "win.send-key", "s", send_key_action);
  gtk_widget_class_install_action (widget_class, "win.screenshot", NULL, screenshot_action);
  gtk_widget_class_install_action (widget_class, "win.fullscreen", NULL, fullscreen_action);
  gtk_widget_class_install_action (widget_class, "win.reconnect", NULL, reconnect_action);
  gtk_widget_class_install_action (widget_class, "win.usb", NULL, usb_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F11, 0, "win.fullscreen", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.screenshot", NULL);
}

static void
vireo_console_window_init (VireoConsoleWindow *self)
{
  static const GActionEntry entries[] = {
    { "scale", NULL, NULL, "true", scale_changed },
    { "view", NULL, "s", "'graphics'", view_changed },
  };
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *release = g_settings_get_string (settings, "grab-release-keys");
  g_autofree char *hint = NULL;
  GtkEventController *motion, *keys;
  GtkGesture *click;

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint f = 1; f <= 12; f++)
    {
      g_autofree char *label = g_strdup_printf ("Ctrl+Alt+F%u", f);
      g_autofree char *target = g_strdup_printf ("ctrl-alt-f%u", f);
      g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

      g_menu_item_set_action_and_target (item, "win.send-key", "s", target);
      g_menu_append_item (self->function_keys_section, item);
    }

  /* Stateful "win." actions live in the window's own action map. */
  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);

  self->release_mods = parse_release (release);
  hint = release_label (self->release_mods);
  gtk_label_set_text (self->grab_hint, hint);

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  click = gtk_gesture_click_new ();
  g_signal_connect (click, "pressed", G_CALLBACK (on_display_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->display_scroller), GTK_EVENT_CONTROLLER (click));

  g_signal_connect_swapped (self, "notify::fullscreened", G_CALLBACK (on_fullscreen_changed), self);
}

VireoConsoleWindow *
vireo_console_window_new (GtkApplication *application,
                          VireoDomain    *domain)
{
  VireoConsoleWindow *self = g_object_new (VIREO_TYPE_CONSOLE_WINDOW, "application", application, NULL);
  VireoConnection *conn = vireo_domain_get_connection (domain);
  g_autofree char *title = NULL;

  self->domain = g_object_ref (domain);
  /* Translators: console window title: VM name on host, e.g. "web-1 on QEMU/KVM" */
  title = g_strdup_printf (_("%s on %s"), vireo_domain_get_name (domain),
                           conn ? vireo_connection_get_display_name (conn) : "");
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, vireo_domain_get_name (domain));
  self->state_handler = g_signal_connect_swapped (domain, "notify::state",
                                                  G_CALLBACK (on_state_changed), self);
  if (conn != NULL)
    {
      self->connection = g_object_ref (conn);
      self->event_handler = g_signal_connect_swapped (conn, "domain-event",
                                                      G_CALLBACK (on_domain_event), self);
    }
  /* Connects when the VM runs (once: a second attempt cancelled the first). */
  on_state_changed (self);
  return self;
}

/* The entry point of the console module (see vireo-console-loader.h). */
G_MODULE_EXPORT GtkWindow *vireo_console_module_new_window (GtkApplication *application,
                                                            VireoDomain    *domain);

G_MODULE_EXPORT GtkWindow *
vireo_console_module_new_window (GtkApplication *application,
                                 VireoDomain    *domain)
{
  return GTK_WINDOW (vireo_console_window_new (application, domain));
}
