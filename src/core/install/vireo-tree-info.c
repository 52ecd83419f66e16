/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gi18n-lib.h>
#include <string.h>

#include "vireo-types.h"
#include "vireo-tree-info.h"

struct _VireoTreeInfo
{
  GObject         parent_instance;
  VireoTreeLayout layout;
  char           *family;
  char           *name;
  char           *version;
  char           *codename;
  char           *variant;
  char           *arch;
  char           *kernel;
  char           *initrd;
  char           *xen_kernel;
  char           *xen_initrd;
  char           *treeinfo;
  char           *url;
};

G_DEFINE_FINAL_TYPE (VireoTreeInfo, vireo_tree_info, G_TYPE_OBJECT)

static void
vireo_tree_info_finalize (GObject *object)
{
  VireoTreeInfo *self = VIREO_TREE_INFO (object);

  g_free (self->family);
  g_free (self->name);
  g_free (self->version);
  g_free (self->codename);
  g_free (self->variant);
  g_free (self->arch);
  g_free (self->kernel);
  g_free (self->initrd);
  g_free (self->xen_kernel);
  g_free (self->xen_initrd);
  g_free (self->treeinfo);
  g_free (self->url);
  G_OBJECT_CLASS (vireo_tree_info_parent_class)->finalize (object);
}

static void
vireo_tree_info_class_init (VireoTreeInfoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vireo_tree_info_finalize;
}

static void
vireo_tree_info_init (VireoTreeInfo *self)
{
}

const char *
vireo_tree_layout_to_string (VireoTreeLayout layout)
{
  switch (layout)
    {
    case VIREO_TREE_LAYOUT_TREEINFO: return "treeinfo";
    case VIREO_TREE_LAYOUT_DEBIAN:   return "debian";
    case VIREO_TREE_LAYOUT_UBUNTU:   return "ubuntu";
    case VIREO_TREE_LAYOUT_SUSE:     return "suse";
    default:                         return "unknown";
    }
}

const char *
vireo_arch_to_debian (const char *arch)
{
  /* Debian's port names differ from the kernel's/libvirt's for these. */
  static const char *map[][2] = {
    { "x86_64", "amd64" }, { "i686", "i386" }, { "i586", "i386" }, { "i386", "i386" },
    { "aarch64", "arm64" }, { "armv7l", "armhf" }, { "ppc64le", "ppc64el" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_strcmp0 (arch, map[i][0]) == 0)
      return map[i][1];
  return arch;
}

/* Tree arch spellings that mean the same libvirt arch. */
static gboolean
arch_equal (const char *a,
            const char *b)
{
  static const char *x86_32[] = { "i386", "i486", "i586", "i686", NULL };

  if (g_ascii_strcasecmp (a, b) == 0)
    return TRUE;
  if (g_strv_contains (x86_32, a) && g_strv_contains (x86_32, b))
    return TRUE;
  return g_strcmp0 (vireo_arch_to_debian (a), vireo_arch_to_debian (b)) == 0;
}

/* A tree's family as it names itself → libosinfo's distro names. */
static char *
family_to_distro (const char *family)
{
  static const char *map[][2] = {
    { "red hat enterprise linux", "rhel" }, { "redhat", "rhel" }, { "rhel", "rhel" },
    { "centos stream", "centos" }, { "centos", "centos" }, { "fedora", "fedora" },
    { "opensuse", "opensuse" }, { "suse linux enterprise", "sles" }, { "sles", "sles" },
    { "almalinux", "almalinux" }, { "rocky", "rocky" }, { "oracle linux", "ol" },
    { "scientific linux", "scientificlinux" }, { "mageia", "mageia" },
  };
  g_autofree char *lower = g_ascii_strdown (family, -1);

  for (gsize i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_str_has_prefix (lower, map[i][0]))
      return g_strdup (map[i][1]);

  g_strdelimit (lower, " ", '-');
  return g_steal_pointer (&lower);
}

static char *
keyfile_get (GKeyFile   *kf,
             const char *group,
             const char *key)
{
  char *value = g_key_file_get_string (kf, group, key, NULL);

  if (value != NULL && *g_strstrip (value) == '\0')
    g_clear_pointer (&value, g_free);
  return value;
}

static char *
strip_slashes (char *path)
{
  if (path != NULL)
    {
      char *p = path;

      while (*p == '/')
        p++;
      memmove (path, p, strlen (p) + 1);
    }
  return path;
}

static void
set_no_kernel_error (GError    **error,
                     const char *what,
                     const char *arch,
                     const char *have)
{
  if (have != NULL && *have != '\0')
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                 _("The install tree (%s) has no kernel for the %s architecture; it has "
                   "boot files for: %s. Choose one of those architectures or another tree."),
                 what, arch, have);
  else
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                 _("The install tree (%s) has no kernel for the %s architecture. "
                   "Choose a tree made for %s."),
                 what, arch, arch);
}

