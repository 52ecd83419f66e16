#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Preferences (Ctrl+,) turn a graph column off and on again: every VM row's
graphs follow at once (their accessible label lists the graphs shown), the
other graphs stay with their values."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402
from test_new_vm import first  # noqa: E402

VM = "web-1"


def graph_label(s, win, vm=VM):
    row = V.vm_row(s, vm, "Running", 10, root=win)
    return s.name_of(first(s, row, "image", re.compile(r"^CPU usage "), 10))


def test_preferences(s):
    win = V.launch_vireo_with(s, V.test_uri(V.node_fixture()))
    V.connection_row(s, V.CONNECTED, 15)
    before = s.wait_for(lambda: (lambda t: t if "Disk I/O" in t else None)(graph_label(s, win)), 10,
                        what="the disk graph in %s's row" % VM)
    V.log("before:", before)

    s.mouse_click(first(s, win, "list", "Virtual Machines"))
    s.key("ctrl+comma")
    prefs = s.window("Preferences", 10)
    disk = s.find(None, re.compile(r"^Disk I/O graph"), 10, root=prefs)
    s.click(disk, mouse=True)
    after = s.wait_for(lambda: (lambda t: t if "Disk I/O" not in t else None)(graph_label(s, win)), 10,
                       what="the disk graph to leave %s's row" % VM)
    V.log("disk graph off:", after)
    for other in ("web-2", "xenpv-1"):
        if "Disk I/O" in graph_label(s, win, other):
            raise V.HarnessError("the disk graph is still in %s's row" % other)
    # The other graphs stay, with their values (a recycled row once lost them).
    if not re.search(r"CPU usage \d+ %.*Network I/O \S", after):
        raise V.HarnessError("the other graphs or their values went too: %r" % after)

    # A second click at once would be a double click.
    time.sleep(1.0)
    s.click(disk, mouse=True)
    s.wait_for(lambda: "Disk I/O" in graph_label(s, win), 10,
               what="the disk graph to come back to %s's row" % VM)
    V.log("disk graph on again:", graph_label(s, win))


if __name__ == "__main__":
    V.run_test(test_preferences)
