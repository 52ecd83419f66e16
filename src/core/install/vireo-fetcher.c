/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <nfsc/libnfs.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vireo-config.h"
#include "vireo-types.h"
#include "vireo-fetcher.h"

#define READ_CHUNK (256 * 1024)
#define NFS_TIMEOUT_MS 30000

struct _VireoFetcher
{
  GObject         parent_instance;
  VireoInstallUrl url;
  char           *display;      /* the URL for messages, without a password */
  GMutex          nfs_lock;
  char           *nfs_export;   /* the export that worked last, to skip probing */
};

G_DEFINE_FINAL_TYPE (VireoFetcher, vireo_fetcher, G_TYPE_OBJECT)

enum { SIGNAL_PROGRESS, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
vireo_fetcher_finalize (GObject *object)
{
  VireoFetcher *self = VIREO_FETCHER (object);

  vireo_install_url_clear (&self->url);
  g_free (self->display);
  g_free (self->nfs_export);
  g_mutex_clear (&self->nfs_lock);
  G_OBJECT_CLASS (vireo_fetcher_parent_class)->finalize (object);
}

static void
vireo_fetcher_class_init (VireoFetcherClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vireo_fetcher_finalize;

  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_STRING, G_TYPE_UINT64, G_TYPE_UINT64);
}

static void
vireo_fetcher_init (VireoFetcher *self)
{
  g_mutex_init (&self->nfs_lock);
}

VireoFetcher *
vireo_fetcher_new (const char *url,
                   GError    **error)
{
  g_autoptr(VireoFetcher) self = g_object_new (VIREO_TYPE_FETCHER, NULL);

  if (!vireo_install_url_parse (url, &self->url, error))
    return NULL;
  self->display = vireo_install_url_to_display (&self->url);
  return g_steal_pointer (&self);
}

const VireoInstallUrl *
vireo_fetcher_get_url (VireoFetcher *self)
{
  g_return_val_if_fail (VIREO_IS_FETCHER (self), NULL);
  return &self->url;
}

char *
vireo_fetcher_dup_file_url (VireoFetcher *self,
                            const char   *relative)
{
  g_return_val_if_fail (VIREO_IS_FETCHER (self), NULL);
  return vireo_install_url_resolve (&self->url, relative);
}

/* The URL of a file for messages: never shows a password. */
static char *
display_file_url (VireoFetcher *self,
                  const char   *relative)
{
  VireoInstallUrl copy = self->url;

  copy.password = NULL;
  if (self->url.scheme == VIREO_URL_SCHEME_FILE)
    return vireo_install_url_resolve_local (&self->url, relative);
  return vireo_install_url_resolve (&copy, relative);
}

/* ------------------------------------------------------------------------ */
/* Where the bytes go: memory (bounded) or a file descriptor.              */

typedef struct {
  VireoFetcher          *fetcher;
  const char            *relative;
  GByteArray            *bytes;       /* memory mode */
  gsize                  max_size;
  int                    fd;          /* file mode, else -1 */
  guint64                done;
  guint64                total;
  VireoFetchProgressFunc progress;
  gpointer               progress_data;
  GCancellable          *cancellable;
  GError                *error;       /* why the sink refused data */
} Sink;

static gboolean
sink_write (Sink       *sink,
            const void *data,
            gsize       len)
{
  if (sink->bytes != NULL)
    {
      if (sink->bytes->len + len > sink->max_size)
        {
          g_autofree char *where = display_file_url (sink->fetcher, sink->relative);
          /* A size macro inside a translatable string would break gettext. */
          g_autofree char *limit = g_format_size (sink->max_size);

          g_set_error (&sink->error, VIREO_ERROR, VIREO_ERROR_FAILED,
                       _("%s is larger than %s, too large for "
                         "an install tree’s description file. Check the URL."),
                       where, limit);
          return FALSE;
        }
      g_byte_array_append (sink->bytes, data, len);
    }
  else
    {
      const guint8 *p = data;
      gsize left = len;

      while (left > 0)
        {
          ssize_t n = write (sink->fd, p, left);

          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            {
              int saved = errno;

              g_set_error (&sink->error, VIREO_ERROR, VIREO_ERROR_FAILED,
                           _("Could not write the download to disk: %s. Free some space "
                             "or choose another cache directory."), g_strerror (saved));
              return FALSE;
            }
          p += n;
          left -= n;
        }
    }

  sink->done += len;
  if (sink->progress != NULL)
    sink->progress (sink->done, sink->total, sink->progress_data);
  return TRUE;
}

