/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vireoctl: list, control and watch VMs from a terminal, on the same core as
 * the app. One connection, one command, one exit status:
 *   0 done, 1 the command failed, 2 the command line was wrong. */
#include "vireo-config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "vireo-connection.h"
#include "vireo-domain-copy.h"
#include "vireo-stats.h"
#include "vireo-vnc-capture.h"
#include "vireoctl.h"

typedef struct {
  const char       *verb;
  VireoDomainAction action;
  gboolean          takes_name;
} Command;

/* The verbs are virsh's where virsh has one. */
static const Command commands[] = {
  { "list",      VIREO_DOMAIN_ACTION_LAST,      FALSE },
  { "stats",     VIREO_DOMAIN_ACTION_LAST,      FALSE },
  { "start",     VIREO_DOMAIN_ACTION_START,     TRUE },
  { "shutdown",  VIREO_DOMAIN_ACTION_SHUTDOWN,  TRUE },
  { "reboot",    VIREO_DOMAIN_ACTION_REBOOT,    TRUE },
  { "reset",     VIREO_DOMAIN_ACTION_RESET,     TRUE },
  { "destroy",   VIREO_DOMAIN_ACTION_FORCE_OFF, TRUE },
  { "suspend",   VIREO_DOMAIN_ACTION_PAUSE,     TRUE },
  { "resume",    VIREO_DOMAIN_ACTION_RESUME,    TRUE },
  { "save",      VIREO_DOMAIN_ACTION_SAVE,      TRUE },
  { "restore",   VIREO_DOMAIN_ACTION_RESTORE,   TRUE },
  { "delete",    VIREO_DOMAIN_ACTION_DELETE,    TRUE },
  { "autostart", VIREO_DOMAIN_ACTION_AUTOSTART_ON, TRUE },
  { "screenshot", VIREO_DOMAIN_ACTION_LAST,     TRUE },
  { "create",    VIREO_DOMAIN_ACTION_LAST,      FALSE },
  { "export",    VIREO_DOMAIN_ACTION_LAST,      TRUE },
  { "import",    VIREO_DOMAIN_ACTION_LAST,      TRUE },
};


static char    *opt_connect;
static gboolean opt_remove_storage;
static gboolean opt_disable;
static gint     opt_count = 0;
static gint     opt_interval = -1;   /* -1: not given */
static gboolean opt_version;
static char    *opt_to;
static char    *opt_from;

static const GOptionEntry entries[] = {
  { "connect", 'c', 0, G_OPTION_ARG_STRING, &opt_connect,
    N_("Connect to URI (default: $VIREO_DEFAULT_URI or qemu:///system)"), N_("URI") },
  { "remove-storage", 0, 0, G_OPTION_ARG_NONE, &opt_remove_storage,
    N_("delete: also delete the VM’s disk volumes"), NULL },
  { "disable", 0, 0, G_OPTION_ARG_NONE, &opt_disable,
    N_("autostart: turn autostart off instead of on"), NULL },
  { "count", 'n', 0, G_OPTION_ARG_INT, &opt_count,
    N_("stats: print N updates, then exit (default: until Ctrl+C)"), N_("N") },
  { "interval", 0, 0, G_OPTION_ARG_INT, &opt_interval,
    N_("stats: milliseconds between updates (default: 1000)"), N_("MS") },
  { "to", 0, 0, G_OPTION_ARG_STRING, &opt_to,
    N_("export: the host to copy the VM to"), N_("URI") },
  { "from", 0, 0, G_OPTION_ARG_STRING, &opt_from,
    N_("import: the host to copy the VM from"), N_("URI") },
  { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version,
    N_("Show the version and exit"), NULL },
  { NULL }
};

void
fail (const char *format,
      ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("vireoctl: %s\n", msg);
}

static int
usage_error (GOptionContext *context,
             const char     *message)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  if (message != NULL)
    g_printerr ("vireoctl: %s\n\n", message);
  g_printerr ("%s", help);
  return EXIT_USAGE;
}

/* ---- authentication on the terminal ---- */

static char *
read_line (gboolean echo)
{
  struct termios old, quiet;
  gboolean restore = FALSE;
  char buf[1024];
  char *ret = NULL;

  if (!echo && tcgetattr (STDIN_FILENO, &old) == 0)
    {
      quiet = old;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      quiet.c_lflag |= ECHONL;
      /* TCSANOW, not TCSAFLUSH: keep answers typed (or piped into a pty)
       * ahead of the prompt. */
      restore = tcsetattr (STDIN_FILENO, TCSANOW, &quiet) == 0;
    }

  if (fgets (buf, sizeof buf, stdin) != NULL)
    {
      buf[strcspn (buf, "\r\n")] = '\0';
      ret = g_strdup (buf);
    }

  if (restore)
    tcsetattr (STDIN_FILENO, TCSANOW, &old);
  explicit_bzero (buf, sizeof buf);
  return ret;
}

