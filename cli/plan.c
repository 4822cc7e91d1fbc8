// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plan_make(): the live table against the compiled one, object by object
 * (see plan.h for what the result means and the batch it becomes).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "batch.h"
#include "clock.h"
#include "ir_hash.h"
#include "opt_base.h"
#include "plan.h"
#include "seqdiff.h"
#include "source.h"
#include "xalloc.h"

#define PUSH(array, n, value) do {					\
		(array) = xgrow((array), (n), sizeof(*(array)));	\
		(array)[(n)++] = (value);				\
	} while (0)

static int ir_name_cmp(const void *a, const void *b)
{
	const struct ir_chain *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/* Trees have thousands of chains: look them up by name in log time. */
static void live_index(struct plan *p)
{
	p->live_by_name = live_chains_by_name(&p->live);
}

const struct live_chain *plan_live_chain(const struct plan *p,
					 const char *name)
{
	struct live_chain key = { .name = (char *)name };
	const struct live_chain *k = &key, *const *hit;

	hit = bsearch(&k, p->live_by_name, p->live.n_chains,
		      sizeof(*p->live_by_name), live_chain_name_cmp);
	return hit ? *hit : NULL;
}

/* Whether every live rule carries a key: only fwctl's own rules do. */
static bool live_keyed(const struct live_table *lt)
{
	size_t i, j;

	for (i = 0; i < lt->n_chains; i++)
		for (j = 0; j < lt->chains[i].n_rules; j++)
			if (!lt->chains[i].rules[j].has_key)
				return false;
	return true;
}

static bool objects_same(const struct live_table *lt,
			 const struct ir_table *t)
{
	const struct live_object *lo;
	size_t i;

	if (lt->n_objects != t->n_objects)
		return false;
	for (i = 0; i < t->n_objects; i++) {
		lo = live_object_find(lt, t->objects[i]->name);
		if (!lo || !lo->has_key || lo->key != ir_object_key(t->objects[i]))
			return false;
	}
	return true;
}

/* Why the table as a whole must be replaced, or NULL. */
static const char *table_blocker(const struct live_table *lt,
				 const struct ir_table *t)
{
	if (!lt->present)
		return "no live table";
	if (!lt->source)
		return "the live table was not made by fwctl";
	/* Dormant: its hooks are gone, nothing is filtered. */
	if (lt->flags & NFT_TABLE_F_DORMANT)
		return "the live table is dormant (it filters nothing)";
	if (lt->flags)
		return "the live table has flags fwctl never sets";
	if (!source_same_file(lt->source, t->source ? t->source : ""))
		return "the live table came from another rule file";
	if (!live_keyed(lt))
		return "live rules without fwctl keys (an older fwctl or "
		       "another tool)";
	if (!objects_same(lt, t))
		return "ct helpers or timeouts changed";
	return NULL;
}

static bool chain_hook_same(const struct live_chain *lc,
			    const struct ir_chain *c)
{
	if (lc->base != (c->hook != IR_HOOK_NONE))
		return false;
	return !lc->base || (lc->hook == emit_hook_num(c->hook) &&
			     lc->priority == c->priority &&
			     lc->nat == (c->type == IR_CHAIN_NAT));
}

static void rules_all_new(struct plan *p, const struct ir_chain *c)
{
	size_t j;

	for (j = 0; j < c->n_rules; j++) {
		struct plan_add a = { c, &c->rules[j], EMIT_APPEND };

		PUSH(p->adds, p->n_adds, a);
	}
}

/*
 * Kept rules are the matched ones; a new rule goes after the kept rule
 * before it in the new order, or at the head.
 */
static void rules_diff(struct plan *p, const struct live_chain *lc,
		       const struct ir_chain *c)
{
	uint64_t *a = calloc(lc->n_rules + 1, sizeof(*a));
	uint64_t *b = calloc(c->n_rules + 1, sizeof(*b));
	size_t *match = calloc(c->n_rules + 1, sizeof(*match));
	bool *kept = calloc(lc->n_rules + 1, sizeof(*kept));
	uint64_t after = EMIT_HEAD;
	size_t i, j;

	if (!a || !b || !match || !kept)
		abort();
	for (i = 0; i < lc->n_rules; i++)
		a[i] = lc->rules[i].key;
	for (j = 0; j < c->n_rules; j++)
		b[j] = ir_rule_key(&c->rules[j], p->table->queue_xt);
	seqdiff(a, lc->n_rules, b, c->n_rules, match);
	for (j = 0; j < c->n_rules; j++) {
		struct plan_add add = { c, &c->rules[j], after };

		if (match[j] == SEQDIFF_NEW) {
			PUSH(p->adds, p->n_adds, add);
			continue;
		}
		kept[match[j]] = true;
		after = lc->rules[match[j]].handle;
		p->kept++;
	}
	for (i = 0; i < lc->n_rules; i++) {
		struct plan_del del = { lc, &lc->rules[i] };

		if (!kept[i])
			PUSH(p->dels, p->n_dels, del);
	}
	free(a);
	free(b);
	free(match);
	free(kept);
}

/* The roots of the trees the table keeps must be live (the records and
 * the live cache come from the same commit, so they are). */
static const char *kept_roots_live(const struct plan *p)
{
	const struct opt_bases *bs = p->table->bases;
	size_t i;
	int fi;

	for (i = 0; bs && i < bs->n; i++)
		for (fi = 0; bs->b[i].kept && fi < 2; fi++)
			if (bs->b[i].root[fi][0] &&
			    !plan_live_chain(p, bs->b[i].root[fi]))
				return "a tree to keep is not live";
	return NULL;
}

static const char *chains_diff(struct plan *p)
{
	const struct ir_table *t = p->table;
	const struct ir_chain **ours, *key, *const *hit;
	struct ir_chain kc;
	const struct live_chain *lc;
	size_t i;

	live_index(p);
	for (i = 0; i < t->n_chains; i++) {
		const struct ir_chain *c = t->chains[i];

		lc = plan_live_chain(p, c->name);
		if (!lc) {
			PUSH(p->new_chains, p->n_new_chains, c);
			rules_all_new(p, c);
			continue;
		}
		if (!chain_hook_same(lc, c))
			return "a chain changed its hook, priority or type";
		if (lc->base && (lc->policy == NF_DROP) != c->policy_drop)
			PUSH(p->policies, p->n_policies, c);
		rules_diff(p, lc, c);
	}
	ours = xcalloc(t->n_chains + 1, sizeof(*ours));
	memcpy(ours, t->chains, t->n_chains * sizeof(*ours));
	qsort(ours, t->n_chains, sizeof(*ours), ir_name_cmp);
	key = &kc;
	for (i = 0; i < p->live.n_chains; i++) {
		lc = &p->live.chains[i];
		snprintf(kc.name, sizeof(kc.name), "%s", lc->name);
		hit = bsearch(&key, ours, t->n_chains, sizeof(*ours),
			      ir_name_cmp);
		if (hit)
			continue;
		if (opt_bases_keeps(t->bases, lc->name))
			PUSH(p->kept_chains, p->n_kept_chains, lc);
		else
			PUSH(p->gone_chains, p->n_gone_chains, lc);
	}
	free(ours);
	return kept_roots_live(p);
}

static int elems_diff(struct plan *p, struct nlsock *s,
		      const struct ir_set *set, const struct live_set *ls)
{
	struct plan_elems pe;
	int err = plan_elems_diff(&pe, s, set, ls, p->cache_dir);

	if (err)
		return err;
	if (pe.n_add || pe.n_del || pe.zero_end)
		PUSH(p->elems, p->n_elems, pe);
	else
		plan_elems_free(&pe);
	return 0;
}

static bool set_type_same(const struct live_set *ls, const struct ir_set *s)
{
	return ls->key_type == emit_set_key_type(s) &&
	       ls->flags == emit_set_flags(s) &&
	       ls->timeout_ms == (s->timeout_ms ? s->timeout_ms : 0);
}

static int flow_map_diff(struct plan *p, struct nlsock *s,
			 const struct ir_set *set, uint64_t digest)
{
	uint64_t live;
	int err = live_set_digest(s, set->name, &live);

	if (err)
		return err;
	if (live != digest)
		PUSH(p->flushes, p->n_flushes, set);
	return 0;
}

/*
 * Sets that rules fill (dynamic) keep what the kernel added; the others
 * get the elements of the file.
 */
static int sets_diff(struct plan *p, struct nlsock *s)
{
	const struct ir_table *t = p->table;
	const struct live_set *ls;
	size_t i;
	int err;

	p->digests = xcalloc(t->n_sets + 1, sizeof(*p->digests));
	for (i = 0; i < t->n_sets; i++) {
		const struct ir_set *set = t->sets[i];

		if (set->anonymous)
			continue;
		/* A walk of all its elements: once, also for the result. */
		if (!set->dynamic)
			p->digests[i] = emit_set_digest(set);
		ls = live_set_find(&p->live, set->name);
		if (!ls) {
			PUSH(p->new_sets, p->n_new_sets, set);
			continue;
		}
		if (!set_type_same(ls, set)) {
			p->full = "a set changed its type or flags";
			return 0;
		}
		/* Committed with these very elements: nothing to read. */
		if (set->dynamic || (ls->has_digest &&
				     ls->digest == p->digests[i]))
			continue;
		/* A flow map is a few elements: refilled when the live
		 * ones are others. The cache knows them to be (its key is
		 * another); only a table read back is asked. */
		if (set->flow && ls->has_digest) {
			PUSH(p->flushes, p->n_flushes, set);
			continue;
		}
		if (set->flow) {
			err = flow_map_diff(p, s, set, p->digests[i]);
			if (err)
				return err;
			continue;
		}
		err = elems_diff(p, s, set, ls);
		if (err)
			return err;
	}
	for (i = 0; i < p->live.n_sets; i++) {
		ls = &p->live.sets[i];
		if (ir_table_find_set(t, ls->name))
			continue;
		if (opt_bases_keeps(t->bases, ls->name))
			PUSH(p->kept_sets, p->n_kept_sets, ls);
		else
			PUSH(p->gone_sets, p->n_gone_sets, ls);
	}
	return 0;
}

/*
 * How a plan reads the live table: from the cache of this generation if
 * there is one, else by a dump; for plan_print(), labels too.
 */
enum plan_read {
	READ_BARE,
	READ_LABELED,		/* the cache, its deleted rules' labels after */
	READ_LABELED_DUMP,	/* a dump with labels */
};

/* With labels by a dump: from the cache of its generation the rules'
 * lines and the sets' digests (nothing written: a diff changes nothing).
 * Else the cache if it is this generation's, else a dump. */
static int plan_read(struct nlsock *s, struct plan *p, const char *cache_dir,
		     enum plan_read how, bool *cached)
{
	uint32_t genid;
	int err;

	*cached = false;
	if (how == READ_LABELED && cache_dir && !batch_genid(s, &genid) &&
	    !live_cache_load(s, cache_dir, genid, &p->live)) {
		*cached = true;
		return 0;
	}
	if (how != READ_BARE) {
		err = live_read(s, &p->live, LIVE_OBJECTS);
		if (!err)
			live_cache_annotate(s, cache_dir, &p->live);
		return err;
	}
	if (cache_dir) {
		err = batch_genid(s, &genid);
		if (err)
			return err;
		*cached = !live_cache_load(s, cache_dir, genid, &p->live);
		if (*cached)
			return 0;
	}
	/* Labels (comments, texts) only for plan_print(): 19,000 rules'
	 * cost 20 ms more to read with them. */
	err = live_read(s, &p->live, cache_dir ? LIVE_KEYS : LIVE_OBJECTS);
	/*
	 * Read the slow way (after a full apply, or another tool's commit):
	 * if nothing is sent, the next apply finds the table as it is now.
	 */
	if (!err && cache_dir)
		live_cache_store(s, cache_dir, &p->live);
	return err;
}

static int plan_build(struct nlsock *s, const struct ir_table *t,
		      struct plan *p, const char *cache_dir,
		      enum plan_read how, struct plan_times *times)
{
	uint64_t t0 = clock_ns(), t1;
	bool cached;
	int err;

	memset(p, 0, sizeof(*p));
	p->table = t;
	p->cache_dir = cache_dir;
	err = plan_read(s, p, cache_dir, how, &cached);
	p->cached = cached;
	t1 = clock_ns();
	if (err)
		return err;
	p->full = table_blocker(&p->live, t);
	if (!p->full)
		p->full = chains_diff(p);
	/*
	 * Deleting by handle walks the chain (quadratic for many); with
	 * nothing to keep, replacing is faster and ends the same.
	 */
	if (!p->full && !p->kept && !p->n_kept_chains && p->n_dels)
		p->full = "no live rule is kept";
	err = p->full ? 0 : sets_diff(p, s);
	if (times) {
		times->cached = cached;
		times->read_ns = t1 - t0;
		times->diff_ns = clock_ns() - t1;
	}
	return err;
}

int plan_make(struct nlsock *s, const struct ir_table *t, struct plan *p,
	      const char *cache_dir, struct plan_times *times)
{
	return plan_build(s, t, p, cache_dir, READ_BARE, times);
}

/*
 * The labels of the rules p deletes, p read from the cache: a dump of
 * each chain they are in (a one-rule change of a 10,000-rule tree: one
 * chain of a few rules, not 19,000 rules).
 */
static int dels_labeled(struct nlsock *s, struct plan *p)
{
	size_t i;
	int err = 0;

	/* A chain's dump labels all its rules: the next of its dels has
	 * one. */
	for (i = 0; !err && i < p->n_dels; i++) {
		if (p->dels[i].rule->dump)
			continue;
		err = live_chain_labels(s, &p->live, &p->live.chains[
			p->dels[i].chain - p->live.chains]);
		p->label_dumps++;
	}
	return err;
}

void (*plan_labels_between)(void);

int plan_make_labeled(struct nlsock *s, const struct ir_table *t,
		      struct plan *p, const char *cache_dir)
{
	int err = plan_build(s, t, p, cache_dir, READ_LABELED, NULL);

	if (!err && p->cached && !p->full) {
		if (plan_labels_between)
			plan_labels_between();
		err = dels_labeled(s, p);
	}
	if (err != -EAGAIN)
		return err;
	/* Another commit came since the cache: the table as it is now. */
	plan_free(p);
	return plan_build(s, t, p, cache_dir, READ_LABELED_DUMP, NULL);
}

bool plan_rebuild(const struct plan *p)
{
	return p->full && opt_bases_any_kept(p->table->bases);
}

void plan_free(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n_elems; i++)
		plan_elems_free(&p->elems[i]);
	free(p->elems);
	free(p->digests);
	free(p->flushes);
	free(p->new_chains);
	free(p->policies);
	free(p->gone_chains);
	free(p->new_sets);
	free(p->gone_sets);
	free(p->kept_chains);
	free(p->kept_sets);
	free(p->dels);
	free(p->adds);
	free(p->live_by_name);
	live_free(&p->live);
	memset(p, 0, sizeof(*p));
}

size_t plan_changes(const struct plan *p)
{
	size_t i, n = p->n_new_chains + p->n_policies + p->n_gone_chains +
		      p->n_new_sets + p->n_gone_sets + p->n_dels + p->n_adds +
		      p->n_flushes;

	for (i = 0; i < p->n_flushes; i++)
		n += p->flushes[i]->n_boxes;
	for (i = 0; i < p->n_elems; i++)
		n += p->elems[i].n_add + p->elems[i].n_del +
		     (p->elems[i].zero_end != 0);
	return n;
}
