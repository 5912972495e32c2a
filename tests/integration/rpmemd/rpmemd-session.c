/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmemd-session.c -- integration tests: the real rpmemd on socketpairs;
 * how sessions end (exit status, what stays on disk), forced removal,
 * pool set names that are FIFOs, the header page, error wording, the
 * common layer's lines in rpmemd's log and the lines PMDK's tests read
 * there. TD_FILTER selects one test.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <regex.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon.h"

#define MB (1UL << 20)
#define POOL_SIZE (4 * MB - 4096) /* 2M + 2M parts with headers */
#define SOCKETS RPMEM_PROV_LIBFABRIC_SOCKETS

static unsigned char msg[8192];

static void
set_path(char *p, size_t len, const char *name)
{
	snprintf(p, len, "%s/%s", td_sets(), name);
}

/* rpmemd --remove name [args]: the exit status */
static int
remove_status(const char *name, const char *a1, const char *a2)
{
	struct daemon d;
	char buf[4];
	td_start(&d, 0, "--remove", name, a1, a2, NULL);
	assert_int_equal(td_read(&d, buf, 4), 0);
	return td_wait(&d);
}

/* --force means force: missing set files and parts are not errors */
static void
test_remove_force(void **state)
{
	(void)state;
	char p[256], text[512];
	/* parts in a directory that does not exist */
	set_path(p, sizeof(p), "rf.set");
	snprintf(text, sizeof(text),
		"PMEMPOOLSET\n2M %s/none/a\n2M %s/none/b\n", td_dir(),
		td_dir());
	td_write_file(p, text);
	assert_int_equal(remove_status("rf.set", NULL, NULL), ENOENT);
	assert_true(td_exists(p));
	assert_int_equal(remove_status("rf.set", "--force", NULL), 0);
	assert_true(td_exists(p));
	/* unlike PMDK, without force nothing goes, not even the set file:
	 * the missing part is reported */
	assert_int_equal(remove_status("rf.set", "--pool-set", NULL), ENOENT);
	assert_true(td_exists(p));
	assert_int_equal(remove_status("rf.set", "-f", "-s"), 0);
	assert_false(td_exists(p));
	/* the set file itself is gone */
	assert_int_equal(remove_status("rf.set", NULL, NULL), ENOENT);
	assert_int_equal(remove_status("rf.set", "--force", NULL), 0);
	assert_int_equal(remove_status("rf.set", "-f", "-s"), 0);
	/* one part present, one missing: without force both stay, with
	 * force the present one is removed */
	td_make_set("rf2.set", "");
	snprintf(p, sizeof(p), "%s/rf2.set.p1", td_dir());
	td_write_file(p, "x");
	assert_int_equal(remove_status("rf2.set", NULL, NULL), ENOENT);
	assert_true(td_part_exists("rf2.set", 1));
	assert_int_equal(remove_status("rf2.set", "--force", NULL), 0);
	assert_false(td_part_exists("rf2.set", 1));
	/* an unparsable set: force removes the set file */
	set_path(p, sizeof(p), "junk.set");
	td_write_file(p, "PMEMPOOLSET\nnonsense\n");
	assert_int_equal(remove_status("junk.set", NULL, NULL), EINVAL);
	assert_int_equal(remove_status("junk.set", "-f", "-s"), 0);
	assert_false(td_exists(p));
	/* force does not reach outside poolset-dir */
	assert_int_equal(remove_status("../rpmemd.log", "-f", "-s"), EBADF);
}

