/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include "vireo-vnc-capture.h"
#include "vireo-vnc-geometry.h"

#include <cairo.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <gvnc.h>
#include <unistd.h>

typedef struct {
  VncConnection    *conn;
  VncFramebuffer   *fb;
  guint8           *pixels;
  int               width;
  int               height;
  int               stride;
  VireoVncCoverage *coverage;
  GMainLoop        *loop;
  GError           *error;
  gboolean          complete;
  gboolean          disconnected;
  guint             timeout_id;
} Capture;

static void
capture_fail (Capture    *cap,
              GQuark      domain,
              int         code,
              const char *message)
{
  if (cap->error == NULL && !cap->complete)
    cap->error = g_error_new_literal (domain, code, message);
  g_main_loop_quit (cap->loop);
}

/* Cairo's RGB24 is a native-endian 0x00RRGGBB word: ask gvnc for exactly
 * that so the frame can be written without conversion. */
static void
capture_local_format (VncPixelFormat *fmt)
{
  *fmt = (VncPixelFormat) {
    .bits_per_pixel = 32,
    .depth = 24,
    .byte_order = G_BYTE_ORDER,
    .true_color_flag = 1,
    .red_max = 255,
    .green_max = 255,
    .blue_max = 255,
    .red_shift = 16,
    .green_shift = 8,
    .blue_shift = 0,
  };
}

static gboolean
capture_allocate (Capture *cap,
                  int      width,
                  int      height)
{
  VncPixelFormat local;

  g_clear_object (&cap->fb);
  g_clear_pointer (&cap->pixels, g_free);
  g_clear_pointer (&cap->coverage, vireo_vnc_coverage_free);

  capture_local_format (&local);
  cap->width = width;
  cap->height = height;
  cap->stride = cairo_format_stride_for_width (CAIRO_FORMAT_RGB24, width);
  cap->pixels = g_malloc0 ((gsize) cap->stride * MAX (height, 1));
  cap->coverage = vireo_vnc_coverage_new (width, height);
  cap->fb = VNC_FRAMEBUFFER (vnc_base_framebuffer_new (cap->pixels, width, height,
                                                       cap->stride, &local,
                                                       vnc_connection_get_pixel_format (cap->conn)));
  if (!vnc_connection_set_framebuffer (cap->conn, cap->fb))
    return FALSE;
  return vnc_connection_framebuffer_update_request (cap->conn, FALSE, 0, 0, width, height);
}

static void
on_initialized (VncConnection *conn,
                Capture       *cap)
{
  VncPixelFormat local;
  gint32 encodings[] = {
    VNC_CONNECTION_ENCODING_ZRLE,
    VNC_CONNECTION_ENCODING_HEXTILE,
    VNC_CONNECTION_ENCODING_RRE,
    VNC_CONNECTION_ENCODING_COPY_RECT,
    VNC_CONNECTION_ENCODING_RAW,
    VNC_CONNECTION_ENCODING_DESKTOP_RESIZE,
  };

  capture_local_format (&local);
  if (!vnc_connection_set_pixel_format (conn, &local) ||
      !vnc_connection_set_encodings (conn, G_N_ELEMENTS (encodings), encodings) ||
      !capture_allocate (cap, vnc_connection_get_width (conn), vnc_connection_get_height (conn)))
    capture_fail (cap, G_IO_ERROR, G_IO_ERROR_FAILED,
                  _("Could not set up the VNC connection"));
}

static void
on_desktop_resize (VncConnection *conn,
                   int            width,
                   int            height,
                   Capture       *cap)
{
  /* A resized desktop restarts the wait for a complete frame. */
  if (!capture_allocate (cap, width, height))
    capture_fail (cap, G_IO_ERROR, G_IO_ERROR_FAILED,
                  _("Could not follow the VNC desktop resize"));
}

static void
on_pixel_format_changed (VncConnection  *conn,
                         VncPixelFormat *format,
                         Capture        *cap)
{
  if (!capture_allocate (cap, cap->width, cap->height))
    capture_fail (cap, G_IO_ERROR, G_IO_ERROR_FAILED,
                  _("Could not follow the VNC pixel format change"));
}

static void
on_framebuffer_update (VncConnection *conn,
                       int            x,
                       int            y,
                       int            width,
                       int            height,
                       Capture       *cap)
{
  VireoVncRect r = { x, y, width, height };

  if (cap->coverage == NULL || cap->complete)
    return;
  vireo_vnc_coverage_add (cap->coverage, &r);
  if (vireo_vnc_coverage_complete (cap->coverage))
    {
      cap->complete = TRUE;
      g_main_loop_quit (cap->loop);
    }
}

static void
on_auth_credential (VncConnection *conn,
                    gpointer       creds,
                    Capture       *cap)
{
  capture_fail (cap, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                _("The VNC server requires a password"));
}

/* Without credentials only "None" can work; VNC auth is picked so the
 * server's password demand surfaces as a clear error. */
