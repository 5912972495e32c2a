/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ulog.c -- the lanes' logs: replay of committed redo logs at open, the
 * check for interrupted transactions (undo logs), lane set-up, and the redo
 * writer the root object commits through
 */
#include <errno.h>
#include <string.h>

#include "backing.h"
#include "format/checksum.h"
#include "layout.h"
#include "log.h"
#include "ulog.h"

void
redo_set(struct redo *r, void *target, uint64_t value)
{
	uint64_t w = (uint64_t)((uint8_t *)target - r->p->base) | ULOG_OP_SET;
	memcpy(r->data + r->used, &w, 8);
	memcpy(r->data + r->used + 8, &value, 8);
	r->used += 16;
	memset(r->data + r->used, 0, 8); /* terminator */
}

/* commit, apply, clobber -- PMDK replays a committed log after a crash */
void
redo_run(struct redo *r)
{
	struct obj_backing *p = r->p;
	obj_persist(p, r->data, r->used + 8);
	uint64_t next = r->u->next;
	memset(r->u, 0, sizeof(*r->u));
	r->u->next = next;
	r->u->capacity = (r->used + 8 + 63) & ~(size_t)63;
	struct csum_state st = {0, 0};
	csum_update(&st, r->u, sizeof(*r->u), 0, sizeof(*r->u));
	csum_update(&st, r->data, r->used, CSUM_NO_FIELD, r->used);
	r->u->checksum = csum_value(&st);
	obj_persist(p, r->u, sizeof(*r->u));

	for (size_t i = 0; i < r->used; i += 16) {
		uint64_t w, v;
		memcpy(&w, r->data + i, 8);
		memcpy(&v, r->data + i + 8, 8);
		uint64_t *t = (uint64_t *)(p->base + (w & ~ULOG_OP_MASK));
		*t = v;
		obj_persist(p, t, 8);
	}
	memset(r->u, 0, sizeof(*r->u));
	r->u->next = next;
	obj_persist(p, r->u, sizeof(*r->u));
}

/* apply one value entry to the 8 bytes at t */
static void
redo_apply(uint64_t *t, uint64_t w, uint64_t v)
{
	switch (w & ULOG_OP_MASK) {
	case ULOG_OP_SET:
		*t = v;
		break;
	case ULOG_OP_AND:
		*t &= v;
		break;
	default:
		*t |= v;
		break;
	}
}

/*
 * area: the bytes of data the lane has for this log. Without write, the
 * entries that fall into the descriptor are applied to *shadow (a copy
 * of it) so that the caller can check what the replay would leave there.
 */
static int
ulog_recover_redo(struct obj_backing *p, struct ulog_hdr *u, size_t area,
	int write, struct obj_desc *shadow)
{
	uint8_t *data = (uint8_t *)(u + 1);
	/* entries past the lane's log area are none, whatever the
	 * capacity says */
	size_t cap = u->capacity < area ? u->capacity : area, n = 0;
	if (cap == 0)
		return 0;
	/* valid entries in the first ulog: value operations only */
	while (n + 16 <= cap) {
		uint64_t w;
		memcpy(&w, data + n, 8);
		if (w == 0)
			break;
		uint64_t op = w & ULOG_OP_MASK;
		if (op != ULOG_OP_SET && op != ULOG_OP_AND && op != ULOG_OP_OR)
			break;
		n += 16;
	}
	if (n == 0)
		return 0;
	struct csum_state st = {0, 0};
	csum_update(&st, u, sizeof(*u), 0, sizeof(*u));
	csum_update(&st, data, n, CSUM_NO_FIELD, n);
	if (csum_value(&st) != u->checksum)
		return 0; /* torn, never committed: ignored as PMDK does */
	if (u->next != 0) {
		ERR("committed redo log with extensions; open the pool with "
		    "PMDK's libpmemobj once to recover it");
		return -ENOTSUP;
	}
	for (size_t i = 0; i < n; i += 16) {
		uint64_t w, v;
		memcpy(&w, data + i, 8);
		memcpy(&v, data + i + 8, 8);
		uint64_t off = w & ~ULOG_OP_MASK;
		if (off + 8 > p->size || off % 8) {
			ERR("redo log entry out of the pool: offset %llu",
				(unsigned long long)off);
			return -EINVAL;
		}
		/* no log PMDK writes touches the pool header or the
		 * checksummed descriptor */
		if (off < DESC_OFF + DESC_CSUM_LEN) {
			ERR("redo log entry into the pool header or "
			    "descriptor: offset %llu",
				(unsigned long long)off);
			return -EINVAL;
		}
		if (!write) {
			if (off < DESC_OFF + sizeof(*shadow))
				redo_apply((uint64_t *)((uint8_t *)shadow +
							(off - DESC_OFF)),
					w, v);
			continue;
		}
		uint64_t *t = (uint64_t *)(p->base + off);
		redo_apply(t, w, v);
		obj_persist(p, t, 8);
	}
	if (write) {
		uint64_t next = u->next;
		memset(u, 0, sizeof(*u));
		u->next = next;
		obj_persist(p, u, sizeof(*u));
	}
	LOG(LOG_LVL_INFO, "replayed a redo log of %zu entries", n / 16);
	return 0;
}

