/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_KERNEL_H
#define FWCTL_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ir.h"

/*
 * Everything that talks to nf_tables. All functions act on the network
 * namespace the process is in (main() enters --netns before calling) and
 * return an enum fw_exit value; errors are printed (kernel rejections of a
 * rule through diag_error() at the rule's location).
 */

/*
 * Replaces table inet fwctl with t in ONE batch guarded by the ruleset
 * generation. check_only: the kernel validates the whole batch and then
 * aborts it (no batch end message), nothing changes. cache_dir (or NULL):
 * where to leave the state of what it made for kernel_update().
 */
int kernel_apply(const struct ir_table *t, bool check_only,
		 const char *cache_dir);
/*
 * What kernel_update() did: figures for `fwctl -v apply` and the
 * benchmark. full: why the whole table was replaced, or NULL.
 */
struct apply_stats {
	const char	*full;
	bool		cached;		/* the live table came from the cache */
	size_t		changes;
	uint64_t	read_ns, diff_ns, batch_ns;
	uint64_t	cache_ns;	/* writing the cache afterwards */
	bool		ahead;		/* ... or during the batch */
	bool		held;		/* a holder releases the socket */
	size_t		kept_rules;	/* in trees kept live (t->bases) */
	size_t		sets_recorded;	/* changed sets whose live elements
					 * came from records (elems_record.h) */
};
/*
 * Makes table inet fwctl t, sending only what differs from the live one
 * (cli/plan.h) in ONE batch guarded by the generation it was read at:
 * unchanged rules keep their handles and counters. Falls back to
 * kernel_apply()'s full replace when the difference cannot be expressed.
 */
int kernel_update(const struct ir_table *t, const char *cache_dir,
		  struct apply_stats *st);
/*
 * kernel_update() of a table that keeps live trees (t->bases, an overlay)
 * where the live table cannot keep them (it needs a full replace): nothing
 * was sent; compile the file again without bases and update with that.
 */
#define KERNEL_REBUILD	1000
/*
 * The records of the trees live in this namespace now (opt_base.h), from
 * cache_dir if they describe its current generation; NULL if not. Records
 * of an older one are renewed first if the table is unchanged since
 * (live_cache_renew()): what came of that in *renewal, its time in
 * *renew_ns (either may be NULL).
 */
struct opt_bases *kernel_bases(const char *cache_dir, int *renewal,
			       uint64_t *renew_ns);
/* kernel_apply() of t, filling st as kernel_update() does (apply --full). */
int kernel_replace(const struct ir_table *t, const char *cache_dir,
		   struct apply_stats *st);
/* Prints what kernel_update() would change, changing nothing; or, as it
 * does, returns KERNEL_REBUILD (having printed nothing). verbose: then
 * how many changed sets' live elements came from their records. */
int kernel_diff(const struct ir_table *t, FILE *out, const char *cache_dir,
		bool verbose);
/* -v's line for n changed sets whose live elements came from records. */
void kernel_recorded_report(FILE *out, size_t n);
/* Deletes table inet fwctl (and nothing else); absent is not an error.
 * Then removes the records apply keeps in cache_dir (may be NULL). */
int kernel_flush(const char *cache_dir);
/* Reads table inet fwctl back: chains, rules with counters and locations
 * (where the last apply's cache in cache_dir, if any, puts kept rules). */
int kernel_show(FILE *out, bool json, const char *cache_dir);
/* Probed kernel features, table presence, rule count, generation. */
int kernel_status(FILE *out, bool json);

#endif
