#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# obj-set-crash.sh -- as obj-crash.sh, on a pool set made by PMDK 1.12.1
# (two parts and a local replica): our libpmemobj growing the root is
# killed with SIGKILL at varying moments; PMDK then opens the set, ours
# too, `pmempool check` passes, and the replica alone (opened as the
# master of a set file listing it first) is a consistent pool for both
# usage: obj-set-crash.sh <ours-mixed> <pmdk-mixed>
set -euo pipefail
ours=$1 pmdk=$2
. "$(dirname "$0")/kill-after.sh"
dir=$(mktemp -d /tmp/obj-set-crash.XXXXXX)
trap 'rm -rf "$dir"' EXIT
set=$dir/pool.set swapped=$dir/swapped.set
printf 'PMEMPOOLSET\n32M %s/p0\n34M %s/p1\nREPLICA\n68M %s/r0\n' \
	"$dir" "$dir" "$dir" >"$set"
printf 'PMEMPOOLSET\n68M %s/r0\nREPLICA\n32M %s/p0\n34M %s/p1\n' \
	"$dir" "$dir" "$dir" >"$swapped"
fail() {
	echo "FAIL: $1 after a kill at ${delay}s: $(cat "$dir/out")"
	exit 1
}
killed=0
for delay in 0 0.005 0.02 0.05 0.1 0.2 0.4 2; do
	rm -f "$dir"/p0 "$dir"/p1 "$dir"/r0
	# no msync of PMDK's: the kills are of ours, the page cache holds
	PMEM_IS_PMEM_FORCE=1 "$pmdk" fill "$set"
	if kill_after "$delay" "$ours" grow "$set"; then
		killed=$((killed + 1))
	fi
	PMEM_IS_PMEM_FORCE=1 "$pmdk" recover "$set" >"$dir/out" 2>&1 ||
		fail PMDK
	"$ours" recover "$set" >"$dir/out" 2>&1 || fail ours
	pmempool check "$set" >"$dir/out" 2>&1 || fail "pmempool check"
	"$ours" recover "$swapped" >"$dir/out" 2>&1 || fail "ours on the replica"
	PMEM_IS_PMEM_FORCE=1 "$pmdk" recover "$swapped" >"$dir/out" 2>&1 ||
		fail "PMDK on the replica"
done
echo "$killed of 8 grows killed before they finished; all recovered"
[ "$killed" -gt 0 ]
