/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include "vireo-serial-console.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <unistd.h>

#define READ_CHUNK 8192
#define SCROLLBACK_LINES 10000

struct _VireoSerialConsole
{
  GtkWidget          parent_instance;

  GtkWidget         *scroller;
  VteTerminal       *terminal;

  GSocketConnection *conn;
  GInputStream      *input;    /* of conn; identifies current reads */
  GOutputStream     *output;
  GCancellable      *cancellable;
  GByteArray        *out_queue;
  GBytes            *writing;  /* in flight, NULL when idle */
};

G_DEFINE_FINAL_TYPE (VireoSerialConsole, vireo_serial_console, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONNECTED,
  N_PROPS
};

enum {
  SIGNAL_DISCONNECTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void start_read  (VireoSerialConsole *self);
static void start_write (VireoSerialConsole *self);

/* Drops the connection; with @emit, tells the owner why. */
static void
drop_connection (VireoSerialConsole *self,
                 gboolean            emit,
                 const char         *reason)
{
  g_autoptr(GSocketConnection) conn = g_steal_pointer (&self->conn);

  if (conn == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->input = NULL;
  self->output = NULL;
  g_clear_pointer (&self->out_queue, g_byte_array_unref);
  g_clear_pointer (&self->writing, g_bytes_unref);
  /* Closing a socket does not block. */
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->terminal),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("Disconnected"),
                                  -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
  if (emit)
    g_signal_emit (self, signals[SIGNAL_DISCONNECTED], 0, reason);
}

static void
read_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(VireoSerialConsole) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);

  /* A read from a connection that has since been closed or replaced. */
  if ((gpointer) source != (gpointer) self->input)
    return;

  if (bytes == NULL)
    {
      g_autofree char *reason = g_strdup_printf (_("Reading from the serial console failed: %s"),
                                                 error->message);
      drop_connection (self, TRUE, reason);
      return;
    }
  if (g_bytes_get_size (bytes) == 0)
    {
      drop_connection (self, TRUE, NULL);
      return;
    }

  vte_terminal_feed (self->terminal, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  start_read (self);
}

static void
start_read (VireoSerialConsole *self)
{
  g_input_stream_read_bytes_async (self->input, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   self->cancellable, read_done, g_object_ref (self));
}

static void
write_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(VireoSerialConsole) self = user_data;
  g_autoptr(GError) error = NULL;
  gssize written = g_output_stream_write_bytes_finish (G_OUTPUT_STREAM (source), result, &error);
  gsize size;

  if ((gpointer) source != (gpointer) self->output || self->writing == NULL)
    return;

  if (written < 0)
    {
      g_autofree char *reason = g_strdup_printf (_("Writing to the serial console failed: %s"),
                                                 error->message);
      drop_connection (self, TRUE, reason);
      return;
    }

  size = g_bytes_get_size (self->writing);
  if ((gsize) written < size)
    {
      GBytes *rest = g_bytes_new_from_bytes (self->writing, written, size - written);

      g_bytes_unref (self->writing);
      self->writing = rest;
      g_output_stream_write_bytes_async (self->output, self->writing, G_PRIORITY_DEFAULT,
                                         self->cancellable, write_done, g_object_ref (self));
      return;
    }

  g_clear_pointer (&self->writing, g_bytes_unref);
  start_write (self);
}

/* One write in flight at a time (GIO streams allow no more); what is typed
 * meanwhile waits in the queue and goes out in one piece. */
static void
start_write (VireoSerialConsole *self)
{
  if (self->writing != NULL || self->output == NULL || self->out_queue->len == 0)
    return;

  self->writing = g_byte_array_free_to_bytes (g_steal_pointer (&self->out_queue));
  self->out_queue = g_byte_array_new ();
  g_output_stream_write_bytes_async (self->output, self->writing, G_PRIORITY_DEFAULT,
                                     self->cancellable, write_done, g_object_ref (self));
}

static void
on_commit (VteTerminal        *terminal,
           const char         *text,
           guint               size,
           VireoSerialConsole *self)
{
  if (self->conn == NULL)
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      return;
    }
  g_byte_array_append (self->out_queue, (const guint8 *) text, size);
  start_write (self);
}

/* Public API ------------------------------------------------------------------ */

GtkWidget *
vireo_serial_console_new (void)
{
  return g_object_new (VIREO_TYPE_SERIAL_CONSOLE, NULL);
}

