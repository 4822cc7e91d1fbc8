// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The flow map of a change (cli/opt_guard.c): random lists of exact box
 * rules and random guards, then points near every edge of them. A point
 * in a guard must be in exactly one box, whose verdict is the list's
 * first match (return where no rule matches); a point in no guard in no
 * box. Where a point's first match rejects or is not an exact box, the
 * cut must have refused: a map cannot give its verdict.
 *
 * So that it can fail: a self-check hands the same points a map with one
 * verdict flipped and one box left out, and must see both.
 *
 * guard_test [-s SEED] [-n LISTS] [-v]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opt.h"
#include "opt_gen.h"
#include "opt_guard.h"
#include "unit.h"

#define LISTS		3000
#define RULES_MAX	24
#define GUARDS_MAX	4
#define POINTS		400
#define MARKS		8

struct list {
	int			fi;
	size_t			n;
	struct opt_rule		r[RULES_MAX];
	struct ir_rule		ir[RULES_MAX];
	struct opt_ivs		dims[RULES_MAX][2][D_COUNT];
	struct opt_span		spans[RULES_MAX][D_COUNT][2];
	struct opt_span		g[GUARDS_MAX][D_COUNT];
	size_t			ng;
	opt_val			marks[D_COUNT][MARKS];
};

struct tally {
	unsigned long	points, in_guards;
	unsigned	lists, maps, boxes, refused, wrong_refusals, bad;
};

/* Edges where the pieces meet: 0, the top and a few in between. */
static void marks_pick(struct list *l, struct opt_rng *g)
{
	int d, k;

	for (d = 0; d < D_COUNT; d++) {
		opt_val max = opt_dim_max((enum opt_dim)d, l->fi);

		l->marks[d][0] = 0;
		l->marks[d][MARKS - 1] = max;
		for (k = 1; k < MARKS - 1; k++)
			l->marks[d][k] = (opt_val)(k * 7 + opt_below(g, 5));
		l->marks[d][MARKS - 2] = max - 1 - opt_below(g, 3);
	}
}

static opt_val mark(const struct list *l, struct opt_rng *g, int d)
{
	return l->marks[d][opt_below(g, MARKS)];
}

/* A span between two marks (in order). */
static struct opt_span span_pick(const struct list *l, struct opt_rng *g,
				 int d)
{
	opt_val a = mark(l, g, d), b = mark(l, g, d);

	return a <= b ? (struct opt_span){ a, b } : (struct opt_span){ b, a };
}

static void rule_pick(struct list *l, struct opt_rng *g, size_t i)
{
	struct opt_rule *o = &l->r[i];
	struct opt_span a, b;
	int d;

	memset(o, 0, sizeof(*o));
	memset(&l->ir[i], 0, sizeof(l->ir[i]));
	o->ir = &l->ir[i];
	o->dim = l->dims[i];
	o->fams = l->fi ? OPT_V6 : OPT_V4;
	o->exact = opt_below(g, 40) != 0;
	l->ir[i].verdict.kind = opt_below(g, 40) == 0 ? IR_REJECT :
				opt_below(g, 2) ? IR_ACCEPT : IR_DROP;
	for (d = 0; d < D_COUNT; d++) {
		struct opt_ivs *iv = &l->dims[i][l->fi][d];

		iv->s = l->spans[i][d];
		if (opt_below(g, 3) == 0) {	/* the whole range */
			iv->n = 1;
			iv->s[0] = (struct opt_span){
				0, opt_dim_max((enum opt_dim)d, l->fi) };
			continue;
		}
		a = span_pick(l, g, d);
		b = span_pick(l, g, d);
		iv->n = 1;
		iv->s[0] = a;
		/* Two intervals where they neither meet nor touch. */
		if (opt_below(g, 3) == 0 && b.lo > a.hi && b.lo - 1 > a.hi) {
			iv->s[1] = b;
			iv->n = 2;
		} else if (opt_below(g, 3) == 0 && a.lo > b.hi &&
			   a.lo - 1 > b.hi) {
			iv->s[0] = b;
			iv->s[1] = a;
			iv->n = 2;
		}
	}
}

