#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Save and Restore on the builtin backend from the manager, with a real QEMU
guest (GRUB, TCG): Run, then More Actions → Save (the row says "Shut off",
QEMU is gone and the state file is there), then Restore (running again, the
file removed)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402
from test_builtin_details import define_vm  # noqa: E402
from test_lifecycle import expect_state, header_button, more_action  # noqa: E402

VM = "ui-saved"


def test_builtin_save(s):
    V.require_program("qemu-system-x86_64", "qemu-system-x86")
    V.require_file("/usr/lib/grub-rescue/grub-rescue-cdrom.iso", "grub-rescue-pc")
    u = define_vm(s, VM, "qemu")
    state = os.path.join(s.env["XDG_DATA_HOME"], "vireo", "save", u + ".state")
    pidfile = os.path.join(s.env["XDG_RUNTIME_DIR"], "vireo", u, "qemu.pid")

    def kill_qemu():
        try:
            with open(pidfile) as f:
                os.kill(int(f.read().strip()), 9)
        except (OSError, ValueError):
            pass
    s.cleanups.append(kill_qemu)

    win = V.launch_vireo_with(s, "builtin:///session")
    V.connection_row(s, V.CONNECTED, 15)
    s.select_row(V.row_label(VM, "Shut off"))
    s.click(header_button(s, win, "Run"))
    expect_state(s, VM, "Running", 30)
    with open(pidfile) as f:
        pid = int(f.read().strip())

    more_action(s, win, "Save")
    expect_state(s, VM, "Shut off", 60)
    s.wait_for(lambda: os.path.exists(state), 10, what="the state file %s" % state)

    def gone():
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                return f.read() == b""
        except OSError:
            return True
    s.wait_for(gone, 10, what="QEMU (pid %d) to end" % pid)

    more_action(s, win, "Restore")
    expect_state(s, VM, "Running", 60)
    s.wait_for(lambda: not os.path.exists(state), 10, what="the state file to be removed")
    s.screenshot(os.path.join(s.tmp, "builtin-save.png"))
    more_action(s, win, "Force Off")
    from test_lifecycle import confirm
    confirm(s, "Force Off")
    expect_state(s, VM, "Shut off", 30)


if __name__ == "__main__":
    V.run_test(test_builtin_save)