gboolean
vireo_serial_console_open_fd (VireoSerialConsole *self,
                              int                 fd)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (VIREO_IS_SERIAL_CONSOLE (self), FALSE);
  g_return_val_if_fail (fd >= 0, FALSE);

  if (self->conn != NULL)
    {
      close (fd);
      return FALSE;
    }

  socket = g_socket_new_from_fd (fd, &error);
  if (socket == NULL)
    {
      g_autofree char *reason = g_strdup_printf (_("Not a serial console socket: %s"), error->message);

      close (fd);
      g_signal_emit (self, signals[SIGNAL_DISCONNECTED], 0, reason);
      return FALSE;
    }

  self->conn = g_socket_connection_factory_create_connection (socket);
  self->input = g_io_stream_get_input_stream (G_IO_STREAM (self->conn));
  self->output = g_io_stream_get_output_stream (G_IO_STREAM (self->conn));
  self->cancellable = g_cancellable_new ();
  self->out_queue = g_byte_array_new ();

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->terminal),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("Connected"),
                                  -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
  start_read (self);
  return TRUE;
}

void
vireo_serial_console_close (VireoSerialConsole *self)
{
  g_return_if_fail (VIREO_IS_SERIAL_CONSOLE (self));
  drop_connection (self, TRUE, NULL);
}

gboolean
vireo_serial_console_is_connected (VireoSerialConsole *self)
{
  g_return_val_if_fail (VIREO_IS_SERIAL_CONSOLE (self), FALSE);
  return self->conn != NULL;
}

VteTerminal *
vireo_serial_console_get_terminal (VireoSerialConsole *self)
{
  g_return_val_if_fail (VIREO_IS_SERIAL_CONSOLE (self), NULL);
  return self->terminal;
}

/* GtkWidget / GObject ------------------------------------------------------- */

static gboolean
vireo_serial_console_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (VIREO_SERIAL_CONSOLE (widget)->terminal));
}

static void
vireo_serial_console_dispose (GObject *object)
{
  VireoSerialConsole *self = VIREO_SERIAL_CONSOLE (object);

  drop_connection (self, FALSE, NULL);
  if (self->terminal != NULL)
    g_signal_handlers_disconnect_by_data (self->terminal, self);
  self->terminal = NULL;
  g_clear_pointer (&self->scroller, gtk_widget_unparent);

  G_OBJECT_CLASS (vireo_serial_console_parent_class)->dispose (object);
}

static void
vireo_serial_console_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  VireoSerialConsole *self = VIREO_SERIAL_CONSOLE (object);

  switch (prop_id)
    {
    case PROP_CONNECTED:
      g_value_set_boolean (value, self->conn != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vireo_serial_console_class_init (VireoSerialConsoleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vireo_serial_console_dispose;
  object_class->get_property = vireo_serial_console_get_property;
  widget_class->grab_focus = vireo_serial_console_grab_focus;

  properties[PROP_CONNECTED] =
    g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_DISCONNECTED] =
    g_signal_new ("disconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "vireo-serial-console");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
vireo_serial_console_init (VireoSerialConsole *self)
{
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string ("Monospace 11");
  GtkWidget *terminal = vte_terminal_new ();

  self->terminal = VTE_TERMINAL (terminal);
  vte_terminal_set_font (self->terminal, font);
  vte_terminal_set_scrollback_lines (self->terminal, SCROLLBACK_LINES);
  vte_terminal_set_size (self->terminal, 80, 25);
  vte_terminal_set_audible_bell (self->terminal, FALSE);
  vte_terminal_set_mouse_autohide (self->terminal, TRUE);
  vte_terminal_set_scroll_on_keystroke (self->terminal, TRUE);
  vte_terminal_set_scroll_on_output (self->terminal, FALSE);
  /* No pty to ask: send what serial gettys expect. */
  vte_terminal_set_backspace_binding (self->terminal, VTE_ERASE_ASCII_DELETE);
  vte_terminal_set_delete_binding (self->terminal, VTE_ERASE_DELETE_SEQUENCE);
  gtk_widget_set_hexpand (terminal, TRUE);
  gtk_widget_set_vexpand (terminal, TRUE);
  g_signal_connect (terminal, "commit", G_CALLBACK (on_commit), self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (terminal),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Serial console"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("Not connected"),
                                  -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Serial console"),
                                  -1);

  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller),
                                  GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), terminal);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
}
