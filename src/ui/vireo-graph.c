/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The graphs of a row — CPU, memory, disk, network — drawn by one widget
 * with a slot per graph. One widget rather than four: GTK 4.8's list view
 * keeps about 200 rows whatever fits on screen, and with 1,000 VMs each
 * widget of a row cost ~2 MiB over the list (four graph widgets ~9 MiB). */
#include "vireo-config.h"

#include <glib/gi18n.h>

#include "vireo-stats.h"

#include "vireo-graph.h"

#define SLOT_WIDTH     120
#define SLOT_HEIGHT    28
#define SLOT_SPACING   12
#define SLOT_RADIUS    4.0f
/* Rates below this keep an idle line at the bottom instead of blowing noise
 * up to full height. */
#define MIN_RATE_SCALE 4096.0

typedef struct
{
  char            *title;
  char            *names[2];
  VireoGraphKind   kind;
  const VireoRing *rings[2];
  guint64          serials[2];
  gboolean         shown;      /* takes its place (the user's column choice) */
  gboolean         drawn;      /* drawn there (a host has no disk graph) */
  char            *value_text;
  char            *tooltip;
  /* The value as drawn: made at the first draw, laid out again only when
   * the text or the width changes. */
  PangoLayout     *layout;
  char            *layout_text;

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
} Slot;

struct _VireoGraph
{
  GtkWidget    parent_instance;

  Slot         slots[VIREO_GRAPH_N_SLOTS];
  char        *accessible_label;
};

G_DEFINE_FINAL_TYPE (VireoGraph, vireo_graph, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SLOT0_SHOWN,
  N_PROPS = PROP_SLOT0_SHOWN + VIREO_GRAPH_N_SLOTS
};

static GParamSpec *properties[N_PROPS];

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
format_value (VireoGraphKind kind,
              double         value)
{
  if (kind == VIREO_GRAPH_PERCENT)
    /* Translators: a percentage, e.g. "12 %" */
    return g_strdup_printf (_("%.0f %%"), CLAMP (value, 0.0, 100.0));
  return vireo_format_rate (MAX (value, 0.0));
}

static gboolean
slot_has_rings (const Slot *slot)
{
  return slot->rings[0] != NULL || slot->rings[1] != NULL;
}

static guint
n_shown (VireoGraph *self)
{
  guint n = 0;

  for (guint i = 0; i < VIREO_GRAPH_N_SLOTS; i++)
    if (self->slots[i].title != NULL && self->slots[i].shown)
      n++;
  return n;
}

/* The slot's value text and tooltip from its latest samples. */
static void
slot_refresh_text (Slot *slot)
{
  g_autofree char *value = NULL;
  g_autofree char *tooltip = NULL;
  double total = 0.0;

  if (!slot_has_rings (slot))
    {
      g_clear_pointer (&slot->value_text, g_free);
      g_clear_pointer (&slot->tooltip, g_free);
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (slot->rings); i++)
    if (slot->rings[i] != NULL)
      total += vireo_ring_get_latest (slot->rings[i]);
  value = format_value (slot->kind, total);

  if (slot->rings[0] != NULL && slot->rings[1] != NULL && slot->names[0] && slot->names[1])
    {
      g_autofree char *a = format_value (slot->kind, vireo_ring_get_latest (slot->rings[0]));
      g_autofree char *b = format_value (slot->kind, vireo_ring_get_latest (slot->rings[1]));

      tooltip = g_strdup_printf ("%s\n%s: %s\n%s: %s", slot->title, slot->names[0], a,
                                 slot->names[1], b);
    }
  else
    /* "CPU usage 12 %" */
    tooltip = g_strdup_printf ("%s %s", slot->title, value);

  set_str (&slot->value_text, value);
  set_str (&slot->tooltip, tooltip);
}

/* "CPU usage 12 %, Memory usage 40 %": announced only when it changes, so
 * an idle VM costs no accessibility traffic at every tick. */
static void
refresh_accessible_label (VireoGraph *self)
{
  g_autoptr(GString) label = g_string_new (NULL);

  for (guint i = 0; i < VIREO_GRAPH_N_SLOTS; i++)
    {
      const Slot *slot = &self->slots[i];

      if (slot->title == NULL || !slot->shown || !slot->drawn)
        continue;
      if (label->len > 0)
        g_string_append (label, ", ");
      g_string_append (label, slot->title);
      if (slot->value_text != NULL)
        g_string_append_printf (label, " %s", slot->value_text);
    }

  if (set_str (&self->accessible_label, label->str))
    gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, label->str,
                                    -1);
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

