#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `vireoctl export` and `vireoctl import` between builtin:///session and a
# private libvirtd with the QEMU driver ($VIREO_TEST_URI, from
# tests/e2e/libvirtd-qemu.sh): the definition is defined on the other host,
# the disk copied into its "default" pool (a transient one made here) with
# its data, the copy boots there; a running VM and a name already taken are
# refused with the reason. TAP output.
set -u

: "${VIREO_BUILD_ROOT:?VIREO_BUILD_ROOT is not set: run through meson test}"
: "${VIREO_TEST_URI:?VIREO_TEST_URI is not set: run through tests/e2e/libvirtd-qemu.sh}"

VIREOCTL="$VIREO_BUILD_ROOT/src/cli/vireoctl"
GRUB_ISO=/usr/lib/grub-rescue/grub-rescue-cdrom.iso
B=builtin:///session
L=$VIREO_TEST_URI
# Readable by libvirt's QEMU user, which runs the copy.
TMP=$(mktemp -d /tmp/vireo-copy-XXXXXX)
chmod 0755 "$TMP"
export LC_ALL=C.UTF-8 XDG_CONFIG_HOME="$TMP/config" XDG_DATA_HOME="$TMP/data" XDG_RUNTIME_DIR="$TMP/run"
unset VIREO_DEFAULT_URI VIREO_KVM_DEVICE
mkdir -p "$XDG_CONFIG_HOME/vireo/builtin" "$TMP/pool" && mkdir -m 0700 "$XDG_RUNTIME_DIR"
mkdir -p -m 0755 "$XDG_DATA_HOME" "$XDG_DATA_HOME/vireo" "$XDG_DATA_HOME/vireo/images"
VM=copy-grub

cleanup () {
  virsh -c "$L" destroy "$VM" >/dev/null 2>&1
  virsh -c "$L" undefine "$VM" >/dev/null 2>&1
  virsh -c "$L" undefine native >/dev/null 2>&1
  virsh -c "$L" pool-destroy default >/dev/null 2>&1
  reap_qemu
  rm -rf "$TMP"
}
trap cleanup EXIT
. "$(dirname "$0")/../lib/reap-qemu.sh"
. "$(dirname "$0")/../lib/tap.sh"

run () {
  timeout 120 "$VIREOCTL" "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
  rc=$?
}
check () {  # NAME COMMAND…: a test that a command succeeds
  local name=$1; shift
  if "$@" >"$TMP/out" 2>"$TMP/err"; then ok "$name"; else not_ok "$name" "failed: $*"; fi
}
has_pattern () { qemu-io -f qcow2 -r -c "read -P 0x5a 0 64k" "$1" 2>&1 | grep -q "read 65536/65536" &&
                 ! qemu-io -f qcow2 -r -c "read -P 0x5a 0 64k" "$1" 2>&1 | grep -q "Pattern verification failed"; }

missing=""
for prog in qemu-system-x86_64 qemu-img qemu-io virsh; do
  command -v "$prog" >/dev/null || missing="$prog is missing (tools/deps/test.txt)"
done
[ -x "$VIREOCTL" ] || missing="vireoctl is not built at $VIREOCTL"
[ -f "$GRUB_ISO" ] || missing="$GRUB_ISO is missing (Debian package grub-rescue-pc)"
if [ -n "$missing" ]; then
  echo "1..1"
  echo "not ok 1 - $missing"
  exit 1
fi

# A builtin VM with a disk holding known data.
disk="$XDG_DATA_HOME/vireo/images/$VM.qcow2"
qemu-img create -q -f qcow2 "$disk" 64M && qemu-io -f qcow2 -c "write -P 0x5a 0 64k" "$disk" >/dev/null
uuid=$(cat /proc/sys/kernel/random/uuid)
cat >"$XDG_CONFIG_HOME/vireo/builtin/$uuid.xml" <<EOF
<domain type='qemu'><name>$VM</name><uuid>$uuid</uuid><memory unit='MiB'>96</memory><vcpu>1</vcpu>
<os><type arch='x86_64'>hvm</type><boot dev='cdrom'/></os>
<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$disk'/><target dev='vda' bus='virtio'/></disk>
<disk type='file' device='cdrom'><source file='$GRUB_ISO'/><target dev='sda' bus='sata'/><readonly/></disk>
<graphics type='vnc'/></devices></domain>
EOF
check "the private libvirtd gets a default pool" \
  virsh -c "$L" pool-create-as default dir --target "$TMP/pool"