static const char *
default_prompt (VireoCredentialKind kind)
{
  switch (kind)
    {
    case VIREO_CREDENTIAL_USERNAME:     return _("User name");
    case VIREO_CREDENTIAL_PASSWORD:     return _("Password");
    case VIREO_CREDENTIAL_PASSPHRASE:   return _("Passphrase");
    case VIREO_CREDENTIAL_OTHER_SECRET: return _("Secret");
    case VIREO_CREDENTIAL_OTHER:
    default:                            return _("Answer");
    }
}

static gboolean
on_authenticate (VireoConnection  *conn,
                 VireoAuthRequest *request,
                 Ctl              *ctl)
{
  guint n = vireo_auth_request_get_n_credentials (request);

  /* Without a terminal there is nobody to ask: let the open fail, and say
   * why rather than hang or read a password from a pipe. */
  if (!isatty (STDIN_FILENO))
    {
      ctl->auth_refused = TRUE;
      return FALSE;
    }

  /* libvirt may ask one question per request: introduce them once. */
  if (!ctl->auth_announced)
    g_printerr (_("%s asks for credentials.\n"), vireo_auth_request_get_uri (request));
  ctl->auth_announced = TRUE;
  for (guint i = 0; i < n; i++)
    {
      const char *prompt = vireo_auth_request_get_prompt (request, i);
      const char *def = vireo_auth_request_get_default (request, i);
      gboolean secret = vireo_auth_request_is_secret (request, i);
      g_autofree char *answer = NULL;

      if (prompt == NULL || *prompt == '\0')
        prompt = default_prompt (vireo_auth_request_get_kind (request, i));
      if (!secret && def != NULL && *def != '\0')
        g_printerr ("%s [%s]: ", prompt, def);
      else
        g_printerr ("%s: ", prompt);

      answer = read_line (!secret);
      if (answer == NULL)
        {
          g_printerr ("\n");
          vireo_auth_request_complete (request, FALSE);
          return TRUE;
        }
      if (*answer == '\0' && def != NULL)
        vireo_auth_request_set_value (request, i, def);
      else
        vireo_auth_request_set_value (request, i, answer);
      if (secret)
        explicit_bzero (answer, strlen (answer));
    }
  vireo_auth_request_complete (request, TRUE);
  return TRUE;
}

/* ---- opening ---- */

static void
open_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Ctl *ctl = user_data;

  ctl->opened = vireo_connection_open_finish (VIREO_CONNECTION (source), result, &ctl->error);
  g_main_loop_quit (ctl->loop);
}

static gboolean
open_connection (Ctl *ctl)
{
  g_autoptr(GError) error = NULL;

  ctl->conn = vireo_connection_new (ctl->uri, &error);
  if (ctl->conn == NULL)
    {
      fail (_("cannot connect to %s: %s"), ctl->uri, error->message);
      return FALSE;
    }
  /* A command runs once; retrying belongs to the app. */
  vireo_connection_set_auto_reconnect (ctl->conn, FALSE);
  g_signal_connect (ctl->conn, "authenticate", G_CALLBACK (on_authenticate), ctl);

  vireo_connection_open_async (ctl->conn, NULL, open_cb, ctl);
  g_main_loop_run (ctl->loop);

  if (!ctl->opened)
    {
      const char *reason = ctl->error ? ctl->error->message
                                      : vireo_connection_get_error_message (ctl->conn);
      if (ctl->auth_refused)
        fail (_("cannot connect to %s: it asks for credentials, and there is no terminal "
                "to ask them on"), ctl->uri);
      else
        fail (_("cannot connect to %s: %s"), ctl->uri, reason ? reason : _("unknown error"));
      return FALSE;
    }
  return TRUE;
}

/* ---- list ---- */

static int
compare_for_list (gconstpointer a,
                  gconstpointer b)
{
  VireoDomain *da = *(VireoDomain **) a;
  VireoDomain *db = *(VireoDomain **) b;
  int ia = vireo_domain_get_id (da);
  int ib = vireo_domain_get_id (db);

  /* As virsh: running ones by id first, then the others by name. */
  if (ia >= 0 && ib >= 0)
    return ia - ib;
  if (ia >= 0)
    return -1;
  if (ib >= 0)
    return 1;
  return g_utf8_collate (vireo_domain_get_name (da), vireo_domain_get_name (db));
}