static void list_pick(struct list *l, struct opt_rng *g)
{
	size_t i;
	int d;

	l->fi = (int)opt_below(g, 2);
	marks_pick(l, g);
	l->n = 1 + opt_below(g, RULES_MAX);
	for (i = 0; i < l->n; i++)
		rule_pick(l, g, i);
	l->ng = 1 + opt_below(g, GUARDS_MAX);
	for (i = 0; i < l->ng; i++)
		for (d = 0; d < D_COUNT; d++)
			l->g[i][d] = span_pick(l, g, d);
}

static bool ivs_has(const struct opt_ivs *iv, opt_val v)
{
	size_t k;

	for (k = 0; k < iv->n; k++)
		if (iv->s[k].lo <= v && v <= iv->s[k].hi)
			return true;
	return false;
}

/* The list's first match of p, or NULL. */
static const struct opt_rule *first_match(const struct list *l,
					  const opt_val *p)
{
	size_t i;
	int d;

	for (i = 0; i < l->n; i++) {
		for (d = 0; d < D_COUNT; d++)
			if (!ivs_has(&l->dims[i][l->fi][d], p[d]))
				break;
		if (d == D_COUNT)
			return &l->r[i];
	}
	return NULL;
}

static bool in_guards(const struct list *l, const opt_val *p)
{
	size_t i;
	int d;

	for (i = 0; i < l->ng; i++) {
		for (d = 0; d < D_COUNT; d++)
			if (p[d] < l->g[i][d].lo || p[d] > l->g[i][d].hi)
				break;
		if (d == D_COUNT)
			return true;
	}
	return false;
}

/* The boxes that hold p: how many, and the verdict of the last. */
static unsigned boxes_at(const struct list *l, const struct ir_flow_elem *b,
			 size_t n, const opt_val *p,
			 enum ir_verdict_kind *kind)
{
	const enum ir_field *k = ir_flow_key(opt_fam_nfproto(l->fi));
	unsigned hits = 0;
	size_t i, f;
	int d;

	for (i = 0; i < n; i++) {
		for (f = 0; f < IR_FLOW_FIELDS; f++) {
			unsigned len = ir_field_info[k[f]].len;

			for (d = 0; d < D_COUNT; d++)
				if (opt_dim_field((enum opt_dim)d, l->fi) ==
				    k[f])
					break;
			if (d == D_COUNT ||
			    p[d] < opt_val_load(b[i].v[f].lo, len) ||
			    p[d] > opt_val_load(b[i].v[f].hi, len))
				break;
		}
		if (f == IR_FLOW_FIELDS) {
			hits++;
			*kind = b[i].verdict.kind;
		}
	}
	return hits;
}

/* A mark within s, or one of its ends. */
static opt_val mark_in(const struct list *l, struct opt_rng *g, int d,
		       const struct opt_span *s)
{
	opt_val in[MARKS + 2];
	unsigned n = 0, k;

	in[n++] = s->lo;
	in[n++] = s->hi;
	for (k = 0; k < MARKS; k++)
		if (s->lo <= l->marks[d][k] && l->marks[d][k] <= s->hi)
			in[n++] = l->marks[d][k];
	return in[opt_below(g, n)];
}

/*
 * Points at the marks and one beside them, where pieces meet; half of
 * them at a guard's edges and marks (mostly in it).
 */
static void point_pick(const struct list *l, struct opt_rng *g, opt_val *p)
{
	const struct opt_span *in = opt_below(g, 2) ?
				    l->g[opt_below(g, (unsigned)l->ng)] : NULL;
	int d;

	for (d = 0; d < D_COUNT; d++) {
		opt_val max = opt_dim_max((enum opt_dim)d, l->fi);

		p[d] = in ? mark_in(l, g, d, &in[d]) : mark(l, g, d);
		/* Beside it: seldom for a guard's, or few stay in it. */
		if (opt_below(g, in ? 10 : 3) == 0 && p[d] < max)
			p[d]++;
		else if (opt_below(g, in ? 10 : 3) == 0 && p[d] > 0)
			p[d]--;
	}
}

