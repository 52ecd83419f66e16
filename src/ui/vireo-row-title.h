/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The left part of a manager row in one widget: a state icon beside a name
 * over a dimmer status line. GTK 4.8's list view keeps ~200 rows alive, so
 * one widget drawing all three costs far less than an image and two labels
 * in a grid. It is not exposed on its own to assistive technologies: the row
 * carries "name, status" as its accessible label. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define VIREO_TYPE_ROW_TITLE (vireo_row_title_get_type ())
G_DECLARE_FINAL_TYPE (VireoRowTitle, vireo_row_title, VIREO, ROW_TITLE, GtkWidget)

GtkWidget  *vireo_row_title_new            (void);
/* Each setter redraws (and resizes for text) only when the value changes. */
void        vireo_row_title_set_icon_name  (VireoRowTitle *self,
                                            const char    *icon_name);
void        vireo_row_title_set_name       (VireoRowTitle *self,
                                            const char    *name);
void        vireo_row_title_set_status     (VireoRowTitle *self,
                                            const char    *status);
/* The name in bold (a connection's row). */
void        vireo_row_title_set_emphasis   (VireoRowTitle *self,
                                            gboolean       emphasis);
const char *vireo_row_title_get_name       (VireoRowTitle *self);
const char *vireo_row_title_get_status     (VireoRowTitle *self);
const char *vireo_row_title_get_icon_name  (VireoRowTitle *self);

G_END_DECLS
