#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The first start, with no remembered connections and nothing on the
command line (as `make run` does on a fresh machine): the builtin backend,
"This computer (QEMU)", is added and connects by itself, with no libvirt
daemon needed; a VM defined in its folder is listed."""
import os
import re
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402

BUILTIN = "This computer \\(QEMU\\)"
GRUB_ISO = "/usr/lib/grub-rescue/grub-rescue-cdrom.iso"


def test_first_run(s):
    folder = os.path.join(s.env["XDG_CONFIG_HOME"], "vireo", "builtin")
    os.makedirs(folder, exist_ok=True)
    u = str(uuid.uuid4())
    with open(os.path.join(folder, u + ".xml"), "w") as f:
        f.write("""<domain type='qemu'><name>first-run</name><uuid>%s</uuid>
<memory unit='MiB'>96</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os>
<devices><disk type='file' device='cdrom'><source file='%s'/><target dev='sda' bus='sata'/></disk>
</devices></domain>""" % (u, GRUB_ISO))
    # Run through tests/lib/no-libvirt.sh: no libvirt daemon can be reached,
    # as on a machine without libvirt (where one runs, the app adds
    # qemu:///system beside the builtin backend).
    if os.environ.get("VIREO_NO_LIBVIRT") != "1" or os.path.exists("/run/libvirt/libvirt-sock"):
        raise V.HarnessError("run this test through tests/lib/no-libvirt.sh (meson test ui-first-run)")
    s.launch_vireo()
    win = s.window("Vireo", 30)
    row = V.connection_row(s, V.CONNECTED, 20, display_re=BUILTIN)
    V.log("first start:", s.name_of(row))
    V.vm_row(s, "first-run", "Shut off", 15, root=win)
    # The builtin backend is the only connection.
    others = [s.name_of(a) for a, _ in s.iter_tree(win)
              if re.match(r"^(?!This computer \(QEMU\)).+, (Connected|Connecting…|Disconnected.*)$",
                          s.name_of(a))]
    if others:
        raise V.HarnessError("connections other than the builtin one on a first start: %r" % others)


if __name__ == "__main__":
    V.run_test(test_first_run)
