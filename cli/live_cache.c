// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the last incremental apply left in the kernel, saved so that the
 * next one need not dump 10,000 rules to learn it again: chains, rule
 * handles and keys, sets and objects, in RUNDIR/table.cache.
 *
 * It is trusted only for the very state it describes: the same boot, the
 * same network namespace (its cookie, never reused while the machine
 * runs) and the same ruleset generation, which every commit by anyone
 * changes. The batch built from it is guarded by that generation too, so
 * a cache that is stale in any way can only make the kernel refuse the
 * batch (and fwctl read the table and retry), never change the wrong rule.
 *
 *   fwctl-live-cache 7
 *   id BOOT-ID NETNS-COOKIE GENERATION
 *   source PATH
 *   handles COUNTER                  (the table's last handle given, or 0)
 *   chain NAME BASE HOOK PRIORITY POLICY NAT RULES
 *   (RULES times HANDLE, KEY and LINE, 8 bytes each in this machine's
 *   order; LINE: live_rule.line)
 *   set NAME KEY-TYPE FLAGS TIMEOUT-MS DIGEST  (hex, or - if unknown)
 *   object NAME TYPE KEY
 *   end SUM                          (hex, record_sum() of all before)
 *
 * The rules are bytes, not text: 20,000 of them were most of reading and
 * writing it. The sum finds a damaged byte anywhere: in a rule's key or a
 * set's digest, or a chain's policy that would read as the file's, so
 * that a change of it would not be sent.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "live.h"
#include "record_file.h"
#include "xalloc.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE	71
#endif

#define CACHE_NAME	"table.cache"
#define CACHE_MAGIC	"fwctl-live-cache 7\n"
#define LINE_MAX_LEN	4200	/* "source " and a path */
#define PATH_SIZE	4096

bool live_cache_id(struct nlsock *s, uint32_t genid, char *id, size_t size)
{
	const char *boot = record_boot_id();
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);

	if (!*boot || getsockopt(mnl_socket_get_fd(s->nl), SOL_SOCKET,
				 SO_NETNS_COOKIE, &cookie, &len) < 0)
		return false;
	snprintf(id, size, "id %s %" PRIu64 " %" PRIu32 "\n", boot, cookie,
		 genid);
	return true;
}

static bool name_ok(const char *name)
{
	const char *p;

	for (p = name; *p; p++)
		if (isspace((unsigned char)*p))
			return false;
	return *name != '\0';
}

/* Whether every name survives the line format (fwctl's own always do). */
static bool cacheable(const struct live_table *lt)
{
	size_t i;

	if (!lt->source || strchr(lt->source, '\n'))
		return false;
	for (i = 0; i < lt->n_chains; i++)
		if (!name_ok(lt->chains[i].name))
			return false;
	for (i = 0; i < lt->n_sets; i++)
		if (!name_ok(lt->sets[i].name))
			return false;
	for (i = 0; i < lt->n_objects; i++)
		if (!name_ok(lt->objects[i].name))
			return false;
	return true;
}

#define RULE_WORDS	3	/* handle, key, line */

/*
 * The file is made in one buffer sized before it is filled (and in two
 * writes), not through a memstream: that grows by copying into ever
 * larger blocks, each from fresh heap, while the apply's other thread
 * waits for the heap's lock. Staging fw1_10k's 550 KB took 0.9-1.9 ms
 * that way, and 5.8 and 15 ms in 2 of 16 tries (uprobes); this way
 * 0.7-1.4 ms in 16 of 16.
 */
struct out {
	char	*p;
	size_t	len, cap;
	bool	full;		/* something did not fit: not written */
};

#define LINE_ROOM	128	/* a line's numbers and words, its name aside */

static size_t table_bound(const char *id, const struct live_table *lt)
{
	size_t i, n = strlen(CACHE_MAGIC) + strlen(id) + strlen(lt->source) +
		      LINE_ROOM;

	for (i = 0; i < lt->n_chains; i++)
		n += strlen(lt->chains[i].name) + LINE_ROOM +
		     lt->chains[i].n_rules * RULE_WORDS * sizeof(uint64_t);
	for (i = 0; i < lt->n_sets; i++)
		n += strlen(lt->sets[i].name) + LINE_ROOM;
	for (i = 0; i < lt->n_objects; i++)
		n += strlen(lt->objects[i].name) + LINE_ROOM;
	return n;
}

