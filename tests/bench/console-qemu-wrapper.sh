#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installed by console-bench.py as qemu-system-x86_64 in a directory put
# first in PATH for `vireoctl start`, so the guest is run by Vireo's own
# builtin backend. It execs the real QEMU ($CONSOLE_BENCH_QEMU) with the
# same arguments plus:
#   - a second VNC listener on 127.0.0.1:$CONSOLE_BENCH_VNC_DISPLAY beside
#     the builtin's unix socket (QEMU serves both from one VNC server):
#     remote-viewer 11 cannot open a VNC unix socket, Vireo's builtin
#     backend uses only the unix socket;
#   - a QMP socket of the benchmark's own ($CONSOLE_BENCH_QMP), for
#     screendumps, so Vireo's monitors are never borrowed.
set -euo pipefail
args=()
for a in "$@"; do
  if [ "${prev:-}" = "-vnc" ] && [[ $a == unix:* ]]; then
    a="$a,vnc=127.0.0.1:$CONSOLE_BENCH_VNC_DISPLAY"
  fi
  args+=("$a")
  prev=$a
done
exec "$CONSOLE_BENCH_QEMU" "${args[@]}" -qmp "unix:$CONSOLE_BENCH_QMP,server=on,wait=off"
