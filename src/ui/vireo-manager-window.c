/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <glib/gi18n.h>

#include "vireo-manager-row.h"
#include "vireo-manager-window-private.h"
#include "vireo-application.h"

G_DEFINE_FINAL_TYPE (VireoManagerWindow, vireo_manager_window, ADW_TYPE_APPLICATION_WINDOW)

static void vireo_manager_window_set_up (VireoManagerWindow *self,
                                         VireoApplication   *app);

VireoManagerWindow *
vireo_manager_window_new (VireoApplication *application)
{
  VireoManagerWindow *self;

  g_return_val_if_fail (VIREO_IS_APPLICATION (application), NULL);

  self = g_object_new (VIREO_TYPE_MANAGER_WINDOW,
                       "application", application,
                       NULL);
  vireo_manager_window_set_up (self, application);

  return self;
}

void
vireo_manager_window_show_toast (VireoManagerWindow *self,
                                 const char         *message)
{
  g_autofree char *escaped = NULL;
  AdwToast *toast;

  g_return_if_fail (VIREO_IS_MANAGER_WINDOW (self));

  /* Toast titles are markup in libadwaita 1.2. */
  escaped = g_markup_escape_text (message, -1);
  toast = adw_toast_new (escaped);
  adw_toast_set_timeout (toast, 10);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Search ----------------------------------------------------------------- */

static gboolean
vireo_manager_window_filter_func (gpointer item,
                                  gpointer user_data)
{
  VireoManagerWindow *self = user_data;
  g_autofree char *name = NULL;

  if (self->search_text == NULL || !VIREO_IS_DOMAIN (item))
    return TRUE;

  name = g_utf8_casefold (vireo_domain_get_name (item), -1);
  return strstr (name, self->search_text) != NULL;
}

static void
on_search_changed (VireoManagerWindow *self,
                   GtkSearchEntry     *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autofree char *old = g_steal_pointer (&self->search_text);
  GtkFilterChange change = GTK_FILTER_CHANGE_DIFFERENT;

  if (text != NULL && *text != 0)
    self->search_text = g_utf8_casefold (text, -1);

  if (old == NULL && self->search_text != NULL)
    change = GTK_FILTER_CHANGE_MORE_STRICT;
  else if (self->search_text == NULL)
    change = GTK_FILTER_CHANGE_LESS_STRICT;
  else if (old != NULL && strstr (self->search_text, old) != NULL)
    change = GTK_FILTER_CHANGE_MORE_STRICT;
  else if (old != NULL && strstr (old, self->search_text) != NULL)
    change = GTK_FILTER_CHANGE_LESS_STRICT;

  gtk_filter_changed (GTK_FILTER (self->filter), change);
}

static void
on_search_stopped (VireoManagerWindow *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

/* The tree: connections, each with its filtered VMs ----------------------- */

static GListModel *
vireo_manager_window_create_children (gpointer item,
                                      gpointer user_data)
{
  VireoManagerWindow *self = user_data;

  if (!VIREO_IS_CONNECTION (item))
    return NULL;

  return G_LIST_MODEL (gtk_filter_list_model_new (g_object_ref (vireo_connection_get_domains (item)),
                                                  g_object_ref (GTK_FILTER (self->filter))));
}

static gpointer
vireo_manager_window_get_item_at (VireoManagerWindow *self,
                                  guint               position)
{
  g_autoptr(GtkTreeListRow) row = NULL;

  row = g_list_model_get_item (G_LIST_MODEL (self->selection), position);
  if (row == NULL)
    return NULL;

  return gtk_tree_list_row_get_item (row);
}

void
vireo_manager_window_select_connection (VireoManagerWindow *self,
                                        VireoConnection    *connection)
{
  guint n;

  g_return_if_fail (VIREO_IS_MANAGER_WINDOW (self));
  g_return_if_fail (VIREO_IS_CONNECTION (connection));

  n = g_list_model_get_n_items (self->connections);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VireoConnection) conn = g_list_model_get_item (self->connections, i);
      GtkTreeListRow *row;
      guint position;

      if (conn != connection)
        continue;

      row = gtk_tree_list_model_get_child_row (self->tree, i);
      if (row == NULL)
        return;

      position = gtk_tree_list_row_get_position (row);
      g_object_unref (row);

      gtk_single_selection_set_selected (self->selection, position);
      gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", position);
      return;
    }
}

