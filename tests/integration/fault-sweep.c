/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fault-sweep.c -- every injection point of librpmem and rpmemd, failed in
 * turn, through the real sshd and the real rpmemd
 *
 * Needs a build with ENABLE_FAULT_INJECTION=ON (see fault_inject.h); leaks
 * are found by LeakSanitizer when built with ENABLE_ASAN=ON.
 *
 * Environment (set by ctest): RPMEMD_BIN, SSHD_FIXTURE_DIR; optional
 * RPMEM_PROVIDER (default tcp), FAULT_SWEEP_MAX (calls per point failed
 * at most: the first, the last and the rest spread evenly in between;
 * default 4; 0: every call), FAULT_SWEEP_ONLY (`client` or `daemon`),
 * FAULT_SWEEP_JOBS (runs at a time, default 4), FAULT_SWEEP_RUN (one run
 * alone: "<client|create|open|remove>/<point>:<N>"; its directory is
 * kept). Every planned run is done; nothing depends on the time taken.
 *
 * The driver first runs the scenario once without a failure and collects
 * how often each point is reached, in the client and in each of the three
 * daemons (create, open, remove: RPMEM_CMD holds one entry per step, used
 * in turn). Then, for each point and each N (all of them, or a spread
 * including 1 and the last, FAULT_SWEEP_MAX), it runs the scenario in a fresh
 * process with the Nth call of the point failing, either in the client or in
 * one of the daemons, and checks:
 *   - the worker was not killed by a signal and LeakSanitizer found nothing;
 *   - every public call that failed returned -1/NULL with errno set and an
 *     error message that says more than strerror(errno);
 *   - the worker has no child process left (ssh reaped);
 *   - every rpmemd started exits, not by a signal, without sanitizer
 *     reports.
 * Scenario: create (with attributes) / persist / read back / close, open /
 * persist / close, remove.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "librpmem.h"
#include "test_util.h"

#define POOL_SIZE ((size_t)4 << 20)
#define HDR 4096
#define NPHASES 3
#define MAX_POINTS 32
#define WORKER_CLEAN_FAIL 3
#define WORKER_BROKEN 2

static const char *const Phases[NPHASES] = {"create", "open", "remove"};

/* ---------------------------------------------------------------- worker */

static int Broken;

static void
broken(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "BROKEN: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	Broken = 1;
}

/* a public call failed: it must say why */
static void
check_failure(const char *call, int failed_errno)
{
	const char *msg = rpmem_errormsg();
	printf("%s failed: errno %d: %s\n", call, failed_errno, msg);
	if (failed_errno == 0)
		broken("%s failed with errno 0 (message '%s')", call, msg);
	if (msg == NULL || msg[0] == '\0')
		broken("%s failed with an empty error message", call);
	else if (strcmp(msg, "Success") == 0 ||
		 strcmp(msg, strerror(failed_errno)) == 0)
		broken("%s: error message names nothing: '%s'", call, msg);
}

/* children of this process (ssh) that are still there, zombies included */
static int
leftover_children(void)
{
	DIR *d = opendir("/proc");
	if (d == NULL)
		return 0;
	int n = 0;
	pid_t self = getpid();
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		char path[300], buf[512];
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		FILE *f = fopen(path, "re");
		if (f == NULL)
			continue;
		size_t r = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[r] = '\0';
		/* pid (comm) state ppid: comm may hold spaces */
		char *close_paren = strrchr(buf, ')');
		int ppid;
		char state;
		if (close_paren &&
			sscanf(close_paren + 1, " %c %d", &state, &ppid) == 2 &&
			ppid == self) {
			fprintf(stderr, "leftover child: %s", buf);
			n++;
		}
	}
	closedir(d);
	return n;
}

