#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# man-pages.sh -- the man pages cover the libraries:
#  - every exported function has a rendered page whose NAME section names it
#  - every function page (section 3) has ERRORS and ENVIRONMENT sections,
#    every program and overview page (sections 1 and 7) ENVIRONMENT and
#    DIFFERENCES FROM PMDK 1.12.1 sections
#  - every environment variable the sources read is described in the
#    ENVIRONMENT section of a page of its component, and every RPMEM_*,
#    PMEM_* and PMEMOBJ_* variable described there is read by the sources
#  - every errno value a library's sources set or return is listed in the
#    ERRORS section of one of its pages
# usage: man-pages.sh <rendered doc dir> <source dir>
set -euo pipefail
src=$(cd "$2" && pwd)
# alias pages say ".so man3/<page>": man resolves that from here
cd "$1"
md=$src/doc
failed=0 checked=0
fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

# --- NAME sections of the rendered pages name every exported function
declare -A names
for map in "$src/src/librpmem/librpmem.map" "$src/src/libpmemobj/libpmemobj.map"; do
	syms=$(sed -n '/global:/,/local:/p' "$map" |
		grep -oE '^[[:space:]]*[A-Za-z_][A-Za-z0-9_]*;' |
		tr -d ' \t;' | grep -v '^_pobj_')
	for s in $syms; do
		checked=$((checked + 1))
		page=man3/$s.3
		if [ ! -f "$page" ]; then
			fail "no man page for $s ($map)"
			continue
		fi
		# an alias page is one ".so man3/<page>" line: render the target
		# once for all its aliases
		target=$page
		if read -r so ref <"$page" && [ "$so" = .so ]; then
			target=$ref
		fi
		if [ -z "${names[$target]+set}" ]; then
			# the NAME section: the lines after NAME up to the next
			# heading
			names[$target]=$(MANWIDTH=200 man -l "$target" \
				2>/dev/null | sed -n '/^NAME/,/^[A-Z]/p' |
				sed '1d;$d')
		fi
		name=${names[$target]}
		grep -qw -- "$s" <<<"$name" ||
			fail "NAME section of $page does not name $s: $name"
	done
done

# --- sections of the markdown sources
# section <file.md> <HEADING>: the text of that top-level section
section() {
	awk -v h="# $2" '$0 == h { on = 1; next } /^# / { on = 0 } on' "$1"
}
has_section() {
	grep -qx "# $2" "$1"
}
for f in "$md"/*.md; do
	page=$(basename "$f" .md)
	case $page in
	*.3) need="ERRORS ENVIRONMENT" ;;
	*.1 | *.7) need="ENVIRONMENT" ;;
	*) continue ;;
	esac
	case $page in
	*.1 | *.7) need="$need DIFFERENCES" ;;
	esac
	for h in $need; do
		checked=$((checked + 1))
		[ "$h" = DIFFERENCES ] && h="DIFFERENCES FROM PMDK 1.12.1"
		has_section "$f" "$h" || fail "$page has no $h section"
	done
done

# --- environment variables
# pages <component>: the markdown pages that document it
pages() {
	case $1 in
	librpmem) ls "$md"/rpmem_*.md "$md"/librpmem.7.md ;;
	libpmemobj) ls "$md"/pmemobj_*.md "$md"/libpmemobj.7.md ;;
	rpmemd) ls "$md"/rpmemd.1.md ;;
	*) ls "$md"/*.md ;;
	esac
}
env_text() {
	local f
	for f in $(pages "$1"); do
		section "$f" ENVIRONMENT
	done
}
# the names a directory's sources read: getenv()/secure_getenv() and the
# helpers that take a variable name (env_bool, env_int, log_init,
# fault_knob_size)
env_read() {
	cat "$@" | tr '\n' ' ' |
		grep -oE '(getenv|env_[a-z]+|log_init|fault_knob_size)\(("[^"]*"|[^;"])*' |
		grep -oE '"[A-Z][A-Z0-9_]*"' | tr -d '"' | sort -u
}
all_read=""
for comp in librpmem libpmemobj rpmemd common; do
	srcs=$(ls "$src/src/$comp"/*.c "$src/src/$comp"/*/*.c 2>/dev/null || true)
	[ -n "$srcs" ] || continue
	vars=$(env_read $srcs)
	[ -n "$vars" ] || fail "no environment variables found in src/$comp"
	text=$(env_text "$comp")
	for v in $vars; do
		checked=$((checked + 1))
		all_read="$all_read $v "
		grep -qw -- "$v" <<<"$text" ||
			fail "$v (read in src/$comp) is in no ENVIRONMENT section of its pages"
	done
done
for v in $(env_text all | grep -oE '\b(RPMEM|PMEMOBJ|PMEM)_[A-Z0-9_]+\b' |
	sort -u); do
	checked=$((checked + 1))
	case $all_read in
	*" $v "*) ;;
	*) fail "$v is documented in an ENVIRONMENT section but read nowhere" ;;
	esac
done

# --- errno values
known=$(echo '#include <errno.h>' | cc -E -dM - |
	awk '$1 == "#define" && $2 ~ /^E[A-Z0-9]+$/ { print $2 }' | sort -u)
# codes that only steer internal loops or are reported as another errno:
# EAGAIN/EINTR are retried, EPIPE ECANCELED ENOTCONN ESHUTDOWN are reported
# as ECONNRESET, ERANGE (number parsing) as EINVAL, EISDIR as EINVAL
internal="EAGAIN EINTR EPIPE ECANCELED ENOTCONN ESHUTDOWN ERANGE EISDIR"
errnos() {
	grep -ohE '\bE[A-Z][A-Z0-9]+\b' "$@" | sort -u | grep -xF "$known" |
		grep -vxF "$(tr ' ' '\n' <<<"$internal")" || true
}
for comp in librpmem libpmemobj; do
	case $comp in
	librpmem) files="$src/src/librpmem/*.c $src/src/common/rpmem/rpmem_proto.c" ;;
	libpmemobj) files="$src/src/libpmemobj/*.c" ;;
	esac
	text=$(for f in $(pages $comp); do section "$f" ERRORS; done)
	codes=$(errnos $files)
	[ -n "$codes" ] || fail "no errno values found for $comp"
	for e in $codes; do
		checked=$((checked + 1))
		grep -qw -- "$e" <<<"$text" ||
			fail "$e (set in the $comp sources) is in no ERRORS section of its pages"
	done
done

echo "$((checked - failed)) passed, $failed failed"
[ "$checked" -gt 0 ] && [ "$failed" -eq 0 ]
