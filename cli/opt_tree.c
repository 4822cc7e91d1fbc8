// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A decision tree over an ordered list of rules, made of what nf_tables
 * looks up in logarithmic time: verdict maps over intervals, whose
 * elements go to chains.
 *
 * A node holds the rules a packet reaching it may still match, in list
 * order. It splits on one dimension at the edges of its rules' intervals
 * (elementary pieces: within one, every rule covers it or misses it) and
 * gathers neighbouring pieces into groups of a few rules; each group's
 * child holds the rules active anywhere in it, in list order. A child
 * therefore never loses a rule that could match, and the first rule that
 * matches in it is the first that matches in the list. Where a child is
 * one piece, its rules cover the piece, and a rule that covers the rest
 * of the space (whole in every dimension not split yet, and nothing but
 * dimensions) ends the list for every packet there: the rules after it
 * go, and a child left with that one rule is its verdict, written straight
 * into the parent's map. Small children become leaf chains that hold
 * their rules as written, less the matches the lookups proved.
 *
 * Equal children are built once (the map elements share the chain), and
 * groups are found by sweeping the edges with Fenwick trees (opt_sweep.c),
 * so a node costs O(n log n) plus its children.
 *
 * Loads that can fail: meta l4proto (IPv6 without a transport header)
 * and the port fields (non-first fragments) make the map rule not match;
 * a second rule sends those packets to the node's rules that do not look
 * at that field, which are the only ones such a packet can match.
 *
 * Rules wide in every dimension would be copied into every group. Those
 * that may move to the end of the list without changing any verdict go
 * there (sink_moves), and the node becomes a sequence: jump to the tree of
 * the rest, then on to the wide ones; without any that may move, the list
 * is cut in two halves. That keeps first-match verdicts because every
 * verdict of a movable rule ends the evaluation. A split that leaves one
 * group with nearly the whole list counts as none (SPLIT_IDLE).
 *
 * Rules wide in all dimensions together (catch-alls of a ClassBench ACL's
 * end: "dst 20.72.0.0/13") are copied a little at every level, which
 * multiplies: in acl1_10k 40 such rules made 10,000 of the 23,000 rules
 * of the one tree. For a big list, the tree is built a second way too:
 * the wide rules that may move go to the end, as a tree of their own
 * after the tree of the rest, and the way that loads much less is kept
 * (try_wide; struct opt_wide says when).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opt_tree.h"
#include "scratch.h"
#include "xalloc.h"

/*
 * Rules a leaf chain evaluates at most. A rule that does not match costs
 * a packet 3-4 ns when it fails its first comparison and about 17 ns
 * when it passes one first (see match_order), a lookup 70 ns in a map of
 * 8 elements to 220-390 ns in one of 4096 (tests/bench/classify --costs):
 * leaves of 32 rules take fewer lookups per packet than leaves of 8, and
 * a third of the chains and maps to load. Groups and leaves of 16 or 64
 * forwarded more packets for one ClassBench set each (fw1_10k, gen10k),
 * and fewer for the others.
 */
#define LEAF_MAX	OPT_LEAF_MAX
#define REPL_MAX	4	/* a split may copy a rule this many times */
#define REPL_STUCK	16	/* ... or this many, rather than halve */
#define BUDGET		24	/* all splits of a tree, per rule */
#define LEVEL_MAX	11	/* chains below the root (kernel limit 16) */
/*
 * A split whose largest group keeps this share of the list or more (in
 * tenths) is idle: a packet that lands there pays a lookup to find the
 * list it had, and the split copies every rule the groups share. The list
 * is built as if no split copied little enough (sink_into(): the rules
 * that spread sink, else the least bad split, else the list is halved).
 * In fw1_10k a list of 5,445 tcp rules split on the source port at 1024:
 * the group above held all of them, the one below the 5,079 that name no
 * source port. Its 11 such splits, replaced, leave 20,032 rules in the
 * leaves, not 25,113, and a packet costs 3% less (tests/bench/treecost).
 * gen10k, ipc1_1k, acl1_10k and gen1k came out the same at 9 tenths and
 * at 8, gen100k within 0.02%; at 7, gen10k's packets cost twice as much.
 */
#define SPLIT_IDLE	9

/* What a node became: nothing, a verdict by one rule, or a chain. */
struct res {
	enum ir_verdict_kind	kind;	/* NONE, ACCEPT, DROP or GOTO */
	size_t			rule;	/* ACCEPT, DROP: which decided */
	struct ir_chain		*chain;	/* GOTO */
	bool			appended; /* its parts went into a sequence */
};

struct memo_ent {
	struct memo_ent	*next;
	uint64_t	hash;
	unsigned	mask;
	size_t		n;
	size_t		*idx;
	struct res	res;
};

#define MEMO_MIN	256u		/* buckets of the memo, at least */
#define MEMO_MAX	(1u << 16)	/* ... and at most */

struct split_score {
	size_t	total;		/* rules in all children */
	size_t	groups;
	size_t	largest;
	size_t	limit;		/* past this total the split is not taken */
};

/*
 * What best_dim() said of a list: sink_into() asks it of what stays
 * before it hands that list on to be built, which asks again.
 */
struct dim_pick {
	const size_t		*idx;
	size_t			n, budget;
	unsigned		mask;
	int			d, bad;
	struct split_score	sc;
};

/* What the kernel loads for the trees so far: rules, elements, chains. */
static size_t load_of(const struct opt_stats *st)
{
	return st->leaf_rules + st->elems + st->chains;
}


static uint64_t list_hash(const size_t *idx, size_t n, unsigned mask)
{
	uint64_t h = opt_mix(mask);
	size_t i;

	for (i = 0; i < n; i++)
		h = opt_mix(h ^ idx[i]);
	return h;
}

static struct memo_ent *memo_find(struct tree *tr, const size_t *idx,
				  size_t n, unsigned mask, uint64_t h)
{
	struct memo_ent *e;

	for (e = tr->memo[h & tr->memo_mask]; e; e = e->next)
		if (e->hash == h && e->mask == mask && e->n == n &&
		    !memcmp(e->idx, idx, n * sizeof(*idx)))
			return e;
	return NULL;
}

