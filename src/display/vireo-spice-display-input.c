/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "vireo-config.h"

#include "vireo-spice-display-private.h"
#include "vireo-keymap.h"

#include <glib/gi18n.h>
#include <spice/vd_agent.h>
#include <string.h>

/* Keyboard, pointer, cursor, clipboard and guest resizing of the SPICE
 * widget. */

#define RESIZE_DELAY_MS 300

/* Keyboard ---------------------------------------------------------------- */

/* qnum marks e0-prefixed keys with 0x80; SPICE wants 0x100 | code. */
static guint
scancode_from_qnum (guint16 qnum)
{
  if (qnum == 0)
    return 0;
  if (qnum & 0x80)
    return 0x100 | (qnum & 0x7f);
  return qnum;
}

guint
vireo_spice_scancode_from_evdev (guint evdev_code)
{
  return scancode_from_qnum (vireo_keymap_evdev_to_qnum (evdev_code));
}

static gboolean
can_send (VireoSpiceDisplay *self)
{
  return self->inputs != NULL && self->inputs_ready;
}

/* GDK's hardware keycodes are xkb keycodes (evdev + 8) on X11, Xwayland
 * and Wayland; elsewhere they mean something else and keys are not sent.
 * The type name avoids linking the backends' headers. */
static gboolean
display_has_evdev_keycodes (VireoSpiceDisplay *self)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));
  const char *name = G_OBJECT_TYPE_NAME (display);

  return g_str_equal (name, "GdkX11Display") || g_str_equal (name, "GdkWaylandDisplay");
}

static void
send_scancode (VireoSpiceDisplay *self,
               guint              scancode,
               gboolean           down)
{
  guint i;

  if (scancode == 0 || !can_send (self))
    return;

  for (i = 0; i < self->n_down_keys; i++)
    if (self->down_keys[i] == scancode)
      break;

  if (down)
    {
      if (i == self->n_down_keys && self->n_down_keys < VIREO_SPICE_MAX_DOWN_KEYS)
        self->down_keys[self->n_down_keys++] = scancode;
      spice_inputs_channel_key_press (self->inputs, scancode);
    }
  else
    {
      if (i == self->n_down_keys)
        return;  /* never pressed here (e.g. focus came in with it held) */
      self->down_keys[i] = self->down_keys[--self->n_down_keys];
      spice_inputs_channel_key_release (self->inputs, scancode);
    }
}

void
vireo_spice_display_release_keys (VireoSpiceDisplay *self)
{
  while (self->n_down_keys > 0)
    {
      guint scancode = self->down_keys[--self->n_down_keys];

      if (can_send (self))
        spice_inputs_channel_key_release (self->inputs, scancode);
    }
}

static guint
keycode_for_keyval (VireoSpiceDisplay *self,
                    guint              keyval)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));
  g_autofree GdkKeymapKey *keys = NULL;
  int n_keys = 0;
  guint keycode;

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

static guint
scancode_for_keycode (VireoSpiceDisplay *self,
                      guint              keycode)
{
  if (keycode == 0 || !display_has_evdev_keycodes (self))
    return 0;
  return scancode_from_qnum (vireo_keymap_xkb_to_qnum (keycode));
}

void
vireo_spice_display_send_keys (VireoSpiceDisplay *self,
                               const guint       *keyvals,
                               gsize              n_keyvals)
{
  g_autofree guint *codes = NULL;

  g_return_if_fail (VIREO_IS_SPICE_DISPLAY (self));
  g_return_if_fail (keyvals != NULL || n_keyvals == 0);

  if (!can_send (self) || n_keyvals == 0)
    return;

  codes = g_new0 (guint, n_keyvals);
  for (gsize i = 0; i < n_keyvals; i++)
    codes[i] = scancode_for_keycode (self, keycode_for_keyval (self, keyvals[i]));
  for (gsize i = 0; i < n_keyvals; i++)
    send_scancode (self, codes[i], TRUE);
  for (gsize i = n_keyvals; i > 0; i--)
    send_scancode (self, codes[i - 1], FALSE);
}

