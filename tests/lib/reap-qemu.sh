# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by the shell tests that run builtin VMs. QEMU runs detached from
# vireoctl, so a test that stops early (a failed step, meson's timeout) would
# leave its guests running: reap_qemu kills every QEMU whose pidfile is under
# the test's private runtime folder, without asking vireoctl (which may be
# what hung), and only processes that are QEMU (a pid may have been reused).
reap_qemu () {
  local runtime=${1:-$XDG_RUNTIME_DIR} f pid
  for f in "$runtime"/vireo/*/qemu.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null)
    [ -n "$pid" ] && grep -q 'qemu-system-' "/proc/$pid/cmdline" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  done
  return 0
}
# On TERM or INT (meson's timeout, Ctrl+C) exit, so that the EXIT trap runs.
trap 'exit 143' TERM
trap 'exit 130' INT