static void
print_padded (const char *s,
              guint       width)
{
  glong len = g_utf8_strlen (s, -1);

  g_print ("%s", s);
  for (glong i = len; i < (glong) width; i++)
    g_print (" ");
}

static char *
describe_state (VireoDomain *domain)
{
  GString *s = g_string_new (vireo_domain_state_to_string (vireo_domain_get_state (domain)));
  g_autoptr(GPtrArray) marks = g_ptr_array_new ();

  if (vireo_domain_get_has_managed_save (domain))
    g_ptr_array_add (marks, (gpointer) _("saved"));
  if (vireo_domain_get_autostart (domain))
    g_ptr_array_add (marks, (gpointer) _("autostart"));
  if (!vireo_domain_get_persistent (domain))
    g_ptr_array_add (marks, (gpointer) _("transient"));

  for (guint i = 0; i < marks->len; i++)
    g_string_append_printf (s, "%s%s", i == 0 ? " (" : ", ", (char *) marks->pdata[i]);
  if (marks->len > 0)
    g_string_append (s, ")");
  return g_string_free (s, FALSE);
}

/* "KVM", or "TCG: why not KVM"; NULL when the backend does not say. */
static char *
describe_accelerator (VireoDomain *domain)
{
  const char *accel = vireo_domain_get_accelerator (domain);
  const char *reason = vireo_domain_get_accelerator_reason (domain);

  if (accel == NULL)
    return NULL;
  if (reason == NULL)
    return g_strdup (accel);
  /* Translators: an accelerator and why KVM is not used, e.g. "TCG: /dev/kvm does not exist" */
  return g_strdup_printf (_("%s: %s"), accel, reason);
}

static int
cmd_list (Ctl *ctl)
{
  GListModel *model = vireo_connection_get_domains (ctl->conn);
  guint n = g_list_model_get_n_items (model);
  g_autoptr(GPtrArray) domains = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) states = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) accels = g_ptr_array_new_with_free_func (g_free);
  const char *h_id = _("Id");
  const char *h_name = _("Name");
  const char *h_state = _("State");
  const char *h_accel = _("Accelerator");
  guint w_id = g_utf8_strlen (h_id, -1);
  guint w_name = g_utf8_strlen (h_name, -1);
  guint w_state = g_utf8_strlen (h_state, -1);
  gboolean any_accel = FALSE;

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (domains, g_list_model_get_item (model, i));
  g_ptr_array_sort (domains, compare_for_list);

  for (guint i = 0; i < domains->len; i++)
    {
      VireoDomain *d = domains->pdata[i];
      int id = vireo_domain_get_id (d);
      char *id_s = id >= 0 ? g_strdup_printf ("%d", id) : g_strdup ("-");
      char *state_s = describe_state (d);
      char *accel_s = describe_accelerator (d);

      w_id = MAX (w_id, (guint) g_utf8_strlen (id_s, -1));
      w_name = MAX (w_name, (guint) g_utf8_strlen (vireo_domain_get_name (d), -1));
      w_state = MAX (w_state, (guint) g_utf8_strlen (state_s, -1));
      any_accel |= accel_s != NULL;
      g_ptr_array_add (ids, id_s);
      g_ptr_array_add (states, state_s);
      g_ptr_array_add (accels, accel_s);
    }

  /* The accelerator column only where the backend reports one (builtin). */
  g_print (" ");
  print_padded (h_id, w_id + 3);
  print_padded (h_name, w_name + 3);
  if (any_accel)
    {
      print_padded (h_state, w_state + 3);
      g_print ("%s\n", h_accel);
    }
  else
    g_print ("%s\n", h_state);
  for (guint i = 0; i < w_id + w_name + w_state + 8 + (any_accel ? 3 + g_utf8_strlen (h_accel, -1) : 0); i++)
    g_print ("-");
  g_print ("\n");
  for (guint i = 0; i < domains->len; i++)
    {
      g_print (" ");
      print_padded (ids->pdata[i], w_id + 3);
      print_padded (vireo_domain_get_name (domains->pdata[i]), w_name + 3);
      if (any_accel)
        {
          print_padded (states->pdata[i], w_state + 3);
          g_print ("%s\n", accels->pdata[i] ? (char *) accels->pdata[i] : "-");
        }
      else
        g_print ("%s\n", (char *) states->pdata[i]);
    }

  /* How crashed VMs ended, with the end of their log where there is one. */
  for (guint i = 0; i < domains->len; i++)
    {
      VireoDomain *d = domains->pdata[i];
      const char *reason = vireo_domain_get_state_reason (d);

      if (vireo_domain_get_state (d) == VIREO_DOMAIN_STATE_CRASHED && reason != NULL)
        {
          g_auto(GStrv) lines = g_strsplit (reason, "\n", -1);

          g_print ("\n");
          g_print (_("“%s” crashed:\n"), vireo_domain_get_name (d));
          for (guint j = 0; lines[j] != NULL; j++)
            g_print ("  %s\n", lines[j]);
        }
    }
  return EXIT_SUCCESS;
}

