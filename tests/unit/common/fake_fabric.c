/* SPDX-License-Identifier: BSD-3-Clause */
/* fake_fabric.c -- a fake libfabric behind the real ops tables (see .h) */
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <rdma/fabric.h>
#include <rdma/fi_cm.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_endpoint.h>
#include <rdma/fi_errno.h>
#include <rdma/fi_rma.h>

#include "fake_fabric.h"
#include "rpmem_proto.h"

#define MAX_EPS 64
#define QLEN 256

struct fake_cfg Fake;
struct fake_op Fake_log[FAKE_LOG_MAX];
unsigned Fake_nlog;
unsigned Fake_eagains;
unsigned Fake_open;
unsigned char Fake_cm_data[64];
size_t Fake_cm_len;
size_t Fake_cq_size;
uint64_t Fake_mr_access[16];
unsigned Fake_nmr;

struct fcq {
	struct fid_cq cq;
	struct fi_cq_msg_entry e[QLEN];
	int err[QLEN]; /* nonzero: an error entry */
	unsigned head, tail;
};

struct feq {
	struct fid_eq eq;
	uint32_t ev[QLEN];
	struct fid *fid[QLEN];
	int err[QLEN];
	struct fi_info *info[QLEN]; /* FI_CONNREQ */
	unsigned char data[QLEN][32];
	size_t dlen[QLEN];
	unsigned head, tail;
};

struct fep {
	struct fid_ep ep;
	unsigned idx;
	struct fcq *cq;
	struct feq *eq;
	void *recv_buf; /* a posted receive */
	size_t recv_len;
	void *recv_ctx;
};

static unsigned Neps;
static struct fep *Eps[MAX_EPS];
static pthread_mutex_t Lock = PTHREAD_MUTEX_INITIALIZER;
static struct feq *Pep_eq;
static struct fid_pep *Pep;
unsigned Fake_rejects;
struct fake_sent Fake_sent[FAKE_MAX_EPS];

void
fake_reset(void)
{
	memset(&Fake, 0, sizeof(Fake));
	Fake.prov = "sockets";
	Fake.mr_mode = FI_MR_BASIC;
	Fake.tx_size = 16;
	Fake.inject_size = 64;
	Fake.max_msg = 1 << 20;
	Fake.ctx_cnt = 16;
	Fake.mr_key = 0x1000;
	Fake_nlog = Fake_eagains = 0;
	Fake_cm_len = 0;
	Fake_nmr = 0;
	Fake_rejects = 0;
	memset(Fake_sent, 0, sizeof(Fake_sent));
	Neps = 0;
	Pep_eq = NULL;
	Pep = NULL;
}

/* ---- fi_info ---- */

struct fi_info *
fi_dupinfo(const struct fi_info *info)
{
	struct fi_info *n = calloc(1, sizeof(*n));
	n->tx_attr = calloc(1, sizeof(*n->tx_attr));
	n->rx_attr = calloc(1, sizeof(*n->rx_attr));
	n->ep_attr = calloc(1, sizeof(*n->ep_attr));
	n->domain_attr = calloc(1, sizeof(*n->domain_attr));
	n->fabric_attr = calloc(1, sizeof(*n->fabric_attr));
	if (info == NULL)
		return n;
	struct fi_tx_attr *tx = n->tx_attr;
	struct fi_rx_attr *rx = n->rx_attr;
	struct fi_ep_attr *ep = n->ep_attr;
	struct fi_domain_attr *d = n->domain_attr;
	struct fi_fabric_attr *f = n->fabric_attr;
	*n = *info;
	*tx = *info->tx_attr;
	*rx = *info->rx_attr;
	*ep = *info->ep_attr;
	*d = *info->domain_attr;
	*f = *info->fabric_attr;
	n->tx_attr = tx;
	n->rx_attr = rx;
	n->ep_attr = ep;
	n->domain_attr = d;
	n->fabric_attr = f;
	n->next = NULL;
	d->name = NULL;
	f->name = NULL;
	f->prov_name = info->fabric_attr->prov_name
			       ? strdup(info->fabric_attr->prov_name)
			       : NULL;
	n->src_addr = NULL;
	n->src_addrlen = 0;
	n->dest_addr = NULL;
	if (info->dest_addr != NULL) {
		n->dest_addr = malloc(info->dest_addrlen);
		memcpy(n->dest_addr, info->dest_addr, info->dest_addrlen);
	}
	return n;
}

