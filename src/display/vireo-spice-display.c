/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include "vireo-spice-display-private.h"

#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

/* The session and framebuffer half of the SPICE widget: channels and their
 * sockets, the primary surface as tile textures, GL scanouts, drawing.
 * Keyboard, pointer, cursor, clipboard and guest resizing live in
 * vireo-spice-display-input.c. */

G_DEFINE_FINAL_TYPE (VireoSpiceDisplay, vireo_spice_display, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SCALING,
  PROP_RESIZE_GUEST,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_AGENT_CONNECTED,
  PROP_ABSOLUTE_POINTER,
  N_PROPS
};

enum {
  SIGNAL_NEED_FD,
  SIGNAL_CONNECTED,
  SIGNAL_INITIALIZED,
  SIGNAL_DISCONNECTED,
  SIGNAL_ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void close_session (VireoSpiceDisplay *self);
static void update_accessible_description (VireoSpiceDisplay *self);

/* State shared with vireo-spice-display-surface.c ------------------------- */

static void
update_accessible_description (VireoSpiceDisplay *self)
{
  g_autofree char *desc = NULL;

  if (self->initialized)
    desc = g_strdup_printf (_("Guest screen, %d × %d"), self->fb_width, self->fb_height);
  else if (self->connected)
    desc = g_strdup (_("Connected, waiting for the guest screen"));
  else
    desc = g_strdup (_("Not connected"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, desc,
                                  -1);
}

void
vireo_spice_display_set_fb_size (VireoSpiceDisplay *self,
          int                width,
          int                height)
{
  if (width == self->fb_width && height == self->fb_height)
    return;
  self->fb_width = width;
  self->fb_height = height;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WIDTH]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEIGHT]);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  update_accessible_description (self);
}

void
vireo_spice_display_became_initialized (VireoSpiceDisplay *self)
{
  if (self->initialized)
    return;
  self->initialized = TRUE;
  update_accessible_description (self);
  g_signal_emit (self, signals[SIGNAL_INITIALIZED], 0);
}

void
vireo_spice_display_emit_error (VireoSpiceDisplay *self,
                                const char        *message)
{
  g_signal_emit (self, signals[SIGNAL_ERROR], 0, message);
}

/* Channels and sockets ------------------------------------------------------ */

static const char *
channel_type_name (SpiceChannel *channel)
{
  int type = 0;

  g_object_get (channel, "channel-type", &type, NULL);
  return spice_channel_type_to_string (type);
}

static void
give_fd (VireoSpiceDisplay *self,
         SpiceChannel      *channel,
         int                fd,
         const GError      *error)
{
  if (fd >= 0)
    {
      if (!spice_channel_open_fd (channel, fd))
        close (fd);
      return;
    }

  if (SPICE_IS_MAIN_CHANNEL (channel) || SPICE_IS_DISPLAY_CHANNEL (channel))
    {
      g_autofree char *msg = g_strdup_printf (_("Could not connect to the display: %s"),
                                              error ? error->message : _("no socket"));
      g_signal_emit (self, signals[SIGNAL_ERROR], 0, msg);
    }
  else
    g_debug ("No socket for the %s channel: %s", channel_type_name (channel),
             error ? error->message : "no socket");
  spice_channel_disconnect (channel, SPICE_CHANNEL_ERROR_CONNECT);
}

static void
on_channel_open_fd (SpiceChannel      *channel,
                    int                with_tls,
                    VireoSpiceDisplay *self)
{
  const char *type = channel_type_name (channel);

  if (self->fd_func != NULL)
    {
      g_autoptr(GError) error = NULL;
      int fd = self->fd_func (self, type, self->fd_func_data, &error);

      give_fd (self, channel, fd, error);
      return;
    }

  g_queue_push_tail (&self->pending, g_object_ref (channel));
  g_signal_emit (self, signals[SIGNAL_NEED_FD], 0, type);
}

