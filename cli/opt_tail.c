// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Leaves of a decision tree that end alike share their end. A rule wide in
 * some dimensions is copied into every leaf whose piece it covers, and
 * such rules gather at a list's end, so many leaves end with the same
 * rules (fw1_10k: its 36,901 leaf rules in 1,337 leaves are 23,769 when
 * each common end counts once). A tail that enough leaves share becomes a
 * chain of its own, and they goto it after their own rules: a packet
 * meets the same rules in the same order, and falling off the tail's end
 * returns where falling off the leaf's did (a goto keeps the caller's
 * return).
 *
 * The tails are a trie over the leaves' rules read backwards; a rule is
 * its content and source line, so only copies of one rule less the same
 * proven matches meet. A node becomes a chain where leaves
 * part (two children, or a leaf that starts there) and enough is saved:
 * c leaves pass through it and k rules lead from it to the next tail
 * below the leaves' ends, and (c - 1) * (k - 1) > 2 (k rules copied
 * c - 1 times less, against c gotos and a chain), with k >= TAIL_MIN so
 * that a packet takes one goto more per TAIL_MIN rules at most.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir_hash.h"
#include "opt.h"
#include "xalloc.h"

#define TAIL_MIN	4

struct node {
	uint64_t		key;		/* the copy: content, source line */
	uint64_t		name_key;	/* content only, for names */
	uint32_t		parent;		/* 0: the root, the chains' end */
	uint32_t		count;		/* leaves through it */
	uint32_t		starts;		/* leaves that start at it */
	uint32_t		children;
	uint32_t		seg;		/* its rule and those up to the
						 * next tail (or the end) */
	bool			tail;		/* a chain of its own */
	const struct ir_rule	*rule;		/* a copy it stands for */
	struct ir_chain		*chain;		/* a tail's */
};

struct trie {
	struct node	*nodes;		/* [0]: the root */
	size_t		n;
	uint32_t	*slots;		/* (parent, key) -> node, 0: free */
	size_t		mask;
};

/* A chain's new rules, made before any chain changes. */
struct rewrite {
	struct ir_chain	*c;
	struct ir_rule	*rules;
	size_t		n;
};

/*
 * A copy is its content and its source line (two equal rules of a list
 * stay apart, each keeps its comment). Names take the content only: they
 * stay when lines move, and no address goes into them. The copies of one
 * rule differ only in the matches the lookups proved (the rest keep their
 * order) and l4_proven, so the rule's own key and what is left of its
 * matches tell them apart: much cheaper than ir_rule_key over every copy.
 * A set stays the rule's own (its key has the elements): not its id,
 * which other rules' sets before it decide.
 */
static uint64_t name_key(const struct ir_rule *r, const struct opt_rule *rules)
{
	uint64_t h, v;
	size_t i;

	if (!r->origin)
		return opt_mix(ir_rule_key(r, false) ^ r->l4_proven);
	h = opt_mix(rules[r->origin - 1].key ^ r->l4_proven ^
		    (uint64_t)r->n_matches << 8);
	for (i = 0; i < r->n_matches; i++) {
		const struct ir_match *m = &r->matches[i];

		memcpy(&v, m->value.lo, sizeof(v));
		h = opt_mix(h ^ v ^ (uint64_t)m->field << 32 ^
			    (uint64_t)m->op << 48 ^
			    (m->set ? 1ull << 16 : 0));
		memcpy(&v, m->value.hi + IR_VALUE_MAX - sizeof(v), sizeof(v));
		h = opt_mix(h ^ v);
	}
	return h;
}

static uint64_t copy_key(const struct ir_rule *r, uint64_t name)
{
	return opt_mix(name ^ opt_mix(r->loc.line) ^ (uintptr_t)r->loc.file);
}

static uint64_t slot_hash(uint32_t parent, uint64_t key)
{
	return opt_mix(key ^ opt_mix(parent));
}

