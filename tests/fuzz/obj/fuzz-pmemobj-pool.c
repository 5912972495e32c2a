/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz-pmemobj-pool.c -- pmemobj_check() and pmemobj_open()/pmemobj_close()
 * of a pool file whose metadata comes from the fuzzer
 *
 * An 8 MiB pool is created once with pmemobj_create() in a private
 * directory (under /dev/shm when it exists); its descriptor is then set to
 * 8 lanes (as PMDK opens them; it keeps every input fast) and resealed,
 * and those bytes are the template.
 * Each input (fuzz_patch.h) patches the pool file through a shared
 * mapping; regions:
 *   0  pool header            0x0000 .. 0x1000
 *   1  descriptor             0x1000 .. 0x1A20
 *   2  lanes 0..7             0x2000 .. 0x8000
 *   3  heap header, zone 0    heap_offset .. +2048 (zone header, chunk
 *                             headers)
 * Flags: bit 0 reseals the pool header, bit 1 the descriptor, bit 2 the
 * heap header, bit 3 lane 0's internal and external redo logs (their valid
 * entries, as recovery counts them), bit 7 the shutdown state; bit 4
 * passes the pool's layout to check and open (else NULL); bit 5 asks for
 * the root object after a successful open, of 8 bytes or with bit 6 of
 * two chunks.
 *
 * Invariants: pmemobj_check() returns 1 exactly when pmemobj_open()
 * succeeds; every failure sets errno and a message; a failed open
 * persists nothing; a successful one persists every byte it changes
 * outside the header and descriptor pages; a root object lies inside the
 * pool. An unpatched input opens.
 *
 * Before each input the bytes the previous one patched are put back, and
 * after a successful open (which writes: run_id, shutdown state, replayed
 * redo logs, the root object) the ranges the library persisted (msync() is
 * wrapped here) and the header and descriptor pages; see record_writes().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../fuzz_patch.h"
#include "format/checksum.h"
#include "layout.h"
#include "libpmemobj.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define POOL_SIZE PMEMOBJ_MIN_POOL
#define PAGE 4096
#define LAYOUT "fuzz"
#define HEAP_OFF 0x302000

enum {
	F_SEAL_HDR = 1 << 0,
	F_SEAL_DESC = 1 << 1,
	F_SEAL_HEAP = 1 << 2,
	F_SEAL_REDO = 1 << 3,
	F_LAYOUT = 1 << 4,
	F_ROOT = 1 << 5,
	F_ROOT_BIG = 1 << 6,
	F_SEAL_SDS = 1 << 7,
};

static const struct fuzz_region Regions[] = {
	{0, DESC_OFF},
	{DESC_OFF, VOLATILE_OFF - DESC_OFF},
	{LANES_OFFSET, 8 * LANE_SIZE},
	{HEAP_OFF, 2048},
};

/* everything the previous input may have changed besides its patches */
static const struct fuzz_region Seals[] = {
	{POOL_HDR_CSUM_OFF, 8},
	{DESC_OFF + DESC_CSUM_LEN - 8, 8},
	{HEAP_OFF + HEAP_HDR_SIZE - 8, 8},
	{LANES_OFFSET + LANE_INTERNAL_OFF, 8},
	{LANES_OFFSET + LANE_EXTERNAL_OFF, 8},
	{offsetof(struct pool_hdr, sds), sizeof(struct pool_hdr_sds)},
};

#define MAX_DIRTY 4096
#define MAX_SYNCS 4096

static struct {
	char dir[64];
	char path[96];
	uint8_t *tmpl; /* the pool as created */
	uint8_t *live; /* shared mapping of the pool file */
	struct fuzz_region dirty[MAX_DIRTY];
	unsigned ndirty;
	int all_dirty; /* too many ranges: compare every page */
	uint8_t page_touched[POOL_SIZE / PAGE];
	/* msync() calls made by the library: address and length */
	uintptr_t sync_addr[MAX_SYNCS];
	size_t sync_len[MAX_SYNCS];
	unsigned nsyncs;
} F;

/* the library persists a pool on a file system with msync(): recorded */
int
msync(void *addr, size_t len, int flags)
{
	if (F.nsyncs < MAX_SYNCS) {
		F.sync_addr[F.nsyncs] = (uintptr_t)addr;
		F.sync_len[F.nsyncs] = len;
	}
	F.nsyncs++;
	return (int)syscall(SYS_msync, addr, len, flags);
}

static void
teardown(void)
{
	munmap(F.live, POOL_SIZE);
	unlink(F.path);
	rmdir(F.dir);
	free(F.tmpl);
}

