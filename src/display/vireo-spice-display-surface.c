/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include "vireo-spice-display-private.h"

#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

/* The picture half of the SPICE widget: the primary surface as tile
 * textures re-made per invalidated tile, GL scanouts, drawing, and
 * screenshots. */

/* Surface ---------------------------------------------------------------- */

static gboolean
format_supported (int format)
{
  return format == SPICE_SURFACE_FMT_32_xRGB || format == SPICE_SURFACE_FMT_32_ARGB ||
         format == SPICE_SURFACE_FMT_16_565 || format == SPICE_SURFACE_FMT_16_555;
}

/* Copies a rectangle of the primary surface into new bytes, B8G8R8A8 with
 * opaque alpha (the guest's alpha channel means nothing on screen). */
static GBytes *
copy_rect (VireoSpiceDisplay  *self,
           const VireoVncRect *r,
           gsize              *out_stride)
{
  gsize stride = (gsize) r->width * 4;
  guint8 *data = g_malloc (stride * MAX (r->height, 1));

  for (int y = 0; y < r->height; y++)
    {
      const guint8 *row = self->pixels + (gsize) (r->y + y) * self->stride;
      guint32 *dst = (guint32 *) (data + (gsize) y * stride);

      if (self->format == SPICE_SURFACE_FMT_32_xRGB || self->format == SPICE_SURFACE_FMT_32_ARGB)
        {
          const guint32 *src = (const guint32 *) row + r->x;

          for (int x = 0; x < r->width; x++)
            dst[x] = GUINT32_TO_LE (GUINT32_FROM_LE (src[x]) | 0xff000000u);
        }
      else
        {
          const guint16 *src = (const guint16 *) row + r->x;
          gboolean is565 = self->format == SPICE_SURFACE_FMT_16_565;

          for (int x = 0; x < r->width; x++)
            {
              guint16 p = GUINT16_FROM_LE (src[x]);
              guint32 red, green, blue;

              if (is565)
                {
                  red = (p >> 11) & 0x1f;
                  green = (p >> 5) & 0x3f;
                  blue = p & 0x1f;
                  red = (red << 3) | (red >> 2);
                  green = (green << 2) | (green >> 4);
                }
              else
                {
                  red = (p >> 10) & 0x1f;
                  green = (p >> 5) & 0x1f;
                  blue = p & 0x1f;
                  red = (red << 3) | (red >> 2);
                  green = (green << 3) | (green >> 2);
                }
              blue = (blue << 3) | (blue >> 2);
              dst[x] = GUINT32_TO_LE (0xff000000u | (red << 16) | (green << 8) | blue);
            }
        }
    }

  *out_stride = stride;
  return g_bytes_new_take (data, stride * MAX (r->height, 1));
}

static void
free_tiles (VireoSpiceDisplay *self)
{
  if (self->tiles != NULL && self->grid != NULL)
    {
      guint n = vireo_vnc_tile_grid_n_tiles (self->grid);

      for (guint i = 0; i < n; i++)
        g_clear_object (&self->tiles[i]);
    }
  g_clear_pointer (&self->tiles, g_free);
  g_clear_pointer (&self->grid, vireo_vnc_tile_grid_free);
}