/* ---- stats ---- */

static void
print_stats_header (void)
{
  g_print ("%-20s %-14s %7s %7s %12s %12s %12s %12s\n",
           _("NAME"), _("STATE"), _("CPU"), _("MEM"),
           _("DISK RD"), _("DISK WR"), _("NET RX"), _("NET TX"));
}

static void
on_stats_updated (VireoConnection *conn,
                  Ctl             *ctl)
{
  GListModel *model = vireo_connection_get_domains (conn);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VireoDomain) d = g_list_model_get_item (model, i);
      g_autofree char *rd = vireo_format_rate (vireo_ring_get_latest (vireo_domain_get_history (d, VIREO_SERIES_DISK_READ)));
      g_autofree char *wr = vireo_format_rate (vireo_ring_get_latest (vireo_domain_get_history (d, VIREO_SERIES_DISK_WRITE)));
      g_autofree char *rx = vireo_format_rate (vireo_ring_get_latest (vireo_domain_get_history (d, VIREO_SERIES_NET_RX)));
      g_autofree char *tx = vireo_format_rate (vireo_ring_get_latest (vireo_domain_get_history (d, VIREO_SERIES_NET_TX)));
      double cpu = vireo_ring_get_latest (vireo_domain_get_history (d, VIREO_SERIES_CPU));
      double mem = vireo_ring_get_latest (vireo_domain_get_history (d, VIREO_SERIES_MEMORY));

      g_print ("%-20s %-14s %6.1f%% %6.1f%% %12s %12s %12s %12s\n",
               vireo_domain_get_name (d),
               vireo_domain_state_to_string (vireo_domain_get_state (d)),
               cpu, mem, rd, wr, rx, tx);
    }
  fflush (stdout);

  ctl->printed++;
  if (ctl->count > 0 && ctl->printed >= ctl->count)
    g_main_loop_quit (ctl->loop);
}

static void
on_state_changed (VireoConnection *conn,
                  GParamSpec      *pspec,
                  Ctl             *ctl)
{
  if (vireo_connection_get_state (conn) == VIREO_CONNECTION_STATE_DISCONNECTED)
    {
      const char *reason = vireo_connection_get_error_message (conn);
      fail (_("lost the connection to %s: %s"), ctl->uri, reason ? reason : _("unknown error"));
      ctl->status = EXIT_FAILURE;
      g_main_loop_quit (ctl->loop);
    }
}

static gboolean
on_interrupt (gpointer user_data)
{
  Ctl *ctl = user_data;

  g_main_loop_quit (ctl->loop);
  return G_SOURCE_REMOVE;
}

static int
cmd_stats (Ctl *ctl)
{
  ctl->count = opt_count;
  ctl->status = EXIT_SUCCESS;
  print_stats_header ();
  fflush (stdout);

  g_signal_connect (ctl->conn, "stats-updated", G_CALLBACK (on_stats_updated), ctl);
  g_signal_connect (ctl->conn, "notify::state", G_CALLBACK (on_state_changed), ctl);
  g_unix_signal_add (SIGINT, on_interrupt, ctl);
  g_unix_signal_add (SIGTERM, on_interrupt, ctl);
  vireo_connection_set_stats_interval (ctl->conn, (guint) opt_interval);

  g_main_loop_run (ctl->loop);

  vireo_connection_set_stats_interval (ctl->conn, 0);
  return ctl->status;
}

/* ---- actions ---- */

