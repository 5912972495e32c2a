#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# obj-root-offset.sh -- the root object of a pool is found at the very
# offset its creator reported, whichever library (ours or Debian's PMDK
# 1.12.1) created it and whichever opens it, and `pmempool info` reads the
# pool as a PMEMOBJ pool with our layout name
# usage: obj-root-offset.sh <ours-writer> <pmdk-writer>
set -euo pipefail
ours=$1 pmdk=$2
dir=$(mktemp -d /tmp/obj-offset.XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail=0
offset() {
	# prints the number following "root at offset" in the writer's output
	sed -n 's/^root at offset \([0-9]*\).*/\1/p' <<<"$1"
}
check() { # <creator> <opener> <pool> <size>
	local out created opened
	out=$("$1" create "$3" "$4") || {
		echo "FAIL: create by $1: $out"
		fail=1
		return
	}
	created=$(offset "$out")
	out=$("$2" verify "$3" "$4") || {
		echo "FAIL: verify by $2: $out"
		fail=1
		return
	}
	opened=$(offset "$out")
	if [ -z "$created" ] || [ "$created" != "$opened" ]; then
		echo "FAIL: $4-byte root created at '$created', found at '$opened'"
		fail=1
	else
		echo "ok: $4-byte root at $created ($(basename "$1") -> $(basename "$2"))"
	fi
}
for size in 8 100 4096 1048576; do
	check "$ours" "$pmdk" "$dir/ours-$size" "$size"
	check "$pmdk" "$ours" "$dir/pmdk-$size" "$size"
	if ! command -v pmempool >/dev/null; then
		echo "FAIL: pmempool not found: apt-get install pmdk-tools"
		fail=1
	else
		info=$(pmempool info "$dir/ours-$size")
		grep -q '^Signature *: PMEMOBJ' <<<"$info" || {
			echo "FAIL: pmempool info does not see a PMEMOBJ pool"
			fail=1
		}
		grep -q '^Layout *: compat$' <<<"$info" || {
			echo "FAIL: pmempool info does not show layout 'compat'"
			fail=1
		}
	fi
done
exit $fail