/* Re-makes the texture of every tile with pending damage, and only those. */
static void
refresh_tiles (VireoSpiceDisplay *self)
{
  guint n;

  if (self->grid == NULL || self->pixels == NULL || self->grid->n_dirty == 0)
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
      bytes = copy_rect (self, &tile, &stride);

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
            /* GTK re-uploads only the invalidated part of the old texture. */
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

static void
on_primary_create (SpiceChannel      *channel,
                   int                format,
                   int                width,
                   int                height,
                   int                stride,
                   int                shmid,
                   gpointer           data,
                   VireoSpiceDisplay *self)
{
  free_tiles (self);
  if (!format_supported (format) || width <= 0 || height <= 0 || data == NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("The guest screen uses a pixel format "
                                                "this viewer cannot show (%d)"), format);
      self->pixels = NULL;
      vireo_spice_display_emit_error (self, msg);
      return;
    }

  self->pixels = data;
  self->format = format;
  self->stride = stride;
  vireo_spice_display_set_fb_size (self, width, height);
  self->grid = vireo_vnc_tile_grid_new (width, height, VIREO_SPICE_TILE_SIZE);
  self->tiles = g_new0 (GdkTexture *, MAX (1u, vireo_vnc_tile_grid_n_tiles (self->grid)));
  vireo_vnc_tile_grid_damage_all (self->grid);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_primary_destroy (SpiceChannel      *channel,
                    VireoSpiceDisplay *self)
{
  /* The pixels go with the surface: never touch them again. */
  free_tiles (self);
  self->pixels = NULL;
  self->marked = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_invalidate (SpiceChannel      *channel,
               int                x,
               int                y,
               int                width,
               int                height,
               VireoSpiceDisplay *self)
{
  VireoVncRect r = { x, y, width, height };

  if (self->grid != NULL && vireo_vnc_tile_grid_damage (self->grid, &r) > 0 && self->marked)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_mark (SpiceChannel      *channel,
         int                mark,
         VireoSpiceDisplay *self)
{
  self->marked = mark != 0;
  if (self->marked && self->pixels != NULL)
    vireo_spice_display_became_initialized (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* GL scanout -------------------------------------------------------------- */

static gboolean
gl_draw_done_idle (gpointer data)
{
  SpiceDisplayChannel *channel = data;

  spice_display_channel_gl_draw_done (channel);
  g_object_unref (channel);
  return G_SOURCE_REMOVE;
}

#if GTK_CHECK_VERSION (4, 14, 0)
static void
close_fd_notify (gpointer data)
{
  close (GPOINTER_TO_INT (data));
}
#endif

/* A new scanout (dmabuf): with GTK 4.14 it becomes a texture; older GTK
 * cannot import dmabufs, and the session does not offer GL there, so a
 * server that sends one anyway gets its frames acknowledged unseen. */
static void
on_gl_scanout_changed (SpiceDisplayChannel *channel,
                       GParamSpec          *pspec,
                       VireoSpiceDisplay   *self)
{
  const SpiceGlScanout *scanout = spice_display_channel_get_gl_scanout (channel);

  g_clear_object (&self->gl_texture);
  self->gl_active = scanout != NULL && scanout->fd >= 0;
  if (!self->gl_active)
    {
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }

#if GTK_CHECK_VERSION (4, 14, 0)
  {
    g_autoptr(GdkDmabufTextureBuilder) builder = gdk_dmabuf_texture_builder_new ();
    g_autoptr(GError) error = NULL;
    int fd = dup (scanout->fd);

    gdk_dmabuf_texture_builder_set_display (builder, gtk_widget_get_display (GTK_WIDGET (self)));
    gdk_dmabuf_texture_builder_set_width (builder, scanout->width);
    gdk_dmabuf_texture_builder_set_height (builder, scanout->height);
    gdk_dmabuf_texture_builder_set_fourcc (builder, scanout->format);
    /* The protocol carries no modifier: the buffer's layout is implicit. */
    gdk_dmabuf_texture_builder_set_modifier (builder, G_GUINT64_CONSTANT (0x00ffffffffffffff));
    gdk_dmabuf_texture_builder_set_n_planes (builder, 1);
    gdk_dmabuf_texture_builder_set_fd (builder, 0, fd);
    gdk_dmabuf_texture_builder_set_stride (builder, 0, scanout->stride);
    gdk_dmabuf_texture_builder_set_offset (builder, 0, 0);
    self->gl_texture = gdk_dmabuf_texture_builder_build (builder, close_fd_notify,
                                                         GINT_TO_POINTER (fd), &error);
    if (self->gl_texture == NULL)
      {
        close (fd);
        g_warning ("Cannot show the guest's GL scanout: %s", error->message);
      }
    else
      vireo_spice_display_set_fb_size (self, scanout->width, scanout->height);
  }
#endif
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_gl_draw (SpiceDisplayChannel *channel,
            guint                x,
            guint                y,
            guint                width,
            guint                height,
            VireoSpiceDisplay   *self)
{
  if (self->gl_texture != NULL)
    {
      vireo_spice_display_became_initialized (self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  /* The guest waits for this before it draws again; answer once the main
   * loop has had a chance to paint the frame. */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE + 10, gl_draw_done_idle, g_object_ref (channel), NULL);
}

void
vireo_spice_display_drop_surface (VireoSpiceDisplay *self)
{
  free_tiles (self);
  self->pixels = NULL;
  self->marked = FALSE;
  g_clear_object (&self->gl_texture);
  self->gl_active = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
vireo_spice_display_attach_display (VireoSpiceDisplay *self)
{
  SpiceChannel *channel = SPICE_CHANNEL (self->display);
  SpiceDisplayPrimary primary;

  g_signal_connect (channel, "display-primary-create", G_CALLBACK (on_primary_create), self);
  g_signal_connect (channel, "display-primary-destroy", G_CALLBACK (on_primary_destroy), self);
  g_signal_connect (channel, "display-invalidate", G_CALLBACK (on_invalidate), self);
  g_signal_connect (channel, "display-mark", G_CALLBACK (on_mark), self);
  g_signal_connect (channel, "notify::gl-scanout", G_CALLBACK (on_gl_scanout_changed), self);
  g_signal_connect (channel, "gl-draw", G_CALLBACK (on_gl_draw), self);
  if (spice_display_channel_get_primary (channel, 0, &primary))
    {
      on_primary_create (channel, primary.format, primary.width, primary.height,
                         primary.stride, primary.shmid, primary.data, self);
      on_mark (channel, primary.marked, self);
    }
}

GdkTexture *
vireo_spice_display_get_image (VireoSpiceDisplay *self)
{
  VireoVncRect all;
  g_autoptr(GBytes) bytes = NULL;
  gsize stride;

  g_return_val_if_fail (VIREO_IS_SPICE_DISPLAY (self), NULL);

  if (self->gl_active && self->gl_texture != NULL)
    return g_object_ref (self->gl_texture);
  if (self->pixels == NULL || self->fb_width <= 0 || self->fb_height <= 0)
    return NULL;

  all = (VireoVncRect) { 0, 0, self->fb_width, self->fb_height };
  bytes = copy_rect (self, &all, &stride);
  return gdk_memory_texture_new (self->fb_width, self->fb_height,
                                 GDK_MEMORY_B8G8R8A8_PREMULTIPLIED, bytes, stride);
}

void
vireo_spice_display_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot)
{
  VireoSpiceDisplay *self = VIREO_SPICE_DISPLAY (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GdkRGBA black = { 0, 0, 0, 1 };
  VireoVncTransform t;

  gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (self->fb_width <= 0 || self->fb_height <= 0)
    return;
  vireo_vnc_transform_compute (&t, width, height, self->fb_width, self->fb_height, self->scaling);

  if (self->gl_active)
    {
      const SpiceGlScanout *scanout = self->display ? spice_display_channel_get_gl_scanout (self->display) : NULL;
      VireoVncRect all = { 0, 0, self->fb_width, self->fb_height };
      double x, y, w, h;

      if (self->gl_texture == NULL)
        return;
      vireo_vnc_transform_to_widget (&t, &all, &x, &y, &w, &h);
      gtk_snapshot_save (snapshot);
      if (scanout != NULL && !scanout->y0top)
        {
          /* GL's origin is bottom-left. */
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (0, y * 2 + h));
          gtk_snapshot_scale (snapshot, 1, -1);
        }
      gtk_snapshot_append_texture (snapshot, self->gl_texture, &GRAPHENE_RECT_INIT (x, y, w, h));
      gtk_snapshot_restore (snapshot);
      return;
    }

  if (self->grid == NULL || !self->marked)
    return;

  refresh_tiles (self);
  for (guint i = 0, n = vireo_vnc_tile_grid_n_tiles (self->grid); i < n; i++)
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
