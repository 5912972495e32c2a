#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# deb-install.sh -- build the Debian packages with cpack and install them
# with dpkg into a private root (the host's packages stay untouched) next to
# Debian's own libpmemobj1, then check:
#   - the default set is librpmem1, librpmem-dev and rpmemd; none of them
#     is named like, provides, replaces or overwrites a file of a Debian
#     package of the host;
#   - Debian's libpmemobj1 is still installed, unchanged (dpkg --verify),
#     and a transaction program built against it replicates to a remote
#     pool through the installed librpmem and rpmemd;
#   - sonames, the multiarch layout, man pages and the development files
#     (rpmem_basic built with pkg-config, a consumer with find_package);
#   - the opt-in rpmem-ng-pmemobj1 / -dev packages carry other names,
#     declare Conflicts with Debian's, and dpkg refuses to install them
#     while Debian's are installed.
#   - rpmemd(1) of the rpmemd package is the page man shows; Debian's page
#     of pmdk-tools is diverted while it is installed and back after
#     `dpkg -r rpmemd`.
# Debian's libpmemobj1 and pmdk-tools come from the host: their installed
# files and control data are packed again into .debs (no download).
#
# usage: deb-install.sh <build dir> <source dir> <sshd fixture dir>
#        <sanitized> [<obj-tx-remote built against Debian's libpmemobj>]
# Exits 77 (skipped) without dpkg/cpack or in a sanitizer build, and after
# all other checks when Debian's libpmemobj1 or the program is missing.
set -euo pipefail
build=$(cd "$1" && pwd) src=$2 fixture=$3 sanitized=$4 txprog=${5:-}
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
admin=$root/var/lib/dpkg
pkgdir=$build/packaging-deb-test
pkgs="librpmem1 librpmem-dev rpmemd"
optional="rpmem-ng-pmemobj1 rpmem-ng-pmemobj-dev"
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null ||
	gcc -print-multiarch)
libdir=$root/usr/lib/$arch
# the Debian packages of the host installed next to ours, and their versions
debian=
for p in libpmemobj1 pmdk-tools; do
	if dpkg-query -W -f '${Status}' $p 2>/dev/null |
		grep -q 'install ok installed'; then
		debian="$debian $p"
		eval "ver_${p//-/_}=\$(dpkg-query -W -f '\${Version}' $p)"
	fi
done
debian_obj=${ver_libpmemobj1:-}
diverted=/usr/share/man/man1/rpmemd.1.gz

dpkg_() {
	dpkg --root="$root" --log="$tmp/dpkg.log" --force-not-root \
		--force-script-chrootless "$@"
}
status() { dpkg-query --admindir="$admin" -W -f '${Status} ${Version}' "$1"; }
field() { dpkg-deb -f "$1" "$2"; }

# <package>: the host's copy, packed again from its installed files
repack() {
	local d=$tmp/repack-$1
	mkdir -p "$d/DEBIAN"
	dpkg-query -L "$1" | while read -r f; do
		if [ -d "$f" ] && [ ! -L "$f" ]; then
			mkdir -p "$d$f"
		else
			cp -a "$f" "$d$f"
		fi
	done
	dpkg-query -s "$1" | grep -v '^Status:' >"$d/DEBIAN/control"
	cp "$(dpkg-query --control-path "$1" md5sums)" "$d/DEBIAN/md5sums"
	dpkg-deb --root-owner-group --build "$d" "$tmp/$1.deb" >/dev/null ||
		fail "repacking the host's $1"
}

# Debian's packages in the private root are installed and unchanged
debian_intact() {
	local p v
	for p in $debian; do
		eval "v=\$ver_${p//-/_}"
		[ "$(status $p)" = "install ok installed $v" ] ||
			fail "$1: Debian's $p is '$(status $p)'"
		v=$(dpkg_ --verify $p 2>&1) && [ -z "$v" ] ||
			fail "$1: Debian's $p files changed: $v"
	done
	[ -z "$debian_obj" ] ||
		cmp -s "$libdir/libpmemobj.so.1" "/usr/lib/$arch/libpmemobj.so.1" ||
		fail "$1: $libdir/libpmemobj.so.1 is not Debian's"
}

