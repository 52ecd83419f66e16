#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# vireoctl on builtin:///session with real QEMU under TCG: the accelerator in
# `list` (and why not KVM), save and restore, QEMU missing from PATH, a crash
# reported with the end of QEMU's log. TAP output.
set -u

: "${VIREO_BUILD_ROOT:?VIREO_BUILD_ROOT is not set: run through meson test}"

VIREOCTL="$VIREO_BUILD_ROOT/src/cli/vireoctl"
GRUB_ISO=/usr/lib/grub-rescue/grub-rescue-cdrom.iso
TMP=$(mktemp -d)
export LC_ALL=C.UTF-8 XDG_CONFIG_HOME="$TMP/config" XDG_DATA_HOME="$TMP/data" XDG_RUNTIME_DIR="$TMP/run"
unset VIREO_DEFAULT_URI VIREO_KVM_DEVICE
mkdir -p "$XDG_CONFIG_HOME/vireo/builtin" && mkdir -m 0700 "$XDG_RUNTIME_DIR"

# QEMUs this test started end with it, by their pidfiles only.
cleanup () {
  reap_qemu
  rm -rf "$TMP"
}
trap cleanup EXIT
. "$(dirname "$0")/../lib/reap-qemu.sh"
. "$(dirname "$0")/../lib/tap.sh"

run () {
  timeout 120 "$VIREOCTL" -c builtin:///session "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
  rc=$?
}

missing=""
[ -x "$VIREOCTL" ] || missing="vireoctl is not built at $VIREOCTL"
command -v qemu-system-x86_64 >/dev/null || missing="qemu-system-x86_64 is missing (Debian package qemu-system-x86)"
[ -f "$GRUB_ISO" ] || missing="$GRUB_ISO is missing (Debian package grub-rescue-pc)"
if [ -n "$missing" ]; then
  echo "1..1"
  echo "not ok 1 - $missing"
  exit 1
fi

# Definitions are files in the backend's folder, the format it keeps.
define () {  # NAME DOMAIN-TYPE
  local uuid
  uuid=$(cat /proc/sys/kernel/random/uuid)
  cat >"$XDG_CONFIG_HOME/vireo/builtin/$uuid.xml" <<EOF
<domain type='$2'><name>$1</name><uuid>$uuid</uuid><memory unit='MiB'>96</memory><vcpu>1</vcpu>
<os><type arch='x86_64'>hvm</type><boot dev='cdrom'/></os>
<devices><disk type='file' device='cdrom'><source file='$GRUB_ISO'/><target dev='sda' bus='sata'/></disk>
<graphics type='vnc'/></devices></domain>
EOF
  echo "$uuid"
}
GRUB_UUID=$(define cli-grub qemu)
define cli-kvm kvm >/dev/null

# ---- the accelerator ----
VIREO_KVM_DEVICE=/nonexistent/kvm run list
expect "list has an Accelerator column" 0 '^ *Id +Name +State +Accelerator'
expect "a VM set to be emulated: TCG, and why" 0 'cli-grub +Shut off +TCG: the VM is set to be emulated'
expect "no KVM device: TCG, naming the device" 0 'cli-kvm +Shut off +TCG: /nonexistent/kvm does not exist'
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
  run list
  expect "a usable /dev/kvm: KVM" 0 'cli-kvm +Shut off +KVM$'
fi

# ---- save and restore ----
run start cli-grub
expect "start" 0 'started'
pid=$(cat "$XDG_RUNTIME_DIR/vireo/$GRUB_UUID/qemu.pid" 2>/dev/null)
run list
expect "list: running, with TCG" 0 "^ *$pid +cli-grub +Running +TCG"
sleep 2
run save cli-grub
expect "save" 0 'VM “cli-grub” saved\.'
# Gone means no process, or a zombie nobody reaped (its cmdline is empty).
if [ -n "$pid" ] && [ ! -s "/proc/$pid/cmdline" ]; then ok "save: QEMU is gone"; else not_ok "save: QEMU is gone" "pid $pid"; fi
state="$XDG_DATA_HOME/vireo/save/$GRUB_UUID.state"
if [ -s "$state" ]; then ok "save: the state file is there"; else not_ok "save: the state file is there" "$state"; fi
run list
expect "list: shut off, saved" 0 'cli-grub +Shut off \(saved\)'
run start cli-grub
expect "start refuses a saved VM, pointing to restore" 1 '' 'vireoctl restore'
run restore cli-grub
expect "restore" 0 'VM “cli-grub” restored\.'
if [ ! -e "$state" ]; then ok "restore: the state file is removed"; else not_ok "restore: the state file is removed"; fi
run list
expect "list: running again" 0 '^ *[0-9]+ +cli-grub +Running'

# ---- a crash, with the end of QEMU's log ----
pid=$(cat "$XDG_RUNTIME_DIR/vireo/$GRUB_UUID/qemu.pid" 2>/dev/null)
echo "qemu-system-x86_64: said something before dying" >>"$XDG_RUNTIME_DIR/vireo/$GRUB_UUID/qemu.log"
[ -n "$pid" ] && kill -9 "$pid"
sleep 1
run list
expect "list: crashed" 0 'cli-grub +Crashed'
expect "list: how it crashed" 0 'QEMU ended abruptly \(killed or crashed\)'
expect "list: the end of its log" 0 '^  qemu-system-x86_64: said something before dying'

# ---- QEMU missing ----
timeout 60 env PATH=/nonexistent "$VIREOCTL" -c builtin:///session start cli-grub </dev/null >"$TMP/out" 2>"$TMP/err"
rc=$?
expect "QEMU not in PATH: the package to install" 1 '' 'install the qemu-system-x86 package'

run delete cli-grub
expect "delete" 0 'deleted'
run delete cli-kvm
expect "delete the other" 0 'deleted'

echo "1..$n"
[ "$failed" -eq 0 ]
