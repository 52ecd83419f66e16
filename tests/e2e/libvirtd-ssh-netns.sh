#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a command against a "remote host": a network namespace of its own,
# reached over a veth pair, running sshd (key-only, its own config and host
# key) and a private libvirtd with the QEMU driver. The command gets
#   VIREO_TEST_URI=qemu+ssh://root@ADDR:PORT/system?keyfile=KEY&proxy=native
#   VIREO_TEST_TCP_URI=qemu+tcp://ADDR:PORT2/system (the same libvirtd)
# proxy=native makes libvirt use virt-ssh-helper on the remote side, never
# netcat; netcat is also hidden there, so nothing can fall back to it.
# The host key is in the client's known_hosts (no no_verify): the command
# runs in a mount namespace of its own where ~/.ssh is a private directory,
# so root's real ~/.ssh is never touched.
# The remote side has private /run/libvirt, /etc/libvirt/qemu and
# /var/lib/libvirt/qemu (its own mount namespace too), so it never collides
# with another libvirtd on the machine.
# Needs root and the packages of tools/deps/test.txt; fails with the reason.
set -euo pipefail
bail() { echo "Bail out! libvirtd-ssh-netns.sh: $*"; exit 1; }
[ "$(id -u)" -eq 0 ] || bail "needs root (network namespaces, qemu:///system)"
for prog in ip unshare mount sshd ssh ssh-keygen libvirtd virtlogd virt-ssh-helper qemu-system-x86_64; do
  command -v "$prog" >/dev/null || [ -x "/usr/sbin/$prog" ] ||
    bail "$prog is missing (tools/deps/test.txt: iproute2, openssh-server, openssh-client, libvirt-daemon-system, qemu-system-x86)"
done
SSHD=$(command -v sshd || echo /usr/sbin/sshd)

dir=$(mktemp -d /tmp/vireo-ssh-netns-XXXXXX)
chmod 755 "$dir"
ns="vireo-ssh-$$"
veth_host="vsh$$h"
veth_ns="vsh$$n"
# A /24 of 10.231.0.0/16 per run; the PID keeps parallel runs apart.
net="10.231.$(( $$ % 250 + 1 ))"
addr="$net.2"
port=$(( 20000 + $$ % 20000 ))
tcp_port=$(( port + 1 ))

cleanup() {
  set +e
  # Everything that runs in the namespace: sshd, libvirtd, virtlogd, QEMU.
  if ip netns pids "$ns" >/dev/null 2>&1; then
    pids=$(ip netns pids "$ns")
    [ -n "$pids" ] && kill $pids 2>/dev/null
    for _ in $(seq 1 30); do
      [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break
      sleep 0.1
    done
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null
    ip netns del "$ns"
  fi
  ip link del "$veth_host" 2>/dev/null
  if [ -n "${VIREO_TEST_KEEP:-}" ]; then echo "# kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT

ip netns add "$ns" || bail "ip netns add failed"
ip link add "$veth_host" type veth peer name "$veth_ns" || bail "cannot make a veth pair"
ip link set "$veth_ns" netns "$ns"
ip addr add "$net.1/24" dev "$veth_host"
ip link set "$veth_host" up
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" ip addr add "$addr/24" dev "$veth_ns"
ip netns exec "$ns" ip link set "$veth_ns" up

ssh-keygen -q -t ed25519 -N '' -C vireo-test-host -f "$dir/host_key"
ssh-keygen -q -t ed25519 -N '' -C vireo-test-client -f "$dir/client_key"
cp "$dir/client_key.pub" "$dir/authorized_keys"
mkdir -p "$dir/dotssh" /run/sshd
chmod 700 "$dir/dotssh"
echo "[$addr]:$port $(cut -d' ' -f1,2 "$dir/host_key.pub")" > "$dir/dotssh/known_hosts"

cat > "$dir/sshd_config" <<CONF
Port $port
ListenAddress $addr
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowTcpForwarding yes
LogLevel VERBOSE
CONF

# TCP too (no auth: only this namespace's address), for the displays that a
# TCP connection can and cannot reach.
cat > "$dir/libvirtd.conf" <<CONF
listen_tls = 0
listen_tcp = 1
auth_tcp = "none"
listen_addr = "$addr"
tcp_port = "$tcp_port"
log_outputs = "3:file:$dir/libvirtd.log"
CONF
cat > "$dir/virtlogd.conf" <<CONF
log_outputs = "3:file:$dir/virtlogd.log"
CONF

# The remote host's side, in the namespace and a mount namespace of its own.
cat > "$dir/remote.sh" <<'REMOTE'
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
# No netcat on this host: libvirt must use virt-ssh-helper.
for nc in nc netcat ncat nc.openbsd nc.traditional; do
  p=$(command -v "$nc" || true)
  [ -n "$p" ] && mount --bind /bin/false "$(readlink -f "$p")"
done
virtlogd -f "$dir/virtlogd.conf" >"$dir/virtlogd.out" 2>&1 &
# libvirtd starts guests only once virtlogd listens (slow under load).
for _ in $(seq 1 100); do
  [ -S /run/libvirt/virtlogd-sock ] && break
  sleep 0.1
done
libvirtd --listen -f "$dir/libvirtd.conf" -p "$dir/libvirtd.pid" >"$dir/libvirtd.out" 2>&1 &
for _ in $(seq 1 100); do
  [ -S /run/libvirt/libvirt-sock ] && break
  sleep 0.1
done
[ -S /run/libvirt/libvirt-sock ] && touch "$dir/libvirtd.ready"
exec "$SSHD" -D -e -f "$dir/sshd_config" >"$dir/sshd.log" 2>&1
REMOTE
SSHD=$SSHD ip netns exec "$ns" unshare --mount --propagation private bash "$dir/remote.sh" "$dir" &

for _ in $(seq 1 150); do
  [ -f "$dir/libvirtd.ready" ] && [ -f "$dir/sshd.pid" ] && break
  sleep 0.1
done
[ -f "$dir/libvirtd.ready" ] || bail "libvirtd did not start in $ns: $(tail -n 3 "$dir/libvirtd.log" "$dir/libvirtd.out" 2>/dev/null | tr '\n' ' ')"
[ -f "$dir/sshd.pid" ] || bail "sshd did not start in $ns: $(tail -n 3 "$dir/sshd.log" 2>/dev/null | tr '\n' ' ')"

export VIREO_TEST_URI="qemu+ssh://root@$addr:$port/system?keyfile=$dir/client_key&proxy=native"
export VIREO_TEST_REMOTE="$addr"
export VIREO_TEST_TCP_URI="qemu+tcp://$addr:$tcp_port/system"
echo "# remote host: namespace $ns, $VIREO_TEST_URI"
# The client, with a private ~/.ssh holding the host's key.
home=$(getent passwd "$(id -un)" | cut -d: -f6)
mkdir -p "$home/.ssh"
set +e
unshare --mount --propagation private sh -c 'mount --bind "$1" "$2/.ssh" && shift 2 && exec "$@"' \
  sh "$dir/dotssh" "$home" "$@"
status=$?
if [ $status -ne 0 ]; then
  echo "# sshd log:"; sed 's/^/#   /' "$dir/sshd.log" | tail -n 20
  echo "# libvirtd log:"; sed 's/^/#   /' "$dir/libvirtd.log" | tail -n 20
fi
exit $status