void
vireo_spice_display_send_evdev_key (VireoSpiceDisplay *self,
                                    guint              evdev_code,
                                    gboolean           down)
{
  g_return_if_fail (VIREO_IS_SPICE_DISPLAY (self));

  send_scancode (self, vireo_spice_scancode_from_evdev (evdev_code), down);
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                VireoSpiceDisplay     *self)
{
  if (!can_send (self))
    return FALSE;
  send_scancode (self, scancode_for_keycode (self, keycode), TRUE);
  return TRUE;
}

static void
on_key_released (GtkEventControllerKey *controller,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 VireoSpiceDisplay     *self)
{
  send_scancode (self, scancode_for_keycode (self, keycode), FALSE);
}

/* The guest's lock keys follow the local keyboard when we get focus. */
static void
sync_key_locks (VireoSpiceDisplay *self)
{
  GdkSeat *seat = gdk_display_get_default_seat (gtk_widget_get_display (GTK_WIDGET (self)));
  GdkDevice *keyboard = seat ? gdk_seat_get_keyboard (seat) : NULL;
  guint locks = 0;

  if (keyboard == NULL || self->inputs == NULL)
    return;
  if (gdk_device_get_caps_lock_state (keyboard))
    locks |= SPICE_INPUTS_CAPS_LOCK;
  if (gdk_device_get_num_lock_state (keyboard))
    locks |= SPICE_INPUTS_NUM_LOCK;
  if (gdk_device_get_scroll_lock_state (keyboard))
    locks |= SPICE_INPUTS_SCROLL_LOCK;
  spice_inputs_channel_set_key_locks (self->inputs, locks);
}

static void
on_focus_enter (GtkEventControllerFocus *controller,
                VireoSpiceDisplay       *self)
{
  sync_key_locks (self);
}

static void
on_focus_leave (GtkEventControllerFocus *controller,
                VireoSpiceDisplay       *self)
{
  vireo_spice_display_release_keys (self);
}

/* Pointer ------------------------------------------------------------------ */

static void
current_transform (VireoSpiceDisplay *self,
                   VireoVncTransform *t)
{
  vireo_vnc_transform_compute (t, gtk_widget_get_width (GTK_WIDGET (self)),
                               gtk_widget_get_height (GTK_WIDGET (self)),
                               self->fb_width, self->fb_height, self->scaling);
}

/* Client mode: the guest pointer goes where ours is. Server mode: the
 * guest moves its own pointer by the deltas we send (there is no pointer
 * lock in GTK 4, so this follows our pointer without confining it). */
static void
pointer_moved (VireoSpiceDisplay *self,
               double             x,
               double             y)
{
  VireoVncTransform t;

  if (!can_send (self) || self->fb_width <= 0 || self->fb_height <= 0)
    return;
  current_transform (self, &t);

  if (self->absolute)
    {
      int gx, gy;

      vireo_vnc_transform_to_guest (&t, self->fb_width, self->fb_height, x, y, &gx, &gy);
      spice_inputs_channel_position (self->inputs, gx, gy, 0, self->button_state);
    }
  else if (self->have_last)
    {
      int dx = (int) ((x - self->last_x) / t.scale);
      int dy = (int) ((y - self->last_y) / t.scale);

      if (dx == 0 && dy == 0)
        return;  /* keep last_* so small moves add up */
      spice_inputs_channel_motion (self->inputs, dx, dy, self->button_state);
      self->last_x += dx * t.scale;
      self->last_y += dy * t.scale;
      return;
    }
  self->last_x = x;
  self->last_y = y;
  self->have_last = TRUE;
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           VireoSpiceDisplay        *self)
{
  pointer_moved (self, x, y);
}

static void
on_leave (GtkEventControllerMotion *controller,
          VireoSpiceDisplay        *self)
{
  self->have_last = FALSE;
}

