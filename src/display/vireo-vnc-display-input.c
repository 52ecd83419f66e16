/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include "vireo-vnc-display-private.h"
#include "vireo-keymap.h"

#include <string.h>

/* Keyboard, pointer, cursor and clipboard of the VNC widget. */

/* QEMU's relative pointer mode takes positions offset from this centre as
 * motion deltas (the pointer-type-change extension). */
#define RELATIVE_CENTRE 0x7fff

static gboolean
can_send (VireoVncDisplay *self)
{
  return self->conn != NULL && self->initialized;
}

/* Pointer events wait until the server has said absolute or relative: we
 * ask QEMU for its pointer-type-change message, and until it arrives an
 * absolute position would be read as a huge relative motion (the guest's
 * pointer flung into a corner at connect). */
static gboolean
can_send_pointer (VireoVncDisplay *self)
{
  return can_send (self) && self->pointer_known;
}

/* GDK's hardware keycodes are xkb keycodes (evdev + 8) on X11, Xwayland
 * and Wayland; elsewhere they mean something else and we send keysyms
 * only (scancode 0). The type name avoids linking the backends' headers. */
static gboolean
display_has_evdev_keycodes (VireoVncDisplay *self)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));
  const char *name = G_OBJECT_TYPE_NAME (display);

  return g_str_equal (name, "GdkX11Display") || g_str_equal (name, "GdkWaylandDisplay");
}

guint16
vireo_vnc_display_scancode_for_keycode (VireoVncDisplay *self,
                                        guint            keycode)
{
  if (!display_has_evdev_keycodes (self))
    return 0;
  return vireo_keymap_xkb_to_qnum (keycode);
}

static void
send_key (VireoVncDisplay *self,
          gboolean         down,
          guint            keyval,
          guint16          scancode)
{
  guint i;

  for (i = 0; i < self->n_down_keys; i++)
    if (self->down_keys[i].scancode == scancode &&
        (scancode != 0 || self->down_keys[i].keyval == keyval))
      break;

  if (down)
    {
      if (i == self->n_down_keys && self->n_down_keys < VIREO_VNC_MAX_DOWN_KEYS)
        self->down_keys[self->n_down_keys++] = (VireoVncDownKey) { keyval, scancode };
    }
  else
    {
      if (i == self->n_down_keys)
        return;  /* never pressed here (e.g. focus came in with it held) */
      /* Release with the keyval it was pressed with: the modifiers may
       * have changed the keyval GTK reports for the release. */
      keyval = self->down_keys[i].keyval;
      self->down_keys[i] = self->down_keys[--self->n_down_keys];
    }

  vnc_connection_key_event (self->conn, down, keyval, scancode);
}

void
vireo_vnc_display_key_event (VireoVncDisplay *self,
                             gboolean         down,
                             guint            keyval,
                             guint            keycode)
{
  if (!can_send (self))
    return;
  send_key (self, down, keyval, vireo_vnc_display_scancode_for_keycode (self, keycode));
}

void
vireo_vnc_display_release_keys (VireoVncDisplay *self)
{
  while (self->n_down_keys > 0)
    {
      VireoVncDownKey key = self->down_keys[--self->n_down_keys];

      if (can_send (self))
        vnc_connection_key_event (self->conn, FALSE, key.keyval, key.scancode);
    }
}

static guint
keycode_for_keyval (VireoVncDisplay *self,
                    guint            keyval)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));
  g_autofree GdkKeymapKey *keys = NULL;
  int n_keys = 0;
  guint keycode = 0;

  if (!gdk_display_map_keyval (display, keyval, &keys, &n_keys) || n_keys == 0)
    return 0;

  /* Prefer the key that gives this keyval unshifted in the first group. */
  keycode = keys[0].keycode;
  for (int i = 0; i < n_keys; i++)
    if (keys[i].group == 0 && keys[i].level == 0)
      {
        keycode = keys[i].keycode;
        break;
      }
  return keycode;
}

void
vireo_vnc_display_send_keys (VireoVncDisplay *self,
                             const guint     *keyvals,
                             gsize            n_keyvals)
{
  g_return_if_fail (VIREO_IS_VNC_DISPLAY (self));
  g_return_if_fail (keyvals != NULL || n_keyvals == 0);

  if (!can_send (self))
    return;

  for (gsize i = 0; i < n_keyvals; i++)
    vireo_vnc_display_key_event (self, TRUE, keyvals[i], keycode_for_keyval (self, keyvals[i]));
  for (gsize i = n_keyvals; i > 0; i--)
    vireo_vnc_display_key_event (self, FALSE, keyvals[i - 1], keycode_for_keyval (self, keyvals[i - 1]));
}