static struct rpmem_pool_attr
attrs(void)
{
	struct rpmem_pool_attr a;
	memset(&a, 0, sizeof(a));
	memcpy(a.signature, "FAULTSW", 7);
	a.major = 1;
	for (int i = 0; i < 16; i++) {
		a.poolset_uuid[i] = (unsigned char)(i + 1);
		a.uuid[i] = (unsigned char)(i + 17);
		a.next_uuid[i] = (unsigned char)(i + 33);
		a.prev_uuid[i] = (unsigned char)(i + 49);
		a.user_flags[i] = (unsigned char)(i + 65);
	}
	return a;
}

/* closes a handle after an earlier failure; close may fail but must say so */
static void
close_after_failure(RPMEMpool *rpp)
{
	errno = 0;
	if (rpmem_close(rpp))
		check_failure("rpmem_close (after a failure)", errno);
}

/* 0: every step passed; 1: a step failed (cleanly or not, see Broken) */
static int
scenario(const char *target, char *pool)
{
	struct rpmem_pool_attr a = attrs();
	unsigned nlanes = 2;
	errno = 0;
	RPMEMpool *rpp =
		rpmem_create(target, "pool.set", pool, POOL_SIZE, &nlanes, &a);
	if (rpp == NULL) {
		check_failure("rpmem_create", errno);
		return 1;
	}
	memset(pool + HDR, 0x5a, HDR);
	errno = 0;
	if (rpmem_persist(rpp, HDR, HDR, nlanes - 1, 0)) {
		check_failure("rpmem_persist", errno);
		close_after_failure(rpp);
		return 1;
	}
	char back[HDR];
	errno = 0;
	if (rpmem_read(rpp, back, HDR, HDR, 0)) {
		check_failure("rpmem_read", errno);
		close_after_failure(rpp);
		return 1;
	}
	if (memcmp(back, pool + HDR, HDR) != 0)
		broken("rpmem_read returned other bytes than persisted");
	errno = 0;
	if (rpmem_close(rpp)) {
		check_failure("rpmem_close", errno);
		return 1;
	}

	struct rpmem_pool_attr got;
	nlanes = 1;
	errno = 0;
	rpp = rpmem_open(target, "pool.set", pool, POOL_SIZE, &nlanes, &got);
	if (rpp == NULL) {
		check_failure("rpmem_open", errno);
		return 1;
	}
	if (memcmp(&got, &a, sizeof(a)) != 0)
		broken("rpmem_open returned other attributes than created");
	memset(pool + 2 * HDR, 0xa5, HDR);
	errno = 0;
	if (rpmem_persist(rpp, 2 * HDR, HDR, 0, 0)) {
		check_failure("rpmem_persist (after open)", errno);
		close_after_failure(rpp);
		return 1;
	}
	errno = 0;
	if (rpmem_close(rpp)) {
		check_failure("rpmem_close (after open)", errno);
		return 1;
	}
	errno = 0;
	if (rpmem_remove(target, "pool.set", 0)) {
		check_failure("rpmem_remove", errno);
		return 1;
	}
	return 0;
}

static int
worker(const char *target)
{
	void *pool = NULL;
	if (posix_memalign(&pool, 4096, POOL_SIZE))
		return 1;
	memset(pool, 0, POOL_SIZE);
	int failed = scenario(target, pool);
	free(pool);
	if (leftover_children())
		broken("child processes left behind");
	fflush(stdout);
	if (Broken)
		return WORKER_BROKEN;
	return failed ? WORKER_CLEAN_FAIL : 0;
}

/* ---------------------------------------------------------------- driver */

struct counts {
	char name[MAX_POINTS][64];
	unsigned long calls[MAX_POINTS];
	int n;
};

static char Dir[64];
static char Target[300];
static char Ssh[1024];
static const char *Rpmemd;
static int Runs, Failures, Keep;

