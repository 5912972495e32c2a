/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * obj_errno.h -- every public libpmemobj function, called on a pool (a
 * file or a set) and succeeding, leaves errno as it found it (a cmocka
 * helper shared by the unit and the integration tests)
 */
#ifndef TESTS_OBJ_ERRNO_H
#define TESTS_OBJ_ERRNO_H 1

#include <errno.h>
#include <string.h>

#include <libpmemobj.h>

#define OBJ_ERRNO_SENTINEL 4242

/* run `call` with errno set to the sentinel; errno must still be it */
#define OBJ_ERRNO_KEPT(call)                                                  \
	do {                                                                  \
		errno = OBJ_ERRNO_SENTINEL;                                   \
		call;                                                         \
		if (errno != OBJ_ERRNO_SENTINEL)                              \
			fail_msg("%s changed errno to %d (%s)", #call, errno, \
				strerror(errno));                             \
	} while (0)

/* poolsize 0: path names a pool set (or an existing file) */
static inline void
obj_errno_check(const char *path, const char *layout, size_t poolsize)
{
	PMEMobjpool *pop = NULL;
	OBJ_ERRNO_KEPT(pop = pmemobj_create(path, layout, poolsize, 0600));
	if (pop == NULL)
		fail_msg("create: %s", pmemobj_errormsg());
	PMEMoid root = OID_NULL;
	OBJ_ERRNO_KEPT(root = pmemobj_root(pop, 65536));
	assert_false(OID_IS_NULL(root));
	char *d = NULL;
	OBJ_ERRNO_KEPT(d = pmemobj_direct(root));
	OBJ_ERRNO_KEPT(assert_int_equal(pmemobj_root_size(pop), 65536));
	OBJ_ERRNO_KEPT(assert_ptr_equal(pmemobj_pool_by_ptr(d), pop));
	OBJ_ERRNO_KEPT(assert_ptr_equal(pmemobj_pool_by_oid(root), pop));
	OBJ_ERRNO_KEPT(assert_int_equal(pmemobj_oid(d).off, root.off));
	char src[8192];
	memset(src, 'e', sizeof(src));
	static const unsigned flags[] = {0, PMEMOBJ_F_MEM_NODRAIN,
		PMEMOBJ_F_MEM_NONTEMPORAL, PMEMOBJ_F_MEM_NOFLUSH,
		PMEMOBJ_F_RELAXED};
	for (unsigned i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		unsigned f = flags[i];
		OBJ_ERRNO_KEPT(pmemobj_memcpy(pop, d, src, 5000, f));
		OBJ_ERRNO_KEPT(pmemobj_memmove(pop, d + 8, d, 5000, f));
		OBJ_ERRNO_KEPT(pmemobj_memset(pop, d + 100, 'x', 3000, f));
	}
	OBJ_ERRNO_KEPT(pmemobj_memcpy_persist(pop, d, src, sizeof(src)));
	OBJ_ERRNO_KEPT(pmemobj_memset_persist(pop, d, 0, 1000));
	OBJ_ERRNO_KEPT(pmemobj_persist(pop, d, 4096));
	OBJ_ERRNO_KEPT(pmemobj_flush(pop, d, 4096));
	OBJ_ERRNO_KEPT(pmemobj_drain(pop));
	OBJ_ERRNO_KEPT(assert_int_equal(pmemobj_xpersist(pop, d, 64, 0), 0));
	OBJ_ERRNO_KEPT(assert_int_equal(
		pmemobj_xflush(pop, d, 64, PMEMOBJ_F_RELAXED), 0));
	OBJ_ERRNO_KEPT(pmemobj_close(pop));
	OBJ_ERRNO_KEPT(pop = pmemobj_open(path, layout));
	if (pop == NULL)
		fail_msg("open: %s", pmemobj_errormsg());
	OBJ_ERRNO_KEPT(d = pmemobj_direct(pmemobj_root(pop, 0)));
	OBJ_ERRNO_KEPT(pmemobj_persist(pop, d, 64));
	OBJ_ERRNO_KEPT(pmemobj_close(pop));
	OBJ_ERRNO_KEPT(assert_int_equal(pmemobj_check(path, layout), 1));
	OBJ_ERRNO_KEPT(assert_null(pmemobj_check_version(
		PMEMOBJ_MAJOR_VERSION, PMEMOBJ_MINOR_VERSION)));
	OBJ_ERRNO_KEPT(pmemobj_errormsg());
}

#endif /* TESTS_OBJ_ERRNO_H */
