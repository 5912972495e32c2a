#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# install.sh -- `cmake --install --prefix <temporary dir>` gives a tree that
# works where it is and after it is moved: no installed .pc or CMake package
# file names the configured prefix, and a program builds and runs against
# the tree with plain pkg-config (no --define-prefix) and with find_package,
# before and after the move; our libpmemobj only with --component pmemobj
# usage: install.sh <build dir>
set -euo pipefail
build=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/rpmem-ng-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $*"
	exit 1
}

configured=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" 2>&1 || {
	cat "$tmp/install.log"
	fail "cmake --install"
}
# our libpmemobj (PMDK's persistence subset) is not part of a plain install:
# it would shadow a system's full libpmemobj; it comes on request
if find "$tmp/prefix" -name 'libpmemobj*' -o -name 'pmemobj_*' | grep -q .; then
	fail "a plain cmake --install installed libpmemobj files"
fi
cmake --install "$build" --prefix "$tmp/prefix" --component pmemobj \
	>>"$tmp/install.log" 2>&1 || {
	cat "$tmp/install.log"
	fail "cmake --install --component pmemobj"
}
for f in include/librpmem.h include/libpmemobj.h include/libpmemobj/base.h \
	bin/rpmemd share/doc/rpmem-ng/NOTICE; do
	[ -e "$tmp/prefix/$f" ] || fail "$f not installed"
done
rel=$(cd "$tmp/prefix" && dirname "$(find . -name librpmem.so.1 | head -1)")
[ "$rel" != . ] && [ -f "$tmp/prefix/$rel/libpmemobj.so.1" ] ||
	fail "libraries not installed under $tmp/prefix"
if find "$tmp/prefix" \( -name '*.pc' -o -name '*.cmake' \) -print0 |
	xargs -0 grep -n "$configured\|$tmp"; then
	fail "an installed .pc or CMake file names an absolute prefix"
fi
[ "$(find "$tmp/prefix" -name '*.pc' | wc -l)" = 2 ] ||
	fail "expected librpmem.pc and libpmemobj.pc"

# <prefix> <tag>: build and run the consumer both ways against <prefix>
consume() {
	local prefix=$1 tag=$2 libdir=$1/$rel flags
	flags=$(PKG_CONFIG_PATH=$libdir/pkgconfig \
		pkg-config --cflags --libs librpmem libpmemobj) ||
		fail "$tag: pkg-config"
	cc -DWITH_PMEMOBJ -o "$tmp/pc-$tag" "$here/consumer/consumer.c" \
		$flags || fail "$tag: build with pkg-config ($flags)"
	cmake -S "$here/consumer" -B "$tmp/cm-$tag" \
		-DCMAKE_PREFIX_PATH="$prefix" >"$tmp/cm.log" 2>&1 &&
		cmake --build "$tmp/cm-$tag" >>"$tmp/cm.log" 2>&1 || {
		cat "$tmp/cm.log"
		fail "$tag: build with find_package"
	}
	for prog in "$tmp/pc-$tag" "$tmp/cm-$tag/consumer"; do
		LD_LIBRARY_PATH=$libdir ldd "$prog" >"$tmp/ldd"
		grep -q "libpmemobj.so.1 => $libdir/" "$tmp/ldd" &&
			grep -q "librpmem.so.1 => $libdir/" "$tmp/ldd" || {
			cat "$tmp/ldd"
			fail "$tag: $prog does not use the installed libraries"
		}
		LD_LIBRARY_PATH=$libdir "$prog" "$tmp/pool" | grep -qx \
			'consumer ok' || fail "$tag: $prog"
	done
}
consume "$tmp/prefix" installed
mv "$tmp/prefix" "$tmp/moved"
consume "$tmp/moved" moved
echo "install to a temporary prefix, pkg-config and find_package: ok"