static const char *
action_phrase (VireoDomainAction action)
{
  /* Completes "cannot … “NAME”". */
  switch (action)
    {
    case VIREO_DOMAIN_ACTION_START:         return _("start");
    case VIREO_DOMAIN_ACTION_PAUSE:         return _("pause");
    case VIREO_DOMAIN_ACTION_RESUME:        return _("resume");
    case VIREO_DOMAIN_ACTION_SHUTDOWN:      return _("shut down");
    case VIREO_DOMAIN_ACTION_REBOOT:        return _("reboot");
    case VIREO_DOMAIN_ACTION_RESET:         return _("reset");
    case VIREO_DOMAIN_ACTION_FORCE_OFF:     return _("force off");
    case VIREO_DOMAIN_ACTION_SAVE:          return _("save");
    case VIREO_DOMAIN_ACTION_RESTORE:       return _("restore");
    case VIREO_DOMAIN_ACTION_DELETE:        return _("delete");
    case VIREO_DOMAIN_ACTION_AUTOSTART_ON:  return _("turn on autostart for");
    case VIREO_DOMAIN_ACTION_AUTOSTART_OFF: return _("turn off autostart for");
    case VIREO_DOMAIN_ACTION_LAST:
    default:                                return _("change");
    }
}

/* Why an action does not apply to the VM as it is now. */
static const char *
why_not (VireoDomain      *d,
         VireoDomainAction action)
{
  VireoDomainState state = vireo_domain_get_state (d);
  gboolean active = vireo_domain_state_is_active (state);
  gboolean persistent = vireo_domain_get_persistent (d);

  switch (action)
    {
    case VIREO_DOMAIN_ACTION_START:
      if (active)
        return _("it is already running");
      if (vireo_domain_get_has_managed_save (d))
        return _("it has a saved state; use “vireoctl restore” to resume it");
      break;
    case VIREO_DOMAIN_ACTION_PAUSE:
      if (state == VIREO_DOMAIN_STATE_PAUSED)
        return _("it is already paused");
      return _("it is not running");
    case VIREO_DOMAIN_ACTION_RESUME:
      return _("it is not paused");
    case VIREO_DOMAIN_ACTION_SHUTDOWN:
    case VIREO_DOMAIN_ACTION_REBOOT:
    case VIREO_DOMAIN_ACTION_RESET:
      if (state == VIREO_DOMAIN_STATE_PAUSED)
        return _("it is paused; resume it first");
      return _("it is not running");
    case VIREO_DOMAIN_ACTION_FORCE_OFF:
      return _("it is not running");
    case VIREO_DOMAIN_ACTION_SAVE:
      if (!persistent)
        return _("it is transient, and only a defined VM can keep a saved state");
      return _("it is not running");
    case VIREO_DOMAIN_ACTION_RESTORE:
      if (active)
        return _("it is already running");
      return _("it has no saved state");
    case VIREO_DOMAIN_ACTION_DELETE:
      if (!persistent)
        return _("it is transient; it goes away when it stops");
      if (active)
        return _("it is running; shut it down first");
      break;
    case VIREO_DOMAIN_ACTION_AUTOSTART_ON:
    case VIREO_DOMAIN_ACTION_AUTOSTART_OFF:
      if (!persistent)
        return _("it is transient");
      break;
    case VIREO_DOMAIN_ACTION_LAST:
    default:
      break;
    }
  return _("it is not possible in its current state");
}

static char *
success_message (const char       *name,
                 VireoDomainAction action)
{
  switch (action)
    {
    case VIREO_DOMAIN_ACTION_START:     return g_strdup_printf (_("VM “%s” started."), name);
    case VIREO_DOMAIN_ACTION_PAUSE:     return g_strdup_printf (_("VM “%s” paused."), name);
    case VIREO_DOMAIN_ACTION_RESUME:    return g_strdup_printf (_("VM “%s” resumed."), name);
    case VIREO_DOMAIN_ACTION_SHUTDOWN:  return g_strdup_printf (_("VM “%s” is shutting down."), name);
    case VIREO_DOMAIN_ACTION_REBOOT:    return g_strdup_printf (_("VM “%s” is rebooting."), name);
    case VIREO_DOMAIN_ACTION_RESET:     return g_strdup_printf (_("VM “%s” was reset."), name);
    case VIREO_DOMAIN_ACTION_FORCE_OFF: return g_strdup_printf (_("VM “%s” forced off."), name);
    case VIREO_DOMAIN_ACTION_SAVE:      return g_strdup_printf (_("VM “%s” saved."), name);
    case VIREO_DOMAIN_ACTION_RESTORE:   return g_strdup_printf (_("VM “%s” restored."), name);
    case VIREO_DOMAIN_ACTION_DELETE:
      if (opt_remove_storage)
        return g_strdup_printf (_("VM “%s” and its storage deleted."), name);
      return g_strdup_printf (_("VM “%s” deleted."), name);
    case VIREO_DOMAIN_ACTION_AUTOSTART_ON:
      return g_strdup_printf (_("VM “%s” will start when the host starts."), name);
    case VIREO_DOMAIN_ACTION_AUTOSTART_OFF:
      return g_strdup_printf (_("VM “%s” will no longer start when the host starts."), name);
    case VIREO_DOMAIN_ACTION_LAST:
    default:
      return g_strdup_printf (_("VM “%s” changed."), name);
    }
}

