/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include "vireo-vnc-display-private.h"

#include <glib/gi18n.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The connection and framebuffer half of the VNC widget: gvnc protocol
 * events, the tile textures and drawing. Keyboard, pointer and clipboard
 * live in vireo-vnc-display-input.c. */

G_DEFINE_FINAL_TYPE (VireoVncDisplay, vireo_vnc_display, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SCALING,
  PROP_GRAB_KEYBOARD,
  PROP_WIDTH,
  PROP_HEIGHT,
  N_PROPS
};

enum {
  SIGNAL_CONNECTED,
  SIGNAL_INITIALIZED,
  SIGNAL_DISCONNECTED,
  SIGNAL_NEED_PASSWORD,
  SIGNAL_AUTH_FAILURE,
  SIGNAL_ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* B8G8R8X8 in memory on every host: what GDK_MEMORY_B8G8R8A8_PREMULTIPLIED
 * uploads directly once the X byte is forced to 0xff. */
static void
local_pixel_format (VncPixelFormat *fmt)
{
  *fmt = (VncPixelFormat) {
    .bits_per_pixel = 32,
    .depth = 24,
    .byte_order = G_LITTLE_ENDIAN,
    .true_color_flag = 1,
    .red_max = 255,
    .green_max = 255,
    .blue_max = 255,
    .red_shift = 16,
    .green_shift = 8,
    .blue_shift = 0,
  };
}

/* Copies a rectangle of the frame into new bytes with opaque alpha. */
static GBytes *
copy_rect_opaque (VireoVncDisplay    *self,
                  const VireoVncRect *r,
                  gsize              *out_stride)
{
  gsize stride = (gsize) r->width * 4;
  guint8 *data = g_malloc (stride * r->height);

  for (int y = 0; y < r->height; y++)
    {
      const guint32 *src = (const guint32 *) (self->pixels + (gsize) (r->y + y) * self->stride) + r->x;
      guint32 *dst = (guint32 *) (data + (gsize) y * stride);

      for (int x = 0; x < r->width; x++)
        dst[x] = src[x] | GUINT32_TO_LE (0xff000000u);
    }

  *out_stride = stride;
  return g_bytes_new_take (data, stride * r->height);
}

static void
free_tiles (VireoVncDisplay *self)
{
  if (self->tiles != NULL && self->grid != NULL)
    {
      guint n = vireo_vnc_tile_grid_n_tiles (self->grid);

      for (guint i = 0; i < n; i++)
        g_clear_object (&self->tiles[i]);
    }
  if (self->tile_nodes != NULL && self->grid != NULL)
    {
      guint n = vireo_vnc_tile_grid_n_tiles (self->grid);

      for (guint i = 0; i < n; i++)
        g_clear_pointer (&self->tile_nodes[i], gsk_render_node_unref);
    }
  g_clear_pointer (&self->tile_nodes, g_free);
  g_clear_pointer (&self->surface, cairo_surface_destroy);
  g_clear_pointer (&self->tiles, g_free);
  g_clear_pointer (&self->tile_uploads, g_free);
  g_clear_pointer (&self->grid, vireo_vnc_tile_grid_free);
}

/* Re-makes the texture of every tile with pending damage, and only those. */
static void
refresh_tiles (VireoVncDisplay *self)
{
  guint n;

  if (self->grid == NULL || self->grid->n_dirty == 0)
    return;

  n = vireo_vnc_tile_grid_n_tiles (self->grid);
  for (guint i = 0; i < n && self->grid->n_dirty > 0; i++)
    {
      VireoVncRect dirty, tile;
      g_autoptr(GBytes) bytes = NULL;
      gsize stride;

      if (!vireo_vnc_tile_grid_take_dirty (self->grid, i, &dirty))
        continue;

      vireo_vnc_tile_grid_tile_rect (self->grid, i, &tile);
      bytes = copy_rect_opaque (self, &tile, &stride);
      self->tile_uploads[i]++;

#if GTK_CHECK_VERSION (4, 16, 0)
      {
        g_autoptr(GdkMemoryTextureBuilder) builder = gdk_memory_texture_builder_new ();

        gdk_memory_texture_builder_set_bytes (builder, bytes);
        gdk_memory_texture_builder_set_stride (builder, stride);
        gdk_memory_texture_builder_set_width (builder, tile.width);
        gdk_memory_texture_builder_set_height (builder, tile.height);
        gdk_memory_texture_builder_set_format (builder, GDK_MEMORY_B8G8R8A8_PREMULTIPLIED);
        if (self->tiles[i] != NULL)
          {
            /* GTK re-uploads only the damaged part of the old texture. */
            cairo_rectangle_int_t area = {
              dirty.x - tile.x, dirty.y - tile.y, dirty.width, dirty.height
            };
            cairo_region_t *region = cairo_region_create_rectangle (&area);

            gdk_memory_texture_builder_set_update_texture (builder, self->tiles[i]);
            gdk_memory_texture_builder_set_update_region (builder, region);
            cairo_region_destroy (region);
          }
        g_set_object (&self->tiles[i], NULL);
        self->tiles[i] = gdk_memory_texture_builder_build (builder);
      }
#else
      g_clear_object (&self->tiles[i]);
      self->tiles[i] = gdk_memory_texture_new (tile.width, tile.height,
                                               GDK_MEMORY_B8G8R8A8_PREMULTIPLIED,
                                               bytes, stride);
#endif
    }
}

static gboolean
allocate_framebuffer (VireoVncDisplay *self,
                      int              width,
                      int              height)
{
  VncPixelFormat local;
  guint8 *pixels;
  gboolean size_changed = width != self->fb_width || height != self->fb_height;

  local_pixel_format (&local);
  free_tiles (self);
  g_clear_object (&self->fb);

  self->fb_width = MAX (width, 0);
  self->fb_height = MAX (height, 0);
  self->stride = self->fb_width * 4;
  pixels = g_malloc0 ((gsize) self->stride * MAX (self->fb_height, 1));
  self->pixels = pixels;
  self->fb = VNC_FRAMEBUFFER (vnc_base_framebuffer_new (pixels, self->fb_width, self->fb_height,
                                                        self->stride, &local,
                                                        vnc_connection_get_pixel_format (self->conn)));
  /* The connection may still write through the framebuffer while it shuts
   * down after the widget has gone: the buffer lives as long as it does. */
  g_object_set_data_full (G_OBJECT (self->fb), "vireo-vnc-pixels", pixels, g_free);

  self->grid = vireo_vnc_tile_grid_new (self->fb_width, self->fb_height, VIREO_VNC_TILE_SIZE);
  self->tiles = g_new0 (GdkTexture *, MAX (1u, vireo_vnc_tile_grid_n_tiles (self->grid)));
  self->tile_nodes = g_new0 (GskRenderNode *, MAX (1u, vireo_vnc_tile_grid_n_tiles (self->grid)));
  /* RGB24 ignores the X byte gvnc leaves: no opaque copy is needed. */
  self->surface = cairo_image_surface_create_for_data (pixels, CAIRO_FORMAT_RGB24,
                                                       self->fb_width, self->fb_height,
                                                       self->stride);
  self->tile_uploads = g_new0 (guint, MAX (1u, vireo_vnc_tile_grid_n_tiles (self->grid)));

  if (size_changed)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WIDTH]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEIGHT]);
      gtk_widget_queue_resize (GTK_WIDGET (self));
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));

  if (!vnc_connection_set_framebuffer (self->conn, self->fb))
    return FALSE;
  return vnc_connection_framebuffer_update_request (self->conn, FALSE, 0, 0,
                                                    self->fb_width, self->fb_height);
}

