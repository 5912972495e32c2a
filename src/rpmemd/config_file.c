/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config_file.c -- rpmemd's configuration files: reading them, their
 * "key = value" lines, and $HOME in a value
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "file.h"
#include "fault_inject.h"

static int
parse_bool(const char *v, int *out)
{
	if (strcmp(v, "yes") == 0)
		*out = 1;
	else if (strcmp(v, "no") == 0)
		*out = 0;
	else
		return -EINVAL;
	return 0;
}

int
rpmemd_config_parse_timeout(const char *val, unsigned *out, const char **why)
{
	unsigned long long v = 0;
	const char *p = val;
	if (*p == '\0') {
		*why = "no value";
		return -EINVAL;
	}
	for (; *p; p++) {
		if (*p < '0' || *p > '9') {
			*why = "not a whole number of seconds";
			return -EINVAL;
		}
		v = v * 10 + (unsigned)(*p - '0');
		if (v > RPMEMD_MAX_LIVENESS_TIMEOUT)
			break;
	}
	if (v == 0 || v > RPMEMD_MAX_LIVENESS_TIMEOUT) {
		*why = "out of range (1 to 86400 seconds)";
		return -EINVAL;
	}
	*out = (unsigned)v;
	return 0;
}

static char *
trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/*
 * apply one key/value; -EINVAL for an unknown key or a bad value (*why
 * then says what is wrong with the value, where there is more to say)
 */
static int
apply(struct rpmemd_config *cfg, const char *key, const char *val,
	unsigned skip, const char **why)
{
	int b;
	if (strcmp(key, "liveness-timeout") == 0) {
		unsigned t;
		if (rpmemd_config_parse_timeout(val, &t, why))
			return -EINVAL;
		if (!(skip & RPMEMD_OPT_LIVENESS_TIMEOUT))
			cfg->liveness_timeout = t;
		return 0;
	}
	if (strcmp(key, "log-file") == 0) {
		if (skip & RPMEMD_OPT_LOG_FILE)
			return 0;
		if (rpmemd_config_set_str(&cfg->log_file, val))
			return -ENOMEM;
		if (!(skip & RPMEMD_OPT_USE_SYSLOG))
			cfg->use_syslog = 0;
		return 0;
	}
	if (strcmp(key, "poolset-dir") == 0) {
		if (skip & RPMEMD_OPT_POOLSET_DIR)
			return 0;
		return rpmemd_config_set_str(&cfg->poolset_dir, val);
	}
	if (strcmp(key, "log-level") == 0) {
		int l = rpmemd_log_level_from_str(val);
		if (l < 0)
			return -EINVAL;
		if (!(skip & RPMEMD_OPT_LOG_LEVEL))
			cfg->log_level = (enum rpmemd_log_level)l;
		return 0;
	}
	static const struct {
		const char *key;
		unsigned opt;
		size_t off;
	} bools[] = {
		{"persist-apm", RPMEMD_OPT_PERSIST_APM,
			offsetof(struct rpmemd_config, persist_apm)},
		{"persist-general", RPMEMD_OPT_PERSIST_GENERAL,
			offsetof(struct rpmemd_config, persist_general)},
		{"use-syslog", RPMEMD_OPT_USE_SYSLOG,
			offsetof(struct rpmemd_config, use_syslog)},
		{"require-auth", RPMEMD_OPT_REQUIRE_AUTH,
			offsetof(struct rpmemd_config, require_auth)},
		{"check-source", RPMEMD_OPT_CHECK_SOURCE,
			offsetof(struct rpmemd_config, check_source)},
		{"allow-sockets", RPMEMD_OPT_ALLOW_SOCKETS,
			offsetof(struct rpmemd_config, allow_sockets)},
	};
	for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		if (strcmp(key, bools[i].key) != 0)
			continue;
		if (parse_bool(val, &b))
			return -EINVAL;
		if (!(skip & bools[i].opt))
			*(int *)((char *)cfg + bools[i].off) = b;
		return 0;
	}
	return -EINVAL;
}

