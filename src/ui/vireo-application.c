/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <glib/gi18n.h>

#include "vireo-uri.h"

#include "vireo-add-connection-dialog.h"
#include "vireo-application.h"
#include "vireo-module-loader.h"
#include "vireo-auth-dialog.h"
#include "vireo-manager-window.h"
#include "vireo-preferences-window.h"

struct _VireoApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  /* VireoConnection, in the order they were added */
  GListStore     *connections;

  GHashTable     *consoles;         /* VireoDomain* → its console GtkWindow* */
  GHashTable     *consoles_loading; /* VireoDomain* whose console is being made */
  char           *pending_console;  /* --show-domain-console, until found */
  char          **early_uris;       /* this process's --connect, opened at startup */

  guint           loaded : 1;
  guint           early_remembered : 1;
};

G_DEFINE_FINAL_TYPE (VireoApplication, vireo_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "connect", 'c', 0, G_OPTION_ARG_STRING_ARRAY, NULL,
    N_("Open a connection to URI (may be given more than once); it is not remembered"),
    N_("URI") },
  { "no-remembered", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Do not open or list the remembered connections"), NULL },
  { "show-domain-console", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Open the console of the VM called NAME once its connection is up"), N_("NAME") },
  { NULL }
};

VireoApplication *
vireo_application_new (void)
{
  return g_object_new (VIREO_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/io/github/vireo/Vireo",
                       NULL);
}

GSettings *
vireo_application_get_settings (VireoApplication *self)
{
  g_return_val_if_fail (VIREO_IS_APPLICATION (self), NULL);

  return self->settings;
}

GListModel *
vireo_application_get_connections (VireoApplication *self)
{
  g_return_val_if_fail (VIREO_IS_APPLICATION (self), NULL);

  return G_LIST_MODEL (self->connections);
}

VireoConnection *
vireo_application_find_connection (VireoApplication *self,
                                   const char       *uri)
{
  guint n;

  g_return_val_if_fail (VIREO_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->connections));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VireoConnection) conn = g_list_model_get_item (G_LIST_MODEL (self->connections), i);

      if (vireo_uri_equal (vireo_connection_get_uri (conn), uri))
        return conn;
    }

  return NULL;
}

/* Settings lists of URIs ------------------------------------------------- */

static gboolean
strv_contains_uri (const char * const *strv,
                   const char         *uri)
{
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    if (vireo_uri_equal (strv[i], uri))
      return TRUE;
  return FALSE;
}

static void
settings_add_uri (GSettings  *settings,
                  const char *key,
                  const char *uri)
{
  g_auto(GStrv) old = g_settings_get_strv (settings, key);
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) strv = NULL;

  if (strv_contains_uri ((const char * const *) old, uri))
    return;

  builder = g_strv_builder_new ();
  g_strv_builder_addv (builder, (const char **) old);
  g_strv_builder_add (builder, uri);
  strv = g_strv_builder_end (builder);
  g_settings_set_strv (settings, key, (const char * const *) strv);
}

static void
settings_remove_uri (GSettings  *settings,
                     const char *key,
                     const char *uri)
{
  g_auto(GStrv) old = g_settings_get_strv (settings, key);
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) strv = NULL;

  if (!strv_contains_uri ((const char * const *) old, uri))
    return;

  builder = g_strv_builder_new ();
  for (guint i = 0; old[i] != NULL; i++)
    if (!vireo_uri_equal (old[i], uri))
      g_strv_builder_add (builder, old[i]);
  strv = g_strv_builder_end (builder);
  g_settings_set_strv (settings, key, (const char * const *) strv);
}

/* Connections ------------------------------------------------------------ */

static gboolean
on_authenticate (VireoConnection  *conn,
                 VireoAuthRequest *request,
                 VireoApplication *self)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  VireoAuthDialog *dialog;

  dialog = vireo_auth_dialog_new (parent, conn, request);
  gtk_window_present (GTK_WINDOW (dialog));

  return TRUE;
}

