/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_util.h -- small helpers shared by the integration programs: a
 * monotonic clock in seconds, the removal of a directory tree, the first
 * line of a file (the sshd fixture's files), a file written from a
 * string, formatted paths, a test
 * pattern and the rpmemd processes started for a poolset directory (and
 * the one among them that serves a given part file)
 */
#ifndef TESTS_TEST_UTIL_H
#define TESTS_TEST_UTIL_H 1

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static inline double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int
rm_tree_entry(
	const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/*
 * execv of this program again: the path /proc/self/exe names, resolved
 * first, so that a run under valgrind re-executes the test and not the
 * tool's own binary (valgrind answers the readlink with the client's path)
 */
static inline int
exec_self(char *const argv[])
{
	char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0)
		return -1;
	path[n] = '\0';
	return execv(path, argv);
}

/*
 * ms times RPMEM_TEST_WAIT_SCALE (1 to 100, default 1): the bound of a
 * wait for something that is bound to happen, longer where everything is
 * slow (utils/valgrind.cmake sets 10); never a measurement
 */
static inline int
test_wait_ms(int ms)
{
	const char *e = getenv("RPMEM_TEST_WAIT_SCALE");
	int k = e != NULL ? atoi(e) : 1;
	if (k < 1)
		k = 1;
	if (k > 100)
		k = 100;
	return ms * k;
}

/* removes dir and everything below it, symbolic links not followed */
static inline int
rm_tree(const char *dir)
{
	return nftw(dir, rm_tree_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* the first line of path, without its newline; 0, or -1 */
static inline int
read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return -1;
	char *r = fgets(buf, (int)len, f);
	fclose(f);
	if (r == NULL)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* path made to hold text (a set file, say); 0, or -1 */
static inline int
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	if (f == NULL)
		return -1;
	int bad = fputs(text, f) == EOF;
	return fclose(f) != 0 || bad ? -1 : 0;
}

/* snprintf into a path buffer */
__attribute__((format(printf, 3, 4))) static inline void
pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* a pattern that differs per seed and along the buffer */
static inline void
fill(uint8_t *buf, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 9));
}

/* 1 when arg names rpmemd (its path or a wrapper's of that name) */
static inline int
is_rpmemd_path(const char *arg)
{
	size_t l = strlen(arg);
	return l >= 6 && strcmp(arg + l - 6, "rpmemd") == 0 &&
	       (l == 6 || arg[l - 7] == '/');
}

/*
 * 1 when the process pid is an rpmemd with the argument arg after the
 * program: rpmemd itself, or a tool that runs it (valgrind <opts> rpmemd)
 */
static inline int
is_rpmemd_with(pid_t pid, const char *arg)
{
	char path[64], args[4096];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, args, sizeof(args) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	args[n] = '\0';
	int seen = 0;
	for (size_t o = 0; o < (size_t)n; o += strlen(args + o) + 1) {
		if (seen && strcmp(args + o, arg) == 0)
			return 1;
		seen = seen || is_rpmemd_path(args + o);
	}
	return 0;
}

/* up to max pids of the rpmemd processes run with --poolset-dir=dir */
static inline unsigned
rpmemd_pids_of(const char *dir, pid_t *pids, unsigned max)
{
	char want[512];
	snprintf(want, sizeof(want), "--poolset-dir=%s", dir);
	unsigned n = 0;
	DIR *proc = opendir("/proc");
	if (proc == NULL)
		return 0;
	struct dirent *de;
	while (n < max && (de = readdir(proc)) != NULL) {
		pid_t pid = (pid_t)atoi(de->d_name);
		if (pid > 0 && is_rpmemd_with(pid, want))
			pids[n++] = pid;
	}
	closedir(proc);
	return n;
}

/* the rpmemd run with --poolset-dir=dir that has the file path mapped
 * (the one serving the pool of that part file), or 0 */
static inline pid_t
rpmemd_mapping(const char *dir, const char *path)
{
	pid_t pids[16];
	unsigned n = rpmemd_pids_of(dir, pids, 16);
	size_t pl = strlen(path);
	for (unsigned i = 0; i < n; i++) {
		char maps[64], line[4096];
		snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pids[i]);
		FILE *f = fopen(maps, "re");
		if (f == NULL)
			continue;
		int found = 0;
		while (!found && fgets(line, sizeof(line), f) != NULL) {
			size_t l = strcspn(line, "\n");
			line[l] = '\0';
			found = l >= pl && strcmp(line + l - pl, path) == 0;
		}
		fclose(f);
		if (found)
			return pids[i];
	}
	return 0;
}

/*
 * the client environment of the pmemobj replica tests: rpmemd from
 * RPMEMD_BIN serving dir/remote (sockets allowed) and logging to
 * dir/rpmemd.log, the sshd
 * fixture's ssh wrapper, the tcp provider unless one is chosen
 */
static inline void
obj_replica_env(const char *dir)
{
	char cmd[2048], path[512];
	pathf(cmd, sizeof(cmd),
		"env PMEM_IS_PMEM_FORCE=1 %s --allow-sockets "
		"--poolset-dir=%s/remote --log-file=%s/rpmemd.log "
		"--log-level=info",
		getenv("RPMEMD_BIN"), dir, dir);
	setenv("RPMEM_CMD", cmd, 1);
	pathf(path, sizeof(path), "%s/ssh", getenv("SSHD_FIXTURE_DIR"));
	setenv("RPMEM_SSH", path, 1);
	if (getenv("RPMEM_PROVIDER") == NULL)
		setenv("RPMEM_PROVIDER", "tcp", 1);
}

#endif /* TESTS_TEST_UTIL_H */
