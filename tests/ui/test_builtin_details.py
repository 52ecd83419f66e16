#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The manager's VM rows on the builtin backend say how a VM runs and how it
ended: the accelerator with the reason KVM is not used (here the KVM device
is pointed at a path that does not exist), and for a crashed VM the end of
QEMU's log. Both are in the row's accessible description, which is also the
status's tooltip. No QEMU needs to run."""
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402

GRUB_ISO = "/usr/lib/grub-rescue/grub-rescue-cdrom.iso"


def define_vm(s, name, domain_type):
    folder = os.path.join(s.env["XDG_CONFIG_HOME"], "vireo", "builtin")
    os.makedirs(folder, exist_ok=True)
    u = str(uuid.uuid4())
    with open(os.path.join(folder, u + ".xml"), "w") as f:
        f.write("""<domain type='%s'><name>%s</name><uuid>%s</uuid>
<memory unit='MiB'>96</memory><vcpu>1</vcpu>
<os><type arch='x86_64'>hvm</type><boot dev='cdrom'/></os>
<devices><disk type='file' device='cdrom'><source file='%s'/><target dev='sda' bus='sata'/></disk>
<graphics type='vnc'/></devices></domain>""" % (domain_type, name, u, GRUB_ISO))
    return u


def description_has(s, row, *parts, timeout=15):
    return s.wait_for(lambda: all(p in (row.get_description() or "") for p in parts), timeout,
                      what="the row to describe %r (it says %r)" % (parts, row.get_description()))


def test_builtin_details(s):
    define_vm(s, "ui-wants-kvm", "kvm")
    crashed = define_vm(s, "ui-crashed", "qemu")
    # What the backend leaves when QEMU crashed: a report in the VM's runtime folder.
    run = os.path.join(s.env["XDG_RUNTIME_DIR"], "vireo", crashed)
    os.makedirs(run, mode=0o700)
    with open(os.path.join(run, "crashed"), "w") as f:
        f.write("QEMU was killed by signal 6 (Aborted). The end of its log:\n"
                "qemu-system-x86_64: an assertion failed somewhere")

    s.launch_vireo("--no-remembered", "--connect", "builtin:///session",
                   env={"VIREO_KVM_DEVICE": "/nonexistent/kvm"})
    win = s.window("Vireo", 30)
    V.connection_row(s, V.CONNECTED, 15)

    row = V.vm_row(s, "ui-wants-kvm", "Shut off", 15, root=win)
    description_has(s, row, "Accelerator: TCG", "/nonexistent/kvm does not exist")
    V.log("ui-wants-kvm: %r" % row.get_description())

    row = V.vm_row(s, "ui-crashed", "Crashed", 15, root=win)
    description_has(s, row, "Accelerator: TCG", "emulated", "killed by signal 6",
                    "an assertion failed somewhere")
    V.log("ui-crashed: %r" % row.get_description())
    s.screenshot(os.path.join(s.tmp, "builtin-details.png"))


if __name__ == "__main__":
    V.run_test(test_builtin_details)