static void memo_put(struct tree *tr, const size_t *idx, size_t n,
		     unsigned mask, uint64_t h, struct res res)
{
	struct memo_ent *e = xcalloc(1, sizeof(*e));

	e->hash = h;
	e->mask = mask;
	e->n = n;
	e->idx = xcalloc(n, sizeof(*idx));
	memcpy(e->idx, idx, n * sizeof(*idx));
	e->res = res;
	e->next = tr->memo[h & tr->memo_mask];
	tr->memo[h & tr->memo_mask] = e;
}

/* False when h was taken already; takes it otherwise. */
static bool name_take(struct tree *tr, uint64_t h)
{
	size_t i, cap;
	uint64_t *old;

	h |= 1;		/* 0 marks a free slot */
	if (2 * (tr->n_names + 1) > tr->names_cap) {
		old = tr->names;
		cap = tr->names_cap;
		tr->names_cap = cap ? 2 * cap : 1024;
		tr->names = xcalloc(tr->names_cap, sizeof(*tr->names));
		tr->n_names = 0;
		for (i = 0; i < cap; i++)
			if (old[i])
				name_take(tr, old[i]);
		free(old);
	}
	for (i = h & (tr->names_cap - 1); tr->names[i];
	     i = (i + 1) & (tr->names_cap - 1))
		if (tr->names[i] == h)
			return false;
	tr->names[i] = h;
	tr->n_names++;
	return true;
}

/*
 * Named by the rules it holds, so that an unchanged part of the tree keeps
 * its name from one apply to the next (the prefix is unique per tree).
 * Every packet in it has the tree's family (optimize.c enters the tree
 * by it), which its rules need not check again.
 */
static struct ir_chain *node_chain(struct tree *tr, const size_t *idx,
				   size_t n, unsigned mask, char kind)
{
	char name[IR_NAME_MAX];
	struct ir_chain *c;
	uint64_t h = opt_mix(mask) ^ (uint64_t)kind;
	size_t i;

	for (i = 0; i < n; i++)
		h = opt_mix(h ^ tr->rules[idx[i]].key);
	while (!name_take(tr, h & 0xffffffffffffull))
		h = opt_mix(h);	/* the same rules twice: the next name */
	snprintf(name, sizeof(name), "%s_%c%012llx", tr->prefix, kind,
		 (unsigned long long)(h & 0xffffffffffffull));
	tr->st->chains++;
	c = ir_chain_add(tr->t, name, IR_HOOK_NONE);
	c->nfproto = opt_fam_nfproto(tr->fi);
	return c;
}

/* A rule in c that does what res says: goto (or jump) or a verdict. */
static void res_rule(struct tree *tr, struct ir_chain *c, struct res res,
		     enum ir_verdict_kind to)
{
	static const struct fw_loc none;
	struct ir_rule *r;

	if (res.kind == IR_VERDICT_NONE)
		return;
	r = ir_rule_add(c, none);
	r->why = "decision tree";
	r->verdict.kind = res.kind == IR_GOTO ? to : res.kind;
	if (res.kind == IR_GOTO) {
		r->verdict.chain = res.chain->name;
	} else {
		/* The source rule's verdict: show and --explain say which. */
		r->loc = tr->rules[res.rule].ir->loc;
		r->text = tr->rules[res.rule].ir->text;
		tr->rules[res.rule].elems++;
	}
}

/*
 * True when m holds for every packet that reaches a leaf below mask:
 * the lookups already checked its dimension (every rule of the leaf
 * covers the piece), or it names the tree's family. Named sets stay:
 * the box does not know what they hold.
 */
static bool match_proven(const struct tree *tr, const struct ir_match *m,
			 unsigned mask)
{
	int d;

	if (m->field == IR_NFPROTO)
		return !m->set && m->op == IR_EQ;
	if (m->set && !m->set->anonymous)
		return false;
	for (d = 0; d < D_COUNT; d++)
		if (mask & 1u << d && opt_dim_field(d, tr->fi) == m->field)
			return true;
	return false;
}

static bool ivs_within(const struct opt_ivs *a, const struct opt_ivs *b)
{
	size_t i, j = 0;

	for (i = 0; i < a->n; i++) {
		while (j < b->n && b->s[j].hi < a->s[i].lo)
			j++;
		if (j == b->n || b->s[j].lo > a->s[i].lo ||
		    b->s[j].hi < a->s[i].hi)
			return false;
	}
	return true;
}

/* Every packet rule b matches, the earlier rule a matches too. */
static bool shadowed(const struct tree *tr, const struct opt_rule *b,
		     const struct opt_rule *a)
{
	int d;

	if (!a->exact)
		return false;
	for (d = 0; d < D_COUNT; d++)
		if (!ivs_within(&b->dim[tr->fi][d], &a->dim[tr->fi][d]))
			return false;
	return true;
}

#define SHADOW_MAX	64	/* longer leaves are not searched */

/*
 * Where a leaf rule's address, port or protocol match goes among them:
 * the one a packet most likely fails first, since the kernel stops a rule
 * at its first failed comparison. A rule that fails its first one costs
 * a packet about 3 ns, one that passes a comparison first 12-17 ns
 * (tests/bench/classify --costs, "1st passes"). The tree proved the
 * family (ir_chain.nfproto), so an address is loaded without a "meta
 * nfproto" check before it, and addresses and ports go narrowest first
 * (the share of their value space they keep), the protocol at one half
 * (half the packets are TCP, whatever its value space says). The other
 * matches keep their place before or after the addresses and ports (the
 * back ends' order, ir.h): -2 says m is none of those, and
 * order_matches() keys it -1 or 2 by where it stood.
 */
static double match_order(const struct tree *tr, const struct opt_rule *o,
			  const struct ir_match *m)
{
	const struct opt_ivs *iv;
	double part = 0;
	int d;
	size_t i;

	if (m->field == IR_L4PROTO)
		return 0.5;
	for (d = D_SADDR; d < D_COUNT; d++)
		if (opt_dim_field(d, tr->fi) == m->field)
			break;
	if (d == D_COUNT)
		return -2;
	iv = &o->dim[tr->fi][d];
	for (i = 0; i < iv->n; i++)
		part += (double)(iv->s[i].hi - iv->s[i].lo) + 1;
	return part / ((double)opt_dim_max(d, tr->fi) + 1);
}