void
fi_freeinfo(struct fi_info *info)
{
	while (info != NULL) {
		struct fi_info *next = info->next;
		free(info->fabric_attr->prov_name);
		free(info->tx_attr);
		free(info->rx_attr);
		free(info->ep_attr);
		free(info->domain_attr);
		free(info->fabric_attr);
		free(info->dest_addr);
		free(info);
		info = next;
	}
}

int
fi_getinfo(uint32_t version, const char *node, const char *service,
	uint64_t flags, const struct fi_info *hints, struct fi_info **info)
{
	(void)version;
	(void)node;
	(void)service;
	(void)flags;
	if (Fake.getinfo_err)
		return -Fake.getinfo_err;
	const char *want = hints && hints->fabric_attr->prov_name
				   ? hints->fabric_attr->prov_name
				   : NULL;
	if (want != NULL && strcmp(want, Fake.prov) != 0)
		return -FI_ENODATA;
	struct fi_info *n = fi_dupinfo(hints);
	free(n->fabric_attr->prov_name);
	n->fabric_attr->prov_name = strdup(Fake.prov);
	n->domain_attr->mr_mode = (int)Fake.mr_mode;
	n->domain_attr->tx_ctx_cnt = Fake.ctx_cnt;
	n->domain_attr->rx_ctx_cnt = Fake.ctx_cnt;
	n->domain_attr->cq_cnt = Fake.ctx_cnt;
	n->domain_attr->ep_cnt = Fake.ctx_cnt;
	n->tx_attr->size = Fake.tx_size;
	n->tx_attr->inject_size = Fake.inject_size;
	n->ep_attr->max_msg_size = Fake.max_msg;
	n->dest_addrlen = 16;
	n->dest_addr = calloc(1, 16);
	*info = n;
	return 0;
}

const char *
fi_strerror(int errnum)
{
	return errnum < FI_ERRNO_OFFSET ? strerror(errnum) : "fabric error";
}

/* ---- completion and event queues ---- */

static void
cq_push(struct fcq *q, void *ctx, uint64_t flags, size_t len)
{
	if (q == NULL || Fake.stall)
		return;
	pthread_mutex_lock(&Lock);
	unsigned i = q->tail++ % QLEN;
	q->e[i].op_context = ctx;
	q->e[i].flags = flags;
	q->e[i].len = len;
	q->err[i] = Fake.cq_err;
	Fake.cq_err = 0;
	pthread_mutex_unlock(&Lock);
}

static ssize_t
cq_read(struct fid_cq *cq, void *buf, size_t count)
{
	struct fcq *q = (struct fcq *)cq;
	pthread_mutex_lock(&Lock);
	ssize_t ret;
	if (q->head == q->tail) {
		ret = -FI_EAGAIN;
	} else if (q->err[q->head % QLEN]) {
		ret = -FI_EAVAIL;
	} else {
		struct fi_cq_msg_entry *out = buf;
		size_t n = 0;
		while (n < count && q->head != q->tail &&
			!q->err[q->head % QLEN])
			out[n++] = q->e[q->head++ % QLEN];
		ret = (ssize_t)n;
	}
	pthread_mutex_unlock(&Lock);
	return ret;
}

static ssize_t
cq_sread(struct fid_cq *cq, void *buf, size_t count, const void *cond,
	int timeout)
{
	(void)cond;
	(void)timeout;
	return cq_read(cq, buf, count);
}

