#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# format-check.sh -- every C source and header of the project is formatted
# as the root .clang-format says (ctest `clang-format`); prints the files
# that are not, with the fix: clang-format -i <file>
# usage: format-check.sh <top>; exits 77 (skipped) without clang-format
top=${1:?usage: $0 <top>}
cf=$(command -v clang-format || command -v clang-format-14) || {
	echo "SKIP: clang-format is not installed"
	exit 77
}
bad=0
for f in $(find "$top/src" "$top/include" "$top/tests" "$top/benchmarks" \
	"$top/examples" -name '*.[ch]' | sort); do
	if ! "$cf" --style=file --dry-run -Werror "$f" >/dev/null 2>&1; then
		echo "not formatted: $f (clang-format -i $f)"
		bad=1
	fi
done
[ $bad -eq 0 ] && echo "every C file is formatted"
exit $bad
