/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * replica.c -- keeping the replicas of a pool set in step with the master
 *
 * The master (replica 0) is what the application writes. Every
 * persistence call on a range of it is repeated here on the same offsets
 * of each other replica: a local replica gets a copy of the master's bytes
 * made with the same flags, a remote one an rpmem_flush() of the range
 * (librpmem reads the master's memory itself) and, once the range is
 * posted to every remote replica and the local copies are made, an
 * rpmem_drain(). The pool header page is never mirrored: every replica
 * keeps its own headers.
 *
 * librpmem.so.1 is loaded with dlopen() only when a set names a remote
 * replica, so a program using local pools only needs neither librpmem nor
 * libfabric.
 *
 * A remote replica that fails once is marked and not used again; the
 * failure is reported (errno, pmemobj_errormsg) by this call and by every
 * later call that mirrors data, and by pmemobj_close, instead of PMDK's
 * abort(). The pool's generation (the descriptor's run_id) then moves on
 * in every replica but the failed one, so that the next open copies the
 * pool to that replica only (set.c).
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault_inject.h"
#include "layout.h"
#include "librpmem.h"
#include "log.h"
#include "backing.h"
#include "pmem.h"
#include "replica.h"

/* ---- librpmem, loaded on first use ---- */

static struct {
	RPMEMpool *(*create)(const char *, const char *, void *, size_t,
		unsigned *, const struct rpmem_pool_attr *);
	RPMEMpool *(*open)(const char *, const char *, void *, size_t,
		unsigned *, struct rpmem_pool_attr *);
	int (*close)(RPMEMpool *);
	int (*persist)(RPMEMpool *, size_t, size_t, unsigned, unsigned);
	int (*flush)(RPMEMpool *, size_t, size_t, unsigned, unsigned);
	int (*drain)(RPMEMpool *, unsigned, unsigned);
	int (*read)(RPMEMpool *, void *, size_t, size_t, unsigned);
	int (*remove)(const char *, const char *, int);
	const char *(*errormsg)(void);
} Rpmem;

static pthread_once_t Rpmem_once = PTHREAD_ONCE_INIT;
static void *Rpmem_handle;
static char Rpmem_why[512];

#define RPMEM_LIB "librpmem.so.1"

/*
 * The usual search first; then the directory this library was loaded
 * from, where an installation puts librpmem too even when that directory
 * is not in the loader's search path.
 */
static void *
rpmem_dlopen(void)
{
	void *h = dlopen(RPMEM_LIB, RTLD_NOW | RTLD_LOCAL);
	if (h != NULL)
		return h;
	const char *e = dlerror();
	snprintf(Rpmem_why, sizeof(Rpmem_why), "%s", e ? e : "dlopen failed");
	Dl_info info;
	if (dladdr((void *)rpmem_dlopen, &info) == 0 || info.dli_fname == NULL)
		return NULL;
	const char *slash = strrchr(info.dli_fname, '/');
	if (slash == NULL)
		return NULL;
	char path[4096];
	int n = snprintf(path, sizeof(path), "%.*s/%s",
		(int)(slash - info.dli_fname), info.dli_fname, RPMEM_LIB);
	if (n < 0 || (size_t)n >= sizeof(path))
		return NULL;
	return dlopen(path, RTLD_NOW | RTLD_LOCAL);
}