VireoTreeInfo *
vireo_tree_info_new_from_treeinfo (const char *data,
                                   gssize      length,
                                   const char *arch,
                                   GError    **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(VireoTreeInfo) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *family = NULL;
  g_autofree char *version = NULL;
  g_autofree char *tree_arch = NULL;
  g_autofree char *group = NULL;
  g_auto(GStrv) groups = NULL;

  g_return_val_if_fail (data != NULL && arch != NULL, NULL);

  if (length < 0)
    length = strlen (data);
  if (!g_key_file_load_from_data (kf, data, length, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("The tree’s .treeinfo file cannot be read (%s). The tree may be "
                     "damaged or not an install tree."), local_error->message);
      return NULL;
    }

  /* productmd (treeinfo 1.x) first, then the classic [general] group. */
  family = keyfile_get (kf, "release", "name");
  if (family == NULL)
    family = keyfile_get (kf, "general", "family");
  version = keyfile_get (kf, "release", "version");
  if (version == NULL)
    version = keyfile_get (kf, "general", "version");
  tree_arch = keyfile_get (kf, "tree", "arch");
  if (tree_arch == NULL)
    tree_arch = keyfile_get (kf, "general", "arch");

  if (family == NULL)
    {
      g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                           _("The tree’s .treeinfo file names no distribution ([general] family). "
                             "The tree may be damaged or not an install tree."));
      return NULL;
    }

  groups = g_key_file_get_groups (kf, NULL);

  if (tree_arch != NULL && !arch_equal (tree_arch, arch))
    {
      set_no_kernel_error (error, family, arch, tree_arch);
      return NULL;
    }

  self = g_object_new (VIREO_TYPE_TREE_INFO, NULL);
  self->layout = VIREO_TREE_LAYOUT_TREEINFO;
  self->name = g_strdup (family);
  self->family = family_to_distro (family);
  self->version = g_steal_pointer (&version);
  self->variant = keyfile_get (kf, "general", "variant");
  if (self->variant == NULL)
    self->variant = keyfile_get (kf, "tree", "variants");
  self->arch = g_strdup (arch);
  self->treeinfo = g_strndup (data, length);

  group = g_strdup_printf ("images-%s", tree_arch ? tree_arch : arch);
  self->kernel = strip_slashes (keyfile_get (kf, group, "kernel"));
  self->initrd = strip_slashes (keyfile_get (kf, group, "initrd"));
  self->xen_kernel = strip_slashes (keyfile_get (kf, "images-xen", "kernel"));
  self->xen_initrd = strip_slashes (keyfile_get (kf, "images-xen", "initrd"));

  if (self->kernel == NULL)
    {
      g_autoptr(GString) have = g_string_new (NULL);

      for (guint i = 0; groups[i] != NULL; i++)
        if (g_str_has_prefix (groups[i], "images-") && strcmp (groups[i], "images-xen") != 0)
          g_string_append_printf (have, "%s%s", have->len ? ", " : "", groups[i] + 7);
      set_no_kernel_error (error, family, arch, have->str);
      return NULL;
    }
  if (self->xen_kernel == NULL)
    g_clear_pointer (&self->xen_initrd, g_free);

  return g_steal_pointer (&self);
}

