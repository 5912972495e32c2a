#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# install.sh -- install the build tree into a temporary prefix, then build
# and run a program against it twice: with pkg-config and with find_package
# usage: install.sh <build dir>
set -euo pipefail
build=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/rpmem-ng-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 || {
	cat "$tmp/install.log"
	exit 1
}
libdir=$(dirname "$(find "$prefix" -name 'librpmem.so.1' | head -1)")
[ -n "$libdir" ] && [ -f "$libdir/libpmemobj.so.1" ] || {
	echo "FAIL: libraries not installed under $prefix"
	exit 1
}
for f in include/librpmem.h include/libpmemobj.h include/libpmemobj/base.h \
	bin/rpmemd; do
	[ -e "$prefix/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done

# The .pc files carry the configured prefix; point pkg-config at the temp
# one with --define-prefix.
export PKG_CONFIG_PATH=$libdir/pkgconfig
flags=$(pkg-config --define-prefix --cflags --libs librpmem libpmemobj)
cc -o "$tmp/consumer-pc" "$here/consumer/consumer.c" $flags
LD_LIBRARY_PATH=$libdir "$tmp/consumer-pc" "$tmp/pool-pc"
LD_LIBRARY_PATH=$libdir ldd "$tmp/consumer-pc" >"$tmp/ldd"
grep -q "libpmemobj.so.1 => $libdir/" "$tmp/ldd" &&
	grep -q "librpmem.so.1 => $libdir/" "$tmp/ldd" || {
	echo "FAIL: the pkg-config build does not use the installed libraries"
	cat "$tmp/ldd"
	exit 1
}

cmake -S "$here/consumer" -B "$tmp/cm" -DCMAKE_PREFIX_PATH="$prefix" \
	>"$tmp/cm.log" 2>&1 || { cat "$tmp/cm.log"; exit 1; }
cmake --build "$tmp/cm" >>"$tmp/cm.log" 2>&1 || { cat "$tmp/cm.log"; exit 1; }
LD_LIBRARY_PATH=$libdir "$tmp/cm/consumer" "$tmp/pool-cm"
echo "install, pkg-config and find_package: ok"