static void
set_cancelled (GError **error)
{
  g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_CANCELLED,
                       _("The download was cancelled."));
}

static void
set_not_found (VireoFetcher *self,
               const char   *relative,
               GError      **error)
{
  g_autofree char *where = display_file_url (self, relative);

  g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_FOUND,
               _("“%s” was not found at %s. Check that the URL points to the top of "
                 "an install tree for this architecture."),
               relative, where);
}

/* ------------------------------------------------------------------------ */
/* libcurl: http, https, ftp                                               */

static gsize
curl_write_cb (char  *ptr,
               size_t size,
               size_t nmemb,
               void  *user_data)
{
  Sink *sink = user_data;
  gsize len = size * nmemb;

  if (!sink_write (sink, ptr, len))
    return 0;   /* makes curl stop with CURLE_WRITE_ERROR */
  return len;
}

static gsize
curl_discard_cb (char  *ptr,
                 size_t size,
                 size_t nmemb,
                 void  *user_data)
{
  return size * nmemb;
}

static int
curl_xferinfo_cb (void      *user_data,
                  curl_off_t dltotal,
                  curl_off_t dlnow,
                  curl_off_t ultotal,
                  curl_off_t ulnow)
{
  Sink *sink = user_data;

  if (dltotal > 0)
    sink->total = dltotal;
  return g_cancellable_is_cancelled (sink->cancellable) ? 1 : 0;
}

static gpointer
curl_init_once (gpointer data)
{
  curl_global_init (CURL_GLOBAL_DEFAULT);
  return NULL;
}

/* `sink` NULL: only ask whether the file exists (HEAD / SIZE). */
static gboolean
curl_transfer (VireoFetcher *self,
               const char   *relative,
               Sink         *sink,
               gboolean     *missing,
               GCancellable *cancellable,
               GError      **error)
{
  static GOnce once = G_ONCE_INIT;
  g_autofree char *url = vireo_install_url_resolve (&self->url, relative);
  char errbuf[CURL_ERROR_SIZE] = "";
  Sink probe = { 0 };
  CURL *curl;
  CURLcode rc;
  long status = 0;
  gboolean ok = FALSE;

  g_once (&once, curl_init_once, NULL);
  *missing = FALSE;

  curl = curl_easy_init ();
  if (curl == NULL)
    {
      g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                           _("Could not start a download (out of memory?)."));
      return FALSE;
    }

  if (sink == NULL)
    {
      probe.fetcher = self;
      probe.relative = relative;
      probe.cancellable = cancellable;
      curl_easy_setopt (curl, CURLOPT_NOBODY, 1L);
      /* FTP hands its pseudo-headers to the write callback: drop them. */
      curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, curl_discard_cb);
    }
  else
    {
      curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, curl_write_cb);
      curl_easy_setopt (curl, CURLOPT_WRITEDATA, sink);
    }

  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);   /* we run in threads */
  curl_easy_setopt (curl, CURLOPT_FOLLOWLOCATION, 1L);
  /* An error page must never land in a file or pass for a .treeinfo. */
  curl_easy_setopt (curl, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt (curl, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT, 30L);
  /* A server that stops sending for a minute is treated as gone. */
  curl_easy_setopt (curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (curl, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt (curl, CURLOPT_USERAGENT, "Vireo/" PACKAGE_VERSION);
  curl_easy_setopt (curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt (curl, CURLOPT_XFERINFOFUNCTION, curl_xferinfo_cb);
  curl_easy_setopt (curl, CURLOPT_XFERINFODATA, sink ? sink : &probe);
  curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "http,https,ftp");
  curl_easy_setopt (curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https,ftp");

  rc = curl_easy_perform (curl);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);

  if (rc == CURLE_ABORTED_BY_CALLBACK || g_cancellable_is_cancelled (cancellable))
    set_cancelled (error);
  else if (rc == CURLE_WRITE_ERROR && sink != NULL && sink->error != NULL)
    g_propagate_error (error, g_steal_pointer (&sink->error));
  else if (rc == CURLE_REMOTE_FILE_NOT_FOUND ||
           /* FTP answers 550 to CWD into a directory that is not there. */
           (rc == CURLE_REMOTE_ACCESS_DENIED && self->url.scheme == VIREO_URL_SCHEME_FTP) ||
           ((rc == CURLE_OK || rc == CURLE_HTTP_RETURNED_ERROR) &&
            (status == 404 || status == 410) && self->url.scheme != VIREO_URL_SCHEME_FTP))
    {
      *missing = TRUE;
      set_not_found (self, relative, error);
    }
  else if (rc == CURLE_COULDNT_RESOLVE_HOST)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                 _("The host “%s” could not be found. Check the spelling of the URL "
                   "and your network connection."), self->url.host);
  else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_OPERATION_TIMEDOUT)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                 _("Could not reach the host “%s” (%s). Check that the server is "
                   "running and that this computer can reach it."),
                 self->url.host, errbuf[0] ? errbuf : curl_easy_strerror (rc));
  else if (rc == CURLE_LOGIN_DENIED ||
           (self->url.scheme != VIREO_URL_SCHEME_FTP && (status == 401 || status == 403)))
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_AUTH_FAILED,
                 _("The server %s refused access to “%s”. Check the user name and "
                   "password in the URL, or the server’s permissions."),
                 self->url.host, relative);
  else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                 _("The secure connection to “%s” failed: %s. Check the host’s certificate, "
                   "or use http:// for a trusted local mirror."),
                 self->url.host, errbuf[0] ? errbuf : curl_easy_strerror (rc));
  else if ((rc == CURLE_OK || rc == CURLE_HTTP_RETURNED_ERROR) && status >= 400 &&
           self->url.scheme != VIREO_URL_SCHEME_FTP)
    {
      g_autofree char *where = display_file_url (self, relative);

      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("The server answered %ld for %s. Check the URL, or try again later."),
                   status, where);
    }
  else if (rc != CURLE_OK)
    {
      g_autofree char *where = display_file_url (self, relative);

      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Could not download %s: %s."),
                   where, errbuf[0] ? errbuf : curl_easy_strerror (rc));
    }
  else
    ok = TRUE;

  curl_easy_cleanup (curl);
  return ok;
}