void
vireo_vnc_display_send_evdev_key (VireoVncDisplay *self,
                                  guint            evdev_code,
                                  gboolean         down)
{
  GdkDisplay *display;
  guint keyval = 0;

  g_return_if_fail (VIREO_IS_VNC_DISPLAY (self));

  if (!can_send (self))
    return;

  /* The keysym matters only to servers without the extended key event. */
  display = gtk_widget_get_display (GTK_WIDGET (self));
  if (display_has_evdev_keycodes (self))
    gdk_display_translate_key (display, evdev_code + 8, 0, 0, &keyval, NULL, NULL, NULL);
  send_key (self, down, keyval, vireo_keymap_evdev_to_qnum (evdev_code));
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                VireoVncDisplay       *self)
{
  if (!can_send (self))
    return FALSE;
  vireo_vnc_display_key_event (self, TRUE, keyval, keycode);
  return TRUE;
}

static void
on_key_released (GtkEventControllerKey *controller,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 VireoVncDisplay       *self)
{
  vireo_vnc_display_key_event (self, FALSE, keyval, keycode);
}

/* Keyboard grab: while focused, ask the compositor / window manager to
 * pass its own shortcuts (Alt+Tab, Super…) to us. */
void
vireo_vnc_display_update_grab (VireoVncDisplay *self)
{
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  GdkSurface *surface = native ? gtk_native_get_surface (native) : NULL;
  gboolean want = self->grab_keyboard && gtk_widget_has_focus (GTK_WIDGET (self)) &&
                  surface != NULL && GDK_IS_TOPLEVEL (surface);

  if (want && self->inhibited_toplevel == NULL)
    {
      self->inhibited_toplevel = g_object_ref (GDK_TOPLEVEL (surface));
      gdk_toplevel_inhibit_system_shortcuts (self->inhibited_toplevel, NULL);
    }
  else if (!want && self->inhibited_toplevel != NULL)
    {
      gdk_toplevel_restore_system_shortcuts (self->inhibited_toplevel);
      g_clear_object (&self->inhibited_toplevel);
    }
}

static void
on_focus_enter (GtkEventControllerFocus *controller,
                VireoVncDisplay         *self)
{
  vireo_vnc_display_update_grab (self);
}

static void
on_focus_leave (GtkEventControllerFocus *controller,
                VireoVncDisplay         *self)
{
  /* Keys held while focus leaves would stay down in the guest. */
  vireo_vnc_display_release_keys (self);
  vireo_vnc_display_update_grab (self);
}

/* Pointer */

static void
send_pointer (VireoVncDisplay *self,
              double           x,
              double           y)
{
  VireoVncTransform t;

  if (!can_send_pointer (self) || self->fb_width <= 0)
    return;

  vireo_vnc_transform_compute (&t, gtk_widget_get_width (GTK_WIDGET (self)),
                               gtk_widget_get_height (GTK_WIDGET (self)),
                               self->fb_width, self->fb_height, self->scaling);

  if (self->absolute)
    {
      int gx, gy;

      vireo_vnc_transform_to_guest (&t, self->fb_width, self->fb_height, x, y, &gx, &gy);
      vnc_connection_pointer_event (self->conn, self->button_mask, gx, gy);
      self->pointer_x = x;
      self->pointer_y = y;
      self->have_pointer = TRUE;
    }
  else
    {
      int dx = 0, dy = 0;

      if (self->have_pointer)
        {
          /* Only whole guest pixels are sent; the rest carries over. */
          dx = (int) ((x - self->pointer_x) / t.scale);
          dy = (int) ((y - self->pointer_y) / t.scale);
          self->pointer_x += dx * t.scale;
          self->pointer_y += dy * t.scale;
        }
      else
        {
          self->pointer_x = x;
          self->pointer_y = y;
          self->have_pointer = TRUE;
        }
      dx = CLAMP (dx, -RELATIVE_CENTRE, RELATIVE_CENTRE);
      dy = CLAMP (dy, -RELATIVE_CENTRE, RELATIVE_CENTRE);
      vnc_connection_pointer_event (self->conn, self->button_mask,
                                    RELATIVE_CENTRE + dx, RELATIVE_CENTRE + dy);
    }
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           VireoVncDisplay          *self)
{
  send_pointer (self, x, y);
}