static ssize_t
cq_readerr(struct fid_cq *cq, struct fi_cq_err_entry *buf, uint64_t flags)
{
	(void)flags;
	struct fcq *q = (struct fcq *)cq;
	pthread_mutex_lock(&Lock);
	if (q->head == q->tail || !q->err[q->head % QLEN]) {
		pthread_mutex_unlock(&Lock);
		return -FI_EAGAIN;
	}
	unsigned i = q->head++ % QLEN;
	buf->op_context = q->e[i].op_context;
	buf->flags = q->e[i].flags;
	buf->err = q->err[i];
	pthread_mutex_unlock(&Lock);
	return 1;
}

static int
cq_signal(struct fid_cq *cq)
{
	(void)cq;
	return 0;
}

static int
fid_free(struct fid *f)
{
	Fake_open--;
	free(f);
	return 0;
}

static struct fi_ops Close_ops = {
	.size = sizeof(struct fi_ops), .close = fid_free};

static struct fi_ops_cq Cq_ops = {.size = sizeof(struct fi_ops_cq),
	.read = cq_read,
	.readerr = cq_readerr,
	.sread = cq_sread,
	.signal = cq_signal};

static void
eq_push(struct feq *q, uint32_t ev, struct fid *fid, int err)
{
	pthread_mutex_lock(&Lock);
	unsigned i = q->tail++ % QLEN;
	q->ev[i] = ev;
	q->fid[i] = fid;
	q->err[i] = err;
	q->info[i] = NULL;
	q->dlen[i] = 0;
	pthread_mutex_unlock(&Lock);
}

static ssize_t
eq_read(struct fid_eq *eq, uint32_t *event, void *buf, size_t len,
	uint64_t flags)
{
	(void)flags;
	struct feq *q = (struct feq *)eq;
	if (Fake.shutdown) {
		Fake.shutdown = 0;
		eq_push(q, FI_SHUTDOWN, NULL, 0);
	}
	pthread_mutex_lock(&Lock);
	if (q->head == q->tail || q->err[q->head % QLEN]) {
		int empty = q->head == q->tail;
		pthread_mutex_unlock(&Lock);
		return empty ? -FI_EAGAIN : -FI_EAVAIL;
	}
	unsigned i = q->head++ % QLEN;
	struct fi_eq_cm_entry e = {.fid = q->fid[i], .info = q->info[i]};
	size_t n = sizeof(e) + q->dlen[i];
	unsigned char tmp[sizeof(e) + 32];
	memcpy(tmp, &e, sizeof(e));
	memcpy(tmp + sizeof(e), q->data[i], q->dlen[i]);
	memcpy(buf, tmp, len < n ? len : n);
	*event = q->ev[i];
	pthread_mutex_unlock(&Lock);
	return (ssize_t)n;
}

static ssize_t
eq_sread(struct fid_eq *eq, uint32_t *event, void *buf, size_t len, int timeout,
	uint64_t flags)
{
	(void)timeout;
	return eq_read(eq, event, buf, len, flags);
}

static ssize_t
eq_readerr(struct fid_eq *eq, struct fi_eq_err_entry *buf, uint64_t flags)
{
	(void)flags;
	struct feq *q = (struct feq *)eq;
	pthread_mutex_lock(&Lock);
	if (q->head == q->tail) {
		pthread_mutex_unlock(&Lock);
		return -FI_EAGAIN;
	}
	unsigned i = q->head++ % QLEN;
	buf->fid = q->fid[i];
	buf->err = q->err[i];
	pthread_mutex_unlock(&Lock);
	return (ssize_t)sizeof(*buf);
}

static struct fi_ops_eq Eq_ops = {.size = sizeof(struct fi_ops_eq),
	.read = eq_read,
	.readerr = eq_readerr,
	.sread = eq_sread};

/* ---- endpoint: the fake peer ---- */