static void
on_main_channel_event (SpiceChannel      *channel,
                       SpiceChannelEvent  event,
                       VireoSpiceDisplay *self)
{
  const GError *error;

  switch (event)
    {
    case SPICE_CHANNEL_OPENED:
      self->connected = TRUE;
      update_accessible_description (self);
      g_signal_emit (self, signals[SIGNAL_CONNECTED], 0);
      break;

    case SPICE_CHANNEL_SWITCHING:
    case SPICE_CHANNEL_NONE:
      break;

    case SPICE_CHANNEL_ERROR_CONNECT:
    case SPICE_CHANNEL_ERROR_TLS:
    case SPICE_CHANNEL_ERROR_LINK:
    case SPICE_CHANNEL_ERROR_AUTH:
    case SPICE_CHANNEL_ERROR_IO:
      error = spice_channel_get_error (channel);
      {
        g_autofree char *msg = NULL;

        if (event == SPICE_CHANNEL_ERROR_AUTH)
          msg = g_strdup (_("The SPICE server refused the connection (authentication failed)"));
        else if (error != NULL)
          msg = g_strdup_printf (_("The SPICE connection failed: %s"), error->message);
        else
          msg = g_strdup (_("The SPICE connection failed"));
        g_signal_emit (self, signals[SIGNAL_ERROR], 0, msg);
      }
      G_GNUC_FALLTHROUGH;
    case SPICE_CHANNEL_CLOSED:
    default:
      g_object_ref (self);
      close_session (self);
      g_signal_emit (self, signals[SIGNAL_DISCONNECTED], 0);
      g_object_unref (self);
      break;
    }
}

static void
on_inputs_channel_event (SpiceChannel      *channel,
                         SpiceChannelEvent  event,
                         VireoSpiceDisplay *self)
{
  self->inputs_ready = event == SPICE_CHANNEL_OPENED;
  if (!self->inputs_ready)
    self->n_down_keys = 0;
}

static void
on_channel_new (SpiceSession      *session,
                SpiceChannel      *channel,
                VireoSpiceDisplay *self)
{
  int id = 0;

  g_object_get (channel, "channel-id", &id, NULL);
  g_signal_connect (channel, "open-fd", G_CALLBACK (on_channel_open_fd), self);

  if (SPICE_IS_MAIN_CHANNEL (channel))
    {
      self->main = SPICE_MAIN_CHANNEL (channel);
      g_signal_connect (channel, "channel-event", G_CALLBACK (on_main_channel_event), self);
      vireo_spice_display_attach_main (self);
      return;  /* the session connects it */
    }

  if (SPICE_IS_DISPLAY_CHANNEL (channel))
    {
      /* One monitor: further heads are not shown (and not connected). */
      if (id != 0 || self->display != NULL)
        return;
      self->display = SPICE_DISPLAY_CHANNEL (channel);
      vireo_spice_display_attach_display (self);
      spice_channel_connect (channel);
      return;
    }

  if (SPICE_IS_INPUTS_CHANNEL (channel))
    {
      self->inputs = SPICE_INPUTS_CHANNEL (channel);
      self->inputs_ready = FALSE;
      g_signal_connect (channel, "channel-event", G_CALLBACK (on_inputs_channel_event), self);
      spice_channel_connect (channel);
      return;
    }

  if (SPICE_IS_CURSOR_CHANNEL (channel))
    {
      if (id != 0 || self->cursor != NULL)
        return;
      self->cursor = SPICE_CURSOR_CHANNEL (channel);
      vireo_spice_display_attach_cursor (self);
      spice_channel_connect (channel);
      return;
    }

  /* usbredir channels are connected by the USB device manager when a
   * device is redirected; audio, smartcard and webdav are not enabled. */
}

static void
on_channel_destroy (SpiceSession      *session,
                    SpiceChannel      *channel,
                    VireoSpiceDisplay *self)
{
  if (g_queue_remove (&self->pending, channel))
    g_object_unref (channel);
  g_signal_handlers_disconnect_by_data (channel, self);

  if ((gpointer) channel == (gpointer) self->main)
    {
      vireo_spice_display_clipboard_detach (self);
      self->main = NULL;
    }
  else if ((gpointer) channel == (gpointer) self->display)
    {
      vireo_spice_display_drop_surface (self);
      self->display = NULL;
    }
  else if ((gpointer) channel == (gpointer) self->inputs)
    {
      self->inputs = NULL;
      self->inputs_ready = FALSE;
      self->n_down_keys = 0;
    }
  else if ((gpointer) channel == (gpointer) self->cursor)
    self->cursor = NULL;
}

