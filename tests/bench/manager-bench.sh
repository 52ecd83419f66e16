#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Manager benchmark: Vireo vs a bare libadwaita window vs virt-manager with
# 1,000 VMs (600 running) on the libvirt test driver. Not part of `meson test`.
#
#   tests/bench/manager-bench.sh [BUILD_DIR] [-- extra manager-bench.py options]
#
# Needs the test packages (tools/install-deps.sh build test) and virt-manager,
# which it installs with apt-get when missing. Writes the section
# "Manager: 1,000 VMs" of BENCHMARKS.md; env RUNS (3), WARMUP (15),
# MEASURE (60), N (1000), RUNNING (600) change the run.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
case $build in /*) ;; *) build=$src/$build ;; esac

N=${N:-1000}; RUNNING=${RUNNING:-600}
RUNS=${RUNS:-3}; WARMUP=${WARMUP:-15}; MEASURE=${MEASURE:-60}

"$src/tools/install-deps.sh" build test
if ! command -v virt-manager >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends virt-manager
fi
for t in gcc pkg-config Xvfb xdotool import; do
  command -v "$t" >/dev/null || { echo "manager-bench: $t is missing" >&2; exit 1; }
done

if [ ! -x "$build/src/ui/vireo" ]; then
  [ -f "$build/build.ninja" ] || meson setup "$build" "$src"
  meson compile -C "$build"
fi

work=${BENCH_WORK:-$(mktemp -d /tmp/vireo-bench-XXXXXX)}
mkdir -p "$work"
gcc -O2 -o "$work/bare-window" "$src/tests/bench/bare-window.c" \
    $(pkg-config --cflags --libs libadwaita-1)
gen="$src/tests/fixtures/make-many.py"
[ -f "$gen" ] || gen="$src/tests/bench/make-many.py"
/usr/bin/python3 "$gen" "$N" "$RUNNING" "$work/many.xml"

exec /usr/bin/python3 "$src/tests/bench/manager-bench.py" \
  --vireo "$build/src/ui/vireo" --bare "$work/bare-window" --xml "$work/many.xml" \
  --settings-dir "$build/data" --n "$N" --running "$RUNNING" \
  --runs "$RUNS" --warmup "$WARMUP" --measure "$MEASURE" \
  --markdown "$src/BENCHMARKS.md" --json "$work/results.json" --shots "$work" \
  --cmdline "tests/bench/manager-bench.sh ${build#$src/}" "$@"
