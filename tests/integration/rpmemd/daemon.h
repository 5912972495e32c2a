/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * daemon.h -- test helpers: run the real rpmemd on socketpairs, speak the
 * out-of-band protocol to it, and connect fabric lanes like a client
 */
#ifndef TEST_RPMEMD_DAEMON_H
#define TEST_RPMEMD_DAEMON_H 1

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rpmem_proto.h"

struct daemon {
	pid_t pid;
	int in;	 /* daemon stdin */
	int out; /* daemon stdout */
	int err; /* daemon stderr */
};

/* test directory with poolset-dir "sets" and HOME; created once */
const char *td_dir(void);
const char *td_sets(void);
/* the end of a test program: td_dir() is removed when every test passed
 * (failed is cmocka's count), kept and named otherwise; returns failed */
int td_done(int failed);

/* start rpmemd with extra args (NULL terminated) after the defaults
 * (--poolset-dir, --log-file, --log-level debug,
 * --allow-sockets) unless raw is set */
void td_start(struct daemon *d, int raw, ...);
/* exit status of the daemon (waits at most test_wait_ms(10000)); -1 if
 * killed */
int td_wait(struct daemon *d);
/* read exactly n bytes from the daemon's stdout (test_wait_ms(5000));
 * bytes read */
ssize_t td_read(struct daemon *d, void *buf, size_t n);
/* everything on stderr until EOF, into buf */
void td_stderr(struct daemon *d, char *buf, size_t len);
void td_write(struct daemon *d, const void *buf, size_t n);
void td_close_in(struct daemon *d);
uint32_t td_hello(struct daemon *d);

/* message builders (host-order arguments) */
size_t td_create_msg(void *buf, const char *desc, uint64_t pool_size,
	uint32_t nlanes, uint32_t provider,
	const struct rpmem_pool_attr_packed *attr);
size_t td_open_msg(void *buf, const char *desc, uint64_t pool_size,
	uint32_t nlanes, uint32_t provider);
size_t td_close_msg(void *buf, uint32_t flags);
size_t td_set_attr_msg(void *buf, const struct rpmem_pool_attr_packed *a);

/* read a response of the given request type; returns status, fills
 * ibc/attr (host order) when not NULL; asserts type and size */
uint32_t td_resp(struct daemon *d, uint32_t req_type,
	struct rpmem_msg_ibc_attr *ibc, struct rpmem_pool_attr_packed *attr);

void td_write_file(const char *path, const char *text);
int td_exists(const char *path);

/* pool sets in td_sets() with two 2M parts <name>.p0/.p1 in td_dir()
 * ('/' in name becomes '_'); opt: extra lines after the signature */
const char *td_flat(const char *name);
void td_make_set(const char *name, const char *opt);
int td_part_exists(const char *name, int part);
void td_read_part(const char *name, int part, off_t off, void *buf, size_t len);
/* attributes that differ in every field with tag */
struct rpmem_pool_attr_packed td_attr(char tag);
/* the daemon's stderr (until EOF) contains what */
void td_expect_stderr(struct daemon *d, const char *what);
int td_file_has(const char *path, const char *what);

/* fabric client */
struct td_fab;
struct td_fab *td_fab_connect(const char *prov, uint32_t port, unsigned nlanes);
/* as above, every lane presenting data as connection data */
struct td_fab *td_fab_connect_data(const char *prov, uint32_t port,
	unsigned nlanes, const void *data, size_t len);
/* one connection attempt on its own fabric: 0 if it got connected,
 * otherwise the negative libfabric error (-FI_ECONNREFUSED on a reject,
 * -FI_ETIMEDOUT without an answer within timeout_ms) */
int td_fab_try(const char *prov, uint32_t port, const void *data, size_t len,
	int timeout_ms);
/* send a persist message on lane; data (inline) may be NULL; returns the
 * response flags */
uint32_t td_fab_persist(struct td_fab *f, unsigned lane, uint32_t flags,
	uint32_t msg_lane, uint64_t addr, uint64_t size, const void *data,
	size_t msg_len);
/* RDMA write of len bytes to raddr via lane */
void td_fab_write(struct td_fab *f, unsigned lane, const void *src, size_t len,
	uint64_t raddr, uint64_t rkey);
void td_fab_close(struct td_fab *f);

#endif