static gboolean
slot_update (Slot *slot)
{
  gboolean changed = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (slot->rings); i++)
    {
      guint64 key = picture_key (slot->rings[i]);

      if (key != slot->serials[i])
        {
          slot->serials[i] = key;
          changed = TRUE;
        }
    }
  if (changed)
    slot_refresh_text (slot);
  return changed;
}

void
vireo_graph_update (VireoGraph *self)
{
  gboolean changed = FALSE;

  g_return_if_fail (VIREO_IS_GRAPH (self));

  for (guint i = 0; i < VIREO_GRAPH_N_SLOTS; i++)
    changed |= slot_update (&self->slots[i]);

  if (!changed)
    return;

  refresh_accessible_label (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
vireo_graph_set_rings (VireoGraph      *self,
                       guint            slot,
                       const VireoRing *first,
                       const VireoRing *second)
{
  Slot *s;

  g_return_if_fail (VIREO_IS_GRAPH (self));
  g_return_if_fail (slot < VIREO_GRAPH_N_SLOTS);

  s = &self->slots[slot];
  if (s->rings[0] == first && s->rings[1] == second)
    return;

  s->rings[0] = first;
  s->rings[1] = second;
  s->serials[0] = s->serials[1] = G_MAXUINT64;
  g_clear_object (&s->cache);
  /* The text follows the new rings even when their picture key matches the
   * reset one (an empty ring): a recycled row showed no value otherwise. */
  if (!slot_update (s))
    slot_refresh_text (s);
  refresh_accessible_label (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
vireo_graph_setup_slot (VireoGraph     *self,
                        guint           slot,
                        const char     *title,
                        VireoGraphKind  kind,
                        const char     *first_name,
                        const char     *second_name)
{
  Slot *s;

  g_return_if_fail (VIREO_IS_GRAPH (self));
  g_return_if_fail (slot < VIREO_GRAPH_N_SLOTS);
  g_return_if_fail (title != NULL);

  s = &self->slots[slot];
  set_str (&s->title, title);
  set_str (&s->names[0], first_name);
  set_str (&s->names[1], second_name);
  s->kind = kind;
  slot_refresh_text (s);
  refresh_accessible_label (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
vireo_graph_set_slot_shown (VireoGraph *self,
                            guint       slot,
                            gboolean    shown)
{
  g_return_if_fail (VIREO_IS_GRAPH (self));
  g_return_if_fail (slot < VIREO_GRAPH_N_SLOTS);

  shown = !!shown;
  if (self->slots[slot].shown == shown)
    return;
  self->slots[slot].shown = shown;
  refresh_accessible_label (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SLOT0_SHOWN + slot]);
}

void
vireo_graph_set_slot_drawn (VireoGraph *self,
                            guint       slot,
                            gboolean    drawn)
{
  g_return_if_fail (VIREO_IS_GRAPH (self));
  g_return_if_fail (slot < VIREO_GRAPH_N_SLOTS);

  drawn = !!drawn;
  if (self->slots[slot].drawn == drawn)
    return;
  self->slots[slot].drawn = drawn;
  refresh_accessible_label (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
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
cache_valid (Slot          *slot,
             int            width,
             int            height,
             int            scale_factor,
             const GdkRGBA *colors)
{
  if (slot->cache == NULL || slot->cache_width != width || slot->cache_height != height ||
      slot->cache_scale != scale_factor)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (slot->rings); i++)
    {
      if (picture_key (slot->rings[i]) != slot->cache_serials[i] ||
          !gdk_rgba_equal (&colors[i], &slot->cache_colors[i]))
        return FALSE;
    }
  return TRUE;
}

static void
render_cache (Slot          *slot,
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

  g_clear_object (&slot->cache);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width * scale_factor,
                                        height * scale_factor);
  cr = cairo_create (surface);
  cairo_scale (cr, scale_factor, scale_factor);
  cairo_set_line_width (cr, 1.5);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < G_N_ELEMENTS (slot->rings); i++)
    if (slot->rings[i] != NULL)
      draw_series (cr, slot->rings[i], scale, width, height, &colors[i]);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  /* Cairo's ARGB32 is premultiplied BGRA in memory on little-endian
   * machines and ARGB on big-endian ones: GDK_MEMORY_DEFAULT is the same. */
  stride = cairo_image_surface_get_stride (surface);
  bytes = g_bytes_new_with_free_func (cairo_image_surface_get_data (surface),
                                      (gsize) stride * height * scale_factor,
                                      (GDestroyNotify) cairo_surface_destroy, surface);
  slot->cache = gdk_memory_texture_new (width * scale_factor, height * scale_factor,
                                        GDK_MEMORY_DEFAULT, bytes, stride);
  slot->cache_width = width;
  slot->cache_height = height;
  slot->cache_scale = scale_factor;
  for (guint i = 0; i < G_N_ELEMENTS (slot->rings); i++)
    {
      slot->cache_serials[i] = picture_key (slot->rings[i]);
      slot->cache_colors[i] = colors[i];
    }
}

/* Where each shown slot goes in the allocated width: equal shares. */
static double
slot_width (VireoGraph *self)
{
  guint n = n_shown (self);
  double width = gtk_widget_get_width (GTK_WIDGET (self));

  if (n == 0)
    return 0;
  return MAX (0.0, (width - (double) SLOT_SPACING * (n - 1)) / n);
}

static void
snapshot_slot (VireoGraph    *self,
               Slot          *slot,
               GtkSnapshot   *snapshot,
               double         width,
               double         height,
               const GdkRGBA *colors,
               const GdkRGBA *text_color)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GskRoundedRect outline;
  GdkRGBA background = *text_color;
  double scale = 100.0;

  /* A faint rounded field, as the theme's boxes. */
  background.alpha *= 0.05f;
  gsk_rounded_rect_init_from_rect (&outline, &GRAPHENE_RECT_INIT (0, 0, width, height),
                                   SLOT_RADIUS);
  gtk_snapshot_push_rounded_clip (snapshot, &outline);
  gtk_snapshot_append_color (snapshot, &background, &outline.bounds);

  if (slot_has_rings (slot))
    {
      if (slot->kind == VIREO_GRAPH_RATE)
        {
          scale = MIN_RATE_SCALE;
          for (guint i = 0; i < G_N_ELEMENTS (slot->rings); i++)
            if (slot->rings[i] != NULL)
              scale = MAX (scale, vireo_ring_get_max (slot->rings[i]));
        }
      if (!cache_valid (slot, width, height, gtk_widget_get_scale_factor (widget), colors))
        render_cache (slot, width, height, gtk_widget_get_scale_factor (widget), scale, colors);
      if (slot->cache != NULL)
        gtk_snapshot_append_texture (snapshot, slot->cache,
                                     &GRAPHENE_RECT_INIT (0, 0, width, height));
    }

  if (slot->value_text != NULL)
    {
      int text_width = (int) MAX (0.0, width - 8) * PANGO_SCALE;

      if (slot->layout == NULL)
        {
          slot->layout = gtk_widget_create_pango_layout (widget, NULL);
          pango_layout_set_ellipsize (slot->layout, PANGO_ELLIPSIZE_END);
        }
      if (pango_layout_get_width (slot->layout) != text_width)
        pango_layout_set_width (slot->layout, text_width);
      if (set_str (&slot->layout_text, slot->value_text))
        pango_layout_set_text (slot->layout, slot->value_text, -1);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (4, 1));
      gtk_snapshot_append_layout (snapshot, slot->layout, text_color);
      gtk_snapshot_restore (snapshot);
    }
  gtk_snapshot_pop (snapshot);
}

static void
vireo_graph_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  VireoGraph *self = VIREO_GRAPH (widget);
  double width = slot_width (self);
  double height = gtk_widget_get_height (widget);
  double x = 0;
  GdkRGBA colors[2];
  GdkRGBA text_color;

  if (width <= 0 || height <= 0)
    return;

  lookup_color (widget, "vireo_graph_color", &colors[0], "#3584e4");
  lookup_color (widget, "vireo_graph_secondary_color", &colors[1], "#e66100");
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &text_color);
  G_GNUC_END_IGNORE_DEPRECATIONS

  for (guint i = 0; i < VIREO_GRAPH_N_SLOTS; i++)
    {
      Slot *slot = &self->slots[i];

      if (slot->title == NULL || !slot->shown)
        continue;
      if (slot->drawn)
        {
          gtk_snapshot_save (snapshot);
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, 0));
          snapshot_slot (self, slot, snapshot, width, height, colors, &text_color);
          gtk_snapshot_restore (snapshot);
        }
      x += width + SLOT_SPACING;
    }
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
  guint n = n_shown (VIREO_GRAPH (widget));

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      int spacing = n > 0 ? SLOT_SPACING * (int) (n - 1) : 0;

      *minimum = (int) n * SLOT_WIDTH / 2 + spacing;
      *natural = (int) n * SLOT_WIDTH + spacing;
    }
  else
    {
      *minimum = n > 0 ? SLOT_HEIGHT : 0;
      *natural = *minimum;
    }
}

