/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A row's live graphs side by side in one widget: a slot per graph (CPU,
 * memory, disk, network), each with up to two series. */
#pragma once

#include <gtk/gtk.h>
#include "vireo-ring.h"

G_BEGIN_DECLS

typedef enum {
  VIREO_GRAPH_PERCENT,   /* fixed scale 0–100 */
  VIREO_GRAPH_RATE,      /* bytes per second, scaled to the largest sample */
} VireoGraphKind;

#define VIREO_GRAPH_N_SLOTS 4

#define VIREO_TYPE_GRAPH (vireo_graph_get_type ())
G_DECLARE_FINAL_TYPE (VireoGraph, vireo_graph, VIREO, GRAPH, GtkWidget)

GtkWidget *vireo_graph_new            (void);
/* "CPU usage"; for two series, their names ("Read", "Write") for the
 * tooltip. The accessible label lists each drawn slot's title and value. */
void       vireo_graph_setup_slot     (VireoGraph     *self,
                                       guint           slot,
                                       const char     *title,
                                       VireoGraphKind  kind,
                                       const char     *first_name,
                                       const char     *second_name);
/* Whether the slot takes its place (the "slotN-shown" properties, bound to
 * the column settings) and whether it is drawn there. */
void       vireo_graph_set_slot_shown (VireoGraph     *self,
                                       guint           slot,
                                       gboolean        shown);
void       vireo_graph_set_slot_drawn (VireoGraph     *self,
                                       guint           slot,
                                       gboolean        drawn);
/* Up to two series, not owned; pass NULL, NULL before they go away. */
void       vireo_graph_set_rings      (VireoGraph      *self,
                                       guint            slot,
                                       const VireoRing *first,
                                       const VireoRing *second);
/* Call after the rings got new samples: redraws when they changed. */
void       vireo_graph_update         (VireoGraph     *self);

G_END_DECLS
