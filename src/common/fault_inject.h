/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fault_inject.h -- failures injected at the points where the libraries and
 * rpmemd meet the system (allocation, child processes, sockets, files,
 * mappings, libfabric)
 *
 * Contract: with the build option ENABLE_FAULT_INJECTION=ON (which defines
 * FAULT_INJECTION) every hook counts its calls and may be told to fail one
 * of them; without it this header defines FAULT_INJECT() as the constant 0
 * and nothing else, so a build without the option is unchanged.
 *
 * A file opts in by including this header after all other headers. From
 * there on every call of the functions below goes through a hook that, when
 * told to, skips the call and yields what the real call yields on failure
 * (NULL/-1/MAP_FAILED with errno, an error number, a negative libfabric
 * error), so that the real error path runs:
 *
 *	alloc      malloc calloc realloc strdup aligned_alloc fi_allocinfo
 *	fork       fork
 *	socket     socketpair pipe
 *	open       open
 *	fallocate  posix_fallocate ftruncate
 *	mmap       mmap
 *	fi_<name>  fi_getinfo fi_fabric fi_domain fi_eq_open fi_cq_open
 *	           fi_endpoint fi_passive_ep fi_enable fi_mr_reg fi_listen
 *	           fi_connect fi_accept (only where <rdma/fabric.h> came
 *	           before)
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
 * Every copy of `common` (each library, rpmemd) keeps its own counters.
 */
#ifndef COMMON_FAULT_INJECT_H
#define COMMON_FAULT_INJECT_H 1

enum fault_point {
	FAULT_ALLOC,
	FAULT_FORK,
	FAULT_SOCKET,
	FAULT_OPEN,
	FAULT_FALLOCATE,
	FAULT_MMAP,
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
	FAULT_NPOINTS
};

#ifndef FAULT_INJECTION

#define FAULT_INJECT(point, err) 0

#else

#include <errno.h>
#include <stddef.h>

int fault_inject_hit(enum fault_point point, int err);
#define FAULT_INJECT(point, err) fault_inject_hit(point, err)

#ifndef FAULT_INJECT_NO_WRAP

/* the name inside its own macro is not expanded again: the real call */
#define FAULT_WRAP(point, err, fail, call) \
	(FAULT_INJECT(point, err) ? (fail) : (call))

#define malloc(...) FAULT_WRAP(FAULT_ALLOC, ENOMEM, NULL, malloc(__VA_ARGS__))
#define calloc(...) FAULT_WRAP(FAULT_ALLOC, ENOMEM, NULL, calloc(__VA_ARGS__))
#define realloc(...) FAULT_WRAP(FAULT_ALLOC, ENOMEM, NULL, realloc(__VA_ARGS__))
#define strdup(...) FAULT_WRAP(FAULT_ALLOC, ENOMEM, NULL, strdup(__VA_ARGS__))
#define aligned_alloc(...) \
	FAULT_WRAP(FAULT_ALLOC, ENOMEM, NULL, aligned_alloc(__VA_ARGS__))
#define fork() FAULT_WRAP(FAULT_FORK, EAGAIN, -1, fork())
#define socketpair(...) \
	FAULT_WRAP(FAULT_SOCKET, EMFILE, -1, socketpair(__VA_ARGS__))
#define pipe(...) FAULT_WRAP(FAULT_SOCKET, EMFILE, -1, pipe(__VA_ARGS__))
#define open(...) FAULT_WRAP(FAULT_OPEN, EMFILE, -1, open(__VA_ARGS__))
#define posix_fallocate(...) \
	FAULT_WRAP(          \
		FAULT_FALLOCATE, ENOSPC, ENOSPC, posix_fallocate(__VA_ARGS__))
#define ftruncate(...) \
	FAULT_WRAP(FAULT_FALLOCATE, ENOSPC, -1, ftruncate(__VA_ARGS__))
#define mmap(...) FAULT_WRAP(FAULT_MMAP, ENOMEM, MAP_FAILED, mmap(__VA_ARGS__))

#ifdef FI_MAJOR_VERSION
#include <rdma/fi_errno.h>

#define FAULT_FI(point, err, call) FAULT_WRAP(point, err, -(err), call)
#define fi_allocinfo() FAULT_WRAP(FAULT_ALLOC, ENOMEM, NULL, fi_allocinfo())
#define fi_getinfo(...) \
	FAULT_FI(FAULT_FI_GETINFO, FI_ENODATA, fi_getinfo(__VA_ARGS__))
#define fi_fabric(...) \
	FAULT_FI(FAULT_FI_FABRIC, FI_ENOMEM, fi_fabric(__VA_ARGS__))
#define fi_domain(...) \
	FAULT_FI(FAULT_FI_DOMAIN, FI_ENOMEM, fi_domain(__VA_ARGS__))
#define fi_eq_open(...) \
	FAULT_FI(FAULT_FI_EQ_OPEN, FI_ENOMEM, fi_eq_open(__VA_ARGS__))
#define fi_cq_open(...) \
	FAULT_FI(FAULT_FI_CQ_OPEN, FI_ENOMEM, fi_cq_open(__VA_ARGS__))
#define fi_endpoint(...) \
	FAULT_FI(FAULT_FI_ENDPOINT, FI_ENOMEM, fi_endpoint(__VA_ARGS__))
#define fi_passive_ep(...) \
	FAULT_FI(FAULT_FI_PASSIVE_EP, FI_ENOMEM, fi_passive_ep(__VA_ARGS__))
#define fi_enable(...) FAULT_FI(FAULT_FI_ENABLE, FI_EIO, fi_enable(__VA_ARGS__))
#define fi_mr_reg(...) \
	FAULT_FI(FAULT_FI_MR_REG, FI_ENOMEM, fi_mr_reg(__VA_ARGS__))
#define fi_listen(...) \
	FAULT_FI(FAULT_FI_LISTEN, FI_EADDRINUSE, fi_listen(__VA_ARGS__))
#define fi_connect(...) \
	FAULT_FI(FAULT_FI_CONNECT, FI_ECONNREFUSED, fi_connect(__VA_ARGS__))
#define fi_accept(...) \
	FAULT_FI(FAULT_FI_ACCEPT, FI_ECONNABORTED, fi_accept(__VA_ARGS__))
#endif /* FI_MAJOR_VERSION */

#endif /* FAULT_INJECT_NO_WRAP */
#endif /* FAULT_INJECTION */
#endif
