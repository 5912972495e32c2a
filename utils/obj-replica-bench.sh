#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# utils/obj-replica-bench.sh -- runs benchmarks/obj-replica-bench the way
# its numbers in the README were taken
#
# Starts a private sshd on 127.0.0.1 (utils/sshd-fixture.sh), writes six
# 32 MiB remote pool sets on /dev/shm (one per remote replica of the pools
# with 1, 2 and 3 of them), points RPMEM_CMD at
# build/src/rpmemd/rpmemd with PMEM_IS_PMEM_FORCE=1 and runs the benchmark
# with 0..3 remote replicas over RPMEM_PROVIDER (default tcp), and the time
# of pmemobj_open with 2 remote replicas, one of them failed before (a pool
# of OPEN_SIZE, default 1G, two more remote pool sets of that size: 3 times
# OPEN_SIZE on /dev/shm while it runs), then
# benchmarks/rpmem-setup-bench (rpmem_create/open/close next to `ssh true`).
# Everything it creates is removed on exit.
#
# usage: utils/obj-replica-bench.sh [--delay US] [seconds-per-cell [rounds]]
# (after building build/)
#
# --delay US: every rpmemd waits US microseconds before it answers a
# persist message, as if each node were a network away (a stand-in for a
# real cluster, where the replicas' round trips overlap: this machine's two
# cores cannot show that with four processes busy at once). The delay is a
# hook of fault-injection builds only, so this configures and builds
# build-fi/ (-DENABLE_FAULT_INJECTION=ON) for rpmemd; the session set-up
# benchmark is left out.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
delay=
if [ "${1:-}" = --delay ]; then
	delay=${2:?--delay needs microseconds}
	shift 2
fi
bench=${BENCH:-$top/build/benchmarks/obj-replica-bench}
setup=${SETUP_BENCH:-$top/build/benchmarks/rpmem-setup-bench}
rpmemd=${RPMEMD:-$top/build/src/rpmemd/rpmemd}
if [ -n "$delay" ]; then
	cmake -S "$top" -B "$top/build-fi" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DENABLE_FAULT_INJECTION=ON -DBUILD_TESTS=OFF -DBUILD_DOC=OFF \
		-DBUILD_BENCHMARKS=OFF -DBUILD_EXAMPLES=OFF >/dev/null
	cmake --build "$top/build-fi" -j "$(nproc)" --target rpmemd >/dev/null
	rpmemd=$top/build-fi/src/rpmemd/rpmemd
fi
for f in "$bench" "$setup" "$rpmemd"; do
	[ -x "$f" ] || {
		echo "$f not built: cmake --build build" >&2
		exit 1
	}
done

tmp=$(mktemp -d /tmp/obj-replica-bench.XXXXXX)
shm=$(mktemp -d /dev/shm/obj-replica-bench.XXXXXX)
cleanup() {
	"$top/utils/sshd-fixture.sh" stop "$tmp/sshd" || true
	rm -rf "$tmp" "$shm"
}
trap cleanup EXIT
"$top/utils/sshd-fixture.sh" start "$tmp/sshd" >/dev/null
. "$tmp/sshd/env"
mkdir -p "$tmp/sets"
sets=()
for i in 1 2 3 4 5 6; do
	printf 'PMEMPOOLSET\n32M %s/rem%s.part\n' "$shm" "$i" >"$tmp/sets/rem$i.set"
	sets+=("rem$i.set")
done
export RPMEM_CMD="env PMEM_IS_PMEM_FORCE=1 ${delay:+RPMEM_FAULT_PERSIST_DELAY_US=$delay }$rpmemd --poolset-dir=$tmp/sets"
export RPMEM_PROVIDER=${RPMEM_PROVIDER:-tcp}
if [ -n "$delay" ]; then
	echo "rpmemd answers every persist message after $delay us"
	"$bench" -d "$shm" -s "${1:-1}" -r "${2:-4}" "$RPMEM_TEST_TARGET" \
		"${sets[@]}"
	exit 0
fi
# the open times: a pool of OPEN_SIZE with two remote replicas
open_size=${OPEN_SIZE:-1G}
for i in 1 2; do
	printf 'PMEMPOOLSET\n%s %s/open%s.part\n' "$open_size" "$shm" "$i" \
		>"$tmp/sets/open$i.set"
done
"$bench" -d "$shm" -s "${1:-1}" -r "${2:-4}" -o open1.set,open2.set \
	-O "$open_size" "$RPMEM_TEST_TARGET" "${sets[@]}"
echo
"$setup" -n "${SETUP_ROUNDS:-9}" "$RPMEM_TEST_TARGET" rem1.set
