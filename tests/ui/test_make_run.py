#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The README's first command, `make run`, as a user on a machine without
libvirt runs it (through tests/lib/no-libvirt.sh, with empty XDG folders):
its set-up finds everything installed and the build up to date, the manager
opens with the builtin backend, "This computer (QEMU)", connected, and Ctrl+Q
ends it, and `make` with it, successfully."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402
from test_new_vm import first  # noqa: E402


def child_pids(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def vireo_pid(s, make):
    """The app's pid: tools/run-vireo.sh, started by make, execs it."""
    def find():
        todo, seen = [make.pid], []
        while todo:
            p = todo.pop()
            for c in child_pids(p):
                try:
                    exe = os.readlink("/proc/%d/exe" % c)
                except OSError:
                    continue
                if exe == os.path.realpath(V.app_path()):
                    return c
                seen.append(c)
                todo.append(c)
        return None
    return s.wait_for(find, 120, what="make run to start the app (make's log: %s)" % s.app_log)


def test_make_run(s):
    V.require_program("make", "make")
    if os.environ.get("VIREO_NO_LIBVIRT") != "1":
        raise V.HarnessError("run this test through tests/lib/no-libvirt.sh (meson test ui-make-run)")
    make = s.launch(["make", "-C", V.source_root(), "run", "BUILD=" + V.build_root()],
                    name="make-run", wait=False)
    pid = vireo_pid(s, make)
    s.app_acc = s.wait_app(pid, 60)
    win = s.window("Vireo", 30)
    row = V.connection_row(s, V.CONNECTED, 30, display_re=r"This computer \(QEMU\)")
    V.log("make run:", s.name_of(row))

    s.mouse_click(first(s, win, "list", "Virtual Machines"))
    s.key("ctrl+q")
    try:
        rc = make.wait(30)
    except subprocess.TimeoutExpired:
        raise V.HarnessError("make run did not end after Ctrl+Q")
    s.app = None
    s.app_acc = None
    for _ in range(5):
        s.pump()
        time.sleep(0.1)
    if rc != 0:
        raise V.HarnessError("make run ended with status %d (log %s)" % (rc, s.app_log))
    with open(s.app_log, errors="replace") as f:
        log = f.read()
    if "Installing:" in log:
        raise V.HarnessError("make run installed packages the test set-up should have: %s" % log[-2000:])
    V.log("make run ended with status 0")


if __name__ == "__main__":
    V.run_test(test_make_run)