static void
clear_pending (VireoSpiceDisplay *self)
{
  SpiceChannel *channel;

  while ((channel = g_queue_pop_head (&self->pending)) != NULL)
    g_object_unref (channel);
}

static gboolean
unref_idle (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

/* Lets go of the session; it finishes closing on its own. This may run
 * inside one of its channels' signals: the last reference goes from idle. */
static void
close_session (VireoSpiceDisplay *self)
{
  SpiceSession *session = g_steal_pointer (&self->session);

  if (session == NULL)
    return;

  vireo_spice_display_release_keys (self);
  clear_pending (self);
  g_signal_handlers_disconnect_by_data (session, self);
  {
    g_autoptr(GList) channels = spice_session_get_channels (session);

    for (GList *l = channels; l != NULL; l = l->next)
      g_signal_handlers_disconnect_by_data (l->data, self);
  }
  vireo_spice_display_clipboard_detach (self);
  spice_session_disconnect (session);
  g_idle_add (unref_idle, session);

  self->main = NULL;
  self->display = NULL;
  self->inputs = NULL;
  self->cursor = NULL;
  self->inputs_ready = FALSE;
  self->connected = FALSE;
  self->initialized = FALSE;
  vireo_spice_display_drop_surface (self);  /* the pixels went with the channel */
  self->fd_func = NULL;
  self->fd_func_data = NULL;
  self->button_state = 0;
  self->have_last = FALSE;
  g_clear_object (&self->remote_cursor);
  self->cursor_hidden = FALSE;
  vireo_spice_display_update_cursor (self);
  update_accessible_description (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AGENT_CONNECTED]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
start_session (VireoSpiceDisplay *self,
               int                fd)
{
  self->session = spice_session_new ();
  g_object_set (self->session,
                "enable-audio", FALSE,
                "enable-smartcard", FALSE,
                "enable-usbredir", TRUE,
                /* Only offer GL scanouts where we can import dmabufs. */
                "gl-scanout", (gboolean) GTK_CHECK_VERSION (4, 14, 0),
                NULL);
  g_signal_connect (self->session, "channel-new", G_CALLBACK (on_channel_new), self);
  g_signal_connect (self->session, "channel-destroy", G_CALLBACK (on_channel_destroy), self);

  if (!spice_session_open_fd (self->session, fd))
    {
      if (fd >= 0)
        close (fd);
      close_session (self);
      return FALSE;
    }
  update_accessible_description (self);
  return TRUE;
}

/* Public API ----------------------------------------------------------------- */

GtkWidget *
vireo_spice_display_new (void)
{
  return g_object_new (VIREO_TYPE_SPICE_DISPLAY, NULL);
}

gboolean
vireo_spice_display_open_fd (VireoSpiceDisplay *self,
                             int                fd)
{
  g_return_val_if_fail (VIREO_IS_SPICE_DISPLAY (self), FALSE);
  g_return_val_if_fail (fd >= -1, FALSE);

  if (self->session != NULL)
    {
      if (fd >= 0)
        close (fd);
      return FALSE;
    }
  return start_session (self, fd);
}

gboolean
vireo_spice_display_open_fd_factory (VireoSpiceDisplay *self,
                                     VireoSpiceFdFunc   func,
                                     gpointer           user_data)
{
  g_return_val_if_fail (VIREO_IS_SPICE_DISPLAY (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (self->session != NULL)
    return FALSE;
  self->fd_func = func;
  self->fd_func_data = user_data;
  return start_session (self, -1);
}

gboolean
vireo_spice_display_provide_fd (VireoSpiceDisplay *self,
                                int                fd,
                                const GError      *error)
{
  SpiceChannel *channel;

  g_return_val_if_fail (VIREO_IS_SPICE_DISPLAY (self), FALSE);
  g_return_val_if_fail (fd >= -1, FALSE);

  channel = g_queue_pop_head (&self->pending);
  if (channel == NULL)
    {
      if (fd >= 0)
        close (fd);
      return FALSE;
    }
  give_fd (self, channel, fd, error);
  g_object_unref (channel);
  return TRUE;
}

void
vireo_spice_display_close (VireoSpiceDisplay *self)
{
  g_return_if_fail (VIREO_IS_SPICE_DISPLAY (self));

  if (self->session == NULL)
    return;
  g_object_ref (self);
  close_session (self);
  g_signal_emit (self, signals[SIGNAL_DISCONNECTED], 0);
  g_object_unref (self);
}

gboolean
vireo_spice_display_is_open (VireoSpiceDisplay *self)
{
  g_return_val_if_fail (VIREO_IS_SPICE_DISPLAY (self), FALSE);
  return self->session != NULL;
}

gboolean
vireo_spice_display_is_initialized (VireoSpiceDisplay *self)
{
  g_return_val_if_fail (VIREO_IS_SPICE_DISPLAY (self), FALSE);
  return self->initialized;
}

gboolean
vireo_spice_display_get_scaling (VireoSpiceDisplay *self)
{
  g_return_val_if_fail (VIREO_IS_SPICE_DISPLAY (self), FALSE);
  return self->scaling;
}

void
vireo_spice_display_set_scaling (VireoSpiceDisplay *self,
                                 gboolean           scaling)
{
  g_return_if_fail (VIREO_IS_SPICE_DISPLAY (self));

  scaling = !!scaling;
  if (self->scaling == scaling)
    return;
  self->scaling = scaling;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCALING]);
}

gboolean
vireo_spice_display_get_resize_guest (VireoSpiceDisplay *self)
{
  g_return_val_if_fail (VIREO_IS_SPICE_DISPLAY (self), FALSE);
  return self->resize_guest;
}

void
vireo_spice_display_set_resize_guest (VireoSpiceDisplay *self,
                                      gboolean           resize_guest)
{
  g_return_if_fail (VIREO_IS_SPICE_DISPLAY (self));

  resize_guest = !!resize_guest;
  if (self->resize_guest == resize_guest)
    return;
  self->resize_guest = resize_guest;
  self->last_resize_w = self->last_resize_h = 0;
  vireo_spice_display_queue_guest_resize (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESIZE_GUEST]);
}

int
vireo_spice_display_get_width (VireoSpiceDisplay *self)
{
  g_return_val_if_fail (VIREO_IS_SPICE_DISPLAY (self), 0);
  return self->fb_width;
}

int
vireo_spice_display_get_height (VireoSpiceDisplay *self)
{
  g_return_val_if_fail (VIREO_IS_SPICE_DISPLAY (self), 0);
  return self->fb_height;
}

gboolean
vireo_spice_display_get_agent_connected (VireoSpiceDisplay *self)
{
  gboolean connected = FALSE;

  g_return_val_if_fail (VIREO_IS_SPICE_DISPLAY (self), FALSE);
  if (self->main != NULL)
    g_object_get (self->main, "agent-connected", &connected, NULL);
  return connected;
}

gboolean
vireo_spice_display_get_absolute_pointer (VireoSpiceDisplay *self)
{
  g_return_val_if_fail (VIREO_IS_SPICE_DISPLAY (self), FALSE);
  return self->absolute;
}

SpiceUsbDeviceManager *
vireo_spice_display_get_usb_device_manager (VireoSpiceDisplay  *self,
                                            GError            **error)
{
  g_return_val_if_fail (VIREO_IS_SPICE_DISPLAY (self), NULL);

  if (self->session == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                           _("The display is not connected"));
      return NULL;
    }
  return spice_usb_device_manager_get (self->session, error);
}

