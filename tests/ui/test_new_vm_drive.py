#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The New VM wizard from a CD/DVD drive of a libvirt host (the test driver
with tests/fixtures/host-drives.xml, whose node devices are two optical
drives and a disk): the host's drives are listed with their models, not
this computer's and not the disk, and the VM is made from the first."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402
from test_new_vm import finish_and_wait, open_wizard  # noqa: E402


def test_new_vm_drive(s):
    xml = V.require_file(os.path.join(V.fixtures_dir(), "host-drives.xml"),
                         "the test-driver fixture tests/fixtures/host-drives.xml")
    win = V.launch_vireo_with(s, V.test_uri(xml))
    V.connection_row(s, V.CONNECTED, 15)

    w = open_wizard(s, win)
    w.choose("method", r"^CD or DVD drive")
    w.press("Forward", "method", "the drive method on a connected host")
    w.wait_step(2)
    first_drive = w.wait_label("source", r"^/dev/sr0 \(HL-DT-ST DVD-RW DH16\)$", 20,
                               "the host's first drive, with its model, in the Drive list")
    V.log("drive:", first_drive)
    labels = w.labels("source")
    if any("/dev/sda" in t for t in labels):
        raise V.HarnessError("the host's disk is offered as a drive: %r" % labels)
    w.press("Forward", "source", "a drive of the host")
    w.wait_step(3)
    w.pick_generic_os()
    w.press("Forward", "os", "an OS chosen from the list")
    w.wait_step(4)
    w.press("Forward", "resources", "memory and CPUs")
    w.wait_step(5)
    w.press("Forward", "storage", "a disk in the default pool (made when missing)")
    w.wait_step(6)
    w.type_into("name", "Name", "wizard-cd")
    finish_and_wait(s, w, win, "wizard-cd")


if __name__ == "__main__":
    V.run_test(test_new_vm_drive)