static void
add_count(struct counts *c, const char *point, unsigned long calls)
{
	if (strcmp(point, "any") == 0 || strcmp(point, "injected") == 0 ||
		strcmp(point, "failed") == 0)
		return;
	for (int i = 0; i < c->n; i++) {
		if (strcmp(c->name[i], point) == 0) {
			if (calls > c->calls[i])
				c->calls[i] = calls;
			return;
		}
	}
	if (c->n == MAX_POINTS)
		return;
	snprintf(c->name[c->n], sizeof(c->name[0]), "%s", point);
	c->calls[c->n++] = calls;
}

/* "<program> <point> <calls>" lines; the largest count per point */
static void
read_counts(const char *path, struct counts *c)
{
	memset(c, 0, sizeof(*c));
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return;
	char prog[64], point[64], calls[64];
	while (fscanf(f, "%63s %63s %63s", prog, point, calls) == 3)
		add_count(c, point, strtoul(calls, NULL, 10));
	fclose(f);
}

static int
count_words(const char *path, const char *word)
{
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return 0;
	char w[64];
	int n = 0;
	while (fscanf(f, "%63s", w) == 1)
		n += strcmp(w, word) == 0;
	fclose(f);
	return n;
}

/* prints a file (a run's output) indented */
static void
dump(const char *title, const char *path)
{
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return;
	char line[1024];
	int any = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (!any)
			fprintf(stderr, "  --- %s:\n", title);
		any = 1;
		fprintf(stderr, "    %s", line);
	}
	fclose(f);
}

/* sanitizer reports of the daemons: files <run>/san.* */
static int
san_reports(const char *run)
{
	DIR *d = opendir(run);
	if (d == NULL)
		return 0;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "san.", 4) == 0) {
			char path[600];
			snprintf(path, sizeof(path), "%s/%s", run, e->d_name);
			dump(e->d_name, path);
			n++;
		}
	}
	closedir(d);
	return n;
}

/* one run of the scenario in a worker process */
struct run {
	char spec[64]; /* "<point>:<N>", empty: nothing injected */
	int phase;     /* -1: the client, else the daemon of Phases[phase] */
	int round;     /* 0: first call of a point, 1: last, 2: between */
	char dir[128];
	pid_t pid;
	double t0;
};

/* starts the worker of r; 0 or -1 */
static int
run_start(struct run *r)
{
	char path[256], buf[4096];
	snprintf(r->dir, sizeof(r->dir), "%s/r%d", Dir, Runs++);
	if (mkdir(r->dir, 0755))
		return -1;
	snprintf(path, sizeof(path), "%s/pool.set", r->dir);
	FILE *f = fopen(path, "we");
	if (f == NULL)
		return -1;
	fprintf(f, "PMEMPOOLSET\n4M %s/pool.part\n", r->dir);
	fclose(f);

	/* one RPMEM_CMD entry per phase: the wrapper notes start and exit */
	char cmd[NPHASES][1024];
	for (int p = 0; p < NPHASES; p++) {
		char inj[128] = "";
		if (r->spec[0] && r->phase == p)
			snprintf(inj, sizeof(inj), "RPMEM_FAULT_INJECT=%s ",
				r->spec);
		int len = snprintf(cmd[p], sizeof(cmd[p]),
			"%s/rpmemd-wrap %s/status env %s"
			"RPMEM_FAULT_INJECT_COUNT=%s/count-%s "
			"ASAN_OPTIONS=log_path=%s/san.asan:detect_leaks=1 "
			"UBSAN_OPTIONS=log_path=%s/"
			"san.ubsan:print_stacktrace=1 "
			"%s --poolset-dir=%s --log-file=%s/rpmemd.log "
			"--log-level=info",
			Dir, r->dir, inj, r->dir, Phases[p], r->dir, r->dir,
			Rpmemd, r->dir, r->dir);
		if (len < 0 || (size_t)len >= sizeof(cmd[p])) {
			errno = ENAMETOOLONG;
			return -1;
		}
	}
	snprintf(buf, sizeof(buf), "%s|%s|%s", cmd[0], cmd[1], cmd[2]);

	char out[256];
	snprintf(out, sizeof(out), "%s/client.out", r->dir);
	r->t0 = now_s();
	r->pid = fork();
	if (r->pid < 0)
		return -1;
	if (r->pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			_exit(127);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
		setenv("RPMEM_CMD", buf, 1);
		setenv("RPMEM_SSH", Ssh, 1);
		setenv("FAULT_SWEEP_WORKER", Target, 1);
		snprintf(path, sizeof(path), "%s/count-client", r->dir);
		setenv("RPMEM_FAULT_INJECT_COUNT", path, 1);
		if (r->spec[0] && r->phase < 0)
			setenv("RPMEM_FAULT_INJECT", r->spec, 1);
		else
			unsetenv("RPMEM_FAULT_INJECT");
		char *const self[] = {(char *)"fault-sweep", NULL};
		exec_self(self);
		_exit(127);
	}
	return 0;
}

