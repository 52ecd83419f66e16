/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gi18n-lib.h>
#include <osinfo/osinfo.h>
#include <stdlib.h>
#include <string.h>

#include "vireo-types.h"
#include "vireo-os-guess.h"

#define DEFAULT_MEMORY_MIB 1024
#define DEFAULT_VCPUS      1
#define DEFAULT_DISK_GIB   20

struct _VireoOsGuess
{
  GObject parent_instance;
  char   *id;
  char   *short_id;
  char   *name;
  char   *distro;
  char   *version;
  char   *fallback_reason;
  guint   memory_mib;
  guint   vcpus;
  guint   disk_gib;
};

G_DEFINE_FINAL_TYPE (VireoOsGuess, vireo_os_guess, G_TYPE_OBJECT)

static void
vireo_os_guess_finalize (GObject *object)
{
  VireoOsGuess *self = VIREO_OS_GUESS (object);

  g_free (self->id);
  g_free (self->short_id);
  g_free (self->name);
  g_free (self->distro);
  g_free (self->version);
  g_free (self->fallback_reason);
  G_OBJECT_CLASS (vireo_os_guess_parent_class)->finalize (object);
}

static void
vireo_os_guess_class_init (VireoOsGuessClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vireo_os_guess_finalize;
}

static void
vireo_os_guess_init (VireoOsGuess *self)
{
  self->memory_mib = DEFAULT_MEMORY_MIB;
  self->vcpus = DEFAULT_VCPUS;
  self->disk_gib = DEFAULT_DISK_GIB;
}

/* ------------------------------------------------------------------------ */
/* The database: loaded once, used under a lock (libosinfo's objects are not
 * documented as thread-safe and detection runs on workers).               */

static GMutex db_lock;

static OsinfoDb *
db_get_locked (void)
{
  static OsinfoLoader *loader;
  static gboolean tried;

  if (!tried)
    {
      g_autoptr(GError) error = NULL;

      tried = TRUE;
      loader = osinfo_loader_new ();
      osinfo_loader_process_default_path (loader, &error);
      if (error != NULL)
        g_warning ("Could not load the OS database (osinfo-db): %s", error->message);
    }
  return loader ? osinfo_loader_get_db (loader) : NULL;
}

/* ------------------------------------------------------------------------ */

/* Dotted numeric versions: "12.5" > "12" > "11"; FALSE for "testing". */
static gboolean
parse_version (const char *text,
               guint       parts[4])
{
  g_auto(GStrv) split = NULL;
  guint n;

  memset (parts, 0, 4 * sizeof (guint));
  if (text == NULL || !g_ascii_isdigit (*text))
    return FALSE;
  split = g_strsplit (text, ".", 4);
  n = g_strv_length (split);
  for (guint i = 0; i < n; i++)
    {
      char *end = NULL;
      guint64 v = g_ascii_strtoull (split[i], &end, 10);

      if (end == split[i] || (*end != '\0' && i < n - 1))
        return FALSE;
      parts[i] = (guint) MIN (v, G_MAXUINT);
    }
  return TRUE;
}

static int
version_cmp (const guint a[4],
             const guint b[4])
{
  for (guint i = 0; i < 4; i++)
    if (a[i] != b[i])
      return a[i] < b[i] ? -1 : 1;
  return 0;
}

/* "12.5" is a release of "12"; "22.04.1" of "22.04". */
static gboolean
version_matches (const char *tree_version,
                 const char *os_version)
{
  gsize len;

  if (tree_version == NULL || os_version == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (tree_version, os_version) == 0)
    return TRUE;
  len = strlen (os_version);
  return g_ascii_isdigit (*os_version) && strncmp (tree_version, os_version, len) == 0 &&
         tree_version[len] == '.';
}