static void
rpmem_load_once(void)
{
	void *h = rpmem_dlopen();
	if (h == NULL)
		return;
	struct {
		const char *name;
		void **slot;
	} syms[] = {
		{"rpmem_create", (void **)&Rpmem.create},
		{"rpmem_open", (void **)&Rpmem.open},
		{"rpmem_close", (void **)&Rpmem.close},
		{"rpmem_persist", (void **)&Rpmem.persist},
		{"rpmem_read", (void **)&Rpmem.read},
		{"rpmem_remove", (void **)&Rpmem.remove},
		{"rpmem_errormsg", (void **)&Rpmem.errormsg},
	};
	/* optional: without them each replica's persist is waited for */
	*(void **)&Rpmem.flush = dlsym(h, "rpmem_flush");
	*(void **)&Rpmem.drain = dlsym(h, "rpmem_drain");
	if (Rpmem.flush == NULL || Rpmem.drain == NULL)
		Rpmem.flush = NULL;
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		*syms[i].slot = dlsym(h, syms[i].name);
		if (*syms[i].slot == NULL) {
			snprintf(Rpmem_why, sizeof(Rpmem_why),
				"%s has no symbol %s", RPMEM_LIB, syms[i].name);
			dlclose(h);
			memset(&Rpmem, 0, sizeof(Rpmem));
			return;
		}
	}
	Rpmem_handle = h;
}

int
obj_rpmem_load(void)
{
	pthread_once(&Rpmem_once, rpmem_load_once);
	if (Rpmem_handle != NULL)
		return 0;
	ERR("remote replicas need %s, which cannot be loaded: %s", RPMEM_LIB,
		Rpmem_why);
	errno = ELIBACC;
	return -1;
}

__attribute__((destructor)) static void
rpmem_unload(void)
{
	if (Rpmem_handle != NULL)
		dlclose(Rpmem_handle);
}

/* the librpmem message of the last failure, with a fallback */
static const char *
rpmem_why(void)
{
	const char *m = Rpmem.errormsg ? Rpmem.errormsg() : NULL;
	return m && *m ? m : strerror(errno);
}

/* ---- remote lanes ---- */

/*
 * Lanes wanted from each remote node: PMEMOBJ_NLANES if set (as PMDK reads
 * it), else four per online CPU; never more than the pool's lanes. librpmem
 * (RPMEM_MAX_NLANES) and rpmemd may grant fewer.
 */
static unsigned
remote_lanes_wanted(void)
{
	long n = 0;
	const char *e = getenv("PMEMOBJ_NLANES");
	if (e != NULL && *e != '\0') {
		char *end;
		errno = 0;
		n = strtol(e, &end, 10);
		if (errno || *end != '\0' || n <= 0) {
			LOG(LOG_LVL_WARN,
				"PMEMOBJ_NLANES=\"%s\" ignored: not a "
				"positive number",
				e);
			n = 0;
		}
	}
	if (n == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		n = 4 * (cpus > 0 ? cpus : 1);
	}
	return (unsigned)(n < OBJ_NLANES ? n : OBJ_NLANES);
}

int
obj_rep_lanes_init(struct obj_backing *p)
{
	unsigned n = OBJ_NLANES;
	p->nremote = 0;
	for (unsigned i = 0; i < p->nreps; i++) {
		struct obj_rep *r = &p->reps[i];
		if (r->rpp == NULL)
			continue;
		p->nremote++;
		if (r->nlanes < n)
			n = r->nlanes;
	}
	if (p->nremote == 0)
		return 0;
	p->rlane_lock = calloc(n, sizeof(*p->rlane_lock));
	if (p->rlane_lock == NULL) {
		ERR_W_ERRNO("cannot allocate %u lane locks", n);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < n; i++)
		pthread_mutex_init(&p->rlane_lock[i], NULL);
	pthread_mutex_init(&p->gen_lock, NULL);
	p->rlanes = n;
	LOG(LOG_LVL_INFO, "%u remote replica(s), %u lanes", p->nremote, n);
	return 0;
}

void
obj_rep_lanes_fini(struct obj_backing *p)
{
	for (unsigned i = 0; p->rlane_lock && i < p->rlanes; i++)
		pthread_mutex_destroy(&p->rlane_lock[i]);
	if (p->rlane_lock != NULL)
		pthread_mutex_destroy(&p->gen_lock);
	free(p->rlane_lock);
	p->rlane_lock = NULL;
	p->rlanes = 0;
}