/* Orders r's matches by match_order(), stable. */
static void order_matches(const struct tree *tr, const struct opt_rule *o,
			  struct ir_rule *r)
{
	double key[IR_FIELD_COUNT * 2];
	bool seen = false;
	size_t i, j;

	if (r->n_matches > sizeof(key) / sizeof(key[0]))
		return;
	for (i = 0; i < r->n_matches; i++) {
		key[i] = match_order(tr, o, &r->matches[i]);
		if (key[i] == -2)
			key[i] = seen ? 2 : -1;
		else if (r->matches[i].field != IR_L4PROTO)
			seen = true;
	}
	for (i = 1; i < r->n_matches; i++) {
		struct ir_match m = r->matches[i];
		double k = key[i];

		for (j = i; j > 0 && key[j - 1] > k; j--) {
			r->matches[j] = r->matches[j - 1];
			key[j] = key[j - 1];
		}
		r->matches[j] = m;
		key[j] = k;
	}
}

/*
 * A copy of src without the matches the lookups proved, its own matches
 * (in match_order) and comment. A reject keeps all, as written: its kind
 * depends on its protocol match.
 */
static void leaf_rule(const struct tree *tr, struct ir_rule *r,
		      const struct opt_rule *o, unsigned mask)
{
	const struct ir_rule *src = o->ir;
	bool all = src->verdict.kind == IR_REJECT;
	size_t j, k = 0;

	for (j = 0; j < src->n_matches; j++)
		k += all || !match_proven(tr, &src->matches[j], mask);
	*r = *src;
	r->st = NULL;
	if (src->st)
		*ir_rule_st_mut(r) = *src->st;
	r->matches = k ? xcalloc(k, sizeof(*r->matches)) : NULL;
	for (j = k = 0; j < src->n_matches; j++)
		if (all || !match_proven(tr, &src->matches[j], mask))
			r->matches[k++] = src->matches[j];
	r->n_matches = k;
	if (!all) {
		r->l4_proven = mask & 1u << D_PROTO;
		order_matches(tr, o, r);
	}
	r->comment = src->comment ? xstrdup(src->comment) : NULL;
}

/*
 * The rules as written, less the matches the lookups proved.
 *
 * Most rules a packet enters are in leaves it then leaves without a match
 * (treecost's "missed"). A guard first in each leaf, "saddr . daddr [.
 * ports] != @set return" over the hulls of its rules (a concatenated
 * interval set, which the kernel keeps in pipapo), made gen10k no
 * faster, tried by hand on its export: 341-352k packets/s without, with
 * guards of two fields 297-356k, of four 304-308k. Not built.
 *
 * Leaf rules are what a big apply's batch is made of, and the kernel
 * takes 11-16 us for each (3,000 of 6 expressions: 32-48 ms in sendmsg,
 * nft -f, with or without a comment). Exact rules (one protocol, one
 * address each way, one port) that no earlier rule of another verdict
 * meets could be elements of one hash map in front of the tree instead:
 * 3,000 such elements took 5.5-8 ms. But at most a fifth of acl1_10k's
 * rules are exact (1,998), a seventh of gen10k's and 38 of fw1_10k's,
 * so a tenth of a full apply at best; and the map's key (no source
 * port) is no flow key, which the batch, the read-back, the diff and
 * the evaluator would all have to learn. The same elements took 100-110
 * ms in an interval concatenation (pipapo), and 97-141 ms as 1,000 rules
 * with an anonymous map of 3 each. Not built (2026-12-07).
 *
 * Nor can a leaf's rules share one load of the fields they all compare
 * (fw1_10k: 31,000 of its 99,000 expressions are loads): since Linux 6.12
 * the kernel refuses a rule that reads a register it did not write itself
 * ("allow loads only when register is initialized").
 */
static struct res leaf(struct tree *tr, const size_t *idx, size_t n,
		       unsigned mask)
{
	struct ir_chain *c = NULL;
	struct ir_rule *r;
	size_t i, j;

	for (i = 0; i < n; i++) {
		struct opt_rule *o = &tr->rules[idx[i]];

		if (o->redundant)
			continue;
		/*
		 * Never decides here: an earlier rule takes its packets. (A
		 * rule an earlier redundant one covers drops: what it
		 * matches here is dropped by a later rule or the policy.)
		 */
		for (j = 0; n <= SHADOW_MAX && j < i; j++)
			if (shadowed(tr, o, &tr->rules[idx[j]]))
				break;
		if (n <= SHADOW_MAX && j < i)
			continue;
		if (!c) {
			c = node_chain(tr, idx, n, mask, 'l');
			/* Leaves hold most of a big tree's rules: no room
			 * to spare. */
			ir_chain_reserve(c, n - i);
		}
		r = ir_rule_add(c, o->ir->loc);
		leaf_rule(tr, r, o, mask);
		r->origin = (uint32_t)idx[i] + 1;
		o->copies++;
		tr->st->leaf_rules++;
	}
	/* Nothing left to decide: the packet goes on as if it matched none. */
	if (!c)
		return (struct res){ .kind = IR_VERDICT_NONE };
	return (struct res){ .kind = IR_GOTO, .chain = c };
}

static bool score_group(struct tree *tr, struct group *g, void *data)
{
	struct split_score *sc = data;

	(void)tr;
	sc->total += g->n_trunc;
	sc->groups++;
	if (g->n_trunc > sc->largest)
		sc->largest = g->n_trunc;
	return sc->total <= sc->limit;
}

static struct res build_in(struct tree *tr, const size_t *idx, size_t n,
			   unsigned mask, unsigned level, struct ir_chain *seq,
			   bool last);

static struct res build(struct tree *tr, const size_t *idx, size_t n,
			unsigned mask, unsigned level)
{
	return build_in(tr, idx, n, mask, level, NULL, true);
}

