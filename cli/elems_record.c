// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The elements a big named set was committed with, kept beside the live
 * cache in DIR/sets/NAME, so that an apply changing a few of its elements
 * need not read them all back: a dump of a set is quadratic in the kernel
 * (each message resumes by walking the elements already sent), 0.7 s of
 * a one-element change to a set of 100,000 addresses here.
 *
 * A record is believed only if the live cache, itself only believed for
 * this very generation, has the same digest for the set (live_set.digest)
 * and the elements in the file, walked as emit_set() sends them, sum to
 * it: then they are the kernel's. So a file of another namespace, an
 * older state or damaged is only a dump more. The file holds the set's
 * ranges as the file gave them (sorted, apart), which the new ones are
 * merged with as they are: no walk, no sort. In this machine's order:
 *
 *   "fwctl-elems 2\n\0\0", digest, key length, count (8 bytes each)
 *   per element: the verdict's kind, the length of its chain's name (a
 *   byte each), low and high end of the range (key length each), the name
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elems_record.h"
#include "emit.h"
#include "record_file.h"
#include "xalloc.h"

#define MAGIC		"fwctl-elems 2\n\0"
#define SUBDIR		"sets"
#define PATH_SIZE	4400

struct head {
	char		magic[16];
	uint64_t	digest, key_len, n;
};

static void path_of(char *buf, const char *dir, const char *name)
{
	snprintf(buf, PATH_SIZE, "%s/" SUBDIR "/%s", dir, name);
}

/* Not a set whose elements expire: the kernel's then change unseen. */
static bool worth_recording(const struct ir_set *s)
{
	return !s->anonymous && !s->dynamic && !s->flow && !s->timeout_ms &&
	       s->n_elems >= ELEMS_RECORD_MIN;
}

/* Whether the file at path already holds the elements of digest. */
static bool holds(const char *path, uint64_t digest)
{
	FILE *f = fopen(path, "re");
	struct head h;
	bool ok;

	if (!f)
		return false;
	ok = fread(&h, sizeof(h), 1, f) == 1 &&
	     !memcmp(h.magic, MAGIC, sizeof(h.magic)) && h.digest == digest;
	fclose(f);
	return ok;
}

static const char *chain_of(const struct ir_verdict *v)
{
	return (v->kind == IR_JUMP || v->kind == IR_GOTO) && v->chain ?
	       v->chain : "";
}

/* One fwrite an element: four were most of writing 100,000. */
static bool put_elem(FILE *f, const struct ir_elem *e, unsigned len)
{
	uint8_t buf[2 + 2 * IR_VALUE_MAX + IR_NAME_MAX];
	const char *chain = chain_of(&e->verdict);
	size_t n = strnlen(chain, IR_NAME_MAX - 1);

	buf[0] = (uint8_t)e->verdict.kind;
	buf[1] = (uint8_t)n;
	memcpy(buf + 2, e->value.lo, len);
	memcpy(buf + 2 + len, e->value.hi, len);
	memcpy(buf + 2 + 2 * len, chain, n);
	return fwrite(buf, 2 + 2 * len + n, 1, f) == 1;
}

static void store_one(const char *dir, const struct ir_set *s,
		      uint64_t digest)
{
	char path[PATH_SIZE], tmp[RECORD_TMP_SIZE];
	unsigned len = ir_field_info[s->field].len;
	struct head h = { MAGIC, digest, len, s->n_elems };
	bool ok;
	size_t i;
	FILE *f;

	path_of(path, dir, s->name);
	if (holds(path, digest))
		return;
	f = record_aside(path, tmp);
	if (!f)
		return;
	ok = fwrite(&h, sizeof(h), 1, f) == 1;
	for (i = 0; ok && i < s->n_elems; i++)
		ok = put_elem(f, &s->elems[i], len);
	record_put(f, ok, tmp, path);
}

static bool in_table(const struct ir_table *t, const char *name)
{
	const struct ir_set *s = t ? ir_table_find_set(t, name) : NULL;

	return s && worth_recording(s);
}

/* Records of sets t (NULL: no table) does not have, or keeps too small,
 * go. */
