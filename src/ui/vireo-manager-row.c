/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <glib/gi18n.h>

#include "vireo-connection.h"

#include "vireo-graph.h"
#include "vireo-manager-row.h"
#include "vireo-row-title.h"

/* One row of the manager list: a connection or one of its VMs. Rows are
 * recycled by the list view; while bound, a row listens to its item and to
 * its connection's statistics ticks, and to nothing once unbound, so only
 * the visible rows cost anything. */
/* The graph columns, in the order of the header and the settings. */
enum { SLOT_CPU, SLOT_MEMORY, SLOT_DISK, SLOT_NETWORK };

/* The width GtkTreeExpander gives a level of depth: Adwaita's 16 px icon and
 * its 4 px spacing. */
#define EXPANDER_INDENT 20

struct _VireoManagerRow
{
  GtkWidget        parent_instance;

  GtkTreeExpander *expander;
  VireoRowTitle   *title;
  VireoGraph      *graphs;
  GtkWidget       *popover;

  GSettings       *settings;

  /* Bound item: exactly one of these, plus the connection of a domain. */
  VireoDomain     *domain;
  VireoConnection *connection;
  gulong           state_handler;
  gulong           error_handler;
  gulong           stats_handler;
};

G_DEFINE_FINAL_TYPE (VireoManagerRow, vireo_manager_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GtkWidget *
vireo_manager_row_new (GSettings *settings)
{
  return g_object_new (VIREO_TYPE_MANAGER_ROW,
                       "settings", settings,
                       NULL);
}

gpointer
vireo_manager_row_get_item (VireoManagerRow *self)
{
  g_return_val_if_fail (VIREO_IS_MANAGER_ROW (self), NULL);

  if (self->domain != NULL)
    return self->domain;
  return self->connection;
}

static void
vireo_manager_row_set_label (VireoManagerRow *self,
                             const char      *name,
                             const char      *status)
{
  g_autofree char *label = NULL;

  /* "web-1, Running", "Test: node.xml, Connected" */
  label = g_strdup_printf (_("%s, %s"), name, status);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

static void
vireo_manager_row_update_graphs (VireoManagerRow *self)
{
  vireo_graph_update (self->graphs);
}

/* The accelerator (and why not KVM) and, for a crashed VM, how it ended:
 * the status's tooltip and the row's accessible description. */
static void
vireo_manager_row_update_details (VireoManagerRow *self)
{
  const char *accel = vireo_domain_get_accelerator (self->domain);
  const char *why = vireo_domain_get_accelerator_reason (self->domain);
  const char *reason = vireo_domain_get_state_reason (self->domain);
  g_autoptr(GString) text = g_string_new (NULL);
  const char *old;

  if (accel != NULL && why != NULL)
    /* Translators: "Accelerator: TCG, because /dev/kvm does not exist: …" */
    g_string_append_printf (text, _("Accelerator: %s, because %s"), accel, why);
  else if (accel != NULL)
    g_string_append_printf (text, _("Accelerator: %s"), accel);
  if (reason != NULL && vireo_domain_get_state (self->domain) == VIREO_DOMAIN_STATE_CRASHED)
    g_string_append_printf (text, "%s%s", text->len ? "\n\n" : "", reason);

  /* Set only when changed: tooltips are not free to update. */
  old = gtk_widget_get_tooltip_text (GTK_WIDGET (self->title));
  if (g_strcmp0 (old, text->len ? text->str : NULL) == 0)
    return;
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title), text->len ? text->str : NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text->str,
                                  -1);
}

static void
vireo_manager_row_update_domain (VireoManagerRow *self)
{
  VireoDomainState state = vireo_domain_get_state (self->domain);
  const char *status = vireo_domain_state_to_string (state);
  g_autofree char *description = vireo_domain_dup_description (self->domain);

  vireo_row_title_set_icon_name (self->title, vireo_domain_state_icon_name (state));
  vireo_row_title_set_name (self->title, vireo_domain_get_name (self->domain));
  vireo_row_title_set_status (self->title, status);

  if (vireo_domain_state_is_active (state))
    gtk_widget_remove_css_class (GTK_WIDGET (self), "inactive");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self), "inactive");

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description,
                                  -1);
  vireo_manager_row_update_details (self);
}

