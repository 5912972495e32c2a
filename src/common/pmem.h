/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmem.h -- CPU persistence primitives: flush, fence, flagged memcpy /
 * memmove / memset, pmem detection of a mapping, msync fallback
 *
 * Contract:
 * - The CPU is probed (CPUID) and the environment knobs read once, at load
 *   time (a constructor); pm_reinit() repeats that for tests that change the
 *   environment. Knobs (PMDK names and meanings): PMEM_NO_CLWB,
 *   PMEM_NO_CLFLUSHOPT, PMEM_NO_FLUSH, PMEM_NO_MOVNT, PMEM_MOVNT_THRESHOLD,
 *   PMEM_AVX, PMEM_AVX512F, PMEM_IS_PMEM_FORCE. Bad values are ignored with a
 *   logged warning.
 * - pm_flush() writes back the cache lines covering [addr, addr+len) with the
 *   best instruction available (CLWB > CLFLUSHOPT > CLFLUSH), or nothing when
 *   the platform has eADR or PMEM_NO_FLUSH=1 says so; pm_drain() is the fence
 *   that makes earlier flushes and non-temporal stores durable; pm_persist()
 *   is both. They must only be used on memory that is pmem (the is_pmem
 *   answer of the mapping functions below).
 * - pm_memcpy()/pm_memmove()/pm_memset() take PM_F_MEM_* flags with the
 *   meanings of pmem_memcpy(3) / pmemobj_memcpy(3); without NODRAIN (and
 *   without NOFLUSH) the written range is persistent on return.
 * - pm_msync() is persistence for memory that is not pmem: msync(MS_SYNC) of
 *   the page-aligned range around [addr, addr+len).
 * - Nothing here sets an error message: the functions returning int return
 *   0 or a negative errno. Nothing here allocates.
 * - Under valgrind (3.19) the CPUID it emulates reports neither CLWB nor
 *   AVX-512F, so the probe picks a flavour valgrind executes (no SIGILL);
 *   the unit tests are valgrind-clean that way. On a CPU valgrind does not
 *   model at all, PMEM_NO_CLWB=1 / PMEM_NO_CLFLUSHOPT=1 / PMEM_AVX512F=0 /
 *   PMEM_NO_MOVNT=1 select the older instructions by hand.
 */
#ifndef COMMON_PMEM_H
#define COMMON_PMEM_H 1

#include <stddef.h>
#include <stdint.h>

#define PM_F_MEM_NODRAIN (1U << 0)
#define PM_F_MEM_NONTEMPORAL (1U << 1)
#define PM_F_MEM_TEMPORAL (1U << 2)
#define PM_F_MEM_WC (1U << 3)
#define PM_F_MEM_WB (1U << 4)
#define PM_F_MEM_NOFLUSH (1U << 5)
#define PM_F_MEM_VALID_FLAGS                                           \
	(PM_F_MEM_NODRAIN | PM_F_MEM_NONTEMPORAL | PM_F_MEM_TEMPORAL | \
		PM_F_MEM_WC | PM_F_MEM_WB | PM_F_MEM_NOFLUSH)

#define PM_CACHELINE 64

/* what was chosen at load time; for tests, benchmarks and debug logs */
enum pm_flush_kind {
	PM_FLUSH_NONE, /* eADR or PMEM_NO_FLUSH=1 */
	PM_FLUSH_CLFLUSH,
	PM_FLUSH_CLFLUSHOPT,
	PM_FLUSH_CLWB,
};
enum pm_isa {
	PM_ISA_GENERIC, /* plain stores + flush (PMEM_NO_MOVNT=1) */
	PM_ISA_SSE2,
	PM_ISA_AVX, /* AVX2 code path */
	PM_ISA_AVX512F,
};
struct pm_info {
	/* CPU features seen by CPUID */
	unsigned has_clflush : 1, has_clflushopt : 1, has_clwb : 1,
		has_sse2 : 1, has_avx : 1, has_avx2 : 1, has_avx512f : 1,
		has_movdir64b : 1;
	unsigned eadr : 1;	 /* persistence_domain is cpu_cache */
	unsigned force_pmem : 1; /* PMEM_IS_PMEM_FORCE=1 */
	enum pm_flush_kind flush;
	enum pm_isa memcpy_isa; /* non-temporal variant in use */
	size_t movnt_threshold; /* bytes; below it temporal copy + flush */
};

void pm_reinit(void);
const struct pm_info *pm_get_info(void);
/* one line naming what the probe chose (flush, copies, threshold, knobs) */
#define PM_DESCRIBE_LEN 160
void pm_describe(char *buf, size_t len);
const char *pm_flush_name(enum pm_flush_kind k);
const char *pm_isa_name(enum pm_isa i);

void pm_flush(const void *addr, size_t len);
void pm_drain(void);
void pm_persist(const void *addr, size_t len);
int pm_msync(const void *addr, size_t len);

void *pm_memcpy(void *dst, const void *src, size_t len, unsigned flags);
void *pm_memmove(void *dst, const void *src, size_t len, unsigned flags);
void *pm_memset(void *dst, int c, size_t len, unsigned flags);

/*
 * Mapping and detection.
 * pm_map_file() maps len bytes of fd shared and read-write (read-only when
 * rdonly), first with MAP_SYNC (then *is_pmem = 1: a DAX file), else plainly
 * (*is_pmem = PMEM_IS_PMEM_FORCE); returns MAP_FAILED with errno set.
 * pm_map_file_at() does the same read-write for len bytes of fd from offset
 * off, at addr (MAP_FIXED, inside a reservation the caller made).
 * pm_unmap() unmaps a range mapped by either.
 */
void *pm_map_file(int fd, size_t len, int rdonly, int *is_pmem);
void *pm_map_file_at(int fd, void *addr, size_t len, size_t off, int *is_pmem);
int pm_unmap(void *addr, size_t len);

#endif /* COMMON_PMEM_H */