/* ------------------------------------------------------------------------ */
/* libnfs: nfs://host/export/path, read without mounting in the kernel.     */

static char *
path_parent (const char *path)
{
  const char *slash = strrchr (path, '/');

  if (slash == NULL || slash == path)
    return g_strdup ("/");
  return g_strndup (path, slash - path);
}

/* The file's path on the server, "/" joined, without "..". */
static char *
nfs_full_path (VireoFetcher *self,
               const char   *relative)
{
  VireoInstallUrl copy = self->url;
  g_autofree char *full = NULL;
  g_autoptr(GUri) uri = NULL;

  copy.scheme = VIREO_URL_SCHEME_FILE;   /* resolve_local only joins paths */
  full = vireo_install_url_resolve_local (&copy, relative);
  return g_steal_pointer (&full);
}

/* Mounts the export that holds `full_path` (the longest prefix the server
 * accepts) and gives the path inside it. */
static struct nfs_context *
nfs_connect (VireoFetcher *self,
             const char   *full_path,
             char        **inner_path,
             GCancellable *cancellable,
             GError      **error)
{
  g_autofree char *cached = NULL;
  g_autofree char *last_error = NULL;
  g_autofree char *candidate = NULL;

  g_mutex_lock (&self->nfs_lock);
  cached = g_strdup (self->nfs_export);
  g_mutex_unlock (&self->nfs_lock);

  candidate = cached && g_str_has_prefix (full_path, cached) ? g_strdup (cached)
                                                           : path_parent (full_path);
  for (;;)
    {
      struct nfs_context *nfs;

      if (g_cancellable_is_cancelled (cancellable))
        {
          set_cancelled (error);
          return NULL;
        }

      nfs = nfs_init_context ();
      if (nfs == NULL)
        {
          g_set_error_literal (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                               _("Could not start an NFS client (out of memory?)."));
          return NULL;
        }
      nfs_set_timeout (nfs, NFS_TIMEOUT_MS);

      if (nfs_mount (nfs, self->url.host, candidate) == 0)
        {
          gsize len = strcmp (candidate, "/") == 0 ? 0 : strlen (candidate);

          *inner_path = g_strdup (full_path[len] ? full_path + len : "/");
          g_mutex_lock (&self->nfs_lock);
          g_free (self->nfs_export);
          self->nfs_export = g_strdup (candidate);
          g_mutex_unlock (&self->nfs_lock);
          return nfs;
        }

      g_free (last_error);
      last_error = g_strdup (nfs_get_error (nfs));
      nfs_destroy_context (nfs);

      if (strcmp (candidate, "/") == 0)
        break;
      {
        char *parent = path_parent (candidate);

        g_free (candidate);
        candidate = parent;
      }
    }

  /* A MOUNT reply (MNT3ERR_…) means the server answered: the path is wrong.
   * Anything else means we never got that far. */
  if (last_error != NULL && strstr (last_error, "MNT3ERR") == NULL)
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                 _("Could not reach the NFS server “%s” (%s). Check that it is running "
                   "and that this computer can reach it."),
                 self->url.host, last_error);
  else
    /* Not NOT_FOUND: no file of this URL can be read, so detection must
     * stop here with this message rather than try other layouts. */
    g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                 _("The NFS server “%s” exports no directory holding %s (%s). Check the "
                   "path in the URL against the server’s exports."),
                 self->url.host, full_path, last_error ? last_error : "?");
  return NULL;
}

