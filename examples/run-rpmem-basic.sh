#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# run-rpmem-basic.sh -- run the rpmem_basic example against rpmemd through
# the private sshd; the pool file must be gone afterwards (rpmem_remove)
# usage: run-rpmem-basic.sh <rpmem_basic> <rpmemd> <sshd fixture dir>
set -euo pipefail
prog=$1 rpmemd=$2
. "$3/env"
tmp=$(mktemp -d /tmp/rpmem-basic.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
printf 'PMEMPOOLSET\n32M %s/basic.part\n' "$tmp" >"$tmp/basic.set"
export RPMEM_CMD="env PMEM_IS_PMEM_FORCE=1 $rpmemd --poolset-dir=$tmp"
out=$("$prog" "$RPMEM_TEST_TARGET" basic.set)
echo "$out"
grep -qx 'read back: Hello, remote persistent memory!' <<<"$out"
[ ! -e "$tmp/basic.part" ] || { echo "FAIL: pool file left behind"; exit 1; }
[ -e "$tmp/basic.set" ]
