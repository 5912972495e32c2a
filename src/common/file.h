/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * file.h -- files that back pools: create, open, size, lock
 *
 * Contract: every function returns 0 (or a file descriptor) on success and a
 * negative errno on failure; nothing here prints or sets an error message,
 * callers do. All descriptors are opened O_CLOEXEC.
 */
#ifndef COMMON_FILE_H
#define COMMON_FILE_H 1

#include <stddef.h>
#include <sys/types.h>

/* create a new file of exactly size bytes (fails with -EEXIST if present)
 * and return it locked (file_lock); the space is allocated with
 * posix_fallocate so that a full disk fails here and not later with SIGBUS;
 * mode as for open(2). -EAGAIN when another process locked the new, still
 * empty file first: the file is then left where it is. */
int file_create(const char *path, size_t size, mode_t mode);

/* test seam: when set, called by file_create() between the exclusive open
 * and the lock, so that tests can force the interleavings of that window */
extern void (*file_create_pause)(const char *path);

/* reserve the blocks of the first size bytes of a file open for writing
 * (fallocate(2) mode 0: its size and its data stay as they are), so that a
 * write through a mapping cannot meet a full disk later; -ENOSPC when the
 * file system has not enough room, -EOPNOTSUPP when it cannot reserve
 * space at all (then nothing was written) */
int file_reserve(int fd, size_t size);

/* open an existing file read-write (or read-only) */
int file_open(const char *path, int rdonly);

/* size of an open file, or of a device dax; negative errno on failure */
ssize_t file_size(int fd);

/* flock(LOCK_EX|LOCK_NB): -EAGAIN (EWOULDBLOCK) when held elsewhere */
int file_lock(int fd);

/* does the path exist (0 no, 1 yes, negative errno) */
int file_exists(const char *path);

/* remove a file, -ENOENT when it is not there */
int file_remove(const char *path);

#endif /* COMMON_FILE_H */