static gboolean
nfs_transfer (VireoFetcher *self,
              const char   *relative,
              Sink         *sink,
              gboolean     *missing,
              GCancellable *cancellable,
              GError      **error)
{
  g_autofree char *full = nfs_full_path (self, relative);
  g_autofree char *inner = NULL;
  g_autofree guint8 *buf = NULL;
  struct nfs_context *nfs;
  struct nfsfh *fh = NULL;
  struct nfs_stat_64 st;
  gboolean ok = FALSE;
  int rc;

  *missing = FALSE;
  nfs = nfs_connect (self, full, &inner, cancellable, error);
  if (nfs == NULL)
    return FALSE;

  if (sink == NULL)
    {
      rc = nfs_stat64 (nfs, inner, &st);
      if (rc == -ENOENT)
        {
          *missing = TRUE;
          set_not_found (self, relative, error);
        }
      else if (rc < 0)
        g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                     _("Could not examine %s on the NFS server “%s”: %s."),
                     inner, self->url.host, nfs_get_error (nfs));
      else
        ok = TRUE;
      goto out;
    }

  rc = nfs_open (nfs, inner, O_RDONLY, &fh);
  if (rc == -ENOENT)
    {
      *missing = TRUE;
      set_not_found (self, relative, error);
      goto out;
    }
  if (rc < 0)
    {
      g_set_error (error, VIREO_ERROR, rc == -EACCES ? VIREO_ERROR_NOT_ALLOWED : VIREO_ERROR_FAILED,
                   _("Could not open %s on the NFS server “%s”: %s. Check the export’s permissions."),
                   inner, self->url.host, nfs_get_error (nfs));
      goto out;
    }
  if (nfs_fstat64 (nfs, fh, &st) == 0)
    sink->total = st.nfs_size;

  buf = g_malloc (READ_CHUNK);
  for (;;)
    {
      int n;

      if (g_cancellable_is_cancelled (cancellable))
        {
          set_cancelled (error);
          goto out;
        }
      n = nfs_read (nfs, fh, READ_CHUNK, buf);
      if (n < 0)
        {
          g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                       _("Reading %s from the NFS server “%s” failed: %s."),
                       inner, self->url.host, nfs_get_error (nfs));
          goto out;
        }
      if (n == 0)
        break;
      if (!sink_write (sink, buf, n))
        {
          g_propagate_error (error, g_steal_pointer (&sink->error));
          goto out;
        }
    }
  ok = TRUE;

out:
  if (fh != NULL)
    nfs_close (nfs, fh);
  nfs_destroy_context (nfs);
  return ok;
}

/* ------------------------------------------------------------------------ */
/* Local trees (file:// or a path)                                          */

