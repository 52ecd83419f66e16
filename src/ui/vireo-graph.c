/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include <glib/gi18n.h>

#include "vireo-stats.h"

#include "vireo-graph.h"

#define NATURAL_WIDTH  120
#define NATURAL_HEIGHT 28
/* Rates below this keep an idle line at the bottom instead of blowing noise
 * up to full height. */
#define MIN_RATE_SCALE 4096.0

struct _VireoGraph
{
  GtkWidget        parent_instance;

  char            *title;
  char            *names[2];
  const VireoRing *rings[2];
  guint64          serials[2];
  PangoLayout     *layout;
  VireoGraphKind   kind;

  /* The plotted lines as an image, redrawn only when a sample, the size or
   * the colours change. One texture per graph keeps a frame to a handful of
   * uploads instead of one drawing request per line segment (which, with
   * the cairo renderer on X11, each cost a round of protocol). */
  GdkTexture      *cache;
  int              cache_width;
  int              cache_height;
  int              cache_scale;
  guint64          cache_serials[2];
  GdkRGBA          cache_colors[2];
  char            *accessible_label;
  char            *tooltip;
};

G_DEFINE_FINAL_TYPE (VireoGraph, vireo_graph, GTK_TYPE_WIDGET)

/* g_set_str() is GLib 2.76; Debian 12 has 2.74. */
static gboolean
set_str (char       **ptr,
         const char  *value)
{
  if (g_strcmp0 (*ptr, value) == 0)
    return FALSE;
  g_free (*ptr);
  *ptr = g_strdup (value);
  return TRUE;
}

GtkWidget *
vireo_graph_new (void)
{
  return g_object_new (VIREO_TYPE_GRAPH, NULL);
}

static char *
format_value (VireoGraph *self,
              double      value)
{
  if (self->kind == VIREO_GRAPH_PERCENT)
    /* Translators: a percentage, e.g. "12 %" */
    return g_strdup_printf (_("%.0f %%"), CLAMP (value, 0.0, 100.0));
  return vireo_format_rate (MAX (value, 0.0));
}

static void
vireo_graph_refresh_text (VireoGraph *self)
{
  g_autofree char *value = NULL;
  g_autofree char *label = NULL;
  g_autofree char *tooltip = NULL;
  double total = 0.0;
  gboolean any = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (self->rings); i++)
    if (self->rings[i] != NULL)
      {
        total += vireo_ring_get_latest (self->rings[i]);
        any = TRUE;
      }

  if (!any)
    {
      pango_layout_set_text (self->layout, "", 0);
      g_clear_pointer (&self->accessible_label, g_free);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, self->title ? self->title : "",
                                      -1);
      if (self->tooltip != NULL)
        gtk_widget_set_tooltip_text (GTK_WIDGET (self), NULL);
      g_clear_pointer (&self->tooltip, g_free);
      return;
    }

  value = format_value (self, total);
  pango_layout_set_text (self->layout, value, -1);

  /* "CPU usage 12 %" */
  label = g_strdup_printf ("%s %s", self->title ? self->title : "", value);
  /* Only a changed value is announced: an idle VM costs no accessibility
   * traffic at every tick. */
  if (set_str (&self->accessible_label, label))
    gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                    -1);

  if (self->rings[0] != NULL && self->rings[1] != NULL && self->names[0] && self->names[1])
    {
      g_autofree char *a = format_value (self, vireo_ring_get_latest (self->rings[0]));
      g_autofree char *b = format_value (self, vireo_ring_get_latest (self->rings[1]));

      tooltip = g_strdup_printf ("%s\n%s: %s\n%s: %s",
                                 self->title ? self->title : "",
                                 self->names[0], a, self->names[1], b);
    }
  else
    tooltip = g_steal_pointer (&label);

  /* Setting a tooltip makes GTK ask the X server where the pointer is (a
   * server grab and a round trip): only do it when the text changes. */
  if (set_str (&self->tooltip, tooltip))
    gtk_widget_set_tooltip_text (GTK_WIDGET (self), tooltip);
}

/* What the plotted picture depends on: the ring's serial, except that an
 * all-zero ring is drawn as one flat baseline whatever its length, so an
 * idle VM's graph does not change (nor redraw) from tick to tick. */
#define FLAT_KEY G_MAXUINT64

static guint64
picture_key (const VireoRing *ring)
{
  if (ring == NULL)
    return 0;
  if (vireo_ring_get_length (ring) > 0 && vireo_ring_get_max (ring) <= 0.0)
    return FLAT_KEY;
  return vireo_ring_get_serial (ring);
}