static void __attribute__((format(printf, 2, 3)))
out_printf(struct out *o, const char *fmt, ...)
{
	size_t room = o->cap - o->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->p + o->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		o->full = true;
	else
		o->len += (size_t)n;
}

/* A chain's rules as bytes, in this machine's order. */
static void out_rules(struct out *o, const struct live_table *lt,
		      const struct live_chain *c)
{
	uint64_t w[RULE_WORDS];
	size_t j;

	if (c->n_rules * sizeof(w) > o->cap - o->len) {
		o->full = true;
		return;
	}
	for (j = 0; j < c->n_rules; j++) {
		w[0] = c->rules[j].handle;
		w[1] = c->rules[j].key;
		w[2] = live_rule_line(lt, c, &c->rules[j]);
		memcpy(o->p + o->len, w, sizeof(w));
		o->len += sizeof(w);
	}
}

static void out_table(struct out *o, const struct live_table *lt)
{
	const struct live_chain *c;
	size_t i;

	out_printf(o, "source %s\nhandles %" PRIu64 "\n", lt->source,
		   lt->handles);
	for (i = 0; i < lt->n_chains; i++) {
		c = &lt->chains[i];
		out_printf(o, "chain %s %d %" PRIu32 " %" PRId32 " %" PRIu32
			   " %d %zu\n", c->name, c->base, c->hook, c->priority,
			   c->policy, c->nat, c->n_rules);
		out_rules(o, lt, c);
	}
	for (i = 0; i < lt->n_sets; i++) {
		const struct live_set *ls = &lt->sets[i];

		out_printf(o, "set %s %" PRIu32 " %" PRIu32 " %" PRIu64,
			   ls->name, ls->key_type, ls->flags, ls->timeout_ms);
		if (ls->has_digest)
			out_printf(o, " %" PRIx64 "\n", ls->digest);
		else
			out_printf(o, " -\n");
	}
	for (i = 0; i < lt->n_objects; i++)
		out_printf(o, "object %s %" PRIu32 " %" PRIx64 "\n",
			   lt->objects[i].name, lt->objects[i].type,
			   lt->objects[i].key);
}

static void cache_paths(const char *dir, char *path, char *tmp)
{
	snprintf(path, PATH_SIZE, "%s/%s", dir, CACHE_NAME);
	snprintf(tmp, PATH_SIZE + 8, "%s.tmp", path);
}

/* tmp made of len bytes at buf and then the line end: false (and no
 * tmp) if it cannot be. */
static bool file_write(const char *tmp, const char *buf, size_t len,
		       const char *end)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	bool ok = fd >= 0 && write(fd, buf, len) == (ssize_t)len &&
		  write(fd, end, strlen(end)) == (ssize_t)strlen(end);

	if (fd >= 0 && close(fd))
		ok = false;
	if (!ok)
		remove(tmp);
	return ok;
}

bool live_cache_stage(const char *dir, const char *id,
		      const struct live_table *lt)
{
	char path[PATH_SIZE], tmp[PATH_SIZE + 8], end[32];
	struct out o = { 0 };
	bool ok;

	/* dir is there: the writer holds its lock (record_lock()). */
	if (!dir || !cacheable(lt))
		return false;
	o.cap = table_bound(id, lt);
	o.p = malloc(o.cap);
	if (!o.p)
		return false;
	out_printf(&o, "%s%s", CACHE_MAGIC, id);
	out_table(&o, lt);
	if (o.full) {
		free(o.p);
		return false;
	}
	snprintf(end, sizeof(end), "end %" PRIx64 "\n", record_sum(o.p, o.len));
	cache_paths(dir, path, tmp);
	ok = file_write(tmp, o.p, o.len, end);
	free(o.p);
	return ok;
}