/* a FIFO as the pool set or as a part: refused at once, named */
static void
test_fifo(void **state)
{
	(void)state;
	char p[256];
	set_path(p, sizeof(p), "fifo.set");
	assert_int_equal(mkfifo(p, 0600), 0);
	struct daemon d;
	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg, td_open_msg(msg, "fifo.set", POOL_SIZE, 1, SOCKETS));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_OPEN, NULL, NULL),
		RPMEM_ERR_POOL_CFG);
	td_expect_stderr(&d, "a FIFO");
	assert_int_equal(td_wait(&d), 1);
	/* remove: no wait either */
	assert_int_equal(remove_status("fifo.set", NULL, NULL), EINVAL);
	assert_int_equal(remove_status("fifo.set", "-f", "-s"), 0);
	assert_false(td_exists(p));

	/* a part that is a FIFO: refused, left alone */
	td_make_set("fifopart.set", "");
	snprintf(p, sizeof(p), "%s/fifopart.set.p1", td_dir());
	assert_int_equal(mkfifo(p, 0600), 0);
	struct rpmem_pool_attr_packed a = td_attr('F');
	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg,
		td_create_msg(msg, "fifopart.set", POOL_SIZE, 1, SOCKETS, &a));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CREATE, NULL, NULL),
		RPMEM_ERR_POOL_CFG);
	td_expect_stderr(&d, "is a FIFO");
	assert_int_equal(td_wait(&d), 1);
	assert_false(td_part_exists("fifopart.set", 0));
	/* an open of that set, with part 0 there: the same */
	snprintf(p, sizeof(p), "%s/fifopart.set.p0", td_dir());
	td_write_file(p, "");
	snprintf(p, sizeof(p), "%s/fifopart.set.p1", td_dir());
	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg,
		td_open_msg(msg, "fifopart.set", POOL_SIZE, 1, SOCKETS));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_OPEN, NULL, NULL),
		RPMEM_ERR_POOL_CFG);
	assert_int_equal(td_wait(&d), 1);
	/* a remove without force removes nothing, and names the FIFO */
	assert_int_equal(remove_status("fifopart.set", NULL, NULL), EINVAL);
	assert_true(td_part_exists("fifopart.set", 0));
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
}

/* a second CREATE on one connection: refused, exit 1, and the first
 * pool, whose lanes never connected, does not stay on disk */
static void
test_repeated_create(void **state)
{
	(void)state;
	td_make_set("rc1.set", "");
	td_make_set("rc2.set", "");
	struct rpmem_pool_attr_packed a = td_attr('R');
	struct daemon d;
	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg,
		td_create_msg(msg, "rc1.set", POOL_SIZE, 1, SOCKETS, &a));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CREATE, NULL, NULL), 0);
	assert_true(td_part_exists("rc1.set", 0));
	td_write(&d, msg,
		td_create_msg(msg, "rc2.set", POOL_SIZE, 1, SOCKETS, &a));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CREATE, NULL, NULL),
		RPMEM_ERR_FATAL);
	td_expect_stderr(&d, "already open");
	assert_int_equal(td_wait(&d), 1);
	for (int i = 0; i < 2; i++) {
		assert_false(td_part_exists("rc1.set", i));
		assert_false(td_part_exists("rc2.set", i));
	}

	/* lanes up: the first pool is the client's and stays (as PMDK) */
	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg,
		td_create_msg(msg, "rc1.set", POOL_SIZE, 1, SOCKETS, &a));
	struct rpmem_msg_ibc_attr ibc;
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CREATE, &ibc, NULL), 0);
	struct td_fab *f = td_fab_connect("sockets", ibc.port, 1);
	assert_int_equal(td_fab_persist(f, 0, RPMEM_PERSIST_SEND, 0,
				 ibc.raddr + 8192, 2, "ok", 24 + 2),
		0);
	td_write(&d, msg, td_open_msg(msg, "rc2.set", POOL_SIZE, 1, SOCKETS));
	assert_int_equal(
		td_resp(&d, RPMEM_MSG_TYPE_OPEN, NULL, NULL), RPMEM_ERR_FATAL);
	assert_int_equal(td_wait(&d), 1);
	td_fab_close(f);
	assert_true(td_part_exists("rc1.set", 0));
	char buf[2];
	td_read_part("rc1.set", 0, 8192, buf, 2);
	assert_memory_equal(buf, "ok", 2);
}

/* a client's RDMA write over the header page never reaches the part
 * file: after rpmemd is killed the pool opens with its attributes */
static void
header_kill(const char *prov, uint32_t prov_id)
{
	char name[32];
	snprintf(name, sizeof(name), "hk-%s.set", prov);
	td_make_set(name, "");
	struct rpmem_pool_attr_packed a = td_attr('H'), got;
	struct daemon d;
	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg, td_create_msg(msg, name, POOL_SIZE, 1, prov_id, &a));
	struct rpmem_msg_ibc_attr ibc;
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CREATE, &ibc, NULL), 0);
	struct td_fab *f = td_fab_connect(prov, ibc.port, 1);
	static char junk[8192];
	memset(junk, 0xa5, sizeof(junk));
	/* header page and the first data page */
	td_fab_write(f, 0, junk, sizeof(junk), ibc.raddr, ibc.rkey);
	assert_int_equal(td_fab_persist(f, 0, RPMEM_FLUSH_WRITE, 0,
				 ibc.raddr + 4096, 4096, NULL, 24),
		0);
	assert_int_equal(kill(d.pid, SIGKILL), 0);
	assert_int_equal(td_wait(&d), -1);
	td_fab_close(f);
	/* the data page has the client's bytes, the header is rpmemd's */
	static char back[4096];
	td_read_part(name, 0, 4096, back, sizeof(back));
	assert_memory_equal(back, junk, sizeof(back));
	td_read_part(name, 0, 0, back, 8);
	assert_memory_equal(back, a.signature, 8);

	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg, td_open_msg(msg, name, POOL_SIZE, 1, prov_id));
	memset(&got, 0, sizeof(got));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_OPEN, &ibc, &got), 0);
	assert_memory_equal(&got, &a, sizeof(a));
	f = td_fab_connect(prov, ibc.port, 1);
	td_fab_close(f);
	td_write(&d, msg, td_close_msg(msg, 0));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CLOSE, NULL, NULL), 0);
	assert_int_equal(td_wait(&d), 0);
}

