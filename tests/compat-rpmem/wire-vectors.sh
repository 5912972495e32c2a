#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# wire-vectors.sh -- records, replays and checks the out-of-band test vectors
#
# usage:
#   wire-vectors.sh record <vecdir> <wire-client> <wire-vec>
#       PMDK's librpmem with PMDK's rpmemd (PMDK_RPMEM_DIR must hold a
#       PMDK 1.12.1 librpmem.so.1 and rpmemd): runs every scenario of
#       wire-client through wire-tee.sh and writes <vecdir>/NN-<scenario>.vec,
#       then plays the hand-made requests of the NN-raw-* vectors into
#       PMDK's rpmemd and writes down its answers
#   wire-vectors.sh replay <vecdir> <wire-vec> <rpmemd>
#       plays the recorded requests of every vector into <rpmemd> and
#       compares its answers with the recorded ones
#   wire-vectors.sh replay-pmdk <vecdir> <wire-vec>
#       replay into PMDK's rpmemd (PMDK_RPMEM_DIR; exits 77 without it)
#   wire-vectors.sh client <vecdir> <wire-client> <wire-vec> <rpmemd>
#       runs every recorded scenario with the librpmem wire-client is linked
#       with (LD_LIBRARY_PATH decides) against <rpmemd> and compares both
#       directions with the recorded conversation (--our-client rules)
# Needs the sshd fixture (SSHD_FIXTURE_DIR) for record and client.
# Exits 77 (skipped) for record without PMDK_RPMEM_DIR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mode=${1:?usage} vecdir=${2:?usage}
shift 2

SCENARIOS="create create-noattr open open-noattr set-attr set-attr-nohdrs
create-exists create-too-big open-missing remove remove-missing
remove-force-set"

work=$(mktemp -d /tmp/rpmem-wirevec.XXXXXX)
trap 'rm -rf "$work"' EXIT
export PMEM_IS_PMEM_FORCE=0 RPMEM_ENABLE_SOCKETS=1 RPMEM_ENABLE_VERBS=0
unset RPMEM_PROVIDER RPMEM_MAX_NLANES

# a fresh pool set directory with the sets wire-client names
new_dir() {
	dir=$work/pools.$1
	mkdir -p "$dir"
	printf 'PMEMPOOLSET\n8M %s/wire.part\n' "$dir" >"$dir/wire.set"
	printf 'PMEMPOOLSET\nOPTION NOHDRS\n8M %s/nohdrs.part\n' "$dir" \
		>"$dir/nohdrs.set"
	printf 'PMEMPOOLSET\n8M %s/big.part\n' "$dir" >"$dir/big.set"
}

