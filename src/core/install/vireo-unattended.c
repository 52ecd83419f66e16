/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <osinfo/osinfo.h>
#include <string.h>
#include <unistd.h>

#include "vireo-types.h"
#include "vireo-unattended.h"

struct _VireoUnattended
{
  char *user;
  char *password;
  char *admin_password;
  char *timezone;
  char *hostname;
};

VireoUnattended *
vireo_unattended_new (const char *user,
                      const char *password)
{
  VireoUnattended *self = g_new0 (VireoUnattended, 1);

  self->user = g_strdup (user);
  self->password = g_strdup (password);
  return self;
}

void
vireo_unattended_free (VireoUnattended *self)
{
  if (self == NULL)
    return;
  g_free (self->user);
  /* Passwords do not linger in freed memory. */
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  if (self->admin_password != NULL)
    memset (self->admin_password, 0, strlen (self->admin_password));
  g_free (self->password);
  g_free (self->admin_password);
  g_free (self->timezone);
  g_free (self->hostname);
  g_free (self);
}

VireoUnattended *
vireo_unattended_copy (const VireoUnattended *self)
{
  VireoUnattended *copy;

  if (self == NULL)
    return NULL;
  copy = vireo_unattended_new (self->user, self->password);
  copy->admin_password = g_strdup (self->admin_password);
  copy->timezone = g_strdup (self->timezone);
  copy->hostname = g_strdup (self->hostname);
  return copy;
}

void
vireo_unattended_set_admin_password (VireoUnattended *self,
                                     const char      *password)
{
  g_free (self->admin_password);
  self->admin_password = g_strdup (password);
}

void
vireo_unattended_set_timezone (VireoUnattended *self,
                               const char      *timezone)
{
  g_free (self->timezone);
  self->timezone = g_strdup (timezone);
}

void
vireo_unattended_set_hostname (VireoUnattended *self,
                               const char      *hostname)
{
  g_free (self->hostname);
  self->hostname = g_strdup (hostname);
}

const char *
vireo_unattended_get_user (const VireoUnattended *self)
{
  return self->user;
}

static gboolean
invalid (GError    **error,
         const char *format,
         ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError    **error,
         const char *format,
         ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (VIREO_ERROR, VIREO_ERROR_INVALID_URI, format, args));
  va_end (args);
  return FALSE;
}

gboolean
vireo_unattended_check (const VireoUnattended *self,
                        GError               **error)
{
  /* The rules of Debian's adduser and useradd: a lower-case letter first,
   * then letters, digits, "-" and "_". */
  if (self->user == NULL || !g_regex_match_simple ("^[a-z_][a-z0-9_-]{0,31}$", self->user, 0, 0))
    return invalid (error, _("“%s” is not a user name the installer accepts: use lower-case letters, "
                             "digits, “-” and “_”, starting with a letter."),
                    self->user ? self->user : "");
  if (g_str_equal (self->user, "root"))
    return invalid (error, _("The user cannot be “root”: choose the name of an ordinary user "
                             "(root gets the administrator password)."));
  if (self->password == NULL || *self->password == '\0')
    return invalid (error, _("The user’s password is empty."));
  if (strchr (self->password, '\n') != NULL ||
      (self->admin_password != NULL && strchr (self->admin_password, '\n') != NULL))
    return invalid (error, _("A password cannot hold a line break."));
  if (self->hostname != NULL &&
      !g_regex_match_simple ("^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$", self->hostname, 0, 0))
    return invalid (error, _("“%s” is not a host name: use letters, digits and “-”, "
                             "at most 63 characters."), self->hostname);
  if (self->timezone != NULL)
    {
      g_autoptr(GTimeZone) tz = NULL;

      if (!g_regex_match_simple ("^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$", self->timezone, 0, 0) ||
          (tz = g_time_zone_new_identifier (self->timezone)) == NULL)
        return invalid (error, _("“%s” is not a time zone this computer knows, such as "
                                 "Europe/Paris or America/New_York."), self->timezone);
    }
  return TRUE;
}

/* The OS's "jeos" script that can go in an initrd, or its first script
 * that can. */
static OsinfoInstallScript *
find_initrd_script (OsinfoOs *os)
{
  g_autoptr(OsinfoInstallScriptList) scripts = osinfo_os_get_install_script_list (os);
  OsinfoInstallScript *best = NULL;

  for (int i = 0; i < osinfo_list_get_length (OSINFO_LIST (scripts)); i++)
    {
      OsinfoInstallScript *script = OSINFO_INSTALL_SCRIPT (osinfo_list_get_nth (OSINFO_LIST (scripts), i));

      if (!(osinfo_install_script_get_injection_methods (script) & OSINFO_INSTALL_SCRIPT_INJECTION_METHOD_INITRD))
        continue;
      if (g_strcmp0 (osinfo_install_script_get_profile (script), OSINFO_INSTALL_SCRIPT_PROFILE_JEOS) == 0)
        return g_object_ref (script);
      if (best == NULL)
        best = script;
    }
  return best ? g_object_ref (best) : NULL;
}