static void
update_accessible_description (VireoVncDisplay *self)
{
  g_autofree char *desc = NULL;

  if (self->initialized)
    desc = g_strdup_printf (_("Guest screen, %d × %d"), self->fb_width, self->fb_height);
  else
    desc = g_strdup (_("Not connected"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, desc,
                                  -1);
}

/* gvnc signal handlers */

static void
on_vnc_connected (VncConnection   *conn,
                  VireoVncDisplay *self)
{
  g_signal_emit (self, signals[SIGNAL_CONNECTED], 0);
}

static void
on_vnc_initialized (VncConnection   *conn,
                    VireoVncDisplay *self)
{
  VncPixelFormat local;
  /* Preference order; QEMU picks the first it knows. No lossy JPEG. */
  gint32 encodings[] = {
    VNC_CONNECTION_ENCODING_RAW,
    VNC_CONNECTION_ENCODING_TIGHT,
    VNC_CONNECTION_ENCODING_ZRLE,
    VNC_CONNECTION_ENCODING_HEXTILE,
    VNC_CONNECTION_ENCODING_RRE,
    VNC_CONNECTION_ENCODING_COPY_RECT,
    VNC_CONNECTION_ENCODING_RAW,
    VNC_CONNECTION_ENCODING_EXT_KEY_EVENT,
    VNC_CONNECTION_ENCODING_DESKTOP_RESIZE,
    VNC_CONNECTION_ENCODING_EXTENDED_DESKTOP_RESIZE,
    VNC_CONNECTION_ENCODING_WMVi,
    VNC_CONNECTION_ENCODING_RICH_CURSOR,
    VNC_CONNECTION_ENCODING_XCURSOR,
    VNC_CONNECTION_ENCODING_POINTER_CHANGE,
    VNC_CONNECTION_ENCODING_LED_STATE,
  };

  local_pixel_format (&local);
  /* RAW first for a server on this machine: decoding Tight or ZRLE costs
   * the client (and encoding them QEMU) far more than copying, and a
   * local socket has bandwidth to spare. Otherwise RAW is the last resort
   * it always was. */
  if (!self->local_server)
    {
      memmove (encodings, encodings + 1, 5 * sizeof encodings[0]);
      encodings[5] = VNC_CONNECTION_ENCODING_RAW;
    }
  if (!vnc_connection_set_pixel_format (conn, &local) ||
      !vnc_connection_set_encodings (conn, G_N_ELEMENTS (encodings), encodings) ||
      !allocate_framebuffer (self, vnc_connection_get_width (conn),
                             vnc_connection_get_height (conn)))
    {
      g_warning ("Could not set up the VNC session");
      vnc_connection_shutdown (conn);
      return;
    }

  self->initialized = TRUE;
  self->absolute = vnc_connection_get_abs_pointer (conn);
  self->pointer_known = FALSE;
  vireo_vnc_display_update_cursor (self);
  update_accessible_description (self);
  g_signal_emit (self, signals[SIGNAL_INITIALIZED], 0);
}

/* gvnc reports each rectangle of an update separately and has no "update
 * done" event. Each report reaches us through a default-idle-priority
 * source that gvnc adds while its coroutine waits, so an idle of lower
 * priority runs only once the coroutine has gone back to reading the
 * socket: the update is complete (or all that has arrived of it is in).
 * That is when the frame is drawn, once. Drawing per rectangle showed
 * half-updated frames, cost a paint per rectangle, and, since GTK's
 * redraws outrank gvnc's idles, held the rest of the update (and any key
 * waiting to be sent) behind each of those paints.
 *
 * The next incremental update is asked for at every rectangle, as gtk-vnc
 * does: QEMU lengthens its refresh interval whenever it finds no request
 * pending, and a request per burst left it without one too often. */
static void
update_done (VireoVncDisplay *self)
{
  g_clear_handle_id (&self->update_request_id, g_source_remove);
  g_clear_handle_id (&self->update_timeout_id, g_source_remove);
  if (self->grid != NULL && self->grid->n_dirty > 0)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
update_done_idle (gpointer data)
{
  VireoVncDisplay *self = data;

  self->update_request_id = 0;
  update_done (self);
  return G_SOURCE_REMOVE;
}

/* Idles of low priority do not run while GTK animates something and its
 * frames come back to back (seen under Xvfb): draw what has arrived after
 * UPDATE_MAX_WAIT_MS at the latest. */
#define UPDATE_MAX_WAIT_MS 50

static gboolean
update_timeout (gpointer data)
{
  VireoVncDisplay *self = data;

  self->update_timeout_id = 0;
  update_done (self);
  return G_SOURCE_REMOVE;
}

static void
on_vnc_framebuffer_update (VncConnection   *conn,
                           int              x,
                           int              y,
                           int              width,
                           int              height,
                           VireoVncDisplay *self)
{
  VireoVncRect r = { x, y, width, height };

  /* A server that ignores the pointer-type-change request answers with
   * pixels and means absolute; QEMU sends its mode before any pixels. */
  self->pointer_known = TRUE;

  if (self->grid != NULL)
    vireo_vnc_tile_grid_damage (self->grid, &r);
  if (self->initialized && self->fb_width > 0)
    vnc_connection_framebuffer_update_request (conn, TRUE, 0, 0,
                                               self->fb_width, self->fb_height);
  if (self->update_request_id == 0)
    self->update_request_id = g_idle_add_full (G_PRIORITY_LOW, update_done_idle, self, NULL);
  if (self->update_timeout_id == 0)
    self->update_timeout_id = g_timeout_add (UPDATE_MAX_WAIT_MS, update_timeout, self);
}

static void
on_vnc_desktop_resize (VncConnection   *conn,
                       int              width,
                       int              height,
                       VireoVncDisplay *self)
{
  if (!allocate_framebuffer (self, width, height))
    vnc_connection_shutdown (conn);
  update_accessible_description (self);
}

static void
on_vnc_pixel_format_changed (VncConnection   *conn,
                             VncPixelFormat  *format,
                             VireoVncDisplay *self)
{
  if (!allocate_framebuffer (self, self->fb_width, self->fb_height))
    vnc_connection_shutdown (conn);
}

static void
on_vnc_pointer_mode_changed (VncConnection   *conn,
                             gboolean         absolute,
                             VireoVncDisplay *self)
{
  self->absolute = absolute;
  self->pointer_known = TRUE;
  self->have_pointer = FALSE;
  vireo_vnc_display_update_cursor (self);
}

static void
on_vnc_cursor_changed (VncConnection   *conn,
                       VncCursor       *cursor,
                       VireoVncDisplay *self)
{
  vireo_vnc_display_set_remote_cursor (self, cursor);
}

static void
on_vnc_server_cut_text (VncConnection   *conn,
                        const char      *text,
                        VireoVncDisplay *self)
{
  vireo_vnc_display_server_cut_text (self, text);
}

static void
on_vnc_bell (VncConnection   *conn,
             VireoVncDisplay *self)
{
  gtk_widget_error_bell (GTK_WIDGET (self));
}

static void
provide_credentials (VireoVncDisplay *self,
                     gpointer         creds_array)
{
  gboolean need_password = FALSE;

  /* GValueArray is what gvnc's signal carries. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GValueArray *creds = creds_array;

  for (guint i = 0; i < creds->n_values; i++)
    {
      int kind = g_value_get_enum (g_value_array_get_nth (creds, i));

      switch (kind)
        {
        case VNC_CONNECTION_CREDENTIAL_PASSWORD:
          if (self->password != NULL)
            vnc_connection_set_credential (self->conn, kind, self->password);
          else
            need_password = TRUE;
          break;
        case VNC_CONNECTION_CREDENTIAL_USERNAME:
          /* Only password schemes are offered; an empty name lets
           * password-only VeNCrypt variants proceed. */
          vnc_connection_set_credential (self->conn, kind, g_get_user_name ());
          break;
        case VNC_CONNECTION_CREDENTIAL_CLIENTNAME:
          vnc_connection_set_credential (self->conn, kind, "vireo");
          break;
        default:
          break;
        }
    }
  G_GNUC_END_IGNORE_DEPRECATIONS

  if (need_password)
    g_signal_emit (self, signals[SIGNAL_NEED_PASSWORD], 0);
}

