/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wire-vec.c -- out-of-band test vectors: made from recorded ssh channel
 * bytes, played into a daemon, compared field by field
 *
 * usage:
 *   wire-vec split <tee-prefix> <remote-command>     > conversation.vec
 *   wire-vec replay <ref.vec> <got.vec> <daemon> [args...]
 *   wire-vec compare <ref.vec> <got.vec> [--our-client] [--our-daemon]
 *
 * A .vec file is text, one entry a line ('#' starts a comment line):
 *   argv <words>  arguments appended to the daemon command (remove mode)
 *   c2d <hex>     one message from the client to the daemon
 *   d2c <hex>     one message (or status word) from the daemon to the client
 *   exit <n>      the daemon's exit status
 * split turns the files wire-tee.sh writes into that form. replay plays the
 * c2d entries of ref.vec into a daemon it starts on a socket pair (playing
 * the client, including the fabric lanes of a successful create or open),
 * and writes what came back as got.vec. compare checks got against ref,
 * field by field, allowing only the fields that vary per run (and, with
 * --our-client / --our-daemon, our documented differences); wire-cmp.c and
 * vectors/README.md list them.
 */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wire-vec.h"

#define MAX_ENTRIES (sizeof(((struct vec *)0)->e) / sizeof(struct ventry))
#define MAX_MSG 65536
#define IO_WAIT_MS 120000 /* a hang guard only; nothing is timed */

static void
die(const char *what)
{
	fprintf(stderr, "wire-vec: %s: %s\n", what,
		errno ? strerror(errno) : "");
	exit(2);
}

/* ---- .vec files ---- */

/* value of one hex digit, -1 if c is none */
static int
hexval(int c)
{
	static const char digits[] = "0123456789abcdef";
	const char *p = c ? strchr(digits, tolower(c)) : NULL;
	return p ? (int)(p - digits) : -1;
}

static void
add_entry(struct vec *v, enum vkind kind, const void *buf, size_t len)
{
	if (v->n == MAX_ENTRIES)
		die("too many entries");
	struct ventry *e = &v->e[v->n++];
	e->kind = kind;
	e->len = len;
	e->buf = malloc(len + 1);
	if (e->buf == NULL)
		die("malloc");
	memcpy(e->buf, buf, len);
	e->buf[len] = '\0';
}

static int
parse_line(struct vec *v, char *line)
{
	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] == '#' || line[0] == '\0')
		return 0;
	char *sp = strchr(line, ' ');
	const char *arg = sp ? sp + 1 : "";
	if (sp)
		*sp = '\0';
	if (strcmp(line, "argv") == 0) {
		add_entry(v, V_ARGV, arg, strlen(arg));
		return 0;
	}
	if (strcmp(line, "exit") == 0) {
		add_entry(v, V_EXIT, arg, strlen(arg));
		return 0;
	}
	enum vkind k;
	if (strcmp(line, "c2d") == 0)
		k = V_C2D;
	else if (strcmp(line, "d2c") == 0)
		k = V_D2C;
	else
		return -1;
	size_t n = strlen(arg);
	if (n % 2 || n / 2 > MAX_MSG)
		return -1;
	unsigned char *b = malloc(n / 2 + 1);
	if (b == NULL)
		die("malloc");
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(arg[2 * i]), lo = hexval(arg[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(b);
			return -1;
		}
		b[i] = (unsigned char)(hi << 4 | lo);
	}
	add_entry(v, k, b, n / 2);
	free(b);
	return 0;
}

void
vec_read(const char *path, struct vec *v)
{
	memset(v, 0, sizeof(*v));
	FILE *f = fopen(path, "re");
	if (f == NULL)
		die(path);
	static char line[2 * MAX_MSG + 64];
	unsigned no = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		no++;
		if (parse_line(v, line)) {
			fprintf(stderr, "wire-vec: %s:%u: bad line\n", path,
				no);
			exit(2);
		}
	}
	fclose(f);
}

void
vec_write(FILE *f, const struct vec *v)
{
	static const char *names[] = {"argv", "c2d", "d2c", "exit"};
	for (size_t i = 0; i < v->n; i++) {
		const struct ventry *e = &v->e[i];
		fprintf(f, "%s", names[e->kind]);
		if (e->kind == V_ARGV || e->kind == V_EXIT) {
			fprintf(f, " %s\n", (const char *)e->buf);
			continue;
		}
		fprintf(f, " ");
		for (size_t j = 0; j < e->len; j++)
			fprintf(f, "%02x", e->buf[j]);
		fprintf(f, "\n");
	}
}

void
vec_free(struct vec *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->e[i].buf);
	v->n = 0;
}

/* ---- split: wire-tee.sh files to a .vec ---- */

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	*len = 0;
	if (f == NULL)
		return NULL;
	unsigned char *b = malloc(MAX_MSG * 4);
	if (b == NULL)
		die("malloc");
	*len = fread(b, 1, MAX_MSG * 4, f);
	fclose(f);
	return b;
}

