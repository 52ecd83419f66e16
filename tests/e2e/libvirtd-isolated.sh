#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Like libvirtd-qemu.sh, but the private libvirtd and virtlogd run in a mount
# namespace of their own, with fresh /etc/libvirt (a copy), /run/libvirt,
# /var/lib/libvirt, /var/log/libvirt and /var/cache/libvirt: pools and VMs a
# test defines never reach the machine's configuration, and other libvirtds
# running at the same time (whose driver pid files live in /run/libvirt) do
# not stop this one. Exports VIREO_TEST_URI and runs the command inside.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "Bail out! libvirtd-isolated.sh: needs root"; exit 1; }
for prog in libvirtd virtlogd qemu-system-x86_64 unshare; do
  command -v "$prog" >/dev/null || { echo "Bail out! libvirtd-isolated.sh: $prog is missing (tools/deps/test.txt)"; exit 1; }
done

if [ "${VIREO_IN_NAMESPACE:-}" != 1 ]; then
  exec env VIREO_IN_NAMESPACE=1 unshare --mount --propagation private -- "$0" "$@"
fi

dir=$(mktemp -d /tmp/vireo-libvirtd-isolated-XXXXXX)
mkdir -p "$dir/etc"
cp -a /etc/libvirt/. "$dir/etc/"
rm -rf "$dir/etc/qemu/"*.xml "$dir/etc/storage" "$dir/etc/qemu/autostart" 2>/dev/null || true
# Guests run as root, as in libvirtd-qemu.sh: where /dev/kvm is root's only
# (no udev), libvirt would find KVM unusable for libvirt-qemu, drop its
# QEMU capabilities and probe QEMU again at every lookup (a minute a call).
printf 'user = "root"\ngroup = "root"\n' >> "$dir/etc/qemu.conf"
mount --bind "$dir/etc" /etc/libvirt
for d in /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt; do
  mkdir -p "$d"
  mount -t tmpfs -o mode=0755 tmpfs "$d"
done
mkdir -p "$dir/sock" /var/lib/libvirt/qemu /var/lib/libvirt/images /var/lib/libvirt/boot /var/log/libvirt/qemu
# Should QEMU run as libvirt-qemu after all, it must reach its own state.
chown libvirt-qemu: /var/lib/libvirt/qemu 2>/dev/null || true

# VIREO_LIBVIRTD_TCP=1: it also listens on a free TCP port of 127.0.0.1,
# without authentication, so a client sees it as a remote host
# (VIREO_TEST_TCP_URI, qemu+tcp://127.0.0.1:PORT/system).
tcp=0
listen=()
if [ "${VIREO_LIBVIRTD_TCP:-}" = 1 ]; then
  tcp=1
  listen=(--listen)
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
fi
cat > "$dir/libvirtd.conf" <<CONF
listen_tls = 0
listen_tcp = $tcp
listen_addr = "127.0.0.1"
tcp_port = "${port:-16509}"
auth_tcp = "none"
unix_sock_dir = "$dir/sock"
log_outputs = "3:file:$dir/libvirtd.log"
CONF
cat > "$dir/virtlogd.conf" <<CONF
log_outputs = "3:file:$dir/virtlogd.log"
CONF

cleanup() {
  # This daemon's guests go first, through the daemon.
  if [ -S "$dir/sock/libvirt-sock" ]; then
    for vm in $(virsh -c "qemu+unix:///system?socket=$dir/sock/libvirt-sock" list --name 2>/dev/null); do
      virsh -c "qemu+unix:///system?socket=$dir/sock/libvirt-sock" destroy "$vm" >/dev/null 2>&1 || true
    done
  fi
  [ -f "$dir/libvirtd.pid" ] && kill "$(cat "$dir/libvirtd.pid")" 2>/dev/null || true
  [ -n "${virtlogd_pid:-}" ] && kill "$virtlogd_pid" 2>/dev/null || true
  sleep 0.5
  # Guests of this daemon only: their pidfiles are in our /run/libvirt.
  for pidfile in /run/libvirt/qemu/*.pid; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  rm -rf "$dir"
}
trap cleanup EXIT
trap "exit 1" TERM INT

virtlogd -f "$dir/virtlogd.conf" -p "$dir/virtlogd.pid" >"$dir/virtlogd.out" 2>&1 &
virtlogd_pid=$!
libvirtd "${listen[@]}" -f "$dir/libvirtd.conf" -p "$dir/libvirtd.pid" >"$dir/libvirtd.out" 2>&1 &
for _ in $(seq 1 100); do
  [ -S "$dir/sock/libvirt-sock" ] && break
  sleep 0.1
done
[ -S "$dir/sock/libvirt-sock" ] || { echo "Bail out! libvirtd did not start: $(tail -n 3 "$dir/libvirtd.log" 2>/dev/null | tr "\n" " ")"; exit 1; }

export VIREO_TEST_URI="qemu+unix:///system?socket=$dir/sock/libvirt-sock"
if [ "$tcp" = 1 ]; then
  for _ in $(seq 1 100); do
    /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
    sleep 0.1
  done
  export VIREO_TEST_TCP_URI="qemu+tcp://127.0.0.1:$port/system"
fi
"$@"
