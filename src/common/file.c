/* SPDX-License-Identifier: BSD-3-Clause */
/* file.c -- files that back pools: create, open, size, lock */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "fault_inject.h"

void (*file_lock_pause)(const char *path);

/*
 * The lock is taken right after the exclusive open, before the file has its
 * size: whoever opens the path from then on finds it locked. Should another
 * process take the lock in the short window before (it finds an empty file
 * and gives up), the file is left alone: only a process that holds a file's
 * lock ever removes it. A remover that took the lock in that window and
 * unlinked the file makes the lock check fail (-ESTALE): the create then
 * fails instead of filling an inode nobody can find again.
 */
int
file_create(const char *path, size_t size, mode_t mode)
{
	int fd = fault_open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	int err = file_lock_path(fd, path);
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
file_lock_path(int fd, const char *path)
{
	if (file_lock_pause != NULL)
		file_lock_pause(path);
	int ret = file_lock(fd);
	if (ret)
		return ret;
	struct stat fst;
	struct stat pst;
	if (fstat(fd, &fst))
		return -errno;
	if (stat(path, &pst) != 0 || pst.st_dev != fst.st_dev ||
		pst.st_ino != fst.st_ino)
		return -ESTALE;
	return 0;
}

int
file_open(const char *path, int rdonly)
{
	int flags = (rdonly ? O_RDONLY : O_RDWR) | O_CLOEXEC;
	int fd = fault_open(path, flags | O_NONBLOCK, 0);
	if (fd < 0)
		return errno == ENXIO ? -EINVAL : -errno;
	struct stat st;
	int ret = 0;
	if (fstat(fd, &st))
		ret = -errno;
	else if (S_ISDIR(st.st_mode))
		ret = -EISDIR;
	else if (!S_ISREG(st.st_mode))
		ret = -EINVAL;
	else if (fcntl(fd, F_SETFL,
			 0)) /* O_NONBLOCK off, nothing else was on */
		ret = -errno;
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

FILE *
file_fopen_read(const char *path)
{
	int fd = file_open(path, 1);
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	FILE *f = fdopen(fd, "r");
	if (f == NULL) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return f;
}

FILE *
file_fopen_append(const char *path)
{
	int fd = fault_open(path,
		O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0666);
	if (fd < 0)
		return NULL;
	FILE *f = NULL;
	/* O_NONBLOCK served the open only: writes may wait for a reader */
	if (fcntl(fd, F_SETFL, O_APPEND) == 0)
		f = fdopen(fd, "a");
	if (f == NULL) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return f;
}

const char *
file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	return "not a regular file";
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
	if (ret == 0)
		return 0;
	return errno == ENOSYS ? -EOPNOTSUPP : -errno; /* one answer for both */
}
