/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "vireo-ring.h"

G_BEGIN_DECLS

typedef enum {
  VIREO_GRAPH_PERCENT,   /* fixed scale 0–100 */
  VIREO_GRAPH_RATE,      /* bytes per second, scaled to the largest sample */
} VireoGraphKind;

#define VIREO_TYPE_GRAPH (vireo_graph_get_type ())
G_DECLARE_FINAL_TYPE (VireoGraph, vireo_graph, VIREO, GRAPH, GtkWidget)

GtkWidget *vireo_graph_new       (void);
/* "CPU usage": the accessible label is the title and the current value. */
void       vireo_graph_set_title (VireoGraph     *self,
                                  const char     *title);
void       vireo_graph_set_kind  (VireoGraph     *self,
                                  VireoGraphKind  kind);
/* Up to two series, not owned; pass NULL, NULL before they go away. */
void       vireo_graph_set_rings (VireoGraph      *self,
                                  const VireoRing *first,
                                  const VireoRing *second);
/* Call after the rings got new samples: redraws when they changed. */
void       vireo_graph_update    (VireoGraph     *self);

G_END_DECLS
