// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ir_optimize(): every chain's runs of movable rules (nothing but matches
 * and accept, drop or reject) of at least RUN_MIN rules become a rule per
 * family that has rules
 *
 *     meta nfproto ipv4 jump TREE4
 *     meta nfproto ipv6 jump TREE6
 *
 * (not one "meta nfproto vmap": a rule that matches cost a packet 27 ns
 * where the map's lookup cost 72, measured with 64 in a row in
 * tests/bench/classify's topology), where each tree (opt_tree.c) gives
 * the verdict of the run's first matching rule or returns, and the chain
 * goes on after the run exactly as it did when no rule of the run
 * matched. Rules with counters, limits, logs, NAT or gotos stay where
 * they are: copied into a tree, a counter would count in several places
 * and a goto would return to the wrong chain.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opt.h"
#include "opt_base.h"
#include "opt_lines.h"
#include "opt_overlay.h"
#include "optimize.h"
#include "scratch.h"
#include "xalloc.h"

/* Shorter lists would be one leaf: they are cheaper as they are. */
#define RUN_MIN	(OPT_LEAF_MAX + 1)

/* Written only for --explain: nobody reads them on apply. */
struct notes {
	struct ir_table	*t;
	bool		on;
};

static void note(struct notes *ns, struct fw_loc loc, const char *text,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void note(struct notes *ns, struct fw_loc loc, const char *text,
		 const char *fmt, ...)
{
	struct ir_table *t = ns->t;
	char buf[512];
	va_list ap;

	if (!ns->on)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	t->notes = xgrow(t->notes, t->n_notes, sizeof(*t->notes));
	t->notes[t->n_notes++] = (struct ir_note){
		.loc = loc, .text = text, .what = ir_table_strdup(t, buf),
	};
}

static void note_rule(struct notes *ns, const struct opt_rule *o,
		      const char *tree)
{
	if (!o->ir->loc.file)
		return;
	if (!o->copies && !o->elems && o->redundant)
		note(ns, o->ir->loc, o->ir->text,
		     "%s: left out: every packet it matches is dropped all "
		     "the same, by a later rule or the policy", tree);
	else if (!o->copies && !o->elems)
		note(ns, o->ir->loc, o->ir->text, "%s: never decides: %s", tree,
		     o->fams ? "the rules before it cover every packet it "
			       "matches" : "it matches no packet");
	else
		note(ns, o->ir->loc, o->ir->text,
		     "%s: decides in %u map element%s, %u cop%s in leaf chains",
		     tree, o->elems, o->elems == 1 ? "" : "s", o->copies,
		     o->copies == 1 ? "y" : "ies");
}

/*
 * A rule in place of the run: family fi's packets to its tree, root. Its
 * comment (which its key holds) names the tree as --explain does, not by
 * the lines of its rules: a line inserted above them would change it.
 */
static void dispatch_rule(struct ir_table *t, struct ir_rule *r,
			  const char *root, int fi, unsigned run,
			  const char *chain)
{
	char why[64 + IR_NAME_MAX];
	struct ir_match *m;

	memset(r, 0, sizeof(*r));
	snprintf(why, sizeof(why), "decision tree %u of chain %s", run, chain);
	r->why = ir_table_strdup(t, why);
	m = ir_match_add(r, IR_NFPROTO, IR_EQ);
	m->value.lo[0] = m->value.hi[0] = opt_fam_nfproto(fi);
	r->verdict.kind = IR_JUMP;
	r->verdict.chain = ir_table_strdup(t, root);
}

struct chain_out {
	struct ir_rule	*rules;
	size_t		n;
};

static void out_add(struct chain_out *out, const struct ir_rule *r)
{
	out->rules = xgrow(out->rules, out->n, sizeof(*out->rules));
	out->rules[out->n++] = *r;
}

/* Frees the chains added after the first n (a tree that was no use). */
static void chains_truncate(struct ir_table *t, size_t n)
{
	size_t i, j;

	for (i = n; i < t->n_chains; i++) {
		for (j = 0; j < t->chains[i]->n_rules; j++)
			ir_rule_free(&t->chains[i]->rules[j]);
		free(t->chains[i]->rules);
		free(t->chains[i]);
	}
	t->n_chains = n;
}

/*
 * What goes in front of the trees that look something up (one leaf, a
 * family with few rules, costs less than the lookups): the flow cache
 * where flow allows it, else the flow map for changes alone where guard
 * does (opt_front()). Returns the families with either; *cached: those
 * with a cache.
 */
static uint8_t fronts(struct ir_table *t, struct notes *ns,
		      char root[2][IR_NAME_MAX], const struct opt_stats st[2],
		      char prefix[2][IR_NAME_MAX], size_t first,
		      const struct opt_rule *rules, size_t n,
		      enum ir_verdict_kind fall, bool flow, bool guard,
		      const char *tree, uint8_t *cached)
{
	/* Names the cache's sets; guard is flow or less (optimize_chain). */
	uint64_t h = flow ? opt_flow_hash(rules, n, fall) : 0;
	uint8_t front = 0, bit;
	int fi;

	*cached = 0;
	for (fi = 0; guard && fi < 2; fi++) {
		if (!root[fi][0] || !st[fi].splits)
			continue;
		snprintf(root[fi], IR_NAME_MAX, "%s", opt_front(t, root[fi],
			 opt_fam_nfproto(fi), first, prefix[fi], h, flow, NULL,
			 0)->name);
		bit = fi ? OPT_V6 : OPT_V4;
		front |= bit;
		if (!flow) {
			note(ns, rules[0].ir->loc, NULL, "%s: a flow map for "
			     "changes in front of it, chain %s (map %s_gm, its "
			     "switch %s_gon)", tree, root[fi], prefix[fi],
			     prefix[fi]);
			continue;
		}
		*cached |= bit;
		note(ns, rules[0].ir->loc, NULL, "%s: a flow cache in front "
		     "of it, chain %s (sets %s_f[adn]_%012llx, map %s_gm, "
		     "its switch %s_gon)", tree, root[fi], prefix[fi],
		     (unsigned long long)(h & 0xffffffffffffull),
		     prefix[fi], prefix[fi]);
	}
	return front;
}

/* The rules in place of run number run of chain c: per family, a jump to
 * root. */
static void dispatch(struct ir_table *t, char root[2][IR_NAME_MAX],
		     unsigned run, const struct ir_chain *c,
		     struct chain_out *out)
{
	struct ir_rule r;
	int fi;

	for (fi = 0; fi < 2; fi++) {
		if (!root[fi][0])
			continue;
		dispatch_rule(t, &r, root[fi], fi, run, c->name);
		out_add(out, &r);
	}
}

/*
 * The run's tree as the last apply left it, with what changed since in
 * front (opt_overlay.c), if the table was compiled against such records
 * and this run's changed little. True: done.
 */
static bool overlay_run(struct ir_table *t, const struct ir_chain *c,
			unsigned run, struct opt_rule *rules, size_t n,
			enum ir_verdict_kind fall, bool flow, bool guard,
			char prefix[2][IR_NAME_MAX], struct scratch *scr,
			struct chain_out *out)
{
	const struct opt_base *b = opt_bases_find(t->bases_in, c->name, run);
	uint32_t *base_of;
	char root[2][IR_NAME_MAX];
	struct opt_base kept;

	if (!b || !t->bases)
		return false;
	base_of = xcalloc(n + 1, sizeof(*base_of));
	if (!opt_overlay(t, t->bases_in, b, rules, n, fall, flow, guard,
			 prefix, root, &kept, base_of, scr)) {
		free(base_of);
		return false;
	}
	*opt_bases_add(t->bases) = kept;
	opt_lines_note(t->bases->lines, c->name, run, rules, n, base_of);
	free(base_of);
	dispatch(t, root, run, c, out);
	return true;
}

/*
 * Whether the stand-ins among rules (lines the compile left out) are
 * where the last apply had them: in chain c's run number run.
 */
static bool kept_in_place(const struct ir_table *t, const struct ir_chain *c,
			  unsigned run, const struct opt_rule *rules,
			  size_t n, bool *any)
{
	size_t i, name = SIZE_MAX;

	*any = false;
	for (i = 0; i < n; i++) {
		const struct line_rule *lr = rules[i].ir->keep;

		if (!lr)
			continue;
		/* The record's name of c: looked up once, not per rule. */
		if (!*any && !strcmp(t->skip->old->names[lr->chain], c->name))
			name = lr->chain;
		*any = true;
		if (lr->run != run || lr->chain != name)
			return false;
	}
	return true;
}

/* The list's record for the next apply: rule i is rule i of the tree. */
static void note_built(struct ir_table *t, const struct ir_chain *c,
		       unsigned run, const struct opt_rule *rules, size_t n)
{
	uint32_t *base_of;
	size_t i;

	if (!t->bases || !t->bases->lines)
		return;
	base_of = xcalloc(n + 1, sizeof(*base_of));
	for (i = 0; i < n; i++)
		base_of[i] = (uint32_t)i;
	opt_lines_note(t->bases->lines, c->name, run, rules, n, base_of);
	free(base_of);
}

/*
 * rules[0..n) of chain c as trees; the rule that replaces them goes to
 * out. flow: the list may have a flow cache; guard: a flow map in front
 * (the kernel takes both). False when the trees would not look anything
 * up (every family's list is one leaf): the rules are better left as
 * they are.
 */
static bool tree_run(struct ir_table *t, struct notes *ns, struct ir_chain *c,
		     unsigned run, struct opt_rule *rules, size_t n,
		     enum ir_verdict_kind fall, bool flow, bool guard,
		     struct chain_out *out)
{
	static const char *const fam_names[2] = { "ipv4", "ipv6" };
	char prefix[2][IR_NAME_MAX], root[2][IR_NAME_MAX], tree[96];
	char top_name[2][IR_NAME_MAX];
	struct ir_chain *top;
	struct opt_stats st[2];
	size_t i, n_chains = t->n_chains;
	struct scratch scr = { 0 };
	uint8_t cached, front;
	bool kept_any;
	int fi;

	/* One scratch stack: the boxes' pages serve the trees' sweeps. */
	for (i = 0; i < n; i++)
		opt_rule_box(&rules[i], &scr);
	for (fi = 0; fi < 2; fi++)
		snprintf(prefix[fi], sizeof(prefix[fi]), "%.20s_t%u_%c",
			 c->name, run % 1000, fi ? '6' : '4');
	flow = flow && opt_flow_cacheable(rules, n);
	if (!kept_in_place(t, c, run, rules, n, &kept_any)) {
		t->skip->failed = true;
		scratch_free(&scr);
		return false;
	}
	if (overlay_run(t, c, run, rules, n, fall, flow, guard, prefix, &scr,
			out)) {
		scratch_free(&scr);
		return true;
	}
	/* A tree is built from rules: the compile must not leave lines out. */
	if (kept_any) {
		t->skip->failed = true;
		scratch_free(&scr);
		return false;
	}
	for (fi = 0; fi < 2; fi++) {
		memset(&st[fi], 0, sizeof(st[fi]));
		top = opt_tree(t, rules, n, fi, fall, prefix[fi], &st[fi],
			       &scr);
		snprintf(root[fi], IR_NAME_MAX, "%s", top ? top->name : "");
	}
	scratch_free(&scr);
	if (!st[0].splits && !st[1].splits) {
		chains_truncate(t, n_chains);
		return false;
	}
	snprintf(tree, sizeof(tree), "tree %u of chain %s", run, c->name);
	for (fi = 0; fi < 2; fi++)
		if (root[fi][0])
			note(ns, rules[0].ir->loc, NULL,
			     "%s, %s (rules %s:%u-%u, %zu rules): %u chains, "
			     "%u map elements, %u rules in leaf chains, %u "
			     "lookups deep, %u splits, %u halvings, %u sinks, "
			     "%u left out", tree,
			     fam_names[fi], rules[0].ir->loc.file ?
			     rules[0].ir->loc.file : "?", rules[0].ir->loc.line,
			     rules[n - 1].ir->loc.line, n, st[fi].chains,
			     st[fi].elems, st[fi].leaf_rules, st[fi].depth,
			     st[fi].splits, st[fi].halvings, st[fi].sinks,
			     st[fi].redundant);
	for (i = 0; i < n; i++)
		note_rule(ns, &rules[i], tree);
	memcpy(top_name, root, sizeof(top_name));
	front = fronts(t, ns, root, st, prefix, n_chains, rules, n, fall, flow,
		       guard, tree, &cached);
	if (t->bases)	/* the roots the cache jumps to, not the cache */
		opt_base_record(t->bases, c->name, run, fall, prefix, top_name,
				cached, front, rules, n);
	note_built(t, c, run, rules, n);
	dispatch(t, root, run, c, out);
	return true;
}

static void keep_note(struct notes *ns, const struct ir_chain *c,
		      const struct ir_rule *r, const char *why)
{
	if (!r->loc.file)
		return;
	note(ns, r->loc, r->text, "as written, in chain %s%s%s", c->name,
	     why ? ": it " : "", why ? why : "");
}

static enum ir_verdict_kind policy_of(const struct ir_chain *c)
{
	return c->policy_drop ? IR_DROP : IR_ACCEPT;
}

/*
 * How verdict v of a rule in chain x leads to chain name: true when it
 * does not, or by a goto from a base chain whose policy is *fall (set by
 * the first such goto); false for anything else: a jump returns to the
 * rule after it, a goto from a regular chain to whoever jumped there.
 */
static bool goto_from_base(const struct ir_chain *x,
			   const struct ir_verdict *v, const char *name,
			   enum ir_verdict_kind *fall)
{
	if ((v->kind != IR_JUMP && v->kind != IR_GOTO) ||
	    strcmp(v->chain, name))
		return true;
	if (v->kind != IR_GOTO || x->hook == IR_HOOK_NONE)
		return false;
	if (*fall == IR_VERDICT_NONE)
		*fall = policy_of(x);
	return *fall == policy_of(x);
}

/*
 * Where a packet that falls off the end of chain c goes, where that is
 * known: a base chain's policy; for a regular chain that only base
 * chains with one policy goto (zone dispatch does), that policy too, as
 * a goto leaves nothing to return to. IR_VERDICT_NONE otherwise.
 */
static enum ir_verdict_kind chain_fall(const struct ir_table *t,
				       const struct ir_chain *c)
{
	enum ir_verdict_kind fall = IR_VERDICT_NONE;
	size_t i, j, k;

	if (c->hook != IR_HOOK_NONE)
		return policy_of(c);
	for (i = 0; i < t->n_chains; i++) {
		const struct ir_chain *x = t->chains[i];

		for (j = 0; j < x->n_rules; j++) {
			const struct ir_verdict *v = &x->rules[j].verdict;
			const struct ir_set *m = v->kind == IR_VMAP ?
						 v->vmap : NULL;

			if (!goto_from_base(x, v, c->name, &fall))
				return IR_VERDICT_NONE;
			for (k = 0; m && k < m->n_elems; k++)
				if (!goto_from_base(x, &m->elems[k].verdict,
						    c->name, &fall))
					return IR_VERDICT_NONE;
		}
	}
	return fall;
}

/*
 * The verdict of a packet that no rule of a run ending before rule j of c
 * matches, where it is known: the run ends c, and where c ends is known
 * (chain_fall). Elsewhere more rules follow.
 */
static enum ir_verdict_kind run_fall(const struct ir_table *t,
				     const struct ir_chain *c, size_t j)
{
	return j < c->n_rules ? IR_VERDICT_NONE : chain_fall(t, c);
}

static void optimize_chain(struct ir_table *t, struct notes *ns,
			   struct ir_chain *c, bool flow)
{
	struct chain_out out = { NULL, 0 };
	struct opt_rule *run;
	unsigned runs = 0;
	const char *why;
	size_t i = 0, j, k;
	bool guard;

	/* The runs point into it while the trees are built: no spare room. */
	ir_chain_fit(c);
	guard = flow;
	flow = flow && !opt_flow_chain_tracks(c);
	while (i < c->n_rules) {
		for (j = i; j < c->n_rules &&
			    opt_rule_movable(&c->rules[j], &why); j++)
			;
		if (j - i < RUN_MIN) {
			for (; i < j; i++) {
				keep_note(ns, c, &c->rules[i], NULL);
				out_add(&out, &c->rules[i]);
			}
			if (i < c->n_rules) {	/* why: what stopped the run */
				keep_note(ns, c, &c->rules[i], why);
				out_add(&out, &c->rules[i++]);
			}
			continue;
		}
		run = xcalloc(j - i, sizeof(*run));
		for (k = i; k < j; k++)
			run[k - i].ir = &c->rules[k];
		if (tree_run(t, ns, c, ++runs, run, j - i, run_fall(t, c, j),
			     flow, guard, &out)) {
			for (k = 0; k < j - i; k++)
				opt_rule_free(&run[k]);
		} else {
			for (k = 0; k < j - i; k++) {
				opt_rule_box_free(&run[k]);
				keep_note(ns, c, &c->rules[i + k], NULL);
				out_add(&out, &c->rules[i + k]);
			}
			runs--;
		}
		free(run);
		i = j;
	}
	free(c->rules);
	c->rules = out.rules;
	c->n_rules = c->rules_cap = out.n;
}

static int note_cmp(const void *a, const void *b)
{
	const struct ir_note *x = a, *y = b;
	int d = strcmp(x->loc.file ? x->loc.file : "",
		       y->loc.file ? y->loc.file : "");

	if (d)
		return d;
	if (x->loc.line != y->loc.line)
		return x->loc.line < y->loc.line ? -1 : 1;
	/* A tree's summary before its first rule. */
	return (x->text != NULL) - (y->text != NULL);
}

/* Regular chains first, base chains last, each in its order. */
static void chains_order(struct ir_table *t)
{
	struct ir_chain **sorted = xcalloc(t->n_chains, sizeof(*sorted));
	size_t i, n = 0;

	for (i = 0; i < t->n_chains; i++)
		if (t->chains[i]->hook == IR_HOOK_NONE)
			sorted[n++] = t->chains[i];
	for (i = 0; i < t->n_chains; i++)
		if (t->chains[i]->hook != IR_HOOK_NONE)
			sorted[n++] = t->chains[i];
	free(t->chains);
	t->chains = sorted;
}

/* A stand-in outside a kept tree's list (a list too short for a tree). */
static bool stand_ins_left(const struct ir_table *t)
{
	size_t i, j;

	for (i = 0; i < t->n_chains; i++)
		for (j = 0; j < t->chains[i]->n_rules; j++)
			if (t->chains[i]->rules[j].keep)
				return true;
	return false;
}

void ir_optimize(struct ir_table *t, bool explain, bool flow_cache)
{
	struct notes ns = { .t = t, .on = explain };
	struct opt_lines *lines = t->bases ? t->bases->lines : NULL;
	size_t i, n = t->n_chains;

	if (lines)
		opt_lines_count(lines, t);
	for (i = 0; i < n; i++)
		if (t->chains[i]->type == IR_CHAIN_FILTER)
			optimize_chain(t, &ns, t->chains[i], flow_cache);
	if (lines)
		opt_lines_finish(lines);
	if (t->skip && stand_ins_left(t))
		t->skip->failed = true;
	chains_order(t);
	if (t->n_notes)
		qsort(t->notes, t->n_notes, sizeof(*t->notes), note_cmp);
}
