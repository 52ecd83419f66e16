#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End to end, beside a private libvirtd (run through libvirtd-isolated.sh):
# vireoctl create installs from a Debian tree laid out from the package
# debian-installer-12-netboot-amd64 and served on 127.0.0.1 over HTTP
# (python3 -m http.server), FTP (pyftpdlib, anonymous) and NFS (nfs-ganesha
# with rpcbind, see start_nfs in debian-tree.sh) — one VM for each: the boot
# files are fetched, uploaded into the pool (the daemon is a /system one),
# the guest boots the installer under TCG and shows its first screen, read
# through vireoctl screenshot, and the VM is deleted with its disk. GRUB's
# rescue ISO boots too; Ctrl+C during a download leaves nothing on the host.
# TAP output; a server that does not start is a failed step, with its log.
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
DEBIAN_FTP=vireo-e2e-debian-ftp
DEBIAN_NFS=vireo-e2e-debian-nfs
GRUB="vireo-e2e grub & ü"
cleanup () {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  stop_nfs
  for vm in "$DEBIAN" "$DEBIAN_FTP" "$DEBIAN_NFS" "$GRUB"; do
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
# Multi-line text as one not_ok reason: its lines after the first stay TAP comments.
indent () { sed '1!s/^/#     /'; }
# A step that is not about the last vireoctl run: no stale output under it.
no_output () { : >"$TMP/out"; : >"$TMP/err"; }
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

# install_debian SCHEME NAME URL [full]: vireoctl create from the Debian
# tree at URL as VM NAME; its disk is in the pool and the uploaded boot files
# are gone, the cache is empty; with "full", the install phase's definition
# is checked against the final one too. Then the installer's first screen,
# and delete with its disk. Prints how long it took.
install_debian () {
  local scheme=$1 name=$2 url=$3 full=${4:-} start=$SECONDS vols live inactive
  echo "# ---- the Debian installer over $scheme: $url ----"
  ctl create --name "$name" --location "$url" \
    --virt-type qemu --memory 1024 --disk size=2 --network user
  expect "create from the Debian tree over $scheme" 0 'its installation is running' 'Uploading the installer’s kernel and initrd'
  echo "# created after $((SECONDS - start)) s"
  vols=$(virsh -c "$URI" vol-list default 2>&1)
  if grep -qF "$name.qcow2" <<<"$vols" && ! grep -q 'vireo-.*-kernel\|vireo-.*-initrd' <<<"$vols"; then
    ok "$scheme: its disk is in the pool; the uploaded boot files are gone"
  else
    not_ok "$scheme: its disk is in the pool; the uploaded boot files are gone" "$(indent <<<"$vols")"
  fi
  if [ -z "$(ls -A "$CACHE" 2>/dev/null)" ]; then ok "$scheme: no boot file left in the cache"; else
    not_ok "$scheme: no boot file left in the cache" "$(ls -A "$CACHE" | indent)"; fi
  if [ "$full" = full ]; then
    live=$(virsh -c "$URI" dumpxml "$name" 2>&1)
    inactive=$(virsh -c "$URI" dumpxml --inactive "$name" 2>&1)
    if grep -q '<kernel>' <<<"$live" && grep -q '<on_reboot>destroy' <<<"$live" &&
       ! grep -q '<kernel>' <<<"$inactive" && grep -q '<on_reboot>restart' <<<"$inactive"; then
      ok "$scheme: the install phase runs; the final definition boots from disk"
    else
      not_ok "$scheme: the install phase runs; the final definition boots from disk" "$(indent <<<"$live")"
    fi
  fi

  # The installer's first screen (debian-tree.sh); no wait for a VM that is not running.
  if [ "$(virsh -c "$URI" domstate "$name" 2>/dev/null | head -1)" != running ]; then
    no_output
    not_ok "$scheme: the guest shows the Debian installer" "the VM is not running: $(virsh -c "$URI" domstate "$name" 2>&1 | head -1)"
  elif wait_installer_screen "$VIREOCTL" "$URI" "$name" "$TMP/$name.png"; then
    ok "$scheme: the guest shows the Debian installer"
  else
    no_output
    not_ok "$scheme: the guest shows the Debian installer"
  fi
  [ -n "${VIREO_E2E_KEEP_SHOTS:-}" ] && [ -e "$TMP/$name.png" ] &&
    cp "$TMP/$name.png" "$VIREO_E2E_KEEP_SHOTS/${name#vireo-e2e-}.png"
  virsh -c "$URI" destroy "$name" >/dev/null 2>&1
  ctl delete --remove-storage "$name"
  expect "$scheme: delete it with its disk" 0 'and its storage deleted'
  echo "# the $scheme part took $((SECONDS - start)) s"
}

install_debian HTTP "$DEBIAN" "http://127.0.0.1:$HTTP/dists/bookworm/" full

# ---- the same tree over FTP (pyftpdlib, anonymous, read-only) ----
FTP=$(free_port)
"$PY" -m pyftpdlib -i 127.0.0.1 -p "$FTP" -d "$TREE" >"$TMP/ftp.log" 2>&1 &
PIDS+=($!)
if wait_port "$FTP"; then
  ok "an FTP server serves the tree on 127.0.0.1:$FTP"
  install_debian FTP "$DEBIAN_FTP" "ftp://127.0.0.1:$FTP/dists/bookworm/"
else
  no_output
  not_ok "an FTP server serves the tree on 127.0.0.1:$FTP" "pyftpdlib did not start: $(tail -n 20 "$TMP/ftp.log" | indent)"
fi

# ---- the same tree over NFS (nfs-ganesha, debian-tree.sh) ----
if start_nfs "$TREE" "$TMP/nfs"; then
  ok "an NFS server serves the tree on 127.0.0.1"
  install_debian NFS "$DEBIAN_NFS" "nfs://127.0.0.1$TREE/dists/bookworm/"
else
  no_output
  not_ok "an NFS server serves the tree on 127.0.0.1" "$(indent <<<"$NFS_ERROR")"
fi
stop_nfs

# ---- GRUB's rescue ISO ----
start=$SECONDS
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
echo "# the ISO part took $((SECONDS - start)) s"

# ---- Ctrl+C during the download leaves nothing on the host ----
start=$SECONDS
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
  not_ok "after Ctrl+C: no VM, no volume, no cached file" "$(indent <<<"$vols")" "$(indent <<<"$doms")" \
    "$(ls -A "$CACHE" 2>/dev/null | indent)"
fi

echo "# the Ctrl+C part took $((SECONDS - start)) s; all: $SECONDS s"
echo "1..$n"
[ "$failed" -eq 0 ]
