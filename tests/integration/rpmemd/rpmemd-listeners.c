/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmemd-listeners.c -- what reaches the ports rpmemd opens: garbage and
 * forged connection-manager messages on the announced fabric port, garbage
 * on the sockets provider's data-path listener, and the sockets provider
 * refused unless allowed; rpmemd survives (or, if a provider still kills
 * it, logs the crash and leaves no part file) and the real session works
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
#include <string.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon.h"

#define MB (1UL << 20)
#define POOL_SIZE (4 * MB - 4096)
#define MAX_PORTS 64

static unsigned char msg[8192];

static void
make_set(const char *name)
{
	char p[256], text[512];
	snprintf(p, sizeof(p), "%s/%s", td_sets(), name);
	snprintf(text, sizeof(text), "PMEMPOOLSET\n4M %s/%s.part\n", td_dir(),
		name);
	td_write_file(p, text);
}

static int
part_exists(const char *name)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s.part", td_dir(), name);
	return td_exists(p);
}

static struct rpmem_pool_attr_packed
attr_a(void)
{
	struct rpmem_pool_attr_packed a;
	memset(&a, 0, sizeof(a));
	memcpy(a.signature, "PMEMOBJ", 8);
	a.major = 6;
	memset(a.poolset_uuid, 1, 16);
	memset(a.uuid, 2, 16);
	return a;
}

static int
log_has(const char *what)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/rpmemd.log", td_dir());
	FILE *f = fopen(p, "r");
	if (f == NULL)
		return 0;
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, what) != NULL;
}

/* the TCP ports process pid listens on (from /proc) */
static unsigned
listen_ports(pid_t pid, unsigned *ports)
{
	char p[64];
	unsigned long inodes[256];
	unsigned ninodes = 0, n = 0;
	snprintf(p, sizeof(p), "/proc/%d/fd", (int)pid);
	DIR *d = opendir(p);
	if (d == NULL)
		return 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL && ninodes < 256) {
		char link[320], target[128];
		snprintf(link, sizeof(link), "%s/%s", p, de->d_name);
		ssize_t l = readlink(link, target, sizeof(target) - 1);
		if (l <= 0)
			continue;
		target[l] = '\0';
		if (sscanf(target, "socket:[%lu]", &inodes[ninodes]) == 1)
			ninodes++;
	}
	closedir(d);
	static const char *const tabs[] = {"tcp", "tcp6"};
	for (int t = 0; t < 2; t++) {
		snprintf(p, sizeof(p), "/proc/%d/net/%s", (int)pid, tabs[t]);
		FILE *f = fopen(p, "r");
		if (f == NULL)
			continue;
		char line[512];
		while (fgets(line, sizeof(line), f) && n < MAX_PORTS) {
			char local[128];
			unsigned st;
			unsigned long ino;
			if (sscanf(line,
				    " %*u: %127s %*s %x %*s %*s %*s %*s %*s "
				    "%lu",
				    local, &st, &ino) != 3 ||
				st != 0x0A)
				continue;
			for (unsigned i = 0; i < ninodes; i++)
				if (inodes[i] == ino)
					ports[n++] = (unsigned)strtoul(
						strrchr(local, ':') + 1, NULL,
						16);
		}
		fclose(f);
	}
	return n;
}

/* connects to 127.0.0.1:port, sends len bytes, keeps the socket open */
static int
attack(unsigned port, const void *bytes, size_t len)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	if (len)
		(void)send(fd, bytes, len, MSG_NOSIGNAL);
	return fd;
}

/*
 * The sockets provider's connection-manager header (type, 3 reserved
 * bytes, port, data size) followed by bytes that look like a pointer:
 * type 1 and 3 are ACCEPT and SHUTDOWN, which the provider handles as if
 * they came from a peer it had connected to.
 */
static int
forged_cm(unsigned port, unsigned char type)
{
	unsigned char m[24];
	memset(m, 0, sizeof(m));
	m[0] = type;
	uint64_t fake = 0x4141414141414141ULL;
	memcpy(m + 8, &fake, sizeof(fake));
	memcpy(m + 16, &fake, sizeof(fake));
	return attack(port, m, sizeof(m));
}

/* 1 while pid has not exited (it stays a child td_wait() can reap) */
static int
alive(pid_t pid)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT))
		return 0;
	return si.si_pid == 0;
}

static void
start_create(struct daemon *d, const char *name, uint32_t prov,
	struct rpmem_msg_ibc_attr *ibc)
{
	struct rpmem_pool_attr_packed a = attr_a();
	char log[256];
	snprintf(log, sizeof(log), "%s/rpmemd.log", td_dir());
	(void)truncate(log, 0);
	make_set(name);
	td_start(d, 0, NULL);
	assert_int_equal(td_hello(d), 0);
	td_write(d, msg, td_create_msg(msg, name, POOL_SIZE, 2, prov, &a));
	assert_int_equal(td_resp(d, RPMEM_MSG_TYPE_CREATE, ibc, NULL), 0);
}

