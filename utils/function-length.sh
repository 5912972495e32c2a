#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# function-length.sh -- no function in the given source directories is
# longer than MAX lines, counted from its opening to its closing brace
# (ctest `function-length` runs it over every directory of src/)
# usage: function-length.sh <max> <dir>...
max=${1:?usage: $0 <max> <dir>...}
shift
[ $# -gt 0 ] || { echo "usage: $0 <max> <dir>..." >&2; exit 2; }
status=0
for dir in "$@"; do
	for f in "$dir"/*.c; do
		[ -f "$f" ] || continue
		awk -v max="$max" -v file="$f" '
			/^[A-Za-z_].*\(/ { name = $0; sub(/\(.*/, "", name) }
			/^\{/ { start = NR }
			/^\}/ && start {
				n = NR - start + 1
				if (n > max) {
					printf "%s: %s has %d lines (max %d)\n",
						file, name, n, max
					bad = 1
				}
				start = 0
			}
			END { exit bad }' "$f" || status=1
	done
	[ $status -eq 0 ] && echo "no function over $max lines in $dir"
done
exit $status
