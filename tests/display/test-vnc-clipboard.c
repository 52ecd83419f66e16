/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The VNC widget's clipboard, both ways, against an RFB peer in the test.
 * A real guest cannot show it here: QEMU passes cut text on only to a guest
 * agent (qemu-vdagent) or to clients speaking the extended clipboard, and
 * GRUB, our only guest, has neither. So a small RFB 3.8 server in a thread
 * plays the guest: its ServerCutText must land on the X clipboard, and text
 * another X client puts on the clipboard (a python3-gi GTK program) must
 * come back as ClientCutText. Runs in its own Xvfb unless DISPLAY is set. */
#include "display-test-util.h"
#include "vireo-config.h"

#include <gtk/gtk.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vireo-vnc-display.h"

#define FROM_GUEST "vireo: text from the guest"
#define TO_GUEST "vireo: text for the guest"

typedef struct {
  int      fd;
  GMutex   lock;
  GString *received;     /* ClientCutText seen */
  gboolean send_cut;     /* main asks the server to send FROM_GUEST */
  gboolean done;
} Peer;

static gboolean
read_all (int fd, void *buf, gsize len)
{
  for (gsize got = 0; got < len;)
    {
      ssize_t n = read (fd, (char *) buf + got, len - got);
      if (n <= 0)
        return FALSE;
      got += n;
    }
  return TRUE;
}

static gboolean
write_all (int fd, const void *buf, gsize len)
{
  return write (fd, buf, len) == (gssize) len;
}

static void
put32 (guint8 *p, guint32 v)
{
  p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static guint32
get32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static gpointer
rfb_server (gpointer data)
{
  Peer *peer = data;
  guint8 buf[64];
  /* 64x48, 32 bpp true colour, little endian, 8:8:8 at 16/8/0. */
  static const guint8 server_init[] = {
    0, 64, 0, 48, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0,
    0, 0, 0, 5, 'g', 'u', 'e', 's', 't'
  };

  if (!write_all (peer->fd, "RFB 003.008\n", 12) || !read_all (peer->fd, buf, 12) ||
      !write_all (peer->fd, "\x01\x01", 2) ||                   /* one type: None */
      !read_all (peer->fd, buf, 1) ||
      !write_all (peer->fd, "\0\0\0\0", 4) ||                   /* SecurityResult OK */
      !read_all (peer->fd, buf, 1) ||                           /* ClientInit */
      !write_all (peer->fd, server_init, sizeof server_init))
    return NULL;

  for (;;)
    {
      struct timeval tv = { 0, 100 * 1000 };
      fd_set set;

      g_mutex_lock (&peer->lock);
      if (peer->send_cut)
        {
          guint8 head[8] = { 3, 0, 0, 0 };

          peer->send_cut = FALSE;
          put32 (head + 4, strlen (FROM_GUEST));
          write_all (peer->fd, head, 8);
          write_all (peer->fd, FROM_GUEST, strlen (FROM_GUEST));
        }
      g_mutex_unlock (&peer->lock);

      FD_ZERO (&set);
      FD_SET (peer->fd, &set);
      if (select (peer->fd + 1, &set, NULL, NULL, &tv) <= 0)
        continue;
      if (!read_all (peer->fd, buf, 1))
        break;
      switch (buf[0])
        {
        case 0: if (!read_all (peer->fd, buf, 19)) goto out; break;          /* SetPixelFormat */
        case 2:                                                               /* SetEncodings */
          if (!read_all (peer->fd, buf, 3)) goto out;
          for (guint n = buf[1] << 8 | buf[2]; n > 0; n--)
            if (!read_all (peer->fd, buf, 4)) goto out;
          break;
        case 3: if (!read_all (peer->fd, buf, 9)) goto out; break;           /* FramebufferUpdateRequest */
        case 4: if (!read_all (peer->fd, buf, 7)) goto out; break;           /* KeyEvent */
        case 5: if (!read_all (peer->fd, buf, 5)) goto out; break;           /* PointerEvent */
        case 6:                                                               /* ClientCutText */
          {
            g_autofree char *text = NULL;
            guint32 len;

            if (!read_all (peer->fd, buf, 7)) goto out;
            len = get32 (buf + 3);
            if (len > 1 << 20) goto out;
            text = g_malloc0 (len + 1);
            if (!read_all (peer->fd, text, len)) goto out;
            g_mutex_lock (&peer->lock);
            g_string_assign (peer->received, text);
            g_mutex_unlock (&peer->lock);
            break;
          }
        default:
          g_printerr ("# unexpected client message %u\n", buf[0]);
          goto out;
        }
    }
out:
  return NULL;
}

static void
got_text (GObject *source, GAsyncResult *result, gpointer data)
{
  char **text = data;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  if (*text == NULL)
    *text = g_strdup ("");
}

static char *
clipboard_text (GdkClipboard *clipboard)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (clipboard, NULL, got_text, &text);
  while (text == NULL)
    g_main_context_iteration (NULL, TRUE);
  return text;
}

