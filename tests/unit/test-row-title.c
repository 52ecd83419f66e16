/* SPDX-License-Identifier: GPL-3.0-or-later */
/* VireoRowTitle, the icon + name + status part of a manager row, drawn by
 * one widget: its sizes follow its text, and what it draws is the icon, the
 * name (bold when emphasized) and a dimmer status, clipped to its width.
 * Needs a display (run through xvfb-run). */
#include "vireo-config.h"

#include <gtk/gtk.h>

#include "vireo-row-title.h"

typedef struct {
  int ink;       /* pixels with any ink */
  int strong;    /* pixels darker than mid-grey: opaque glyph cores */
  int min_x, max_x;
} Ink;

/* Draws the widget, allocated width × height, on white and measures the ink
 * within columns [x0, x1). */
static cairo_surface_t *
draw (GtkWidget *widget,
      int        width,
      int        height)
{
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cairo_t *cr = cairo_create (surface);

  gtk_widget_size_allocate (widget, &(GtkAllocation) { 0, 0, width, height }, -1);
  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  if (node != NULL)
    gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

static Ink
ink_in (cairo_surface_t *surface,
        int              x0,
        int              x1,
        int              y0,
        int              y1)
{
  const guchar *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  Ink ink = { 0, 0, G_MAXINT, -1 };

  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        guint32 px = *(const guint32 *) (data + y * stride + x * 4);
        int lum = (((px >> 16) & 0xff) + ((px >> 8) & 0xff) + (px & 0xff)) / 3;

        if (lum < 240)
          {
            ink.ink++;
            ink.min_x = MIN (ink.min_x, x);
            ink.max_x = MAX (ink.max_x, x);
          }
        if (lum < 110)
          ink.strong++;
      }
  return ink;
}

static GtkWidget *
new_title (const char *icon, const char *name, const char *status)
{
  GtkWidget *title = vireo_row_title_new ();

  g_object_ref_sink (title);
  vireo_row_title_set_icon_name (VIREO_ROW_TITLE (title), icon);
  vireo_row_title_set_name (VIREO_ROW_TITLE (title), name);
  vireo_row_title_set_status (VIREO_ROW_TITLE (title), status);
  return title;
}

static void
test_sizes (void)
{
  g_autoptr(GtkWidget) title = new_title ("media-playback-start-symbolic", "vm", "Running");
  int min, nat, nat_long, hmin, hnat, hnat_one;

  gtk_widget_measure (title, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  gtk_widget_measure (title, GTK_ORIENTATION_VERTICAL, -1, &hmin, &hnat, NULL, NULL);
  /* Only the icon and its spacing must fit: the text ellipsizes. */
  g_assert_cmpint (min, ==, 16 + 8);
  g_assert_cmpint (nat, >, min);

  vireo_row_title_set_name (VIREO_ROW_TITLE (title), "a much longer name for a virtual machine");
  gtk_widget_measure (title, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &nat_long, NULL, NULL);
  g_assert_cmpint (nat_long, >, nat + 100);
  g_assert_cmpstr (vireo_row_title_get_name (VIREO_ROW_TITLE (title)), ==,
                   "a much longer name for a virtual machine");

  /* Two lines of text: taller than one line, and the status alone sets the
   * width when it is the longer. */
  vireo_row_title_set_status (VIREO_ROW_TITLE (title), NULL);
  vireo_row_title_set_name (VIREO_ROW_TITLE (title), "vm");
  gtk_widget_measure (title, GTK_ORIENTATION_VERTICAL, -1, NULL, &hnat_one, NULL, NULL);
  g_assert_cmpint (hnat, >, 16);
  g_assert_cmpint (hnat, >=, hnat_one);
  vireo_row_title_set_status (VIREO_ROW_TITLE (title), "Shut off since a very long time ago");
  gtk_widget_measure (title, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &nat_long, NULL, NULL);
  g_assert_cmpint (nat_long, >, nat + 60);
}

static void
test_drawing (void)
{
  g_autoptr(GtkWidget) title = new_title ("media-playback-start-symbolic", "WWWWWWWW", "Running");
  GtkWidget *window = gtk_window_new ();
  cairo_surface_t *plain, *bold, *none;
  Ink icon, name, status, name_bold, none_icon;
  int width = 300, height, line;

  /* In a window, so the widget has a style and a display. */
  gtk_window_set_child (GTK_WINDOW (window), title);
  gtk_widget_measure (title, GTK_ORIENTATION_VERTICAL, -1, NULL, &height, NULL, NULL);
  line = height / 2;

  plain = draw (title, width, height);
  icon = ink_in (plain, 0, 16, 0, height);
  name = ink_in (plain, 24, width, 0, line);
  status = ink_in (plain, 24, width, line, height);
  g_test_message ("icon %d, name %d (%d strong), status %d (%d strong)",
                  icon.ink, name.ink, name.strong, status.ink, status.strong);
  g_assert_cmpint (icon.ink, >, 20);
  g_assert_cmpint (name.ink, >, 50);
  g_assert_cmpint (status.ink, >, 20);
  /* Nothing between the icon and the text. */
  g_assert_cmpint (ink_in (plain, 17, 23, 0, height).ink, ==, 0);
  /* The status is dimmer: few of its pixels are dark. */
  g_assert_cmpint (status.strong * 10, <, status.ink);
  g_assert_cmpint (name.strong * 10, >, name.ink);

  vireo_row_title_set_emphasis (VIREO_ROW_TITLE (title), TRUE);
  bold = draw (title, width, height);
  name_bold = ink_in (bold, 24, width, 0, line);
  g_test_message ("bold name %d", name_bold.ink);
  g_assert_cmpint (name_bold.max_x, >, name.max_x);
  g_assert_cmpint (name_bold.strong, >, name.strong);

  /* Narrower than the name: ellipsized, nothing past the edge. */
  vireo_row_title_set_emphasis (VIREO_ROW_TITLE (title), FALSE);
  {
    cairo_surface_t *narrow = draw (title, 60, height);
    Ink n = ink_in (narrow, 24, 60, 0, line);

    g_assert_cmpint (n.ink, >, 0);
    g_assert_cmpint (n.max_x, <, 60);
    cairo_surface_destroy (narrow);
  }

  /* No icon: its place stays empty. */
  vireo_row_title_set_icon_name (VIREO_ROW_TITLE (title), NULL);
  none = draw (title, width, height);
  none_icon = ink_in (none, 0, 16, 0, height);
  g_assert_cmpint (none_icon.ink, ==, 0);

  cairo_surface_destroy (plain);
  cairo_surface_destroy (bold);
  cairo_surface_destroy (none);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  if (!gtk_init_check ())
    g_error ("no display: run this test through xvfb-run (packages xvfb, xauth)");
  g_test_add_func ("/row-title/sizes", test_sizes);
  g_test_add_func ("/row-title/drawing", test_drawing);
  return g_test_run ();
}
