#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# wire.sh -- wire compatibility with PMDK 1.12.1's librpmem and rpmemd
#
# usage: wire.sh <pmdk-daemon|pmdk-client> <rpmem-wire> <our-rpmemd>
#
# Debian ships no librpmem/rpmemd (PMDK dropped them), so this test needs a
# PMDK 1.12.1 build supplied by the person running it: PMDK_RPMEM_DIR must
# hold librpmem.so.1 and rpmemd. Without it the test is reported as skipped
# (exit 77), never as passed.
#   pmdk-daemon: our librpmem (sockets provider) against PMDK's rpmemd
#   pmdk-client: PMDK's librpmem (LD_LIBRARY_PATH) against our rpmemd
set -euo pipefail
mode=$1 prog=$2 ourd=$3
: "${SSHD_FIXTURE_DIR:?}"
if [ -z "${PMDK_RPMEM_DIR:-}" ] || [ ! -e "$PMDK_RPMEM_DIR/librpmem.so.1" ] ||
	[ ! -x "$PMDK_RPMEM_DIR/rpmemd" ]; then
	echo "SKIP: set PMDK_RPMEM_DIR to a directory with PMDK 1.12.1's" \
		"librpmem.so.1 and rpmemd"
	exit 77
fi
dir=$(mktemp -d /tmp/rpmem-wire.XXXXXX)
trap 'rm -rf "$dir"' EXIT
. "$SSHD_FIXTURE_DIR/env"
export RPMEM_ENABLE_SOCKETS=1 RPMEM_ENABLE_VERBS=0
case "$mode" in
pmdk-daemon)
	export RPMEM_CMD="$PMDK_RPMEM_DIR/rpmemd --poolset-dir=$dir --log-file=$dir/rpmemd.log --log-level=info"
	;;
pmdk-client)
	export LD_LIBRARY_PATH="$PMDK_RPMEM_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	export RPMEM_CMD="$ourd --allow-sockets --poolset-dir=$dir --log-file=$dir/rpmemd.log --log-level=info"
	;;
*)
	echo "unknown mode $mode" >&2
	exit 2
	;;
esac
if ! "$prog" "$RPMEM_TEST_TARGET" "$dir"; then
	echo "--- rpmemd log:"
	cat "$dir/rpmemd.log" 2>/dev/null || true
	exit 1
fi