static void
collect_resources (OsinfoOs   *os,
                   const char *arch,
                   gint64     *ram,
                   gint       *cpus,
                   gint64     *storage,
                   guint       depth)
{
  OsinfoResourcesList *lists[2];

  if (os == NULL || depth > 8)
    return;

  lists[0] = osinfo_os_get_recommended_resources (os);
  lists[1] = osinfo_os_get_minimum_resources (os);

  for (guint l = 0; l < 2; l++)
    {
      for (int i = 0; lists[l] && i < osinfo_list_get_length (OSINFO_LIST (lists[l])); i++)
        {
          OsinfoResources *res = OSINFO_RESOURCES (osinfo_list_get_nth (OSINFO_LIST (lists[l]), i));
          const char *res_arch = osinfo_resources_get_architecture (res);

          if (arch != NULL && g_strcmp0 (res_arch, arch) != 0 &&
              g_strcmp0 (res_arch, OSINFO_ARCHITECTURE_ALL) != 0)
            continue;
          if (*ram <= 0 && osinfo_resources_get_ram (res) > 0)
            *ram = osinfo_resources_get_ram (res);
          if (*cpus <= 0 && osinfo_resources_get_n_cpus (res) > 0)
            *cpus = osinfo_resources_get_n_cpus (res);
          if (*storage <= 0 && osinfo_resources_get_storage (res) > 0)
            *storage = osinfo_resources_get_storage (res);
        }
      g_clear_object (&lists[l]);
    }

  if (*ram <= 0 || *cpus <= 0 || *storage <= 0)
    {
      g_autoptr(OsinfoProductList) parents =
        osinfo_product_get_related (OSINFO_PRODUCT (os), OSINFO_PRODUCT_RELATIONSHIP_DERIVES_FROM);

      if (parents != NULL && osinfo_list_get_length (OSINFO_LIST (parents)) > 0)
        collect_resources (OSINFO_OS (osinfo_list_get_nth (OSINFO_LIST (parents), 0)),
                           arch, ram, cpus, storage, depth + 1);
    }
}

static VireoOsGuess *
guess_from_os (OsinfoOs   *os,
               const char *arch,
               char       *fallback_reason)   /* taken */
{
  VireoOsGuess *self = g_object_new (VIREO_TYPE_OS_GUESS, NULL);
  gint64 ram = 0, storage = 0;
  gint cpus = 0;

  self->fallback_reason = fallback_reason;
  if (os == NULL)
    {
      self->short_id = g_strdup ("linux");
      self->name = g_strdup (_("Generic Linux"));
      return self;
    }

  self->id = g_strdup (osinfo_entity_get_id (OSINFO_ENTITY (os)));
  self->short_id = g_strdup (osinfo_product_get_short_id (OSINFO_PRODUCT (os)));
  self->name = g_strdup (osinfo_product_get_name (OSINFO_PRODUCT (os)));
  self->distro = g_strdup (osinfo_os_get_distro (os));
  self->version = g_strdup (osinfo_product_get_version (OSINFO_PRODUCT (os)));
  if (self->name == NULL)
    self->name = g_strdup (self->short_id);

  collect_resources (os, arch ? arch : "x86_64", &ram, &cpus, &storage, 0);
  if (ram > 0)
    self->memory_mib = (guint) MAX (ram / (1024 * 1024), 1);
  if (cpus > 0)
    self->vcpus = cpus;
  if (storage > 0)
    self->disk_gib = (guint) MAX ((storage + (1 << 30) - 1) / (1 << 30), 1);
  return self;
}

static GPtrArray *
db_oses (OsinfoDb *db)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(OsinfoOsList) list = NULL;

  if (db == NULL)
    return out;
  list = osinfo_db_get_os_list (db);
  for (int i = 0; i < osinfo_list_get_length (OSINFO_LIST (list)); i++)
    g_ptr_array_add (out, g_object_ref (osinfo_list_get_nth (OSINFO_LIST (list), i)));
  return out;
}

/* The newest generic entry ("linux2022"). */
static OsinfoOs *
find_generic_linux (GPtrArray *oses)
{
  OsinfoOs *best = NULL;
  guint best_v[4] = { 0 };

  for (guint i = 0; i < oses->len; i++)
    {
      OsinfoOs *os = g_ptr_array_index (oses, i);
      const char *sid = osinfo_product_get_short_id (OSINFO_PRODUCT (os));
      guint v[4];

      if (sid == NULL || !g_str_has_prefix (sid, "linux") || strlen (sid) != 9 ||
          !parse_version (sid + 5, v))
        continue;
      if (best == NULL || version_cmp (v, best_v) > 0)
        {
          best = os;
          memcpy (best_v, v, sizeof v);
        }
    }
  return best;
}

/* The release of `distro` closest to `version`: the newest one not newer
 * than it (Debian 12 → Debian 11), else the oldest known, else the newest
 * when the version is unknown. Rolling entries ("testing") only when the
 * family has nothing else. */