/* SUSE's content file: "KEY value" lines. */
static GHashTable *
parse_key_space_value (const char *data,
                       gssize      length,
                       char        separator)
{
  g_autofree char *text = g_strndup (data, length < 0 ? strlen (data) : (gsize) length);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *sep = separator == ' ' ? strpbrk (line, " \t") : strchr (line, separator);

      if (*line == '\0' || *line == '#' || sep == NULL || sep == line)
        continue;
      *sep = '\0';
      g_hash_table_insert (table, g_strstrip (g_strdup (line)), g_strstrip (g_strdup (sep + 1)));
    }
  return table;
}

VireoTreeInfo *
vireo_tree_info_new_from_suse_content (const char *data,
                                       gssize      length,
                                       const char *arch,
                                       GError    **error)
{
  g_autoptr(GHashTable) kv = parse_key_space_value (data, length, ' ');
  g_autoptr(VireoTreeInfo) self = NULL;
  const char *product = g_hash_table_lookup (kv, "PRODUCT");
  const char *version = g_hash_table_lookup (kv, "VERSION");
  const char *label = g_hash_table_lookup (kv, "LABEL");
  const char *distro = g_hash_table_lookup (kv, "DISTRO");
  const char *basearchs = g_hash_table_lookup (kv, "BASEARCHS");
  g_autofree char *distro_name = NULL;
  g_autofree char *cpe_vendor = NULL;
  g_autofree char *cpe_version = NULL;

  /* DISTRO is "cpe:/o:opensuse:leap:15.4,openSUSE Leap 15.4" on newer media. */
  if (distro != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (distro, ",", 2);
      g_auto(GStrv) cpe = g_strsplit (parts[0], ":", -1);
      guint n = g_strv_length (cpe);

      if (parts[0] != NULL && parts[1] != NULL)
        distro_name = g_strstrip (g_strdup (parts[1]));
      if (n >= 3)
        cpe_vendor = g_strdup (cpe[2]);
      if (n >= 5)
        cpe_version = g_strdup (cpe[4]);
    }
  if (product == NULL)
    product = cpe_vendor;
  if (version == NULL)
    version = cpe_version;

  if (product == NULL && label == NULL && distro_name == NULL)
    {
      g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                           _("The tree’s “content” file names no product (PRODUCT, LABEL or "
                             "DISTRO); it is not a SUSE install tree."));
      return NULL;
    }

  if (basearchs != NULL)
    {
      g_auto(GStrv) archs = g_strsplit_set (basearchs, " \t", -1);
      gboolean found = FALSE;

      for (guint i = 0; archs[i] != NULL; i++)
        if (*archs[i] && arch_equal (archs[i], arch))
          found = TRUE;
      if (!found)
        {
          set_no_kernel_error (error, product ? product : label, arch, basearchs);
          return NULL;
        }
    }

  self = g_object_new (VIREO_TYPE_TREE_INFO, NULL);
  self->layout = VIREO_TREE_LAYOUT_SUSE;
  self->name = g_strdup (label ? label : distro_name ? distro_name : product);
  {
    g_autofree char *lower = g_ascii_strdown (product ? product : self->name, -1);

    if (strstr (lower, "opensuse") != NULL)
      self->family = g_strdup ("opensuse");
    else if (strstr (lower, "sles") != NULL || strstr (lower, "suse linux enterprise") != NULL)
      self->family = g_strdup ("sles");
    else
      self->family = family_to_distro (product ? product : self->name);
  }
  self->version = g_strdup (version);
  self->arch = g_strdup (arch);
  self->kernel = g_strdup_printf ("boot/%s/loader/linux", arch);
  self->initrd = g_strdup_printf ("boot/%s/loader/initrd", arch);
  return g_steal_pointer (&self);
}

