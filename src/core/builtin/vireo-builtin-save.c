/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Save and restore for the builtin backend: migration to and from a file
 * QEMU gets as an fd over its monitor socket (getfd), so no shell or path
 * quoting is involved. Runs on the connection's call worker. */
#include "vireo-config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "vireo-types.h"
#include "vireo-builtin-connection.h"
#include "vireo-builtin-private.h"
#include "vireo-qmp-client.h"

static char *
runtime_file (const char *uuid,
              const char *name)
{
  g_autofree char *base = vireo_builtin_runtime_dir ();
  return g_build_filename (base, uuid, name, NULL);
}

/* A saved VM: its memory (.state), the definition it ran with (.xml) and,
 * when it was paused, a .paused marker. */
char *
vireo_builtin_save_file (const char *uuid,
                         const char *suffix)
{
  g_autofree char *name = g_strconcat (uuid, suffix, NULL);
  return g_build_filename (g_get_user_data_dir (), "vireo", "save", name, NULL);
}

void
vireo_builtin_remove_saved_state (const char *uuid)
{
  static const char *const suffixes[] = { ".state", ".state.partial", ".state.failed", ".xml", ".paused", NULL };

  for (guint i = 0; suffixes[i]; i++)
    {
      g_autofree char *path = vireo_builtin_save_file (uuid, suffixes[i]);
      g_unlink (path);
    }
}

/* Polls query-migrate until the migration ends; QEMU's reason if it failed. */
static gboolean
wait_migration (VireoQmpSync *sync,
                GError      **error)
{
  gint64 idle_deadline = g_get_monotonic_time () + START_TIMEOUT_US;

  for (;;)
    {
      g_autoptr(JsonNode) info = vireo_qmp_sync_execute (sync, "query-migrate", NULL, -1,
                                                         QMP_TIMEOUT_MS, error);
      JsonObject *o;
      const char *status;

      if (info == NULL)
        return FALSE;
      o = JSON_NODE_HOLDS_OBJECT (info) ? json_node_get_object (info) : NULL;
      status = o ? json_object_get_string_member_with_default (o, "status", "") : "";
      if (g_str_equal (status, "completed"))
        return TRUE;
      if (g_str_equal (status, "failed") || g_str_equal (status, "cancelled"))
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED, "%s",
                       json_object_get_string_member_with_default (o, "error-desc", status));
          return FALSE;
        }
      /* A migration that never even starts is not waited for forever. */
      if (*status == '\0' && g_get_monotonic_time () > idle_deadline)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED, _("The migration did not start."));
          return FALSE;
        }
      g_usleep (50 * 1000);
    }
}

/* Runs `command` with a single string argument, passing `fd` with it. */
static gboolean
qmp_with_fd (VireoQmpSync *sync,
             const char   *command,
             const char   *member,
             const char   *value,
             int           fd,
             GError      **error)
{
  g_autoptr(JsonObject) args = member ? json_object_new () : NULL;
  g_autoptr(JsonNode) result = NULL;

  if (args != NULL)
    json_object_set_string_member (args, member, value);
  result = vireo_qmp_sync_execute (sync, command, args, fd, QMP_TIMEOUT_MS, error);
  return result != NULL;
}




