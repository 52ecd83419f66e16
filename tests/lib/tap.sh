# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by the shell tests: TAP lines. A failed step prints its reasons and
# what the last command wrote to $TMP/out and $TMP/err (when there).
n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () {
  n=$((n + 1)); failed=$((failed + 1))
  echo "not ok $n - $1"
  shift
  for line in "$@"; do echo "#   $line"; done
  echo "#   stdout: $(head -c 2000 "$TMP/out" 2>/dev/null | sed 's/^/#     /')"
  echo "#   stderr: $(head -c 2000 "$TMP/err" 2>/dev/null | sed 's/^/#     /')"
}
# expect NAME RC [STDOUT_RE [STDERR_RE]]: the last command's $rc and output.
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
