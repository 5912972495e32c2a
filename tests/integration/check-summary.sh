#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# check-summary.sh -- utils/check-summary.py on a real ctest run: a small
# CTest project with a passing, a failing and two skipping tests (one says
# why, one prints nothing), run with --output-junit as utils/check.sh runs
# its builds; then on utils/valgrind.cmake's status lines. The summary must
# count each and name each skipped test with the reason it printed.
#
# usage: check-summary.sh <source dir>
set -euo pipefail
src=$(cd "$1" && pwd)
tmp=$(mktemp -d /tmp/check-summary.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "FAIL: $*" >&2
	cat "$tmp/out" >&2 2>/dev/null || true
	exit 1
}

mkdir "$tmp/p" "$tmp/b"
cat >"$tmp/p/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.19)
project(summary NONE)
enable_testing()
add_test(NAME ok COMMAND true)
add_test(NAME broken COMMAND false)
add_test(NAME no-widget COMMAND sh -c
	"echo starting; echo 'no-widget: skipped: no widget on this machine'; exit 77")
add_test(NAME silent COMMAND sh -c "exit 77")
set_tests_properties(no-widget silent PROPERTIES SKIP_RETURN_CODE 77)
CMAKE
cmake -S "$tmp/p" -B "$tmp/b" >/dev/null
(cd "$tmp/b" && ctest --output-junit "$tmp/b/j.xml" >/dev/null 2>&1) &&
	fail "ctest passed with a failing test"
python3 "$src/utils/check-summary.py" ctest "b (x)" "$tmp/b/j.xml" >"$tmp/out"
cat >"$tmp/want" <<'WANT'
b (x): passed 1, failed 1, skipped 2
  skipped no-widget: no-widget: skipped: no widget on this machine
  skipped silent: (it printed nothing)
WANT
diff -u "$tmp/want" "$tmp/out" || fail "ctest summary"

# utils/valgrind.cmake's lines; each test's output in <dir>/<name>.out
mkdir "$tmp/vg"
printf 'starting\nfoo: skipped: needs root\n' >"$tmp/vg/foo.out"
cat >"$tmp/vg.log" <<'LOG'
-- clean    a (3 s)
-- skipped  foo (0 s)
-- FAILED   c (2 s, exit 1; see x)
-- clean    d (1 s)
-- valgrind: failed: c
LOG
python3 "$src/utils/check-summary.py" valgrind "vg" "$tmp/vg.log" \
	"$tmp/vg" >"$tmp/out"
printf 'vg: passed 2, failed 1, skipped 1\n  skipped foo: foo: skipped: needs root\n' >"$tmp/want"
diff -u "$tmp/want" "$tmp/out" || fail "valgrind summary"
echo "check-summary: ok"
