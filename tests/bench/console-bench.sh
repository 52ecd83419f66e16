#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Console benchmark: Vireo's VNC console vs remote-viewer on a guest of our
# own that animates the whole VGA mode 13h screen. Not part of `meson test`.
#
#   tests/bench/console-bench.sh [BUILD_DIR] [-- extra console-bench.py options]
#
# Needs the test packages (tools/deps/test.txt) and those of
# tests/bench/console-bench-packages.txt, which it installs with apt-get when
# missing. Use an optimized build (meson setup BUILD --buildtype=release).
# Writes the section "Console: VNC display vs remote-viewer" of BENCHMARKS.md;
# env ROUNDS (5), WARMUP (5), MEASURE (20), KEYS (25) change the run.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
case $build in /*) ;; *) build=$src/$build ;; esac

ROUNDS=${ROUNDS:-5}; WARMUP=${WARMUP:-5}; MEASURE=${MEASURE:-20}; KEYS=${KEYS:-25}

"$src/tools/install-deps.sh" build test
missing=()
while read -r pkg; do
  pkg=${pkg%%#*}; pkg=${pkg//[[:space:]]/}
  [ -n "$pkg" ] || continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done < "$src/tests/bench/console-bench-packages.txt"
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
for t in gcc nasm Xvfb xdotool import remote-viewer qemu-system-x86_64; do
  command -v "$t" >/dev/null || { echo "console-bench: $t is missing" >&2; exit 1; }
done

if [ ! -x "$build/src/ui/vireo" ] || [ ! -x "$build/src/cli/vireoctl" ]; then
  [ -f "$build/build.ninja" ] || meson setup "$build" "$src" --buildtype=release
  meson compile -C "$build"
fi

work=${BENCH_WORK:-$(mktemp -d /tmp/vireo-console-bench-XXXXXX)}
mkdir -p "$work"
# The guest: one boot sector on a 1 MiB raw disk.
nasm -f bin -o "$work/guest.bin" "$src/tests/bench/console-guest.asm"
cp "$work/guest.bin" "$work/guest.img"
truncate -s 1M "$work/guest.img"
gcc -O2 -Wall -o "$work/console-bench-x" "$src/tests/bench/console-bench-x.c" \
    $(pkg-config --cflags --libs x11 xdamage xtst)

exec /usr/bin/python3 "$src/tests/bench/console-bench.py" \
  --vireo "$build/src/ui/vireo" --vireoctl "$build/src/cli/vireoctl" \
  --xprobe "$work/console-bench-x" --image "$work/guest.img" \
  --settings-dir "$build/data" \
  --rounds "$ROUNDS" --warmup "$WARMUP" --measure "$MEASURE" --keys "$KEYS" \
  --markdown "$src/BENCHMARKS.md" --json "$work/results.json" --shots "$work" \
  --cmdline "tests/bench/console-bench.sh ${build#$src/}" "$@"
