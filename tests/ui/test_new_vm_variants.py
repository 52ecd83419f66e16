#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The New VM wizard's other choices on the test driver (its capabilities
offer Xen PV and HVM guests), each checked in the configuration shown by
"Customize configuration before install" and then created:
1. A paravirtualized (Xen PV) guest from a Debian tree over HTTP, on a host
   bridge: OS type xen, the tree's Xen kernel booted directly, the bridge;
   no choice of display is offered (PV is VNC).
3. (after 2) An unattended install from the same tree: a user name the
   installer refuses is flagged where it is typed and holds Finish back;
   with good answers the summary says so and the VM is made (what the
   installer's initrd then carries is checked by test-installer).
2. A manual kernel boot (kernel, initrd and command line from files here)
   with macvtap on a host device and a SPICE display (its agent channel and
   USB redirection ports in the XML): the summary names the kernel its install
   phase boots; the final configuration boots from the disk and has a
   direct interface in bridge mode (the install phase's XML is checked by
   the golden files of test-install-plan)."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402
from test_new_vm import finish_and_wait, first, open_wizard, serve_tree  # noqa: E402


def choose_network(s, w, label):
    choose_item(s, w.page("name"), "Network", label)


def choose_item(s, root, combo, label):
    """Picks `label` in the drop-down named `combo`: opened with the pointer,
    the item reached with the keyboard (GTK 4.8 gives the popover's items
    extents relative to the popover, so they cannot be clicked)."""
    dd = first(s, root, "combo box", combo, 5)
    s.mouse_click(dd)
    lst = s.wait_for(lambda: next((a for a, _ in s.iter_tree(dd) if s.role_name(a) == "list"), None),
                     10, what="the %s drop-down's list" % combo)

    def items():
        return [next((s.name_of(b) for b, _ in s.iter_tree(a) if s.role_name(b) == "label"), "")
                for a, _ in s.iter_tree(lst) if s.role_name(a) == "list item"]
    names = s.wait_for(lambda: (lambda n: n if label in n else None)(items()), 10,
                       what="the item %r in the open %s list (it has %r)" % (label, combo, items()))
    s.key("Home")
    for _ in range(names.index(label)):
        s.key("Down")
    s.key("Return")
    button = first(s, dd, "push button", None, 5)
    s.wait_for(lambda: any(s.role_name(a) == "label" and s.name_of(a) == label
                           for a, _ in s.iter_tree(button)), 10,
               what="the %s drop-down to show %r" % (combo, label))


def device_field_ready(s, w):
    entry_name = re.compile(r"^(Bridge device|Host network device)$")
    s.wait_for(lambda: s.is_sensitive(first(s, w.page("name"), "entry", entry_name)), 10,
               what="the device field to take input")


def customized_xml(s, w, name):
    w.choose("name", r"^Customize configuration")
    w.press("Forward", "name", "customize before install")
    w.wait_step(7)
    view = first(s, w.page("customize"), "entry", "Configuration XML")
    return s.wait_for(lambda: (lambda t: t if t and "<name>%s</name>" % name in t else None)(s.text_of(view)),
                      30, what="the final XML of %s" % name)


def expect_in(xml, what, patterns):
    for p in patterns:
        if not re.search(p, xml):
            raise V.HarnessError("%s: /%s/ is not in the configuration:\n%s" % (what, p, xml))


def test_new_vm_variants(s):
    xml = V.node_fixture()
    tree = os.path.join(V.source_root(), "tests", "install", "trees", "debian-bookworm")
    V.require_file(tree, "the fixture tree tests/install/trees/debian-bookworm")
    url = serve_tree(s, tree)
    win = V.launch_vireo_with(s, V.test_uri(xml))
    V.connection_row(s, V.CONNECTED, 15)
    V.vm_row(s, "web-1", "Running", 15, root=win)

    # 1. Xen PV from a tree, on a bridge ---------------------------------------
    w = open_wizard(s, win)
    w.choose("method", r"^Paravirtualized")
    w.choose("method", r"^Network install")
    w.press("Forward", "method", "PV from a network tree")
    w.wait_step(2)
    w.type_into("source", "URL", url)
    V.log("tree:", w.wait_label("source", r"^Found: ", 60, "the tree to be detected"))
    w.press("Forward", "source", "a tree with a Xen kernel")
    w.wait_step(3)
    w.wait_label("os", r"^Detected: ", 60, "the OS identified from the tree")
    w.press("Forward", "os", "the detected OS")
    w.wait_step(4)
    w.press("Forward", "resources", "memory and CPUs")
    w.wait_step(5)
    w.press("Forward", "storage", "a disk that fits")
    w.wait_step(6)
    w.type_into("name", "Name", "wizard-pv")
    choose_network(s, w, "Bridge device")
    device_field_ready(s, w)
    w.type_into("name", "Bridge device", "xenbr0")
    # A PV guest's display is VNC: the choice is not offered.
    shown = [a for a in s.find_all(None, "Display", root=w.page("name"), showing=True)
             if s.role_name(a) != "label"]
    if shown:
        raise V.HarnessError("a PV VM is offered a choice of display: %r" % [s.role_name(a) for a in shown])
    text = customized_xml(s, w, "wizard-pv")
    expect_in(text, "PV on a bridge", [r"<type[^>]*>xen</type>", r'<interface type="bridge">',
                                       r'<source bridge="xenbr0"/>'])
    V.log("PV configuration: OS type xen, bridge xenbr0")
    finish_and_wait(s, w, win, "wizard-pv", page="customize")

    # 2. Manual kernel boot with macvtap ----------------------------------------
    kernel = os.path.join(s.tmp, "boot", "vmlinuz")
    initrd = os.path.join(s.tmp, "boot", "initrd.img")
    os.makedirs(os.path.dirname(kernel))
    for f in (kernel, initrd):
        with open(f, "w") as out:
            out.write("not really a kernel\n")
    w = open_wizard(s, win)
    hvm = first(s, w.page("method"), "check box", re.compile(r"^Fully virtualized"), 5)
    if "checked" not in s.states(hvm):
        w.choose("method", r"^Fully virtualized")
    w.choose("method", r"^Manual kernel boot")
    w.press("Forward", "method", "the kernel method")
    w.wait_step(2)
    w.type_into("source", "Kernel", kernel)
    w.type_into("source", "Initrd", initrd)
    w.type_into("source", "Kernel command line", "console=ttyS0 quiet")
    w.press("Forward", "source", "a readable kernel and initrd")
    w.wait_step(3)
    w.pick_generic_os()
    w.press("Forward", "os", "an OS chosen from the list")
    w.wait_step(4)
    w.press("Forward", "resources", "memory and CPUs")
    w.wait_step(5)
    w.press("Forward", "storage", "a disk that fits")
    w.wait_step(6)
    w.type_into("name", "Name", "wizard-kernel")
    choose_network(s, w, "Macvtap on a host device")
    device_field_ready(s, w)
    w.type_into("name", "Host network device", "eth0")
    choose_item(s, w.page("name"), "Display", "SPICE")
    V.log("summary:", w.wait_label("name", r"(?m)^Display: SPICE$", 10, "the summary naming SPICE"))
    # The kernel boots the install phase (the summary says which); the
    # configuration shown is the final one, which boots from the disk.
    V.log("summary:", w.wait_label("name", r"(?m)^Install: Booting the kernel %s$" % re.escape(kernel), 10,
                                   "the summary naming the kernel"))
    text = customized_xml(s, w, "wizard-kernel")
    expect_in(text, "kernel boot with macvtap and SPICE",
              [r'<boot dev="hd"/>', r'<interface type="direct">', r'<source dev="eth0" mode="bridge"/>',
               r'<graphics type="spice" autoport="yes"/>', r'<target type="virtio" name="com.redhat.spice.0"/>',
               r'(?s)<redirdev bus="usb" type="spicevmc"/>.*<redirdev bus="usb" type="spicevmc"/>'])
    if 'type="vnc"' in text:
        raise V.HarnessError("SPICE was chosen, but the configuration has VNC:\n" + text)
    if "<kernel>" in text:
        raise V.HarnessError("the final configuration still boots the install kernel:\n" + text)
    V.log("final configuration: boots from disk; macvtap on eth0; SPICE")
    finish_and_wait(s, w, win, "wizard-kernel", page="customize")

    # 3. Unattended from the tree --------------------------------------------------
    w = open_wizard(s, win)
    hvm = first(s, w.page("method"), "check box", re.compile(r"^Fully virtualized"), 5)
    if "checked" not in s.states(hvm):
        w.choose("method", r"^Fully virtualized")
    w.choose("method", r"^Network install")
    w.press("Forward", "method", "a network tree")
    w.wait_step(2)
    w.type_into("source", "URL", url)
    w.wait_label("source", r"^Found: ", 60, "the tree to be detected")
    w.press("Forward", "source", "a detected tree")
    w.wait_step(3)
    w.wait_label("os", r"^Detected: ", 60, "the OS identified from the tree")
    w.press("Forward", "os", "the detected OS")
    w.wait_step(4)
    w.press("Forward", "resources", "memory and CPUs")
    w.wait_step(5)
    w.press("Forward", "storage", "a disk that fits")
    w.wait_step(6)
    w.type_into("name", "Name", "wizard-unattended")
    w.choose("name", r"^Install without questions")
    w.type_into("name", "User name", "Bad User")
    V.log("bad user:", w.wait_label("name", r"is not a user name the installer accepts", 10,
                                    "the refusal of a user name with a space and a capital"))
    if w.sensitive("Finish"):
        raise V.HarnessError("Finish is sensitive with a user name the installer refuses")
    w.type_into("name", "User name", "alice")
    s.type_text(first(s, w.page("name"), "entry", "Password"), "s3cret")
    w.type_into("name", "Time zone", "Europe/Paris")
    w.type_into("name", "Host name", "web1")
    V.log("summary:", w.wait_label("name", r"(?m)^Unattended: as alice$", 10, "the summary's unattended line"))
    finish_and_wait(s, w, win, "wizard-unattended")


if __name__ == "__main__":
    V.run_test(test_new_vm_variants)