gboolean
vireo_unattended_generate (const VireoUnattended *self,
                           VireoOsGuess          *os_guess,
                           char                 **filename,
                           char                 **script_text,
                           char                 **cmdline,
                           GError               **error)
{
  g_autoptr(OsinfoOs) os = NULL;
  g_autoptr(OsinfoInstallScript) script = NULL;
  g_autoptr(OsinfoInstallConfig) config = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;

  if (!vireo_unattended_check (self, error))
    return FALSE;
  if (os_guess == NULL || (os = vireo_os_guess_dup_osinfo_os (os_guess)) == NULL)
    return invalid (error, _("An unattended install needs to know the operating system: "
                             "choose it (--os-variant) or install from a tree Vireo can identify."));
  script = find_initrd_script (os);
  if (script == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                   _("%s has no unattended install script that can go in the installer’s initrd "
                     "in this computer’s OS database (osinfo-db). Install it interactively."),
                   vireo_os_guess_get_name (os_guess));
      return FALSE;
    }

  config = osinfo_install_config_new ("http://vireo.example/unattended");
  osinfo_install_config_set_user_login (config, self->user);
  osinfo_install_config_set_user_realname (config, self->user);
  osinfo_install_config_set_user_password (config, self->password);
  osinfo_install_config_set_admin_password (config, self->admin_password ? self->admin_password
                                                                         : self->password);
  osinfo_install_config_set_hostname (config, self->hostname ? self->hostname : self->user);
  osinfo_install_config_set_l10n_timezone (config, self->timezone ? self->timezone : "UTC");
  osinfo_install_config_set_l10n_language (config, "en_US");
  osinfo_install_config_set_l10n_keyboard (config, "us");
  osinfo_install_script_set_preferred_injection_method (script, OSINFO_INSTALL_SCRIPT_INJECTION_METHOD_INITRD);

  text = osinfo_install_script_generate (script, os, config, NULL, &local_error);
  if (text == NULL)
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Could not write the unattended install answers for %s: %s"),
                   vireo_os_guess_get_name (os_guess), local_error ? local_error->message : "");
      return FALSE;
    }
  /* osinfo-db's Debian preseed (2022) writes "d-i passwd/username NAME",
   * with no type, which debconf does not take: the installer would ask. */
  {
    g_autoptr(GRegex) untyped = g_regex_new ("^(d-i passwd/username) (?!string )(\\S+)$",
                                             G_REGEX_MULTILINE, 0, NULL);
    char *fixed = g_regex_replace (untyped, text, -1, 0, "\\1 string \\2", 0, NULL);

    if (fixed != NULL)
      {
        g_free (text);
        text = fixed;
      }
  }
  *filename = g_strdup (osinfo_install_script_get_expected_filename (script));
  *script_text = g_steal_pointer (&text);
  *cmdline = osinfo_install_script_generate_command_line (script, os, config);
  return TRUE;
}

/* newc cpio: a header of 13 eight-digit hex fields after the magic, the
 * name with its NUL, padded to 4 bytes, then the data, padded to 4. */
static void
cpio_add (GByteArray *out,
          const char *name,
          guint32     mode,
          const char *data,
          gsize       length)
{
  static const guint8 zeros[4] = { 0 };
  static guint32 ino = 0x766972;  /* any number, one per entry */
  gsize name_size = strlen (name) + 1;
  g_autofree char *header = g_strdup_printf ("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
                                             ino++, mode, 0u, 0u, 1u, 0u, (guint32) length,
                                             0u, 0u, 0u, 0u, (guint32) name_size, 0u);

  g_byte_array_append (out, (const guint8 *) header, 110);
  g_byte_array_append (out, (const guint8 *) name, name_size);
  g_byte_array_append (out, zeros, (4 - (110 + name_size) % 4) % 4);
  if (length > 0)
    g_byte_array_append (out, (const guint8 *) data, length);
  g_byte_array_append (out, zeros, (4 - length % 4) % 4);
}

gboolean
vireo_unattended_inject_initrd (const char  *initrd_path,
                                const char  *filename,
                                const char  *contents,
                                GError     **error)
{
  g_autoptr(GByteArray) archive = g_byte_array_new ();
  g_autoptr(GZlibCompressor) gzip = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9);
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GBytes) packed = NULL;
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) converter = NULL;
  int fd;
  gsize written;
  gboolean ok;

  cpio_add (archive, filename, 0100600, contents, strlen (contents));
  cpio_add (archive, "TRAILER!!!", 0, NULL, 0);
  raw = g_byte_array_free_to_bytes (g_steal_pointer (&archive));

  converter = g_converter_output_stream_new (memory, G_CONVERTER (gzip));
  if (!g_output_stream_write_all (converter, g_bytes_get_data (raw, NULL), g_bytes_get_size (raw),
                                  &written, NULL, error) ||
      !g_output_stream_close (converter, NULL, error))
    return FALSE;
  packed = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));

  fd = g_open (initrd_path, O_WRONLY | O_APPEND | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Could not add the unattended install answers to “%s”: %s"),
                   initrd_path, g_strerror (saved));
      return FALSE;
    }
  ok = write (fd, g_bytes_get_data (packed, NULL), g_bytes_get_size (packed)) ==
       (gssize) g_bytes_get_size (packed);
  if (!ok)
    {
      int saved = errno;
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Could not add the unattended install answers to “%s”: %s"),
                   initrd_path, g_strerror (saved));
    }
  if (close (fd) != 0 && ok)
    {
      int saved = errno;
      ok = FALSE;
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Could not add the unattended install answers to “%s”: %s"),
                   initrd_path, g_strerror (saved));
    }
  return ok;
}