static int
spice_button (guint gdk_button,
              int  *mask)
{
  switch (gdk_button)
    {
    case GDK_BUTTON_PRIMARY:
      *mask = SPICE_MOUSE_BUTTON_MASK_LEFT;
      return SPICE_MOUSE_BUTTON_LEFT;
    case GDK_BUTTON_MIDDLE:
      *mask = SPICE_MOUSE_BUTTON_MASK_MIDDLE;
      return SPICE_MOUSE_BUTTON_MIDDLE;
    case GDK_BUTTON_SECONDARY:
      *mask = SPICE_MOUSE_BUTTON_MASK_RIGHT;
      return SPICE_MOUSE_BUTTON_RIGHT;
    case 8:
      *mask = SPICE_MOUSE_BUTTON_MASK_SIDE;
      return SPICE_MOUSE_BUTTON_SIDE;
    case 9:
      *mask = SPICE_MOUSE_BUTTON_MASK_EXTRA;
      return SPICE_MOUSE_BUTTON_EXTRA;
    default:
      *mask = 0;
      return 0;
    }
}

static void
on_pressed (GtkGestureClick   *gesture,
            int                n_press,
            double             x,
            double             y,
            VireoSpiceDisplay *self)
{
  guint gdk_button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));
  int mask, button = spice_button (gdk_button, &mask);

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (button == 0 || !can_send (self))
    return;
  pointer_moved (self, x, y);
  spice_inputs_channel_button_press (self->inputs, button, self->button_state);
  self->button_state |= mask;
}

static void
on_released (GtkGestureClick   *gesture,
             int                n_press,
             double             x,
             double             y,
             VireoSpiceDisplay *self)
{
  guint gdk_button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));
  int mask, button = spice_button (gdk_button, &mask);

  if (button == 0 || !can_send (self) || !(self->button_state & mask))
    return;
  pointer_moved (self, x, y);
  self->button_state &= ~mask;
  spice_inputs_channel_button_release (self->inputs, button, self->button_state);
}

static void
wheel_click (VireoSpiceDisplay *self,
             int                button)
{
  spice_inputs_channel_button_press (self->inputs, button, self->button_state);
  spice_inputs_channel_button_release (self->inputs, button, self->button_state);
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           VireoSpiceDisplay        *self)
{
  if (!can_send (self))
    return FALSE;

  /* Smooth scrolling adds up to whole wheel clicks. */
  self->scroll_acc += dy;
  while (self->scroll_acc >= 1.0)
    {
      wheel_click (self, SPICE_MOUSE_BUTTON_DOWN);
      self->scroll_acc -= 1.0;
    }
  while (self->scroll_acc <= -1.0)
    {
      wheel_click (self, SPICE_MOUSE_BUTTON_UP);
      self->scroll_acc += 1.0;
    }
  return TRUE;
}

/* Cursor ------------------------------------------------------------------- */

void
vireo_spice_display_update_cursor (VireoSpiceDisplay *self)
{
  if (self->cursor_hidden)
    gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "none");
  else
    gtk_widget_set_cursor (GTK_WIDGET (self), self->remote_cursor);
}

static void
on_cursor_shape (SpiceCursorChannel *channel,
                 GParamSpec         *pspec,
                 VireoSpiceDisplay  *self)
{
  SpiceCursorShape *shape = NULL;

  g_object_get (channel, "cursor", &shape, NULL);
  g_clear_object (&self->remote_cursor);
  self->cursor_hidden = FALSE;

  if (shape != NULL && shape->data != NULL && shape->width > 0 && shape->height > 0)
    {
      /* spice-glib hands every cursor type over as 32-bit native ARGB. */
      gsize stride = (gsize) shape->width * 4;
      g_autoptr(GBytes) bytes = g_bytes_new (shape->data, stride * shape->height);
      g_autoptr(GdkTexture) texture = gdk_memory_texture_new (shape->width, shape->height,
                                                              GDK_MEMORY_DEFAULT, bytes, stride);

      self->remote_cursor = gdk_cursor_new_from_texture (texture, shape->hot_spot_x,
                                                         shape->hot_spot_y, NULL);
    }
  if (shape != NULL)
    g_boxed_free (SPICE_TYPE_CURSOR_SHAPE, shape);
  vireo_spice_display_update_cursor (self);
}

