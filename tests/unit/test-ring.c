/* SPDX-License-Identifier: GPL-3.0-or-later */
/* VireoRing: a fixed-size history where age 0 is the newest sample. */
#include <glib.h>

#include "vireo-ring.h"

static void
test_ring_empty (void)
{
  g_autoptr(VireoRing) ring = vireo_ring_new (8);

  g_assert_nonnull (ring);
  g_assert_cmpuint (vireo_ring_get_capacity (ring), ==, 8);
  g_assert_cmpuint (vireo_ring_get_length (ring), ==, 0);
  /* Past the length reads 0, by contract. */
  g_assert_cmpfloat (vireo_ring_get (ring, 0), ==, 0.0);
  g_assert_cmpfloat (vireo_ring_get (ring, 7), ==, 0.0);
  g_assert_cmpfloat (vireo_ring_get (ring, 1000), ==, 0.0);
  g_assert_cmpfloat (vireo_ring_get_latest (ring), ==, 0.0);
  g_assert_cmpfloat (vireo_ring_get_max (ring), ==, 0.0);
}

static void
test_ring_push (void)
{
  g_autoptr(VireoRing) ring = vireo_ring_new (4);

  vireo_ring_push (ring, 1.5);
  g_assert_cmpuint (vireo_ring_get_length (ring), ==, 1);
  g_assert_cmpfloat_with_epsilon (vireo_ring_get_latest (ring), 1.5, 1e-6);
  g_assert_cmpfloat_with_epsilon (vireo_ring_get (ring, 0), 1.5, 1e-6);
  g_assert_cmpfloat (vireo_ring_get (ring, 1), ==, 0.0);

  vireo_ring_push (ring, 2.5);
  vireo_ring_push (ring, 3.5);
  g_assert_cmpuint (vireo_ring_get_length (ring), ==, 3);
  /* Age counts back from the newest. */
  g_assert_cmpfloat_with_epsilon (vireo_ring_get (ring, 0), 3.5, 1e-6);
  g_assert_cmpfloat_with_epsilon (vireo_ring_get (ring, 1), 2.5, 1e-6);
  g_assert_cmpfloat_with_epsilon (vireo_ring_get (ring, 2), 1.5, 1e-6);
  g_assert_cmpfloat (vireo_ring_get (ring, 3), ==, 0.0);
  g_assert_cmpuint (vireo_ring_get_capacity (ring), ==, 4);
}

static void
test_ring_wrap (void)
{
  g_autoptr(VireoRing) ring = vireo_ring_new (5);

  /* Push 0..12: three and a half times round. */
  for (int i = 0; i <= 12; i++)
    vireo_ring_push (ring, i);

  g_assert_cmpuint (vireo_ring_get_length (ring), ==, 5);
  g_assert_cmpuint (vireo_ring_get_capacity (ring), ==, 5);
  for (guint age = 0; age < 5; age++)
    g_assert_cmpfloat_with_epsilon (vireo_ring_get (ring, age), 12.0 - age, 1e-6);
  /* The oldest were overwritten: nothing older than age 4 exists. */
  g_assert_cmpfloat (vireo_ring_get (ring, 5), ==, 0.0);
  g_assert_cmpfloat_with_epsilon (vireo_ring_get_latest (ring), 12.0, 1e-6);
}

static void
test_ring_wrap_every_offset (void)
{
  /* After every number of pushes, ages map to the right samples. */
  for (guint cap = 1; cap <= 7; cap++)
    for (guint pushes = 0; pushes <= 3 * cap + 1; pushes++)
      {
        g_autoptr(VireoRing) ring = vireo_ring_new (cap);
        guint expected_len = MIN (pushes, cap);

        for (guint i = 0; i < pushes; i++)
          vireo_ring_push (ring, 100.0 + i);
        g_assert_cmpuint (vireo_ring_get_length (ring), ==, expected_len);
        for (guint age = 0; age < expected_len; age++)
          g_assert_cmpfloat_with_epsilon (vireo_ring_get (ring, age),
                                          100.0 + (pushes - 1 - age), 1e-4);
        g_assert_cmpfloat (vireo_ring_get (ring, expected_len), ==, 0.0);
      }
}

