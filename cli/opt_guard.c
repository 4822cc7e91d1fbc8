// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A few changed rules of a list as elements of the flow map in front of
 * its tree, not as rules (opt_overlay.c decides when):
 *
 *   chain P_cw:  NFPROTO @P_gon FLOW vmap @P_gm  the guards' boxes
 *                FLOW @P_fa_H accept ...       the cache, as opt_flow.c
 *                jump ROOT                     the tree, as it is live
 *
 * (a tree without a cache: the map's rule, then goto ROOT).
 *
 * Why: a batch that adds a rule with a verdict makes the kernel validate
 * the whole table, every rule the base chains reach (7.9 ms for fw1_10k's
 * 25,600 rules, apply.c), where elements with accept, drop or return
 * verdicts validate nothing (0.6-0.75 ms for the same change). So a
 * change that can be elements alone is elements alone.
 *
 * Taking them out again costs more than putting them in: the map is an
 * interval concatenation (pipapo), and removing an element shifts the
 * bitmaps of every bucket of its lookup table (pipapo_drop, bitmap_cut:
 * a small set has 256 buckets for each byte of key). Reverting fw1_10k's
 * one-rule change, 7 boxes whose address ranges are not prefixes, took
 * a batch of 1.6-2.3 ms against the 0.8-1.2 of adding them, 90% of it
 * in nft_pipapo_remove (perf).
 *
 * The guards are the hulls of the changed rules, old and new, as for an
 * overlay; their union is cut here into disjoint boxes, each with the
 * verdict the new list gives every packet in it: the first rule that
 * matches the whole box (the rules are exact boxes too), or return when
 * none does. A packet in a box gets the new list's verdict from the map;
 * one in no box matches no changed rule and the live tree gives it the
 * new list's verdict (opt_overlay.c says why).
 *
 * A packet whose flow key cannot be read (a fragment, a truncated header)
 * ends the map's rule and takes the tree: so every changed rule must
 * match a port, which such a packet can never match.
 *
 * The map is looked up before the cache, which may hold a flow of a box
 * with the verdict it had before the change: a packet in a box never
 * reaches it. So the cache is not emptied, and the change is atomic: the
 * map changes at the commit, for every flow at once (and with it its
 * switch P_gon, which holds the family only while the map has elements:
 * without changes, no packet pays the map's lookup, opt_flow.c). Emptying
 * the cache instead (the map after it) saved every packet the map's
 * lookup (38-154 ns here, classify --costs), but left a window, between
 * the kernel reading the batch and the commit, where a new flow of a box
 * could be cached with the old verdict for up to FLOW_TIMEOUT_MS; and
 * emptying a set of 60,000 flows made the batch 25 ms longer.
 *
 * The cut: the first rule of the list that meets the box decides it if it
 * holds the box; if it only meets it, the box is split along a dimension
 * where it is partly in the rule, and each piece goes on from that rule.
 * Every split gives at least two pieces and every piece ends as a box, so
 * the work is bounded by the boxes, at most CUT_BOXES. Boxes that one
 * rule's split left side by side with one verdict are then joined (one
 * rule's range "1024-5852, 5853, 5854-65535" around another's port).
 */
#include <stdlib.h>
#include <string.h>

#include "opt.h"
#include "opt_guard.h"
#include "xalloc.h"

#define GUARD_BOXES	128		/* elements of a map, at most */
#define CUT_BOXES	(4 * GUARD_BOXES)	/* ... before merging */

struct box {
	struct opt_span		s[D_COUNT];
	enum ir_verdict_kind	kind;
};

struct cut {
	const struct opt_rule	*rules;
	size_t			n;
	int			fi;
	struct box		*boxes;
	size_t			n_boxes;
	bool			failed;
};

/* The flow key's fields in opt's dimensions (ir_flow_key()'s order). */
static const enum opt_dim key_dims[IR_FLOW_FIELDS] = {
	D_SADDR, D_DADDR, D_PROTO, D_SPORT, D_DPORT,
};

static void box_out(struct cut *c, const struct opt_span *box,
		    enum ir_verdict_kind kind)
{
	struct box *b;

	if (c->n_boxes == CUT_BOXES) {
		c->failed = true;
		return;
	}
	c->boxes = xgrow(c->boxes, c->n_boxes, sizeof(*c->boxes));
	b = &c->boxes[c->n_boxes++];
	memcpy(b->s, box, sizeof(b->s));
	b->kind = kind;
}

/*
 * Whether a and b (same verdict) are one box: equal but in one
 * dimension, where one ends right before the other starts. Then a is it.
 */
static bool box_join(struct box *a, const struct box *b)
{
	int d, apart = -1;

	if (a->kind != b->kind)
		return false;
	for (d = 0; d < D_COUNT; d++) {
		if (a->s[d].lo == b->s[d].lo && a->s[d].hi == b->s[d].hi)
			continue;
		if (apart >= 0)
			return false;
		apart = d;
	}
	if (apart < 0)
		return false;
	if (a->s[apart].hi < b->s[apart].lo &&
	    a->s[apart].hi + 1 == b->s[apart].lo)
		a->s[apart].hi = b->s[apart].hi;
	else if (b->s[apart].hi < a->s[apart].lo &&
		 b->s[apart].hi + 1 == a->s[apart].lo)
		a->s[apart].lo = b->s[apart].lo;
	else
		return false;
	return true;
}

/* The cut joins what a rule's split of a box left apart: fewer elements. */
static void boxes_join(struct cut *c)
{
	size_t i, j;
	bool joined = true;

	while (joined) {
		joined = false;
		for (i = 0; i < c->n_boxes; i++)
			for (j = i + 1; j < c->n_boxes; j++)
				if (box_join(&c->boxes[i], &c->boxes[j])) {
					c->boxes[j--] =
						c->boxes[--c->n_boxes];
					joined = true;
				}
	}
}

static void box_to_ir(const struct box *b, int fi, struct ir_flow_elem *e)
{
	size_t f;

	memset(e, 0, sizeof(*e));
	for (f = 0; f < IR_FLOW_FIELDS; f++) {
		opt_val_to_ir(b->s[key_dims[f]].lo, key_dims[f], fi,
			      e->v[f].lo);
		opt_val_to_ir(b->s[key_dims[f]].hi, key_dims[f], fi,
			      e->v[f].hi);
	}
	e->verdict.kind = b->kind;
}

enum relation { R_OUT, R_PART, R_IN };

/* Where span s is against the intervals iv: apart from all of them,
 * inside one, or partly in. */
static enum relation relate(const struct opt_span *s, const struct opt_ivs *iv)
{
	size_t k;

	for (k = 0; k < iv->n && iv->s[k].hi < s->lo; k++)
		;
	if (k == iv->n || iv->s[k].lo > s->hi)
		return R_OUT;
	return iv->s[k].lo <= s->lo && s->hi <= iv->s[k].hi ? R_IN : R_PART;
}

static void cut_from(struct cut *c, const struct opt_span *box, size_t i);

/* Box split along d into the pieces in and out of iv, each cut from i. */
static void split(struct cut *c, const struct opt_span *box, enum opt_dim d,
		  const struct opt_ivs *iv, size_t i)
{
	struct opt_span piece[D_COUNT];
	opt_val at = box[d].lo;
	size_t k;

	memcpy(piece, box, sizeof(piece));
	for (k = 0; k < iv->n && !c->failed && at <= box[d].hi; k++) {
		if (iv->s[k].hi < at)
			continue;
		if (iv->s[k].lo > box[d].hi)
			break;
		if (iv->s[k].lo > at) {		/* the gap before it */
			piece[d] = (struct opt_span){ at, iv->s[k].lo - 1 };
			cut_from(c, piece, i);
		}
		piece[d].lo = iv->s[k].lo > at ? iv->s[k].lo : at;
		piece[d].hi = iv->s[k].hi < box[d].hi ? iv->s[k].hi
						      : box[d].hi;
		cut_from(c, piece, i);
		if (piece[d].hi == box[d].hi)
			return;
		at = piece[d].hi + 1;
	}
	if (!c->failed) {			/* the rest, after the last */
		piece[d] = (struct opt_span){ at, box[d].hi };
		cut_from(c, piece, i);
	}
}

static void cut_from(struct cut *c, const struct opt_span *box, size_t i)
{
	uint8_t bit = c->fi ? OPT_V6 : OPT_V4;
	enum relation rel;
	int d, part;

	for (; i < c->n && !c->failed; i++) {
		const struct opt_rule *o = &c->rules[i];

		if (!(o->fams & bit))
			continue;
		part = -1;
		for (d = 0; d < D_COUNT; d++) {
			rel = relate(&box[d], &o->dim[c->fi][d]);
			if (rel == R_OUT)
				break;
			if (rel == R_PART && part < 0)
				part = d;
		}
		if (d < D_COUNT)
			continue;		/* does not meet it */
		if (!o->exact || (o->ir->verdict.kind != IR_ACCEPT &&
				  o->ir->verdict.kind != IR_DROP)) {
			c->failed = true;	/* no verdict a map can give */
			return;
		}
		if (part < 0) {
			box_out(c, box, o->ir->verdict.kind);
			return;
		}
		split(c, box, (enum opt_dim)part, &o->dim[c->fi][part], i);
		return;
	}
	if (!c->failed)
		box_out(c, box, IR_RETURN);
}

/* Cuts the part of box that no guard before it holds (g[0..ng)). */
static void cut_unguarded(struct cut *c, const struct opt_span *box,
			  const struct opt_span (*g)[D_COUNT], size_t ng)
{
	struct opt_span rest[D_COUNT], piece[D_COUNT];
	int d;

	if (!ng) {
		cut_from(c, box, 0);
		return;
	}
	for (d = 0; d < D_COUNT; d++)
		if (box[d].hi < g[0][d].lo || g[0][d].hi < box[d].lo)
			break;
	if (d < D_COUNT) {		/* apart from g[0] */
		cut_unguarded(c, box, g + 1, ng - 1);
		return;
	}
	/* What sticks out of g[0], slab by slab; the rest is in it. */
	memcpy(rest, box, sizeof(rest));
	for (d = 0; d < D_COUNT && !c->failed; d++) {
		memcpy(piece, rest, sizeof(piece));
		if (rest[d].lo < g[0][d].lo) {
			piece[d].hi = g[0][d].lo - 1;
			cut_unguarded(c, piece, g + 1, ng - 1);
			rest[d].lo = g[0][d].lo;
		}
		memcpy(piece, rest, sizeof(piece));
		if (rest[d].hi > g[0][d].hi) {
			piece[d].lo = g[0][d].hi + 1;
			cut_unguarded(c, piece, g + 1, ng - 1);
			rest[d].hi = g[0][d].hi;
		}
	}
}

bool opt_guard_boxes(const struct opt_span (*g)[D_COUNT], size_t ng,
		     const struct opt_rule *rules, size_t n, int fi,
		     struct ir_flow_elem **boxes, size_t *n_boxes)
{
	struct cut c = { .rules = rules, .n = n, .fi = fi };
	size_t i;

	/* Guard i adds what guards 0..i-1 do not hold. */
	for (i = 0; i < ng && !c.failed; i++)
		cut_unguarded(&c, g[i], g, i);
	if (!c.failed)
		boxes_join(&c);
	if (c.failed || c.n_boxes > GUARD_BOXES) {
		free(c.boxes);
		return false;
	}
	*boxes = xcalloc(c.n_boxes + 1, sizeof(**boxes));
	for (i = 0; i < c.n_boxes; i++)
		box_to_ir(&c.boxes[i], fi, &(*boxes)[i]);
	*n_boxes = c.n_boxes;
	free(c.boxes);
	return true;
}

bool opt_guard_ported(const struct opt_span *hull, int fi)
{
	return hull[D_SPORT].lo || hull[D_SPORT].hi != opt_dim_max(D_SPORT, fi) ||
	       hull[D_DPORT].lo || hull[D_DPORT].hi != opt_dim_max(D_DPORT, fi);
}