/* GtkWidget ------------------------------------------------------------------ */

static void
vireo_spice_display_measure (GtkWidget      *widget,
                             GtkOrientation  orientation,
                             int             for_size,
                             int            *minimum,
                             int            *natural,
                             int            *minimum_baseline,
                             int            *natural_baseline)
{
  VireoSpiceDisplay *self = VIREO_SPICE_DISPLAY (widget);
  int size = orientation == GTK_ORIENTATION_HORIZONTAL ? self->fb_width : self->fb_height;

  /* 1:1 asks for the whole desktop (a scrolled window around it scrolls);
   * fitting, or letting the guest follow the widget, can take any size. */
  *minimum = (self->scaling || self->resize_guest) ? 0 : size;
  *natural = size;
}

static void
vireo_spice_display_size_allocate (GtkWidget *widget,
                                   int        width,
                                   int        height,
                                   int        baseline)
{
  vireo_spice_display_queue_guest_resize (VIREO_SPICE_DISPLAY (widget));
}

static void
vireo_spice_display_root (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (vireo_spice_display_parent_class)->root (widget);
  vireo_spice_display_clipboard_attach (VIREO_SPICE_DISPLAY (widget));
}

static void
vireo_spice_display_unroot (GtkWidget *widget)
{
  VireoSpiceDisplay *self = VIREO_SPICE_DISPLAY (widget);

  vireo_spice_display_release_keys (self);
  vireo_spice_display_clipboard_detach (self);
  GTK_WIDGET_CLASS (vireo_spice_display_parent_class)->unroot (widget);
}

