/* SPDX-License-Identifier: BSD-3-Clause */
/* rpmemd_hdr.c -- pool headers of remote pool sets */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "format/pool_hdr.h"
#include "format/pool_ring.h"
#include "format/uuid.h"
#include "rpmemd_hdr.h"
#include "fault_inject.h"

_Static_assert(
	sizeof(struct rpmem_pool_attr) == sizeof(struct rpmem_pool_attr_packed),
	"the packed attributes have the public layout");
_Static_assert(offsetof(struct rpmem_pool_attr, user_flags) ==
		       offsetof(struct rpmem_pool_attr_packed, user_flags),
	"the packed attributes have the public layout");

static const uint8_t Nil[POOL_HDR_UUID_LEN];

/* the 16 bytes are all zero: "not given" in an attribute */
static int
nil(const void *p)
{
	return memcmp(p, Nil, sizeof(Nil)) == 0;
}

static void
hdr_seal(struct pool_hdr *h)
{
	h->checksum = 0;
	pool_hdr_csum_set(h);
}

/*
 * The attributes the headers get, the fields not given filled in: the pool
 * set uuid generated (fresh) or kept, the replica links pointing at this
 * replica, the arch flags the running machine's.
 */
static int
attr_resolve(const struct poolset_map *m,
	const struct rpmem_pool_attr_packed *in,
	const unsigned char *part0_uuid, int fresh, struct rpmem_pool_attr *a,
	struct pool_hdr *scratch)
{
	memcpy(a, in, sizeof(*a));
	memcpy(a->uuid, part0_uuid, 16);
	if (nil(a->poolset_uuid)) {
		int ret;
		if (fresh) {
			ret = uuid_gen(a->poolset_uuid);
		} else {
			ret = poolset_read_hdr(m, 0, scratch);
			memcpy(a->poolset_uuid, scratch->poolset_uuid, 16);
		}
		if (ret)
			return ret;
	}
	if (nil(a->prev_uuid))
		memcpy(a->prev_uuid, part0_uuid, 16);
	if (nil(a->next_uuid))
		memcpy(a->next_uuid, part0_uuid, 16);
	if (nil(a->user_flags)) {
		struct pool_hdr_arch arch;
		pool_hdr_arch_local(&arch);
		memcpy(a->user_flags, &arch, sizeof(arch));
	}
	return 0;
}

