#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# obj-set-compat.sh -- pool sets (parts with a header each, OPTION SINGLEHDR,
# local replicas of other sizes) created by our libpmemobj are read,
# written and checked by PMDK 1.12.1 and `pmempool check`, then read again
# by ours; the same the other way round. The local replica our library
# keeps is the master's pool image byte for byte outside the header page
# and the volatile area, opens as the master, and `pmempool sync` rebuilds
# a lost replica or master from it.
# usage: obj-set-compat.sh <ours> <pmdk>
set -euo pipefail
ours=$1 pmdk_bin=$2
# PMDK without msync (it msyncs every persist of a set on a plain file
# system, which makes this test slow on a busy machine); ours keeps its
# msync path, the other path is libpmemobj-set's
pmdk_forced() { PMEM_IS_PMEM_FORCE=1 "$pmdk_bin" "$@"; }
pmdk=pmdk_forced
command -v pmempool >/dev/null || {
	echo "pmempool not found: apt-get install pmdk-tools"
	exit 1
}
dir=$(mktemp -d /tmp/obj-set-compat.XXXXXX)
trap 'rm -rf "$dir"' EXIT
pass=0 fail=0
run() {
	if "$@"; then pass=$((pass + 1)); else
		echo "FAIL: $*"
		fail=$((fail + 1))
	fi
}

# mkset <name> <kind>: writes $dir/<name>.set with parts in $dir/<name>/
mkset() {
	local d=$dir/$1
	mkdir -p "$d"
	{
		echo PMEMPOOLSET
		case $2 in
		one)
			echo "# a set of one part is a pool of its own"
			echo "9M $d/p0"
			;;
		parts)
			echo "4M $d/p0"
			echo "4M $d/p1"
			echo "4M $d/p2"
			;;
		singlehdr)
			echo "OPTION SINGLEHDR"
			echo "4M $d/p0"
			echo "3M $d/p1"
			echo "5M $d/p2"
			;;
		replica)
			echo "5M $d/p0"
			echo "4M $d/p1"
			echo "REPLICA"
			echo "12M $d/r0"
			;;
		singlehdr-replica)
			echo "OPTION SINGLEHDR"
			echo "4M $d/p0"
			echo "5M $d/p1"
			echo "REPLICA"
			echo "3M $d/r0"
			echo "7M $d/r1"
			;;
		replicas) # three: prev and next replica differ
			echo "9M $d/p0"
			echo "REPLICA"
			echo "4M $d/r0"
			echo "6M $d/r1"
			echo "REPLICA"
			echo "10M $d/s0"
			;;
		small-replica) # the replica sets the pool size
			echo "5M $d/p0"
			echo "5M $d/p1"
			echo "REPLICA"
			echo "9M $d/r0"
			;;
		esac
	} >"$dir/$1.set"
}

# same <set> [<from> <to>]: every local replica's pool image equals the
# master's from 0x1000 to the pool size, the volatile area 0x1A20..0x2000
# aside, or over [from, to)
same() {
	python3 - "$@" <<'EOF'
import os, sys
reps, single = [[]], False
for line in open(sys.argv[1]).read().splitlines()[1:]:
    t = line.split('#')[0].split()
    if not t:
        continue
    if t[0] == 'OPTION':
        single = 'SINGLEHDR' in t[1:]
    elif t[0] == 'REPLICA':
        reps.append([])
    else:
        reps[-1].append(t[1])
class Image:
    """a replica's pool image: part 0 whole, then each part from 4 KiB on
    (whole with SINGLEHDR)"""
    def __init__(self, parts):
        self.map, at = [], 0
        for i, p in enumerate(parts):
            skip = 0 if i == 0 or single else 4096
            n = os.path.getsize(p) // 4096 * 4096 - skip
            self.map.append((at, n, open(p, 'rb'), skip))
            at += n
        self.size = at
    def read(self, lo, n):
        out = b''
        for at, size, f, skip in self.map:
            if lo < at + size and lo + n > at:
                a = max(lo, at)
                b = min(lo + n, at + size)
                f.seek(a - at + skip)
                out += f.read(b - a)
        return out
imgs = [Image(r) for r in reps]
size = min(i.size for i in imgs)
ranges = ((0x1000, 0x1A20), (0x2000, size))
if len(sys.argv) == 4:
    ranges = ((int(sys.argv[2]), int(sys.argv[3])),)
for r, img in enumerate(imgs[1:], 1):
    for lo, hi in ranges:
        for at in range(lo, hi, 1 << 20):
            n = min(1 << 20, hi - at)
            a, b = imgs[0].read(at, n), img.read(at, n)
            if a != b:
                k = next(k for k in range(n) if a[k] != b[k])
                print("replica %d differs from the master at 0x%x" %
                      (r, at + k))
                sys.exit(1)
print("%d replica(s) equal the master over %d bytes" %
      (len(imgs) - 1, sum(hi - lo for lo, hi in ranges)))
EOF
}

check() {
	run pmempool check -v "$1"
	run pmemobj_info_ok "$1"
}

# `pmempool info` reads the set and sees its parts and replicas
pmemobj_info_ok() {
	local out
	out=$(pmempool info "$1") || return 1
	grep -q "Number of replicas" <<<"$out" || {
		echo "pmempool info: no replica table"
		echo "$out"
		return 1
	}
}

