/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz-poolset-parse.c -- pool set file parser on arbitrary bytes */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "poolset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct poolset *set = NULL;
	char err[128];
	int ret =
		poolset_parse((const char *)data, size, &set, err, sizeof(err));
	if (ret == 0) {
		/* what the parser promises about a successful result */
		assert(set->nreplicas >= 1);
		assert(set->replicas[0].node == NULL);
		for (unsigned r = 0; r < set->nreplicas; r++) {
			const struct poolset_replica *rep = &set->replicas[r];
			assert((rep->node == NULL) == (rep->nparts > 0));
			for (unsigned p = 0; p < rep->nparts; p++) {
				assert(rep->parts[p].path[0] == '/');
				assert(rep->parts[p].size > 0);
			}
			if (rep->node == NULL)
				(void)poolset_replica_size(set, r);
		}
		poolset_free(set);
	} else {
		assert(set == NULL);
		assert(memchr(err, '\0', sizeof(err)) != NULL);
	}
	/* sizes */
	char s[32];
	size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
	memcpy(s, data, n);
	s[n] = '\0';
	size_t v;
	if (poolset_parse_size(s, &v) == 0)
		assert(v > 0);
	return 0;
}
