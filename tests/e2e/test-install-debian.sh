#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End to end, beside a private libvirtd (run through libvirtd-isolated.sh):
# vireoctl create installs from a Debian tree laid out from the package
# debian-installer-12-netboot-amd64 and served over HTTP on 127.0.0.1 — the
# boot files are fetched, uploaded into the pool (the daemon is a /system
# one), the guest boots the installer under TCG and shows its first screen,
# read through vireoctl screenshot; GRUB's rescue ISO boots too; Ctrl+C
# during a download leaves nothing on the host. TAP output.
set -u

: "${VIREO_TEST_URI:?run through tests/e2e/libvirtd-isolated.sh}"
: "${VIREO_BUILD_ROOT:?VIREO_BUILD_ROOT is not set: run through meson test}"
: "${VIREO_SOURCE_ROOT:?VIREO_SOURCE_ROOT is not set: run through meson test}"

VIREOCTL="$VIREO_BUILD_ROOT/src/cli/vireoctl"
. "$VIREO_SOURCE_ROOT/tests/e2e/debian-tree.sh"
ISO=/usr/lib/grub-rescue/grub-rescue-cdrom.iso
PY=/usr/bin/python3
URI=$VIREO_TEST_URI
TMP=$(mktemp -d)
PIDS=()
export LC_ALL=C.UTF-8 XDG_CACHE_HOME="$TMP/cache"
CACHE="$XDG_CACHE_HOME/vireo/boot"
DEBIAN=vireo-e2e-debian
GRUB="vireo-e2e grub & ü"
cleanup () {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for vm in "$DEBIAN" "$GRUB"; do
    virsh -c "$URI" destroy "$vm" >/dev/null 2>&1
    virsh -c "$URI" undefine "$vm" --remove-all-storage >/dev/null 2>&1
  done
  rm -rf "$TMP"
}
trap cleanup EXIT

n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () {
  n=$((n + 1)); failed=$((failed + 1))
  echo "not ok $n - $1"
  shift
  for line in "$@"; do echo "#   $line"; done
  echo "#   stdout: $(head -c 1500 "$TMP/out" 2>/dev/null | sed 's/^/#     /')"
  echo "#   stderr: $(head -c 1500 "$TMP/err" 2>/dev/null | sed 's/^/#     /')"
}
ctl () {
  timeout 600 "$VIREOCTL" -c "$URI" "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
  rc=$?
}
expect () {
  local name=$1 want_rc=$2 out_re=${3:-} err_re=${4:-}
  if [ "$rc" -ne "$want_rc" ]; then
    not_ok "$name" "exit status $rc, expected $want_rc"
  elif [ -n "$out_re" ] && ! grep -Eq -- "$out_re" "$TMP/out"; then
    not_ok "$name" "stdout does not match /$out_re/"
  elif [ -n "$err_re" ] && ! grep -Eq -- "$err_re" "$TMP/err"; then
    not_ok "$name" "stderr does not match /$err_re/"
  else
    ok "$name"
  fi
}
for f in "$VIREOCTL" "$DI/linux" "$DI/initrd.gz" "$ISO" "$PY"; do
  [ -e "$f" ] || { echo "1..1"; echo "not ok 1 - $f is missing (tools/deps/test.txt)"; exit 1; }
done
command -v convert >/dev/null || { echo "1..1"; echo "not ok 1 - convert is missing (imagemagick)"; exit 1; }

# ---- a Debian tree, as a mirror lays it out ----
TREE="$TMP/tree"
debian_tree "$TREE" || { echo "1..1"; echo "not ok 1 - could not lay out the Debian tree"; exit 1; }
# The same tree with a big kernel, served slowly, for Ctrl+C.
cp -r "$TREE" "$TMP/big"
head -c $((48 * 1024 * 1024)) /dev/zero >"$TMP/big/dists/bookworm/main/installer-amd64/current/images/netboot/debian-installer/amd64/linux"

HTTP=$(free_port)
"$PY" -m http.server "$HTTP" --bind 127.0.0.1 --directory "$TREE" >/dev/null 2>&1 &
PIDS+=($!)
SLOWP=$(free_port)
"$PY" "$VIREO_SOURCE_ROOT/tests/install/slow-http.py" "$SLOWP" "$TMP/big" >/dev/null 2>&1 &
PIDS+=($!)
wait_port "$HTTP" && wait_port "$SLOWP" || { echo "1..1"; echo "not ok 1 - the HTTP servers did not start"; exit 1; }

# libvirtd probes QEMU on its first use; not part of what is tested.
virsh -c "$URI" domcapabilities --virttype qemu >/dev/null 2>&1