static VireoConnection *
vireo_application_adopt (VireoApplication  *self,
                         const char        *uri,
                         GError           **error)
{
  g_autoptr(VireoConnection) conn = NULL;

  conn = vireo_connection_new (uri, error);
  if (conn == NULL)
    return NULL;

  vireo_connection_set_stats_interval (conn, g_settings_get_uint (self->settings, "stats-interval"));
  g_signal_connect_object (conn, "authenticate", G_CALLBACK (on_authenticate), self, 0);
  g_list_store_append (self->connections, conn);

  /* The store holds the reference we return. */
  return conn;
}

void
vireo_application_open_connection (VireoApplication *self,
                                   VireoConnection  *connection)
{
  g_return_if_fail (VIREO_IS_APPLICATION (self));
  g_return_if_fail (VIREO_IS_CONNECTION (connection));

  if (vireo_connection_get_state (connection) == VIREO_CONNECTION_STATE_DISCONNECTED)
    vireo_connection_open_async (connection, NULL, NULL, NULL);
}

void
vireo_application_close_connection (VireoApplication *self,
                                    VireoConnection  *connection)
{
  g_return_if_fail (VIREO_IS_APPLICATION (self));
  g_return_if_fail (VIREO_IS_CONNECTION (connection));

  vireo_connection_close (connection);
}

VireoConnection *
vireo_application_add_connection (VireoApplication  *self,
                                  const char        *uri,
                                  gboolean           remember,
                                  gboolean           autoconnect,
                                  GError           **error)
{
  VireoConnection *conn;

  g_return_val_if_fail (VIREO_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  conn = vireo_application_find_connection (self, uri);
  if (conn == NULL)
    conn = vireo_application_adopt (self, uri, error);
  if (conn == NULL)
    return NULL;

  if (remember)
    {
      settings_add_uri (self->settings, "connections", vireo_connection_get_uri (conn));
      if (autoconnect)
        settings_add_uri (self->settings, "autoconnect", vireo_connection_get_uri (conn));
      else
        settings_remove_uri (self->settings, "autoconnect", vireo_connection_get_uri (conn));
    }

  vireo_application_open_connection (self, conn);

  return conn;
}

void
vireo_application_remove_connection (VireoApplication *self,
                                     VireoConnection  *connection)
{
  guint position;

  g_return_if_fail (VIREO_IS_APPLICATION (self));
  g_return_if_fail (VIREO_IS_CONNECTION (connection));

  settings_remove_uri (self->settings, "connections", vireo_connection_get_uri (connection));
  settings_remove_uri (self->settings, "autoconnect", vireo_connection_get_uri (connection));

  g_signal_handlers_disconnect_by_data (connection, self);
  vireo_connection_close (connection);

  if (g_list_store_find (self->connections, connection, &position))
    g_list_store_remove (self->connections, position);
}

/* The first time Vireo runs, it opens this computer's VMs: the builtin QEMU
 * backend always (it needs no daemon), and the system libvirt when one is
 * listening. Both are remembered, so the user can remove them. */
static void
vireo_application_first_run (VireoApplication *self)
{
  g_autoptr(GVariant) user_value = g_settings_get_user_value (self->settings, "connections");
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) defaults = NULL;

  if (user_value != NULL)
    return;
  builder = g_strv_builder_new ();
  g_strv_builder_add (builder, "builtin:///session");
  if (g_file_test ("/run/libvirt/libvirt-sock", G_FILE_TEST_EXISTS) ||
      g_file_test ("/var/run/libvirt/libvirt-sock", G_FILE_TEST_EXISTS))
    g_strv_builder_add (builder, "qemu:///system");
  defaults = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "connections", (const char * const *) defaults);
  g_settings_set_strv (self->settings, "autoconnect", (const char * const *) defaults);
}