static OsinfoOs *
find_closest (GPtrArray  *oses,
              const char *distro,
              const char *version)
{
  OsinfoOs *below = NULL, *oldest = NULL, *newest = NULL, *any = NULL;
  guint below_v[4] = { 0 }, oldest_v[4] = { 0 }, newest_v[4] = { 0 }, want[4];
  gboolean have_want = parse_version (version, want);

  for (guint i = 0; i < oses->len; i++)
    {
      OsinfoOs *os = g_ptr_array_index (oses, i);
      guint v[4];

      if (g_strcmp0 (osinfo_os_get_distro (os), distro) != 0)
        continue;
      if (any == NULL)
        any = os;
      if (osinfo_os_get_release_status (os) != OSINFO_RELEASE_STATUS_RELEASED ||
          !parse_version (osinfo_product_get_version (OSINFO_PRODUCT (os)), v))
        continue;
      if (newest == NULL || version_cmp (v, newest_v) > 0)
        newest = os, memcpy (newest_v, v, sizeof v);
      if (oldest == NULL || version_cmp (v, oldest_v) < 0)
        oldest = os, memcpy (oldest_v, v, sizeof v);
      if (have_want && version_cmp (v, want) <= 0 &&
          (below == NULL || version_cmp (v, below_v) > 0))
        below = os, memcpy (below_v, v, sizeof v);
    }

  if (!have_want)
    return newest ? newest : any;
  if (below != NULL)
    return below;
  return oldest ? oldest : any;
}

static OsinfoOs *
find_exact (GPtrArray  *oses,
            const char *distro,
            const char *version,
            const char *codename)
{
  for (guint i = 0; i < oses->len; i++)
    {
      OsinfoOs *os = g_ptr_array_index (oses, i);
      const char *os_codename = osinfo_product_get_codename (OSINFO_PRODUCT (os));

      if (g_strcmp0 (osinfo_os_get_distro (os), distro) != 0)
        continue;
      if (codename != NULL && os_codename != NULL)
        {
          /* osinfo says "Focal Fossa" where the archive says "focal". */
          g_autofree char *first = g_strndup (os_codename, strcspn (os_codename, " "));

          if (g_ascii_strcasecmp (codename, os_codename) == 0 ||
              g_ascii_strcasecmp (codename, first) == 0)
            return os;
        }
      if (version_matches (version, osinfo_product_get_version (OSINFO_PRODUCT (os))))
        return os;
    }
  return NULL;
}

/* What the OS calls itself, for the fallback message ("Debian 12 (bookworm)"). */
static char *
describe (const char *name,
          const char *version,
          const char *codename)
{
  /* An ISO's volume id already carries its version. */
  if (version && strstr (name, version) != NULL)
    version = NULL;
  if (codename && strstr (name, codename) != NULL)
    codename = NULL;
  if (version && codename)
    return g_strdup_printf ("%s %s (%s)", name, version, codename);
  if (version || codename)
    return g_strdup_printf ("%s %s", name, version ? version : codename);
  return g_strdup (name);
}

/* Family and version → an OS, exact or the closest with the reason. */
static VireoOsGuess *
guess_by_family_locked (OsinfoDb   *db,
                        const char *distro,
                        const char *display_name,
                        const char *version,
                        const char *codename,
                        const char *arch)
{
  g_autoptr(GPtrArray) oses = db_oses (db);
  g_autofree char *what = describe (display_name ? display_name : distro ? distro : _("This OS"),
                                    version, codename);
  OsinfoOs *os;

  if (db == NULL)
    return guess_from_os (NULL, arch,
                          g_strdup_printf (_("%s could not be identified because no OS database "
                                             "(osinfo-db) is installed; using generic Linux "
                                             "settings. Install osinfo-db for better defaults."),
                                           what));

  if (distro != NULL)
    {
      os = find_exact (oses, distro, version, codename);
      if (os != NULL)
        return guess_from_os (os, arch, NULL);

      os = find_closest (oses, distro, version);
      if (os != NULL)
        return guess_from_os (os, arch,
                              g_strdup_printf (_("%s is not in this computer’s OS database (osinfo-db); "
                                                 "using the settings of %s (%s), the closest release "
                                                 "of the family it knows."),
                                               what, osinfo_product_get_name (OSINFO_PRODUCT (os)),
                                               osinfo_product_get_short_id (OSINFO_PRODUCT (os))));
    }

  os = find_generic_linux (oses);
  if (os != NULL)
    return guess_from_os (os, arch,
                          g_strdup_printf (_("%s is not in this computer’s OS database (osinfo-db); "
                                             "using generic Linux settings (%s)."),
                                           what, osinfo_product_get_short_id (OSINFO_PRODUCT (os))));
  return guess_from_os (NULL, arch,
                        g_strdup_printf (_("%s is not in this computer’s OS database (osinfo-db); "
                                           "using generic Linux settings."), what));
}

