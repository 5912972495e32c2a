/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * badblocks.h -- the bad-block recovery files that make an open fail
 *
 * Contract: obj_badblocks_refuse(path) reads the pool (or pool set) at
 * path; if the header of its first part has the CHECK_BAD_BLOCKS compat
 * feature and a recovery file "<path>_r<R>_p<P>_badblocks.txt" exists for
 * an existing local part P of replica R (the names `pmempool sync
 * --bad-blocks` uses), it sets the error message and returns -EINVAL, as
 * PMDK 1.12.1 does. It returns 0 in every other case, including when the
 * pool cannot be read: the open that follows reports that.
 */
#ifndef OBJ_BADBLOCKS_H
#define OBJ_BADBLOCKS_H 1

int obj_badblocks_refuse(const char *path);

#endif /* OBJ_BADBLOCKS_H */