static void
vireo_application_load_remembered (VireoApplication *self)
{
  g_auto(GStrv) uris = NULL;
  g_auto(GStrv) autoconnect = NULL;

  vireo_application_first_run (self);
  uris = g_settings_get_strv (self->settings, "connections");
  autoconnect = g_settings_get_strv (self->settings, "autoconnect");

  for (guint i = 0; uris[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      VireoConnection *conn;

      if (vireo_application_find_connection (self, uris[i]) != NULL)
        continue;

      if (!(conn = vireo_application_adopt (self, uris[i], &error)))
        {
          g_warning ("Ignoring remembered connection “%s”: %s", uris[i], error->message);
          continue;
        }

      if (strv_contains_uri ((const char * const *) autoconnect, uris[i]))
        vireo_application_open_connection (self, conn);
    }
}

static void
on_stats_interval_changed (VireoApplication *self,
                           const char       *key,
                           GSettings        *settings)
{
  guint interval = g_settings_get_uint (settings, "stats-interval");
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->connections));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VireoConnection) conn = g_list_model_get_item (G_LIST_MODEL (self->connections), i);

      vireo_connection_set_stats_interval (conn, interval);
    }
}

/* Actions ---------------------------------------------------------------- */

static void
vireo_application_quit_action (GSimpleAction *action,
                               GVariant      *param,
                               gpointer       user_data)
{
  VireoApplication *self = user_data;
  g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  /* Closing windows first lets them save their size. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));

  g_application_quit (G_APPLICATION (self));
}

static void
vireo_application_about_action (GSimpleAction *action,
                                GVariant      *param,
                                gpointer       user_data)
{
  VireoApplication *self = user_data;
  static const char *developers[] = { "The Vireo developers", NULL };
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "modal", TRUE,
                        "application-name", _("Vireo"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Vireo developers"),
                        "developers", developers,
                        "version", PACKAGE_VERSION,
                        "comments", _("Manage virtual machines on many hosts"),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
vireo_application_preferences_action (GSimpleAction *action,
                                      GVariant      *param,
                                      gpointer       user_data)
{
  VireoApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *prefs;

  prefs = vireo_preferences_window_new (parent, self->settings);
  gtk_window_present (GTK_WINDOW (prefs));
}

static void
vireo_application_add_connection_action (GSimpleAction *action,
                                         GVariant      *param,
                                         gpointer       user_data)
{
  VireoApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *dialog;

  dialog = vireo_add_connection_dialog_new (self, parent);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
vireo_application_help_action (GSimpleAction *action,
                               GVariant      *param,
                               gpointer       user_data)
{
  VireoApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  gtk_show_uri (parent, "help:vireo", GDK_CURRENT_TIME);
}

static const GActionEntry app_actions[] = {
  { "quit", vireo_application_quit_action },
  { "about", vireo_application_about_action },
  { "preferences", vireo_application_preferences_action },
  { "add-connection", vireo_application_add_connection_action },
  { "help", vireo_application_help_action },
};

/* GApplication ----------------------------------------------------------- */

static void
vireo_application_ensure_loaded (VireoApplication *self,
                                 gboolean          remembered)
{
  if (self->loaded)
    return;
  self->loaded = TRUE;

  if (remembered)
    vireo_application_load_remembered (self);
}

static void
vireo_application_activate (GApplication *app)
{
  VireoApplication *self = VIREO_APPLICATION (app);
  GtkWindow *window;

  vireo_application_ensure_loaded (self, TRUE);

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL)
    window = GTK_WINDOW (vireo_manager_window_new (self));

  gtk_window_present (window);
}

typedef struct {
  VireoApplication *self;    /* not a reference: the application outlives its windows */
  VireoDomain      *domain;
} ConsoleEntry;

static void
console_entry_free (gpointer  data,
                    GClosure *closure)
{
  ConsoleEntry *entry = data;

  g_object_unref (entry->domain);
  g_free (entry);
}

