/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/socket.h>

#include "vireo-types.h"
#include "vireo-qmp-client.h"

/* A QMP line longer than this is not something QEMU sends. */
#define MAX_LINE (16 * 1024 * 1024)

struct _VireoQmpClient {
  GObject           parent_instance;

  GIOStream        *stream;
  GDataInputStream *input;
  GCancellable     *cancellable;   /* for our own reads and writes */
  GQueue            writes;        /* GBytes*, one write in flight */
  GHashTable       *write_fds;     /* GBytes* → fd sent with its first byte */
  gboolean          writing;
  GHashTable       *pending;       /* id → GTask */
  guint64           next_id;
  GTask            *connect_task;  /* until the capabilities are agreed */
  gboolean          greeted;
  gboolean          connected;
  gboolean          closed;
};

G_DEFINE_FINAL_TYPE (VireoQmpClient, vireo_qmp_client, G_TYPE_OBJECT)

enum { SIGNAL_EVENT, SIGNAL_CLOSED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void read_next   (VireoQmpClient *self);
static void write_next  (VireoQmpClient *self);
static void send_object (VireoQmpClient *self, JsonObject *object);

static void
fail_all (VireoQmpClient *self,
          const GError   *reason)
{
  g_autoptr(GHashTable) pending = g_steal_pointer (&self->pending);
  GHashTableIter iter;
  gpointer value;

  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_hash_table_iter_init (&iter, pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_task_return_error (value, g_error_copy (reason));
  if (self->connect_task != NULL)
    {
      GTask *task = g_steal_pointer (&self->connect_task);
      g_task_return_error (task, g_error_copy (reason));
      g_object_unref (task);
    }
}

static void
shut_down (VireoQmpClient *self,
           const GError   *reason)
{
  g_autoptr(GError) closed_error = NULL;

  if (self->closed)
    return;
  self->closed = TRUE;
  self->connected = FALSE;
  g_cancellable_cancel (self->cancellable);
  g_hash_table_remove_all (self->write_fds);
  g_queue_clear_full (&self->writes, (GDestroyNotify) g_bytes_unref);
  if (self->stream != NULL)
    g_io_stream_close (self->stream, NULL, NULL);

  if (reason == NULL)
    closed_error = g_error_new (VIREO_ERROR, VIREO_ERROR_CANCELLED,
                                _("The QEMU monitor connection was closed."));
  fail_all (self, reason ? reason : closed_error);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, reason);
}

static void
protocol_error (VireoQmpClient *self,
                const char     *what)
{
  g_autoptr(GError) error =
    g_error_new (VIREO_ERROR, VIREO_ERROR_FAILED,
                 _("QEMU's monitor sent something unexpected (%s); the connection was closed."),
                 what);
  shut_down (self, error);
}

static void
handle_message (VireoQmpClient *self,
                JsonObject     *msg)
{
  if (!self->greeted)
    {
      g_autoptr(JsonObject) cmd = NULL;

      if (!json_object_has_member (msg, "QMP"))
        {
          protocol_error (self, _("no greeting"));
          return;
        }
      self->greeted = TRUE;
      cmd = json_object_new ();
      json_object_set_string_member (cmd, "execute", "qmp_capabilities");
      json_object_set_string_member (cmd, "id", "vireo-capabilities");
      send_object (self, cmd);
      return;
    }

  if (json_object_has_member (msg, "event"))
    {
      JsonNode *name = json_object_get_member (msg, "event");
      JsonObject *data = NULL;

      if (!JSON_NODE_HOLDS_VALUE (name) || json_node_get_value_type (name) != G_TYPE_STRING)
        {
          protocol_error (self, _("an event without a name"));
          return;
        }
      if (json_object_has_member (msg, "data") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (msg, "data")))
        data = json_object_get_object_member (msg, "data");
      g_signal_emit (self, signals[SIGNAL_EVENT], 0, json_node_get_string (name), data);
      return;
    }

