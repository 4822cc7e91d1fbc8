// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plan_result(): the live table after an incremental batch, built from
 * the plan and the handles of the new rules, so that the state cache
 * (cli/live_cache.c) can skip the next dump. plan_full_result(): the
 * same after a full replace; plan_batch_result(): whichever fits.
 * Echoing 10,000s of new rules would cost as much receive buffer and
 * time as the dump it saves, so a sample of them echoes
 * (batch_echo_sample()) and the handles between are counted
 * (batch_rule_handle()). Every echo must be the rule sent at that place
 * (same chain, same key) with the handle counted for it; anything else
 * and there is no result, and the next apply dumps.
 */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "ir_hash.h"
#include "opt_base.h"
#include "opt_lines.h"
#include "plan.h"
#include "source.h"
#include "xalloc.h"

/*
 * The handle and key of new rule k of batch b, which must have been sent
 * for chain: the handle counted from the first echo, and checked against
 * the next echo if k echoed. False if an echo is missing or is not that
 * rule (chain, key) with that handle.
 */
static bool sample_handle(const struct batch *b,
			  const struct live_echoes *echoes, size_t k,
			  size_t *next, const char *chain, uint64_t *handle,
			  uint64_t *key)
{
	const struct batch_origin *o;
	const struct live_echo *e;

	if (!b || k >= batch_rules(b) || !echoes->n)
		return false;
	o = batch_rule_origin(b, k);
	*handle = batch_rule_handle(b, k, echoes->e[0].handle);
	*key = o->key;
	if (strcmp(o->name, chain))
		return false;
	if (!batch_rule_echoes(b, k))
		return true;
	if (*next >= echoes->n)
		return false;
	e = &echoes->e[(*next)++];
	return e->has_key && !strcmp(e->chain, chain) && e->key == o->key &&
	       e->handle == *handle;
}

/* Handles and keys of the new rules, by their index in p->adds. */
struct add_handles {
	const struct plan		*p;
	const struct batch		*b;
	const struct live_echoes	*echoes;
	uint64_t			*handle, *key;
	size_t				k, next;	/* rule, echo */
	bool				ok;
};

static void add_handle(const struct plan_add *a, void *ctx)
{
	struct add_handles *h = ctx;
	size_t i = (size_t)(a - h->p->adds);

	h->ok = h->ok && sample_handle(h->b, h->echoes, h->k++, &h->next,
				       a->chain->name, &h->handle[i],
				       &h->key[i]);
}

static void push_rule(struct live_chain *lc, uint64_t handle, uint64_t key,
		      uint32_t line)
{
	lc->rules = xgrow(lc->rules, lc->n_rules, sizeof(*lc->rules));
	lc->rules[lc->n_rules].handle = handle;
	lc->rules[lc->n_rules].key = key;
	lc->rules[lc->n_rules].line = line;
	lc->rules[lc->n_rules++].has_key = true;
}

/* r's line if it is one of t's file (not an included one's), else 0. */
static uint32_t ir_line(const struct ir_table *t, const struct ir_rule *r)
{
	return r->loc.file && t->source && !strcmp(r->loc.file, t->source) ?
	       r->loc.line : 0;
}

/* Pushes the new rules of c from *i on that go after handle `after`. */
static void push_adds(const struct plan *p, const struct add_handles *h,
		      const struct ir_chain *c, uint64_t after,
		      struct live_chain *lc, size_t *i)
{
	for (; *i < p->n_adds && p->adds[*i].chain == c &&
	       p->adds[*i].after == after; (*i)++)
		push_rule(lc, h->handle[*i], h->key[*i],
			  ir_line(p->table, p->adds[*i].rule));
}

/*
 * The rule of c that the next kept live rule is, advancing *r over c's
 * rules and *a over its adds: rules_diff() matched the kept ones in order
 * and pushed the rest as adds, in c's order. It tells that rule's line now.
 */
static const struct ir_rule *next_kept(const struct plan *p,
				       const struct ir_chain *c, size_t *a,
				       size_t *r)
{
	while (*r < c->n_rules && *a < p->n_adds && p->adds[*a].chain == c &&
	       p->adds[*a].rule == &c->rules[*r]) {
		(*a)++;
		(*r)++;
	}
	return *r < c->n_rules ? &c->rules[(*r)++] : NULL;
}

