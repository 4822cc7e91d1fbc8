// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Packets that probe a table where a rewrite of its rules could go wrong:
 * at the values the rules compare, their ends and one beyond (prefix and
 * range edges), inside the box of one rule with the others' values around
 * it. The values come from the table itself (every match and set element,
 * named sets and verdict maps included), so any rule file works.
 */
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "opt.h"
#include "opt_gen.h"

typedef unsigned __int128 u128;

enum pool_kind { PK_IF, PK_V4, PK_V6, PK_PORT, PK_L4, PK_ICMP, PK_ICMP6,
		 PK_COUNT, PK_NONE = PK_COUNT };

static const enum pool_kind field_pool[IR_FIELD_COUNT] = {
	[IR_IIFNAME] = PK_IF, [IR_OIFNAME] = PK_IF, [IR_NFPROTO] = PK_NONE,
	[IR_L4PROTO] = PK_L4, [IR_IP_SADDR] = PK_V4, [IR_IP_DADDR] = PK_V4,
	[IR_IP6_SADDR] = PK_V6, [IR_IP6_DADDR] = PK_V6,
	[IR_TH_SPORT] = PK_PORT, [IR_TH_DPORT] = PK_PORT,
	[IR_CT_STATE] = PK_NONE, [IR_ICMP_TYPE] = PK_ICMP,
	[IR_ICMPV6_TYPE] = PK_ICMP6, [IR_CT_STATUS] = PK_NONE,
	[IR_FIB_DADDR_TYPE] = PK_NONE, [IR_CT_MARK] = PK_NONE,
	[IR_META_MARK] = PK_NONE,
};

struct points {
	uint8_t		(*v)[IR_VALUE_MAX];
	size_t		n;
};

/* A rule to aim at, the hook it is reached from and through which map. */
struct target {
	const struct ir_rule	*rule;
	enum ir_hook		hook;
	const struct ir_set	*via;	/* the iif map that leads there */
	const struct ir_chain	*chain;
};

struct opt_pool {
	struct points	pts[PK_COUNT];
	struct target	*targets;
	size_t		n_targets;
};

static void points_add(struct points *p, const uint8_t *v)
{
	if (!(p->n & (p->n + 1)) || !p->n) {
		p->v = realloc(p->v, 2 * (p->n + 1) * sizeof(*p->v));
		if (!p->v)
			abort();
	}
	memcpy(p->v[p->n++], v, IR_VALUE_MAX);
}

/* The value as the IR stores it: big endian, zero padded. */
static void store(u128 x, uint8_t *v, unsigned len)
{
	memset(v, 0, IR_VALUE_MAX);
	opt_val_store(x, v, len);
}

static u128 rand128(struct opt_rng *g)
{
	return (u128)opt_rand(g) << 64 | opt_rand(g);
}

static u128 value_max(unsigned len)
{
	return len == 16 ? ~(u128)0 : ((u128)1 << (len * 8)) - 1;
}

/* A name inside an interface interval: itself, or a wildcard's prefix
 * with something after it. */
static void ifname_inside(const struct ir_value *v, struct opt_rng *g,
			  uint8_t *out)
{
	size_t n;

	memcpy(out, v->lo, IR_VALUE_MAX);
	if (!memcmp(v->lo, v->hi, IR_VALUE_MAX))
		return;
	n = strnlen((const char *)out, IR_VALUE_MAX);
	if (n + 2 < IR_VALUE_MAX && opt_below(g, 3)) {
		out[n] = (uint8_t)('0' + opt_below(g, 10));
		if (opt_below(g, 3) == 0)
			out[n + 1] = 'x';
	}
}

static bool is_ifname(enum ir_field f)
{
	return f == IR_IIFNAME || f == IR_OIFNAME;
}

/* lo, hi or between them. */
static void value_inside(enum ir_field f, const struct ir_value *v,
			 struct opt_rng *g, uint8_t *out)
{
	unsigned len = ir_field_info[f].len, k = opt_below(g, 3);
	u128 lo, hi;

	if (is_ifname(f)) {
		ifname_inside(v, g, out);
		return;
	}
	lo = opt_val_load(v->lo, len);
	hi = opt_val_load(v->hi, len);
	if (k < 2) {
		store(k ? hi : lo, out, len);
		return;
	}
	if (hi - lo == value_max(len))
		store(rand128(g) & value_max(len), out, len);
	else
		store(lo + rand128(g) % (hi - lo + 1), out, len);
}

