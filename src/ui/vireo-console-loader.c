/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <glib/gi18n.h>
#include <gmodule.h>

#include "vireo-console-loader.h"

#define MODULE_NAME "vireo-console.so"
#define NEW_WINDOW_SYMBOL "vireo_console_module_new_window"

typedef GtkWindow *(*NewWindowFunc) (GtkApplication *application,
                                     VireoDomain    *domain);

static NewWindowFunc new_window_func;   /* set once, on the main thread */

/* Next to the program when run from the build tree, else where it is
 * installed. */
static char *
find_module (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  if (exe != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (exe);
      g_autofree char *path = g_build_filename (dir, MODULE_NAME, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&path);
    }
  return g_build_filename (VIREO_MODULEDIR, MODULE_NAME, NULL);
}

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_autofree char *path = find_module ();
  GModule *module = g_module_open (path, G_MODULE_BIND_LOCAL);
  gpointer symbol = NULL;

  if (module == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The console could not be loaded (%s): %s. "
                                 "Reinstall Vireo."),
                               path, g_module_error ());
      return;
    }
  if (!g_module_symbol (module, NEW_WINDOW_SYMBOL, &symbol) || symbol == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The console module %s is not Vireo's. Reinstall Vireo."),
                               path);
      g_module_close (module);
      return;
    }
  /* Its types stay registered: it is never unloaded. */
  g_module_make_resident (module);
  g_task_return_pointer (task, symbol, NULL);
}

typedef struct {
  GtkApplication *application;
  VireoDomain    *domain;
} NewWindowData;

static void
new_window_data_free (gpointer data)
{
  NewWindowData *d = data;

  g_object_unref (d->application);
  g_object_unref (d->domain);
  g_free (d);
}

static void
loaded (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NewWindowData *d = g_task_get_task_data (task);
  GError *error = NULL;
  gpointer symbol = g_task_propagate_pointer (G_TASK (result), &error);

  if (symbol == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  new_window_func = (NewWindowFunc) symbol;
  g_task_return_pointer (task, new_window_func (d->application, d->domain), NULL);
}

void
vireo_console_loader_new_window_async (GtkApplication      *application,
                                       VireoDomain         *domain,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GTask) load = NULL;
  NewWindowData *d;

  g_task_set_source_tag (task, vireo_console_loader_new_window_async);
  if (new_window_func != NULL)
    {
      g_task_return_pointer (task, new_window_func (application, domain), NULL);
      return;
    }

  d = g_new0 (NewWindowData, 1);
  d->application = g_object_ref (application);
  d->domain = g_object_ref (domain);
  g_task_set_task_data (task, d, new_window_data_free);

  load = g_task_new (NULL, cancellable, loaded, g_steal_pointer (&task));
  g_task_run_in_thread (load, load_thread);
}

GtkWindow *
vireo_console_loader_new_window_finish (GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
