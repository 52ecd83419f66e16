/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Pure arithmetic of the VNC widget: where the guest framebuffer lands in
 * the widget, how pointer positions map back, and which tiles of the
 * framebuffer a damaged rectangle touches. No GTK, no GObject. */

typedef struct {
  int x;
  int y;
  int width;
  int height;
} VireoVncRect;

typedef struct {
  double scale;     /* widget pixels per guest pixel */
  double x_offset;  /* widget position of guest (0, 0) */
  double y_offset;
} VireoVncTransform;

gboolean vireo_vnc_rect_is_empty      (const VireoVncRect *r);
gboolean vireo_vnc_rect_intersect     (const VireoVncRect *a,
                                       const VireoVncRect *b,
                                       VireoVncRect       *out);
void     vireo_vnc_rect_union         (const VireoVncRect *a,
                                       const VireoVncRect *b,
                                       VireoVncRect       *out);

/* scaling: fit into the widget keeping the aspect ratio (up or down);
 * otherwise 1:1. Either way the picture is centred when smaller than the
 * widget and pinned to the top-left when larger. */
void     vireo_vnc_transform_compute  (VireoVncTransform *t,
                                       int                widget_width,
                                       int                widget_height,
                                       int                fb_width,
                                       int                fb_height,
                                       gboolean           scaling);

/* Widget coordinates -> guest pixel, clamped into the framebuffer.
 * Returns whether the point was over the picture. */
gboolean vireo_vnc_transform_to_guest (const VireoVncTransform *t,
                                       int                      fb_width,
                                       int                      fb_height,
                                       double                   wx,
                                       double                   wy,
                                       int                     *gx,
                                       int                     *gy);

/* Guest rectangle -> widget rectangle (floating point). */
void     vireo_vnc_transform_to_widget (const VireoVncTransform *t,
                                        const VireoVncRect      *guest,
                                        double                  *x,
                                        double                  *y,
                                        double                  *width,
                                        double                  *height);

/* A framebuffer cut into square tiles, each with the bounding box of its
 * pending damage in framebuffer coordinates. */
typedef struct {
  int           fb_width;
  int           fb_height;
  int           tile_size;
  guint         columns;
  guint         rows;
  guint         n_dirty;
  VireoVncRect *dirty;   /* columns * rows, empty rect = clean */
} VireoVncTileGrid;

VireoVncTileGrid *vireo_vnc_tile_grid_new        (int fb_width,
                                                  int fb_height,
                                                  int tile_size);
void              vireo_vnc_tile_grid_free       (VireoVncTileGrid *grid);
guint             vireo_vnc_tile_grid_n_tiles    (const VireoVncTileGrid *grid);
void              vireo_vnc_tile_grid_tile_rect  (const VireoVncTileGrid *grid,
                                                  guint                   index,
                                                  VireoVncRect           *out);
/* Adds damage (clipped to the framebuffer) to every tile it touches;
 * returns how many tiles it touched. */
guint             vireo_vnc_tile_grid_damage     (VireoVncTileGrid   *grid,
                                                  const VireoVncRect *damage);
void              vireo_vnc_tile_grid_damage_all (VireoVncTileGrid *grid);
/* Takes (and clears) the pending damage of one tile; FALSE if clean. */
gboolean          vireo_vnc_tile_grid_take_dirty (VireoVncTileGrid *grid,
                                                  guint             index,
                                                  VireoVncRect     *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoVncTileGrid, vireo_vnc_tile_grid_free)

/* Tracks which pixels of a framebuffer have been received at least once,
 * so a client knows when a full update is complete. */
typedef struct _VireoVncCoverage VireoVncCoverage;

VireoVncCoverage *vireo_vnc_coverage_new      (int width, int height);
void              vireo_vnc_coverage_free     (VireoVncCoverage *cov);
void              vireo_vnc_coverage_add      (VireoVncCoverage   *cov,
                                               const VireoVncRect *r);
gboolean          vireo_vnc_coverage_complete (const VireoVncCoverage *cov);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoVncCoverage, vireo_vnc_coverage_free)

G_END_DECLS
