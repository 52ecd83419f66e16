/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The builtin backend with real QEMU under TCG: create, run, watch, pause,
 * close and reopen (the VM keeps running and is found again), crash, force
 * off, delete with its disk; and the faults: QEMU missing, a pidfile naming
 * another process, a disk already in use, a duplicate name. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vireo-connection.h"
#include "builtin/vireo-builtin-connection.h"
#include "builtin/vireo-qmp-client.h"

#define GRUB_ISO "/usr/lib/grub-rescue/grub-rescue-cdrom.iso"

static char *tmpdir;

static gboolean
wait_for (gboolean (*check) (gpointer), gpointer data, guint seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      if (check (data))
        return TRUE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
    }
  return check (data);
}

static void
got_result (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (*slot == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (*slot);
  return *slot;
}

static VireoConnection *
open_builtin (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  VireoConnection *conn = vireo_connection_new ("builtin:///session", &error);

  g_assert_no_error (error);
  vireo_connection_set_stats_interval (conn, 300);
  vireo_connection_open_async (conn, NULL, got_result, &result);
  g_assert_true (vireo_connection_open_finish (conn, wait_result (&result), &error));
  g_assert_no_error (error);
  return conn;
}

static VireoDomain *
define (VireoConnection *conn, const char *xml, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  vireo_connection_define_domain_async (conn, xml, NULL, got_result, &result);
  return vireo_connection_define_domain_finish (conn, wait_result (&result), error);
}

static gboolean
act (VireoDomain *domain, VireoDomainAction action, VireoActionFlags flags, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  vireo_domain_run_action_async (domain, action, flags, NULL, got_result, &result);
  return vireo_domain_run_action_finish (domain, wait_result (&result), error);
}

static char *
make_disk (const char *name)
{
  g_autofree char *images = vireo_builtin_images_dir ();
  char *path = g_build_filename (images, name, NULL);
  const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", path, "64M", NULL };
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_assert_cmpint (g_mkdir_with_parents (images, 0700), ==, 0);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return path;
}

static char *
vm_xml (const char *name, const char *disk)
{
  g_autofree char *escaped = g_markup_escape_text (name, -1);
  g_autofree char *disk_xml = disk ? g_markup_printf_escaped (
      "<disk type='file' device='disk'><driver type='qcow2'/><source file='%s'/>"
      "<target dev='vda' bus='virtio'/></disk>", disk) : g_strdup ("");

  return g_strdup_printf ("<domain type='qemu'><name>%s</name><memory unit='MiB'>128</memory>"
                          "<vcpu>1</vcpu><os><type arch='x86_64'>hvm</type><boot dev='cdrom'/></os>"
                          "<devices>%s<disk type='file' device='cdrom'><source file='" GRUB_ISO "'/>"
                          "<target dev='sda' bus='sata'/></disk><graphics type='vnc'/>"
                          "<serial type='pty'/></devices></domain>", escaped, disk_xml);
}

static gboolean is_running (gpointer d) { return vireo_domain_get_state (d) == VIREO_DOMAIN_STATE_RUNNING; }
static gboolean is_paused (gpointer d) { return vireo_domain_get_state (d) == VIREO_DOMAIN_STATE_PAUSED; }
static gboolean is_shutoff (gpointer d) { return vireo_domain_get_state (d) == VIREO_DOMAIN_STATE_SHUTOFF; }
static gboolean is_crashed (gpointer d) { return vireo_domain_get_state (d) == VIREO_DOMAIN_STATE_CRASHED; }

/* Gone means reaped: a zombie still answers kill (pid, 0). */
static gboolean
process_gone (gpointer data)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", GPOINTER_TO_INT (data));
  g_autofree char *cmdline = NULL;
  gsize len = 0;

  return !g_file_get_contents (path, &cmdline, &len, NULL) || len == 0;
}

static gboolean
has_cpu_samples (gpointer d)
{
  const VireoRing *cpu = vireo_domain_get_history (d, VIREO_SERIES_CPU);
  const VireoRing *mem = vireo_domain_get_history (d, VIREO_SERIES_MEMORY);
  return vireo_ring_get_length (cpu) >= 3 && vireo_ring_get_max (cpu) > 0 &&
         vireo_ring_get_latest (mem) > 0;
}

static void
require_qemu (void)
{
  g_autofree char *qemu = g_find_program_in_path ("qemu-system-x86_64");

  if (qemu == NULL || !g_file_test (GRUB_ISO, G_FILE_TEST_EXISTS))
    g_error ("This test needs qemu-system-x86 and grub-rescue-pc (tools/deps/test.txt)");
}