# ---- export: builtin → libvirt ----
run -c "$B" start "$VM"
expect "start the builtin VM" 0
run -c "$B" export "$VM" --to "$L"
expect "export refuses a running VM" 1 '' 'is running: shut it down'
run -c "$B" destroy "$VM"
run -c "$B" export "$VM" --to "$L"
expect "export" 0 'copied to'
copy=$(virsh -c "$L" domblklist "$VM" --details 2>/dev/null | awk '$2 == "disk" {print $4}')
case "$copy" in
  "$TMP/pool/"*) ok "the disk went into the default pool ($copy)" ;;
  *) not_ok "the disk went into the default pool" "domblklist says '$copy'" ;;
esac
if [ -n "$copy" ] && has_pattern "$copy"; then ok "the copy holds the disk's data"; else not_ok "the copy holds the disk's data"; fi
if has_pattern "$disk"; then ok "the original disk is unchanged"; else not_ok "the original disk is unchanged"; fi
run -c "$B" list
expect "the builtin VM is still there" 0 "$VM +Shut off"
check "the copy boots on libvirt" virsh -c "$L" start "$VM"
sleep 1
if virsh -c "$L" domstate "$VM" 2>/dev/null | grep -q running; then ok "it runs there"; else not_ok "it runs there"; fi
virsh -c "$L" destroy "$VM" >/dev/null 2>&1
run -c "$B" export "$VM" --to "$L"
expect "export again: the name is taken" 1 '' 'already has a VM'

# ---- import: libvirt → builtin ----
run -c "$B" delete --remove-storage "$VM"
expect "delete the builtin original" 0
run -c "$B" import "$VM" --from "$L"
expect "import" 0 'copied to builtin'
imported=$(grep -hoE "source file=[\"'][^\"']*/images/[^\"']*" "$XDG_CONFIG_HOME"/vireo/builtin/*.xml | head -1 | sed -E "s/source file=[\"']//")
case "$imported" in
  "$XDG_DATA_HOME/vireo/images/"*) ok "the disk went into the builtin image folder ($imported)" ;;
  *) not_ok "the disk went into the builtin image folder" "definition names '$imported'" ;;
esac
if [ -n "$imported" ] && has_pattern "$imported"; then ok "the imported disk holds the data"; else not_ok "the imported disk holds the data"; fi
run -c "$B" start "$VM"
expect "the imported VM starts on the builtin backend" 0 'started'
run -c "$B" list
expect "and runs" 0 "$VM +Running"
run -c "$B" destroy "$VM"
run -c "$B" import "$VM" --from "$L"
expect "import again: the name is taken" 1 '' 'already has a VM'
# A VM as virt-install defines it (q35, a libvirt network, SPICE, channels,
# controllers): imported, it gets user-mode networking and runs.
native="$TMP/pool/native.qcow2"
qemu-img create -q -f qcow2 "$native" 32M
cat >"$TMP/native.xml" <<EOF
<domain type='qemu'><name>native</name><memory unit='KiB'>131072</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type><boot dev='hd'/></os>
<features><acpi/><apic/></features><clock offset='utc'><timer name='rtc' tickpolicy='catchup'/></clock>
<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>
<disk type='file' device='disk'><driver name='qemu' type='qcow2' discard='unmap'/><source file='$native'/><target dev='vda' bus='virtio'/></disk>
<disk type='file' device='cdrom'><driver name='qemu' type='raw'/><target dev='sda' bus='sata'/><readonly/></disk>
<controller type='usb' model='qemu-xhci' ports='15'/>
<interface type='network'><mac address='52:54:00:12:34:56'/><source network='default'/><model type='virtio'/></interface>
<serial type='pty'><target type='isa-serial' port='0'/></serial><console type='pty'><target type='serial' port='0'/></console>
<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
<channel type='spicevmc'><target type='virtio' name='com.redhat.spice.0'/></channel>
<input type='tablet' bus='usb'/><graphics type='spice' autoport='yes'/><sound model='ich9'/>
<video><model type='qxl' primary='yes'/></video><memballoon model='virtio'/>
<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng></devices></domain>
EOF
check "a virt-install-like VM is defined on libvirt" virsh -c "$L" define "$TMP/native.xml"
run -c "$B" import native --from "$L"
expect "import it" 0 'copied to builtin'
if grep -l "<name>native</name>" "$XDG_CONFIG_HOME"/vireo/builtin/*.xml | xargs grep -q 'interface type="user"'; then
  ok "its libvirt network became user-mode networking"
else
  not_ok "its libvirt network became user-mode networking"
fi
run -c "$B" start native
expect "it starts on the builtin backend" 0 'started'
run -c "$B" destroy native
run -c "$B" delete --remove-storage native
virsh -c "$L" undefine native >/dev/null 2>&1

run -c "$B" import no-such-vm --from "$L"
expect "import of an unknown VM" 1 '' 'no VM named'
run -c "$B" export "$VM"
expect "export without --to: usage" 2 '' 'needs --to'

echo "1..$n"
[ "$failed" -eq 0 ]
