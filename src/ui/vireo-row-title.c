/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include "vireo-row-title.h"

/* Adwaita's sizes: a 16 px symbolic icon, 8 px before the text; the status
 * line as its .caption (82 %) in its .dim-label opacity (55 %). */
#define ICON_SIZE      16
#define ICON_SPACING   8
#define STATUS_SCALE   0.82
#define STATUS_OPACITY 0.55

struct _VireoRowTitle
{
  GtkWidget     parent_instance;

  char         *icon_name;
  char         *name;
  char         *status;
  gboolean      emphasis;

  GdkPaintable *icon;           /* looked up when first drawn */
  int           icon_scale;     /* the scale factor it was looked up for */
  guint         context_serial; /* of the Pango context the layouts saw */
  PangoLayout  *name_layout;    /* made when first measured */
  PangoLayout  *status_layout;
};

G_DEFINE_FINAL_TYPE (VireoRowTitle, vireo_row_title, GTK_TYPE_WIDGET)

GtkWidget *
vireo_row_title_new (void)
{
  return g_object_new (VIREO_TYPE_ROW_TITLE, NULL);
}

static void
update_name_attributes (VireoRowTitle *self)
{
  g_autoptr(PangoAttrList) attrs = NULL;

  if (self->name_layout == NULL)
    return;
  if (self->emphasis)
    {
      attrs = pango_attr_list_new ();
      pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
    }
  pango_layout_set_attributes (self->name_layout, attrs);
}

static void
ensure_layouts (VireoRowTitle *self)
{
  g_autoptr(PangoAttrList) attrs = NULL;

  if (self->name_layout != NULL)
    return;

  self->context_serial = pango_context_get_serial (gtk_widget_get_pango_context (GTK_WIDGET (self)));
  self->name_layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), self->name);
  pango_layout_set_ellipsize (self->name_layout, PANGO_ELLIPSIZE_END);
  update_name_attributes (self);

  self->status_layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), self->status);
  pango_layout_set_ellipsize (self->status_layout, PANGO_ELLIPSIZE_END);
  attrs = pango_attr_list_new ();
  pango_attr_list_insert (attrs, pango_attr_scale_new (STATUS_SCALE));
  pango_layout_set_attributes (self->status_layout, attrs);
}

