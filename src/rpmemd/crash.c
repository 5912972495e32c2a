/* SPDX-License-Identifier: BSD-3-Clause */
/* crash.c -- fatal signal handler: a log line and no half-created pool */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crash.h"

static atomic_int Log_fd = 2;
/* one block: n pointers, then the strings; replaced whole */
static char **_Atomic Armed;
static atomic_uint Narmed;

static void
put(const char *s)
{
	size_t n = strlen(s);
	while (n > 0) {
		ssize_t w = write(atomic_load(&Log_fd), s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static const char *
sig_name(int sig)
{
	switch (sig) {
	case SIGSEGV:
		return "SIGSEGV";
	case SIGBUS:
		return "SIGBUS";
	case SIGILL:
		return "SIGILL";
	case SIGFPE:
		return "SIGFPE";
	case SIGABRT:
		return "SIGABRT";
	default:
		return "a fatal signal";
	}
}

static void
on_fatal(int sig)
{
	put("rpmemd: killed by ");
	put(sig_name(sig));
	char **paths = atomic_load(&Armed);
	unsigned n = atomic_load(&Narmed);
	if (paths != NULL && n > 0) {
		put("; removing the part files of the unfinished create:");
		for (unsigned i = 0; i < n; i++) {
			put(" ");
			put(paths[i]);
			(void)unlink(paths[i]);
		}
	}
	put("\n");
	signal(sig, SIG_DFL);
	raise(sig);
}

void
rpmemd_crash_init(void)
{
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = (int)SA_RESETHAND;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		(void)sigaction(sigs[i], &sa, NULL);
}

void
rpmemd_crash_log_fd(int fd)
{
	atomic_store(&Log_fd, fd >= 0 ? fd : 2);
}

int
rpmemd_crash_arm(const char *const *paths, unsigned n)
{
	rpmemd_crash_disarm();
	size_t total = (size_t)n * sizeof(char *);
	for (unsigned i = 0; i < n; i++)
		total += strlen(paths[i]) + 1;
	char **block = malloc(total ? total : 1);
	if (block == NULL)
		return -ENOMEM;
	char *s = (char *)(block + n);
	for (unsigned i = 0; i < n; i++) {
		size_t len = strlen(paths[i]) + 1;
		memcpy(s, paths[i], len);
		block[i] = s;
		s += len;
	}
	atomic_store(&Narmed, n);
	atomic_store(&Armed, block);
	return 0;
}

void
rpmemd_crash_disarm(void)
{
	char **old = atomic_exchange(&Armed, NULL);
	atomic_store(&Narmed, 0);
	free(old);
}
