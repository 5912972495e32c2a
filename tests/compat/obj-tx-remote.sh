#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# obj-tx-remote.sh -- Debian's own PMDK 1.12.1 libpmemobj and pmempool
# replicating to a remote node through our librpmem.so.1 and rpmemd
#
# Debian ships libpmemobj1 and pmdk-tools but no librpmem and no rpmemd, so
# their remote replicas (`REPLICA host:port set` lines) cannot work there.
# With our librpmem.so.1 on the loader's path and our rpmemd behind ssh
# (the private sshd fixture), this checks that they do, unmodified:
#   1. obj-tx-remote, built against Debian's libpmemobj, creates a pool set
#      with a remote replica, runs transactions with allocations, frees and
#      an abort (stage 1); reopens it and checks the object graph; runs
#      stage 2 and checks again. After every run the local part and the
#      remote part hold the same persistent state (replica-cmp.py).
#   2. Debian's `pmempool info` reads the set, remote replica included.
#   3. Debian's `pmempool sync` recreates a lost remote part from the local
#      one, then a lost local part from the remote one.
#   4. Debian's `pmempool rm` removes the local and the remote part.
#
#
# OBJ_TX_NOFILE=<n> runs all of it with `ulimit -n <n>` on both sides (the
# programs here, and rpmemd through its remote command): 1024 is what a
# login on a stock system gets, and Debian's libpmemobj asks for 1024 lanes.
#
# usage: obj-tx-remote.sh <obj-tx-remote> <rpmemd> <dir of our librpmem.so.1>
#        (SSHD_FIXTURE_DIR set by ctest)
set -euo pipefail
prog=$1 rpmemd=$2 librpmem=$(cd "$3" && pwd -P)
here=$(cd "$(dirname "$0")" && pwd)
fx=${SSHD_FIXTURE_DIR:?}
target=$(cat "$fx/target")
n=200
command -v pmempool >/dev/null || {
	echo "FAIL: no pmempool: apt-get install pmdk-tools" >&2
	exit 1
}
tmp=$(mktemp -d /tmp/obj-tx-remote.XXXXXX)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/remote"
poolset=$tmp/pool.set local=$tmp/p0 remote=$tmp/remote/rem.part

