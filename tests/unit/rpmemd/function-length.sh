#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# function-length.sh -- no function in rpmemd's own sources is longer than
# MAX lines (default 80), counted from its opening to its closing brace.
# The fabric server (fip.*) and the header conversion (rpmemd_hdr.*) are
# maintained elsewhere and not checked here.
# usage: function-length.sh <src/rpmemd> [MAX]
dir=${1:?usage: $0 <src/rpmemd> [max]}
max=${2:-80}
status=0
for f in "$dir"/*.c; do
	case $(basename "$f") in
	fip.c | rpmemd_hdr.c) continue ;;
	esac
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
exit $status
