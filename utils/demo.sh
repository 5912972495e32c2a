#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# utils/demo.sh -- the main job, end to end, on this machine
#
# Installs missing packages, builds build/, starts a private sshd on
# 127.0.0.1 (utils/sshd-fixture.sh) as the remote node, where ssh starts
# rpmemd, and runs two demos on pool sets whose replica 1 is that node:
#   1. the lead use case: examples/tx_remote, built against Debian's own
#      libpmemobj (PMDK 1.12.1, transactions and allocator), writes a linked
#      list in transactions; Debian's library loads our librpmem.so.1 for
#      the REPLICA line. It says which libraries ran, compares the list in
#      the local pool with the one in the remote part file, and Debian's
#      `pmempool info` shows the set.
#   2. examples/demo on this project's libpmemobj subset: records written
#      with pmemobj_memcpy_persist, pmemobj_memcpy + NODRAIN and
#      pmemobj_flush + pmemobj_drain, checked byte for byte in the remote
#      pool file, the pool closed, reopened and checked again.
# Both print their timings. Everything they create lives in a temporary
# directory removed on exit.
#
# usage: utils/demo.sh [records]
#        utils/demo.sh --run <build-dir> [records]
#            (no install/build; used by the test suite; part 1 runs when
#            <build-dir>/examples/tx_remote exists)
# DEMO_SSHD_DIR: the directory of an sshd fixture already running (the
# remote node), instead of a private sshd on 127.0.0.1
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" = "--run" ]; then
	build=$(realpath "$2") records=${3:-10000}
else
	records=${1:-10000}
	cd "$top"
	. utils/deps.sh
	# DEPS_COMPAT: Debian's libpmemobj-dev and pmempool (pmdk-tools)
	deps_install "${DEPS_BUILD[@]}" "${DEPS_TEST[@]}" "${DEPS_COMPAT[@]}"
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j "$(nproc)" --target demo tx_remote rpmem rpmemd
	build=$top/build
fi
demo=$build/examples/demo
tx=$build/examples/tx_remote
rpmemd=$build/src/rpmemd/rpmemd
librpmem=$build/src/librpmem

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

# the remote node's pool sets live in the directory rpmemd serves; the
# application's sets name them in their REPLICA lines (other names, so
# that node and client files never collide)
node=$tmp/node
mkdir -p "$node"
# No persistent memory here: both sides use the CPU flush path instead of
# msync (the daemon gets the variable through its remote command line, as
# the environment does not cross ssh).
export PMEM_IS_PMEM_FORCE=1
export RPMEM_CMD="env PMEM_IS_PMEM_FORCE=1 $rpmemd --poolset-dir=$node --log-file=$tmp/rpmemd.log"

rpmemd_log() {
	echo "--- rpmemd log:" >&2
	cat "$tmp/rpmemd.log" >&2 2>/dev/null || true
}

# which package a loaded library came from
owner() {
	local p
	p=$(dpkg -S "$(readlink -f "$1")" 2>/dev/null | cut -d: -f1,2) || true
	if [ -n "$p" ]; then
		echo "Debian package ${p%%:}"
	else
		echo "not from a Debian package"
	fi
}

# the same pool past the header page (each replica has its own): the
# objects and the object store's own metadata too (this project's
# libpmemobj keeps no run-time data in the pool; PMDK's does, after its
# descriptor, so part 1 compares the descriptor and the objects instead)
same_parts() {
	if ! cmp -i 4096 "$1" "$2"; then
		echo "demo: the remote part differs from the local part" >&2
		exit 1
	fi
	echo "whole pool past the header page: local part and remote part identical"
}

tx_demo() {
	cat >"$node/txnode.set" <<SET
PMEMPOOLSET
32M $node/txnode.part
SET
	cat >"$tmp/txapp.set" <<SET
PMEMPOOLSET
32M $tmp/txapp.part
REPLICA $RPMEM_TEST_TARGET txnode.set
SET
	echo "=== 1. Debian's libpmemobj: transactions, replicated by our librpmem and rpmemd"
	echo "pool set $tmp/txapp.set (on the node: $node/txnode.set):"
	sed 's/^/  /' "$tmp/txapp.set"
	# Debian's libpmemobj dlopen()s librpmem.so.1: ours, from the build
	if ! LD_LIBRARY_PATH=$librpmem "$tx" "$tmp/txapp.set" \
		"$node/txnode.part" 200 >"$tmp/tx.out"; then
		cat "$tmp/tx.out"
		rpmemd_log
		exit 1
	fi
	cat "$tmp/tx.out"
	local obj rp
	obj=$(sed -n 's/^  loaded: \(.*libpmemobj\.so[^ ]*\)$/\1/p' "$tmp/tx.out" | head -1)
	rp=$(sed -n 's/^  loaded: \(.*librpmem\.so[^ ]*\)$/\1/p' "$tmp/tx.out" | head -1)
	echo "libpmemobj: $obj ($(owner "$obj"))"
	echo "librpmem:   $rp (this project's build)"
	case "$(owner "$obj")" in
	"Debian package libpmemobj1"*) ;;
	*)
		echo "demo: the program did not run Debian's libpmemobj" >&2
		exit 1
		;;
	esac
	[ "$(readlink -f "$rp")" = "$(readlink -f "$librpmem/librpmem.so.1")" ] || {
		echo "demo: the program did not run this project's librpmem" >&2
		exit 1
	}
	if command -v pmempool >/dev/null; then
		echo "--- pmempool info $tmp/txapp.set (Debian's pmempool, our librpmem):"
		LD_LIBRARY_PATH=$librpmem pmempool info "$tmp/txapp.set" |
			sed 's/^/  /'
	else
		echo "skipped: pmempool info: no pmempool (apt-get install pmdk-tools)"
	fi
}

memops_demo() {
	cat >"$node/demo-node.set" <<SET
PMEMPOOLSET
32M $node/demo-node.part
SET
	cat >"$tmp/demo.set" <<SET
PMEMPOOLSET
32M $tmp/local.part
REPLICA $RPMEM_TEST_TARGET demo-node.set
SET
	echo "=== 2. this project's libpmemobj subset: the memory functions"
	echo "pool set $tmp/demo.set (on the node: $node/demo-node.set):"
	sed 's/^/  /' "$tmp/demo.set"
	if ! "$demo" "$tmp/demo.set" "$node/demo-node.part" "$records"; then
		rpmemd_log
		exit 1
	fi
	same_parts "$tmp/local.part" "$node/demo-node.part"
}

echo "remote node: $RPMEM_TEST_TARGET (private sshd), rpmemd $rpmemd"
if [ -x "$tx" ]; then
	tx_demo
else
	echo "skipped: part 1 (Debian's libpmemobj): $tx not built (needs libpmemobj-dev at configure time; not built with sanitizers)"
fi
memops_demo