int
rpmemd_config_parse_buf(struct rpmemd_config *cfg, const char *buf, size_t len,
	const char *fname, unsigned skip, char *err, size_t errlen)
{
	const char *p = buf;
	const char *end = buf + len;
	unsigned lineno = 0;
	while (p < end) {
		const char *start = p;
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		lineno++;
		char *line = fault_malloc(n + 1);
		if (line == NULL)
			return -ENOMEM;
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl ? nl + 1 : end;

		int ret = 0;
		const char *why = NULL;
		if (strlen(line) != n) {
			ret = -EINVAL; /* embedded NUL */
		} else {
			char *hash = strchr(line, '#');
			if (hash)
				*hash = '\0';
			char *t = trim(line);
			if (*t != '\0') {
				char *eq = strchr(t, '=');
				if (eq == NULL) {
					ret = -EINVAL;
				} else {
					*eq = '\0';
					char *key = trim(t);
					char *val = trim(eq + 1);
					if (*key == '\0' || *val == '\0')
						ret = -EINVAL;
					else
						ret = apply(cfg, key, val, skip,
							&why);
				}
			}
		}
		if (ret) {
			if (err && errlen) {
				int shown = (int)(n > 200 ? 200 : n);
				snprintf(err, errlen,
					"Invalid config file line at %s:%u: "
					"%.*s%s%s%s",
					fname, lineno, shown,
					ret == -EINVAL ? start : "",
					why ? " (" : "", why ? why : "",
					why ? ")" : "");
			}
			free(line);
			return ret;
		}
		free(line);
	}
	return 0;
}

int
rpmemd_config_subst_home(const char *in, const char *home, char **out)
{
	/* only the first occurrence counts, as in PMDK */
	const char *hit = strstr(in, "$HOME");
	if (hit != NULL && isalnum((unsigned char)hit[5]))
		hit = NULL;
	if (hit == NULL || home == NULL) {
		*out = fault_strdup(in);
		return *out ? 0 : -ENOMEM;
	}
	size_t pre = (size_t)(hit - in);
	size_t len = pre + strlen(home) + strlen(hit + 5) + 1;
	char *s = fault_malloc(len);
	if (s == NULL)
		return -ENOMEM;
	snprintf(s, len, "%.*s%s%s", (int)pre, in, home, hit + 5);
	*out = s;
	return 0;
}

static int
read_file(struct rpmemd_config *cfg, const char *path, int must_exist,
	unsigned skip, char *err, size_t errlen)
{
	FILE *f = file_fopen_read(path); /* never blocks on a FIFO */
	if (f == NULL) {
		int e = errno;
		struct stat st;
		if (!must_exist && e == ENOENT)
			return 0;
		if (e == EINVAL && stat(path, &st) == 0)
			snprintf(err, errlen, "%s: is %s, not a regular file",
				path, file_kind(st.st_mode));
		else
			snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	char *buf = NULL;
	size_t cap = 0, len = 0;
	int ret = 0;
	for (;;) {
		if (len + 4096 > cap) {
			cap = cap ? cap * 2 : 8192;
			if (cap > (1U << 20)) {
				snprintf(err, errlen, "%s: file too large",
					path);
				ret = -EFBIG;
				goto out;
			}
			char *nb = fault_realloc(buf, cap);
			if (nb == NULL) {
				ret = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		size_t r = fread(buf + len, 1, cap - len, f);
		len += r;
		if (r == 0) {
			if (ferror(f)) {
				ret = -EIO;
				snprintf(err, errlen, "%s: read error", path);
			}
			break;
		}
	}
	if (ret == 0)
		ret = rpmemd_config_parse_buf(
			cfg, buf, len, path, skip, err, errlen);
out:
	free(buf);
	fclose(f);
	return ret;
}

/* -c file, or the global and then the user's configuration file */
int
rpmemd_config_read_files(struct rpmemd_config *cfg, const char *config_file,
	const char *home, unsigned given, char *err, size_t errlen)
{
	if (config_file)
		return read_file(cfg, config_file, 1, given, err, errlen);
	int ret = read_file(cfg, RPMEMD_GLOBAL_CONFIG, 0, given, err, errlen);
	if (ret == 0 && home != NULL) {
		char path[4096];
		int n = snprintf(
			path, sizeof(path), "%s/%s", home, RPMEMD_USER_CONFIG);
		if (n > 0 && (size_t)n < sizeof(path))
			ret = read_file(cfg, path, 0, given, err, errlen);
	}
	return ret;
}