static int
ulog_undo_pending(struct ulog_hdr *u)
{
	if (u->next != 0)
		return 1;
	uint8_t *data = (uint8_t *)(u + 1);
	uint64_t w, size;
	memcpy(&w, data, 8);
	if (w == 0)
		return 0;
	uint64_t op = w & ULOG_OP_MASK;
	if (op != ULOG_OP_BUF_CPY && op != ULOG_OP_BUF_SET)
		return 0;
	memcpy(&size, data + 16, 8);
	/* an entry must fit the lane's undo area, whatever the capacity */
	if (size > LANE_UNDO_CAP - 24 || size > u->capacity)
		return 0;
	size_t esize = (24 + size + 63) & ~(uint64_t)63;
	if (esize > u->capacity || esize > LANE_UNDO_CAP)
		return 0;
	struct csum_state st = {0, 0};
	csum_update(&st, data, esize, 8, esize);
	csum_update(&st, &u->gen_num, 8, CSUM_NO_FIELD, 8);
	uint64_t stored;
	memcpy(&stored, data + 8, 8);
	return csum_value(&st) == stored;
}

int
obj_lanes_recover(struct obj_backing *p, int write, struct obj_desc *shadow)
{
	struct obj_desc *d = OBJ_DESC(p->base);
	for (uint64_t i = 0; i < d->nlanes; i++) {
		uint8_t *lane = p->base + d->lanes_offset + i * LANE_SIZE;
		int ret = ulog_recover_redo(p,
			(struct ulog_hdr *)(lane + LANE_INTERNAL_OFF),
			LANE_INTERNAL_CAP, write, shadow);
		if (ret == 0)
			ret = ulog_recover_redo(p,
				(struct ulog_hdr *)(lane + LANE_EXTERNAL_OFF),
				LANE_EXTERNAL_CAP, write, shadow);
		if (ret)
			return ret;
		if (ulog_undo_pending(
			    (struct ulog_hdr *)(lane + LANE_UNDO_OFF))) {
			ERR("lane %llu holds an interrupted transaction; open "
			    "the pool with PMDK's libpmemobj once to roll it "
			    "back",
				(unsigned long long)i);
			return -ENOTSUP;
		}
	}
	return 0;
}

void
obj_lanes_init(struct obj_backing *p)
{
	struct obj_desc *d = OBJ_DESC(p->base);
	static const uint64_t caps[3][2] = {
		{LANE_INTERNAL_OFF, LANE_INTERNAL_CAP},
		{LANE_EXTERNAL_OFF, LANE_EXTERNAL_CAP},
		{LANE_UNDO_OFF, LANE_UNDO_CAP},
	};
	uint8_t *lanes = p->base + d->lanes_offset;
	for (uint64_t i = 0; i < d->nlanes; i++)
		for (int k = 0; k < 3; k++) {
			struct ulog_hdr *u =
				(struct ulog_hdr *)(lanes + i * LANE_SIZE +
						    caps[k][0]);
			memset(u, 0, sizeof(*u) + 64);
			u->capacity = caps[k][1];
		}
	obj_persist(p, lanes, d->nlanes * LANE_SIZE);
}