static void
test_header_kill(void **state)
{
	(void)state;
	header_kill("sockets", RPMEM_PROV_LIBFABRIC_SOCKETS);
	header_kill("tcp", RPMEM_PROV_LIBFABRIC_TCP);
}

static void
refused_with(const char *desc, uint32_t status, const char *text)
{
	struct daemon d;
	struct rpmem_pool_attr_packed a = td_attr('W');
	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg, td_create_msg(msg, desc, POOL_SIZE, 1, SOCKETS, &a));
	assert_int_equal(
		td_resp(&d, RPMEM_MSG_TYPE_CREATE, NULL, NULL), status);
	char buf[4096];
	td_stderr(&d, buf, sizeof(buf));
	if (strstr(buf, text) == NULL)
		fail_msg("stderr '%s' lacks '%s'", buf, text);
	assert_null(strstr(buf, "Bad file descriptor"));
	assert_int_equal(td_wait(&d), 1);
}

/* messages say what is wrong; a size no file can have is EFBIG */
static void
test_wording(void **state)
{
	(void)state;
	char p[256];
	snprintf(p, sizeof(p), "%s/x.set", td_dir());
	td_write_file(p, "PMEMPOOLSET\n2M /tmp/x\n");
	refused_with("../x.set", RPMEM_ERR_BADNAME,
		"outside the pool set directory");
	refused_with(p, RPMEM_ERR_BADNAME, "absolute pool set names");
	char link[300];
	snprintf(link, sizeof(link), "%s/out.set", td_sets());
	assert_int_equal(symlink(p, link), 0);
	refused_with(
		"out.set", RPMEM_ERR_BADNAME, "outside the pool set directory");

	/* 2^64-1 MiB: as PMDK, EFBIG (the daemon's status is FATAL) */
	set_path(p, sizeof(p), "big.set");
	td_write_file(p, "PMEMPOOLSET\n18446744073709551615M /tmp/big.p\n");
	refused_with("big.set", RPMEM_ERR_FATAL, "File too large");
	assert_int_equal(remove_status("big.set", NULL, NULL), EFBIG);
	assert_false(td_exists("/tmp/big.p"));
}

/* every failure after the part files exist removes the ones rpmemd
 * created, and only those */
static void
test_create_failure(void **state)
{
	(void)state;
	td_make_set("cf.set", "");
	/* part 0 exists (zeroed, the right size), part 1 does not */
	char p0[256];
	snprintf(p0, sizeof(p0), "%s/cf.set.p0", td_dir());
	int fd = open(p0, O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 2 * MB), 0);
	close(fd);
	struct rpmem_pool_attr_packed a = td_attr('X');
	static const char zero[4096];
	char hdr[4096];

	/* the lanes never connect: CLOSE fails */
	struct daemon d;
	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg, td_create_msg(msg, "cf.set", POOL_SIZE, 1, 2, &a));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CREATE, NULL, NULL), 0);
	assert_true(td_part_exists("cf.set", 1));
	td_write(&d, msg, td_close_msg(msg, 0));
	assert_int_equal(
		td_resp(&d, RPMEM_MSG_TYPE_CLOSE, NULL, NULL), RPMEM_ERR_FATAL);
	assert_int_equal(td_wait(&d), 1);
	assert_false(td_part_exists("cf.set", 1));
	assert_true(td_part_exists("cf.set", 0));
	td_read_part("cf.set", 0, 0, hdr, sizeof(hdr));
	assert_memory_equal(hdr, zero, sizeof(hdr));

	/* the pool is smaller than requested */
	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(
		&d, msg, td_create_msg(msg, "cf.set", POOL_SIZE + 1, 1, 2, &a));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CREATE, NULL, NULL),
		RPMEM_ERR_BADSIZE);
	assert_int_equal(td_wait(&d), 1);
	assert_false(td_part_exists("cf.set", 1));
	td_read_part("cf.set", 0, 0, hdr, sizeof(hdr));
	assert_memory_equal(hdr, zero, sizeof(hdr));

	/* the client vanishes before the lanes connect */
	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg, td_create_msg(msg, "cf.set", POOL_SIZE, 1, 2, &a));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CREATE, NULL, NULL), 0);
	td_close_in(&d);
	assert_int_equal(td_wait(&d), 1);
	assert_false(td_part_exists("cf.set", 1));
	td_read_part("cf.set", 0, 0, hdr, sizeof(hdr));
	assert_memory_equal(hdr, zero, sizeof(hdr));
}

