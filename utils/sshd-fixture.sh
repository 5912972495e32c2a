#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# utils/sshd-fixture.sh -- a private sshd on 127.0.0.1 and ::1 for tests
#
# usage: sshd-fixture.sh start <dir> | stop <dir>
#
# start: generates throwaway host and client keys in <dir>, writes an
# sshd_config (key auth only, no PAM, SetEnv SHLVL=1) and an ssh client
# config, starts /usr/sbin/sshd on a free high port and waits until a real
# login works. SSHD_LISTEN names the addresses (default "127.0.0.1 ::1"; the
# first is IPv4, e.g. inside a network namespace). It leaves in <dir>:
#   ssh        wrapper running `ssh -F <dir>/ssh_config "$@"` (use as
#              RPMEM_SSH, which must be a single word)
#   port       the port; target: 127.0.0.1:<port>; target6: [::1]:<port>
#              (the SSHD_LISTEN addresses when given)
#   user       the login name
#   env        shell exports: SSHD_FIXTURE_DIR RPMEM_SSH RPMEM_TEST_TARGET
#              RPMEM_TEST_TARGET6 SSHD_PORT
#   sshd.pid, sshd.log
# stop: kills the sshd by its PID file and waits for it to exit.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
	echo "usage: $0 start|stop <dir>" >&2
	exit 2
fi
SSHD=${SSHD:-/usr/sbin/sshd}
read -r -a listen <<<"${SSHD_LISTEN:-127.0.0.1 ::1}"
addr4=${listen[0]}
addr6=
for a in "${listen[@]}"; do
	case "$a" in *:*) addr6=${addr6:-$a} ;; esac
done

stop() {
	local pidf="$dir/sshd.pid" pid i
	[ -f "$pidf" ] || return 0
	pid=$(cat "$pidf")
	if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
		for i in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$pidf"
}

free_port() {
	# a random port in 20000..59999 that nothing listens on
	local p i
	for i in $(seq 100); do
		p=$((20000 + RANDOM % 40000))
		if ! ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

start() {
	[ -x "$SSHD" ] || {
		echo "$SSHD not found: apt-get install openssh-server" >&2
		exit 1
	}
	stop
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	chmod 700 "$dir"
	# sshd refuses to start without its privilege separation directory
	[ -d /run/sshd ] || mkdir -p /run/sshd 2>/dev/null || true
	rm -f "$dir"/host_key* "$dir"/id_client* "$dir"/known_hosts
	ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key" </dev/null
	ssh-keygen -q -t ed25519 -N '' -f "$dir/id_client" </dev/null
	cp "$dir/id_client.pub" "$dir/authorized_keys"
	chmod 600 "$dir/authorized_keys"
	local user
	user=$(id -un)
	echo "$user" >"$dir/user"

	local port tries
	for tries in 1 2 3 4 5; do
		port=$(free_port)
		cat >"$dir/sshd_config" <<CFG
Port $port
$(printf 'ListenAddress %s\n' "${listen[@]}")
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
StrictModes no
AllowUsers $user
SetEnv SHLVL=1
PrintMotd no
PrintLastLog no
UseDNS no
LogLevel VERBOSE
MaxStartups 64:30:128
MaxSessions 64
Subsystem sftp internal-sftp
CFG
		: >"$dir/sshd.log"
		if "$SSHD" -f "$dir/sshd_config" -E "$dir/sshd.log"; then
			break
		fi
		port=
	done
	if [ -z "$port" ]; then
		echo "sshd did not start; its log:" >&2
		cat "$dir/sshd.log" >&2
		exit 1
	fi
	echo "$port" >"$dir/port"
	echo "$addr4:$port" >"$dir/target"
	echo "${addr6:+[$addr6]:$port}" >"$dir/target6"

	cat >"$dir/ssh_config" <<CFG
Host *
	IdentityFile $dir/id_client
	IdentitiesOnly yes
	UserKnownHostsFile $dir/known_hosts
	StrictHostKeyChecking no
	BatchMode yes
	LogLevel ERROR
	User $user
	ConnectTimeout 10
CFG
	cat >"$dir/ssh" <<WRAP
#!/bin/sh
exec ssh -F "$dir/ssh_config" "\$@"
WRAP
	chmod 755 "$dir/ssh"
	cat >"$dir/env" <<ENV
export SSHD_FIXTURE_DIR="$dir"
export RPMEM_SSH="$dir/ssh"
export RPMEM_TEST_TARGET="$addr4:$port"
export RPMEM_TEST_TARGET6="${addr6:+[$addr6]:$port}"
export SSHD_PORT="$port"
ENV

	local i
	for i in $(seq 100); do
		if "$dir/ssh" -p "$port" "$addr4" true </dev/null \
			>/dev/null 2>&1; then
			echo "sshd fixture ready on $addr4:$port (pid $(cat "$dir/sshd.pid"))"
			return 0
		fi
		sleep 0.1
	done
	echo "sshd on port $port does not accept logins; its log:" >&2
	cat "$dir/sshd.log" >&2
	"$dir/ssh" -v -p "$port" "$addr4" true </dev/null >&2 || true
	stop
	exit 1
}

case "$cmd" in
start) start ;;
stop) stop ;;
*)
	echo "usage: $0 start|stop <dir>" >&2
	exit 2
	;;
esac