typedef struct {
  Ctl      *ctl;
  gboolean  ok;
  GError   *error;
} ActionWait;

static void
action_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  ActionWait *w = user_data;

  w->ok = vireo_domain_run_action_finish (VIREO_DOMAIN (source), result, &w->error);
  g_main_loop_quit (w->ctl->loop);
}

static int
cmd_action (Ctl              *ctl,
            VireoDomainAction action,
            const char       *name)
{
  g_autoptr(VireoDomain) domain = NULL;
  g_autofree char *display = NULL;
  g_autofree char *done = NULL;
  ActionWait w = { ctl, FALSE, NULL };
  VireoActionFlags flags = VIREO_ACTION_FLAGS_NONE;
  VireoDomain *found;

  found = vireo_connection_find_domain (ctl->conn, name);
  if (found == NULL)
    {
      fail (_("no VM named “%s” on %s"), name, ctl->uri);
      return EXIT_FAILURE;
    }
  domain = g_object_ref (found);
  display = g_strdup (vireo_domain_get_name (domain));

  /* Asking twice for the same autostart setting is not an error. */
  if ((action == VIREO_DOMAIN_ACTION_AUTOSTART_ON && vireo_domain_get_autostart (domain)) ||
      (action == VIREO_DOMAIN_ACTION_AUTOSTART_OFF && vireo_domain_get_persistent (domain) &&
       !vireo_domain_get_autostart (domain)))
    {
      g_print (action == VIREO_DOMAIN_ACTION_AUTOSTART_ON
               ? _("VM “%s” already starts when the host starts.\n")
               : _("VM “%s” already does not start when the host starts.\n"),
               display);
      return EXIT_SUCCESS;
    }

  if (!vireo_domain_can (domain, action))
    {
      fail (_("cannot %s “%s”: %s"), action_phrase (action), display, why_not (domain, action));
      return EXIT_FAILURE;
    }

  if (action == VIREO_DOMAIN_ACTION_DELETE && opt_remove_storage)
    flags |= VIREO_ACTION_FLAGS_REMOVE_STORAGE;

  vireo_domain_run_action_async (domain, action, flags, NULL, action_cb, &w);
  g_main_loop_run (ctl->loop);

  if (!w.ok)
    {
      if (g_error_matches (w.error, VIREO_ERROR, VIREO_ERROR_NOT_ALLOWED))
        fail (_("cannot %s “%s”: %s"), action_phrase (action), display, why_not (domain, action));
      else
        fail (_("cannot %s “%s”: %s"), action_phrase (action), display,
              w.error ? w.error->message : _("unknown error"));
      g_clear_error (&w.error);
      return EXIT_FAILURE;
    }

  done = success_message (display, action);
  g_print ("%s\n", done);
  return EXIT_SUCCESS;
}

/* ---- screenshot ---- */

typedef struct {
  Ctl              *ctl;
  int               fd;
  VireoGraphicsType type;
  GError           *error;
} GraphicsWait;

static void
graphics_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GraphicsWait *w = user_data;

  w->fd = vireo_domain_open_graphics_finish (VIREO_DOMAIN (source), result, &w->type, &w->error);
  g_main_loop_quit (w->ctl->loop);
}

/* What the display widget receives, saved as PNG: not the hypervisor's
 * screenshot API, so the two can be compared. */
static int
cmd_screenshot (Ctl        *ctl,
                const char *name,
                const char *path)
{
  GraphicsWait w = { ctl, -1, VIREO_GRAPHICS_NONE, NULL };
  g_autoptr(GError) error = NULL;
  VireoDomain *domain = vireo_connection_find_domain (ctl->conn, name);

  if (domain == NULL)
    {
      fail (_("no VM named “%s” on %s"), name, ctl->uri);
      return EXIT_FAILURE;
    }
  vireo_domain_open_graphics_async (domain, NULL, graphics_cb, &w);
  g_main_loop_run (ctl->loop);
  if (w.fd < 0)
    {
      fail (_("cannot reach the display of “%s”: %s"), name,
            w.error ? w.error->message : _("unknown error"));
      g_clear_error (&w.error);
      return EXIT_FAILURE;
    }
  if (w.type != VIREO_GRAPHICS_VNC)
    {
      close (w.fd);
      fail (_("cannot take a screenshot of “%s”: vireoctl reads VNC displays, and this VM "
              "uses SPICE; use the console window's screenshot instead"), name);
      return EXIT_FAILURE;
    }
  if (!vireo_vnc_capture_png (w.fd, path, 30000, &error))
    {
      fail (_("cannot take a screenshot of “%s”: %s"), name, error->message);
      return EXIT_FAILURE;
    }
  g_print (_("Saved the display of “%s” to %s.\n"), name, path);
  return EXIT_SUCCESS;
}