static gboolean
local_transfer (VireoFetcher *self,
                const char   *relative,
                Sink         *sink,
                gboolean     *missing,
                GCancellable *cancellable,
                GError      **error)
{
  g_autofree char *path = vireo_install_url_resolve_local (&self->url, relative);
  g_autofree guint8 *buf = NULL;
  GStatBuf st;
  int fd;
  gboolean ok = FALSE;

  *missing = FALSE;
  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
    {
      *missing = TRUE;
      set_not_found (self, relative, error);
      return FALSE;
    }
  if (sink == NULL)
    return TRUE;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, VIREO_ERROR, VIREO_ERROR_NOT_ALLOWED,
                   _("Could not read %s: %s. Check its permissions."), path, g_strerror (saved));
      return FALSE;
    }
  sink->total = st.st_size;
  buf = g_malloc (READ_CHUNK);
  for (;;)
    {
      ssize_t n;

      if (g_cancellable_is_cancelled (cancellable))
        {
          set_cancelled (error);
          goto out;
        }
      n = read (fd, buf, READ_CHUNK);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                       _("Could not read %s: %s."), path, g_strerror (saved));
          goto out;
        }
      if (n == 0)
        break;
      if (!sink_write (sink, buf, n))
        {
          g_propagate_error (error, g_steal_pointer (&sink->error));
          goto out;
        }
    }
  ok = TRUE;
out:
  close (fd);
  return ok;
}

static gboolean
transfer (VireoFetcher *self,
          const char   *relative,
          Sink         *sink,
          gboolean     *missing,
          GCancellable *cancellable,
          GError      **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, NULL))
    {
      set_cancelled (error);
      return FALSE;
    }

  switch (self->url.scheme)
    {
    case VIREO_URL_SCHEME_HTTP:
    case VIREO_URL_SCHEME_HTTPS:
    case VIREO_URL_SCHEME_FTP:
      return curl_transfer (self, relative, sink, missing, cancellable, error);
    case VIREO_URL_SCHEME_NFS:
      return nfs_transfer (self, relative, sink, missing, cancellable, error);
    case VIREO_URL_SCHEME_FILE:
    default:
      return local_transfer (self, relative, sink, missing, cancellable, error);
    }
}

/* ------------------------------------------------------------------------ */
/* Synchronous API                                                          */

GBytes *
vireo_fetcher_fetch_bytes (VireoFetcher  *self,
                           const char    *relative,
                           gsize          max_size,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  Sink sink = { 0 };
  gboolean missing;

  g_return_val_if_fail (VIREO_IS_FETCHER (self), NULL);
  g_return_val_if_fail (relative != NULL, NULL);

  sink.fetcher = self;
  sink.relative = relative;
  sink.bytes = bytes;
  sink.max_size = max_size ? max_size : VIREO_FETCHER_DEFAULT_MAX_BYTES;
  sink.fd = -1;
  sink.cancellable = cancellable;

  if (!transfer (self, relative, &sink, &missing, cancellable, error))
    {
      g_clear_error (&sink.error);
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}

gboolean
vireo_fetcher_exists (VireoFetcher  *self,
                      const char    *relative,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean missing = FALSE;

  g_return_val_if_fail (VIREO_IS_FETCHER (self), FALSE);

  if (transfer (self, relative, NULL, &missing, cancellable, &local_error))
    return TRUE;
  if (!missing)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

gboolean
vireo_fetcher_fetch_to_file (VireoFetcher          *self,
                             const char            *relative,
                             const char            *dest_path,
                             VireoFetchProgressFunc progress,
                             gpointer               progress_data,
                             GCancellable          *cancellable,
                             GError               **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmp = NULL;
  Sink sink = { 0 };
  gboolean missing;
  gboolean ok;
  int fd;

  g_return_val_if_fail (VIREO_IS_FETCHER (self), FALSE);
  g_return_val_if_fail (relative != NULL && dest_path != NULL, FALSE);

  dir = g_path_get_dirname (dest_path);
  base = g_path_get_basename (dest_path);
  /* Download beside the destination, then rename: nothing half-written is
   * ever seen under the real name. */
  tmp = g_strdup_printf ("%s/.%s.XXXXXX.part", dir, base);
  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Could not create a file in %s: %s. Check that the directory exists "
                     "and is writable."), dir, g_strerror (saved));
      return FALSE;
    }

  sink.fetcher = self;
  sink.relative = relative;
  sink.fd = fd;
  sink.progress = progress;
  sink.progress_data = progress_data;
  sink.cancellable = cancellable;

  ok = transfer (self, relative, &sink, &missing, cancellable, error);
  g_clear_error (&sink.error);

  if (ok && fsync (fd) != 0 && errno != EINVAL)
    {
      int saved = errno;

      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Could not write the download to disk: %s."), g_strerror (saved));
      ok = FALSE;
    }
  close (fd);

  if (ok && g_rename (tmp, dest_path) != 0)
    {
      int saved = errno;

      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Could not save the download as %s: %s."), dest_path, g_strerror (saved));
      ok = FALSE;
    }
  if (!ok)
    g_unlink (tmp);
  return ok;
}