void live_cache_publish(const char *dir)
{
	char path[PATH_SIZE], tmp[PATH_SIZE + 8];

	cache_paths(dir, path, tmp);
	if (record_replace(tmp, path) < 0)
		remove(tmp);
}

void live_cache_unstage(const char *dir)
{
	char path[PATH_SIZE], tmp[PATH_SIZE + 8];

	cache_paths(dir, path, tmp);
	remove(tmp);
}

void live_cache_store(struct nlsock *s, const char *dir,
		      const struct live_table *lt)
{
	char id[128];
	int lock;

	if (!dir || !live_cache_id(s, lt->genid, id, sizeof(id)))
		return;
	lock = record_lock(dir);
	if (lock >= 0 && live_cache_stage(dir, id, lt))
		live_cache_publish(dir);
	record_unlock(lock);
}

bool live_cache_exists(const char *dir)
{
	char path[PATH_SIZE];

	snprintf(path, sizeof(path), "%s/%s", dir, CACHE_NAME);
	return !access(path, F_OK);
}

void live_cache_drop(const char *dir)
{
	char path[4096];

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, CACHE_NAME);
	remove(path);
}

/*
 * The file in memory, read line by line: not stdio's, whose per-line
 * cost was most of reading 20,000 rules.
 */
struct text {
	const char	*p, *end;
	const char	*start;	/* of the file */
};

/* The next line, with its newline, into line (NUL-terminated). */
static bool next_line(struct text *tx, char *line, size_t size)
{
	const char *nl = memchr(tx->p, '\n', (size_t)(tx->end - tx->p));
	size_t len;

	if (!nl)
		return false;
	len = (size_t)(nl + 1 - tx->p);
	if (len >= size)
		return false;
	memcpy(line, tx->p, len);
	line[len] = '\0';
	tx->p = nl + 1;
	return true;
}

static bool read_rules(struct text *tx, struct live_chain *c, size_t n)
{
	const size_t size = RULE_WORDS * sizeof(uint64_t);
	uint64_t w[RULE_WORDS];
	size_t i;

	if (n > (size_t)(tx->end - tx->p) / size)
		return false;
	c->rules = calloc(n + 1, sizeof(*c->rules));
	if (!c->rules)
		abort();
	for (i = 0; i < n; i++, tx->p += size) {
		memcpy(w, tx->p, size);
		c->rules[i].handle = w[0];
		c->rules[i].key = w[1];
		c->rules[i].has_key = true;
		c->rules[i].line = w[2] <= UINT32_MAX ? (uint32_t)w[2] : 0;
	}
	c->n_rules = n;
	return true;
}

/*
 * " N" after *p, in [lo, hi], into *v; *p then after it. Not sscanf(): a
 * chain line each, it was half of reading the cache.
 */
static bool read_number(const char **p, int64_t *v, int64_t lo, int64_t hi)
{
	const char *q = *p;
	char *end;

	if (*q != ' ' || !(isdigit((unsigned char)q[1]) ||
			   (q[1] == '-' && isdigit((unsigned char)q[2]))))
		return false;
	errno = 0;
	*v = strtoll(q + 1, &end, 10);
	*p = end;
	return !errno && *v >= lo && *v <= hi;
}

/* "chain NAME BASE HOOK PRIORITY POLICY NAT RULES" */
static bool read_chain(struct text *tx, const char *line,
		       struct live_table *lt)
{
	const char *name = line + 6, *p = name + strcspn(name, " \n");
	struct live_chain *c;
	int64_t v[6];