static void
vireo_manager_row_update_connection (VireoManagerRow *self)
{
  VireoConnectionState state = vireo_connection_get_state (self->connection);
  g_autofree char *status = vireo_connection_dup_status_text (self->connection);
  const char *name = vireo_connection_get_display_name (self->connection);

  vireo_row_title_set_icon_name (self->title,
                                 state == VIREO_CONNECTION_STATE_CONNECTED
                                   ? "network-server-symbolic"
                                   : "network-offline-symbolic");
  vireo_row_title_set_name (self->title, name);
  vireo_row_title_set_status (self->title, status);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title), status);

  if (state == VIREO_CONNECTION_STATE_CONNECTED)
    gtk_widget_remove_css_class (GTK_WIDGET (self), "inactive");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self), "inactive");

  /* A host we are not connected to has no current figures to show. */
  vireo_graph_set_slot_drawn (self->graphs, SLOT_CPU, state == VIREO_CONNECTION_STATE_CONNECTED);
  vireo_graph_set_slot_drawn (self->graphs, SLOT_MEMORY, state == VIREO_CONNECTION_STATE_CONNECTED);

  vireo_manager_row_set_label (self, name, status);
}

void
vireo_manager_row_unbind (VireoManagerRow *self)
{
  g_return_if_fail (VIREO_IS_MANAGER_ROW (self));

  if (self->popover != NULL)
    gtk_popover_popdown (GTK_POPOVER (self->popover));

  if (self->domain != NULL)
    g_clear_signal_handler (&self->state_handler, self->domain);
  else if (self->connection != NULL)
    {
      g_clear_signal_handler (&self->state_handler, self->connection);
      g_clear_signal_handler (&self->error_handler, self->connection);
    }
  if (self->connection != NULL)
    g_clear_signal_handler (&self->stats_handler, self->connection);

  /* The rings belong to the item: drop them before the item may go. */
  for (guint i = 0; i < VIREO_GRAPH_N_SLOTS; i++)
    vireo_graph_set_rings (self->graphs, i, NULL, NULL);

  gtk_tree_expander_set_list_row (self->expander, NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title), NULL);
  gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
  gtk_widget_remove_css_class (GTK_WIDGET (self), "connection");
  vireo_row_title_set_emphasis (self->title, FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self), "domain");

  g_clear_object (&self->domain);
  g_clear_object (&self->connection);
}

void
vireo_manager_row_bind (VireoManagerRow *self,
                        GtkTreeListRow  *row)
{
  g_autoptr(GObject) item = NULL;

  g_return_if_fail (VIREO_IS_MANAGER_ROW (self));
  g_return_if_fail (GTK_IS_TREE_LIST_ROW (row));

  vireo_manager_row_unbind (self);

  item = gtk_tree_list_row_get_item (row);

  if (VIREO_IS_DOMAIN (item))
    {
      VireoDomain *domain = VIREO_DOMAIN (item);

      /* A VM is a leaf: the expander would add two placeholder icons (its
       * depth and the missing arrow) to each of ~200 live rows; a margin of
       * the same width does. */
      gtk_tree_expander_set_list_row (self->expander, NULL);
      gtk_widget_set_margin_start (gtk_tree_expander_get_child (self->expander),
                                   EXPANDER_INDENT * (int) (gtk_tree_list_row_get_depth (row) + 1));

      self->domain = g_object_ref (domain);
      self->connection = g_object_ref (vireo_domain_get_connection (domain));
      gtk_widget_add_css_class (GTK_WIDGET (self), "domain");

      vireo_graph_set_rings (self->graphs, SLOT_CPU,
                             vireo_domain_get_history (domain, VIREO_SERIES_CPU), NULL);
      vireo_graph_set_rings (self->graphs, SLOT_MEMORY,
                             vireo_domain_get_history (domain, VIREO_SERIES_MEMORY), NULL);
      vireo_graph_set_rings (self->graphs, SLOT_DISK,
                             vireo_domain_get_history (domain, VIREO_SERIES_DISK_READ),
                             vireo_domain_get_history (domain, VIREO_SERIES_DISK_WRITE));
      vireo_graph_set_rings (self->graphs, SLOT_NETWORK,
                             vireo_domain_get_history (domain, VIREO_SERIES_NET_RX),
                             vireo_domain_get_history (domain, VIREO_SERIES_NET_TX));
      for (guint i = 0; i < VIREO_GRAPH_N_SLOTS; i++)
        vireo_graph_set_slot_drawn (self->graphs, i, TRUE);

      /* Any change: the state, and what explains it, come separately. */
      self->state_handler = g_signal_connect_swapped (domain, "notify",
                                                      G_CALLBACK (vireo_manager_row_update_domain),
                                                      self);
      vireo_manager_row_update_domain (self);
    }
  else if (VIREO_IS_CONNECTION (item))
    {
      VireoConnection *connection = VIREO_CONNECTION (item);

      gtk_widget_set_margin_start (gtk_tree_expander_get_child (self->expander), 0);
      gtk_tree_expander_set_list_row (self->expander, row);

      self->connection = g_object_ref (connection);
      gtk_widget_add_css_class (GTK_WIDGET (self), "connection");
      vireo_row_title_set_emphasis (self->title, TRUE);

      vireo_graph_set_rings (self->graphs, SLOT_CPU,
                             vireo_connection_get_host_cpu_history (connection), NULL);
      vireo_graph_set_rings (self->graphs, SLOT_MEMORY,
                             vireo_connection_get_host_memory_history (connection), NULL);
      /* The host has no disk or network series: keep the columns aligned. */
      vireo_graph_set_slot_drawn (self->graphs, SLOT_DISK, FALSE);
      vireo_graph_set_slot_drawn (self->graphs, SLOT_NETWORK, FALSE);

      self->state_handler = g_signal_connect_swapped (connection, "notify::state",
                                                      G_CALLBACK (vireo_manager_row_update_connection),
                                                      self);
      self->error_handler = g_signal_connect_swapped (connection, "notify::error-message",
                                                      G_CALLBACK (vireo_manager_row_update_connection),
                                                      self);
      vireo_manager_row_update_connection (self);
    }
  else
    return;

  self->stats_handler = g_signal_connect_swapped (self->connection, "stats-updated",
                                                  G_CALLBACK (vireo_manager_row_update_graphs),
                                                  self);
}

