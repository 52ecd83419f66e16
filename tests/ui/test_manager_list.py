#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""(a) The manager window lists every VM of a test-driver host with its state.

The expected names and states come from the fixture file itself
(<domain><name> and <test:runstate>), not from this script."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402


def test_manager_lists_fixture(s):
    xml = V.node_fixture()
    win = V.launch_vireo_with(s, V.test_uri(xml))
    V.connection_row(s, V.CONNECTED, 15)
    want = V.assert_fixture_listed(s, xml)
    shown = V.vm_rows(s, win)
    V.log("VM rows shown: %r" % shown)
    for name, state in want:
        if shown.get(name) != state:
            raise V.HarnessError("VM %s: expected %r, the window shows %r" % (name, state, shown.get(name)))
    extra = set(shown) - {n for n, _ in want}
    if extra:
        raise V.HarnessError("rows for VMs that are not in the fixture: %r" % sorted(extra))
    # The window answers promptly once the list is there.
    worst = max(s.probe(win) for _ in range(20))
    V.log("worst AT-SPI round trip over 20 probes: %.1f ms" % (worst * 1000))
    s.screenshot(os.path.join(s.tmp, "list.png"))


if __name__ == "__main__":
    V.run_test(test_manager_lists_fixture)
