/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpu.h -- what the x86_64 CPU offers for persistence (internal to
 * src/common, used by pmem.c)
 *
 * Contract: cpu_detect() fills the has_* bits of *in from CPUID (AVX and
 * AVX-512F only when the OS saves their register state) and says whether
 * the vendor is AMD (or Hygon); nothing else of *in is touched.
 * cpu_flush_select() puts the flush and fence functions of flush kind k
 * into ops: CLWB, CLFLUSHOPT and none are followed by SFENCE, CLFLUSH
 * (ordered by itself) by a compiler barrier only.
 */
#ifndef COMMON_X86_64_CPU_H
#define COMMON_X86_64_CPU_H 1

#include "memops.h"
#include "pmem.h"

void cpu_detect(struct pm_info *in, int *is_amd);
void cpu_flush_select(struct pm_memops *ops, enum pm_flush_kind k);

#endif /* COMMON_X86_64_CPU_H */
