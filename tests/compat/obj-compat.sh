#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# obj-compat.sh -- pools created by our libpmemobj open in PMDK 1.12.1's
# (root found with its contents, allocation and transaction work,
# pmemobj_check and `pmempool check` pass), and PMDK's open in ours
# usage: obj-compat.sh <ours-writer> <pmdk-writer>
set -euo pipefail
ours=$1 pmdk=$2
command -v pmempool >/dev/null || {
	echo "pmempool not found: apt-get install pmdk-tools"
	exit 1
}
dir=$(mktemp -d /tmp/obj-compat.XXXXXX)
trap 'rm -rf "$dir"' EXIT
pass=0 fail=0
run() {
	if "$@"; then pass=$((pass + 1)); else
		echo "FAIL: $*"
		fail=$((fail + 1))
	fi
}
for size in 8 100 4096 1048576; do
	echo "== root of $size bytes"
	run "$ours" create "$dir/ours-$size" "$size"
	run "$pmdk" verify "$dir/ours-$size" "$size"
	run pmempool check -v "$dir/ours-$size"
	run "$pmdk" create "$dir/pmdk-$size" "$size"
	run "$ours" verify "$dir/pmdk-$size" "$size"
	run pmempool check -v "$dir/pmdk-$size"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