static void
test_lifecycle (void)
{
  g_autoptr(VireoConnection) conn = NULL;
  g_autoptr(VireoConnection) again = NULL;
  g_autoptr(VireoDomain) domain = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *disk = NULL;
  g_autofree char *xml = NULL;
  const char *name = "grub, “rescue” & <co> $(id)";
  VireoDomain *found;
  int pid;

  require_qemu ();
  conn = open_builtin ();
  disk = make_disk ("lifecycle.qcow2");
  xml = vm_xml (name, disk);
  domain = define (conn, xml, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vireo_domain_get_name (domain), ==, name);
  g_assert_cmpint (vireo_domain_get_state (domain), ==, VIREO_DOMAIN_STATE_SHUTOFF);
  g_assert_false (vireo_domain_can (domain, VIREO_DOMAIN_ACTION_SAVE));

  g_assert_true (act (domain, VIREO_DOMAIN_ACTION_START, 0, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (is_running, domain, 10));
  g_assert_true (wait_for (has_cpu_samples, domain, 20));
  pid = vireo_domain_get_id (domain);
  g_assert_cmpint (pid, >, 1);

  /* The display socket speaks RFB; the serial socket is there. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    VireoGraphicsType type = VIREO_GRAPHICS_NONE;
    char greeting[13] = { 0 };
    int fd;

    vireo_domain_open_graphics_async (domain, NULL, got_result, &result);
    fd = vireo_domain_open_graphics_finish (domain, wait_result (&result), &type, &error);
    g_assert_no_error (error);
    g_assert_cmpint (fd, >=, 0);
    g_assert_cmpint (type, ==, VIREO_GRAPHICS_VNC);
    g_assert_cmpint (read (fd, greeting, 12), ==, 12);
    g_assert_true (g_str_has_prefix (greeting, "RFB 003."));
    close (fd);
    g_clear_object (&result);

    vireo_domain_open_console_async (domain, NULL, got_result, &result);
    fd = vireo_domain_open_console_finish (domain, wait_result (&result), &error);
    g_assert_no_error (error);
    g_assert_cmpint (fd, >=, 0);
    close (fd);
  }

  g_assert_true (act (domain, VIREO_DOMAIN_ACTION_PAUSE, 0, &error));
  g_assert_true (wait_for (is_paused, domain, 10));
  g_assert_true (act (domain, VIREO_DOMAIN_ACTION_RESUME, 0, &error));
  g_assert_true (wait_for (is_running, domain, 10));
  g_assert_true (act (domain, VIREO_DOMAIN_ACTION_RESET, 0, &error));
  g_assert_no_error (error);

  /* "Close the app": the VM keeps running and is found again. */
  vireo_connection_close (conn);
  g_clear_object (&domain);
  g_clear_object (&conn);
  g_assert_cmpint (kill (pid, 0), ==, 0);
  again = open_builtin ();
  found = vireo_connection_find_domain (again, name);
  g_assert_nonnull (found);
  g_assert_cmpint (vireo_domain_get_state (found), ==, VIREO_DOMAIN_STATE_RUNNING);
  g_assert_cmpint (vireo_domain_get_id (found), ==, pid);
  g_assert_true (wait_for (has_cpu_samples, found, 20));

  /* GRUB does not answer ACPI power-down, so force it off. */
  g_assert_true (act (found, VIREO_DOMAIN_ACTION_FORCE_OFF, 0, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (is_shutoff, found, 10));
  g_assert_true (wait_for (process_gone, GINT_TO_POINTER (pid), 10));

  g_assert_true (act (found, VIREO_DOMAIN_ACTION_DELETE, VIREO_ACTION_FLAGS_REMOVE_STORAGE, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (disk, G_FILE_TEST_EXISTS));
  g_assert_null (vireo_connection_find_domain (again, name));
}

static gboolean has_reason (gpointer d) { return vireo_domain_get_state_reason (d) != NULL; }

static void
test_crash (void)
{
  g_autoptr(VireoConnection) conn = NULL;
  g_autoptr(VireoDomain) domain = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *disk = NULL;
  g_autofree char *xml = NULL;
  GStatBuf before, after;

  require_qemu ();
  conn = open_builtin ();
  disk = make_disk ("crash.qcow2");
  xml = vm_xml ("crashes", disk);
  domain = define (conn, xml, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (disk, &before), ==, 0);
  g_assert_true (act (domain, VIREO_DOMAIN_ACTION_START, 0, &error));
  g_assert_true (wait_for (is_running, domain, 10));

  /* QEMU's last words go to its log; the crash report ends with them. */
  {
    g_autofree char *log = g_build_filename (g_get_user_runtime_dir (), "vireo",
                                             vireo_domain_get_uuid (domain), "qemu.log", NULL);
    FILE *f = fopen (log, "a");
    g_assert_nonnull (f);
    fputs ("qemu-system-x86_64: last words before the crash\n", f);
    fclose (f);
  }
  g_assert_cmpint (kill (vireo_domain_get_id (domain), SIGKILL), ==, 0);
  g_assert_true (wait_for (is_crashed, domain, 10));
  g_assert_true (wait_for (has_reason, domain, 10));
  g_test_message ("crash reason: %s", vireo_domain_get_state_reason (domain));
  g_assert_nonnull (strstr (vireo_domain_get_state_reason (domain), "signal 9"));
  g_assert_nonnull (strstr (vireo_domain_get_state_reason (domain), "last words before the crash"));
  g_assert_cmpint (g_stat (disk, &after), ==, 0);
  g_assert_cmpint (before.st_size, ==, after.st_size);

  /* A crashed VM can be started again, and deleted. */
  g_assert_true (vireo_domain_can (domain, VIREO_DOMAIN_ACTION_START));
  g_assert_true (act (domain, VIREO_DOMAIN_ACTION_DELETE, VIREO_ACTION_FLAGS_REMOVE_STORAGE, &error));
  g_assert_no_error (error);
}

static char *
qmp_path (VireoDomain *domain)
{
  return g_build_filename (g_get_user_runtime_dir (), "vireo", vireo_domain_get_uuid (domain),
                           "qmp.sock", NULL);
}

/* The guest's screen as QEMU renders it (PPM bytes). */
static GBytes *
screendump (VireoDomain *domain)
{
  g_autofree char *qmp = qmp_path (domain);
  g_autofree char *file = g_build_filename (tmpdir, "screen.ppm", NULL);
  g_autoptr(JsonObject) args = json_object_new ();
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_unlink (file);
  json_object_set_string_member (args, "filename", file);
  result = vireo_qmp_execute_sync (qmp, "screendump", args, 10000, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (file, &data, &len, &error));
  return g_bytes_new_take (data, len);
}

static gsize
bytes_differing (GBytes *a, GBytes *b)
{
  gsize la, lb, n = 0;
  const guint8 *pa = g_bytes_get_data (a, &la);
  const guint8 *pb = g_bytes_get_data (b, &lb);

  if (la != lb)
    return G_MAXSIZE;
  for (gsize i = 0; i < la; i++)
    n += pa[i] != pb[i];
  return n;
}

static void
type_keys (VireoDomain *domain, const char *text)
{
  g_autofree char *qmp = qmp_path (domain);

  for (const char *c = text; *c; c++)
    {
      g_autoptr(JsonObject) args = json_object_new ();
      g_autoptr(JsonArray) keys = json_array_new ();
      g_autoptr(JsonNode) result = NULL;
      g_autoptr(GError) error = NULL;
      JsonObject *key = json_object_new ();
      char name[2] = { *c, 0 };

      json_object_set_string_member (key, "type", "qcode");
      json_object_set_string_member (key, "data", name);
      json_array_add_object_element (keys, key);
      json_object_set_array_member (args, "keys", json_array_ref (keys));
      result = vireo_qmp_execute_sync (qmp, "send-key", args, 10000, &error);
      g_assert_no_error (error);
    }
}

/* The screen once it stops changing, is not blank and differs from `from`
 * (when given) by more than `min_diff` bytes: GRUB has drawn what it was
 * asked to. The text cursor's blinking differs by less than 300 bytes. */
static GBytes *
wait_screen_changed (VireoDomain *domain, GBytes *from, gsize min_diff)
{
  g_autoptr(GBytes) last = NULL;

  for (int i = 0; i < 90; i++)
    {
      g_autoptr(GBytes) now = screendump (domain);
      gsize len;
      const guint8 *p = g_bytes_get_data (now, &len);
      gsize lit = 0;

      for (gsize j = len / 2; j < len; j++)
        lit += p[j] != 0;
      if (last != NULL && lit > 0 && bytes_differing (last, now) < 300 &&
          (from == NULL || bytes_differing (from, now) > min_diff))
        return g_steal_pointer (&now);
      g_clear_pointer (&last, g_bytes_unref);
      last = g_steal_pointer (&now);
      g_usleep (G_USEC_PER_SEC);
      g_main_context_iteration (NULL, FALSE);
    }
  g_error ("GRUB's screen did not settle within 90 s");
  return NULL;
}

static GBytes *
wait_screen_settled (VireoDomain *domain)
{
  return wait_screen_changed (domain, NULL, 0);
}

static gboolean has_save (gpointer d) { return vireo_domain_get_has_managed_save (d); }
static gboolean no_save (gpointer d) { return !vireo_domain_get_has_managed_save (d); }

static void
test_save_restore (void)
{
  g_autoptr(VireoConnection) conn = NULL;
  g_autoptr(VireoDomain) domain = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GBytes) typed = NULL;
  g_autofree char *disk = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *state = NULL;
  int pid, pid2;

  require_qemu ();
  conn = open_builtin ();
  disk = make_disk ("saved.qcow2");
  xml = vm_xml ("saved, “state”", disk);
  domain = define (conn, xml, &error);
  g_assert_no_error (error);
  state = g_strdup_printf ("%s/data/vireo/save/%s.state", tmpdir, vireo_domain_get_uuid (domain));
  g_assert_false (vireo_domain_can (domain, VIREO_DOMAIN_ACTION_SAVE));
  g_assert_false (vireo_domain_can (domain, VIREO_DOMAIN_ACTION_RESTORE));

  g_assert_true (act (domain, VIREO_DOMAIN_ACTION_START, 0, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (is_running, domain, 10));
  g_assert_true (vireo_domain_can (domain, VIREO_DOMAIN_ACTION_SAVE));
  pid = vireo_domain_get_id (domain);
  /* GRUB's menu, then its editor ('e'), then four letters typed in it: all
   * on screen, none left in the keyboard queue. */
  {
    g_autoptr(GBytes) menu = wait_screen_settled (domain);
    g_autoptr(GBytes) editor = NULL;

    type_keys (domain, "e");
    editor = wait_screen_changed (domain, menu, 1000);
    type_keys (domain, "abcd");
    before = wait_screen_changed (domain, editor, 900);
  }

  /* A save that cannot write its file says why; the VM runs on. */
  {
    g_autofree char *partial = g_strconcat (state, ".partial", NULL);

    g_assert_cmpint (g_mkdir_with_parents (partial, 0700), ==, 0);
    g_assert_false (act (domain, VIREO_DOMAIN_ACTION_SAVE, 0, &error));
    g_assert_nonnull (error);
    g_test_message ("save failed: %s", error->message);
    g_assert_nonnull (strstr (error->message, partial));
    g_clear_error (&error);
    g_assert_cmpint (g_rmdir (partial), ==, 0);
    g_assert_cmpint (vireo_domain_get_state (domain), ==, VIREO_DOMAIN_STATE_RUNNING);
    g_assert_false (vireo_domain_get_has_managed_save (domain));
    g_assert_cmpint (vireo_domain_get_id (domain), ==, pid);
  }

  /* Saved: QEMU is gone, the state is in a file, the VM says so. */
  g_assert_true (act (domain, VIREO_DOMAIN_ACTION_SAVE, 0, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (process_gone, GINT_TO_POINTER (pid), 10));
  g_assert_true (wait_for (is_shutoff, domain, 10));
  g_assert_true (wait_for (has_save, domain, 10));
  g_assert_true (g_file_test (state, G_FILE_TEST_IS_REGULAR));
  g_assert_false (vireo_domain_can (domain, VIREO_DOMAIN_ACTION_START));
  g_assert_true (vireo_domain_can (domain, VIREO_DOMAIN_ACTION_RESTORE));

  /* Restored: the same screen, a guest that still answers, no file. */
  g_assert_true (act (domain, VIREO_DOMAIN_ACTION_RESTORE, 0, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (is_running, domain, 10));
  g_assert_true (wait_for (no_save, domain, 10));
  g_assert_false (g_file_test (state, G_FILE_TEST_EXISTS));
  pid2 = vireo_domain_get_id (domain);
  g_assert_cmpint (pid2, !=, pid);
  /* The first frames after a restore may still be being redrawn. */
  after = wait_screen_settled (domain);
  g_test_message ("screen bytes differing after restore: %" G_GSIZE_FORMAT, bytes_differing (before, after));
  g_assert_cmpuint (bytes_differing (before, after), <, 300);
  type_keys (domain, "xxxxxxxx");
  typed = wait_screen_changed (domain, after, 600);
  g_test_message ("screen bytes differing after typing: %" G_GSIZE_FORMAT, bytes_differing (after, typed));
  g_assert_cmpuint (bytes_differing (after, typed), >, 600);

  /* A paused VM comes back paused. */
  g_assert_true (act (domain, VIREO_DOMAIN_ACTION_PAUSE, 0, &error));
  g_assert_true (wait_for (is_paused, domain, 10));
  g_assert_true (act (domain, VIREO_DOMAIN_ACTION_SAVE, 0, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (has_save, domain, 10));
  g_assert_true (act (domain, VIREO_DOMAIN_ACTION_RESTORE, 0, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (is_paused, domain, 10));

  /* A damaged state file is set aside with the reason; the VM starts afresh. */
  g_assert_true (act (domain, VIREO_DOMAIN_ACTION_RESUME, 0, &error));
  g_assert_true (act (domain, VIREO_DOMAIN_ACTION_SAVE, 0, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (has_save, domain, 10));
  g_assert_true (g_file_set_contents (state, "not a QEMU state", -1, NULL));
  g_assert_false (act (domain, VIREO_DOMAIN_ACTION_RESTORE, 0, &error));
  g_assert_nonnull (error);
  g_test_message ("damaged state: %s", error->message);
  g_assert_nonnull (strstr (error->message, "set aside"));
  g_clear_error (&error);
  g_assert_true (wait_for (no_save, domain, 10));
  g_assert_true (wait_for (is_shutoff, domain, 10));
  g_assert_true (act (domain, VIREO_DOMAIN_ACTION_START, 0, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (is_running, domain, 10));

  /* Deleting a VM removes its saved state too. */
  g_assert_true (act (domain, VIREO_DOMAIN_ACTION_SAVE, 0, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (has_save, domain, 10));
  g_assert_true (act (domain, VIREO_DOMAIN_ACTION_DELETE, VIREO_ACTION_FLAGS_REMOVE_STORAGE, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (state, G_FILE_TEST_EXISTS));
}

static void
test_foreign_pidfile (void)
{
  g_autoptr(VireoConnection) conn = NULL;
  g_autoptr(VireoDomain) domain = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) sleeper = NULL;
  g_autofree char *xml = vm_xml ("foreign-pid", NULL);
  g_autofree char *runtime = NULL;
  g_autofree char *pidfile = NULL;
  g_autofree char *pidtext = NULL;
  const char *pid;

  conn = open_builtin ();
  domain = define (conn, xml, &error);
  g_assert_no_error (error);

  /* A pidfile that names a live process which is not this VM's QEMU. */
  sleeper = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "sleep", "60", NULL);
  g_assert_no_error (error);
  pid = g_subprocess_get_identifier (sleeper);
  runtime = g_build_filename (g_get_user_runtime_dir (), "vireo", vireo_domain_get_uuid (domain), NULL);
  g_assert_cmpint (g_mkdir_with_parents (runtime, 0700), ==, 0);
  pidfile = g_build_filename (runtime, "qemu.pid", NULL);
  g_assert_true (g_file_set_contents (pidfile, pid, -1, NULL));

  g_clear_object (&domain);
  vireo_connection_close (conn);
  g_clear_object (&conn);
  conn = open_builtin ();
  domain = g_object_ref (vireo_connection_find_domain (conn, "foreign-pid"));
  g_assert_cmpint (vireo_domain_get_state (domain), ==, VIREO_DOMAIN_STATE_SHUTOFF);
  g_assert_false (g_file_test (pidfile, G_FILE_TEST_EXISTS));
  g_assert_false (vireo_domain_can (domain, VIREO_DOMAIN_ACTION_FORCE_OFF));
  g_assert_cmpint (kill (atoi (pid), 0), ==, 0);   /* never signalled */
  g_subprocess_force_exit (sleeper);
  g_assert_true (act (domain, VIREO_DOMAIN_ACTION_DELETE, 0, &error));
}

static void
test_missing_qemu (void)
{
  g_autoptr(VireoConnection) conn = open_builtin ();
  g_autoptr(VireoDomain) domain = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = vm_xml ("no-qemu", NULL);
  g_autofree char *path = g_strdup (g_getenv ("PATH"));

  domain = define (conn, xml, &error);
  g_assert_no_error (error);
  g_setenv ("PATH", "/nonexistent", TRUE);
  g_assert_false (act (domain, VIREO_DOMAIN_ACTION_START, 0, &error));
  g_setenv ("PATH", path, TRUE);
  g_assert_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "qemu-system-x86"));
  g_assert_cmpint (vireo_domain_get_state (domain), ==, VIREO_DOMAIN_STATE_SHUTOFF);
  g_clear_error (&error);
  g_assert_true (act (domain, VIREO_DOMAIN_ACTION_DELETE, 0, &error));
}

static void
test_disk_in_use (void)
{
  g_autoptr(VireoConnection) conn = NULL;
  g_autoptr(VireoDomain) first = NULL;
  g_autoptr(VireoDomain) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *disk = NULL;
  g_autofree char *xml1 = NULL;
  g_autofree char *xml2 = NULL;

  require_qemu ();
  conn = open_builtin ();
  disk = make_disk ("shared.qcow2");
  xml1 = vm_xml ("shares-a", disk);
  xml2 = vm_xml ("shares-b", disk);
  first = define (conn, xml1, &error);
  g_assert_no_error (error);
  second = define (conn, xml2, &error);
  g_assert_no_error (error);

  g_assert_true (act (first, VIREO_DOMAIN_ACTION_START, 0, &error));
  g_assert_no_error (error);
  g_assert_false (act (second, VIREO_DOMAIN_ACTION_START, 0, &error));
  g_assert_nonnull (error);
  g_test_message ("disk in use: %s", error->message);
  g_assert_nonnull (strstr (error->message, "already in use by another running VM"));
  g_assert_nonnull (strstr (error->message, disk));
  g_assert_cmpint (vireo_domain_get_state (second), ==, VIREO_DOMAIN_STATE_SHUTOFF);
  g_clear_error (&error);

  g_assert_true (act (first, VIREO_DOMAIN_ACTION_FORCE_OFF, 0, &error));
  g_assert_true (act (first, VIREO_DOMAIN_ACTION_DELETE, 0, &error));
  g_assert_true (act (second, VIREO_DOMAIN_ACTION_DELETE, VIREO_ACTION_FLAGS_REMOVE_STORAGE, &error));
  g_assert_no_error (error);
}

static gboolean
kvm_opens (void)
{
  int fd = open ("/dev/kvm", O_RDWR);

  if (fd < 0)
    return FALSE;
  close (fd);
  return TRUE;
}

static char *
accel_of_pid (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", pid);
  g_autofree char *cmdline = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &cmdline, &len, NULL));
  for (gsize i = 0; i + 1 < len; i += strlen (cmdline + i) + 1)
    if (g_str_equal (cmdline + i, "-accel"))
      return g_strdup (cmdline + i + 7);
  return NULL;
}

/* KVM where it can be used; TCG with the reason where it cannot (a missing
 * device, or a VM set to be emulated); what a running VM uses is what its
 * QEMU was given. */
static void
test_accelerator (void)
{
  g_autoptr(VireoConnection) conn = NULL;
  g_autoptr(VireoDomain) kvm = NULL;
  g_autoptr(VireoDomain) emulated = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = vm_xml ("wants-kvm", NULL);
  g_autofree char *kvm_xml = NULL;
  g_autofree char *qemu_xml = vm_xml ("emulated", NULL);
  g_autofree char *accel = NULL;
  GRegex *re = g_regex_new ("<domain type='qemu'>", 0, 0, NULL);

  require_qemu ();
  kvm_xml = g_regex_replace_literal (re, xml, -1, 0, "<domain type='kvm'>", 0, NULL);
  g_regex_unref (re);
  conn = open_builtin ();
  kvm = define (conn, kvm_xml, &error);
  g_assert_no_error (error);
  emulated = define (conn, qemu_xml, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (vireo_domain_get_accelerator (emulated), ==, "TCG");
  g_assert_nonnull (strstr (vireo_domain_get_accelerator_reason (emulated), "emulated"));
  if (kvm_opens ())
    {
      g_assert_cmpstr (vireo_domain_get_accelerator (kvm), ==, "KVM");
      g_assert_null (vireo_domain_get_accelerator_reason (kvm));
    }
  else
    g_test_message ("/dev/kvm does not open here: only the fallback is tested");

  /* No usable KVM device: TCG, and the reason names the device. */
  g_setenv ("VIREO_KVM_DEVICE", "/nonexistent/kvm", TRUE);
  g_assert_true (act (kvm, VIREO_DOMAIN_ACTION_START, 0, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (is_running, kvm, 10));
  accel = accel_of_pid (vireo_domain_get_id (kvm));
  g_assert_cmpstr (accel, ==, "tcg");
  g_assert_cmpstr (vireo_domain_get_accelerator (kvm), ==, "TCG");
  g_test_message ("reason: %s", vireo_domain_get_accelerator_reason (kvm));
  g_assert_nonnull (strstr (vireo_domain_get_accelerator_reason (kvm),
                            "/nonexistent/kvm does not exist"));
  g_unsetenv ("VIREO_KVM_DEVICE");

  /* A running VM reports what its QEMU was given, not what it would get now. */
  if (kvm_opens ())
    {

      vireo_connection_close (conn);
      g_clear_object (&kvm);
      g_clear_object (&emulated);
      g_clear_object (&conn);
      conn = open_builtin ();
      kvm = g_object_ref (vireo_connection_find_domain (conn, "wants-kvm"));
      emulated = g_object_ref (vireo_connection_find_domain (conn, "emulated"));
      g_assert_cmpint (vireo_domain_get_state (kvm), ==, VIREO_DOMAIN_STATE_RUNNING);
      g_assert_cmpstr (vireo_domain_get_accelerator (kvm), ==, "TCG");
      g_assert_nonnull (strstr (vireo_domain_get_accelerator_reason (kvm), "when the VM started"));
    }
  g_assert_true (act (kvm, VIREO_DOMAIN_ACTION_FORCE_OFF, 0, &error));
  g_assert_true (wait_for (is_shutoff, kvm, 10));

  /* With /dev/kvm, the VM runs: with KVM, or where QEMU cannot use KVM for
   * it (a nested hypervisor refusing a CPU feature, as on some test hosts)
   * with TCG and that reason. */
  if (kvm_opens ())
    {
      g_assert_true (act (kvm, VIREO_DOMAIN_ACTION_START, 0, &error));
      g_assert_no_error (error);
      g_assert_true (wait_for (is_running, kvm, 10));
      g_clear_pointer (&accel, g_free);
      accel = accel_of_pid (vireo_domain_get_id (kvm));
      g_test_message ("with /dev/kvm: %s (%s)", vireo_domain_get_accelerator (kvm),
                      vireo_domain_get_accelerator_reason (kvm));
      if (g_str_equal (accel, "kvm"))
        g_assert_cmpstr (vireo_domain_get_accelerator (kvm), ==, "KVM");
      else
        {
          g_assert_cmpstr (vireo_domain_get_accelerator (kvm), ==, "TCG");
          g_assert_nonnull (strstr (vireo_domain_get_accelerator_reason (kvm),
                                    "could not start it with KVM"));
        }
      g_assert_true (act (kvm, VIREO_DOMAIN_ACTION_FORCE_OFF, 0, &error));
      g_assert_true (wait_for (is_shutoff, kvm, 10));
    }
  g_assert_true (act (kvm, VIREO_DOMAIN_ACTION_DELETE, 0, &error));
  g_assert_true (act (emulated, VIREO_DOMAIN_ACTION_DELETE, 0, &error));
  g_assert_no_error (error);
}

/* A disk that is not there: QEMU's own words, at once. */
static void
test_missing_disk (void)
{
  g_autoptr(VireoConnection) conn = NULL;
  g_autoptr(VireoDomain) domain = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = vm_xml ("no-disk", "/nonexistent/disk.qcow2");

  require_qemu ();
  conn = open_builtin ();
  domain = define (conn, xml, &error);
  g_assert_no_error (error);
  g_assert_false (act (domain, VIREO_DOMAIN_ACTION_START, 0, &error));
  g_assert_nonnull (error);
  g_test_message ("missing disk: %s", error->message);
  g_assert_nonnull (strstr (error->message, "/nonexistent/disk.qcow2"));
  g_assert_nonnull (strstr (error->message, "No such file"));
  g_clear_error (&error);
  g_assert_cmpint (vireo_domain_get_state (domain), ==, VIREO_DOMAIN_STATE_SHUTOFF);
  g_assert_true (act (domain, VIREO_DOMAIN_ACTION_DELETE, 0, &error));
}

static void
test_duplicate_name (void)
{
  g_autoptr(VireoConnection) conn = open_builtin ();
  g_autoptr(VireoDomain) first = NULL;
  g_autoptr(VireoDomain) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = vm_xml ("twin", NULL);
  g_autofree char *config = vireo_builtin_config_dir ();
  g_autoptr(GDir) dir = NULL;
  guint files = 0;

  first = define (conn, xml, &error);
  g_assert_no_error (error);
  second = define (conn, xml, &error);
  g_assert_null (second);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "already exists"));

  dir = g_dir_open (config, 0, NULL);
  for (const char *n; (n = g_dir_read_name (dir)) != NULL;)
    files += g_str_has_suffix (n, ".xml");
  g_assert_cmpuint (files, ==, 1);
  g_clear_error (&error);
  g_assert_true (act (first, VIREO_DOMAIN_ACTION_DELETE, 0, &error));
}

/* Kills every QEMU whose pidfile is under `runtime` (checked to be QEMU:
 * a pid may have been reused), then removes `dir`. */
static void
reap (const char *runtime,
      const char *dir)
{
  g_autofree char *folder = g_build_filename (runtime, "vireo", NULL);
  g_autoptr(GDir) d = g_dir_open (folder, 0, NULL);

  for (const char *n; d != NULL && (n = g_dir_read_name (d)) != NULL;)
    {
      g_autofree char *pidfile = g_build_filename (folder, n, "qemu.pid", NULL);
      g_autofree char *text = NULL, *cmdline_path = NULL, *cmdline = NULL;
      gint64 pid;

      if (!g_file_get_contents (pidfile, &text, NULL, NULL) ||
          (pid = g_ascii_strtoll (text, NULL, 10)) <= 1)
        continue;
      cmdline_path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/cmdline", pid);
      if (g_file_get_contents (cmdline_path, &cmdline, NULL, NULL) &&
          strstr (cmdline, "qemu-system-") != NULL)
        kill ((pid_t) pid, SIGKILL);
    }
  {
    const char *argv_rm[] = { "rm", "-rf", dir, NULL };
    g_spawn_sync (NULL, (char **) argv_rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
}

/* QEMU runs detached from the program that started it, so when this program
 * dies before its tests end (a failed assertion aborts it, meson's timeout
 * kills it) its guests would run on. A child process, in a session of its
 * own, waits for this one to go (its end of a pipe closes) and then reaps.
 * Called before any thread exists. */
static void
start_reaper (const char *runtime,
              const char *dir)
{
  int fds[2];
  pid_t pid;

  /* Close-on-exec (no thread runs yet): no QEMU may hold the write end. */
  if (pipe (fds) != 0 || fcntl (fds[1], F_SETFD, FD_CLOEXEC) != 0)
    g_error ("pipe: %s", g_strerror (errno));
  pid = fork ();
  if (pid < 0)
    g_error ("fork: %s", g_strerror (errno));
  if (pid == 0)
    {
      char c;
      ssize_t r;

      close (fds[1]);
      setsid ();
      do
        r = read (fds[0], &c, 1);
      while (r > 0 || (r < 0 && errno == EINTR));
      reap (runtime, dir);
      _exit (0);
    }
  close (fds[0]);
  /* fds[1] stays open until this process ends, whichever way. */
}

int
main (int argc, char **argv)
{
  g_autofree char *config = NULL, *data = NULL, *runtime = NULL;
  int ret;

  /* A private home for definitions, images and sockets. */
  tmpdir = g_dir_make_tmp ("vireo-builtin-XXXXXX", NULL);
  config = g_build_filename (tmpdir, "config", NULL);
  data = g_build_filename (tmpdir, "data", NULL);
  runtime = g_build_filename (tmpdir, "run", NULL);
  g_mkdir (runtime, 0700);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  start_reaper (runtime, tmpdir);

  g_test_init (&argc, &argv, NULL);
  vireo_core_init ();
  g_test_add_func ("/builtin/lifecycle", test_lifecycle);
  g_test_add_func ("/builtin/save-restore", test_save_restore);
  g_test_add_func ("/builtin/crash", test_crash);
  g_test_add_func ("/builtin/foreign-pidfile", test_foreign_pidfile);
  g_test_add_func ("/builtin/missing-qemu", test_missing_qemu);
  g_test_add_func ("/builtin/disk-in-use", test_disk_in_use);
  g_test_add_func ("/builtin/duplicate-name", test_duplicate_name);
  g_test_add_func ("/builtin/accelerator", test_accelerator);
  g_test_add_func ("/builtin/missing-disk", test_missing_disk);
  ret = g_test_run ();

  {
    const char *argv_rm[] = { "rm", "-rf", tmpdir, NULL };
    g_spawn_sync (NULL, (char **) argv_rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  return ret;
}