static void
on_count (gpointer data)
{
  (*(int *) data)++;
}

static void
test_clipboard (void)
{
  g_autoptr(GSubprocess) owner = NULL;
  g_autoptr(GError) error = NULL;
  GdkClipboard *clipboard;
  GtkWidget *window, *display;
  Peer peer = { 0 };
  GThread *server;
  int pair[2], initialized = 0;
  gint64 end;

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), ==, 0);
  peer.fd = pair[1];
  peer.received = g_string_new (NULL);
  g_mutex_init (&peer.lock);
  server = g_thread_new ("rfb", rfb_server, &peer);

  window = gtk_window_new ();
  display = vireo_vnc_display_new ();
  gtk_window_set_child (GTK_WINDOW (window), display);
  g_signal_connect_swapped (display, "initialized", G_CALLBACK (on_count), &initialized);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (vireo_vnc_display_open_fd (VIREO_VNC_DISPLAY (display), pair[0]));
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (initialized == 0 && g_get_monotonic_time () < end)
    test_pump (20);
  g_assert_cmpint (initialized, ==, 1);
  clipboard = gtk_widget_get_clipboard (display);

  /* Guest → desktop: ServerCutText lands on the clipboard. */
  g_mutex_lock (&peer.lock);
  peer.send_cut = TRUE;
  g_mutex_unlock (&peer.lock);
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autofree char *text = NULL;

      test_pump (100);
      text = clipboard_text (clipboard);
      if (g_str_equal (text, FROM_GUEST))
        break;
      if (g_get_monotonic_time () > end)
        g_error ("the clipboard holds \"%s\", not the guest's text", text);
    }
  g_test_message ("the guest's cut text is on the clipboard");

  /* Desktop → guest: another X client takes the clipboard. */
  owner = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "/usr/bin/python3", "-c",
    "import gi, sys\n"
    "gi.require_version('Gtk', '4.0'); gi.require_version('Gdk', '4.0')\n"
    "from gi.repository import Gtk, Gdk, GLib\n"
    "Gtk.init()\n"
    "Gdk.Display.get_default().get_clipboard().set(sys.argv[1])\n"
    "GLib.MainLoop().run()\n", TO_GUEST, NULL);
  g_assert_no_error (error);
  end = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  for (;;)
    {
      gboolean seen;

      test_pump (100);
      g_mutex_lock (&peer.lock);
      seen = g_str_equal (peer.received->str, TO_GUEST);
      g_mutex_unlock (&peer.lock);
      if (seen)
        break;
      if (g_subprocess_get_identifier (owner) == NULL || g_get_monotonic_time () > end)
        g_error ("the guest did not get the desktop's clipboard (it got \"%s\"); "
                 "the clipboard owner (python3-gi, GTK 4) %s", peer.received->str,
                 g_subprocess_get_identifier (owner) == NULL ? "exited" : "ran");
    }
  g_test_message ("the desktop's clipboard reached the guest as ClientCutText");
  g_subprocess_force_exit (owner);
  g_subprocess_wait (owner, NULL, NULL);

  vireo_vnc_display_close (VIREO_VNC_DISPLAY (display));
  test_pump (200);
  shutdown (pair[1], SHUT_RDWR);
  g_thread_join (server);
  close (pair[1]);
  gtk_window_destroy (GTK_WINDOW (window));
  test_pump (100);
  g_string_free (peer.received, TRUE);
  g_mutex_clear (&peer.lock);
}

int
main (int argc, char **argv)
{
  g_autoptr(GSubprocess) xvfb = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  {
    g_autoptr(GError) error = NULL;

    if (!test_start_xvfb (640, 480, &xvfb, &error))
      g_error ("%s", error->message);
  }
  if (!gtk_init_check ())
    g_error ("gtk_init_check failed on DISPLAY=%s", g_getenv ("DISPLAY"));
  g_test_add_func ("/vnc/clipboard/both-ways", test_clipboard);
  ret = g_test_run ();
  test_stop_process (xvfb);
  return ret;
}