/* rpmemd dying of a fatal signal while its created pool waits for lanes:
 * a log line, and no part file left behind; an opened pool stays */
static void
test_crash(void **state)
{
	(void)state;
	char log[256];
	snprintf(log, sizeof(log), "%s/crash.log", td_dir());
	unlink(log);
	td_make_set("crash.set", "");
	struct rpmem_pool_attr_packed a = td_attr('C');
	struct daemon d;
	td_start(&d, 0, "--log-file", log, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg,
		td_create_msg(msg, "crash.set", POOL_SIZE, 1, SOCKETS, &a));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CREATE, NULL, NULL), 0);
	assert_true(td_part_exists("crash.set", 0));
	assert_int_equal(kill(d.pid, SIGSEGV), 0);
	td_expect_stderr(&d, "fatal signal 11");
	assert_int_equal(td_wait(&d), -1);
	assert_false(td_part_exists("crash.set", 0));
	assert_false(td_part_exists("crash.set", 1));
	assert_true(td_file_has(log, "fatal signal 11; removed the part"));

	/* created and closed, then opened: a crash leaves it alone */
	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg,
		td_create_msg(msg, "crash.set", POOL_SIZE, 1, SOCKETS, &a));
	struct rpmem_msg_ibc_attr ibc;
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CREATE, &ibc, NULL), 0);
	struct td_fab *f = td_fab_connect("sockets", ibc.port, 1);
	td_fab_close(f);
	td_write(&d, msg, td_close_msg(msg, 0));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CLOSE, NULL, NULL), 0);
	assert_int_equal(td_wait(&d), 0);
	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg, td_open_msg(msg, "crash.set", POOL_SIZE, 1, SOCKETS));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_OPEN, NULL, NULL), 0);
	assert_int_equal(kill(d.pid, SIGBUS), 0);
	assert_int_equal(td_wait(&d), -1);
	assert_true(td_part_exists("crash.set", 0));
	assert_true(td_part_exists("crash.set", 1));
}

/* lines of the common layer (src/common) reach rpmemd's log file */
static void
test_common_log(void **state)
{
	(void)state;
	char log[256];
	snprintf(log, sizeof(log), "%s/common.log", td_dir());
	unlink(log);
	setenv("PMEM_NO_MOVNT", "maybe", 1);
	struct daemon d;
	td_start(&d, 0, "--log-file", log, "--log-level", "info", NULL);
	unsetenv("PMEM_NO_MOVNT");
	assert_int_equal(td_hello(&d), 0);
	td_close_in(&d);
	assert_int_equal(td_wait(&d), 1);
	assert_true(td_file_has(log, "ignoring PMEM_NO_MOVNT='maybe'"));
	/* below debug level: no source locations, the probe's summary
	 * is a debug line */
	assert_false(td_file_has(log, ".c:"));
	assert_false(td_file_has(log, "non-temporal copies"));
	unlink(log);
	td_start(&d, 0, "--log-file", log, "--log-level", "debug", NULL);
	assert_int_equal(td_hello(&d), 0);
	td_close_in(&d);
	assert_int_equal(td_wait(&d), 1);
	assert_true(td_file_has(log, "rpmemd version "));
	assert_true(td_file_has(log, "non-temporal copies"));
	assert_true(td_file_has(log, "open files limit: soft "));
	/* err level: the warning is below it */
	unlink(log);
	setenv("PMEM_NO_MOVNT", "maybe", 1);
	td_start(&d, 0, "--log-file", log, "--log-level", "err", NULL);
	unsetenv("PMEM_NO_MOVNT");
	assert_int_equal(td_hello(&d), 0);
	td_close_in(&d);
	assert_int_equal(td_wait(&d), 1);
	assert_false(td_file_has(log, "PMEM_NO_MOVNT"));
}

