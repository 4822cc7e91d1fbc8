// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The inline sets of a big table: those that many rules hold alike become
 * one named set they all look up, and a small one that a rule holds alone
 * becomes a copy of the rule per element.
 *
 * The kernel binds an anonymous set to the one rule that made it, and
 * binding walks the batch's whole list of transactions: a batch of n
 * rules with inline sets costs O(n^2). A decision tree copies a rule into
 * several leaves and a zone's interfaces go into every rule of the zone,
 * so 1,500 random rules made 7,521 anonymous sets, 1,127 of them
 * different, and their apply took 3.8 s, nearly all of it in
 * __nft_set_trans_bind and the kernel's naming of "__set%d" sets. Named
 * sets are found by name instead, once per rule.
 *
 * Named sets are no cure for thousands of different ones: the kernel
 * finds a set by walking the table's list of sets, so 10,000 rules each
 * with its own set of two ports took 4.3 s named and 8.0 s anonymous.
 * Written out as two rules each they take no set at all; and where a rule
 * looks up a set of a few elements, comparing a few values costs a packet
 * less than the lookup (tests/bench/classify --costs). That is only exact
 * for a rule that does nothing but give a verdict that ends the packet's
 * way: a copy that counted, limited or logged would split what the rule
 * does, and copies from disjoint elements never match one packet twice.
 *
 * Small tables keep their sets inline, as written (and as nft lists
 * them): below SHARE_MIN anonymous sets the walk costs nothing worth it.
 * A shared set is named after its content, so the same content keeps the
 * same set from one apply to the next and an incremental apply leaves it
 * alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "ir_hash.h"
#include "xalloc.h"

#define SHARE_MIN	256	/* anonymous sets in the table */
#define COPIES_MAX	4	/* of a rule, for its sets left inline */

struct use {
	uint64_t	key;
	struct ir_set	**slot;		/* where a rule points at the set */
};

static int use_cmp(const void *a, const void *b)
{
	const struct use *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

/* Sets the kernel takes by name like any other: not maps, not filled. */
static bool shareable(const struct ir_set *s)
{
	return s && s->anonymous && !s->is_vmap && !s->dynamic &&
	       !s->timeout_ms;
}

/* Where rules point at an inline set; keyed only when there are many. */
static struct use *uses_of(struct ir_table *t, size_t *n)
{
	struct use *u = NULL;
	size_t i, j, k;

	*n = 0;
	for (i = 0; i < t->n_chains; i++)
		for (j = 0; j < t->chains[i]->n_rules; j++) {
			struct ir_rule *r = &t->chains[i]->rules[j];

			for (k = 0; k < r->n_matches; k++) {
				struct ir_set **slot = &r->matches[k].set;

				if (!shareable(*slot))
					continue;
				u = xgrow(u, *n, sizeof(*u));
				u[(*n)++].slot = slot;
			}
		}
	if (*n > SHARE_MIN)
		for (i = 0; i < *n; i++)
			u[i].key = ir_set_elems_key(*u[i].slot);
	return u;
}

/* The key is a hash: equal keys are checked to be equal sets. */
static bool same_elems(const struct ir_set *a, const struct ir_set *b)
{
	size_t i;

	if (a == b)
		return true;
	if (a->field != b->field || a->interval != b->interval ||
	    a->n_elems != b->n_elems)
		return false;
	for (i = 0; i < a->n_elems; i++)
		if (memcmp(&a->elems[i].value, &b->elems[i].value,
			   sizeof(a->elems[i].value)))
			return false;
	return true;
}

/*
 * Uses [from, to) have one key: the set of the first becomes named and
 * the others point at it, unless their sets differ after all or the name
 * is taken (a set of the file by that name): then they stay inline.
 */
static void share(struct ir_table *t, const struct use *u, size_t from,
		  size_t to)
{
	struct ir_set *s = *u[from].slot;
	char name[IR_NAME_MAX];
	size_t i;

	for (i = from + 1; i < to; i++)
		if (!same_elems(s, *u[i].slot))
			return;
	snprintf(name, sizeof(name), "shared_%016llx",
		 (unsigned long long)u[from].key);
	if (ir_table_find_set(t, name))
		return;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->anonymous = false;
	s->shared = true;
	for (i = from + 1; i < to; i++)
		*u[i].slot = s;
}

/*
 * Nothing but matches and a verdict that ends the packet's way through
 * the chain (a goto: the flow cache's, opt_flow.c).
 */
static bool plain(const struct ir_rule *r)
{
	return (r->verdict.kind == IR_ACCEPT || r->verdict.kind == IR_DROP ||
		r->verdict.kind == IR_REJECT || r->verdict.kind == IR_GOTO) &&
	       !r->flow_add &&
	       !r->has_limit && !r->has_log && !r->counter &&
	       !r->has_connlimit && !ir_rule_changes_packet(r);
}

/* Copies that r becomes (the product of its inline sets' sizes), or 0. */
static size_t copies_of(const struct ir_rule *r)
{
	size_t n = 1, k;
	bool any = false;

	if (!plain(r))
		return 0;
	for (k = 0; k < r->n_matches; k++) {
		const struct ir_match *m = &r->matches[k];

		if (!m->set || !m->set->anonymous)
			continue;
		if (m->op != IR_EQ || !shareable(m->set) ||
		    m->set->n_elems > COPIES_MAX)
			return 0;
		n *= m->set->n_elems;
		if (n > COPIES_MAX)
			return 0;
		any = true;
	}
	return any ? n : 0;
}

/* Copy i of r: its inline sets' elements picked by the digits of i. */
static void copy_put(struct ir_rule *to, const struct ir_rule *r, size_t i)
{
	size_t k;

	ir_rule_copy(to, r);
	for (k = 0; k < r->n_matches; k++) {
		struct ir_match *m = &to->matches[k];
		const struct ir_set *s = r->matches[k].set;

		if (!s || !s->anonymous)
			continue;
		m->set = NULL;
		m->value = s->elems[i % s->n_elems].value;
		i /= s->n_elems;
	}
}

static void chain_expand(struct ir_chain *c)
{
	size_t *copies = xcalloc(c->n_rules, sizeof(*copies));
	size_t i, j, k, total = 0;
	struct ir_rule *rules;
	bool any = false;

	for (i = 0; i < c->n_rules; i++) {
		copies[i] = copies_of(&c->rules[i]);
		total += copies[i] ? copies[i] : 1;
		any |= copies[i] > 0;
	}
	if (!any) {
		free(copies);
		return;
	}
	rules = xcalloc(total, sizeof(*rules));
	for (i = 0, j = 0; i < c->n_rules; i++) {
		struct ir_rule *r = &c->rules[i];

		if (!copies[i]) {
			rules[j++] = *r;
			continue;
		}
		for (k = 0; k < copies[i]; k++)
			copy_put(&rules[j++], r, k);
		ir_rule_free(r);
	}
	free(copies);
	free(c->rules);
	c->rules = rules;
	c->n_rules = c->rules_cap = total;
}

void ir_share_sets(struct ir_table *t)
{
	size_t n, i, j;
	struct use *u = uses_of(t, &n);

	if (n <= SHARE_MIN) {
		free(u);
		return;
	}
	qsort(u, n, sizeof(*u), use_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && u[j].key == u[i].key; j++)
			;
		if (j - i > 1)
			share(t, u, i, j);
	}
	free(u);
	/* What is still inline is one rule's own. */
	for (i = 0; i < t->n_chains; i++)
		chain_expand(t->chains[i]);
}
