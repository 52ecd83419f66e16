#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a command beside a private libvirtd with the QEMU driver, reachable at
# qemu+unix:///system?socket=$DIR/sock/libvirt-sock (exported as
# VIREO_TEST_URI). Needs root (the QEMU driver's system mode) and the
# packages of tools/deps/test.txt; fails with the reason when they are not.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "Bail out! libvirtd-qemu.sh: needs root for qemu:///system"; exit 1; }
for prog in libvirtd virtlogd qemu-system-x86_64 unshare ip; do
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

# The daemons run in mount and network namespaces of their own, with private
# state directories (/run/libvirt, /etc/libvirt/qemu, /var/lib/libvirt/qemu,
# …): another libvirtd on the machine (a system one, or another test's)
# keeps its pid files, its virtlogd and its VMs, and never sees ours. The
# client reaches the daemon through its socket in $dir, and the displays
# through virDomainOpenGraphicsFD.
cat > "$dir/daemons.sh" <<'DAEMONS'
set -eu
dir=$1
for d in /run/libvirt /etc/libvirt/qemu /var/lib/libvirt/qemu /var/log/libvirt; do
  mkdir -p "$d"
  mount -t tmpfs -o mode=0755 vireo-test "$d"
done
chown libvirt-qemu:kvm /var/lib/libvirt/qemu 2>/dev/null || true
# Guests run as root here: where /dev/kvm is root's only (no udev to give it
# to the kvm group), libvirt finds its QEMU capabilities stale on every
# look-up as libvirt-qemu and probes QEMU again, which makes each define
# and start take tens of seconds.
{ cat /etc/libvirt/qemu.conf 2>/dev/null; printf 'user = "root"\ngroup = "root"\n'; } > "$dir/qemu.conf"
mount --bind "$dir/qemu.conf" /etc/libvirt/qemu.conf
ip link set lo up
virtlogd -f "$dir/virtlogd.conf" >"$dir/virtlogd.out" 2>&1 &
# libvirtd starts guests only once virtlogd listens (slow under load).
for _ in $(seq 1 100); do
  [ -S /run/libvirt/virtlogd-sock ] && break
  sleep 0.1
done
exec libvirtd -f "$dir/libvirtd.conf" -p "$dir/libvirtd.pid" >"$dir/libvirtd.out" 2>&1
DAEMONS

# Every process of that network namespace: libvirtd, virtlogd and the QEMU
# guests a failed test left running (QEMU gets a mount namespace of its own
# from libvirt, but keeps the daemon's network namespace).
ns_pids() {
  [ -n "${net_ns:-}" ] || return 0
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/ns/net" 2>/dev/null)" = "$net_ns" ] && echo "${p#/proc/}"
  done
  return 0
}

cleanup() {
  set +e
  pids=$(ns_pids)
  [ -n "$pids" ] && kill $pids 2>/dev/null
  for _ in $(seq 1 30); do
    [ -z "$(ns_pids)" ] && break
    sleep 0.1
  done
  pids=$(ns_pids)
  [ -n "$pids" ] && kill -9 $pids 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT

unshare --mount --net --propagation private bash "$dir/daemons.sh" "$dir" &
daemons_pid=$!
for _ in $(seq 1 100); do
  net_ns=$(readlink "/proc/$daemons_pid/ns/net" 2>/dev/null || true)
  [ -n "$net_ns" ] && [ "$net_ns" != "$(readlink /proc/self/ns/net)" ] && break
  net_ns=
  sleep 0.05
done
for _ in $(seq 1 100); do
  [ -S "$dir/sock/libvirt-sock" ] && break
  sleep 0.1
done
[ -S "$dir/sock/libvirt-sock" ] || { echo "Bail out! libvirtd did not start: $(tail -n 3 "$dir/libvirtd.log" 2>/dev/null | tr "\n" " ")"; exit 1; }

export VIREO_TEST_URI="qemu+unix:///system?socket=$dir/sock/libvirt-sock"
"$@"
