#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The New VM wizard on the libvirt test driver, driven through AT-SPI.

1. From an ISO (grub-rescue-pc's): PV is refused for an ISO on the first
   page, a missing ISO where it is typed; the OS page says what detection found,
   a name already taken ("web-1") is refused where it is typed (an error
   line under the Name field, Finish off), another name creates the VM.
2. From a URL: the Debian tree of tests/install/trees served over HTTP on
   127.0.0.1 is detected in the background ("Found: Debian …"), the OS page
   shows the fallback libosinfo needed (its database predates Debian 12).
Both new VMs then appear in the manager's list."""
import os
import re
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402

GRUB_ISO = "/usr/lib/grub-rescue/grub-rescue-cdrom.iso"
WIZARD = "New Virtual Machine"


def serve_tree(s, tree):
    """python3 -m http.server on a free port of 127.0.0.1 (stopped at close)."""
    port = V.free_port()
    s._spawn("http", ["/usr/bin/python3", "-m", "http.server", "--bind", "127.0.0.1",
                      "--directory", tree, str(port)])
    url = "http://127.0.0.1:%d/" % port
    end = time.monotonic() + 15
    while True:
        try:
            urllib.request.urlopen(url + "dists/bookworm/Release", timeout=2).read()
            return url
        except OSError:
            if time.monotonic() > end:
                raise V.HarnessError("the HTTP server for %s did not come up" % tree)
            time.sleep(0.2)


def first(s, root, role, name, timeout=10):
    """The first accessible under root (depth first) with this role and name:
    unlike Session.find, it stops at the first match."""
    def look():
        for a, _ in s.iter_tree(root, prune=skip(s)):
            if s._role_match(a, role) and s._match(s.name_of(a), name):
                return a
        return None
    found = s.wait_for(look, timeout, what=None)
    if found is None:
        raise V.HarnessError("no %r named %r within %s s:\n%s" % (role, name, timeout, s.dump(root, 12)))
    return found


def skip(s):
    """Subtrees never worth walking: the OS list (hundreds of rows) and the
    rows inside drop-downs."""
    return lambda a: s.role_name(a) == "list" and s.name_of(a) in ("Operating Systems", "GtkListView")


PAGES = ["method", "source", "os", "resources", "storage", "name", "customize", "progress"]


class Wizard:
    """The wizard's window, with its buttons and pages looked up once: a walk
    of the whole window costs hundreds of AT-SPI round trips (GTK 4.8 has
    no AT-SPI cache), so every wait looks only at the page on show."""

    def __init__(self, s, dlg):
        self.s, self.dlg = s, dlg
        self.buttons = {n: first(s, dlg, "button", n) for n in ("Forward", "Finish", "Back")}
        self.subtitle = first(s, dlg, "label", re.compile(r"^Step \d+ of \d+$"))
        stack = first(s, dlg, "panel", "GtkStackPage").get_parent()
        self.pages = [stack.get_child_at_index(i) for i in range(stack.get_child_count())]
        if len(self.pages) != len(PAGES):
            raise V.HarnessError("the wizard's stack has %d pages, not %d:\n%s"
                                 % (len(self.pages), len(PAGES), s.dump(dlg, 8)))

    def page(self, name):
        return self.pages[PAGES.index(name)]

    def labels(self, page):
        """The texts of the labels of a page (a label's name is its text)."""
        s = self.s
        return [s.name_of(a) for a, _ in s.iter_tree(self.page(page), prune=skip(s))
                if s.role_name(a) == "label" and s.name_of(a) not in ("", "GtkLabel")]

    def wait_label(self, page, rx, timeout, what):
        rx = re.compile(rx)
        return self.s.wait_for(lambda: next((t for t in self.labels(page) if rx.search(t)), None),
                               timeout, what=what)

    def wait_step(self, n):
        self.s.wait_for(lambda: self.s.name_of(self.subtitle).startswith("Step %d of" % n), 10,
                        what="step %d (the wizard shows %r)" % (n, self.s.name_of(self.subtitle)))

    def sensitive(self, name):
        return self.s.is_sensitive(self.buttons[name])

    def press(self, name, page, why, timeout=30):
        s = self.s
        s.wait_for(lambda: self.sensitive(name), timeout,
                   what="%s to become sensitive (%s); the page says: %r"
                        % (name, why, self.labels(page)))
        s.click(self.buttons[name])

    def entry(self, page, name):
        return first(self.s, self.page(page), "entry", name, 5)

    def type_into(self, page, name, text):
        e = self.entry(page, name)
        self.s.type_text(e, text, verify=True)
        return e

    def pick_generic_os(self):
        """Chooses Generic Linux 2022 from the OS list (found by searching)."""
        self.type_into("os", "Search operating systems", "generic linux 2022")
        self.s.select_row(re.compile(r"^Generic Linux 2022"), 30, root=self.page("os"))

    def choose(self, page, rx):
        """Tick a radio or check button with a real pointer click (its AT-SPI
        action does not toggle it on GTK 4.8)."""
        s = self.s
        cb = first(s, self.page(page), "check box", re.compile(rx), 5)
        before = "checked" in s.states(cb)
        s.click(cb, mouse=True)
        s.wait_for(lambda: ("checked" in s.states(cb)) != before, 5,
                   what="%r to toggle" % s.name_of(cb))


def open_wizard(s, win, shortcut=False):
    if shortcut:
        # Ctrl+N in the manager window (a click on its list gives it the focus).
        s.mouse_click(first(s, win, "list", "Virtual Machines"))
        s.key("ctrl+n")
    else:
        s.click(first(s, win, "button", WIZARD))
    w = Wizard(s, s.window(WIZARD, 10))
    w.wait_step(1)
    return w


def settle():
    """Let a window finish closing before asking for the app's windows: on
    GTK 4.8 listing toplevels while one is being destroyed can hand out a
    reference to an accessible without a path (a GLib critical in the app)."""
    time.sleep(1.5)


def wizard_closed(s):
    settle()
    s.wait_for(lambda: all(s.name_of(x) != WIZARD for x in s.windows()), 10,
               what="the wizard to close")


def finish_and_wait(s, w, win, name, page="name"):
    w.press("Finish", page, "a valid name")
    # The new row in the manager says the run is over; the wizard closes then.
    row = first(s, win, None, re.compile(r"^%s, (Running|Shut off|Paused)$" % re.escape(name)), 90)
    V.log("listed:", s.name_of(row))
    wizard_closed(s)


def test_new_vm(s):
    xml = V.node_fixture()
    iso = V.require_file(GRUB_ISO, "grub-rescue-pc's ISO (Debian package grub-rescue-pc)")
    tree = os.path.join(V.source_root(), "tests", "install", "trees", "debian-bookworm")
    V.require_file(tree, "the fixture tree tests/install/trees/debian-bookworm")
    url = serve_tree(s, tree)

    win = V.launch_vireo_with(s, V.test_uri(xml))
    V.connection_row(s, V.CONNECTED, 15)
    V.vm_row(s, "web-1", "Running", 15, root=win)

    # 1. From an ISO ------------------------------------------------------
    w = open_wizard(s, win)
    first(s, w.page("method"), "combo box", "Connection", 5)
    # The test driver runs both Xen PV and HVM guests, so the choice is
    # offered; PV from an ISO is refused on the spot, with the engine's words.
    w.choose("method", r"^Paravirtualized")
    V.log("PV from an ISO:", w.wait_label("method", r"paravirtualized guest cannot install from an ISO",
                                          10, "the PV-from-ISO message"))
    if w.sensitive("Forward"):
        raise V.HarnessError("Forward is sensitive for PV from an ISO")
    w.choose("method", r"^Fully virtualized")
    w.press("Forward", "method", "a connected host with its capabilities read")
    w.wait_step(2)
    # A file that is not there: the error is shown under the field.
    w.type_into("source", "ISO image", "/nonexistent/install.iso")
    V.log("missing ISO:", w.wait_label("source", r"nonexistent", 10, "an error about the missing ISO"))
    if w.sensitive("Forward"):
        raise V.HarnessError("Forward is sensitive for a missing ISO")
    w.type_into("source", "ISO image", iso)
    w.press("Forward", "source", "a readable ISO")
    w.wait_step(3)
    detected = w.wait_label("os", r"^(Detected: |The operating system could not be detected)", 60,
                            "the OS detection's result")
    V.log("ISO detection:", detected)
    if not detected.startswith("Detected: "):
        # Choose one from the list instead.
        w.choose("os", r"^Detect it")
        w.type_into("os", "Search operating systems", "generic")
        s.select_row(re.compile(r"generic", re.I), 10, root=w.page("os"))
    w.press("Forward", "os", "an OS")
    w.wait_step(4)
    w.wait_label("resources", r"The host has \d+ MiB", 5, "the host's memory beside Memory")
    w.press("Forward", "resources", "memory and CPUs within the host's")
    w.wait_step(5)
    w.wait_label("storage", r"free of .* in “default”", 5, "the pool's free space")
    w.press("Forward", "storage", "a disk that fits")
    w.wait_step(6)

    # Bad input where it is typed: a name that is taken.
    w.type_into("name", "Name", "web-1")
    V.log("taken name:", w.wait_label("name", r"already exists", 10,
                                      "the name-taken error under the Name field"))
    if w.sensitive("Finish"):
        raise V.HarnessError("Finish is sensitive with a name that is taken")
    s.screenshot(os.path.join(s.tmp, "name-taken.png"))

    w.type_into("name", "Name", "wizard-iso")
    s.wait_for(lambda: not any("already exists" in t for t in w.labels("name")), 10,
               what="the name error to go")
    finish_and_wait(s, w, win, "wizard-iso")

    # 2. From a URL --------------------------------------------------------
    w = open_wizard(s, win)
    w.choose("method", r"^Network install")
    w.press("Forward", "method", "the URL method")
    w.wait_step(2)
    w.type_into("source", "URL", url)
    found = w.wait_label("source", r"^Found: ", 60, "the tree to be detected")
    V.log("tree:", found)
    if "Debian" not in found:
        raise V.HarnessError("the tree was not detected as Debian: %r" % found)
    w.press("Forward", "source", "a detected tree")
    w.wait_step(3)
    V.log("tree OS:", w.wait_label("os", r"^Detected: Debian", 60, "the OS identified from the tree"))
    V.log("fallback:", w.wait_label("os", r"not in this computer’s OS database", 5,
                                    "the fallback reason (osinfo-db predates Debian 12)"))
    w.press("Forward", "os", "the detected OS")
    w.wait_step(4)
    w.press("Forward", "resources", "memory and CPUs")
    w.wait_step(5)
    w.press("Forward", "storage", "storage")
    w.wait_step(6)
    w.type_into("name", "Name", "wizard-url")
    finish_and_wait(s, w, win, "wizard-url")

    # Both are listed, beside what was there.
    for name in ("wizard-iso", "wizard-url", "web-1", "build-1"):
        V.log("still listed:", s.name_of(first(s, win, None, re.compile(r"^%s, " % name))))
    s.screenshot(os.path.join(s.tmp, "created.png"))


if __name__ == "__main__":
    V.run_test(test_new_vm)