static void
log_op(struct fep *e, enum fake_kind k, size_t len, void *desc,
	const struct fi_rma_iov *rma, uint64_t flags)
{
	if (Fake_nlog >= FAKE_LOG_MAX)
		return;
	struct fake_op *o = &Fake_log[Fake_nlog++];
	memset(o, 0, sizeof(*o));
	o->kind = k;
	o->ep = e->idx;
	o->len = len;
	o->desc = desc;
	o->flags = flags;
	if (rma) {
		o->raddr = rma->addr;
		o->key = rma->key;
	}
}

static int
eagain(void)
{
	if (Fake.eagain > 0) {
		Fake.eagain--;
		Fake_eagains++;
		return 1;
	}
	return 0;
}

static ssize_t
ep_recvmsg(struct fid_ep *ep, const struct fi_msg *msg, uint64_t flags)
{
	struct fep *e = (struct fep *)ep;
	if (eagain())
		return -FI_EAGAIN;
	log_op(e, FAKE_RECV, msg->msg_iov[0].iov_len,
		msg->desc ? msg->desc[0] : NULL, NULL, flags);
	pthread_mutex_lock(&Lock);
	e->recv_buf = msg->msg_iov[0].iov_base;
	e->recv_len = msg->msg_iov[0].iov_len;
	e->recv_ctx = msg->context;
	pthread_mutex_unlock(&Lock);
	return 0;
}

static ssize_t
ep_recv(struct fid_ep *ep, void *buf, size_t len, void *desc,
	fi_addr_t src_addr, void *context)
{
	(void)src_addr;
	struct iovec iov = {buf, len};
	struct fi_msg m = {.msg_iov = &iov,
		.desc = &desc,
		.iov_count = 1,
		.context = context};
	return ep_recvmsg(ep, &m, FI_COMPLETION);
}

unsigned
fake_sent(unsigned ep, void *buf, size_t len)
{
	pthread_mutex_lock(&Lock);
	struct fake_sent *st = &Fake_sent[ep % FAKE_MAX_EPS];
	if (buf != NULL)
		memcpy(buf, st->buf,
			len < sizeof(st->buf) ? len : sizeof(st->buf));
	unsigned n = st->count;
	pthread_mutex_unlock(&Lock);
	return n;
}

int
fake_deliver(unsigned ep, const void *buf, size_t len)
{
	pthread_mutex_lock(&Lock);
	struct fep *e = ep < Neps ? Eps[ep] : NULL;
	if (e == NULL || e->recv_buf == NULL || len > e->recv_len) {
		pthread_mutex_unlock(&Lock);
		return -1;
	}
	memcpy(e->recv_buf, buf, len);
	e->recv_buf = NULL;
	void *ctx = e->recv_ctx;
	pthread_mutex_unlock(&Lock);
	cq_push(e->cq, ctx, FI_RECV | FI_MSG, len);
	return 0;
}

/* what rpmemd does with a persist message, then its response */
static void
peer_persist(struct fep *e, const struct rpmem_msg_persist *m, size_t len)
{
	if ((m->flags & RPMEM_FLUSH_PERSIST_MASK) == RPMEM_PERSIST_SEND &&
		len >= sizeof(*m) + m->size)
		memcpy((void *)(uintptr_t)m->addr, m->data, m->size);
	if (Fake.stall)
		return;
	struct rpmem_msg_persist_resp r = {.flags = 0, .lane = m->lane};
	fake_deliver(e->idx, &r, sizeof(r));
}

static ssize_t
ep_sendmsg(struct fid_ep *ep, const struct fi_msg *msg, uint64_t flags)
{
	struct fep *e = (struct fep *)ep;
	if (eagain())
		return -FI_EAGAIN;
	const struct rpmem_msg_persist *m = msg->msg_iov[0].iov_base;
	size_t len = msg->msg_iov[0].iov_len;
	log_op(e, FAKE_SEND, len, msg->desc ? msg->desc[0] : NULL, NULL, flags);
	Fake_log[Fake_nlog - 1].pmsg_flags = m->flags;
	Fake_log[Fake_nlog - 1].raddr = m->addr;
	cq_push(e->cq, msg->context, FI_SEND | FI_MSG, len);
	peer_persist(e, m, len);
	return 0;
}