static void
on_cursor_hide (SpiceCursorChannel *channel,
                VireoSpiceDisplay  *self)
{
  self->cursor_hidden = TRUE;
  vireo_spice_display_update_cursor (self);
}

static void
on_cursor_reset (SpiceCursorChannel *channel,
                 VireoSpiceDisplay  *self)
{
  g_clear_object (&self->remote_cursor);
  self->cursor_hidden = FALSE;
  vireo_spice_display_update_cursor (self);
}

void
vireo_spice_display_attach_cursor (VireoSpiceDisplay *self)
{
  g_signal_connect (self->cursor, "notify::cursor", G_CALLBACK (on_cursor_shape), self);
  g_signal_connect (self->cursor, "cursor-hide", G_CALLBACK (on_cursor_hide), self);
  g_signal_connect (self->cursor, "cursor-reset", G_CALLBACK (on_cursor_reset), self);
}

/* Mouse mode and agent ------------------------------------------------------- */

void
vireo_spice_display_update_mouse_mode (VireoSpiceDisplay *self)
{
  int mode = SPICE_MOUSE_MODE_SERVER;
  gboolean absolute;

  if (self->main != NULL)
    g_object_get (self->main, "mouse-mode", &mode, NULL);
  absolute = mode == SPICE_MOUSE_MODE_CLIENT;
  if (absolute == self->absolute)
    return;
  self->absolute = absolute;
  self->have_last = FALSE;
  g_object_notify (G_OBJECT (self), "absolute-pointer");
}

static void
on_mouse_update (SpiceMainChannel  *channel,
                 VireoSpiceDisplay *self)
{
  vireo_spice_display_update_mouse_mode (self);
}

static gboolean
agent_connected (VireoSpiceDisplay *self)
{
  gboolean connected = FALSE;

  if (self->main != NULL)
    g_object_get (self->main, "agent-connected", &connected, NULL);
  return connected;
}

static gboolean
send_guest_resize (gpointer data)
{
  VireoSpiceDisplay *self = data;
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  int width = gtk_widget_get_width (GTK_WIDGET (self)) * scale;
  int height = gtk_widget_get_height (GTK_WIDGET (self)) * scale;

  self->resize_timeout_id = 0;
  if (!self->resize_guest || !agent_connected (self) || width < 64 || height < 64)
    return G_SOURCE_REMOVE;
  if (width == self->last_resize_w && height == self->last_resize_h)
    return G_SOURCE_REMOVE;

  self->last_resize_w = width;
  self->last_resize_h = height;
  spice_main_channel_update_display_enabled (self->main, 0, TRUE, FALSE);
  spice_main_channel_update_display (self->main, 0, 0, 0, width, height, FALSE);
  spice_main_channel_send_monitor_config (self->main);
  return G_SOURCE_REMOVE;
}

/* Waits for the size to settle: a window being dragged must not resize
 * the guest at every step. */
void
vireo_spice_display_queue_guest_resize (VireoSpiceDisplay *self)
{
  if (!self->resize_guest || !agent_connected (self))
    return;
  g_clear_handle_id (&self->resize_timeout_id, g_source_remove);
  self->resize_timeout_id = g_timeout_add (RESIZE_DELAY_MS, send_guest_resize, self);
}

static void on_local_clipboard_changed (GdkClipboard      *clipboard,
                                        VireoSpiceDisplay *self);

static void
on_agent_update (SpiceMainChannel  *channel,
                 VireoSpiceDisplay *self)
{
  self->last_resize_w = self->last_resize_h = 0;
  vireo_spice_display_queue_guest_resize (self);
  /* The agent's capabilities may come after it connected: offer our
   * clipboard once they allow it. */
  if (self->clipboard != NULL && !self->clipboard_announced)
    on_local_clipboard_changed (self->clipboard, self);
  g_object_notify (G_OBJECT (self), "agent-connected");
}