/* write the linked headers of all header-carrying parts */
static int
write_hdrs(const struct poolset *set, const struct poolset_map *m,
	const struct rpmem_pool_attr_packed *a, const unsigned char *part0_uuid,
	int fresh)
{
	unsigned nh = poolset_nhdrs(set, 0);
	unsigned char(*uuids)[16] = fault_calloc(nh, 16);
	struct pool_hdr *h = fault_malloc(sizeof(*h));
	int ret = 0;
	if (uuids == NULL || h == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	struct rpmem_pool_attr attr;
	memcpy(uuids[0], part0_uuid, 16);
	for (unsigned p = 1; p < nh; p++) {
		if (fresh) {
			ret = uuid_gen(uuids[p]);
		} else {
			/* keep the uuids of the other parts */
			ret = poolset_read_hdr(m, p, h);
			memcpy(uuids[p], h->uuid, 16);
		}
		if (ret)
			goto out;
	}
	ret = attr_resolve(m, a, part0_uuid, fresh, &attr, h);
	if (ret)
		goto out;
	for (unsigned p = 0; p < nh; p++) {
		uint64_t crtime = 0;
		if (!fresh) {
			ret = poolset_read_hdr(m, p, h);
			if (ret)
				goto out;
			crtime = h->crtime;
		} else {
			struct stat st;
			if (fstat(m->fds[p], &st) == 0)
				crtime = htole64((uint64_t)st.st_ctime);
		}
		memset(h, 0, sizeof(*h));
		pool_hdr_from_attr(h, &attr);
		pool_ring_link(h, uuids, nh, p, attr.prev_uuid, attr.next_uuid);
		h->crtime = crtime;
		hdr_seal(h);
		ret = poolset_write_hdr(m, p, h);
		if (ret)
			goto out;
	}
out:
	free(uuids);
	free(h);
	return ret;
}

int
rpmemd_hdr_create(const struct poolset *set, const struct poolset_map *m,
	const struct rpmem_pool_attr_packed *attr)
{
	unsigned nh = poolset_nhdrs(set, 0);
	int single = (set->options & POOLSET_OPT_SINGLEHDR) != 0;
	if ((attr != NULL) != (nh > 0))
		return -EINVAL;
	if (attr == NULL)
		return 0;
	if (((attr->incompat_features & POOL_FEAT_SINGLEHDR) != 0) != single)
		return -EINVAL;
	struct pool_hdr *h = fault_malloc(sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	int ret = 0;
	for (unsigned p = 0; p < nh && ret == 0; p++) {
		ret = poolset_read_hdr(m, p, h);
		if (ret == 0 && !pool_hdr_is_zero(h))
			ret = -EEXIST;
	}
	free(h);
	if (ret)
		return ret;
	unsigned char u0[16];
	if (nil(attr->uuid)) {
		ret = uuid_gen(u0);
		if (ret)
			return ret;
	} else {
		memcpy(u0, attr->uuid, 16);
	}
	return write_hdrs(set, m, attr, u0, 1);
}

int
rpmemd_hdr_check(const struct poolset *set, const struct poolset_map *m,
	struct rpmem_pool_attr_packed *attr)
{
	memset(attr, 0, sizeof(*attr));
	unsigned nh = poolset_nhdrs(set, 0);
	if (nh == 0)
		return 0;
	struct pool_hdr *h = fault_malloc(sizeof(*h) * nh);
	if (h == NULL)
		return -ENOMEM;
	int ret = 0;
	for (unsigned p = 0; p < nh; p++) {
		ret = poolset_read_hdr(m, p, &h[p]);
		if (ret)
			goto out;
		if (pool_hdr_is_zero(&h[p]) || !pool_hdr_csum_ok(&h[p])) {
			ret = -EINVAL;
			goto out;
		}
		/* everything but the per-part fields must equal part 0 */
		if (memcmp(h[p].signature, h[0].signature,
			    offsetof(struct pool_hdr, uuid)) ||
			memcmp(h[p].prev_repl_uuid, h[0].prev_repl_uuid, 32) ||
			memcmp(&h[p].arch, &h[0].arch, sizeof(h[0].arch))) {
			ret = -EINVAL;
			goto out;
		}
	}
	for (unsigned p = 0; p < nh; p++) {
		if (!pool_ring_part_ok(h, nh, p)) {
			ret = -EINVAL;
			goto out;
		}
	}
	struct rpmem_pool_attr a;
	pool_attr_from_hdr(&a, &h[0]);
	memcpy(attr, &a, sizeof(a));
out:
	free(h);
	return ret;
}

int
rpmemd_hdr_set_attr(const struct poolset *set, const struct poolset_map *m,
	const struct rpmem_pool_attr_packed *attr)
{
	unsigned nh = poolset_nhdrs(set, 0);
	if (attr == NULL)
		return nh == 0 ? 0 : -EINVAL;
	if (nh == 0)
		return -EINVAL;
	unsigned char u0[16];
	if (nil(attr->uuid)) {
		struct pool_hdr *h = fault_malloc(sizeof(*h));
		if (h == NULL)
			return -ENOMEM;
		int ret = poolset_read_hdr(m, 0, h);
		memcpy(u0, h->uuid, 16);
		free(h);
		if (ret)
			return ret;
	} else {
		memcpy(u0, attr->uuid, 16);
	}
	return write_hdrs(set, m, attr, u0, 0);
}
