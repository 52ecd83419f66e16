#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shortcuts window opens with Ctrl+? and from the main menu, lists the
manager's shortcuts, and is destroyed when closed. No hidden window is kept:
GTK 4.8's AT-SPI root answers GetChildAtIndex past the shown windows with the
last toplevel, and a hidden one (GtkApplication's automatic help overlay) made
that answer carry a NULL object path, which crashed the app when a screen
reader (or this harness) asked while a dialog was closing."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402

SHORTCUTS = "Shortcuts"


def root_child_past_end(s):
    """Ask the app's AT-SPI root for the child just past its ChildCount, over
    raw D-Bus; the app must answer (a window or an error) and stay alive."""
    from gi.repository import GLib, Gio
    conn = s._a11y_conn()
    acc = s.app_acc
    bus = acc.get_bus_name() if hasattr(acc, "get_bus_name") else acc.app.bus_name
    path = acc.path
    r = conn.call_sync(bus, path, "org.freedesktop.DBus.Properties", "Get",
                       GLib.Variant("(ss)", ("org.a11y.atspi.Accessible", "ChildCount")),
                       GLib.VariantType("(v)"), Gio.DBusCallFlags.NONE, 5000, None)
    n = r.unpack()[0]
    try:
        r = conn.call_sync(bus, path, "org.a11y.atspi.Accessible", "GetChildAtIndex",
                           GLib.Variant("(i)", (n,)), None, Gio.DBusCallFlags.NONE, 5000, None)
        answer = r.unpack()[0]
    except GLib.Error as e:
        answer = e.message
    s.check_alive()
    V.log("root has %d shown window(s); child %d answers %r" % (n, n, answer))
    return n


def shortcuts_window(s):
    return next((w for w in s.windows() if SHORTCUTS in s.name_of(w)), None)


def test_shortcuts(s):
    xml = V.node_fixture()
    win = V.launch_vireo_with(s, V.test_uri(xml))
    V.connection_row(s, V.CONNECTED, 15)
    if root_child_past_end(s) != 1:
        raise V.HarnessError("only the manager window should be shown at start")

    # Ctrl+? in the manager window (a click on its list gives it the focus).
    s.mouse_click(s.find("list", "Virtual Machines", 10, root=win))
    s.key("ctrl+question")
    sw = s.wait_for(lambda: shortcuts_window(s), 10, what="the shortcuts window (Ctrl+?)")
    for label in ("Add connection", "New virtual machine", "Run"):
        s.find(None, label, 5, root=sw)
    if root_child_past_end(s) != 2:
        raise V.HarnessError("the shortcuts window should be the second shown window")

    s.key("Escape")
    s.wait_for(lambda: shortcuts_window(s) is None, 10, what="Escape to close the shortcuts window")
    # Closed means destroyed: nothing hidden is left at the end of the toplevels.
    if root_child_past_end(s) != 1:
        raise V.HarnessError("the shortcuts window is still counted after closing")

    # Again from the main menu.
    s.click(s.find(None, "Main Menu", 10, root=win))
    s.click(s.find(lambda r: r in ("menu item", "push button"), "Keyboard Shortcuts", 10))
    s.wait_for(lambda: shortcuts_window(s), 10, what="the shortcuts window (main menu)")
    s.key("Escape")
    s.wait_for(lambda: shortcuts_window(s) is None, 10, what="the shortcuts window to close again")
    root_child_past_end(s)


if __name__ == "__main__":
    V.run_test(test_shortcuts)
