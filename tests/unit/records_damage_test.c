// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The trees' records on disk (cli/opt_base.c: trees.base, and
 * cli/opt_lines.c: trees.lines) are never believed damaged: a hull that
 * is not what was written would let a kept tree answer for packets a
 * changed rule now decides. A random rule file is compiled with records
 * and stored as apply stores them; then bytes of each file in turn (see
 * flipped()) are flipped, and the file cut short or made longer. Each time the load must fail, or the hull
 * that holds the byte must not be read; what is read is what was written.
 * The records stored again from a load (the hulls copied from the file,
 * as a kept tree's are) must be the same bytes, damage included, and
 * still refuse it.
 *
 * records_damage_test [-s SEED] [-v]   (-v: the compiler's messages)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "diag.h"
#include "opt.h"
#include "opt_base.h"
#include "opt_lines.h"
#include "rule_edit.h"
#include "scratch_dir.h"
#include "unit.h"

#define RULES_MAX	400
#define FLIPS		1000	/* bytes flipped in a file, about */
#define HEAD_ALL	1024	/* ... and all of its first and last ones */

static const char id[] = "id test\n";

struct bytes {
	unsigned char	*p;
	size_t		n;
};

static char *path_in(const char *dir, const char *name)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static bool file_get(const char *path, struct bytes *b)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return false;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b->n = n > 0 ? (size_t)n : 0;
	b->p = malloc(b->n + 1);
	if (fread(b->p, 1, b->n, f) != b->n)
		b->n = 0;
	fclose(f);
	return b->n > 0;
}

static void file_put(const char *path, const unsigned char *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(p, 1, n, f) != n || fclose(f))
		exit(99);
}

/* Byte at of the file in place: the rest stays as it is. */
static void byte_put(const char *path, size_t at, unsigned char c)
{
	FILE *f = fopen(path, "r+b");

	if (!f || fseek(f, (long)at, SEEK_SET) || fputc(c, f) == EOF ||
	    fclose(f))
		exit(99);
}

/* Every hull of a's records read whole and equal to b's. */
static bool hulls_same(const struct opt_bases *a, const struct opt_bases *b)
{
	struct opt_span x[D_COUNT], y[D_COUNT];
	size_t r, i;
	int fi;

	for (r = 0; r < a->n; r++)
		for (i = 0; i < a->b[r].n; i++)
			for (fi = 0; fi < 2; fi++)
				if (!opt_base_hull(a, &a->b[r], i, fi, x) ||
				    !opt_base_hull(b, &b->b[r], i, fi, y) ||
				    memcmp(x, y, sizeof(x)))
					return false;
	return true;
}

/*
 * The hulls of ref read into memory, where opt_base_hull() takes them
 * from: the file they came from is damaged and rewritten in place next.
 */
static bool hulls_take(struct opt_bases *ref)
{
	size_t r, i;
	int fi;

	for (r = 0; r < ref->n; r++) {
		struct opt_base *b = &ref->b[r];
		struct opt_span *h = calloc(2 * D_COUNT * b->n + 1, sizeof(*h));

		for (i = 0; i < b->n; i++)
			for (fi = 0; fi < 2; fi++)
				if (!opt_base_hull(ref, b, i, fi,
						   h + (2 * i + fi) * D_COUNT))
					return false;
		b->hulls = h;
	}
	return true;
}

/* a's records' heads, keys and fams equal b's. */
static bool heads_same(const struct opt_bases *a, const struct opt_bases *b)
{
	size_t r;

	if (a->n != b->n)
		return false;
	for (r = 0; r < a->n; r++) {
		const struct opt_base *x = &a->b[r], *y = &b->b[r];

		if (strcmp(x->chain, y->chain) || x->run != y->run ||
		    x->fall != y->fall || x->flow != y->flow || x->n != y->n ||
		    memcmp(x->prefix, y->prefix, sizeof(x->prefix)) ||
		    memcmp(x->root, y->root, sizeof(x->root)) ||
		    memcmp(x->keys, y->keys, x->n * sizeof(*x->keys)) ||
		    memcmp(x->fams, y->fams, x->n))
			return false;
	}
	return true;
}

/*
 * Whether a load of dir's records now refuses the damage: no records,
 * or the same heads and at least one hull that will not be read (the
 * damaged one; the others must read as written).
 */
static bool refused(const char *dir, const struct opt_bases *ref)
{
	struct opt_bases *bs = opt_bases_load(dir, id);
	bool no = !bs;

	if (bs)
		no = heads_same(bs, ref) && !hulls_same(bs, ref);
	opt_bases_free(bs);
	return no;
}

static bool lines_refused(const char *dir)
{
	struct opt_bases *bs = opt_bases_load(dir, id);
	bool no = bs && !bs->lines;

	opt_bases_free(bs);
	return no;
}