static void
on_pointer_enter (GtkEventControllerMotion *controller,
                  double                    x,
                  double                    y,
                  VireoVncDisplay          *self)
{
  if (!self->absolute)
    {
      /* Re-anchor: the host pointer jumped while it was outside. */
      self->have_pointer = FALSE;
    }
  send_pointer (self, x, y);
}

static guint8
button_bit (guint button)
{
  switch (button)
    {
    case GDK_BUTTON_PRIMARY:
      return 1 << 0;
    case GDK_BUTTON_MIDDLE:
      return 1 << 1;
    case GDK_BUTTON_SECONDARY:
      return 1 << 2;
    default:
      return 0;
    }
}

static gboolean
on_legacy_event (GtkEventControllerLegacy *controller,
                 GdkEvent                 *event,
                 VireoVncDisplay          *self)
{
  GdkEventType type = gdk_event_get_event_type (event);
  guint8 bit;

  if (type != GDK_BUTTON_PRESS && type != GDK_BUTTON_RELEASE)
    return GDK_EVENT_PROPAGATE;

  if (type == GDK_BUTTON_PRESS)
    gtk_widget_grab_focus (GTK_WIDGET (self));

  if (!can_send_pointer (self))
    return GDK_EVENT_PROPAGATE;

  bit = button_bit (gdk_button_event_get_button (event));
  if (bit == 0)
    return GDK_EVENT_STOP;

  if (type == GDK_BUTTON_PRESS)
    self->button_mask |= bit;
  else
    self->button_mask &= ~bit;

  if (self->absolute)
    send_pointer (self, self->pointer_x, self->pointer_y);
  else
    vnc_connection_pointer_event (self->conn, self->button_mask,
                                  RELATIVE_CENTRE, RELATIVE_CENTRE);
  return GDK_EVENT_STOP;
}

static void
click_wheel (VireoVncDisplay *self,
             guint8           bit,
             int              count)
{
  guint16 x = RELATIVE_CENTRE, y = RELATIVE_CENTRE;

  if (self->absolute)
    {
      VireoVncTransform t;
      int gx, gy;

      vireo_vnc_transform_compute (&t, gtk_widget_get_width (GTK_WIDGET (self)),
                                   gtk_widget_get_height (GTK_WIDGET (self)),
                                   self->fb_width, self->fb_height, self->scaling);
      vireo_vnc_transform_to_guest (&t, self->fb_width, self->fb_height,
                                    self->pointer_x, self->pointer_y, &gx, &gy);
      x = gx;
      y = gy;
    }

  for (int i = 0; i < count; i++)
    {
      vnc_connection_pointer_event (self->conn, self->button_mask | bit, x, y);
      vnc_connection_pointer_event (self->conn, self->button_mask, x, y);
    }
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           VireoVncDisplay          *self)
{
  if (!can_send_pointer (self))
    return FALSE;

  /* VNC wheel buttons: 4 up, 5 down, 6 left, 7 right. */
  if (dy < 0)
    click_wheel (self, 1 << 3, (int) MAX (1, -dy));
  else if (dy > 0)
    click_wheel (self, 1 << 4, (int) MAX (1, dy));
  if (dx < 0)
    click_wheel (self, 1 << 5, (int) MAX (1, -dx));
  else if (dx > 0)
    click_wheel (self, 1 << 6, (int) MAX (1, dx));
  return TRUE;
}

/* Cursor */

void
vireo_vnc_display_set_remote_cursor (VireoVncDisplay *self,
                                     VncCursor       *cursor)
{
  g_clear_object (&self->remote_cursor);

  if (cursor != NULL && vnc_cursor_get_width (cursor) > 0 && vnc_cursor_get_height (cursor) > 0)
    {
      int w = vnc_cursor_get_width (cursor);
      int h = vnc_cursor_get_height (cursor);
      g_autoptr(GBytes) bytes = g_bytes_new (vnc_cursor_get_data (cursor), (gsize) w * h * 4);
      g_autoptr(GdkTexture) texture = NULL;

      /* gvnc hands the cursor as native-endian 0xAARRGGBB words. */
      texture = gdk_memory_texture_new (w, h,
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
                                        GDK_MEMORY_B8G8R8A8,
#else
                                        GDK_MEMORY_A8R8G8B8,
#endif
                                        bytes, (gsize) w * 4);
      self->remote_cursor = gdk_cursor_new_from_texture (texture,
                                                         vnc_cursor_get_hotx (cursor),
                                                         vnc_cursor_get_hoty (cursor),
                                                         NULL);
    }

  vireo_vnc_display_update_cursor (self);
}

