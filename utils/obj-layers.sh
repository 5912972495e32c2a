#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# utils/obj-layers.sh -- the files of src/libpmemobj call and include one way
#
# Usage: utils/obj-layers.sh <build dir>
#
# Lists the #include edges between the files of src/libpmemobj (quoted
# includes of headers that live there) and the call edges between its
# object files (a symbol one .o needs that another defines, from nm), and
# fails when either graph has a cycle (tsort finds a loop). On success it
# prints both edge lists and the files in an order where each calls only
# files after it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
src=$top/src/libpmemobj
objdir=${1:?usage: $0 <build dir>}/src/libpmemobj/CMakeFiles/pmemobj.dir
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for f in "$src"/*.c "$src"/*.h; do
	sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | while read -r inc; do
		if [ -f "$src/$inc" ]; then
			echo "$(basename "$f") $inc"
		fi
	done
done | sort -u >"$tmp/includes"

objs=()
for f in "$src"/*.c; do
	o=$objdir/$(basename "$f").o
	if [ ! -e "$o" ]; then
		echo "obj-layers: $o missing (build first)" >&2
		exit 2
	fi
	objs+=("$o")
done
for o in "${objs[@]}"; do
	name=$(basename "$o" .o)
	nm --defined-only -g "$o" | awk -v f="$name" 'NF == 3 { print $3, f }'
done | sort >"$tmp/defs"
for o in "${objs[@]}"; do
	name=$(basename "$o" .o)
	nm -u "$o" | awk '{ print $NF }' | sort -u |
		join - "$tmp/defs" | awk -v f="$name" '$2 != f { print f, $2 }'
done | sort -u >"$tmp/calls"

status=0
for g in includes calls; do
	echo "== $g (a b: a uses b)"
	cat "$tmp/$g"
	if ! tsort "$tmp/$g" >"$tmp/$g.order" 2>"$tmp/$g.err"; then
		echo "obj-layers: the $g graph has a cycle:" >&2
		cat "$tmp/$g.err" >&2
		status=1
	fi
done
if [ $status = 0 ]; then
	echo "== order (each file calls only files below it)"
	cat "$tmp/calls.order"
fi
exit $status