/* Replaces *field; TRUE when it changed. */
static gboolean
replace_string (char       **field,
                const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

void
vireo_row_title_set_icon_name (VireoRowTitle *self,
                               const char    *icon_name)
{
  g_return_if_fail (VIREO_IS_ROW_TITLE (self));

  if (!replace_string (&self->icon_name, icon_name))
    return;
  g_clear_object (&self->icon);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
vireo_row_title_set_name (VireoRowTitle *self,
                          const char    *name)
{
  g_return_if_fail (VIREO_IS_ROW_TITLE (self));

  if (!replace_string (&self->name, name))
    return;
  if (self->name_layout != NULL)
    pango_layout_set_text (self->name_layout, name ? name : "", -1);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
vireo_row_title_set_status (VireoRowTitle *self,
                            const char    *status)
{
  g_return_if_fail (VIREO_IS_ROW_TITLE (self));

  if (!replace_string (&self->status, status))
    return;
  if (self->status_layout != NULL)
    pango_layout_set_text (self->status_layout, status ? status : "", -1);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
vireo_row_title_set_emphasis (VireoRowTitle *self,
                              gboolean       emphasis)
{
  g_return_if_fail (VIREO_IS_ROW_TITLE (self));

  emphasis = !!emphasis;
  if (self->emphasis == emphasis)
    return;
  self->emphasis = emphasis;
  update_name_attributes (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

const char *
vireo_row_title_get_name (VireoRowTitle *self)
{
  g_return_val_if_fail (VIREO_IS_ROW_TITLE (self), NULL);
  return self->name;
}

const char *
vireo_row_title_get_status (VireoRowTitle *self)
{
  g_return_val_if_fail (VIREO_IS_ROW_TITLE (self), NULL);
  return self->status;
}

const char *
vireo_row_title_get_icon_name (VireoRowTitle *self)
{
  g_return_val_if_fail (VIREO_IS_ROW_TITLE (self), NULL);
  return self->icon_name;
}

/* Natural sizes of both lines, in pixels, at no width limit. */
static void
text_size (VireoRowTitle *self,
           int           *width,
           int           *height)
{
  int nw, nh, sw, sh;
  int name_width = pango_layout_get_width (self->name_layout);
  int status_width = pango_layout_get_width (self->status_layout);

  pango_layout_set_width (self->name_layout, -1);
  pango_layout_set_width (self->status_layout, -1);
  pango_layout_get_pixel_size (self->name_layout, &nw, &nh);
  pango_layout_get_pixel_size (self->status_layout, &sw, &sh);
  pango_layout_set_width (self->name_layout, name_width);
  pango_layout_set_width (self->status_layout, status_width);
  *width = MAX (nw, sw);
  *height = nh + sh;
}

static void
vireo_row_title_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  VireoRowTitle *self = VIREO_ROW_TITLE (widget);
  int width, height;

  ensure_layouts (self);
  text_size (self, &width, &height);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* Both lines ellipsize: the icon is all that must fit. */
      *minimum = ICON_SIZE + ICON_SPACING;
      *natural = ICON_SIZE + ICON_SPACING + width;
    }
  else
    *minimum = *natural = MAX (ICON_SIZE, height);
  *minimum_baseline = *natural_baseline = -1;
}

static void
vireo_row_title_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  VireoRowTitle *self = VIREO_ROW_TITLE (widget);
  int text_width = MAX (0, width - ICON_SIZE - ICON_SPACING) * PANGO_SCALE;

  ensure_layouts (self);
  pango_layout_set_width (self->name_layout, text_width);
  pango_layout_set_width (self->status_layout, text_width);
}

static GdkPaintable *
ensure_icon (VireoRowTitle *self)
{
  GtkWidget *widget = GTK_WIDGET (self);

  if (self->icon != NULL && self->icon_scale != gtk_widget_get_scale_factor (widget))
    g_clear_object (&self->icon);
  if (self->icon == NULL && self->icon_name != NULL)
    {
      self->icon_scale = gtk_widget_get_scale_factor (widget);
      self->icon = GDK_PAINTABLE (gtk_icon_theme_lookup_icon (gtk_icon_theme_get_for_display (gtk_widget_get_display (widget)),
                                                            self->icon_name, NULL, ICON_SIZE,
                                                            gtk_widget_get_scale_factor (widget),
                                                            gtk_widget_get_direction (widget), 0));
    }
  return self->icon;
}

static void
vireo_row_title_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  VireoRowTitle *self = VIREO_ROW_TITLE (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  GdkPaintable *icon = ensure_icon (self);
  GdkRGBA color, dim;
  int nw, nh, sw, sh, text_x, y;

  ensure_layouts (self);
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  dim = color;
  dim.alpha *= STATUS_OPACITY;

  if (icon != NULL)
    {
      /* Recoloured like GtkImage's symbolic icons: foreground, error,
       * warning, success. */
      GdkRGBA colors[4] = {
        color,
        { 0.75, 0.11, 0.16, 1.0 },
        { 0.61, 0.43, 0.00, 1.0 },
        { 0.15, 0.55, 0.31, 1.0 },
      };

      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (rtl ? width - ICON_SIZE : 0,
                                                              (height - ICON_SIZE) / 2));
      if (GTK_IS_SYMBOLIC_PAINTABLE (icon))
        gtk_symbolic_paintable_snapshot_symbolic (GTK_SYMBOLIC_PAINTABLE (icon), snapshot,
                                                  ICON_SIZE, ICON_SIZE, colors, G_N_ELEMENTS (colors));
      else
        gdk_paintable_snapshot (icon, snapshot, ICON_SIZE, ICON_SIZE);
      gtk_snapshot_restore (snapshot);
    }

  pango_layout_get_pixel_size (self->name_layout, &nw, &nh);
  pango_layout_get_pixel_size (self->status_layout, &sw, &sh);
  y = MAX (0, (height - nh - sh) / 2);

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  text_x = rtl ? width - ICON_SIZE - ICON_SPACING - nw : ICON_SIZE + ICON_SPACING;
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (text_x, y));
  gtk_snapshot_append_layout (snapshot, self->name_layout, &color);
  gtk_snapshot_restore (snapshot);

  text_x = rtl ? width - ICON_SIZE - ICON_SPACING - sw : ICON_SIZE + ICON_SPACING;
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (text_x, y + nh));
  gtk_snapshot_append_layout (snapshot, self->status_layout, &dim);
  gtk_snapshot_restore (snapshot);
  gtk_snapshot_pop (snapshot);
}

