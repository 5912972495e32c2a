# SPDX-License-Identifier: BSD-3-Clause
# kill-after.sh -- sourced by the crash tests
#
# kill_after <seconds> <command...>: runs the command (output discarded),
# kills it with SIGKILL after the delay; status 0 if it was killed, 1 if it
# had finished; any other end of the command fails the test
kill_after() {
	local delay=$1 pid rc
	shift
	"$@" >/dev/null &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null || true
	if wait "$pid"; then return 1; else rc=$?; fi
	[ "$rc" -eq 137 ] && return 0
	echo "FAIL: $* exited with $rc"
	exit 1
}