static ssize_t
ep_send(struct fid_ep *ep, const void *buf, size_t len, void *desc,
	fi_addr_t dest_addr, void *context)
{
	(void)dest_addr;
	struct fep *e = (struct fep *)ep;
	if (eagain())
		return -FI_EAGAIN;
	log_op(e, FAKE_SEND, len, desc, NULL, FI_COMPLETION);
	pthread_mutex_lock(&Lock);
	struct fake_sent *st = &Fake_sent[e->idx % FAKE_MAX_EPS];
	memcpy(st->buf, buf, len < sizeof(st->buf) ? len : sizeof(st->buf));
	st->len = len;
	st->count++;
	pthread_mutex_unlock(&Lock);
	cq_push(e->cq, context, FI_SEND | FI_MSG, len);
	return 0;
}

static ssize_t
ep_writemsg(struct fid_ep *ep, const struct fi_msg_rma *msg, uint64_t flags)
{
	struct fep *e = (struct fep *)ep;
	if (eagain())
		return -FI_EAGAIN;
	size_t len = msg->msg_iov[0].iov_len;
	log_op(e, FAKE_WRITE, len, msg->desc ? msg->desc[0] : NULL,
		msg->rma_iov, flags);
	memcpy((void *)(uintptr_t)msg->rma_iov[0].addr,
		msg->msg_iov[0].iov_base, len);
	if (flags & FI_COMPLETION)
		cq_push(e->cq, msg->context, FI_WRITE | FI_RMA, 0);
	return 0;
}

static ssize_t
ep_readmsg(struct fid_ep *ep, const struct fi_msg_rma *msg, uint64_t flags)
{
	struct fep *e = (struct fep *)ep;
	if (eagain())
		return -FI_EAGAIN;
	size_t len = msg->msg_iov[0].iov_len;
	log_op(e, FAKE_READ, len, msg->desc ? msg->desc[0] : NULL, msg->rma_iov,
		flags);
	memcpy(msg->msg_iov[0].iov_base,
		(void *)(uintptr_t)msg->rma_iov[0].addr, len);
	cq_push(e->cq, msg->context, FI_READ | FI_RMA, len);
	return 0;
}

static int
ep_bind(struct fid *fid, struct fid *bfid, uint64_t flags)
{
	(void)flags;
	struct fep *e = (struct fep *)fid;
	if (bfid->fclass == FI_CLASS_CQ)
		e->cq = (struct fcq *)bfid;
	else if (bfid->fclass == FI_CLASS_EQ)
		e->eq = (struct feq *)bfid;
	return 0;
}

static int
ep_control(struct fid *fid, int command, void *arg)
{
	(void)fid;
	(void)command;
	(void)arg;
	return 0;
}

static int
ep_connect(
	struct fid_ep *ep, const void *addr, const void *param, size_t paramlen)
{
	(void)addr;
	struct fep *e = (struct fep *)ep;
	Fake_cm_len = paramlen < sizeof(Fake_cm_data) ? paramlen : 0;
	if (param && Fake_cm_len)
		memcpy(Fake_cm_data, param, Fake_cm_len);
	eq_push(e->eq, FI_CONNECTED, &ep->fid, Fake.refuse);
	return 0;
}

static int
ep_accept(struct fid_ep *ep, const void *param, size_t paramlen)
{
	(void)param;
	(void)paramlen;
	struct fep *e = (struct fep *)ep;
	if (Fake.refuse)
		return -Fake.refuse;
	eq_push(e->eq, FI_CONNECTED, &ep->fid, 0);
	return 0;
}

static int
pep_reject(
	struct fid_pep *pep, fid_t handle, const void *param, size_t paramlen)
{
	(void)pep;
	(void)handle;
	(void)param;
	(void)paramlen;
	pthread_mutex_lock(&Lock);
	Fake_rejects++;
	pthread_mutex_unlock(&Lock);
	return 0;
}

