// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The records of the live trees (opt_base.h) on disk. A local cache in
 * the machine's own byte order, read by the fwctl that wrote it:
 *
 *   trees.base: head, the records' heads, then per record its keys, its
 *               fams (padded to 8 bytes) and its hulls
 *   trees.id:   the id line of the state they describe
 *
 * The hulls are most of the file (320 bytes a rule) and an apply that
 * keeps a tree reads only those of the rules that changed, by offset.
 * The id is written last and removed first: a file without a matching
 * id is never read.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opt.h"
#include "opt_base.h"
#include "opt_lines.h"
#include "record_file.h"
#include "xalloc.h"

#define BASE_NAME	"trees.base"
#define ID_NAME		"trees.id"
#define LINES_NAME	"trees.lines"
#define BASE_MAGIC	"fwctl-trees 1\n"
#define ID_MAX		256

struct disk_head {
	char		magic[16];
	uint64_t	n;
};

struct disk_rec {
	char		chain[IR_NAME_MAX];
	char		prefix[2][IR_NAME_MAX];
	char		root[2][IR_NAME_MAX];
	uint32_t	run, fall;
	uint8_t		flow, pad[7];
	uint64_t	n;
};

static size_t hull_size(size_t n)
{
	return n * 2 * D_COUNT * sizeof(struct opt_span);
}

static size_t fams_size(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

const struct opt_base *opt_bases_find(const struct opt_bases *bs,
				      const char *chain, unsigned run)
{
	size_t i;

	for (i = 0; bs && i < bs->n; i++)
		if (bs->b[i].run == run && !strcmp(bs->b[i].chain, chain))
			return &bs->b[i];
	return NULL;
}

bool opt_base_hull(const struct opt_bases *bs, const struct opt_base *b,
		   size_t i, int fi, struct opt_span *out)
{
	size_t len = D_COUNT * sizeof(*out);
	off_t at = (off_t)(b->hulls_off + (i * 2 + (size_t)fi) * len);

	if (b->hulls) {
		memcpy(out, b->hulls + (i * 2 + (size_t)fi) * D_COUNT, len);
		return true;
	}
	/* load_rec() saw the record within the file. */
	if (bs->map) {
		memcpy(out, (const char *)bs->map + at, len);
		return true;
	}
	return pread(bs->fd, out, len, at) == (ssize_t)len;
}

bool opt_bases_map(struct opt_bases *bs)
{
	struct stat st;
	void *p;

	if (!bs || bs->map)
		return true;
	if (fstat(bs->fd, &st) < 0 || !st.st_size)
		return false;
	/* The page cache's pages, not copies in fresh ones. */
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, bs->fd, 0);
	if (p == MAP_FAILED)
		return false;
	bs->map = p;
	bs->map_len = (size_t)st.st_size;
	return true;
}

struct opt_bases *opt_bases_new(void)
{
	struct opt_bases *bs = xcalloc(1, sizeof(*bs));

	bs->fd = -1;
	return bs;
}

struct opt_base *opt_bases_add(struct opt_bases *bs)
{
	bs->b = xgrow(bs->b, bs->n, sizeof(*bs->b));
	memset(&bs->b[bs->n], 0, sizeof(bs->b[bs->n]));
	return &bs->b[bs->n++];
}

static bool kept_by(const struct opt_base *b, const char *name)
{
	size_t len;
	int fi;

	for (fi = 0; fi < 2; fi++) {
		len = strlen(b->prefix[fi]);
		if (len && !strncmp(name, b->prefix[fi], len) &&
		    name[len] == '_' && name[len + 1] &&
		    strchr("dlsvx", name[len + 1]))
			return true;
	}
	return false;
}

/* Whether a record of bs is kept (kept) or has a flow cache (!kept). */
static bool any_base(const struct opt_bases *bs, bool kept)
{
	size_t i;

	for (i = 0; bs && i < bs->n; i++)
		if (kept ? bs->b[i].kept : bs->b[i].flow != 0)
			return true;
	return false;
}

bool opt_bases_any_kept(const struct opt_bases *bs)
{
	return any_base(bs, true);
}

bool opt_bases_cached(const struct opt_bases *bs)
{
	return any_base(bs, false);
}

bool opt_bases_keeps(const struct opt_bases *bs, const char *name)
{
	size_t i;

	if (!opt_bases_any_kept(bs))
		return false;
	if (!strncmp(name, "shared_", 7))
		return true;
	for (i = 0; i < bs->n; i++)
		if (bs->b[i].kept && kept_by(&bs->b[i], name))
			return true;
	return false;
}

