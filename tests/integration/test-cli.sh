#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# vireoctl against the libvirt test driver, as a user runs it. TAP output.
#
# Each vireoctl process opens its own in-process test driver, so a change
# made by one run is not seen by the next: every check starts from
# tests/fixtures/node.xml as written.
set -u

: "${VIREO_BUILD_ROOT:?VIREO_BUILD_ROOT is not set: run through meson test}"
: "${VIREO_FIXTURES:?VIREO_FIXTURES is not set: run through meson test}"

VIREOCTL="$VIREO_BUILD_ROOT/src/cli/vireoctl"
NODE="$VIREO_FIXTURES/node.xml"
URI="test://$NODE"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export LC_ALL=C.UTF-8
unset VIREO_DEFAULT_URI

n=0
failed=0

ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () {
  n=$((n + 1)); failed=$((failed + 1))
  echo "not ok $n - $1"
  shift
  for line in "$@"; do echo "#   $line"; done
  echo "#   stdout: $(head -c 2000 "$TMP/out" | sed 's/^/#     /')"
  echo "#   stderr: $(head -c 2000 "$TMP/err" | sed 's/^/#     /')"
}

# run ARGS…: runs vireoctl with a deadline; sets $rc, $TMP/out, $TMP/err.
run () {
  timeout 60 "$VIREOCTL" "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
  rc=$?
}

# expect NAME RC [stdout-regex] [stderr-regex]
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

if [ ! -x "$VIREOCTL" ]; then
  echo "1..1"
  echo "not ok 1 - vireoctl is not built at $VIREOCTL"
  exit 1
fi

# ---- list ----
run -c "$URI" list
expect "list succeeds" 0 '^ *Id +Name +State'
# Every VM, with its state (and markers).
list_ok=1
while read -r id name state; do
  line=$(grep -E "^ *$id +$name +" "$TMP/out")
  if [ -z "$line" ] || ! grep -Eq -- "$state" <<<"$line"; then
    list_ok=0; echo "# missing or wrong row for $name: want id $id, state /$state/; got '$line'"
  fi
done <<'ROWS'
[0-9]+ web-1 Running
[0-9]+ web-2 Running
[0-9]+ db-1 Paused
[0-9]+ xenpv-1 Running
[0-9]+ transient-1 Running.*transient
- build-1 Shut off
- saved-1 Shut off.*saved
- scratch-1 Shut off
- xenpv-2 Shut off
ROWS
if [ $list_ok -eq 1 ]; then ok "list shows every VM with its state"; else not_ok "list shows every VM with its state"; fi
rows=$(grep -cE '^ *([0-9]+|-) +[a-z]' "$TMP/out")
if [ "$rows" -eq 9 ]; then ok "list has exactly 9 rows"; else not_ok "list has exactly 9 rows" "got $rows"; fi
# Running ones first, by id, as virsh does.
first_off=$(grep -nE '^ *- ' "$TMP/out" | head -1 | cut -d: -f1)
last_on=$(grep -nE '^ *[0-9]+ ' "$TMP/out" | tail -1 | cut -d: -f1)
if [ -n "$first_off" ] && [ -n "$last_on" ] && [ "$last_on" -lt "$first_off" ]; then
  ok "list puts running VMs first"
else
  not_ok "list puts running VMs first"
fi
if [ ! -s "$TMP/err" ]; then ok "list writes nothing to stderr"; else not_ok "list writes nothing to stderr"; fi

# $VIREO_DEFAULT_URI is the default connection.
VIREO_DEFAULT_URI="$URI" run list
expect "VIREO_DEFAULT_URI picks the connection" 0 'web-1'
# --connect wins over it.
VIREO_DEFAULT_URI="test:///nonexistent/other.xml" run --connect "$URI" list
expect "--connect overrides VIREO_DEFAULT_URI" 0 'web-1'

