#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# readme-one-machine.sh -- runs the commands of README.md's "Try it on one
# machine" section, as the README gives them, in a copy of the source tree
# (what a fresh clone holds: the files git tracks or would track), so that
# the README and the code cannot drift apart.
#
# The first ```sh block after the section's heading is the script; it runs
# in a clean environment (PATH, HOME, USER only) with bash -e, so the first
# failing line fails the test. Its `$SUDO apt-get install` line is not
# run: the test checks that every package it names is installed instead
# (no network, no apt lock) and skips (77) naming those that are not.
# Without root and without a password-less sudo it skips too. Afterwards it
# checks what the lines must have shown: Debian's libpmemobj and this
# build's librpmem loaded, two runs with 50 nodes and then 100, the remote
# copy identical, the remote replica in `pmempool info`, and no sshd or
# temporary directory left behind.
#
# usage: readme-one-machine.sh <source dir>
set -euo pipefail
src=$(cd "$1" && pwd)
skip() {
	echo "readme-one-machine: skipped: $*"
	exit 77
}
fail() {
	echo "FAIL: $*" >&2
	[ -f "$tmp/out" ] && tail -40 "$tmp/out" >&2
	exit 1
}
if [ "$(id -u)" -ne 0 ] && ! sudo -n true 2>/dev/null; then
	skip "needs root or password-less sudo (the section's \$SUDO lines)"
fi
command -v git >/dev/null || skip "no git to list the tracked files"

tmp=$(mktemp -d /tmp/readme-one-machine.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# the section's commands
awk '/^### Try it on one machine$/ { s = 1; next }
	s == 1 && /^```sh$/ { s = 2; next }
	s == 2 && /^```$/ { exit }
	s == 2 { print }' "$src/README.md" >"$tmp/lines"
[ -s "$tmp/lines" ] || fail "no sh block under '### Try it on one machine'"
apt=$(grep -c '^\$SUDO apt-get install ' "$tmp/lines" || true)
[ "$apt" = 1 ] || fail "expected one '\$SUDO apt-get install' line, found $apt"
missing=
for p in $(sed -n 's/^\$SUDO apt-get install -y //p' "$tmp/lines"); do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] || skip "packages the section installs are missing:$missing"

# a fresh clone: the tracked (and not ignored) files, no build directory
mkdir "$tmp/clone"
git -C "$src" ls-files -z --cached --others --exclude-standard |
	(cd "$src" && xargs -0 cp --parents -t "$tmp/clone" 2>/dev/null) || true
[ -f "$tmp/clone/CMakeLists.txt" ] && [ ! -e "$tmp/clone/build" ] ||
	fail "could not copy the source tree"
{
	# if a line fails, stop the sshd it may have started
	echo 'trap '\''[ -n "${try:-}" ] && { utils/sshd-fixture.sh stop "$try/ssh"; rm -rf "$try"; }'\'' EXIT'
	sed 's/^\$SUDO apt-get install .*/: apt-get line checked by the test/' \
		"$tmp/lines"
	echo 'try='
} >"$tmp/script"
(cd "$tmp/clone" && env -i PATH="$PATH" HOME="$HOME" USER="$(id -un)" \
	bash -e "$tmp/script") >"$tmp/out" 2>&1 ||
	fail "the README's lines failed (output above)"
cat "$tmp/out"

out=$tmp/out
grep -q '^  loaded: /usr/lib/x86_64-linux-gnu/libpmemobj\.so' "$out" ||
	fail "Debian's libpmemobj was not loaded"
grep -q "^  loaded: $tmp/clone/build/src/librpmem/librpmem\.so\.1" "$out" ||
	fail "the build's librpmem was not loaded"
grep -q '^pool set .* created in' "$out" || fail "the pool was not created"
grep -q '^pool set .* opened in' "$out" || fail "the pool was not reopened"
[ "$(grep -c '^reopened in .*: 50 nodes, all intact' "$out")" = 1 ] &&
	[ "$(grep -c '^reopened in .*: 100 nodes, all intact' "$out")" = 1 ] ||
	fail "the two runs did not leave 50 and then 100 nodes"
[ "$(grep -c 'identical to the local pool' "$out")" = 2 ] ||
	fail "the remote copy was not compared twice"
grep -q '^Replica 1 - remote' "$out" ||
	fail "pmempool info did not show the remote replica"
if ls -d /tmp/rpmem-try.* 2>/dev/null | grep -q .; then
	for d in /tmp/rpmem-try.*; do
		# only ours: made after this test began
		[ "$d" -nt "$tmp" ] && fail "$d left behind"
	done
fi
echo "readme-one-machine: the README's lines work"
