# SPDX-License-Identifier: GPL-3.0-or-later
"""A private libvirtd serving the test driver over TCP on 127.0.0.1, and a
"blackhole" TCP server that accepts connections and never answers.

The daemon runs with a configuration of its own (listen_tcp on a free port,
auth_tcp = "none", sockets and pid file in a temporary directory), so it never
collides with a system libvirtd or another test's daemon. It also runs with
LIBVIRT_DRIVER_DIR pointing at an empty directory: the test driver lives in
libvirt.so itself, and loading no stateful driver (QEMU, LXC, network, …)
keeps the daemon away from /run/libvirt/qemu and the like, and starts it in
well under a second. Clients reach it as test+tcp://127.0.0.1:PORT/ABS/x.xml.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

try:
    from vireo_ui import TAG_VAR, HarnessError, free_port, log
except ImportError:  # used on its own
    TAG_VAR = "VIREO_UI_HARNESS_ID"

    class HarnessError(AssertionError):
        pass

    def free_port():
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    def log(*a):
        print(*a, flush=True)


def _port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


class Libvirtd:
    def __init__(self, port=None, tmp=None, env=None, tag=None):
        self.port = port or free_port()
        self.own_tmp = tmp is None
        self.tmp = tempfile.mkdtemp(prefix="vireo-libvirtd-") if tmp is None else tmp
        os.makedirs(self.tmp, exist_ok=True)
        self.sock_dir = os.path.join(self.tmp, "sock")
        self.driver_dir = os.path.join(self.tmp, "no-drivers")
        self.conf = os.path.join(self.tmp, "libvirtd.conf")
        self.pidfile = os.path.join(self.tmp, "libvirtd.pid")
        self.logfile = os.path.join(self.tmp, "libvirtd.log")
        self.env = dict(env or os.environ)
        if tag:
            self.env[TAG_VAR] = tag
        self.proc = None
        self.starts = 0

    def uri(self, node_xml):
        return "test+tcp://127.0.0.1:%d%s" % (self.port, os.path.abspath(node_xml))

    def _write_conf(self):
        os.makedirs(self.sock_dir, exist_ok=True)
        os.makedirs(self.driver_dir, exist_ok=True)
        with open(self.conf, "w") as f:
            f.write('listen_tls = 0\n'
                    'listen_tcp = 1\n'
                    'auth_tcp = "none"\n'
                    'auth_unix_ro = "none"\n'
                    'auth_unix_rw = "none"\n'
                    'listen_addr = "127.0.0.1"\n'
                    'tcp_port = "%d"\n'
                    'unix_sock_dir = "%s"\n'
                    'log_outputs = "3:stderr"\n'
                    'keepalive_interval = 5\n'
                    'keepalive_count = 5\n' % (self.port, self.sock_dir))

    def start(self, timeout=20):
        exe = shutil.which("libvirtd") or "/usr/sbin/libvirtd"
        if not os.access(exe, os.X_OK):
            raise HarnessError("libvirtd not found: install the Debian package "
                               "libvirt-daemon (tools/deps/test.txt)")
        for d in ("/var/log/libvirt", "/run/libvirt"):
            try:
                os.makedirs(d, exist_ok=True)
            except PermissionError:
                pass
        self._write_conf()
        if _port_open(self.port):
            raise HarnessError("port %d is already taken before libvirtd starts" % self.port)
        env = dict(self.env)
        env["LIBVIRT_DRIVER_DIR"] = self.driver_dir
        logf = open(self.logfile, "ab")
        self.proc = subprocess.Popen(
            [exe, "--listen", "-f", self.conf, "-p", self.pidfile],
            env=env, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
            start_new_session=True)
        self.starts += 1
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise HarnessError("libvirtd exited with %s: %s" % (self.proc.returncode,
                                                                     self.log_tail()))
            if _port_open(self.port):
                log("libvirtd pid %d listening on 127.0.0.1:%d" % (self.proc.pid, self.port))
                return self
            time.sleep(0.1)
        raise HarnessError("libvirtd did not listen on %d within %d s: %s"
                           % (self.port, timeout, self.log_tail()))

    def log_tail(self, n=3000):
        try:
            with open(self.logfile, errors="replace") as f:
                return f.read()[-n:]
        except OSError:
            return "(no log)"

    def kill(self, sig=signal.SIGKILL):
        """Kill the daemon (default: SIGKILL, as a crash would) and wait."""
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        log("libvirtd killed with signal %d" % sig)

    def restart(self, timeout=20):
        self.kill()
        return self.start(timeout)

    def stop(self):
        self.kill(signal.SIGTERM)
        if self.own_tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


class Blackhole:
    """Accepts TCP connections on 127.0.0.1 and never sends a byte."""

    def __init__(self, port=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port or 0))
        self.port = self.sock.getsockname()[1]
        self.sock.listen(64)
        self.clients = []
        self.accepted = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            self.accepted += 1
            self.clients.append(c)   # hold it open, read nothing, say nothing

    def start(self):
        self.thread.start()
        log("blackhole listening on 127.0.0.1:%d" % self.port)
        return self

    def stop(self):
        self._stop = True
        self.thread.join(2)
        for c in self.clients:
            try:
                c.close()
            except OSError:
                pass
        self.sock.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False
