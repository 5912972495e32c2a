/* SPDX-License-Identifier: BSD-3-Clause */
/* daemon.c -- run rpmemd on socketpairs; out-of-band and fabric client */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <rdma/fabric.h>
#include <rdma/fi_cm.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_endpoint.h>
#include <rdma/fi_errno.h>
#include <rdma/fi_rma.h>

#include "daemon.h"
#include "test_util.h"

static char dir[64];
static char sets[128];

const char *
td_dir(void)
{
	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/rpmemd-it-XXXXXX");
		assert_non_null(mkdtemp(dir));
		snprintf(sets, sizeof(sets), "%s/sets", dir);
		assert_int_equal(mkdir(sets, 0700), 0);
	}
	return dir;
}

const char *
td_sets(void)
{
	td_dir();
	return sets;
}

int
td_done(int failed)
{
	if (dir[0] == '\0')
		return failed;
	if (failed)
		fprintf(stderr, "test directory kept: %s\n", dir);
	else if (rm_tree(dir))
		fprintf(stderr, "cannot remove %s: %s\n", dir, strerror(errno));
	return failed;
}

void
td_start(struct daemon *d, int raw, ...)
{
	const char *bin = getenv("RPMEMD_BIN");
	assert_non_null(bin);
	char *argv[32];
	int argc = 0;
	char log[160];
	snprintf(log, sizeof(log), "%s/rpmemd.log", td_dir());
	argv[argc++] = (char *)bin;
	if (!raw) {
		argv[argc++] = (char *)"--poolset-dir";
		argv[argc++] = (char *)td_sets();
		argv[argc++] = (char *)"--log-file";
		argv[argc++] = log;
		argv[argc++] = (char *)"--log-level";
		argv[argc++] = (char *)"debug";
		argv[argc++] = (char *)"--allow-sockets";
	}
	va_list ap;
	va_start(ap, raw);
	const char *a;
	while ((a = va_arg(ap, const char *)) != NULL && argc < 30)
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;

	int in[2], out[2], err[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, in), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, out), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, err), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(in[1], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		for (int fd = 3; fd < 64; fd++)
			close(fd);
		setenv("HOME", dir, 1);
		/* TD_SSH_CONNECTION: what sshd would have set */
		const char *sc = getenv("TD_SSH_CONNECTION");
		if (sc != NULL)
			setenv("SSH_CONNECTION", sc, 1);
		else
			unsetenv("SSH_CONNECTION");
		execv(bin, argv);
		_exit(127);
	}
	close(in[1]);
	close(out[1]);
	close(err[1]);
	d->pid = pid;
	d->in = in[0];
	d->out = out[0];
	d->err = err[0];
}

/* what rpmemd left unread on stderr (sanitizer reports, last words)
 * goes to the test's stderr, so a failed exit status explains itself */
