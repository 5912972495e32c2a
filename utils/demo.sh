#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# utils/demo.sh -- the main job, end to end, on this machine
#
# Installs missing packages, builds build/, starts a private sshd on
# 127.0.0.1 (utils/sshd-fixture.sh) and runs examples/demo: a local pool
# with records written and persisted, replicated over ssh + libfabric to a
# remote pool served by rpmemd, read back, verified against the remote pool
# file, with timings. Everything it creates lives in a temporary directory
# removed on exit.
#
# usage: utils/demo.sh [records]
#        utils/demo.sh --run <demo-binary> <rpmemd-binary> [records]
#            (no install/build; used by the test suite)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" = "--run" ]; then
	demo=$(realpath "$2") rpmemd=$(realpath "$3") records=${4:-10000}
else
	records=${1:-10000}
	cd "$top"
	. utils/deps.sh
	deps_install "${DEPS_BUILD[@]}" "${DEPS_TEST[@]}"
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j "$(nproc)" --target demo rpmemd
	demo=$top/build/examples/demo
	rpmemd=$top/build/src/rpmemd/rpmemd
fi

tmp=$(mktemp -d /tmp/rpmem-demo.XXXXXX)
cleanup() {
	"$top/utils/sshd-fixture.sh" stop "$tmp/sshd" || true
	rm -rf "$tmp"
}
trap cleanup EXIT
"$top/utils/sshd-fixture.sh" start "$tmp/sshd" >/dev/null
. "$tmp/sshd/env"

mkdir -p "$tmp/remote"
cat >"$tmp/remote/demo.set" <<SET
PMEMPOOLSET
32M $tmp/remote/demo.part
SET
# No persistent memory here: both sides use the CPU flush path instead of
# msync (the daemon gets the variable through its remote command line, as
# the environment does not cross ssh).
export PMEM_IS_PMEM_FORCE=1
export RPMEM_CMD="env PMEM_IS_PMEM_FORCE=1 $rpmemd --poolset-dir=$tmp/remote --log-file=$tmp/rpmemd.log"
echo "remote node: $RPMEM_TEST_TARGET (private sshd), rpmemd $rpmemd"
if ! "$demo" "$RPMEM_TEST_TARGET" demo.set "$tmp/local.pool" \
	"$tmp/remote/demo.part" "$records"; then
	echo "--- rpmemd log:" >&2
	cat "$tmp/rpmemd.log" >&2 2>/dev/null || true
	exit 1
fi
