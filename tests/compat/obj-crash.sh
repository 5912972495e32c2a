#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# obj-crash.sh -- our libpmemobj growing the root of a PMDK-filled pool is
# killed with SIGKILL at varying moments; Debian's PMDK 1.12.1 then opens
# the pool (replaying whatever redo log we left), finds every object and a
# root that is either the old one or the grown one, allocates and runs a
# transaction; ours opens it afterwards too and `pmempool check` passes
# usage: obj-crash.sh <ours> <pmdk>
set -euo pipefail
ours=$1 pmdk=$2
. "$(dirname "$0")/kill-after.sh"
dir=$(mktemp -d /tmp/obj-crash.XXXXXX)
trap 'rm -rf "$dir"' EXIT
pool=$dir/pool
killed=0
for delay in 0 0.001 0.002 0.004 0.006 0.008 0.01 0.015 0.02 0.03 0.05 0.08; do
	rm -f "$pool"
	"$pmdk" fill "$pool"
	if kill_after "$delay" "$ours" grow "$pool"; then
		killed=$((killed + 1))
	fi
	"$pmdk" recover "$pool" >"$dir/out" || {
		echo "FAIL: PMDK after a kill at ${delay}s: $(cat "$dir/out")"
		exit 1
	}
	"$ours" recover "$pool" >"$dir/out" || {
		echo "FAIL: ours after a kill at ${delay}s: $(cat "$dir/out")"
		exit 1
	}
	pmempool check "$pool" >/dev/null || {
		echo "FAIL: pmempool check after a kill at ${delay}s"
		exit 1
	}
done
echo "$killed of 12 grows killed before they finished; all recovered"
[ "$killed" -gt 0 ]
