#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The New VM wizard's two remaining methods on the builtin backend, with real
QEMU (TCG) and nothing of libvirt:
1. Import: grub-rescue-pc's USB image, copied to a path with a space, becomes
   the VM's disk in place (no storage step); the VM runs it and shows GRUB in
   its console; deleting the VM without its storage keeps the image, and
   closes its console window.
2. Manual kernel boot: the Debian installer's netboot kernel and initrd (from
   paths with a space) and a command line; QEMU runs with -kernel, -initrd
   and -append as given; deleting the VM with its storage removes the disk
   the wizard made, and neither the kernel nor the initrd."""
import glob
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402
from test_builtin_loop import force_off_and_delete, launch, qemu_pids  # noqa: E402
from test_console import display  # noqa: E402
from test_lifecycle import confirm, more_action  # noqa: E402
from test_new_vm import open_wizard, settle, wizard_closed  # noqa: E402

USB_IMAGE = "/usr/lib/grub-rescue/grub-rescue-usb.img"
DI = "/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64"
IMPORTED = "imported vm"
CONSOLE = IMPORTED + " on This computer (QEMU)"
KERNEL = "kernel vm"
CMDLINE = "console=ttyS0 priority=low"


def qemu_args(s):
    pids = qemu_pids(s)
    if len(pids) != 1:
        raise V.HarnessError("expected one running QEMU, found %r" % pids)
    with open("/proc/%d/cmdline" % pids[0], "rb") as f:
        return [a.decode() for a in f.read().split(b"\0")]


def import_disk(s, win, images, defs):
    disk = os.path.join(s.tmp, "my disks", "grub usb.img")
    os.makedirs(os.path.dirname(disk))
    shutil.copy(V.require_file(USB_IMAGE, "grub-rescue-pc's USB image (package grub-rescue-pc)"), disk)
    before = open(disk, "rb").read(1024 * 1024)

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
    w.type_into("name", "Name", IMPORTED)
    w.press("Finish", "name", "a valid name")
    V.vm_row(s, IMPORTED, "Running", 120, root=win)
    wizard_closed(s)

    args = qemu_args(s)
    if not any(disk in a for a in args):
        raise V.HarnessError("QEMU does not run the imported image in place: %r" % args)
    if glob.glob(os.path.join(images, "*")):
        raise V.HarnessError("an import made a disk of its own: %r" % glob.glob(os.path.join(images, "*")))
    V.log("QEMU runs the imported image in place")

    # Its console shows GRUB, booted from that disk.
    s.select_row(V.row_label(IMPORTED, "Running"), 10, root=win)
    s.click(s.find("button", "Open Console", 10, root=win))
    cwin = s.window(CONSOLE, 30)
    display(s, cwin, 90)
    V.log("its console shows the guest")

    # Force off, then delete without "Delete associated storage": the image stays.
    s.select_row(V.row_label(IMPORTED, "Running"), 10, root=win)
    more_action(s, win, "Force Off")
    confirm(s, "Force Off")
    V.vm_row(s, IMPORTED, "Shut off", 30, root=win)
    s.select_row(V.row_label(IMPORTED, "Shut off"), 10, root=win)
    more_action(s, win, "Delete…")
    dlg = s.wait_for(lambda: next((x for x in s.windows()
                                   if s.find_all("check box", "Delete associated storage", root=x)),
                                  None), 10, what="the delete dialog")
    check = s.find("check box", "Delete associated storage", 5, root=dlg)
    if "checked" in s.states(check):
        raise V.HarnessError("Delete offers to delete an imported disk by default")
    confirm(s, "Delete")
    s.wait_for(lambda: IMPORTED not in V.vm_rows(s, win), 30, what="the row to go")
    s.wait_for(lambda: not glob.glob(os.path.join(defs, "*")), 10, what="its definition to go")
    # Its console window goes with it.
    settle()
    s.wait_for(lambda: all(s.name_of(x) != CONSOLE for x in s.windows()), 10,
               what="the deleted VM's console window to close")
    if not os.path.isfile(disk):
        raise V.HarnessError("deleting the VM removed the imported image %s" % disk)
    if open(disk, "rb").read(1024 * 1024) != before:
        raise V.HarnessError("the imported image's first MiB changed (GRUB does not write to it)")
    V.log("deleted; the imported image is still there")


def kernel_boot(s, win, images, defs):
    boot = os.path.join(s.tmp, "boot files")
    os.makedirs(boot)
    kernel, initrd = os.path.join(boot, "linux"), os.path.join(boot, "initrd.gz")
    shutil.copy(V.require_file(os.path.join(DI, "linux"), "debian-installer-12-netboot-amd64"), kernel)
    shutil.copy(V.require_file(os.path.join(DI, "initrd.gz"), "debian-installer-12-netboot-amd64"), initrd)

    w = open_wizard(s, win)
    w.choose("method", r"^Manual kernel boot")
    w.press("Forward", "method", "the kernel method")
    w.wait_step(2)
    w.type_into("source", "Kernel", kernel)
    w.type_into("source", "Initrd", initrd)
    w.type_into("source", "Kernel command line", CMDLINE)
    w.press("Forward", "source", "a readable kernel and initrd")
    w.wait_step(3)
    w.pick_generic_os()
    w.press("Forward", "os", "an OS chosen from the list")
    w.wait_step(4)
    w.press("Forward", "resources", "memory and CPUs")
    w.wait_step(5)
    w.wait_label("storage", r"free of .* in “default”", 10, "the builtin pool's free space")
    w.press("Forward", "storage", "a disk that fits")
    w.wait_step(6)
    w.type_into("name", "Name", KERNEL)
    w.press("Finish", "name", "a valid name")
    V.vm_row(s, KERNEL, "Running", 120, root=win)
    wizard_closed(s)

    args = qemu_args(s)

    def after(flag):
        return args[args.index(flag) + 1] if flag in args and args.index(flag) + 1 < len(args) else None
    if after("-kernel") != kernel or after("-initrd") != initrd or after("-append") != CMDLINE:
        raise V.HarnessError("QEMU does not boot the kernel, initrd and command line given: %r" % args)
    made = glob.glob(os.path.join(images, "*"))
    if len(made) != 1:
        raise V.HarnessError("expected the one disk the wizard made, found %r" % made)
    V.log("QEMU boots the given kernel; its disk:", made[0])

    force_off_and_delete(s, win, KERNEL)
    s.wait_for(lambda: not glob.glob(os.path.join(images, "*")) and not glob.glob(os.path.join(defs, "*")),
               10, what="no disk and no definition left (%r, %r)"
               % (glob.glob(os.path.join(images, "*")), glob.glob(os.path.join(defs, "*"))))
    for f in (kernel, initrd):
        if not os.path.isfile(f):
            raise V.HarnessError("deleting the VM removed the user's %s" % f)
    V.log("deleted with its disk; the kernel and initrd are still there")


def test_builtin_import_kernel(s):
    V.require_program("qemu-system-x86_64", "qemu-system-x86")
    images = os.path.join(s.env["XDG_DATA_HOME"], "vireo", "images")
    defs = os.path.join(s.env["XDG_CONFIG_HOME"], "vireo", "builtin")
    win = launch(s)
    import_disk(s, win, images, defs)
    kernel_boot(s, win, images, defs)


if __name__ == "__main__":
    V.run_test(test_builtin_import_kernel)
