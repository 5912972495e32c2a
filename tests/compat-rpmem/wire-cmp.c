/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wire-cmp.c -- compares two out-of-band conversations field by field
 *
 * Fields that differ on every run and are therefore not compared: the
 * fabric port, rkey and raddr of a successful CREATE_RESP/OPEN_RESP (a
 * listening port and the daemon's memory registration; only checked to be
 * non-zero). With our_client, also our client's extensions: buff_size 8288
 * (session binding and pings) where PMDK sends 8192 in CREATE/OPEN, the
 * extension bits (0xc0000000) on persist_method in a successful answer,
 * the secret and liveness messages that follow such an answer, PING/PONG
 * exchanges anywhere after it, and the shell quoting of the pool
 * set name in the remove command line (the words the remote shell makes of
 * it must be the same). With our_daemon, our answer to a
 * malformed request (compare_dropped()). Everything else must be equal.
 */
#include <stdio.h>
#include <string.h>

#include "wire-vec.h"

struct field {
	size_t off, len;
	const char *name;
};

static const struct field Req[] = {{0, 4, "type"}, {4, 8, "size"},
	{12, 2, "major"}, {14, 2, "minor"}, {16, 8, "pool_size"},
	{24, 4, "nlanes"}, {28, 4, "provider"}, {32, 8, "buff_size"},
	{40, 104, "pool_attr or pool_desc"}, {144, 4, "pool_desc.size"}};
static const struct field Resp[] = {{0, 4, "status"}, {4, 4, "type"},
	{8, 8, "size"}, {16, 4, "ibc.port"}, {20, 4, "ibc.persist_method"},
	{24, 8, "ibc.rkey"}, {32, 8, "ibc.raddr"}, {40, 4, "ibc.nlanes"},
	{44, 104, "pool_attr"}};

static const char *
field_name(const struct ventry *e, size_t off)
{
	const struct field *t = e->kind == V_C2D ? Req : Resp;
	size_t n = e->kind == V_C2D ? sizeof(Req) / sizeof(Req[0])
				    : sizeof(Resp) / sizeof(Resp[0]);
	if (e->len == 4)
		return "status word";
	for (size_t i = 0; i < n; i++)
		if (off >= t[i].off && off < t[i].off + t[i].len)
			return t[i].name;
	return "payload";
}

static int
is_open_answer(const struct ventry *e)
{
	if (e->kind != V_D2C || e->len < 44 || be32_at(e->buf) != 0)
		return 0;
	uint32_t t = be32_at(e->buf + 4);
	return t == RPMEM_MSG_TYPE_CREATE_RESP || t == RPMEM_MSG_TYPE_OPEN_RESP;
}

/* 1 if byte off of got may differ from ref */
static int
may_differ(const struct ventry *r, const struct ventry *g, size_t off,
	int our_client)
{
	if (is_open_answer(r) && is_open_answer(g)) {
		if ((off >= 16 && off < 20) || (off >= 24 && off < 40))
			return 1; /* port, rkey, raddr */
		if (our_client && off >= 20 && off < 24)
			return (be32_at(g->buf + 20) & ~RPMEM_EXT_PM_FLAGS) ==
			       be32_at(r->buf + 20);
	}
	if (our_client && r->kind == V_C2D && r->len >= 40 && off >= 32 &&
		off < 40) {
		uint32_t t = be32_at(r->buf);
		if (t == RPMEM_MSG_TYPE_CREATE || t == RPMEM_MSG_TYPE_OPEN)
			return be64_at(r->buf + 32) == RPMEM_DEF_BUFF_SIZE &&
			       be64_at(g->buf + 32) ==
				       RPMEM_DEF_BUFF_SIZE +
					       RPMEM_LIVE_BUFF_TAG +
					       RPMEM_AUTH_BUFF_TAG;
	}
	return 0;
}