/* length of the message at p (n bytes left); 0: not a whole message */
static size_t
msg_len(const unsigned char *p, size_t n, size_t hdr_size)
{
	if (n < hdr_size)
		return 0;
	uint64_t size = be64_at(p + hdr_size - 8);
	return size >= hdr_size && size <= n ? (size_t)size : 0;
}

/* 1 for the messages our daemon sends after an answer that flags them */
static int
is_ext_msg(const unsigned char *p)
{
	uint32_t t = be32_at(p + 4);
	return t == RPMEM_MSG_TYPE_AUTH || t == RPMEM_MSG_TYPE_LIVE;
}

/* adds the daemon's answer at p (and our secret and liveness parameters
 * after it); bytes used */
static size_t
split_answer(struct vec *v, const unsigned char *p, size_t n)
{
	size_t used = msg_len(p, n, 16);
	if (used == 0)
		return 0;
	add_entry(v, V_D2C, p, used);
	size_t l;
	while ((l = msg_len(p + used, n - used, 16)) != 0 &&
		is_ext_msg(p + used)) {
		add_entry(v, V_D2C, p + used, l);
		used += l;
	}
	return used;
}

static int
cmd_split(const char *pfx, const char *cmd)
{
	char path[4096];
	struct vec v = {0};
	size_t nc, nd;
	snprintf(path, sizeof(path), "%s.c2d", pfx);
	unsigned char *c = slurp(path, &nc);
	snprintf(path, sizeof(path), "%s.d2c", pfx);
	unsigned char *d = slurp(path, &nd);
	snprintf(path, sizeof(path), "%s.argv", pfx);
	size_t na;
	char *argv = (char *)slurp(path, &na);
	if (c == NULL || d == NULL || argv == NULL)
		die(path);
	/* the remote command is the last line; keep what follows cmd */
	argv[na] = '\0';
	while (na > 0 && argv[na - 1] == '\n')
		argv[--na] = '\0';
	char *last = strrchr(argv, '\n');
	last = last ? last + 1 : argv;
	size_t cl = strlen(cmd);
	if (strncmp(last, cmd, cl) == 0 && last[cl] == ' ')
		add_entry(&v, V_ARGV, last + cl + 1, strlen(last + cl + 1));
	else if (strcmp(last, cmd) != 0)
		fprintf(stderr, "wire-vec: remote command '%s'\n", last);
	size_t dp = 0, cp = 0;
	if (nd >= 4) {
		add_entry(&v, V_D2C, d, 4); /* the status word */
		dp = 4;
	}
	while (cp < nc) {
		size_t l = msg_len(c + cp, nc - cp, 12);
		if (l == 0)
			break;
		add_entry(&v, V_C2D, c + cp, l);
		cp += l;
		dp += split_answer(&v, d + dp, nd - dp);
	}
	if (cp < nc)
		add_entry(&v, V_C2D, c + cp, nc - cp);
	if (dp < nd)
		add_entry(&v, V_D2C, d + dp, nd - dp);
	snprintf(path, sizeof(path), "%s.exit", pfx);
	char *ex = (char *)slurp(path, &na);
	if (ex == NULL)
		die(path);
	ex[na] = '\0';
	ex[strcspn(ex, "\n")] = '\0';
	add_entry(&v, V_EXIT, ex, strlen(ex));
	vec_write(stdout, &v);
	free(c);
	free(d);
	free(argv);
	free(ex);
	vec_free(&v);
	return 0;
}

/* ---- replay: play the client side into a daemon ---- */

struct daemon {
	pid_t pid;
	int fd; /* our end of the daemon's stdin and stdout */
};

static void
spawn_daemon(struct daemon *dm, char **argv, const struct vec *ref)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		die("socketpair");
	char *args[64];
	size_t n = 0;
	for (; argv[n] != NULL && n < 32; n++)
		args[n] = argv[n];
	static char words[4096];
	for (size_t i = 0; i < ref->n; i++) {
		if (ref->e[i].kind != V_ARGV)
			continue;
		snprintf(words, sizeof(words), "%s", (char *)ref->e[i].buf);
		for (char *w = strtok(words, " "); w && n < 62;
			w = strtok(NULL, " "))
			args[n++] = w;
	}
	args[n] = NULL;
	dm->pid = fork();
	if (dm->pid < 0)
		die("fork");
	if (dm->pid == 0) {
		dup2(sv[1], 0);
		dup2(sv[1], 1);
		/* what sshd gives the daemon: client and server on loopback */
		if (getenv("SSH_CONNECTION") == NULL)
			setenv("SSH_CONNECTION", "127.0.0.1 40000 127.0.0.1 22",
				1);
		execv(args[0], args);
		_exit(127);
	}
	close(sv[1]);
	dm->fd = sv[0];
}