void
vireo_manager_row_popup_menu (VireoManagerRow *self,
                              GMenuModel      *menu,
                              double           x,
                              double           y)
{
  g_return_if_fail (VIREO_IS_MANAGER_ROW (self));
  g_return_if_fail (G_IS_MENU_MODEL (menu));

  if (self->popover == NULL)
    {
      self->popover = gtk_popover_menu_new_from_model (menu);
      gtk_popover_set_has_arrow (GTK_POPOVER (self->popover), FALSE);
      gtk_widget_set_halign (self->popover, GTK_ALIGN_START);
      gtk_widget_set_parent (self->popover, GTK_WIDGET (self));
    }
  else
    gtk_popover_menu_set_menu_model (GTK_POPOVER_MENU (self->popover), menu);

  gtk_popover_set_pointing_to (GTK_POPOVER (self->popover),
                               &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->popover));
}

#define ROW_SPACING 12

/* Two children side by side, the graphs at their natural width on the right
 * (no GtkBox in between: GTK 4.8's list view keeps ~200 rows alive). */
static void
vireo_manager_row_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  VireoManagerRow *self = VIREO_MANAGER_ROW (widget);
  int emin = 0, enat = 0, gmin = 0, gnat = 0;

  gtk_widget_measure (GTK_WIDGET (self->expander), orientation, -1, &emin, &enat, NULL, NULL);
  gtk_widget_measure (GTK_WIDGET (self->graphs), orientation, -1, &gmin, &gnat, NULL, NULL);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      int spacing = gnat > 0 ? ROW_SPACING : 0;

      *minimum = emin + spacing + gmin;
      *natural = enat + spacing + gnat;
    }
  else
    {
      *minimum = MAX (emin, gmin);
      *natural = MAX (enat, gnat);
    }
  *minimum_baseline = *natural_baseline = -1;
}

static void
vireo_manager_row_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  VireoManagerRow *self = VIREO_MANAGER_ROW (widget);
  int emin = 0, gmin = 0, gnat = 0, gw, ew;

  gtk_widget_measure (GTK_WIDGET (self->expander), GTK_ORIENTATION_HORIZONTAL, -1, &emin, NULL, NULL, NULL);
  gtk_widget_measure (GTK_WIDGET (self->graphs), GTK_ORIENTATION_HORIZONTAL, -1, &gmin, &gnat, NULL, NULL);
  gw = gnat > 0 ? CLAMP (width - ROW_SPACING - emin, gmin, gnat) : 0;
  ew = MAX (0, width - gw - (gw > 0 ? ROW_SPACING : 0));
  gtk_widget_size_allocate (GTK_WIDGET (self->expander), &(GtkAllocation) { 0, 0, ew, height }, -1);
  gtk_widget_size_allocate (GTK_WIDGET (self->graphs),
                            &(GtkAllocation) { width - gw, 0, gw, height }, -1);
  if (self->popover != NULL)
    gtk_popover_present (GTK_POPOVER (self->popover));
}