# ---- each verb on a fresh process ----
run -c "$URI" start build-1;        expect "start build-1" 0 'build-1.*started'
run -c "$URI" start xenpv-2;        expect "start a Xen PV guest" 0 'xenpv-2'
run -c "$URI" start 6e7a3c1e-0004-4d5b-9a8e-000000000004
expect "start by UUID" 0 'build-1'
run -c "$URI" destroy web-1;        expect "destroy web-1" 0 'web-1'
run -c "$URI" destroy db-1;         expect "destroy a paused VM" 0 'db-1'
run -c "$URI" suspend web-1;        expect "suspend web-1" 0 'web-1.*paused'
run -c "$URI" resume db-1;          expect "resume db-1" 0 'db-1.*resumed'
run -c "$URI" shutdown web-2;       expect "shutdown web-2" 0 'web-2'
run -c "$URI" reboot web-2;         expect "reboot web-2" 0 'web-2'
run -c "$URI" reset web-2;          expect "reset web-2" 0 'web-2'
run -c "$URI" save web-1;           expect "save web-1" 0 'web-1.*saved'
run -c "$URI" restore saved-1;      expect "restore saved-1" 0 'saved-1.*restored'
run -c "$URI" delete build-1;       expect "delete build-1" 0 'build-1.*deleted'
run -c "$URI" delete --remove-storage scratch-1
expect "delete --remove-storage scratch-1" 0 'scratch-1.*storage'
run -c "$URI" autostart build-1;    expect "autostart build-1" 0 'build-1'
run -c "$URI" autostart --disable build-1
expect "autostart --disable on a VM without autostart is not an error" 0 'build-1'
[ -s "$TMP/err" ] && not_ok "successful verbs are quiet on stderr" || ok "successful verbs are quiet on stderr"

# ---- refused in the wrong state: exit 1, a message naming the VM and why ----
run -c "$URI" shutdown build-1
expect "shutdown of a shut-off VM fails" 1 '' '^vireoctl: cannot shut down “build-1”: it is not running$'
run -c "$URI" start web-1
expect "start of a running VM fails" 1 '' 'vireoctl: cannot start “web-1”: it is already running'
run -c "$URI" resume web-1
expect "resume of a running VM fails" 1 '' 'vireoctl: cannot resume “web-1”: it is not paused'
run -c "$URI" suspend build-1
expect "suspend of a shut-off VM fails" 1 '' 'vireoctl: cannot pause “build-1”: it is not running'
run -c "$URI" destroy build-1
expect "destroy of a shut-off VM fails" 1 '' 'vireoctl: cannot force off “build-1”'
run -c "$URI" restore build-1
expect "restore without a saved image fails" 1 '' 'vireoctl: cannot restore “build-1”: it has no saved state'
run -c "$URI" start saved-1
expect "start of a saved VM points to restore" 1 '' 'restore'
run -c "$URI" delete web-1
expect "delete of a running VM fails" 1 '' 'vireoctl: cannot delete “web-1”'
run -c "$URI" delete transient-1
expect "delete of a transient VM fails" 1 '' 'vireoctl: cannot delete “transient-1”: it is transient'
run -c "$URI" save transient-1
expect "save of a transient VM fails" 1 '' 'vireoctl: cannot save “transient-1”'
[ -s "$TMP/out" ] && not_ok "failures print nothing on stdout" || ok "failures print nothing on stdout"

# ---- unknown VM, bad connections ----
run -c "$URI" start foo
expect "unknown VM: exit 1 naming it and the host" 1 '' "^vireoctl: no VM named “foo” on $URI\$"
run -c "$URI" delete 00000000-0000-0000-0000-000000000000
expect "unknown UUID: exit 1" 1 '' 'no VM named “00000000-0000-0000-0000-000000000000”'
run -c test:///x list
expect "bad URI: exit 1" 1 '' '^vireoctl: cannot connect to test:///x: .+'
run -c "test:///nonexistent/dir/node.xml" list
expect "missing node file: exit 1" 1 '' 'vireoctl: cannot connect to test:///nonexistent/dir/node.xml: .+'
run -c "not a uri" list
expect "malformed URI: exit 1" 1 '' 'vireoctl: cannot connect to not a uri: '
run -c "test://$VIREO_FIXTURES/auth.xml" list
expect "credentials asked without a terminal: exit 1, no hang" 1 '' 'cannot connect to .*auth.xml: .+'

