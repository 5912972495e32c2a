/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz-rpmemd-config.c -- rpmemd configuration file parser */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

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
	struct rpmemd_config cfg;
	rpmemd_config_defaults(&cfg);
	char err[256];
	err[0] = '\0';
	unsigned skip = size ? data[0] & 0x3f : 0;
	int ret = rpmemd_config_parse_buf(&cfg, (const char *)data, size,
		"fuzz.conf", skip, err, sizeof(err));
	if (ret == 0) {
		CHECK(cfg.log_file != NULL && cfg.poolset_dir != NULL);
		CHECK(cfg.persist_apm == 0 || cfg.persist_apm == 1);
		CHECK(cfg.use_syslog == 0 || cfg.use_syslog == 1);
		CHECK(cfg.log_level < MAX_RPD_LOG);
	} else {
		CHECK(strncmp(err, "Invalid config file line at fuzz.conf:",
			      38) == 0);
	}
	char *out = NULL;
	char s[64];
	size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
	memcpy(s, data, n);
	s[n] = '\0';
	if (rpmemd_config_subst_home(s, "/home/user", &out) == 0)
		free(out);
	rpmemd_config_free(&cfg);
	return 0;
}
