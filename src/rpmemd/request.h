/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * request.h -- one client's requests on the ssh channel: the state rpmemd
 * keeps between them and the loop that serves them (request.c), and the
 * log lines of requests and responses in PMDK's shape (request_log.c)
 *
 * Contract: the process (rpmemd.c) fills cfg, db, node, peer and the two
 * descriptors, then rpmemd_serve() reads and answers requests (create or
 * open, set attributes, ping, close) until the session ends, and returns
 * rpmemd's exit status. A failed session removes a pool it created whose
 * lanes never all connected; any other pool stays.
 */
#ifndef RPMEMD_REQUEST_H
#define RPMEMD_REQUEST_H 1

#include "config.h"
#include "db.h"
#include "fabric_server.h"
#include "fdlimit.h"
#include "oob.h"

/* exit statuses (rpmemd(1), EXIT STATUS) */
#define RPMEMD_EXIT_OK 0      /* clean close; --help, --version; removed */
#define RPMEMD_EXIT_REFUSED 1 /* refused or failed; no clean close */
#define EXIT_PROTO 255	      /* bad command line or protocol violation */

enum state { STATE_IDLE, STATE_POOL_OPEN };

struct rpmemd {
	struct rpmemd_config cfg;
	struct rpmemd_db db;
	enum state state;
	struct rpmemd_db_pool *pool;
	struct rpmemd_fip *fip;
	char node[64];
	int node_defaulted; /* no SSH_CONNECTION: loopback */
	char peer[64];	    /* the ssh client's address, "" unknown */
	int in_fd;
	int out_fd;
	int exit_status; /* when serving stops after a handled request */
	int live;	 /* the client pings: its silence ends the session */
};

/* serves requests until the session ends; returns the exit status */
int rpmemd_serve(struct rpmemd *d);

/* PMDK's names of the persist methods */
const char *rpmemd_method_name(enum rpmem_persist_method m);

/* "<title>" and the attributes, in PMDK's lines ("NULL" for none) */
void rpmemd_log_attr(const char *title, const struct rpmem_pool_attr_packed *a);
void rpmemd_log_req(const char *what, const struct rpmemd_req *r);
void rpmemd_log_resp(const struct rpmemd_req *r,
	const struct rpmem_msg_ibc_attr *ibc, const struct rpmemd_fdplan *plan);
void rpmemd_log_policy(const struct rpmemd_fip_attr *fa);

#endif /* RPMEMD_REQUEST_H */