static void
on_selection_changed (VireoManagerWindow *self)
{
  guint position = gtk_single_selection_get_selected (self->selection);
  g_autoptr(GObject) item = NULL;
  VireoDomain *domain = NULL;
  VireoConnection *connection = NULL;

  if (position != GTK_INVALID_LIST_POSITION)
    item = vireo_manager_window_get_item_at (self, position);

  if (item != NULL && VIREO_IS_DOMAIN (item))
    domain = VIREO_DOMAIN (item);
  else if (item != NULL && VIREO_IS_CONNECTION (item))
    connection = VIREO_CONNECTION (item);

  if (domain != self->selected_domain)
    {
      if (self->selected_domain != NULL)
        g_clear_signal_handler (&self->selected_domain_handler, self->selected_domain);
      g_set_object (&self->selected_domain, domain);
      if (domain != NULL)
        self->selected_domain_handler =
          g_signal_connect_swapped (domain, "notify",
                                    G_CALLBACK (_vireo_manager_window_update_actions), self);
    }

  if (connection != self->selected_connection)
    {
      if (self->selected_connection != NULL)
        g_clear_signal_handler (&self->selected_connection_handler, self->selected_connection);
      g_set_object (&self->selected_connection, connection);
      if (connection != NULL)
        self->selected_connection_handler =
          g_signal_connect_swapped (connection, "notify::state",
                                    G_CALLBACK (_vireo_manager_window_update_actions), self);
    }

  _vireo_manager_window_update_actions (self);
}

static void
on_list_activate (VireoManagerWindow *self,
                  guint               position,
                  GtkListView        *list_view)
{
  g_autoptr(GObject) item = vireo_manager_window_get_item_at (self, position);

  if (item == NULL)
    return;

  gtk_single_selection_set_selected (self->selection, position);

  /* VMs open their console; disconnected hosts connect. */
  if (VIREO_IS_DOMAIN (item))
    vireo_application_show_console (VIREO_APPLICATION_DEFAULT, VIREO_DOMAIN (item));
  else if (VIREO_IS_CONNECTION (item) &&
      vireo_connection_get_state (VIREO_CONNECTION (item)) == VIREO_CONNECTION_STATE_DISCONNECTED)
    vireo_connection_open_async (VIREO_CONNECTION (item), NULL, NULL, NULL);
}

static void
on_connections_changed (VireoManagerWindow *self)
{
  gboolean empty = g_list_model_get_n_items (self->connections) == 0;

  /* Its large icon exists only as SVG: set it when the page is shown, so a
   * window that never shows it never loads the SVG renderer (6 MiB). */
  if (empty)
    adw_status_page_set_icon_name (self->empty_page, "network-server-symbolic");
  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "list");
}

/* Rows ------------------------------------------------------------------- */

static void
vireo_manager_window_row_popup (VireoManagerWindow *self,
                                VireoManagerRow    *row,
                                double              x,
                                double              y)
{
  gpointer item = vireo_manager_row_get_item (row);

  if (VIREO_IS_DOMAIN (item))
    vireo_manager_row_popup_menu (row, G_MENU_MODEL (self->domain_menu), x, y);
  else if (VIREO_IS_CONNECTION (item))
    vireo_manager_row_popup_menu (row, G_MENU_MODEL (self->connection_menu), x, y);
}

/* Shift+F10 and the Menu key: the menu of the selected row. */
void
_vireo_manager_window_popup_menu (VireoManagerWindow *self)
{
  guint position = gtk_single_selection_get_selected (self->selection);
  g_autoptr(GObject) item = NULL;

  if (position == GTK_INVALID_LIST_POSITION)
    return;

  item = vireo_manager_window_get_item_at (self, position);
  for (guint i = 0; i < self->rows->len; i++)
    {
      VireoManagerRow *row = g_ptr_array_index (self->rows, i);

      if (vireo_manager_row_get_item (row) == (gpointer) item &&
          gtk_widget_get_mapped (GTK_WIDGET (row)))
        {
          vireo_manager_window_row_popup (self, row,
                                          gtk_widget_get_width (GTK_WIDGET (row)) / 4.0,
                                          gtk_widget_get_height (GTK_WIDGET (row)) / 2.0);
          return;
        }
    }
}

static void
on_row_finalized (gpointer  data,
                  GObject  *where_the_object_was)
{
  VireoManagerWindow *self = data;

  g_ptr_array_remove_fast (self->rows, where_the_object_was);
}

static void
on_row_pressed (GtkGestureClick *gesture,
                int              n_press,
                double           x,
                double           y,
                GtkListItem     *list_item)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  VireoManagerWindow *self = VIREO_MANAGER_WINDOW (gtk_widget_get_root (row));
  guint position = gtk_list_item_get_position (list_item);

  if (position == GTK_INVALID_LIST_POSITION)
    return;

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  gtk_single_selection_set_selected (self->selection, position);
  vireo_manager_window_row_popup (self, VIREO_MANAGER_ROW (row), x, y);
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           VireoManagerWindow       *self)
{
  GtkWidget *row = vireo_manager_row_new (self->settings);
  GtkGesture *gesture = gtk_gesture_click_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_SECONDARY);
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_row_pressed), list_item);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (gesture));

  g_ptr_array_add (self->rows, row);
  g_object_weak_ref (G_OBJECT (row), on_row_finalized, self);

  gtk_list_item_set_child (list_item, row);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          VireoManagerWindow       *self)
{
  vireo_manager_row_bind (VIREO_MANAGER_ROW (gtk_list_item_get_child (list_item)),
                          gtk_list_item_get_item (list_item));
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *list_item,
            VireoManagerWindow       *self)
{
  vireo_manager_row_unbind (VIREO_MANAGER_ROW (gtk_list_item_get_child (list_item)));
}