/* The child of parent for copy r, made when new. */
static uint32_t child(struct trie *tr, uint32_t parent,
		      const struct ir_rule *r, const struct opt_rule *rules)
{
	uint64_t name = name_key(r, rules), key = copy_key(r, name);
	size_t i;
	uint32_t k;

	for (i = slot_hash(parent, key) & tr->mask; (k = tr->slots[i]);
	     i = (i + 1) & tr->mask)
		if (tr->nodes[k].parent == parent && tr->nodes[k].key == key)
			return k;
	k = (uint32_t)tr->n++;
	tr->slots[i] = k;
	tr->nodes[k] = (struct node){ .key = key, .name_key = name,
				      .parent = parent, .rule = r };
	tr->nodes[parent].children++;
	return k;
}

/* Tails, top down: a node's parent was made before it. */
static void choose_tails(struct trie *tr)
{
	size_t i;

	for (i = 1; i < tr->n; i++) {
		struct node *d = &tr->nodes[i];
		const struct node *p = &tr->nodes[d->parent];
		uint32_t k = (d->parent && !p->tail ? p->seg : 0) + 1;

		d->seg = k;
		d->tail = d->count >= 2 && (d->children >= 2 || d->starts) &&
			  k >= TAIL_MIN && (d->count - 1) * (k - 1) > 2;
	}
}

static void goto_rule(struct ir_rule *r, const struct ir_chain *to)
{
	memset(r, 0, sizeof(*r));
	r->why = "decision tree";
	r->verdict.kind = IR_GOTO;
	r->verdict.chain = to->name;
}

/* The rules from node s up to the next tail, then a goto there. */
static struct rewrite segment(const struct trie *tr, struct ir_chain *c,
			      uint32_t s)
{
	struct rewrite w = { c, xcalloc(tr->nodes[s].seg + 1,
					sizeof(*w.rules)), 0 };
	uint32_t k = s;

	do {
		ir_rule_copy(&w.rules[w.n++], tr->nodes[k].rule);
		k = tr->nodes[k].parent;
	} while (k && !tr->nodes[k].tail);
	if (k)
		goto_rule(&w.rules[w.n++], tr->nodes[k].chain);
	return w;
}

/* Whether a tail lies between s and the end: else s's leaf stays. */
static bool reaches_tail(const struct trie *tr, uint32_t s)
{
	for (; s; s = tr->nodes[s].parent)
		if (tr->nodes[s].tail)
			return true;
	return false;
}

/* For --explain: copies of rules[i] in leaves and tails (origin i + 1). */
static void count_copies(struct opt_rule *rules, const struct ir_chain *c,
			 int delta)
{
	size_t i;

	for (i = 0; i < c->n_rules; i++)
		if (c->rules[i].origin)
			rules[c->rules[i].origin - 1].copies += delta;
}

static void install(struct rewrite *w, struct opt_rule *rules,
		    struct opt_stats *st)
{
	struct ir_chain *c = w->c;
	size_t i;

	count_copies(rules, c, -1);
	st->leaf_rules -= (unsigned)c->n_rules;
	for (i = 0; i < c->n_rules; i++)
		ir_rule_free(&c->rules[i]);
	free(c->rules);
	c->rules = w->rules;
	c->n_rules = c->rules_cap = w->n;
	count_copies(rules, c, 1);
	st->leaf_rules += (unsigned)w->n;
}

/* Whether one of the tree's chains (t->chains[first..]) is called name:
 * the prefix is the tree's own, so no other chain can be. */
static bool name_used(const struct ir_table *t, size_t first,
		      const char *name)
{
	size_t i;

	for (i = first; i < t->n_chains; i++)
		if (!strcmp(t->chains[i]->name, name))
			return true;
	return false;
}

/* A chain for a tail no leaf starts at, named by what it holds. */
static struct ir_chain *tail_chain(struct ir_table *t, size_t first,
				   const struct trie *tr, uint32_t s,
				   const char *prefix, uint8_t nfproto,
				   struct opt_stats *st)
{
	char name[IR_NAME_MAX];
	struct ir_chain *c;
	uint64_t h = opt_mix('x');
	uint32_t k = s;
	const char *p;