/* checks a finished run; 0 when every check held */
static int
run_check(struct run *r, int status)
{
	char path[256];
	/* every daemon started must end, on its own, within 20 s */
	snprintf(path, sizeof(path), "%s/status", r->dir);
	int starts = 0, exits = 0;
	for (int i = 0; i < 400; i++) {
		starts = count_words(path, "start");
		exits = count_words(path, "exit");
		if (exits >= starts)
			break;
		usleep(50000);
	}

	char what[160];
	snprintf(what, sizeof(what), "%s%s%s",
		r->spec[0] ? r->spec : "no injection",
		r->spec[0]
			? (r->phase < 0 ? " in the client" : " in rpmemd of ")
			: "",
		r->spec[0] && r->phase >= 0 ? Phases[r->phase] : "");
	int bad = 0;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "FAIL %s: client killed by signal %d\n", what,
			WTERMSIG(status));
		bad = 1;
	} else if (code != 0 && code != WORKER_CLEAN_FAIL) {
		/* 0: a failure the library absorbed; 3: failed cleanly */
		/* 1: a sanitizer report (leak) or an assertion below */
		fprintf(stderr, "FAIL %s: client exit status %d\n", what, code);
		bad = 1;
	}
	if (r->spec[0] == '\0' && code != 0) {
		fprintf(stderr, "FAIL: the scenario fails without injection\n");
		bad = 1;
	}
	if (exits < starts) {
		fprintf(stderr, "FAIL %s: %d of %d rpmemd did not exit\n", what,
			starts - exits, starts);
		bad = 1;
	}
	/* "exit <status>": 128 + signal number from the wrapper's shell */
	FILE *sf = fopen(path, "re");
	if (sf != NULL) {
		char w[64];
		int next_is_status = 0;
		while (fscanf(sf, "%63s", w) == 1) {
			int st = atoi(w);
			if (next_is_status && st > 128 && st <= 128 + 64) {
				fprintf(stderr,
					"FAIL %s: rpmemd killed by signal "
					"%d\n",
					what, st - 128);
				bad = 1;
			}
			next_is_status = strcmp(w, "exit") == 0;
		}
		fclose(sf);
	}
	if (san_reports(r->dir)) {
		fprintf(stderr, "FAIL %s: sanitizer reports from rpmemd\n",
			what);
		bad = 1;
	}
	double secs = now_s() - r->t0;
	if (secs > 20)
		printf("slow: %s took %.1f s\n", what, secs);
	char out[256];
	snprintf(out, sizeof(out), "%s/client.out", r->dir);
	if (bad) {
		dump("client output", out);
		snprintf(path, sizeof(path), "%s/rpmemd.log", r->dir);
		dump("rpmemd log", path);
		Failures++;
	} else if (r->spec[0] && !Keep) {
		/* keep the directories of failed runs only */
		rm_tree(r->dir);
	}
	return bad;
}

