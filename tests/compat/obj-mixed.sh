#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# obj-mixed.sh -- a pool used in turns: PMDK 1.12.1 fills it with objects
# of many sizes, ours grows the root among them, PMDK verifies, allocates
# and runs a transaction, ours verifies again, `pmempool check` passes
# usage: obj-mixed.sh <ours> <pmdk>
set -euo pipefail
ours=$1 pmdk=$2
dir=$(mktemp -d /tmp/obj-mixed.XXXXXX)
trap 'rm -rf "$dir"' EXIT
pool=$dir/pool
"$pmdk" fill "$pool"
"$ours" grow "$pool"
"$pmdk" verify "$pool"
"$ours" verify "$pool"
"$pmdk" verify "$pool"
pmempool check -v "$pool"
