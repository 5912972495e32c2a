/* SPDX-License-Identifier: BSD-3-Clause */
/* fault_inject.c -- call counters and the one injected failure */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fault_inject.h"

#define ANY FAULT_NPOINTS

static const char *const Names[FAULT_NPOINTS + 1] = {
	[FAULT_ALLOC] = "alloc",
	[FAULT_FORK] = "fork",
	[FAULT_SOCKET] = "socket",
	[FAULT_OPEN] = "open",
	[FAULT_FALLOCATE] = "fallocate",
	[FAULT_MMAP] = "mmap",
	[FAULT_MSYNC] = "msync",
	[FAULT_FI_GETINFO] = "fi_getinfo",
	[FAULT_FI_FABRIC] = "fi_fabric",
	[FAULT_FI_DOMAIN] = "fi_domain",
	[FAULT_FI_EQ_OPEN] = "fi_eq_open",
	[FAULT_FI_CQ_OPEN] = "fi_cq_open",
	[FAULT_FI_ENDPOINT] = "fi_endpoint",
	[FAULT_FI_PASSIVE_EP] = "fi_passive_ep",
	[FAULT_FI_ENABLE] = "fi_enable",
	[FAULT_FI_MR_REG] = "fi_mr_reg",
	[FAULT_FI_LISTEN] = "fi_listen",
	[FAULT_FI_CONNECT] = "fi_connect",
	[FAULT_FI_ACCEPT] = "fi_accept",
	[FAULT_COPY] = "copy",
	[ANY] = "any",
};

static pthread_once_t Once = PTHREAD_ONCE_INIT;
static int Target = -1;	  /* point to fail, ANY, or -1 for none */
static unsigned long Nth; /* which call of it, from 1 */
static const char *Count_file;
static atomic_ulong Calls[FAULT_NPOINTS + 1];
static atomic_int Injected; /* the point that failed, plus one */

static void
fault_inject_init(void)
{
	Count_file = getenv("RPMEM_FAULT_INJECT_COUNT");
	const char *spec = getenv("RPMEM_FAULT_INJECT");
	if (spec == NULL || spec[0] == '\0')
		return;
	const char *colon = strrchr(spec, ':');
	char *end;
	unsigned long n = colon ? strtoul(colon + 1, &end, 10) : 0;
	if (colon == NULL || end == colon + 1 || *end != '\0' || n == 0) {
		fprintf(stderr,
			"RPMEM_FAULT_INJECT: expected <point>:<N>, got '%s'\n",
			spec);
		return;
	}
	for (int p = 0; p <= ANY; p++) {
		size_t len = strlen(Names[p]);
		if ((size_t)(colon - spec) == len &&
			strncmp(spec, Names[p], len) == 0) {
			Target = p;
			Nth = n;
			return;
		}
	}
	fprintf(stderr, "RPMEM_FAULT_INJECT: unknown point in '%s'\n", spec);
}

int
fault_inject_hit(enum fault_point point, int err)
{
	pthread_once(&Once, fault_inject_init);
	unsigned long mine = atomic_fetch_add(&Calls[point], 1) + 1;
	unsigned long any = atomic_fetch_add(&Calls[ANY], 1) + 1;
	if (Target < 0)
		return 0;
	if ((Target == ANY && any == Nth) ||
		(Target == (int)point && mine == Nth)) {
		atomic_store(&Injected, (int)point + 1);
		errno = err;
		return 1;
	}
	return 0;
}

size_t
fault_knob_size(const char *name, size_t dflt)
{
	const char *e = getenv(name);
	if (e == NULL || e[0] == '\0')
		return dflt;
	char *end;
	int saved = errno;
	errno = 0;
	unsigned long long v = strtoull(e, &end, 10);
	int bad = errno || *end != '\0' || v == 0 || e[0] == '-';
	errno = saved;
	if (bad) {
		fprintf(stderr, "%s: expected a positive number, got '%s'\n",
			name, e);
		return dflt;
	}
	return (size_t)v;
}

static pthread_once_t Delay_once = PTHREAD_ONCE_INIT;
static size_t Delay_us;

static void
delay_init(void)
{
	Delay_us = fault_knob_size("RPMEM_FAULT_PERSIST_DELAY_US", 0);
	if (Delay_us > 10 * 1000 * 1000)
		Delay_us = 10 * 1000 * 1000;
}

void
fault_persist_delay(void)
{
	pthread_once(&Delay_once, delay_init);
	if (Delay_us == 0)
		return;
	struct timespec ts = {(time_t)(Delay_us / 1000000),
		(long)(Delay_us % 1000000) * 1000};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

__attribute__((destructor)) static void
fault_inject_fini(void)
{
	if (Count_file == NULL || Count_file[0] == '\0')
		return;
	char buf[2048];
	size_t off = 0;
	const char *prog = program_invocation_short_name;
	for (int p = 0; p <= ANY; p++) {
		unsigned long c = atomic_load(&Calls[p]);
		if (c == 0 || off >= sizeof(buf))
			continue;
		int n = snprintf(buf + off, sizeof(buf) - off, "%s %s %lu\n",
			prog, Names[p], c);
		if (n > 0)
			off += (size_t)n;
	}
	int inj = atomic_load(&Injected);
	if (inj && off < sizeof(buf)) {
		int n = snprintf(buf + off, sizeof(buf) - off,
			"%s injected %s:%lu\n%s failed %s\n", prog,
			Names[Target], Nth, prog, Names[inj - 1]);
		if (n > 0)
			off += (size_t)n;
	}
	if (off > sizeof(buf))
		off = sizeof(buf);
	/* one write on an O_APPEND file: lines of processes do not mix */
	int fd = open(Count_file,
		O_WRONLY | O_CREAT | O_APPEND | O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	ssize_t w = write(fd, buf, off);
	(void)w;
	close(fd);
}
