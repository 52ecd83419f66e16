/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <glib/gi18n.h>
#include <gmodule.h>

#include "vireo-module-loader.h"

typedef struct {
  char *module;
  char *symbol;
} Lookup;

static void
lookup_free (gpointer data)
{
  Lookup *l = data;

  g_free (l->module);
  g_free (l->symbol);
  g_free (l);
}

/* Next to the program when run from the build tree, else where it is
 * installed. */
static char *
find_module (const char *module)
{
  g_autofree char *file = g_strconcat (module, ".so", NULL);
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  if (exe != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (exe);
      g_autofree char *path = g_build_filename (dir, file, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&path);
    }
  return g_build_filename (VIREO_MODULEDIR, file, NULL);
}

static void
lookup_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Lookup *l = task_data;
  g_autofree char *path = find_module (l->module);
  GModule *module = g_module_open (path, G_MODULE_BIND_LOCAL);
  gpointer symbol = NULL;

  if (module == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("A part of Vireo could not be loaded (%s): %s. "
                                 "Reinstall Vireo."),
                               path, g_module_error ());
      return;
    }
  if (!g_module_symbol (module, l->symbol, &symbol) || symbol == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("%s is not a part of this version of Vireo. Reinstall Vireo."),
                               path);
      g_module_close (module);
      return;
    }
  /* Its types stay registered: a module is never unloaded. */
  g_module_make_resident (module);
  g_task_return_pointer (task, symbol, NULL);
}

void
vireo_module_lookup_async (const char          *module,
                           const char          *symbol,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Lookup *l = g_new0 (Lookup, 1);

  g_task_set_source_tag (task, vireo_module_lookup_async);
  l->module = g_strdup (module);
  l->symbol = g_strdup (symbol);
  g_task_set_task_data (task, l, lookup_free);
  /* Loading an already loaded module is a lookup: cheap, but still off the
   * main thread, like the first time. */
  g_task_run_in_thread (task, lookup_thread);
}

gpointer
vireo_module_lookup_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