static void
console_closed (GtkWindow    *window,
                ConsoleEntry *entry)
{
  if (g_hash_table_lookup (entry->self->consoles, entry->domain) == window)
    g_hash_table_remove (entry->self->consoles, entry->domain);
}

/* vireo_console_module_new_window() of the console module. */
typedef GtkWindow *(*NewConsoleFunc) (GtkApplication *application,
                                      VireoDomain    *domain);

static void
console_window_made (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(VireoDomain) domain = user_data;
  VireoApplication *self = VIREO_APPLICATION_DEFAULT;
  g_autoptr(GError) error = NULL;
  NewConsoleFunc new_console = (NewConsoleFunc) vireo_module_lookup_finish (result, &error);
  GtkWindow *window;
  ConsoleEntry *entry;

  g_hash_table_remove (self->consoles_loading, domain);
  if (new_console == NULL)
    {
      GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
      AdwMessageDialog *dialog =
        ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Could Not Open the Console"),
                                                    error->message));

      adw_message_dialog_add_response (dialog, "close", _("Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  window = new_console (GTK_APPLICATION (self), domain);
  entry = g_new0 (ConsoleEntry, 1);
  entry->self = self;
  entry->domain = g_object_ref (domain);
  g_hash_table_insert (self->consoles, g_object_ref (domain), window);
  g_signal_connect_data (window, "destroy", G_CALLBACK (console_closed), entry,
                         console_entry_free, 0);
  gtk_window_present (window);
}

void
vireo_application_show_console (VireoApplication *self,
                                VireoDomain      *domain)
{
  GtkWindow *window;

  g_return_if_fail (VIREO_IS_APPLICATION (self));
  g_return_if_fail (VIREO_IS_DOMAIN (domain));

  window = g_hash_table_lookup (self->consoles, domain);
  if (window != NULL)
    {
      gtk_window_present (window);
      return;
    }
  /* The first console loads the console module in the background. */
  if (g_hash_table_contains (self->consoles_loading, domain))
    return;
  g_hash_table_add (self->consoles_loading, g_object_ref (domain));
  vireo_module_lookup_async ("vireo-console", "vireo_console_module_new_window", NULL,
                             console_window_made, g_object_ref (domain));
}

/* --show-domain-console: as soon as a connection that has the VM is up. */
static void
try_pending_console (VireoApplication *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->connections));

  if (self->pending_console == NULL)
    return;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VireoConnection) conn = g_list_model_get_item (G_LIST_MODEL (self->connections), i);
      VireoDomain *domain;

      if (vireo_connection_get_state (conn) != VIREO_CONNECTION_STATE_CONNECTED)
        continue;
      domain = vireo_connection_find_domain (conn, self->pending_console);
      if (domain != NULL)
        {
          g_clear_pointer (&self->pending_console, g_free);
          vireo_application_show_console (self, domain);
          return;
        }
    }
}

static int
vireo_application_command_line (GApplication            *app,
                                GApplicationCommandLine *cmdline)
{
  VireoApplication *self = VIREO_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (cmdline);
  g_auto(GStrv) uris = NULL;
  int status = EXIT_SUCCESS;

  vireo_application_ensure_loaded (self, !g_variant_dict_contains (options, "no-remembered"));

  if (g_variant_dict_lookup (options, "connect", "^as", &uris))
    {
      for (guint i = 0; uris[i] != NULL; i++)
        {
          g_autoptr(GError) error = NULL;

          if (!vireo_application_add_connection (self, uris[i], FALSE, FALSE, &error))
            {
              g_application_command_line_printerr (cmdline,
                                                   _("Cannot connect to “%s”: %s\n"),
                                                   uris[i], error->message);
              status = EXIT_FAILURE;
            }
        }
    }

  if (g_variant_dict_lookup (options, "show-domain-console", "s", &self->pending_console))
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->connections));

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(VireoConnection) conn = g_list_model_get_item (G_LIST_MODEL (self->connections), i);
          g_signal_connect_object (conn, "notify::state", G_CALLBACK (try_pending_console), self,
                                   G_CONNECT_SWAPPED);
        }
    }

  g_application_activate (app);
  try_pending_console (self);

  return status;
}