static void
on_vnc_auth_credential (VncConnection   *conn,
                        gpointer         creds,
                        VireoVncDisplay *self)
{
  provide_credentials (self, creds);
}

/* Most preferred first. VeNCrypt sub-types are limited to those whose
 * credentials we have: none, or a VNC password. */
static const guint auth_preference[] = {
  VNC_CONNECTION_AUTH_VENCRYPT,
  VNC_CONNECTION_AUTH_NONE,
  VNC_CONNECTION_AUTH_VNC,
};
static const guint vencrypt_preference[] = {
  VNC_CONNECTION_AUTH_VENCRYPT_X509VNC,
  VNC_CONNECTION_AUTH_VENCRYPT_X509NONE,
  VNC_CONNECTION_AUTH_VENCRYPT_TLSVNC,
  VNC_CONNECTION_AUTH_VENCRYPT_TLSNONE,
};

static guint
choose_from (gpointer     array,
             const guint *preference,
             gsize        n_preference)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GValueArray *offered = array;

  for (gsize p = 0; p < n_preference; p++)
    for (guint i = 0; i < offered->n_values; i++)
      if (g_value_get_enum (g_value_array_get_nth (offered, i)) == (int) preference[p])
        return preference[p];
  G_GNUC_END_IGNORE_DEPRECATIONS
  return VNC_CONNECTION_AUTH_INVALID;
}

