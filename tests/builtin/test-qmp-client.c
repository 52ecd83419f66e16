/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The QMP client against a scripted peer on a socket pair: the normal
 * handshake, events arriving at any time, error replies, and a peer that
 * misbehaves (malformed JSON, no greeting, early close). */
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vireo-types.h"
#include "builtin/vireo-qmp-client.h"

/* EXPECT_FD: the line must arrive with a file descriptor attached. */
typedef enum { SEND, EXPECT, EXPECT_FD, REPLY, CLOSE } StepKind;
typedef struct { StepKind kind; const char *text; } Step;

typedef struct {
  int          fd;
  const Step  *steps;
  GString     *failures;   /* what the peer saw go wrong */
  ino_t        fd_inode;   /* of the fd received with EXPECT_FD */
  GMutex       lock;
} Peer;

static char *
read_line (int fd)
{
  GString *line = g_string_new (NULL);
  char c;

  while (read (fd, &c, 1) == 1)
    {
      if (c == '\n')
        return g_string_free (line, FALSE);
      g_string_append_c (line, c);
    }
  g_string_free (line, TRUE);
  return NULL;
}

static gpointer
peer_thread (gpointer data)
{
  Peer *peer = data;
  g_autofree char *last_id = NULL;

  for (const Step *s = peer->steps; s->text != NULL || s->kind == CLOSE; s++)
    {
      switch (s->kind)
        {
        case SEND:
          if (write (peer->fd, s->text, strlen (s->text)) < 0)
            g_string_append (peer->failures, "write failed; ");
          break;
        case EXPECT:
        case EXPECT_FD:
          {
            g_autofree char *line = NULL;
            char first[2] = { 0 };

            if (s->kind == EXPECT_FD)
              {
                /* The fd rides on the first byte of the command. */
                union { struct cmsghdr align; char buf[CMSG_SPACE (sizeof (int))]; } control;
                struct iovec iov = { first, 1 };
                struct msghdr msg = { 0 };
                struct cmsghdr *cmsg;

                msg.msg_iov = &iov;
                msg.msg_iovlen = 1;
                msg.msg_control = control.buf;
                msg.msg_controllen = sizeof control.buf;
                if (recvmsg (peer->fd, &msg, 0) == 1 && (cmsg = CMSG_FIRSTHDR (&msg)) != NULL &&
                    cmsg->cmsg_type == SCM_RIGHTS)
                  {
                    int fd;
                    struct stat st;

                    memcpy (&fd, CMSG_DATA (cmsg), sizeof fd);
                    if (fstat (fd, &st) == 0)
                      peer->fd_inode = st.st_ino;
                    close (fd);
                  }
                else
                  g_string_append (peer->failures, "no fd came with the command; ");
              }
            {
              g_autofree char *rest = read_line (peer->fd);
              line = rest ? g_strconcat (first, rest, NULL) : NULL;
            }
            g_autoptr(GMatchInfo) match = NULL;
            g_autoptr(GRegex) id_re = g_regex_new ("\"id\"\\s*:\\s*\"([^\"]+)\"", 0, 0, NULL);

            g_mutex_lock (&peer->lock);
            if (line == NULL || strstr (line, s->text) == NULL)
              g_string_append_printf (peer->failures, "expected %s, got %s; ", s->text,
                                      line ? line : "(end)");
            g_mutex_unlock (&peer->lock);
            if (line != NULL && g_regex_match (id_re, line, 0, &match))
              {
                g_free (last_id);
                last_id = g_match_info_fetch (match, 1);
              }
          }
          break;
        case REPLY:
          {
            g_autofree char *text = g_strdup_printf ("{%s, \"id\": \"%s\"}\r\n", s->text,
                                                     last_id ? last_id : "");
            if (write (peer->fd, text, strlen (text)) < 0)
              g_string_append (peer->failures, "write failed; ");
          }
          break;
        case CLOSE:
          close (peer->fd);
          peer->fd = -1;
          return NULL;
        }
    }
  return NULL;
}

