/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-ring.h"

/* Samples are floats: a graph needs no more precision, and 1,000 VMs × 6
 * series stay small. The samples are allocated at the first push and freed
 * when the ring is cleared, so the rings of VMs that are not running (often
 * most of a host's) hold no samples at all. */
struct _VireoRing {
  guint   capacity;
  guint   length;
  guint   head;      /* index of the next write */
  guint64 serial;    /* bumps on every push, so a view can skip redraws */
  float  *values;    /* capacity floats, or NULL while empty */
};

VireoRing *
vireo_ring_new (guint capacity)
{
  VireoRing *ring;

  g_return_val_if_fail (capacity > 0, NULL);

  ring = g_new0 (VireoRing, 1);
  ring->capacity = capacity;
  return ring;
}

void
vireo_ring_free (VireoRing *ring)
{
  if (ring == NULL)
    return;
  g_free (ring->values);
  g_free (ring);
}

void
vireo_ring_clear (VireoRing *ring)
{
  g_return_if_fail (ring != NULL);
  g_clear_pointer (&ring->values, g_free);
  ring->length = 0;
  ring->head = 0;
  ring->serial++;
}

void
vireo_ring_push (VireoRing *ring,
                 double     value)
{
  g_return_if_fail (ring != NULL);

  if (ring->values == NULL)
    ring->values = g_new0 (float, ring->capacity);
  ring->values[ring->head] = (float) value;
  ring->head = (ring->head + 1) % ring->capacity;
  if (ring->length < ring->capacity)
    ring->length++;
  ring->serial++;
}

guint
vireo_ring_get_length (const VireoRing *ring)
{
  g_return_val_if_fail (ring != NULL, 0);
  return ring->length;
}

guint
vireo_ring_get_capacity (const VireoRing *ring)
{
  g_return_val_if_fail (ring != NULL, 0);
  return ring->capacity;
}

double
vireo_ring_get (const VireoRing *ring,
                guint            age)
{
  g_return_val_if_fail (ring != NULL, 0);

  if (age >= ring->length)
    return 0;
  return ring->values[(ring->head + ring->capacity - 1 - age) % ring->capacity];
}

double
vireo_ring_get_latest (const VireoRing *ring)
{
  return vireo_ring_get (ring, 0);
}

double
vireo_ring_get_max (const VireoRing *ring)
{
  double max = 0;

  g_return_val_if_fail (ring != NULL, 0);

  for (guint i = 0; i < ring->length; i++)
    {
      double v = vireo_ring_get (ring, i);
      if (i == 0 || v > max)
        max = v;
    }
  return max;
}

guint64
vireo_ring_get_serial (const VireoRing *ring)
{
  g_return_val_if_fail (ring != NULL, 0);
  return ring->serial;
}
