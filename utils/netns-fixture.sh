#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# utils/netns-fixture.sh -- two remote nodes and a client on one machine,
# each in a network namespace of its own, and a test run across them
#
# usage: netns-fixture.sh e2e|demo|multi|liveness
#
# Creates three network namespaces: a client and two nodes, the client tied
# to each node by a veth pair (node i: 10.231.i.2 and fd00:231:i::2, the
# client's end 10.231.i.1 and fd00:231:i::1). Nothing else is connected:
# no namespace has a route out, so all traffic stays between them. Each
# node runs a private sshd (utils/sshd-fixture.sh with SSHD_LISTEN); rpmemd
# starts there over ssh as usual, so it runs inside the node's namespace.
# Then, inside the client's namespace:
#   e2e    rpmem-e2e's main groups against node 1 (tcp; data on sockets too)
#   demo   utils/demo.sh --run against node 1
#   multi  obj-replica-multi: one pool set replicated to both nodes
#   liveness  rpmem-liveness against node 1, which cuts and restores the
#          link (its veth pair, on either side) under sessions; rpmemd
#          with --liveness-timeout=3, RPMEM_STALL_TIMEOUT=5
# Without the privilege to create namespaces it exits 77 (skipped). It
# removes everything it made on every exit path.
#
# Environment: RPMEMD_BIN; RPMEM_E2E_BIN (e2e), DEMO_BUILD_DIR (demo),
# OBJ_REPLICA_MULTI_BIN (multi), RPMEM_LIVENESS_BIN and, when Debian's
# libpmemobj is there, RPMEM_LIVENESS_PMDK_BIN (liveness).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-}
case "$mode" in
e2e | demo | multi | liveness) ;;
*)
	echo "usage: $0 e2e|demo|multi|liveness" >&2
	exit 2
	;;
esac
skip() {
	echo "netns-fixture: skipped: $*"
	exit 77
}
command -v ip >/dev/null || skip "no ip command (iproute2)"
[ -x /usr/sbin/sshd ] || skip "no /usr/sbin/sshd"

tag=rpng$$
nsc=${tag}c
nodes=("${tag}n1" "${tag}n2")
made=()
tmp=$(mktemp -d /tmp/netns-fixture.XXXXXX)
chmod 755 "$tmp"

cleanup() {
	local ns pid i
	for i in 1 2; do
		if [ -f "$tmp/n$i/sshd.pid" ]; then
			ip netns exec "${tag}n$i" "$top/utils/sshd-fixture.sh" \
				stop "$tmp/n$i" >/dev/null 2>&1 || true
		fi
	done
	# what still runs in our namespaces (rpmemd, ssh) was started here
	for ns in "${made[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -9 "$pid" 2>/dev/null || true
		done
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

make_ns() {
	ip netns add "$1" 2>/dev/null ||
		skip "cannot create network namespace $1 (needs root or CAP_SYS_ADMIN)"
	made+=("$1")
	ip -n "$1" link set lo up
}

make_ns "$nsc"
for i in 1 2; do
	n=${nodes[$((i - 1))]}
	make_ns "$n"
	ip link add "v$i-c" netns "$nsc" type veth peer name "v$i-n" netns "$n"
	ip -n "$nsc" addr add "10.231.$i.1/24" dev "v$i-c"
	ip -n "$nsc" addr add "fd00:231:$i::1/64" dev "v$i-c" nodad
	ip -n "$n" addr add "10.231.$i.2/24" dev "v$i-n"
	ip -n "$n" addr add "fd00:231:$i::2/64" dev "v$i-n" nodad
	ip -n "$nsc" link set "v$i-c" up
	ip -n "$n" link set "v$i-n" up
	SSHD_LISTEN="10.231.$i.2 fd00:231:$i::2" ip netns exec "$n" \
		"$top/utils/sshd-fixture.sh" start "$tmp/n$i" >/dev/null
done
# one client key for both nodes
cat "$tmp/n1/id_client.pub" >>"$tmp/n2/authorized_keys"

in_client() {
	ip netns exec "$nsc" "$@"
}
# the nodes are reached through the veth pairs only: not on the client's
# loopback, and nothing outside is routable
port1=$(cat "$tmp/n1/port")
if in_client "$tmp/n1/ssh" -p "$port1" 127.0.0.1 true </dev/null 2>/dev/null; then
	echo "netns-fixture: node 1's sshd answers on the client's loopback" >&2
	exit 1
fi
for i in 1 2; do
	in_client "$tmp/n1/ssh" -p "$(cat "$tmp/n$i/port")" \
		"$(cut -d: -f1 "$tmp/n$i/target")" true </dev/null
done
echo "netns-fixture: client $nsc, nodes $(cat "$tmp/n1/target") and" \
	"$(cat "$tmp/n2/target") ($(cat "$tmp/n1/target6"), $(cat "$tmp/n2/target6"))"

run_e2e() {
	local prov group
	for prov in tcp sockets; do
		for group in lifecycle data remote_errors targets threads \
			kill_daemon; do
			[ "$prov" = sockets ] && [ "$group" != data ] && continue
			echo "--- rpmem-e2e $prov $group"
			in_client env SSHD_FIXTURE_DIR="$tmp/n1" \
				RPMEM_TEST_TARGET6="$(cat "$tmp/n1/target6")" \
				RPMEM_PROVIDER=$prov RPMEM_TEST_FILTER="test_$group" \
				"$RPMEM_E2E_BIN"
		done
	done
}

# each program in a pool set directory of its own; rpmemd's log shown when
# one fails
run_liveness() {
	local bin d
	for bin in "$RPMEM_LIVENESS_BIN" ${RPMEM_LIVENESS_PMDK_BIN:-}; do
		echo "--- $(basename "$bin")"
		d=$tmp/$(basename "$bin")
		mkdir -m 755 "$d"
		if ! live_run "$d" "$bin"; then
			echo "--- rpmemd.log"
			tail -n 60 "$d/rpmemd.log" || true
			exit 1
		fi
	done
}

live_run() {
	local d=$1 bin=$2
	in_client env RPMEM_SSH="$tmp/n1/ssh" RPMEM_PROVIDER=tcp \
		RPMEM_CMD="$RPMEMD_BIN --poolset-dir=$d --log-file=$d/rpmemd.log --log-level=info --liveness-timeout=3" \
		RPMEM_STALL_TIMEOUT=5 LIVENESS_DIR="$d" \
		LIVENESS_TARGET="$(cat "$tmp/n1/target")" \
		LIVENESS_LINK_CLIENT="ip link set v1-c" \
		LIVENESS_LINK_NODE="ip -n ${nodes[0]} link set v1-n" \
		"$bin"
}

case "$mode" in
e2e) run_e2e ;;
liveness) run_liveness ;;
demo)
	in_client env DEMO_SSHD_DIR="$tmp/n1" "$top/utils/demo.sh" --run \
		"$DEMO_BUILD_DIR" 2000
	;;
multi)
	in_client env SSHD_FIXTURE_DIR="$tmp/n1" OBJ_REPLICA_TARGETS="$(cat \
		"$tmp/n1/target") $(cat "$tmp/n2/target")" "$OBJ_REPLICA_MULTI_BIN"
	;;
esac
echo "netns-fixture: $mode passed"