/* runs the whole list, `jobs` at a time */
static void
run_all(struct run *list, int n, int jobs)
{
	struct run *active[16] = {NULL};
	int next = 0, nactive = 0;
	while (next < n || nactive > 0) {
		while (next < n && nactive < jobs) {
			struct run *r = &list[next++];
			if (run_start(r)) {
				fprintf(stderr, "cannot start a run: %s\n",
					strerror(errno));
				Failures++;
				continue;
			}
			for (int i = 0; i < jobs; i++) {
				if (active[i] == NULL) {
					active[i] = r;
					break;
				}
			}
			nactive++;
		}
		if (nactive == 0)
			break;
		int status;
		pid_t pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < jobs; i++) {
			if (active[i] != NULL && active[i]->pid == pid) {
				run_check(active[i], status);
				active[i] = NULL;
				nactive--;
				break;
			}
		}
	}
}

/*
 * The runs for one point reached `calls` times: round 0 fails its first
 * call, round 1 its last, round 2 up to `max` calls spread in between.
 */
static int
plan_point(struct run *list, int n, const char *point, unsigned long calls,
	int phase, unsigned long max)
{
	unsigned long prev = 0;
	for (unsigned long i = 0; i < max && i < calls; i++) {
		unsigned long v;
		int round;
		if (i == 0) {
			v = 1;
			round = 0;
		} else if (i == 1) {
			v = calls;
			round = 1;
		} else {
			unsigned long k = max < calls ? max : calls;
			v = 1 + (i - 1) * (calls - 1) / (k - 1);
			round = 2;
			if (v == prev || v == 1 || v == calls)
				continue;
		}
		prev = v;
		struct run *r = &list[n++];
		memset(r, 0, sizeof(*r));
		snprintf(r->spec, sizeof(r->spec), "%s:%lu", point, v);
		r->phase = phase;
		r->round = round;
	}
	return n;
}

static int
by_round(const void *a, const void *b)
{
	const struct run *x = a, *y = b;
	return x->round - y->round;
}

static void
print_counts(const char *who, const struct counts *c)
{
	printf("%s:", who);
	for (int i = 0; i < c->n; i++)
		printf(" %s=%lu", c->name[i], c->calls[i]);
	printf("\n");
}

