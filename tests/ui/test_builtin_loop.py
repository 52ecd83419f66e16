#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The whole loop in the app on the builtin backend, with real QEMU (TCG) and
nothing of libvirt: create a VM with the New VM wizard from grub-rescue-pc's
ISO; it runs and its row's graphs move; its console shows the guest; quit the
app, the VM keeps running; start the app again, the VM is found running and
its console attaches again; force it off (GRUB does not answer ACPI); delete
it with its storage, and neither its disk nor its definition is left."""
import glob
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402
from test_console import display  # noqa: E402
from test_lifecycle import confirm, more_action  # noqa: E402
from test_new_vm import GRUB_ISO, first, open_wizard, wizard_closed  # noqa: E402

# ASCII: xdotool types a non-ASCII letter by remapping a key, which races
# under load (names with ü, &, < and $ are checked by test-create-builtin).
NAME = "loop vm"
CONSOLE = NAME + " on This computer (QEMU)"


def launch(s):
    s.launch_vireo("--no-remembered", "--connect", "builtin:///session")
    win = s.window("Vireo", 30)
    V.connection_row(s, V.CONNECTED, 20, display_re=r"This computer \(QEMU\)")
    return win


def qemu_pids(s):
    """PIDs from the builtin backend's pidfiles whose process is alive."""
    out = []
    for f in glob.glob(os.path.join(s.env["XDG_RUNTIME_DIR"], "vireo", "*", "qemu.pid")):
        try:
            pid = int(open(f).read().strip())
            os.kill(pid, 0)
            out.append(pid)
        except (ValueError, OSError):
            pass
    return out


def graphs(s, win):
    """The accessible label of the VM row's graphs ("CPU usage N %, …")."""
    row = V.vm_row(s, NAME, "Running", 10, root=win)
    img = first(s, row, "image", re.compile(r"^CPU usage "), 10)
    return s.name_of(img)


def open_console(s, win):
    s.select_row(V.row_label(NAME, "Running"), 10, root=win)
    s.click(s.find("button", "Open Console", 10, root=win))
    cwin = s.window(CONSOLE, 30)
    display(s, cwin, 60)
    return cwin


def force_off_and_delete(s, win, name):
    """Force Off behind its confirmation, then Delete… with "Delete
    associated storage" ticked; returns once the row is gone."""
    s.select_row(V.row_label(name, "Running"), 10, root=win)
    more_action(s, win, "Force Off")
    confirm(s, "Force Off")
    V.vm_row(s, name, "Shut off", 30, root=win)
    s.select_row(V.row_label(name, "Shut off"), 10, root=win)
    more_action(s, win, "Delete…")
    dlg = s.wait_for(lambda: next((x for x in s.windows()
                                   if s.find_all("check box", "Delete associated storage", root=x)),
                                  None), 10, what="the delete dialog with its storage check box")
    check = s.find("check box", "Delete associated storage", 5, root=dlg)
    s.click(check, mouse=True)
    s.wait_for(lambda: "checked" in s.states(check), 5, what="the storage check box to be ticked")
    confirm(s, "Delete")
    s.wait_for(lambda: name not in V.vm_rows(s, win), 30, what="the row to go")


def test_builtin_loop(s):
    V.require_file(GRUB_ISO, "grub-rescue-pc's ISO (Debian package grub-rescue-pc)")
    V.require_program("qemu-system-x86_64", "qemu-system-x86")
    images = os.path.join(s.env["XDG_DATA_HOME"], "vireo", "images")
    defs = os.path.join(s.env["XDG_CONFIG_HOME"], "vireo", "builtin")
    win = launch(s)

    # Create with the wizard ------------------------------------------------
    w = open_wizard(s, win)
    first(s, w.page("method"), "combo box", "Connection", 5)
    w.press("Forward", "method", "the builtin host's capabilities")
    w.wait_step(2)
    w.type_into("source", "ISO image", GRUB_ISO)
    w.press("Forward", "source", "a readable ISO")
    w.wait_step(3)
    detected = w.wait_label("os", r"^(Detected: |The operating system could not be detected)", 60,
                            "the OS detection's result")
    V.log("ISO detection:", detected)
    if not detected.startswith("Detected: "):
        w.choose("os", r"^Detect it")
        w.type_into("os", "Search operating systems", "generic")
        s.select_row(re.compile(r"generic", re.I), 10, root=w.page("os"))
    w.press("Forward", "os", "an OS")
    w.wait_step(4)
    w.wait_label("resources", r"The host has \d+ MiB", 5, "the host's memory beside Memory")
    w.press("Forward", "resources", "memory and CPUs within the host's")
    w.wait_step(5)
    V.log("pool:", w.wait_label("storage", r"free of .* in “default”", 10,
                                "the builtin pool's free space"))
    w.press("Forward", "storage", "a disk that fits")
    w.wait_step(6)
    w.type_into("name", "Name", NAME)
    w.press("Finish", "name", "a valid name")
    V.vm_row(s, NAME, "Running", 120, root=win)
    wizard_closed(s)
    disks = glob.glob(os.path.join(images, "*"))
    if len(disks) != 1 or len(glob.glob(os.path.join(defs, "*.xml"))) != 1:
        raise V.HarnessError("expected one disk and one definition, found %r and %r"
                             % (disks, os.listdir(defs)))
    pids = qemu_pids(s)
    V.log("created: disk %s, QEMU %s" % (disks[0], pids))
    if len(pids) != 1:
        raise V.HarnessError("expected one running QEMU, found %r" % pids)

    # Watch: its graphs move (GRUB keeps a TCG vCPU busy) -------------------
    label = s.wait_for(lambda: (lambda t: t if not re.search(r"CPU usage 0 %", t) else None)(
        graphs(s, win)), 30, what="the CPU graph to show the guest's CPU use")
    V.log("graphs:", label)

    # Console ----------------------------------------------------------------
    open_console(s, win)
    s.screenshot(os.path.join(s.tmp, "loop-console.png"))

    # Quit the app; the VM keeps running -----------------------------------
    s.mouse_click(first(s, win, "list", "Virtual Machines"))
    s.key("ctrl+q")
    try:
        s.app.wait(20)
    except Exception as e:  # noqa: BLE001
        raise V.HarnessError("the app did not quit on Ctrl+Q: %s" % e)
    s.app = None
    s.app_acc = None
    # Let libatspi hear that the application left before the next one comes.
    for _ in range(10):
        s.pump()
        time.sleep(0.1)
    if qemu_pids(s) != pids:
        raise V.HarnessError("QEMU %r did not outlive the app (now %r)" % (pids, qemu_pids(s)))
    V.log("the app quit; QEMU %s still runs" % pids)

    # Start again: found running, console attaches -------------------------
    win = launch(s)
    V.vm_row(s, NAME, "Running", 30, root=win)
    open_console(s, win)
    V.log("found again and attached")

    # Force off, then delete with its storage -------------------------------
    force_off_and_delete(s, win, NAME)
    s.wait_for(lambda: not qemu_pids(s), 20, what="QEMU to end after Force Off")
    s.wait_for(lambda: not glob.glob(os.path.join(images, "*")), 10,
               what="the disk to be deleted (left: %r)" % glob.glob(os.path.join(images, "*")))
    left = glob.glob(os.path.join(defs, "*"))
    if left:
        raise V.HarnessError("definition files left after delete: %r" % left)
    V.log("deleted with its disk; nothing left")


if __name__ == "__main__":
    V.run_test(test_builtin_loop)
