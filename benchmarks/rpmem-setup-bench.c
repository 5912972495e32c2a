/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmem-setup-bench.c -- session set-up: rpmem_create, rpmem_open and
 * rpmem_close next to two references against the same sshd, measured in
 * turns in the same run; a table of medians and ratios:
 * - `ssh host true`: what any command over ssh costs;
 * - `ssh host fi_info -p <provider>`: ssh, plus loading libfabric and
 *   finding the provider on the node, which every rpmemd pays before it can
 *   answer; the floor of session set-up on this node
 *
 * usage: rpmem-setup-bench [-n rounds] <target> <pool set name>
 * with RPMEM_SSH / RPMEM_CMD / RPMEM_PROVIDER as for any librpmem program.
 * The pool set must hold at least 4 MiB; it is created and removed in
 * every round. Each round runs in a new process, so that the client's
 * libfabric start-up counts as an application's first call sees it.
 * utils/obj-replica-bench.sh runs it after the replica benchmark.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <librpmem.h>

#include "bench-stats.h"

#define POOL_SIZE ((size_t)4 << 20)
#define MAX_ROUNDS 100

enum {
	SSH_TRUE,
	SSH_FI_INFO,
	CREATE,
	CLOSE_CREATED,
	OPEN,
	CLOSE_OPENED,
	NSTEPS
};
static const char *Step_name[NSTEPS] = {"ssh true", "ssh fi_info -p",
	"rpmem_create", "rpmem_close (created)", "rpmem_open",
	"rpmem_close (opened)"};

/* the references of one round, in ms; -1 when one failed */
static int
references(const char *target, const char *prov, double *ms)
{
	const char *const t[] = {"true", NULL};
	const char *const fi[] = {"fi_info", "-p", prov, NULL};
	ms[SSH_TRUE] = bench_ssh_ms(target, t);
	ms[SSH_FI_INFO] = bench_ssh_ms(target, fi);
	if (ms[SSH_TRUE] < 0 || ms[SSH_FI_INFO] < 0) {
		fprintf(stderr, "`ssh %s true` or `fi_info -p %s` failed\n",
			target, prov);
		return -1;
	}
	return 0;
}

/* one round in a child process: create, close, open, close, remove */
static int
rpmem_round(const char *target, const char *set, double *ms)
{
	void *pool = mmap(NULL, POOL_SIZE, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pool == MAP_FAILED)
		return -1;
	struct rpmem_pool_attr attr, got;
	memset(&attr, 0, sizeof(attr));
	memcpy(attr.signature, "SETUP", 5);
	unsigned nl = 1;
	double t0 = now_us();
	RPMEMpool *rpp = rpmem_create(target, set, pool, POOL_SIZE, &nl, &attr);
	double t1 = now_us();
	if (rpp == NULL || rpmem_close(rpp))
		goto fail;
	double t2 = now_us();
	rpp = rpmem_open(target, set, pool, POOL_SIZE, &nl, &got);
	double t3 = now_us();
	if (rpp == NULL || rpmem_close(rpp))
		goto fail;
	double t4 = now_us();
	ms[CREATE] = (t1 - t0) / 1e3;
	ms[CLOSE_CREATED] = (t2 - t1) / 1e3;
	ms[OPEN] = (t3 - t2) / 1e3;
	ms[CLOSE_OPENED] = (t4 - t3) / 1e3;
	if (rpmem_remove(target, set, RPMEM_REMOVE_FORCE) == 0)
		return 0;
fail:
	fprintf(stderr, "%s: %s\n", set, rpmem_errormsg());
	return -1;
}

int
main(int argc, char *argv[])
{
	int rounds = 9, opt;
	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n')
			goto usage;
		rounds = atoi(optarg);
	}
	if (argc - optind != 2 || rounds < 1 || rounds > MAX_ROUNDS)
		goto usage;
	const char *target = argv[optind], *set = argv[optind + 1];
	double(*ms)[NSTEPS] = mmap(NULL, sizeof(double) * NSTEPS * MAX_ROUNDS,
		PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ms == MAP_FAILED)
		return 1;
	const char *prov = getenv("RPMEM_PROVIDER");
	prov = prov && prov[0] ? prov : "tcp";
	for (int r = 0; r < rounds; r++) {
		if (references(target, prov, ms[r]))
			return 1;
		pid_t pid = fork();
		if (pid == 0)
			_exit(rpmem_round(target, set, ms[r]) ? 1 : 0);
		int st;
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
			WEXITSTATUS(st) != 0) {
			fprintf(stderr, "round %d failed\n", r);
			return 1;
		}
	}
	printf("session set-up on %s, provider %s, median of %d rounds (new "
	       "process each)\n%-22s %10s %10s %10s\n",
		target, prov, rounds, "step", "ms", "/ssh true", "/fi_info");
	double med[NSTEPS], v[MAX_ROUNDS];
	for (int s = 0; s < NSTEPS; s++) {
		for (int r = 0; r < rounds; r++)
			v[r] = ms[r][s];
		bench_pct(v, rounds, &med[s], NULL);
	}
	for (int s = 0; s < NSTEPS; s++)
		printf("%-22s %10.1f %10.2f %10.2f\n", Step_name[s], med[s],
			med[s] / med[SSH_TRUE], med[s] / med[SSH_FI_INFO]);
	return 0;
usage:
	fprintf(stderr, "usage: %s [-n rounds] <target> <pool set name>\n",
		argv[0]);
	return 2;
}
