#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""(d) A remote host whose libvirtd dies and comes back.

A private libvirtd serves the test driver on 127.0.0.1 (test+tcp://). The app
watches it; SIGKILL the daemon -> the connection row says "Disconnected: …"
within a few seconds; start it again on the same port -> the app reconnects by
itself (backoff at most 30 s) and lists the VMs again."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402

DISCONNECT_WITHIN = 10.0   # seconds from SIGKILL to "Disconnected"
DOWNTIME = 20.0            # seconds libvirtd stays dead
RECONNECT_WITHIN = 40.0    # 30 s backoff ceiling + connect + list


def test_reconnect(s):
    xml = V.node_fixture()
    d = s.libvirtd()
    uri = d.uri(xml)
    win = V.launch_vireo_with(s, uri)
    V.connection_row(s, V.CONNECTED, 20)
    want = V.assert_fixture_listed(s, xml, 20)

    d.kill()
    t0 = time.monotonic()
    row = V.connection_row(s, V.DISCONNECTED, DISCONNECT_WITHIN)
    V.log("disconnected after %.2f s: %r" % (time.monotonic() - t0, s.name_of(row)))
    if time.monotonic() - t0 > DISCONNECT_WITHIN:
        raise V.HarnessError("the disconnect took longer than %.0f s" % DISCONNECT_WITHIN)
    # The window still answers while the host is gone.
    s.probe(win)
    s.screenshot(os.path.join(s.tmp, "disconnected.png"))

    # Stay down long enough for the retry backoff to grow towards its 30 s
    # ceiling; the row must keep saying Disconnected and the window answer.
    t_down = time.monotonic() + DOWNTIME
    worst = 0.0
    while time.monotonic() < t_down:
        worst = max(worst, s.probe(win))
        name = s.name_of(row)
        if not re.search(V.DISCONNECTED + "$", name):
            row = V.connection_row(s, V.DISCONNECTED + "|" + V.CONNECTING, 2)
        time.sleep(0.25)
    V.log("while the host was down the slowest AT-SPI round trip took %.1f ms" % (worst * 1000))
    d.start()
    t1 = time.monotonic()
    row = V.connection_row(s, V.CONNECTED, RECONNECT_WITHIN)
    V.log("reconnected %.2f s after libvirtd came back: %r" % (time.monotonic() - t1, s.name_of(row)))
    for name, state in want:
        V.vm_row(s, name, state, 15)
    V.log("all %d VMs listed again %.2f s after the restart" % (len(want), time.monotonic() - t1))


if __name__ == "__main__":
    V.run_test(test_reconnect)
