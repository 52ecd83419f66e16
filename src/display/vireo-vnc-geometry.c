/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-vnc-geometry.h"

#include <math.h>
#include <string.h>

gboolean
vireo_vnc_rect_is_empty (const VireoVncRect *r)
{
  return r->width <= 0 || r->height <= 0;
}

gboolean
vireo_vnc_rect_intersect (const VireoVncRect *a,
                          const VireoVncRect *b,
                          VireoVncRect       *out)
{
  int x1 = MAX (a->x, b->x);
  int y1 = MAX (a->y, b->y);
  int x2 = MIN (a->x + a->width, b->x + b->width);
  int y2 = MIN (a->y + a->height, b->y + b->height);

  if (x2 <= x1 || y2 <= y1)
    {
      *out = (VireoVncRect) { 0, 0, 0, 0 };
      return FALSE;
    }
  *out = (VireoVncRect) { x1, y1, x2 - x1, y2 - y1 };
  return TRUE;
}

void
vireo_vnc_rect_union (const VireoVncRect *a,
                      const VireoVncRect *b,
                      VireoVncRect       *out)
{
  int x1, y1, x2, y2;

  if (vireo_vnc_rect_is_empty (a))
    {
      *out = *b;
      return;
    }
  if (vireo_vnc_rect_is_empty (b))
    {
      *out = *a;
      return;
    }
  x1 = MIN (a->x, b->x);
  y1 = MIN (a->y, b->y);
  x2 = MAX (a->x + a->width, b->x + b->width);
  y2 = MAX (a->y + a->height, b->y + b->height);
  *out = (VireoVncRect) { x1, y1, x2 - x1, y2 - y1 };
}

void
vireo_vnc_transform_compute (VireoVncTransform *t,
                             int                widget_width,
                             int                widget_height,
                             int                fb_width,
                             int                fb_height,
                             gboolean           scaling)
{
  double scale = 1.0;

  if (fb_width <= 0 || fb_height <= 0 || widget_width <= 0 || widget_height <= 0)
    {
      *t = (VireoVncTransform) { 1.0, 0.0, 0.0 };
      return;
    }

  if (scaling)
    scale = MIN ((double) widget_width / fb_width, (double) widget_height / fb_height);

  t->scale = scale;
  /* Whole widget pixels for the offset keep 1:1 output pixel-exact. */
  t->x_offset = MAX (0.0, floor ((widget_width - fb_width * scale) / 2.0));
  t->y_offset = MAX (0.0, floor ((widget_height - fb_height * scale) / 2.0));
}

gboolean
vireo_vnc_transform_to_guest (const VireoVncTransform *t,
                              int                      fb_width,
                              int                      fb_height,
                              double                   wx,
                              double                   wy,
                              int                     *gx,
                              int                     *gy)
{
  double fx, fy;
  gboolean inside;
  int x, y;

  if (fb_width <= 0 || fb_height <= 0 || t->scale <= 0)
    {
      *gx = *gy = 0;
      return FALSE;
    }

  fx = (wx - t->x_offset) / t->scale;
  fy = (wy - t->y_offset) / t->scale;
  inside = fx >= 0 && fy >= 0 && fx < fb_width && fy < fb_height;

  x = (int) floor (fx);
  y = (int) floor (fy);
  *gx = CLAMP (x, 0, fb_width - 1);
  *gy = CLAMP (y, 0, fb_height - 1);
  return inside;
}

void
vireo_vnc_transform_to_widget (const VireoVncTransform *t,
                               const VireoVncRect      *guest,
                               double                  *x,
                               double                  *y,
                               double                  *width,
                               double                  *height)
{
  *x = t->x_offset + guest->x * t->scale;
  *y = t->y_offset + guest->y * t->scale;
  *width = guest->width * t->scale;
  *height = guest->height * t->scale;
}

VireoVncTileGrid *
vireo_vnc_tile_grid_new (int fb_width,
                         int fb_height,
                         int tile_size)
{
  VireoVncTileGrid *grid;

  g_return_val_if_fail (tile_size > 0, NULL);

  grid = g_new0 (VireoVncTileGrid, 1);
  grid->fb_width = MAX (fb_width, 0);
  grid->fb_height = MAX (fb_height, 0);
  grid->tile_size = tile_size;
  grid->columns = (grid->fb_width + tile_size - 1) / tile_size;
  grid->rows = (grid->fb_height + tile_size - 1) / tile_size;
  grid->dirty = g_new0 (VireoVncRect, MAX (1u, grid->columns * grid->rows));
  return grid;
}

