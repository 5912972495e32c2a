#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# obj-crash-pmdk.sh -- Debian's PMDK 1.12.1 killed with SIGKILL in a loop
# of transactions: our libpmemobj either opens the pool (replaying a
# committed redo log) or refuses it with ENOTSUP without writing a byte
# when an interrupted transaction must be rolled back; after PMDK opened it
# once, ours opens it in every case
# usage: obj-crash-pmdk.sh <ours> <pmdk>
set -euo pipefail
ours=$1 pmdk=$2
dir=$(mktemp -d /tmp/obj-crash-pmdk.XXXXXX)
trap 'rm -rf "$dir"' EXIT
pool=$dir/pool
refused=0 opened=0
for delay in 0.02 0.03 0.05 0.07 0.1 0.13 0.17 0.2; do
	rm -f "$pool"
	"$pmdk" fill "$pool"
	"$pmdk" txloop "$pool" >"$dir/loop" 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null || {
		wait "$pid" || true
		echo "FAIL: the transaction loop ended by itself: $(cat "$dir/loop")"
		exit 1
	}
	wait "$pid" 2>/dev/null || true
	cp "$pool" "$dir/before"
	rc=0
	"$ours" recover "$pool" >"$dir/out" || rc=$?
	case $rc in
	0) opened=$((opened + 1)) ;;
	3)
		grep -q "interrupted transaction" "$dir/out" || {
			echo "FAIL: refusal without a reason: $(cat "$dir/out")"
			exit 1
		}
		cmp -s "$pool" "$dir/before" || {
			echo "FAIL: ours wrote to a pool it refused"
			exit 1
		}
		refused=$((refused + 1))
		"$pmdk" recover "$pool" >"$dir/out" || {
			echo "FAIL: PMDK: $(cat "$dir/out")"
			exit 1
		}
		"$ours" recover "$pool" >"$dir/out" || {
			echo "FAIL: ours after PMDK's recovery: $(cat "$dir/out")"
			exit 1
		}
		;;
	*)
		echo "FAIL: ours after a kill at ${delay}s: $(cat "$dir/out")"
		exit 1
		;;
	esac
	pmempool check "$pool" >/dev/null || {
		echo "FAIL: pmempool check after a kill at ${delay}s"
		exit 1
	}
done
echo "ours opened $opened pools, left $refused interrupted transactions to PMDK"
