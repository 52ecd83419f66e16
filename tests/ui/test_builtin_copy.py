#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
""""Copy to Another Host…" in the manager, between the builtin backend and a
private libvirtd with the QEMU driver (run through tests/e2e/libvirtd-qemu.sh,
VIREO_TEST_URI): a shut-off builtin VM whose disk holds known data is copied
to libvirt (defined there, its disk copied into the "default" pool with the
data; the original unchanged); a running VM cannot be copied (the item is
off); copying again is refused with the reason (the name is taken there) and
nothing more is made; the libvirt copy is copied back into the builtin
backend under the same rules (its name is taken: refused)."""
import os
import re
import subprocess
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402
from test_console_reboot import uri, virsh  # noqa: E402
from test_lifecycle import header_button, more_action  # noqa: E402

GRUB_ISO = "/usr/lib/grub-rescue/grub-rescue-cdrom.iso"
VM = "copy-ui"
ITEM = "Copy to Another Host…"
BUILTIN = "This computer (QEMU)"


def has_pattern(path):
    r = subprocess.run(["qemu-io", "-f", "qcow2", "-r", "-U", "-c", "read -P 0x5a 0 64k", path],
                       capture_output=True, text=True, timeout=60)
    return "read 65536/65536" in r.stdout and "Pattern verification failed" not in r.stdout


def define_builtin_vm(s):
    images = os.path.join(s.env["XDG_DATA_HOME"], "vireo", "images")
    defs = os.path.join(s.env["XDG_CONFIG_HOME"], "vireo", "builtin")
    os.makedirs(images, exist_ok=True)
    os.makedirs(defs, exist_ok=True)
    disk = os.path.join(images, VM + ".qcow2")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "64M"], check=True, timeout=60)
    subprocess.run(["qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 64k", disk], check=True,
                   capture_output=True, timeout=60)
    u = str(uuid.uuid4())
    with open(os.path.join(defs, u + ".xml"), "w") as f:
        f.write("""<domain type='qemu'><name>%s</name><uuid>%s</uuid>
<memory unit='MiB'>96</memory><vcpu>1</vcpu>
<os><type arch='x86_64'>hvm</type><boot dev='cdrom'/></os>
<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='%s'/>
<target dev='vda' bus='virtio'/></disk>
<disk type='file' device='cdrom'><source file='%s'/><target dev='sda' bus='sata'/><readonly/></disk>
<graphics type='vnc'/></devices></domain>""" % (VM, u, disk, GRUB_ISO))
    return disk


def open_copy_dialog(s, win):
    more_action(s, win, ITEM)
    return s.wait_for(lambda: next((w for w in s.windows()
                                    if re.search(r"^Copy “%s” to Another Host$" % VM, s.name_of(w))
                                    or s.find_all(None, re.compile(r"^Copy “%s” to Another Host" % VM),
                                                  root=w)), None),
                      10, what="the copy dialog")


def press(s, dlg, name):
    s.click(s.find("button", name, 5, root=dlg))


def error_dialog(s, rx):
    return s.wait_for(lambda: next((w for w in s.windows()
                                    if s.find_all(None, rx, root=w)), None),
                      30, what="an error dialog matching %r" % rx.pattern)


