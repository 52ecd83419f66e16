#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""(b) Lifecycle actions from the header bar change the VM row's state:
Run, Pause, Resume, Shut Down, and Force Off behind its confirmation."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402


def pick_shutoff_vm(xml):
    """A shut-off, persistent VM without a managed save image, from the file."""
    import xml.etree.ElementTree as ET
    root = ET.parse(xml).getroot()
    ns = "{%s}" % V.TEST_NS
    for dom in root.iter("domain"):
        rs = dom.find(ns + "runstate")
        if rs is None or rs.text.strip() != "5":
            continue
        if dom.find(ns + "hasmanagedsave") is not None or dom.find(ns + "transient") is not None:
            continue
        return dom.findtext("name")
    raise V.HarnessError("%s has no plain shut-off domain to start" % xml)


def header_button(s, win, name, timeout=10):
    s.find("button", name, timeout, root=win)
    s.wait_for(lambda: s.is_sensitive(s.find("button", name, 1, root=win)), 10,
               what="button %r to become sensitive" % name)
    return s.find("button", name, 1, root=win)


def expect_state(s, vm, state, timeout=10):
    t0 = time.monotonic()
    V.vm_row(s, vm, state, timeout)
    V.log("%s is %s after %.2f s" % (vm, state, time.monotonic() - t0))


def more_action(s, win, item):
    """Open the "More Actions" menu and activate one of its items."""
    s.click(s.find(None, "More Actions", 10, root=win))
    rx = re.compile(r"^%s$" % re.escape(item))
    it = s.find(lambda r: r in ("menu item", "push button", "check menu item",
                                "radio menu item", "toggle button"), rx, 10)
    s.click(it)


def confirm(s, button, timeout=10):
    """Press `button` in the AdwMessageDialog that asks for confirmation."""
    dlg = s.wait_for(lambda: next(
        (w for w in s.windows() if s.find_all("button", button, root=w)
         and s.find_all("button", "Cancel", root=w)), None),
        timeout, what="a confirmation dialog with %r and 'Cancel'" % button)
    s.click(s.find("button", button, 2, root=dlg))
    s.wait_for(lambda: not any(w.path == dlg.path and s.find_all("button", "Cancel", root=w)
                               for w in s.windows()),
               10, what="the confirmation dialog to close")


def test_lifecycle(s):
    xml = V.node_fixture()
    vm = pick_shutoff_vm(xml)
    win = V.launch_vireo_with(s, V.test_uri(xml))
    V.connection_row(s, V.CONNECTED, 15)
    V.vm_row(s, vm, "Shut off", 15)
    s.select_row(V.row_label(vm, "Shut off"))

    s.click(header_button(s, win, "Run"))
    expect_state(s, vm, "Running")

    s.click(header_button(s, win, "Pause"))
    expect_state(s, vm, "Paused")

    # With a paused VM selected the same button says Resume.
    s.click(header_button(s, win, "Resume"))
    expect_state(s, vm, "Running")

    s.click(header_button(s, win, "Shut Down"))
    expect_state(s, vm, "Shut off")

    s.click(header_button(s, win, "Run"))
    expect_state(s, vm, "Running")

    # Force Off asks first; Cancel leaves the VM running.
    more_action(s, win, "Force Off")
    confirm(s, "Cancel")
    time.sleep(1.0)
    V.vm_row(s, vm, "Running", 2)

    more_action(s, win, "Force Off")
    confirm(s, "Force Off")
    expect_state(s, vm, "Shut off")
    s.screenshot(os.path.join(s.tmp, "lifecycle.png"))


if __name__ == "__main__":
    V.run_test(test_lifecycle)