VireoOsGuess *
vireo_os_guess_for_tree (VireoTreeInfo *tree)
{
  VireoOsGuess *guess = NULL;
  OsinfoDb *db;
  const char *treeinfo;

  g_return_val_if_fail (VIREO_IS_TREE_INFO (tree), NULL);

  g_mutex_lock (&db_lock);
  db = db_get_locked ();
  treeinfo = vireo_tree_info_get_treeinfo (tree);

  if (db != NULL && treeinfo != NULL)
    {
      /* libosinfo 1.10 reads only the classic [general] group and crashes
       * matching a productmd .treeinfo that lacks it: hand it what we read. */
      g_autoptr(GKeyFile) kf = g_key_file_new ();
      g_autofree char *classic = NULL;
      g_autoptr(OsinfoTree) otree = NULL;

      g_autoptr(GError) osinfo_error = NULL;

      g_key_file_set_string (kf, "general", "family", vireo_tree_info_get_name (tree));
      g_key_file_set_string (kf, "general", "arch", vireo_tree_info_get_arch (tree));
      if (vireo_tree_info_get_version (tree) != NULL)
        g_key_file_set_string (kf, "general", "version", vireo_tree_info_get_version (tree));
      if (vireo_tree_info_get_variant (tree) != NULL)
        g_key_file_set_string (kf, "general", "variant", vireo_tree_info_get_variant (tree));
      classic = g_key_file_to_data (kf, NULL, NULL);
      /* (libosinfo 1.10 also crashes when given no GError to fill.) */
      otree = osinfo_tree_create_from_treeinfo (classic, vireo_tree_info_get_url (tree)
                                                           ? vireo_tree_info_get_url (tree) : "file:///",
                                                &osinfo_error);
      if (otree != NULL && osinfo_db_identify_tree (db, otree))
        {
          OsinfoOs *os = osinfo_tree_get_os (otree);

          if (os != NULL)
            {
              guess = guess_from_os (os, vireo_tree_info_get_arch (tree), NULL);
              g_object_unref (os);
            }
        }
    }

  if (guess == NULL)
    guess = guess_by_family_locked (db, vireo_tree_info_get_family (tree),
                                    vireo_tree_info_get_name (tree),
                                    vireo_tree_info_get_version (tree),
                                    vireo_tree_info_get_codename (tree),
                                    vireo_tree_info_get_arch (tree));
  g_mutex_unlock (&db_lock);
  return guess;
}

/* An unidentified ISO's volume id may still name its family ("Debian 12.1.0
 * amd64 n"): look for a distro the database knows, and a version after it. */
static VireoOsGuess *
guess_from_volume_id_locked (OsinfoDb   *db,
                             const char *volume_id,
                             const char *arch)
{
  g_autoptr(GPtrArray) oses = db_oses (db);
  g_autofree char *lower = g_ascii_strdown (volume_id ? volume_id : "", -1);
  const char *distro = NULL;
  g_autofree char *version = NULL;

  for (guint i = 0; i < oses->len && distro == NULL && *lower; i++)
    {
      const char *d = osinfo_os_get_distro (g_ptr_array_index (oses, i));
      const char *at;

      if (d == NULL || strlen (d) < 3 || (at = strstr (lower, d)) == NULL)
        continue;
      distro = d;
      for (at += strlen (d); *at && !g_ascii_isdigit (*at); at++)
        ;
      if (*at)
        {
          const char *end = at;

          while (*end && (g_ascii_isdigit (*end) || *end == '.'))
            end++;
          version = g_strndup (at, end - at);
        }
    }

  if (distro == NULL)
    {
      OsinfoOs *os = find_generic_linux (oses);
      g_autofree char *what = volume_id && *volume_id ? g_strdup_printf (_("The ISO image “%s”"), volume_id)
                                                      : g_strdup (_("The ISO image"));

      return guess_from_os (os, arch,
                            g_strdup_printf (_("%s was not recognised by the OS database (osinfo-db); "
                                               "using generic Linux settings (%s). Pick the OS "
                                               "yourself if you know it."),
                                             what, os ? osinfo_product_get_short_id (OSINFO_PRODUCT (os))
                                                      : "linux"));
    }
  return guess_by_family_locked (db, distro, volume_id, version, NULL, arch);
}