/* Where a record's hulls start and end in the file, by the ref's counts. */
static bool in_hulls(const struct opt_bases *ref, size_t at)
{
	size_t r;

	for (r = 0; r < ref->n; r++)
		if (at >= ref->b[r].hulls_off &&
		    at < ref->b[r].hulls_off + opt_base_hulls_size(&ref->b[r]))
			return true;
	return false;
}

/*
 * The bytes flipped: each of the heads and the end, of the rest about a
 * thousand, and of trees.base's keys, fams and sums more than of its
 * hulls. (Every byte of both: 7 minutes, here.)
 */
static bool flipped(const struct opt_bases *ref, bool lines, size_t at,
		    size_t n)
{
	size_t stride = n / FLIPS | 1;

	if (at < HEAD_ALL || at + HEAD_ALL >= n)
		return true;
	if (!lines && !in_hulls(ref, at))
		stride = stride / 8 | 1;
	return at % stride == 0;
}

/* Flips, cuts and a byte more, for one file; counts what was refused. */
static void damage(const char *dir, const char *name,
		   const struct opt_bases *ref, bool lines)
{
	char *path = strdup(path_in(dir, name));
	struct bytes whole;
	size_t at, tried = 0, refusals = 0;

	if (!CHECK(file_get(path, &whole)))
		return;
	for (at = 0; at < whole.n; at++) {
		if (!flipped(ref, lines, at, whole.n))
			continue;
		byte_put(path, at, whole.p[at] ^ 0x10);
		tried++;
		if (lines ? lines_refused(dir) : refused(dir, ref))
			refusals++;
		else
			fprintf(stderr, "%s: byte %zu flipped, believed\n",
				name, at);
		byte_put(path, at, whole.p[at]);
	}
	CHECK_EQ(refusals, tried);
	for (at = 0; at < whole.n; at += 1 + at / 8) {
		file_put(path, whole.p, at);
		CHECK(lines ? lines_refused(dir) : !opt_bases_load(dir, id));
	}
	whole.p[whole.n] = 0;
	file_put(path, whole.p, whole.n + 1);
	CHECK(lines ? lines_refused(dir) : !opt_bases_load(dir, id));
	file_put(path, whole.p, whole.n);
	printf("%s: %zu bytes, %zu flipped, all refused\n", name, whole.n,
	       tried);
	free(whole.p);
	free(path);
}

/*
 * Stored again from a load, the records are the same bytes (the hulls
 * copied from the file, as for a kept tree), so a damaged hull stays
 * one that is refused.
 */
static void copied(const char *dir, const struct opt_bases *ref)
{
	char *path = strdup(path_in(dir, "trees.base"));
	struct opt_bases *in = opt_bases_load(dir, id);
	struct bytes a, b;
	size_t at;

	if (!CHECK(in && file_get(path, &a)))
		goto out;
	opt_bases_store(dir, id, in, in);
	CHECK(file_get(path, &b) && a.n == b.n && !memcmp(a.p, b.p, a.n));
	free(b.p);
	for (at = ref->b[0].hulls_off; !in_hulls(ref, at) && at < a.n; at++)
		;
	a.p[at] ^= 0x10;
	file_put(path, a.p, a.n);
	opt_bases_free(in);
	in = opt_bases_load(dir, id);
	CHECK(in && !hulls_same(in, ref));
	opt_bases_store(dir, id, in, in);
	CHECK(refused(dir, ref));
	a.p[at] ^= 0x10;
	file_put(path, a.p, a.n);
	free(a.p);
out:
	opt_bases_free(in);
	free(path);
}

int main(int argc, char **argv)
{
	unsigned long seed = 1;
	unsigned files = 1;
	bool verbose = false;
	char dir[] = "/tmp/records_damage.XXXXXX";
	struct opt_bases *ref;
	struct ir_table *t;
	struct rule_text tx;
	struct opt_rng g;
	char *text;

	if (!unit_random_args(argc, argv, &seed, &files, &verbose))
		return 2;
	if (!verbose)
		diag_set_stream(fopen("/dev/null", "w"));
	if (!mkdtemp(dir))
		return 99;
	rule_text_random(&tx, &g, seed, 0, RULES_MAX);
	text = rule_text_join(&tx);
	file_put(path_in(dir, "rules.fw"), (const unsigned char *)text,
		 strlen(text));
	t = compile_file_timed(path_in(dir, "rules.fw"), COMPILE_BASES, NULL,
			       NULL);
	if (!CHECK(t && t->bases && t->bases->n > 0))
		goto out;
	opt_bases_store(dir, id, t->bases, NULL);
	ref = opt_bases_load(dir, id);
	if (CHECK(ref && ref->lines && hulls_take(ref))) {
		damage(dir, "trees.base", ref, false);
		damage(dir, "trees.lines", ref, true);
		copied(dir, ref);
		CHECK(!refused(dir, ref) && !lines_refused(dir));
	}
	opt_bases_free(ref);
out:
	ir_table_free(t);
	free(text);
	rule_text_free(&tx);
	scratch_dir_remove(dir);
	return unit_summary("records_damage_test");
}