struct emit_ctx {
	struct ir_set	*map;
	unsigned	mask, level;
	enum opt_dim	d;
};

static bool emit_group(struct tree *tr, struct group *g, void *data)
{
	struct emit_ctx *c = data;
	struct ir_verdict v = { .kind = IR_VERDICT_NONE };
	struct ir_value val;
	struct res res;

	res = build(tr, g->idx, g->n_trunc, g->single ?
		    c->mask | 1u << c->d : c->mask, c->level + 1);
	if (res.kind == IR_VERDICT_NONE)
		return true;
	v.kind = res.kind;
	if (res.kind == IR_GOTO)
		v.chain = res.chain->name;
	else
		tr->rules[res.rule].elems++;
	memset(&val, 0, sizeof(val));
	opt_val_to_ir(g->lo, c->d, tr->fi, val.lo);
	opt_val_to_ir(g->hi, c->d, tr->fi, val.hi);
	ir_set_add_elem(c->map, &val, &v);
	if (res.kind != IR_GOTO)	/* which source rule decides there */
		c->map->elems[c->map->n_elems - 1].loc =
			tr->rules[res.rule].ir->loc;
	tr->st->elems++;
	return true;
}

/*
 * FIELD vmap { group : verdict or goto child, ... }
 *
 * One field: the kernel keeps such a map in its rbtree back end. Keyed
 * "FIELD . meta nfproto" (a constant second field) it takes the pipapo
 * back end instead, whose lookups in one hot map of 512 elements cost
 * 57 ns against 150 (classify --costs), but in the trees, where
 * each packet meets several of hundreds of maps, it forwarded fewer
 * packets: fw1_10k 364k -> 334k/s, gen10k 398k -> 382k/s, ipc1_1k 616k
 * -> 600k/s (5 alternating runs each), and no more with only the maps of
 * 32 elements or more so keyed. Measured and left out (2026-12-04).
 */
static struct res split(struct tree *tr, const size_t *idx, size_t n,
			unsigned mask, unsigned level, enum opt_dim d)
{
	static const struct fw_loc none;
	struct ir_chain *c = node_chain(tr, idx, n, mask, 'd');
	struct emit_ctx ec = { .mask = mask, .level = level, .d = d };
	struct ir_rule *r = ir_rule_add(c, none);
	enum ir_field field = opt_dim_field(d, tr->fi);
	size_t i, nw = 0;
	size_t *wild;
	struct res res;

	r->why = "decision tree";
	r->verdict.kind = IR_VMAP;
	r->verdict.vmap_field = field;
	/*
	 * A named map: the kernel binds every anonymous set of a batch by
	 * walking the whole batch (quadratic in thousands of nodes), and
	 * an incremental apply can change a named map element by element.
	 */
	ec.map = r->verdict.vmap = ir_set_add(tr->t, c->name, field, none);
	ec.map->is_vmap = ec.map->interval = true;
	group_sweep(tr, idx, n, mask, d, true, emit_group, &ec);
	ir_set_normalize(ec.map);
	tr->st->splits++;
	if (d == D_PROTO || d == D_SPORT || d == D_DPORT) {
		/* The packets whose field could not be loaded. */
		wild = xcalloc(n, sizeof(*wild));
		for (i = 0; i < n; i++)
			if (opt_full(&tr->rules[idx[i]], tr->fi, d))
				wild[nw++] = idx[i];
		res = build(tr, wild, nw, mask, level + 1);
		res_rule(tr, c, res, IR_GOTO);
		free(wild);
	}
	return (struct res){ .kind = IR_GOTO, .chain = c };
}

/*
 * Two neighbouring rules may change places when no packet matches both, or
 * when both give the same verdict: every packet still gets the verdict
 * the list gave it (movable rules have no counters or other effects that
 * could tell which of two equal rules decided).
 */
static bool same_verdict(const struct ir_rule *a, const struct ir_rule *b)
{
	return a->verdict.kind == b->verdict.kind &&
	       (a->verdict.kind != IR_REJECT ||
		(a->verdict.reject == b->verdict.reject &&
		 a->verdict.reject_code == b->verdict.reject_code));
}

/* Boxes that share a packet (other matches are not looked at: safe). */
static bool boxes_meet(const struct tree *tr, const struct opt_rule *a,
		       const struct opt_rule *b)
{
	int d;

	for (d = 0; d < D_COUNT; d++)
		if (!opt_ivs_meet(&a->dim[tr->fi][d], &b->dim[tr->fi][d]))
			return false;
	return true;
}

/* The groups of a sweep: where they are and where their lists end. */
struct spread_ctx {
	struct split_score	sc;
	struct group		*g;
	size_t			n;
};

static bool spread_group(struct tree *tr, struct group *g, void *data)
{
	struct spread_ctx *c = data;

	score_group(tr, g, &c->sc);
	c->g = xgrow(c->g, c->n, sizeof(*c->g));
	c->g[c->n++] = *g;
	return true;
}

#define SPREAD_STEPS	64	/* groups looked at per rule */

/*
 * Whether the rule at position pos of the list is in two groups or more:
 * its intervals reach into them and no covering rule ends their lists
 * before it. (Listing every group's rules would cost the sum of their
 * sizes: quadratic for a big list of wide rules.) Past SPREAD_STEPS
 * groups without two, it is not counted as spread.
 */
static bool spread(const struct tree *tr, const struct spread_ctx *c,
		   size_t rule, size_t pos, enum opt_dim d)
{
	const struct opt_ivs *iv = &tr->rules[rule].dim[tr->fi][d];
	size_t i, lo, hi, mid, in = 0, steps = 0, seen = (size_t)-1;

	for (i = 0; i < iv->n; i++) {
		/* The first group that ends at or after the interval. */
		for (lo = 0, hi = c->n; lo < hi;) {
			mid = lo + (hi - lo) / 2;
			if (c->g[mid].hi < iv->s[i].lo)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < c->n && c->g[lo].lo <= iv->s[i].hi; lo++) {
			if (++steps > SPREAD_STEPS)
				return false;
			if (lo == seen || pos > c->g[lo].cut)
				continue;
			seen = lo;
			if (++in == 2)
				return true;
		}
	}
	return false;
}