static void
on_vnc_auth_choose_type (VncConnection   *conn,
                         gpointer         types,
                         VireoVncDisplay *self)
{
  guint type = choose_from (types, auth_preference, G_N_ELEMENTS (auth_preference));

  if (type == VNC_CONNECTION_AUTH_INVALID)
    {
      g_signal_emit (self, signals[SIGNAL_AUTH_FAILURE], 0,
                     _("The VNC server offers no supported authentication type"));
      vnc_connection_shutdown (conn);
      return;
    }
  vnc_connection_set_auth_type (conn, type);
}

static void
on_vnc_auth_choose_subtype (VncConnection   *conn,
                            guint            type,
                            gpointer         subtypes,
                            VireoVncDisplay *self)
{
  guint subtype = VNC_CONNECTION_AUTH_INVALID;

  if (type == VNC_CONNECTION_AUTH_VENCRYPT)
    subtype = choose_from (subtypes, vencrypt_preference, G_N_ELEMENTS (vencrypt_preference));

  if (subtype == VNC_CONNECTION_AUTH_INVALID)
    {
      g_signal_emit (self, signals[SIGNAL_AUTH_FAILURE], 0,
                     _("The VNC server offers no supported authentication type"));
      vnc_connection_shutdown (conn);
      return;
    }
  vnc_connection_set_auth_subtype (conn, subtype);
}

static void
on_vnc_auth_failure (VncConnection   *conn,
                     const char      *reason,
                     VireoVncDisplay *self)
{
  /* A wrong password must be asked for again, not replayed. */
  g_clear_pointer (&self->password, g_free);
  g_signal_emit (self, signals[SIGNAL_AUTH_FAILURE], 0, reason ? reason : "");
}

