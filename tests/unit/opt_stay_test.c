// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * opt_stay.c against asking every rule: random boxes of both families
 * (single values, small ranges, prefixes, whole dimensions, several
 * intervals), added one by one; after each, random boxes ask which added
 * rules may meet them. Every rule that meets the box must be offered,
 * none twice, and an answer of true must stop at the rule that gave it.
 */
#include <stdlib.h>

#include "opt.h"
#include "opt_gen.h"
#include "unit.h"

#define RULES	1500
#define ASKS	4	/* boxes asked after each rule added */

static opt_val rand_val(struct opt_rng *g, opt_val max)
{
	opt_val hi = opt_rand(g), v = (hi << 64) | opt_rand(g);

	return max == ~(opt_val)0 ? v : v % (max + 1);
}

/* Near a few anchors, so that boxes meet often enough to matter. */
static opt_val anchor(struct opt_rng *g, opt_val max, int d)
{
	static const unsigned shifts[] = { 0, 3, 7, 20, 60 };
	opt_val a = rand_val(g, max) & ~(max >> 2);	/* 4 regions */
	opt_val near = rand_val(g, max) >> shifts[d];

	return (a | near >> opt_below(g, 8)) & max;
}

static void span_add(struct opt_ivs *iv, opt_val lo, opt_val hi)
{
	struct opt_span *s = realloc(iv->s, (iv->n + 1) * sizeof(*s));

	if (!s)
		abort();
	iv->s = s;
	iv->s[iv->n].lo = lo;
	iv->s[iv->n++].hi = hi;
}

/* Sorted, disjoint, not touching: as opt_box.c makes them. */
static void rand_ivs(struct opt_rng *g, struct opt_ivs *iv, opt_val max,
		     int d)
{
	unsigned k = opt_below(g, 10), i, parts = 1 + opt_below(g, 3);
	opt_val lo, hi, width, gap;

	iv->n = 0;
	iv->s = NULL;
	if (k < 3) {		/* the whole dimension */
		span_add(iv, 0, max);
		return;
	}
	lo = anchor(g, max, d);
	for (i = 0; i < parts; i++) {
		width = k < 6 ? 0 : k < 8 ? (opt_val)opt_below(g, 300) :
			max >> opt_below(g, 24);
		hi = max - lo < width ? max : lo + width;
		span_add(iv, lo, hi);
		gap = 2 + (opt_val)opt_below(g, 1000);
		if (max - hi < gap)
			break;
		lo = hi + gap;
	}
}

static void rand_rule(struct opt_rng *g, struct opt_rule *r, int fi)
{
	int d;

	memset(r, 0, sizeof(*r));
	r->dim = calloc(2, sizeof(*r->dim));
	if (!r->dim)
		abort();
	for (d = 0; d < D_COUNT; d++)
		rand_ivs(g, &r->dim[fi][d], opt_dim_max((enum opt_dim)d, fi),
			 d);
}

static bool ivs_meet(const struct opt_ivs *a, const struct opt_ivs *b)
{
	size_t i, j;

	for (i = 0; i < a->n; i++)
		for (j = 0; j < b->n; j++)
			if (a->s[i].lo <= b->s[j].hi &&
			    b->s[j].lo <= a->s[i].hi)
				return true;
	return false;
}

static bool meet(const struct opt_rule *a, const struct opt_rule *b, int fi)
{
	int d;

	for (d = 0; d < D_COUNT; d++)
		if (!ivs_meet(&a->dim[fi][d], &b->dim[fi][d]))
			return false;
	return true;
}

struct seen {
	unsigned	*count;	/* per rule: times offered */
	size_t		stop;	/* answer true at this rule */
	size_t		offered;
};

static bool offered(size_t rule, void *data)
{
	struct seen *s = data;

	s->count[rule]++;
	s->offered++;
	return rule == s->stop;
}

static void ask(struct opt_stay *st, const struct opt_rule *rules,
		size_t added, const struct opt_rule *w, int fi,
		struct opt_rng *g, size_t *met, size_t *skipped)
{
	unsigned count[RULES] = { 0 };
	struct seen s = { .count = count, .stop = (size_t)-1 };
	bool stopped;
	size_t i;

	/* Half the time, stop at a random rule that meets w (if offered). */
	if (added && opt_below(g, 2)) {
		s.stop = opt_below(g, (unsigned)added);
		if (!meet(&rules[s.stop], w, fi))
			s.stop = (size_t)-1;
	}
	stopped = opt_stay_any(st, w, offered, &s);
	CHECK(stopped == (s.stop != (size_t)-1));
	for (i = 0; i < added; i++) {
		CHECK(count[i] <= 1);
		if (s.stop == (size_t)-1 && meet(&rules[i], w, fi)) {
			CHECK(count[i] == 1);
			(*met)++;
		}
	}
	CHECK(!stopped || count[s.stop] == 1);
	*skipped += added - s.offered;
}

static void free_rule(struct opt_rule *r, int fi)
{
	int d;

	for (d = 0; d < D_COUNT; d++)
		free(r->dim[fi][d].s);
	free(r->dim);
}

static void run(int fi, uint64_t seed)
{
	static struct opt_rule rules[RULES];
	struct opt_stay *st = opt_stay_new(rules, fi);
	size_t i, k, met = 0, skipped = 0;
	struct opt_rng g;
	struct opt_rule w;

	opt_rng_seed(&g, seed);
	for (i = 0; i < RULES; i++) {
		rand_rule(&g, &rules[i], fi);
		opt_stay_add(st, i);
		for (k = 0; k < ASKS; k++) {
			rand_rule(&g, &w, fi);
			ask(st, rules, i + 1, &w, fi, &g, &met, &skipped);
			free_rule(&w, fi);
		}
	}
	printf("opt_stay_test: family %s: %u rules, %u asks, %zu meetings "
	       "found, %zu rules never offered\n", fi ? "v6" : "v4", RULES,
	       RULES * ASKS, met, skipped);
	/* The index must be worth having, and the test must meet boxes. */
	CHECK(met > 1000);
	CHECK(skipped > met);
	opt_stay_free(st);
	for (i = 0; i < RULES; i++)
		free_rule(&rules[i], fi);
}

int main(void)
{
	run(0, 1);
	run(1, 2);
	return unit_summary("opt_stay_test");
}
