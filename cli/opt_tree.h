/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_OPT_TREE_H
#define FWCTL_OPT_TREE_H

/*
 * What the decision tree's files share: opt_tree.c builds the tree,
 * opt_sweep.c finds how one dimension's pieces group into children.
 */
#include "opt.h"

struct memo_ent;
struct dim_pick;

struct tree {
	struct ir_table		*t;
	struct opt_rule		*rules;
	int			fi;
	const char		*prefix;
	struct opt_stats	*st;
	struct memo_ent		**memo;
	size_t			memo_mask; /* buckets - 1 */
	size_t			budget;	/* rules splits may still copy */
	uint64_t		*names;	/* hashes of chain names, open */
	size_t			names_cap, n_names;
	size_t			cap;	/* past this load the tree is given up */
	struct dim_pick		*pick;	/* sink_into()'s last best_dim() */
	struct scratch		*scr;	/* the sweeps' arrays */
};

/* A rule covers the node's space when nothing of it is left to check. */
static inline bool covers(const struct tree *tr,
			  const struct opt_rule *r, unsigned mask)
{
	const unsigned all = (1u << D_COUNT) - 1;

	return r->exact && ((r->full[tr->fi] | mask) & all) == all;
}

/* Rules a group of pieces may gather: a leaf's worth (opt_tree.c). */
#define GROUP_MAX	OPT_LEAF_MAX

/*
 * A group: consecutive pieces of d that go to one child. A piece is an
 * elementary interval (no rule starts or ends inside it). A group grows
 * while the rules active anywhere in it stay within GROUP_MAX, so that
 * children are small without a chain for every piece; a group of one
 * piece is special: all its rules cover it in d.
 */
struct group {
	opt_val		lo, hi;
	size_t		*idx;	/* its rules in list order (if asked for) */
	size_t		n;	/* the rules active anywhere in it */
	size_t		n_trunc;	/* up to its first covering rule */
	size_t		cut;	/* that rule's position in the list, or n */
	bool		single;
};

/* False: stop the sweep, the split is bad enough already. */
typedef bool group_fn(struct tree *tr, struct group *g, void *data);

/*
 * Calls fn for each group of d's pieces of the rules idx[0..n), in order
 * of value; list: fill the group's idx (else only its counts). Groups
 * are found by sweeping the edges of the rules' intervals with Fenwick
 * trees: O(n log n).
 */
void group_sweep(struct tree *tr, const size_t *idx, size_t n, unsigned mask,
		 enum opt_dim d, bool list, group_fn *fn, void *data);

#endif