VireoTreeInfo *
vireo_tree_info_new_from_manifest (const char *manifest,
                                   gssize      length,
                                   const char *images_dir,
                                   const char *release,
                                   const char *codename,
                                   const char *arch,
                                   GError    **error)
{
  g_autoptr(VireoTreeInfo) self = NULL;
  g_autoptr(GHashTable) rel = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *dir = NULL;
  const char *deb_arch = vireo_arch_to_debian (arch);
  const char *kernel = NULL, *initrd = NULL, *xen_kernel = NULL, *xen_initrd = NULL;
  gboolean ubuntu = FALSE;
  g_autoptr(GString) have = g_string_new (NULL);

  if (length < 0)
    length = strlen (manifest);
  text = g_strndup (manifest, length);
  lines = g_strsplit (text, "\n", -1);
  dir = images_dir && *images_dir && !g_str_has_suffix (images_dir, "/")
          ? g_strconcat (images_dir, "/", NULL) : g_strdup (images_dir ? images_dir : "");

  /* Lines are "netboot/debian-installer/amd64/linux: kernel for netboot install". */
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *colon = strchr (line, ':');
      g_auto(GStrv) parts = NULL;

      if (colon == NULL)
        continue;
      *colon = '\0';
      g_strstrip (line);
      parts = g_strsplit (line, "/", -1);

      if (g_strv_length (parts) == 4 && strcmp (parts[0], "netboot") == 0 &&
          (strcmp (parts[1], "debian-installer") == 0 || strcmp (parts[1], "ubuntu-installer") == 0))
        {
          if (strstr (have->str, parts[2]) == NULL)
            g_string_append_printf (have, "%s%s", have->len ? ", " : "", parts[2]);
          if (strcmp (parts[2], deb_arch) != 0)
            continue;
          if (strcmp (parts[3], "linux") == 0)
            kernel = lines[i], ubuntu = parts[1][0] == 'u';
          else if (strcmp (parts[3], "initrd.gz") == 0)
            initrd = lines[i];
        }
      else if (g_strv_length (parts) == 3 && strcmp (parts[0], "netboot") == 0 &&
               strcmp (parts[1], "xen") == 0)
        {
          if (strcmp (parts[2], "vmlinuz") == 0)
            xen_kernel = lines[i];
          else if (strcmp (parts[2], "initrd.gz") == 0)
            xen_initrd = lines[i];
        }
    }

  if (release != NULL)
    rel = parse_key_space_value (release, -1, ':');
  if (rel != NULL && g_strcmp0 (g_hash_table_lookup (rel, "Origin"), "Ubuntu") == 0)
    ubuntu = TRUE;

  if (kernel == NULL || initrd == NULL)
    {
      set_no_kernel_error (error, ubuntu ? "Ubuntu" : "Debian", arch, have->str);
      return NULL;
    }

  self = g_object_new (VIREO_TYPE_TREE_INFO, NULL);
  self->layout = ubuntu ? VIREO_TREE_LAYOUT_UBUNTU : VIREO_TREE_LAYOUT_DEBIAN;
  self->family = g_strdup (ubuntu ? "ubuntu" : "debian");
  self->name = g_strdup (rel && g_hash_table_lookup (rel, "Origin") ? g_hash_table_lookup (rel, "Origin")
                                                                    : ubuntu ? "Ubuntu" : "Debian");
  if (rel != NULL)
    {
      self->version = g_strdup (g_hash_table_lookup (rel, "Version"));
      self->codename = g_strdup (g_hash_table_lookup (rel, "Codename"));
    }
  if (self->codename == NULL)
    self->codename = g_strdup (codename);
  self->arch = g_strdup (arch);
  self->kernel = g_strconcat (dir, kernel, NULL);
  self->initrd = g_strconcat (dir, initrd, NULL);
  /* Debian's Xen images serve both amd64 and i386; they sit beside them. */
  if (xen_kernel != NULL && xen_initrd != NULL)
    {
      self->xen_kernel = g_strconcat (dir, xen_kernel, NULL);
      self->xen_initrd = g_strconcat (dir, xen_initrd, NULL);
    }
  return g_steal_pointer (&self);
}

/* ------------------------------------------------------------------------ */
/* Detection                                                                */

/* Fetches a small file; NULL without an error when the tree lacks it. */
static GBytes *
fetch_optional (VireoFetcher *fetcher,
                const char   *relative,
                GCancellable *cancellable,
                GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  GBytes *bytes;

  bytes = vireo_fetcher_fetch_bytes (fetcher, relative, 0, cancellable, &local_error);
  if (bytes == NULL && !g_error_matches (local_error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND))
    g_propagate_error (error, g_steal_pointer (&local_error));
  return bytes;
}