#define SINK_CHECKS	(4u << 20)	/* box comparisons a node may spend */

/*
 * No dimension splits the list without copying most of it: a few wide
 * rules reach into every piece. Those that may move to the end of the
 * list (see same_verdict) go there; the node jumps to the tree of the
 * rest, which now splits, and goes on to the wide ones. Without any that
 * may move, the list is cut in two halves. The parts of such a sequence
 * are rules of one chain (see seq_part).
 */
static void seq_part(struct tree *tr, struct ir_chain *c, const size_t *idx,
		     size_t n, unsigned mask, unsigned level, bool last);

static int best_dim(struct tree *tr, const size_t *idx, size_t n,
		    unsigned mask, struct split_score *best, int *least_bad);

/* Appends to c: the first half's parts, then the second half's. */
static void halve_into(struct tree *tr, struct ir_chain *c, const size_t *idx,
		       size_t n, unsigned mask, unsigned level, bool last)
{
	size_t half = n / 2;

	tr->st->halvings++;
	seq_part(tr, c, idx, half, mask, level, false);
	seq_part(tr, c, idx + half, n - half, mask, level, last);
}

/* The later rules a rule may have to pass: its verdict's list is apart. */
static unsigned verdict_class(const struct opt_rule *r)
{
	return r->ir->verdict.kind == IR_ACCEPT ? 0 :
	       r->ir->verdict.kind == IR_DROP ? 1 : 2;
}

/* Which rules of idx spread over two groups of d or more (cand[i]). */
static void spread_rules(struct tree *tr, const size_t *idx, size_t n,
			 unsigned mask, int d, bool *cand,
			 struct split_score *sc)
{
	struct spread_ctx c = { .sc = { 0, 0, 0, (size_t)-1 } };
	size_t i;

	group_sweep(tr, idx, n, mask, (enum opt_dim)d, false, spread_group,
		    &c);
	*sc = c.sc;
	for (i = 0; i < n; i++)
		cand[i] = spread(tr, &c, idx[i], i, (enum opt_dim)d);
	free(c.g);
}

struct meet_ask {
	const struct tree	*tr;
	const struct opt_rule	*w;
	size_t			checks;
};

/* Whether rule q, which stays after w, keeps w from moving past it. */
static bool blocks(size_t q, void *data)
{
	struct meet_ask *a = data;
	const struct opt_rule *r = &a->tr->rules[q];

	if (++a->checks > SINK_CHECKS)
		return true;	/* not known: w stays */
	return !same_verdict(a->w->ir, r->ir) && boxes_meet(a->tr, a->w, r);
}

/*
 * Marks the rules of idx[0..n) the list can do without: rules whose
 * verdict is the one a packet gets anyway when no rule matches it (fall,
 * the policy the chain ends in) and which no later rule of another verdict
 * may meet. Whatever such a rule matches goes on to a later rule with its
 * verdict, or to the policy, so leaves leave it out (opt_rule.redundant);
 * the tree keeps its shape, so no other packet takes a longer way. (The
 * rules marked have the verdict fall, those that block one have another:
 * leaving one out never frees another.) Looks at most SINK_CHECKS times;
 * the rules it could not look at stay.
 */
static void mark_redundant(struct tree *tr, const size_t *idx, size_t n,
			   enum ir_verdict_kind fall)
{
	struct opt_stay *other = opt_stay_new(tr->rules, tr->fi);
	struct meet_ask ask = { .tr = tr };
	size_t i;

	for (i = n; i-- > 0;) {
		struct opt_rule *o = &tr->rules[idx[i]];

		ask.w = o;
		o->redundant = false;
		if (o->ir->verdict.kind != fall)
			opt_stay_add(other, idx[i]);
		else if (ask.checks < SINK_CHECKS &&
			 !opt_stay_any(other, o, blocks, &ask))
			o->redundant = true;
		tr->st->redundant += o->redundant;
	}
	opt_stay_free(other);
}

/*
 * Which of the candidates may move to the end of idx: no later rule that
 * stays, of another verdict, shares a packet with them. Going from the
 * end, the rules that stay are kept apart by verdict, so a rule looks
 * only at those it could conflict with, and only at those whose boxes
 * may meet its own (opt_stay.c); the node spends at most SINK_CHECKS
 * looks (the rules not looked at stay).
 */
static void sink_moves(struct tree *tr, const size_t *idx, size_t n,
		       const bool *cand, bool *moved)
{
	struct opt_stay *stay[3];
	struct meet_ask ask = { .tr = tr };
	size_t i;
	unsigned v, o;

	for (v = 0; v < 3; v++)
		stay[v] = opt_stay_new(tr->rules, tr->fi);
	for (i = n; i-- > 0;) {
		bool meets = false;

		ask.w = &tr->rules[idx[i]];
		v = verdict_class(ask.w);
		if (ask.checks < SINK_CHECKS && cand[i]) {
			for (o = 0; o < 3 && !meets; o++)
				if (o != v || v == 2)	/* rejects may differ */
					meets = opt_stay_any(stay[o], ask.w,
							     blocks, &ask);
			moved[i] = !meets;
		}
		if (!moved[i])
			opt_stay_add(stay[v], idx[i]);
	}
	for (v = 0; v < 3; v++)
		opt_stay_free(stay[v]);
}

/*
 * Splits idx into the rules that stay (keep) and the candidates that move
 * to the end (tail, in list order); false when none may move or none stay.
 */
static bool sink_split(struct tree *tr, const size_t *idx, size_t n,
		       const bool *cand, size_t *keep, size_t *nk,
		       size_t *tail, size_t *nt)
{
	bool *moved = xcalloc(n, sizeof(*moved));
	size_t i;

	sink_moves(tr, idx, n, cand, moved);
	*nk = *nt = 0;
	for (i = 0; i < n; i++) {
		if (moved[i])
			tail[(*nt)++] = idx[i];
		else
			keep[(*nk)++] = idx[i];
	}
	free(moved);
	return *nt && *nk;
}