	lt->chains = xgrow(lt->chains, lt->n_chains, sizeof(*lt->chains));
	c = &lt->chains[lt->n_chains++];
	if (p == name || !read_number(&p, &v[0], 0, 1) ||
	    !read_number(&p, &v[1], 0, UINT32_MAX) ||
	    !read_number(&p, &v[2], INT32_MIN, INT32_MAX) ||
	    !read_number(&p, &v[3], 0, UINT32_MAX) ||
	    !read_number(&p, &v[4], 0, 1) ||
	    !read_number(&p, &v[5], 0, INT64_MAX) || *p != '\n')
		return false;
	c->name = xstrndup(name, strcspn(name, " "));
	c->base = v[0];
	c->hook = (uint32_t)v[1];
	c->priority = (int32_t)v[2];
	c->policy = (uint32_t)v[3];
	c->nat = v[4];
	lt->n_rules += (size_t)v[5];
	return read_rules(tx, c, (size_t)v[5]);
}

static bool read_set(const char *line, struct live_table *lt)
{
	struct live_set *ls;
	int name_len = 0, key_at = 0;
	char *end;

	lt->sets = xgrow(lt->sets, lt->n_sets, sizeof(*lt->sets));
	ls = &lt->sets[lt->n_sets++];
	if (sscanf(line, "set %*s%n %" SCNu32 " %" SCNu32 " %" SCNu64 " %n",
		   &name_len, &ls->key_type, &ls->flags, &ls->timeout_ms,
		   &key_at) != 3 || !key_at)
		return false;
	ls->name = xstrndup(line + 4, (size_t)name_len - 4);
	if (!strcmp(line + key_at, "-\n"))
		return true;
	ls->digest = strtoull(line + key_at, &end, 16);
	ls->has_digest = true;
	return end != line + key_at && *end == '\n';
}

static bool read_object(const char *line, struct live_table *lt)
{
	struct live_object *lo;
	int name_len = 0;

	lt->objects = xgrow(lt->objects, lt->n_objects, sizeof(*lt->objects));
	lo = &lt->objects[lt->n_objects++];
	if (sscanf(line, "object %*s%n %" SCNu32 " %" SCNx64, &name_len,
		   &lo->type, &lo->key) != 2)
		return false;
	lo->name = xstrndup(line + 7, (size_t)name_len - 7);
	lo->has_key = true;
	return true;
}

/* "handles COUNTER" */
static bool read_handles(const char *line, struct live_table *lt)
{
	char *end;

	if (strncmp(line, "handles ", 8) || !isdigit((unsigned char)line[8]))
		return false;
	lt->handles = strtoull(line + 8, &end, 10);
	return *end == '\n';
}

/* "end SUM": the last line, and the sum of all before it. */
static bool read_end(const struct text *tx, const char *line)
{
	size_t before = (size_t)(tx->end - tx->start) - strlen(line);
	char *end;
	uint64_t sum;

	if (tx->p != tx->end || !isxdigit((unsigned char)line[4]))
		return false;
	sum = strtoull(line + 4, &end, 16);
	return *end == '\n' && sum == record_sum(tx->start, before);
}

static bool read_table(struct text *tx, struct live_table *lt)
{
	char line[LINE_MAX_LEN];
	bool ok = true;

	if (!next_line(tx, line, sizeof(line)) || strncmp(line, "source ", 7))
		return false;
	line[strcspn(line, "\n")] = '\0';
	lt->source = xstrndup(line + 7, strlen(line + 7));
	lt->present = true;
	if (!next_line(tx, line, sizeof(line)) || !read_handles(line, lt))
		return false;
	while (ok && next_line(tx, line, sizeof(line))) {
		if (!strncmp(line, "end ", 4))
			return read_end(tx, line);
		if (!strncmp(line, "chain ", 6))
			ok = read_chain(tx, line, lt);
		else if (!strncmp(line, "set ", 4))
			ok = read_set(line, lt);
		else if (!strncmp(line, "object ", 7))
			ok = read_object(line, lt);
		else
			ok = false;
	}
	return false;
}

/* The whole of path into *buf (malloc'd): false if it cannot be read. */
static bool slurp(const char *path, char **buf, size_t *len)
{
	struct stat st;
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = !fstat(fileno(f), &st) && st.st_size > 0;
	*len = ok ? (size_t)st.st_size : 0;
	*buf = ok ? malloc(*len) : NULL;
	ok = *buf && fread(*buf, 1, *len, f) == *len;
	fclose(f);
	if (!ok) {
		free(*buf);
		*buf = NULL;
	}
	return ok;
}

