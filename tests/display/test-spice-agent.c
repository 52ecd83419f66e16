/* SPDX-License-Identifier: GPL-3.0-or-later */
/* End to end with a SPICE agent in the guest: a real QEMU (TCG, QXL) with
 * the agent's virtio port, booting Debian's installer kernel into an
 * initramfs whose init is our own minimal agent
 * (tests/fixtures/guests/spice-agent.c). The agent reports on the serial
 * port what reaches it and takes orders there. VireoSpiceDisplay runs in a
 * GtkWindow under Xvfb and must:
 *   - see the agent connect, and move to client mouse mode;
 *   - ask the guest for the window's size when "resize guest" is on, again
 *     when the X window is resized, and never when it is off;
 *   - offer the agent, as soon as it starts, the text the desktop's
 *     clipboard already holds, and hand it over when the guest pastes;
 *   - put the guest's copied text on the desktop's clipboard, where another
 *     X client (python3-gi, GTK 4) reads it;
 *   - hand the text another X client copies to the guest when it pastes,
 *     once, and tell the guest when the desktop's clipboard empties.
 * Anything missing (QEMU, the installer kernel, Xvfb, python3-gi) fails the
 * test with the reason. */
#include "vireo-config.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>

#include "display-test-util.h"
#include "vireo-spice-display.h"

#define DI_DIR "/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64"
#define WINDOW_TITLE "Vireo SPICE agent test"
/* Non-ASCII and markup characters: the text must arrive byte for byte. */
#define FROM_GUEST "Copied in the guest: ünïcødé 剪贴板 <&>\"'"
#define TO_GUEST "Pasted into the guest: ✓ Grüße 你好 $HOME `x`"
#define BEFORE_BOOT "Copied on the desktop before the guest booted"

static struct {
  char             *tmpdir;
  char             *spice_path;
  char             *serial_path;
  GSubprocess      *qemu;
  GSubprocess      *xvfb;
  GSocketConnection *serial;
  GDataInputStream *serial_in;
  GPtrArray        *lines;     /* every "vireo-agent: " line, prefix cut */
  char             *setup_error;
} env;

/* ---- the guest's serial port ------------------------------------------------- */

static void read_next_line (void);

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                                      result, NULL, &error);
  const char *at;

  if (line == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_test_message ("serial port: %s", error->message);
      return;
    }
  g_strchomp (line);
  at = strstr (line, "vireo-agent: ");
  if (at != NULL)
    {
      g_test_message ("guest: %s", at);
      g_ptr_array_add (env.lines, g_strdup (at + strlen ("vireo-agent: ")));
    }
  read_next_line ();
}

static void
read_next_line (void)
{
  g_data_input_stream_read_line_async (env.serial_in, G_PRIORITY_DEFAULT, NULL, on_line, NULL);
}

static void
send_order (const char *order)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (env.serial));
  g_autofree char *line = g_strconcat (order, "\n", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_output_stream_write_all (out, line, strlen (line), NULL, NULL, &error));
  g_assert_no_error (error);
}

/* The first line from index *from on that starts with prefix; *from moves
 * past it. NULL after timeout_ms. */
static const char *
wait_line (const char *prefix,
           guint      *from,
           guint       timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      for (; *from < env.lines->len; (*from)++)
        {
          const char *line = g_ptr_array_index (env.lines, *from);

          if (g_str_has_prefix (line, prefix))
            {
              (*from)++;
              return line;
            }
          if (g_str_has_prefix (line, "error"))
            g_test_message ("the guest agent reported: %s", line);
        }
      if (g_get_monotonic_time () > end)
        return NULL;
      test_pump (50);
    }
}

static char *
hex_of (const char *text)
{
  GString *hex = g_string_new (NULL);

  for (const guchar *p = (const guchar *) text; *p; p++)
    g_string_append_printf (hex, "%02x", *p);
  return g_string_free (hex, FALSE);
}

/* ---- set-up ------------------------------------------------------------------ */

static gboolean
make_initrd (const char *out,
             GError    **error)
{
  g_autoptr(GSubprocess) p = NULL;
  g_autofree char *err = NULL;

  if (!g_file_test (VIREO_SPICE_AGENT, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "the guest agent %s was not built", VIREO_SPICE_AGENT);
      return FALSE;
    }
  p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_PIPE, error, "/usr/bin/python3",
                        VIREO_MKINITRD_AGENT, DI_DIR "/initrd.gz", VIREO_SPICE_AGENT, out, NULL);
  if (p == NULL || !g_subprocess_communicate_utf8 (p, NULL, NULL, NULL, &err, error))
    return FALSE;
  if (!g_subprocess_get_successful (p))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "making the guest's initramfs failed: %s",
                   err ? g_strstrip (err) : "");
      return FALSE;
    }
  return TRUE;
}