def test_builtin_copy(s):
    for prog in ("qemu-img", "qemu-io", "virsh"):
        V.require_program(prog, "qemu-utils / libvirt-clients")
    V.require_file(GRUB_ISO, "grub-rescue-pc")
    disk = define_builtin_vm(s)
    pool = os.path.join(s.tmp, "pool")
    os.makedirs(pool)
    virsh("pool-create-as", "default", "dir", "--target", pool)
    s.cleanups.append(lambda: virsh("pool-destroy", "default", check=False))
    s.cleanups.append(lambda: virsh("undefine", VM, check=False))

    s.launch_vireo("--no-remembered", "--connect", "builtin:///session", "--connect", uri())
    win = s.window("Vireo", 30)
    V.connection_row(s, V.CONNECTED, 20, display_re=re.escape(BUILTIN))
    V.connection_row(s, V.CONNECTED, 20, display_re=r"(?!%s).+" % re.escape(BUILTIN))

    # builtin → libvirt ------------------------------------------------------
    s.select_row(V.row_label(VM, "Shut off"), 15, root=win)
    dlg = open_copy_dialog(s, win)
    dd = s.find(None, "Copy to", 5, root=dlg)
    V.log("copy targets offered:", s.name_of(dd), [s.name_of(c) for c, _ in s.iter_tree(dd, 3)][:6])
    press(s, dlg, "Copy")
    V.log("toast:", s.name_of(s.find(None, re.compile(r"^“%s” was copied to " % VM), 60, root=win)))
    s.wait_for(lambda: len([1 for n in s.find_all(None, V.row_label(VM, "Shut off"), root=win)]) == 2,
               20, what="a second %r row (the copy on libvirt)" % VM)
    blk = virsh("domblklist", VM, "--details")
    copy = next((ln.split()[3] for ln in blk.splitlines() if ln.split()[1:2] == ["disk"]), None)
    if copy is None or not copy.startswith(pool + "/"):
        raise V.HarnessError("the copy's disk is not in the default pool: %r" % blk)
    if not has_pattern(copy):
        raise V.HarnessError("the copied disk %s lacks the original's data" % copy)
    if not has_pattern(disk):
        raise V.HarnessError("the original disk %s changed" % disk)
    V.log("copied to libvirt: disk %s holds the data" % copy)

    # Copying again: the name is taken there, refused with the reason -------
    s.select_row(V.row_label(VM, "Shut off"), 10, root=win)
    dlg = open_copy_dialog(s, win)
    press(s, dlg, "Copy")
    err = error_dialog(s, re.compile(r"already has a VM “%s”" % VM))
    V.log("copy again:", [s.name_of(a) for a, _ in s.iter_tree(err, 6) if s.name_of(a)][:4])
    press(s, err, "Close")
    s.wait_for(lambda: err.path not in [w.path for w in s.windows()], 10,
               what="the error dialog to close")
    if len(os.listdir(pool)) != 1:
        raise V.HarnessError("a refused copy left files in the pool: %r" % os.listdir(pool))

    # libvirt → builtin: the same rules the other way (its name is taken) ---
    rows = s.find_all(None, V.row_label(VM, "Shut off"), root=win)
    if len(rows) != 2:
        raise V.HarnessError("expected the original and the copy listed, found %d rows" % len(rows))
    s.mouse_click(s.row_of(rows[1]))
    s.wait_for(lambda: s.is_selected(s.find_all(None, V.row_label(VM, "Shut off"), root=win)[1]),
               5, what="the libvirt copy's row to become selected")
    dlg = open_copy_dialog(s, win)
    V.log("offered for the libvirt copy:",
          [s.name_of(c) for c, _ in s.iter_tree(s.find(None, "Copy to", 5, root=dlg), 4)
           if BUILTIN in s.name_of(c)][:1])
    press(s, dlg, "Copy")
    err = error_dialog(s, re.compile(r"^%s already has a VM “%s”" % (re.escape(BUILTIN), VM)))
    press(s, err, "Close")
    s.wait_for(lambda: err.path not in [w.path for w in s.windows()], 10,
               what="the error dialog to close")
    defs = os.path.join(s.env["XDG_CONFIG_HOME"], "vireo", "builtin")
    if len(os.listdir(defs)) != 1:
        raise V.HarnessError("a refused copy left a definition: %r" % os.listdir(defs))

    # A running VM: the item is off -----------------------------------------
    s.select_row(V.row_label(VM, "Shut off"), 10, root=win)
    s.click(header_button(s, win, "Run"))
    V.vm_row(s, VM, "Running", 30, root=win)
    s.select_row(V.row_label(VM, "Running"), 10, root=win)
    s.click(s.find(None, "More Actions", 10, root=win))
    item = s.find(lambda r: r in ("menu item", "push button"), re.compile("^%s$" % re.escape(ITEM)), 10)
    if s.is_sensitive(item):
        raise V.HarnessError("%r is offered for a running VM" % ITEM)
    s.key("Escape")
    V.log("a running VM cannot be copied")


if __name__ == "__main__":
    V.run_test(test_builtin_copy)
