#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End to end on the builtin backend, with no libvirt daemon reachable (see
# below): vireoctl create
# installs from a Debian tree served over HTTP on 127.0.0.1 (laid out from
# debian-installer-12-netboot-amd64, see debian-tree.sh). The kernel and
# initrd are fetched to the cache and booted directly by QEMU under TCG, the
# cache is emptied once the guest has read them, the saved definition is the
# final one (boots from its disk), the installer's first screen is read back
# through vireoctl screenshot, and the VM is deleted with its disk. Private
# XDG folders; every QEMU this script started is killed on any exit. TAP.
set -u

: "${VIREO_BUILD_ROOT:?VIREO_BUILD_ROOT is not set: run through meson test}"
: "${VIREO_SOURCE_ROOT:?VIREO_SOURCE_ROOT is not set: run through meson test}"

# Run through tests/lib/no-libvirt.sh: no libvirt daemon can be reached or
# started, so "a machine without libvirt" holds even where this one has
# libvirt installed.
VIREOCTL="$VIREO_BUILD_ROOT/src/cli/vireoctl"
. "$VIREO_SOURCE_ROOT/tests/e2e/debian-tree.sh"
URI=builtin:///session
TMP=$(mktemp -d)
PIDS=()
export LC_ALL=C.UTF-8
export XDG_CONFIG_HOME="$TMP/config" XDG_DATA_HOME="$TMP/data" XDG_CACHE_HOME="$TMP/cache"
export XDG_RUNTIME_DIR="$TMP/runtime"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
IMAGES="$XDG_DATA_HOME/vireo/images"
DEFS="$XDG_CONFIG_HOME/vireo/builtin"
CACHE="$XDG_CACHE_HOME/vireo/boot"
NAME="debian é & <x>"
unset VIREO_DEFAULT_URI

cleanup () {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  reap_qemu
  rm -rf "$TMP"
}
trap cleanup EXIT
. "$(dirname "$0")/../lib/reap-qemu.sh"
. "$(dirname "$0")/../lib/tap.sh"

ctl () {
  timeout 300 "$VIREOCTL" -c "$URI" "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
  rc=$?
}
qemu_args () {  # the running QEMU's command line, one argument a line
  local uuid pid
  uuid=$(sed -n 's:.*<uuid>\(.*\)</uuid>.*:\1:p' "$DEFS"/*.xml 2>/dev/null | head -1)
  pid=$(cat "$XDG_RUNTIME_DIR/vireo/$uuid/qemu.pid" 2>/dev/null)
  [ -n "$pid" ] && tr '\0' '\n' <"/proc/$pid/cmdline"
}

for f in "$VIREOCTL" "$DI/linux" "$DI/initrd.gz"; do
  [ -e "$f" ] || { echo "1..1"; echo "not ok 1 - $f is missing (tools/deps/test.txt)"; exit 1; }
done
for p in qemu-system-x86_64 qemu-img convert; do
  command -v "$p" >/dev/null ||
    { echo "1..1"; echo "not ok 1 - $p is missing (tools/deps/test.txt)"; exit 1; }
done
if [ "${VIREO_NO_LIBVIRT:-}" != 1 ]; then
  not_ok "run through tests/lib/no-libvirt.sh (meson test e2e-builtin-install-debian)"
elif ! command -v virsh >/dev/null; then
  ok "no libvirt client here at all"
elif ! timeout 30 virsh -c qemu:///system uri >/dev/null 2>&1 &&
     ! timeout 30 virsh -c qemu:///session uri >/dev/null 2>&1; then
  ok "no libvirt daemon can be reached or started (system or session)"
else
  not_ok "no libvirt daemon can be reached or started (system or session)"
fi

TREE="$TMP/tree"
debian_tree "$TREE" || { echo "1..1"; echo "not ok 1 - could not lay out the Debian tree"; exit 1; }
HTTP=$(free_port)
/usr/bin/python3 -m http.server "$HTTP" --bind 127.0.0.1 --directory "$TREE" >/dev/null 2>&1 &
PIDS+=($!)
wait_port "$HTTP" || { echo "1..1"; echo "not ok 1 - the HTTP server did not start"; exit 1; }

ctl create --name "$NAME" --location "http://127.0.0.1:$HTTP/dists/bookworm/" \
  --virt-type qemu --memory 1024 --disk size=2 --network user
expect "create from the Debian tree over HTTP" 0 'created on builtin:///session; its installation is running' \
  'Downloading'
ctl list
expect "the VM runs" 0 "debian é & <x> +Running"

args=$(qemu_args)
if grep -qx -- '-kernel' <<<"$args" && grep -qx -- '-initrd' <<<"$args" &&
   grep -qx -- '-no-reboot' <<<"$args" && grep -qx 'tcg' <<<"$args"; then
  ok "the install phase boots the tree's kernel and initrd directly under TCG, ending at its reboot"
else
  not_ok "the install phase boots the tree's kernel and initrd directly under TCG, ending at its reboot" "$args"
fi
if [ -z "$(ls -A "$CACHE" 2>/dev/null)" ]; then ok "no boot file left in the cache"; else
  not_ok "no boot file left in the cache" "$(ls -A "$CACHE")"; fi
def=$(cat "$DEFS"/*.xml 2>/dev/null)
if [ -n "$def" ] && ! grep -q '<kernel>' <<<"$def" && grep -q "<source file=['\"]$IMAGES/" <<<"$def"; then
  ok "the saved definition is the final one: no kernel, its disk in the images folder"
else
  not_ok "the saved definition is the final one: no kernel, its disk in the images folder" "$def"
fi

if wait_installer_screen "$VIREOCTL" "$URI" "$NAME" "$TMP/debian.png"; then
  ok "the guest shows the Debian installer"
else
  not_ok "the guest shows the Debian installer"
fi
[ -n "${VIREO_E2E_KEEP_SHOTS:-}" ] && cp "$TMP/debian.png" "$VIREO_E2E_KEEP_SHOTS/builtin-debian.png"

ctl destroy "$NAME"
expect "force it off" 0
ctl delete --remove-storage "$NAME"
expect "delete it with its disk" 0 'and its storage deleted'
if [ -z "$(ls -A "$IMAGES" 2>/dev/null)" ] && ! ls "$DEFS"/*.xml >/dev/null 2>&1 &&
   [ -z "$(ls -A "$CACHE" 2>/dev/null)" ]; then
  ok "nothing left: no image, no definition, no cached file"
else
  not_ok "nothing left: no image, no definition, no cached file" \
    "left: $(ls -A "$IMAGES" "$DEFS" "$CACHE" 2>/dev/null | tr '\n' ' ')"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