static gboolean
require_file (VireoFetcher *fetcher,
              const char   *relative,
              GCancellable *cancellable,
              GError      **error)
{
  g_autoptr(GError) local_error = NULL;

  if (vireo_fetcher_exists (fetcher, relative, cancellable, &local_error))
    return TRUE;
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  else
    {
      g_autofree char *where = vireo_fetcher_dup_file_url (fetcher, relative);

      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                   _("The install tree names a boot file that is not there (%s). "
                     "The tree or mirror may be incomplete."), where);
    }
  return FALSE;
}

/* "../" repeated: the way up from the URL's directory to an ancestor. */
static char *
ups (guint n)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append (s, "../");
  return g_string_free (s, FALSE);
}

static VireoTreeInfo *
detect_debian (VireoFetcher *fetcher,
               const char   *arch,
               GCancellable *cancellable,
               GError      **error)
{
  const VireoInstallUrl *url = vireo_fetcher_get_url (fetcher);
  const char *deb_arch = vireo_arch_to_debian (arch);
  g_auto(GStrv) segs = g_strsplit (url->path, "/", -1);
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  g_autofree char *installer_rel = NULL;  /* to installer-ARCH/ */
  g_autofree char *release_rel = NULL;    /* to dists/CODENAME/Release */
  g_autofree char *codename = NULL;
  g_autoptr(GBytes) release = NULL;
  int installer_at = -1, dists_at = -1;

  for (guint i = 0; segs[i] != NULL; i++)
    if (*segs[i] != '\0')
      g_ptr_array_add (parts, segs[i]);

  for (guint i = 0; i < parts->len; i++)
    {
      const char *s = g_ptr_array_index (parts, i);

      if (g_str_has_prefix (s, "installer-") && installer_at < 0)
        installer_at = i;
      if (strcmp (s, "dists") == 0 && i + 1 < parts->len && dists_at < 0)
        dists_at = i;
    }

  if (dists_at >= 0)
    {
      guint below = parts->len - (dists_at + 2);   /* segments below dists/CODENAME */
      g_autofree char *up = ups (below);

      codename = g_strdup (g_ptr_array_index (parts, dists_at + 1));
      release_rel = g_strconcat (up, "Release", NULL);
    }

  if (installer_at >= 0)
    {
      g_autofree char *up = ups (parts->len - (installer_at + 1));

      installer_rel = g_strdup (up);
    }
  else if (dists_at >= 0)
    {
      g_autofree char *up = ups (parts->len - (dists_at + 2));

      installer_rel = g_strdup_printf ("%smain/installer-%s/", up, deb_arch);
    }
  else
    {
      /* A mirror's top: the stable suite's Release names the codename. */
      static const char *suites[] = { "stable", "testing" };

      for (gsize i = 0; i < G_N_ELEMENTS (suites) && codename == NULL; i++)
        {
          g_autofree char *rel = g_strdup_printf ("dists/%s/Release", suites[i]);
          g_autoptr(GBytes) bytes = fetch_optional (fetcher, rel, cancellable, error);
          g_autoptr(GHashTable) kv = NULL;

          if (bytes == NULL)
            {
              if (error && *error)
                return NULL;
              continue;
            }
          kv = parse_key_space_value (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), ':');
          codename = g_strdup (g_hash_table_lookup (kv, "Codename"));
        }
      if (codename == NULL)
        return NULL;
      installer_rel = g_strdup_printf ("dists/%s/main/installer-%s/", codename, deb_arch);
      release_rel = g_strdup_printf ("dists/%s/Release", codename);
    }

  if (release_rel != NULL)
    {
      release = fetch_optional (fetcher, release_rel, cancellable, error);
      if (release == NULL && error && *error)
        return NULL;
    }

  {
    static const char *image_dirs[] = { "current/images/", "current/legacy-images/" };

    for (gsize i = 0; i < G_N_ELEMENTS (image_dirs); i++)
      {
        g_autofree char *dir = g_strconcat (installer_rel, image_dirs[i], NULL);
        g_autofree char *manifest_rel = g_strconcat (dir, "MANIFEST", NULL);
        g_autoptr(GBytes) manifest = fetch_optional (fetcher, manifest_rel, cancellable, error);
        g_autofree char *release_text = NULL;
        VireoTreeInfo *info;

        if (manifest == NULL)
          {
            if (error && *error)
              return NULL;
            continue;
          }
        if (release != NULL)
          release_text = g_strndup (g_bytes_get_data (release, NULL), g_bytes_get_size (release));

        info = vireo_tree_info_new_from_manifest (g_bytes_get_data (manifest, NULL),
                                                  g_bytes_get_size (manifest),
                                                  dir, release_text, codename, arch, error);
        if (info == NULL)
          return NULL;
        if (!require_file (fetcher, info->kernel, cancellable, error) ||
            !require_file (fetcher, info->initrd, cancellable, error))
          {
            g_object_unref (info);
            return NULL;
          }
        return info;
      }
  }
  return NULL;
}

