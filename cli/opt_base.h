/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_OPT_BASE_H
#define FWCTL_OPT_BASE_H

/*
 * The trees an apply left in the kernel, described well enough that the
 * next apply may keep them and put only what changed in front
 * (opt_overlay.c): per tree (a run of a chain), its root chains, the keys
 * of the rules it was built from and each rule's hull (per family and
 * dimension, the smallest interval that holds the rule's box).
 *
 * They live beside the live cache (RUNDIR/trees.base and trees.id) and
 * are trusted as the cache is: only for the boot, network namespace and
 * ruleset generation of the id line (live_cache_id()), which the apply
 * that made them wrote after its commit.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir.h"

struct opt_span;

struct opt_base {
	char			chain[IR_NAME_MAX];
	unsigned		run;		/* optimize.c's run number */
	enum ir_verdict_kind	fall;
	char			prefix[2][IR_NAME_MAX];
	char			root[2][IR_NAME_MAX];	/* "": no tree */
	uint8_t			flow;		/* OPT_V4 | OPT_V6: cached */
	/* OPT_V4 | OPT_V6: the flow map in front (cached or not) */
	uint8_t			front;
	size_t			n;
	uint64_t		*keys;		/* n: ir_rule_key */
	uint8_t			*fams;		/* n: opt_rule.fams */
	/* n * 2 * D_COUNT, rule by rule; NULL: still in the file, at
	 * hulls_off (family by family, opt_base.c). */
	struct opt_span		*hulls;
	uint64_t		hulls_off;
	/* 2n: record_sum() of each family's hull in the file, or NULL */
	uint64_t		*sums;
	/* Out: kept live as it was (an overlay, or nothing changed), and
	 * what went in front: rules changed, guards, rules in its tree or
	 * elements of the flow map in front (opt_guard.c). */
	bool			kept;
	unsigned		changed, guards, rules, boxes;
};

struct opt_lines;

struct opt_bases {
	size_t		n;
	struct opt_base	*b;
	int		fd;		/* the file the hulls are read from */
	void		*map;		/* that file, if mapped */
	size_t		map_len;
	struct opt_lines *lines;	/* opt_lines.h: trees.lines, or NULL */
	char		*id;		/* trees.id it was loaded with, or NULL */
};

/* The record of chain's run number run, or NULL. */
const struct opt_base *opt_bases_find(const struct opt_bases *bs,
				      const char *chain, unsigned run);
/*
 * The hull of rule i of b, for family fi: D_COUNT spans (false: I/O, or
 * read from the file and not what was written there).
 */
bool opt_base_hull(const struct opt_bases *bs, const struct opt_base *b,
		   size_t i, int fi, struct opt_span *out);
/* Rule i's hull of family fi in b->hulls, the hulls at hand. */
struct opt_span *opt_base_hull_in_memory(const struct opt_base *b, size_t i,
					 int fi);
/* How many bytes b's hulls take in the file, from hulls_off. */
size_t opt_base_hulls_size(const struct opt_base *b);
/* Maps the records' file: every hull at hand (false: I/O). */
bool opt_bases_map(struct opt_bases *bs);
struct opt_bases *opt_bases_new(void);
/* A new record at the end of bs (zeroed), to fill. */
struct opt_base *opt_bases_add(struct opt_bases *bs);

/*
 * Whether a live chain or set of this name belongs to a tree that bs
 * keeps: the tree's lookups and leaves (PREFIX_[dlsvx]...) and the shared
 * sets (ir_share.c) its leaves may look up.
 */
bool opt_bases_keeps(const struct opt_bases *bs, const char *name);
bool opt_bases_any_kept(const struct opt_bases *bs);
/* Whether a tree of bs has a flow map in front (a cache or not): this
 * kernel takes them, then. */
bool opt_bases_any_front(const struct opt_bases *bs);

/*
 * dir/trees.base if trees.id is id (one line, live_cache_id()); NULL if
 * not (then nothing is kept): also when the file is damaged; with
 * dir/trees.lines in lines if that is whole. store writes out's records
 * (the hulls of kept ones come from in) and lines, and then the id, if
 * they are not those in was loaded from under this id; drop removes the
 * id, which leaves the records unread.
 */
struct opt_bases *opt_bases_load(const char *dir, const char *id);
void opt_bases_store(const char *dir, const char *id,
		     const struct opt_bases *out, const struct opt_bases *in);
void opt_bases_drop(const char *dir);
/* Removes all three files (the table they describe is gone). */
void opt_bases_remove(const char *dir);
/* The records of id from as those of id to (the same state, another
 * generation); the caller holds their lock. False if they are not from's. */
bool opt_bases_rekey(const char *dir, const char *from, const char *to);
/*
 * opt_bases_store() in two steps, for a state still to come: the records
 * written aside (false if they could not be), then put in place, or
 * removed. staged says which were written.
 */
struct opt_bases_staged {
	bool	base;	/* trees.base changed */
	bool	lines;	/* else trees.lines goes */
};
bool opt_bases_stage(const char *dir, const char *id,
		     const struct opt_bases *out, const struct opt_bases *in,
		     struct opt_bases_staged *st);
void opt_bases_publish(const char *dir, const struct opt_bases_staged *st);
void opt_bases_unstage(const char *dir, const struct opt_bases_staged *st);
void opt_bases_free(struct opt_bases *bs);

#endif
