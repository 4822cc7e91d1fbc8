/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_PLAN_H
#define FWCTL_PLAN_H

/*
 * Incremental apply: what must change in the live table to make it the
 * compiled one. Unchanged rules (same key, cli/ir_hash.h) are not touched,
 * so they keep their handles and counters; the rest becomes one batch:
 *
 *   NEWCHAIN      new chains, then base chains whose policy changed
 *   NEWSET        new named sets with their elements
 *   DELRULE       rules no longer in the file, by handle; then all rules
 *                 of chains no longer in the file
 *   DELSETELEM    elements gone from named sets (before the chains a map
 *   NEWSETELEM    element might jump to go), then the new elements
 *   NEWRULE       new rules, each after the kept rule before it
 *   DELSET, DELCHAIN   sets and chains nothing refers to any more
 *
 * What incremental apply cannot express (no live table, a table not made
 * by fwctl, another rule file, a changed base chain hook, priority or
 * type, a set whose type changed, changed ct objects) makes the plan a
 * full replace, with the reason in plan.full.
 */
#include <stdbool.h>
#include <stdio.h>

#include "emit.h"
#include "ir.h"
#include "live.h"

struct batch;

/* A new rule: after the live rule with that handle, or EMIT_HEAD/APPEND. */
struct plan_add {
	const struct ir_chain	*chain;
	const struct ir_rule	*rule;
	uint64_t		after;
};

struct plan_del {
	const struct live_chain	*chain;
	const struct live_rule	*rule;
};

/*
 * Element changes of one named set that both tables have, as ranges
 * (single values: lo == hi), sorted (cli/plan_elems.c). zero_end: the
 * leading end element at zero of an interval set comes (1) or goes (-1).
 */
struct plan_elems {
	const struct ir_set	*set;
	struct ir_elem		*add, *del;
	size_t			n_add, n_del;
	int			zero_end;
	/* The elements as read and as walked: the names that add's and
	 * del's verdicts jump to are in them. */
	struct emit_kelem	*live, *file;
	/* Or the live ones came from records (elems_record.h), the names
	 * in names, the file's from the set itself. */
	bool			recorded;
	char			*names;
};

/* The live elements of set (ls: as the live table has it; from the
 * records in dir if they are its, else read back) against its elements
 * in the file. */
int plan_elems_diff(struct plan_elems *pe, struct nlsock *s,
		    const struct ir_set *set, const struct live_set *ls,
		    const char *dir);
void plan_elems_free(struct plan_elems *pe);
/* The DELSETELEM (add false) or NEWSETELEM of the changes. */
void plan_elems_emit(struct batch *b, const struct plan_elems *pe, bool add);
/* The order of ranges: low end, high end, verdict. */
int plan_range_cmp(const struct ir_elem *a, const struct ir_elem *b);

struct plan {
	const struct ir_table	*table;
	struct live_table	live;
	const char		*full;	/* why it is a full replace, or NULL */
	const struct ir_chain	**new_chains, **policies;
	size_t			n_new_chains, n_policies;
	const struct live_chain	**gone_chains;
	size_t			n_gone_chains;
	const struct ir_set	**new_sets;
	size_t			n_new_sets;
	const struct live_set	**gone_sets;
	size_t			n_gone_sets;
	/* Live, not in the table, and left as they are (opt_bases_keeps). */
	const struct live_chain	**kept_chains;
	size_t			n_kept_chains;
	const struct live_set	**kept_sets;
	size_t			n_kept_sets;
	struct plan_elems	*elems;
	size_t			n_elems;
	/* Live flow maps emptied, then filled with the file's elements. */
	const struct ir_set	**flushes;
	size_t			n_flushes;
	struct plan_del		*dels;
	size_t			n_dels;
	struct plan_add		*adds;	/* in the order of the file */
	size_t			n_adds;
	size_t			kept;	/* rules left alone */
	/* The live chains sorted by name, for plan_live_chain(). */
	const struct live_chain	**live_by_name;
	const char		*cache_dir;	/* records, or NULL */
	bool			cached;		/* live: from the cache */
	size_t			label_dumps;	/* chains read for labels */
	/* emit_set_digest() of each of the table's sets (by index in
	 * table->sets; named, not dynamic), worked out once by the diff. */
	uint64_t		*digests;
};

/* The live chain of that name, or NULL. */
const struct live_chain *plan_live_chain(const struct plan *p,
					 const char *name);

/* Time spent reading the live table and diffing, in nanoseconds. */
struct plan_times {
	uint64_t	read_ns, diff_ns;
	bool		cached;		/* read from the cache */
};

/*
 * Reads the live table (from the cache in cache_dir if it describes the
 * current generation, see live_cache_load(); NULL: always dumps, with
 * the rules' labels) and
 * compares it with t. 0 (p filled, maybe as a full replace) or -errno
 * from reading; plan_free() in both cases.
 */
int plan_make(struct nlsock *s, const struct ir_table *t, struct plan *p,
	      const char *cache_dir, struct plan_times *times);
/*
 * As plan_make(), for plan_print(): with the labels of the rules that
 * go. From the cache in cache_dir (may be NULL) of this generation, and
 * those labels by a dump of their chains alone; else the table dumped
 * with labels and, from the cache of that very generation, the rules'
 * lines now (live_cache_annotate()), whose records then only spare
 * reading back sets whose elements they know. Writes nothing.
 */
int plan_make_labeled(struct nlsock *s, const struct ir_table *t,
		      struct plan *p, const char *cache_dir);
/*
 * Called by plan_make_labeled() between reading the table from the cache
 * and dumping the chains of the rules that go, when set: the tests commit
 * something there to prove that it then reads the whole table again.
 */
extern void (*plan_labels_between)(void);
/*
 * Whether the table keeps live trees (an overlay, opt_base.h) that the
 * plan cannot keep: it replaces the whole table. Then the file is to be
 * compiled again, building every tree (KERNEL_REBUILD).
 */
bool plan_rebuild(const struct plan *p);
void plan_free(struct plan *p);
/* Changes in an incremental plan; 0: the live table is already t. */
size_t plan_changes(const struct plan *p);
/* The batch of an incremental plan, in the order described above. */
void plan_emit(struct batch *b, const struct plan *p);
/* Calls fn for each new rule in the order plan_emit() sends them. */
void plan_add_order(const struct plan *p,
		    void (*fn)(const struct plan_add *a, void *ctx), void *ctx);
/*
 * The table after the plan's batch b committed, given the echoes of its
 * sample of new rules (batch_echo_sample(), in batch order): out is
 * filled like live_read() without comments, texts and counters. -1 if
 * the echoes do not fit the plan and the handles counted (out is then
 * freed). b and echoes NULL: nothing was sent (a plan without changes).
 */
int plan_result(const struct plan *p, const struct batch *b,
		const struct live_echoes *echoes, struct live_table *out);
/* The same after a full replace batch b of t committed. */
int plan_full_result(const struct ir_table *t, const struct batch *b,
		     const struct live_echoes *echoes, struct live_table *out);
/* Either: after p's batch b (p NULL: b replaced the table with t). */
int plan_batch_result(const struct plan *p, const struct ir_table *t,
		      const struct batch *b, const struct live_echoes *echoes,
		      struct live_table *out);
/* One line per change and a summary line (cli/plan_print.c). */
void plan_print(FILE *out, const struct plan *p);

#endif