static void sweep(const char *dir, const struct ir_table *t)
{
	char path[PATH_SIZE];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/" SUBDIR, dir);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && !in_table(t, de->d_name)) {
			path_of(path, dir, de->d_name);
			unlink(path);
		}
	closedir(d);
}

void elems_record_store(const char *dir, const struct ir_table *t,
			const struct live_table *now)
{
	char path[PATH_SIZE];
	const struct live_set *ls;
	size_t i;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/" SUBDIR, dir);
	for (i = 0; i < t->n_sets; i++) {
		const struct ir_set *s = t->sets[i];

		if (!worth_recording(s))
			continue;
		ls = live_set_find(now, s->name);
		if (!ls || !ls->has_digest ||
		    (mkdir(path, 0700) < 0 && errno != EEXIST))
			continue;
		store_one(dir, s, ls->digest);
	}
	sweep(dir, t);
}

void elems_record_drop(const char *dir)
{
	char path[PATH_SIZE];

	if (!dir)
		return;
	sweep(dir, NULL);
	snprintf(path, sizeof(path), "%s/" SUBDIR, dir);
	rmdir(path);
}

/* One element from *p (at most end) into e, its name at *names. */
static bool get_elem(const uint8_t **p, const uint8_t *end, unsigned len,
		     struct ir_elem *e, char **names)
{
	const uint8_t *q = *p;

	if (end - q < 2 || (size_t)(end - q - 2) < 2 * len + q[1] ||
	    q[0] > IR_RETURN || q[1] >= IR_NAME_MAX)
		return false;
	memcpy(e->value.lo, q + 2, len);
	memcpy(e->value.hi, q + 2 + len, len);
	e->verdict.kind = (enum ir_verdict_kind)q[0];
	if (q[1]) {
		memcpy(*names, q + 2 + 2 * len, q[1]);
		e->verdict.chain = *names;
		*names += q[1] + 1;
	}
	*p = q + 2 + 2 * len + q[1];
	return true;
}

/* The file's elements after its head, into rec; false if they are not
 * n whole ones. */
static bool get_elems(FILE *f, size_t size, uint64_t n, unsigned len,
		      struct elems_record *rec)
{
	uint8_t *buf = xcalloc(size + 1, 1);
	const uint8_t *p = buf, *end = buf + size;
	char *names;
	uint64_t i;
	bool ok = fread(buf, 1, size, f) == size;

	rec->e = xcalloc((size_t)n + 1, sizeof(*rec->e));
	rec->names = names = xcalloc(size + 1, 1);
	for (i = 0; ok && i < n; i++)
		ok = get_elem(&p, end, len, &rec->e[i], &names);
	free(buf);
	rec->n = (size_t)n;
	return ok && p == end;
}

void elems_record_free(struct elems_record *rec)
{
	free(rec->e);
	free(rec->names);
	memset(rec, 0, sizeof(*rec));
}

bool elems_record_load(const char *dir, const struct live_set *ls,
		       const struct ir_set *like, struct elems_record *rec)
{
	unsigned len = ir_field_info[like->field].len;
	char path[PATH_SIZE];
	struct ir_set then;
	struct head h;
	struct stat st;
	FILE *f;
	bool ok;

	memset(rec, 0, sizeof(*rec));
	if (!dir || !ls->has_digest)
		return false;
	path_of(path, dir, ls->name);
	f = fopen(path, "re");
	if (!f)
		return false;
	ok = !fstat(fileno(f), &st) && fread(&h, sizeof(h), 1, f) == 1 &&
	     !memcmp(h.magic, MAGIC, sizeof(h.magic)) &&
	     h.digest == ls->digest && h.key_len == len &&
	     h.n <= (uint64_t)st.st_size / 2 &&
	     get_elems(f, (size_t)st.st_size - sizeof(h), h.n, len, rec);
	fclose(f);
	/* What the kernel was sent for them, summed. */
	then = *like;
	then.elems = rec->e;
	then.n_elems = rec->n;
	if (!ok || emit_set_digest(&then) != ls->digest) {
		elems_record_free(rec);
		return false;
	}
	return true;
}
