#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# man-pages.sh -- every exported function has a rendered man page whose NAME
# section names it
# usage: man-pages.sh <rendered doc dir> <version script>...
set -euo pipefail
docdir=$1
shift
cd "$docdir"
missing=0 checked=0
for map in "$@"; do
	[ -f "$map" ] || continue
	syms=$(sed -n '/global:/,/local:/p' "$map" |
		grep -oE '^[[:space:]]*[A-Za-z_][A-Za-z0-9_]*;' |
		tr -d ' \t;' | grep -v '^_pobj_')
	for s in $syms; do
		checked=$((checked + 1))
		page=man3/$s.3
		if [ ! -f "$page" ]; then
			echo "FAIL: no man page for $s ($map)"
			missing=$((missing + 1))
			continue
		fi
		# the NAME section: the lines after NAME up to the next heading
		name=$(MANWIDTH=200 man -l "$page" 2>/dev/null |
			sed -n '/^NAME/,/^[A-Z]/p' | sed '1d;$d')
		if ! grep -qw -- "$s" <<<"$name"; then
			echo "FAIL: NAME section of $page does not name $s:"
			echo "$name"
			missing=$((missing + 1))
		fi
	done
done
echo "$((checked - missing)) passed, $missing failed"
[ "$checked" -gt 0 ] && [ "$missing" -eq 0 ]