  if (json_object_has_member (msg, "return") || json_object_has_member (msg, "error"))
    {
      const char *id = NULL;
      char *stolen_id = NULL;
      JsonNode *id_node = json_object_get_member (msg, "id");
      GTask *task = NULL;

      if (id_node != NULL && JSON_NODE_HOLDS_VALUE (id_node) &&
          json_node_get_value_type (id_node) == G_TYPE_STRING)
        id = json_node_get_string (id_node);

      if (g_strcmp0 (id, "vireo-capabilities") == 0 && self->connect_task != NULL)
        {
          task = g_steal_pointer (&self->connect_task);
          if (json_object_has_member (msg, "error"))
            g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_FAILED,
                                     _("QEMU refused the monitor handshake."));
          else
            {
              self->connected = TRUE;
              g_task_return_boolean (task, TRUE);
            }
          g_object_unref (task);
          return;
        }

      /* A reply we did not ask for is ignored, as QEMU may answer a
       * command the peer sent before us. */
      if (id == NULL || !g_hash_table_steal_extended (self->pending, id, (gpointer *) &stolen_id,
                                                      (gpointer *) &task))
        return;
      g_free (stolen_id);

      if (json_object_has_member (msg, "error"))
        {
          JsonNode *err = json_object_get_member (msg, "error");
          const char *desc = NULL;

          if (JSON_NODE_HOLDS_OBJECT (err))
            desc = json_object_get_string_member_with_default (json_node_get_object (err),
                                                               "desc", NULL);
          g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_FAILED, "%s",
                                   desc ? desc : _("QEMU reported an error."));
        }
      else
        g_task_return_pointer (task, json_node_copy (json_object_get_member (msg, "return")),
                               (GDestroyNotify) json_node_unref);
      g_object_unref (task);
      return;
    }

  protocol_error (self, _("a message of unknown kind"));
}

static void
line_read (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(VireoQmpClient) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *line = NULL;
  gsize length = 0;
  JsonNode *root;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                    &length, &error);
  if (self->closed)
    return;
  if (error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA))
        protocol_error (self, _("text that is not UTF-8"));
      else
        {
          g_autoptr(GError) reason =
            g_error_new (VIREO_ERROR, VIREO_ERROR_FAILED,
                         _("The connection to QEMU's monitor failed: %s"), error->message);
          shut_down (self, reason);
        }
      return;
    }
  if (line == NULL)
    {
      g_autoptr(GError) reason =
        g_error_new (VIREO_ERROR, VIREO_ERROR_FAILED, _("QEMU closed its monitor connection."));
      shut_down (self, reason);
      return;
    }
  if (length > MAX_LINE)
    {
      protocol_error (self, _("a message too long"));
      return;
    }

  g_strchomp (line);
  if (*line == '\0')
    {
      read_next (self);
      return;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, line, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      protocol_error (self, _("text that is not a JSON object"));
      return;
    }

  handle_message (self, json_node_get_object (root));
  if (!self->closed)
    read_next (self);
}

static void
read_next (VireoQmpClient *self)
{
  g_data_input_stream_read_line_async (self->input, G_PRIORITY_DEFAULT, self->cancellable,
                                       line_read, g_object_ref (self));
}

static void
write_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(VireoQmpClient) self = user_data;
  g_autoptr(GError) error = NULL;

  self->writing = FALSE;
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      if (!self->closed)
        {
          g_autoptr(GError) reason =
            g_error_new (VIREO_ERROR, VIREO_ERROR_FAILED,
                         _("Could not write to QEMU's monitor: %s"), error->message);
          shut_down (self, reason);
        }
      return;
    }
  write_next (self);
}

/* Sends the start of `data` with `fd` attached (SCM_RIGHTS), as QEMU's
 * "getfd" expects; returns how much was sent, or -1. Small, so the socket
 * buffer takes it at once; a full buffer is waited for briefly. */
static gssize
send_with_fd (GSocket       *socket,
              gconstpointer  data,
              gsize          size,
              int            fd)
{
  for (int attempt = 0; attempt < 50; attempt++)
    {
      union { struct cmsghdr align; char buf[CMSG_SPACE (sizeof (int))]; } control;
      struct iovec iov = { (void *) data, size };
      struct msghdr msg = { 0 };
      struct cmsghdr *cmsg;
      gssize sent;

      memset (&control, 0, sizeof control);
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control.buf;
      msg.msg_controllen = sizeof control.buf;
      cmsg = CMSG_FIRSTHDR (&msg);
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (cmsg), &fd, sizeof (int));
      sent = sendmsg (g_socket_get_fd (socket), &msg, MSG_NOSIGNAL);
      if (sent >= 0)
        return sent;
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        return -1;
      g_socket_condition_timed_wait (socket, G_IO_OUT, 100 * 1000, NULL, NULL);
    }
  return -1;
}

