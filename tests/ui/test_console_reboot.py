#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The console window follows a libvirt guest through reboots and restarts,
by itself: run by tests/e2e/libvirtd-qemu.sh (a private libvirtd, real QEMU
under TCG, VIREO_TEST_URI), or libvirtd-ssh-netns.sh (the same over
qemu+ssh://).

A GRUB guest is shown in the console window (`vireo --show-domain-console`).
What the window shows on screen is compared with `virsh screenshot`, scaled
to the display's place in the window, after each of:
  1. a reboot from inside the guest: GRUB's `reboot` command, typed into the
     console window with real key events;
  2. a reset from outside (`virsh reset`);
  3. a restart from outside (`virsh destroy`: the window says the VM is not
     running; `virsh start`: the display comes back without a click);
  4. the same restart in one go (destroy and start back to back).
Before 1 and 2, GRUB is taken from its menu to its command line, so the
screen after the reboot (the menu again) differs from the one before."""
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402
from test_console import shows, display  # noqa: E402

GRUB_ISO = "/usr/lib/grub-rescue/grub-rescue-cdrom.iso"
NAME = "vireo-e2e-reboot"
# Mean absolute difference per channel (0-255) between the window's picture
# and libvirt's screenshot, both trimmed and reduced to SMALL: the same
# screen is 3 (GRUB's menu) to 6 (its sparse command line, text scaled by
# two filters); GRUB's menu against its command line is over 25.
MAX_DIFF = 10.0
SMALL = (180, 100)


def uri():
    u = os.environ.get("VIREO_TEST_URI")
    if not u:
        raise V.HarnessError("VIREO_TEST_URI is unset: run through tests/e2e/libvirtd-qemu.sh")
    return u


def virsh(*args, check=True):
    r = subprocess.run(["virsh", "-q", "-c", uri(), *args], capture_output=True, text=True,
                       timeout=120)
    if check and r.returncode != 0:
        raise V.HarnessError("virsh %s failed: %s%s" % (" ".join(args), r.stdout, r.stderr))
    return r.stdout


def rgb(path, crop=None):
    """The picture at path (cropped to (x, y, w, h)), trimmed of the black
    around it and reduced to SMALL, as bytes of RGB triplets (ImageMagick
    does the image work). Trimming makes the comparison independent of the
    exact place and scale of the guest's picture in the window."""
    args = ["convert", path]
    if crop:
        args += ["-crop", "%dx%d+%d+%d" % (crop[2], crop[3], crop[0], crop[1]), "+repage"]
    args += ["-fuzz", "10%", "-trim", "+repage", "-resize", "%dx%d!" % SMALL, "-depth", "8", "rgb:-"]
    out = subprocess.run(args, capture_output=True, timeout=60, check=True).stdout
    if len(out) != SMALL[0] * SMALL[1] * 3:
        raise V.HarnessError("convert gave %d bytes for %s" % (len(out), path))
    return out


def size_of(path):
    out = subprocess.run(["identify", "-format", "%w %h", path], capture_output=True,
                         text=True, timeout=30, check=True).stdout.split()
    return int(out[0]), int(out[1])


def mean_diff(a, b):
    return sum(abs(x - y) for x, y in zip(a, b)) / len(a)


class Screens:
    def __init__(self, s, win):
        self.s = s
        self.win = win
        self.tmp = tempfile.mkdtemp(prefix="shots-", dir=s.tmp)
        self.n = 0

    def path(self, what):
        self.n += 1
        return os.path.join(self.tmp, "%02d-%s.png" % (self.n, what))

    def guest(self):
        p = self.path("virsh")
        virsh("screenshot", NAME, p)
        return p

    def display_area(self):
        """The display widget's area on the screen."""
        e = self.s.find("image", "Virtual machine display", 10, root=self.win) \
            .get_extents(V.Atspi.CoordType.WINDOW)
        ox, oy = self.s._toplevel_origin(self.win)
        return ox + e.x, oy + e.y, e.width, e.height

    def compare(self):
        """Mean difference between the window's picture and the guest's."""
        theirs = self.guest()
        x, y, w, h = self.display_area()
        # Inside the display's area (its edges may touch the window's
        # border), below the keyboard grab hint at its top; the picture is
        # fitted in it with black around.
        crop = (x + 8, y + 32, w - 16, h - 40)
        ours = self.s.screenshot(self.path("screen"))
        diff = mean_diff(rgb(ours, crop), rgb(theirs))
        if os.environ.get("VIREO_UI_DEBUG"):
            V.log("display area %r: difference %.2f" % ((x, y, w, h), diff))
        return diff, theirs

    def wait_match(self, what, timeout=40):
        end = time.monotonic() + timeout
        diff = None
        while time.monotonic() < end:
            self.s.check_alive()
            if "Showing the display of" in (self.win.get_description() or ""):
                diff, theirs = self.compare()
                if diff < MAX_DIFF:
                    V.log("%s: the window shows the guest's screen (difference %.2f)" % (what, diff))
                    return theirs
            time.sleep(0.5)
        raise V.HarnessError("%s: the console window does not show the guest's screen "
                             "(difference %s; it says %r; shots in %s)"
                             % (what, diff, self.win.get_description(), self.tmp))


def grub_menu(path):
    """GRUB's menu highlights its first entry with a light bar across row
    71 of its 720x400 text screen."""
    if size_of(path) != (720, 400):
        return False
    out = subprocess.run(["convert", path, "-crop", "200x1+400+71", "+repage", "-depth", "8",
                          "rgb:-"], capture_output=True, timeout=30, check=True).stdout
    return sum(out) / len(out) > 100


def wait_grub_menu(screens, timeout=60, fail=True):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if grub_menu(screens.guest()):
            return True
        time.sleep(0.5)
    if fail:
        raise V.HarnessError("GRUB's menu did not come up within %d s" % timeout)
    return False


def type_keys(s, win, *keys):
    """Real key events into the console window's display, which a click
    focuses (and grabs the keyboard for, as a user would)."""
    if not getattr(type_keys, "focused", False):
        title = V.Session.name_of(win)
        s.xdotool("search", "--sync", "--name", "^%s$" % re.escape(title), "windowfocus", "--sync")
        s.mouse_click(s.find("image", "Virtual machine display", 10, root=win))
        time.sleep(0.3)
        type_keys.focused = True
    for k in keys:
        s.xdotool("key", "--delay", "80", k)
        time.sleep(0.1)


def grub_command_line(s, win, screens):
    """From GRUB's menu to its command line, with keys typed into the window
    (Esc stops the countdown; 'c' opens the command line)."""
    for _ in range(15):
        type_keys(s, win, "Escape")
        time.sleep(0.5)
        if grub_menu(screens.guest()):
            type_keys(s, win, "c")
            for _ in range(10):
                time.sleep(0.5)
                if not grub_menu(screens.guest()):
                    return
    raise V.HarnessError("could not reach GRUB's command line with keys typed into the window")


def start_console(s, graphics):
    V.require_file(GRUB_ISO, "grub-rescue-pc")
    V.require_program("virsh", "libvirt-clients")
    V.require_program("convert", "imagemagick")
    xml = os.path.join(s.tmp, NAME + ".xml")
    with open(xml, "w") as f:
        f.write("""<domain type='qemu'><name>%s</name><memory unit='MiB'>96</memory>
<vcpu>1</vcpu><os><type arch='x86_64'>hvm</type><boot dev='cdrom'/></os>
<devices><disk type='file' device='cdrom'><source file='%s'/>
<target dev='hdc' bus='ide'/><readonly/></disk>
%s</devices></domain>""" % (NAME, GRUB_ISO, graphics))
    virsh("destroy", NAME, check=False)
    virsh("undefine", NAME, check=False)
    virsh("define", xml)
    s.cleanups.append(lambda: (virsh("destroy", NAME, check=False),
                               virsh("undefine", NAME, check=False)))
    virsh("start", NAME)

    s.launch_vireo("--no-remembered", "--connect", uri(), "--show-domain-console", NAME)
    win = s.window(re.compile("^%s on " % re.escape(NAME)), 30)
    display(s, win, 60)
    screens = Screens(s, win)
    wait_grub_menu(screens)
    screens.wait_match("first connection")
    return win, screens


def test_console_reboot(s):
    win, screens = start_console(s, "<graphics type='vnc' autoport='yes' listen='127.0.0.1'/>")

    # 1. The guest reboots itself: GRUB's "reboot", typed into the window.
    grub_command_line(s, win, screens)
    screens.wait_match("GRUB's command line")
    # A guest slowed down by a busy machine may drop keys (QEMU's PS/2
    # queue is short): Ctrl+U erases the line, and the command is typed
    # again if GRUB's menu does not come back.
    for attempt in range(3):
        type_keys(s, win, "ctrl+u", *"reboot", "Return")
        if wait_grub_menu(screens, 30, fail=attempt == 2):
            break
        V.log("no reboot yet: typing the command again")
    screens.wait_match("after the guest rebooted itself")

    # 2. Reset from outside.
    grub_command_line(s, win, screens)
    screens.wait_match("GRUB's command line, again")
    virsh("reset", NAME)
    wait_grub_menu(screens)
    screens.wait_match("after virsh reset")

    # 3. Restart from outside: off, then on; the window follows both.
    virsh("destroy", NAME)
    shows(s, win, "is not running", 30)
    virsh("start", NAME)
    display(s, win, 60)
    wait_grub_menu(screens)
    screens.wait_match("after virsh destroy and start")

    # 4. A quick restart: off and on again in one go, before the window can
    # have shown the VM as off; it gets its display back all the same.
    subprocess.run(["sh", "-c", 'virsh -q -c "$1" destroy "$2" && virsh -q -c "$1" start "$2"',
                    "sh", uri(), NAME], check=True, capture_output=True, timeout=120)
    wait_grub_menu(screens)
    screens.wait_match("after a quick restart")


def test_console_reboot_spice(s):
    """The same with SPICE (one socket per channel, all opened again): a
    reset from outside and a quick restart."""
    win, screens = start_console(s, "<graphics type='spice' autoport='yes' listen='127.0.0.1'/>"
                                    "<video><model type='qxl'/></video>")
    grub_command_line(s, win, screens)
    screens.wait_match("SPICE: GRUB's command line")
    virsh("reset", NAME)
    wait_grub_menu(screens)
    screens.wait_match("SPICE: after virsh reset")
    subprocess.run(["sh", "-c", 'virsh -q -c "$1" destroy "$2" && virsh -q -c "$1" start "$2"',
                    "sh", uri(), NAME], check=True, capture_output=True, timeout=120)
    wait_grub_menu(screens)
    screens.wait_match("SPICE: after a quick restart")


if __name__ == "__main__":
    V.run_test(test_console_reboot_spice if sys.argv[1:] == ["spice"] else test_console_reboot)