# <dir> "<names>" [cpack options]: cpack into <dir>; the .deb of each of
# <names> in the array made
make_debs() {
	local dir=$1 names=$2 p f
	shift 2
	rm -rf "$dir"
	(cd "$build" && cpack -G DEB -B "$dir" "$@") >"$tmp/cpack.log" 2>&1 || {
		cat "$tmp/cpack.log"
		fail "cpack $*"
	}
	made=()
	for p in $names; do
		f=$(ls "$dir"/${p}_*.deb 2>/dev/null) || fail "no package $p"
		made+=("$f")
	done
}

# 1. packages, in the build tree
make_debs "$pkgdir" "$pkgs"
debs=("${made[@]}")
[ "$(ls "$pkgdir"/*.deb | wc -l)" = 3 ] ||
	fail "the default set is not librpmem1, librpmem-dev, rpmemd: $(ls "$pkgdir")"
for f in "${debs[@]}"; do
	for k in Provides Replaces Conflicts Breaks; do
		[ -z "$(field "$f" $k)" ] ||
			fail "$(basename "$f") has $k: $(field "$f" $k)"
	done
	# no file of ours belongs to a package of the host (but the one that
	# rpmemd diverts)
	dpkg-deb --fsys-tarfile "$f" | tar -t | sed 's|^\./|/|' | while read -r p; do
		case $p in */ | "$diverted") continue ;; esac
		o=$(dpkg-query -S "$p" 2>/dev/null | cut -d: -f1 | tr , '\n' |
			grep -vxE " ?(${pkgs// /|})" || true)
		[ -z "$o" ] || fail "$(basename "$f"): $p belongs to $o"
	done
done

# 2. a private dpkg database seeded with the host's, so that dependencies
# such as libfabric1 resolve; our names and libpmemobj1 and pmdk-tools are
# dropped from it (they are installed for real below)
mkdir -p "$admin/info" "$admin/updates" "$admin/triggers"
awk -v names=" $pkgs $optional libpmemobj1 pmdk-tools " 'BEGIN { RS = ""; ORS = "\n\n" }
	{ split($0, l, "\n"); n = l[1]; sub(/^Package: /, "", n) }
	index(names, " " n " ") == 0 { print }' /var/lib/dpkg/status \
	>"$admin/status"
touch "$admin/available"
for p in $debian; do
	repack $p
	dpkg_ -i "$tmp/$p.deb" >"$tmp/dpkg.out" 2>&1 || {
		cat "$tmp/dpkg.out"
		fail "dpkg -i Debian's $p into $root"
	}
done
debian_intact "before our packages"
echo "Debian's packages in the private root: $(for p in $debian; do
	dpkg-query --admindir="$admin" -W -f '${Package} ${Version} ' $p; done)"
dpkg_ -i "${debs[@]}" >"$tmp/dpkg.out" 2>&1 || {
	cat "$tmp/dpkg.out"
	fail "dpkg -i into $root"
}
for p in $pkgs; do
	st=$(status "$p")
	[ "$st" = "install ok installed 1.12.1" ] || fail "$p: $st"
done
debian_intact "after our packages"
# rpmemd(1) is ours; pmdk-tools' page is kept under another name
[ "$(dpkg-divert --admindir "$admin" --listpackage "$diverted")" = rpmemd ] ||
	fail "rpmemd does not divert $diverted"
zcat "$root$diverted" | grep -q -- --require-auth ||
	fail "$diverted is not our rpmemd(1)"
if [ -n "${ver_pmdk_tools:-}" ]; then
	cmp -s "$root/usr/share/man/man1/rpmemd.pmdk.1.gz" "$diverted" ||
		fail "pmdk-tools' rpmemd(1) is not kept as rpmemd.pmdk(1)"