unsigned
fake_rejects(void)
{
	pthread_mutex_lock(&Lock);
	unsigned n = Fake_rejects;
	pthread_mutex_unlock(&Lock);
	return n;
}

static int
pep_listen(struct fid_pep *pep)
{
	(void)pep;
	return 0;
}

static int
pep_getname(fid_t fid, void *addr, size_t *addrlen)
{
	(void)fid;
	struct sockaddr_in in = {
		.sin_family = AF_INET, .sin_port = htons(7000)};
	if (*addrlen < sizeof(in))
		return -FI_ETOOSMALL;
	memcpy(addr, &in, sizeof(in));
	*addrlen = sizeof(in);
	return 0;
}

static int
pep_bind(struct fid *fid, struct fid *bfid, uint64_t flags)
{
	(void)fid;
	(void)flags;
	Pep_eq = (struct feq *)bfid;
	return 0;
}

static int
pep_close(struct fid *fid)
{
	Pep = NULL;
	return fid_free(fid);
}

static struct fi_ops Pep_fid_ops = {
	.size = sizeof(struct fi_ops), .close = pep_close, .bind = pep_bind};
static struct fi_ops_cm Pep_cm_ops = {.size = sizeof(struct fi_ops_cm),
	.getname = pep_getname,
	.listen = pep_listen,
	.reject = pep_reject};

static int
passive_ep(struct fid_fabric *fabric, struct fi_info *info,
	struct fid_pep **pep, void *context)
{
	(void)fabric;
	(void)info;
	(void)context;
	struct fid_pep *p = calloc(1, sizeof(*p));
	p->fid.fclass = FI_CLASS_PEP;
	p->fid.ops = &Pep_fid_ops;
	p->cm = &Pep_cm_ops;
	Fake_open++;
	Pep = p;
	*pep = p;
	return 0;
}

int
fake_connreq(const void *data, size_t len, const char *from)
{
	if (Pep_eq == NULL || Pep == NULL || len > 32)
		return -1;
	struct fi_info *info = fi_dupinfo(NULL);
	struct sockaddr_in *in = calloc(1, sizeof(*in));
	in->sin_family = AF_INET;
	in->sin_port = htons(40000);
	inet_pton(AF_INET, from, &in->sin_addr);
	info->dest_addr = in;
	info->dest_addrlen = sizeof(*in);
	info->fabric_attr->prov_name = strdup(Fake.prov);
	pthread_mutex_lock(&Lock);
	unsigned i = Pep_eq->tail++ % QLEN;
	Pep_eq->ev[i] = FI_CONNREQ;
	Pep_eq->fid[i] = &Pep->fid;
	Pep_eq->err[i] = 0;
	Pep_eq->info[i] = info;
	if (len)
		memcpy(Pep_eq->data[i], data, len);
	Pep_eq->dlen[i] = len;
	pthread_mutex_unlock(&Lock);
	return 0;
}

static int
ep_shutdown(struct fid_ep *ep, uint64_t flags)
{
	(void)ep;
	(void)flags;
	return 0;
}

static struct fi_ops Ep_fid_ops = {.size = sizeof(struct fi_ops),
	.close = fid_free,
	.bind = ep_bind,
	.control = ep_control};
static struct fi_ops_cm Ep_cm_ops = {.size = sizeof(struct fi_ops_cm),
	.connect = ep_connect,
	.accept = ep_accept,
	.shutdown = ep_shutdown};
static struct fi_ops_msg Ep_msg_ops = {.size = sizeof(struct fi_ops_msg),
	.recv = ep_recv,
	.recvmsg = ep_recvmsg,
	.send = ep_send,
	.sendmsg = ep_sendmsg};
static struct fi_ops_rma Ep_rma_ops = {.size = sizeof(struct fi_ops_rma),
	.readmsg = ep_readmsg,
	.writemsg = ep_writemsg};

/* ---- domain, fabric ---- */

