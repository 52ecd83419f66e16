/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The memory and CPU baseline of tests/bench/manager-bench.py: the smallest
 * libadwaita application with one window, a header bar and an empty list,
 * on the same GTK, libadwaita, renderer and accessibility bus as Vireo. */
#include <adwaita.h>

static void
activate (GtkApplication *app, gpointer user_data)
{
  GtkWidget *win = adw_application_window_new (app);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkStringList *model = gtk_string_list_new (NULL);
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkWidget *list = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_single_selection_new (G_LIST_MODEL (model))),
                                       factory);

  gtk_window_set_title (GTK_WINDOW (win), "Bare");
  gtk_window_set_default_size (GTK_WINDOW (win), 1000, 640);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (box), scroller);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (win), box);
  gtk_window_present (GTK_WINDOW (win));
}

int
main (int argc, char *argv[])
{
  g_autoptr(AdwApplication) app =
    adw_application_new ("io.github.vireo.BenchBare", G_APPLICATION_NON_UNIQUE);

  g_signal_connect (app, "activate", G_CALLBACK (activate), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