static void
on_vnc_auth_unsupported (VncConnection   *conn,
                         guint            auth_type,
                         VireoVncDisplay *self)
{
  g_autofree char *msg = g_strdup_printf (_("The VNC server asks for an unsupported "
                                            "authentication type (%u)"), auth_type);
  g_signal_emit (self, signals[SIGNAL_AUTH_FAILURE], 0, msg);
}

static void
on_vnc_error (VncConnection   *conn,
              const char      *message,
              VireoVncDisplay *self)
{
  g_signal_emit (self, signals[SIGNAL_ERROR], 0, message ? message : "");
}

static gboolean
unref_idle (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

/* After the widget lets go of a connection that is still winding down, the
 * connection keeps itself alive until gvnc reports it closed. */
static void
on_detached_disconnected (VncConnection *conn,
                          gpointer       user_data)
{
  g_idle_add (unref_idle, conn);
}

static void
detach_connection (VireoVncDisplay *self)
{
  VncConnection *conn = g_steal_pointer (&self->conn);

  if (conn == NULL)
    return;

  g_signal_handlers_disconnect_by_data (conn, self);
  if (vnc_connection_is_open (conn))
    {
      g_signal_connect (conn, "vnc-disconnected", G_CALLBACK (on_detached_disconnected), NULL);
      vnc_connection_shutdown (conn);
    }
  else
    g_object_unref (conn);
}

static void
on_vnc_disconnected (VncConnection   *conn,
                     VireoVncDisplay *self)
{
  g_object_ref (self);
  vireo_vnc_display_release_keys (self);
  g_clear_handle_id (&self->update_request_id, g_source_remove);
  g_clear_handle_id (&self->update_timeout_id, g_source_remove);
  self->initialized = FALSE;
  self->button_mask = 0;
  self->have_pointer = FALSE;
  g_clear_object (&self->remote_cursor);
  /* We are inside the connection's signal emission: drop it from idle. */
  g_signal_handlers_disconnect_by_data (conn, self);
  g_idle_add (unref_idle, g_steal_pointer (&self->conn));
  vireo_vnc_display_update_cursor (self);
  update_accessible_description (self);
  g_signal_emit (self, signals[SIGNAL_DISCONNECTED], 0);
  g_object_unref (self);
}

/* Whether @fd certainly reaches a server on this machine: a unix socket
 * connected to another process (QEMU's own socket, or one libvirtd handed
 * over), or TCP to a loopback address. A socket pair we made ourselves
 * (SSH's `-W` channel, a libvirt stream) may lead anywhere. */
static gboolean
fd_reaches_local_server (int fd)
{
  struct sockaddr_storage addr;
  socklen_t len = sizeof addr;

  if (getpeername (fd, (struct sockaddr *) &addr, &len) != 0)
    return FALSE;
  if (addr.ss_family == AF_UNIX)
    {
      struct ucred cred;
      socklen_t cred_len = sizeof cred;

      return getsockopt (fd, SOL_SOCKET, SO_PEERCRED, &cred, &cred_len) == 0 &&
             cred.pid > 0 && cred.pid != getpid ();
    }
  if (addr.ss_family == AF_INET)
    return (ntohl (((struct sockaddr_in *) &addr)->sin_addr.s_addr) >> 24) == 127;
  if (addr.ss_family == AF_INET6)
    return IN6_IS_ADDR_LOOPBACK (&((struct sockaddr_in6 *) &addr)->sin6_addr);
  return FALSE;
}

/* Public API */

GtkWidget *
vireo_vnc_display_new (void)
{
  return g_object_new (VIREO_TYPE_VNC_DISPLAY, NULL);
}

gboolean
vireo_vnc_display_open_fd (VireoVncDisplay *self,
                           int              fd)
{
  g_return_val_if_fail (VIREO_IS_VNC_DISPLAY (self), FALSE);
  g_return_val_if_fail (fd >= 0, FALSE);

  if (self->conn != NULL)
    {
      close (fd);
      return FALSE;
    }

  self->local_server = fd_reaches_local_server (fd);
  self->conn = vnc_connection_new ();
  g_signal_connect (self->conn, "vnc-connected", G_CALLBACK (on_vnc_connected), self);
  g_signal_connect (self->conn, "vnc-initialized", G_CALLBACK (on_vnc_initialized), self);
  g_signal_connect (self->conn, "vnc-framebuffer-update", G_CALLBACK (on_vnc_framebuffer_update), self);
  g_signal_connect (self->conn, "vnc-desktop-resize", G_CALLBACK (on_vnc_desktop_resize), self);
  g_signal_connect (self->conn, "vnc-pixel-format-changed", G_CALLBACK (on_vnc_pixel_format_changed), self);
  g_signal_connect (self->conn, "vnc-pointer-mode-changed", G_CALLBACK (on_vnc_pointer_mode_changed), self);
  g_signal_connect (self->conn, "vnc-cursor-changed", G_CALLBACK (on_vnc_cursor_changed), self);
  g_signal_connect (self->conn, "vnc-server-cut-text", G_CALLBACK (on_vnc_server_cut_text), self);
  g_signal_connect (self->conn, "vnc-bell", G_CALLBACK (on_vnc_bell), self);
  g_signal_connect (self->conn, "vnc-auth-credential", G_CALLBACK (on_vnc_auth_credential), self);
  g_signal_connect (self->conn, "vnc-auth-choose-type", G_CALLBACK (on_vnc_auth_choose_type), self);
  g_signal_connect (self->conn, "vnc-auth-choose-subtype", G_CALLBACK (on_vnc_auth_choose_subtype), self);
  g_signal_connect (self->conn, "vnc-auth-failure", G_CALLBACK (on_vnc_auth_failure), self);
  g_signal_connect (self->conn, "vnc-auth-unsupported", G_CALLBACK (on_vnc_auth_unsupported), self);
  g_signal_connect (self->conn, "vnc-error", G_CALLBACK (on_vnc_error), self);
  g_signal_connect (self->conn, "vnc-disconnected", G_CALLBACK (on_vnc_disconnected), self);

  vnc_connection_set_shared (self->conn, TRUE);
  if (!vnc_connection_open_fd (self->conn, fd))
    {
      close (fd);
      g_signal_handlers_disconnect_by_data (self->conn, self);
      g_clear_object (&self->conn);
      return FALSE;
    }
  return TRUE;
}

void
vireo_vnc_display_close (VireoVncDisplay *self)
{
  g_return_if_fail (VIREO_IS_VNC_DISPLAY (self));

  if (self->conn != NULL && vnc_connection_is_open (self->conn))
    {
      vireo_vnc_display_release_keys (self);
      vnc_connection_shutdown (self->conn);
    }
}

gboolean
vireo_vnc_display_is_open (VireoVncDisplay *self)
{
  g_return_val_if_fail (VIREO_IS_VNC_DISPLAY (self), FALSE);
  return self->conn != NULL && vnc_connection_is_open (self->conn);
}

gboolean
vireo_vnc_display_is_initialized (VireoVncDisplay *self)
{
  g_return_val_if_fail (VIREO_IS_VNC_DISPLAY (self), FALSE);
  return self->initialized;
}

void
vireo_vnc_display_set_password (VireoVncDisplay *self,
                                const char      *password)
{
  g_return_if_fail (VIREO_IS_VNC_DISPLAY (self));

  g_free (self->password);
  self->password = g_strdup (password);
  if (self->conn != NULL && password != NULL)
    vnc_connection_set_credential (self->conn, VNC_CONNECTION_CREDENTIAL_PASSWORD, password);
}

gboolean
vireo_vnc_display_get_scaling (VireoVncDisplay *self)
{
  g_return_val_if_fail (VIREO_IS_VNC_DISPLAY (self), FALSE);
  return self->scaling;
}

void
vireo_vnc_display_set_scaling (VireoVncDisplay *self,
                               gboolean         scaling)
{
  g_return_if_fail (VIREO_IS_VNC_DISPLAY (self));

  scaling = !!scaling;
  if (self->scaling == scaling)
    return;
  self->scaling = scaling;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCALING]);
}