/* sink_split() of the rules that spread over groups of d. */
static bool sink_spread(struct tree *tr, const size_t *idx, size_t n,
			unsigned mask, int d, size_t *keep, size_t *nk,
			size_t *tail, size_t *nt, struct split_score *sc)
{
	bool *cand = xcalloc(n, sizeof(*cand)), ok;

	spread_rules(tr, idx, n, mask, d, cand, sc);
	ok = sink_split(tr, idx, n, cand, keep, nk, tail, nt);
	free(cand);
	return ok;
}

/*
 * Appends to c: jump to the tree of the rules that stay, then the rest.
 * While what stays still splits nothing without copying too much, its
 * own wide rules go in front of the tail (they may move to the end of
 * what stays, so before the rules that moved earlier): the widths of
 * a big list's rules are a continuum, and peeling them off one sink per
 * level would spend the kernel's depth (16 chains) on sinks.
 */
static void sink_into(struct tree *tr, struct ir_chain *c, const size_t *idx,
		      size_t n, unsigned mask, unsigned level, int d,
		      bool last)
{
	size_t *keep = xcalloc(n, sizeof(*keep)), *tail, *t2, *k2;
	size_t nk, nt, n2, nt2;
	struct split_score sc;
	struct dim_pick pick;
	bool have = false;

	tail = xcalloc(n, sizeof(*tail));
	if (!sink_spread(tr, idx, n, mask, d, keep, &nk, tail, &nt, &sc)) {
		free(keep);
		free(tail);
		/* Both parts are walked: copying is cheaper per packet. */
		if (sc.total <= REPL_STUCK * n && sc.total <= tr->budget) {
			tr->budget -= sc.total;
			res_rule(tr, c, split(tr, idx, n, mask, level + 1,
					      (enum opt_dim)d),
				 last ? IR_GOTO : IR_JUMP);
			return;
		}
		halve_into(tr, c, idx, n, mask, level, last);
		return;
	}
	tr->st->sinks++;
	k2 = xcalloc(n, sizeof(*k2));
	t2 = xcalloc(n, sizeof(*t2));
	while (nk > 2 * LEAF_MAX) {
		pick = (struct dim_pick){ .idx = keep, .n = nk,
					  .budget = tr->budget, .mask = mask };
		pick.d = best_dim(tr, keep, nk, mask, &pick.sc, &pick.bad);
		have = true;
		if (pick.d >= 0 || pick.bad < 0 ||
		    !sink_spread(tr, keep, nk, mask, pick.bad, k2, &n2, t2,
				 &nt2, &sc))
			break;
		have = false;
		tr->st->sinks++;
		memmove(tail + nt2, tail, nt * sizeof(*tail));
		memcpy(tail, t2, nt2 * sizeof(*tail));
		nt += nt2;
		memcpy(keep, k2, n2 * sizeof(*keep));
		nk = n2;
	}
	free(k2);
	free(t2);
	tr->pick = have ? &pick : NULL;
	seq_part(tr, c, keep, nk, mask, level, false);
	tr->pick = NULL;
	seq_part(tr, c, tail, nt, mask, level, last);
	free(keep);
	free(tail);
}

/*
 * A part of c's sequence (last: c ends with it, else c goes on after
 * it): a list that would itself be cut into parts has them appended to c
 * instead of a chain of its own, so a sequence costs one level of the
 * kernel's depth (16 chains), however many times its list was cut.
 */
static void seq_part(struct tree *tr, struct ir_chain *c, const size_t *idx,
		     size_t n, unsigned mask, unsigned level, bool last)
{
	struct res res = build_in(tr, idx, n, mask, level + 1, c, last);

	if (!res.appended)
		res_rule(tr, c, res, last ? IR_GOTO : IR_JUMP);
}

/* The dimension that leaves the fewest rules to copy, or -1. */
static int best_dim(struct tree *tr, const size_t *idx, size_t n,
		    unsigned mask, struct split_score *best, int *least_bad)
{
	int d, pick = -1;
	size_t bad_total = (size_t)-1;

	*least_bad = -1;

	for (d = 0; d < D_COUNT; d++) {
		struct split_score sc;

		if (mask & 1u << d)
			continue;
		memset(&sc, 0, sizeof(sc));
		sc.limit = REPL_MAX * n;
		if (tr->budget < sc.limit)
			sc.limit = tr->budget;
		group_sweep(tr, idx, n, mask, (enum opt_dim)d, false,
			    score_group, &sc);
		if (sc.groups < 2 && sc.largest >= n)
			continue;	/* splits nothing off */
		if (sc.total > sc.limit) {	/* copies too much */
			if (sc.total < bad_total) {
				bad_total = sc.total;
				*least_bad = d;
			}
			continue;
		}
		if (pick < 0 || sc.total < best->total ||
		    (sc.total == best->total && sc.largest < best->largest)) {
			pick = d;
			*best = sc;
		}
	}
	return pick;
}

/* Every rule of the list left out of leaves: the list decides nothing. */
static bool all_redundant(const struct tree *tr, const size_t *idx, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!tr->rules[idx[i]].redundant)
			return false;
	return true;
}

/*
 * seq: a sequence the list may append its parts to (level - 1 is its);
 * last: the sequence ends with them.
 */
