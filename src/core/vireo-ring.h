/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A fixed-size history of samples; the newest overwrites the oldest. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VireoRing VireoRing;

VireoRing *vireo_ring_new        (guint capacity);
void       vireo_ring_free       (VireoRing *ring);
void       vireo_ring_clear      (VireoRing *ring);
void       vireo_ring_push       (VireoRing *ring,
                                  double     value);
guint      vireo_ring_get_length   (const VireoRing *ring);
guint      vireo_ring_get_capacity (const VireoRing *ring);
/* age 0 is the newest sample; returns 0 past the length */
double     vireo_ring_get        (const VireoRing *ring,
                                  guint            age);
double     vireo_ring_get_latest (const VireoRing *ring);
double     vireo_ring_get_max    (const VireoRing *ring);
guint64    vireo_ring_get_serial (const VireoRing *ring);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VireoRing, vireo_ring_free)

G_END_DECLS