gboolean
vireo_vnc_display_get_grab_keyboard (VireoVncDisplay *self)
{
  g_return_val_if_fail (VIREO_IS_VNC_DISPLAY (self), FALSE);
  return self->grab_keyboard;
}

void
vireo_vnc_display_set_grab_keyboard (VireoVncDisplay *self,
                                     gboolean         grab)
{
  g_return_if_fail (VIREO_IS_VNC_DISPLAY (self));

  grab = !!grab;
  if (self->grab_keyboard == grab)
    return;
  self->grab_keyboard = grab;
  vireo_vnc_display_update_grab (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GRAB_KEYBOARD]);
}

int
vireo_vnc_display_get_width (VireoVncDisplay *self)
{
  g_return_val_if_fail (VIREO_IS_VNC_DISPLAY (self), 0);
  return self->fb_width;
}

int
vireo_vnc_display_get_height (VireoVncDisplay *self)
{
  g_return_val_if_fail (VIREO_IS_VNC_DISPLAY (self), 0);
  return self->fb_height;
}

gboolean
vireo_vnc_display_get_absolute_pointer (VireoVncDisplay *self)
{
  g_return_val_if_fail (VIREO_IS_VNC_DISPLAY (self), FALSE);
  return self->absolute;
}

GdkTexture *
vireo_vnc_display_get_image (VireoVncDisplay *self)
{
  VireoVncRect all;
  g_autoptr(GBytes) bytes = NULL;
  gsize stride;

  g_return_val_if_fail (VIREO_IS_VNC_DISPLAY (self), NULL);

  if (self->pixels == NULL || self->fb_width <= 0 || self->fb_height <= 0)
    return NULL;

  all = (VireoVncRect) { 0, 0, self->fb_width, self->fb_height };
  bytes = copy_rect_opaque (self, &all, &stride);
  return gdk_memory_texture_new (self->fb_width, self->fb_height,
                                 GDK_MEMORY_B8G8R8A8_PREMULTIPLIED, bytes, stride);
}