static void
on_auth_choose_type (VncConnection *conn,
                     gpointer       types_array,
                     Capture       *cap)
{
  guint chosen = VNC_CONNECTION_AUTH_INVALID;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GValueArray *types = types_array;

  for (guint i = 0; i < types->n_values; i++)
    {
      guint type = g_value_get_enum (g_value_array_get_nth (types, i));

      if (type == VNC_CONNECTION_AUTH_NONE)
        chosen = type;
      else if (type == VNC_CONNECTION_AUTH_VNC && chosen == VNC_CONNECTION_AUTH_INVALID)
        chosen = type;
    }
  G_GNUC_END_IGNORE_DEPRECATIONS

  if (chosen == VNC_CONNECTION_AUTH_INVALID)
    capture_fail (cap, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                  _("The VNC server offers no supported authentication type"));
  else
    vnc_connection_set_auth_type (conn, chosen);
}

static void
on_auth_failure (VncConnection *conn,
                 const char    *reason,
                 Capture       *cap)
{
  g_autofree char *msg = g_strdup_printf (_("VNC authentication failed: %s"),
                                          reason ? reason : "");
  capture_fail (cap, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, msg);
}

static void
on_auth_unsupported (VncConnection *conn,
                     guint          auth_type,
                     Capture       *cap)
{
  g_autofree char *msg = g_strdup_printf (_("Unsupported VNC authentication type %u"),
                                          auth_type);
  capture_fail (cap, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, msg);
}

static void
on_error (VncConnection *conn,
          const char    *message,
          Capture       *cap)
{
  g_autofree char *msg = g_strdup_printf (_("VNC error: %s"), message ? message : "");
  capture_fail (cap, G_IO_ERROR, G_IO_ERROR_FAILED, msg);
}

static void
on_disconnected (VncConnection *conn,
                 Capture       *cap)
{
  cap->disconnected = TRUE;
  capture_fail (cap, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                _("The VNC server closed the connection before sending a frame"));
}

static gboolean
on_timeout (gpointer data)
{
  Capture *cap = data;

  cap->timeout_id = 0;
  capture_fail (cap, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                _("Timed out waiting for a frame from the VNC server"));
  return G_SOURCE_REMOVE;
}

static gboolean
write_png (Capture     *cap,
           const char  *path,
           GError     **error)
{
  cairo_surface_t *surface;
  cairo_status_t status;

  surface = cairo_image_surface_create_for_data (cap->pixels, CAIRO_FORMAT_RGB24,
                                                 cap->width, cap->height, cap->stride);
  status = cairo_surface_write_to_png (surface, path);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not write %s: %s"), path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

gboolean
vireo_vnc_capture_png (int          fd,
                       const char  *path,
                       guint        timeout_ms,
                       GError     **error)
{
  Capture cap = { 0 };
  gboolean ok = FALSE;

  g_return_val_if_fail (fd >= 0, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  cap.conn = vnc_connection_new ();
  cap.loop = g_main_loop_new (NULL, FALSE);

  g_signal_connect (cap.conn, "vnc-initialized", G_CALLBACK (on_initialized), &cap);
  g_signal_connect (cap.conn, "vnc-desktop-resize", G_CALLBACK (on_desktop_resize), &cap);
  g_signal_connect (cap.conn, "vnc-pixel-format-changed", G_CALLBACK (on_pixel_format_changed), &cap);
  g_signal_connect (cap.conn, "vnc-framebuffer-update", G_CALLBACK (on_framebuffer_update), &cap);
  g_signal_connect (cap.conn, "vnc-auth-credential", G_CALLBACK (on_auth_credential), &cap);
  g_signal_connect (cap.conn, "vnc-auth-choose-type", G_CALLBACK (on_auth_choose_type), &cap);
  g_signal_connect (cap.conn, "vnc-auth-failure", G_CALLBACK (on_auth_failure), &cap);
  g_signal_connect (cap.conn, "vnc-auth-unsupported", G_CALLBACK (on_auth_unsupported), &cap);
  g_signal_connect (cap.conn, "vnc-error", G_CALLBACK (on_error), &cap);
  g_signal_connect (cap.conn, "vnc-disconnected", G_CALLBACK (on_disconnected), &cap);

  if (!vnc_connection_open_fd (cap.conn, fd))
    {
      close (fd);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("Could not open the VNC connection"));
      goto out;
    }

  cap.timeout_id = g_timeout_add (timeout_ms, on_timeout, &cap);
  g_main_loop_run (cap.loop);
  g_clear_handle_id (&cap.timeout_id, g_source_remove);

  if (cap.complete)
    ok = write_png (&cap, path, error);
  else
    g_propagate_error (error, g_steal_pointer (&cap.error));

  /* Let the connection's coroutine wind down before the objects go. */
  if (!cap.disconnected)
    {
      gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

      vnc_connection_shutdown (cap.conn);
      while (!cap.disconnected && g_get_monotonic_time () < deadline)
        {
          if (!g_main_context_iteration (NULL, FALSE))
            g_usleep (1000);
        }
    }

out:
  g_clear_error (&cap.error);
  g_signal_handlers_disconnect_by_data (cap.conn, &cap);
  g_clear_object (&cap.conn);
  g_clear_object (&cap.fb);
  g_clear_pointer (&cap.pixels, g_free);
  g_clear_pointer (&cap.coverage, vireo_vnc_coverage_free);
  g_main_loop_unref (cap.loop);
  return ok;
}