int
main(void)
{
	const char *w = getenv("FAULT_SWEEP_WORKER");
	if (w != NULL)
		return worker(w);

	Rpmemd = getenv("RPMEMD_BIN");
	const char *fx = getenv("SSHD_FIXTURE_DIR");
	if (Rpmemd == NULL || fx == NULL) {
		fprintf(stderr,
			"RPMEMD_BIN and SSHD_FIXTURE_DIR must be set\n");
		return 1;
	}
	char path[1024];
	snprintf(path, sizeof(path), "%s/target", fx);
	if (read_line(path, Target, sizeof(Target))) {
		fprintf(stderr, "no sshd fixture target in %s\n", path);
		return 1;
	}
	snprintf(Ssh, sizeof(Ssh), "%s/ssh", fx);
	if (getenv("RPMEM_PROVIDER") == NULL)
		setenv("RPMEM_PROVIDER", "tcp", 1);
	snprintf(Dir, sizeof(Dir), "/tmp/fault-sweep.XXXXXX");
	if (mkdtemp(Dir) == NULL)
		return 1;
	chmod(Dir, 0755);
	/* the daemon wrapper: records start and exit status of each rpmemd */
	snprintf(path, sizeof(path), "%s/rpmemd-wrap", Dir);
	FILE *f = fopen(path, "we");
	if (f == NULL)
		return 1;
	fprintf(f, "#!/bin/sh\ns=$1\nshift\necho start >>\"$s\"\n"
		   "\"$@\"\necho exit $? >>\"$s\"\n");
	fclose(f);
	chmod(path, 0755);

	unsigned long max = 4;
	const char *m = getenv("FAULT_SWEEP_MAX");
	if (m != NULL && atoi(m) > 0)
		max = (unsigned long)atoi(m);
	else if (m != NULL && strcmp(m, "0") == 0)
		max = ~0UL; /* every call */
	int jobs = 4;
	const char *j = getenv("FAULT_SWEEP_JOBS");
	if (j != NULL && atoi(j) > 0 && atoi(j) <= 16)
		jobs = atoi(j);
	const char *only = getenv("FAULT_SWEEP_ONLY");
	double t0 = now_s();

	/* the reference run: counts of every point, nothing injected */
	static struct run list[4096];
	memset(&list[0], 0, sizeof(list[0]));
	list[0].phase = -1;
	run_all(list, 1, 1);
	if (Failures) {
		fprintf(stderr, "reference run failed; directory %s kept\n",
			Dir);
		return 1;
	}
	struct counts client, daemon[NPHASES];
	snprintf(path, sizeof(path), "%s/count-client", list[0].dir);
	read_counts(path, &client);
	print_counts("client", &client);
	for (int p = 0; p < NPHASES; p++) {
		snprintf(path, sizeof(path), "%s/count-%s", list[0].dir,
			Phases[p]);
		read_counts(path, &daemon[p]);
		char who[32];
		snprintf(who, sizeof(who), "rpmemd (%s)", Phases[p]);
		print_counts(who, &daemon[p]);
	}
	if (client.n == 0 || daemon[0].n == 0) {
		fprintf(stderr, "no injection points counted: is the build "
				"configured with ENABLE_FAULT_INJECTION=ON?\n");
		return 1;
	}
	rm_tree(list[0].dir);
	printf("reference run: %.1f s\n", now_s() - t0);

	int n = 0;
	const char *one = getenv("FAULT_SWEEP_RUN");
	if (one != NULL) {
		/* "<client|create|open|remove>/<point>:<N>": that run alone */
		const char *slash = strchr(one, '/');
		list[0].phase = -2;
		for (int p = -1; slash && p < NPHASES; p++) {
			const char *w = p < 0 ? "client" : Phases[p];
			if (strlen(w) == (size_t)(slash - one) &&
				strncmp(one, w, strlen(w)) == 0)
				list[0].phase = p;
		}
		if (list[0].phase == -2) {
			fprintf(stderr, "FAULT_SWEEP_RUN: expected "
					"<client|create|open|remove>/<spec>\n");
			return 1;
		}
		snprintf(list[0].spec, sizeof(list[0].spec), "%s", slash + 1);
		list[0].round = 0;
		only = "none";
		Keep = 1;
		n = 1;
	}
	for (int p = -1; p < NPHASES; p++) {
		const struct counts *c = p < 0 ? &client : &daemon[p];
		if (only != NULL &&
			strcmp(only, p < 0 ? "client" : "daemon") != 0)
			continue;
		for (int i = 0; i < c->n; i++)
			n = plan_point(
				list, n, c->name[i], c->calls[i], p, max);
	}
	/* first calls first; the order within a round does not matter */
	qsort(list, (size_t)n, sizeof(list[0]), by_round);
	int mandatory = 0;
	for (int i = 0; i < n; i++)
		mandatory += list[i].round == 0;
	run_all(list, n, jobs);
	printf("%d runs (%d first calls, at most %lu calls per point), "
	       "%d failed, %.0f s, %d at a time\n",
		n, mandatory, max, Failures, now_s() - t0, jobs);
#if defined(__SANITIZE_ADDRESS__)
	printf("leak check: LeakSanitizer\n");
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	printf("leak check: LeakSanitizer\n");
#else
	printf("leak check: none (configure with ENABLE_ASAN=ON)\n");
#endif
#else
	printf("leak check: none (configure with ENABLE_ASAN=ON)\n");
#endif
	if (Failures || Keep) {
		fprintf(stderr, "directories of the runs kept in %s\n", Dir);
		return 1;
	}
	rm_tree(Dir);
	return 0;
}