# create <writer> <set> <root size>: prints the root's pool offset
create() {
	local out
	out=$("$@") || {
		echo "FAIL: $*: $out" >&2
		return 1
	}
	sed -n 's/.* at offset \([0-9]*\) written/\1/p' <<<"$out"
}

for kind in one parts singlehdr replica singlehdr-replica replicas \
	small-replica; do
	case $kind in
	one) root=$((4 << 20)) ;;
	parts | singlehdr) root=$((5 << 20)) ;;
	*replica) root=$((3 << 20)) ;;
	esac
	echo "== $kind: created by ours"
	mkset ours-$kind $kind
	set=$dir/ours-$kind.set
	off=$(create "$ours" create "$set" $root) || fail=$((fail + 1))
	run "$pmdk" update "$set" $root 2
	check "$set"
	run "$ours" verify "$set" $root 2
	run "$ours" update "$set" $root 3
	check "$set"
	run "$pmdk" verify "$set" $root 3
	# PMDK leaves some free chunk headers unreplicated: the root's range
	# and the descriptor are compared here, the whole image below
	if [[ $kind = *replica* ]]; then
		run same "$set" $((off - 16)) $((off + root))
		run same "$set" 4096 $((0x1A20))
	fi

	echo "== $kind: created by PMDK"
	mkset pmdk-$kind $kind
	set=$dir/pmdk-$kind.set
	run "$pmdk" create "$set" $root
	run "$ours" update "$set" $root 2
	check "$set"
	run "$pmdk" update "$set" $root 3
	run "$ours" verify "$set" $root 3
	run "$ours" update "$set" $root 4
	check "$set"
	run "$pmdk" verify "$set" $root 4
	if [ $kind = one ]; then
		run "$ours" verify "$dir/pmdk-one/p0" $root 4
		run "$pmdk" verify "$dir/ours-one/p0" $root 3
	fi
done

for kind in singlehdr-replica replicas small-replica; do
	echo "== $kind written by ours only"
	mkset mirror-$kind $kind
	set=$dir/mirror-$kind.set
	run "$ours" create "$set" $((3 << 20))
	run "$ours" update "$set" $((3 << 20)) 2
	run same "$set"
	check "$set"
done

echo "== replica written by ours only"
mkset mirror replica
set=$dir/mirror.set
run "$ours" create "$set" $((3 << 20))
run same "$set"
run "$ours" update "$set" $((3 << 20)) 2
run same "$set"
check "$set"
# the replica alone holds the pool: with the replicas swapped in the set
# file (the headers link two replicas both ways) PMDK and ours open the
# replica as the master and find the data
{
	echo PMEMPOOLSET
	echo "12M $dir/mirror/r0"
	echo REPLICA
	echo "5M $dir/mirror/p0"
	echo "4M $dir/mirror/p1"
} >"$dir/swapped.set"
run "$pmdk" verify "$dir/swapped.set" $((3 << 20)) 2
run "$ours" update "$dir/swapped.set" $((3 << 20)) 3
run "$pmdk" verify "$set" $((3 << 20)) 3

# refused <holder> <other> <set> <root size> <gen>: while the holder has
# the set open, the other library cannot open it (every part is locked)
refused() {
	local fifo=$dir/fifo out rc=0 i
	mkfifo "$fifo"
	"$1" hold "$3" "$4" "$5" <"$fifo" >"$dir/held" &
	local pid=$!
	exec 9>"$fifo"
	for i in $(seq 100); do
		grep -q held "$dir/held" && break
		sleep 0.1
	done
	if out=$("$2" verify "$3" "$4" "$5"); then
		echo "opened while held elsewhere: $out"
		rc=1
	elif ! grep -q "Resource temporarily unavailable" <<<"$out"; then
		echo "refused for another reason: $out"
		rc=1
	fi
	exec 9>&-
	wait "$pid" || rc=1
	rm -f "$fifo"
	return $rc
}

echo "== a set open in one library is locked for the other"
set=$dir/mirror.set
run refused "$pmdk" "$ours" "$set" $((3 << 20)) 3
run refused "$ours" "$pmdk" "$set" $((3 << 20)) 3
run "$ours" verify "$set" $((3 << 20)) 3

echo "== pmempool sync rebuilds a lost replica, then a lost master"
# (pmempool sync of 1.12.1 wants parts of whole 2 MiB multiples)
mkdir "$dir/sync"
{
	echo PMEMPOOLSET
	echo "8M $dir/sync/p0"
	echo "8M $dir/sync/p1"
	echo REPLICA
	echo "16M $dir/sync/r0"
} >"$dir/sync.set"
set=$dir/sync.set
run "$ours" create "$set" $((3 << 20))
run "$ours" update "$set" $((3 << 20)) 2
rm "$dir/sync/r0"
run pmempool sync -v "$set"
run same "$set"
run "$ours" update "$set" $((3 << 20)) 3
rm "$dir/sync/p0" "$dir/sync/p1"
run pmempool sync -v "$set"
run same "$set"
run "$ours" verify "$set" $((3 << 20)) 3
run "$ours" update "$set" $((3 << 20)) 4
run same "$set"
check "$set"
run "$pmdk" verify "$set" $((3 << 20)) 4

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