VireoTreeInfo *
vireo_tree_info_detect (VireoFetcher  *fetcher,
                        const char    *arch,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(VireoTreeInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *display = NULL;
  static const char *treeinfo_names[] = { ".treeinfo", "treeinfo" };

  g_return_val_if_fail (VIREO_IS_FETCHER (fetcher), NULL);
  g_return_val_if_fail (arch != NULL, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (treeinfo_names) && info == NULL; i++)
    {
      g_autoptr(GBytes) bytes = fetch_optional (fetcher, treeinfo_names[i], cancellable, error);

      if (bytes == NULL)
        {
          if (error && *error)
            return NULL;
          continue;
        }
      info = vireo_tree_info_new_from_treeinfo (g_bytes_get_data (bytes, NULL),
                                                g_bytes_get_size (bytes), arch, error);
      if (info == NULL)
        return NULL;
    }

  if (info == NULL)
    {
      g_autoptr(GBytes) bytes = fetch_optional (fetcher, "content", cancellable, &local_error);

      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (bytes != NULL)
        {
          info = vireo_tree_info_new_from_suse_content (g_bytes_get_data (bytes, NULL),
                                                        g_bytes_get_size (bytes), arch, error);
          if (info == NULL)
            return NULL;
        }
    }

  if (info == NULL)
    {
      info = detect_debian (fetcher, arch, cancellable, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  display = vireo_install_url_to_display (vireo_fetcher_get_url (fetcher));
  if (info == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
                   _("No install tree was found at %s: it has no .treeinfo, no SUSE “content” "
                     "file and no Debian or Ubuntu installer (MANIFEST). Check that the URL "
                     "points to the top of an install tree; for Debian and Ubuntu, the suite "
                     "such as …/dists/bookworm/."), display);
      return NULL;
    }

  /* Debian's files were checked as they were found; check the others. */
  if (info->layout == VIREO_TREE_LAYOUT_TREEINFO || info->layout == VIREO_TREE_LAYOUT_SUSE)
    {
      if (!require_file (fetcher, info->kernel, cancellable, error) ||
          (info->initrd && !require_file (fetcher, info->initrd, cancellable, error)))
        return NULL;
    }
  if (info->layout == VIREO_TREE_LAYOUT_SUSE && info->xen_kernel == NULL)
    {
      /* Older SUSE trees ship a separate Xen kernel beside the normal one. */
      g_autofree char *xk = g_strdup_printf ("boot/%s/vmlinuz-xen", arch);
      g_autofree char *xi = g_strdup_printf ("boot/%s/initrd-xen", arch);

      if (vireo_fetcher_exists (fetcher, xk, cancellable, NULL) &&
          vireo_fetcher_exists (fetcher, xi, cancellable, NULL))
        {
          info->xen_kernel = g_steal_pointer (&xk);
          info->xen_initrd = g_steal_pointer (&xi);
        }
    }
  if (info->xen_kernel != NULL &&
      !vireo_fetcher_exists (fetcher, info->xen_kernel, cancellable, NULL))
    {
      /* Listed but missing: offer no PV rather than fail later. */
      g_clear_pointer (&info->xen_kernel, g_free);
      g_clear_pointer (&info->xen_initrd, g_free);
    }
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_CANCELLED,
                           _("Detecting the install tree was cancelled."));
      return NULL;
    }

  info->url = g_strdup (vireo_fetcher_get_url (fetcher)->base);
  return g_steal_pointer (&info);
}

