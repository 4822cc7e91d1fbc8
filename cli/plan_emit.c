// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An incremental plan as one batch, in the order plan.h argues for:
 * whatever something may refer to is created before it and deleted after
 * the last reference to it is gone.
 */
#include <linux/netfilter.h>

#include "batch.h"
#include "plan.h"

/*
 * New rules that go after the same kept rule (or at the head) are sent
 * last first: each lands right after that rule, pushing the one sent
 * before it down, so they end up in the file's order. Appended rules of
 * new chains go in order.
 */
void plan_add_order(const struct plan *p,
		    void (*fn)(const struct plan_add *a, void *ctx), void *ctx)
{
	const struct plan_add *a = p->adds;
	size_t i = 0, end, k;

	while (i < p->n_adds) {
		for (end = i + 1; end < p->n_adds &&
		     a[end].chain == a[i].chain &&
		     a[end].after == a[i].after; end++)
			;
		for (k = end; k > i; k--)
			fn(&a[a[i].after == EMIT_APPEND ? i + end - k : k - 1],
			   ctx);
		i = end;
	}
}

struct add_emit {
	struct batch	*b;
	bool		queue_xt;
};

static void add_emit(const struct plan_add *a, void *ctx)
{
	struct add_emit *e = ctx;

	emit_rule_at(e->b, a->chain, a->rule, e->queue_xt, a->after);
}

static void emit_creations(struct batch *b, const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n_new_chains; i++)
		emit_chain(b, p->new_chains[i]);
	for (i = 0; i < p->n_policies; i++)
		emit_chain(b, p->policies[i]);
	for (i = 0; i < p->n_new_sets; i++)
		emit_set(b, p->new_sets[i], p->new_sets[i]->name,
			 batch_set_id(b));
}

void plan_emit(struct batch *b, const struct plan *p)
{
	static const struct fw_loc none;
	size_t i;

	emit_creations(b, p);
	for (i = 0; i < p->n_dels; i++)
		emit_rule_delete(b, p->dels[i].chain->name,
				 p->dels[i].rule->handle, none);
	for (i = 0; i < p->n_gone_chains; i++)
		emit_chain_flush(b, p->gone_chains[i]->name);
	for (i = 0; i < p->n_elems; i++)
		plan_elems_emit(b, &p->elems[i], false);
	for (i = 0; i < p->n_elems; i++)
		plan_elems_emit(b, &p->elems[i], true);
	for (i = 0; i < p->n_flushes; i++)
		emit_set_flush(b, p->flushes[i]);
	plan_add_order(p, add_emit, &(struct add_emit){
		.b = b, .queue_xt = p->table->queue_xt });
	for (i = 0; i < p->n_gone_sets; i++)
		emit_set_delete(b, p->gone_sets[i]->name);
	for (i = 0; i < p->n_gone_chains; i++)
		emit_chain_delete(b, p->gone_chains[i]->name);
}
