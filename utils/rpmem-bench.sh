#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# utils/rpmem-bench.sh -- runs benchmarks/rpmem/rpmem-persist-bench the way
# its numbers in the README were taken
#
# Starts a private sshd on 127.0.0.1 (utils/sshd-fixture.sh), writes an
# 8 MiB pool set on /dev/shm, points RPMEM_CMD at build/src/rpmemd/rpmemd
# with PMEM_IS_PMEM_FORCE=1 (so the daemon flushes with CPU instructions, as
# on persistent memory) and runs the benchmark over RPMEM_PROVIDER (default
# tcp). Everything it creates is removed on exit.
#
# usage: utils/rpmem-bench.sh [iterations]   (after building build/)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bench=${BENCH:-$top/build/benchmarks/rpmem/rpmem-persist-bench}
rpmemd=${RPMEMD:-$top/build/src/rpmemd/rpmemd}
for f in "$bench" "$rpmemd"; do
	[ -x "$f" ] || {
		echo "$f not built: cmake --build build" >&2
		exit 1
	}
done

tmp=$(mktemp -d /tmp/rpmem-bench.XXXXXX)
shm=$(mktemp -d /dev/shm/rpmem-bench.XXXXXX)
cleanup() {
	"$top/utils/sshd-fixture.sh" stop "$tmp/sshd" || true
	rm -rf "$tmp" "$shm"
}
trap cleanup EXIT
"$top/utils/sshd-fixture.sh" start "$tmp/sshd" >/dev/null
. "$tmp/sshd/env"
mkdir -p "$tmp/sets"
printf 'PMEMPOOLSET\n8M %s/bench.part\n' "$shm" >"$tmp/sets/bench.set"
export RPMEM_PROVIDER=${RPMEM_PROVIDER:-tcp}
allow=
[ "$RPMEM_PROVIDER" = sockets ] && allow=--allow-sockets
export RPMEM_CMD="env PMEM_IS_PMEM_FORCE=1 $rpmemd $allow --poolset-dir=$tmp/sets"
"$bench" "$RPMEM_TEST_TARGET" bench.set "${1:-1000}"