/* Passed with the command run() executes, when >= 0. */
static int run_fd = -1;

typedef struct {
  GMainLoop      *loop;
  VireoQmpClient *client;
  gboolean        connected;
  GError         *connect_error;
  JsonNode       *result;
  GError         *exec_error;
  gboolean        exec_done;
  GPtrArray      *events;
  gboolean        closed;
  char           *closed_reason;
} Fixture;

static void
on_event (VireoQmpClient *client, const char *name, JsonObject *data, Fixture *f)
{
  g_ptr_array_add (f->events, g_strdup (name));
}

static void
on_closed (VireoQmpClient *client, const GError *reason, Fixture *f)
{
  f->closed = TRUE;
  f->closed_reason = g_strdup (reason ? reason->message : "");
}

static void
connected (GObject *source, GAsyncResult *result, gpointer data)
{
  Fixture *f = data;
  f->connected = vireo_qmp_client_connect_finish (f->client, result, &f->connect_error);
  g_main_loop_quit (f->loop);
}

static void
executed (GObject *source, GAsyncResult *result, gpointer data)
{
  Fixture *f = data;
  f->result = vireo_qmp_client_execute_finish (f->client, result, &f->exec_error);
  f->exec_done = TRUE;
  g_main_loop_quit (f->loop);
}

static gboolean
timeout_cb (gpointer data)
{
  g_error ("the scripted exchange did not finish in time");
  return G_SOURCE_REMOVE;
}

/* Runs a peer script; connects; optionally executes `command`. */
static void
run (Fixture *f, Peer *peer, const Step *steps, const char *command)
{
  int fds[2];
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketConnection) conn = NULL;
  GThread *thread;
  guint timeout;

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
  memset (f, 0, sizeof *f);
  f->loop = g_main_loop_new (NULL, FALSE);
  f->events = g_ptr_array_new_with_free_func (g_free);
  f->client = vireo_qmp_client_new ();
  g_signal_connect (f->client, "event", G_CALLBACK (on_event), f);
  g_signal_connect (f->client, "closed", G_CALLBACK (on_closed), f);

  peer->fd = fds[1];
  peer->steps = steps;
  peer->failures = g_string_new (NULL);
  g_mutex_init (&peer->lock);
  thread = g_thread_new ("qmp-peer", peer_thread, peer);

  socket = g_socket_new_from_fd (fds[0], NULL);
  conn = g_socket_connection_factory_create_connection (socket);
  timeout = g_timeout_add_seconds (10, timeout_cb, NULL);
  vireo_qmp_client_connect_async (f->client, G_IO_STREAM (conn), NULL, connected, f);
  g_main_loop_run (f->loop);

  if (f->connected && command != NULL)
    {
      vireo_qmp_client_execute_with_fd_async (f->client, command, NULL, run_fd, NULL, executed, f);
      g_main_loop_run (f->loop);
    }
  /* Let any remaining input (events, a close) arrive. */
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_source_remove (timeout);
  vireo_qmp_client_close (f->client);
  g_thread_join (thread);
  if (peer->fd >= 0)
    close (peer->fd);
}

static void
fixture_clear (Fixture *f, Peer *peer)
{
  g_clear_object (&f->client);
  g_clear_error (&f->connect_error);
  g_clear_error (&f->exec_error);
  g_clear_pointer (&f->result, json_node_unref);
  g_ptr_array_unref (f->events);
  g_free (f->closed_reason);
  g_main_loop_unref (f->loop);
  g_string_free (peer->failures, TRUE);
  g_mutex_clear (&peer->lock);
}

#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}}, \"capabilities\": []}}\r\n"

