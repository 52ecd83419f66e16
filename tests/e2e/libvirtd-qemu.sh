#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a command beside a private libvirtd with the QEMU driver, reachable at
# qemu+unix:///system?socket=$DIR/sock/libvirt-sock (exported as
# VIREO_TEST_URI). Needs root (the QEMU driver's system mode) and the
# packages of tools/deps/test.txt; fails with the reason when they are not.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "Bail out! libvirtd-qemu.sh: needs root for qemu:///system"; exit 1; }
for prog in libvirtd virtlogd qemu-system-x86_64; do
  command -v "$prog" >/dev/null || { echo "Bail out! libvirtd-qemu.sh: $prog is missing (tools/deps/test.txt)"; exit 1; }
done

dir=$(mktemp -d /tmp/vireo-libvirtd-qemu-XXXXXX)
mkdir -p "$dir/sock" /var/log/libvirt /run/libvirt /var/lib/libvirt/qemu
cat > "$dir/libvirtd.conf" <<CONF
listen_tls = 0
listen_tcp = 0
unix_sock_dir = "$dir/sock"
log_outputs = "3:file:$dir/libvirtd.log"
CONF
cat > "$dir/virtlogd.conf" <<CONF
log_outputs = "3:file:$dir/virtlogd.log"
CONF

cleanup() {
  [ -f "$dir/libvirtd.pid" ] && kill "$(cat "$dir/libvirtd.pid")" 2>/dev/null || true
  [ -n "${virtlogd_pid:-}" ] && kill "$virtlogd_pid" 2>/dev/null || true
  sleep 0.5
  rm -rf "$dir"
}
trap cleanup EXIT

# virtlogd may already run (a system one, or an earlier test's); one is enough.
# Its socket is what counts: a virtlogd whose socket another test's cleanup
# removed serves nobody, so start one of our own (with its own pidfile).
if [ ! -S /run/libvirt/virtlogd-sock ]; then
  virtlogd -f "$dir/virtlogd.conf" -p "$dir/virtlogd.pid" >"$dir/virtlogd.out" 2>&1 &
  virtlogd_pid=$!
  for _ in $(seq 1 50); do [ -S /run/libvirt/virtlogd-sock ] && break; sleep 0.1; done
fi
libvirtd -f "$dir/libvirtd.conf" -p "$dir/libvirtd.pid" >"$dir/libvirtd.out" 2>&1 &
for _ in $(seq 1 100); do
  [ -S "$dir/sock/libvirt-sock" ] && break
  sleep 0.1
done
[ -S "$dir/sock/libvirt-sock" ] || { echo "Bail out! libvirtd did not start: $(tail -n 3 "$dir/libvirtd.log" 2>/dev/null | tr "\n" " ")"; exit 1; }

export VIREO_TEST_URI="qemu+unix:///system?socket=$dir/sock/libvirt-sock"
"$@"
