// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Records (the live cache, the trees' records) are believed only for the
 * ruleset generation they were written at, and every commit in the
 * namespace counts: another table's, fail2ban's set elements, a container
 * runtime's chains. After one, the next apply would compile the whole
 * file and read the table back anyway (gen10k: 100 ms and 23-41 ms,
 * against 3.5 and 0.4 with records). Here the table is read back once
 * and compared with what the records say it is; if it is exactly that,
 * they are made the new generation's.
 *
 * What the comparison sees is what an apply without records would
 * trust: chains, each rule's handle and key in order, named sets' types
 * and flags, objects; and the elements of each named set, summed as the
 * records sum what was committed (emit_set_digest()). Dynamic sets' are
 * the packets' (and an apply without records keeps them too); those of a
 * set with a timeout expire unseen, so the renewed cache knows none of
 * them and the next apply reads them back, as without records.
 */
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "clock.h"
#include "live.h"
#include "opt_base.h"
#include "record_file.h"

static bool rules_same(const struct live_chain *a, const struct live_chain *b)
{
	size_t i;

	if (a->n_rules != b->n_rules)
		return false;
	for (i = 0; i < a->n_rules; i++)
		if (a->rules[i].handle != b->rules[i].handle ||
		    a->rules[i].has_key != b->rules[i].has_key ||
		    a->rules[i].key != b->rules[i].key)
			return false;
	return true;
}

static bool chain_same(const struct live_chain *a, const struct live_chain *b)
{
	if (strcmp(a->name, b->name) || a->base != b->base)
		return false;
	if (a->base && (a->hook != b->hook || a->priority != b->priority ||
			a->policy != b->policy || a->nat != b->nat))
		return false;
	return rules_same(a, b);
}

static bool chains_same(const struct live_table *a, const struct live_table *b)
{
	const struct live_chain **x, **y;
	bool same = a->n_chains == b->n_chains;
	size_t i;

	if (!same)
		return false;
	x = live_chains_by_name(a);
	y = live_chains_by_name(b);
	for (i = 0; same && i < a->n_chains; i++)
		same = chain_same(x[i], y[i]);
	free(x);
	free(y);
	return same;
}

/* Named sets are few (trees' maps: 16 for gen10k): found in n^2. */
static bool sets_same(const struct live_table *a, const struct live_table *b)
{
	const struct live_set *x, *y;
	size_t i;

	if (a->n_sets != b->n_sets)
		return false;
	for (i = 0; i < a->n_sets; i++) {
		x = &a->sets[i];
		y = live_set_find(b, x->name);
		if (!y || x->key_type != y->key_type || x->flags != y->flags ||
		    x->timeout_ms != y->timeout_ms)
			return false;
	}
	return true;
}

static bool objects_same(const struct live_table *a,
			 const struct live_table *b)
{
	const struct live_object *x, *y;
	size_t i;

	if (a->n_objects != b->n_objects)
		return false;
	for (i = 0; i < a->n_objects; i++) {
		x = &a->objects[i];
		y = live_object_find(b, x->name);
		if (!y || x->type != y->type || x->has_key != y->has_key ||
		    x->key != y->key)
			return false;
	}
	return true;
}

static bool table_same(const struct live_table *a, const struct live_table *b)
{
	return a->present && b->present && a->flags == b->flags &&
	       a->source && b->source &&
	       !strcmp(a->source, b->source) && chains_same(a, b) &&
	       sets_same(a, b) && objects_same(a, b);
}

/* Whether the elements of lt's sets are those its digests sum, at lt's
 * generation still. */
static enum live_renewal elements_same(struct nlsock *s,
				       const struct live_table *lt,
				       uint32_t genid)
{
	uint64_t digest;
	uint32_t after;
	size_t i;

	for (i = 0; i < lt->n_sets; i++) {
		if (!lt->sets[i].has_digest || lt->sets[i].timeout_ms)
			continue;
		if (live_set_digest(s, lt->sets[i].name, &digest))
			return LIVE_RENEW_FAILED;
		if (digest != lt->sets[i].digest)
			return LIVE_RENEW_CHANGED;
	}
	if (batch_genid(s, &after))
		return LIVE_RENEW_FAILED;
	return after == genid ? LIVE_RENEW_SAME : LIVE_RENEW_CHANGED;
}

/* Under the records' lock: the comparison, then both records re-keyed. */
static enum live_renewal renew_locked(struct nlsock *s, const char *dir,
				      uint32_t genid)
{
	struct live_table then = { 0 }, now = { 0 };
	enum live_renewal r = LIVE_RENEW_NONE;
	char from[128], to[128];
	size_t i;

	if (live_cache_load_any(s, dir, &then) || then.genid == genid ||
	    !live_cache_id(s, then.genid, from, sizeof(from)))
		goto out;
	r = live_read(s, &now, LIVE_KEYS) ? LIVE_RENEW_FAILED :
	    !table_same(&then, &now) ? LIVE_RENEW_CHANGED :
	    elements_same(s, &then, now.genid);
	if (r != LIVE_RENEW_SAME || !live_cache_id(s, now.genid, to, sizeof(to)))
		goto out;
	then.genid = now.genid;
	for (i = 0; i < then.n_sets; i++)
		if (then.sets[i].timeout_ms)
			then.sets[i].has_digest = false;
	/* The trees' records only if they are of the same state. */
	if (live_cache_stage(dir, to, &then)) {
		opt_bases_rekey(dir, from, to);
		live_cache_publish(dir);
	}
out:
	live_free(&then);
	live_free(&now);
	return r;
}

enum live_renewal live_cache_renew(struct nlsock *s, const char *dir,
				   uint32_t genid, uint64_t *ns)
{
	enum live_renewal r = LIVE_RENEW_NONE;
	uint64_t t0 = clock_ns();
	int lock;

	*ns = 0;
	/* No cache: no lock taken (nor run directory made). */
	if (!live_cache_exists(dir))
		return r;
	lock = record_lock(dir);
	if (lock >= 0)
		r = renew_locked(s, dir, genid);
	record_unlock(lock);
	*ns = clock_ns() - t0;
	return r;
}