static void
test_normal_with_events (void)
{
  static const Step steps[] = {
    { SEND, GREETING },
    { EXPECT, "\"qmp_capabilities\"" },
    { REPLY, "\"return\": {}" },
    /* An event before the command and one between request and reply. */
    { SEND, "{\"event\": \"STOP\", \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}\r\n" },
    { EXPECT, "\"query-status\"" },
    { SEND, "{\"event\": \"RESUME\", \"data\": {}, \"timestamp\": {\"seconds\": 1, \"microseconds\": 3}}\r\n" },
    { SEND, "\r\n" },
    { REPLY, "\"return\": {\"status\": \"running\", \"running\": true}" },
    { CLOSE, NULL },
  };
  Fixture f;
  Peer peer;

  run (&f, &peer, steps, "query-status");
  g_assert_cmpstr (peer.failures->str, ==, "");
  g_assert_true (f.connected);
  g_assert_no_error (f.exec_error);
  g_assert_nonnull (f.result);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (f.result), "status"), ==, "running");
  g_assert_cmpuint (f.events->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (f.events, 0), ==, "STOP");
  g_assert_cmpstr (g_ptr_array_index (f.events, 1), ==, "RESUME");
  fixture_clear (&f, &peer);
}

static void
test_error_reply (void)
{
  static const Step steps[] = {
    { SEND, GREETING },
    { EXPECT, "qmp_capabilities" },
    { REPLY, "\"return\": {}" },
    { EXPECT, "\"no-such-command\"" },
    { REPLY, "\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command no-such-command has not been found\"}" },
    { CLOSE, NULL },
  };
  Fixture f;
  Peer peer;

  run (&f, &peer, steps, "no-such-command");
  g_assert_cmpstr (peer.failures->str, ==, "");
  g_assert_true (f.connected);
  g_assert_null (f.result);
  g_assert_error (f.exec_error, VIREO_ERROR, VIREO_ERROR_FAILED);
  g_assert_cmpstr (f.exec_error->message, ==, "The command no-such-command has not been found");
  fixture_clear (&f, &peer);
}

static void
test_reply_for_unknown_id_ignored (void)
{
  static const Step steps[] = {
    { SEND, GREETING },
    { EXPECT, "qmp_capabilities" },
    { REPLY, "\"return\": {}" },
    { EXPECT, "query-kvm" },
    { SEND, "{\"return\": {\"enabled\": true}, \"id\": \"someone-else\"}\r\n" },
    { SEND, "{\"return\": {\"enabled\": true}}\r\n" },
    { REPLY, "\"return\": {\"enabled\": false, \"present\": false}" },
    { CLOSE, NULL },
  };
  Fixture f;
  Peer peer;

  run (&f, &peer, steps, "query-kvm");
  g_assert_cmpstr (peer.failures->str, ==, "");
  g_assert_no_error (f.exec_error);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (f.result), "enabled"));
  fixture_clear (&f, &peer);
}

static void
test_malformed_json (void)
{
  static const Step steps[] = {
    { SEND, GREETING },
    { EXPECT, "qmp_capabilities" },
    { REPLY, "\"return\": {}" },
    { EXPECT, "query-status" },
    { SEND, "{\"return\": {\"status\": \"runn\r\n" },
    { CLOSE, NULL },
  };
  Fixture f;
  Peer peer;

  run (&f, &peer, steps, "query-status");
  g_assert_true (f.connected);
  g_assert_null (f.result);
  g_assert_error (f.exec_error, VIREO_ERROR, VIREO_ERROR_FAILED);
  g_assert_nonnull (strstr (f.exec_error->message, "not a JSON object"));
  g_assert_true (f.closed);
  g_assert_nonnull (strstr (f.closed_reason, "unexpected"));
  fixture_clear (&f, &peer);
}

static void
test_not_an_object (void)
{
  static const Step steps[] = {
    { SEND, GREETING },
    { EXPECT, "qmp_capabilities" },
    { REPLY, "\"return\": {}" },
    { EXPECT, "query-status" },
    { SEND, "[1, 2, 3]\r\n" },
    { CLOSE, NULL },
  };
  Fixture f;
  Peer peer;

  run (&f, &peer, steps, "query-status");
  g_assert_nonnull (f.exec_error);
  g_assert_true (f.closed);
  fixture_clear (&f, &peer);
}