static void
write_next (VireoQmpClient *self)
{
  GBytes *bytes;
  gsize size;
  gconstpointer data;
  gpointer fd;

  if (self->writing || self->closed || (bytes = g_queue_pop_head (&self->writes)) == NULL)
    return;

  if (g_hash_table_steal_extended (self->write_fds, bytes, NULL, &fd))
    {
      gssize sent = -1;
      int saved = ENOTSOCK;

      data = g_bytes_get_data (bytes, &size);
      if (G_IS_SOCKET_CONNECTION (self->stream))
        {
          sent = send_with_fd (g_socket_connection_get_socket (G_SOCKET_CONNECTION (self->stream)),
                               data, size, GPOINTER_TO_INT (fd));
          saved = errno;
        }
      if (sent < 0)
        {
          g_autoptr(GError) reason =
            g_error_new (VIREO_ERROR, VIREO_ERROR_FAILED,
                         _("Could not pass a file to QEMU's monitor: %s"), g_strerror (saved));
          g_bytes_unref (bytes);
          shut_down (self, reason);
          return;
        }
      /* The rest, if any, goes the ordinary way. */
      {
        GBytes *rest = g_bytes_new_from_bytes (bytes, sent, size - sent);
        g_bytes_unref (bytes);
        bytes = rest;
      }
    }

  self->writing = TRUE;
  data = g_bytes_get_data (bytes, &size);
  /* The GBytes stays alive until the write completes. */
  g_object_set_data_full (G_OBJECT (self), "vireo-qmp-writing", bytes,
                          (GDestroyNotify) g_bytes_unref);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (self->stream), data, size,
                                   G_PRIORITY_DEFAULT, self->cancellable, write_done,
                                   g_object_ref (self));
}

static void
send_object_with_fd (VireoQmpClient *self,
                     JsonObject     *object,
                     int             fd)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;
  GBytes *bytes;

  json_node_set_object (node, object);
  text = json_to_string (node, FALSE);
  bytes = g_bytes_new_take (g_strconcat (text, "\n", NULL), strlen (text) + 1);
  if (fd >= 0)
    g_hash_table_insert (self->write_fds, bytes, GINT_TO_POINTER (fd));
  g_queue_push_tail (&self->writes, bytes);
  write_next (self);
}

static void
send_object (VireoQmpClient *self,
             JsonObject     *object)
{
  send_object_with_fd (self, object, -1);
}

static void
start_session (VireoQmpClient *self,
               GIOStream      *stream,
               GTask          *task)
{
  self->connect_task = task;
  self->stream = g_object_ref (stream);
  self->input = g_data_input_stream_new (g_io_stream_get_input_stream (stream));
  g_data_input_stream_set_newline_type (self->input, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (self->input), FALSE);
  read_next (self);
}

void
vireo_qmp_client_connect_async (VireoQmpClient      *self,
                                GIOStream           *stream,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (VIREO_IS_QMP_CLIENT (self));
  g_return_if_fail (G_IS_IO_STREAM (stream));
  g_return_if_fail (self->stream == NULL);

  start_session (self, stream, g_task_new (self, cancellable, callback, user_data));
}

gboolean
vireo_qmp_client_connect_finish (VireoQmpClient *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
unix_connected (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VireoQmpClient *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) conn =
    g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);

  if (conn == NULL)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_NOT_CONNECTED,
                               _("Could not reach QEMU's monitor: %s"), error->message);
      return;
    }
  if (self->stream != NULL || self->closed)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_FAILED,
                               _("This monitor client was already used."));
      return;
    }
  /* The caller's task completes with the handshake. */
  start_session (self, G_IO_STREAM (conn), g_steal_pointer (&task));
}

void
vireo_qmp_client_connect_unix_async (VireoQmpClient      *self,
                                     const char          *path,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (address), cancellable,
                                 unix_connected, task);
}

void
vireo_qmp_client_execute_async (VireoQmpClient      *self,
                                const char          *command,
                                JsonObject          *arguments,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  vireo_qmp_client_execute_with_fd_async (self, command, arguments, -1, cancellable,
                                          callback, user_data);
}

