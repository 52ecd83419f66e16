/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "vireo-volume-chooser.h"

typedef struct {
  GtkWindow       *window;
  VireoConnection *connection;
  GtkEditable     *target;          /* weak: the wizard's entry */
  GtkDropDown     *pools;
  GtkStringList   *pool_names;
  GtkListBox      *list;
  GtkLabel        *status;
  GtkWidget       *choose;
  GCancellable    *cancellable;
  GPtrArray       *volumes;         /* VireoVolumeInfo, parallel to the rows */
} Chooser;

static void
chooser_free (gpointer data)
{
  Chooser *c = data;

  g_cancellable_cancel (c->cancellable);
  g_clear_object (&c->cancellable);
  if (c->target != NULL)
    g_object_remove_weak_pointer (G_OBJECT (c->target), (gpointer *) &c->target);
  g_clear_object (&c->connection);
  g_clear_pointer (&c->volumes, g_ptr_array_unref);
  g_clear_object (&c->list);
  g_clear_object (&c->pools);
  g_clear_object (&c->choose);
  g_clear_object (&c->status);
  g_free (c);
}

static void
set_status (Chooser    *c,
            const char *text)
{
  gtk_label_set_text (c->status, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (c->status), text != NULL);
}

static void
volumes_listed (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *volumes = vireo_connection_list_volumes_finish (VIREO_CONNECTION (source), result, &error);
  Chooser *c;
  GtkWidget *child;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  c = user_data;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (c->list))) != NULL)
    gtk_list_box_remove (c->list, child);
  g_clear_pointer (&c->volumes, g_ptr_array_unref);
  c->volumes = volumes;
  if (volumes == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The volumes could not be listed: %s"), error->message);
      set_status (c, text);
      return;
    }
  for (guint i = 0; i < volumes->len; i++)
    {
      VireoVolumeInfo *v = g_ptr_array_index (volumes, i);
      g_autofree char *size = g_format_size_full (v->capacity, G_FORMAT_SIZE_IEC_UNITS);
      /* Translators: a volume in a list, "debian.iso, 628.0 MiB" */
      g_autofree char *text = g_strdup_printf (_("%s, %s"), v->name, size);
      GtkWidget *label = gtk_label_new (text);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
      gtk_widget_set_margin_top (label, 6);
      gtk_widget_set_margin_bottom (label, 6);
      gtk_widget_set_margin_start (label, 12);
      gtk_widget_set_margin_end (label, 12);
      gtk_list_box_append (c->list, label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_widget_get_parent (label)),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
    }
  set_status (c, volumes->len == 0 ? _("This pool has no volumes.") : NULL);
}

static void
list_pool (Chooser *c)
{
  guint i = gtk_drop_down_get_selected (c->pools);
  const char *pool;

  g_cancellable_cancel (c->cancellable);
  g_clear_object (&c->cancellable);
  gtk_widget_set_sensitive (c->choose, FALSE);
  if (i >= g_list_model_get_n_items (G_LIST_MODEL (c->pool_names)))
    {
      set_status (c, _("The host has no storage pools."));
      return;
    }
  pool = gtk_string_list_get_string (c->pool_names, i);
  set_status (c, _("Listing the volumes…"));
  c->cancellable = g_cancellable_new ();
  /* The chooser outlives the call or cancels it when it goes. */
  vireo_connection_list_volumes_async (c->connection, pool, c->cancellable, volumes_listed, c);
}

static VireoVolumeInfo *
selected (Chooser *c)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (c->list);
  int i = row ? gtk_list_box_row_get_index (row) : -1;

  if (i < 0 || c->volumes == NULL || (guint) i >= c->volumes->len)
    return NULL;
  return g_ptr_array_index (c->volumes, i);
}

static void
choose (Chooser *c)
{
  VireoVolumeInfo *v = selected (c);

  if (v == NULL)
    return;
  if (c->target != NULL)
    gtk_editable_set_text (c->target, v->path);
  gtk_window_destroy (c->window);
}

static void
on_selected (GtkListBox    *list,
             GtkListBoxRow *row,
             Chooser       *c)
{
  gtk_widget_set_sensitive (c->choose, selected (c) != NULL);
}