/* each thread keeps one number for its life: its lane in every pool */
static unsigned
thread_lane(const struct obj_backing *p)
{
	static unsigned next_id;
	static __thread unsigned id; /* 0: none yet */
	if (id == 0)
		id = __atomic_add_fetch(&next_id, 1, __ATOMIC_RELAXED);
	return (id - 1) % p->rlanes;
}

/* ---- remote replica life cycle ---- */

/* rpmem_create (attr given) or rpmem_open (attr filled) of one replica */
static int
remote_attach(struct obj_backing *p, struct obj_rep *r, void *attr, int create)
{
	if (obj_rpmem_load())
		return -errno;
	unsigned nlanes = remote_lanes_wanted();
	r->rpp = create ? Rpmem.create(r->node, r->desc, p->base, p->size,
				  &nlanes, attr)
			: Rpmem.open(r->node, r->desc, p->base, p->size,
				  &nlanes, attr);
	if (r->rpp == NULL) {
		int e = errno ? errno : EIO;
		ERR("cannot %s remote replica %u (%s on %s): %s",
			create ? "create" : "open", r->idx, r->desc, r->node,
			rpmem_why());
		return -e;
	}
	r->nlanes = nlanes;
	return 0;
}

int
obj_rep_remote_create(
	struct obj_backing *p, struct obj_rep *r, const void *attr)
{
	return remote_attach(p, r, (void *)attr, 1);
}

int
obj_rep_remote_open(struct obj_backing *p, struct obj_rep *r, void *attr)
{
	return remote_attach(p, r, attr, 0);
}

int
obj_rep_remote_read(struct obj_backing *p, struct obj_rep *r, void *buf,
	size_t off, size_t len)
{
	(void)p;
	if (Rpmem.read(r->rpp, buf, off, len, 0)) {
		int e = errno ? errno : EIO;
		ERR("cannot read %zu bytes at %zu of remote replica %u (%s on "
		    "%s): %s",
			len, off, r->idx, r->desc, r->node, rpmem_why());
		return -e;
	}
	return 0;
}

void
obj_rep_remote_close(struct obj_rep *r, int remove)
{
	if (r->rpp == NULL)
		return;
	if (Rpmem.close(r->rpp))
		LOG(LOG_LVL_WARN, "closing remote replica %u (%s on %s): %s",
			r->idx, r->desc, r->node, rpmem_why());
	r->rpp = NULL;
	if (remove && Rpmem.remove(r->node, r->desc, 0))
		LOG(LOG_LVL_WARN, "removing remote replica %u (%s on %s): %s",
			r->idx, r->desc, r->node, rpmem_why());
}

/* the first failure of a remote replica sticks: later ones do not
 * replace its errno; 1 for the first */
static int
rep_fail(struct obj_rep *r, int err)
{
	int none = 0;
	return atomic_compare_exchange_strong(&r->failed, &none, err);
}

int
obj_rep_failed(const struct obj_backing *p)
{
	for (unsigned i = 0; i < p->nreps; i++) {
		int e = atomic_load(&p->reps[i].failed);
		if (e)
			return e;
	}
	return 0;
}

/* ---- mirroring ---- */

/* 0, or the errno of a failed msync of a replica not on pmem */
static int
local_copy(const struct obj_rep *r, size_t off, const uint8_t *src, size_t len,
	unsigned flags, enum obj_rep_op op)
{
	uint8_t *dst = (uint8_t *)r->map.addr + off;
	if (!r->map.is_pmem) {
		memcpy(dst, src, len);
		return pm_msync(dst, len) ? errno : 0;
	}
	unsigned f = 0;
	if (op == OBJ_REP_FLUSH)
		f = PM_F_MEM_NODRAIN;
	else if (op == OBJ_REP_MEM)
		f = flags & PM_F_MEM_VALID_FLAGS;
	pm_memcpy(dst, src, len, f);
	return 0;
}