/* GtkWidget */

static void
vireo_vnc_display_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  VireoVncDisplay *self = VIREO_VNC_DISPLAY (widget);
  int size = orientation == GTK_ORIENTATION_HORIZONTAL ? self->fb_width : self->fb_height;

  /* 1:1 asks for the whole desktop, so a scrolled window around it
   * scrolls; fitting can shrink to anything. */
  *minimum = self->scaling ? 0 : size;
  *natural = size;
}

/* GTK's cairo renderer (4.8) turns every texture it draws into a cairo
 * surface through a float conversion of each pixel, the whole texture each
 * time: most of a frame's cost. Cairo nodes that paint the frame's pixels
 * (a cairo surface over them, read when the node is drawn) skip that and
 * any copy. One node per tile, re-made only for damaged tiles, so GTK's
 * diff of the node tree still limits redrawing to what changed. */
static gboolean
use_cairo_nodes (GtkWidget *widget)
{
  GtkNative *native = gtk_widget_get_native (widget);
  GskRenderer *renderer = native != NULL ? gtk_native_get_renderer (native) : NULL;

  return renderer != NULL && GSK_IS_CAIRO_RENDERER (renderer);
}

static void
snapshot_cairo_tiles (VireoVncDisplay         *self,
                      GtkSnapshot             *snapshot,
                      const VireoVncTransform *t)
{
  guint n = vireo_vnc_tile_grid_n_tiles (self->grid);
  gboolean moved = memcmp (t, &self->node_transform, sizeof *t) != 0;

  self->node_transform = *t;
  for (guint i = 0; i < n; i++)
    {
      VireoVncRect dirty, tile;
      double x, y, w, h;
      cairo_t *cr;

      if (!vireo_vnc_tile_grid_take_dirty (self->grid, i, &dirty) &&
          !moved && self->tile_nodes[i] != NULL)
        {
          gtk_snapshot_append_node (snapshot, self->tile_nodes[i]);
          continue;
        }

      vireo_vnc_tile_grid_tile_rect (self->grid, i, &tile);
      vireo_vnc_transform_to_widget (t, &tile, &x, &y, &w, &h);
      g_clear_pointer (&self->tile_nodes[i], gsk_render_node_unref);
      self->tile_nodes[i] = gsk_cairo_node_new (&GRAPHENE_RECT_INIT (x, y, w, h));
      self->tile_uploads[i]++;

      cr = gsk_cairo_node_get_draw_context (self->tile_nodes[i]);
      cairo_rectangle (cr, x, y, w, h);
      cairo_clip (cr);
      cairo_translate (cr, t->x_offset, t->y_offset);
      cairo_scale (cr, t->scale, t->scale);
      cairo_set_source_surface (cr, self->surface, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr),
                                t->scale == 1.0 ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_BILINEAR);
      /* PAD: the frame's edge pixels are not blended with transparency,
       * and pixman has fast bilinear paths for it. */
      cairo_pattern_set_extend (cairo_get_source (cr), CAIRO_EXTEND_PAD);
      cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
      cairo_paint (cr);
      cairo_destroy (cr);
      gtk_snapshot_append_node (snapshot, self->tile_nodes[i]);
    }
}

static void
vireo_vnc_display_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  VireoVncDisplay *self = VIREO_VNC_DISPLAY (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GdkRGBA black = { 0, 0, 0, 1 };
  VireoVncTransform t;
  guint n;

  gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (self->grid == NULL || self->fb_width <= 0 || self->fb_height <= 0)
    return;

  vireo_vnc_transform_compute (&t, width, height, self->fb_width, self->fb_height, self->scaling);
  if (self->surface != NULL && use_cairo_nodes (widget))
    {
      snapshot_cairo_tiles (self, snapshot, &t);
      return;
    }
  refresh_tiles (self);

  n = vireo_vnc_tile_grid_n_tiles (self->grid);
  for (guint i = 0; i < n; i++)
    {
      VireoVncRect tile;
      double x, y, w, h;

      if (self->tiles[i] == NULL)
        continue;
      vireo_vnc_tile_grid_tile_rect (self->grid, i, &tile);
      vireo_vnc_transform_to_widget (&t, &tile, &x, &y, &w, &h);
#if GTK_CHECK_VERSION (4, 10, 0)
      gtk_snapshot_append_scaled_texture (snapshot, self->tiles[i],
                                          t.scale == 1.0 ? GSK_SCALING_FILTER_NEAREST
                                                         : GSK_SCALING_FILTER_LINEAR,
                                          &GRAPHENE_RECT_INIT (x, y, w, h));
#else
      gtk_snapshot_append_texture (snapshot, self->tiles[i], &GRAPHENE_RECT_INIT (x, y, w, h));
#endif
    }
}

