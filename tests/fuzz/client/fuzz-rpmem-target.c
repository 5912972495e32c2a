/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz-rpmem-target.c -- target strings, ssh ports and remote command
 * quoting never overflow; a parsed target is the input's own parts (nothing
 * truncated), and a refused one always comes with a reason
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ssh_cmd.h"

#define CHECK(c)                                                   \
	do {                                                       \
		if (!(c)) {                                        \
			fprintf(stderr, "check failed: %s\n", #c); \
			abort();                                   \
		}                                                  \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	struct rpmem_target t;
	char why[160];
	if (rpmem_target_parse(s, &t, why, sizeof(why)) == 0) {
		/* nothing was cut: the parts are the input's own */
		CHECK(strlen(t.user) <= RPMEM_USER_MAX);
		CHECK(strlen(t.node) <= RPMEM_NODE_MAX);
		CHECK(strlen(t.service) <= RPMEM_SERVICE_MAX);
		CHECK(t.node[0] != '\0' && t.node[0] != '-');
		CHECK(strstr(s, t.node) != NULL);
		CHECK(!t.has_user ||
			(t.user[0] != '\0' && t.user[0] != '-' &&
				strncmp(s, t.user, strlen(t.user)) == 0 &&
				s[strlen(t.user)] == '@'));
		if (t.has_service) {
			int port = 0;
			CHECK(rpmem_target_port(
				      t.service, &port, why, sizeof(why)) == 0);
			CHECK(port >= 1 && port <= 65535);
		}
		char dest[RPMEM_USER_MAX + RPMEM_NODE_MAX + 2];
		rpmem_ssh_dest(dest, sizeof(dest), &t);
		const char *argv[10];
		int n = rpmem_ssh_argv(argv, "ssh", &t, 1, dest, "rpmemd");
		CHECK(n < 10 && argv[n] == NULL);
	} else {
		/* every refusal says why */
		CHECK(why[0] != '\0');
	}

	/* the quoted word holds no unquoted single quote */
	char *cmd = rpmem_remove_cmd("rpmemd", s, 3);
	if (cmd != NULL) {
		const char *q = strstr(cmd, "--remove '");
		CHECK(q != NULL);
		q += strlen("--remove '");
		size_t len = strlen(s);
		for (size_t i = 0; i < len; i++) {
			if (s[i] == '\'') {
				CHECK(strncmp(q, "'\\''", 4) == 0);
				q += 4;
			} else {
				CHECK(*q == s[i]);
				q++;
			}
		}
		CHECK(strcmp(q, "' --force --pool-set") == 0);
		free(cmd);
	}
	free(s);
	return 0;
}
