# SPDX-License-Identifier: GPL-3.0-or-later
"""AT-SPI harness for Vireo's UI tests.

Runs the real app in a private X server (Xvfb), on a private D-Bus session bus
with its own accessibility bus, and drives it the way a screen reader sees it:
widgets are found by role and accessible name, buttons are clicked through
their AT-SPI action (or a real pointer click through XTest), text is typed with
real key events.

Run with the system interpreter (/usr/bin/python3), which has python3-pyatspi.
pyatspi is imported only after the private buses exist, because libatspi finds
the accessibility bus once, at import time, from DBUS_SESSION_BUS_ADDRESS and
DISPLAY.

One Session per process: libatspi binds to the accessibility bus of the first
session for the life of the process, so a second Session in the same process
would talk to a dead bus.

Everything the harness starts carries VIREO_UI_HARNESS_ID=<random> in its
environment; teardown kills the process groups it made and then every process
that still carries the tag, so no stray Xvfb, dbus-daemon, registryd, libvirtd
or app survives a failing or timed-out test.
"""

import atexit
import faulthandler
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET

TAG_VAR = "VIREO_UI_HARNESS_ID"
TEST_NS = "http://libvirt.org/schemas/domain/test/1.0"
RUNSTATE_NAMES = {
    1: "Running",
    2: "Blocked",
    3: "Paused",
    4: "Shutting down",
    5: "Shut off",
    6: "Crashed",
    7: "Suspended",
}

# Filled in by Session.start(): pyatspi can only be imported once the buses exist.
pyatspi = None
Atspi = None


class HarnessError(AssertionError):
    """A failure of the test or of its set-up; always fails the test."""


# A crash inside libatspi (the harness's own process) prints where it was.
faulthandler.enable()

def log(*args):
    print("[ui %6.2f]" % (time.monotonic() - _T0), *args, file=sys.stderr, flush=True)


_T0 = time.monotonic()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_file(path, what):
    if not os.path.exists(path):
        raise HarnessError("%s is missing: %s" % (what, path))
    return path


def require_program(name, package):
    path = shutil.which(name) or (name if os.path.isabs(name) and os.access(name, os.X_OK) else None)
    if not path:
        raise HarnessError("%s not found: install the Debian package %s "
                           "(tools/deps/test.txt)" % (name, package))
    return path


def source_root():
    return os.environ.get("VIREO_SOURCE_ROOT") or os.path.abspath(
        os.path.join(os.path.dirname(__file__), "..", ".."))


def build_root():
    b = os.environ.get("VIREO_BUILD_ROOT")
    if b:
        return b
    return os.path.join(source_root(), "build")


def fixtures_dir():
    return os.environ.get("VIREO_FIXTURES") or os.path.join(source_root(), "tests", "fixtures")


def ui_fixtures_dir():
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def app_path():
    p = os.environ.get("VIREO_APP") or os.path.join(build_root(), "src", "ui", "vireo")
    if not os.access(p, os.X_OK):
        raise HarnessError("the app binary is missing or not executable: %s "
                           "(build it: meson compile -C %s)" % (p, build_root()))
    return p


def fixture_domains(path):
    """[(name, state_label)] of a libvirt test-driver <node> file, in file order."""
    root = ET.parse(path).getroot()
    out = []
    for dom in root.iter("domain"):
        name = dom.findtext("name")
        rs = dom.find("{%s}runstate" % TEST_NS)
        state = int(rs.text) if rs is not None and rs.text else 1
        out.append((name, RUNSTATE_NAMES.get(state, str(state))))
    return out


def row_label(name, state):
    return "%s, %s" % (name, state)


def pids_with_tag(tag):
    """PIDs whose environment carries VIREO_UI_HARNESS_ID=tag."""
    needle = ("%s=%s" % (TAG_VAR, tag)).encode()
    me = os.getpid()
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == me:
            continue
        try:
            with open("/proc/%s/environ" % d, "rb") as f:
                env = f.read().split(b"\0")
        except OSError:
            continue
        if needle in env:
            out.append(int(d))
    return out


def kill_pid_tree_group(proc, grace=3.0):
    """Terminate a Popen started with start_new_session=True and its group."""
    if proc is None:
        return
    try:
        pgid = os.getpgid(proc.pid)
    except ProcessLookupError:
        pgid = None
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            if pgid is not None and pgid == proc.pid:
                os.killpg(pgid, sig)
            else:
                proc.send_signal(sig)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue
    # the group may still hold children that outlived the leader
    if pgid is not None:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


