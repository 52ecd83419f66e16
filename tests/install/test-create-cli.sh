#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# vireoctl create on the libvirt test driver (test:///default, whose
# capabilities offer HVM and Xen PV guests), from trees served over HTTP on
# 127.0.0.1: every method makes valid XML and a VM; bad input gets a clear
# message and leaves no cached boot file; Ctrl+C during a download cleans
# up. TAP output.
set -u

: "${VIREO_BUILD_ROOT:?VIREO_BUILD_ROOT is not set: run through meson test}"
: "${VIREO_SOURCE_ROOT:?VIREO_SOURCE_ROOT is not set: run through meson test}"

VIREOCTL="$VIREO_BUILD_ROOT/src/cli/vireoctl"
TREES="$VIREO_SOURCE_ROOT/tests/install/trees"
SLOW="$VIREO_SOURCE_ROOT/tests/install/slow-http.py"
ISO=/usr/lib/grub-rescue/grub-rescue-cdrom.iso
PY=/usr/bin/python3
URI=test:///default
TMP=$(mktemp -d)
PIDS=()
cleanup () {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT
export LC_ALL=C.UTF-8
export XDG_CACHE_HOME="$TMP/cache"
CACHE="$XDG_CACHE_HOME/vireo/boot"
unset VIREO_DEFAULT_URI

n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () {
  n=$((n + 1)); failed=$((failed + 1))
  echo "not ok $n - $1"
  shift
  for line in "$@"; do echo "#   $line"; done
  echo "#   stdout: $(head -c 1500 "$TMP/out" | sed 's/^/#     /')"
  echo "#   stderr: $(head -c 6000 "$TMP/err" | sed 's/^/#     /')"
}

# run ARGS…: vireoctl create, its status in $rc. One that has not ended
# after 60 s is a hang: its threads' stacks go to $TMP/err (shown by
# not_ok) before it is killed, with status 124 as timeout(1) gives.
run () {
  "$VIREOCTL" -c "$URI" create "$@" </dev/null >"$TMP/out" 2>"$TMP/err" &
  local pid=$! t=0
  while kill -0 "$pid" 2>/dev/null && [ "$t" -lt 600 ]; do sleep 0.1; t=$((t + 1)); done
  if kill -0 "$pid" 2>/dev/null; then
    { echo "vireoctl hung; its threads:"
      gdb -p "$pid" -batch -ex "thread apply all bt" 2>&1 | grep -E '^(Thread|#)' | head -60
    } >>"$TMP/err"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rc=124
    return
  fi
  wait "$pid"
  rc=$?
}

cache_empty () { [ -z "$(ls -A "$CACHE" 2>/dev/null)" ]; }

# expect NAME RC [stdout-regex] [stderr-regex]: also checks no boot file
# was left in the cache.
expect () {
  local name=$1 want_rc=$2 out_re=${3:-} err_re=${4:-}
  if [ "$rc" -ne "$want_rc" ]; then
    not_ok "$name" "exit status $rc, expected $want_rc"
  elif [ -n "$out_re" ] && ! grep -Eq -- "$out_re" "$TMP/out"; then
    not_ok "$name" "stdout does not match /$out_re/"
  elif [ -n "$err_re" ] && ! grep -Eq -- "$err_re" "$TMP/err"; then
    not_ok "$name" "stderr does not match /$err_re/"
  elif ! cache_empty; then
    not_ok "$name" "boot files left in $CACHE: $(ls -A "$CACHE")"
  else
    ok "$name"
  fi
}

# Each document --print-xml printed must pass virt-xml-validate.
validate_printed () {
  local name=$1 i=0 bad=""
  rm -f "$TMP"/doc-*.xml
  awk -v dir="$TMP" '/^<domain/ { i++ } i > 0 { print > (dir "/doc-" i ".xml") }' "$TMP/out"
  for f in "$TMP"/doc-*.xml; do
    [ -e "$f" ] || { bad="no XML printed"; break; }
    i=$((i + 1))
    if ! virt-xml-validate "$f" domain >"$TMP/validate" 2>&1; then
      bad="$(basename "$f") is not valid: $(head -c 500 "$TMP/validate")"
    fi
  done
  if [ -n "$bad" ]; then not_ok "$name" "$bad"; else ok "$name ($i documents)"; fi
}

for f in "$VIREOCTL" "$ISO" "$PY"; do
  if [ ! -e "$f" ]; then
    echo "1..1"; echo "not ok 1 - $f is missing (build, or install tools/deps/test.txt)"; exit 1
  fi
done
command -v virt-xml-validate >/dev/null || { echo "1..1"; echo "not ok 1 - virt-xml-validate is missing (libvirt-clients)"; exit 1; }

# ---- servers ----
SERVE="$TMP/serve"
mkdir -p "$SERVE"
cp -r "$TREES/debian-bookworm" "$TREES/arm-only" "$SERVE/"
cp -r "$TREES/debian-bookworm" "$SERVE/debian-big"
head -c $((24 * 1024 * 1024)) /dev/zero \
  > "$SERVE/debian-big/dists/bookworm/main/installer-i386/current/images/netboot/debian-installer/i386/linux"
free_port () { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port () {
  for _ in $(seq 100); do
    "$PY" -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),1)" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
HTTP=$(free_port)
"$PY" -m http.server "$HTTP" --bind 127.0.0.1 --directory "$SERVE" >/dev/null 2>&1 &
PIDS+=($!)
SLOWP=$(free_port)
"$PY" "$SLOW" "$SLOWP" "$SERVE" >/dev/null 2>&1 &
PIDS+=($!)
wait_port "$HTTP" && wait_port "$SLOWP" || { echo "1..1"; echo "not ok 1 - the HTTP servers did not start"; exit 1; }
TREE="http://127.0.0.1:$HTTP/debian-bookworm/"

K="$TMP/vmlinuz & co"; I="$TMP/initrd ü.img"; DISK="$TMP/disk & <co> ü.qcow2"
echo K >"$K"; echo I >"$I"; echo QFI >"$DISK"

# ---- every method: valid XML, then the VM ----
while IFS='|' read -r label args; do
  eval "set -- $args"
  run --name "vireo-$label" --memory 512 --print-xml "$@"
  if [ "$rc" -ne 0 ]; then not_ok "$label: --print-xml" "exit status $rc"; else validate_printed "$label: --print-xml is valid"; fi
  run --name "vireo-$label" --memory 512 "$@"
  expect "$label: created" 0 'created on test:///default' 'Creating the VM'
done <<EOF
iso-hvm|--cdrom "$ISO"
url-hvm|--location "$TREE" --extra-args "priority=low console=ttyS0"
url-pv|--location "$TREE" --paravirt
pxe-hvm|--pxe
import-hvm|--import --disk "path=$DISK"
import-pv|--import --disk "path=$DISK" --paravirt
kernel-hvm|--boot "kernel=$K,initrd=$I,cmdline=console=ttyS0 a=b,c"
kernel-pv|--boot "kernel=$K,initrd=$I" --paravirt
no-start|--cdrom "$ISO" --no-start --network user --disk size=2 --vcpus 2
macvtap|--cdrom "$ISO" --network direct=eth0
spice|--cdrom "$ISO" --graphics spice
EOF

# SPICE: the agent's channel and two USB redirection ports, as virt-manager.
run --name vireo-spice2 --memory 512 --cdrom "$ISO" --graphics spice --print-xml
if [ "$rc" -eq 0 ] && tr -d '\n ' <"$TMP/out" | grep -q '<channeltype="spicevmc"><targettype="virtio"name="com.redhat.spice.0"/></channel><graphicstype="spice"autoport="yes"/><redirdevbus="usb"type="spicevmc"/><redirdevbus="usb"type="spicevmc"/>'; then
  ok "spice: graphics, agent channel and USB redirection ports"
else
  not_ok "spice: graphics, agent channel and USB redirection ports" "exit status $rc"
fi
run --name x --cdrom "$ISO" --graphics sdl
expect "--graphics other than vnc or spice is a usage error" 2 '' '--graphics is vnc or spice, not “sdl”'
run --name x --location "$TREE" --paravirt --graphics spice
expect "a paravirtualized VM with SPICE is refused with the reason" 1 '' 'cannot have a SPICE display'


# ---- a libvirt host's CD/DVD drive, from its node devices ----
# test:///default has no drive; host-drives.xml has /dev/sr0 and /dev/sr1
# (and a disk, which is not one). None of them exists on this computer.
DRIVES_URI="test://$VIREO_SOURCE_ROOT/tests/fixtures/host-drives.xml"
URI=$DRIVES_URI run --name vireo-cd --memory 512 --cdrom /dev/sr0 --print-xml
if [ "$rc" -eq 0 ] && tr -d '\n ' <"$TMP/out" | grep -q '<disktype="block"device="cdrom">.*<sourcedev="/dev/sr0"/>'; then
  validate_printed "cdrom: the host's drive /dev/sr0 as a block CD-ROM"
else
  not_ok "cdrom: the host's drive /dev/sr0 as a block CD-ROM" "exit status $rc"
fi
URI=$DRIVES_URI run --name vireo-cd --memory 512 --cdrom /dev/sr0
expect "cdrom: created from the host's drive" 0 'created on test://' 'Creating the VM'
URI=$DRIVES_URI run --name vireo-cd2 --memory 512 --cdrom /dev/sda
expect "cdrom: a disk is not a drive; the refusal lists the drives" 1 '' \
  '/dev/sda is not a CD/DVD drive of .*Its drives: /dev/sr0 \(HL-DT-ST DVD-RW DH16\), /dev/sr1 \(External Drive\)'
run --name vireo-cd3 --memory 512 --cdrom /dev/sr0
expect "cdrom: a host without drives says so" 1 '' '/dev/sr0 is not a CD/DVD drive: .* has none'

# --wait on a VM whose install phase never ends would hang; with --no-start
# the combination is refused.
run --name x --cdrom "$ISO" --no-start --wait
expect "--no-start --wait is a usage error" 2 '' 'nothing to --wait for'
run --name x --cdrom "$ISO" --network direct=
expect "--network direct= without a device is refused" 1 '' 'direct=DEVICE'
run --name x --pxe --network user
expect "PXE over user-mode networking is refused with the reason" 1 '' 'user-mode networking has none'

# Progress names the download.
run --name vireo-progress --location "$TREE" --memory 512
expect "progress lines on stderr" 0 '' 'Downloading “linux”…'

# Special characters in the name and paths.
SPECIAL="My VM & <\"x\"> \$(id) \`id\` 'ü' 虚拟机"
run --name "$SPECIAL" --memory 512 --boot "kernel=$K,initrd=$I" --print-xml
if [ "$rc" -eq 0 ] && grep -qF '<name>My VM &amp; &lt;"x"&gt; $(id) `id` '"'ü'"' 虚拟机</name>' "$TMP/out"; then
  validate_printed "special name: escaped and valid"
else
  not_ok "special name: escaped and valid" "exit $rc"
fi
run --name "$SPECIAL" --memory 512 --import --disk "path=$DISK"
expect "special name and path: created" 0 'created on'

# ---- bad input ----
run --name bad --cdrom /nonexistent/dir/image.iso
expect "missing ISO" 1 '' 'cannot create “bad”: .*“/nonexistent/dir/image.iso” does not exist'
run --name bad --cdrom "$TMP"
expect "ISO that is a folder" 1 '' 'cannot create “bad”: .*is not a file|is a folder|not a regular file'
if [ "$(id -u)" -ne 0 ]; then
  cp "$ISO" "$TMP/secret.iso"; chmod 000 "$TMP/secret.iso"
  run --name bad --cdrom "$TMP/secret.iso"
  expect "unreadable ISO" 1 '' 'cannot be read|not readable|Permission'
else
  ok "unreadable ISO # SKIP root reads every file"
fi
run --name bad --location "gopher://127.0.0.1/tree/"
expect "unknown URL scheme" 1 '' 'scheme “gopher” is not supported.*http://'
run --name bad --location "http://127.0.0.1:$(free_port)/tree/"
expect "unreachable host" 1 '' 'Could not reach the host “127.0.0.1”'
run --name bad --location "http://127.0.0.1:$HTTP/nothing-here/"
expect "404: no tree" 1 '' 'No install tree was found at'
run --name bad --location "http://127.0.0.1:$HTTP/arm-only/"
expect "tree without a kernel for the arch" 1 '' 'no kernel for the i686 architecture'
run --name bad --cdrom "$ISO" --paravirt
expect "PV from an ISO" 1 '' 'paravirtualized guest cannot install from an ISO'
run --name test --cdrom "$ISO"
expect "duplicate VM name" 1 '' 'A VM named “test” already exists'
run --name bad --cdrom "$ISO" --disk size=500
expect "disk larger than the pool's free space" 1 '' 'larger than the free space in the pool “default”'
run --name bad --cdrom "$ISO" --memory 65536
expect "memory above the host's" 1 '' 'more than the host has \(3072 MiB\)'
run --name bad --cdrom "$ISO" --network network=nowhere
expect "unknown network" 1 '' 'no virtual network named “nowhere”'
run --name bad --cdrom "$ISO" --os-variant nosuchos99
expect "unknown OS variant" 1 '' 'nosuchos99'
run --name bad --cdrom "$ISO" --unattended "user=a,password-file=$K"
expect "unattended from an ISO: refused with the reason" 1 '' 'An unattended install needs a network install tree'
run --name bad --location "$TREE" --unattended "user=Bad User,password-file=$K"
expect "unattended: a user name the installer refuses" 1 '' 'is not a user name the installer accepts'
run --name bad --location "$TREE" --unattended "user=alice,password-file=$TMP/none"
expect "unattended: an unreadable password file" 1 '' 'cannot read the password file'
run --name vireo-unattended --memory 512 --location "$TREE" \
  --unattended "user=alice,password-file=$K,timezone=Europe/Paris,hostname=web1"
expect "unattended from a tree: created" 0 'created on test:///default' 'Downloading'

run --name bad --cdrom "$ISO" --disk size=big
expect "bad disk size" 1 '' 'size is a whole number of GiB'
run --name bad --boot "initrd=$I"
expect "--boot without a kernel" 1 '' 'needs kernel=PATH'

# ---- usage ----
run --cdrom "$ISO"
expect "no --name" 2 '' 'needs --name NAME'
run --name x
expect "no source" 2 '' 'needs an install source'
run --name x --cdrom "$ISO" --pxe
expect "two sources" 2 '' 'give one install source'
run --name x --cdrom "$ISO" --extra-args foo
expect "--extra-args without --location" 2 '' '--extra-args goes with --location'
run --name x --import
expect "--import without a disk" 2 '' '--import needs the disk'
run --name x --pxe --upload
expect "--upload without --cdrom" 2 '' '--upload goes with --cdrom and an ISO image'
run --name x --cdrom "$ISO" --virt-type lxc
expect "unknown virt type" 2 '' '--virt-type is kvm, qemu or xen'
timeout 30 "$VIREOCTL" -c "$URI" list --name x </dev/null >"$TMP/out" 2>"$TMP/err"; rc=$?
expect "create options with another command" 2 '' 'do not go with “list”'

# ---- Ctrl+C during the download ----
"$VIREOCTL" -c "$URI" create --name vireo-cancel --memory 512 \
  --location "http://127.0.0.1:$SLOWP/debian-big/" </dev/null >"$TMP/out" 2>"$TMP/err" &
pid=$!
for _ in $(seq 200); do
  grep -q 'Downloading' "$TMP/err" && break
  sleep 0.05
done
sleep 0.5
partial=$(ls -A "$CACHE" 2>/dev/null | wc -l)
kill -INT "$pid"
wait "$pid"; rc=$?
if [ "$partial" -eq 0 ]; then
  not_ok "Ctrl+C during the download" "no download was under way when Ctrl+C came"
else
  expect "Ctrl+C during the download: cancelled, nothing left" 1 '' 'cancelled; nothing of “vireo-cancel” was left behind'
fi

echo "1..$n"
[ "$failed" -eq 0 ]
