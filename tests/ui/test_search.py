#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The "Search" toggle opens "Search VMs"; typing filters the VM rows by name
and clearing the entry brings every row back."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402


def test_search(s):
    xml = V.node_fixture()
    want = V.fixture_domains(xml)
    win = V.launch_vireo_with(s, V.test_uri(xml))
    V.assert_fixture_listed(s, xml)
    # a name fragment that some but not all fixture VMs share
    names = [n for n, _ in want]
    frag = next((n.split("-")[0] for n in names
                 if 0 < sum(n.split("-")[0] in m for m in names) < len(names)), None)
    if frag is None:
        raise V.HarnessError("the fixture has no name prefix shared by only some VMs")
    match = {n for n in names if frag in n}

    s.click(s.find("button", "Search", 10, root=win))
    entry = s.find(lambda r: r in ("entry", "text"), "Search VMs", 10, root=win)
    s.type_text(entry, frag)
    s.wait_for(lambda: set(V.vm_rows(s, win)) == match, 10,
               what="only %s to be listed for %r (shown: %r)"
               % (sorted(match), frag, sorted(V.vm_rows(s, win))))
    V.log("search %r lists %s" % (frag, sorted(match)))

    s.type_text(entry, "")
    s.wait_for(lambda: set(V.vm_rows(s, win)) == set(names), 10,
               what="every VM to come back when the search is cleared")


if __name__ == "__main__":
    V.run_test(test_search)
