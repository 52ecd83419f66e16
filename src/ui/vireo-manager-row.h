/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define VIREO_TYPE_MANAGER_ROW (vireo_manager_row_get_type ())
G_DECLARE_FINAL_TYPE (VireoManagerRow, vireo_manager_row, VIREO, MANAGER_ROW, GtkWidget)

GtkWidget *vireo_manager_row_new        (GSettings       *settings);
/* Shows the connection or VM that `row` holds; follows it until unbound. */
void       vireo_manager_row_bind       (VireoManagerRow *self,
                                         GtkTreeListRow  *row);
void       vireo_manager_row_unbind     (VireoManagerRow *self);
/* The bound VireoConnection or VireoDomain, or NULL. */
gpointer   vireo_manager_row_get_item   (VireoManagerRow *self);
void       vireo_manager_row_popup_menu (VireoManagerRow *self,
                                         GMenuModel      *menu,
                                         double           x,
                                         double           y);

G_END_DECLS
