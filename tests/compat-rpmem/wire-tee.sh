#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# wire-tee.sh -- an RPMEM_SSH program that records the out-of-band bytes
#
# Runs "$WIRE_SSH" (e.g. the sshd fixture's ssh wrapper) with the arguments
# librpmem gives, and writes, for each call, under $WIRE_TEE_DIR/<n>.:
#   argv  the ssh arguments, one a line (the last is the remote command)
#   c2d   every byte librpmem wrote to the channel (client to daemon)
#   d2c   every byte that came back (daemon to client)
#   exit  the exit status of ssh (the remote command's status), written
#         once d2c is complete
#   done  written once librpmem closed its end (c2d is complete)
# <n> counts up from 1 in the order the calls start.
set -u
: "${WIRE_SSH:?}" "${WIRE_TEE_DIR:?}"
n=1
while ! mkdir "$WIRE_TEE_DIR/$n.lock" 2>/dev/null; do
	n=$((n + 1))
done
p=$WIRE_TEE_DIR/$n
# librpmem's own ends of the channel may have leaked into this process; they
# would keep the copy below from ever seeing the end of librpmem's input
for fd in /proc/$$/fd/*; do
	fd=${fd##*/}
	if [ "$fd" -gt 2 ] && [ "$fd" -lt 255 ]; then
		eval "exec $fd>&-"
	fi
done
printf '%s\n' "$@" >"$p.argv"
# The copies are process substitutions so that this script ends when ssh
# does, not when librpmem closes its end of the channel; tee -p keeps
# copying to the file when the other end of a pipe is gone.
exec 3> >(exec tee -p "$p.d2c")
out=$!
"$WIRE_SSH" "$@" < <(exec 3>&-; tee -p "$p.c2d"; : >"$p.done") >&3
rc=$?
exec 3>&-
wait "$out"
echo "$rc" >"$p.exit"
exit "$rc"