/* Clipboard: text both ways, the CLIPBOARD selection only ------------------- */

static gboolean
clipboard_usable (VireoSpiceDisplay *self)
{
  return self->main != NULL && agent_connected (self) &&
         spice_main_channel_agent_test_capability (self->main, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND);
}

/* The guest copied something: fetch its text now, so our clipboard holds
 * it (simpler than serving it lazily, and guest text is small). */
static gboolean
on_guest_grab (SpiceMainChannel  *channel,
               guint              selection,
               guint32           *types,
               guint              ntypes,
               VireoSpiceDisplay *self)
{
  if (selection != VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD)
    return FALSE;
  self->clipboard_announced = FALSE;  /* the guest's grab replaces ours */
  for (guint i = 0; i < ntypes; i++)
    if (types[i] == VD_AGENT_CLIPBOARD_UTF8_TEXT)
      {
        spice_main_channel_clipboard_selection_request (channel, selection,
                                                        VD_AGENT_CLIPBOARD_UTF8_TEXT);
        return TRUE;
      }
  return FALSE;
}

static void
on_guest_data (SpiceMainChannel  *channel,
               guint              selection,
               guint              type,
               const guchar      *data,
               guint              size,
               VireoSpiceDisplay *self)
{
  g_autofree char *text = NULL;

  if (selection != VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD ||
      type != VD_AGENT_CLIPBOARD_UTF8_TEXT || self->clipboard == NULL)
    return;

  text = g_strndup ((const char *) data, size);
  if (!g_utf8_validate (text, -1, NULL))
    return;
  /* Windows guests send CRLF line ends. */
  if (strstr (text, "\r\n") != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (text, "\r\n", -1);

      g_free (text);
      text = g_strjoinv ("\n", lines);
    }
  self->guest_owns_clipboard = TRUE;
  gdk_clipboard_set_text (self->clipboard, text);
}

static void
on_guest_release (SpiceMainChannel  *channel,
                  guint              selection,
                  VireoSpiceDisplay *self)
{
  if (selection == VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD)
    self->guest_owns_clipboard = FALSE;
}

typedef struct {
  VireoSpiceDisplay *self;   /* weak */
  SpiceMainChannel  *channel;
  guint              selection;
} ClipboardRequest;

static void
clipboard_request_free (ClipboardRequest *req)
{
  g_clear_weak_pointer (&req->self);
  g_object_unref (req->channel);
  g_free (req);
}

static void
clipboard_text_read (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  ClipboardRequest *req = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);

  if (req->self != NULL && req->self->main == req->channel)
    {
      const char *data = text ? text : "";

      /* An empty answer still ends the guest's wait. */
      spice_main_channel_clipboard_selection_notify (req->channel, req->selection,
                                                     VD_AGENT_CLIPBOARD_UTF8_TEXT,
                                                     (const guchar *) data, strlen (data));
    }
  clipboard_request_free (req);
}

/* The guest pastes what we announced: read our clipboard without
 * blocking and send it. */
static gboolean
on_guest_request (SpiceMainChannel  *channel,
                  guint              selection,
                  guint              type,
                  VireoSpiceDisplay *self)
{
  ClipboardRequest *req;

  if (selection != VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD ||
      type != VD_AGENT_CLIPBOARD_UTF8_TEXT || self->clipboard == NULL)
    return FALSE;

  req = g_new0 (ClipboardRequest, 1);
  g_set_weak_pointer (&req->self, self);
  req->channel = g_object_ref (channel);
  req->selection = selection;
  gdk_clipboard_read_text_async (self->clipboard, self->clipboard_cancellable,
                                 clipboard_text_read, req);
  return TRUE;
}

