// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The records of the live trees (opt_base.h) on disk. A local cache in
 * the machine's own byte order, read by the fwctl that wrote it:
 *
 *   trees.base: head, the records' heads, then per record its keys, its
 *               fams (padded to 8 bytes), its hulls' sums and its hulls;
 *               last the sum of all but the hulls and the head
 *   trees.id:   the id line of the state they describe
 *
 * The hulls are most of the file (320 bytes a rule) and an apply that
 * keeps a tree reads only those of the rules that changed, by offset.
 * The id is written last and removed first: a file without a matching
 * id is never read.
 *
 * A damaged byte is never believed: a hull decides which packets the
 * overlay in front of a kept tree takes (opt_overlay.c), and one made
 * smaller would leave a deleted rule's verdict live for the rest. What is
 * read whole is checked by the sum at the end, at load; each hull by its
 * own sum (record_sum()) when it is read, so a one-rule change reads and
 * sums a few hundred bytes, not the 2 MB of 10,000 rules' hulls.
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
/* The head's 16 bytes, the last ones zero. */
static const char base_magic[16] = "fwctl-trees 3\n";
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
	uint8_t		flow, front, pad[6];
	uint64_t	n;
};

/*
 * A hull on disk: IPv4's spans as 32-bit numbers (every IPv4 field fits),
 * IPv6's as they are. A record's hulls go family by family, all IPv4
 * ones first: a one-rule change of an IPv4 list reads the hulls of
 * thousands of rules (opt_overlay.c, compile_skip.c), from pages no cache
 * holds any more, and 40 bytes a rule in a row are a quarter of the
 * memory that 160 bytes a rule, every second one IPv6's, were. gen10k's
 * middle rule flipped read 0.9-1.1 ms of hulls before a compile so
 * (needs_ahead(); 0.1 ms when they were at hand).
 */
#define HULL4_LEN	(D_COUNT * 2 * sizeof(uint32_t))
#define HULL6_LEN	(D_COUNT * sizeof(struct opt_span))

static size_t hull_size(size_t n)
{
	return n * (HULL4_LEN + HULL6_LEN);
}

static size_t hull_len(int fi)
{
	return fi ? HULL6_LEN : HULL4_LEN;
}

/* Where rule i's hull of family fi is in b's hulls. */
static uint64_t hull_at(const struct opt_base *b, size_t i, int fi)
{
	return fi ? b->n * HULL4_LEN + i * HULL6_LEN : i * HULL4_LEN;
}

/* h as its bytes on disk, in out (hull_len(fi)); false if it cannot be. */
static bool hull_pack(const struct opt_span *h, int fi, unsigned char *out)
{
	uint32_t w[2 * D_COUNT];
	int d;

	if (fi) {
		memcpy(out, h, HULL6_LEN);
		return true;
	}
	for (d = 0; d < D_COUNT; d++) {
		if (h[d].lo > UINT32_MAX || h[d].hi > UINT32_MAX)
			return false;
		w[2 * d] = (uint32_t)h[d].lo;
		w[2 * d + 1] = (uint32_t)h[d].hi;
	}
	memcpy(out, w, sizeof(w));
	return true;
}

static void hull_unpack(const unsigned char *in, int fi, struct opt_span *h)
{
	uint32_t w[2 * D_COUNT];
	int d;

	if (fi) {
		memcpy(h, in, HULL6_LEN);
		return;
	}
	memcpy(w, in, sizeof(w));
	for (d = 0; d < D_COUNT; d++) {
		h[d].lo = w[2 * d];
		h[d].hi = w[2 * d + 1];
	}
}