void
vireo_qmp_client_execute_with_fd_async (VireoQmpClient      *self,
                                        const char          *command,
                                        JsonObject          *arguments,
                                        int                  fd,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonObject) msg = NULL;
  g_autofree char *id = NULL;

  g_return_if_fail (VIREO_IS_QMP_CLIENT (self));
  g_return_if_fail (command != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  if (!self->connected)
    {
      g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_NOT_CONNECTED,
                               _("Not connected to QEMU's monitor."));
      return;
    }

  id = g_strdup_printf ("vireo-%" G_GUINT64_FORMAT, ++self->next_id);
  msg = json_object_new ();
  json_object_set_string_member (msg, "execute", command);
  if (arguments != NULL)
    json_object_set_object_member (msg, "arguments", json_object_ref (arguments));
  json_object_set_string_member (msg, "id", id);
  g_hash_table_insert (self->pending, g_strdup (id), g_steal_pointer (&task));
  send_object_with_fd (self, msg, fd);
}

JsonNode *
vireo_qmp_client_execute_finish (VireoQmpClient *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
vireo_qmp_client_is_connected (VireoQmpClient *self)
{
  g_return_val_if_fail (VIREO_IS_QMP_CLIENT (self), FALSE);
  return self->connected;
}

void
vireo_qmp_client_close (VireoQmpClient *self)
{
  g_return_if_fail (VIREO_IS_QMP_CLIENT (self));
  shut_down (self, NULL);
}

/* ---------------------------------------------------------------------- */

struct _VireoQmpSync {
  GMainContext   *context;
  VireoQmpClient *client;
  GMainLoop      *loop;
  JsonNode       *result;
  GError         *error;
  gboolean        done;
};

static void
sync_connected (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  VireoQmpSync *sync = user_data;

  vireo_qmp_client_connect_finish (VIREO_QMP_CLIENT (source), result, &sync->error);
  sync->done = TRUE;
  g_main_loop_quit (sync->loop);
}

static void
sync_executed (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  VireoQmpSync *sync = user_data;

  sync->result = vireo_qmp_client_execute_finish (VIREO_QMP_CLIENT (source), result, &sync->error);
  sync->done = TRUE;
  g_main_loop_quit (sync->loop);
}

static gboolean
sync_timeout (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

/* Runs the private context until the pending call completes or the time
 * runs out. */
static gboolean
sync_wait (VireoQmpSync *sync,
           guint         timeout_ms)
{
  g_autoptr(GSource) timeout = g_timeout_source_new (timeout_ms);

  g_source_set_callback (timeout, sync_timeout, sync->loop, NULL);
  g_source_attach (timeout, sync->context);
  if (!sync->done)
    g_main_loop_run (sync->loop);
  g_source_destroy (timeout);
  return sync->done;
}

VireoQmpSync *
vireo_qmp_sync_open (const char  *socket_path,
                     guint        timeout_ms,
                     GError     **error)
{
  VireoQmpSync *sync = g_new0 (VireoQmpSync, 1);
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (socket_path);
  g_autoptr(GSocketConnection) conn = NULL;
  gint64 deadline = g_get_monotonic_time () + timeout_ms * (gint64) 1000;

  sync->context = g_main_context_new ();
  sync->loop = g_main_loop_new (sync->context, FALSE);
  g_main_context_push_thread_default (sync->context);
  sync->client = vireo_qmp_client_new ();
  /* QEMU serves one monitor client at a time and queues few: a full queue
   * (EAGAIN) while another client is served is waited out. */
  while (conn == NULL)
    {
      g_autoptr(GError) local_error = NULL;

      conn = g_socket_client_connect (socket_client, G_SOCKET_CONNECTABLE (address), NULL,
                                      &local_error);
      if (conn != NULL)
        break;
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK) ||
          g_get_monotonic_time () > deadline)
        {
          g_set_error (&sync->error, VIREO_ERROR, VIREO_ERROR_NOT_CONNECTED,
                       _("Could not reach QEMU's monitor: %s"), local_error->message);
          break;
        }
      g_usleep (20 * 1000);
    }
  if (conn != NULL)
    vireo_qmp_client_connect_async (sync->client, G_IO_STREAM (conn), NULL, sync_connected, sync);
  else
    sync->done = TRUE;
  if (!sync_wait (sync, timeout_ms))
    g_set_error (&sync->error, VIREO_ERROR, VIREO_ERROR_FAILED,
                 _("QEMU's monitor did not answer within %u ms."), timeout_ms);
  g_main_context_pop_thread_default (sync->context);
  if (sync->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&sync->error));
      vireo_qmp_sync_free (sync);
      return NULL;
    }
  return sync;
}