static void
on_local_clipboard_changed (GdkClipboard      *clipboard,
                            VireoSpiceDisplay *self)
{
  GdkContentFormats *formats;
  guint32 types[] = { VD_AGENT_CLIPBOARD_UTF8_TEXT };
  gboolean has_text;

  /* Our own copy of the guest's text coming back. */
  if (gdk_clipboard_is_local (clipboard) && self->guest_owns_clipboard)
    return;
  self->guest_owns_clipboard = FALSE;
  if (!clipboard_usable (self))
    return;

  /* GTK says "changed" twice for each step on X11, and a new owner's
   * formats come in a second step (first none, then its own): tell the
   * agent only what differs from what it was last told. The text itself
   * is read when the guest asks for it, so a new owner with text again
   * needs no new grab. */
  formats = gdk_clipboard_get_formats (clipboard);
  has_text = gdk_content_formats_contain_gtype (formats, G_TYPE_STRING) ||
             gdk_content_formats_contain_mime_type (formats, "text/plain;charset=utf-8") ||
             gdk_content_formats_contain_mime_type (formats, "text/plain");
  if (has_text == self->clipboard_announced)
    return;
  self->clipboard_announced = has_text;
  if (has_text)
    spice_main_channel_clipboard_selection_grab (self->main, VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD,
                                                 types, G_N_ELEMENTS (types));
  else
    spice_main_channel_clipboard_selection_release (self->main, VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD);
}

void
vireo_spice_display_clipboard_attach (VireoSpiceDisplay *self)
{
  if (self->clipboard != NULL || self->main == NULL || !gtk_widget_get_root (GTK_WIDGET (self)))
    return;

  self->clipboard = g_object_ref (gtk_widget_get_clipboard (GTK_WIDGET (self)));
  self->clipboard_cancellable = g_cancellable_new ();
  self->clipboard_changed_id = g_signal_connect (self->clipboard, "changed",
                                                 G_CALLBACK (on_local_clipboard_changed), self);
}

void
vireo_spice_display_clipboard_detach (VireoSpiceDisplay *self)
{
  if (self->clipboard == NULL)
    return;
  g_cancellable_cancel (self->clipboard_cancellable);
  g_clear_object (&self->clipboard_cancellable);
  g_clear_signal_handler (&self->clipboard_changed_id, self->clipboard);
  g_clear_object (&self->clipboard);
  self->guest_owns_clipboard = FALSE;
  self->clipboard_announced = FALSE;
}

static void
on_agent_connected_changed (SpiceMainChannel  *channel,
                            GParamSpec        *pspec,
                            VireoSpiceDisplay *self)
{
  /* Offer what is on our clipboard to a newly started agent. */
  self->clipboard_announced = FALSE;
  if (self->clipboard != NULL && agent_connected (self))
    on_local_clipboard_changed (self->clipboard, self);
}

void
vireo_spice_display_attach_main (VireoSpiceDisplay *self)
{
  g_signal_connect (self->main, "main-mouse-update", G_CALLBACK (on_mouse_update), self);
  g_signal_connect (self->main, "main-agent-update", G_CALLBACK (on_agent_update), self);
  g_signal_connect (self->main, "notify::agent-connected", G_CALLBACK (on_agent_connected_changed), self);
  g_signal_connect (self->main, "main-clipboard-selection-grab", G_CALLBACK (on_guest_grab), self);
  g_signal_connect (self->main, "main-clipboard-selection", G_CALLBACK (on_guest_data), self);
  g_signal_connect (self->main, "main-clipboard-selection-release", G_CALLBACK (on_guest_release), self);
  g_signal_connect (self->main, "main-clipboard-selection-request", G_CALLBACK (on_guest_request), self);
  vireo_spice_display_update_mouse_mode (self);
  vireo_spice_display_clipboard_attach (self);
}

/* Setup ----------------------------------------------------------------------- */

void
vireo_spice_display_init_input (VireoSpiceDisplay *self)
{
  GtkEventController *controller;
  GtkGesture *click;

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (on_key_pressed), self);
  g_signal_connect (controller, "key-released", G_CALLBACK (on_key_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_focus_new ();
  g_signal_connect (controller, "enter", G_CALLBACK (on_focus_enter), self);
  g_signal_connect (controller, "leave", G_CALLBACK (on_focus_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (controller, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  g_signal_connect (click, "released", G_CALLBACK (on_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect (controller, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}