void
vireo_graph_update (VireoGraph *self)
{
  gboolean changed = FALSE;

  g_return_if_fail (VIREO_IS_GRAPH (self));

  for (guint i = 0; i < G_N_ELEMENTS (self->rings); i++)
    {
      guint64 key = picture_key (self->rings[i]);

      if (key != self->serials[i])
        {
          self->serials[i] = key;
          changed = TRUE;
        }
    }

  if (!changed)
    return;

  vireo_graph_refresh_text (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
vireo_graph_set_rings (VireoGraph      *self,
                       const VireoRing *first,
                       const VireoRing *second)
{
  g_return_if_fail (VIREO_IS_GRAPH (self));

  if (self->rings[0] == first && self->rings[1] == second)
    return;

  self->rings[0] = first;
  self->rings[1] = second;
  self->serials[0] = self->serials[1] = G_MAXUINT64;
  vireo_graph_update (self);
}

void
vireo_graph_set_title (VireoGraph *self,
                       const char *title)
{
  g_return_if_fail (VIREO_IS_GRAPH (self));

  if (set_str (&self->title, title))
    vireo_graph_refresh_text (self);
}

void
vireo_graph_set_kind (VireoGraph     *self,
                      VireoGraphKind  kind)
{
  g_return_if_fail (VIREO_IS_GRAPH (self));

  self->kind = kind;
  vireo_graph_refresh_text (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
vireo_graph_set_series_names (VireoGraph *self,
                              const char *first,
                              const char *second)
{
  set_str (&self->names[0], first);
  set_str (&self->names[1], second);
}

static void
lookup_color (GtkWidget  *widget,
              const char *name,
              GdkRGBA    *color,
              const char *fallback)
{
  gboolean found;

  /* GTK 4.8 has no other way to read a named colour from the theme. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  found = gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), name, color);
  G_GNUC_END_IGNORE_DEPRECATIONS

  if (!found)
    gdk_rgba_parse (color, fallback);
}

static inline double
sample_y (double value,
          double scale,
          double height)
{
  double v = CLAMP (value / scale, 0.0, 1.0);

  return 1.0 + (height - 2.0) * (1.0 - v);
}

static void
trace_series (cairo_t         *cr,
              const VireoRing *ring,
              guint            len,
              double           step,
              double           scale,
              double           width,
              double           height)
{
  cairo_move_to (cr, width, sample_y (vireo_ring_get (ring, 0), scale, height));
  for (guint i = 1; i < len; i++)
    cairo_line_to (cr, width - i * step, sample_y (vireo_ring_get (ring, i), scale, height));
}

static void
draw_series (cairo_t         *cr,
             const VireoRing *ring,
             double           scale,
             double           width,
             double           height,
             const GdkRGBA   *color)
{
  guint len = vireo_ring_get_length (ring);
  guint capacity = vireo_ring_get_capacity (ring);
  double step;

  if (len == 0 || capacity < 2)
    return;

  len = MIN (len, capacity);
  step = width / (capacity - 1);

  if (vireo_ring_get_max (ring) <= 0.0)
    {
      /* Idle: one baseline across the whole graph (see picture_key()). */
      cairo_move_to (cr, 0, sample_y (0, scale, height));
      cairo_line_to (cr, width, sample_y (0, scale, height));
      gdk_cairo_set_source_rgba (cr, color);
      cairo_stroke (cr);
      return;
    }

  if (len == 1)
    {
      /* One sample: a short tick at the right edge. */
      cairo_move_to (cr, width - 2.0, sample_y (vireo_ring_get (ring, 0), scale, height));
      cairo_line_to (cr, width, sample_y (vireo_ring_get (ring, 0), scale, height));
    }
  else
    {
      /* Filled area first, then the line on top. */
      trace_series (cr, ring, len, step, scale, width, height);
      cairo_line_to (cr, width - (len - 1) * step, height);
      cairo_line_to (cr, width, height);
      cairo_close_path (cr);
      cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha * 0.25);
      cairo_fill (cr);

      trace_series (cr, ring, len, step, scale, width, height);
    }

  gdk_cairo_set_source_rgba (cr, color);
  cairo_stroke (cr);
}

static gboolean
cache_valid (VireoGraph    *self,
             int            width,
             int            height,
             int            scale_factor,
             const GdkRGBA *colors)
{
  if (self->cache == NULL || self->cache_width != width || self->cache_height != height ||
      self->cache_scale != scale_factor)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (self->rings); i++)
    {
      if (picture_key (self->rings[i]) != self->cache_serials[i] ||
          !gdk_rgba_equal (&colors[i], &self->cache_colors[i]))
        return FALSE;
    }
  return TRUE;
}

static void
render_cache (VireoGraph    *self,
              int            width,
              int            height,
              int            scale_factor,
              double         scale,
              const GdkRGBA *colors)
{
  cairo_surface_t *surface;
  g_autoptr(GBytes) bytes = NULL;
  cairo_t *cr;
  int stride;

  g_clear_object (&self->cache);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width * scale_factor,
                                        height * scale_factor);
  cr = cairo_create (surface);
  cairo_scale (cr, scale_factor, scale_factor);
  cairo_set_line_width (cr, 1.5);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < G_N_ELEMENTS (self->rings); i++)
    if (self->rings[i] != NULL)
      draw_series (cr, self->rings[i], scale, width, height, &colors[i]);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  /* Cairo's ARGB32 is premultiplied BGRA in memory on little-endian
   * machines and ARGB on big-endian ones: GDK_MEMORY_DEFAULT is the same. */
  stride = cairo_image_surface_get_stride (surface);
  bytes = g_bytes_new_with_free_func (cairo_image_surface_get_data (surface),
                                      (gsize) stride * height * scale_factor,
                                      (GDestroyNotify) cairo_surface_destroy, surface);
  self->cache = gdk_memory_texture_new (width * scale_factor, height * scale_factor,
                                        GDK_MEMORY_DEFAULT, bytes, stride);
  self->cache_width = width;
  self->cache_height = height;
  self->cache_scale = scale_factor;
  for (guint i = 0; i < G_N_ELEMENTS (self->rings); i++)
    {
      self->cache_serials[i] = picture_key (self->rings[i]);
      self->cache_colors[i] = colors[i];
    }
}