/*
 * Whether line is an id of the boot and namespace of id (any generation):
 * its generation then in *genid.
 */
static bool same_place(const char *line, const char *id, uint32_t *genid)
{
	size_t n = (size_t)(strrchr(id, ' ') + 1 - id);
	unsigned long v;
	char *end;

	if (strncmp(line, id, n) || !isdigit((unsigned char)line[n]))
		return false;
	errno = 0;
	v = strtoul(line + n, &end, 10);
	if (errno || v > UINT32_MAX || strcmp(end, "\n"))
		return false;
	*genid = (uint32_t)v;
	return true;
}

/* The cache of generation genid, or of any if any (live.h). */
static int cache_load(struct nlsock *s, const char *dir, uint32_t genid,
		      bool any, struct live_table *lt)
{
	char path[4096], id[128], line[128], *buf;
	struct text tx;
	bool ok = false;
	size_t len;

	if (!dir || !live_cache_id(s, genid, id, sizeof(id)))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, CACHE_NAME);
	if (!slurp(path, &buf, &len))
		return -1;
	tx = (struct text){ buf, buf + len, buf };
	if (next_line(&tx, line, sizeof(line)) && !strcmp(line, CACHE_MAGIC) &&
	    next_line(&tx, line, sizeof(line)) &&
	    (any ? same_place(line, id, &genid) : !strcmp(line, id)))
		ok = read_table(&tx, lt);
	free(buf);
	if (!ok) {
		live_free(lt);
		return -1;
	}
	lt->genid = genid;
	return 0;
}

int live_cache_load(struct nlsock *s, const char *dir, uint32_t genid,
		    struct live_table *lt)
{
	return cache_load(s, dir, genid, false, lt);
}

int live_cache_load_any(struct nlsock *s, const char *dir,
			struct live_table *lt)
{
	return cache_load(s, dir, 0, true, lt);
}

struct handle_line {
	uint64_t	handle;
	uint32_t	line;
};

static int handle_cmp(const void *a, const void *b)
{
	const struct handle_line *x = a, *y = b;

	return x->handle < y->handle ? -1 : x->handle > y->handle;
}

static void lines_from(const struct live_table *ct, struct live_table *lt)
{
	struct handle_line *hl, *f, want;
	size_t i, j, n = 0;

	hl = xcalloc(ct->n_rules + 1, sizeof(*hl));
	for (i = 0; i < ct->n_chains; i++)
		for (j = 0; j < ct->chains[i].n_rules && n < ct->n_rules; j++)
			if (ct->chains[i].rules[j].line)
				hl[n++] = (struct handle_line){
					ct->chains[i].rules[j].handle,
					ct->chains[i].rules[j].line };
	qsort(hl, n, sizeof(*hl), handle_cmp);
	for (i = 0; n && i < lt->n_chains; i++)
		for (j = 0; j < lt->chains[i].n_rules; j++) {
			want.handle = lt->chains[i].rules[j].handle;
			f = bsearch(&want, hl, n, sizeof(*hl), handle_cmp);
			lt->chains[i].rules[j].line = f ? f->line : 0;
		}
	free(hl);
}

/* A set the file has with these elements is then not read back, and a
 * big set's record can stand for its live elements (plan_elems.c). */
static void digests_from(const struct live_table *ct, struct live_table *lt)
{
	const struct live_set *cs;
	size_t i;

	for (i = 0; i < lt->n_sets; i++) {
		cs = live_set_find(ct, lt->sets[i].name);
		if (cs && cs->has_digest) {
			lt->sets[i].has_digest = true;
			lt->sets[i].digest = cs->digest;
		}
	}
}

void live_cache_annotate(struct nlsock *s, const char *dir,
			 struct live_table *lt)
{
	struct live_table ct = { 0 };

	if (!lt->present || live_cache_load(s, dir, lt->genid, &ct))
		return;
	lines_from(&ct, lt);
	digests_from(&ct, lt);
	live_free(&ct);
}