/* GObject -------------------------------------------------------------------- */

static void
vireo_spice_display_dispose (GObject *object)
{
  VireoSpiceDisplay *self = VIREO_SPICE_DISPLAY (object);

  close_session (self);
  g_clear_handle_id (&self->resize_timeout_id, g_source_remove);
  g_clear_object (&self->remote_cursor);

  G_OBJECT_CLASS (vireo_spice_display_parent_class)->dispose (object);
}

static void
vireo_spice_display_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  VireoSpiceDisplay *self = VIREO_SPICE_DISPLAY (object);

  switch (prop_id)
    {
    case PROP_SCALING:
      g_value_set_boolean (value, self->scaling);
      break;
    case PROP_RESIZE_GUEST:
      g_value_set_boolean (value, self->resize_guest);
      break;
    case PROP_WIDTH:
      g_value_set_int (value, self->fb_width);
      break;
    case PROP_HEIGHT:
      g_value_set_int (value, self->fb_height);
      break;
    case PROP_AGENT_CONNECTED:
      g_value_set_boolean (value, vireo_spice_display_get_agent_connected (self));
      break;
    case PROP_ABSOLUTE_POINTER:
      g_value_set_boolean (value, self->absolute);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vireo_spice_display_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  VireoSpiceDisplay *self = VIREO_SPICE_DISPLAY (object);

  switch (prop_id)
    {
    case PROP_SCALING:
      vireo_spice_display_set_scaling (self, g_value_get_boolean (value));
      break;
    case PROP_RESIZE_GUEST:
      vireo_spice_display_set_resize_guest (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vireo_spice_display_class_init (VireoSpiceDisplayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vireo_spice_display_dispose;
  object_class->get_property = vireo_spice_display_get_property;
  object_class->set_property = vireo_spice_display_set_property;

  widget_class->measure = vireo_spice_display_measure;
  widget_class->size_allocate = vireo_spice_display_size_allocate;
  widget_class->snapshot = vireo_spice_display_snapshot;
  widget_class->root = vireo_spice_display_root;
  widget_class->unroot = vireo_spice_display_unroot;

  properties[PROP_SCALING] =
    g_param_spec_boolean ("scaling", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RESIZE_GUEST] =
    g_param_spec_boolean ("resize-guest", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WIDTH] =
    g_param_spec_int ("width", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_HEIGHT] =
    g_param_spec_int ("height", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_AGENT_CONNECTED] =
    g_param_spec_boolean ("agent-connected", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ABSOLUTE_POINTER] =
    g_param_spec_boolean ("absolute-pointer", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_NEED_FD] =
    g_signal_new ("need-fd", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_CONNECTED] =
    g_signal_new ("connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_INITIALIZED] =
    g_signal_new ("initialized", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_DISCONNECTED] =
    g_signal_new ("disconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_css_name (widget_class, "vireo-spice-display");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
vireo_spice_display_init (VireoSpiceDisplay *self)
{
  self->scaling = TRUE;
  g_queue_init (&self->pending);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focus_on_click (GTK_WIDGET (self), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Virtual machine display"),
                                  -1);
  update_accessible_description (self);
  vireo_spice_display_init_input (self);
}
