#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The New VM wizard on a remote host (a private libvirtd with the QEMU
driver, reached over TCP as qemu+tcp://127.0.0.1:PORT/system: run through
tests/e2e/libvirtd-isolated.sh with VIREO_LIBVIRTD_TCP=1) from an ISO of
this computer: "Upload it from this computer into the host's storage pool"
is offered there (and only there), the ISO is copied into the pool
"default", the VM runs from that copy."""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402
from test_new_vm import GRUB_ISO, first, open_wizard, wizard_closed  # noqa: E402
from test_new_vm_variants import choose_item, choose_network  # noqa: E402

NAME = "upload vm"
UPLOAD = re.compile(r"^Upload it from this computer")


def virsh(*args):
    r = subprocess.run(["virsh", "-c", os.environ["VIREO_TEST_URI"], *args],
                       capture_output=True, text=True, timeout=60)
    return r.stdout + r.stderr


def test_new_vm_upload(s):
    uri = os.environ.get("VIREO_TEST_TCP_URI")
    if not uri:
        raise V.HarnessError("run through VIREO_LIBVIRTD_TCP=1 tests/e2e/libvirtd-isolated.sh "
                             "(meson test ui-new-vm-upload)")
    iso = os.path.join(s.tmp, "media", "local rescue.iso")
    os.makedirs(os.path.dirname(iso))
    shutil.copy(V.require_file(GRUB_ISO, "grub-rescue-pc's ISO (package grub-rescue-pc)"), iso)
    s.cleanups.append(lambda: (virsh("destroy", NAME), virsh("undefine", NAME, "--remove-all-storage")))

    # libvirtd probes QEMU at its first use: not what is tested here.
    virsh("domcapabilities", "--virttype", "qemu")
    win = V.launch_vireo_with(s, uri)
    V.connection_row(s, V.CONNECTED, 30)
    w = open_wizard(s, win)
    # The host offers KVM and TCG; its QEMU cannot open /dev/kvm here.
    s.wait_for(lambda: w.sensitive("Forward"), 60, what="the host's capabilities to be read")
    choose_item(s, w.page("method"), "Virtualization type", "QEMU (software emulation, TCG: slow)")
    w.press("Forward", "method", "the ISO method on a connected host")
    w.wait_step(2)
    first(s, w.page("source"), "check box", UPLOAD, 10)
    # Without the upload, a path is the host's: ours is not there.
    w.type_into("source", "ISO image", iso)
    w.choose("source", UPLOAD.pattern)
    w.press("Forward", "source", "a readable ISO of ours to upload")
    w.wait_step(3)
    detected = w.wait_label("os", r"^(Detected: |The operating system could not be detected)", 60,
                            "the OS detection's result (the ISO is ours, so it can be read)")
    V.log("detection:", detected)
    if not detected.startswith("Detected: "):
        w.choose("os", r"^Detect it")
        w.type_into("os", "Search operating systems", "generic")
        s.select_row(re.compile(r"generic", re.I), 10, root=w.page("os"))
    w.press("Forward", "os", "an OS")
    w.wait_step(4)
    w.press("Forward", "resources", "memory and CPUs")
    w.wait_step(5)
    # A small disk: the private daemon's pool is on a tmpfs.
    size = first(s, w.page("storage"), "spin button", "Disk size in GiB", 10)
    size.get_value_iface().set_current_value(2)
    s.wait_for(lambda: size.get_value_iface().get_current_value() == 2, 5, what="a 2 GiB disk")
    w.press("Forward", "storage", "a disk in the default pool")
    w.wait_step(6)
    w.type_into("name", "Name", NAME)
    # The private daemon's "default" network is defined but not started.
    choose_network(s, w, "User-mode networking")
    w.press("Finish", "name", "a valid name")
    # Uploaded, defined, started: the row says Running, then the wizard goes.
    V.vm_row(s, NAME, "Running", 180, root=win)
    wizard_closed(s)

    path = virsh("vol-path", "--pool", "default", "local rescue.iso").strip()
    if not path.startswith("/"):
        raise V.HarnessError("no volume “local rescue.iso” in the pool “default”: %s\n%s"
                             % (path, virsh("vol-list", "default")))
    with open(iso, "rb") as a, open(path, "rb") as b:
        if a.read() != b.read():
            raise V.HarnessError("the pool's copy differs from the ISO")
    live = virsh("dumpxml", NAME)
    if "<source file='%s'" % path not in live:
        raise V.HarnessError("the VM does not boot the uploaded copy:\n" + live)
    V.log("the pool holds the ISO's copy (%s); the VM runs from it" % path)


if __name__ == "__main__":
    V.run_test(test_new_vm_upload)