static const char *const graph_keys[VIREO_GRAPH_N_SLOTS] = {
  "show-cpu-graph", "show-memory-graph", "show-disk-graph", "show-network-graph",
};

/* `key` NULL: all of them. */
static void
graph_settings_changed (VireoManagerRow *self,
                        const char      *key)
{
  if (self->graphs == NULL)
    return;
  for (guint i = 0; i < VIREO_GRAPH_N_SLOTS; i++)
    if (key == NULL || g_str_equal (key, graph_keys[i]))
      vireo_graph_set_slot_shown (self->graphs, i, g_settings_get_boolean (self->settings, graph_keys[i]));
}

static void
vireo_manager_row_constructed (GObject *object)
{
  VireoManagerRow *self = VIREO_MANAGER_ROW (object);

  G_OBJECT_CLASS (vireo_manager_row_parent_class)->constructed (object);

  if (self->settings != NULL)
    {
      /* One handler per row rather than four GSettings bindings. */
      g_signal_connect_object (self->settings, "changed", G_CALLBACK (graph_settings_changed), self,
                               G_CONNECT_SWAPPED);
      graph_settings_changed (self, NULL);
    }
}

static void
vireo_manager_row_dispose (GObject *object)
{
  VireoManagerRow *self = VIREO_MANAGER_ROW (object);

  if (self->expander != NULL)
    vireo_manager_row_unbind (self);

  g_clear_pointer (&self->popover, gtk_widget_unparent);
  if (self->expander != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->expander));
      gtk_widget_unparent (GTK_WIDGET (self->graphs));
      self->expander = NULL;
      self->graphs = NULL;
    }
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (vireo_manager_row_parent_class)->dispose (object);
}

static void
vireo_manager_row_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  VireoManagerRow *self = VIREO_MANAGER_ROW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vireo_manager_row_class_init (VireoManagerRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = vireo_manager_row_constructed;
  object_class->dispose = vireo_manager_row_dispose;
  object_class->set_property = vireo_manager_row_set_property;

  widget_class->measure = vireo_manager_row_measure;
  widget_class->size_allocate = vireo_manager_row_size_allocate;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "vireomanagerrow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

/* Built in code, not from a template: GTK 4.8's list view makes about 200
 * rows for a long list at once, and running GtkBuilder for each took most of
 * the time the first listing of 1,000 VMs spent on the main thread. */
static void
vireo_manager_row_init (VireoManagerRow *self)
{
  self->expander = GTK_TREE_EXPANDER (gtk_tree_expander_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (self->expander), TRUE);
  gtk_widget_set_parent (GTK_WIDGET (self->expander), GTK_WIDGET (self));

  /* The state icon beside the name over the status, drawn by one widget. */
  self->title = VIREO_ROW_TITLE (vireo_row_title_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (self->title), TRUE);
  gtk_tree_expander_set_child (self->expander, GTK_WIDGET (self->title));

  self->graphs = VIREO_GRAPH (vireo_graph_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->graphs), GTK_ALIGN_CENTER);
  gtk_widget_set_parent (GTK_WIDGET (self->graphs), GTK_WIDGET (self));

  vireo_graph_setup_slot (self->graphs, SLOT_CPU, _("CPU usage"), VIREO_GRAPH_PERCENT, NULL, NULL);
  vireo_graph_setup_slot (self->graphs, SLOT_MEMORY, _("Memory usage"), VIREO_GRAPH_PERCENT,
                          NULL, NULL);
  vireo_graph_setup_slot (self->graphs, SLOT_DISK, _("Disk I/O"), VIREO_GRAPH_RATE,
                          _("Read"), _("Write"));
  vireo_graph_setup_slot (self->graphs, SLOT_NETWORK, _("Network I/O"), VIREO_GRAPH_RATE,
                          _("Received"), _("Sent"));
}