static char *path_of(char *buf, size_t size, const char *dir,
		     const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
	return buf;
}

static bool id_matches(const char *dir, const char *id)
{
	char path[4200], line[ID_MAX] = "";
	FILE *f = fopen(path_of(path, sizeof(path), dir, ID_NAME), "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(line, sizeof(line), f) && !strcmp(line, id);
	fclose(f);
	return ok;
}

static bool read_all(int fd, void *buf, size_t len)
{
	return read(fd, buf, len) == (ssize_t)len;
}

/*
 * Record d's head into b, then its keys and fams from fd, at *off; the
 * hulls stay in the file. False for a record the file cannot hold
 * (size: the file's): a damaged file is no reason to allocate its word.
 */
static bool load_rec(int fd, struct opt_base *b, const struct disk_rec *d,
		     uint64_t *off, uint64_t size)
{
	int fi;

	memcpy(b->chain, d->chain, sizeof(b->chain));
	memcpy(b->prefix, d->prefix, sizeof(b->prefix));
	memcpy(b->root, d->root, sizeof(b->root));
	b->chain[IR_NAME_MAX - 1] = '\0';
	for (fi = 0; fi < 2; fi++)
		b->prefix[fi][IR_NAME_MAX - 1] = b->root[fi][IR_NAME_MAX - 1] =
			'\0';
	b->run = d->run;
	b->fall = (enum ir_verdict_kind)d->fall;
	b->flow = d->flow;
	b->n = d->n;
	if (b->n > size || *off + b->n * sizeof(*b->keys) +
			   fams_size(b->n) + hull_size(b->n) > size)
		return false;
	b->keys = xcalloc(b->n + 1, sizeof(*b->keys));
	b->fams = xcalloc(fams_size(b->n) + 1, 1);
	if (!read_all(fd, b->keys, b->n * sizeof(*b->keys)) ||
	    !read_all(fd, b->fams, fams_size(b->n)))
		return false;
	*off += b->n * sizeof(*b->keys) + fams_size(b->n);
	b->hulls_off = *off;
	*off += hull_size(b->n);
	return lseek(fd, (off_t)*off, SEEK_SET) == (off_t)*off;
}

struct opt_bases *opt_bases_load(const char *dir, const char *id)
{
	char path[4200];
	struct opt_bases *bs;
	struct disk_head h;
	struct disk_rec *d = NULL;
	uint64_t off, i;
	struct stat st;
	int fd;

	if (!dir || !id || !id_matches(dir, id))
		return NULL;
	fd = open(path_of(path, sizeof(path), dir, BASE_NAME),
		  O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	bs = opt_bases_new();
	bs->fd = fd;
	if (fstat(fd, &st) < 0 || !read_all(fd, &h, sizeof(h)) ||
	    memcmp(h.magic, BASE_MAGIC, sizeof(BASE_MAGIC)) ||
	    h.n > (uint64_t)st.st_size / sizeof(*d))
		goto bad;
	d = xcalloc(h.n + 1, sizeof(*d));
	if (!read_all(fd, d, h.n * sizeof(*d)))
		goto bad;
	off = sizeof(h) + h.n * sizeof(*d);
	for (i = 0; i < h.n; i++)
		if (!load_rec(fd, opt_bases_add(bs), &d[i], &off,
			      (uint64_t)st.st_size))
			goto bad;
	free(d);
	fd = open(path_of(path, sizeof(path), dir, LINES_NAME),
		  O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		bs->lines = opt_lines_read(fd);
		close(fd);
	}
	return bs;
bad:
	free(d);
	opt_bases_free(bs);
	return NULL;
}

static bool write_all(FILE *f, const void *buf, size_t len)
{
	return !len || fwrite(buf, 1, len, f) == len;
}

/* A kept record's hulls, copied from the file they were read from. */
static bool copy_hulls(FILE *f, const struct opt_bases *in,
		       const struct opt_base *b)
{
	size_t len = hull_size(b->n), done = 0;
	char buf[65536];
	ssize_t got;

	while (done < len) {
		size_t want = len - done < sizeof(buf) ? len - done
						       : sizeof(buf);

		got = pread(in->fd, buf, want, (off_t)(b->hulls_off + done));
		if (got <= 0 || !write_all(f, buf, (size_t)got))
			return false;
		done += (size_t)got;
	}
	return true;
}

static bool write_rec(FILE *f, const struct opt_bases *in,
		      const struct opt_base *b)
{
	uint8_t zero[8] = { 0 };

	if (!write_all(f, b->keys, b->n * sizeof(*b->keys)) ||
	    !write_all(f, b->fams, b->n) ||
	    !write_all(f, zero, fams_size(b->n) - b->n))
		return false;
	if (b->hulls)
		return write_all(f, b->hulls, hull_size(b->n));
	return in && copy_hulls(f, in, b);
}

static bool write_base(FILE *f, const struct opt_bases *out,
		       const struct opt_bases *in)
{
	struct disk_head h = { .n = out->n };
	struct disk_rec d;
	size_t i;
	int fi;

	memcpy(h.magic, BASE_MAGIC, sizeof(BASE_MAGIC));
	if (!write_all(f, &h, sizeof(h)))
		return false;
	for (i = 0; i < out->n; i++) {
		const struct opt_base *b = &out->b[i];

		/* The names only: what follows them is not the tree's. */
		memset(&d, 0, sizeof(d));
		snprintf(d.chain, sizeof(d.chain), "%s", b->chain);
		for (fi = 0; fi < 2; fi++) {
			snprintf(d.prefix[fi], sizeof(d.prefix[fi]), "%s",
				 b->prefix[fi]);
			snprintf(d.root[fi], sizeof(d.root[fi]), "%s",
				 b->root[fi]);
		}
		d.run = b->run;
		d.fall = b->fall;
		d.flow = b->flow;
		d.n = b->n;
		if (!write_all(f, &d, sizeof(d)))
			return false;
	}
	for (i = 0; i < out->n; i++)
		if (!write_rec(f, in, &out->b[i]))
			return false;
	return true;
}

/* Whether out is in, every record kept: then trees.base stays as it is. */
static bool unchanged(const struct opt_bases *out, const struct opt_bases *in)
{
	size_t i;

	if (!in || out->n != in->n)
		return false;
	for (i = 0; i < out->n; i++)
		if (!out->b[i].kept || out->b[i].hulls_off != in->b[i].hulls_off)
			return false;
	return true;
}

/* trees.lines: l, or none (l NULL or not to be stored). */
static void store_lines(const char *dir, const struct opt_lines *l)
{
	char path[4200], tmp[4300];
	FILE *f;
	bool ok;

	path_of(path, sizeof(path), dir, LINES_NAME);
	if (!l || l->broken) {
		unlink(path);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "we");
	if (!f) {
		unlink(path);
		return;
	}
	ok = opt_lines_write(f, l);
	if (fclose(f) || !ok || record_replace(tmp, path)) {
		unlink(tmp);
		unlink(path);
	}
}

void opt_bases_store(const char *dir, const char *id,
		     const struct opt_bases *out, const struct opt_bases *in)
{
	static const struct opt_bases none = { .fd = -1 };
	char path[4200], tmp[4300];
	FILE *f;
	bool ok;

	if (!dir)
		return;
	opt_bases_drop(dir);
	if (!out)
		out = &none;
	if (!unchanged(out, in)) {
		path_of(path, sizeof(path), dir, BASE_NAME);
		snprintf(tmp, sizeof(tmp), "%s.new", path);
		f = fopen(tmp, "we");
		if (!f)
			return;
		ok = write_base(f, out, in);
		if (fclose(f) || !ok || record_replace(tmp, path)) {
			unlink(tmp);
			return;
		}
	}
	store_lines(dir, out->lines);
	f = fopen(path_of(path, sizeof(path), dir, ID_NAME), "we");
	if (!f)
		return;
	ok = fputs(id, f) >= 0;
	if (fclose(f) || !ok)
		opt_bases_drop(dir);
}

void opt_bases_drop(const char *dir)
{
	char path[4200];

	if (dir)
		unlink(path_of(path, sizeof(path), dir, ID_NAME));
}

void opt_bases_free(struct opt_bases *bs)
{
	size_t i;

	if (!bs)
		return;
	for (i = 0; i < bs->n; i++) {
		free(bs->b[i].keys);
		free(bs->b[i].fams);
		free(bs->b[i].hulls);
	}
	free(bs->b);
	if (bs->map)
		munmap(bs->map, bs->map_len);
	if (bs->fd >= 0)
		close(bs->fd);
	opt_lines_free(bs->lines);
	free(bs);
}
