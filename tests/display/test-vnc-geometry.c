/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>

#include "vireo-vnc-geometry.h"

#define assert_rect(r, X, Y, W, H) G_STMT_START { \
    g_assert_cmpint ((r)->x, ==, (X)); g_assert_cmpint ((r)->y, ==, (Y)); \
    g_assert_cmpint ((r)->width, ==, (W)); g_assert_cmpint ((r)->height, ==, (H)); \
  } G_STMT_END

static void
test_rect_ops (void)
{
  VireoVncRect a = { 0, 0, 10, 10 }, b = { 5, 5, 10, 10 }, c = { 20, 20, 1, 1 };
  VireoVncRect empty = { 0, 0, 0, 0 }, out;

  g_assert_true (vireo_vnc_rect_intersect (&a, &b, &out));
  assert_rect (&out, 5, 5, 5, 5);
  g_assert_false (vireo_vnc_rect_intersect (&a, &c, &out));
  g_assert_true (vireo_vnc_rect_is_empty (&out));
  vireo_vnc_rect_union (&a, &b, &out);
  assert_rect (&out, 0, 0, 15, 15);
  vireo_vnc_rect_union (&empty, &c, &out);
  assert_rect (&out, 20, 20, 1, 1);
}

static void
test_transform_one_to_one (void)
{
  VireoVncTransform t;
  int gx, gy;

  /* Widget larger than the guest: centred, 1:1. */
  vireo_vnc_transform_compute (&t, 1000, 600, 720, 400, FALSE);
  g_assert_cmpfloat (t.scale, ==, 1.0);
  g_assert_cmpfloat (t.x_offset, ==, 140.0);
  g_assert_cmpfloat (t.y_offset, ==, 100.0);
  g_assert_true (vireo_vnc_transform_to_guest (&t, 720, 400, 140.0, 100.0, &gx, &gy));
  g_assert_cmpint (gx, ==, 0);
  g_assert_cmpint (gy, ==, 0);
  g_assert_true (vireo_vnc_transform_to_guest (&t, 720, 400, 859.9, 499.9, &gx, &gy));
  g_assert_cmpint (gx, ==, 719);
  g_assert_cmpint (gy, ==, 399);
  /* Outside the picture: clamped, and reported as outside. */
  g_assert_false (vireo_vnc_transform_to_guest (&t, 720, 400, 10.0, 590.0, &gx, &gy));
  g_assert_cmpint (gx, ==, 0);
  g_assert_cmpint (gy, ==, 399);

  /* Widget smaller than the guest (scrolled): pinned top-left. */
  vireo_vnc_transform_compute (&t, 300, 200, 1024, 768, FALSE);
  g_assert_cmpfloat (t.scale, ==, 1.0);
  g_assert_cmpfloat (t.x_offset, ==, 0.0);
  g_assert_cmpfloat (t.y_offset, ==, 0.0);
}

static void
test_transform_fit (void)
{
  VireoVncTransform t;
  VireoVncRect tile = { 256, 0, 256, 256 };
  double x, y, w, h;
  int gx, gy;

  /* 1440x1000 widget, 720x400 guest: width-limited, scale 2, bars top/bottom. */
  vireo_vnc_transform_compute (&t, 1440, 1000, 720, 400, TRUE);
  g_assert_cmpfloat (t.scale, ==, 2.0);
  g_assert_cmpfloat (t.x_offset, ==, 0.0);
  g_assert_cmpfloat (t.y_offset, ==, 100.0);
  vireo_vnc_transform_to_widget (&t, &tile, &x, &y, &w, &h);
  g_assert_cmpfloat (x, ==, 512.0);
  g_assert_cmpfloat (y, ==, 100.0);
  g_assert_cmpfloat (w, ==, 512.0);
  g_assert_cmpfloat (h, ==, 512.0);
  g_assert_true (vireo_vnc_transform_to_guest (&t, 720, 400, 1439.0, 899.0, &gx, &gy));
  g_assert_cmpint (gx, ==, 719);
  g_assert_cmpint (gy, ==, 399);
  g_assert_false (vireo_vnc_transform_to_guest (&t, 720, 400, 20.0, 50.0, &gx, &gy));

  /* Shrinking, height-limited: 400x200 widget, 1024x768 guest. */
  vireo_vnc_transform_compute (&t, 400, 200, 1024, 768, TRUE);
  g_assert_cmpfloat (t.scale, ==, 200.0 / 768.0);
  g_assert_cmpfloat (t.y_offset, ==, 0.0);
  g_assert_cmpfloat (t.x_offset, ==, 66.0);  /* floor ((400 - 266.67) / 2) */
  g_assert_true (vireo_vnc_transform_to_guest (&t, 1024, 768, 66.0 + 133.3, 100.5, &gx, &gy));
  g_assert_cmpint (gx, ==, 511);
  g_assert_cmpint (gy, ==, 385);

  /* Degenerate sizes never divide by zero. */
  vireo_vnc_transform_compute (&t, 0, 0, 720, 400, TRUE);
  g_assert_cmpfloat (t.scale, ==, 1.0);
  vireo_vnc_transform_compute (&t, 100, 100, 0, 0, TRUE);
  g_assert_false (vireo_vnc_transform_to_guest (&t, 0, 0, 5, 5, &gx, &gy));
}