/* Runs in every instance, before it knows whether it is the primary one:
 * only note what to open. */
static int
vireo_application_handle_local_options (GApplication *app,
                                        GVariantDict *options)
{
  VireoApplication *self = VIREO_APPLICATION (app);

  g_clear_pointer (&self->early_uris, g_strfreev);
  g_variant_dict_lookup (options, "connect", "^as", &self->early_uris);
  self->early_remembered = !g_variant_dict_contains (options, "no-remembered");
  return -1;
}

static void
vireo_application_startup (GApplication *app)
{
  VireoApplication *self = VIREO_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };
  static const char *add_accels[] = { "<Control><Shift>a", NULL };
  static const char *help_accels[] = { "F1", NULL };
  static const char *overlay_accels[] = { "<Control>question", NULL };

  /* Startup runs in the primary instance only. Opening a connection takes
   * its worker threads a while (the libvirt test driver parses its whole
   * file): start them before GTK and libadwaita initialize, which takes
   * about as long. Their results and any password prompt are dispatched by
   * the main loop, after this. command_line() finds them already there. */
  vireo_application_ensure_loaded (self, self->early_remembered);
  for (guint i = 0; self->early_uris != NULL && self->early_uris[i] != NULL; i++)
    vireo_application_add_connection (self, self->early_uris[i], FALSE, FALSE, NULL);
  g_clear_pointer (&self->early_uris, g_strfreev);

  G_APPLICATION_CLASS (vireo_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.add-connection", add_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.help", help_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-help-overlay", overlay_accels);
}

static void
vireo_application_shutdown (GApplication *app)
{
  VireoApplication *self = VIREO_APPLICATION (app);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->connections));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VireoConnection) conn = g_list_model_get_item (G_LIST_MODEL (self->connections), i);

      g_signal_handlers_disconnect_by_data (conn, self);
      vireo_connection_close (conn);
    }

  G_APPLICATION_CLASS (vireo_application_parent_class)->shutdown (app);
}

static void
vireo_application_dispose (GObject *object)
{
  VireoApplication *self = VIREO_APPLICATION (object);

  if (self->connections != NULL)
    g_list_store_remove_all (self->connections);
  g_clear_object (&self->connections);
  g_clear_object (&self->settings);

  g_clear_pointer (&self->consoles, g_hash_table_unref);
  g_clear_pointer (&self->consoles_loading, g_hash_table_unref);
  g_clear_pointer (&self->pending_console, g_free);
  g_clear_pointer (&self->early_uris, g_strfreev);
  G_OBJECT_CLASS (vireo_application_parent_class)->dispose (object);
}

static void
vireo_application_class_init (VireoApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = vireo_application_dispose;

  app_class->activate = vireo_application_activate;
  app_class->command_line = vireo_application_command_line;
  app_class->startup = vireo_application_startup;
  app_class->handle_local_options = vireo_application_handle_local_options;
  app_class->shutdown = vireo_application_shutdown;
}

static void
vireo_application_init (VireoApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Manage virtual machines on local and remote hosts."));

  self->connections = g_list_store_new (VIREO_TYPE_CONNECTION);
  /* Started without a command line (D-Bus activation): the remembered ones. */
  self->early_remembered = TRUE;
  self->consoles = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, NULL);
  self->consoles_loading = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, NULL);
  self->settings = g_settings_new (APP_ID);
  g_signal_connect_object (self->settings, "changed::stats-interval",
                           G_CALLBACK (on_stats_interval_changed), self, G_CONNECT_SWAPPED);
}
