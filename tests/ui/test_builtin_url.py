#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The New VM wizard on the builtin backend from a network install tree: a
Debian tree (the netboot kernel and initrd of debian-installer-12-netboot-
amd64, laid out as a mirror does) served over HTTP on 127.0.0.1 is detected,
the VM is created and runs the tree's kernel under QEMU (TCG), the
downloaded boot files are gone from the cache once it started; then it is
forced off and deleted with its disk, and nothing is left."""
import glob
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402
from test_builtin_loop import force_off_and_delete, launch, qemu_pids  # noqa: E402
from test_new_vm import open_wizard, wizard_closed  # noqa: E402

DI = "/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64"
NAME = "url vm"


def debian_tree(root):
    images = os.path.join(root, "dists", "bookworm", "main", "installer-amd64", "current", "images")
    netboot = os.path.join(images, "netboot", "debian-installer", "amd64")
    os.makedirs(netboot)
    for f in ("linux", "initrd.gz"):
        shutil.copy(V.require_file(os.path.join(DI, f), "debian-installer-12-netboot-amd64"), netboot)
    with open(os.path.join(images, "MANIFEST"), "w") as f:
        f.write("netboot/debian-installer/amd64/initrd.gz: initrd for netboot install\n"
                "netboot/debian-installer/amd64/linux: kernel for netboot install\n")
    with open(os.path.join(root, "dists", "bookworm", "Release"), "w") as f:
        f.write("Origin: Debian\nLabel: Debian\nSuite: stable\nVersion: 12.0\nCodename: bookworm\n"
                "Architectures: amd64\nComponents: main\n")


def test_builtin_url(s):
    V.require_program("qemu-system-x86_64", "qemu-system-x86")
    tree = os.path.join(s.tmp, "tree")
    debian_tree(tree)
    port = V.free_port()
    s._spawn("http", ["/usr/bin/python3", "-m", "http.server", "--bind", "127.0.0.1",
                      "--directory", tree, str(port)])
    url = "http://127.0.0.1:%d/dists/bookworm/" % port
    cache = os.path.join(s.env["XDG_CACHE_HOME"], "vireo", "boot")
    images = os.path.join(s.env["XDG_DATA_HOME"], "vireo", "images")
    defs = os.path.join(s.env["XDG_CONFIG_HOME"], "vireo", "builtin")

    win = launch(s)
    w = open_wizard(s, win)
    w.choose("method", r"^Network install")
    w.press("Forward", "method", "the URL method")
    w.wait_step(2)
    w.type_into("source", "URL", url)
    V.log("tree:", w.wait_label("source", r"^Found: .*Debian", 60, "the tree to be detected"))
    w.press("Forward", "source", "a detected tree")
    w.wait_step(3)
    V.log("OS:", w.wait_label("os", r"^Detected: Debian", 60, "the OS identified from the tree"))
    w.press("Forward", "os", "the detected OS")
    w.wait_step(4)
    w.press("Forward", "resources", "memory and CPUs")
    w.wait_step(5)
    w.wait_label("storage", r"free of .* in “default”", 10, "the builtin pool's free space")
    w.press("Forward", "storage", "a disk that fits")
    w.wait_step(6)
    w.type_into("name", "Name", NAME)
    w.press("Finish", "name", "a valid name")
    V.vm_row(s, NAME, "Running", 180, root=win)
    wizard_closed(s)

    pids = qemu_pids(s)
    if len(pids) != 1:
        raise V.HarnessError("expected one running QEMU, found %r" % pids)
    with open("/proc/%d/cmdline" % pids[0], "rb") as f:
        args = f.read().split(b"\0")
    if b"-kernel" not in args or b"-initrd" not in args:
        raise V.HarnessError("QEMU does not boot the tree's kernel: %r" % args)
    s.wait_for(lambda: not os.listdir(cache) if os.path.isdir(cache) else True, 10,
               what="the downloaded kernel and initrd to leave the cache")
    V.log("running the tree's kernel (QEMU %d); cache empty" % pids[0])

    force_off_and_delete(s, win, NAME)
    s.wait_for(lambda: not glob.glob(os.path.join(images, "*")) and not glob.glob(os.path.join(defs, "*")),
               10, what="no disk and no definition left (%r, %r)"
               % (glob.glob(os.path.join(images, "*")), glob.glob(os.path.join(defs, "*"))))
    V.log("deleted; nothing left")


if __name__ == "__main__":
    V.run_test(test_builtin_url)
