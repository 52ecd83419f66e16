#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The console window with GTK's GL renderer (Mesa's software rasterizer
# under Xvfb, where each frame takes longer than the refresh interval): it
# must reach the guest's display. It did not while the "Connecting…" spinner
# turned, because gtk-vnc starts its connection from an idle callback that a
# window redrawn every frame never lets run. Also: the window opens exactly
# one connection to the VM's display (a second, cancelled one used to stay
# open, its greeting unread). The AT-SPI harness cannot drive the app with
# GL here, so this looks at the screen and at the sockets. TAP output.
set -u

: "${VIREO_BUILD_ROOT:?VIREO_BUILD_ROOT is not set: run through meson test}"

VIREO="$VIREO_BUILD_ROOT/src/ui/vireo"
VIREOCTL="$VIREO_BUILD_ROOT/src/cli/vireoctl"
ISO=/usr/lib/grub-rescue/grub-rescue-cdrom.iso
NAME="gl console"
TMP=$(mktemp -d)
PIDS=()
export LC_ALL=C.UTF-8 GSETTINGS_BACKEND=memory
export GSETTINGS_SCHEMA_DIR="${GSETTINGS_SCHEMA_DIR:-$VIREO_BUILD_ROOT/data}"
export XDG_CONFIG_HOME="$TMP/config" XDG_DATA_HOME="$TMP/data" XDG_CACHE_HOME="$TMP/cache"
export XDG_RUNTIME_DIR="$TMP/runtime"
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME/vireo/builtin" && chmod 700 "$XDG_RUNTIME_DIR"
unset VIREO_DEFAULT_URI DBUS_SESSION_BUS_ADDRESS

cleanup () {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  reap_qemu
  [ -n "${KEEP:-}" ] && echo "# kept $TMP" || rm -rf "$TMP"
}
trap cleanup EXIT
. "$(dirname "$0")/../lib/reap-qemu.sh"

n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () {
  n=$((n + 1)); failed=$((failed + 1))
  echo "not ok $n - $1"
  shift
  for line in "$@"; do echo "#   $line"; done
}

missing=""
for p in Xvfb dbus-run-session import convert ss qemu-system-x86_64; do
  command -v "$p" >/dev/null || missing="$p is missing (tools/deps/test.txt)"
done
[ -f "$ISO" ] || missing="$ISO is missing (grub-rescue-pc)"
[ -x "$VIREO" ] || missing="vireo is not built at $VIREO"
if [ -n "$missing" ]; then echo "1..1"; echo "not ok 1 - $missing"; exit 1; fi

uuid=$(cat /proc/sys/kernel/random/uuid)
cat >"$XDG_CONFIG_HOME/vireo/builtin/$uuid.xml" <<EOF
<domain type='qemu'><name>$NAME</name><uuid>$uuid</uuid><memory unit='MiB'>96</memory><vcpu>1</vcpu>
<os><type arch='x86_64'>hvm</type><boot dev='cdrom'/></os>
<devices><disk type='file' device='cdrom'><source file='$ISO'/><target dev='sda' bus='sata'/></disk>
<graphics type='vnc'/></devices></domain>
EOF
if timeout 120 "$VIREOCTL" -c builtin:///session start "$NAME" >"$TMP/out" 2>&1; then
  ok "the VM runs"
else
  not_ok "the VM runs" "$(cat "$TMP/out")"; echo "1..$n"; exit 1
fi

Xvfb -displayfd 9 -screen 0 1280x1024x24 -nolisten tcp 9>"$TMP/display" >"$TMP/xvfb.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$TMP/display" ] && break; sleep 0.1; done
export DISPLAY=":$(head -1 "$TMP/display")"
GSK_RENDERER=gl dbus-run-session -- "$VIREO" --no-remembered \
  --connect builtin:///session --show-domain-console "$NAME" >"$TMP/app.log" 2>&1 &
PIDS+=($!)

# The window sits at the top left (no window manager): its header bar is
# light; below it, the guest's screen (GRUB's menu, mostly black) once the
# display shows, where "Connecting…" is a light page. The screen around the
# window is black too, so the header bar says the window is there.
share () {  # IMAGE GEOMETRY: share of dark pixels in that part
  convert "$1" -crop "$2" +repage -colorspace Gray -threshold 15% -negate -format '%[fx:mean]' info: 2>/dev/null
}
shown () {
  /usr/bin/python3 -c "import sys; sys.exit(0 if float('${head:-1}') < 0.5 and float('${dark:-0}') > 0.5 else 1)"
}
head=1 dark=0
for _ in $(seq 60); do
  sleep 1
  import -window root "$TMP/shot.png" 2>/dev/null || continue
  head=$(share "$TMP/shot.png" 600x30+100+8)
  dark=$(share "$TMP/shot.png" 800x500+60+120)
  shown && break
done
# GTK falls back to cairo when GL cannot be had: Mesa must be loaded.
app=$(pgrep -n -f -- "--show-domain-console $NAME")
if [ -n "$app" ] && grep -Eq 'swrast_dri|libgallium|llvmpipe' "/proc/$app/maps"; then
  ok "the window draws with the GL renderer (Mesa is loaded)"
else
  not_ok "the window draws with the GL renderer (Mesa is loaded)" "pid ${app:-none}" "$(tail -3 "$TMP/app.log")"
fi
if shown; then
  ok "the guest's display is shown (dark share: header bar $head, display $dark)"
else
  not_ok "the guest's display is shown" "dark share: header bar ${head:-none}, display ${dark:-none}" \
    "$(tail -5 "$TMP/app.log")"
fi

# One connection to the VNC socket, and nothing left unread on it.
conns=$(ss -x -p 2>/dev/null | grep "$XDG_RUNTIME_DIR/vireo/$uuid/vnc.sock" | grep -c ESTAB)
queued=$(ss -x 2>/dev/null | grep "$XDG_RUNTIME_DIR/vireo/$uuid/vnc.sock" | awk '$4 > 0' | wc -l)
if [ "$conns" -eq 1 ] && [ "$queued" -eq 0 ]; then
  ok "one display connection, read by the window"
else
  not_ok "one display connection, read by the window" \
    "$(ss -x 2>/dev/null | grep "$XDG_RUNTIME_DIR/vireo/$uuid/vnc.sock")"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