JsonNode *
vireo_qmp_sync_execute (VireoQmpSync *sync,
                        const char   *command,
                        JsonObject   *arguments,
                        int           fd,
                        guint         timeout_ms,
                        GError      **error)
{
  JsonNode *result;

  g_main_context_push_thread_default (sync->context);
  sync->done = FALSE;
  vireo_qmp_client_execute_with_fd_async (sync->client, command, arguments, fd, NULL,
                                          sync_executed, sync);
  if (!sync_wait (sync, timeout_ms))
    {
      /* The reply would come for a call nobody waits for: end the session. */
      vireo_qmp_client_close (sync->client);
      while (!sync->done && g_main_context_iteration (sync->context, FALSE))
        ;
      g_clear_error (&sync->error);
      g_clear_pointer (&sync->result, json_node_unref);
      g_set_error (&sync->error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("QEMU did not answer “%s” within %u ms."), command, timeout_ms);
    }
  g_main_context_pop_thread_default (sync->context);
  result = g_steal_pointer (&sync->result);
  if (sync->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&sync->error));
      return NULL;
    }
  return result;
}

void
vireo_qmp_sync_free (VireoQmpSync *sync)
{
  if (sync == NULL)
    return;
  g_main_context_push_thread_default (sync->context);
  vireo_qmp_client_close (sync->client);
  /* Let the cancelled reads and writes finish on this context. */
  while (g_main_context_iteration (sync->context, FALSE))
    ;
  g_clear_object (&sync->client);
  while (g_main_context_iteration (sync->context, FALSE))
    ;
  g_main_context_pop_thread_default (sync->context);
  g_clear_error (&sync->error);
  g_clear_pointer (&sync->result, json_node_unref);
  g_main_loop_unref (sync->loop);
  g_main_context_unref (sync->context);
  g_free (sync);
}

JsonNode *
vireo_qmp_execute_sync (const char  *socket_path,
                        const char  *command,
                        JsonObject  *arguments,
                        guint        timeout_ms,
                        GError     **error)
{
  g_autoptr(VireoQmpSync) sync = vireo_qmp_sync_open (socket_path, timeout_ms, error);

  if (sync == NULL)
    return NULL;
  return vireo_qmp_sync_execute (sync, command, arguments, -1, timeout_ms, error);
}

/* ---------------------------------------------------------------------- */

static void
vireo_qmp_client_dispose (GObject *object)
{
  VireoQmpClient *self = VIREO_QMP_CLIENT (object);

  if (!self->closed && self->stream != NULL)
    shut_down (self, NULL);
  G_OBJECT_CLASS (vireo_qmp_client_parent_class)->dispose (object);
}

static void
vireo_qmp_client_finalize (GObject *object)
{
  VireoQmpClient *self = VIREO_QMP_CLIENT (object);

  g_hash_table_remove_all (self->write_fds);
  g_queue_clear_full (&self->writes, (GDestroyNotify) g_bytes_unref);
  g_clear_object (&self->input);
  g_clear_object (&self->stream);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->connect_task);
  g_hash_table_unref (self->pending);
  g_hash_table_unref (self->write_fds);
  G_OBJECT_CLASS (vireo_qmp_client_parent_class)->finalize (object);
}

static void
vireo_qmp_client_class_init (VireoQmpClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vireo_qmp_client_dispose;
  object_class->finalize = vireo_qmp_client_finalize;

  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, JSON_TYPE_OBJECT);
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
vireo_qmp_client_init (VireoQmpClient *self)
{
  self->cancellable = g_cancellable_new ();
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->write_fds = g_hash_table_new (NULL, NULL);
}

VireoQmpClient *
vireo_qmp_client_new (void)
{
  return g_object_new (VIREO_TYPE_QMP_CLIENT, NULL);
}