static void
echo_stderr(struct daemon *d)
{
	char buf[4096];
	ssize_t k;
	while ((k = recv(d->err, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		fprintf(stderr, "rpmemd[%d] stderr: ", (int)d->pid);
		fwrite(buf, 1, (size_t)k, stderr);
	}
}

int
td_wait(struct daemon *d)
{
	int status;
	int tries = test_wait_ms(10000) / 10;
	for (int i = 0; i < tries; i++) {
		pid_t r = waitpid(d->pid, &status, WNOHANG);
		if (r == d->pid) {
			echo_stderr(d);
			close(d->in);
			close(d->out);
			close(d->err);
			if (WIFEXITED(status))
				return WEXITSTATUS(status);
			return -1;
		}
		struct timespec ts = {0, 10000000};
		nanosleep(&ts, NULL);
	}
	kill(d->pid, SIGKILL);
	waitpid(d->pid, &status, 0);
	fail_msg("rpmemd did not exit within %d s", tries / 100);
	return -2;
}

ssize_t
td_read(struct daemon *d, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		struct pollfd p = {.fd = d->out, .events = POLLIN};
		int r = poll(&p, 1, test_wait_ms(5000));
		assert_true(r >= 0);
		if (r == 0)
			fail_msg("no data from rpmemd within %d s",
				test_wait_ms(5000) / 1000);
		ssize_t k = read(d->out, (char *)buf + got, n - got);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

void
td_stderr(struct daemon *d, char *buf, size_t len)
{
	size_t got = 0;
	for (;;) {
		struct pollfd p = {.fd = d->err, .events = POLLIN};
		if (poll(&p, 1, test_wait_ms(5000)) <= 0)
			break;
		ssize_t k = read(d->err, buf + got, len - 1 - got);
		if (k <= 0)
			break;
		got += (size_t)k;
		if (got == len - 1)
			break;
	}
	buf[got] = '\0';
}

void
td_write(struct daemon *d, const void *buf, size_t n)
{
	assert_int_equal(send(d->in, buf, n, MSG_NOSIGNAL), (ssize_t)n);
}

void
td_close_in(struct daemon *d)
{
	shutdown(d->in, SHUT_WR);
}

uint32_t
td_hello(struct daemon *d)
{
	uint32_t st = 0xdeadbeef;
	assert_int_equal(td_read(d, &st, 4), 4);
	return st;
}

static void
fill_common(struct rpmem_msg_common *c, uint64_t pool_size, uint32_t nlanes,
	uint32_t provider)
{
	c->major = RPMEM_PROTO_MAJOR;
	c->minor = RPMEM_PROTO_MINOR;
	c->pool_size = pool_size;
	c->nlanes = nlanes;
	c->provider = provider;
	c->buff_size = RPMEM_DEF_BUFF_SIZE;
	rpmem_hton_msg_common(c);
}

size_t
td_create_msg(void *buf, const char *desc, uint64_t pool_size, uint32_t nlanes,
	uint32_t provider, const struct rpmem_pool_attr_packed *attr)
{
	struct rpmem_msg_create *m = buf;
	size_t dlen = strlen(desc) + 1;
	size_t len = sizeof(*m) + dlen;
	memset(m, 0, len);
	m->hdr.type = RPMEM_MSG_TYPE_CREATE;
	m->hdr.size = len;
	rpmem_hton_msg_hdr(&m->hdr);
	fill_common(&m->c, pool_size, nlanes, provider);
	if (attr) {
		m->pool_attr = *attr;
		rpmem_hton_pool_attr(&m->pool_attr);
	}
	m->pool_desc.size = htobe32((uint32_t)dlen);
	memcpy(m->pool_desc.desc, desc, dlen);
	return len;
}

size_t
td_open_msg(void *buf, const char *desc, uint64_t pool_size, uint32_t nlanes,
	uint32_t provider)
{
	struct rpmem_msg_open *m = buf;
	size_t dlen = strlen(desc) + 1;
	size_t len = sizeof(*m) + dlen;
	memset(m, 0, len);
	m->hdr.type = RPMEM_MSG_TYPE_OPEN;
	m->hdr.size = len;
	rpmem_hton_msg_hdr(&m->hdr);
	fill_common(&m->c, pool_size, nlanes, provider);
	m->pool_desc.size = htobe32((uint32_t)dlen);
	memcpy(m->pool_desc.desc, desc, dlen);
	return len;
}

size_t
td_close_msg(void *buf, uint32_t flags)
{
	struct rpmem_msg_close *m = buf;
	m->hdr.type = RPMEM_MSG_TYPE_CLOSE;
	m->hdr.size = sizeof(*m);
	rpmem_hton_msg_hdr(&m->hdr);
	m->flags = flags;
	return sizeof(*m);
}

size_t
td_set_attr_msg(void *buf, const struct rpmem_pool_attr_packed *a)
{
	struct rpmem_msg_set_attr *m = buf;
	memset(m, 0, sizeof(*m));
	m->hdr.type = RPMEM_MSG_TYPE_SET_ATTR;
	m->hdr.size = sizeof(*m);
	rpmem_hton_msg_hdr(&m->hdr);
	if (a) {
		m->pool_attr = *a;
		rpmem_hton_pool_attr(&m->pool_attr);
	}
	return sizeof(*m);
}

uint32_t
td_resp(struct daemon *d, uint32_t req_type, struct rpmem_msg_ibc_attr *ibc,
	struct rpmem_pool_attr_packed *attr)
{
	union {
		struct rpmem_msg_create_resp c;
		struct rpmem_msg_open_resp o;
		struct rpmem_msg_hdr_resp h;
	} u;
	size_t len = req_type == RPMEM_MSG_TYPE_CREATE
			     ? sizeof(u.c)
			     : (req_type == RPMEM_MSG_TYPE_OPEN ? sizeof(u.o)
								: sizeof(u.h));
	assert_int_equal(td_read(d, &u, len), (ssize_t)len);
	rpmem_ntoh_msg_hdr_resp(&u.h);
	assert_int_equal(u.h.type, req_type + 1);
	assert_int_equal(u.h.size, len);
	if (ibc && len >= sizeof(u.c)) {
		*ibc = u.c.ibc;
		rpmem_ntoh_msg_ibc_attr(ibc);
	}
	if (attr && req_type == RPMEM_MSG_TYPE_OPEN) {
		*attr = u.o.pool_attr;
		rpmem_ntoh_pool_attr(attr);
	}
	return u.h.status;
}

void
td_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

int
td_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* ---- fabric client ---- */

struct td_lane {
	struct fid_ep *ep;
	struct fid_cq *cq;
	struct fi_context ctx;
	char *msg;
	struct rpmem_msg_persist_resp *resp;
	struct fid_mr *msg_mr, *resp_mr;
};

struct td_fab {
	struct fi_info *fi;
	struct fid_fabric *fabric;
	struct fid_domain *domain;
	struct fid_eq *eq;
	unsigned nlanes;
	struct td_lane *lanes;
};

#define CHECK(x)                                                  \
	do {                                                      \
		int _r = (int)(x);                                \
		if (_r)                                           \
			fail_msg("%s: %s", #x, fi_strerror(-_r)); \
	} while (0)

static void
cq_wait(struct td_lane *l, uint64_t flag)
{
	int tries = test_wait_ms(5000) / 100;
	for (int i = 0; i < tries; i++) {
		struct fi_cq_msg_entry e;
		ssize_t r = fi_cq_sread(l->cq, &e, 1, NULL, 100);
		if (r == -FI_EAGAIN || r == -FI_ETIMEDOUT)
			continue;
		if (r == -FI_EAVAIL) {
			struct fi_cq_err_entry err;
			memset(&err, 0, sizeof(err));
			fi_cq_readerr(l->cq, &err, 0);
			fail_msg("completion error %s", fi_strerror(err.err));
		}
		assert_int_equal(r, 1);
		if (e.flags & flag)
			return;
	}
	fail_msg("no completion within %d s", tries / 10);
}

static struct td_fab *td_fab_open(
	const char *prov, uint32_t port, unsigned nlanes);

/* 0 once connected, else the error event's code or -FI_ETIMEDOUT */
static int
lane_connect(struct td_fab *f, struct td_lane *l, const void *data, size_t len,
	int timeout_ms)
{
	int cret = fi_connect(l->ep, f->fi->dest_addr, data, len);
	if (cret)
		return cret;
	uint32_t ev;
	char buf[sizeof(struct fi_eq_cm_entry) + 256];
	ssize_t r;
	do {
		r = fi_eq_sread(f->eq, &ev, buf, sizeof(buf),
			test_wait_ms(timeout_ms), 0);
	} while (r == -FI_EAGAIN);
	if (r == -FI_EAVAIL) {
		struct fi_eq_err_entry err;
		memset(&err, 0, sizeof(err));
		fi_eq_readerr(f->eq, &err, 0);
		return -(err.err ? err.err : FI_EOTHER);
	}
	if (r < 0)
		return (int)r;
	return ev == FI_CONNECTED ? 0 : -FI_EOTHER;
}

struct td_fab *
td_fab_connect(const char *prov, uint32_t port, unsigned nlanes)
{
	return td_fab_connect_data(prov, port, nlanes, NULL, 0);
}

int
td_fab_try(const char *prov, uint32_t port, const void *data, size_t len,
	int timeout_ms)
{
	struct td_fab *f = td_fab_open(prov, port, 1);
	int ret = lane_connect(f, &f->lanes[0], data, len, timeout_ms);
	td_fab_close(f);
	return ret;
}

struct td_fab *
td_fab_connect_data(const char *prov, uint32_t port, unsigned nlanes,
	const void *data, size_t len)
{
	struct td_fab *f = td_fab_open(prov, port, nlanes);
	for (unsigned i = 0; i < nlanes; i++) {
		int ret = lane_connect(f, &f->lanes[i], data, len, 5000);
		if (ret)
			fail_msg("connect: %s", fi_strerror(-ret));
	}
	return f;
}

static struct td_fab *
td_fab_open(const char *prov, uint32_t port, unsigned nlanes)
{
	struct td_fab *f = calloc(1, sizeof(*f));
	f->lanes = calloc(nlanes, sizeof(*f->lanes));
	f->nlanes = nlanes;
	struct fi_info *h = fi_allocinfo();
	h->ep_attr->type = FI_EP_MSG;
	h->caps = FI_MSG | FI_RMA;
	h->mode = FI_CONTEXT | FI_LOCAL_MR | FI_RX_CQ_DATA;
	h->domain_attr->mr_mode = FI_MR_BASIC;
	h->domain_attr->threading = FI_THREAD_SAFE;
	h->tx_attr->msg_order = FI_ORDER_RAW | FI_ORDER_SAW;
	h->addr_format = FI_SOCKADDR;
	h->fabric_attr->prov_name = strdup(prov);
	char svc[16];
	snprintf(svc, sizeof(svc), "%u", port);
	CHECK(fi_getinfo(FI_VERSION(1, 4), "127.0.0.1", svc, 0, h, &f->fi));
	fi_freeinfo(h);
	CHECK(fi_fabric(f->fi->fabric_attr, &f->fabric, NULL));
	CHECK(fi_domain(f->fabric, f->fi, &f->domain, NULL));
	struct fi_eq_attr eqa = {.wait_obj = FI_WAIT_UNSPEC};
	CHECK(fi_eq_open(f->fabric, &eqa, &f->eq, NULL));
	for (unsigned i = 0; i < nlanes; i++) {
		struct td_lane *l = &f->lanes[i];
		struct fi_cq_attr cqa = {.size = 8,
			.format = FI_CQ_FORMAT_MSG,
			.wait_obj = FI_WAIT_UNSPEC};
		CHECK(fi_cq_open(f->domain, &cqa, &l->cq, NULL));
		CHECK(fi_endpoint(f->domain, f->fi, &l->ep, NULL));
		CHECK(fi_ep_bind(l->ep, &f->eq->fid, 0));
		CHECK(fi_ep_bind(l->ep, &l->cq->fid, FI_TRANSMIT | FI_RECV));
		CHECK(fi_enable(l->ep));
		l->msg = calloc(1, rpmem_pmsg_slot_size(RPMEM_DEF_BUFF_SIZE));
		l->resp = calloc(1, sizeof(*l->resp));
		CHECK(fi_mr_reg(f->domain, l->msg,
			rpmem_pmsg_slot_size(RPMEM_DEF_BUFF_SIZE), FI_SEND, 0,
			0, 0, &l->msg_mr, NULL));
		CHECK(fi_mr_reg(f->domain, l->resp, sizeof(*l->resp), FI_RECV,
			0, 0, 0, &l->resp_mr, NULL));
	}
	return f;
}

uint32_t
td_fab_persist(struct td_fab *f, unsigned lane, uint32_t flags,
	uint32_t msg_lane, uint64_t addr, uint64_t size, const void *data,
	size_t msg_len)
{
	struct td_lane *l = &f->lanes[lane];
	struct rpmem_msg_persist *m = (void *)l->msg;
	m->flags = flags;
	m->lane = msg_lane;
	m->addr = addr;
	m->size = size;
	if (data)
		memcpy(m->data, data, msg_len - sizeof(*m));
	memset(l->resp, 0xff, sizeof(*l->resp));
	CHECK(fi_recv(l->ep, l->resp, sizeof(*l->resp), fi_mr_desc(l->resp_mr),
		0, &l->ctx));
	CHECK(fi_send(l->ep, m, msg_len, fi_mr_desc(l->msg_mr), 0, &l->ctx));
	cq_wait(l, FI_SEND);
	cq_wait(l, FI_RECV);
	return l->resp->flags;
}

void
td_fab_write(struct td_fab *f, unsigned lane, const void *src, size_t len,
	uint64_t raddr, uint64_t rkey)
{
	struct td_lane *l = &f->lanes[lane];
	struct fid_mr *mr;
	CHECK(fi_mr_reg(f->domain, src, len, FI_WRITE, 0, 0, 0, &mr, NULL));
	CHECK(fi_write(
		l->ep, src, len, fi_mr_desc(mr), 0, raddr, rkey, &l->ctx));
	cq_wait(l, FI_WRITE);
	fi_close(&mr->fid);
}

void
td_fab_close(struct td_fab *f)
{
	for (unsigned i = 0; i < f->nlanes; i++) {
		struct td_lane *l = &f->lanes[i];
		fi_shutdown(l->ep, 0);
		fi_close(&l->ep->fid);
		fi_close(&l->msg_mr->fid);
		fi_close(&l->resp_mr->fid);
		fi_close(&l->cq->fid);
		free(l->msg);
		free(l->resp);
	}
	fi_close(&f->eq->fid);
	fi_close(&f->domain->fid);
	fi_close(&f->fabric->fid);
	fi_freeinfo(f->fi);
	free(f->lanes);
	free(f);
}

/* part files live in the test directory, named after the set ('/' -> '_') */
const char *
td_flat(const char *name)
{
	static char f[128];
	snprintf(f, sizeof(f), "%s", name);
	for (char *c = f; *c; c++)
		if (*c == '/')
			*c = '_';
	return f;
}

void
td_make_set(const char *name, const char *opt)
{
	char p[256], text[1024];
	snprintf(p, sizeof(p), "%s/%s", td_sets(), name);
	snprintf(text, sizeof(text),
		"PMEMPOOLSET\n%s2M %s/%s.p0\n2M %s/%s.p1\n", opt, td_dir(),
		td_flat(name), td_dir(), td_flat(name));
	td_write_file(p, text);
}

int
td_part_exists(const char *name, int part)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s.p%d", td_dir(), td_flat(name), part);
	return td_exists(p);
}

void
td_read_part(const char *name, int part, off_t off, void *buf, size_t len)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s.p%d", td_dir(), td_flat(name), part);
	int fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, len, off), (ssize_t)len);
	close(fd);
}

struct rpmem_pool_attr_packed
td_attr(char tag)
{
	struct rpmem_pool_attr_packed a;
	memset(&a, 0, sizeof(a));
	memcpy(a.signature, "PMEMOBJ", 8);
	a.signature[6] = tag;
	a.major = 6;
	a.compat_features = 1;
	a.incompat_features = 6;
	memset(a.poolset_uuid, tag, 16);
	memset(a.uuid, tag + 1, 16);
	memset(a.next_uuid, tag + 2, 16);
	memset(a.prev_uuid, tag + 3, 16);
	memset(a.user_flags, tag + 4, 16);
	return a;
}

void
td_expect_stderr(struct daemon *d, const char *what)
{
	char buf[4096];
	td_stderr(d, buf, sizeof(buf));
	if (strstr(buf, what) == NULL)
		fail_msg("stderr '%s' lacks '%s'", buf, what);
}

int
td_file_has(const char *path, const char *what)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, what) != NULL;
}