/* The tooltip of the slot under the pointer. Asked for only while the
 * pointer rests on the graphs: setting tooltips at every tick would make GTK
 * ask the X server where the pointer is (a server grab and a round trip). */
static gboolean
vireo_graph_query_tooltip (GtkWidget  *widget,
                           int         x,
                           int         y,
                           gboolean    keyboard_mode,
                           GtkTooltip *tooltip)
{
  VireoGraph *self = VIREO_GRAPH (widget);
  double width = slot_width (self);
  double left = 0;

  if (width <= 0)
    return FALSE;
  for (guint i = 0; i < VIREO_GRAPH_N_SLOTS; i++)
    {
      Slot *slot = &self->slots[i];

      if (slot->title == NULL || !slot->shown)
        continue;
      if (x >= left && x < left + width)
        {
          if (!slot->drawn || slot->tooltip == NULL)
            return FALSE;
          gtk_tooltip_set_text (tooltip, slot->tooltip);
          return TRUE;
        }
      left += width + SLOT_SPACING;
    }
  return FALSE;
}

static void
vireo_graph_finalize (GObject *object)
{
  VireoGraph *self = VIREO_GRAPH (object);

  for (guint i = 0; i < VIREO_GRAPH_N_SLOTS; i++)
    {
      Slot *slot = &self->slots[i];

      g_clear_pointer (&slot->title, g_free);
      g_clear_pointer (&slot->names[0], g_free);
      g_clear_pointer (&slot->names[1], g_free);
      g_clear_pointer (&slot->value_text, g_free);
      g_clear_pointer (&slot->tooltip, g_free);
      g_clear_object (&slot->cache);
      g_clear_object (&slot->layout);
      g_clear_pointer (&slot->layout_text, g_free);
    }
  g_clear_pointer (&self->accessible_label, g_free);

  G_OBJECT_CLASS (vireo_graph_parent_class)->finalize (object);
}

