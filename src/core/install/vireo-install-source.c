/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vireo-types.h"
#include "vireo-install-source.h"

struct _VireoInstallSource
{
  GObject            parent_instance;
  VireoInstallMethod method;
  char              *path;
  VireoInstallUrl    url;
  char              *url_string;
  char              *extra_args;
  char              *kernel;
  char              *initrd;
  gboolean           upload;     /* a local ISO the host gets a copy of */
};

G_DEFINE_FINAL_TYPE (VireoInstallSource, vireo_install_source, G_TYPE_OBJECT)

static void
vireo_install_source_finalize (GObject *object)
{
  VireoInstallSource *self = VIREO_INSTALL_SOURCE (object);

  g_free (self->path);
  vireo_install_url_clear (&self->url);
  g_free (self->url_string);
  g_free (self->extra_args);
  g_free (self->kernel);
  g_free (self->initrd);
  G_OBJECT_CLASS (vireo_install_source_parent_class)->finalize (object);
}

static void
vireo_install_source_class_init (VireoInstallSourceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vireo_install_source_finalize;
}

static void
vireo_install_source_init (VireoInstallSource *self)
{
}

const char *
vireo_install_method_to_string (VireoInstallMethod method)
{
  switch (method)
    {
    case VIREO_INSTALL_METHOD_ISO:    return "iso";
    case VIREO_INSTALL_METHOD_CDROM:  return "cdrom";
    case VIREO_INSTALL_METHOD_URL:    return "url";
    case VIREO_INSTALL_METHOD_PXE:    return "pxe";
    case VIREO_INSTALL_METHOD_IMPORT: return "import";
    case VIREO_INSTALL_METHOD_KERNEL: return "kernel";
    default:                          return "unknown";
    }
}

static VireoInstallSource *
source_new (VireoInstallMethod method)
{
  VireoInstallSource *self = g_object_new (VIREO_TYPE_INSTALL_SOURCE, NULL);

  self->method = method;
  return self;
}

/* `what` names the file for the message ("The ISO image", "The kernel"). */
static gboolean
check_readable (const char *path,
                const char *what,
                gboolean    allow_block,
                gboolean    want_block,
                GError    **error)
{
  GStatBuf st;
  int fd;

  if (path == NULL || *path == '\0')
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("%s was not given. Choose a file."), what);
      return FALSE;
    }
  if (!g_path_is_absolute (path))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("%s “%s” is not an absolute path. Give the full path, starting with “/”."),
                   what, path);
      return FALSE;
    }
  if (g_stat (path, &st) != 0)
    {
      int saved = errno;

      g_set_error (error, VIREO_ERROR, saved == ENOENT ? VIREO_ERROR_NOT_FOUND : VIREO_ERROR_FAILED,
                   saved == ENOENT ? _("%s “%s” does not exist. Check the path.")
                                   : _("%s “%s” cannot be examined: %s."),
                   what, path, g_strerror (saved));
      return FALSE;
    }
  if (want_block && !S_ISBLK (st.st_mode))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("%s “%s” is not a block device. Choose a CD/DVD drive such as /dev/sr0."),
                   what, path);
      return FALSE;
    }
  if (!want_block && !S_ISREG (st.st_mode) && !(allow_block && S_ISBLK (st.st_mode)))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("%s “%s” is not a regular file. Choose a file, not a directory or device."),
                   what, path);
      return FALSE;
    }

  /* access() answers for the real uid; opening answers for us. */
  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_ALLOWED,
                   _("%s “%s” cannot be read: %s. Check its permissions."),
                   what, path, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

VireoInstallSource *
vireo_install_source_new_iso (const char *path,
                              GError    **error)
{
  VireoInstallSource *self;

  if (!check_readable (path, _("The ISO image"), FALSE, FALSE, error))
    return NULL;
  self = source_new (VIREO_INSTALL_METHOD_ISO);
  self->path = g_strdup (path);
  return self;
}

VireoInstallSource *
vireo_install_source_new_iso_upload (const char *path,
                                     GError    **error)
{
  VireoInstallSource *self = vireo_install_source_new_iso (path, error);

  if (self != NULL)
    self->upload = TRUE;
  return self;
}

gboolean
vireo_install_source_get_upload (VireoInstallSource *self)
{
  g_return_val_if_fail (VIREO_IS_INSTALL_SOURCE (self), FALSE);
  return self->upload;
}

VireoInstallSource *
vireo_install_source_new_remote_iso (const char *path,
                                     GError    **error)
{
  VireoInstallSource *self;

  if (path == NULL || !g_path_is_absolute (path))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("The ISO image path “%s” on the host is not an absolute path. "
                     "Choose an ISO in one of the host’s storage pools."),
                   path ? path : "");
      return NULL;
    }
  self = source_new (VIREO_INSTALL_METHOD_ISO);
  self->path = g_strdup (path);
  return self;
}

VireoInstallSource *
vireo_install_source_new_cdrom (const char *device,
                                GError    **error)
{
  VireoInstallSource *self;

  if (!check_readable (device, _("The CD/DVD drive"), TRUE, TRUE, error))
    return NULL;
  self = source_new (VIREO_INSTALL_METHOD_CDROM);
  self->path = g_strdup (device);
  return self;
}