/*
 * The points through map b[0..n): how many it gets wrong; *unmappable:
 * how many in a guard have a first match no map element can stand for.
 */
static unsigned check_points(const struct list *l,
			     const struct ir_flow_elem *b, size_t n,
			     uint64_t seed, struct tally *ty, bool verbose,
			     unsigned *unmappable)
{
	const struct opt_rule *o;
	struct opt_rng g;
	opt_val p[D_COUNT];
	enum ir_verdict_kind got = IR_VERDICT_NONE, want;
	unsigned i, hits, bad = 0;
	bool in;

	opt_rng_seed(&g, seed);
	for (i = 0; i < POINTS; i++) {
		point_pick(l, &g, p);
		in = in_guards(l, p);
		o = first_match(l, p);
		want = o ? o->ir->verdict.kind : IR_RETURN;
		hits = boxes_at(l, b, n, p, &got);
		if (ty) {
			ty->points++;
			ty->in_guards += in;
		}
		if (in && o && (!o->exact || want == IR_REJECT))
			++*unmappable;
		if (in ? hits == 1 && got == want : hits == 0)
			continue;
		if (verbose && bad < 3)
			fprintf(stderr, "point in guard %d: %u boxes, "
				"verdict %d, want %d\n", in, hits, got, want);
		bad++;
	}
	return bad;
}

/* A map with a verdict flipped, then one with a box left out. */
static void self_check(const struct list *l, const struct ir_flow_elem *b,
		       size_t n, uint64_t seed, unsigned *caught)
{
	struct ir_flow_elem *x = malloc((n + 1) * sizeof(*x));
	size_t i = n / 2;
	unsigned unmappable = 0;

	memcpy(x, b, n * sizeof(*x));
	x[i].verdict.kind = x[i].verdict.kind == IR_ACCEPT ? IR_DROP
							   : IR_ACCEPT;
	caught[0] += check_points(l, x, n, seed, NULL, false,
				  &unmappable) != 0;
	memcpy(x, b, n * sizeof(*x));
	memmove(&x[i], &x[i + 1], (n - i - 1) * sizeof(*x));
	caught[1] += check_points(l, x, n - 1, seed, NULL, false,
				  &unmappable) != 0;
	free(x);
}

int main(int argc, char **argv)
{
	static struct list l;
	unsigned long seed = 1;
	unsigned lists = LISTS, k, caught[2] = { 0, 0 };
	struct tally ty = { 0 };
	struct ir_flow_elem *b;
	struct opt_rng g;
	bool verbose = false, refused;
	unsigned unmappable;
	size_t n;

	if (!unit_random_args(argc, argv, &seed, &lists, &verbose))
		return 64;
	opt_rng_seed(&g, seed);
	for (k = 0; k < lists; k++) {
		list_pick(&l, &g);
		refused = !opt_guard_boxes((const struct opt_span (*)[D_COUNT])
					   l.g, l.ng, l.r, l.n, l.fi, &b, &n);
		ty.lists++;
		if (refused) {
			ty.refused++;
			continue;
		}
		unmappable = 0;
		ty.maps++;
		ty.boxes += (unsigned)n;
		ty.bad += check_points(&l, b, n, seed + k, &ty, verbose,
				       &unmappable) != 0;
		ty.wrong_refusals += unmappable != 0;
		if (n > 1)
			self_check(&l, b, n, seed + k, caught);
		free(b);
	}
	printf("guard_test: %u lists, %u maps (%u boxes), %u refused; "
	       "%lu points, %lu in guards: %u maps wrong, %u not refused; "
	       "self-check caught %u flipped, %u left out\n", ty.lists,
	       ty.maps, ty.boxes, ty.refused, ty.points, ty.in_guards, ty.bad,
	       ty.wrong_refusals, caught[0], caught[1]);
	CHECK_EQ(ty.bad, 0);
	CHECK_EQ(ty.wrong_refusals, 0);
	CHECK(ty.maps > ty.lists / 4);
	CHECK(ty.in_guards > ty.points / 4);
	CHECK(caught[0] > ty.maps / 4 && caught[1] > ty.maps / 4);
	return unit_summary("guard_test");
}