static void
vireo_graph_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  VireoGraph *self = VIREO_GRAPH (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  GdkRGBA colors[2];
  GdkRGBA text_color;
  double scale = 100.0;

  if (width <= 0 || height <= 0 || (self->rings[0] == NULL && self->rings[1] == NULL))
    return;

  if (self->kind == VIREO_GRAPH_RATE)
    {
      scale = MIN_RATE_SCALE;
      for (guint i = 0; i < G_N_ELEMENTS (self->rings); i++)
        if (self->rings[i] != NULL)
          scale = MAX (scale, vireo_ring_get_max (self->rings[i]));
    }

  lookup_color (widget, "vireo_graph_color", &colors[0], "#3584e4");
  lookup_color (widget, "vireo_graph_secondary_color", &colors[1], "#e66100");

  if (!cache_valid (self, width, height, gtk_widget_get_scale_factor (widget), colors))
    render_cache (self, width, height, gtk_widget_get_scale_factor (widget), scale, colors);
  if (self->cache != NULL)
    gtk_snapshot_append_texture (snapshot, self->cache, &GRAPHENE_RECT_INIT (0, 0, width, height));

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &text_color);
  G_GNUC_END_IGNORE_DEPRECATIONS

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (4, 1));
  gtk_snapshot_append_layout (snapshot, self->layout, &text_color);
  gtk_snapshot_restore (snapshot);
}

static void
vireo_graph_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = NATURAL_WIDTH / 2;
      *natural = NATURAL_WIDTH;
    }
  else
    {
      *minimum = NATURAL_HEIGHT;
      *natural = NATURAL_HEIGHT;
    }
}

static void
vireo_graph_finalize (GObject *object)
{
  VireoGraph *self = VIREO_GRAPH (object);

  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->names[0], g_free);
  g_clear_pointer (&self->names[1], g_free);
  g_clear_object (&self->layout);
  g_clear_object (&self->cache);
  g_clear_pointer (&self->accessible_label, g_free);
  g_clear_pointer (&self->tooltip, g_free);

  G_OBJECT_CLASS (vireo_graph_parent_class)->finalize (object);
}

enum {
  PROP_0,
  PROP_TITLE,
  PROP_RATE,
  PROP_FIRST_NAME,
  PROP_SECOND_NAME,
  N_PROPS
};

static void
vireo_graph_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  VireoGraph *self = VIREO_GRAPH (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      vireo_graph_set_title (self, g_value_get_string (value));
      break;

    case PROP_RATE:
      vireo_graph_set_kind (self, g_value_get_boolean (value) ? VIREO_GRAPH_RATE : VIREO_GRAPH_PERCENT);
      break;

    case PROP_FIRST_NAME:
      vireo_graph_set_series_names (self, g_value_get_string (value), self->names[1]);
      break;

    case PROP_SECOND_NAME:
      vireo_graph_set_series_names (self, self->names[0], g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vireo_graph_class_init (VireoGraphClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = vireo_graph_finalize;
  object_class->set_property = vireo_graph_set_property;

  widget_class->snapshot = vireo_graph_snapshot;
  widget_class->measure = vireo_graph_measure;

  /* Write-only, for templates: title, whether it shows a rate, and the
   * names of the two series (tooltips). */
  g_object_class_install_property (object_class, PROP_TITLE,
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, PROP_RATE,
    g_param_spec_boolean ("rate", NULL, NULL, FALSE,
                          G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, PROP_FIRST_NAME,
    g_param_spec_string ("first-name", NULL, NULL, NULL,
                         G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, PROP_SECOND_NAME,
    g_param_spec_string ("second-name", NULL, NULL, NULL,
                         G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS));

  gtk_widget_class_set_css_name (widget_class, "vireograph");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
vireo_graph_init (VireoGraph *self)
{
  self->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_width (self->layout, (NATURAL_WIDTH - 8) * PANGO_SCALE);
}
