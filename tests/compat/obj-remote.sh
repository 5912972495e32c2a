#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# obj-remote.sh -- a pmemobj pool set with a remote replica shared with
# Debian's PMDK 1.12.1 libpmemobj
#
#   1. PMDK's libpmemobj, with our librpmem.so.1 and our rpmemd (PMDK's
#      only way to a remote replica on Debian, which ships no librpmem),
#      creates the set; ours opens, checks and rewrites it; PMDK reads it
#      back; and the other way round.
#   2. With PMDK_RPMEM_DIR (PMDK's own librpmem.so.1 and rpmemd, sockets
#      provider): our libpmemobj against PMDK's rpmemd, and PMDK's whole
#      stack reading what ours wrote.
# After every step our side ran last, the local pool and the remote part
# hold the same pool descriptor, lanes, heap header and root object. (PMDK
# leaves transient bytes, chunk footers and run-time data in free blocks,
# in the local pool only; they are not compared.)
#
# usage: obj-remote.sh <1|2> <obj-remote-ours> <obj-remote-pmdk> <rpmemd> \
#        <dir of our librpmem.so.1>     (SSHD_FIXTURE_DIR set by ctest)
# The first argument says which of the two parts to run; part 2 exits 77
# (skipped) without PMDK_RPMEM_DIR.
set -euo pipefail
part=$1 ours=$2 pmdk=$3 rpmemd=$4 librpmem=$5
if [ "$part" = 2 ] && [ -z "${PMDK_RPMEM_DIR:-}" ]; then
	echo "SKIP: PMDK_RPMEM_DIR (PMDK 1.12.1's librpmem.so.1 and rpmemd)" \
		"not set"
	exit 77
fi
fx=${SSHD_FIXTURE_DIR:?}
target=$(cat "$fx/target")
tmp=$(mktemp -d /tmp/obj-remote.XXXXXX)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/remote"
export RPMEM_SSH=$fx/ssh PMEM_IS_PMEM_FORCE=1

fail() {
	echo "FAIL: $*" >&2
	for l in "$tmp"/*.log; do
		[ -f "$l" ] && { echo "--- $l" >&2; tail -20 "$l" >&2; }
	done
	exit 1
}

fresh() {
	rm -f "$tmp/p0" "$tmp/remote/rem.part"
	printf 'PMEMPOOLSET\n24M %s/remote/rem.part\n' "$tmp" \
		>"$tmp/remote/rem.set"
	printf 'PMEMPOOLSET\n16M %s/p0\nREPLICA %s rem.set\n' "$tmp" \
		"$target" >"$tmp/pool.set"
}

# local pool == remote part in the ranges that hold the pool's state
same() {
	python3 - "$tmp/p0" "$tmp/remote/rem.part" "$root" <<'PY' || fail "$1"
import sys
a = open(sys.argv[1], 'rb').read()
b = open(sys.argv[2], 'rb').read()
root = int(sys.argv[3])
ranges = [(0x1000, 0x1A20, "descriptor"), (0x2000, 0x302000, "lanes"),
          (0x302000, 0x302400, "heap header"),
          (root, root + 65536, "root object")]
for lo, hi, what in ranges:
    bad = [i for i in range(lo, hi) if a[i] != b[i]]
    if bad:
        print("%s: local and remote differ at %d bytes, first at 0x%x" %
              (what, len(bad), bad[0]))
        sys.exit(1)
PY
}

root=0
run_ours() {
	local out
	out=$("$ours" "$@") || fail "ours: $*"
	root=${out#root }
}
run_pmdk() {
	local out
	out=$(LD_LIBRARY_PATH=$pmdk_lib "$pmdk" "$@") || fail "pmdk: $*"
	root=${out#root }
}

# --- 1. our librpmem and rpmemd under both libraries -----------------------
if [ "$part" = 1 ]; then
export RPMEM_CMD="env PMEM_IS_PMEM_FORCE=1 $rpmemd --poolset-dir=$tmp/remote --log-file=$tmp/rpmemd.log --log-level=info"
export RPMEM_PROVIDER=tcp
pmdk_lib=$librpmem
fresh
run_pmdk create "$tmp/pool.set" "made by pmdk"
run_ours update "$tmp/pool.set" "made by pmdk" "rewritten by ours"
same "PMDK-created set after our update"
run_pmdk update "$tmp/pool.set" "rewritten by ours" "pmdk again"
run_ours verify "$tmp/pool.set" "pmdk again"
same "after PMDK's update and our open"

fresh
run_ours create "$tmp/pool.set" "made by ours"
same "our set after create"
run_pmdk update "$tmp/pool.set" "made by ours" "pmdk wrote this"
run_ours verify "$tmp/pool.set" "pmdk wrote this"
same "our set after PMDK's update and our open"
echo "ours <-> PMDK libpmemobj over our librpmem/rpmemd: ok"
exit 0
fi

# --- 2. PMDK's librpmem and rpmemd ------------------------------------------
export RPMEM_CMD="$PMDK_RPMEM_DIR/rpmemd --poolset-dir=$tmp/remote --log-file=$tmp/pmdk-rpmemd.log"
export RPMEM_PROVIDER=sockets RPMEM_ENABLE_SOCKETS=1
pmdk_lib=$PMDK_RPMEM_DIR
fresh
run_ours create "$tmp/pool.set" "ours, pmdk daemon"
same "our set created through PMDK's rpmemd"
run_pmdk update "$tmp/pool.set" "ours, pmdk daemon" "all pmdk"
run_ours verify "$tmp/pool.set" "all pmdk"
same "after PMDK's stack and our open"
echo "ours <-> PMDK librpmem/rpmemd: ok"