static void
test_ring_max (void)
{
  g_autoptr(VireoRing) ring = vireo_ring_new (3);

  vireo_ring_push (ring, 5);
  vireo_ring_push (ring, 42);
  vireo_ring_push (ring, 7);
  g_assert_cmpfloat_with_epsilon (vireo_ring_get_max (ring), 42.0, 1e-6);

  /* Once 42 has been overwritten it no longer counts. */
  vireo_ring_push (ring, 1);
  vireo_ring_push (ring, 2);
  g_assert_cmpfloat_with_epsilon (vireo_ring_get (ring, 2), 7.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (vireo_ring_get_max (ring), 7.0, 1e-6);
  vireo_ring_push (ring, 3);
  g_assert_cmpfloat_with_epsilon (vireo_ring_get_max (ring), 3.0, 1e-6);
}

static void
test_ring_max_negative (void)
{
  g_autoptr(VireoRing) ring = vireo_ring_new (4);

  /* The max of samples that are all negative is the largest of them, not
   * an invented 0. */
  vireo_ring_push (ring, -5);
  vireo_ring_push (ring, -2);
  vireo_ring_push (ring, -9);
  g_assert_cmpfloat_with_epsilon (vireo_ring_get_max (ring), -2.0, 1e-6);
}

static void
test_ring_clear (void)
{
  g_autoptr(VireoRing) ring = vireo_ring_new (4);
  guint64 serial;

  for (int i = 0; i < 6; i++)
    vireo_ring_push (ring, 10 + i);
  serial = vireo_ring_get_serial (ring);

  vireo_ring_clear (ring);
  g_assert_cmpuint (vireo_ring_get_length (ring), ==, 0);
  g_assert_cmpuint (vireo_ring_get_capacity (ring), ==, 4);
  g_assert_cmpfloat (vireo_ring_get (ring, 0), ==, 0.0);
  g_assert_cmpfloat (vireo_ring_get_latest (ring), ==, 0.0);
  g_assert_cmpfloat (vireo_ring_get_max (ring), ==, 0.0);
  /* A view that caches by serial must see that the ring changed. */
  g_assert_cmpuint (vireo_ring_get_serial (ring), !=, serial);

  /* Usable again after clearing, from a clean start. */
  vireo_ring_push (ring, 3);
  g_assert_cmpuint (vireo_ring_get_length (ring), ==, 1);
  g_assert_cmpfloat_with_epsilon (vireo_ring_get (ring, 0), 3.0, 1e-6);
  g_assert_cmpfloat (vireo_ring_get (ring, 1), ==, 0.0);
}

static void
test_ring_capacity_one (void)
{
  g_autoptr(VireoRing) ring = vireo_ring_new (1);

  g_assert_cmpuint (vireo_ring_get_capacity (ring), ==, 1);
  vireo_ring_push (ring, 1);
  vireo_ring_push (ring, 2);
  vireo_ring_push (ring, 3);
  g_assert_cmpuint (vireo_ring_get_length (ring), ==, 1);
  g_assert_cmpfloat_with_epsilon (vireo_ring_get_latest (ring), 3.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (vireo_ring_get_max (ring), 3.0, 1e-6);
  g_assert_cmpfloat (vireo_ring_get (ring, 1), ==, 0.0);
}

static void
test_ring_serial (void)
{
  g_autoptr(VireoRing) ring = vireo_ring_new (2);
  guint64 s0 = vireo_ring_get_serial (ring);
  guint64 s1, s2, s3;

  vireo_ring_push (ring, 1);
  s1 = vireo_ring_get_serial (ring);
  vireo_ring_push (ring, 1);   /* same value: still a new sample */
  s2 = vireo_ring_get_serial (ring);
  vireo_ring_push (ring, 1);   /* wrapped */
  s3 = vireo_ring_get_serial (ring);
  g_assert_cmpuint (s1, >, s0);
  g_assert_cmpuint (s2, >, s1);
  g_assert_cmpuint (s3, >, s2);
  /* Reading does not change it. */
  (void) vireo_ring_get_max (ring);
  (void) vireo_ring_get (ring, 1);
  g_assert_cmpuint (vireo_ring_get_serial (ring), ==, s3);
}

static void
test_ring_precision (void)
{
  g_autoptr(VireoRing) ring = vireo_ring_new (2);

  /* Samples are graph values: percentages and byte rates. A rate of a few
   * hundred MB/s must come back to well within a part in a million. */
  vireo_ring_push (ring, 73.25);
  vireo_ring_push (ring, 312456789.0);
  g_assert_cmpfloat_with_epsilon (vireo_ring_get (ring, 1), 73.25, 1e-4);
  g_assert_cmpfloat_with_epsilon (vireo_ring_get (ring, 0) / 312456789.0, 1.0, 1e-6);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ring/empty", test_ring_empty);
  g_test_add_func ("/ring/push", test_ring_push);
  g_test_add_func ("/ring/wrap", test_ring_wrap);
  g_test_add_func ("/ring/wrap-every-offset", test_ring_wrap_every_offset);
  g_test_add_func ("/ring/max", test_ring_max);
  g_test_add_func ("/ring/max-negative", test_ring_max_negative);
  g_test_add_func ("/ring/clear", test_ring_clear);
  g_test_add_func ("/ring/capacity-one", test_ring_capacity_one);
  g_test_add_func ("/ring/serial", test_ring_serial);
  g_test_add_func ("/ring/precision", test_ring_precision);

  return g_test_run ();
}