static gboolean
start_qemu (GError **error)
{
  g_autofree char *initrd = g_build_filename (env.tmpdir, "agent.cpio", NULL);
  g_autofree char *spice_arg = NULL;
  g_autofree char *serial_arg = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketAddress) addr = NULL;
  gint64 end;

  if (g_find_program_in_path ("qemu-system-x86_64") == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "qemu-system-x86_64 is not installed (package qemu-system-x86)");
      return FALSE;
    }
  if (!g_file_test (DI_DIR "/linux", G_FILE_TEST_EXISTS))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           DI_DIR "/linux is missing (package debian-installer-12-netboot-amd64)");
      return FALSE;
    }
  if (!make_initrd (initrd, error))
    return FALSE;

  spice_arg = g_strdup_printf ("unix=on,addr=%s,disable-ticketing=on", env.spice_path);
  serial_arg = g_strdup_printf ("unix:%s,server=on,wait=off", env.serial_path);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, test_die_with_parent, NULL, NULL);
  env.qemu = g_subprocess_launcher_spawn (launcher, error,
                               "qemu-system-x86_64", "-accel", "tcg", "-m", "160", "-nodefaults",
                               "-vga", "qxl", "-display", "none",
                               "-spice", spice_arg,
                               "-device", "virtio-serial",
                               "-chardev", "spicevmc,id=vdagent,name=vdagent",
                               "-device", "virtserialport,chardev=vdagent,name=com.redhat.spice.0",
                               "-kernel", DI_DIR "/linux", "-initrd", initrd,
                               "-append", "console=ttyS0 quiet panic=-1",
                               "-no-reboot", "-serial", serial_arg, NULL);
  if (env.qemu == NULL)
    return FALSE;

  end = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while (!(g_file_test (env.serial_path, G_FILE_TEST_EXISTS) &&
           g_file_test (env.spice_path, G_FILE_TEST_EXISTS)))
    {
      if (g_get_monotonic_time () > end || g_subprocess_get_identifier (env.qemu) == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                               "QEMU did not create its SPICE and serial sockets");
          return FALSE;
        }
      g_usleep (20000);
    }
  /* At once: what the guest prints before we listen is lost. */
  client = g_socket_client_new ();
  addr = g_unix_socket_address_new (env.serial_path);
  env.serial = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (addr), NULL, error);
  if (env.serial == NULL)
    return FALSE;
  env.serial_in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (env.serial)));
  g_data_input_stream_set_newline_type (env.serial_in, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  read_next_line ();
  return TRUE;
}

static void
setup (void)
{
  g_autoptr(GError) error = NULL;

  env.lines = g_ptr_array_new_with_free_func (g_free);
  env.tmpdir = g_dir_make_tmp ("vireo-spice-agent-XXXXXX", &error);
  g_assert_no_error (error);
  env.spice_path = g_build_filename (env.tmpdir, "spice.sock", NULL);
  env.serial_path = g_build_filename (env.tmpdir, "serial.sock", NULL);
  if (!test_start_xvfb (1024, 768, &env.xvfb, &error) || !start_qemu (&error))
    env.setup_error = g_strdup (error->message);
}

static void
teardown (void)
{
  g_clear_object (&env.serial_in);
  g_clear_object (&env.serial);
  test_stop_process (env.qemu);
  g_clear_object (&env.qemu);
  test_stop_process (env.xvfb);
  g_clear_object (&env.xvfb);
  test_remove_dir (env.tmpdir);
  g_ptr_array_unref (env.lines);
}

/* ---- the desktop's other X clients --------------------------------------------- */

/* Another X client (GTK 4 through python3-gi) owning the clipboard with
 * text until it is killed. */
static GSubprocess *
start_clipboard_owner (const char *text)
{
  g_autoptr(GError) error = NULL;
  GSubprocess *owner = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "/usr/bin/python3", "-c",
    "import gi, sys\n"
    "gi.require_version('Gtk', '4.0'); gi.require_version('Gdk', '4.0')\n"
    "from gi.repository import Gtk, Gdk, GLib\n"
    "Gtk.init()\n"
    "Gdk.Display.get_default().get_clipboard().set(sys.argv[1])\n"
    "GLib.MainLoop().run()\n", text, NULL);

  g_assert_no_error (error);
  return owner;
}

typedef struct {
  gboolean  done;
  char     *out;
  char     *err;
  gboolean  ok;
} Reader;

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Reader *r = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &r->out, &r->err, NULL);
  r->ok = g_subprocess_get_successful (G_SUBPROCESS (source));
  r->done = TRUE;
}