typedef struct {
  VireoFetcher *fetcher;
  char         *arch;
} DetectJob;

static void
detect_job_free (gpointer data)
{
  DetectJob *job = data;

  g_object_unref (job->fetcher);
  g_free (job->arch);
  g_free (job);
}

static void
detect_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  DetectJob *job = task_data;
  GError *error = NULL;
  VireoTreeInfo *info = vireo_tree_info_detect (job->fetcher, job->arch, cancellable, &error);

  if (info == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, info, g_object_unref);
}

void
vireo_tree_info_detect_async (VireoFetcher        *fetcher,
                              const char          *arch,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  DetectJob *job;

  g_return_if_fail (VIREO_IS_FETCHER (fetcher));
  g_return_if_fail (arch != NULL);

  job = g_new0 (DetectJob, 1);
  job->fetcher = g_object_ref (fetcher);
  job->arch = g_strdup (arch);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_tree_info_detect_async);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, job, detect_job_free);
  g_task_run_in_thread (task, detect_thread);
}

VireoTreeInfo *
vireo_tree_info_detect_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

#define GETTER(field) \
  const char * \
  vireo_tree_info_get_##field (VireoTreeInfo *self) \
  { \
    g_return_val_if_fail (VIREO_IS_TREE_INFO (self), NULL); \
    return self->field; \
  }

GETTER (family)
GETTER (name)
GETTER (version)
GETTER (codename)
GETTER (variant)
GETTER (arch)
GETTER (kernel)
GETTER (initrd)
GETTER (xen_kernel)
GETTER (xen_initrd)
GETTER (treeinfo)
GETTER (url)

VireoTreeLayout
vireo_tree_info_get_layout (VireoTreeInfo *self)
{
  g_return_val_if_fail (VIREO_IS_TREE_INFO (self), VIREO_TREE_LAYOUT_TREEINFO);
  return self->layout;
}

gboolean
vireo_tree_info_has_xen (VireoTreeInfo *self)
{
  g_return_val_if_fail (VIREO_IS_TREE_INFO (self), FALSE);
  return self->xen_kernel != NULL;
}

gboolean
vireo_tree_info_get_boot_files (VireoTreeInfo *self,
                                gboolean       paravirt,
                                const char   **kernel,
                                const char   **initrd,
                                GError       **error)
{
  g_return_val_if_fail (VIREO_IS_TREE_INFO (self), FALSE);

  if (paravirt && self->xen_kernel == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                   _("This %s tree has no Xen paravirtualized kernel (no [images-xen] or "
                     "netboot/xen images). Install it fully virtualized (HVM) instead, or "
                     "choose a tree that has Xen images."),
                   self->name);
      return FALSE;
    }
  if (kernel != NULL)
    *kernel = paravirt ? self->xen_kernel : self->kernel;
  if (initrd != NULL)
    *initrd = paravirt ? self->xen_initrd : self->initrd;
  return TRUE;
}

char *
vireo_tree_info_dup_install_args (VireoTreeInfo *self,
                                  const char    *tree_url)
{
  g_return_val_if_fail (VIREO_IS_TREE_INFO (self), NULL);

  if (tree_url == NULL)
    tree_url = self->url;
  if (tree_url == NULL)
    return NULL;

  /* Anaconda finds its repository with inst.repo=, YaST with install=;
   * Debian's and Ubuntu's netboot installers ask for a mirror themselves. */
  switch (self->layout)
    {
    case VIREO_TREE_LAYOUT_TREEINFO:
      return g_strdup_printf ("inst.repo=%s", tree_url);
    case VIREO_TREE_LAYOUT_SUSE:
      return g_strdup_printf ("install=%s", tree_url);
    case VIREO_TREE_LAYOUT_DEBIAN:
    case VIREO_TREE_LAYOUT_UBUNTU:
    default:
      return NULL;
    }
}