# ---- the Debian installer over HTTP ----
ctl create --name "$DEBIAN" --location "http://127.0.0.1:$HTTP/dists/bookworm/" \
  --virt-type qemu --memory 1024 --disk size=2 --network user
expect "create from the Debian tree over HTTP" 0 'its installation is running' 'Uploading the installer’s kernel and initrd'
vols=$(virsh -c "$URI" vol-list default 2>&1)
if grep -q "$DEBIAN.qcow2" <<<"$vols" && ! grep -q 'vireo-.*-kernel\|vireo-.*-initrd' <<<"$vols"; then
  ok "its disk is in the pool; the uploaded boot files are gone"
else
  not_ok "its disk is in the pool; the uploaded boot files are gone" "$vols"
fi
if [ -z "$(ls -A "$CACHE" 2>/dev/null)" ]; then ok "no boot file left in the cache"; else
  not_ok "no boot file left in the cache" "$(ls -A "$CACHE")"; fi
live=$(virsh -c "$URI" dumpxml "$DEBIAN" 2>&1)
inactive=$(virsh -c "$URI" dumpxml --inactive "$DEBIAN" 2>&1)
if grep -q '<kernel>' <<<"$live" && grep -q '<on_reboot>destroy' <<<"$live" &&
   ! grep -q '<kernel>' <<<"$inactive" && grep -q '<on_reboot>restart' <<<"$inactive"; then
  ok "the install phase runs; the final definition boots from disk"
else
  not_ok "the install phase runs; the final definition boots from disk" "$live"
fi

# The installer's first screen (debian-tree.sh).
if wait_installer_screen "$VIREOCTL" "$URI" "$DEBIAN" "$TMP/debian.png"; then
  ok "the guest shows the Debian installer"
else
  not_ok "the guest shows the Debian installer"
fi
[ -n "${VIREO_E2E_KEEP_SHOTS:-}" ] && cp "$TMP/debian.png" "$VIREO_E2E_KEEP_SHOTS/debian.png"
virsh -c "$URI" destroy "$DEBIAN" >/dev/null 2>&1
ctl delete --remove-storage "$DEBIAN"
expect "delete it with its disk" 0 'and its storage deleted'

# ---- GRUB's rescue ISO ----
ctl create --name "$GRUB" --cdrom "$ISO" --virt-type qemu --memory 256 --disk size=1 --network user
expect "create from an ISO" 0 'its installation is running'
seen=0
for _ in $(seq 20); do
  sleep 3
  if "$VIREOCTL" -c "$URI" screenshot "$GRUB" "$TMP/grub.png" >/dev/null 2>&1; then
    share=$(lit_share "$TMP/grub.png")
    if "$PY" -c "import sys; sys.exit(0 if float('$share' or 0) > 0.05 else 1)"; then seen=1; break; fi
  fi
done
if [ "$seen" = 1 ]; then ok "the ISO boots (GRUB's menu is on the screen)"; else
  not_ok "the ISO boots (GRUB's menu is on the screen)" "lit share: ${share:-none}"; fi
virsh -c "$URI" destroy "$GRUB" >/dev/null 2>&1
ctl delete --remove-storage "$GRUB"
expect "delete the ISO VM with its disk" 0 'and its storage deleted'

# ---- Ctrl+C during the download leaves nothing on the host ----
"$VIREOCTL" -c "$URI" create --name vireo-e2e-cancel --virt-type qemu --memory 512 --disk size=1 \
  --location "http://127.0.0.1:$SLOWP/dists/bookworm/" </dev/null >"$TMP/out" 2>"$TMP/err" &
pid=$!
for _ in $(seq 300); do grep -q 'Downloading' "$TMP/err" && break; sleep 0.1; done
sleep 1
kill -INT "$pid"
wait "$pid"; rc=$?
expect "Ctrl+C during the download" 1 '' 'cancelled; nothing of “vireo-e2e-cancel” was left behind'
vols=$(virsh -c "$URI" vol-list default 2>&1)
doms=$(virsh -c "$URI" list --all --name 2>&1)
if ! grep -q 'vireo-e2e-cancel\|vireo-.*-kernel' <<<"$vols" && ! grep -q 'vireo-e2e-cancel' <<<"$doms" &&
   [ -z "$(ls -A "$CACHE" 2>/dev/null)" ]; then
  ok "after Ctrl+C: no VM, no volume, no cached file"
else
  not_ok "after Ctrl+C: no VM, no volume, no cached file" "$vols" "$doms" "$(ls -A "$CACHE" 2>/dev/null)"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