/* What another X client reads from the clipboard (NULL when it cannot),
 * with our main loop turning: we may be the clipboard's owner. */
static char *
read_clipboard_elsewhere (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
    &error, "/usr/bin/python3", "-c",
    "import gi, sys\n"
    "gi.require_version('Gtk', '4.0'); gi.require_version('Gdk', '4.0')\n"
    "from gi.repository import Gtk, Gdk, GLib\n"
    "Gtk.init()\n"
    "loop = GLib.MainLoop(); out = []\n"
    "def done(cb, res):\n"
    "    try: out.append(cb.read_text_finish(res))\n"
    "    except GLib.Error as e: print(e.message, file=sys.stderr)\n"
    "    loop.quit()\n"
    "Gdk.Display.get_default().get_clipboard().read_text_async(None, done)\n"
    "GLib.timeout_add_seconds(10, loop.quit)\n"
    "loop.run()\n"
    "if not out or out[0] is None: sys.exit(1)\n"
    "sys.stdout.buffer.write(out[0].encode())\n", NULL);
  Reader r = { 0 };

  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (p, NULL, NULL, on_read, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  if (!r.ok)
    g_test_message ("the clipboard reader: %s", r.err ? r.err : "failed");
  g_free (r.err);
  if (!r.ok)
    {
      g_free (r.out);
      return NULL;
    }
  return r.out;
}

/* ---- the test ---------------------------------------------------------------- */

static int
factory (VireoSpiceDisplay  *self,
         const char         *channel_type,
         gpointer            user_data,
         GError            **error)
{
  int fd = test_connect_unix (user_data);

  if (fd < 0)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot connect %s", (char *) user_data);
  return fd;
}

/* Waits for a "monitors" line and checks it asks for exactly the widget's
 * size (device pixels) at the origin. */
static void
assert_monitors_match (GtkWidget  *display,
                       guint      *from,
                       const char *when)
{
  const char *line = wait_line ("monitors ", from, 20000);
  int scale = gtk_widget_get_scale_factor (display);
  g_autofree char *want = g_strdup_printf ("monitors 1 %dx%d+0+0",
                                           gtk_widget_get_width (display) * scale,
                                           gtk_widget_get_height (display) * scale);

  if (line == NULL)
    g_error ("%s: the guest got no monitors configuration", when);
  g_test_message ("%s: the guest was asked for \"%s\"", when, line);
  g_assert_cmpstr (line, ==, want);
}