# Credentials on a terminal: the user name echoed, the password not.
if command -v script >/dev/null 2>&1; then
  { sleep 1; printf 'alice\n'; sleep 1; printf 's3cret\n'; } |
    timeout 30 script -qec "'$VIREOCTL' -c 'test://$VIREO_FIXTURES/auth.xml' list" /dev/null >"$TMP/out" 2>"$TMP/err"
  rc=$?
  if [ "$rc" -eq 0 ] && grep -q 'locked-1' "$TMP/out" && grep -q 'alice' "$TMP/out" && ! grep -q 's3cret' "$TMP/out"; then
    ok "credentials asked on a terminal; the password is not echoed"
  else
    not_ok "credentials asked on a terminal; the password is not echoed" "rc $rc"
  fi
  { sleep 1; printf 'alice\n'; sleep 1; printf 'wrong\n'; } |
    timeout 30 script -qec "'$VIREOCTL' -c 'test://$VIREO_FIXTURES/auth.xml' list" /dev/null >"$TMP/out" 2>"$TMP/err"
  rc=$?
  if [ "$rc" -eq 1 ] && grep -q 'vireoctl: cannot connect to' "$TMP/out" && ! grep -q 'locked-1' "$TMP/out"; then
    ok "a wrong password fails the connection"
  else
    not_ok "a wrong password fails the connection" "rc $rc"
  fi
else
  not_ok "credentials on a terminal" "script(1) from util-linux is needed to give vireoctl a terminal"
fi

# ---- usage errors: exit 2 with the usage text ----
usage_re='Usage:'
run;                                expect "no command: exit 2" 2 '' "$usage_re"
run -c "$URI" frobnicate web-1;     expect "unknown command: exit 2" 2 '' 'frobnicate'
run -c "$URI" start;                expect "start without a name: exit 2" 2 '' "$usage_re"
run -c "$URI" start a b;            expect "two names: exit 2" 2 '' "$usage_re"
run -c "$URI" list extra;           expect "list with an argument: exit 2" 2 '' "$usage_re"
run -c "$URI" --bogus list;         expect "unknown option: exit 2" 2 '' "$usage_re"
run -c "$URI" start --remove-storage web-1
expect "--remove-storage outside delete: exit 2" 2 '' "$usage_re"
run -c "$URI" stats --count -1;     expect "negative --count: exit 2" 2 '' "$usage_re"
run -c "$URI" stats --count two;    expect "non-numeric --count: exit 2" 2 '' "$usage_re"
run -c "$URI" list --count 2;       expect "--count outside stats: exit 2" 2 '' "$usage_re"
run -c "$URI" stats --interval 5;   expect "--interval too small: exit 2" 2 '' "$usage_re"
run -c "$URI" list --interval 500;  expect "--interval outside stats: exit 2" 2 '' "$usage_re"
run --help;                         expect "--help: exit 0 with usage" 0 "$usage_re"
run --version;                      expect "--version" 0 '^vireoctl [0-9]'

# ---- stats ----
run -c "$URI" stats --count 2 --interval 250
expect "stats --count 2 exits 0" 0 'web-1'
data_lines=$(grep -cE '^(web-1|web-2|db-1|build-1|saved-1|xenpv-1|xenpv-2|scratch-1|transient-1) ' "$TMP/out")
if [ "$data_lines" -eq 18 ]; then ok "stats --count 2 prints 2 ticks × 9 VMs"; else not_ok "stats --count 2 prints 2 ticks × 9 VMs" "got $data_lines VM lines"; fi
for vm in web-1 build-1 xenpv-1; do
  c=$(grep -cE "^$vm " "$TMP/out")
  [ "$c" -eq 2 ] && ok "stats: $vm appears once per tick" || not_ok "stats: $vm appears once per tick" "$c times"
