#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# deb-install.sh -- build the Debian packages with cpack, install them with
# dpkg into a private root (the host's packages stay untouched), check
# sonames, man pages and the development files, then run the rpmem_basic
# example built against the installed headers and libraries, with the
# installed rpmemd as the remote daemon behind the private sshd
#
# usage: deb-install.sh <build dir> <source dir> <sshd fixture dir> <sanitized>
# Exits 77 (skipped) without dpkg/cpack or in a sanitizer build.
set -euo pipefail
build=$(cd "$1" && pwd) src=$2 fixture=$3 sanitized=$4
if [ "$sanitized" = 1 ]; then
	echo "SKIP: sanitizer build (the examples are built without them)"
	exit 77
fi
for p in dpkg dpkg-deb dpkg-query cpack; do
	command -v "$p" >/dev/null || { echo "SKIP: no $p"; exit 77; }
done
. "$fixture/env"

fail() {
	echo "FAIL: $*"
	exit 1
}

tmp=$(mktemp -d /tmp/rpmem-ng-deb.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
pkgdir=$build/packaging-deb-test
pkgs="librpmem1 librpmem-dev libpmemobj1 libpmemobj-dev rpmemd"

# 1. packages, in the build tree
rm -rf "$pkgdir"
(cd "$build" && cpack -G DEB -B "$pkgdir") >"$tmp/cpack.log" 2>&1 || {
	cat "$tmp/cpack.log"
	fail "cpack"
}
debs=()
for p in $pkgs; do
	f=$(ls "$pkgdir"/${p}_*.deb 2>/dev/null) || fail "no package $p"
	debs+=("$f")
done

# 2. a private dpkg database seeded with the host's, so that dependencies
# such as libfabric1 resolve; the names we provide are dropped from it
# (Debian's libpmemobj1 may be installed on the host)
admin=$root/var/lib/dpkg
mkdir -p "$admin/info" "$admin/updates" "$admin/triggers"
awk -v names=" $pkgs " 'BEGIN { RS = ""; ORS = "\n\n" }
	{ split($0, l, "\n"); n = l[1]; sub(/^Package: /, "", n) }
	index(names, " " n " ") == 0 { print }' /var/lib/dpkg/status \
	>"$admin/status"
touch "$admin/available"
dpkg_() {
	dpkg --root="$root" --log="$tmp/dpkg.log" --force-not-root \
		--force-script-chrootless "$@"
}
dpkg_ -i "${debs[@]}" >"$tmp/dpkg.out" 2>&1 || {
	cat "$tmp/dpkg.out"
	fail "dpkg -i into $root"
}
for p in $pkgs; do
	st=$(dpkg-query --admindir="$admin" -W -f '${Status} ${Version}' "$p")
	[ "$st" = "install ok installed 1.12.1" ] || fail "$p: $st"
done
# the dependencies cpack wrote
deps() { dpkg-query --admindir="$admin" -W -f '${Depends}' "$1"; }
for p in librpmem1 rpmemd; do
	grep -q 'libfabric1' <<<"$(deps $p)" ||
		fail "$p does not depend on libfabric1: $(deps $p)"
done
grep -q 'librpmem1 (= 1.12.1)' <<<"$(deps librpmem-dev)" ||
	fail "librpmem-dev: $(deps librpmem-dev)"
grep -q 'libpmemobj1 (= 1.12.1)' <<<"$(deps libpmemobj-dev)" ||
	fail "libpmemobj-dev: $(deps libpmemobj-dev)"

# 3. layout: libraries in the multiarch directory with PMDK's sonames
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null ||
	gcc -print-multiarch)
libdir=$root/usr/lib/$arch
for l in librpmem libpmemobj; do
	[ -f "$libdir/$l.so.1" ] || fail "no $libdir/$l.so.1"
	so=$(readelf -d "$libdir/$l.so.1" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
	[ "$so" = "$l.so.1" ] || fail "$libdir/$l.so.1: soname '$so'"
	[ -L "$libdir/$l.so" ] || fail "no $l.so development link"
done
[ -x "$root/usr/bin/rpmemd" ] || fail "no /usr/bin/rpmemd"
if [ -n "$(find "$root/usr/lib" -maxdepth 1 -name '*.so*')" ]; then
	fail "libraries outside the multiarch directory"
fi
# every rendered man page (aliases included) is in one of the packages
n=0
for m in "$build"/doc/man[1-9]/*; do
	rel=usr/share/man/$(basename "$(dirname "$m")")/$(basename "$m")
	[ -f "$root/$rel" ] || fail "/$rel is in no package"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no rendered man pages in $build/doc"
man -l "$root/usr/share/man/man3/rpmem_create.3" 2>/dev/null |
	grep -q rpmem_create || fail "rpmem_create(3) does not render"

# 4. the example against the installed files only
export PKG_CONFIG_PATH=$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root
flags=$(pkg-config --cflags --libs librpmem)
cc -o "$tmp/rpmem_basic" "$src/examples/rpmem_basic/rpmem_basic.c" $flags
cmake -S "$src/tests/packaging/consumer" -B "$tmp/cm" \
	-DCMAKE_PREFIX_PATH="$root/usr" >"$tmp/cm.log" 2>&1 &&
	cmake --build "$tmp/cm" >>"$tmp/cm.log" 2>&1 || {
	cat "$tmp/cm.log"
	fail "find_package build against the installed -dev packages"
}
export LD_LIBRARY_PATH=$libdir
for prog in "$tmp/rpmem_basic" "$tmp/cm/consumer"; do
	ldd "$prog" >"$tmp/ldd"
	for l in librpmem libpmemobj; do
		if grep -q "$l.so" "$tmp/ldd" &&
			! grep -q "$l.so.1 => $libdir/$l.so.1" "$tmp/ldd"; then
			cat "$tmp/ldd"
			fail "$prog does not use the installed $l"
		fi
	done
done
grep -q "librpmem.so.1 => $libdir/" <(ldd "$tmp/rpmem_basic") ||
	fail "rpmem_basic is not linked with librpmem"
PMEM_IS_PMEM_FORCE=1 "$tmp/cm/consumer" "$tmp/consumer.pool" |
	grep -qx 'consumer ok' || fail "consumer"

pools=$tmp/pools
mkdir "$pools"
printf 'PMEMPOOLSET\n32M %s/basic.part\n' "$pools" >"$pools/basic.set"
export RPMEM_CMD="env PMEM_IS_PMEM_FORCE=1 $root/usr/bin/rpmemd --poolset-dir=$pools"
out=$("$tmp/rpmem_basic" "$RPMEM_TEST_TARGET" basic.set 2>&1) || {
	echo "$out"
	fail "rpmem_basic with the installed librpmem and rpmemd"
}
echo "$out"
grep -qx 'read back: Hello, remote persistent memory!' <<<"$out" ||
	fail "rpmem_basic output"
[ ! -e "$pools/basic.part" ] || fail "the remote pool was not removed"
rm -rf "$pkgdir"
echo "cpack, dpkg into a private root, sonames, man pages, example: ok"