/* ---- export and import ---- */

typedef struct {
  Ctl         *ctl;
  VireoDomain *copy;
  GError      *error;
} CopyWait;

static void
copy_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  CopyWait *w = user_data;

  w->copy = vireo_domain_copy_to_finish (VIREO_DOMAIN (source), result, &w->error);
  g_main_loop_quit (w->ctl->loop);
}

/* export: from the -c connection to `other`; import: the other way. */
static int
cmd_copy (Ctl        *ctl,
          const char *name,
          const char *other_uri,
          gboolean    export)
{
  Ctl other = { 0 };
  CopyWait w = { ctl, NULL, NULL };
  VireoConnection *from, *to;
  VireoDomain *domain;
  int status = EXIT_FAILURE;

  other.loop = ctl->loop;
  other.uri = other_uri;
  if (!open_connection (&other))
    goto out;
  from = export ? ctl->conn : other.conn;
  to = export ? other.conn : ctl->conn;
  domain = vireo_connection_find_domain (from, name);
  if (domain == NULL)
    {
      fail (_("no VM named “%s” on %s"), name, vireo_connection_get_uri (from));
      goto out;
    }
  vireo_domain_copy_to_async (domain, to, NULL, copy_cb, &w);
  g_main_loop_run (ctl->loop);
  if (w.copy == NULL)
    {
      fail (_("cannot copy “%s” to %s: %s"), name, vireo_connection_get_uri (to),
            w.error ? w.error->message : _("unknown error"));
      g_clear_error (&w.error);
      goto out;
    }
  g_print (_("VM “%s” copied to %s, disks included; the original is unchanged.\n"),
           name, vireo_connection_get_uri (to));
  g_object_unref (w.copy);
  status = EXIT_SUCCESS;

out:
  if (other.conn != NULL)
    {
      g_signal_handlers_disconnect_by_data (other.conn, &other);
      vireo_connection_close (other.conn);
      g_clear_object (&other.conn);
    }
  g_clear_error (&other.error);
  return status;
}

/* ---- main ---- */

