#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# rpmem-limits.sh -- runs rpmem-limits against the private sshd and rpmemd
# usage: rpmem-limits.sh big|full|sparse|killcreate|killclient|msync|
#        msyncbig|sigbus <rpmem-limits> <rpmemd>
# "full" and "sparse" mount an 8 MiB tmpfs (need root; reported as skipped
# otherwise); "msync" and "msyncbig" need rpmemd built with
# ENABLE_FAULT_INJECTION.
set -euo pipefail
mode=$1 prog=$2 rpmemd=$3
: "${SSHD_FIXTURE_DIR:?}"
. "$SSHD_FIXTURE_DIR/env"
dir=$(mktemp -d /tmp/rpmem-limits.XXXXXX)
mounted=0
cleanup() {
	[ "$mounted" = 1 ] && umount "$dir/fs" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
sets=$dir
if [ "$mode" = full ] || [ "$mode" = sparse ]; then
	mkdir "$dir/fs"
	if ! mount -t tmpfs -o size=8m tmpfs "$dir/fs" 2>/dev/null; then
		echo "SKIP: cannot mount a small tmpfs (needs root)"
		exit 77
	fi
	mounted=1
	sets=$dir/fs
fi
daemon="$rpmemd --poolset-dir=$sets --log-file=$dir/rpmemd.log"
export RPMEM_CMD="env PMEM_IS_PMEM_FORCE=1 $daemon"
if [ "$mode" = msync ]; then
	# one command per session, in turn: the create's rpmemd (not pmem)
	# fails its 2nd msync, the open's (pmem) its 1st, the remove's none
	RPMEM_CMD="env PMEM_IS_PMEM_FORCE=0 RPMEM_FAULT_INJECT=msync:2 $daemon"
	RPMEM_CMD+="|env PMEM_IS_PMEM_FORCE=1 RPMEM_FAULT_INJECT=msync:1 $daemon"
	RPMEM_CMD+="|$daemon"
fi
if [ "$mode" = msyncbig ]; then
	# the sessions' rpmemds (not pmem) fail the msync of the 1st, the 6th
	# and the 12th (last) chunk of a pipelined 3 MiB persist
	RPMEM_CMD=
	for n in 1 6 12; do
		RPMEM_CMD+="${RPMEM_CMD:+|}env PMEM_IS_PMEM_FORCE=0 RPMEM_FAULT_INJECT=msync:$n $daemon"
	done
fi
if [ "$mode" = killcreate ]; then
	# the daemon gets SIGKILL 0..0.8 s after it starts; the first one
	# before it starts, so that one kill surely lands whatever the speed
	cat >"$dir/killer.sh" <<'KILLER'
#!/bin/sh
first=${0%/*}/killed-first
[ -e "$first" ] || { : >"$first"; kill -9 $$; }
d=$(awk -v s=$$ 'BEGIN { srand(s); printf "%.3f", rand() * 0.8 }')
(sleep "$d"; kill -9 $$) </dev/null >/dev/null 2>&1 &
exec "$@"
KILLER
	chmod +x "$dir/killer.sh"
	RPMEM_CMD="$dir/killer.sh $RPMEM_CMD"
fi
fail=0
"$prog" "$mode" "$RPMEM_TEST_TARGET" "$sets" || fail=1
case $mode in
full | sparse)
	# the lack of space is found before the pool is served, never by a
	# write that meets a page without a block
	if grep -q "fatal signal" "$dir/rpmemd.log" 2>/dev/null; then
		echo "FAIL: rpmemd died of a fatal signal"
		fail=1
	fi
	;;
msyncbig)
	if [ "$(grep -c "not acknowledged: msync of .*Input/output error; ending the session" "$dir/rpmemd.log")" != 3 ]; then
		echo "FAIL: rpmemd's log does not show the three failed chunks"
		fail=1
	fi
	;;
msync)
	if ! grep -q "not acknowledged: msync of .* part '$sets/ms.part' at offset .*Input/output error; ending the session" "$dir/rpmemd.log"; then
		echo "FAIL: rpmemd's log does not name the part, range and error"
		fail=1
	fi
	;;
esac
if [ "$fail" = 1 ]; then
	echo "--- rpmemd log:"
	cat "$dir/rpmemd.log" 2>/dev/null || true
	exit 1
fi