VireoOsGuess *
vireo_os_guess_for_media (const char    *iso_path,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(OsinfoMedia) media = NULL;
  g_autoptr(GError) local_error = NULL;
  VireoOsGuess *guess = NULL;
  OsinfoDb *db;

  g_return_val_if_fail (iso_path != NULL, NULL);

  /* Reading the volume descriptors is I/O: done before taking the lock. */
  /* Without OSINFO_MEDIA_DETECT_REQUIRE_BOOTABLE: a disc is identified by its
   * volume descriptors; whether it boots is the guest firmware's business. */
  /* libosinfo's synchronous call runs its asynchronous one in a main loop
   * on the calling thread's default context. A worker thread has none of
   * its own, so that loop was the global default context, held by the
   * main thread (vireoctl's or the app's loop): sometimes the reply was
   * dispatched there before the worker's loop started, and the worker
   * waited for ever (vireoctl create --cdrom hung now and then, and so
   * could the wizard's ISO detection). Give
   * the call a context of its own. */
  {
    g_autoptr(GMainContext) context = g_main_context_new ();

    g_main_context_push_thread_default (context);
    media = osinfo_media_create_from_location_with_flags (iso_path, cancellable, 0, &local_error);
    g_main_context_pop_thread_default (context);
  }
  if (media == NULL)
    {
      if (g_cancellable_is_cancelled (cancellable))
        g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_CANCELLED,
                             _("Identifying the ISO image was cancelled."));
      else
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                     _("“%s” could not be read as an ISO image (%s). Choose a CD/DVD image file."),
                     iso_path, local_error ? local_error->message : "?");
      return NULL;
    }

  g_mutex_lock (&db_lock);
  db = db_get_locked ();
  if (db != NULL && osinfo_db_identify_media (db, media))
    {
      OsinfoOs *os = osinfo_media_get_os (media);

      if (os != NULL)
        {
          guess = guess_from_os (os, osinfo_media_get_architecture (media), NULL);
          g_object_unref (os);
        }
    }
  if (guess == NULL)
    guess = guess_from_volume_id_locked (db, osinfo_media_get_volume_id (media), "x86_64");
  g_mutex_unlock (&db_lock);
  return guess;
}

gpointer
vireo_os_guess_dup_osinfo_os (VireoOsGuess *self)
{
  OsinfoDb *db;
  OsinfoOs *os = NULL;

  g_return_val_if_fail (VIREO_IS_OS_GUESS (self), NULL);

  if (self->id == NULL)
    return NULL;
  g_mutex_lock (&db_lock);
  db = db_get_locked ();
  if (db != NULL && (os = osinfo_db_get_os (db, self->id)) != NULL)
    g_object_ref (os);
  g_mutex_unlock (&db_lock);
  return os;
}

VireoOsGuess *
vireo_os_guess_for_short_id (const char  *short_id,
                             GError     **error)
{
  g_autoptr(GPtrArray) oses = NULL;
  VireoOsGuess *guess = NULL;

  g_return_val_if_fail (short_id != NULL, NULL);

  g_mutex_lock (&db_lock);
  oses = db_oses (db_get_locked ());
  for (guint i = 0; i < oses->len && guess == NULL; i++)
    {
      OsinfoOs *os = g_ptr_array_index (oses, i);
      GList *ids = osinfo_product_get_short_id_list (OSINFO_PRODUCT (os));

      for (GList *l = ids; l != NULL; l = l->next)
        if (g_strcmp0 (l->data, short_id) == 0 ||
            g_strcmp0 (osinfo_entity_get_id (OSINFO_ENTITY (os)), short_id) == 0)
          {
            guess = guess_from_os (os, NULL, NULL);
            break;
          }
      g_list_free (ids);
    }
  g_mutex_unlock (&db_lock);

  if (guess == NULL)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                 _("“%s” is not an OS the OS database (osinfo-db) knows. Use a short id such "
                   "as “debian11” or “fedora36” (see `osinfo-query os`), or leave it out to "
                   "detect the OS."), short_id);
  return guess;
}