/* the words a POSIX shell makes of s (quotes, backslashes), space-joined */
static void
shell_words(const char *s, char *out, size_t len)
{
	size_t o = 0;
	int quoted = 0, inword = 0;
	for (; *s && o + 2 < len; s++) {
		if (quoted) {
			if (*s == '\'')
				quoted = 0;
			else
				out[o++] = *s;
			continue;
		}
		if (*s == ' ' || *s == '\t') {
			if (inword)
				out[o++] = ' ';
			inword = 0;
			continue;
		}
		inword = 1;
		if (*s == '\'')
			quoted = 1;
		else if (*s == '\\' && s[1] != '\0')
			out[o++] = *++s;
		else
			out[o++] = *s;
	}
	out[o] = '\0';
}

/* our client quotes the pool set name; the remote shell's words count */
static int
compare_argv(size_t i, const struct ventry *r, const struct ventry *g)
{
	char a[512], b[512];
	shell_words((const char *)r->buf, a, sizeof(a));
	shell_words((const char *)g->buf, b, sizeof(b));
	if (strcmp(a, b) == 0)
		return 0;
	printf("entry %zu (argv): '%s' expected, got '%s'\n", i, a, b);
	return 1;
}

static int
compare_entry(size_t i, const struct ventry *r, const struct ventry *g,
	int our_client)
{
	static const char *names[] = {"argv", "c2d", "d2c", "exit"};
	if (our_client && r->kind == V_ARGV && g->kind == V_ARGV)
		return compare_argv(i, r, g);
	if (r->kind != g->kind) {
		printf("entry %zu: expected %s, got %s\n", i, names[r->kind],
			names[g->kind]);
		return 1;
	}
	if (r->len != g->len) {
		printf("entry %zu (%s): %zu bytes expected, got %zu\n", i,
			names[r->kind], r->len, g->len);
		return 1;
	}
	int bad = 0;
	const char *last = NULL;
	for (size_t off = 0; off < r->len; off++) {
		if (r->buf[off] == g->buf[off] ||
			may_differ(r, g, off, our_client))
			continue;
		const char *f = r->kind == V_ARGV || r->kind == V_EXIT
					? names[r->kind]
					: field_name(r, off);
		if (f != last)
			printf("entry %zu (%s): field %s differs at byte %zu\n",
				i, names[r->kind], f, off);
		last = f;
		bad = 1;
	}
	if (is_open_answer(g) &&
		(be32_at(g->buf + 16) == 0 || be64_at(g->buf + 32) == 0)) {
		printf("entry %zu: zero port or raddr in a successful answer\n",
			i);
		bad = 1;
	}
	return bad;
}

static int
is_msg(const struct ventry *e, enum vkind kind, uint32_t type, size_t len)
{
	size_t t = kind == V_C2D ? 0 : 4;
	return e->kind == kind && e->len == len &&
	       (kind == V_C2D || be32_at(e->buf) == 0) &&
	       be32_at(e->buf + t) == type && be64_at(e->buf + t + 4) == len;
}

static int
is_auth(const struct ventry *e)
{
	return is_msg(
		e, V_D2C, RPMEM_MSG_TYPE_AUTH, sizeof(struct rpmem_msg_auth));
}

static int
is_live(const struct ventry *e)
{
	return is_msg(
		e, V_D2C, RPMEM_MSG_TYPE_LIVE, sizeof(struct rpmem_msg_live));
}

/*
 * 1 if got entry j is one of our extension messages: the secret or the
 * liveness parameters after an answer whose flags announced them, or a
 * PING and its PONG
 */
static int
is_ext(const struct vec *got, size_t j)
{
	const struct ventry *e = &got->e[j];
	if (is_msg(e, V_C2D, RPMEM_MSG_TYPE_PING, 12) ||
		is_msg(e, V_D2C, RPMEM_MSG_TYPE_PONG, 16))
		return 1;
	if (!is_auth(e) && !is_live(e))
		return 0;
	size_t k = j; /* the answer before the run of AUTH/LIVE entries */
	while (k > 0 && (is_auth(&got->e[k - 1]) || is_live(&got->e[k - 1])))
		k--;
	if (k == 0 || !is_open_answer(&got->e[k - 1]))
		return 0;
	uint32_t pm = be32_at(got->e[k - 1].buf + 20);
	return (pm & (is_auth(e) ? RPMEM_AUTH_PM_FLAG : RPMEM_LIVE_PM_FLAG)) !=
	       0;
}