void
vireo_vnc_display_update_cursor (VireoVncDisplay *self)
{
  GdkCursor *cursor = NULL;

  if (self->initialized)
    {
      if (self->remote_cursor != NULL)
        cursor = self->remote_cursor;
      else
        {
          /* The guest draws its own pointer into the frame. */
          if (self->blank_cursor == NULL)
            self->blank_cursor = gdk_cursor_new_from_name ("none", NULL);
          cursor = self->blank_cursor;
        }
    }
  gtk_widget_set_cursor (GTK_WIDGET (self), cursor);
}

/* Clipboard: VNC cut text is Latin-1. */

void
vireo_vnc_display_server_cut_text (VireoVncDisplay *self,
                                   const char      *text)
{
  g_autofree char *utf8 = NULL;

  if (self->clipboard == NULL || text == NULL)
    return;

  utf8 = g_convert (text, -1, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
  if (utf8 != NULL)
    gdk_clipboard_set_text (self->clipboard, utf8);
}

static void
on_clipboard_text (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  g_autofree char *latin1 = NULL;
  gsize len = 0;
  VireoVncDisplay *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;  /* the widget may be gone */
  self = VIREO_VNC_DISPLAY (user_data);
  if (text == NULL || !can_send (self))
    return;

  latin1 = g_convert_with_fallback (text, -1, "ISO-8859-1", "UTF-8", "?", NULL, &len, NULL);
  if (latin1 != NULL)
    vnc_connection_client_cut_text (self->conn, latin1, len);
}

static void
on_clipboard_changed (GdkClipboard    *clipboard,
                      VireoVncDisplay *self)
{
  /* Our own set_text from the guest must not echo back. */
  if (gdk_clipboard_is_local (clipboard) || !can_send (self))
    return;

  g_cancellable_cancel (self->clipboard_cancellable);
  g_clear_object (&self->clipboard_cancellable);
  self->clipboard_cancellable = g_cancellable_new ();
  gdk_clipboard_read_text_async (clipboard, self->clipboard_cancellable,
                                 on_clipboard_text, self);
}

void
vireo_vnc_display_clipboard_attach (VireoVncDisplay *self)
{
  if (self->clipboard != NULL)
    return;
  self->clipboard = g_object_ref (gtk_widget_get_clipboard (GTK_WIDGET (self)));
  self->clipboard_changed_id = g_signal_connect (self->clipboard, "changed",
                                                 G_CALLBACK (on_clipboard_changed), self);
}

void
vireo_vnc_display_clipboard_detach (VireoVncDisplay *self)
{
  g_cancellable_cancel (self->clipboard_cancellable);
  g_clear_object (&self->clipboard_cancellable);
  if (self->clipboard != NULL)
    g_clear_signal_handler (&self->clipboard_changed_id, self->clipboard);
  g_clear_object (&self->clipboard);
}

void
vireo_vnc_display_init_input (VireoVncDisplay *self)
{
  GtkEventController *controller;

  controller = gtk_event_controller_key_new ();
  /* Capture phase: keys such as Tab reach the guest, not focus movement. */
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "key-pressed", G_CALLBACK (on_key_pressed), self);
  g_signal_connect (controller, "key-released", G_CALLBACK (on_key_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_focus_new ();
  g_signal_connect (controller, "enter", G_CALLBACK (on_focus_enter), self);
  g_signal_connect (controller, "leave", G_CALLBACK (on_focus_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (controller, "enter", G_CALLBACK (on_pointer_enter), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_legacy_new ();
  g_signal_connect (controller, "event", G_CALLBACK (on_legacy_event), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES |
                                                GTK_EVENT_CONTROLLER_SCROLL_DISCRETE);
  g_signal_connect (controller, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}