/* reads exactly len bytes; returns how many came before EOF */
static size_t
read_n(int fd, unsigned char *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r = poll(&p, 1, IO_WAIT_MS);
		if (r == 0) {
			fprintf(stderr, "wire-vec: daemon silent\n");
			break;
		}
		ssize_t n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

/* reads one daemon message shaped like want; adds it; 0, or -1 on EOF */
static int
read_d2c(int fd, const struct ventry *want, struct vec *got)
{
	static unsigned char buf[MAX_MSG];
	size_t first = want->len < 16 ? want->len : 16;
	size_t n = read_n(fd, buf, first);
	if (n == first && first == 16) {
		uint64_t size = be64_at(buf + 8);
		if (size > 16 && size <= MAX_MSG)
			n += read_n(fd, buf + 16, (size_t)size - 16);
	}
	if (n > 0)
		add_entry(got, V_D2C, buf, n);
	return n == 0 || n < first ? -1 : 0;
}

static void
write_all(int fd, const unsigned char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* the daemon is gone; the answer shows it */
		buf += n;
		len -= (size_t)n;
	}
}

/* after a successful create/open answer: connect the lanes it offers */
static void
maybe_connect(
	struct lanes *l, const struct ventry *req, struct vec *got, int fd)
{
	const struct ventry *resp = &got->e[got->n - 1];
	if (resp->len < 44) /* no successful create or open response */
		return;
	uint32_t type = be32_at(resp->buf + 4);
	if ((type != RPMEM_MSG_TYPE_CREATE_RESP &&
		    type != RPMEM_MSG_TYPE_OPEN_RESP) ||
		be32_at(resp->buf) != 0)
		return;
	uint32_t pm = be32_at(resp->buf + 20);
	unsigned char secret[RPMEM_AUTH_SECRET_LEN];
	size_t slen = 0;
	if (pm & RPMEM_AUTH_PM_FLAG) {
		struct ventry auth = {.kind = V_D2C, .len = 32};
		if (read_d2c(fd, &auth, got) == 0) {
			memcpy(secret, got->e[got->n - 1].buf + 16,
				sizeof(secret));
			slen = sizeof(secret);
		}
	}
	uint32_t prov = be32_at(req->buf + 12 + 16);
	uint32_t nlanes;
	memcpy(&nlanes, resp->buf + 40, 4); /* host order on the wire */
	if (lanes_connect(l, prov, be32_at(resp->buf + 16), nlanes,
		    slen ? secret : NULL, slen))
		fprintf(stderr, "wire-vec: fabric lanes not connected\n");
}

static int
cmd_replay(const char *refp, const char *gotp, char **dargv)
{
	struct vec ref, got = {0};
	vec_read(refp, &ref);
	struct daemon dm;
	spawn_daemon(&dm, dargv, &ref);
	struct lanes lanes = {0};
	const struct ventry *last_req = NULL;
	int eof = 0;
	for (size_t i = 0; i < ref.n && !eof; i++) {
		const struct ventry *e = &ref.e[i];
		if (e->kind == V_ARGV)
			add_entry(&got, V_ARGV, e->buf, e->len);
		if (e->kind == V_C2D) {
			if (be32_at(e->buf) == RPMEM_MSG_TYPE_CLOSE)
				lanes_close(&lanes);
			write_all(dm.fd, e->buf, e->len);
			add_entry(&got, V_C2D, e->buf, e->len);
			last_req = e;
		}
		if (e->kind != V_D2C)
			continue;
		/* our session-binding secret is read with its response */
		if (e->len >= 16 && be32_at(e->buf + 4) == RPMEM_MSG_TYPE_AUTH)
			continue;
		eof = read_d2c(dm.fd, e, &got) != 0;
		if (!eof && last_req != NULL)
			maybe_connect(&lanes, last_req, &got, dm.fd);
	}
	lanes_close(&lanes);
	shutdown(dm.fd, SHUT_WR);
	static unsigned char rest[MAX_MSG];
	size_t n = read_n(dm.fd, rest, sizeof(rest));
	if (n > 0)
		add_entry(&got, V_D2C, rest, n);
	close(dm.fd);
	int st;
	while (waitpid(dm.pid, &st, 0) < 0 && errno == EINTR)
		;
	char ex[16];
	snprintf(ex, sizeof(ex), "%d",
		WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	add_entry(&got, V_EXIT, ex, strlen(ex));
	FILE *f = fopen(gotp, "we");
	if (f == NULL)
		die(gotp);
	vec_write(f, &got);
	fclose(f);
	vec_free(&ref);
	vec_free(&got);
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc == 4 && strcmp(argv[1], "split") == 0)
		return cmd_split(argv[2], argv[3]);
	if (argc >= 5 && strcmp(argv[1], "replay") == 0)
		return cmd_replay(argv[2], argv[3], argv + 4);
	if (argc >= 4 && strcmp(argv[1], "compare") == 0) {
		int client = 0, daemon = 0;
		for (int i = 4; i < argc; i++) {
			if (strcmp(argv[i], "--our-client") == 0)
				client = 1;
			else if (strcmp(argv[i], "--our-daemon") == 0)
				daemon = 1;
			else
				return 2;
		}
		return vec_compare(argv[2], argv[3], client, daemon);
	}
	fprintf(stderr,
		"usage: wire-vec split <tee-prefix> <remote-command>\n"
		"       wire-vec replay <ref.vec> <got.vec> <daemon> [args]\n"
		"       wire-vec compare <ref.vec> <got.vec> [--our-client]"
		" [--our-daemon]\n");
	return 2;
}