/* One beyond either end, where that exists. */
static void value_edge(const struct ir_value *v, unsigned len,
		       struct opt_rng *g, uint8_t *out)
{
	u128 lo = opt_val_load(v->lo, len), hi = opt_val_load(v->hi, len);

	if ((opt_below(g, 2) && lo > 0) || hi == value_max(len))
		store(lo ? lo - 1 : lo, out, len);
	else
		store(hi + 1, out, len);
}

static void pool_value(struct opt_pool *pl, enum ir_field f,
		       const struct ir_value *v, struct opt_rng *g)
{
	enum pool_kind k = field_pool[f];
	unsigned len = ir_field_info[f].len;
	uint8_t x[IR_VALUE_MAX];

	if (k == PK_NONE)
		return;
	if (k == PK_IF) {
		ifname_inside(v, g, x);
		points_add(&pl->pts[k], x);
		ifname_inside(v, g, x);
		points_add(&pl->pts[k], x);
		return;
	}
	points_add(&pl->pts[k], v->lo);
	points_add(&pl->pts[k], v->hi);
	value_inside(f, v, g, x);
	points_add(&pl->pts[k], x);
	value_edge(v, len, g, x);
	points_add(&pl->pts[k], x);
	value_edge(v, len, g, x);
	points_add(&pl->pts[k], x);
}

/* Address sets are typed saddr, port sets dport: pools serve both. */
static void pool_set(struct opt_pool *pl, const struct ir_set *s,
		     struct opt_rng *g)
{
	size_t i;

	for (i = 0; i < s->n_elems; i++)
		pool_value(pl, s->field, &s->elems[i].value, g);
}

/* Values every table meets: the common protocols, ports and names. */
static void pool_defaults(struct opt_pool *pl)
{
	static const struct { enum pool_kind k; uint32_t v; } nums[] = {
		{ PK_L4, IPPROTO_TCP }, { PK_L4, IPPROTO_UDP },
		{ PK_L4, IPPROTO_ICMP }, { PK_L4, IPPROTO_ICMPV6 },
		{ PK_L4, IPPROTO_GRE }, { PK_L4, IPPROTO_SCTP },
		{ PK_PORT, 0 }, { PK_PORT, 65535 }, { PK_ICMP, 8 },
		{ PK_ICMP6, 128 }, { PK_V4, 0x0a000001 }, { PK_V6, 0xfd },
	};
	static const unsigned lens[PK_COUNT] = {
		[PK_V4] = 4, [PK_V6] = 16, [PK_PORT] = 2, [PK_L4] = 1,
		[PK_ICMP] = 1, [PK_ICMP6] = 1,
	};
	static const char *const ifs[] = { "eth0", "eth1", "eth10", "lo",
					   "lan", "x" };
	uint8_t v[IR_VALUE_MAX];
	size_t i;

	for (i = 0; i < sizeof(nums) / sizeof(*nums); i++) {
		store(nums[i].v, v, lens[nums[i].k]);
		points_add(&pl->pts[nums[i].k], v);
	}
	for (i = 0; i < sizeof(ifs) / sizeof(*ifs); i++) {
		memset(v, 0, sizeof(v));
		memcpy(v, ifs[i], strlen(ifs[i]));
		points_add(&pl->pts[PK_IF], v);
	}
}

/* Sets are all in the table's list; here the values written inline. */
static void pool_rule(struct opt_pool *pl, const struct ir_rule *r,
		      struct opt_rng *g)
{
	size_t i;

	for (i = 0; i < r->n_matches; i++)
		if (!r->matches[i].set)
			pool_value(pl, r->matches[i].field,
				   &r->matches[i].value, g);
}

/* The base chain whose iif map sends packets to c, if any. */
static const struct ir_chain *entry_of(const struct ir_table *t,
				       const struct ir_chain *c,
				       const struct ir_set **via)
{
	size_t i, j, k;

	for (i = 0; i < t->n_chains; i++) {
		const struct ir_chain *b = t->chains[i];

		for (j = 0; b->hook != IR_HOOK_NONE && j < b->n_rules; j++) {
			const struct ir_verdict *v = &b->rules[j].verdict;

			if (v->kind != IR_VMAP || v->vmap_field != IR_IIFNAME)
				continue;
			for (k = 0; k < v->vmap->n_elems; k++)
				if (v->vmap->elems[k].verdict.chain &&
				    !strcmp(v->vmap->elems[k].verdict.chain,
					    c->name)) {
					*via = v->vmap;
					return b;
				}
		}
	}
	return NULL;
}

