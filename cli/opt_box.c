// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A rule as a box: which of its matches the lookups can dispatch on, and
 * the intervals each accepts. Negations and anonymous sets are unions of
 * intervals too; a named set may change at run time, so it is never
 * dispatched on (the rule keeps its lookup and the box stays whole).
 */
#include <linux/netfilter.h>
#include <stdlib.h>
#include <string.h>

#include "ir_hash.h"
#include "opt.h"
#include "opt_lines.h"
#include "scratch.h"
#include "xalloc.h"

static const enum ir_field dim_fields[2][D_COUNT] = {
	{ IR_L4PROTO, IR_IP_SADDR, IR_IP_DADDR, IR_TH_SPORT, IR_TH_DPORT },
	{ IR_L4PROTO, IR_IP6_SADDR, IR_IP6_DADDR, IR_TH_SPORT, IR_TH_DPORT },
};

enum ir_field opt_dim_field(enum opt_dim d, int fi)
{
	return dim_fields[fi][d];
}

opt_val opt_dim_max(enum opt_dim d, int fi)
{
	unsigned bits = 8u * ir_field_info[dim_fields[fi][d]].len;

	return bits >= 128 ? ~(opt_val)0 : ((opt_val)1 << bits) - 1;
}

int opt_val_bits(opt_val v)
{
	uint64_t hi = (uint64_t)(v >> 64), lo = (uint64_t)v;

	return hi ? 128 - __builtin_clzll(hi) :
	       lo ? 64 - __builtin_clzll(lo) : 0;
}

opt_val opt_val_load(const uint8_t *b, unsigned len)
{
	opt_val v = 0;
	unsigned i;

	for (i = 0; i < len; i++)
		v = v << 8 | b[i];
	return v;
}

void opt_val_store(opt_val v, uint8_t *out, unsigned len)
{
	while (len--) {
		out[len] = (uint8_t)v;
		v >>= 8;
	}
}

void opt_val_to_ir(opt_val v, enum opt_dim d, int fi, uint8_t *out)
{
	opt_val_store(v, out, ir_field_info[dim_fields[fi][d]].len);
}

bool opt_ivs_meet(const struct opt_ivs *a, const struct opt_ivs *b)
{
	size_t i = 0, j = 0;

	while (i < a->n && j < b->n) {
		if (a->s[i].hi < b->s[j].lo)
			i++;
		else if (b->s[j].hi < a->s[i].lo)
			j++;
		else
			return true;
	}
	return false;
}

static bool ivs_full(const struct opt_ivs *iv, int fi, enum opt_dim d)
{
	return iv->n == 1 && iv->s[0].lo == 0 &&
	       iv->s[0].hi == opt_dim_max(d, fi);
}

/* Asked for every rule of every node: kept as bits by opt_rule_box. */
bool opt_full(const struct opt_rule *o, int fi, enum opt_dim d)
{
	return o->full[fi] >> d & 1;
}

bool opt_rule_movable(const struct ir_rule *r, const char **why)
{
	static const char *const kinds[] = {
		[IR_VERDICT_NONE] = "continues to the next rule",
		[IR_JUMP] = "jumps", [IR_GOTO] = "goes to a chain",
		[IR_VMAP] = "is a verdict map", [IR_QUEUE] = "queues",
		[IR_RETURN] = "returns",
	};
	enum ir_verdict_kind k = r->verdict.kind;

	*why = NULL;
	if (k != IR_ACCEPT && k != IR_DROP && k != IR_REJECT)
		*why = kinds[k];
	else if (r->counter)
		*why = "has a counter";
	else if (r->has_limit || r->has_connlimit)
		*why = "has a limit";
	else if (r->has_log)
		*why = "logs";
	else if (ir_rule_changes_packet(r))
		*why = "changes the packet or its connection";
	return !*why;
}

/*
 * While a box is built its intervals live on the scratch stack (a rule
 * takes some twenty of them, each replacing the last); opt_rule_box
 * keeps the final ones in one allocation.
 */
static void ivs_set(struct opt_ivs *iv, opt_val lo, opt_val hi,
		    struct scratch *scr)
{
	iv->s = scratch_take(scr, 1, sizeof(*iv->s));
	iv->s[0] = (struct opt_span){ lo, hi };
	iv->n = 1;
}