/* A new font: the layouts measure again. (Called for any change of style,
 * hovering included, so only when the widget's Pango context changed.) */
static void
vireo_row_title_css_changed (GtkWidget         *widget,
                             GtkCssStyleChange *change)
{
  VireoRowTitle *self = VIREO_ROW_TITLE (widget);
  guint serial;

  GTK_WIDGET_CLASS (vireo_row_title_parent_class)->css_changed (widget, change);
  serial = pango_context_get_serial (gtk_widget_get_pango_context (widget));
  if (serial != self->context_serial)
    {
      self->context_serial = serial;
      if (self->name_layout != NULL)
        {
          pango_layout_context_changed (self->name_layout);
          pango_layout_context_changed (self->status_layout);
        }
      gtk_widget_queue_resize (widget);
    }
}

static void
vireo_row_title_system_setting_changed (GtkWidget        *widget,
                                        GtkSystemSetting  setting)
{
  VireoRowTitle *self = VIREO_ROW_TITLE (widget);

  GTK_WIDGET_CLASS (vireo_row_title_parent_class)->system_setting_changed (widget, setting);
  if (setting == GTK_SYSTEM_SETTING_ICON_THEME)
    {
      g_clear_object (&self->icon);
      gtk_widget_queue_draw (widget);
    }
  else if (self->name_layout != NULL)
    {
      pango_layout_context_changed (self->name_layout);
      pango_layout_context_changed (self->status_layout);
      gtk_widget_queue_resize (widget);
    }
}

static void
vireo_row_title_direction_changed (GtkWidget        *widget,
                                   GtkTextDirection  previous)
{
  VireoRowTitle *self = VIREO_ROW_TITLE (widget);

  GTK_WIDGET_CLASS (vireo_row_title_parent_class)->direction_changed (widget, previous);
  g_clear_object (&self->icon);
  gtk_widget_queue_draw (widget);
}

static void
vireo_row_title_finalize (GObject *object)
{
  VireoRowTitle *self = VIREO_ROW_TITLE (object);

  g_clear_object (&self->icon);
  g_clear_object (&self->name_layout);
  g_clear_object (&self->status_layout);
  g_free (self->icon_name);
  g_free (self->name);
  g_free (self->status);

  G_OBJECT_CLASS (vireo_row_title_parent_class)->finalize (object);
}

static void
vireo_row_title_class_init (VireoRowTitleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = vireo_row_title_finalize;

  widget_class->measure = vireo_row_title_measure;
  widget_class->size_allocate = vireo_row_title_size_allocate;
  widget_class->snapshot = vireo_row_title_snapshot;
  widget_class->css_changed = vireo_row_title_css_changed;
  widget_class->system_setting_changed = vireo_row_title_system_setting_changed;
  widget_class->direction_changed = vireo_row_title_direction_changed;

  gtk_widget_class_set_css_name (widget_class, "vireorowtitle");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_PRESENTATION);
}

static void
vireo_row_title_init (VireoRowTitle *self)
{
}
