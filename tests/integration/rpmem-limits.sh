#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# rpmem-limits.sh -- runs rpmem-limits against the private sshd and rpmemd
# usage: rpmem-limits.sh big|full|killcreate|killclient <rpmem-limits> <rpmemd>
# "full" mounts an 8 MiB tmpfs (needs root; reported as skipped otherwise).
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
if [ "$mode" = full ]; then
	mkdir "$dir/fs"
	if ! mount -t tmpfs -o size=8m tmpfs "$dir/fs" 2>/dev/null; then
		echo "SKIP: cannot mount a small tmpfs (needs root)"
		exit 77
	fi
	mounted=1
	sets=$dir/fs
fi
export RPMEM_CMD="env PMEM_IS_PMEM_FORCE=1 $rpmemd --poolset-dir=$sets --log-file=$dir/rpmemd.log"
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
if ! "$prog" "$mode" "$RPMEM_TEST_TARGET" "$sets"; then
	echo "--- rpmemd log:"
	cat "$dir/rpmemd.log" 2>/dev/null || true
	exit 1
fi