static void
on_activated (GtkListBox    *list,
              GtkListBoxRow *row,
              Chooser       *c)
{
  choose (c);
}

/* While the window is torn down its list emits "row-selected" for rows
 * already gone: nothing of ours listens by then. */
static void
dismantle (Chooser *c)
{
  g_cancellable_cancel (c->cancellable);
  g_signal_handlers_disconnect_by_data (c->list, c);
  g_signal_handlers_disconnect_by_data (c->pools, c);
}

void
vireo_volume_chooser_open (GtkWindow       *parent,
                           VireoConnection *connection,
                           const char      *title,
                           GtkEditable     *target)
{
  Chooser *c = g_new0 (Chooser, 1);
  GListModel *pools = vireo_connection_get_pools (connection);
  GtkWidget *window, *box, *header, *cancel, *scroll, *content;
  guint n = g_list_model_get_n_items (pools);

  c->connection = g_object_ref (connection);
  c->target = target;
  g_object_add_weak_pointer (G_OBJECT (target), (gpointer *) &c->target);

  window = adw_window_new ();
  c->window = GTK_WINDOW (window);
  gtk_window_set_title (c->window, title);
  gtk_window_set_transient_for (c->window, parent);
  gtk_window_set_modal (c->window, TRUE);
  gtk_window_set_default_size (c->window, 480, 420);
  g_object_set_data_full (G_OBJECT (window), "vireo-volume-chooser", c, chooser_free);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  adw_window_set_content (ADW_WINDOW (window), box);
  header = adw_header_bar_new ();
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  gtk_box_append (GTK_BOX (box), header);
  /* Accessible names without the mnemonic's underscore (GTK 4.8 would
   * name the button "_Cancel Cancel"). */
  cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (cancel), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Cancel"), -1);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (gtk_window_destroy), window);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  c->choose = gtk_button_new_with_mnemonic (_("C_hoose"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (c->choose), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Choose"), -1);
  gtk_widget_add_css_class (c->choose, "suggested-action");
  gtk_widget_set_sensitive (c->choose, FALSE);
  g_signal_connect_swapped (c->choose, "clicked", G_CALLBACK (choose), c);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), c->choose);

  content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_top (content, 12);
  gtk_widget_set_margin_bottom (content, 12);
  gtk_widget_set_margin_start (content, 12);
  gtk_widget_set_margin_end (content, 12);
  gtk_widget_set_vexpand (content, TRUE);
  gtk_box_append (GTK_BOX (box), content);

  c->pool_names = gtk_string_list_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VireoPool) pool = g_list_model_get_item (pools, i);

      if (vireo_pool_get_active (pool))
        gtk_string_list_append (c->pool_names, vireo_pool_get_name (pool));
    }
  c->pools = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (c->pool_names), NULL));
  gtk_accessible_update_property (GTK_ACCESSIBLE (c->pools), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Storage pool"), -1);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (c->pools));

  scroll = gtk_scrolled_window_new ();
  gtk_widget_set_vexpand (scroll, TRUE);
  gtk_widget_add_css_class (scroll, "card");
  c->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (c->list, GTK_SELECTION_SINGLE);
  /* A click selects; a double click or Enter chooses. */
  gtk_list_box_set_activate_on_single_click (c->list, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (c->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Volumes"), -1);
  g_signal_connect (c->list, "row-selected", G_CALLBACK (on_selected), c);
  g_signal_connect (c->list, "row-activated", G_CALLBACK (on_activated), c);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), GTK_WIDGET (c->list));
  gtk_box_append (GTK_BOX (content), scroll);

  c->status = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (c->status, TRUE);
  gtk_label_set_xalign (c->status, 0);
  gtk_widget_add_css_class (GTK_WIDGET (c->status), "dim-label");
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (c->status));

  g_signal_connect_swapped (c->pools, "notify::selected", G_CALLBACK (list_pool), c);
  /* Ours until the window's data goes, so a signal emitted while the
   * window is torn down never reaches a finalized widget. */
  g_object_ref (c->list);
  g_object_ref (c->pools);
  g_object_ref (c->choose);
  g_object_ref (c->status);
  g_signal_connect_swapped (window, "destroy", G_CALLBACK (dismantle), c);
  list_pool (c);
  gtk_window_present (c->window);
}
