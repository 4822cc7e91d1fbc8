// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rules that stay in place while others move to the end of a list
 * (opt_tree.c, sink_moves): which of them may share a packet with a box.
 * Asking every one is quadratic in a big list (100,000 rules of which
 * thousands may move), so each dimension has 256 buckets over its top
 * bits: a rule is filed in the buckets its intervals reach, or, past
 * SPAN_MAX of them, among that dimension's wide rules. Two boxes that
 * meet share a value in every dimension, so in the dimension where the
 * asking box reaches the fewest rules, those rules are all that can meet
 * it. The answer is exact; the index only leaves out rules that cannot.
 */
#include <stdlib.h>

#include "opt.h"
#include "xalloc.h"

#define BUCKETS		256
#define SPAN_MAX	16	/* buckets a rule is filed in, per dimension */

struct slots {
	uint32_t	*a;
	size_t		n;
};

struct opt_stay {
	const struct opt_rule	*rules;
	int			fi;
	unsigned		shift[D_COUNT];	/* value >> shift: bucket */
	struct slots		b[D_COUNT][BUCKETS], wide[D_COUNT];
	size_t			*rule;	/* slot -> index into rules */
	uint32_t		*stamp;	/* slot -> last ask that saw it */
	size_t			n;
	uint32_t		asks;
};

static void slots_add(struct slots *s, uint32_t slot)
{
	s->a = xgrow(s->a, s->n, sizeof(*s->a));
	s->a[s->n++] = slot;
}

struct opt_stay *opt_stay_new(const struct opt_rule *rules, int fi)
{
	struct opt_stay *s = xcalloc(1, sizeof(*s));
	int d, bits;

	s->rules = rules;
	s->fi = fi;
	for (d = 0; d < D_COUNT; d++) {
		bits = opt_val_bits(opt_dim_max((enum opt_dim)d, fi));
		s->shift[d] = bits > 8 ? (unsigned)bits - 8 : 0;
	}
	return s;
}

/* How many buckets of d the intervals reach (counted up to limit + 1). */
static size_t span(const struct opt_stay *s, const struct opt_ivs *iv,
		   int d, size_t limit)
{
	size_t i, n = 0;

	for (i = 0; i < iv->n && n <= limit; i++)
		n += (size_t)((iv->s[i].hi >> s->shift[d]) -
			      (iv->s[i].lo >> s->shift[d])) + 1;
	return n;
}

void opt_stay_add(struct opt_stay *s, size_t r)
{
	const struct opt_rule *q = &s->rules[r];
	uint32_t slot = (uint32_t)s->n;
	size_t i, k;
	int d;

	s->rule = xgrow(s->rule, s->n, sizeof(*s->rule));
	s->stamp = xgrow(s->stamp, s->n, sizeof(*s->stamp));
	s->rule[s->n++] = r;
	for (d = 0; d < D_COUNT; d++) {
		const struct opt_ivs *iv = &q->dim[s->fi][d];

		if (span(s, iv, d, SPAN_MAX) > SPAN_MAX) {
			slots_add(&s->wide[d], slot);
			continue;
		}
		for (i = 0; i < iv->n; i++)
			for (k = (size_t)(iv->s[i].lo >> s->shift[d]);
			     k <= (size_t)(iv->s[i].hi >> s->shift[d]); k++)
				slots_add(&s->b[d][k], slot);
	}
}

/*
 * The rules filed where w's intervals of d reach (with repeats), counted
 * up to limit: past it, d is not the one to ask.
 */
static size_t reach(const struct opt_stay *s, const struct opt_ivs *iv,
		    int d, size_t limit)
{
	size_t i, k, n = s->wide[d].n;

	for (i = 0; i < iv->n && n < limit; i++)
		for (k = (size_t)(iv->s[i].lo >> s->shift[d]);
		     k <= (size_t)(iv->s[i].hi >> s->shift[d]) && n < limit;
		     k++)
			n += s->b[d][k].n;
	return n;
}

static bool ask_slots(struct opt_stay *s, const struct slots *l,
		      opt_stay_fn *fn, void *data)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		uint32_t slot = l->a[i];

		if (s->stamp[slot] == s->asks)
			continue;
		s->stamp[slot] = s->asks;
		if (fn(s->rule[slot], data))
			return true;
	}
	return false;
}

bool opt_stay_any(struct opt_stay *s, const struct opt_rule *w,
		  opt_stay_fn *fn, void *data)
{
	size_t best = (size_t)-1, n, i, k;
	int d, pick = 0;
	const struct opt_ivs *iv;

	if (!s->n)
		return false;
	for (d = 0; d < D_COUNT; d++) {
		n = reach(s, &w->dim[s->fi][d], d, best);
		if (n < best) {
			best = n;
			pick = d;
		}
	}
	if (++s->asks == 0) {	/* wrapped: no stamp may look current */
		for (i = 0; i < s->n; i++)
			s->stamp[i] = 0;
		s->asks = 1;
	}
	iv = &w->dim[s->fi][pick];
	if (ask_slots(s, &s->wide[pick], fn, data))
		return true;
	for (i = 0; i < iv->n; i++)
		for (k = (size_t)(iv->s[i].lo >> s->shift[pick]);
		     k <= (size_t)(iv->s[i].hi >> s->shift[pick]); k++)
			if (ask_slots(s, &s->b[pick][k], fn, data))
				return true;
	return false;
}

void opt_stay_free(struct opt_stay *s)
{
	int d, k;

	if (!s)
		return;
	for (d = 0; d < D_COUNT; d++) {
		for (k = 0; k < BUCKETS; k++)
			free(s->b[d][k].a);
		free(s->wide[d].a);
	}
	free(s->rule);
	free(s->stamp);
	free(s);
}