class Session:
    """A private X server + session bus + accessibility bus, and apps in it.

    Use as a context manager; all resources are released in __exit__, on
    SIGTERM/SIGINT (meson's timeout) and at interpreter exit.
    """

    def __init__(self, width=1280, height=1024, keep_logs=None):
        self.tag = uuid.uuid4().hex
        self.tmp = tempfile.mkdtemp(prefix="vireo-ui-")
        self.width, self.height = width, height
        self.procs = []          # (name, Popen) in start order
        self.display = None
        self.bus_address = None
        self.app = None          # Popen of the app under test
        self.app_log = None
        self.app_acc = None      # its AT-SPI application object
        self._apps_seen = False  # an app has been found on AT-SPI
        self.cleanups = []       # callables run first at close()
        self._closed = False
        self.keep_logs = keep_logs if keep_logs is not None else bool(os.environ.get("VIREO_UI_KEEP"))
        self.env = dict(os.environ)
        self.env[TAG_VAR] = self.tag
        for k in ("NO_AT_BRIDGE", "WAYLAND_DISPLAY", "GTK_MODULES", "AT_SPI_BUS_ADDRESS",
                  "DBUS_SESSION_BUS_PID", "SESSION_MANAGER", "XAUTHORITY"):
            self.env.pop(k, None)
        # A home of its own: remembered connections, libvirt client config and
        # caches of the app never touch the user's files.
        for sub, var in (("config", "XDG_CONFIG_HOME"), ("data", "XDG_DATA_HOME"),
                         ("cache", "XDG_CACHE_HOME"), ("state", "XDG_STATE_HOME")):
            p = os.path.join(self.tmp, "home", sub)
            os.makedirs(p, exist_ok=True)
            self.env[var] = p
        rt = os.path.join(self.tmp, "runtime")
        os.makedirs(rt, mode=0o700, exist_ok=True)
        self.env["XDG_RUNTIME_DIR"] = rt
        self.env["GSETTINGS_BACKEND"] = "memory"
        self.env.setdefault("GSETTINGS_SCHEMA_DIR", os.path.join(build_root(), "data"))
        self.env["GTK_A11Y"] = "atspi"
        self.env["GSK_RENDERER"] = "cairo"
        self.env["GDK_BACKEND"] = "x11"
        self.env["LANG"] = self.env["LC_ALL"] = "C.UTF-8"
        self.env["LANGUAGE"] = "C"
        self.env["GTK_THEME"] = "Adwaita"

    # ---- infrastructure -------------------------------------------------
    def _spawn(self, name, argv, env=None, **kw):
        logf = open(os.path.join(self.tmp, name + ".log"), "ab")
        kw.setdefault("stdout", logf)
        kw.setdefault("stderr", subprocess.STDOUT)
        p = subprocess.Popen(argv, env=env or self.env, start_new_session=True,
                             stdin=subprocess.DEVNULL, **kw)
        self.procs.append((name, p))
        return p

    def _start_reaper(self):
        """A child process, in a session of its own, that waits for this one
        to end however it ends (a crash of libatspi in here, a SIGKILL from
        meson's timeout) and then kills what still carries our tag: QEMU
        guests the app started run detached and would outlive the test."""
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(w)
                os.setsid()
                while True:
                    try:
                        if not os.read(r, 1):
                            break
                    except InterruptedError:
                        continue
                me = os.getpid()
                for _ in range(3):
                    for p in pids_with_tag(self.tag):
                        if p != me:
                            try:
                                os.kill(p, signal.SIGKILL)
                            except OSError:
                                pass
                    time.sleep(0.2)
            finally:
                os._exit(0)
        os.close(r)
        self._reaper_fd = w  # not inheritable: closes only when we end

    def start(self):
        global pyatspi, Atspi
        atexit.register(self.close)
        self._start_reaper()
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, self._on_signal)
        xvfb = require_program("Xvfb", "xvfb")
        dbus = require_program("dbus-daemon", "dbus")
        launcher = require_file("/usr/libexec/at-spi-bus-launcher",
                                "at-spi-bus-launcher (Debian package at-spi2-core)")

        # Xvfb picks a free display itself and writes its number on -displayfd.
        r, w = os.pipe()
        self._spawn("xvfb", [xvfb, "-displayfd", str(w), "-screen", "0",
                             "%dx%dx24" % (self.width, self.height),
                             "-nolisten", "tcp", "-noreset", "+extension", "XTEST",
                             "-ac"], pass_fds=(w,))
        os.close(w)
        num = self._read_line(r, 20, "Xvfb did not report its display")
        self.display = ":" + num
        self.env["DISPLAY"] = self.display
        log("Xvfb on", self.display)

        r, w = os.pipe()
        self._spawn("dbus", [dbus, "--session", "--nofork", "--nopidfile",
                             "--address=unix:dir=%s" % self.env["XDG_RUNTIME_DIR"],
                             "--print-address=%d" % w], pass_fds=(w,))
        os.close(w)
        self.bus_address = self._read_line(r, 20, "dbus-daemon did not report its address")
        self.env["DBUS_SESSION_BUS_ADDRESS"] = self.bus_address
        log("session bus", self.bus_address)

        self._spawn("at-spi-bus-launcher", [launcher, "--launch-immediately"])
        # pyatspi (libatspi) reads these from the process environment.
        for k in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", TAG_VAR):
            os.environ[k] = self.env[k]
        os.environ.pop("NO_AT_BRIDGE", None)
        os.environ.pop("AT_SPI_BUS_ADDRESS", None)
        self._wait_a11y_bus()
        try:
            import gi
            gi.require_version("Atspi", "2.0")
            from gi.repository import Atspi as _Atspi
            import pyatspi as _pyatspi
        except Exception as e:  # noqa: BLE001
            raise HarnessError("python3-pyatspi / gir1.2-atspi-2.0 unusable (%s); run the "
                               "tests with /usr/bin/python3" % e)
        pyatspi, Atspi = _pyatspi, _Atspi
        # Never hang forever on a frozen app: 10 s per AT-SPI call.
        Atspi.set_timeout(10000, 15000)
        return self

    def _read_line(self, fd, timeout, what):
        import select
        buf = b""
        end = time.monotonic() + timeout
        while b"\n" not in buf:
            left = end - time.monotonic()
            if left <= 0:
                os.close(fd)
                raise HarnessError(what + " within %d s (logs: %s)" % (timeout, self.tmp))
            rl, _, _ = select.select([fd], [], [], left)
            if rl:
                chunk = os.read(fd, 256)
                if not chunk:
                    os.close(fd)
                    raise HarnessError(what + " (it exited; logs: %s)" % self.tmp)
                buf += chunk
        os.close(fd)
        return buf.split(b"\n")[0].decode().strip()

    def _wait_a11y_bus(self, timeout=20):
        end = time.monotonic() + timeout
        last = ""
        while time.monotonic() < end:
            try:
                out = subprocess.run(
                    ["dbus-send", "--session", "--print-reply", "--dest=org.a11y.Bus",
                     "/org/a11y/bus", "org.a11y.Bus.GetAddress"],
                    env=self.env, capture_output=True, text=True, timeout=5)
                if out.returncode == 0 and "unix:" in out.stdout:
                    return
                last = out.stderr.strip()
            except (subprocess.TimeoutExpired, FileNotFoundError) as e:
                last = str(e)
            time.sleep(0.2)
        raise HarnessError("accessibility bus did not come up: %s" % last)

    def _on_signal(self, signum, frame):
        log("signal %d: tearing down" % signum)
        self.close()
        os._exit(128 + signum)

    def close(self):
        if self._closed:
            return
        self._closed = True
        for fn in reversed(self.cleanups):
            try:
                fn()
            except Exception as e:  # noqa: BLE001
                log("cleanup failed:", e)
        for name, p in reversed(self.procs):
            kill_pid_tree_group(p)
        # Anything that escaped its group (D-Bus activated services, daemons
        # that double-fork) still carries our tag.
        for _ in range(3):
            left = pids_with_tag(self.tag)
            if not left:
                break
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.2)
        if self.keep_logs:
            log("logs kept in", self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, et, ev, tb):
        if et is not None:
            try:
                self.report_failure()
            except Exception as e:  # noqa: BLE001
                log("could not report failure:", e)
        self.close()
        return False

    def report_failure(self):
        """On failure: print the app's log, a tree dump and a screenshot path."""
        self.keep_logs = True
        shot = os.path.join(self.tmp, "failure.png")
        try:
            self.screenshot(shot)
            log("screenshot:", shot)
        except Exception as e:  # noqa: BLE001
            log("no screenshot:", e)
        if self.app_acc is not None:
            try:
                log("accessible tree at failure:\n" + self.dump(self.app_acc, max_depth=40))
            except Exception as e:  # noqa: BLE001
                log("no tree dump:", e)
        if self.app_log and os.path.exists(self.app_log):
            with open(self.app_log, errors="replace") as f:
                data = f.read()
            log("app output (last 6000 chars):\n" + data[-6000:])

    def libvirtd(self, port=None):
        """A private libvirtd (see libvirtd.py), stopped at close()."""
        from libvirtd import Libvirtd
        d = Libvirtd(port=port, tmp=os.path.join(self.tmp, "libvirtd-%d" % len(self.cleanups)),
                     env=self.env, tag=self.tag)
        self.cleanups.append(lambda: d.kill())
        return d.start()

    def blackhole(self):
        from libvirtd import Blackhole
        b = Blackhole().start()
        self.cleanups.append(b.stop)
        return b

    # ---- the app ----------------------------------------------------------
    def launch(self, argv, name="app", env=None, wait=True, timeout=30):
        """Start a program with AT-SPI on; returns its Popen."""
        e = dict(self.env)
        if env:
            e.update(env)
        self.app_log = os.path.join(self.tmp, name + ".log")
        log("launch:", " ".join(argv))
        self.app_start = time.monotonic()
        self.app = self._spawn(name, argv, env=e)
        if wait:
            self.app_acc = self.wait_app(self.app.pid, timeout)
        return self.app

    def launch_vireo(self, *args, **kw):
        return self.launch([app_path(), *args], name="vireo", **kw)

    def check_alive(self):
        if self.app is not None and self.app.poll() is not None:
            raise HarnessError("the app exited with status %s" % self.app.returncode)

    def desktop(self):
        return Atspi.get_desktop(0)

    def wait_app(self, pid, timeout=30):
        """The AT-SPI application object of process pid, once it has a window."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.check_alive()
            d = self.desktop()
            # Without a running main loop libatspi never sees the registry's
            # "children-changed" signals, so its list of applications would
            # stay as it was at the first query: drop it every time.
            self.pump()
            # Once an application has come and gone, clear_cache() walks into
            # what libatspi kept of it and crashes (libatspi 2.46): the
            # events pumped above keep the list right by then.
            if not self._apps_seen:
                try:
                    d.clear_cache()
                except Exception:  # noqa: BLE001
                    pass
            try:
                n = d.get_child_count()
            except Exception:  # noqa: BLE001
                n = 0
            for i in range(n):
                try:
                    a = d.get_child_at_index(i)
                    if a is not None and a.get_process_id() == pid and a.get_child_count() > 0:
                        log("app on AT-SPI after %.2f s: %r" % (time.monotonic() - self.app_start,
                                                               a.get_name()))
                        self._apps_seen = True
                        return a
                except Exception:  # noqa: BLE001
                    continue
            time.sleep(0.1)
        raise HarnessError("process %d did not show up on the AT-SPI desktop within %d s "
                           "(is GTK_A11Y=atspi honoured? log: %s)" % (pid, timeout, self.app_log))

    @staticmethod
    def pump():
        """Dispatch what libatspi has queued (events keep its caches right)."""
        from gi.repository import GLib
        ctx = GLib.MainContext.default()
        for _ in range(200):
            if not ctx.iteration(False):
                break

    # ---- tree queries -----------------------------------------------------
    @staticmethod
    def role_name(acc):
        try:
            return acc.get_role_name()
        except Exception:  # noqa: BLE001
            return "?"

    @staticmethod
    def name_of(acc):
        try:
            return acc.get_name() or ""
        except Exception:  # noqa: BLE001
            return ""

    def iter_tree(self, root=None, max_depth=60, showing_only=False, prune=None):
        """Depth-first walk yielding (accessible, depth); children of nodes
        for which prune(acc) is true are not visited."""
        root = root or self.app_acc
        stack = [(root, 0)]
        while stack:
            acc, depth = stack.pop()
            if acc is None:
                continue
            yield acc, depth
            if depth >= max_depth or (prune is not None and depth > 0 and prune(acc)):
                continue
            try:
                n = acc.get_child_count()
            except Exception:  # noqa: BLE001
                continue
            kids = []
            for i in range(n):
                try:
                    kids.append((acc.get_child_at_index(i), depth + 1))
                except Exception:  # noqa: BLE001
                    pass
            if showing_only:
                kids = [k for k in kids if k[0] is not None and self.is_showing(k[0])]
            stack.extend(reversed(kids))

    ROLE_ALIASES = {
        "button": ("push button", "button"),
        "toggle": ("toggle button",),
        "entry": ("text", "entry", "password text"),
        "row": ("list item", "table row", "row", "tree item"),
        "switch": ("switch", "toggle button", "check box"),
        "combo": ("combo box", "drop down", "push button"),
        "dialog": ("dialog", "alert", "frame", "window"),
    }

    def _role_match(self, acc, want):
        if want is None:
            return True
        rn = self.role_name(acc)
        if isinstance(want, str):
            return rn == want or rn in self.ROLE_ALIASES.get(want, ())
        return self._match(rn, want)

    @staticmethod
    def _match(value, want):
        if want is None:
            return True
        if isinstance(want, re.Pattern):
            return bool(want.search(value or ""))
        if callable(want):
            return bool(want(value))
        # GTK 4.8 names a button whose label child is also its labelled-by
        # target twice ("Cancel Cancel": AdwMessageDialog buttons in
        # libadwaita 1.2); a plain string matches both forms.
        return value == want or value == want + " " + want

    def find_all(self, role=None, name=None, root=None, showing=None):
        out = []
        for acc, _ in self.iter_tree(root):
            if not self._role_match(acc, role):
                continue
            if not self._match(self.name_of(acc), name):
                continue
            if showing is not None and self.is_showing(acc) != showing:
                continue
            out.append(acc)
        return out

    def find(self, role=None, name=None, timeout=10, root=None, showing=None):
        """Poll until an accessible with this role (string, regex or callable)
        and name appears under root (default: the app); fail with a dump."""
        found = self.wait_for(lambda: (self.find_all(role, name, root, showing) or [None])[0],
                              timeout, what=None)
        if found is None:
            raise HarnessError("no accessible with role %r and name %r within %s s "
                               "(the tree is dumped above)" % (role, name, timeout))
        return found

    def windows(self):
        out = []
        try:
            n = self.app_acc.get_child_count()
        except Exception:  # noqa: BLE001
            return out
        for i in range(n):
            try:
                out.append(self.app_acc.get_child_at_index(i))
            except Exception:  # noqa: BLE001
                pass
        return [w for w in out if w is not None]

    def window(self, title, timeout=10):
        w = self.wait_for(lambda: next((x for x in self.windows()
                                        if self._match(self.name_of(x), title)), None),
                          timeout, what=None)
        if w is None:
            raise HarnessError("no window %r within %s s; windows: %r"
                               % (title, timeout, [self.name_of(x) for x in self.windows()]))
        return w

    @staticmethod
    def states(acc):
        try:
            ss = acc.get_state_set()
            return {Atspi.StateType(s).value_nick for s in ss.get_states()}
        except Exception:  # noqa: BLE001
            return set()

    def is_showing(self, acc):
        return "showing" in self.states(acc)

    def is_sensitive(self, acc):
        st = self.states(acc)
        return "sensitive" in st or "enabled" in st

    def dump(self, root=None, max_depth=30):
        lines = []
        for acc, depth in self.iter_tree(root or self.app_acc, max_depth):
            try:
                ifaces = ",".join(acc.get_interfaces())
            except Exception:  # noqa: BLE001
                ifaces = ""
            st = self.states(acc)
            flags = "".join(c for c, s in (("S", "showing"), ("s", "sensitive"),
                                           ("F", "focused"), ("*", "selected"),
                                           ("C", "checked"), ("P", "pressed"))
                            if s in st)
            lines.append("%s[%s] %r {%s} %s" % ("  " * depth, self.role_name(acc),
                                                self.name_of(acc), flags, ifaces))
        return "\n".join(lines)

    # ---- waiting ----------------------------------------------------------
    def wait_for(self, predicate, timeout=10, interval=0.1, what="condition"):
        """Poll predicate() until truthy; return its value. If what is given,
        raise HarnessError on timeout; otherwise return the last value."""
        end = time.monotonic() + timeout
        last_exc = None
        val = None
        while True:
            self.check_alive()
            try:
                val = predicate()
                if val:
                    return val
            except HarnessError:
                raise
            except Exception as e:  # noqa: BLE001
                last_exc = e
            if time.monotonic() >= end:
                break
            time.sleep(interval)
        if what:
            raise HarnessError("timed out after %s s waiting for %s%s"
                               % (timeout, what, " (last error: %s)" % last_exc if last_exc else ""))
        return val

    # ---- input ------------------------------------------------------------
    def _action_index(self, acc, names=("click", "activate", "press", "toggle")):
        try:
            n = acc.get_n_actions()
        except Exception:  # noqa: BLE001
            return None
        have = [acc.get_action_name(i) for i in range(n)]
        for want in names:
            if want in have:
                return have.index(want)
        return 0 if n else None

    def click(self, acc, mouse=False):
        """Activate a button-like widget: its AT-SPI action, else a real click."""
        if not mouse:
            # A GtkMenuButton is a container without actions around the
            # GtkToggleButton that has them: use the first actionable
            # descendant in that case.
            for a, _ in self.iter_tree(acc, max_depth=3):
                i = self._action_index(a)
                if i is None:
                    continue
                try:
                    if a.do_action(i):
                        return
                except Exception as e:  # noqa: BLE001
                    log("do_action failed (%s), clicking with the pointer" % e)
                break
        self.mouse_click(acc)

    def screen_center(self, acc):
        """Screen coordinates of the centre of acc.

        GTK 4 reports extents relative to its toplevel; the toplevel's origin
        on the screen comes from X (xdotool), because Xvfb has no window manager
        to ask and GTK does not know it either."""
        # A widget being revealed (search bar, popover) has no area at first.
        ext = self.wait_for(lambda: (lambda e: e if e.width > 0 and e.height > 0 else None)(
            acc.get_extents(Atspi.CoordType.WINDOW)), 5, what=None)
        if ext is None:
            e = acc.get_extents(Atspi.CoordType.WINDOW)
            raise HarnessError("%r has no area on screen (x %d, y %d, %d×%d)"
                               % (self.name_of(acc), e.x, e.y, e.width, e.height))
        ox, oy = self._toplevel_origin(acc)
        return ox + ext.x + ext.width // 2, oy + ext.y + ext.height // 2

    def _toplevel_of(self, acc):
        a = acc
        while True:
            p = a.get_parent()
            if p is None or self.role_name(p) == "application":
                return a
            a = p

    def _toplevel_origin(self, acc):
        top = self._toplevel_of(acc)
        title = self.name_of(top)
        xdo = require_program("xdotool", "xdotool")
        pid = str(self.app.pid) if self.app else None
        args = [xdo, "search", "--onlyvisible"]
        if pid:
            args += ["--pid", pid]
        if title:
            args += ["--name", "^%s$" % re.escape(title)]
        out = subprocess.run(args, env=self.env, capture_output=True, text=True, timeout=10)
        wins = out.stdout.split()
        if not wins and title:
            out = subprocess.run([xdo, "search", "--onlyvisible", "--name", "^%s$" % re.escape(title)],
                                 env=self.env, capture_output=True, text=True, timeout=10)
            wins = out.stdout.split()
        if not wins:
            return 0, 0
        # Several X windows can match: a tooltip or popover of the app is an
        # X window with the app's name too. The toplevel's is the smallest
        # that holds the toplevel's area (its X window adds the CSD margin).
        try:
            e = top.get_extents(Atspi.CoordType.WINDOW)
            size = (e.width, e.height)
        except Exception:  # noqa: BLE001
            size = None
        chosen, best = None, None
        for w in reversed(wins):
            geo = subprocess.run([xdo, "getwindowgeometry", "--shell", w], env=self.env,
                                 capture_output=True, text=True, timeout=10).stdout
            vals = dict(l.split("=", 1) for l in geo.split() if "=" in l)
            if chosen is None:
                chosen = vals
            ww, wh = int(vals.get("WIDTH", -1)), int(vals.get("HEIGHT", -1))
            if size is not None and ww >= size[0] and wh >= size[1] and \
                    (best is None or ww * wh < best[0]):
                best = (ww * wh, vals)
        if best is not None:
            chosen = best[1]
        if os.environ.get("VIREO_UI_DEBUG"):
            log("toplevel %r %s: X windows %s, chosen %s" % (title, size, wins, chosen))
        return int(chosen.get("X", 0)), int(chosen.get("Y", 0))

    def xdotool(self, *args):
        xdo = require_program("xdotool", "xdotool")
        t0 = time.monotonic()
        r = subprocess.run([xdo, *map(str, args)], env=self.env, capture_output=True,
                           text=True, timeout=30)
        if os.environ.get("VIREO_UI_DEBUG"):
            log("xdotool %s: %.2f s" % (" ".join(map(str, args)), time.monotonic() - t0))
        if r.returncode != 0:
            raise HarnessError("xdotool %s failed: %s" % (" ".join(map(str, args)), r.stderr))
        return r.stdout

    def mouse_click(self, acc, button=1):
        x, y = self.screen_center(acc)
        loc = dict(kv.split(":", 1) for kv in self.xdotool("getmouselocation").split() if ":" in kv)
        # "mousemove --sync" waits for a motion event, which never comes when
        # the pointer is already there (it then hangs for ~15 s).
        if (int(loc.get("x", -1)), int(loc.get("y", -1))) != (x, y):
            self.xdotool("mousemove", "--sync", x, y)
        time.sleep(0.05)
        self.xdotool("click", button)

    def focus(self, acc):
        try:
            if acc.grab_focus():
                return
        except Exception:  # noqa: BLE001
            pass
        self.mouse_click(acc)

    def type_text(self, entry, text, replace=True, verify=False):
        """Type text into an entry with real key events (GTK 4.8 has no
        AT-SPI EditableText), after focusing it with a pointer click.

        With verify, the entry must then hold exactly text. xdotool's typing
        is not the app under test: when the X server is loaded by another
        test beside this one, a keystroke can land before the focus does, so
        a mismatch is typed again (twice at most, each logged) before it
        fails."""
        for attempt in range(3):
            self.mouse_click(entry)
            time.sleep(0.1 + 0.4 * attempt)
            if replace or attempt:
                self.xdotool("key", "--clearmodifiers", "ctrl+a")
                self.xdotool("key", "--clearmodifiers", "BackSpace")
            if text:
                t0 = time.monotonic()
                self.xdotool("type", "--delay", str(5 + 20 * attempt), "--clearmodifiers", text)
                log("typed %d characters in %.2f s" % (len(text), time.monotonic() - t0))
            if not verify:
                return
            try:
                self.wait_for(lambda: self.text_of(entry) == text, 5)
                return
            except HarnessError:
                log("typing into %r: the entry holds %r instead of %r; typing it again"
                    % (entry.get_name(), self.text_of(entry), text))
        raise HarnessError("the entry %r holds %r after typing %r three times"
                           % (entry.get_name(), self.text_of(entry), text))

    def key(self, *keys):
        self.xdotool("key", "--clearmodifiers", *keys)

    def text_of(self, acc):
        """The text of acc or of its first descendant with a Text interface
        (a GtkEntry keeps its text in an inner GtkText)."""
        for a, _ in self.iter_tree(acc, max_depth=4):
            try:
                if "Text" in a.get_interfaces():
                    # GTK 4.8 answers "" to get_text(0, -1)
                    return a.get_text(0, a.get_character_count())
            except Exception:  # noqa: BLE001
                continue
        return None

    ROW_ROLES = ("list item", "table row", "tree item", "row", "table cell")

    def row_of(self, acc):
        """acc itself or its nearest ancestor that is a list/table row."""
        a = acc
        for _ in range(8):
            if a is None:
                break
            if self.role_name(a) in self.ROW_ROLES:
                return a
            a = a.get_parent()
        return acc

    def is_selected(self, acc):
        a = acc
        for _ in range(8):
            if a is None:
                return False
            st = self.states(a)
            if "selected" in st:
                return True
            if self.role_name(a) in self.ROW_ROLES:
                return False
            a = a.get_parent()
        return False

    def select_row(self, name, timeout=10, root=None):
        """Select the list row with accessible name `name` by clicking it."""
        acc = self.find(None, name, timeout, root=root)
        row = self.row_of(acc)
        if not self.is_selected(acc):
            self.mouse_click(row)
        self.wait_for(lambda: self.is_selected(self.find(None, name, 2, root=root)),
                      5, what="row %r to become selected" % name)
        return acc

    # ---- observation -------------------------------------------------------
    def screenshot(self, path):
        imp = require_program("import", "imagemagick")
        subprocess.run([imp, "-window", "root", path], env=self.env, check=True,
                       capture_output=True, timeout=30)
        return path

    def probe(self, acc=None):
        """One round trip to the app over the accessibility bus, uncached.

        Reads the window's ChildCount and its first child's Name straight with
        D-Bus calls (libatspi would answer from its cache). Returns seconds;
        raises on error or after the 5 s timeout."""
        acc = acc or self.windows()[0]
        return self._probe_dbus(acc)

    def _a11y_conn(self):
        if getattr(self, "_a11y", None) is None:
            from gi.repository import Gio
            addr = subprocess.run(
                ["dbus-send", "--session", "--print-reply=literal", "--dest=org.a11y.Bus",
                 "/org/a11y/bus", "org.a11y.Bus.GetAddress"],
                env=self.env, capture_output=True, text=True, timeout=5).stdout.strip()
            self._a11y = Gio.DBusConnection.new_for_address_sync(
                addr, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
                Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
        return self._a11y

    def _probe_dbus(self, acc):
        from gi.repository import GLib, Gio
        conn = self._a11y_conn()
        bus = acc.get_bus_name() if hasattr(acc, "get_bus_name") else acc.app.bus_name
        path = acc.path
        t0 = time.monotonic()
        r = conn.call_sync(bus, path, "org.freedesktop.DBus.Properties", "Get",
                           GLib.Variant("(ss)", ("org.a11y.atspi.Accessible", "ChildCount")),
                           GLib.VariantType("(v)"), Gio.DBusCallFlags.NONE, 5000, None)
        n = r.unpack()[0]
        if n > 0:
            r = conn.call_sync(bus, path, "org.a11y.atspi.Accessible", "GetChildAtIndex",
                               GLib.Variant("(i)", (0,)), None, Gio.DBusCallFlags.NONE, 5000, None)
            cbus, cpath = r.unpack()[0]
            conn.call_sync(cbus, cpath, "org.freedesktop.DBus.Properties", "Get",
                           GLib.Variant("(ss)", ("org.a11y.atspi.Accessible", "Name")),
                           GLib.VariantType("(v)"), Gio.DBusCallFlags.NONE, 5000, None)
        return time.monotonic() - t0

    def probe_name(self, acc):
        """Uncached D-Bus read of one accessible's Name: (seconds, name)."""
        from gi.repository import GLib, Gio
        conn = self._a11y_conn()
        t0 = time.monotonic()
        r = conn.call_sync(acc.app.bus_name if hasattr(acc, "app") else acc.get_bus_name(),
                           acc.path, "org.freedesktop.DBus.Properties", "Get",
                           GLib.Variant("(ss)", ("org.a11y.atspi.Accessible", "Name")),
                           GLib.VariantType("(v)"), Gio.DBusCallFlags.NONE, 5000, None)
        return time.monotonic() - t0, r.unpack()[0]