	do {
		h = opt_mix(h ^ tr->nodes[k].name_key);
		k = tr->nodes[k].parent;
	} while (k && !tr->nodes[k].tail);
	for (p = k ? tr->nodes[k].chain->name : ""; *p; p++)
		h = opt_mix(h ^ (uint8_t)*p);
	do {
		snprintf(name, sizeof(name), "%s_x%012llx", prefix,
			 (unsigned long long)(h & 0xffffffffffffull));
		h = opt_mix(h);
	} while (name_used(t, first, name));
	c = ir_chain_add(t, name, IR_HOOK_NONE);
	c->nfproto = nfproto;
	st->chains++;
	return c;
}

static bool is_leaf(const struct ir_chain *c, const char *prefix, size_t len)
{
	return c->n_rules && !strncmp(c->name, prefix, len) &&
	       c->name[len] == '_' && c->name[len + 1] == 'l';
}

/* The trie of the leaves t->chains[first..last); start: each's node. */
static void trie_build(struct trie *tr, struct ir_table *t, size_t first,
		       size_t last, const char *prefix,
		       const struct opt_rule *rules, uint32_t *start)
{
	size_t i, j, total = 0, len = strlen(prefix);
	uint32_t k;

	for (i = first; i < last; i++)
		if (is_leaf(t->chains[i], prefix, len))
			total += t->chains[i]->n_rules;
	tr->nodes = xcalloc(total + 1, sizeof(*tr->nodes));
	tr->n = 1;
	for (tr->mask = 1; tr->mask < 2 * total; tr->mask <<= 1)
		;
	tr->slots = xcalloc(tr->mask, sizeof(*tr->slots));
	tr->mask--;
	for (i = first; i < last; i++) {
		struct ir_chain *c = t->chains[i];

		if (!is_leaf(c, prefix, len))
			continue;
		for (k = 0, j = c->n_rules; j-- > 0;) {
			k = child(tr, k, &c->rules[j], rules);
			tr->nodes[k].count++;
		}
		tr->nodes[k].starts++;
		start[i - first] = k;
	}
}

void opt_tail_share(struct ir_table *t, size_t first, const char *prefix,
		    uint8_t nfproto, struct opt_rule *rules,
		    struct opt_stats *st)
{
	size_t i, last = t->n_chains, n_w = 0;
	struct trie tr = { 0 };
	struct rewrite *w;
	uint32_t *start, k;

	if (last - first < 2)
		return;
	start = xcalloc(last - first, sizeof(*start));
	trie_build(&tr, t, first, last, prefix, rules, start);
	choose_tails(&tr);
	/* A tail some leaf starts at is that leaf; the others are new. */
	for (i = first; i < last; i++) {
		k = start[i - first];
		if (k && tr.nodes[k].tail && !tr.nodes[k].chain)
			tr.nodes[k].chain = t->chains[i];
	}
	for (k = 1; k < tr.n; k++)
		if (tr.nodes[k].tail && !tr.nodes[k].chain)
			tr.nodes[k].chain = tail_chain(t, first, &tr, k,
						       prefix, nfproto, st);
	/* Every new list is made before any changes: the nodes point at
	 * the leaves' rules. */
	w = xcalloc(tr.n + last - first, sizeof(*w));
	for (k = 1; k < tr.n; k++)
		if (tr.nodes[k].tail && !tr.nodes[k].chain->n_rules)
			w[n_w++] = segment(&tr, tr.nodes[k].chain, k);
	for (i = first; i < last; i++) {
		struct ir_chain *c = t->chains[i];

		k = start[i - first];
		if (!k || !reaches_tail(&tr, k))
			continue;
		if (tr.nodes[k].tail && tr.nodes[k].chain != c) {
			/* All of it is another leaf's list. */
			w[n_w] = (struct rewrite){ c, xcalloc(1,
					sizeof(*w->rules)), 1 };
			goto_rule(w[n_w++].rules, tr.nodes[k].chain);
		} else {
			w[n_w++] = segment(&tr, c, k);
		}
	}
	for (i = 0; i < n_w; i++)
		install(&w[i], rules, st);
	free(w);
	free(start);
	free(tr.slots);
	free(tr.nodes);
}