/* Stops the VM and writes its state; on failure it runs on as before. */
gboolean
vireo_builtin_save_to_file (const char  *uuid,
                            const char  *xml,
                            GError     **error)
{
  g_autofree char *qmp = runtime_file (uuid, "qmp.sock");
  g_autofree char *state = vireo_builtin_save_file (uuid, ".state");
  g_autofree char *partial = vireo_builtin_save_file (uuid, ".state.partial");
  g_autofree char *saved_xml = vireo_builtin_save_file (uuid, ".xml");
  g_autofree char *paused = vireo_builtin_save_file (uuid, ".paused");
  g_autoptr(VireoQmpSync) sync = NULL;
  g_autoptr(JsonNode) status = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean was_running, ok;
  int fd;

  sync = vireo_qmp_sync_open (qmp, QMP_TIMEOUT_MS, error);
  if (sync == NULL ||
      (status = vireo_qmp_sync_execute (sync, "query-status", NULL, -1, QMP_TIMEOUT_MS, error)) == NULL)
    return FALSE;
  was_running = JSON_NODE_HOLDS_OBJECT (status) &&
                json_object_get_boolean_member_with_default (json_node_get_object (status),
                                                             "running", FALSE);

  /* An fd QEMU writes to: no shell and no quoting of the path. */
  fd = open (partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Could not create %s: %s"), partial, g_strerror (saved));
      return FALSE;
    }
  ok = qmp_with_fd (sync, "stop", NULL, NULL, -1, &local_error) &&
       qmp_with_fd (sync, "getfd", "fdname", "vireo-save", fd, &local_error) &&
       qmp_with_fd (sync, "migrate", "uri", "fd:vireo-save", -1, &local_error) &&
       wait_migration (sync, &local_error);
  if (ok && fsync (fd) != 0)
    {
      int saved = errno;
      g_set_error (&local_error, VIREO_ERROR, VIREO_ERROR_FAILED, "%s", g_strerror (saved));
      ok = FALSE;
    }
  close (fd);
  if (ok)
    ok = g_file_set_contents_full (saved_xml, xml, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                   &local_error) &&
         (was_running || g_file_set_contents (paused, "", 0, &local_error));
  if (ok && g_rename (partial, state) != 0)
    {
      int saved = errno;
      g_set_error (&local_error, VIREO_ERROR, VIREO_ERROR_FAILED, "%s", g_strerror (saved));
      ok = FALSE;
    }
  if (!ok)
    {
      vireo_builtin_remove_saved_state (uuid);
      if (was_running)
        qmp_with_fd (sync, "cont", NULL, NULL, -1, NULL);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Could not save the VM's state: %s"), local_error->message);
      return FALSE;
    }

  /* QEMU's monitor takes one client at a time: the session ends here,
   * before force_off quits QEMU through a new one. */
  return TRUE;
}

/* Feeds the saved state to a QEMU started with -incoming defer. */
gboolean
vireo_builtin_restore_state (const char  *uuid,
                             GSubprocess *process,
                             GError     **error)
{
  g_autofree char *qmp = runtime_file (uuid, "qmp.sock");
  g_autofree char *state = vireo_builtin_save_file (uuid, ".state");
  g_autofree char *paused = vireo_builtin_save_file (uuid, ".paused");
  g_autoptr(VireoQmpSync) sync = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean ok;
  int fd = open (state, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Could not read the saved state %s: %s"), state, g_strerror (saved));
      return FALSE;
    }
  sync = vireo_qmp_sync_open (qmp, QMP_TIMEOUT_MS, &local_error);
  ok = sync != NULL &&
       qmp_with_fd (sync, "getfd", "fdname", "vireo-restore", fd, &local_error) &&
       qmp_with_fd (sync, "migrate-incoming", "uri", "fd:vireo-restore", -1, &local_error) &&
       wait_migration (sync, &local_error);
  close (fd);
  if (!ok)
    {
      /* QEMU ends itself when the state cannot be loaded: its log says why.
       * The file is set aside so that the VM can still be started afresh. */
      g_autofree char *tail = NULL;
      g_autofree char *aside = vireo_builtin_save_file (uuid, ".state.failed");

      for (int i = 0; i < 60 && g_subprocess_get_identifier (process) != NULL; i++)
        g_usleep (50 * 1000);
      tail = vireo_builtin_log_tail (uuid, 6);
      g_rename (state, aside);
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("The saved state could not be restored; it was set aside as %s, "
                     "and the VM can be started afresh. QEMU said:\n%s"),
                   aside, *tail ? tail : local_error->message);
      return FALSE;
    }
  if (!g_file_test (paused, G_FILE_TEST_EXISTS) &&
      !qmp_with_fd (sync, "cont", NULL, NULL, -1, error))
    return FALSE;
  vireo_builtin_remove_saved_state (uuid);
  return TRUE;
}
