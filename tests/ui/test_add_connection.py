#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""(c) Adding a connection through the "Add Connection" dialog.

An invalid URI keeps "Connect" insensitive (or the dialog shows an error and
stays open); a test:/// URI of a second fixture connects, its connection row
says Connected and its VMs are listed next to the first host's."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402


def uri_entry(s, dlg):
    """The "URI" entry: a GtkEntry/GtkText or an AdwEntryRow titled URI."""
    cands = s.find_all(lambda r: r in ("text", "entry", "password text"), "URI", root=dlg)
    if cands:
        return cands[0]
    # AdwEntryRow (libadwaita 1.2) labels the row, the GtkText is inside it.
    row = s.find(None, "URI", 10, root=dlg)
    for a, _ in s.iter_tree(row, 6):
        if s.role_name(a) in ("text", "entry") and "Text" in a.get_interfaces():
            return a
    raise V.HarnessError("no editable text for 'URI' in the dialog:\n" + s.dump(dlg))




def dialog_error_shown(s, dlg):
    """Any label/status text in the dialog that looks like an error."""
    rx = re.compile(r"(invalid|not a valid|error|cannot|unsupported|unknown)", re.I)
    for a, _ in s.iter_tree(dlg):
        if rx.search(s.name_of(a)) or (s.role_name(a) == "label" and rx.search(s.text_of(a) or "")):
            return s.name_of(a) or s.text_of(a)
    return None


def test_add_connection(s):
    xml = V.node_fixture()
    second = V.require_file(os.path.join(V.ui_fixtures_dir(), "second.xml"),
                            "tests/ui/fixtures/second.xml")
    win = V.launch_vireo_with(s, V.test_uri(xml))
    V.connection_row(s, V.CONNECTED, 15)
    V.assert_fixture_listed(s, xml)

    s.click(s.find("button", "Add Connection", 10, root=win))
    dlg = s.window("Add Connection", 10)
    V.log("Add Connection dialog:\n" + s.dump(dlg))
    entry = uri_entry(s, dlg)
    connect = s.find("button", "Connect", 10, root=dlg)

    # An invalid URI: Connect stays insensitive, or pressing it shows an error
    # and the dialog stays open without adding a connection.
    bad = "no such scheme ::: uri"
    s.type_text(entry, bad)
    s.wait_for(lambda: s.text_of(entry) == bad, 5, what="the URI entry to hold %r" % bad)
    time.sleep(0.5)
    if s.is_sensitive(connect):
        s.click(connect)
        err = s.wait_for(lambda: dialog_error_shown(s, dlg), 10, what=None)
        if not err:
            raise V.HarnessError("an invalid URI left Connect sensitive and pressing it "
                                 "showed no error:\n" + s.dump(dlg))
        if not any(w.path == dlg.path for w in s.windows()):
            raise V.HarnessError("the dialog closed on an invalid URI")
        V.log("invalid URI: error shown: %r" % err)
    else:
        V.log("invalid URI: Connect is insensitive")

    s.type_text(entry, V.test_uri(second))
    s.wait_for(lambda: s.text_of(entry) == V.test_uri(second), 5,
               what="the URI entry to hold the second fixture's URI")
    s.wait_for(lambda: s.is_sensitive(s.find("button", "Connect", 1, root=dlg)), 10,
               what="Connect to become sensitive for a valid test:/// URI")
    s.click(s.find("button", "Connect", 1, root=dlg))

    s.wait_for(lambda: all(s.name_of(w) != "Add Connection" for w in s.windows()), 15,
               what="the Add Connection dialog to close")
    V.connection_row(s, V.CONNECTED, 15, display_re=r".*second\.xml.*")
    V.assert_fixture_listed(s, second)
    # The first host is still listed as it was.
    V.assert_fixture_listed(s, xml, timeout=5)
    s.screenshot(os.path.join(s.tmp, "add-connection.png"))


if __name__ == "__main__":
    V.run_test(test_add_connection)