static int
compare_guesses (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  VireoOsGuess *ga = (VireoOsGuess *) a, *gb = (VireoOsGuess *) b;
  guint va[4], vb[4];
  int c = g_strcmp0 (ga->distro, gb->distro);
  gboolean pa, pb;

  if (c != 0)
    return c;
  pa = parse_version (ga->version, va);
  pb = parse_version (gb->version, vb);
  if (pa && pb)
    return -version_cmp (va, vb);
  if (pa != pb)
    return pa ? 1 : -1;   /* rolling entries ("testing") first */
  return g_strcmp0 (ga->short_id, gb->short_id);
}

GListModel *
vireo_os_guess_list_all (void)
{
  g_autoptr(GPtrArray) oses = NULL;
  GListStore *store = g_list_store_new (VIREO_TYPE_OS_GUESS);

  g_mutex_lock (&db_lock);
  oses = db_oses (db_get_locked ());
  for (guint i = 0; i < oses->len; i++)
    {
      g_autoptr(VireoOsGuess) guess = guess_from_os (g_ptr_array_index (oses, i), NULL, NULL);

      if (guess->short_id != NULL)
        g_list_store_append (store, guess);
    }
  g_mutex_unlock (&db_lock);
  g_list_store_sort (store, compare_guesses, NULL);
  return G_LIST_MODEL (store);
}

/* ---- async wrappers ---- */

static void
preload_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  gboolean loaded;

  g_mutex_lock (&db_lock);
  loaded = db_get_locked () != NULL;
  g_mutex_unlock (&db_lock);

  if (loaded)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_new_error (task, VIREO_ERROR, VIREO_ERROR_FAILED,
                             _("The OS database (osinfo-db) could not be loaded; Vireo will use "
                               "generic settings. Install osinfo-db to detect operating systems."));
}

void
vireo_os_guess_preload_async (GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, vireo_os_guess_preload_async);
  g_task_run_in_thread (task, preload_thread);
}

gboolean
vireo_os_guess_preload_finish (GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
tree_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_task_return_pointer (task, vireo_os_guess_for_tree (task_data), g_object_unref);
}

void
vireo_os_guess_for_tree_async (VireoTreeInfo       *tree,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, vireo_os_guess_for_tree_async);
  g_task_set_task_data (task, g_object_ref (tree), g_object_unref);
  g_task_run_in_thread (task, tree_thread);
}

VireoOsGuess *
vireo_os_guess_for_tree_finish (GAsyncResult  *result,
                                GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
media_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;
  VireoOsGuess *guess = vireo_os_guess_for_media (task_data, cancellable, &error);

  if (guess == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, guess, g_object_unref);
}

void
vireo_os_guess_for_media_async (const char          *iso_path,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, vireo_os_guess_for_media_async);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, g_strdup (iso_path), g_free);
  g_task_run_in_thread (task, media_thread);
}

VireoOsGuess *
vireo_os_guess_for_media_finish (GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

#define GETTER(type, field, fallback) \
  type \
  vireo_os_guess_get_##field (VireoOsGuess *self) \
  { \
    g_return_val_if_fail (VIREO_IS_OS_GUESS (self), fallback); \
    return self->field; \
  }

GETTER (const char *, id, NULL)
GETTER (const char *, short_id, NULL)
GETTER (const char *, name, NULL)
GETTER (const char *, distro, NULL)
GETTER (const char *, version, NULL)
GETTER (const char *, fallback_reason, NULL)
GETTER (guint, memory_mib, DEFAULT_MEMORY_MIB)
GETTER (guint, vcpus, DEFAULT_VCPUS)
GETTER (guint, disk_gib, DEFAULT_DISK_GIB)

gboolean
vireo_os_guess_is_fallback (VireoOsGuess *self)
{
  g_return_val_if_fail (VIREO_IS_OS_GUESS (self), TRUE);
  return self->fallback_reason != NULL;
}
