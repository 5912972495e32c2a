/* SPDX-License-Identifier: BSD-3-Clause */
/* badblocks.c -- the bad-block recovery files that make an open fail */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "badblocks.h"
#include "file.h"
#include "log.h"
#include "format/pool_hdr.h"
#include "poolset.h"

/* compat features of the header at the start of file; 0 if unreadable */
static uint32_t
compat_of(const char *file)
{
	uint32_t compat = 0;
	int fd = file_open(file, 1); /* never blocks; a FIFO is refused */
	if (fd < 0)
		return 0;
	/* the pool header keeps compat at byte 12, little-endian */
	unsigned char b[4];
	if (pread(fd, b, sizeof(b), 12) == (ssize_t)sizeof(b))
		compat = (uint32_t)b[0] | (uint32_t)b[1] << 8 |
			 (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	close(fd);
	return compat;
}

int
obj_badblocks_refuse(const char *path)
{
	struct poolset *set;
	if (poolset_read_file(path, &set, NULL, 0))
		return 0;
	int ret = 0;
	if (set->nreplicas == 0 || set->replicas[0].nparts == 0 ||
		!(compat_of(set->replicas[0].parts[0].path) &
			POOL_FEAT_CHECK_BAD_BLOCKS))
		goto out;
	for (unsigned r = 0; r < set->nreplicas && !ret; r++) {
		const struct poolset_replica *rep = &set->replicas[r];
		for (unsigned p = 0; rep->node == NULL && p < rep->nparts;
			p++) {
			char rec[4096];
			snprintf(rec, sizeof(rec), "%s_r%u_p%u_badblocks.txt",
				path, r, p);
			if (access(rep->parts[p].path, F_OK) != 0 ||
				access(rec, F_OK) != 0)
				continue;
			ERR("a bad block recovery file exists -- '%s'; run "
			    "'pmempool sync --bad-blocks' to recover the pool",
				rec);
			ret = -EINVAL;
			break;
		}
	}
out:
	poolset_free(set);
	return ret;
}
