#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A password is kept in the keyring only when the user asks, with a real
Secret Service (gnome-keyring-daemon, a login keyring of its own in the
test's private home and session bus): the host of tests/fixtures/auth.xml
asks for a user name, then a password (alice / s3cret).

1. Without "Remember password": nothing is stored; the next start asks for
   the password again.
2. With it ticked: the password is stored (read back with secret-tool's
   library, libsecret, through the same bus) and the next start asks only
   for the user name, then connects with the kept password."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402
from test_auth import TITLE, answer  # noqa: E402


def start_keyring(s):
    daemon = V.require_program("gnome-keyring-daemon", "gnome-keyring")
    r = subprocess.run([daemon, "--unlock", "--daemonize", "--components=secrets"],
                       input=b"vireo-test-keyring", env=s.env, capture_output=True, timeout=30)
    if r.returncode != 0:
        raise V.HarnessError("gnome-keyring-daemon did not start: %s" % r.stderr.decode())
    for line in r.stdout.decode().splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            s.env[k] = v
    # The Secret Service answers on the session bus.
    s.wait_for(lambda: subprocess.run(
        ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.secrets",
         "/org/freedesktop/secrets", "org.freedesktop.DBus.Peer.Ping"],
        env=s.env, capture_output=True, timeout=5).returncode == 0, 10,
        what="org.freedesktop.secrets on the session bus")


def stored_passwords(s, uri):
    """What the keyring holds for uri, read with libsecret like the app."""
    code = r"""
import sys, gi
gi.require_version("Secret", "1")
from gi.repository import Secret
schema = Secret.Schema.new("io.github.vireo.Vireo.Password", Secret.SchemaFlags.NONE,
                           {"uri": Secret.SchemaAttributeType.STRING,
                            "username": Secret.SchemaAttributeType.STRING})
print(Secret.password_lookup_sync(schema, {"uri": sys.argv[1], "username": "alice"}, None) or "")
"""
    r = subprocess.run(["/usr/bin/python3", "-c", code, uri], env=s.env, capture_output=True,
                       text=True, timeout=30)
    if r.returncode != 0:
        raise V.HarnessError("reading the keyring failed: %s" % r.stderr)
    return r.stdout.strip()


def password_dialog(s, remember):
    """Answer the password dialog, ticking "Remember password" or not."""
    dlg = s.window(TITLE, 20)
    check = s.find("check box", "Remember password", 10, root=dlg)
    if ("checked" in s.states(check)) != remember:
        s.click(check, mouse=True)
        s.wait_for(lambda: ("checked" in s.states(check)) == remember, 5,
                   what="Remember password to be %s" % ("ticked" if remember else "clear"))
    answer(s, "s3cret")


def quit_app(s):
    s.mouse_click(s.find(None, re.compile(r"^Virtual Machines$"), 10))
    s.key("ctrl+q")
    s.app.wait(20)
    s.app = None
    s.app_acc = None
    for _ in range(10):
        s.pump()


def test_auth_keyring(s):
    uri = V.test_uri(os.path.join(V.fixtures_dir(), "auth.xml"))
    start_keyring(s)
    schema_check = stored_passwords(s, uri)
    if schema_check:
        raise V.HarnessError("a fresh keyring already holds %r" % schema_check)

    # 1. Not remembered.
    V.launch_vireo_with(s, uri)
    answer(s, "alice")
    password_dialog(s, remember=False)
    V.connection_row(s, V.CONNECTED, 20)
    if stored_passwords(s, uri):
        raise V.HarnessError("the password was stored without being asked to")
    V.log("not remembered: nothing stored")
    quit_app(s)

    # 2. Remembered.
    V.launch_vireo_with(s, uri)
    answer(s, "alice")
    password_dialog(s, remember=True)
    V.connection_row(s, V.CONNECTED, 20)
    got = s.wait_for(lambda: stored_passwords(s, uri) or None, 10, what="the password in the keyring")
    if got != "s3cret":
        raise V.HarnessError("the keyring holds %r for alice" % got)
    V.log("remembered: the keyring holds the password")
    quit_app(s)

    # The next start asks for the user name only.
    V.launch_vireo_with(s, uri)
    answer(s, "alice")
    V.connection_row(s, V.CONNECTED, 20)
    V.vm_row(s, "locked-1", "Running", 15)
    if any(s.name_of(w) == TITLE for w in s.windows()):
        raise V.HarnessError("the password was asked for again")
    V.log("next start: connected with the kept password")


if __name__ == "__main__":
    V.run_test(test_auth_keyring)