def run_test(fn):
    """Run fn(session) in a fresh session; print PASS/FAIL; exit 0/1."""
    name = getattr(fn, "__name__", "test")
    try:
        with Session() as s:
            fn(s)
    except BaseException as e:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        print("FAIL: %s: %s" % (name, e), flush=True)
        sys.exit(1)
    print("PASS: %s" % name, flush=True)
    sys.exit(0)


# ---- Vireo-specific helpers ----------------------------------------------------

def node_fixture():
    return require_file(os.path.join(fixtures_dir(), "node.xml"),
                        "the test-driver fixture tests/fixtures/node.xml")


def test_uri(path):
    return "test://" + os.path.abspath(path)


def launch_vireo_with(s, *uris, timeout=30):
    args = ["--no-remembered"]
    for u in uris:
        args += ["--connect", u]
    s.launch_vireo(*args, timeout=timeout)
    return s.window("Vireo", timeout)


def vm_row(s, name, state, timeout=10, root=None):
    """The VM row labelled "NAME, STATE" (fails with a tree dump)."""
    return s.find(None, row_label(name, state), timeout, root=root)


def vm_rows(s, root=None):
    """{name: state} of every VM row labelled "NAME, STATE" with a known state,
    as the accessibility tree shows them now."""
    states = set(RUNSTATE_NAMES.values())
    out = {}
    for acc, _ in s.iter_tree(root):
        n = s.name_of(acc)
        if ", " in n:
            name, _, st = n.rpartition(", ")
            if st in states:
                out[name] = st
    return out


def connection_row(s, status_re, timeout=10, display_re=r".+"):
    """The connection row labelled "DISPLAYNAME, STATUS", STATUS matching status_re."""
    rx = re.compile(r"^(%s), (%s)$" % (display_re, status_re))
    return s.find(None, rx, timeout)


CONNECTED = r"Connected"
CONNECTING = r"Connecting…|Connecting\.\.\."
DISCONNECTED = r"Disconnected(: .*)?"


def assert_fixture_listed(s, xml, timeout=15):
    want = fixture_domains(xml)
    if not want:
        raise HarnessError("fixture %s has no <domain>" % xml)
    for name, state in want:
        vm_row(s, name, state, timeout)
    return want