static struct res build_new(struct tree *tr, const size_t *idx, size_t n,
			    unsigned mask, unsigned level, struct ir_chain *seq,
			    bool last)
{
	const struct opt_rule *first = &tr->rules[idx[0]];
	const struct dim_pick *pick = tr->pick;
	struct split_score sc = { 0, 0, 0, 0 };
	int d, bad;

	tr->pick = NULL;	/* for this list only, not for those below */
	if (tr->st->redundant && all_redundant(tr, idx, n))
		return (struct res){ .kind = IR_VERDICT_NONE };
	if (n == 1 && covers(tr, first, mask) &&
	    (first->ir->verdict.kind == IR_ACCEPT ||
	     first->ir->verdict.kind == IR_DROP))
		return (struct res){ .kind = first->ir->verdict.kind,
				     .rule = idx[0] };
	if (n <= LEAF_MAX || level >= LEVEL_MAX)
		return leaf(tr, idx, n, mask);
	if (pick && pick->idx == idx && pick->n == n && pick->mask == mask &&
	    pick->budget == tr->budget) {
		d = pick->d;
		bad = pick->bad;
		sc = pick->sc;
	} else {
		d = best_dim(tr, idx, n, mask, &sc, &bad);
	}
	if (d < 0 && n <= 2 * LEAF_MAX)
		return leaf(tr, idx, n, mask);
	if (d >= 0 && bad >= 0 && sc.largest * 10 >= n * SPLIT_IDLE)
		d = -1;		/* an idle split: as if none copied little */
	if (d < 0) {
		struct ir_chain *c = seq ? seq : node_chain(tr, idx, n, mask,
							     's');
		unsigned at = seq ? level - 1 : level;

		if (!seq)
			last = true;
		if (bad < 0)
			halve_into(tr, c, idx, n, mask, at, last);
		else
			sink_into(tr, c, idx, n, mask, at, bad, last);
		return seq ? (struct res){ .appended = true } :
			     (struct res){ .kind = IR_GOTO, .chain = c };
	}
	if (level + 1 > tr->st->depth)
		tr->st->depth = level + 1;
	tr->budget -= sc.total;
	return split(tr, idx, n, mask, level, (enum opt_dim)d);
}

static struct res build_in(struct tree *tr, const size_t *idx, size_t n,
			   unsigned mask, unsigned level, struct ir_chain *seq,
			   bool last)
{
	struct memo_ent *e;
	struct res res;
	uint64_t h;
	size_t i;

	for (i = 0; i < n; i++)
		if (covers(tr, &tr->rules[idx[i]], mask)) {
			n = i + 1;
			break;
		}
	if (!n || (tr->cap && load_of(tr->st) > tr->cap))
		return (struct res){ .kind = IR_VERDICT_NONE };
	h = list_hash(idx, n, mask);
	e = memo_find(tr, idx, n, mask, h);
	if (e)
		return e->res;
	res = build_new(tr, idx, n, mask, level, seq, last);
	if (!res.appended)	/* parts of a sequence are no chain to share */
		memo_put(tr, idx, n, mask, h, res);
	return res;
}

/*
 * A bucket for each rule, more than the nodes a tree over them builds:
 * 65,536 zeroed buckets (512 KB) a tree were 9% of the instructions of
 * compiling 1,000 rules.
 */
static void memo_new(struct tree *tr, size_t n)
{
	size_t buckets = MEMO_MIN;

	while (buckets < n && buckets < MEMO_MAX)
		buckets *= 2;
	tr->memo = xcalloc(buckets, sizeof(*tr->memo));
	tr->memo_mask = buckets - 1;
}

static void memo_free(struct tree *tr)
{
	size_t i;

	for (i = 0; i <= tr->memo_mask; i++) {
		struct memo_ent *e = tr->memo[i], *next;

		for (; e; e = next) {
			next = e->next;
			free(e->idx);
			free(e);
		}
	}
	free(tr->memo);
}

/* What a tree built so far, to compare two and keep one. */
struct attempt {
	struct opt_stats	st;
	unsigned		*copies, *elems;	/* per rule */
	struct ir_mark		to;	/* the table after it */
};

static void attempt_save(const struct tree *tr, size_t n, struct attempt *a)
{
	size_t i;

	a->st = *tr->st;
	a->copies = xcalloc(n + 1, sizeof(*a->copies));
	a->elems = xcalloc(n + 1, sizeof(*a->elems));
	for (i = 0; i < n; i++) {
		a->copies[i] = tr->rules[i].copies;
		a->elems[i] = tr->rules[i].elems;
	}
	a->to = ir_table_mark(tr->t);
}

static void attempt_restore(struct tree *tr, size_t n, const struct attempt *a)
{
	size_t i;

	*tr->st = a->st;
	for (i = 0; i < n; i++) {
		tr->rules[i].copies = a->copies[i];
		tr->rules[i].elems = a->elems[i];
	}
}

static void attempt_free(struct attempt *a)
{
	free(a->copies);
	free(a->elems);
}

/* A fresh start for another tree over the same rules. */
static void tree_reset(struct tree *tr, size_t n)
{
	memo_free(tr);
	memo_new(tr, n);
	free(tr->names);
	tr->names = NULL;
	tr->names_cap = tr->n_names = 0;
	tr->budget = BUDGET * n;
}

static struct ir_chain *root_of(struct tree *tr, struct res res)
{
	struct ir_chain *root = res.kind == IR_GOTO ? res.chain : NULL;

	if (res.kind == IR_ACCEPT || res.kind == IR_DROP) {
		/* One rule decides everything: a chain of that verdict. */
		root = node_chain(tr, &res.rule, 1, 0, 'v');
		res_rule(tr, root, res, IR_GOTO);
	}
	return root;
}

/* A box of at least 2^-WIDE_BITS of the family's packets is wide. */
#define WIDE_BITS	24

static bool wide(const struct tree *tr, const struct opt_rule *r)
{
	int bits = 0, d;

	for (d = 0; d < D_COUNT; d++) {
		const struct opt_ivs *iv = &r->dim[tr->fi][d];
		opt_val sum = 0;
		size_t i;

		for (i = 0; i < iv->n; i++)
			sum += iv->s[i].hi - iv->s[i].lo;
		bits += opt_val_bits(opt_dim_max((enum opt_dim)d, tr->fi)) -
			opt_val_bits(sum);
	}
	return bits <= WIDE_BITS;
}

/*
 * The copies of rule r in the one tree (one) beyond the first, as the
 * table was before it (base).
 */
static size_t extra_copies(const struct attempt *one,
			   const struct attempt *base, size_t r)
{
	unsigned c = one->copies[r] - base->copies[r];

	return c > 1 ? c - 1 : 0;
}

