#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The New VM wizard on a remote host (the test driver served by a private
libvirtd over TCP, test+tcp://127.0.0.1:PORT/…/node.xml): "Browse…" for the
ISO lists the host's pools and their volumes (not this computer's files),
the ISO kept in the pool "images" is chosen, its path on the host fills the
field, and the VM is made from it."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402
from test_new_vm import finish_and_wait, first, open_wizard, settle  # noqa: E402
from test_new_vm_variants import choose_item  # noqa: E402

ISO = "debian-12.0.0-amd64-netinst.iso"


def test_new_vm_pool_iso(s):
    xml = V.node_fixture()
    d = s.libvirtd()
    win = V.launch_vireo_with(s, d.uri(xml))
    V.connection_row(s, V.CONNECTED, 20)

    w = open_wizard(s, win)
    w.press("Forward", "method", "the ISO method on a connected host")
    w.wait_step(2)
    s.click(first(s, w.page("source"), "button", "Browse for an ISO image", 5))
    dlg = s.window(re.compile(r"^Choose an ISO Image on "), 10)
    choose_item(s, dlg, "Storage pool", "images")
    row = first(s, dlg, None, re.compile(r"^%s, 628" % re.escape(ISO)), 20)
    others = [s.name_of(a) for a, _ in s.iter_tree(dlg) if s.role_name(a) == "list item"]
    V.log("volumes of “images”:", others)
    if not any(n.startswith("spare.raw, ") for n in others):
        raise V.HarnessError("the pool's other volumes are not listed: %r" % others)
    s.mouse_click(row)
    choose = first(s, dlg, "button", "Choose", 5)
    s.wait_for(lambda: s.is_sensitive(choose), 5, what="Choose to become sensitive once a volume is picked")
    s.click(choose)
    settle()
    entry = w.entry("source", "ISO image")
    path = s.wait_for(lambda: (lambda t: t if t.endswith(ISO) else None)(s.text_of(entry) or ""), 10,
                      what="the ISO field to hold the volume's path on the host")
    if path != "/vireo-images/" + ISO:
        raise V.HarnessError("the ISO field holds %r, not the volume's path on the host" % path)
    V.log("chosen:", path)
    w.press("Forward", "source", "an ISO on the host")
    w.wait_step(3)
    w.pick_generic_os()
    w.press("Forward", "os", "an OS chosen from the list")
    w.wait_step(4)
    w.press("Forward", "resources", "memory and CPUs")
    w.wait_step(5)
    w.press("Forward", "storage", "a disk that fits")
    w.wait_step(6)
    w.type_into("name", "Name", "wizard-pool-iso")
    V.log("summary:", w.wait_label("name", r"(?m)^Install: From the ISO image /vireo-images/", 10,
                                   "the summary naming the host's ISO"))
    finish_and_wait(s, w, win, "wizard-pool-iso")


if __name__ == "__main__":
    V.run_test(test_new_vm_pool_iso)
