#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""libvirt's questions while opening a connection reach the user: a host that
asks for a user name and a password (tests/fixtures/auth.xml, alice/s3cret)
shows the "Authentication Required" dialog; the right answers connect and
list its VMs; a wrong password leaves the connection disconnected with the
reason, and the window keeps answering."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402

TITLE = "Authentication Required"


def answer(s, text, timeout=20):
    """Type into the dialog's one field and press Log In."""
    dlg = s.window(TITLE, timeout)
    entry = s.wait_for(lambda: next(iter(
        s.find_all(lambda r: r in ("text", "password text", "entry"), None, root=dlg)), None),
        10, what="a field in the authentication dialog")
    s.type_text(entry, text)
    s.click(s.find("button", re.compile(r"^Log In( Log In)?$"), 10, root=dlg))
    s.wait_for(lambda: not any(w.path == dlg.path for w in s.windows()), 10,
               what="the authentication dialog to close")


def test_auth(s):
    uri = V.test_uri(os.path.join(V.fixtures_dir(), "auth.xml"))

    # Right answers: connected, the VM listed.
    V.launch_vireo_with(s, uri)
    answer(s, "alice")
    answer(s, "s3cret")
    V.connection_row(s, V.CONNECTED, 20)
    V.vm_row(s, "locked-1", "Running", 15)


def test_wrong_password(s):
    uri = V.test_uri(os.path.join(V.fixtures_dir(), "auth.xml"))
    win = V.launch_vireo_with(s, uri)
    answer(s, "alice")
    answer(s, "wrong")
    row = V.connection_row(s, V.DISCONNECTED, 20)
    V.log("after a wrong password: %r" % s.name_of(row))
    s.probe(win)


if __name__ == "__main__":
    V.run_test(test_auth)