/* persists on both lanes, closes, and expects a clean exit */
static void
finish_session(struct daemon *d, struct td_fab *f, uint64_t raddr)
{
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(
			td_fab_persist(f, i, RPMEM_PERSIST_SEND, i,
				raddr + 8192 + 64 * i, 4, "data", 24 + 4),
			0);
	td_fab_close(f);
	td_write(d, msg, td_close_msg(msg, 0));
	assert_int_equal(td_resp(d, RPMEM_MSG_TYPE_CLOSE, NULL, NULL), 0);
	assert_int_equal(td_wait(d), 0);
}

/*
 * garbage and forged messages on the announced port before the client's
 * lanes connect: rpmemd survives and serves the client; a provider that
 * still crashes must leave a log line and no part file of the create
 */
static void
announced_port(
	const char *prov, uint32_t prov_id, const char *name, int keep_open)
{
	struct daemon d;
	struct rpmem_msg_ibc_attr ibc;
	start_create(&d, name, prov_id, &ibc);
	int fds[8], nfd = 0;
	static const char junk[] = "GET / HTTP/1.0\r\n\r\n\xff\xfe\x00\x01";
	fds[nfd++] = forged_cm(ibc.port, 1);
	fds[nfd++] = forged_cm(ibc.port, 3);
	fds[nfd++] = forged_cm(ibc.port, 2);
	fds[nfd++] = attack(ibc.port, junk, sizeof(junk));
	fds[nfd++] = attack(ibc.port, "", 0);
	struct timespec ts = {0, 200 * 1000 * 1000};
	nanosleep(&ts, NULL);
	/*
	 * the sockets provider reads a connection-manager header with a
	 * blocking read: a silent connection holds its thread (and the
	 * client's connect) until it closes
	 */
	for (int i = 0; !keep_open && i < nfd; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (!alive(d.pid)) {
		/* only a provider outside our control may do this */
		print_message("%s: the provider crashed rpmemd\n", prov);
		assert_string_equal(prov, "sockets");
		assert_int_equal(td_wait(&d), -1);
		assert_true(log_has("fatal signal"));
		assert_false(part_exists(name));
	} else {
		struct td_fab *f = td_fab_connect(prov, ibc.port, 2);
		finish_session(&d, f, ibc.raddr);
		assert_true(part_exists(name));
	}
	for (int i = 0; keep_open && i < nfd; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static void
test_announced_port_tcp(void **state)
{
	(void)state;
	announced_port("tcp", RPMEM_PROV_LIBFABRIC_TCP, "cm-tcp", 1);
}

static void
test_announced_port_sockets(void **state)
{
	(void)state;
	announced_port(
		"sockets", RPMEM_PROV_LIBFABRIC_SOCKETS, "cm-sockets", 0);
	/* a crash left nothing in the way of the next create */
	announced_port(
		"sockets", RPMEM_PROV_LIBFABRIC_SOCKETS, "cm-sockets", 0);
}

/* without allow-sockets a sockets request is refused, nothing created */
static void
test_sockets_refused(void **state)
{
	(void)state;
	struct daemon d;
	char log[256];
	snprintf(log, sizeof(log), "--log-file=%s/rpmemd.log", td_dir());
	char dir[256];
	snprintf(dir, sizeof(dir), "--poolset-dir=%s", td_sets());
	make_set("refused");
	struct rpmem_pool_attr_packed a = attr_a();
	td_start(&d, 1, dir, log, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg,
		td_create_msg(msg, "refused", POOL_SIZE, 1,
			RPMEM_PROV_LIBFABRIC_SOCKETS, &a));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CREATE, NULL, NULL),
		RPMEM_ERR_PROVNOSUP);
	td_wait(&d);
	assert_false(part_exists("refused"));
	assert_true(log_has("allow-sockets"));
}

/* waits (bounded) until pid has no listening TCP socket */
static int
no_listeners(pid_t pid)
{
	unsigned ports[MAX_PORTS];
	for (int i = 0; i < 1000; i++) {
		if (listen_ports(pid, ports) == 0)
			return 1;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return 0;
}

/*
 * sockets: once the lanes carry data, the provider's data-path listeners
 * are gone; garbage sent to where they were changes nothing
 */
static void
test_data_listener_sockets(void **state)
{
	(void)state;
	struct daemon d;
	struct rpmem_msg_ibc_attr ibc;
	start_create(&d, "data-sockets", RPMEM_PROV_LIBFABRIC_SOCKETS, &ibc);
	struct td_fab *f = td_fab_connect("sockets", ibc.port, 2);
	unsigned ports[MAX_PORTS];
	unsigned n = listen_ports(d.pid, ports);
	assert_true(n > 0); /* the data-path listeners of the two lanes */
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(td_fab_persist(f, i, RPMEM_PERSIST_SEND, i,
					 ibc.raddr + 4096, 2, "ok", 24 + 2),
			0);
	assert_true(no_listeners(d.pid));
	int fds[MAX_PORTS];
	static unsigned char junk[4096];
	memset(junk, 0xa5, sizeof(junk));
	for (unsigned i = 0; i < n; i++) {
		fds[i] = attack(ports[i], junk, sizeof(junk));
		assert_int_equal(fds[i], -1);
	}
	finish_session(&d, f, ibc.raddr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sockets_refused),
		cmocka_unit_test(test_announced_port_tcp),
		cmocka_unit_test(test_announced_port_sockets),
		cmocka_unit_test(test_data_listener_sockets),
	};
	return td_done(cmocka_run_group_tests(tests, NULL, NULL));
}