static void pool_targets(struct opt_pool *pl, const struct ir_table *t)
{
	size_t i, j;

	pl->targets = calloc(ir_table_rule_count(t) + 1,
			     sizeof(*pl->targets));
	if (!pl->targets)
		abort();
	for (i = 0; i < t->n_chains; i++) {
		const struct ir_chain *c = t->chains[i], *base = c;
		const struct ir_set *via = NULL;

		if (c->hook == IR_HOOK_NONE)
			base = entry_of(t, c, &via);
		if (!base || (base->hook != IR_HOOK_INPUT &&
			      base->hook != IR_HOOK_FORWARD) ||
		    base->type != IR_CHAIN_FILTER)
			continue;
		for (j = 0; j < c->n_rules; j++)
			if (c->rules[j].loc.file)
				pl->targets[pl->n_targets++] = (struct target){
					&c->rules[j], base->hook, via, c };
	}
}

struct opt_pool *opt_pool_new(const struct ir_table *t)
{
	struct opt_pool *pl = calloc(1, sizeof(*pl));
	struct opt_rng g;
	size_t i, j;

	if (!pl)
		abort();
	opt_rng_seed(&g, 1);
	pool_defaults(pl);
	for (i = 0; i < t->n_sets; i++)
		pool_set(pl, t->sets[i], &g);
	for (i = 0; i < t->n_chains; i++)
		for (j = 0; j < t->chains[i]->n_rules; j++)
			pool_rule(pl, &t->chains[i]->rules[j], &g);
	pool_targets(pl, t);
	return pl;
}

void opt_pool_free(struct opt_pool *pl)
{
	unsigned k;

	if (!pl)
		return;
	for (k = 0; k < PK_COUNT; k++)
		free(pl->pts[k].v);
	free(pl->targets);
	free(pl);
}

static const uint8_t *pick(const struct opt_pool *pl, enum pool_kind k,
			   struct opt_rng *g)
{
	const struct points *p = &pl->pts[k];

	return p->v[opt_below(g, (unsigned)p->n)];
}

static void pick_addr(const struct opt_pool *pl, struct opt_rng *g,
		      bool v4, uint8_t *out)
{
	unsigned len = v4 ? 4 : 16;

	if (opt_below(g, 10))
		memcpy(out, pick(pl, v4 ? PK_V4 : PK_V6, g), len);
	else
		store(rand128(g), out, len);
}

static uint16_t pick_port(const struct opt_pool *pl, struct opt_rng *g)
{
	return (uint16_t)opt_val_load(pick(pl, PK_PORT, g), 2);
}

static const uint32_t ct_states[] = { IR_CT_ESTABLISHED, IR_CT_RELATED,
				      IR_CT_INVALID, IR_CT_UNTRACKED };

/* A packet of values from the whole table, for a family and protocol. */
static void packet_base(const struct opt_pool *pl, struct opt_rng *g,
			struct ir_packet *p, enum ir_hook hook)
{
	bool v4 = p->nfproto == NFPROTO_IPV4;
	static const uint32_t fibs[] = { RTN_UNICAST, RTN_LOCAL,
					 RTN_BROADCAST, RTN_MULTICAST };

	pick_addr(pl, g, v4, p->saddr);
	pick_addr(pl, g, v4, p->daddr);
	memcpy(p->iifname, pick(pl, PK_IF, g), sizeof(p->iifname));
	if (hook == IR_HOOK_FORWARD)
		memcpy(p->oifname, pick(pl, PK_IF, g), sizeof(p->oifname));
	p->has_th = opt_below(g, 100) >= 8;
	p->sport = pick_port(pl, g);
	p->dport = pick_port(pl, g);
	p->icmp_type = *pick(pl, v4 ? PK_ICMP : PK_ICMP6, g);
	p->icmp_code = (uint8_t)opt_below(g, 4);
	p->icmp_csum = pick_port(pl, g);
	p->ct_state = opt_below(g, 100) < 88 ? IR_CT_NEW :
		      ct_states[opt_below(g, 4)];
	p->ct_status = opt_below(g, 20) ? 0 : IR_CT_STATUS_DNAT;
	p->meta_mark = opt_below(g, 20) ? 0 : opt_below(g, 4);
	p->ct_mark = opt_below(g, 20) ? 0 : opt_below(g, 4);
	p->fib_daddr_type = opt_below(g, 10) ? (hook == IR_HOOK_INPUT ?
			    RTN_LOCAL : RTN_UNICAST) : fibs[opt_below(g, 4)];
	p->over_limit = opt_below(g, 5) == 0;
	p->over_connlimit = opt_below(g, 10) == 0;
}