static void
vireo_graph_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  VireoGraph *self = VIREO_GRAPH (object);

  if (prop_id >= PROP_SLOT0_SHOWN && prop_id < N_PROPS)
    g_value_set_boolean (value, self->slots[prop_id - PROP_SLOT0_SHOWN].shown);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
vireo_graph_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  VireoGraph *self = VIREO_GRAPH (object);

  if (prop_id >= PROP_SLOT0_SHOWN && prop_id < N_PROPS)
    vireo_graph_set_slot_shown (self, prop_id - PROP_SLOT0_SHOWN, g_value_get_boolean (value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
vireo_graph_class_init (VireoGraphClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = vireo_graph_finalize;
  object_class->get_property = vireo_graph_get_property;
  object_class->set_property = vireo_graph_set_property;

  widget_class->snapshot = vireo_graph_snapshot;
  widget_class->measure = vireo_graph_measure;
  widget_class->query_tooltip = vireo_graph_query_tooltip;

  /* "slot0-shown" … "slot3-shown", for g_settings_bind(). */
  for (guint i = 0; i < VIREO_GRAPH_N_SLOTS; i++)
    {
      g_autofree char *name = g_strdup_printf ("slot%u-shown", i);

      properties[PROP_SLOT0_SHOWN + i] =
        g_param_spec_boolean (g_intern_string (name), NULL, NULL, TRUE,
                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                              G_PARAM_STATIC_STRINGS);
    }
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "vireograph");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
vireo_graph_init (VireoGraph *self)
{
  for (guint i = 0; i < VIREO_GRAPH_N_SLOTS; i++)
    {
      self->slots[i].shown = TRUE;
      self->slots[i].drawn = TRUE;
    }
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
}