fail() {
	echo "FAIL: $*" >&2
	for l in "$tmp"/*.log "$tmp"/*.out; do
		[ -f "$l" ] && { echo "--- $l" >&2; tail -20 "$l" >&2; }
	done
	exit 1
}

# what a Debian user sets: where librpmem.so.1 is, how to reach the node
export LD_LIBRARY_PATH=$librpmem RPMEM_SSH=$fx/ssh PMEM_IS_PMEM_FORCE=1
limit=
if [ -n "${OBJ_TX_NOFILE:-}" ]; then
	ulimit -n "$OBJ_TX_NOFILE"
	limit="ulimit -n $OBJ_TX_NOFILE && exec "
fi
export RPMEM_CMD="${limit}env PMEM_IS_PMEM_FORCE=1 $rpmemd --poolset-dir=$tmp/remote --log-file=$tmp/rpmemd.log --log-level=info"
printf 'PMEMPOOLSET\n32M %s\n' "$remote" >"$tmp/remote/rem.set"
printf 'PMEMPOOLSET\n32M %s\nREPLICA %s rem.set\n' "$local" "$target" >"$poolset"

# the program runs Debian's libpmemobj (owned by its package) and ours
# librpmem, which Debian's library loaded for the REPLICA line
check_libs() {
	local obj
	obj=$(sed -n 's/^lib \(.*libpmemobj\.so.*\)/\1/p' "$1")
	[ -n "$obj" ] && dpkg -S "$(readlink -f "$obj")" 2>/dev/null |
		grep -q '^libpmemobj1' ||
		fail "libpmemobj is not Debian's: '$obj'"
	grep -qx "lib $librpmem/librpmem.so.1.*" "$1" ||
		fail "our librpmem.so.1 was not loaded"
}

run() { # <out file> <obj-tx-remote args>
	local out=$1
	shift
	"$prog" "$@" >"$out" 2>"$out.err" || fail "obj-tx-remote $*"
	check_libs "$out"
}

same() { # <ranges file> <what>
	python3 "$here/replica-cmp.py" "$local" "$remote" "$1" ||
		fail "local and remote part differ: $2"
}

# --- 1. transactions --------------------------------------------------------
run "$tmp/create.out" create "$poolset" $n
same "$tmp/create.out" "after create (stage 1)"
run "$tmp/verify1.out" verify "$poolset" $n 1
same "$tmp/verify1.out" "after reopen"
run "$tmp/update.out" update "$poolset" $n
same "$tmp/update.out" "after stage 2"
run "$tmp/verify2.out" verify "$poolset" $n 2
same "$tmp/verify2.out" "after reopen of stage 2"
nodes=$(sed -n 's/^nodes //p' "$tmp/verify2.out")
if [ -n "$limit" ]; then
	# the client asked for the lanes its descriptors hold, not 1024
	grep -q '^    nlanes: ' "$tmp/rpmemd.log" ||
		fail "rpmemd's log names no lanes"
	! grep -q '^    nlanes: 1024$' "$tmp/rpmemd.log" ||
		fail "1024 lanes asked for under a limit of $OBJ_TX_NOFILE"
fi
echo "Debian libpmemobj transactions, remote replica: ok ($nodes nodes)"

# the comparison sees a byte changed in an object of the remote part
cp "$remote" "$tmp/flipped.part"
read -r _ off len < <(grep '^range' "$tmp/verify2.out" | tail -1)
python3 - "$tmp/flipped.part" $((off + len - 1)) <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2]))
    b = f.read(1)
    f.seek(int(sys.argv[2]))
    f.write(bytes([b[0] ^ 0x5A]))
PY
if python3 "$here/replica-cmp.py" "$local" "$tmp/flipped.part" \
	"$tmp/verify2.out" >"$tmp/flipped.out"; then
	fail "replica-cmp.py did not see a changed byte"
fi
rm "$tmp/flipped.part"

# --- 2. pmempool info ---------------------------------------------------------
pmempool info "$poolset" >"$tmp/info.out" 2>&1 || fail "pmempool info"
grep -q '^Replica 1 - remote' "$tmp/info.out" &&
	grep -q "^node *: $target\$" "$tmp/info.out" &&
	grep -q '^pool set *: rem.set$' "$tmp/info.out" ||
	fail "pmempool info does not show the remote replica"
pmempool info -O "$poolset" >"$tmp/info-objects.out" 2>&1 ||
	fail "pmempool info -O"
objs=$(grep -c '^ *Object *:' "$tmp/info-objects.out" || true)
[ "$objs" = "$nodes" ] ||
	fail "pmempool info -O lists $objs objects, the list holds $nodes"
# and it needs a librpmem: without ours (if the system has none) it fails
if ! /sbin/ldconfig -p | grep -q 'librpmem\.so\.1 '; then
	if env -u LD_LIBRARY_PATH pmempool info "$poolset" \
		>"$tmp/info-nolib.out" 2>&1; then
		fail "pmempool info worked without any librpmem.so.1"
	fi
fi
echo "Debian pmempool info: ok"

# --- 3. pmempool sync ---------------------------------------------------------
rm "$remote"
pmempool sync "$poolset" >"$tmp/sync-remote.out" 2>&1 ||
	fail "pmempool sync (remote part lost)"
[ -f "$remote" ] || fail "pmempool sync did not recreate the remote part"
same "$tmp/verify2.out" "after pmempool sync recreated the remote part"
rm "$local"
pmempool sync "$poolset" >"$tmp/sync-local.out" 2>&1 ||
	fail "pmempool sync (local part lost)"
run "$tmp/verify3.out" verify "$poolset" $n 2
same "$tmp/verify3.out" "after pmempool sync restored the local part"
echo "Debian pmempool sync, both directions: ok"

# --- 4. pmempool rm -----------------------------------------------------------
pmempool rm "$poolset" >"$tmp/rm.out" 2>&1 || fail "pmempool rm"
[ ! -e "$local" ] || fail "pmempool rm left the local part"
[ ! -e "$remote" ] || fail "pmempool rm left the remote part"
[ -f "$poolset" ] && [ -f "$tmp/remote/rem.set" ] ||
	fail "pmempool rm removed a pool set file (only parts by default)"
echo "Debian pmempool rm: ok"