static void
setup(void)
{
	fuzz_private_dir(F.dir, sizeof(F.dir), "fuzz-pmemobj");
	snprintf(F.path, sizeof(F.path), "%s/pool", F.dir);
	PMEMobjpool *pop = pmemobj_create(F.path, LAYOUT, POOL_SIZE, 0600);
	CHECK(pop != NULL);
	pmemobj_close(pop);
	int fd = open(F.path, O_RDWR);
	CHECK(fd >= 0);
	F.live = mmap(
		NULL, POOL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(F.live != MAP_FAILED);
	close(fd);
	struct obj_desc *d = (struct obj_desc *)(F.live + DESC_OFF);
	CHECK(d->heap_offset == HEAP_OFF && d->lanes_offset == LANES_OFFSET);
	d->nlanes = 8;
	d->checksum = csum_compute(
		d, DESC_CSUM_LEN, DESC_CSUM_LEN - 8, DESC_CSUM_LEN);
	F.tmpl = malloc(POOL_SIZE);
	CHECK(F.tmpl != NULL);
	memcpy(F.tmpl, F.live, POOL_SIZE);
	atexit(teardown);
}

/* [off, off + len) of the pool file differs from the template */
static void
dirty_add(size_t off, size_t len)
{
	if (len == 0 || off >= POOL_SIZE)
		return;
	if (len > POOL_SIZE - off)
		len = POOL_SIZE - off;
	if (F.ndirty == MAX_DIRTY)
		F.all_dirty = 1;
	else
		F.dirty[F.ndirty++] = (struct fuzz_region){off, len};
	for (size_t pg = off / PAGE; pg <= (off + len - 1) / PAGE; pg++)
		F.page_touched[pg] = 1;
}

/*
 * Put the template back into every page that differs from it; returns the
 * number of such pages outside the recorded ranges.
 */
static unsigned
restore_pages(void)
{
	unsigned foreign = 0;
	for (size_t pg = 0; pg < POOL_SIZE / PAGE; pg++) {
		size_t off = pg * PAGE;
		if (memcmp(F.live + off, F.tmpl + off, PAGE) == 0)
			continue;
		memcpy(F.live + off, F.tmpl + off, PAGE);
		if (!F.page_touched[pg]) {
			foreign++;
			fprintf(stderr,
				"page at %#zx changed outside the "
				"recorded ranges\n",
				off);
		}
	}
	return foreign;
}

static void
restore(void)
{
	if (F.all_dirty) {
		restore_pages();
	} else {
		for (unsigned i = 0; i < F.ndirty; i++)
			memcpy(F.live + F.dirty[i].base,
				F.tmpl + F.dirty[i].base, F.dirty[i].size);
	}
	F.ndirty = 0;
	F.all_dirty = 0;
	memset(F.page_touched, 0, sizeof(F.page_touched));
}

/*
 * After a successful open and close of the pool mapped at base: what the
 * library wrote is what it persisted, besides the header and descriptor
 * pages (the volatile area is cleared without persisting it). The ranges
 * are recorded for the next restore; every
 * FULL_CHECK_EVERY-th time the whole file is compared, and a changed page
 * outside them is a write the library never persisted.
 */
#define FULL_CHECK_EVERY 64

static void
record_writes(uintptr_t base)
{
	CHECK(F.nsyncs <= MAX_SYNCS);
	dirty_add(0, 2 * PAGE);
	for (unsigned i = 0; i < F.nsyncs; i++) {
		uintptr_t a = F.sync_addr[i];
		size_t len = F.sync_len[i];
		if (len >= POOL_SIZE)
			continue; /* the whole pool, at close */
		CHECK(a >= base && a - base + len <= POOL_SIZE);
		dirty_add(a - base, len);
	}
	static unsigned opened;
	if (++opened % FULL_CHECK_EVERY == 0) {
		CHECK(restore_pages() == 0);
		restore();
	}
}

static void
seal_redo(struct ulog_hdr *u, size_t room)
{
	uint8_t *data = (uint8_t *)(u + 1);
	size_t cap = u->capacity < room ? u->capacity : room, n = 0;
	while (n + 16 <= cap) {
		uint64_t w;
		memcpy(&w, data + n, 8);
		uint64_t op = w & ULOG_OP_MASK;
		if (w == 0 || (op != ULOG_OP_SET && op != ULOG_OP_AND &&
				      op != ULOG_OP_OR))
			break;
		n += 16;
	}
	struct csum_state st = {0, 0};
	csum_update(&st, u, sizeof(*u), 0, sizeof(*u));
	csum_update(&st, data, n, CSUM_NO_FIELD, n);
	u->checksum = csum_value(&st);
}

static void
seal(unsigned flags)
{
	struct pool_hdr *h = (struct pool_hdr *)F.live;
	if (flags & F_SEAL_SDS)
		h->sds.checksum = pool_hdr_sds_checksum(&h->sds);
	if (flags & F_SEAL_HDR)
		pool_hdr_csum_set(h);
	if (flags & F_SEAL_DESC) {
		uint8_t *d = F.live + DESC_OFF;
		uint64_t c = csum_compute(
			d, DESC_CSUM_LEN, DESC_CSUM_LEN - 8, DESC_CSUM_LEN);
		memcpy(d + DESC_CSUM_LEN - 8, &c, 8);
	}
	if (flags & F_SEAL_HEAP) {
		struct heap_hdr *hh = (struct heap_hdr *)(F.live + HEAP_OFF);
		hh->checksum = csum_compute(
			hh, sizeof(*hh), sizeof(*hh) - 8, sizeof(*hh));
	}
	if (flags & F_SEAL_REDO) {
		uint8_t *lane = F.live + LANES_OFFSET;
		seal_redo((struct ulog_hdr *)(lane + LANE_INTERNAL_OFF),
			LANE_INTERNAL_CAP);
		seal_redo((struct ulog_hdr *)(lane + LANE_EXTERNAL_OFF),
			LANE_EXTERNAL_CAP);
	}
	for (size_t i = 0; i < sizeof(Seals) / sizeof(Seals[0]); i++)
		dirty_add(Seals[i].base, Seals[i].size);
}

static void
check_failure(void)
{
	CHECK(errno == EINVAL || errno == ENOTSUP);
	CHECK(pmemobj_errormsg()[0] != '\0');
}

static void
use_pool(PMEMobjpool *pop, unsigned flags)
{
	uint8_t *base = (uint8_t *)pop;
	CHECK(pmemobj_pool_by_ptr(base + DESC_OFF) == pop);
	CHECK(pmemobj_root_size(pop) <= POOL_SIZE);
	if (!(flags & F_ROOT))
		return;
	size_t want = (flags & F_ROOT_BIG) ? CHUNKSIZE + 1 : 8;
	PMEMoid oid = pmemobj_root(pop, want);
	if (OID_IS_NULL(oid)) {
		CHECK(errno == ENOMEM || errno == EINVAL);
		return;
	}
	uint8_t *root = base + oid.off;
	/* as in PMDK, an oid of a pool whose uuid_lo is 0 (poolset_uuid
	 * halves equal, e.g. all zero) has no direct pointer */
	CHECK(pmemobj_direct(oid) == (oid.pool_uuid_lo ? root : NULL));
	CHECK(root > base + HEAP_OFF && root + want <= base + POOL_SIZE);
	CHECK(pmemobj_root_size(pop) >= want);
	CHECK(oid.off + pmemobj_root_size(pop) <= POOL_SIZE);
	CHECK(pmemobj_pool_by_oid(oid) == pop);
	/* persisted, so that the restore finds it */
	pmemobj_memset_persist(pop, root, 0xab, want);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (F.tmpl == NULL)
		setup();
	restore();
	if (size < 1)
		return 0;
	unsigned flags = data[0];
	data++;
	size--;
	int patched = 0;
	struct fuzz_patch p;
	while (fuzz_next_patch(&data, &size, Regions, 4, &p)) {
		if (p.len == 0)
			continue;
		size_t off = Regions[p.region].base + p.off;
		memcpy(F.live + off, p.bytes, p.len);
		dirty_add(off, p.len);
		patched = 1;
	}
	seal(flags);

	const char *layout = (flags & F_LAYOUT) ? LAYOUT : NULL;
	errno = 0;
	int chk = pmemobj_check(F.path, layout);
	CHECK(chk == 1 || chk == 0 || chk == -1);
	if (chk != 1)
		CHECK(pmemobj_errormsg()[0] != '\0');
	if (chk == -1)
		check_failure();

	errno = 0;
	F.nsyncs = 0;
	PMEMobjpool *pop = pmemobj_open(F.path, layout);
	if (pop == NULL) {
		check_failure();
		CHECK(chk != 1);
		CHECK(patched);
		/* refused before anything was written */
		CHECK(F.nsyncs == 0);
		return 0;
	}
	CHECK(chk == 1);
	use_pool(pop, flags);
	pmemobj_close(pop);
	record_writes((uintptr_t)pop);
	return 0;
}
