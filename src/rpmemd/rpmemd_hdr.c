/* SPDX-License-Identifier: BSD-3-Clause */
/* rpmemd_hdr.c -- pool headers of remote pool sets */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "format/pool_hdr.h"
#include "format/uuid.h"
#include "rpmemd_hdr.h"
#include "fault_inject.h"

static int
is_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

/* fill the fields common to every header from attr (host order) */
static void
hdr_from_attr(struct pool_hdr *h, const struct rpmem_pool_attr_packed *a,
	const unsigned char *ps_uuid, const unsigned char *prev_repl,
	const unsigned char *next_repl, const struct pool_hdr_arch *arch)
{
	memcpy(h->signature, a->signature, sizeof(h->signature));
	h->major = htole32(a->major);
	h->compat = htole32(a->compat_features);
	h->incompat = htole32(a->incompat_features);
	h->ro_compat = htole32(a->ro_compat_features);
	memcpy(h->poolset_uuid, ps_uuid, 16);
	memcpy(h->prev_repl_uuid, prev_repl, 16);
	memcpy(h->next_repl_uuid, next_repl, 16);
	h->arch = *arch;
}

static void
hdr_seal(struct pool_hdr *h)
{
	h->checksum = 0;
	pool_hdr_csum_set(h);
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
	unsigned char ps_uuid[16], prev_repl[16], next_repl[16];
	struct pool_hdr_arch arch;
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
	if (is_zero(a->poolset_uuid, 16)) {
		if (fresh) {
			ret = uuid_gen(ps_uuid);
		} else {
			ret = poolset_read_hdr(m, 0, h);
			memcpy(ps_uuid, h->poolset_uuid, 16);
		}
		if (ret)
			goto out;
	} else {
		memcpy(ps_uuid, a->poolset_uuid, 16);
	}
	memcpy(prev_repl, is_zero(a->prev_uuid, 16) ? uuids[0] : a->prev_uuid,
		16);
	memcpy(next_repl, is_zero(a->next_uuid, 16) ? uuids[0] : a->next_uuid,
		16);
	if (is_zero(a->user_flags, 16))
		pool_hdr_arch_local(&arch);
	else
		memcpy(&arch, a->user_flags, sizeof(arch));

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
		hdr_from_attr(h, a, ps_uuid, prev_repl, next_repl, &arch);
		memcpy(h->uuid, uuids[p], 16);
		memcpy(h->prev_part_uuid, uuids[(p + nh - 1) % nh], 16);
		memcpy(h->next_part_uuid, uuids[(p + 1) % nh], 16);
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
	if (is_zero(attr->uuid, 16)) {
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
		if (memcmp(h[p].prev_part_uuid, h[(p + nh - 1) % nh].uuid,
			    16) ||
			memcmp(h[p].next_part_uuid, h[(p + 1) % nh].uuid, 16)) {
			ret = -EINVAL;
			goto out;
		}
	}
	memcpy(attr->signature, h[0].signature, 8);
	attr->major = le32toh(h[0].major);
	attr->compat_features = le32toh(h[0].compat);
	attr->incompat_features = le32toh(h[0].incompat);
	attr->ro_compat_features = le32toh(h[0].ro_compat);
	memcpy(attr->poolset_uuid, h[0].poolset_uuid, 16);
	memcpy(attr->uuid, h[0].uuid, 16);
	memcpy(attr->next_uuid, h[0].next_repl_uuid, 16);
	memcpy(attr->prev_uuid, h[0].prev_repl_uuid, 16);
	memcpy(attr->user_flags, &h[0].arch, sizeof(h[0].arch));
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
	if (is_zero(attr->uuid, 16)) {
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