static void
test_spice_agent (void)
{
  GtkWidget *window, *display;
  g_autoptr(GSubprocess) early_owner = NULL;
  guint from = 0;
  const char *line;
  gint64 end;

  if (env.setup_error != NULL)
    {
      g_test_fail_printf ("%s", env.setup_error);
      return;
    }
  if (!gtk_init_check ())
    {
      g_test_fail_printf ("gtk_init_check failed on DISPLAY=%s", g_getenv ("DISPLAY"));
      return;
    }
  if (g_find_program_in_path ("xdotool") == NULL)
    {
      g_test_fail_printf ("xdotool is not installed (package xdotool): cannot resize the window");
      return;
    }

  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), WINDOW_TITLE);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 500);
  display = vireo_spice_display_new ();
  vireo_spice_display_set_resize_guest (VIREO_SPICE_DISPLAY (display), FALSE);
  gtk_window_set_child (GTK_WINDOW (window), display);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (vireo_spice_display_open_fd_factory (VIREO_SPICE_DISPLAY (display), factory,
                                                      env.spice_path));

  /* The desktop's clipboard holds text before the agent starts. */
  early_owner = start_clipboard_owner (BEFORE_BOOT);

  /* The guest boots (TCG: tens of seconds on a loaded machine). */
  line = wait_line ("ready ", &from, 180000);
  if (line == NULL)
    g_error ("the guest agent never opened its port (QEMU %s)",
             g_subprocess_get_identifier (env.qemu) ? "runs" : "exited");
  end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!vireo_spice_display_get_agent_connected (VIREO_SPICE_DISPLAY (display)) &&
         g_get_monotonic_time () < end)
    test_pump (50);
  g_assert_true (vireo_spice_display_get_agent_connected (VIREO_SPICE_DISPLAY (display)));
  /* The capabilities exchange: the client asks, the agent answers. */
  g_assert_nonnull (wait_line ("caps request=1", &from, 20000));

  /* What the desktop had is offered to the new agent, and given when the
   * guest pastes. */
  {
    g_autofree char *hex = hex_of (BEFORE_BOOT);
    g_autofree char *want = g_strconcat ("clipboard ", hex, NULL);

    line = wait_line ("client-grab", &from, 20000);
    if (line == NULL)
      g_error ("the new agent was not offered the desktop's clipboard (its owner %s)",
               g_subprocess_get_identifier (early_owner) ? "runs" : "exited");
    g_assert_cmpstr (line, ==, "client-grab 1");
    send_order ("request");
    line = wait_line ("clipboard ", &from, 15000);
    g_assert_cmpstr (line, ==, want);
  }

  /* An agent lets the server offer client (absolute) mouse mode. */
  end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!vireo_spice_display_get_absolute_pointer (VIREO_SPICE_DISPLAY (display)) &&
         g_get_monotonic_time () < end)
    test_pump (50);
  g_assert_true (vireo_spice_display_get_absolute_pointer (VIREO_SPICE_DISPLAY (display)));

  /* Resize off: the guest is never asked, even when the window changes. */
  {
    const char *argv[] = { "xdotool", "search", "--sync", "--name", WINDOW_TITLE,
                           "windowsize", "--sync", "700", "450", NULL };
    guint probe = from;

    g_assert_true (test_run_quiet (argv));
    test_pump (1500);
    g_assert_null (wait_line ("monitors ", &probe, 1500));
  }

  /* Resize on: the guest is asked for the widget's size at once… */
  vireo_spice_display_set_resize_guest (VIREO_SPICE_DISPLAY (display), TRUE);
  assert_monitors_match (display, &from, "resize turned on");
  g_assert_cmpint (gtk_widget_get_width (display), ==, 700);

  /* …and again when the X window is resized. */
  {
    const char *argv[] = { "xdotool", "search", "--sync", "--name", WINDOW_TITLE,
                           "windowsize", "--sync", "900", "600", NULL };

    g_assert_true (test_run_quiet (argv));
    end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    while (gtk_widget_get_width (display) != 900 && g_get_monotonic_time () < end)
      test_pump (50);
    g_assert_cmpint (gtk_widget_get_width (display), ==, 900);
    assert_monitors_match (display, &from, "window resized");
  }

  /* Guest → desktop: the guest copies; another X client pastes it. */
  {
    g_autofree char *hex = hex_of (FROM_GUEST);
    g_autofree char *order = g_strconcat ("grab ", hex, NULL);
    g_autofree char *text = NULL;

    send_order (order);
    g_assert_nonnull (wait_line ("grabbed ", &from, 10000));
    end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
    for (;;)
      {
        g_free (text);
        text = read_clipboard_elsewhere ();
        if (g_strcmp0 (text, FROM_GUEST) == 0 || g_get_monotonic_time () > end)
          break;
        test_pump (300);
      }
    g_test_message ("another X client pasted \"%s\"", text ? text : "(nothing)");
    g_assert_cmpstr (text, ==, FROM_GUEST);
    g_assert_nonnull (wait_line ("served ", &from, 10000));
  }

  /* Desktop → guest: another X client copies; the guest pastes. */
  {
    g_autoptr(GSubprocess) owner = start_clipboard_owner (TO_GUEST);
    g_autofree char *hex = hex_of (TO_GUEST);
    g_autofree char *want = g_strconcat ("clipboard ", hex, NULL);

    line = wait_line ("client-grab", &from, 30000);
    if (line == NULL)
      g_error ("the guest was not told the desktop's clipboard changed (owner %s)",
               g_subprocess_get_identifier (owner) ? "runs" : "exited");
    g_assert_cmpstr (line, ==, "client-grab 1");
    send_order ("request");
    line = wait_line ("clipboard ", &from, 15000);
    g_assert_cmpstr (line, ==, want);
    g_test_message ("the guest pasted the desktop's text");

    /* Its owner gone, the desktop's clipboard is empty: the guest's
     * "paste" must not offer stale text. */
    test_stop_process (owner);
    test_stop_process (early_owner);
    line = wait_line ("release", &from, 15000);
    g_assert_cmpstr (line, ==, "release");
  }

  /* Each change was told once: one grab per owner, one release. */
  {
    guint grabs = 0, releases = 0;

    test_pump (1000);
    for (guint i = 0; i < env.lines->len; i++)
      {
        const char *l = g_ptr_array_index (env.lines, i);

        grabs += g_str_has_prefix (l, "client-grab");
        releases += g_str_equal (l, "release");
      }
    g_assert_cmpuint (grabs, ==, 2);
    g_assert_cmpuint (releases, ==, 1);
  }

  vireo_spice_display_close (VIREO_SPICE_DISPLAY (display));
  gtk_window_destroy (GTK_WINDOW (window));
  test_pump (200);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  setup ();
  g_test_add_func ("/display/spice/agent", test_spice_agent);
  ret = g_test_run ();
  teardown ();
  return ret;
}