static const Command *
find_command (const char *verb)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].verb, verb))
      return &commands[i];
  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *summary = NULL;
  const Command *cmd;
  const char *name = NULL;
  const char *shot_path = NULL;
  Ctl ctl = { 0 };
  VireoDomainAction action;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("vireoctl");

  context = g_option_context_new (_("COMMAND [NAME]"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_group (context, vireoctl_create_options ());
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  summary = g_strdup_printf ("%s\n\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s",
    _("List, control and watch virtual machines."),
    _("Commands:"),
    _("  list                       List all VMs with their state"),
    _("  stats [--count N]          Show CPU, memory, disk and network use"),
    _("  start NAME                 Start a VM"),
    _("  shutdown NAME              Ask a VM to shut down"),
    _("  reboot NAME                Ask a VM to reboot"),
    _("  reset NAME                 Reset a VM at once"),
    _("  destroy NAME               Force a VM off"),
    _("  suspend NAME | resume NAME Pause or resume a VM"),
    _("  save NAME | restore NAME   Save a VM’s state and stop it, or restore it"),
    _("  delete [--remove-storage] NAME"),
    _("                             Delete a VM, and with --remove-storage its disks"),
    _("  autostart [--disable] NAME Start a VM with the host, or stop doing so"),
    _("  screenshot NAME FILE.png   Save what the VM's display shows"),
    _("  create --name NAME (--cdrom PATH | --location URL | --pxe | --import | --boot SPEC)"),
    _("                             Create a VM and start its installation"),
    _("                             (see --help-create)"),
    _("  export NAME --to URI       Copy a shut-off VM and its disks to another host on this computer"),
    _("  import NAME --from URI     Copy a shut-off VM and its disks from another host on this computer"));
  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context,
    _("NAME may also be a VM’s UUID. Exit status: 0 on success, 1 when the "
      "command failed, 2 for a wrong command line."));

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (context, error->message);

  if (opt_version)
    {
      g_print ("vireoctl %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  if (argc < 2)
    return usage_error (context, _("no command given"));

  cmd = find_command (argv[1]);
  if (cmd == NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("unknown command “%s”"), argv[1]);
      return usage_error (context, msg);
    }
  if (cmd->takes_name)
    {
      if (argc < 3)
        {
          g_autofree char *msg = g_strdup_printf (_("“%s” needs the name of a VM"), cmd->verb);
          return usage_error (context, msg);
        }
      name = argv[2];
      if (g_str_equal (cmd->verb, "screenshot"))
        {
          if (argc != 4)
            return usage_error (context, _("“screenshot” needs the name of a VM and a PNG file"));
          shot_path = argv[3];
        }
      else if (argc > 3)
        {
          g_autofree char *msg = g_strdup_printf (_("unexpected argument “%s”"), argv[3]);
          return usage_error (context, msg);
        }
    }
  else if (argc > 2)
    {
      g_autofree char *msg = g_strdup_printf (_("unexpected argument “%s”"), argv[2]);
      return usage_error (context, msg);
    }

  {
    g_autofree char *complaint = vireoctl_create_check_options (cmd->verb);
    if (complaint != NULL)
      return usage_error (context, complaint);
  }
  if (opt_remove_storage && !g_str_equal (cmd->verb, "delete"))
    return usage_error (context, _("--remove-storage goes with “delete”"));
  if (opt_disable && !g_str_equal (cmd->verb, "autostart"))
    return usage_error (context, _("--disable goes with “autostart”"));
  if (opt_to != NULL && !g_str_equal (cmd->verb, "export"))
    return usage_error (context, _("--to goes with “export”"));
  if (opt_from != NULL && !g_str_equal (cmd->verb, "import"))
    return usage_error (context, _("--from goes with “import”"));
  if (g_str_equal (cmd->verb, "export") && opt_to == NULL)
    return usage_error (context, _("“export” needs --to URI"));
  if (g_str_equal (cmd->verb, "import") && opt_from == NULL)
    return usage_error (context, _("“import” needs --from URI"));
  if (opt_count != 0 && !g_str_equal (cmd->verb, "stats"))
    return usage_error (context, _("--count goes with “stats”"));
  if (opt_count < 0)
    return usage_error (context, _("--count needs a positive number"));
  if (opt_interval != -1 && !g_str_equal (cmd->verb, "stats"))
    return usage_error (context, _("--interval goes with “stats”"));
  if (opt_interval == -1)
    opt_interval = 1000;
  if (opt_interval < 100 || opt_interval > 3600 * 1000)
    return usage_error (context, _("--interval needs a number of milliseconds from 100 to 3600000"));

  action = cmd->action;
  if (action == VIREO_DOMAIN_ACTION_AUTOSTART_ON && opt_disable)
    action = VIREO_DOMAIN_ACTION_AUTOSTART_OFF;

  ctl.uri = opt_connect;
  if (ctl.uri == NULL || *ctl.uri == '\0')
    ctl.uri = g_getenv ("VIREO_DEFAULT_URI");
  if (ctl.uri == NULL || *ctl.uri == '\0')
    ctl.uri = "qemu:///system";

  vireo_core_init ();
  loop = g_main_loop_new (NULL, FALSE);
  ctl.loop = loop;

  if (!open_connection (&ctl))
    status = EXIT_FAILURE;
  else if (g_str_equal (cmd->verb, "list"))
    status = cmd_list (&ctl);
  else if (g_str_equal (cmd->verb, "stats"))
    status = cmd_stats (&ctl);
  else if (g_str_equal (cmd->verb, "screenshot"))
    status = cmd_screenshot (&ctl, name, shot_path);
  else if (g_str_equal (cmd->verb, "create"))
    status = vireoctl_create (&ctl);
  else if (g_str_equal (cmd->verb, "export") || g_str_equal (cmd->verb, "import"))
    status = cmd_copy (&ctl, name, opt_to ? opt_to : opt_from, g_str_equal (cmd->verb, "export"));
  else
    status = cmd_action (&ctl, action, name);

  if (ctl.conn != NULL)
    {
      g_signal_handlers_disconnect_by_data (ctl.conn, &ctl);
      vireo_connection_close (ctl.conn);
      g_clear_object (&ctl.conn);
    }
  g_clear_error (&ctl.error);
  g_free (opt_connect);
  vireoctl_create_cleanup ();
  g_free (opt_to);
  g_free (opt_from);
  return status;
}