static void
test_early_close (void)
{
  static const Step steps[] = {
    { SEND, GREETING },
    { EXPECT, "qmp_capabilities" },
    { CLOSE, NULL },
  };
  Fixture f;
  Peer peer;

  run (&f, &peer, steps, "query-status");
  g_assert_false (f.connected);
  g_assert_error (f.connect_error, VIREO_ERROR, VIREO_ERROR_FAILED);
  g_assert_nonnull (strstr (f.connect_error->message, "closed"));
  g_assert_false (f.exec_done);
  fixture_clear (&f, &peer);
}

static void
test_no_greeting (void)
{
  static const Step steps[] = {
    { SEND, "{\"return\": {}}\r\n" },
    { CLOSE, NULL },
  };
  Fixture f;
  Peer peer;

  run (&f, &peer, steps, NULL);
  g_assert_false (f.connected);
  g_assert_nonnull (f.connect_error);
  g_assert_nonnull (strstr (f.connect_error->message, "no greeting"));
  fixture_clear (&f, &peer);
}

static void
test_event_without_name (void)
{
  static const Step steps[] = {
    { SEND, GREETING },
    { EXPECT, "qmp_capabilities" },
    { REPLY, "\"return\": {}" },
    { EXPECT, "query-status" },
    { SEND, "{\"event\": 42}\r\n" },
    { CLOSE, NULL },
  };
  Fixture f;
  Peer peer;

  run (&f, &peer, steps, "query-status");
  g_assert_nonnull (f.exec_error);
  g_assert_cmpuint (f.events->len, ==, 0);
  g_assert_true (f.closed);
  fixture_clear (&f, &peer);
}

static void
test_pass_fd (void)
{
  static const Step steps[] = {
    { SEND, GREETING },
    { EXPECT, "qmp_capabilities" },
    { REPLY, "\"return\": {}" },
    { EXPECT_FD, "\"getfd\"" },
    { REPLY, "\"return\": {}" },
    { CLOSE, NULL },
  };
  g_autofree char *path = NULL;
  struct stat st;
  Fixture f;
  Peer peer = { 0 };
  int fd = g_file_open_tmp ("vireo-qmp-fd-XXXXXX", &path, NULL);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (fstat (fd, &st), ==, 0);
  run_fd = fd;
  run (&f, &peer, steps, "getfd");
  run_fd = -1;
  g_assert_cmpstr (peer.failures->str, ==, "");
  g_assert_no_error (f.exec_error);
  g_assert_nonnull (f.result);
  /* The peer got the very file, not a copy of its name. */
  g_assert_cmpuint (peer.fd_inode, ==, st.st_ino);
  close (fd);
  g_unlink (path);
  fixture_clear (&f, &peer);
}

static void
not_connected_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  GError **error = data;
  g_assert_null (vireo_qmp_client_execute_finish (VIREO_QMP_CLIENT (source), result, error));
}

static void
test_execute_unconnected (void)
{
  g_autoptr(VireoQmpClient) client = vireo_qmp_client_new ();
  g_autoptr(GError) error = NULL;

  vireo_qmp_client_execute_async (client, "query-status", NULL, NULL, not_connected_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_NOT_CONNECTED);
}

/* A monitor busy with another client (its listen backlog full) is waited
 * for, not given up on: the sync call connects once the peer accepts. */
typedef struct {
  int         listen_fd;
  const Step *steps;
  GString    *failures;
} BusyPeer;

