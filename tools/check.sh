#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The whole test suite: a -Werror build and every suite, then the unit and
# integration suites again under AddressSanitizer + UBSan. Ends with one line
# "N passed, N failed, N skipped" (CI reads it).
set -uo pipefail
build=${1:-build}
asan=${2:-build-asan}
cd "$(dirname "$0")/.."

passed=0; failed=0; skipped=0
count() {  # count results of a meson test run from its log (testlog or $2)
  local log=$1/meson-logs/${2:-testlog}.json
  [ -f "$log" ] || return 0
  read -r p f s < <(/usr/bin/python3 - "$log" <<'PY'
import json, sys
p = f = s = 0
for line in open(sys.argv[1]):
    line = line.strip()
    if not line:
        continue
    r = json.loads(line).get("result")
    if r in ("OK", "EXPECTEDFAIL"): p += 1
    elif r == "SKIP": s += 1
    else: f += 1
print(p, f, s)
PY
)
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

setup() {  # dir, extra meson args…
  local dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then
    meson configure "$dir" -Dwerror=true "$@" >/dev/null
  else
    meson setup "$dir" --werror "$@" >/dev/null
  fi
}

status=0
echo "== Build (-Werror) =="
if setup "$build" && meson compile -C "$build"; then
  echo "== Tests =="
  meson test -C "$build" --print-errorlogs --num-processes 2 || status=1
  count "$build"
else
  echo "check: the -Werror build failed" >&2
  failed=$((failed + 1)); status=1
fi

echo "== AddressSanitizer + UBSan: unit and integration =="
if setup "$asan" -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug &&
   meson compile -C "$asan"; then
  # Leaks are checked everywhere but in the tests marked 'leaky-deps', which
  # drive libraries that leak at exit (libosinfo's database loader; GTK's
  # fontconfig, whose stacks the fast unwinder cannot see past GLib); those
  # still run under ASan and UBSan for memory errors.
  export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    meson test -C "$asan" --suite unit --suite integration --no-suite leaky-deps \
      --print-errorlogs --num-processes 2 --timeout-multiplier 3 || status=1
  count "$asan"
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    meson test -C "$asan" --suite leaky-deps --logbase testlog-leaky-deps \
      --print-errorlogs --num-processes 2 --timeout-multiplier 3 || status=1
  count "$asan" testlog-leaky-deps
else
  echo "check: the sanitizer build failed" >&2
  failed=$((failed + 1)); status=1
fi

# The names of the tests that failed, and the end of each one's output, just
# above the summary line: CI often keeps only the last lines of the log.
report_failures() {  # build dir, log base
  local log=$1/meson-logs/${2:-testlog}.json
  [ -f "$log" ] || return 0
  /usr/bin/python3 - "$log" "$1" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    line = line.strip()
    if not line:
        continue
    t = json.loads(line)
    if t.get("result") in ("OK", "EXPECTEDFAIL", "SKIP"):
        continue
    out = ((t.get("stdout") or "") + (t.get("stderr") or "")).rstrip().splitlines()[-15:]
    print(f"--- FAILED in {sys.argv[2]}: {t.get('name')} ({t.get('result')}, {t.get('duration', 0):.0f} s)")
    for l in out:
        print("    " + l[:200])
PY
}
if [ "$failed" -ne 0 ]; then
  echo "== Failures =="
  report_failures "$build"
  report_failures "$asan"
  report_failures "$asan" testlog-leaky-deps
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || status=1
exit $status
