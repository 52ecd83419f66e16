#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The New VM wizard's last steps on the libvirt test driver, through AT-SPI.

1. "Customize configuration before install" (PXE, the OS picked from the
   searchable list): the final XML is shown; broken by an edit, Finish shows
   the engine's error in a message dialog and the wizard stays on the XML
   with the edit kept; mended, Finish creates the VM.
2. Cancel (the wizard opened with Ctrl+N): a network install from a tree
   served slowly (a big kernel) is cancelled while the kernel downloads; the
   wizard comes back to its last step saying so, and no VM was made.
3. Import of a disk image: no storage step (five steps), the VM is made."""
import os
import re
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402
from test_new_vm import WIZARD, first, open_wizard, finish_and_wait, settle, wizard_closed  # noqa: E402

BIG = 400 * 1024 * 1024   # sparse: at 3.2 MB/s the download takes minutes


def slow_tree(s):
    """A copy of the Debian fixture tree with big kernels and initrds, served
    by tests/install/slow-http.py (64 KiB every 20 ms)."""
    src = os.path.join(V.source_root(), "tests", "install", "trees", "debian-bookworm")
    dst = os.path.join(s.tmp, "tree")
    shutil.copytree(V.require_file(src, "the fixture tree"), dst)
    for root, _, files in os.walk(dst):
        for f in files:
            if f in ("linux", "initrd.gz", "vmlinuz"):
                with open(os.path.join(root, f), "r+b") as fh:
                    fh.truncate(BIG)
    port = V.free_port()
    s._spawn("slow-http", ["/usr/bin/python3",
                           os.path.join(V.source_root(), "tests", "install", "slow-http.py"),
                           str(port), dst])
    import urllib.request
    url = "http://127.0.0.1:%d/" % port
    end = time.monotonic() + 15
    while True:
        try:
            urllib.request.urlopen(url + "dists/bookworm/Release", timeout=2).read()
            return url
        except OSError:
            if time.monotonic() > end:
                raise V.HarnessError("the slow HTTP server did not come up")
            time.sleep(0.2)


def other_window(s, *known):
    return s.wait_for(lambda: next((w for w in s.windows() if s.name_of(w) not in known), None),
                      15, what="a message dialog")


def test_new_vm_customize(s):
    xml = V.node_fixture()
    url = slow_tree(s)
    win = V.launch_vireo_with(s, V.test_uri(xml))
    V.connection_row(s, V.CONNECTED, 15)
    V.vm_row(s, "web-1", "Running", 15, root=win)

    # 1. Customize ------------------------------------------------------------
    w = open_wizard(s, win)
    w.choose("method", r"^Network boot")
    w.press("Forward", "method", "PXE")
    w.wait_step(2)
    w.press("Forward", "source", "PXE needs nothing more")
    w.wait_step(3)
    w.wait_label("os", r"nothing to detect", 10, "the note that PXE has nothing to detect")
    w.pick_generic_os()
    w.press("Forward", "os", "an OS chosen from the list")
    w.wait_step(4)
    w.press("Forward", "resources", "memory and CPUs")
    w.wait_step(5)
    w.press("Forward", "storage", "storage")
    w.wait_step(6)
    w.type_into("name", "Name", "wizard-custom")
    w.choose("name", r"^Customize configuration")
    w.press("Forward", "name", "customize before install")
    w.wait_step(7)
    view = first(s, w.page("customize"), "entry", "Configuration XML")
    text = s.wait_for(lambda: (lambda t: t if t and "<name>wizard-custom</name>" in t else None)(s.text_of(view)),
                      30, what="the final XML with the VM's name")
    V.log("final XML: %d characters" % len(text))

    # Broken by an edit: the engine refuses it, the dialog says why.
    s.mouse_click(view)
    s.key("ctrl+End")
    s.xdotool("type", "--delay", "5", "--clearmodifiers", "<oops")
    s.wait_for(lambda: (s.text_of(view) or "").rstrip().endswith("<oops"), 10, what="the edit")
    w.press("Finish", "customize", "the edited XML")
    dlg = other_window(s, "Vireo", WIZARD)
    heading = first(s, dlg, "label", re.compile(r"^Could not create “wizard-custom”"), 10)
    body = first(s, dlg, "label", re.compile(r"XML"), 10)
    V.log("error dialog: %r / %r" % (s.name_of(heading), s.name_of(body)))
    s.click(first(s, dlg, "button", "Close", 10))
    settle()
    s.wait_for(lambda: not any(s.name_of(x) not in ("Vireo", WIZARD) for x in s.windows()), 10,
               what="the dialog to close")
    w.wait_step(7)
    s.wait_for(lambda: (s.text_of(view) or "").rstrip().endswith("<oops"), 10,
               what="the edit to be kept after the error")

    # Mended: created.
    s.mouse_click(view)
    s.key("ctrl+End")
    for _ in range(len("<oops")):
        s.key("BackSpace")
    s.wait_for(lambda: "<oops" not in (s.text_of(view) or ""), 10, what="the edit to be undone")
    finish_and_wait(s, w, win, "wizard-custom", page="customize")

    # 2. Cancel (the wizard opened with Ctrl+N) ------------------------------------
    w = open_wizard(s, win, shortcut=True)
    w.choose("method", r"^Network install")
    w.press("Forward", "method", "the URL method")
    w.wait_step(2)
    w.type_into("source", "URL", url)
    V.log("tree:", w.wait_label("source", r"^Found: ", 60, "the tree to be detected"))
    w.press("Forward", "source", "a detected tree")
    w.wait_step(3)
    w.press("Forward", "os", "the detected OS", timeout=60)
    w.wait_step(4)
    w.press("Forward", "resources", "memory and CPUs")
    w.wait_step(5)
    w.press("Forward", "storage", "storage")
    w.wait_step(6)
    w.type_into("name", "Name", "wizard-cancel")
    w.press("Finish", "name", "a valid name")
    V.log("progress:", w.wait_label("progress", r"^Downloading", 60, "the kernel download"))
    s.click(first(s, w.page("progress"), "button", "Cancel Installation"))
    w.wait_step(6)
    V.log("after cancel:", s.name_of(first(s, w.dlg, "label", re.compile(r"cancelled"), 60)))
    names = [s.name_of(a) for a, _ in s.iter_tree(win)]
    if any(n.startswith("wizard-cancel, ") for n in names):
        raise V.HarnessError("a cancelled install left its VM listed")
    s.click(w.buttons["Back"])
    w.wait_step(5)
    s.click(first(s, w.dlg, "button", "Cancel"))
    wizard_closed(s)
    V.log("listed still:", s.name_of(first(s, win, None, re.compile(r"^wizard-custom, "), 10)))

    # 3. Import: the image is the disk, so the storage step is skipped ------------
    disk = os.path.join(s.tmp, "imported disk.qcow2")
    with open(disk, "wb") as f:
        f.truncate(1024 * 1024)
    w = open_wizard(s, win)
    w.choose("method", r"^Import an existing disk image")
    w.press("Forward", "method", "the import method")
    w.wait_step(2)
    w.type_into("source", "Disk image", disk)
    w.press("Forward", "source", "a readable disk image")
    w.wait_step(3)
    w.pick_generic_os()
    w.press("Forward", "os", "an OS chosen from the list")
    w.wait_step(4)
    w.press("Forward", "resources", "memory and CPUs")
    s.wait_for(lambda: s.name_of(w.subtitle) == "Step 5 of 5", 10,
               what="the name step to be the last of five (no storage step for an import): %r"
                    % s.name_of(w.subtitle))
    w.type_into("name", "Name", "wizard-import")
    finish_and_wait(s, w, win, "wizard-import")


if __name__ == "__main__":
    V.run_test(test_new_vm_customize)
