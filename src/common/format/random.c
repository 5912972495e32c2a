/* SPDX-License-Identifier: BSD-3-Clause */
/* random.c -- random bytes from the kernel */
#include <errno.h>
#include <sys/random.h>

#include "format/random.h"

int
random_bytes(void *buf, size_t len)
{
	unsigned char *p = buf;
	size_t got = 0;
	while (got < len) {
		ssize_t r = getrandom(p + got, len - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)r;
	}
	return 0;
}