VireoInstallSource *
vireo_install_source_new_host_cdrom (const char *device,
                                     GError    **error)
{
  VireoInstallSource *self;

  if (device == NULL || !g_path_is_absolute (device))
    {
      g_set_error (error, VIREO_ERROR, VIREO_ERROR_INVALID_URI,
                   _("The drive “%s” is not a device path on the host, such as /dev/sr0."),
                   device ? device : "");
      return NULL;
    }
  self = source_new (VIREO_INSTALL_METHOD_CDROM);
  self->path = g_strdup (device);
  return self;
}

VireoInstallSource *
vireo_install_source_new_url (const char *url,
                              const char *extra_args,
                              GError    **error)
{
  g_autoptr(VireoInstallSource) self = source_new (VIREO_INSTALL_METHOD_URL);

  if (!vireo_install_url_parse (url, &self->url, error))
    return NULL;
  self->url_string = g_strdup (self->url.base);
  if (extra_args != NULL && *extra_args != '\0')
    self->extra_args = g_strdup (extra_args);
  return g_steal_pointer (&self);
}

VireoInstallSource *
vireo_install_source_new_pxe (void)
{
  return source_new (VIREO_INSTALL_METHOD_PXE);
}

VireoInstallSource *
vireo_install_source_new_import (const char *disk_path,
                                 GError    **error)
{
  VireoInstallSource *self;

  if (!check_readable (disk_path, _("The disk image"), TRUE, FALSE, error))
    return NULL;
  self = source_new (VIREO_INSTALL_METHOD_IMPORT);
  self->path = g_strdup (disk_path);
  return self;
}

VireoInstallSource *
vireo_install_source_new_kernel (const char *kernel,
                                 const char *initrd,
                                 const char *cmdline,
                                 GError    **error)
{
  VireoInstallSource *self;

  if (!check_readable (kernel, _("The kernel"), FALSE, FALSE, error))
    return NULL;
  if (initrd != NULL && *initrd != '\0' &&
      !check_readable (initrd, _("The initrd"), FALSE, FALSE, error))
    return NULL;

  self = source_new (VIREO_INSTALL_METHOD_KERNEL);
  self->kernel = g_strdup (kernel);
  if (initrd != NULL && *initrd != '\0')
    self->initrd = g_strdup (initrd);
  if (cmdline != NULL && *cmdline != '\0')
    self->extra_args = g_strdup (cmdline);
  return self;
}

VireoInstallMethod
vireo_install_source_get_method (VireoInstallSource *self)
{
  g_return_val_if_fail (VIREO_IS_INSTALL_SOURCE (self), VIREO_INSTALL_METHOD_ISO);
  return self->method;
}

const char *
vireo_install_source_get_path (VireoInstallSource *self)
{
  g_return_val_if_fail (VIREO_IS_INSTALL_SOURCE (self), NULL);
  return self->path;
}

const VireoInstallUrl *
vireo_install_source_get_url (VireoInstallSource *self)
{
  g_return_val_if_fail (VIREO_IS_INSTALL_SOURCE (self), NULL);
  return self->method == VIREO_INSTALL_METHOD_URL ? &self->url : NULL;
}

const char *
vireo_install_source_get_url_string (VireoInstallSource *self)
{
  g_return_val_if_fail (VIREO_IS_INSTALL_SOURCE (self), NULL);
  return self->url_string;
}

const char *
vireo_install_source_get_extra_args (VireoInstallSource *self)
{
  g_return_val_if_fail (VIREO_IS_INSTALL_SOURCE (self), NULL);
  return self->extra_args;
}

const char *
vireo_install_source_get_kernel (VireoInstallSource *self)
{
  g_return_val_if_fail (VIREO_IS_INSTALL_SOURCE (self), NULL);
  return self->kernel;
}

const char *
vireo_install_source_get_initrd (VireoInstallSource *self)
{
  g_return_val_if_fail (VIREO_IS_INSTALL_SOURCE (self), NULL);
  return self->initrd;
}

gboolean
vireo_install_source_allows_paravirt (VireoInstallSource *self,
                                      GError            **error)
{
  g_return_val_if_fail (VIREO_IS_INSTALL_SOURCE (self), FALSE);

  switch (self->method)
    {
    case VIREO_INSTALL_METHOD_ISO:
    case VIREO_INSTALL_METHOD_CDROM:
      g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                           _("A paravirtualized guest cannot install from an ISO or CD; "
                             "use a network install tree, or choose a fully virtualized (HVM) guest."));
      return FALSE;
    case VIREO_INSTALL_METHOD_PXE:
      g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_UNSUPPORTED,
                           _("A paravirtualized guest cannot boot from the network (PXE); "
                             "use a network install tree, or choose a fully virtualized (HVM) guest."));
      return FALSE;
    case VIREO_INSTALL_METHOD_URL:
    case VIREO_INSTALL_METHOD_IMPORT:
    case VIREO_INSTALL_METHOD_KERNEL:
    default:
      return TRUE;
    }
}