/*
 * The info-level log of a create refused for a part below the minimal part
 * size, line by line: the shapes PMDK 1.12.1's remote tests
 * (obj_rpmem_basic_integration, a pool set with a 2044 KiB part) match in
 * the node's rpmemd log, and nothing else.
 */
static const char *const pmdk_refused_create[] = {
	"rpmemd version [^ ]+",
	"ssh connection: .*",
	"user: [^ ]+",
	"configuration",
	"    pool set directory: '.+'",
	"    persist method: General Purpose Server Persistency Method",
	"    number of threads: [0-9]+",
	"create request:",
	"    pool descriptor: 'small.set'",
	"    pool size: 18874368",
	"    nlanes: 4",
	"    provider: sockets",
	"    buff_size: [0-9]+",
	"pool attributes:",
	"    signature: 'PMEMOBJ'",
	"    major: 6",
	"    compat_features: 0x1",
	"    incompat_features: 0x6",
	"    ro_compat_features: 0x0",
	"    poolset_uuid: 50505050-5050-5050-5050-505050505050",
	"    uuid: (51){4}-(51){2}-(51){2}-(51){2}-(51){6}",
	"    next_uuid: (52){4}-(52){2}-(52){2}-(52){2}-(52){6}",
	"    prev_uuid: (53){4}-(53){2}-(53){2}-(53){2}-(53){6}",
	"cannot create pool set -- '[^ ]+/small.set': Invalid argument",
};

static void
match_lines(const char *path, const char *const *pat, size_t npat)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[1024];
	size_t i = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (i >= npat)
			fail_msg("extra log line %zu: '%s'", i + 1, line);
		char re[256];
		snprintf(re, sizeof(re), "^%s$", pat[i]);
		regex_t rx;
		assert_int_equal(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB), 0);
		int ok = regexec(&rx, line, 0, NULL, 0) == 0;
		regfree(&rx);
		if (!ok)
			fail_msg("log line %zu '%s' is not '%s'", i + 1, line,
				pat[i]);
		i++;
	}
	fclose(f);
	if (i != npat)
		fail_msg("log ends at line %zu, expected '%s'", i, pat[i]);
}

static void
test_pmdk_log(void **state)
{
	(void)state;
	char p[256], text[2048];
	size_t o = (size_t)snprintf(text, sizeof(text), "PMEMPOOLSET\n");
	for (int i = 0; i < 9; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
			"2M %s/small.p%d\n", td_dir(), i);
	snprintf(text + o, sizeof(text) - o, "2044K %s/small.p9\n", td_dir());
	set_path(p, sizeof(p), "small.set");
	td_write_file(p, text);
	char log[256];
	snprintf(log, sizeof(log), "%s/pmdk.log", td_dir());
	unlink(log);
	struct daemon d;
	/* what sshd sets */
	setenv("TD_SSH_CONNECTION", "127.0.0.1 40000 127.0.0.1 22", 1);
	td_start(&d, 0, "--log-file", log, "--log-level", "info", NULL);
	unsetenv("TD_SSH_CONNECTION");
	assert_int_equal(td_hello(&d), 0);
	struct rpmem_pool_attr_packed a = td_attr('P');
	memcpy(a.signature, "PMEMOBJ", 8);
	td_write(&d, msg,
		td_create_msg(msg, "small.set", 18 * MB, 4, SOCKETS, &a));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CREATE, NULL, NULL),
		RPMEM_ERR_POOL_CFG);
	/* the client is told more than the log line says */
	td_expect_stderr(&d, "small.set");
	assert_int_equal(td_wait(&d), 1);
	match_lines(log, pmdk_refused_create,
		sizeof(pmdk_refused_create) / sizeof(pmdk_refused_create[0]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_remove_force),
		cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_repeated_create),
		cmocka_unit_test(test_header_kill),
		cmocka_unit_test(test_wording),
		cmocka_unit_test(test_create_failure),
		cmocka_unit_test(test_crash),
		cmocka_unit_test(test_common_log),
		cmocka_unit_test(test_pmdk_log),
	};
	const char *filter = getenv("TD_FILTER");
	if (filter != NULL && filter[0] != '\0')
		cmocka_set_test_filter(filter);
	return td_done(cmocka_run_group_tests(tests, NULL, NULL));
}
