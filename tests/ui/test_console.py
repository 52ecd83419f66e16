#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The console window on the builtin backend with a real QEMU guest (TCG):
`vireo --show-domain-console NAME` opens it on GRUB's screen; it follows the
VM (Force Off from the window shows "Not Running"; Run brings the display
back by itself); Ctrl+Alt+Del is offered in the Send Key menu; the VM is
also opened from the manager's "Open Console"."""
import os
import re
import subprocess
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402
from test_lifecycle import confirm  # noqa: E402

GRUB_ISO = "/usr/lib/grub-rescue/grub-rescue-cdrom.iso"
NAME = "console-grub"


def vireoctl(s, *args):
    exe = os.path.join(V.build_root(), "src", "cli", "vireoctl")
    r = subprocess.run([exe, "--connect", "builtin:///session", *args], env=s.env,
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise V.HarnessError("vireoctl %s failed: %s%s" % (" ".join(args), r.stdout, r.stderr))
    return r.stdout


def define_vm(s, name=NAME, graphics="vnc", extra=""):
    """One definition file in the builtin backend's folder, the format it
    keeps (libvirt domain XML named by UUID)."""
    V.require_file(GRUB_ISO, "grub-rescue-pc")
    V.require_program("qemu-system-x86_64", "qemu-system-x86")
    folder = os.path.join(s.env["XDG_CONFIG_HOME"], "vireo", "builtin")
    os.makedirs(folder, exist_ok=True)
    u = str(uuid.uuid4())
    with open(os.path.join(folder, u + ".xml"), "w") as f:
        f.write("""<domain type='qemu'><name>%s</name><uuid>%s</uuid>
<memory unit='MiB'>96</memory><vcpu>1</vcpu>
<os><type arch='x86_64'>hvm</type><boot dev='cdrom'/></os>
<devices><disk type='file' device='cdrom'><source file='%s'/><target dev='sda' bus='sata'/></disk>
<graphics type='%s'/><input type='tablet' bus='usb'/><serial type='pty'/>%s</devices></domain>"""
                % (name, u, GRUB_ISO, graphics, extra))


def shows(s, win, what, timeout=30):
    """The console window says what it shows in its accessible description
    (GTK 4.8 does not announce pages that become visible later)."""
    return s.wait_for(lambda: what in (win.get_description() or ""), timeout,
                      what="the console window to show %r (it says %r)"
                      % (what, win.get_description()))


def display(s, win, timeout=30):
    shows(s, win, "Showing the display of", timeout)


def test_console(s):
    define_vm(s)
    vireoctl(s, "start", NAME)
    s.cleanups.append(lambda: subprocess.run(
        [os.path.join(V.build_root(), "src", "cli", "vireoctl"), "--connect", "builtin:///session",
         "destroy", NAME], env=s.env, capture_output=True, timeout=60))

    s.launch_vireo("--no-remembered", "--connect", "builtin:///session",
                   "--show-domain-console", NAME)
    win = s.window(NAME + " on This computer (QEMU)", 30)
    display(s, win, 40)
    s.screenshot(os.path.join(s.tmp, "console-grub.png"))
    # The display has the keyboard focus: what is typed goes to the guest.
    shown = s.find(None, "Virtual machine display", 10, root=win)
    s.wait_for(lambda: "focused" in s.states(shown), 10,
               what="the display to have the keyboard focus (states %r)" % sorted(s.states(shown)))

    # Send Key offers the combinations a desktop would swallow.
    s.click(s.find(None, "Send Key", 10, root=win))
    s.find(None, "Ctrl+Alt+Del", 10)
    s.key("Escape")

    # It follows the VM: forced off from here, "Not Running" with a Run button.
    s.click(s.find(None, "Shut Down", 10, root=win))
    rx = re.compile(r"^Force Off$")
    s.click(s.find(lambda r: r in ("menu item", "push button"), rx, 10))
    confirm(s, "Force Off")
    shows(s, win, "is not running", 30)

    # Run from the window: the display comes back without asking.
    s.click(s.wait_for(lambda: [b for b in s.find_all("push button", "Run", root=win)
                                if s.is_sensitive(b)], 10,
                       what="a sensitive Run button")[0])
    display(s, win, 60)
    s.screenshot(os.path.join(s.tmp, "console-after-run.png"))
    V.log("the console came back after Run")

    # The serial console, from the View menu, and back.
    s.click(s.find(None, "View", 10, root=win))
    s.click(s.find(lambda r: r in ("menu item", "radio menu item", "check menu item", "push button"),
                   re.compile(r"^Serial Console$"), 10))
    shows(s, win, "Showing the serial console of", 30)
    s.click(s.find(None, "View", 10, root=win))
    s.click(s.find(lambda r: r in ("menu item", "radio menu item", "check menu item", "push button"),
                   re.compile(r"^Graphical Console$"), 10))
    display(s, win, 30)


def test_spice(s):
    """A VM with SPICE graphics is shown by the SPICE widget. Its USB
    redirection ports take a disc image of this computer, shared as a USB
    CD drive from View → USB Devices… → Share a Disc Image… (GTK's file
    chooser, the path typed)."""
    define_vm(s, "console-spice", "spice",
              "<redirdev bus='usb' type='spicevmc'/><redirdev bus='usb' type='spicevmc'/>")
    vireoctl(s, "start", "console-spice")
    s.cleanups.append(lambda: subprocess.run(
        [os.path.join(V.build_root(), "src", "cli", "vireoctl"), "--connect", "builtin:///session",
         "destroy", "console-spice"], env=s.env, capture_output=True, timeout=60))
    s.launch_vireo("--no-remembered", "--connect", "builtin:///session",
                   "--show-domain-console", "console-spice")
    win = s.window("console-spice on This computer (QEMU)", 30)
    display(s, win, 60)
    s.screenshot(os.path.join(s.tmp, "console-spice.png"))

    s.click(s.find(None, "View", 10, root=win))
    s.click(s.find(lambda r: r in ("menu item", "push button"), re.compile(r"^USB Devices…$"), 10))
    dialog = s.window(re.compile(r"^USB Devices for “console-spice”"), 15)
    s.find(None, "No USB devices found on this computer", 10, root=dialog)
    s.click(s.find("push button", "Share a Disc Image…", 10, root=dialog))
    chooser = s.window("Share a Disc Image", 15)
    # Typing a path opens the chooser's location entry.
    s.key("ctrl+l")
    s.type_text(s.find("text", None, 10, root=chooser), GRUB_ISO, replace=True)
    s.key("Return")
    row_switch = s.find(None, "Redirect Disc image “grub-rescue-cdrom.iso” (USB CD drive) "
                        "to the virtual machine", 20, root=dialog)
    s.click(row_switch, mouse=True)
    # The switch says what the redirection came to once it has finished; a
    # failure turns it back off and the dialog says why.
    try:
        s.wait_for(lambda: row_switch.get_description() == "Redirected to the virtual machine", 30)
    except V.HarnessError:
        said = [s.name_of(a) for a in s.find_all("label", None, root=dialog)]
        raise V.HarnessError("the disc image was not redirected (the switch says %r, %r); "
                             "the dialog says %r" % (row_switch.get_description(),
                                                     sorted(s.states(row_switch)), said))
    if "checked" not in s.states(row_switch):
        raise V.HarnessError("the switch says redirected but is off")
    V.log("the disc image is redirected to the guest's USB port")



if __name__ == "__main__":
    V.run_test(test_console)