/* 0, or the errno of a remote replica's failure, which is logged */
static int
remote_failed(const struct obj_rep *r, const char *what, size_t off, size_t len)
{
	int e = errno ? errno : EIO;
	LOG(LOG_LVL_ERR,
		"remote replica %u (%s on %s): %s of %zu bytes at %zu "
		"failed: %s",
		r->idx, r->desc, r->node, what, len, off, rpmem_why());
	return e;
}

/*
 * starts sending the range to one remote replica: rpmem_flush posts it
 * and returns; remote_wait() waits for it to be durable. A librpmem
 * without rpmem_flush gets an rpmem_persist here (waited for at once).
 */
static int
remote_post(struct obj_rep *r, unsigned lane, size_t off, size_t len,
	unsigned flags)
{
	int relaxed = (flags & PMEMOBJ_F_RELAXED) != 0;
	errno = 0;
	if (Rpmem.flush != NULL) {
		unsigned rf = relaxed ? RPMEM_FLUSH_RELAXED : 0;
		if (Rpmem.flush(r->rpp, off, len, lane, rf) == 0)
			return 0;
		return remote_failed(r, "flush", off, len);
	}
	unsigned rf = relaxed ? RPMEM_PERSIST_RELAXED : 0;
	if (Rpmem.persist(r->rpp, off, len, lane, rf) == 0)
		return 0;
	return remote_failed(r, "persist", off, len);
}

static int
remote_wait(struct obj_rep *r, unsigned lane, size_t off, size_t len)
{
	errno = 0;
	if (Rpmem.flush == NULL || Rpmem.drain(r->rpp, lane, 0) == 0)
		return 0;
	return remote_failed(r, "drain", off, len);
}

/* the master's generation to remote replica r, durably, on `lane` */
static int
gen_send(struct obj_backing *p, struct obj_rep *r, unsigned lane)
{
	int e = remote_post(r, lane, p->gen_off, sizeof(uint64_t), 0);
	if (e == 0)
		e = remote_wait(r, lane, p->gen_off, sizeof(uint64_t));
	return e;
}

/*
 * A remote replica failed: the generation (even, as PMDK wants the
 * run_id) moves on by 2 in the master, in the local replicas and in every
 * remote replica that has not failed, so that the next open finds behind
 * the failed ones only. A replica that cannot take the new value may hold
 * it all the same: it is marked failed and the generation moves on once
 * more without it. Under gen_lock, so that a replica marked failed never
 * gets a value the master reaches after its failure.
 */
static void
gen_advance(struct obj_backing *p, unsigned lane)
{
	if (p->gen_off == 0)
		return;
	uint64_t *g = (uint64_t *)(p->base + p->gen_off);
	pthread_mutex_lock(&p->gen_lock);
	int again;
	do {
		again = 0;
		__atomic_add_fetch(g, 2, __ATOMIC_SEQ_CST);
		if (p->is_pmem)
			pm_persist(g, sizeof(*g));
		else
			(void)pm_msync(g, sizeof(*g));
		for (unsigned i = 0; i < p->nreps; i++) {
			struct obj_rep *r = &p->reps[i];
			if (r->node == NULL)
				(void)local_copy(r, p->gen_off,
					(const uint8_t *)g, sizeof(*g), 0,
					OBJ_REP_PERSIST);
			else if (r->rpp != NULL && !atomic_load(&r->failed)) {
				int e = gen_send(p, r, lane);
				if (e && rep_fail(r, e))
					again = 1;
			}
		}
	} while (again);
	pthread_mutex_unlock(&p->gen_lock);
}

/* r failed with errno e (0: it did not); the first failure is kept */
static void
rep_note(struct obj_backing *p, struct obj_rep *r, unsigned lane, int e)
{
	if (e && rep_fail(r, e))
		gen_advance(p, lane);
}

/* the chunk of a copy: drained before the next one is posted */
#define COPY_CHUNK ((size_t)64 << 20)