/* ------------------------------------------------------------------------ */
/* Asynchronous API                                                         */

typedef struct {
  VireoFetcher *fetcher;     /* owned */
  char         *relative;    /* the file being fetched (under lock for files) */
  char         *dest_path;
  GStrv         relatives;   /* fetch_files: all of them */
  GStrv         dest_paths;
  GMainContext *context;     /* where "progress" is emitted */
  GMutex        lock;
  guint64       done;
  guint64       total;
  gboolean      pending;     /* an idle is queued to emit the latest values */
  gint64        last_emit;
} FetchJob;

static void
fetch_job_free (gpointer data)
{
  FetchJob *job = data;

  g_clear_object (&job->fetcher);
  g_free (job->relative);
  g_free (job->dest_path);
  g_strfreev (job->relatives);
  g_strfreev (job->dest_paths);
  g_main_context_unref (job->context);
  g_mutex_clear (&job->lock);
  g_free (job);
}

static FetchJob *
fetch_job_new (VireoFetcher *self,
               const char   *relative,
               const char   *dest_path)
{
  FetchJob *job = g_new0 (FetchJob, 1);

  job->fetcher = g_object_ref (self);
  job->relative = g_strdup (relative);
  job->dest_path = g_strdup (dest_path);
  job->context = g_main_context_ref_thread_default ();
  g_mutex_init (&job->lock);
  return job;
}

typedef struct {
  VireoFetcher *fetcher;
  char         *relative;
  guint64       done;
  guint64       total;
} ProgressEmit;

static gboolean
emit_progress_cb (gpointer data)
{
  ProgressEmit *emit = data;

  g_signal_emit (emit->fetcher, signals[SIGNAL_PROGRESS], 0,
                 emit->relative, emit->done, emit->total);
  return G_SOURCE_REMOVE;
}

static void
progress_emit_free (gpointer data)
{
  ProgressEmit *emit = data;

  g_object_unref (emit->fetcher);
  g_free (emit->relative);
  g_free (emit);
}

static void
queue_progress (FetchJob *job,
                guint64   done,
                guint64   total)
{
  ProgressEmit *emit = g_new0 (ProgressEmit, 1);
  GSource *source = g_idle_source_new ();

  emit->fetcher = g_object_ref (job->fetcher);
  emit->relative = g_strdup (job->relative);
  emit->done = done;
  emit->total = total;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, emit_progress_cb, emit, progress_emit_free);
  g_source_set_static_name (source, "[vireo] fetch progress");
  g_source_attach (source, job->context);
  g_source_unref (source);
}

/* Worker side: at most ten reports a second reach the main context. */
static void
job_progress (guint64  done,
              guint64  total,
              gpointer user_data)
{
  FetchJob *job = user_data;
  gint64 now = g_get_monotonic_time ();
  gboolean send;

  g_mutex_lock (&job->lock);
  job->done = done;
  job->total = total;
  send = now - job->last_emit >= G_USEC_PER_SEC / 10;
  if (send)
    {
      job->last_emit = now;
      queue_progress (job, done, total);
    }
  g_mutex_unlock (&job->lock);
}

