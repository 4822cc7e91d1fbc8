// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Inspect rules as the kernel runs them (nft-native ct mark form).
 *
 * fwctld's NF_ACCEPT resumes at the next base chain of the hook, not at
 * the next rule, so inspection gets base chains of its own that run after
 * the filter chains (priority 0) accepted a packet:
 *
 *   inspect_CHAIN (priority 10): denied connections drop, decided ones
 *     pass, then each inspect rule queues what it matches;
 *   inspect_CHAIN_mark (priority 20): the daemon's verdict, carried in the
 *     packet mark (the kernel refuses conntrack in queue verdicts), is
 *     copied to the connection mark, so later packets skip the queue.
 *
 * Zones cannot use the dispatch chains of the filter chains here; they
 * match inline. Only chains with inspect rules exist.
 */
#include <stdio.h>
#include <string.h>

#include "fwctl/mark.h"
#include "lower_internal.h"

#define INSPECT_PRIORITY	10
#define INSPECT_MARK_PRIORITY	20

static const enum ir_hook hooks[CHAIN_COUNT] = {
	[CHAIN_INPUT] = IR_HOOK_INPUT,
	[CHAIN_FORWARD] = IR_HOOK_FORWARD,
	[CHAIN_OUTPUT] = IR_HOOK_OUTPUT,
};

static void match_mark(struct ir_rule *r, enum ir_field field,
		       uint32_t mask, uint32_t value)
{
	struct ir_match *m = ir_match_add(r, field, IR_EQ);

	m->mark_mask = mask;
	memcpy(m->value.lo, &value, sizeof(value));
	memcpy(m->value.hi, &value, sizeof(value));
}

static struct ir_chain *base_chain(struct lower *lw, enum chain_id chain,
				   const char *suffix, int priority)
{
	char name[IR_NAME_MAX];
	struct ir_chain *c;

	snprintf(name, sizeof(name), "inspect_%s%s", chain_names[chain],
		 suffix);
	c = ir_chain_add(lw->t, name, hooks[chain]);
	c->priority = priority;
	return c;
}

/* Every IR rule lowering made of mi (one per family) queues. */
static void queue_rule(struct lower *lw, struct ir_chain *c,
		       const struct m_inspect *mi)
{
	size_t i = c->n_rules;

	lower_rule(lw, c, mi->rule);
	for (; i < c->n_rules; i++) {
		struct ir_verdict *v = &c->rules[i].verdict;

		v->kind = IR_QUEUE;
		v->queue = (struct ir_queue){
			.first = mi->queue_first,
			.count = mi->queue_count,
			.bypass = mi->fail_open,
			.fanout = mi->queue_count > 1,
		};
	}
}

static void inspect_chains(struct lower *lw, enum chain_id chain)
{
	const struct model *m = lw->m;
	struct ir_chain *c, *mark;
	struct ir_rule *r;
	size_t i;

	c = base_chain(lw, chain, "", INSPECT_PRIORITY);
	r = lower_builtin(c, "inspect-denied", IR_DROP);
	match_mark(r, IR_CT_MARK, FWCTL_MARK_MASK, FWCTL_MARK_DENY);
	r = lower_builtin(c, "inspect-decided", IR_ACCEPT);
	match_mark(r, IR_CT_MARK, FWCTL_MARK_DECIDED, FWCTL_MARK_DECIDED);
	for (i = 0; i < m->n_inspects; i++)
		if (m->inspects[i]->rule->chain == chain)
			queue_rule(lw, c, m->inspects[i]);
	mark = base_chain(lw, chain, "_mark", INSPECT_MARK_PRIORITY);
	r = lower_builtin(mark, "inspect-verdict", IR_VERDICT_NONE);
	match_mark(r, IR_META_MARK, FWCTL_MARK_DECIDED, FWCTL_MARK_DECIDED);
	r->ct_mark_from_meta = true;
	/* fwctld accepts denied packets with the deny mark: see mark.h */
	r = lower_builtin(mark, "inspect-denied", IR_DROP);
	match_mark(r, IR_META_MARK, FWCTL_MARK_MASK, FWCTL_MARK_DENY);
}

static void profile_patterns(struct lower *lw, struct ir_profile *p,
			     const struct m_inspect *rep)
{
	size_t k, j;

	for (k = 0; k < rep->n_clauses; k++) {
		const struct m_clause *c = &rep->clauses[k];

		for (j = 0; j < c->names->n; j++)
			ir_profile_add_pattern(lw->t, p, c->kind, c->action,
					       c->names->d[j].name);
	}
}

static void lower_profiles(struct lower *lw)
{
	size_t i;

	for (i = 0; i < lw->m->n_profiles; i++) {
		const struct m_profile *mp = &lw->m->profiles[i];
		struct ir_profile *p;

		p = ir_profile_add(lw->t, mp->rep->rule->loc);

		p->queue_first = mp->first;
		p->queue_count = mp->count;
		p->fail_open = mp->rep->fail_open;
		p->default_drop = mp->rep->default_drop;
		p->budget = mp->rep->budget;
		p->queue_length = mp->rep->queue_length;
		profile_patterns(lw, p, mp->rep);
	}
}

void lower_inspect(struct lower *lw)
{
	bool used[CHAIN_COUNT] = { false };
	size_t i;
	unsigned c;

	for (i = 0; i < lw->m->n_inspects; i++)
		used[lw->m->inspects[i]->rule->chain] = true;
	for (c = 0; c < CHAIN_COUNT; c++)
		if (used[c])
			inspect_chains(lw, (enum chain_id)c);
	lower_profiles(lw);
}
