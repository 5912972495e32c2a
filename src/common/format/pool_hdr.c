/* SPDX-License-Identifier: BSD-3-Clause */
/* pool_hdr.c -- the 4096-byte pool header: init, checksum, byte order, checks
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "format/checksum.h"
#include "format/pool_hdr.h"

/* alignment of a type: offset of a member of that type after one char */
#define ALIGN_OF(t)             \
	offsetof(               \
		struct {        \
			char c; \
			t x;    \
		},              \
		x)

static uint64_t
alignment_desc(void)
{
	const size_t al[] = {ALIGN_OF(char), ALIGN_OF(short), ALIGN_OF(int),
		ALIGN_OF(long), ALIGN_OF(long long), ALIGN_OF(size_t),
		ALIGN_OF(off_t), ALIGN_OF(float), ALIGN_OF(double),
		ALIGN_OF(long double), ALIGN_OF(void *)};
	uint64_t d = 0;
	for (unsigned i = 0; i < sizeof(al) / sizeof(al[0]); i++)
		d |= (uint64_t)((al[i] - 1) & 0xF) << (4 * i);
	return d;
}

/* ELF machine number of the build target */
static uint16_t
machine(void)
{
#if defined(__x86_64__)
	return 62;
#elif defined(__aarch64__)
	return 183;
#elif defined(__powerpc64__)
	return 21;
#elif defined(__riscv)
	return 243;
#else
	return 0;
#endif
}

/* copy a signature of up to 8 bytes, zero padded, never NUL-terminated */
static void
sig_copy(char dst[POOL_HDR_SIG_LEN], const char *src)
{
	size_t n = strnlen(src, POOL_HDR_SIG_LEN);
	memset(dst, 0, POOL_HDR_SIG_LEN);
	memcpy(dst, src, n);
}