static int span_cmp(const void *a, const void *b)
{
	const struct opt_span *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sorts and merges overlapping or touching spans. */
static void ivs_normalize(struct opt_ivs *iv)
{
	size_t i, n = 0;

	if (iv->n < 2)
		return;
	qsort(iv->s, iv->n, sizeof(*iv->s), span_cmp);
	for (i = 1; i < iv->n; i++) {
		struct opt_span *cur = &iv->s[n];

		if (iv->s[i].lo <= cur->hi || iv->s[i].lo == cur->hi + 1) {
			if (iv->s[i].hi > cur->hi)
				cur->hi = iv->s[i].hi;
		} else {
			iv->s[++n] = iv->s[i];
		}
	}
	iv->n = n + 1;
}

static void ivs_complement(struct opt_ivs *iv, opt_val max,
			   struct scratch *scr)
{
	struct opt_span *out = scratch_take(scr, iv->n + 1, sizeof(*out));
	opt_val next = 0;
	bool open = true;	/* values from next on are still unseen */
	size_t i, n = 0;

	for (i = 0; i < iv->n; i++) {
		if (iv->s[i].lo > next)
			out[n++] = (struct opt_span){ next, iv->s[i].lo - 1 };
		if (iv->s[i].hi == max) {
			open = false;
			break;
		}
		next = iv->s[i].hi + 1;
	}
	if (open)
		out[n++] = (struct opt_span){ next, max };
	iv->s = out;
	iv->n = n;
}

static void ivs_intersect(struct opt_ivs *a, const struct opt_ivs *b,
			  struct scratch *scr)
{
	struct opt_span *out = scratch_take(scr, a->n + b->n + 1,
					    sizeof(*out));
	size_t i = 0, j = 0, n = 0;

	while (i < a->n && j < b->n) {
		opt_val lo = a->s[i].lo > b->s[j].lo ? a->s[i].lo : b->s[j].lo;
		opt_val hi = a->s[i].hi < b->s[j].hi ? a->s[i].hi : b->s[j].hi;

		if (lo <= hi)
			out[n++] = (struct opt_span){ lo, hi };
		if (a->s[i].hi < b->s[j].hi)
			i++;
		else
			j++;
	}
	a->s = out;
	a->n = n;
}

/* The values m accepts, as intervals; false for a named set. */
static bool match_ivs(const struct ir_match *m, enum opt_dim d, int fi,
		      struct opt_ivs *out, struct scratch *scr)
{
	unsigned len = ir_field_info[m->field].len;
	size_t i;

	if (m->set && !m->set->anonymous)
		return false;
	if (m->set) {
		out->n = m->set->n_elems;
		out->s = scratch_take(scr, out->n + 1, sizeof(*out->s));
		for (i = 0; i < out->n; i++) {
			const struct ir_value *v = &m->set->elems[i].value;

			out->s[i].lo = opt_val_load(v->lo, len);
			out->s[i].hi = opt_val_load(v->hi, len);
		}
		ivs_normalize(out);
	} else {
		ivs_set(out, opt_val_load(m->value.lo, len),
			opt_val_load(m->value.hi, len), scr);
	}
	if (m->op == IR_NE)
		ivs_complement(out, opt_dim_max(d, fi), scr);
	return true;
}

/* Which families a meta nfproto match lets through. */
static uint8_t nfproto_fams(const struct ir_match *m)
{
	uint8_t fams = 0;
	size_t i;

	if (m->set) {
		for (i = 0; i < m->set->n_elems; i++) {
			const struct ir_value *v = &m->set->elems[i].value;

			if (v->lo[0] <= NFPROTO_IPV4 && v->hi[0] >= NFPROTO_IPV4)
				fams |= OPT_V4;
			if (v->lo[0] <= NFPROTO_IPV6 && v->hi[0] >= NFPROTO_IPV6)
				fams |= OPT_V6;
		}
	} else {
		if (m->value.lo[0] <= NFPROTO_IPV4 &&
		    m->value.hi[0] >= NFPROTO_IPV4)
			fams |= OPT_V4;
		if (m->value.lo[0] <= NFPROTO_IPV6 &&
		    m->value.hi[0] >= NFPROTO_IPV6)
			fams |= OPT_V6;
	}
	return m->op == IR_NE ? (uint8_t)(~fams & (OPT_V4 | OPT_V6)) : fams;
}

/* The family a field belongs to (0: both) and its dimension (-1: none). */
static int field_dim(enum ir_field f, uint8_t *fam)
{
	*fam = 0;
	switch (f) {
	case IR_L4PROTO:	return D_PROTO;
	case IR_TH_SPORT:	return D_SPORT;
	case IR_TH_DPORT:	return D_DPORT;
	case IR_IP_SADDR:	*fam = OPT_V4; return D_SADDR;
	case IR_IP_DADDR:	*fam = OPT_V4; return D_DADDR;
	case IR_IP6_SADDR:	*fam = OPT_V6; return D_SADDR;
	case IR_IP6_DADDR:	*fam = OPT_V6; return D_DADDR;
	case IR_ICMP_TYPE:	*fam = OPT_V4; return -1;
	case IR_ICMPV6_TYPE:	*fam = OPT_V6; return -1;
	default:		return -1;
	}
}

static void box_match(struct opt_rule *o, const struct ir_match *m,
		      struct scratch *scr)
{
	struct opt_ivs iv;
	uint8_t fam;
	int d = field_dim(m->field, &fam), fi;

	if (m->field == IR_NFPROTO) {
		o->fams &= nfproto_fams(m);
		return;
	}
	if (fam)
		o->fams &= fam;
	if (d < 0) {
		o->exact = false;
		return;
	}
	for (fi = 0; fi < 2; fi++) {
		if (fam && fam != (fi ? OPT_V6 : OPT_V4))
			continue;
		if (!match_ivs(m, (enum opt_dim)d, fi, &iv, scr)) {
			o->exact = false;
			return;
		}
		ivs_intersect(&o->dim[fi][d], &iv, scr);
		if (!o->dim[fi][d].n)
			o->fams &= (uint8_t)~(fi ? OPT_V6 : OPT_V4);
	}
}

/* A stand-in's dimensions: read (as empty), never written. */
static const struct opt_ivs no_dims[2][D_COUNT];
#define NO_DIMS	((struct opt_ivs (*)[D_COUNT])no_dims)

/* Moves the box's intervals off the scratch stack, into o->spans. */
static void box_keep(struct opt_rule *o)
{
	size_t total = 0, at = 0;
	struct opt_ivs *iv;
	int fi, d;

	for (fi = 0; fi < 2; fi++)
		for (d = 0; d < D_COUNT; d++)
			total += o->dim[fi][d].n;
	o->spans = xcalloc(total, sizeof(*o->spans));
	for (fi = 0; fi < 2; fi++)
		for (d = 0; d < D_COUNT; d++) {
			iv = &o->dim[fi][d];
			memcpy(o->spans + at, iv->s, iv->n * sizeof(*iv->s));
			iv->s = iv->n ? o->spans + at : NULL;
			at += iv->n;
		}
}

void opt_rule_box(struct opt_rule *o, struct scratch *scr)
{
	struct scratch_mark mark = scratch_mark(scr);
	size_t i;
	int fi, d;

	/* A stand-in: no box (no values); its hull is in its tree's record. */
	if (o->ir->keep) {
		o->dim = NO_DIMS;
		o->fams = o->ir->keep->fams;
		o->key = o->ir->keep->key;
		return;
	}
	o->dim = xcalloc(2, sizeof(*o->dim));
	o->fams = OPT_V4 | OPT_V6;
	o->exact = true;
	for (fi = 0; fi < 2; fi++)
		for (d = 0; d < D_COUNT; d++)
			ivs_set(&o->dim[fi][d], 0, opt_dim_max(d, fi), scr);
	for (i = 0; i < o->ir->n_matches; i++)
		box_match(o, &o->ir->matches[i], scr);
	box_keep(o);
	scratch_release(scr, mark);
	for (fi = 0; fi < 2; fi++) {
		o->full[fi] = 0;
		for (d = 0; d < D_COUNT; d++)
			if (ivs_full(&o->dim[fi][d], fi, (enum opt_dim)d))
				o->full[fi] |= (uint8_t)(1u << d);
	}
	o->key = ir_rule_key(o->ir, false);	/* movable rules never queue */
}

void opt_rule_box_free(struct opt_rule *o)
{
	if (o->dim != NO_DIMS)
		free(o->dim);
	free(o->spans);
	o->dim = NULL;
	o->spans = NULL;
}

void opt_rule_free(struct opt_rule *o)
{
	opt_rule_box_free(o);
	ir_rule_free(o->ir);
	o->ir->matches = NULL;
	o->ir->comment = NULL;
	o->ir->st = NULL;
}