static void
fetch_bytes_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  FetchJob *job = task_data;
  GError *error = NULL;
  GBytes *bytes;

  bytes = vireo_fetcher_fetch_bytes (job->fetcher, job->relative, 0, cancellable, &error);
  if (bytes == NULL)
    g_task_return_error (task, error);
  else
    {
      g_mutex_lock (&job->lock);
      queue_progress (job, g_bytes_get_size (bytes), g_bytes_get_size (bytes));
      g_mutex_unlock (&job->lock);
      g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
    }
}

void
vireo_fetcher_fetch_bytes_async (VireoFetcher        *self,
                                 const char          *relative,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (VIREO_IS_FETCHER (self));
  g_return_if_fail (relative != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_fetcher_fetch_bytes_async);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_set_check_cancellable (task, FALSE);   /* our own VIREO_ERROR_CANCELLED */
  g_task_set_task_data (task, fetch_job_new (self, relative, NULL), fetch_job_free);
  g_task_run_in_thread (task, fetch_bytes_thread);
}

GBytes *
vireo_fetcher_fetch_bytes_finish (VireoFetcher  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
fetch_file_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  FetchJob *job = task_data;
  GError *error = NULL;

  if (!vireo_fetcher_fetch_to_file (job->fetcher, job->relative, job->dest_path,
                                    job_progress, job, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_mutex_lock (&job->lock);
  queue_progress (job, job->done, job->total ? job->total : job->done);
  g_mutex_unlock (&job->lock);
  g_task_return_boolean (task, TRUE);
}

void
vireo_fetcher_fetch_to_file_async (VireoFetcher        *self,
                                   const char          *relative,
                                   const char          *dest_path,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (VIREO_IS_FETCHER (self));
  g_return_if_fail (relative != NULL && dest_path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_fetcher_fetch_to_file_async);
  g_task_set_return_on_cancel (task, FALSE);   /* the partial file must go first */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, fetch_job_new (self, relative, dest_path), fetch_job_free);
  g_task_run_in_thread (task, fetch_file_thread);
}

gboolean
vireo_fetcher_fetch_to_file_finish (VireoFetcher  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
fetch_files_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  FetchJob *job = task_data;
  GError *error = NULL;
  guint n = g_strv_length (job->relatives);

  for (guint i = 0; i < n; i++)
    {
      g_mutex_lock (&job->lock);
      g_free (job->relative);
      job->relative = g_strdup (job->relatives[i]);
      job->done = job->total = 0;
      job->last_emit = 0;
      g_mutex_unlock (&job->lock);

      if (!vireo_fetcher_fetch_to_file (job->fetcher, job->relatives[i], job->dest_paths[i],
                                        job_progress, job, cancellable, &error))
        {
          /* All or nothing: the files already fetched go too. */
          for (guint j = 0; j < i; j++)
            g_unlink (job->dest_paths[j]);
          g_task_return_error (task, error);
          return;
        }

      g_mutex_lock (&job->lock);
      queue_progress (job, job->done, job->total ? job->total : job->done);
      g_mutex_unlock (&job->lock);
    }
  g_task_return_boolean (task, TRUE);
}

void
vireo_fetcher_fetch_files_async (VireoFetcher        *self,
                                 const char * const  *relatives,
                                 const char * const  *dest_paths,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  FetchJob *job;

  g_return_if_fail (VIREO_IS_FETCHER (self));
  g_return_if_fail (relatives != NULL && dest_paths != NULL);
  g_return_if_fail (g_strv_length ((GStrv) relatives) == g_strv_length ((GStrv) dest_paths));

  job = fetch_job_new (self, relatives[0] ? relatives[0] : "", NULL);
  job->relatives = g_strdupv ((GStrv) relatives);
  job->dest_paths = g_strdupv ((GStrv) dest_paths);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vireo_fetcher_fetch_files_async);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, job, fetch_job_free);
  g_task_run_in_thread (task, fetch_files_thread);
}

gboolean
vireo_fetcher_fetch_files_finish (VireoFetcher  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

char *
vireo_fetcher_dup_cache_dir (GError **error)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "vireo", "boot", NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, VIREO_ERROR, VIREO_ERROR_FAILED,
                   _("Could not create the download cache %s: %s. Check the permissions "
                     "of your cache directory."), dir, g_strerror (saved));
      return NULL;
    }
  return g_steal_pointer (&dir);
}
