/* SPDX-License-Identifier: BSD-3-Clause */
/* ssh.c -- the ssh child process and its three byte streams */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ssh.h"
#include "fault_inject.h"
#include "rpmem_spin.h"

struct rpmem_ssh {
	pid_t pid;
	int in;	 /* our end of the child's stdin */
	int out; /* our end of the child's stdout */
	int err; /* our end of the child's stderr */
};

/* in the child: make fd the standard descriptor target, inheritable */
static int
child_dup(int fd, int target)
{
	if (fd == target)
		return fcntl(fd, F_SETFD, 0);
	return dup2(fd, target) < 0 ? -1 : 0;
}

int
rpmem_ssh_open(const char *const argv[], struct rpmem_ssh **out)
{
	int sv[3][2];
	int n;
	for (n = 0; n < 3; n++) {
		if (fault_socketpair(
			    AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv[n])) {
			int e = errno;
			while (n-- > 0) {
				close(sv[n][0]);
				close(sv[n][1]);
			}
			return -e;
		}
	}
	struct rpmem_ssh *ssh = fault_calloc(1, sizeof(*ssh));
	if (ssh == NULL) {
		for (n = 0; n < 3; n++) {
			close(sv[n][0]);
			close(sv[n][1]);
		}
		return -ENOMEM;
	}

	pid_t pid = fault_fork();
	if (pid < 0) {
		int e = errno;
		for (n = 0; n < 3; n++) {
			close(sv[n][0]);
			close(sv[n][1]);
		}
		free(ssh);
		return -e;
	}
	if (pid == 0) {
		/* child: only async-signal-safe calls from here on */
		if (child_dup(sv[0][1], 0) || child_dup(sv[1][1], 1) ||
			child_dup(sv[2][1], 2))
			_exit(1);
		/* descriptors of the application or libfabric without
		 * close-on-exec must not outlive their owners in ssh */
		if (close_range(3, ~0U, 0) != 0) {
			for (int fd = 3; fd < 65536; fd++)
				(void)close(fd);
		}
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], (char *const *)argv);
		_exit(1);
	}
	for (n = 0; n < 3; n++)
		close(sv[n][1]);
	ssh->pid = pid;
	ssh->in = sv[0][0];
	ssh->out = sv[1][0];
	ssh->err = sv[2][0];
	*out = ssh;
	return 0;
}

int
rpmem_ssh_send(struct rpmem_ssh *ssh, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t r = send(ssh->in, p, len, MSG_NOSIGNAL);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno == EPIPE ? -ECONNRESET : -errno;
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int
rpmem_ssh_recv(struct rpmem_ssh *ssh, void *buf, size_t len, int timeout_ms)
{
	char *p = buf;
	long long deadline = (long long)rpmem_now_ms() + timeout_ms;
	while (len > 0) {
		long long left = deadline - (long long)rpmem_now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		struct pollfd pfd = {.fd = ssh->out, .events = POLLIN};
		int pr = poll(&pfd, 1, (int)left);
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pr == 0)
			return -ETIMEDOUT;
		ssize_t r = recv(ssh->out, p, len, MSG_DONTWAIT);
		if (r == 0)
			return -ECONNRESET;
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return errno == EPIPE ? -ECONNRESET : -errno;
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int
rpmem_ssh_readable(struct rpmem_ssh *ssh, int timeout_ms)
{
	struct pollfd pfd = {.fd = ssh->out, .events = POLLIN};
	for (;;) {
		int pr = poll(&pfd, 1, timeout_ms);
		if (pr >= 0)
			return pr;
		if (errno != EINTR)
			return -errno;
	}
}

int
rpmem_ssh_alive(struct rpmem_ssh *ssh)
{
	char c;
	ssize_t r = recv(ssh->out, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	if (r > 0)
		return 0;
	if (r == 0)
		return -ECONNRESET;
	if (errno == EAGAIN || errno == EINTR)
		return 0;
	return errno == EPIPE ? -ECONNRESET : -errno;
}

int
rpmem_ssh_wait_eof(struct rpmem_ssh *ssh, int timeout_ms)
{
	char c;
	int ret = rpmem_ssh_recv(ssh, &c, 1, timeout_ms);
	if (ret == 0)
		return -EPROTO;
	if (ret == -ECONNRESET)
		return 0;
	return ret;
}

void
rpmem_ssh_stderr(struct rpmem_ssh *ssh, char *buf, size_t len, int timeout_ms)
{
	size_t n = 0;
	long long deadline = (long long)rpmem_now_ms() + timeout_ms;
	buf[0] = '\0';
	while (n + 1 < len) {
		long long left = deadline - (long long)rpmem_now_ms();
		if (left <= 0)
			break;
		struct pollfd pfd = {.fd = ssh->err, .events = POLLIN};
		int pr = poll(&pfd, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			break;
		ssize_t r = recv(ssh->err, buf + n, len - 1 - n, MSG_DONTWAIT);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	/* one line of text: newlines become "; ", trailing ones dropped */
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\r' || buf[i] == '\n' || buf[i] == '\t')
			buf[i] = ' ';
		else if ((unsigned char)buf[i] < 0x20)
			buf[i] = '?';
	}
}

int
rpmem_ssh_close(struct rpmem_ssh *ssh)
{
	close(ssh->in);
	close(ssh->out);
	close(ssh->err);
	int status = 0;
	long long deadline = (long long)rpmem_now_ms() + 5000;
	pid_t r;
	for (;;) {
		r = waitpid(ssh->pid, &status, WNOHANG);
		if (r == ssh->pid || (r < 0 && errno != EINTR))
			break;
		if ((long long)rpmem_now_ms() > deadline) {
			kill(ssh->pid, SIGKILL);
			while (waitpid(ssh->pid, &status, 0) < 0 &&
				errno == EINTR)
				;
			r = ssh->pid;
			break;
		}
		struct timespec ts = {0, 2 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	pid_t pid = ssh->pid;
	free(ssh);
	if (r != pid)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return -1;
}

void
rpmem_ssh_abort(struct rpmem_ssh *ssh)
{
	kill(ssh->pid, SIGKILL);
	(void)rpmem_ssh_close(ssh);
}