daemon_args() { # <rpmemd>
	# ours serves the sockets provider (which the vectors use) only when
	# allowed; PMDK's rpmemd always does and knows no such option
	allow=--allow-sockets
	case "$1" in
	"${PMDK_RPMEM_DIR:-/nonexistent}"/*) allow= ;;
	esac
	echo "$1 $allow --poolset-dir=$dir --log-file=$dir/rpmemd.log --log-level=info"
}

# runs the scenarios with wire-client through wire-tee.sh; split vectors
# land in $work/got/NN-<scenario>.vec
run_client() { # <wire-client> <wire-vec> <rpmemd>
	local client=$1 wv=$2 n=0 s
	: "${SSHD_FIXTURE_DIR:?}"
	# shellcheck disable=SC1091
	. "$SSHD_FIXTURE_DIR/env"
	new_dir client
	export RPMEM_CMD WIRE_SSH="$SSHD_FIXTURE_DIR/ssh" RPMEM_SSH="$here/wire-tee.sh"
	RPMEM_CMD=$(daemon_args "$3")
	mkdir -p "$work/got"
	for s in $SCENARIOS; do
		n=$((n + 1))
		export WIRE_TEE_DIR=$work/tee.$s
		mkdir -p "$WIRE_TEE_DIR"
		if ! "$client" "$RPMEM_TEST_TARGET" "$s"; then
			echo "scenario $s failed; daemon log:"
			cat "$dir/rpmemd.log" 2>/dev/null || true
			return 1
		fi
		wait_tee "$WIRE_TEE_DIR/1"
		{
			echo "# wire-client <target> $s; channel bytes from" \
				"wire-tee.sh, split by wire-vec"
			"$wv" split "$WIRE_TEE_DIR/1" "$RPMEM_CMD"
		} >"$work/got/$(printf %02d "$n")-$s.vec"
	done
}

# waits until wire-tee.sh has written both directions completely
wait_tee() {
	local i
	for i in $(seq 600); do
		[ -e "$1.exit" ] && [ -e "$1.done" ] && return 0
		sleep 0.1
	done
	echo "wire-tee.sh did not finish for $1" >&2
	return 1
}

# hand-made requests: the recorded CREATE with one field changed
raw_requests() { # <create.vec>
	local create
	create=$(sed -n 's/^c2d //p' "$1" | head -1)
	[ -n "$create" ] || return 1
	raw 13-raw-bad-major "${create:0:24}0001${create:28}" "major 1"
	raw 14-raw-bad-minor "${create:0:28}0002${create:32}" "minor 2"
	raw 15-raw-provider-0 "${create:0:56}00000000${create:64}" \
		"provider 0"
	raw 16-raw-provider-verbs "${create:0:56}00000001${create:64}" \
		"provider 1 (verbs, absent here)"
	raw 17-raw-bad-type "00000009${create:8}" "message type 9"
	raw 18-raw-close-first "000000050000000000000010""00000000" \
		"CLOSE before any CREATE/OPEN"
}

raw() { # <name> <hex> <what>
	printf 'd2c 00000000\nc2d %s\nd2c %032d\n' "$2" 0 >"$work/raw/$1.vec"
	echo "# hand-made request ($3), played by wire-vec replay;" \
		"the answers are PMDK rpmemd's" >"$work/raw/$1.head"
}

case "$mode" in
record)
	client=$1 wv=$2
	if [ -z "${PMDK_RPMEM_DIR:-}" ] ||
		[ ! -e "$PMDK_RPMEM_DIR/librpmem.so.1" ] ||
		[ ! -x "$PMDK_RPMEM_DIR/rpmemd" ]; then
		echo "SKIP: PMDK_RPMEM_DIR must hold PMDK 1.12.1's" \
			"librpmem.so.1 and rpmemd"
		exit 77
	fi
	export LD_LIBRARY_PATH="$PMDK_RPMEM_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	run_client "$client" "$wv" "$PMDK_RPMEM_DIR/rpmemd"
	mkdir -p "$vecdir" "$work/raw"
	cp "$work"/got/*.vec "$vecdir/"
	raw_requests "$vecdir/01-create.vec"
	new_dir raw
	for v in "$work"/raw/*.vec; do
		# shellcheck disable=SC2046
		"$wv" replay "$v" "$work/raw.got" \
			$(daemon_args "$PMDK_RPMEM_DIR/rpmemd")
		cat "${v%.vec}.head" "$work/raw.got" >"$vecdir/$(basename "$v")"
	done
	;;
replay)
	wv=$1 rpmemd=$2 bad=0 cmp_flags=${WIRE_CMP_FLAGS---our-daemon}
	new_dir replay
	for v in "$vecdir"/[0-9]*.vec; do
		# shellcheck disable=SC2046
		"$wv" replay "$v" "$work/got.vec" $(daemon_args "$rpmemd")
		"$wv" compare "$v" "$work/got.vec" $cmp_flags || bad=1
	done
	if [ $bad != 0 ]; then
		echo "--- daemon log:"
		cat "$dir/rpmemd.log" 2>/dev/null || true
	fi
	exit $bad
	;;
replay-pmdk)
	wv=$1
	if [ -z "${PMDK_RPMEM_DIR:-}" ] || [ ! -x "$PMDK_RPMEM_DIR/rpmemd" ]; then
		echo "SKIP: PMDK_RPMEM_DIR must hold PMDK 1.12.1's rpmemd"
		exit 77
	fi
	WIRE_CMP_FLAGS= exec "$0" replay "$vecdir" "$wv" "$PMDK_RPMEM_DIR/rpmemd"
	;;
client)
	client=$1 wv=$2 rpmemd=$3 bad=0
	run_client "$client" "$wv" "$rpmemd"
	for v in "$work"/got/*.vec; do
		"$wv" compare "$vecdir/$(basename "$v")" "$v" --our-client \
			--our-daemon ||
			bad=1
	done
	# the comparison is not blind to our announcement: without the
	# --our-client rules the create request must differ (buff_size)
	if "$wv" compare "$vecdir/01-create.vec" "$work/got/01-create.vec" \
		>"$work/strict.txt"; then
		echo "our create request equals PMDK's: no extension" \
			"announcement (buff_size 8288) was sent"
		bad=1
	elif ! grep -q "field buff_size differs" "$work/strict.txt"; then
		cat "$work/strict.txt"
		bad=1
	fi
	exit $bad
	;;
*)
	echo "unknown mode $mode" >&2
	exit 2
	;;
esac
