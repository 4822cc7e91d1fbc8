/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_OPT_H
#define FWCTL_OPT_H

/*
 * What the optimizer's files share (optimize.c finds the rule lists,
 * opt_box.c turns a rule into a box, opt_tree.c builds the lookups).
 *
 * A rule seen by the optimizer is a box: per dimension (protocol, source,
 * destination, source port, destination port) the union of the intervals
 * it accepts. Everything else a rule checks (ct state, interfaces, named
 * sets, ICMP types) stays in the rule: the tree only narrows down which
 * rules a packet can meet, and the rules that remain are evaluated as
 * written, in their order. So the lookups never have to model a match
 * exactly; they must only never lose a rule that could match.
 */
#include <linux/netfilter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir.h"

struct scratch;

typedef unsigned __int128 opt_val;

/* Rules a leaf of a tree holds at most (why: opt_tree.c). */
#define OPT_LEAF_MAX	32

enum opt_dim { D_PROTO, D_SADDR, D_DADDR, D_SPORT, D_DPORT, D_COUNT };

enum { OPT_V4 = 1, OPT_V6 = 2 };

/* splitmix64's finalizer: content hashes of rule lists, for names. */
static inline uint64_t opt_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The meta nfproto value of family index fi (0: IPv4, 1: IPv6). */
static inline uint8_t opt_fam_nfproto(int fi)
{
	return fi ? NFPROTO_IPV6 : NFPROTO_IPV4;
}

struct opt_span {
	opt_val	lo, hi;
};

/* Sorted, disjoint, not touching; n == 0: no value at all. */
struct opt_ivs {
	size_t		n;
	struct opt_span	*s;
};

struct opt_rule {
	struct ir_rule	*ir;		/* in its chain, which owns it */
	/*
	 * Per family (v4, v6): a block of its own, so that a stand-in (no
	 * box) costs 48 bytes, not 200: one apply holds 10,000 of them.
	 */
	struct opt_ivs	(*dim)[D_COUNT];
	struct opt_span	*spans;		/* what dim's intervals point into */
	uint8_t		fams;		/* OPT_V4 | OPT_V6 it can match */
	/* Per family, bit d: dim d is its whole range (opt_full). */
	uint8_t		full[2];
	/* Only dimensions: the box is the whole rule. */
	bool		exact;
	uint64_t	key;		/* content hash, for chain names */
	/* For --explain: what the rule became. */
	unsigned	copies;		/* in leaf chains */
	unsigned	elems;		/* map elements deciding by it */
	bool		redundant;	/* out of leaves: the policy drops
					 * whatever it drops */
};

/* opt_box.c */
opt_val opt_dim_max(enum opt_dim d, int fam);
/* False when the rule cannot be moved (statements, gotos, ...); *why says. */
bool opt_rule_movable(const struct ir_rule *r, const char **why);
/* Scratch: for the intervals the box is made from (none stay on it). */
void opt_rule_box(struct opt_rule *o, struct scratch *scr);
/* Frees the box; opt_rule_free() the rule too. */
void opt_rule_box_free(struct opt_rule *o);
void opt_rule_free(struct opt_rule *o);
bool opt_full(const struct opt_rule *o, int fi, enum opt_dim d);
/* Whether two unions of intervals share a value. */
bool opt_ivs_meet(const struct opt_ivs *a, const struct opt_ivs *b);
/* How many bits v takes: 0 for 0, 128 for the largest. */
int opt_val_bits(opt_val v);
/* Big-endian bytes (len up to 16) <-> number. */
opt_val opt_val_load(const uint8_t *b, unsigned len);
void opt_val_store(opt_val v, uint8_t *out, unsigned len);
/* ir_value <-> number, for dimension d of family index fi (0 v4, 1 v6). */
void opt_val_to_ir(opt_val v, enum opt_dim d, int fi, uint8_t *out);
enum ir_field opt_dim_field(enum opt_dim d, int fi);

