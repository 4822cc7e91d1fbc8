// SPDX-License-Identifier: GPL-2.0-or-later
/* The records of an apply, written during its batch. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply_ahead.h"
#include "elems_record.h"
#include "record_file.h"
#include "xalloc.h"

/* The echoes of b's sample if the table's counter stands at `before`. */
static void foresee(const struct batch *b, uint64_t before,
		    struct live_echoes *le)
{
	size_t k, n = batch_rules(b), echoing = 0;

	for (k = 0; k < n; k++)
		echoing += batch_rule_echoes(b, k);
	le->e = xcalloc(echoing + 1, sizeof(*le->e));
	le->n = 0;
	for (k = 0; k < n; k++) {
		const struct batch_origin *o = batch_rule_origin(b, k);
		struct live_echo *e;

		if (!batch_rule_echoes(b, k))
			continue;
		e = &le->e[le->n++];
		snprintf(e->chain, sizeof(e->chain), "%s", o->name);
		e->handle = batch_rule_handle_at(b, k, before);
		e->key = o->key;
		e->has_key = true;
	}
}

static bool same_echoes(const struct live_echoes *a,
			const struct live_echoes *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->e[i].handle != b->e[i].handle ||
		    a->e[i].has_key != b->e[i].has_key ||
		    a->e[i].key != b->e[i].key ||
		    strcmp(a->e[i].chain, b->e[i].chain))
			return false;
	return true;
}

/*
 * Off this CPU, where the kernel checks the batch: left to itself, the
 * scheduler of a virtual machine may put the writer there to wait its
 * turn (it then made the batch 1 ms longer, as long as it writes).
 */
static void away_from_here(pthread_t thread)
{
	int here = sched_getcpu();
	cpu_set_t set;

	if (here < 0 || sched_getaffinity(0, sizeof(set), &set))
		return;
	CPU_CLR(here, &set);
	if (CPU_COUNT(&set))
		pthread_setaffinity_np(thread, sizeof(set), &set);
}

static void *write_ahead(void *arg)
{
	struct apply_ahead *a = arg;

	if (a->sock)
		a->cue = nlsock_hold_spawn(a->sock);
	a->cache_ok = live_cache_stage(a->dir, a->id, &a->now);
	a->bases_ok = opt_bases_stage(a->dir, a->id, a->t->bases,
				      a->t->bases_in, &a->bases);
	/* Believed only with the cache that has their digests: now. */
	elems_record_store(a->dir, a->t, &a->now);
	return NULL;
}

static void ahead_free(struct apply_ahead *a)
{
	live_free(&a->now);
	free(a->expect.e);
	a->expect.e = NULL;
}

bool apply_ahead_start(struct apply_ahead *a, struct nlsock *s,
		       const char *dir, const struct plan *p, uint32_t genid,
		       const struct batch *b, const struct ir_table *t,
		       bool hold)
{
	/* A full batch deletes the table and makes it anew, whose handle
	 * counter starts at 0 (nf_tables_newtable()). */
	uint64_t before = p ? p->live.handles : 0;

	memset(a, 0, sizeof(*a));
	a->lock = -1;
	a->cue = -1;
	if (!dir || (p && !before) ||
	    !live_cache_id(s, genid + 1, a->id, sizeof(a->id)))
		return false;
	a->dir = dir;
	a->genid = genid;
	a->t = t;
	foresee(b, before, &a->expect);
	if (plan_batch_result(p, t, b, &a->expect, &a->now)) {
		ahead_free(a);
		return false;
	}
	a->now.genid = a->genid + 1;
	a->now.handles = batch_handles_after(b, before);
	a->sock = hold ? s : NULL;
	a->lock = record_lock(dir);
	if (a->lock < 0 || pthread_create(&a->thread, NULL, write_ahead, a)) {
		record_unlock(a->lock);
		ahead_free(a);
		return false;
	}
	away_from_here(a->thread);
	return true;
}

bool apply_ahead_finish(struct apply_ahead *a, struct nlsock *s,
			bool committed, const struct live_echoes *got)
{
	uint32_t after;
	bool ok;

	pthread_join(a->thread, NULL);
	ok = committed && a->cache_ok && a->bases_ok &&
	     same_echoes(&a->expect, got) && !batch_genid(s, &after) &&
	     after == a->genid + 1;
	if (ok) {
		live_cache_publish(a->dir);
		opt_bases_publish(a->dir, &a->bases);
	} else {
		if (a->cache_ok)
			live_cache_unstage(a->dir);
		if (a->bases_ok)
			opt_bases_unstage(a->dir, &a->bases);
	}
	record_unlock(a->lock);
	ahead_free(a);
	return ok;
}
