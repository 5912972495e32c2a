/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz-poolset-parse.c -- pool set file parser on arbitrary bytes */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "poolset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* checked in every build type (assert() vanishes with NDEBUG) */
#define CHECK(c)                 \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct poolset *set = NULL;
	char err[128];
	int ret =
		poolset_parse((const char *)data, size, &set, err, sizeof(err));
	if (ret == 0) {
		/* what the parser promises about a successful result */
		CHECK(set->nreplicas >= 1);
		CHECK(set->replicas[0].node == NULL);
		for (unsigned r = 0; r < set->nreplicas; r++) {
			const struct poolset_replica *rep = &set->replicas[r];
			CHECK((rep->node == NULL) == (rep->nparts > 0));
			for (unsigned p = 0; p < rep->nparts; p++) {
				CHECK(rep->parts[p].path[0] == '/');
				CHECK(rep->parts[p].size > 0);
			}
			if (rep->node == NULL)
				(void)poolset_replica_size(set, r);
		}
		poolset_free(set);
	} else {
		CHECK(set == NULL);
		CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	}
	/* sizes */
	char s[32];
	size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
	memcpy(s, data, n);
	s[n] = '\0';
	size_t v;
	if (poolset_parse_size(s, &v) == 0)
		CHECK(v > 0);
	return 0;
}