int
obj_rep_remote_copy(
	struct obj_backing *p, struct obj_rep *r, size_t off, size_t len)
{
	size_t chunk = fault_knob_size("RPMEM_FAULT_COPY_CHUNK", COPY_CHUNK);
	unsigned lane = thread_lane(p);
	const char *why = NULL;
	int e = 0;
	pthread_mutex_lock(&p->rlane_lock[lane]);
	while (len > 0 && e == 0) {
		size_t n = len < chunk ? len : chunk;
		e = remote_post(r, lane, off, n, 0);
		if (e == 0)
			e = remote_wait(r, lane, off, n);
		if (e == 0 && FAULT_INJECT(FAULT_COPY, EIO)) {
			e = EIO;
			why = "failure injected (RPMEM_FAULT_INJECT)";
		}
		off += n;
		len -= n;
	}
	pthread_mutex_unlock(&p->rlane_lock[lane]);
	if (e == 0)
		return 0;
	ERR("cannot copy the pool to remote replica %u (%s on %s): %s", r->idx,
		r->desc, r->node, why ? why : rpmem_why());
	return -e;
}

/*
 * The range goes to every remote replica at once: posted to each, the
 * local replicas copied meanwhile, then each waited for, so a call costs
 * about the slowest replica's round trip rather than their sum. The lane
 * stays locked from the first post to the last wait. A replica that fails
 * does not stop the others from getting the range.
 */
int
obj_rep_update(struct obj_backing *p, const void *addr, size_t len,
	unsigned flags, enum obj_rep_op op)
{
	uintptr_t a = (uintptr_t)addr, b = (uintptr_t)p->base;
	if (len == 0 || a < b || a - b >= p->size)
		return 0; /* not the pool's memory: nothing to mirror */
	size_t off = a - b;
	if (len > p->size - off)
		len = p->size - off;
	if (off < POOL_HDR_SIZE) {
		if (off + len <= POOL_HDR_SIZE)
			return 0;
		len -= POOL_HDR_SIZE - off;
		off = POOL_HDR_SIZE;
	}
	const uint8_t *src = p->base + off;
	struct obj_rep *bad = NULL, *bad_local = NULL;
	int local_err = 0, remote_err = 0;
	unsigned lane = p->rlanes ? thread_lane(p) : 0;
	if (p->rlanes)
		pthread_mutex_lock(&p->rlane_lock[lane]);
	for (unsigned i = 0; i < p->nreps; i++) {
		struct obj_rep *r = &p->reps[i];
		if (r->rpp != NULL && !atomic_load(&r->failed))
			rep_note(p, r, lane,
				remote_post(r, lane, off, len, flags));
	}
	for (unsigned i = 0; i < p->nreps; i++) {
		struct obj_rep *r = &p->reps[i];
		if (r->rpp != NULL || r->node != NULL)
			continue;
		int e = local_copy(r, off, src, len, flags, op);
		if (e && bad_local == NULL) {
			bad_local = r;
			local_err = e;
		}
	}
	for (unsigned i = 0; i < p->nreps; i++) {
		struct obj_rep *r = &p->reps[i];
		if (r->rpp != NULL && !atomic_load(&r->failed))
			rep_note(p, r, lane, remote_wait(r, lane, off, len));
		int e = atomic_load(&r->failed);
		if (e && bad == NULL) {
			bad = r;
			remote_err = e;
		}
	}
	if (p->rlanes)
		pthread_mutex_unlock(&p->rlane_lock[lane]);
	if (bad_local != NULL) {
		ERR("msync of %zu bytes at %zu of replica %u: %s", len, off,
			bad_local->idx, strerror(local_err));
		errno = local_err;
		return -1;
	}
	if (bad == NULL)
		return 0; /* errno: the public callers restore theirs */
	ERR("remote replica %u (%s on %s) failed (%s): data written since is "
	    "not in it",
		bad->idx, bad->desc, bad->node, strerror(remote_err));
	errno = remote_err;
	return -1;
}