static size_t fams_size(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* A record's sums: one per rule and family. */
static size_t sums_size(size_t n)
{
	return n * 2 * sizeof(uint64_t);
}

/* What one family's hull of one rule is in memory: D_COUNT spans. */
#define HULL_LEN	(D_COUNT * sizeof(struct opt_span))

struct opt_span *opt_base_hull_in_memory(const struct opt_base *b, size_t i,
					 int fi)
{
	return b->hulls + (i * 2 + (size_t)fi) * D_COUNT;
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
	size_t k = i * 2 + (size_t)fi, len = hull_len(fi);
	off_t at = (off_t)(b->hulls_off + hull_at(b, i, fi));
	unsigned char buf[HULL6_LEN];

	if (b->hulls) {
		memcpy(out, opt_base_hull_in_memory(b, i, fi), HULL_LEN);
		return true;
	}
	/* load_rec() saw the record within the file. */
	if (bs->map)
		memcpy(buf, (const char *)bs->map + at, len);
	else if (pread(bs->fd, buf, len, at) != (ssize_t)len)
		return false;
	if (record_sum(buf, len) != b->sums[k])
		return false;
	hull_unpack(buf, fi, out);
	return true;
}

size_t opt_base_hulls_size(const struct opt_base *b)
{
	return hull_size(b->n);
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

/* Whether a record of bs is kept (kept) or has a flow map (!kept). */
static bool any_base(const struct opt_bases *bs, bool kept)
{
	size_t i;

	for (i = 0; bs && i < bs->n; i++)
		if (kept ? bs->b[i].kept : bs->b[i].front != 0)
			return true;
	return false;
}

bool opt_bases_any_kept(const struct opt_bases *bs)
{
	return any_base(bs, true);
}

bool opt_bases_any_front(const struct opt_bases *bs)
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

/* Adds len bytes at p to the running sum of what is read whole. */
static void sum_add(uint64_t *sum, const void *p, size_t len)
{
	*sum = opt_mix(*sum ^ record_sum(p, len));
}

/*
 * Record d's head into b, then its keys, fams and sums from fd, at *off;
 * the hulls stay in the file. False for a record the file cannot hold
 * (size: the file's): a damaged file is no reason to allocate its word.
 */
static bool load_rec(int fd, struct opt_base *b, const struct disk_rec *d,
		     uint64_t *off, uint64_t size, uint64_t *sum)
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
	b->front = d->front;
	b->n = d->n;
	if (b->n > size || *off + b->n * sizeof(*b->keys) + fams_size(b->n) +
			   sums_size(b->n) + hull_size(b->n) > size)
		return false;
	b->keys = xcalloc(b->n + 1, sizeof(*b->keys));
	b->fams = xcalloc(fams_size(b->n) + 1, 1);
	b->sums = xcalloc(2 * b->n + 1, sizeof(*b->sums));
	if (!read_all(fd, b->keys, b->n * sizeof(*b->keys)) ||
	    !read_all(fd, b->fams, fams_size(b->n)) ||
	    !read_all(fd, b->sums, sums_size(b->n)))
		return false;
	sum_add(sum, b->keys, b->n * sizeof(*b->keys));
	sum_add(sum, b->fams, fams_size(b->n));
	sum_add(sum, b->sums, sums_size(b->n));
	*off += b->n * sizeof(*b->keys) + fams_size(b->n) + sums_size(b->n);
	b->hulls_off = *off;
	*off += hull_size(b->n);
	return lseek(fd, (off_t)*off, SEEK_SET) == (off_t)*off;
}

/* Whether the file ends, right at off, with the sum of what was read. */
static bool sum_ends(int fd, uint64_t off, uint64_t size, uint64_t sum)
{
	uint64_t last;

	return off + sizeof(last) == size &&
	       pread(fd, &last, sizeof(last), (off_t)off) ==
			(ssize_t)sizeof(last) &&
	       last == sum;
}

struct opt_bases *opt_bases_load(const char *dir, const char *id)
{
	char path[4200];
	struct opt_bases *bs;
	struct disk_head h;
	struct disk_rec *d = NULL;
	uint64_t off, i, sum = 0;
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
	    memcmp(h.magic, base_magic, sizeof(h.magic)) ||
	    h.n > (uint64_t)st.st_size / sizeof(*d))
		goto bad;
	d = xcalloc(h.n + 1, sizeof(*d));
	if (!read_all(fd, d, h.n * sizeof(*d)))
		goto bad;
	sum_add(&sum, d, h.n * sizeof(*d));
	off = sizeof(h) + h.n * sizeof(*d);
	for (i = 0; i < h.n; i++)
		if (!load_rec(fd, opt_bases_add(bs), &d[i], &off,
			      (uint64_t)st.st_size, &sum))
			goto bad;
	if (!sum_ends(fd, off, (uint64_t)st.st_size, sum))
		goto bad;
	free(d);
	bs->id = xstrdup(id);
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

/* Each hull's sum as the file holds it; false if one cannot be held. */
static bool hulls_summed(const struct opt_base *b, uint64_t *sums)
{
	unsigned char buf[HULL6_LEN];
	size_t i;
	int fi;

	for (fi = 0; fi < 2; fi++)
		for (i = 0; i < b->n; i++) {
			if (!hull_pack(opt_base_hull_in_memory(b, i, fi),
				       fi, buf))
				return false;
			sums[i * 2 + (size_t)fi] =
				record_sum(buf, hull_len(fi));
		}
	return true;
}

/* The hulls at hand, as the file holds them. */
static bool write_hulls(FILE *f, const struct opt_base *b)
{
	unsigned char buf[HULL6_LEN];
	size_t i;
	int fi;

	for (fi = 0; fi < 2; fi++)
		for (i = 0; i < b->n; i++)
			if (!hull_pack(opt_base_hull_in_memory(b, i, fi),
				       fi, buf) ||
			    !write_all(f, buf, hull_len(fi)))
				return false;
	return true;
}

static bool write_rec(FILE *f, const struct opt_bases *in,
		      const struct opt_base *b, uint64_t *sum)
{
	uint8_t *fams = xcalloc(fams_size(b->n) + 1, 1);
	uint64_t *sums = xcalloc(2 * b->n + 1, sizeof(*sums));
	bool ok = true;

	/* A kept record's hulls stay in the file they came from. */
	if (b->hulls)
		ok = hulls_summed(b, sums);
	else
		memcpy(sums, b->sums, sums_size(b->n));
	memcpy(fams, b->fams, b->n);
	ok = ok && write_all(f, b->keys, b->n * sizeof(*b->keys)) &&
	     write_all(f, fams, fams_size(b->n)) &&
	     write_all(f, sums, sums_size(b->n));
	sum_add(sum, b->keys, b->n * sizeof(*b->keys));
	sum_add(sum, fams, fams_size(b->n));
	sum_add(sum, sums, sums_size(b->n));
	free(fams);
	free(sums);
	if (!ok)
		return false;
	if (b->hulls)
		return write_hulls(f, b);
	return in && copy_hulls(f, in, b);
}

static bool write_base(FILE *f, const struct opt_bases *out,
		       const struct opt_bases *in)
{
	struct disk_head h = { .n = out->n };
	struct disk_rec *d = xcalloc(out->n + 1, sizeof(*d));
	uint64_t sum = 0;
	size_t i;
	bool ok;
	int fi;

	memcpy(h.magic, base_magic, sizeof(h.magic));
	for (i = 0; i < out->n; i++) {
		const struct opt_base *b = &out->b[i];

		/* The names only: what follows them is not the tree's. */
		snprintf(d[i].chain, sizeof(d[i].chain), "%s", b->chain);
		for (fi = 0; fi < 2; fi++) {
			snprintf(d[i].prefix[fi], sizeof(d[i].prefix[fi]),
				 "%s", b->prefix[fi]);
			snprintf(d[i].root[fi], sizeof(d[i].root[fi]), "%s",
				 b->root[fi]);
		}
		d[i].run = b->run;
		d[i].fall = b->fall;
		d[i].flow = b->flow;
		d[i].front = b->front;
		d[i].n = b->n;
	}
	ok = write_all(f, &h, sizeof(h)) &&
	     write_all(f, d, out->n * sizeof(*d));
	sum_add(&sum, d, out->n * sizeof(*d));
	free(d);
	for (i = 0; ok && i < out->n; i++)
		ok = write_rec(f, in, &out->b[i], &sum);
	return ok && write_all(f, &sum, sizeof(sum));
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

/* dir/NAME.new, where a record waits for its state. */
static char *staged_path(char *buf, size_t size, const char *dir,
			 const char *name)
{
	snprintf(buf, size, "%s/%s.new", dir, name);
	return buf;
}

/* Writes dir/NAME.new with write(f, arg); false (and none) if it fails. */
static bool stage_one(const char *dir, const char *name,
		      bool (*write)(FILE *f, const void *arg), const void *arg)
{
	char tmp[4300];
	FILE *f = fopen(staged_path(tmp, sizeof(tmp), dir, name), "we");
	bool ok;

	if (!f)
		return false;
	ok = write(f, arg);
	if (fclose(f) || !ok) {
		unlink(tmp);
		return false;
	}
	return true;
}

/* dir/NAME.new in dir/NAME's place; false (and neither) if it fails. */
static bool publish_one(const char *dir, const char *name)
{
	char path[4200], tmp[4300];

	path_of(path, sizeof(path), dir, name);
	staged_path(tmp, sizeof(tmp), dir, name);
	if (!record_replace(tmp, path))
		return true;
	unlink(tmp);
	unlink(path);
	return false;
}

struct base_pair {
	const struct opt_bases	*out, *in;
};

static bool write_base_pair(FILE *f, const void *arg)
{
	const struct base_pair *bp = arg;

	return write_base(f, bp->out, bp->in);
}

static bool write_lines(FILE *f, const void *arg)
{
	return opt_lines_write(f, arg);
}

static bool write_id(FILE *f, const void *arg)
{
	return fputs(arg, f) >= 0;
}

bool opt_bases_stage(const char *dir, const char *id,
		     const struct opt_bases *out, const struct opt_bases *in,
		     struct opt_bases_staged *st)
{
	static const struct opt_bases none = { .fd = -1 };
	struct base_pair bp = { out ? out : &none, in };

	*st = (struct opt_bases_staged){ false, false };
	if (!dir)
		return false;
	if (!unchanged(bp.out, in)) {
		if (!stage_one(dir, BASE_NAME, write_base_pair, &bp))
			return false;
		st->base = true;
	}
	/* trees.lines: out's, or none (none or not to be stored). */
	st->lines = bp.out->lines && !bp.out->lines->broken &&
		    stage_one(dir, LINES_NAME, write_lines, bp.out->lines);
	if (!stage_one(dir, ID_NAME, write_id, id)) {
		opt_bases_unstage(dir, st);
		return false;
	}
	return true;
}

/* The id goes first and comes last: no reader sees records half put. */
void opt_bases_publish(const char *dir, const struct opt_bases_staged *st)
{
	char path[4200];

	opt_bases_drop(dir);
	if (st->base && !publish_one(dir, BASE_NAME)) {
		opt_bases_unstage(dir, &(struct opt_bases_staged){ false,
								  st->lines });
		return;
	}
	if (!st->lines)
		unlink(path_of(path, sizeof(path), dir, LINES_NAME));
	else
		publish_one(dir, LINES_NAME);
	publish_one(dir, ID_NAME);
}

void opt_bases_unstage(const char *dir, const struct opt_bases_staged *st)
{
	char tmp[4300];

	if (st->base)
		unlink(staged_path(tmp, sizeof(tmp), dir, BASE_NAME));
	if (st->lines)
		unlink(staged_path(tmp, sizeof(tmp), dir, LINES_NAME));
	unlink(staged_path(tmp, sizeof(tmp), dir, ID_NAME));
}

void opt_bases_store(const char *dir, const char *id,
		     const struct opt_bases *out, const struct opt_bases *in)
{
	struct opt_bases_staged st;
	int lock;

	/* An apply that changed nothing: the records are already these. */
	if (!dir || (in && in->id && !strcmp(in->id, id) && out &&
		     unchanged(out, in) && out->lines && !out->lines->broken &&
		     opt_lines_equal(in->lines, out->lines)))
		return;
	opt_bases_drop(dir);
	lock = record_lock(dir);
	if (lock >= 0 && opt_bases_stage(dir, id, out, in, &st))
		opt_bases_publish(dir, &st);
	record_unlock(lock);
}

bool opt_bases_rekey(const char *dir, const char *from, const char *to)
{
	return dir && id_matches(dir, from) &&
	       stage_one(dir, ID_NAME, write_id, to) &&
	       publish_one(dir, ID_NAME);
}

void opt_bases_drop(const char *dir)
{
	char path[4200];

	if (dir)
		unlink(path_of(path, sizeof(path), dir, ID_NAME));
}

void opt_bases_remove(const char *dir)
{
	static const char *const names[] = { ID_NAME, BASE_NAME, LINES_NAME };
	char path[4200];
	size_t i;

	for (i = 0; dir && i < sizeof(names) / sizeof(names[0]); i++)
		unlink(path_of(path, sizeof(path), dir, names[i]));
}

void opt_bases_free(struct opt_bases *bs)
{
	size_t i;

	if (!bs)
		return;
	for (i = 0; i < bs->n; i++) {
		free(bs->b[i].keys);
		free(bs->b[i].fams);
		free(bs->b[i].sums);
		free(bs->b[i].hulls);
	}
	free(bs->b);
	free(bs->id);
	if (bs->map)
		munmap(bs->map, bs->map_len);
	if (bs->fd >= 0)
		close(bs->fd);
	opt_lines_free(bs->lines);
	free(bs);
}