static int
mr_reg(struct fid *fid, const void *buf, size_t len, uint64_t access,
	uint64_t offset, uint64_t requested_key, uint64_t flags,
	struct fid_mr **mr, void *context)
{
	(void)fid;
	(void)buf;
	(void)len;
	(void)offset;
	(void)requested_key;
	(void)flags;
	(void)context;
	struct fid_mr *m = calloc(1, sizeof(*m));
	m->fid.fclass = FI_CLASS_MR;
	m->fid.ops = &Close_ops;
	m->key = Fake.mr_key++;
	/* a distinct, recognizable descriptor per registration */
	m->mem_desc = (void *)(uintptr_t)(0xd000 + Fake_nmr);
	if (Fake_nmr < 16)
		Fake_mr_access[Fake_nmr] = access;
	Fake_nmr++;
	Fake_open++;
	*mr = m;
	return 0;
}

static int
cq_open(struct fid_domain *domain, struct fi_cq_attr *attr, struct fid_cq **cq,
	void *context)
{
	(void)domain;
	(void)context;
	struct fcq *q = calloc(1, sizeof(*q));
	q->cq.fid.fclass = FI_CLASS_CQ;
	q->cq.fid.ops = &Close_ops;
	q->cq.ops = &Cq_ops;
	Fake_cq_size = attr->size;
	Fake_open++;
	*cq = &q->cq;
	return 0;
}

static int
endpoint(struct fid_domain *domain, struct fi_info *info, struct fid_ep **ep,
	void *context)
{
	(void)domain;
	(void)info;
	(void)context;
	struct fep *e = calloc(1, sizeof(*e));
	e->ep.fid.fclass = FI_CLASS_EP;
	e->ep.fid.ops = &Ep_fid_ops;
	e->ep.cm = &Ep_cm_ops;
	e->ep.msg = &Ep_msg_ops;
	e->ep.rma = &Ep_rma_ops;
	pthread_mutex_lock(&Lock);
	e->idx = Neps++;
	if (e->idx < MAX_EPS)
		Eps[e->idx] = e;
	pthread_mutex_unlock(&Lock);
	Fake_open++;
	*ep = &e->ep;
	return 0;
}

static struct fi_ops_domain Domain_ops = {.size = sizeof(struct fi_ops_domain),
	.cq_open = cq_open,
	.endpoint = endpoint};
static struct fi_ops_mr Mr_ops = {
	.size = sizeof(struct fi_ops_mr), .reg = mr_reg};

static int
domain(struct fid_fabric *fabric, struct fi_info *info, struct fid_domain **dom,
	void *context)
{
	(void)fabric;
	(void)info;
	(void)context;
	struct fid_domain *d = calloc(1, sizeof(*d));
	d->fid.fclass = FI_CLASS_DOMAIN;
	d->fid.ops = &Close_ops;
	d->ops = &Domain_ops;
	d->mr = &Mr_ops;
	Fake_open++;
	*dom = d;
	return 0;
}

static int
eq_open(struct fid_fabric *fabric, struct fi_eq_attr *attr, struct fid_eq **eq,
	void *context)
{
	(void)fabric;
	(void)attr;
	(void)context;
	struct feq *q = calloc(1, sizeof(*q));
	q->eq.fid.fclass = FI_CLASS_EQ;
	q->eq.fid.ops = &Close_ops;
	q->eq.ops = &Eq_ops;
	Fake_open++;
	*eq = &q->eq;
	return 0;
}

static struct fi_ops_fabric Fabric_ops = {.size = sizeof(struct fi_ops_fabric),
	.domain = domain,
	.passive_ep = passive_ep,
	.eq_open = eq_open};

int
fi_fabric(
	struct fi_fabric_attr *attr, struct fid_fabric **fabric, void *context)
{
	(void)attr;
	(void)context;
	struct fid_fabric *f = calloc(1, sizeof(*f));
	f->fid.fclass = FI_CLASS_FABRIC;
	f->fid.ops = &Close_ops;
	f->ops = &Fabric_ops;
	Fake_open++;
	*fabric = f;
	return 0;
}
