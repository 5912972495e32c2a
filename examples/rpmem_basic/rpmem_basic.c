/* SPDX-License-Identifier: BSD-3-Clause */
/* rpmem_basic.c -- create a remote pool, write and persist a buffer, read it
 * back, close and remove the pool
 *
 * usage: rpmem_basic <[user@]host[:port]> <pool set name>
 * The pool set file must exist in rpmemd's --poolset-dir on the target.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <librpmem.h>

#define POOL_SIZE (32UL << 20)
#define DATA_OFF 4096 /* the first 4 KiB hold the pool header */

int
main(int argc, char *argv[])
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s <target> <pool set>\n", argv[0]);
		return 2;
	}
	void *pool;
	if (posix_memalign(&pool, 4096, POOL_SIZE)) {
		perror("posix_memalign");
		return 1;
	}
	memset(pool, 0, POOL_SIZE);

	unsigned nlanes = 4;
	struct rpmem_pool_attr attr;
	memset(&attr, 0, sizeof(attr));
	memcpy(attr.signature, "BASIC", 5);
	attr.major = 1;
	RPMEMpool *rpp =
		rpmem_create(argv[1], argv[2], pool, POOL_SIZE, &nlanes, &attr);
	if (rpp == NULL) {
		fprintf(stderr, "rpmem_create: %s\n", rpmem_errormsg());
		free(pool);
		return 1;
	}
	printf("remote pool created, %u lanes\n", nlanes);

	int ret = 1;
	const char msg[] = "Hello, remote persistent memory!";
	memcpy((char *)pool + DATA_OFF, msg, sizeof(msg));
	if (rpmem_persist(rpp, DATA_OFF, sizeof(msg), 0, 0)) {
		fprintf(stderr, "rpmem_persist: %s\n", rpmem_errormsg());
		goto out;
	}
	char back[sizeof(msg)];
	if (rpmem_read(rpp, back, DATA_OFF, sizeof(back), 0)) {
		fprintf(stderr, "rpmem_read: %s\n", rpmem_errormsg());
		goto out;
	}
	if (memcmp(back, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "read back differs\n");
		goto out;
	}
	printf("read back: %s\n", back);
	ret = 0;
out:
	if (rpmem_close(rpp)) {
		fprintf(stderr, "rpmem_close: %s\n", rpmem_errormsg());
		ret = 1;
	}
	if (ret == 0 && rpmem_remove(argv[1], argv[2], 0)) {
		fprintf(stderr, "rpmem_remove: %s\n", rpmem_errormsg());
		ret = 1;
	}
	free(pool);
	return ret;
}