/* 1 if ref entry i is PMDK's status word before exit 255 (dropped) */
static int
is_dropped(const struct vec *ref, size_t i)
{
	const struct ventry *e = &ref->e[i];
	return i > 0 && e->kind == V_D2C && e->len == 4 && i + 1 < ref->n &&
	       ref->e[i + 1].kind == V_EXIT &&
	       strcmp((const char *)ref->e[i + 1].buf, "255") == 0;
}

/*
 * Where PMDK drops the session after a malformed request (a status word
 * holding whatever errno was, exit 255), our daemon answers with an error
 * response of the request's type (BADPROTO, BADPROVIDER or BADNLANES) or
 * with a non-zero status word, and also exits with 255. Checks the bytes
 * from got entry *j on and moves *j past them.
 */
static int
compare_dropped(
	size_t i, const struct vec *got, size_t *j, const struct ventry *req)
{
	unsigned char b[256];
	size_t n = 0;
	for (; *j < got->n && got->e[*j].kind == V_D2C; (*j)++) {
		const struct ventry *e = &got->e[*j];
		if (n + e->len > sizeof(b))
			break;
		memcpy(b + n, e->buf, e->len);
		n += e->len;
	}
	uint32_t word;
	memcpy(&word, b, sizeof(word));
	if (n == 4 && word != 0)
		return 0;
	uint32_t want = req ? be32_at(req->buf) + 1 : 0, st = be32_at(b);
	if (n >= 16 && be32_at(b + 4) == want && be64_at(b + 8) == n &&
		(st == RPMEM_ERR_BADPROTO || st == RPMEM_ERR_BADPROVIDER ||
			st == RPMEM_ERR_BADNLANES))
		return 0;
	printf("entry %zu: neither an error status word nor an error "
	       "answer to a malformed request\n",
		i);
	return 1;
}

/*
 * Our daemon exits 1 after it refused a request (rpmemd(1): 0 only for a
 * clean close) where PMDK's exits 0: accepted when an earlier answer of
 * the conversation carried a non-zero status.
 */
static int
refusal_exit(const struct vec *ref, size_t i, const struct ventry *g)
{
	const struct ventry *r = &ref->e[i];
	if (r->kind != V_EXIT || g->kind != V_EXIT ||
		strcmp((const char *)r->buf, "0") != 0 ||
		strcmp((const char *)g->buf, "1") != 0)
		return 0;
	for (size_t k = 0; k < i; k++) {
		const struct ventry *e = &ref->e[k];
		if (e->kind == V_D2C && e->len >= 16 && be32_at(e->buf) != 0)
			return 1;
	}
	return 0;
}

int
vec_compare(const char *refp, const char *gotp, int our_client, int our_daemon)
{
	struct vec ref, got;
	vec_read(refp, &ref);
	vec_read(gotp, &got);
	int bad = 0;
	size_t i = 0, j = 0;
	while (i < ref.n && j < got.n) {
		if (our_client && is_ext(&got, j)) {
			j++;
			continue;
		}
		if (our_daemon && is_dropped(&ref, i)) {
			const struct ventry *req =
				i > 0 && ref.e[i - 1].kind == V_C2D &&
						ref.e[i - 1].len >= 4
					? &ref.e[i - 1]
					: NULL;
			bad |= compare_dropped(i, &got, &j, req);
			i++;
			continue;
		}
		if (!(our_daemon && refusal_exit(&ref, i, &got.e[j])))
			bad |= compare_entry(
				i, &ref.e[i], &got.e[j], our_client);
		i++;
		j++;
	}
	while (our_client && j < got.n && is_ext(&got, j))
		j++;
	if (i < ref.n || j < got.n) {
		printf("%zu entries expected, got %zu\n", ref.n, got.n);
		bad = 1;
	}
	printf("%s: %s\n", refp, bad ? "DIFFERS" : "matches");
	vec_free(&ref);
	vec_free(&got);
	return bad;
}