void
vireo_vnc_tile_grid_free (VireoVncTileGrid *grid)
{
  if (grid == NULL)
    return;
  g_free (grid->dirty);
  g_free (grid);
}

guint
vireo_vnc_tile_grid_n_tiles (const VireoVncTileGrid *grid)
{
  return grid->columns * grid->rows;
}

void
vireo_vnc_tile_grid_tile_rect (const VireoVncTileGrid *grid,
                               guint                   index,
                               VireoVncRect           *out)
{
  guint col, row;
  int x, y;

  g_return_if_fail (index < vireo_vnc_tile_grid_n_tiles (grid));

  col = index % grid->columns;
  row = index / grid->columns;
  x = (int) col * grid->tile_size;
  y = (int) row * grid->tile_size;
  *out = (VireoVncRect) {
    x, y,
    MIN (grid->tile_size, grid->fb_width - x),
    MIN (grid->tile_size, grid->fb_height - y),
  };
}

guint
vireo_vnc_tile_grid_damage (VireoVncTileGrid   *grid,
                            const VireoVncRect *damage)
{
  VireoVncRect fb = { 0, 0, grid->fb_width, grid->fb_height };
  VireoVncRect clipped;
  guint col0, col1, row0, row1, touched = 0;

  if (!vireo_vnc_rect_intersect (damage, &fb, &clipped))
    return 0;

  col0 = clipped.x / grid->tile_size;
  row0 = clipped.y / grid->tile_size;
  col1 = (clipped.x + clipped.width - 1) / grid->tile_size;
  row1 = (clipped.y + clipped.height - 1) / grid->tile_size;

  for (guint row = row0; row <= row1; row++)
    for (guint col = col0; col <= col1; col++)
      {
        guint index = row * grid->columns + col;
        VireoVncRect tile, part;

        vireo_vnc_tile_grid_tile_rect (grid, index, &tile);
        vireo_vnc_rect_intersect (&clipped, &tile, &part);
        if (vireo_vnc_rect_is_empty (&grid->dirty[index]))
          grid->n_dirty++;
        vireo_vnc_rect_union (&grid->dirty[index], &part, &grid->dirty[index]);
        touched++;
      }

  return touched;
}

void
vireo_vnc_tile_grid_damage_all (VireoVncTileGrid *grid)
{
  VireoVncRect all = { 0, 0, grid->fb_width, grid->fb_height };

  vireo_vnc_tile_grid_damage (grid, &all);
}

gboolean
vireo_vnc_tile_grid_take_dirty (VireoVncTileGrid *grid,
                                guint             index,
                                VireoVncRect     *out)
{
  g_return_val_if_fail (index < vireo_vnc_tile_grid_n_tiles (grid), FALSE);

  if (vireo_vnc_rect_is_empty (&grid->dirty[index]))
    return FALSE;

  *out = grid->dirty[index];
  grid->dirty[index] = (VireoVncRect) { 0, 0, 0, 0 };
  grid->n_dirty--;
  return TRUE;
}

struct _VireoVncCoverage {
  int     width;
  int     height;
  gsize   missing;
  guint8 *seen;  /* one byte per pixel: simple, and a few hundred KiB at most */
};

VireoVncCoverage *
vireo_vnc_coverage_new (int width,
                        int height)
{
  VireoVncCoverage *cov = g_new0 (VireoVncCoverage, 1);

  cov->width = MAX (width, 0);
  cov->height = MAX (height, 0);
  cov->missing = (gsize) cov->width * cov->height;
  cov->seen = g_malloc0 (MAX (cov->missing, 1));
  return cov;
}

void
vireo_vnc_coverage_free (VireoVncCoverage *cov)
{
  if (cov == NULL)
    return;
  g_free (cov->seen);
  g_free (cov);
}

void
vireo_vnc_coverage_add (VireoVncCoverage   *cov,
                        const VireoVncRect *r)
{
  VireoVncRect all = { 0, 0, cov->width, cov->height };
  VireoVncRect c;

  if (cov->missing == 0 || !vireo_vnc_rect_intersect (r, &all, &c))
    return;

  for (int y = c.y; y < c.y + c.height; y++)
    {
      guint8 *row = cov->seen + (gsize) y * cov->width;

      for (int x = c.x; x < c.x + c.width; x++)
        if (!row[x])
          {
            row[x] = 1;
            cov->missing--;
          }
    }
}

gboolean
vireo_vnc_coverage_complete (const VireoVncCoverage *cov)
{
  return cov->missing == 0;
}
