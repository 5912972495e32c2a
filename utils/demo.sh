#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# utils/demo.sh -- the main job, end to end, on this machine
#
# Installs missing packages, builds build/, starts a private sshd on
# 127.0.0.1 (utils/sshd-fixture.sh) and runs examples/demo on a pmemobj pool
# set with a local part and a remote replica on this machine (reached over
# ssh, served by rpmemd over libfabric): records written with
# pmemobj_memcpy_persist, pmemobj_memcpy + NODRAIN and pmemobj_flush +
# pmemobj_drain, checked byte for byte in the remote pool file, the pool
# closed, reopened and checked again, with timings. Everything it creates
# lives in a temporary directory removed on exit.
#
# usage: utils/demo.sh [records]
#        utils/demo.sh --run <demo-binary> <rpmemd-binary> [records]
#            (no install/build; used by the test suite)
# DEMO_SSHD_DIR: the directory of an sshd fixture already running (the
# remote node), instead of a private sshd on 127.0.0.1
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
	cmake --build build -j "$(nproc)" --target demo rpmem rpmemd
	demo=$top/build/examples/demo
	rpmemd=$top/build/src/rpmemd/rpmemd
fi

tmp=$(mktemp -d /tmp/rpmem-demo.XXXXXX)
cleanup() {
	"$top/utils/sshd-fixture.sh" stop "$tmp/sshd" || true
	rm -rf "$tmp"
}
trap cleanup EXIT
if [ -n "${DEMO_SSHD_DIR:-}" ]; then
	# a running sshd fixture (e.g. on another node's namespace)
	. "$DEMO_SSHD_DIR/env"
else
	"$top/utils/sshd-fixture.sh" start "$tmp/sshd" >/dev/null
	. "$tmp/sshd/env"
fi

mkdir -p "$tmp/remote"
# the remote node's pool set, in the directory rpmemd serves
cat >"$tmp/remote/demo.set" <<SET
PMEMPOOLSET
32M $tmp/remote/demo.part
SET
# the application's pool set: one local part, the remote one as replica 1
cat >"$tmp/demo.set" <<SET
PMEMPOOLSET
32M $tmp/local.part
REPLICA $RPMEM_TEST_TARGET demo.set
SET
# No persistent memory here: both sides use the CPU flush path instead of
# msync (the daemon gets the variable through its remote command line, as
# the environment does not cross ssh).
export PMEM_IS_PMEM_FORCE=1
export RPMEM_CMD="env PMEM_IS_PMEM_FORCE=1 $rpmemd --poolset-dir=$tmp/remote --log-file=$tmp/rpmemd.log"
echo "remote node: $RPMEM_TEST_TARGET (private sshd), rpmemd $rpmemd"
echo "pool set $tmp/demo.set:"
sed 's/^/  /' "$tmp/demo.set"
if ! "$demo" "$tmp/demo.set" "$tmp/remote/demo.part" "$records"; then
	echo "--- rpmemd log:" >&2
	cat "$tmp/rpmemd.log" >&2 2>/dev/null || true
	exit 1
fi
# Past the header page (each replica has its own) the two replicas are the
# same pool: the records, and the object store's own metadata too.
if ! cmp -i 4096 "$tmp/local.part" "$tmp/remote/demo.part"; then
	echo "demo: the remote part differs from the local part" >&2
	exit 1
fi
echo "whole pool past the header page: local part and remote part identical"
