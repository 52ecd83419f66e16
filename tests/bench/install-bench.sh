#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# From "create" to the guest running: vireoctl create against virt-install,
# side by side, on the same Debian tree (debian-installer-12-netboot-amd64)
# served over HTTP on 127.0.0.1, against one private libvirtd in a mount
# namespace of its own (tests/e2e/libvirtd-isolated.sh). Runs alternate, the
# first of each is a warm-up; prints every run and the medians.
#
#   tests/bench/install-bench.sh [RUNS]        (root; default 5 runs each)
#   VIREO_BUILD_ROOT=build by default.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$(dirname "$here")")

if [ -z "${VIREO_TEST_URI:-}" ]; then
  exec "$root/tests/e2e/libvirtd-isolated.sh" "$0" "$@"
fi

RUNS=${1:-5}
VIREOCTL="${VIREO_BUILD_ROOT:-$root/build}/src/cli/vireoctl"
DI=/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64
URI=$VIREO_TEST_URI
TMP=$(mktemp -d)
export XDG_CACHE_HOME="$TMP/cache" LC_ALL=C.UTF-8
for f in "$VIREOCTL" "$DI/linux"; do
  [ -e "$f" ] || { echo "install-bench: $f is missing (build; debian-installer-12-netboot-amd64)" >&2; exit 1; }
done
command -v virt-install >/dev/null || { echo "install-bench: virt-install is missing (package virtinst)" >&2; exit 1; }

TREE="$TMP/tree"
IMAGES="$TREE/dists/bookworm/main/installer-amd64/current/images"
mkdir -p "$IMAGES/netboot/debian-installer/amd64"
cp "$DI/linux" "$DI/initrd.gz" "$IMAGES/netboot/debian-installer/amd64/"
printf '%s\n' "netboot/debian-installer/amd64/initrd.gz: initrd for netboot install" \
  "netboot/debian-installer/amd64/linux: kernel for netboot install" >"$IMAGES/MANIFEST"
printf '%s\n' "Origin: Debian" "Suite: stable" "Version: 12.0" "Codename: bookworm" \
  >"$TREE/dists/bookworm/Release"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$TREE" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$TMP"' EXIT
sleep 1
# Both tools read the same URL: virt-install wants the installer-ARCH folder.
URL="http://127.0.0.1:$PORT/dists/bookworm/main/installer-amd64/"
COMMON_MEM=1024

# libvirtd probes QEMU on first use, and the pool is made once: not measured.
virsh -c "$URI" domcapabilities --virttype qemu >/dev/null 2>&1
virsh -c "$URI" pool-define-as default dir --target /var/lib/libvirt/images >/dev/null 2>&1
virsh -c "$URI" pool-start default >/dev/null 2>&1

now () { date +%s.%N; }
running () { [ "$(virsh -c "$URI" domstate "$1" 2>/dev/null)" = running ]; }
remove () {
  virsh -c "$URI" destroy "$1" >/dev/null 2>&1
  virsh -c "$URI" undefine "$1" --remove-all-storage >/dev/null 2>&1
}

run_vireo () {
  "$VIREOCTL" -c "$URI" create --name "$1" --location "$URL" --os-variant debian11 \
    --virt-type qemu --memory $COMMON_MEM --disk size=2 --network user >/dev/null 2>"$TMP/err"
}
run_virtinst () {
  virt-install --connect "$URI" --name "$1" --location "$URL" --os-variant debian11 \
    --virt-type qemu --memory $COMMON_MEM --disk size=2 --network user --graphics vnc \
    --noautoconsole >/dev/null 2>"$TMP/err"
}

declare -a t_vireo t_virtinst
for i in $(seq 0 "$RUNS"); do
  for tool in vireo virtinst; do
    name="bench-$tool-$i"
    start=$(now)
    if ! "run_$tool" "$name"; then
      echo "install-bench: $tool failed: $(tail -n 3 "$TMP/err")" >&2
      remove "$name"; exit 1
    fi
    until running "$name"; do sleep 0.05; done
    end=$(now)
    t=$(echo "$end - $start" | bc)
    remove "$name"
    if [ "$i" -eq 0 ]; then
      printf '%-10s warm-up  %6.2f s\n' "$tool" "$t"
    else
      printf '%-10s run %-4d %6.2f s\n' "$tool" "$i" "$t"
      eval "t_$tool+=($t)"
    fi
  done
done

median () { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mv=$(median "${t_vireo[@]}")
mi=$(median "${t_virtinst[@]}")
echo "median vireoctl create: $mv s"
echo "median virt-install:    $mi s"
echo "ratio: $(echo "scale=3; $mv / $mi" | bc) (target: at most 1.10)"