__attribute__((format(printf, 3, 4))) static int
fail(char *reason, size_t len, const char *fmt, ...)
{
	if (reason && len) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(reason, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

void
pool_hdr_arch_local(struct pool_hdr_arch *a)
{
	memset(a, 0, sizeof(*a));
	a->alignment_desc = htole64(alignment_desc());
	a->machine_class = sizeof(void *) == 8 ? 2 : 1;
#if __BYTE_ORDER == __LITTLE_ENDIAN
	a->data = 1;
#else
	a->data = 2;
#endif
	a->machine = htole16(machine());
}

void
pool_hdr_init(struct pool_hdr *h, const char *signature, uint32_t major,
	uint32_t compat, uint32_t incompat, uint32_t ro_compat)
{
	memset(h, 0, sizeof(*h));
	sig_copy(h->signature, signature);
	h->major = htole32(major);
	h->compat = htole32(compat);
	h->incompat = htole32(incompat);
	h->ro_compat = htole32(ro_compat);
	pool_hdr_arch_local(&h->arch);
}

uint64_t
pool_hdr_checksum(const struct pool_hdr *h)
{
	size_t skip = (le32toh(h->incompat) & POOL_FEAT_CKSUM_2K)
			      ? POOL_HDR_CSUM_2K_OFF
			      : POOL_HDR_SIZE;
	return csum_compute(h, POOL_HDR_SIZE, POOL_HDR_CSUM_OFF, skip);
}

void
pool_hdr_csum_set(struct pool_hdr *h)
{
	h->checksum = htole64(pool_hdr_checksum(h));
}

int
pool_hdr_csum_ok(const struct pool_hdr *h)
{
	return le64toh(h->checksum) == pool_hdr_checksum(h);
}

uint64_t
pool_hdr_sds_checksum(const struct pool_hdr_sds *s)
{
	return csum_compute(s, sizeof(*s),
		offsetof(struct pool_hdr_sds, checksum), sizeof(*s));
}

void
pool_hdr_h2le(struct pool_hdr *h)
{
	h->major = htole32(h->major);
	h->compat = htole32(h->compat);
	h->incompat = htole32(h->incompat);
	h->ro_compat = htole32(h->ro_compat);
	h->crtime = htole64(h->crtime);
	h->arch.alignment_desc = htole64(h->arch.alignment_desc);
	h->arch.machine = htole16(h->arch.machine);
	h->checksum = htole64(h->checksum);
}

void
pool_hdr_le2h(struct pool_hdr *h)
{
	h->major = le32toh(h->major);
	h->compat = le32toh(h->compat);
	h->incompat = le32toh(h->incompat);
	h->ro_compat = le32toh(h->ro_compat);
	h->crtime = le64toh(h->crtime);
	h->arch.alignment_desc = le64toh(h->arch.alignment_desc);
	h->arch.machine = le16toh(h->arch.machine);
	h->checksum = le64toh(h->checksum);
}

int
pool_hdr_is_zero(const struct pool_hdr *h)
{
	const uint8_t *b = (const uint8_t *)h;
	for (size_t i = 0; i < sizeof(*h); i++)
		if (b[i])
			return 0;
	return 1;
}

uint64_t
pool_hdr_uuid_lo(const uint8_t poolset_uuid[POOL_HDR_UUID_LEN])
{
	uint64_t lo = 0;
	for (int i = 0; i < 8; i++)
		lo = (lo << 8) |
		     (uint8_t)(poolset_uuid[i] ^ poolset_uuid[8 + i]);
	return lo;
}

static int fail(char *reason, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

int
pool_hdr_validate(const struct pool_hdr *h, const struct pool_hdr_expect *want,
	char *reason, size_t reason_len)
{
	uint32_t major = le32toh(h->major);
	uint32_t incompat = le32toh(h->incompat);
	uint32_t ro_compat = le32toh(h->ro_compat);
	char sig[POOL_HDR_SIG_LEN] = {0};

	if (reason && reason_len)
		reason[0] = '\0';
	if (major == 0)
		return fail(reason, reason_len, "invalid major version (0)");
	sig_copy(sig, want->signature);
	if (memcmp(h->signature, sig, POOL_HDR_SIG_LEN) != 0)
		return fail(reason, reason_len, "wrong pool type: \"%.8s\"",
			h->signature);
	if (major != want->major)
		return fail(reason, reason_len,
			"pool version %u (library expects %u)", major,
			want->major);
	if (incompat & ~want->known_incompat)
		return fail(reason, reason_len,
			"unsafe to continue due to unknown incompat features: "
			"0x%x",
			incompat & ~want->known_incompat);
	if (ro_compat)
		return fail(reason, reason_len,
			"read-only mode is not supported (ro_compat features "
			"0x%x)",
			ro_compat);
	if (!pool_hdr_csum_ok(h))
		return fail(reason, reason_len,
			"invalid checksum of pool header (stored 0x%016llx, "
			"computed 0x%016llx)",
			(unsigned long long)le64toh(h->checksum),
			(unsigned long long)pool_hdr_checksum(h));
	struct pool_hdr_arch local;
	pool_hdr_arch_local(&local);
	if (memcmp(&h->arch, &local, sizeof(local)) != 0)
		return fail(reason, reason_len,
			"wrong architecture flags (machine %u, alignment "
			"0x%016llx)",
			le16toh(h->arch.machine),
			(unsigned long long)le64toh(h->arch.alignment_desc));
	if (incompat & POOL_FEAT_SDS) {
		/* a shutdown state whose checksum is bad counts as none (it
		 * is set up again); a good one that is dirty on a device
		 * with a shutdown count means the data may be lost */
		const struct pool_hdr_sds *sd = &h->sds;
		int none = sd->usc == 0 && sd->uuid == 0 && sd->checksum == 0;
		int valid = !none &&
			    le64toh(sd->checksum) == pool_hdr_sds_checksum(sd);
		if ((none || valid) && sd->dirty &&
			(sd->usc != 0 || sd->uuid != 0))
			return fail(reason, reason_len,
				"an ADR failure was detected, the pool might "
				"be corrupted");
	}
	if (want->single_part) {
		if (memcmp(h->prev_part_uuid, h->uuid, POOL_HDR_UUID_LEN) ||
			memcmp(h->next_part_uuid, h->uuid, POOL_HDR_UUID_LEN))
			return fail(reason, reason_len, "wrong part UUID");
		if (memcmp(h->prev_repl_uuid, h->uuid, POOL_HDR_UUID_LEN) ||
			memcmp(h->next_repl_uuid, h->uuid, POOL_HDR_UUID_LEN))
			return fail(reason, reason_len, "wrong replica UUID");
	}
	return 0;
}
