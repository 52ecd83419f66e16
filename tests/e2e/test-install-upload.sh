#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End to end, beside a private libvirtd (run through libvirtd-isolated.sh):
# vireoctl create --cdrom ISO --upload copies an ISO of this computer into
# the host's pool "default" (as a remote host needs it) and the guest boots
# it (GRUB's rescue ISO, under TCG, checked on its screen); the volume stays
# after the install; the same upload again is refused by name; Ctrl+C during
# the upload of a big image leaves no volume, no VM and no disk. TAP output.
set -u

: "${VIREO_TEST_URI:?run through tests/e2e/libvirtd-isolated.sh}"
: "${VIREO_BUILD_ROOT:?VIREO_BUILD_ROOT is not set: run through meson test}"
: "${VIREO_SOURCE_ROOT:?VIREO_SOURCE_ROOT is not set: run through meson test}"

VIREOCTL="$VIREO_BUILD_ROOT/src/cli/vireoctl"
. "$VIREO_SOURCE_ROOT/tests/e2e/debian-tree.sh"
GRUB_ISO=/usr/lib/grub-rescue/grub-rescue-cdrom.iso
URI=$VIREO_TEST_URI
TMP=$(mktemp -d)
export LC_ALL=C.UTF-8 XDG_CACHE_HOME="$TMP/cache"
VM="vireo-upload grub"
cleanup () {
  for vm in "$VM" vireo-upload-again vireo-upload-cancel; do
    virsh -c "$URI" destroy "$vm" >/dev/null 2>&1
    virsh -c "$URI" undefine "$vm" --remove-all-storage >/dev/null 2>&1
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
. "$VIREO_SOURCE_ROOT/tests/lib/tap.sh"

ctl () {
  timeout 600 "$VIREOCTL" -c "$URI" "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
  rc=$?
}
for f in "$VIREOCTL" "$GRUB_ISO"; do
  [ -e "$f" ] || { echo "1..1"; echo "not ok 1 - $f is missing (tools/deps/test.txt)"; exit 1; }
done
command -v convert >/dev/null || { echo "1..1"; echo "not ok 1 - convert is missing (imagemagick)"; exit 1; }

# The ISO under a name with a space and a non-ASCII letter, readable by us only.
mkdir -p "$TMP/media"
ISO="$TMP/media/rescue ü.iso"
cp "$GRUB_ISO" "$ISO"
chmod 600 "$ISO"
virsh -c "$URI" domcapabilities --virttype qemu >/dev/null 2>&1

# ---- upload, boot ----
ctl create --name "$VM" --cdrom "$ISO" --upload --virt-type qemu --memory 256 --disk size=1 --network user
expect "create --upload: the ISO is uploaded and the install runs" 0 'its installation is running' \
  'Uploading “rescue ü.iso” to '
vols=$(virsh -c "$URI" vol-list default --details 2>&1)
vol_path=$(virsh -c "$URI" vol-path --pool default "rescue ü.iso" 2>/dev/null)
if [ -n "$vol_path" ] && cmp -s "$ISO" "$vol_path"; then
  ok "the pool has the ISO's exact copy ($vol_path)"
else
  not_ok "the pool has the ISO's exact copy" "$vols"
fi
live=$(virsh -c "$URI" dumpxml "$VM" 2>&1)
if grep -qF "<source file='$vol_path'" <<<"$live"; then
  ok "the install phase boots the uploaded volume"
else
  not_ok "the install phase boots the uploaded volume" "$live"
fi
seen=0
for _ in $(seq 30); do
  sleep 3
  if "$VIREOCTL" -c "$URI" screenshot "$VM" "$TMP/grub.png" >/dev/null 2>&1; then
    share=$(lit_share "$TMP/grub.png")
    if /usr/bin/python3 -c "import sys; sys.exit(0 if float('$share' or 0) > 0.05 else 1)"; then seen=1; break; fi
  fi
done
if [ "$seen" = 1 ]; then ok "the guest boots the uploaded ISO (GRUB on its screen)"; else
  not_ok "the guest boots the uploaded ISO (GRUB on its screen)" "lit share: ${share:-none}"; fi
virsh -c "$URI" destroy "$VM" >/dev/null 2>&1
ctl delete --remove-storage "$VM"
expect "delete the VM with its disk" 0 'and its storage deleted'
if virsh -c "$URI" vol-path --pool default "rescue ü.iso" >/dev/null 2>&1; then
  ok "the uploaded ISO stays in the pool for the next install"
else
  not_ok "the uploaded ISO stays in the pool for the next install"
fi

# ---- the same file again: refused by name, nothing made ----
ctl create --name vireo-upload-again --cdrom "$ISO" --upload --virt-type qemu --memory 256 --disk size=1
expect "uploading over a volume of the same name is refused" 1 '' \
  'The pool “default” already has a volume named “rescue ü.iso”'
if ! virsh -c "$URI" list --all --name | grep -q vireo-upload-again &&
   ! virsh -c "$URI" vol-list default | grep -q 'vireo-upload-again'; then
  ok "after the refusal: no VM, no disk"
else
  not_ok "after the refusal: no VM, no disk" "$(virsh -c "$URI" vol-list default 2>&1)"
fi

# ---- Ctrl+C during the upload of a big image ----
BIG="$TMP/media/big.iso"
truncate -s 1536M "$BIG"
"$VIREOCTL" -c "$URI" create --name vireo-upload-cancel --cdrom "$BIG" --upload --virt-type qemu \
  --memory 256 --disk size=1 </dev/null >"$TMP/out" 2>"$TMP/err" &
pid=$!
for _ in $(seq 300); do grep -q 'Uploading' "$TMP/err" && break; sleep 0.1; done
sleep 0.5
kill -INT "$pid"
wait "$pid"; rc=$?
expect "Ctrl+C during the upload" 1 '' 'cancelled; nothing of “vireo-upload-cancel” was left behind'
vols=$(virsh -c "$URI" vol-list default 2>&1)
doms=$(virsh -c "$URI" list --all --name 2>&1)
if ! grep -q 'big.iso\|vireo-upload-cancel' <<<"$vols" && ! grep -q 'vireo-upload-cancel' <<<"$doms"; then
  ok "after Ctrl+C: no partial volume, no VM, no disk"
else
  not_ok "after Ctrl+C: no partial volume, no VM, no disk" "$vols" "$doms"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
