// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A list that changed in a few rules since its tree was applied keeps
 * that tree as it is live and gets an overlay in front of it, built in
 * milliseconds where the tree took a hundred:
 *
 *   chain P_ov:  GUARD1 goto DELTA_ROOT     (one per changed rule's hull)
 *                GUARD2 goto DELTA_ROOT
 *                goto BASE_ROOT             (the live tree, untouched)
 *
 * The changed rules are the old ones that went and the new ones that came
 * in the shortest edit script from the old list (the record's keys) to
 * the new one (seqdiff.c). A guard is the hull of one of
 * them (per dimension the smallest interval that holds its box), so
 * every packet that either version of a changed rule matches takes a
 * guard. DELTA is a tree like any other (opt_tree.c) over the new list's
 * rules whose boxes meet a guard, in their order, up to the first that
 * matches every packet of every guard (a changed rule's new version,
 * mostly): for a packet that took a guard, the rules that can be its
 * first match are all there, so it gets the new list's first match. A
 * packet that takes no guard matches no changed rule, old or new; the
 * rules that match it are the ones both lists share, in the same order,
 * so the old tree gives it the new list's verdict too.
 *
 * The flow cache in front (opt_flow.c) gets new sets, as for any change
 * of the list, and its chains keep their names, which the kept tree's
 * leaves go to.
 *
 * When too much changed (more than DELTA_MAX rules, or guards that a
 * list's eighth of the rules meet), the tree is built again, and the
 * next change is measured against that one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opt.h"
#include "opt_base.h"
#include "opt_guard.h"
#include "opt_lines.h"
#include "opt_overlay.h"
#include "seqdiff.h"
#include "xalloc.h"

#define DELTA_MAX	16	/* changed rules, old and new, in all */
#define SUB_SHARE	8	/* the overlay's list: an eighth, at most */
#define SUB_MIN		(4 * OPT_LEAF_MAX)	/* ... or this many */

struct guards {
	size_t		n;
	struct opt_span	h[DELTA_MAX][D_COUNT];
	bool		portless;	/* one of them checks no port */
};

/* The hull of o's box in family fi. */
static void hull_of(const struct opt_rule *o, int fi, struct opt_span *h)
{
	int d;

	for (d = 0; d < D_COUNT; d++) {
		const struct opt_ivs *iv = &o->dim[fi][d];

		h[d].lo = iv->n ? iv->s[0].lo : 0;
		h[d].hi = iv->n ? iv->s[iv->n - 1].hi : 0;
	}
}

static void guard_add(struct guards *g, const struct opt_span *h, int fi)
{
	size_t i;

	g->portless |= !opt_guard_ported(h, fi);
	for (i = 0; i < g->n; i++)
		if (!memcmp(g->h[i], h, sizeof(g->h[i])))
			return;
	memcpy(g->h[g->n++], h, sizeof(g->h[0]));
}

static bool meets(const struct opt_rule *o, int fi, struct guards *g)
{
	struct opt_ivs hull = { .n = 1 };
	size_t i;
	int d;

	for (i = 0; i < g->n; i++) {
		for (d = 0; d < D_COUNT; d++) {
			hull.s = &g->h[i][d];
			if (!opt_ivs_meet(&o->dim[fi][d], &hull))
				break;
		}
		if (d == D_COUNT)
			return true;
	}
	return false;
}

/* What one family's overlay is made of, found before anything is built. */
struct side {
	struct guards	g;
	struct opt_rule	*sub;
	size_t		n_sub;
};

/* The old rules that went and the new ones that came, by index. */
struct change {
	size_t	old[DELTA_MAX], new[DELTA_MAX];
	size_t	n_old, n_new;
};

/*
 * False when more than DELTA_MAX rules changed. base_of[j]: the index in
 * b of the rule that rule j is, or LINE_NEW.
 */
static bool changes(struct change *ch, const struct opt_base *b,
		    const struct opt_rule *rules, size_t n, uint32_t *base_of)
{
	uint64_t *keys = xcalloc(n + 1, sizeof(*keys));
	size_t *match = xcalloc(n + 1, sizeof(*match)), i, j;
	bool *stays = xcalloc(b->n + 1, sizeof(*stays)), ok = true;

	for (j = 0; j < n; j++)
		keys[j] = rules[j].key;
	seqdiff(b->keys, b->n, keys, n, match);
	ch->n_old = ch->n_new = 0;
	for (j = 0; ok && j < n; j++) {
		base_of[j] = match[j] == SEQDIFF_NEW ? LINE_NEW
						     : (uint32_t)match[j];
		if (match[j] != SEQDIFF_NEW)
			stays[match[j]] = true;
		else if ((ok = ch->n_old + ch->n_new < DELTA_MAX))
			ch->new[ch->n_new++] = j;
	}
	for (i = 0; ok && i < b->n; i++)
		if (!stays[i] && (ok = ch->n_old + ch->n_new < DELTA_MAX))
			ch->old[ch->n_old++] = i;
	free(keys);
	free(match);
	free(stays);
	return ok;
}

/* The hull of a stand-in (opt_lines.h), from its tree's record. */
static bool kept_hull(const struct opt_bases *in, const struct opt_base *b,
		      const struct opt_rule *o, int fi, struct opt_span *h)
{
	return o->ir->keep->base < b->n &&
	       opt_base_hull(in, b, o->ir->keep->base, fi, h);
}

static bool hull_meets(const struct opt_span *h, const struct guards *g)
{
	size_t i;
	int d;

	for (i = 0; i < g->n; i++) {
		for (d = 0; d < D_COUNT; d++)
			if (h[d].hi < g->h[i][d].lo || g->h[i][d].hi < h[d].lo)
				break;
		if (d == D_COUNT)
			return true;
	}
	return false;
}

/*
 * Whether stand-in o may meet a guard: then the compile needs its line
 * (skip->need) and fails. False: it may not, or its hull is unknown.
 */
static bool kept_meets(struct line_skip *skip, const struct opt_bases *in,
		       const struct opt_base *b, const struct opt_rule *o,
		       int fi, const struct guards *g)
{
	struct opt_span h[D_COUNT];

	if (kept_hull(in, b, o, fi, h) && !hull_meets(h, g))
		return false;
	skip->need = xgrow(skip->need, skip->n_need, sizeof(*skip->need));
	skip->need[skip->n_need++] = o->ir->loc.line;
	skip->failed = true;
	return true;
}

/* The changed rules of family fi: false if the old hulls cannot be read. */
static bool side_guards(struct side *sd, const struct opt_bases *in,
			const struct opt_base *b, const struct opt_rule *rules,
			const struct change *ch, int fi)
{
	uint8_t bit = fi ? OPT_V6 : OPT_V4;
	struct opt_span h[D_COUNT];
	size_t i;

	for (i = 0; i < ch->n_old; i++) {
		if (!(b->fams[ch->old[i]] & bit))
			continue;
		if (!opt_base_hull(in, b, ch->old[i], fi, h))
			return false;
		guard_add(&sd->g, h, fi);
	}
	for (i = 0; i < ch->n_new; i++) {
		const struct opt_rule *o = &rules[ch->new[i]];

		if (!(o->fams & bit))
			continue;
		if (!o->ir->keep)
			hull_of(o, fi, h);
		else if (!kept_hull(in, b, o, fi, h))
			return false;
		guard_add(&sd->g, h, fi);
	}
	return true;
}

/* Whether every packet of family fi in every guard matches rule o. */
static bool covers(const struct opt_rule *o, int fi, const struct guards *g)
{
	size_t i, k;
	int d;

	if (!o->exact)
		return false;
	for (i = 0; i < g->n; i++)
		for (d = 0; d < D_COUNT; d++) {
			const struct opt_ivs *iv = &o->dim[fi][d];

			for (k = 0; k < iv->n && iv->s[k].hi < g->h[i][d].hi;
			     k++)
				;
			if (k == iv->n || iv->s[k].lo > g->h[i][d].lo)
				return false;
		}
	return true;
}

/*
 * The rules that meet a guard, up to one that covers them all: every
 * packet in a guard matches it, so no later rule decides one. A
 * stand-in that may meet a guard (t->skip) fails it, after all of them
 * were looked at: the next compile needs their lines.
 */
static bool side_sub(struct ir_table *t, const struct opt_bases *in,
		     const struct opt_base *b, struct side *sd,
		     const struct opt_rule *rules, size_t n, int fi)
{
	uint8_t bit = fi ? OPT_V6 : OPT_V4;
	size_t i, max = n / SUB_SHARE > SUB_MIN ? n / SUB_SHARE : SUB_MIN;
	bool kept_met = false;

	if (!sd->g.n)
		return true;
	/* Grown as met: a few rules of 10,000 stand-ins, as a rule. */
	for (i = 0; i < n; i++) {
		if (!(rules[i].fams & bit))
			continue;
		if (rules[i].ir->keep) {
			kept_met |= kept_meets(t->skip, in, b, &rules[i], fi,
					       &sd->g);
			continue;
		}
		if (kept_met || !meets(&rules[i], fi, &sd->g))
			continue;
		if (sd->n_sub == max)
			return false;
		sd->sub = xgrow(sd->sub, sd->n_sub, sizeof(*sd->sub));
		sd->sub[sd->n_sub++] = rules[i];
		if (covers(&rules[i], fi, &sd->g))
			break;
	}
	return !kept_met;
}

static void guard_rule(struct ir_chain *c, const struct opt_span *h, int fi,
		       const struct ir_chain *to)
{
	static const struct fw_loc none;
	struct ir_rule *r = ir_rule_add(c, none);
	struct ir_match *m;
	int d;

	r->why = "overlay";
	for (d = 0; d < D_COUNT; d++) {
		if (!h[d].lo && h[d].hi == opt_dim_max((enum opt_dim)d, fi))
			continue;
		m = ir_match_add(r, opt_dim_field((enum opt_dim)d, fi), IR_EQ);
		opt_val_to_ir(h[d].lo, (enum opt_dim)d, fi, m->value.lo);
		opt_val_to_ir(h[d].hi, (enum opt_dim)d, fi, m->value.hi);
	}
	r->verdict.kind = to ? IR_GOTO : IR_RETURN;
	if (to)
		r->verdict.chain = to->name;
}

/* k: b, kept live (its hulls stay in b's file), with what went in front. */
static void base_keep(struct opt_base *k, const struct opt_base *b,
		      size_t changed, unsigned guards, unsigned rules,
		      size_t boxes)
{
	*k = *b;
	k->keys = xcalloc(b->n + 1, sizeof(*k->keys));
	k->fams = xcalloc(b->n + 1, sizeof(*k->fams));
	k->sums = xcalloc(2 * b->n + 1, sizeof(*k->sums));
	memcpy(k->keys, b->keys, b->n * sizeof(*k->keys));
	memcpy(k->fams, b->fams, b->n);
	if (b->sums)	/* loaded from the file, as kept trees are */
		memcpy(k->sums, b->sums, 2 * b->n * sizeof(*k->sums));
	k->hulls = NULL;
	k->kept = true;
	k->changed = (unsigned)changed;
	k->guards = guards;
	k->rules = rules;
	k->boxes = (unsigned)boxes;
}

/* Family fi's overlay chain P_ov in front of the kept root; its name. */
static const char *side_build(struct ir_table *t, struct side *sd,
			      const struct opt_base *b, int fi,
			      const char *prefix, struct scratch *scr)
{
	char name[IR_NAME_MAX];
	struct opt_stats st = { 0 };
	struct ir_chain *delta, *ovl;
	struct ir_rule *r;
	size_t i;

	snprintf(name, sizeof(name), "%s_o", prefix);
	delta = sd->n_sub ? opt_tree(t, sd->sub, sd->n_sub, fi, b->fall, name,
				     &st, scr) : NULL;
	snprintf(name, sizeof(name), "%s_ov", prefix);
	ovl = ir_chain_add(t, name, IR_HOOK_NONE);
	ovl->nfproto = opt_fam_nfproto(fi);
	for (i = 0; i < sd->g.n; i++)
		guard_rule(ovl, sd->g.h[i], fi, delta);
	if (b->root[fi][0]) {
		r = ir_rule_add(ovl, (struct fw_loc){ 0 });
		r->why = "overlay";
		r->verdict.kind = IR_GOTO;
		r->verdict.chain = ir_table_strdup(t, b->root[fi]);
	}
	return ovl->name;
}

/*
 * The changes of both families as flow map elements (opt_guard.c): where
 * the live tree has a flow map in front and every changed rule checks a
 * port.
 */
static bool guard_maps(struct side sd[2], const struct opt_base *b,
		       struct ir_flow_elem *boxes[2], size_t n_boxes[2])
{
	int fi;

	for (fi = 0; fi < 2; fi++) {
		if (!sd[fi].g.n)
			continue;
		if (!(b->front & (fi ? OPT_V6 : OPT_V4)) || sd[fi].g.portless ||
		    !opt_guard_boxes((const struct opt_span (*)[D_COUNT])
				     sd[fi].g.h, sd[fi].g.n, sd[fi].sub,
				     sd[fi].n_sub, fi, &boxes[fi],
				     &n_boxes[fi]))
			break;
	}
	if (fi == 2)
		return true;
	while (fi--) {
		free(boxes[fi]);
		boxes[fi] = NULL;
		n_boxes[fi] = 0;
	}
	return false;
}

bool opt_overlay(struct ir_table *t, const struct opt_bases *in,
		 const struct opt_base *b, struct opt_rule *rules, size_t n,
		 enum ir_verdict_kind fall, bool flow, bool guard,
		 char prefix[2][IR_NAME_MAX], char root[2][IR_NAME_MAX],
		 struct opt_base *kept, uint32_t *base_of,
		 struct scratch *scr)
{
	struct ir_flow_elem *boxes[2] = { NULL, NULL };
	size_t n_boxes[2] = { 0, 0 }, first = t->n_chains;
	struct side sd[2];
	struct change ch;
	bool ok = b->fall == fall && (flow || !b->flow) &&
		  (guard || !b->front) &&
		  changes(&ch, b, rules, n, base_of), maps;
	uint64_t hash;
	int fi;

	memset(sd, 0, sizeof(sd));
	for (fi = 0; ok && fi < 2; fi++) {
		ok = side_guards(&sd[fi], in, b, rules, &ch, fi) &&
		     side_sub(t, in, b, &sd[fi], rules, n, fi);
		/* Stand-ins met a guard: the other family's too, so that
		 * the next try has every line it needs. */
		if (!ok && !fi && t->skip && t->skip->failed &&
		    side_guards(&sd[1], in, b, rules, &ch, 1))
			side_sub(t, in, b, &sd[1], rules, n, 1);
	}
	/*
	 * As map elements, the cache keeps its sets (named by the live
	 * tree's list), which the map in front answers before; with an
	 * overlay in front, the tree's verdicts change and the cache is new.
	 * The hash names the cache's sets: none, none to hash.
	 */
	maps = ok && guard_maps(sd, b, boxes, n_boxes);
	hash = !ok || !b->flow ? 0 :
	       maps ? opt_flow_hash_keys(b->keys, b->n, b->fall) :
	       opt_flow_hash(rules, n, fall);
	for (fi = 0; ok && fi < 2; fi++) {
		const char *to = sd[fi].g.n && !maps ?
			side_build(t, &sd[fi], b, fi, prefix[fi], scr) :
			b->root[fi];

		snprintf(root[fi], IR_NAME_MAX, "%s", to);
	}
	/* Each family's flow cache, or map alone, in front of its root; the
	 * map gets the boxes. */
	for (fi = 0; ok && fi < 2; fi++)
		if (b->front & (fi ? OPT_V6 : OPT_V4))
			snprintf(root[fi], IR_NAME_MAX, "%s", opt_front(
				t, root[fi], opt_fam_nfproto(fi), first,
				prefix[fi], hash,
				b->flow & (fi ? OPT_V6 : OPT_V4), &boxes[fi],
				n_boxes[fi])->name);
	if (ok)
		base_keep(kept, b, ch.n_old + ch.n_new,
			  (unsigned)(sd[0].g.n + sd[1].g.n),
			  maps ? 0 : (unsigned)(sd[0].n_sub + sd[1].n_sub),
			  n_boxes[0] + n_boxes[1]);
	for (fi = 0; fi < 2; fi++) {
		free(sd[fi].sub);
		free(boxes[fi]);
	}
	return ok;
}

void opt_base_record(struct opt_bases *out, const char *chain, unsigned run,
		     enum ir_verdict_kind fall, char prefix[2][IR_NAME_MAX],
		     char root[2][IR_NAME_MAX], uint8_t flow, uint8_t front,
		     const struct opt_rule *rules, size_t n)
{
	struct opt_base *b = opt_bases_add(out);
	size_t i;
	int fi;

	snprintf(b->chain, sizeof(b->chain), "%s", chain);
	b->run = run;
	b->fall = fall;
	memcpy(b->prefix, prefix, sizeof(b->prefix));
	memcpy(b->root, root, sizeof(b->root));
	b->flow = flow;
	b->front = front;
	b->n = n;
	b->keys = xcalloc(n + 1, sizeof(*b->keys));
	b->fams = xcalloc(n + 1, sizeof(*b->fams));
	b->hulls = xcalloc(n * 2 * D_COUNT + 1, sizeof(*b->hulls));
	for (i = 0; i < n; i++) {
		b->keys[i] = rules[i].key;
		b->fams[i] = rules[i].fams;
		for (fi = 0; fi < 2; fi++)
			if (rules[i].fams & (fi ? OPT_V6 : OPT_V4))
				hull_of(&rules[i], fi,
					opt_base_hull_in_memory(b, i, fi));
	}
}

