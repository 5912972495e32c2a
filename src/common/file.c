/* SPDX-License-Identifier: BSD-3-Clause */
/* file.c -- files that back pools: create, open, size, lock */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "fault_inject.h"

void (*file_create_pause)(const char *path);

/*
 * The lock is taken right after the exclusive open, before the file has its
 * size: whoever opens the path from then on finds it locked. Should another
 * process take the lock in the short window before (it finds an empty file
 * and gives up), the file is left alone: only a process that holds a file's
 * lock ever removes it.
 */
int
file_create(const char *path, size_t size, mode_t mode)
{
	int fd = fault_open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	if (file_create_pause != NULL)
		file_create_pause(path);
	int err = file_lock(fd);
	if (err != 0) {
		close(fd);
		return err;
	}
	err = fault_posix_fallocate(fd, 0, (off_t)size);
	if (err != 0) {
		unlink(path);
		close(fd);
		return -err;
	}
	return fd;
}

int
file_open(const char *path, int rdonly)
{
	int fd = fault_open(path, (rdonly ? O_RDONLY : O_RDWR) | O_CLOEXEC, 0);
	return fd < 0 ? -errno : fd;
}

ssize_t
file_size(int fd)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	return (ssize_t)st.st_size;
}

int
file_lock(int fd)
{
	if (flock(fd, LOCK_EX | LOCK_NB) != 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return 0;
}

int
file_exists(const char *path)
{
	if (access(path, F_OK) == 0)
		return 1;
	return errno == ENOENT ? 0 : -errno;
}

int
file_remove(const char *path)
{
	return unlink(path) == 0 ? 0 : -errno;
}

/*
 * fallocate(2) and not posix_fallocate(3): where the file system cannot
 * reserve space, glibc's posix_fallocate writes a byte into every block
 * that reads as zero, which in a pool that holds data races with anyone
 * writing it; here that file system is reported instead.
 */
int
file_reserve(int fd, size_t size)
{
	if (size == 0)
		return 0;
	int ret;
	do {
		ret = fault_fallocate(fd, 0, 0, (off_t)size);
	} while (ret != 0 && errno == EINTR);
	return ret == 0 ? 0 : -errno;
}
