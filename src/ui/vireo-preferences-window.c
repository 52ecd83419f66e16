/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <glib/gi18n.h>

#include "vireo-preferences-window.h"

struct _VireoPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GtkAdjustment        *interval_adjustment;
  GtkSwitch            *cpu_switch;
  GtkSwitch            *memory_switch;
  GtkSwitch            *disk_switch;
  GtkSwitch            *network_switch;

  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (VireoPreferencesWindow, vireo_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* stats-interval is in milliseconds; people think in seconds. */
static gboolean
interval_get_mapping (GValue   *value,
                      GVariant *variant,
                      gpointer  user_data)
{
  g_value_set_double (value, g_variant_get_uint32 (variant) / 1000.0);
  return TRUE;
}

static GVariant *
interval_set_mapping (const GValue       *value,
                      const GVariantType *expected_type,
                      gpointer            user_data)
{
  double seconds = CLAMP (g_value_get_double (value), 0.25, 60.0);

  return g_variant_new_uint32 ((guint32) (seconds * 1000.0 + 0.5));
}

static void
vireo_preferences_window_dispose (GObject *object)
{
  VireoPreferencesWindow *self = VIREO_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (vireo_preferences_window_parent_class)->dispose (object);
}

static void
vireo_preferences_window_class_init (VireoPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vireo_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/vireo/Vireo/vireo-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, VireoPreferencesWindow, interval_adjustment);
  gtk_widget_class_bind_template_child (widget_class, VireoPreferencesWindow, cpu_switch);
  gtk_widget_class_bind_template_child (widget_class, VireoPreferencesWindow, memory_switch);
  gtk_widget_class_bind_template_child (widget_class, VireoPreferencesWindow, disk_switch);
  gtk_widget_class_bind_template_child (widget_class, VireoPreferencesWindow, network_switch);
}

static void
vireo_preferences_window_init (VireoPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
vireo_preferences_window_new (GtkWindow *parent,
                              GSettings *settings)
{
  VireoPreferencesWindow *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (VIREO_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       NULL);
  self->settings = g_object_ref (settings);

  g_settings_bind_with_mapping (settings, "stats-interval",
                                self->interval_adjustment, "value",
                                G_SETTINGS_BIND_DEFAULT,
                                interval_get_mapping, interval_set_mapping,
                                NULL, NULL);
  g_settings_bind (settings, "show-cpu-graph", self->cpu_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "show-memory-graph", self->memory_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "show-disk-graph", self->disk_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "show-network-graph", self->network_switch, "active", G_SETTINGS_BIND_DEFAULT);

  return GTK_WIDGET (self);
}