/* Which rules of the live chain old the plan deletes, by index. */
static bool *deleted(const struct plan *p, const struct live_chain *old)
{
	bool *gone = xcalloc(old->n_rules + 1, sizeof(*gone));
	size_t i;

	for (i = 0; i < p->n_dels; i++)
		if (p->dels[i].chain == old)
			gone[p->dels[i].rule - old->rules] = true;
	return gone;
}

/*
 * Kept rules in their order, each followed by the new rules placed after
 * it; new rules at the head first. The adds of one chain are contiguous,
 * in the file's order, and the chains' adds in the table's order of its
 * chains (plan.c): c's adds, if it has any, start at *next, one pass does
 * each chain, and *next is then where the next chain's start.
 */
static void chain_rules(const struct plan *p, const struct add_handles *h,
			const struct ir_chain *c, struct live_chain *lc,
			size_t *next)
{
	const struct live_chain *old = plan_live_chain(p, c->name);
	const struct ir_rule *ir;
	bool *gone = NULL;
	size_t i = *next, a = *next, r = 0, j;

	push_adds(p, h, c, old ? EMIT_HEAD : EMIT_APPEND, lc, &i);
	if (old)
		gone = deleted(p, old);
	for (j = 0; old && j < old->n_rules; j++) {
		if (gone[j])
			continue;
		ir = next_kept(p, c, &a, &r);
		push_rule(lc, old->rules[j].handle, old->rules[j].key,
			  ir ? ir_line(p->table, ir) : 0);
		push_adds(p, h, c, old->rules[j].handle, lc, &i);
	}
	free(gone);
	while (i < p->n_adds && p->adds[i].chain == c)
		i++;
	*next = i;
}

/* The next chain of out, as c makes it, without rules. */
static struct live_chain *chain_head(const struct ir_chain *c,
				     struct live_table *out)
{
	struct live_chain *lc = &out->chains[out->n_chains++];

	lc->name = xstrdup(c->name);
	lc->base = c->hook != IR_HOOK_NONE;
	if (lc->base) {
		lc->hook = emit_hook_num(c->hook);
		lc->priority = c->priority;
		lc->policy = c->policy_drop ? NF_DROP : NF_ACCEPT;
		lc->nat = c->type == IR_CHAIN_NAT;
	}
	return lc;
}

/*
 * A chain the batch left alone, as it was: its rules are the plan's live
 * table's, which is freed after out (a copy was 1.2 MB of fresh memory
 * for gen10k's kept tree).
 */
static void kept_chain(const struct live_chain *old, struct live_table *out)
{
	struct live_chain *lc = &out->chains[out->n_chains++];

	*lc = *old;
	lc->name = xstrdup(old->name);
	lc->borrowed = true;
	out->n_rules += lc->n_rules;
}

static void result_chains(const struct plan *p, const struct add_handles *h,
			  struct live_table *out)
{
	const struct ir_table *t = p->table;
	size_t i, next = 0;

	out->chains = xcalloc(t->n_chains + p->n_kept_chains + 1,
			      sizeof(*out->chains));
	for (i = 0; i < t->n_chains; i++) {
		struct live_chain *lc = chain_head(t->chains[i], out);

		chain_rules(p, h, t->chains[i], lc, &next);
		out->n_rules += lc->n_rules;
	}
	for (i = 0; i < p->n_kept_chains; i++)
		kept_chain(p->kept_chains[i], out);
}

/*
 * t's named sets, after the live ones kept[0..n_kept) as they are;
 * digests: their emit_set_digest() by index, or NULL to work them out.
 */
static void result_sets(const struct ir_table *t, const uint64_t *digests,
			const struct live_set *const *kept, size_t n_kept,
			struct live_table *out)
{
	size_t i;

	out->sets = xcalloc(t->n_sets + n_kept + 1, sizeof(*out->sets));
	for (i = 0; i < n_kept; i++) {
		out->sets[out->n_sets] = *kept[i];
		out->sets[out->n_sets++].name = xstrdup(kept[i]->name);
	}
	for (i = 0; i < t->n_sets; i++) {
		const struct ir_set *s = t->sets[i];
		struct live_set *ls;

		if (s->anonymous)
			continue;
		ls = &out->sets[out->n_sets++];
		ls->name = xstrdup(s->name);
		ls->key_type = emit_set_key_type(s);
		ls->flags = emit_set_flags(s);
		ls->timeout_ms = s->timeout_ms;
		/* What rules add to a dynamic set is not in the file. */
		ls->has_digest = !s->dynamic;
		ls->digest = !ls->has_digest ? 0 : digests ? digests[i] :
			     emit_set_digest(s);
	}
}