static void
test_tile_grid_layout (void)
{
  g_autoptr(VireoVncTileGrid) grid = vireo_vnc_tile_grid_new (720, 400, 256);
  VireoVncRect r;

  g_assert_cmpuint (grid->columns, ==, 3);
  g_assert_cmpuint (grid->rows, ==, 2);
  g_assert_cmpuint (vireo_vnc_tile_grid_n_tiles (grid), ==, 6);
  vireo_vnc_tile_grid_tile_rect (grid, 0, &r);
  assert_rect (&r, 0, 0, 256, 256);
  vireo_vnc_tile_grid_tile_rect (grid, 2, &r);
  assert_rect (&r, 512, 0, 208, 256);   /* right edge tile is narrower */
  vireo_vnc_tile_grid_tile_rect (grid, 5, &r);
  assert_rect (&r, 512, 256, 208, 144);
}

static void
test_tile_grid_damage (void)
{
  g_autoptr(VireoVncTileGrid) grid = vireo_vnc_tile_grid_new (720, 400, 256);
  VireoVncRect small = { 10, 10, 8, 16 };        /* one character cell */
  VireoVncRect across = { 250, 250, 20, 20 };    /* corner of four tiles */
  VireoVncRect outside = { 800, 500, 10, 10 };
  VireoVncRect overhang = { 700, 390, 100, 100 };
  VireoVncRect r;

  /* A small change touches one tile, and only its damaged part. */
  g_assert_cmpuint (vireo_vnc_tile_grid_damage (grid, &small), ==, 1);
  g_assert_cmpuint (grid->n_dirty, ==, 1);
  g_assert_true (vireo_vnc_tile_grid_take_dirty (grid, 0, &r));
  assert_rect (&r, 10, 10, 8, 16);
  g_assert_false (vireo_vnc_tile_grid_take_dirty (grid, 0, &r));
  g_assert_cmpuint (grid->n_dirty, ==, 0);

  /* Across a tile corner: four tiles, each with its own part. */
  g_assert_cmpuint (vireo_vnc_tile_grid_damage (grid, &across), ==, 4);
  g_assert_cmpuint (grid->n_dirty, ==, 4);
  g_assert_true (vireo_vnc_tile_grid_take_dirty (grid, 0, &r));
  assert_rect (&r, 250, 250, 6, 6);
  g_assert_true (vireo_vnc_tile_grid_take_dirty (grid, 1, &r));
  assert_rect (&r, 256, 250, 14, 6);
  g_assert_true (vireo_vnc_tile_grid_take_dirty (grid, 3, &r));
  assert_rect (&r, 250, 256, 6, 14);
  g_assert_true (vireo_vnc_tile_grid_take_dirty (grid, 4, &r));
  assert_rect (&r, 256, 256, 14, 14);
  g_assert_false (vireo_vnc_tile_grid_take_dirty (grid, 2, &r));
  g_assert_false (vireo_vnc_tile_grid_take_dirty (grid, 5, &r));

  /* Damage accumulates as a bounding box until taken. */
  vireo_vnc_tile_grid_damage (grid, &small);
  vireo_vnc_tile_grid_damage (grid, &(VireoVncRect) { 100, 200, 4, 4 });
  g_assert_cmpuint (grid->n_dirty, ==, 1);
  g_assert_true (vireo_vnc_tile_grid_take_dirty (grid, 0, &r));
  assert_rect (&r, 10, 10, 94, 194);

  /* Outside the frame: nothing; overhanging: clipped. */
  g_assert_cmpuint (vireo_vnc_tile_grid_damage (grid, &outside), ==, 0);
  g_assert_cmpuint (vireo_vnc_tile_grid_damage (grid, &overhang), ==, 1);
  g_assert_true (vireo_vnc_tile_grid_take_dirty (grid, 5, &r));
  assert_rect (&r, 700, 390, 20, 10);

  vireo_vnc_tile_grid_damage_all (grid);
  g_assert_cmpuint (grid->n_dirty, ==, 6);
}

static void
test_coverage (void)
{
  g_autoptr(VireoVncCoverage) cov = vireo_vnc_coverage_new (100, 50);

  g_assert_false (vireo_vnc_coverage_complete (cov));
  vireo_vnc_coverage_add (cov, &(VireoVncRect) { 0, 0, 100, 25 });
  vireo_vnc_coverage_add (cov, &(VireoVncRect) { 0, 0, 100, 25 });  /* repeats count once */
  g_assert_false (vireo_vnc_coverage_complete (cov));
  vireo_vnc_coverage_add (cov, &(VireoVncRect) { 0, 25, 60, 25 });
  g_assert_false (vireo_vnc_coverage_complete (cov));
  vireo_vnc_coverage_add (cov, &(VireoVncRect) { 50, 20, 200, 200 });  /* clipped */
  g_assert_true (vireo_vnc_coverage_complete (cov));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vnc-geometry/rect", test_rect_ops);
  g_test_add_func ("/vnc-geometry/transform-1to1", test_transform_one_to_one);
  g_test_add_func ("/vnc-geometry/transform-fit", test_transform_fit);
  g_test_add_func ("/vnc-geometry/tile-layout", test_tile_grid_layout);
  g_test_add_func ("/vnc-geometry/tile-damage", test_tile_grid_damage);
  g_test_add_func ("/vnc-geometry/coverage", test_coverage);
  return g_test_run ();
}