static gpointer
busy_peer_thread (gpointer data)
{
  BusyPeer *busy = data;
  Peer peer = { .steps = busy->steps, .failures = busy->failures };
  int fd;

  g_usleep (300 * G_TIME_SPAN_MILLISECOND);
  /* The two connections that filled the backlog come first. */
  for (int i = 0; i < 2; i++)
    {
      fd = accept (busy->listen_fd, NULL, NULL);
      if (fd >= 0)
        close (fd);
    }
  /* The client must come within 10 s (without retrying it never does). */
  {
    struct pollfd pfd = { .fd = busy->listen_fd, .events = POLLIN };
    fd = poll (&pfd, 1, 10000) == 1 ? accept (busy->listen_fd, NULL, NULL) : -1;
  }
  if (fd < 0)
    {
      g_string_append (busy->failures, "the client never connected; ");
      return NULL;
    }
  g_mutex_init (&peer.lock);
  peer.fd = fd;
  peer_thread (&peer);
  if (peer.fd >= 0)
    close (peer.fd);
  g_mutex_clear (&peer.lock);
  return NULL;
}

static void
test_sync_busy_monitor (void)
{
  static const Step steps[] = {
    { SEND, GREETING },
    { EXPECT, "qmp_capabilities" },
    { REPLY, "\"return\": {}" },
    { EXPECT, "query-status" },
    { REPLY, "\"return\": {\"status\": \"running\", \"running\": true}" },
    { CLOSE, NULL },
  };
  g_autofree char *dir = g_dir_make_tmp ("vireo-qmp-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "qmp.sock", NULL);
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(GSocket) listener = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, NULL);
  GSocket *filler[2] = { NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  BusyPeer busy = { .steps = steps, .failures = g_string_new (NULL) };
  GThread *thread;

  g_assert_true (g_socket_bind (listener, address, FALSE, &error));
  g_socket_set_listen_backlog (listener, 1);
  g_assert_true (g_socket_listen (listener, &error));
  /* Fill the backlog, as a client QEMU has not dropped yet would. */
  for (int i = 0; i < 2; i++)
    {
      filler[i] = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, NULL);
      g_assert_true (g_socket_connect (filler[i], address, NULL, &error));
    }
  busy.listen_fd = g_socket_get_fd (listener);
  /* GSocket made it non-blocking; the peer's plain accept() waits. */
  g_assert_cmpint (fcntl (busy.listen_fd, F_SETFL,
                          fcntl (busy.listen_fd, F_GETFL) & ~O_NONBLOCK), ==, 0);
  thread = g_thread_new ("busy-peer", busy_peer_thread, &busy);

  node = vireo_qmp_execute_sync (path, "query-status", NULL, 5000, &error);
  g_thread_join (thread);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "status"), ==, "running");
  g_assert_cmpstr (busy.failures->str, ==, "");
  g_string_free (busy.failures, TRUE);
  g_clear_object (&filler[0]);
  g_clear_object (&filler[1]);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_sync_missing_socket (void)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = vireo_qmp_execute_sync ("/nonexistent/qmp.sock", "query-status", NULL, 1000, &error);

  g_assert_null (node);
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_NOT_CONNECTED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/qmp/normal-with-events", test_normal_with_events);
  g_test_add_func ("/qmp/error-reply", test_error_reply);
  g_test_add_func ("/qmp/reply-for-unknown-id", test_reply_for_unknown_id_ignored);
  g_test_add_func ("/qmp/malformed-json", test_malformed_json);
  g_test_add_func ("/qmp/not-an-object", test_not_an_object);
  g_test_add_func ("/qmp/early-close", test_early_close);
  g_test_add_func ("/qmp/no-greeting", test_no_greeting);
  g_test_add_func ("/qmp/event-without-name", test_event_without_name);
  g_test_add_func ("/qmp/pass-fd", test_pass_fd);
  g_test_add_func ("/qmp/execute-unconnected", test_execute_unconnected);
  g_test_add_func ("/qmp/sync-missing-socket", test_sync_missing_socket);
  g_test_add_func ("/qmp/sync-busy-monitor", test_sync_busy_monitor);
  return g_test_run ();
}
