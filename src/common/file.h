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
#include <stdio.h>
#include <sys/types.h>

/* create a new file of exactly size bytes (fails with -EEXIST if present)
 * and return it locked (file_lock_path); the space is allocated with
 * posix_fallocate so that a full disk fails here and not later with SIGBUS;
 * mode as for open(2). -EAGAIN when another process locked the new, still
 * empty file first: the file is then left where it is; -ESTALE when another
 * process removed it before the lock. */
int file_create(const char *path, size_t size, mode_t mode);

/* test seam: when set, called by file_lock_path() before it locks, so that
 * tests can force the interleavings of the window between an open and its
 * lock (file_create(), the opens and the removes of pool set parts) */
extern void (*file_lock_pause)(const char *path);

/* lock fd (file_lock), then check that path still names the file open at
 * fd (device and inode): -ESTALE when it was removed or replaced since the
 * open. Only a process that passed this check may trust or unlink the
 * path; whoever removes a file does so holding its lock. */
int file_lock_path(int fd, const char *path);

/* reserve the blocks of the first size bytes of a file open for writing
 * (fallocate(2) mode 0: its size and its data stay as they are), so that a
 * write through a mapping cannot meet a full disk later; -ENOSPC when the
 * file system has not enough room, -EOPNOTSUPP when it cannot reserve
 * space at all (then nothing was written) */
int file_reserve(int fd, size_t size);

/* open an existing regular file read-write (or read-only) without ever
 * blocking (O_NONBLOCK, cleared once the file is known to be regular):
 * -EISDIR for a directory, -EINVAL for any other kind of file (a FIFO, a
 * socket, a device) */
int file_open(const char *path, int rdonly);

/* a regular file opened for reading as a stream (file_open()): NULL with
 * errno, EINVAL for what is not a regular file */
FILE *file_fopen_read(const char *path);

/* a log file opened for appending as a stream (created with mode 0666 less
 * the umask), without blocking: a FIFO nobody reads gives NULL with errno
 * ENXIO at once; one that is read, a terminal or /dev/null are fine */
FILE *file_fopen_append(const char *path);

/* "a directory", "a FIFO", "a socket", "a device" or "not a regular file":
 * for messages about a file that file_open() refused */
const char *file_kind(mode_t mode);

/* size of an open file, or of a device dax; negative errno on failure */
ssize_t file_size(int fd);

/* flock(LOCK_EX|LOCK_NB): -EAGAIN (EWOULDBLOCK) when held elsewhere */
int file_lock(int fd);

#endif /* COMMON_FILE_H */
