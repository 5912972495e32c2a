#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# obj-badblocks.sh -- a pool with bad-block checking on (pmempool feature
# --enable CHECK_BAD_BLOCKS) and a bad-block recovery file next to it is
# refused by our libpmemobj as by PMDK 1.12.1's; without the file, or with
# the feature off, both open it
# usage: obj-badblocks.sh <ours-writer> <pmdk-writer>
set -euo pipefail
ours=$1 pmdk=$2
command -v pmempool >/dev/null || {
	echo "pmempool not found: apt-get install pmdk-tools"
	exit 1
}
dir=$(mktemp -d /tmp/obj-badblocks.XXXXXX)
trap 'rm -rf "$dir"' EXIT
pool=$dir/pool rec=$dir/pool_r0_p0_badblocks.txt
fail=0

# expect <opens|refused> <label>: both libraries' open of the pool
expect() {
	local who prog out
	for who in ours pmdk; do
		prog=$ours
		[ $who = pmdk ] && prog=$pmdk
		if out=$("$prog" verify "$pool" 4096 2>&1); then
			[ "$1" = opens ] && continue
		elif [ "$1" = refused ] &&
			grep -q "bad block recovery file exists" <<<"$out"; then
			continue
		fi
		echo "FAIL: $2: $who: expected the pool to be $1: $out"
		fail=1
	done
}

"$ours" create "$pool" 4096 >/dev/null
: >"$rec"
expect opens "feature off, recovery file present"
rm "$rec"
pmempool feature --enable CHECK_BAD_BLOCKS "$pool"
expect opens "feature on, no recovery file"
: >"$rec"
expect refused "feature on, recovery file present"
rm "$rec"
expect opens "feature on, recovery file gone"
[ $fail = 0 ] && echo "bad-block recovery file handling matches PMDK"
exit $fail
