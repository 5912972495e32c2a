#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# replica-cmp.py -- compare two copies of one pmemobj pool (a local part
# file and a remote replica's part file, both single-part) over the ranges
# that hold the pool's persistent state:
#   the pool descriptor (0x1000..0x1A20), every lane, the heap header,
#   every zone header, the chunk header of every block start (walked in the
#   first copy) and the RUN_DATA headers of runs, the header and bitmap of
#   every run, and each "range <offset> <length>" line of <ranges file>
#   (live objects with their allocation headers).
# Left out on purpose: the pool header (each replica has its own uuids),
# footers and the contents of free blocks (PMDK writes those in the local
# copy only, as transient data), and the run-time area 0x1A20..0x1FFF.
#
# usage: replica-cmp.py <local part> <remote part> <ranges file>
# Prints what it compared; exits 1 naming the first differing range.
import struct
import sys

CHUNK = 262144
ZONE_META = 524288
ZONE_MAX = ZONE_META + 65528 * CHUNK
FOOTER, FREE, USED, RUN, RUN_DATA = 1, 2, 3, 4, 5
FLEX_BITMAP = 0x8


def u64(buf, off):
    return struct.unpack_from("<Q", buf, off)[0]


def run_bitmap_bytes(size_idx, unit):
    """bytes of a FLEX_BITMAP run's bitmap (what PMDK 1.12.1 creates)"""
    content = (CHUNK - 16) + (size_idx - 1) * CHUNK
    nvalues = (content // unit + 63) // 64
    nvalues = (nvalues + 2 + 7) // 8 * 8 - 2
    return 8 * nvalues


def heap_ranges(a):
    """(offset, length, what) of the heap's metadata, walked in copy a"""
    heap = u64(a, 0x1410)
    out = [(heap, 1024, "heap header")]
    zone = heap + 1024
    while zone + ZONE_META + CHUNK <= len(a):
        magic, zsize = struct.unpack_from("<II", a, zone)
        out.append((zone, 64, "zone header at 0x%x" % zone))
        if magic == 0:
            zone += ZONE_MAX
            continue
        c = 0
        while c < zsize:
            hdr = zone + 64 + 8 * c
            ctype, flags, size = struct.unpack_from("<HHI", a, hdr)
            if ctype not in (FREE, USED, RUN) or size == 0:
                raise SystemExit("local copy: bad chunk %d at 0x%x" % (c, hdr))
            out.append((hdr, 8, "chunk header %d" % c))
            if ctype == RUN:
                if size > 1:
                    out.append((hdr + 8, 8 * (size - 1), "run data headers"))
                run = zone + ZONE_META + c * CHUNK
                unit = u64(a, run)
                nbytes = run_bitmap_bytes(size, unit) if flags & FLEX_BITMAP \
                    else 304
                out.append((run, 16 + nbytes, "run header+bitmap at 0x%x" %
                            run))
            c += size
        zone += ZONE_MAX
    return out


def main():
    a = open(sys.argv[1], "rb").read()
    b = open(sys.argv[2], "rb").read()
    if len(a) != len(b):
        raise SystemExit("sizes differ: %d and %d" % (len(a), len(b)))
    lanes, nlanes = u64(a, 0x1400), u64(a, 0x1408)
    ranges = [(0x1000, 0xA20, "pool descriptor"),
              (lanes, nlanes * 3072, "lanes")]
    ranges += heap_ranges(a)
    objs = 0
    for line in open(sys.argv[3]):
        f = line.split()
        if f and f[0] == "range":
            ranges.append((int(f[1]), int(f[2]), "object at " + f[1]))
            objs += 1
    total = 0
    for off, n, what in ranges:
        if off + n > len(a) or n <= 0:
            raise SystemExit("%s: 0x%x+%d outside the pool" % (what, off, n))
        if a[off:off + n] != b[off:off + n]:
            i = next(i for i in range(off, off + n) if a[i] != b[i])
            print("FAIL: %s differs, first at 0x%x (local %02x remote %02x)"
                  % (what, i, a[i], b[i]))
            sys.exit(1)
        total += n
    if objs == 0:
        raise SystemExit("no object ranges in " + sys.argv[3])
    print("local == remote: %d ranges, %d objects, %d bytes" %
          (len(ranges), objs, total))


main()