/*
 * A big list's wide rules that may move to the end can get a tree of their
 * own after the tree of the rest (opt_tree.c): tried when the copies of
 * them in the one tree are try_pct of its load, kept when it loads at
 * most gain_pct of it. It costs some packets a lookup: ipc1_1k, where the
 * copies are 12%, would load 70% less with it but forward 18% less.
 * Tests change it to build the wide tree wherever it can be built.
 */
struct opt_wide {
	unsigned	try_pct, gain_pct;
};
extern struct opt_wide opt_wide;

/*
 * opt_stay.c: rules (indexes into rules[]) added one by one; which of
 * them may share a packet with a box of family index fi. opt_stay_any()
 * calls fn for each added rule that may (none that cannot; each once)
 * until fn returns true, and returns whether one did.
 */
struct opt_stay;
typedef bool opt_stay_fn(size_t rule, void *data);
struct opt_stay *opt_stay_new(const struct opt_rule *rules, int fi);
void opt_stay_add(struct opt_stay *s, size_t rule);
bool opt_stay_any(struct opt_stay *s, const struct opt_rule *w,
		  opt_stay_fn *fn, void *data);
void opt_stay_free(struct opt_stay *s);

/* A tree over rules[0..n) of one list; what it produced, for --explain. */
struct opt_stats {
	unsigned	chains, elems, leaf_rules, depth, splits, halvings,
			sinks, redundant;
};

/*
 * opt_tree.c: builds the lookups for family fi over the list's rules that
 * can match it and returns the chain they start at (NULL: no rule of that
 * family). fall: the verdict of a packet no rule of the list matches when
 * that is known (IR_ACCEPT or IR_DROP: the list ends a chain that ends in
 * that policy, see optimize.c's chain_fall), else IR_VERDICT_NONE; under
 * IR_DROP, drop rules that only repeat it are left out of the leaves
 * (opt_rule.redundant). Chains are named prefix_HASH. scr: for its
 * temporary arrays (it gives back what it takes).
 */
struct ir_chain *opt_tree(struct ir_table *t, struct opt_rule *rules,
			  size_t n, int fi, enum ir_verdict_kind fall,
			  const char *prefix, struct opt_stats *st,
			  struct scratch *scr);

/*
 * opt_flow.c: whether chain c tracks connections (then its trees need no
 * flow cache; asked before its rules go into trees); whether the verdicts
 * of rules[0..n) may be cached per flow; then the chain to enter in place
 * of a tree's root (named root, of family fam: NFPROTO_*), which puts the
 * cache, or the flow map alone, in front of it. The tree's chains are
 * t->chains[first..] of that family; hash: opt_flow_hash of the list and
 * what follows it (fall, as for opt_tree), naming the cache's sets.
 */
bool opt_flow_chain_tracks(const struct ir_chain *c);
bool opt_rule_cached(const struct ir_rule *r);
bool opt_flow_cacheable(const struct opt_rule *rules, size_t n);
uint64_t opt_flow_hash(const struct opt_rule *rules, size_t n,
		       enum ir_verdict_kind fall);
/* The same of a list by its rules' keys (opt_base.keys). */
uint64_t opt_flow_hash_keys(const uint64_t *keys, size_t n,
			    enum ir_verdict_kind fall);
/*
 * What goes in front of root: the cache (cache), or else the flow map
 * alone, P_cw being the map's rule behind its switch and then a goto to
 * root. *boxes (n of them, may be none) become the map's (opt_guard.c),
 * which takes them over.
 */
struct ir_chain *opt_front(struct ir_table *t, const char *root, uint8_t fam,
			   size_t first, const char *prefix, uint64_t hash,
			   bool cache, struct ir_flow_elem **boxes,
			   size_t n_boxes);

/*
 * opt_tail.c: the leaf chains of one tree (named prefix_l..., among
 * t->chains[first..]) that end in the same rules share them: a chain
 * prefix_x... or the leaf that is only those, which the others goto.
 * Keeps rules[].copies and st's counts (leaf rules: those of leaves and
 * tails, gotos too) right; the leaves' rules carry origin.
 */
void opt_tail_share(struct ir_table *t, size_t first, const char *prefix,
		    uint8_t nfproto, struct opt_rule *rules,
		    struct opt_stats *st);

#endif