done
# name, state, cpu %, mem %, 4 rates
if grep -E '^web-1 ' "$TMP/out" | head -1 | grep -Eq '^web-1 +Running +[0-9.]+% +[0-9.]+% +[0-9.]+ [KMG]?B/s +[0-9.]+ [KMG]?B/s +[0-9.]+ [KMG]?B/s +[0-9.]+ [KMG]?B/s *$'; then
  ok "stats line has name, state, cpu %, mem %, disk rd/wr, net rx/tx"
else
  not_ok "stats line has name, state, cpu %, mem %, disk rd/wr, net rx/tx" "line: $(grep -E '^web-1 ' "$TMP/out" | head -1)"
fi
run -c "$URI" stats --count 1 --interval 250
data_lines=$(grep -cE '^(web-1|web-2|db-1|build-1|saved-1|xenpv-1|xenpv-2|scratch-1|transient-1) ' "$TMP/out")
[ "$rc" -eq 0 ] && [ "$data_lines" -eq 9 ] && ok "stats --count 1 prints one tick" || not_ok "stats --count 1 prints one tick" "rc $rc, $data_lines lines"

# Without --count it runs until interrupted, then exits 0.
# Signalled directly (not through timeout(1), which forwards SIGINT to its
# whole process group and may die of it itself); a watchdog stops a hang.
"$VIREOCTL" -c "$URI" stats --interval 200 </dev/null >"$TMP/out" 2>"$TMP/err" &
pid=$!
( sleep 60; kill -KILL $pid 2>/dev/null ) &
watchdog=$!
sleep 3  # slow under the sanitizers: give it time for 3 ticks
kill -INT $pid
wait $pid
rc=$?
kill $watchdog 2>/dev/null; wait $watchdog 2>/dev/null
ticks=$(grep -cE '^web-1 ' "$TMP/out")
if [ "$rc" -eq 0 ] && [ "$ticks" -ge 3 ]; then ok "stats runs until Ctrl+C, then exits 0"; else not_ok "stats runs until Ctrl+C, then exits 0" "rc $rc after $ticks ticks"; fi

# ---- a generated host of many VMs ----
if python3 "$VIREO_FIXTURES/make-many.py" 500 120 "$TMP/many.xml"; then
  run -c "test://$TMP/many.xml" list
  total=$(grep -cE '^ *([0-9]+|-) +vm-[0-9]+ ' "$TMP/out")
  running=$(grep -cE '^ *[0-9]+ +vm-[0-9]+ +Running' "$TMP/out")
  if [ "$rc" -eq 0 ] && [ "$total" -eq 500 ] && [ "$running" -eq 120 ]; then
    ok "make-many.py 500 120: vireoctl lists 500 VMs, 120 running"
  else
    not_ok "make-many.py 500 120: vireoctl lists 500 VMs, 120 running" "rc $rc, $total VMs, $running running"
  fi
else
  not_ok "make-many.py 500 120 runs"
fi

if python3 "$VIREO_FIXTURES/make-many.py" 20 5 "$TMP/small.xml" &&
   python3 "$VIREO_FIXTURES/validate.py" "$TMP/small.xml" >"$TMP/out" 2>"$TMP/err"; then
  ok "make-many.py output validates against libvirt's schemas"
else
  not_ok "make-many.py output validates against libvirt's schemas"
fi
python3 "$VIREO_FIXTURES/make-many.py" 3 4 "$TMP/bad.xml" 2>"$TMP/err"
rc=$?
expect "make-many.py refuses RUNNING > N" 2 '' 'RUNNING'

echo "1..$n"
[ "$failed" -eq 0 ]