/* Window size ------------------------------------------------------------ */

static gboolean
vireo_manager_window_close_request (GtkWindow *window)
{
  VireoManagerWindow *self = VIREO_MANAGER_WINDOW (window);
  gboolean maximized = gtk_window_is_maximized (window);

  if (self->settings != NULL)
    {
      g_settings_set_boolean (self->settings, "window-maximized", maximized);
      if (!maximized)
        {
          int width, height;

          gtk_window_get_default_size (window, &width, &height);
          g_settings_set_int (self->settings, "window-width", width);
          g_settings_set_int (self->settings, "window-height", height);
        }
    }

  return GTK_WINDOW_CLASS (vireo_manager_window_parent_class)->close_request (window);
}

/* GObject ---------------------------------------------------------------- */

/* The models come from the application, which GtkWindow only gets after
 * construction. */
static void
vireo_manager_window_set_up (VireoManagerWindow *self,
                             VireoApplication   *app)
{
  GtkListItemFactory *factory;
  int width, height;

  self->settings = g_object_ref (vireo_application_get_settings (app));
  self->connections = g_object_ref (vireo_application_get_connections (app));

  width = g_settings_get_int (self->settings, "window-width");
  height = g_settings_get_int (self->settings, "window-height");
  if (width > 0 && height > 0)
    gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  g_settings_bind (self->settings, "show-cpu-graph", self->header_cpu_label, "visible", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "show-memory-graph", self->header_memory_label, "visible", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "show-disk-graph", self->header_disk_label, "visible", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "show-network-graph", self->header_network_label, "visible", G_SETTINGS_BIND_GET);

  self->filter = gtk_custom_filter_new (vireo_manager_window_filter_func, self, NULL);
  self->tree = gtk_tree_list_model_new (g_object_ref (self->connections),
                                        FALSE, TRUE,
                                        vireo_manager_window_create_children,
                                        self, NULL);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->tree)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "selection-changed",
                           G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect_object (factory, "setup", G_CALLBACK (setup_row), self, 0);
  g_signal_connect_object (factory, "bind", G_CALLBACK (bind_row), self, 0);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (unbind_row), self, 0);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);

  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_object (self->connections, "items-changed",
                           G_CALLBACK (on_connections_changed), self, G_CONNECT_SWAPPED);
  on_connections_changed (self);
  on_selection_changed (self);
}

static void
vireo_manager_window_dispose (GObject *object)
{
  VireoManagerWindow *self = VIREO_MANAGER_WINDOW (object);

  if (self->selected_domain != NULL)
    g_clear_signal_handler (&self->selected_domain_handler, self->selected_domain);
  if (self->selected_connection != NULL)
    g_clear_signal_handler (&self->selected_connection_handler, self->selected_connection);
  g_clear_object (&self->selected_domain);
  g_clear_object (&self->selected_connection);
  g_clear_object (&self->new_vm_connection);

  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->tree);
  g_clear_object (&self->filter);
  g_clear_object (&self->connections);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->search_text, g_free);

  if (self->rows != NULL)
    for (guint i = 0; i < self->rows->len; i++)
      g_object_weak_unref (g_ptr_array_index (self->rows, i), on_row_finalized, self);
  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (vireo_manager_window_parent_class)->dispose (object);
}

static void
vireo_manager_window_class_init (VireoManagerWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = vireo_manager_window_dispose;

  window_class->close_request = vireo_manager_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/vireo/Vireo/vireo-manager-window.ui");
  gtk_widget_class_bind_template_child (widget_class, VireoManagerWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, VireoManagerWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, VireoManagerWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, VireoManagerWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, VireoManagerWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, VireoManagerWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, VireoManagerWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, VireoManagerWindow, pause_button);
  gtk_widget_class_bind_template_child (widget_class, VireoManagerWindow, header_cpu_label);
  gtk_widget_class_bind_template_child (widget_class, VireoManagerWindow, header_memory_label);
  gtk_widget_class_bind_template_child (widget_class, VireoManagerWindow, header_disk_label);
  gtk_widget_class_bind_template_child (widget_class, VireoManagerWindow, header_network_label);
  gtk_widget_class_bind_template_child (widget_class, VireoManagerWindow, domain_menu);
  gtk_widget_class_bind_template_child (widget_class, VireoManagerWindow, connection_menu);
  gtk_widget_class_bind_template_child (widget_class, VireoManagerWindow, more_autostart_section);
  gtk_widget_class_bind_template_child (widget_class, VireoManagerWindow, domain_autostart_section);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_stopped);
  gtk_widget_class_bind_template_callback (widget_class, on_list_activate);

  _vireo_manager_window_class_actions_init (klass);
}

static void
vireo_manager_window_init (VireoManagerWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_ptr_array_new ();
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));

  /* AT-SPI reaches the text inside the search entry, so name it too. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_editable_get_delegate (GTK_EDITABLE (self->search_entry))),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Search VMs"),
                                  -1);

  _vireo_manager_window_actions_init (self);
}