/*
 * The other tree for a big list: its wide rules that may move to the
 * end go there as a tree of their own, after the tree of the rest. Each
 * split copies a wide rule into most of its groups, so in the one tree
 * they can make most of the kernel's rules (acl1_10k: 40 rules made
 * 10,000 of 23,000); a packet that the rest does not decide pays one
 * more lookup. Returns how many move (0: none may, none stay, or their
 * copies in the one tree are less than want).
 */
static size_t wide_tail(struct tree *tr, const size_t *idx, size_t n,
			const struct attempt *one, const struct attempt *base,
			size_t want, size_t *keep, size_t *nk, size_t *tail)
{
	bool *cand = xcalloc(n + 1, sizeof(*cand));
	size_t i, nt = 0, extra = 0;

	for (i = 0; i < n; i++) {
		cand[i] = wide(tr, &tr->rules[idx[i]]);
		if (cand[i])
			extra += extra_copies(one, base, idx[i]);
	}
	/* Which may move costs up to SINK_CHECKS looks: not in vain. */
	if (extra >= want && sink_split(tr, idx, n, cand, keep, nk, tail,
					&nt)) {
		for (i = extra = 0; i < nt; i++)
			extra += extra_copies(one, base, tail[i]);
		if (extra < want)
			nt = 0;
	} else {
		nt = 0;
	}
	free(cand);
	return nt;
}

static struct ir_chain *build_wide(struct tree *tr, const size_t *idx,
				   size_t n, const size_t *keep, size_t nk,
				   const size_t *tail, size_t nt)
{
	struct ir_chain *root = node_chain(tr, idx, n, 0, 's');

	tr->st->sinks++;
	seq_part(tr, root, keep, nk, 0, 0, false);
	seq_part(tr, root, tail, nt, 0, 0, true);
	return root;
}

struct opt_wide opt_wide = { .try_pct = 25, .gain_pct = 60 };

/*
 * root: the one tree over idx[0..k) of rules[0..n). The wide tree is
 * built when the copies of the rules that would move are a big enough
 * share of it, and given up as soon as it cannot win. The one tree
 * leaves the table before the wide one is built, so that the two never
 * take memory at the same time (a fresh page costs more than building
 * here; acl1_10k: 25,000 leaf rules of the one tree against 11,000 of the
 * wide); when the wide tree loses, the one tree is built again, which
 * gives what it gave before (same rules, same state).
 *
 * Built on a second thread beside the one tree (a table, counts, scratch
 * and malloc arena of its own: with one arena both took twice as long),
 * the wide tree cut acl1_10k's optimizing from a median of 94 to 77 ms,
 * but fw1_10k's and gen10k's, whose wide tree that way is built in vain
 * (the one tree decides whether it is tried), rose from 75 to 85 and
 * from 66 to 76 ms: this machine runs a compile 35% slower while its
 * other CPU is busy, even with another process (gen10k's tree: 73 ms
 * alone, 99 beside another fwctl check). Not built (2026-12-07).
 */
static struct ir_chain *try_wide(struct tree *tr, const size_t *idx,
				 size_t k, size_t n,
				 const struct attempt *base,
				 struct ir_chain *root)
{
	size_t *keep = xcalloc(k + 1, sizeof(*keep)), *tail, nk, nt, load, cap;
	struct ir_chain *wide_root;
	struct ir_mark end;
	struct attempt one;

	tail = xcalloc(k + 1, sizeof(*tail));
	attempt_save(tr, n, &one);
	load = load_of(&one.st) - load_of(&base->st);
	nt = wide_tail(tr, idx, k, &one, base,
		       (load * opt_wide.try_pct + 99) / 100, keep, &nk, tail);
	if (nt) {
		ir_table_drop_range(tr->t, &base->to, &one.to);
		tree_reset(tr, n);
		attempt_restore(tr, n, base);
		cap = load_of(&base->st) + load * opt_wide.gain_pct / 100;
		tr->cap = cap;
		wide_root = build_wide(tr, idx, k, keep, nk, tail, nt);
		tr->cap = 0;
		if (load_of(tr->st) <= cap) {
			root = wide_root;
		} else {
			end = ir_table_mark(tr->t);
			ir_table_drop_range(tr->t, &base->to, &end);
			tree_reset(tr, n);
			attempt_restore(tr, n, base);
			root = root_of(tr, build(tr, idx, k, 0, 0));
		}
	}
	attempt_free(&one);
	free(keep);
	free(tail);
	return root;
}

struct ir_chain *opt_tree(struct ir_table *t, struct opt_rule *rules,
			  size_t n, int fi, enum ir_verdict_kind fall,
			  const char *prefix, struct opt_stats *st,
			  struct scratch *scr)
{
	struct tree tr = {
		.t = t, .rules = rules, .fi = fi, .prefix = prefix, .st = st,
		.scr = scr,
	};
	struct attempt base = { 0 };
	struct ir_chain *root;
	bool big;
	size_t *idx = xcalloc(n + 1, sizeof(*idx)), k = 0, i;
	size_t first = t->n_chains;

	for (i = 0; i < n; i++)
		if (rules[i].fams & (fi ? OPT_V6 : OPT_V4))
			idx[k++] = i;
	/*
	 * Not under an accept policy: the packets of an accept rule left out
	 * would walk on through the rest of their leaf and the later parts
	 * of a sequence, and accepted packets are the ones whose way counts
	 * (ClassBench sets here: 8-16% fewer packets/s). Dropped packets
	 * never matched an accept rule, so under a drop policy accepted
	 * traffic only gains.
	 */
	if (fall == IR_DROP)
		mark_redundant(&tr, idx, k, fall);
	memo_new(&tr, n);
	tr.budget = BUDGET * n;
	/* Only a big list may get the wide tree: only it needs a way back. */
	big = k > 4 * LEAF_MAX;
	if (big)
		attempt_save(&tr, n, &base);
	root = root_of(&tr, build(&tr, idx, k, 0, 0));
	if (big)
		root = try_wide(&tr, idx, k, n, &base, root);
	opt_tail_share(t, first, prefix, opt_fam_nfproto(fi), rules, st);
	attempt_free(&base);
	memo_free(&tr);
	free(idx);
	free(tr.names);
	return root;
}