fi
# our pool set page has a name of its own, beside Debian's poolset(5)
# (libpmem1), so that neither hides the other; rpmemd(1) points to it
[ -f "$root/usr/share/man/man5/rpmemd-poolset.5.gz" ] ||
	fail "rpmemd does not install rpmemd-poolset(5)"
for p in $pkgs; do
	if dpkg-query --admindir="$admin" -L "$p" | grep -q '/poolset\.5'; then
		fail "$p installs a poolset(5) page (Debian's libpmem1 has one)"
	fi
done
zcat "$root$diverted" | grep -q 'rpmemd-poolset' ||
	fail "rpmemd(1) does not refer to rpmemd-poolset(5)"
# the dependencies cpack wrote
deps() { dpkg-query --admindir="$admin" -W -f '${Depends}' "$1"; }
for p in librpmem1 rpmemd; do
	grep -q 'libfabric1' <<<"$(deps $p)" ||
		fail "$p does not depend on libfabric1: $(deps $p)"
done
grep -q 'librpmem1 (= 1.12.1)' <<<"$(deps librpmem-dev)" ||
	fail "librpmem-dev: $(deps librpmem-dev)"

# 3. layout: librpmem in the multiarch directory with PMDK's soname
[ -f "$libdir/librpmem.so.1" ] || fail "no $libdir/librpmem.so.1"
so=$(readelf -d "$libdir/librpmem.so.1" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$so" = librpmem.so.1 ] || fail "$libdir/librpmem.so.1: soname '$so'"
[ -L "$libdir/librpmem.so" ] || fail "no librpmem.so development link"
[ -x "$root/usr/bin/rpmemd" ] || fail "no /usr/bin/rpmemd"
for p in $pkgs; do
	for f in LICENSE NOTICE; do
		[ -f "$root/usr/share/doc/$p/$f" ] || fail "no /usr/share/doc/$p/$f"
	done
done
if [ -n "$(find "$root/usr/lib" -maxdepth 1 -name '*.so*')" ]; then
	fail "libraries outside the multiarch directory"
fi
# every rendered page of librpmem and rpmemd is in a package, none of ours
# for libpmemobj (those belong to the opt-in package)
n=0
for m in "$build"/doc/man[1-9]/*; do
	rel=usr/share/man/$(basename "$(dirname "$m")")/$(basename "$m")
	case $(basename "$m") in
	pmemobj_* | libpmemobj.*)
		[ ! -e "$root/$rel" ] || fail "/$rel is in a default package"
		continue
		;;
	esac
	[ -f "$root/$rel" ] || [ -f "$root/$rel.gz" ] ||
		fail "/$rel is in no package"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no rendered man pages in $build/doc"
man -l "$root/usr/share/man/man3/rpmem_create.3" 2>/dev/null |
	grep -q rpmem_create || fail "rpmem_create(3) does not render"

# 4. the example against the installed files only
export PKG_CONFIG_PATH=$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root
flags=$(pkg-config --cflags --libs librpmem)
cc -o "$tmp/rpmem_basic" "$src/examples/rpmem_basic/rpmem_basic.c" $flags
cmake -S "$src/tests/packaging/consumer" -B "$tmp/cm" -DWITH_PMEMOBJ=OFF \
	-DCMAKE_PREFIX_PATH="$root/usr" >"$tmp/cm.log" 2>&1 &&
	cmake --build "$tmp/cm" >>"$tmp/cm.log" 2>&1 || {
	cat "$tmp/cm.log"
	fail "find_package build against the installed -dev packages"
}
export LD_LIBRARY_PATH=$libdir
for prog in "$tmp/rpmem_basic" "$tmp/cm/consumer"; do
	grep -q "librpmem.so.1 => $libdir/librpmem.so.1" <(ldd "$prog") ||
		fail "$prog does not use the installed librpmem"
done
"$tmp/cm/consumer" | grep -qx 'consumer ok' || fail "consumer"

pools=$tmp/pools
mkdir "$pools"
chmod 755 "$tmp"
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

# 5. Debian's libpmemobj (in the private root) with the installed librpmem
# and rpmemd: transactions on a pool set with a remote replica
skip=
if [ -z "$debian_obj" ]; then
	skip="Debian's libpmemobj1 is not installed (apt-get install libpmemobj-dev)"
elif [ -z "$txprog" ]; then
	skip="no obj-tx-remote (needs Debian's libpmemobj-dev at configure time)"
else
	printf 'PMEMPOOLSET\n32M %s/tx.part\n' "$pools" >"$pools/tx.set"
	printf 'PMEMPOOLSET\n32M %s/tx-local.part\nREPLICA %s tx.set\n' \
		"$tmp" "$RPMEM_TEST_TARGET" >"$tmp/tx.set"
	for step in "create $tmp/tx.set 40" "verify $tmp/tx.set 40 1"; do
		PMEM_IS_PMEM_FORCE=1 "$txprog" $step >"$tmp/tx.out" 2>&1 || {
			cat "$tmp/tx.out"
			fail "Debian's libpmemobj with our packages: $step"
		}
		grep -qx "lib $libdir/libpmemobj.so.1.*" "$tmp/tx.out" &&
			grep -qx "lib $libdir/librpmem.so.1.*" "$tmp/tx.out" || {
			cat "$tmp/tx.out"
			fail "not the libraries of the private root"
		}
	done
	python3 "$src/tests/compat/replica-cmp.py" "$tmp/tx-local.part" \
		"$pools/tx.part" "$tmp/tx.out" ||
		fail "the remote replica differs from the local pool"
	echo "Debian's libpmemobj $debian_obj next to our packages: transactions replicated"
fi

# 6. the opt-in libpmemobj packages: other names, Conflicts, refused
make_debs "$tmp/optional" "$optional" -D CPACK_COMPONENTS_ALL="${optional// /;}"
opt=("${made[@]}")
for f in "${opt[@]}"; do
	p=$(field "$f" Package)
	d=${p#rpmem-ng-pmemobj}
	[ "$(field "$f" Conflicts)" = "libpmemobj$d" ] ||
		fail "$p: Conflicts '$(field "$f" Conflicts)'"
	[ -z "$(field "$f" Provides)$(field "$f" Replaces)" ] ||
		fail "$p provides or replaces: $(field "$f" Provides) $(field "$f" Replaces)"
done
if [ -n "$debian_obj" ]; then
	if dpkg_ -i "${opt[@]}" >"$tmp/dpkg-opt.out" 2>&1; then
		cat "$tmp/dpkg-opt.out"
		fail "dpkg installed rpmem-ng-pmemobj1 over Debian's libpmemobj1"
	fi
	grep -q 'conflicts with libpmemobj1' "$tmp/dpkg-opt.out" || {
		cat "$tmp/dpkg-opt.out"
		fail "dpkg refused the opt-in packages for another reason"
	}
	debian_intact "after dpkg refused rpmem-ng-pmemobj1"
	for p in $optional; do
		st=$(status "$p" 2>/dev/null || true)
		case $st in *" installed "*) fail "$p: $st" ;; esac
	done
fi

# 7. removing rpmemd gives pmdk-tools its page back
dpkg_ -r rpmemd >"$tmp/dpkg.out" 2>&1 || {
	cat "$tmp/dpkg.out"
	fail "dpkg -r rpmemd"
}
[ -z "$(dpkg-divert --admindir "$admin" --listpackage "$diverted")" ] ||
	fail "the diversion of $diverted stayed after dpkg -r rpmemd"
debian_intact "after dpkg -r rpmemd"
rm -rf "$pkgdir"
echo "cpack, dpkg into a private root, sonames, man pages, example: ok"
if [ -n "$skip" ]; then
	echo "SKIP: $skip"
	exit 77
fi