static void
vireo_vnc_display_root (GtkWidget *widget)
{
  VireoVncDisplay *self = VIREO_VNC_DISPLAY (widget);

  GTK_WIDGET_CLASS (vireo_vnc_display_parent_class)->root (widget);
  vireo_vnc_display_clipboard_attach (self);
}

static void
vireo_vnc_display_unroot (GtkWidget *widget)
{
  VireoVncDisplay *self = VIREO_VNC_DISPLAY (widget);

  vireo_vnc_display_release_keys (self);
  vireo_vnc_display_clipboard_detach (self);
  if (self->inhibited_toplevel != NULL)
    {
      gdk_toplevel_restore_system_shortcuts (self->inhibited_toplevel);
      g_clear_object (&self->inhibited_toplevel);
    }
  GTK_WIDGET_CLASS (vireo_vnc_display_parent_class)->unroot (widget);
}

/* GObject */

static void
vireo_vnc_display_dispose (GObject *object)
{
  VireoVncDisplay *self = VIREO_VNC_DISPLAY (object);

  g_clear_handle_id (&self->update_request_id, g_source_remove);
  g_clear_handle_id (&self->update_timeout_id, g_source_remove);
  detach_connection (self);
  vireo_vnc_display_clipboard_detach (self);
  free_tiles (self);
  g_clear_object (&self->fb);  /* frees pixels once gvnc lets go too */
  self->pixels = NULL;
  g_clear_object (&self->remote_cursor);
  g_clear_object (&self->blank_cursor);
  g_clear_object (&self->inhibited_toplevel);

  G_OBJECT_CLASS (vireo_vnc_display_parent_class)->dispose (object);
}

static void
vireo_vnc_display_finalize (GObject *object)
{
  VireoVncDisplay *self = VIREO_VNC_DISPLAY (object);

  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);

  G_OBJECT_CLASS (vireo_vnc_display_parent_class)->finalize (object);
}

static void
vireo_vnc_display_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  VireoVncDisplay *self = VIREO_VNC_DISPLAY (object);

  switch (prop_id)
    {
    case PROP_SCALING:
      g_value_set_boolean (value, self->scaling);
      break;
    case PROP_GRAB_KEYBOARD:
      g_value_set_boolean (value, self->grab_keyboard);
      break;
    case PROP_WIDTH:
      g_value_set_int (value, self->fb_width);
      break;
    case PROP_HEIGHT:
      g_value_set_int (value, self->fb_height);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vireo_vnc_display_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  VireoVncDisplay *self = VIREO_VNC_DISPLAY (object);

  switch (prop_id)
    {
    case PROP_SCALING:
      vireo_vnc_display_set_scaling (self, g_value_get_boolean (value));
      break;
    case PROP_GRAB_KEYBOARD:
      vireo_vnc_display_set_grab_keyboard (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vireo_vnc_display_class_init (VireoVncDisplayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vireo_vnc_display_dispose;
  object_class->finalize = vireo_vnc_display_finalize;
  object_class->get_property = vireo_vnc_display_get_property;
  object_class->set_property = vireo_vnc_display_set_property;

  widget_class->measure = vireo_vnc_display_measure;
  widget_class->snapshot = vireo_vnc_display_snapshot;
  widget_class->root = vireo_vnc_display_root;
  widget_class->unroot = vireo_vnc_display_unroot;

  properties[PROP_SCALING] =
    g_param_spec_boolean ("scaling", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_GRAB_KEYBOARD] =
    g_param_spec_boolean ("grab-keyboard", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WIDTH] =
    g_param_spec_int ("width", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_HEIGHT] =
    g_param_spec_int ("height", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CONNECTED] =
    g_signal_new ("connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_INITIALIZED] =
    g_signal_new ("initialized", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_DISCONNECTED] =
    g_signal_new ("disconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_NEED_PASSWORD] =
    g_signal_new ("need-password", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_AUTH_FAILURE] =
    g_signal_new ("auth-failure", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_css_name (widget_class, "vireo-vnc-display");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
vireo_vnc_display_init (VireoVncDisplay *self)
{
  self->scaling = TRUE;
  self->grab_keyboard = TRUE;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focus_on_click (GTK_WIDGET (self), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Virtual machine display"),
                                  -1);
  update_accessible_description (self);
  vireo_vnc_display_init_input (self);
}