/* Objects are never changed incrementally: the live ones stay. */
static void result_objects(const struct plan *p, struct live_table *out)
{
	size_t i;

	out->objects = xcalloc(p->live.n_objects + 1, sizeof(*out->objects));
	for (i = 0; i < p->live.n_objects; i++) {
		out->objects[i] = p->live.objects[i];
		out->objects[i].name = xstrdup(p->live.objects[i].name);
		out->objects[i].comment = NULL;
	}
	out->n_objects = p->live.n_objects;
}

/*
 * The lines of the borrowed chains' rules are those of the file the last
 * apply read; the records of both files' lines say where they are now.
 */
static void result_moved(const struct ir_table *t, struct live_table *out)
{
	const struct opt_lines *then = t->bases_in ? t->bases_in->lines : NULL;
	const struct opt_lines *now = t->bases ? t->bases->lines : NULL;

	out->moved = opt_lines_moved(then, now, &out->n_moved);
}

int plan_result(const struct plan *p, const struct batch *b,
		const struct live_echoes *echoes, struct live_table *out)
{
	struct add_handles h = {
		.p = p, .b = b, .echoes = echoes, .ok = true,
		.handle = xcalloc(p->n_adds + 1, sizeof(uint64_t)),
		.key = xcalloc(p->n_adds + 1, sizeof(uint64_t)),
	};
	int err = -1;

	memset(out, 0, sizeof(*out));
	plan_add_order(p, add_handle, &h);
	if (h.ok && h.k == (b ? batch_rules(b) : 0) &&
	    h.next == (echoes ? echoes->n : 0) && !p->full &&
	    p->live.source) {
		out->present = true;
		out->source = xstrdup(p->live.source);
		result_chains(p, &h, out);
		result_moved(p->table, out);
		result_sets(p->table, p->digests, p->kept_sets,
			    p->n_kept_sets, out);
		result_objects(p, out);
		err = 0;
	}
	free(h.handle);
	free(h.key);
	return err;
}

static void full_objects(const struct ir_table *t, struct live_table *out)
{
	size_t i;

	out->objects = xcalloc(t->n_objects + 1, sizeof(*out->objects));
	for (i = 0; i < t->n_objects; i++) {
		const struct ir_object *o = t->objects[i];

		out->objects[i].name = xstrdup(o->name);
		out->objects[i].type = o->kind == IR_OBJ_CT_HELPER ?
				       NFT_OBJECT_CT_HELPER :
				       NFT_OBJECT_CT_TIMEOUT;
		out->objects[i].has_key = true;
		out->objects[i].key = ir_object_key(o);
	}
	out->n_objects = t->n_objects;
}

int plan_full_result(const struct ir_table *t, const struct batch *b,
		     const struct live_echoes *echoes, struct live_table *out)
{
	uint64_t handle, key;
	size_t i, j, k = 0, e = 0;
	bool ok = true;

	memset(out, 0, sizeof(*out));
	out->chains = xcalloc(t->n_chains + 1, sizeof(*out->chains));
	for (i = 0; ok && i < t->n_chains; i++) {
		const struct ir_chain *c = t->chains[i];
		struct live_chain *lc = chain_head(c, out);

		for (j = 0; ok && j < c->n_rules; j++, k++) {
			ok = sample_handle(b, echoes, k, &e, c->name, &handle,
					   &key);
			if (ok)
				push_rule(lc, handle, key,
					  ir_line(t, &c->rules[j]));
		}
		out->n_rules += lc->n_rules;
	}
	if (!ok || k != batch_rules(b) || e != echoes->n) {
		live_free(out);
		return -1;
	}
	out->present = true;
	out->source = source_absolute(t->source ? t->source : "");
	result_sets(t, NULL, NULL, 0, out);
	full_objects(t, out);
	return 0;
}

int plan_batch_result(const struct plan *p, const struct ir_table *t,
		      const struct batch *b, const struct live_echoes *echoes,
		      struct live_table *out)
{
	return p ? plan_result(p, b, echoes, out) :
		   plan_full_result(t, b, echoes, out);
}
