/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fault_inject.h -- failures injected at the points where the libraries and
 * rpmemd meet the system (allocation, child processes, sockets, files,
 * mappings, libfabric)
 *
 * Contract: with the build option ENABLE_FAULT_INJECTION=ON (which defines
 * FAULT_INJECTION) every hook counts its calls and may be told to fail one
 * of them; without it FAULT_INJECT() is the constant 0 and every hook is
 * the plain call, so a build without the option is unchanged.
 *
 * The hooks are called by name where a failure is worth injecting:
 * fault_malloc(), fault_open(), ... below, and fault_fi_getinfo(), ... in
 * fault_inject_fi.h. Nothing is redefined, so the order of includes does
 * not matter and a plain malloc() is never a hook. A hook told to fail
 * skips the call and yields what the real call yields on failure
 * (NULL/-1/MAP_FAILED with errno, an error number, a negative libfabric
 * error), so that the real error path runs. The points:
 *
 *	alloc      fault_malloc calloc realloc strdup aligned_alloc,
 *	           fault_fi_allocinfo
 *	fork       fault_fork
 *	socket     fault_socketpair
 *	open       fault_open (the mode is always passed)
 *	fallocate  fault_posix_fallocate fallocate
 *	mmap       fault_mmap
 *	msync      fault_msync (EIO: a writeback error)
 *	fi_<name>  fault_fi_getinfo fabric domain eq_open cq_open endpoint
 *	           passive_ep enable mr_reg listen connect accept
 *	copy       FAULT_INJECT(FAULT_COPY, EIO) after each chunk of
 *	           libpmemobj's copy of the pool to a remote replica that is
 *	           behind (the copy stops there, as if the node had failed)
 *
 * FAULT_INJECT(point, err) is the hook itself for other places: 1, with
 * errno set to err, when this call of the point is the one to fail, else 0.
 *
 * Environment (read at the first hook):
 *   RPMEM_FAULT_INJECT=<point>:<N>  fail the Nth call (from 1) of <point>;
 *                                   the point `any` counts all points as one
 *   RPMEM_FAULT_INJECT_COUNT=<file> at exit append one line per point that
 *                                   was reached, "<program> <point> <calls>"
 *                                   (point `any`: all calls), and when a
 *                                   failure was injected "<program> injected
 *                                   <point>:<N>" and "<program> failed
 *                                   <point that failed>"
 *   RPMEM_FAULT_COPY_CHUNK=<bytes>  the chunk of libpmemobj's copy to a
 *                                   remote replica (default 64 MiB), so
 *                                   that a test pool has many chunks; read
 *                                   through fault_knob_size()
 * Every copy of `common` (each library, rpmemd) keeps its own counters.
 *
 * Not a failure but a stand-in for distance: fault_persist_delay(), called
 * by rpmemd before it answers a persist message, sleeps for
 * RPMEM_FAULT_PERSIST_DELAY_US microseconds (unset or 0: not at all), as if
 * the node were a network away; benchmarks use it to show how requests to
 * several replicas overlap (utils/obj-replica-bench.sh --delay).
 */
#ifndef COMMON_FAULT_INJECT_H
#define COMMON_FAULT_INJECT_H 1

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

enum fault_point {
	FAULT_ALLOC,
	FAULT_FORK,
	FAULT_SOCKET,
	FAULT_OPEN,
	FAULT_FALLOCATE,
	FAULT_MMAP,
	FAULT_MSYNC,
	FAULT_FI_GETINFO,
	FAULT_FI_FABRIC,
	FAULT_FI_DOMAIN,
	FAULT_FI_EQ_OPEN,
	FAULT_FI_CQ_OPEN,
	FAULT_FI_ENDPOINT,
	FAULT_FI_PASSIVE_EP,
	FAULT_FI_ENABLE,
	FAULT_FI_MR_REG,
	FAULT_FI_LISTEN,
	FAULT_FI_CONNECT,
	FAULT_FI_ACCEPT,
	FAULT_COPY,
	FAULT_NPOINTS
};

#ifdef FAULT_INJECTION
int fault_inject_hit(enum fault_point point, int err);
#define FAULT_INJECT(point, err) fault_inject_hit(point, err)
void fault_persist_delay(void);
/* the positive number in environment variable `name`, else dflt */
size_t fault_knob_size(const char *name, size_t dflt);
#else
#define FAULT_INJECT(point, err) 0
static inline void
fault_persist_delay(void)
{
}
/* without FAULT_INJECTION no test knob is read */
static inline size_t
fault_knob_size(const char *name, size_t dflt)
{
	(void)name;
	return dflt;
}
#endif

/*
 * The hooks, called by name at each injection point instead of the libc
 * function: without FAULT_INJECTION each is the plain call.
 */
static inline void *
fault_malloc(size_t size)
{
	return FAULT_INJECT(FAULT_ALLOC, ENOMEM) ? NULL : malloc(size);
}

static inline void *
fault_calloc(size_t n, size_t size)
{
	return FAULT_INJECT(FAULT_ALLOC, ENOMEM) ? NULL : calloc(n, size);
}

static inline void *
fault_realloc(void *p, size_t size)
{
	return FAULT_INJECT(FAULT_ALLOC, ENOMEM) ? NULL : realloc(p, size);
}

static inline char *
fault_strdup(const char *s)
{
	return FAULT_INJECT(FAULT_ALLOC, ENOMEM) ? NULL : strdup(s);
}

static inline void *
fault_aligned_alloc(size_t align, size_t size)
{
	return FAULT_INJECT(FAULT_ALLOC, ENOMEM) ? NULL
						 : aligned_alloc(align, size);
}

static inline pid_t
fault_fork(void)
{
	return FAULT_INJECT(FAULT_FORK, EAGAIN) ? -1 : fork();
}

static inline int
fault_socketpair(int domain, int type, int protocol, int sv[2])
{
	return FAULT_INJECT(FAULT_SOCKET, EMFILE)
		       ? -1
		       : socketpair(domain, type, protocol, sv);
}

/* open(2) with its optional mode always passed */
static inline int
fault_open(const char *path, int flags, mode_t mode)
{
	return FAULT_INJECT(FAULT_OPEN, EMFILE) ? -1 : open(path, flags, mode);
}

static inline int
fault_posix_fallocate(int fd, off_t off, off_t len)
{
	return FAULT_INJECT(FAULT_FALLOCATE, ENOSPC)
		       ? ENOSPC
		       : posix_fallocate(fd, off, len);
}

/* fallocate(2) */
static inline int
fault_fallocate(int fd, int mode, off_t off, off_t len)
{
	return FAULT_INJECT(FAULT_FALLOCATE, ENOSPC)
		       ? -1
		       : fallocate(fd, mode, off, len);
}

static inline void *
fault_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return FAULT_INJECT(FAULT_MMAP, ENOMEM)
		       ? MAP_FAILED
		       : mmap(addr, len, prot, flags, fd, off);
}

/* EIO: what msync(2) reports after the kernel failed to write a page back */
static inline int
fault_msync(void *addr, size_t len, int flags)
{
	return FAULT_INJECT(FAULT_MSYNC, EIO) ? -1 : msync(addr, len, flags);
}

#endif