/* A value for match m: mostly one it accepts, else one at its edge. */
static void match_value(const struct ir_match *m, struct opt_rng *g,
			uint8_t *out)
{
	const struct ir_value *v = &m->value;

	if (m->set && m->set->n_elems)
		v = &m->set->elems[opt_below(g, (unsigned)m->set->n_elems)]
			.value;
	if (opt_below(g, 100) < 80 || is_ifname(m->field))
		value_inside(m->field, v, g, out);
	else
		value_edge(v, ir_field_info[m->field].len, g, out);
}

static void aim_match(const struct ir_match *m, struct opt_rng *g,
		      struct ir_packet *p)
{
	uint8_t x[IR_VALUE_MAX];

	if (m->field == IR_CT_STATE) {
		if (m->op == IR_EQ && (m->ct_mask & ~IR_CT_NEW))
			p->ct_state = m->ct_mask & -m->ct_mask;
		return;
	}
	if (field_pool[m->field] == PK_NONE || m->field == IR_L4PROTO ||
	    (m->op == IR_NE && opt_below(g, 2)))
		return;
	match_value(m, g, x);
	switch (m->field) {
	case IR_IIFNAME: memcpy(p->iifname, x, sizeof(p->iifname)); break;
	case IR_OIFNAME: memcpy(p->oifname, x, sizeof(p->oifname)); break;
	case IR_IP_SADDR: case IR_IP6_SADDR: memcpy(p->saddr, x, 16); break;
	case IR_IP_DADDR: case IR_IP6_DADDR: memcpy(p->daddr, x, 16); break;
	case IR_TH_SPORT: p->sport = (uint16_t)opt_val_load(x, 2); break;
	case IR_TH_DPORT: p->dport = (uint16_t)opt_val_load(x, 2); break;
	default: p->icmp_type = x[0]; break;
	}
}

/* The family and protocol a rule needs, else random ones. */
static void aim_proto(const struct ir_rule *r, struct opt_rng *g,
		      struct ir_packet *p)
{
	size_t i;
	uint8_t x[IR_VALUE_MAX];

	for (i = 0; r && i < r->n_matches; i++) {
		const struct ir_match *m = &r->matches[i];

		if (m->field == IR_IP_SADDR || m->field == IR_IP_DADDR ||
		    m->field == IR_ICMP_TYPE)
			p->nfproto = NFPROTO_IPV4;
		if (m->field == IR_IP6_SADDR || m->field == IR_IP6_DADDR ||
		    m->field == IR_ICMPV6_TYPE)
			p->nfproto = NFPROTO_IPV6;
		if (m->field == IR_NFPROTO && m->op == IR_EQ)
			p->nfproto = m->value.lo[0];
		if (m->field == IR_L4PROTO && m->op == IR_EQ &&
		    opt_below(g, 10)) {
			match_value(m, g, x);
			p->l4proto = x[0];
		}
	}
	if (p->l4proto == IPPROTO_ICMP && p->nfproto == NFPROTO_IPV6)
		p->l4proto = IPPROTO_ICMPV6;
	if (p->l4proto == IPPROTO_ICMPV6 && p->nfproto == NFPROTO_IPV4)
		p->l4proto = IPPROTO_ICMP;
}

void opt_packet(const struct opt_pool *pl, struct opt_rng *g,
		struct ir_packet *p, enum ir_hook *hook)
{
	const struct target *t = NULL;
	size_t i;

	if (pl->n_targets && opt_below(g, 10) < 8)
		t = &pl->targets[opt_below(g, (unsigned)pl->n_targets)];
	memset(p, 0, sizeof(*p));
	*hook = t ? t->hook : opt_below(g, 2) ? IR_HOOK_INPUT :
		IR_HOOK_FORWARD;
	p->nfproto = opt_below(g, 2) ? NFPROTO_IPV4 : NFPROTO_IPV6;
	p->l4proto = *pick(pl, PK_L4, g);
	aim_proto(t ? t->rule : NULL, g, p);
	packet_base(pl, g, p, *hook);
	if (!t)
		return;
	if (t->via && t->via->n_elems && opt_below(g, 10))
		ifname_inside(&t->via->elems[opt_below(g,
				(unsigned)t->via->n_elems)].value, g,
			      (uint8_t *)p->iifname);
	for (i = 0; i < t->rule->n_matches; i++)
		aim_match(&t->rule->matches[i], g, p);
}
