// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A flow cache in front of a decision tree. Where every rule of a list
 * looks only at the family, the addresses, the protocol and the ports,
 * the list's verdict is a function of the packet's flow (saddr, daddr,
 * l4proto, sport, dport). The first packet of a flow walks the tree, which
 * writes the outcome into a set keyed by the flow; the flow's next packets
 * find it there in one hash lookup instead of the tree's several (about
 * 250 ns a packet against the 750-2,800 ns of the 10k-rule ClassBench
 * trees, tests/bench/classify). Per family, in place of the tree's root:
 *
 *   chain P_cw:  NFPROTO @P_gon FLOW vmap @P_gm
 *                                          (empty but for a change that
 *                                           is elements, opt_guard.c)
 *                FLOW @P_fa_H accept
 *                FLOW @P_fd_H drop
 *                FLOW @P_fn_H return       (the tree had no verdict)
 *                jump ROOT
 *                TCP_UDP add @P_fn_H { FLOW }
 *   chain P_ca:  TCP_UDP add @P_fa_H { FLOW }   the tree's accepts
 *                accept
 *   chain P_cd:  TCP_UDP add @P_fd_H { FLOW }   ... and its drops
 *                drop
 *
 * TCP_UDP is "meta l4proto { tcp, udp }": only their flows are cached. An
 * ICMP header's first four bytes, where the key's ports are, hold its
 * checksum, new in each echo request: a ping would add a flow per packet
 * and fill the set with keys no packet meets again.
 *
 * The add and the verdict are two rules: an add that fails (the set is
 * full, or a key field is missing: a fragment without ports, IPv6 without
 * a transport header) ends only its rule. Such packets miss the lookups
 * too and take the tree every time, as they would without the cache.
 * Rejects are not cached: they answer, and stay in the tree.
 *
 * H hashes the list's rules and what follows the list (the tree depends on
 * both): any change that rebuilds the tree names new sets, which start
 * empty in the batch that changes it, so a cache never answers for other
 * rules; a change that is map elements keeps the tree and the sets, and
 * the map in front answers for every flow it concerns. The chains'
 * names stay (P is the tree's prefix): the tree's leaves that go to them
 * stay as they are, and a one-rule change sends only the leaves it
 * changes and the 7 rules of the cache.
 *
 * Not cached: lists that match anything else (interfaces, ICMP types, ct
 * state, marks) or a named set (nft may change its elements between two
 * applies, the cache would not know); rules that do more than decide (counters and
 * logs would see only first packets); chains with a ct state match (the
 * built-in "ct state established accept" already spares all but a
 * connection's first packets the tree); and short lists, whose tree costs
 * less than the lookups.
 */
#include <netinet/in.h>
#include <stdio.h>

#include "opt.h"
#include "opt_lines.h"

#define FLOW_MIN	256		/* rules in a list, at least */
/*
 * Then a flow walks the tree again (the add does not refresh an entry).
 * Short, because a set that is full takes no new flow until entries
 * expire: a set of EMIT_FLOW_SIZE flows kept 5 s (and up to 1 s more
 * until the kernel's set GC frees them) holds every flow of up to about
 * 11,000 new ones a second, where 60 s would hold only 1,000 a second,
 * and the sets empty within 6 s after a flood of one-packet flows. A flow
 * busy enough to gain from the cache pays one walk every 5 s.
 */
#define FLOW_TIMEOUT_MS	5000

static bool field_cached(enum ir_field f)
{
	switch (f) {
	case IR_NFPROTO:
	case IR_L4PROTO:
	case IR_IP_SADDR:
	case IR_IP_DADDR:
	case IR_IP6_SADDR:
	case IR_IP6_DADDR:
	case IR_TH_SPORT:
	case IR_TH_DPORT:
		return true;
	default:
		return false;
	}
}

bool opt_rule_cached(const struct ir_rule *r)
{
	size_t i;

	if (r->keep)	/* a stand-in for a line left out */
		return r->keep->flags & LR_CACHED;
	if (r->verdict.kind != IR_ACCEPT && r->verdict.kind != IR_DROP &&
	    r->verdict.kind != IR_REJECT)
		return false;
	if (r->has_limit || r->has_log || r->counter || r->has_connlimit ||
	    ir_rule_changes_packet(r) || r->flow_add)
		return false;
	for (i = 0; i < r->n_matches; i++) {
		const struct ir_match *m = &r->matches[i];

		if (!field_cached(m->field) || m->mark_mask ||
		    (m->set && !m->set->anonymous))
			return false;
	}
	return true;
}

bool opt_flow_chain_tracks(const struct ir_chain *c)
{
	size_t i, j;

	for (i = 0; i < c->n_rules; i++) {
		if (c->rules[i].keep && (c->rules[i].keep->flags & LR_TRACKS))
			return true;
		for (j = 0; j < c->rules[i].n_matches; j++)
			if (c->rules[i].matches[j].field == IR_CT_STATE)
				return true;
	}
	return false;
}

uint64_t opt_flow_hash(const struct opt_rule *rules, size_t n,
		       enum ir_verdict_kind fall)
{
	uint64_t h = opt_mix(fall);
	size_t i;

	for (i = 0; i < n; i++)
		h = opt_mix(h ^ rules[i].key);
	return h;
}

uint64_t opt_flow_hash_keys(const uint64_t *keys, size_t n,
			    enum ir_verdict_kind fall)
{
	uint64_t h = opt_mix(fall);
	size_t i;

	for (i = 0; i < n; i++)
		h = opt_mix(h ^ keys[i]);
	return h;
}

bool opt_flow_cacheable(const struct opt_rule *rules, size_t n)
{
	size_t i;

	if (n < FLOW_MIN)
		return false;
	for (i = 0; i < n; i++)
		if (!opt_rule_cached(rules[i].ir))
			return false;
	return true;
}

/* Set P_what_H: named by the list's hash, new with every change of it. */
static struct ir_set *flow_set(struct ir_table *t, const char *prefix,
			       const char *what, uint64_t hash, uint8_t nfproto)
{
	static const struct fw_loc none;
	char name[IR_NAME_MAX];
	struct ir_set *s;

	snprintf(name, sizeof(name), "%s_%s_%012llx", prefix, what,
		 (unsigned long long)(hash & 0xffffffffffffull));
	s = ir_set_add(t, name, nfproto == NFPROTO_IPV6 ? IR_IP6_SADDR :
							  IR_IP_SADDR, none);
	s->flow = nfproto;
	s->dynamic = true;
	s->timeout_ms = FLOW_TIMEOUT_MS;
	return s;
}

/* Chain P_what: the same name across changes of the list. */
static struct ir_chain *flow_chain(struct ir_table *t, const char *prefix,
				   const char *what, uint8_t nfproto)
{
	char name[IR_NAME_MAX];
	struct ir_chain *c;

	snprintf(name, sizeof(name), "%s_%s", prefix, what);
	c = ir_chain_add(t, name, IR_HOOK_NONE);
	c->nfproto = nfproto;
	return c;
}

/* TCP_UDP add @s { FLOW }, in c. */
static void flow_add_rule(struct ir_table *t, struct ir_chain *c,
			  struct ir_set *s)
{
	static const struct fw_loc none;
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	struct ir_rule *r = ir_rule_add(c, none);
	struct ir_value v = { 0 };
	struct ir_match *m;
	size_t i;

	r->why = "flow cache";
	r->flow_add = s;
	m = ir_match_add(r, IR_L4PROTO, IR_EQ);
	m->set = ir_set_add(t, NULL, IR_L4PROTO, none);
	for (i = 0; i < sizeof(protos); i++) {
		v.lo[0] = v.hi[0] = protos[i];
		ir_set_add_elem(m->set, &v, NULL);
	}
}

static struct ir_rule *flow_rule(struct ir_chain *c, struct ir_set *lookup,
				 enum ir_verdict_kind kind)
{
	static const struct fw_loc none;
	struct ir_rule *r = ir_rule_add(c, none);

	r->why = "flow cache";
	r->verdict.kind = kind;
	if (lookup)
		ir_match_add(r, lookup->field, IR_EQ)->set = lookup;
	return r;
}

/* chain to: add the flow to s, then decide kind. */
static struct ir_chain *flow_decide(struct ir_table *t, const char *prefix,
				    const char *what, struct ir_set *s,
				    enum ir_verdict_kind kind)
{
	struct ir_chain *c = flow_chain(t, prefix, what, s->flow);

	flow_add_rule(t, c, s);
	flow_rule(c, NULL, kind);
	return c;
}

static void verdict_to(struct ir_verdict *v, const struct ir_chain *acc,
		       const struct ir_chain *drop)
{
	const struct ir_chain *to = v->kind == IR_ACCEPT ? acc :
				    v->kind == IR_DROP ? drop : NULL;

	if (!to)
		return;
	v->kind = IR_GOTO;
	v->chain = to->name;
}

/* The tree's accepts and drops, in rules and map elements, go via acc and
 * drop; chains[first..last) are the tree's. */
static void tree_redirect(struct ir_table *t, size_t first, size_t last,
			  const struct ir_chain *acc,
			  const struct ir_chain *drop)
{
	size_t i, j, k;

	for (i = first; i < last; i++) {
		struct ir_chain *c = t->chains[i];

		if (c->nfproto != acc->nfproto)
			continue;	/* the other family's tree */
		for (j = 0; j < c->n_rules; j++) {
			struct ir_verdict *v = &c->rules[j].verdict;

			if (v->kind != IR_VMAP) {
				verdict_to(v, acc, drop);
				continue;
			}
			for (k = 0; k < v->vmap->n_elems; k++)
				verdict_to(&v->vmap->elems[k].verdict, acc,
					   drop);
		}
	}
}

/* Map P_gm: the same name across changes, as its rule in P_cw. */
static struct ir_set *guard_map(struct ir_table *t, const char *prefix,
				uint8_t nfproto, struct ir_flow_elem **boxes,
				size_t n_boxes)
{
	static const struct fw_loc none;
	char name[IR_NAME_MAX];
	struct ir_set *s;

	snprintf(name, sizeof(name), "%s_gm", prefix);
	s = ir_set_add(t, name, nfproto == NFPROTO_IPV6 ? IR_IP6_SADDR :
							  IR_IP_SADDR, none);
	s->flow = nfproto;
	s->interval = true;
	s->is_vmap = true;
	if (boxes) {
		s->boxes = *boxes;
		s->n_boxes = n_boxes;
		*boxes = NULL;
	}
	return s;
}

/*
 * Set P_gon, the map's switch (the same name across changes): the family
 * while the map has elements, else empty. Its lookup (a bitmap: one byte
 * of key) fails before the flow key is read, so every packet that the
 * cache answers skips the empty map's: 5 loads and an interval lookup,
 * 4-9% of the CPU time nf_tables took per packet of gen10k's cached
 * flows (nf_hook_slow's share of the receive path, perf in
 * tests/bench/classify's topology, two runs of 3-4 rounds; most of the
 * rest is the cache's own hash lookup). A change that fills the map adds
 * the element: an element too, which the kernel does not validate
 * (opt_guard.c says why that matters).
 */
static struct ir_set *guard_switch(struct ir_table *t, const char *prefix,
				   uint8_t nfproto, bool on)
{
	static const struct fw_loc none;
	char name[IR_NAME_MAX];
	struct ir_value v = { 0 };
	struct ir_set *s;

	snprintf(name, sizeof(name), "%s_gon", prefix);
	s = ir_set_add(t, name, IR_NFPROTO, none);
	v.lo[0] = v.hi[0] = nfproto;
	if (on)
		ir_set_add_elem(s, &v, NULL);
	return s;
}

/* Chain P_cw with the map's rule, behind its switch. */
static struct ir_chain *guard_chain(struct ir_table *t, const char *prefix,
				    uint8_t fam, struct ir_flow_elem **boxes,
				    size_t n_boxes)
{
	struct ir_set *on = guard_switch(t, prefix, fam, boxes && n_boxes),
		      *map = guard_map(t, prefix, fam, boxes, n_boxes);
	struct ir_chain *w = flow_chain(t, prefix, "cw", fam);
	struct ir_rule *r = flow_rule(w, on, IR_VMAP);

	r->verdict.vmap = map;
	r->verdict.vmap_field = map->field;
	return w;
}

static struct ir_chain *flow_cache(struct ir_table *t, const char *root,
				   uint8_t fam, size_t first,
				   const char *prefix, uint64_t hash,
				   struct ir_flow_elem **boxes, size_t n_boxes)
{
	struct ir_set *acc = flow_set(t, prefix, "fa", hash, fam),
		      *drop = flow_set(t, prefix, "fd", hash, fam),
		      *none = flow_set(t, prefix, "fn", hash, fam);
	size_t last = t->n_chains;
	struct ir_chain *w, *ca, *cd;

	ca = flow_decide(t, prefix, "ca", acc, IR_ACCEPT);
	cd = flow_decide(t, prefix, "cd", drop, IR_DROP);
	tree_redirect(t, first, last, ca, cd);
	/*
	 * The map before the cache: a flow the cache holds from before a
	 * change that put it in a box is never looked up again, so a change
	 * need not empty the cache (opt_guard.c).
	 */
	w = guard_chain(t, prefix, fam, boxes, n_boxes);
	flow_rule(w, acc, IR_ACCEPT);
	flow_rule(w, drop, IR_DROP);
	flow_rule(w, none, IR_RETURN);
	flow_rule(w, NULL, IR_JUMP)->verdict.chain = ir_table_strdup(t, root);
	flow_add_rule(t, w, none);
	return w;
}

/*
 * A tree without a cache (its chain tracks connections, or its rules
 * match more than flows) gets the map too, so that a change of its flow
 * rules is elements as well (opt_guard.c). Its packets pay the switch's
 * bitmap lookup and a goto: in perf, gen10k's tree made uncacheable by an
 * ICMP rule took no nf_tables time more that the runs could tell apart
 * (the lookup: 0.05-0.07% of the samples).
 */
static struct ir_chain *guard_front(struct ir_table *t, const char *root,
				    uint8_t fam, const char *prefix,
				    struct ir_flow_elem **boxes,
				    size_t n_boxes)
{
	struct ir_chain *w = guard_chain(t, prefix, fam, boxes, n_boxes);
	struct ir_rule *go = flow_rule(w, NULL, IR_GOTO);

	w->rules[0].why = go->why = "changes in front";
	go->verdict.chain = ir_table_strdup(t, root);
	return w;
}

struct ir_chain *opt_front(struct ir_table *t, const char *root, uint8_t fam,
			   size_t first, const char *prefix, uint64_t hash,
			   bool cache, struct ir_flow_elem **boxes,
			   size_t n_boxes)
{
	return cache ? flow_cache(t, root, fam, first, prefix, hash, boxes,
				  n_boxes)
		     : guard_front(t, root, fam, prefix, boxes, n_boxes);
}
