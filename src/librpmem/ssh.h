/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ssh.h -- the ssh child process that runs the remote rpmemd
 *
 * Contract: rpmem_ssh_open() forks and execs the ssh client with its
 * stdin/stdout/stderr on three close-on-exec AF_UNIX socket pairs. All I/O
 * has bounded waits; a peer that went away yields -ECONNRESET. Functions
 * return 0 or a negative errno and never print. rpmem_ssh_close() always
 * reaps the child (killing it if it does not exit in time) and closes every
 * descriptor it opened.
 */
#ifndef LIBRPMEM_SSH_H
#define LIBRPMEM_SSH_H 1

#include <stddef.h>
#include <sys/types.h>

struct rpmem_ssh;

int rpmem_ssh_open(const char *const argv[], struct rpmem_ssh **out);
int rpmem_ssh_send(struct rpmem_ssh *ssh, const void *buf, size_t len);
/* reads exactly len bytes within timeout_ms (-ETIMEDOUT) */
int rpmem_ssh_recv(
	struct rpmem_ssh *ssh, void *buf, size_t len, int timeout_ms);
/* 1 when stdout has bytes (or EOF) within timeout_ms, 0 if not, -errno */
int rpmem_ssh_readable(struct rpmem_ssh *ssh, int timeout_ms);
/* 0 if the channel is still open, -ECONNRESET after EOF, never blocks */
int rpmem_ssh_alive(struct rpmem_ssh *ssh);
/* waits (bounded) for stdout EOF; -EPROTO if any byte arrives */
int rpmem_ssh_wait_eof(struct rpmem_ssh *ssh, int timeout_ms);
/* whatever the remote side wrote to stderr (lines joined by "; ") */
void rpmem_ssh_stderr(
	struct rpmem_ssh *ssh, char *buf, size_t len, int timeout_ms);
/* closes, reaps; returns the exit status, or -1 if killed by a signal */
int rpmem_ssh_close(struct rpmem_ssh *ssh);
/* kills the child at once, then as rpmem_ssh_close() */
void rpmem_ssh_abort(struct rpmem_ssh *ssh);

#endif /* LIBRPMEM_SSH_H */
