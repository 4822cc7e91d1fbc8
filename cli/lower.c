// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lowering: the checked model to the IR. Nothing is decided here that the
 * checker has not decided; this only lays the rules out the way the kernel
 * will run them. Each base chain starts with the built-in rules, then (for
 * input and forward) a verdict map that sends packets to the chain of the
 * zone their input interface belongs to, then the rules for packets from
 * no such zone. A rule becomes one IR rule per address family when its
 * addresses have both, and a default reject becomes a tcp reset for tcp
 * and an icmpx port-unreachable for the rest.
 */
/* netinet/in.h first: it keeps linux/in.h from defining the same. */
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"
#include "lower_internal.h"
#include "opt_lines.h"
#include "shape.h"
#include "xalloc.h"

/*
 * Where lowering puts a rule: a base chain, or the chain of one zone.
 * dispatched[z] says that zone z has a chain of its own in this base chain
 * (NULL: no dispatch at all, every rule stays as written).
 */
struct view {
	enum chain_id		chain;
	const struct m_zone	*zone;
	const bool		*dispatched;
};

/* What becomes of a rule's `from ZONE` in a view. */
enum from_use {
	FROM_MATCH,	/* as written */
	FROM_NETS,	/* the chain proves the interface; networks remain */
	FROM_NONE,	/* the chain proves the whole match */
	FROM_SKIP,	/* the rule cannot match here */
};

static enum from_use from_use(const struct m_rule *r, const struct view *v)
{
	const struct m_zone *z = r->from;

	if (!z || !v->dispatched || !z->ifs.n)
		return FROM_MATCH;
	if (v->zone == z)
		return r->from_neg ? FROM_SKIP : FROM_NETS;
	if (v->zone || v->dispatched[z->index])
		return r->from_neg ? FROM_NONE : FROM_SKIP;
	return FROM_MATCH;
}

static const enum ir_field addr_fields[2][2] = {
	{ IR_IP_SADDR, IR_IP_DADDR },
	{ IR_IP6_SADDR, IR_IP6_DADDR },
};

/* One match on the elements of l that belong to family fam. */
static void match_elems(struct lower *lw, struct ir_rule *ir,
			enum ir_field field, bool neg, const struct m_elems *l,
			uint8_t fam, struct fw_loc loc)
{
	struct ir_set tmp = { .field = field };
	struct ir_match *m;
	struct ir_set *s;
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct m_elem *e = &l->e[i];

		if (e->fam && !(e->fam & fam))
			continue;
		ir_set_add_elem(&tmp, &e->v, NULL);
		tmp.interval |= !ir_value_is_single(&e->v, IR_VALUE_MAX);
	}
	ir_set_normalize(&tmp);
	m = ir_match_add(ir, field, neg ? IR_NE : IR_EQ);
	if (tmp.n_elems == 1) {
		m->value = tmp.elems[0].value;
		free(tmp.elems);
		return;
	}
	s = ir_set_add(lw->t, NULL, field, loc);
	s->elems = tmp.elems;
	s->n_elems = tmp.n_elems;
	s->interval = tmp.interval;
	m->set = s;
}

static void match_operand(struct lower *lw, struct ir_rule *ir,
			  enum ir_field field, const struct m_operand *o,
			  uint8_t fam)
{
	struct ir_match *m;

	if (!o->present)
		return;
	if (!o->set) {
		match_elems(lw, ir, field, o->neg, &o->lit, fam, o->loc);
		return;
	}
	m = ir_match_add(ir, field, o->neg ? IR_NE : IR_EQ);
	m->set = lw->named[o->set->index][fam == FAM_V6];
}

/* Counting connections per source needs one set per address family. */
static bool has_addresses(const struct m_rule *r, enum from_use use)
{
	return r->op[OP_SADDR].present || r->op[OP_DADDR].present ||
	       r->conn_per_src ||
	       (r->to && r->to->nets.n) ||
	       (r->from && r->from->nets.n && use != FROM_NONE);
}

/* How one IR rule of a source rule differs from its siblings. */
struct variant {
	uint8_t			fam;		/* FAM_ANY: both in one rule */
	enum from_use		use;
	bool			tcp_only;	/* first half of a reject */
	enum ir_reject_kind	reject;
	uint8_t			reject_code;
};

static void match_l4proto(struct lower *lw, struct ir_rule *ir,
			  const struct m_rule *r, const struct variant *v)
{
	struct ir_match *m;

	if (!v->tcp_only) {
		match_operand(lw, ir, IR_L4PROTO, &r->op[OP_PROTO], FAM_ANY);
		return;
	}
	m = ir_match_add(ir, IR_L4PROTO, IR_EQ);
	m->value.lo[0] = m->value.hi[0] = IPPROTO_TCP;
}

static void match_zone(struct lower *lw, struct ir_rule *ir,
		       const struct m_elems *l, enum ir_field field, bool neg,
		       uint8_t fam, struct fw_loc loc)
{
	if (l->n)
		match_elems(lw, ir, field, neg, l, fam, loc);
}

static void match_fib_local(struct ir_rule *ir)
{
	struct ir_match *m = ir_match_add(ir, IR_FIB_DADDR_TYPE, IR_EQ);
	uint32_t local = RTN_LOCAL;

	memcpy(m->value.lo, &local, sizeof(local));
	memcpy(m->value.hi, &local, sizeof(local));
}

/* Protocols, interfaces, addresses, ports and ICMP types, then ct. */
static void rule_matches(struct lower *lw, struct ir_rule *ir,
			 const struct m_rule *r, const struct variant *v)
{
	const enum ir_field *addr = addr_fields[v->fam == FAM_V6];
	struct ir_match *m;

	if (v->fam != FAM_ANY && !has_addresses(r, v->use)) {
		m = ir_match_add(ir, IR_NFPROTO, IR_EQ);
		m->value.lo[0] = m->value.hi[0] =
			v->fam == FAM_V4 ? NFPROTO_IPV4 : NFPROTO_IPV6;
	}
	match_l4proto(lw, ir, r, v);
	if (r->from && v->use == FROM_MATCH)
		match_zone(lw, ir, &r->from->ifs, IR_IIFNAME, r->from_neg,
			   v->fam, r->loc);
	match_operand(lw, ir, IR_IIFNAME, &r->op[OP_IIF], v->fam);
	if (r->to)
		match_zone(lw, ir, &r->to->ifs, IR_OIFNAME, r->to_neg, v->fam,
			   r->loc);
	match_operand(lw, ir, IR_OIFNAME, &r->op[OP_OIF], v->fam);
	if (r->from && v->use != FROM_NONE)
		match_zone(lw, ir, &r->from->nets, addr[0], r->from_neg,
			   v->fam, r->loc);
	match_operand(lw, ir, addr[0], &r->op[OP_SADDR], v->fam);
	if (r->to)
		match_zone(lw, ir, &r->to->nets, addr[1], r->to_neg, v->fam,
			   r->loc);
	match_operand(lw, ir, addr[1], &r->op[OP_DADDR], v->fam);
	match_operand(lw, ir, IR_TH_SPORT, &r->op[OP_SPORT], v->fam);
	match_operand(lw, ir, IR_TH_DPORT, &r->op[OP_DPORT], v->fam);
	match_operand(lw, ir, IR_ICMP_TYPE, &r->op[OP_ICMP], v->fam);
	match_operand(lw, ir, IR_ICMPV6_TYPE, &r->op[OP_ICMPV6], v->fam);
	if (r->ct_mask) {
		m = ir_match_add(ir, IR_CT_STATE, IR_EQ);
		m->ct_mask = r->ct_mask;
	}
	if (r->ct_status) {
		m = ir_match_add(ir, IR_CT_STATUS, IR_EQ);
		m->ct_mask = r->ct_status;
	}
	if (r->fib_local)
		match_fib_local(ir);
}

static const char *const action_names[] = {
	[ACT_ACCEPT] = "accept", [ACT_DROP] = "drop", [ACT_REJECT] = "reject",
	[ACT_MASQUERADE] = "masquerade", [ACT_SNAT] = "snat",
	[ACT_DNAT] = "dnat", [ACT_REDIRECT] = "redirect",
	[ACT_NOTRACK] = "notrack", [ACT_HELPER] = "helper",
	[ACT_CT_TIMEOUT] = "ct-timeout",
};

/* NAT and conntrack rules go on to the next rule: no verdict. */
static const enum ir_verdict_kind action_verdicts[] = {
	[ACT_ACCEPT] = IR_ACCEPT,
	[ACT_DROP] = IR_DROP,
	[ACT_REJECT] = IR_REJECT,
};

static void rule_statements(struct lower *lw, struct ir_rule *ir,
			    const struct m_rule *r)
{
	char prefix[IR_LOG_PREFIX_MAX];

	ir->counter = r->counter;
	ir->has_limit = r->has_limit;
	if (r->has_limit)
		ir_rule_st_mut(ir)->limit = r->limit;
	ir->has_log = r->has_log;
	if (!r->has_log)
		return;		/* the prefix is for log statements only */
	if (r->log_prefix)
		snprintf(prefix, sizeof(prefix), "%s", r->log_prefix);
	else if (r->action >= ACT_FIRST_CT)
		snprintf(prefix, sizeof(prefix), "fwctl %s: ",
			 action_names[r->action]);
	else
		snprintf(prefix, sizeof(prefix), "fwctl %s %s: ",
			 chain_names[r->chain], action_names[r->action]);
	ir_rule_st_mut(ir)->log.prefix = ir_table_strdup(lw->t, prefix);
}

static void emit_variant(struct lower *lw, struct ir_chain *c,
			 const struct m_rule *r, const struct variant *v)
{
	struct ir_rule *ir = ir_rule_add(c, r->loc);

	ir->text = ir_table_strdup(lw->t, r->text);
	ir->comment = r->comment ? xstrdup(r->comment) : NULL;
	rule_statements(lw, ir, r);
	lower_rule_actions(lw, ir, r, v->fam);
	ir->verdict.kind = r->action < ACT_FIRST_CT ?
			   action_verdicts[r->action] : IR_VERDICT_NONE;
	ir->verdict.reject = v->reject;
	ir->verdict.reject_code = v->reject_code;
	rule_matches(lw, ir, r, v);
}

enum tcp_cover { TCP_ONLY, TCP_NONE, TCP_SOME };

static enum tcp_cover tcp_cover(const struct m_operand *proto)
{
	size_t i, tcp = 0;

	if (!proto->present)
		return TCP_SOME;
	for (i = 0; i < proto->lit.n; i++)
		tcp += proto->lit.e[i].v.lo[0] == IPPROTO_TCP;
	if (proto->neg)
		return tcp ? TCP_NONE : TCP_SOME;
	return tcp == proto->lit.n ? TCP_ONLY : tcp ? TCP_SOME : TCP_NONE;
}

/* A default reject answers tcp with a reset and the rest with icmpx. */
static void lower_family(struct lower *lw, struct ir_chain *c,
			 const struct m_rule *r, struct variant *v)
{
	enum tcp_cover cover = tcp_cover(&r->op[OP_PROTO]);

	v->reject = r->reject;
	v->reject_code = r->reject_code;
	if (r->action != ACT_REJECT || r->reject != IR_REJECT_DEFAULT) {
		emit_variant(lw, c, r, v);
		return;
	}
	if (cover != TCP_NONE) {
		v->reject = IR_REJECT_TCP_RESET;
		v->tcp_only = cover == TCP_SOME;
		emit_variant(lw, c, r, v);
		v->tcp_only = false;
	}
	if (cover != TCP_ONLY) {
		v->reject = IR_REJECT_ICMPX;
		v->reject_code = NFT_REJECT_ICMPX_PORT_UNREACH;
		emit_variant(lw, c, r, v);
	}
}

/*
 * Interface values are intervals (a name, or eth* as all names starting
 * with eth). inside: v lies within one interval of l; otherwise: v shares
 * at least one name with one.
 */
static bool ifname_meets(const struct ir_value *v, const struct m_elems *l,
			 bool inside)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct ir_value *z = &l->e[i].v;

		if (inside && memcmp(z->lo, v->lo, IR_VALUE_MAX) <= 0 &&
		    memcmp(v->hi, z->hi, IR_VALUE_MAX) <= 0)
			return true;
		if (!inside && memcmp(v->lo, z->hi, IR_VALUE_MAX) <= 0 &&
		    memcmp(z->lo, v->hi, IR_VALUE_MAX) <= 0)
			return true;
	}
	return false;
}

/* Could a packet that reached this view have arrived on interface v? */
static bool ifname_reaches(const struct lower *lw, const struct view *view,
			   const struct ir_value *v)
{
	size_t i;

	if (view->zone)
		return ifname_meets(v, &view->zone->ifs, false);
	/* Not dispatched: only names that no zone chain took can get here. */
	for (i = 0; i < lw->m->n_zones; i++)
		if (view->dispatched[i] &&
		    ifname_meets(v, &lw->m->zones[i]->ifs, true))
			return false;
	return true;
}

/*
 * Zone dispatch already decided the input interface: a rule whose `iif`
 * names only interfaces that cannot reach this chain (`iif lo` in the chain
 * of a LAN zone) would be dead weight on the packet path there.
 */
static bool iif_unreachable(const struct lower *lw, const struct m_rule *r,
			    const struct view *view)
{
	const struct m_operand *o = &r->op[OP_IIF];
	size_t i;

	if (!view->dispatched || !o->present || o->neg || o->set)
		return false;
	for (i = 0; i < o->lit.n; i++)
		if (ifname_reaches(lw, view, &o->lit.e[i].v))
			return false;
	return true;
}

static void lower_rule_view(struct lower *lw, struct ir_chain *c,
			    const struct m_rule *r, const struct view *view)
{
	struct variant v = { .use = from_use(r, view) };

	if (v.use == FROM_SKIP || iif_unreachable(lw, r, view))
		return;
	if (r->fams != FAM_ANY || !has_addresses(r, v.use)) {
		v.fam = r->fams;
		lower_family(lw, c, r, &v);
		return;
	}
	v.fam = FAM_V4;
	lower_family(lw, c, r, &v);
	v.fam = FAM_V6;
	lower_family(lw, c, r, &v);
}

/* Whether the view's chain takes rule r (ct rules are built in). */
static bool in_view(const struct m_rule *r, const struct view *view)
{
	return r->chain == view->chain && r->action < ACT_FIRST_CT;
}

/*
 * The stand-ins for skip's line i that go into c (in[k]: whether the
 * record's chain name k is c's): the rules its line made in c when the
 * last apply compiled it (opt_lines.h), in their order.
 */
static size_t lower_kept(struct lower *lw, struct ir_chain *c,
			 struct line_skip *skip, size_t i, const bool *in,
			 bool count)
{
	const struct opt_lines *old = skip->old;
	const struct line_info *li = &old->line[skip->from[i]];
	size_t k, n = 0;

	for (k = li->first; k < li->first + li->n; k++) {
		const struct line_rule *lr = &old->rules[k];
		struct ir_rule *r;

		if (!in[lr->chain])
			continue;
		n++;
		if (count)
			continue;
		r = ir_rule_add(c, (struct fw_loc){ lw->m->source,
						    skip->line[i], 1 });
		r->verdict.kind = IR_ACCEPT;
		r->keep = lr;
		skip->kept++;
	}
	return n;
}

/*
 * The rules of view's chain into c in the file's order, with the
 * stand-ins of lines left out (lw->t->skip) where those lines are.
 */
static void lower_rules(struct lower *lw, struct ir_chain *c,
			const struct view *view)
{
	struct line_skip *skip = lw->t->skip;
	size_t i, k, n = 0, n_skip = skip ? skip->n : 0;
	const struct m_rule *r;
	bool *in = NULL;

	if (skip) {
		in = xcalloc(skip->old->n_names + 1, sizeof(*in));
		for (k = 0; k < skip->old->n_names; k++)
			in[k] = !strcmp(skip->old->names[k], c->name);
	}
	/*
	 * Room for one IR rule each (most rules are one) up front: doubling
	 * to 16,384 for 10,000 rules made 5 MB that the optimizer's fit to
	 * size then copied into 3 MB, and the heap's peak 1.7 MB higher
	 * (fresh pages are dear on a virtual machine).
	 */
	for (i = 0; i < lw->m->n_rules; i++) {
		r = lw->m->rules[i];
		n += in_view(r, view) && from_use(r, view) != FROM_SKIP;
	}
	for (k = 0; k < n_skip; k++)
		n += lower_kept(lw, c, skip, k, in, true);
	ir_chain_reserve(c, c->n_rules + n);
	for (i = 0, k = 0; i < lw->m->n_rules; i++) {
		r = lw->m->rules[i];
		for (; k < n_skip && skip->line[k] < r->loc.line; k++)
			lower_kept(lw, c, skip, k, in, false);
		if (in_view(r, view))
			lower_rule_view(lw, c, r, view);
	}
	for (; k < n_skip; k++)
		lower_kept(lw, c, skip, k, in, false);
	free(in);
}

void lower_rule(struct lower *lw, struct ir_chain *c, const struct m_rule *r)
{
	struct view v = { CHAIN_COUNT, NULL, NULL };

	lower_rule_view(lw, c, r, &v);
}

/* Named sets keep their elements' families apart: NAME_v4 and NAME_v6. */
static struct ir_set *named_set(struct lower *lw, const struct m_set *s,
				const char *suffix, enum ir_field field,
				uint8_t fam)
{
	char name[IR_NAME_MAX];
	struct ir_set *is;
	size_t i;

	snprintf(name, sizeof(name), "%s%s", s->name, suffix);
	is = ir_set_add(lw->t, name, field, s->loc);
	is->interval = s->interval;
	is->timeout_ms = s->timeout_ms;
	for (i = 0; i < s->elems.n; i++)
		if (!s->elems.e[i].fam || (s->elems.e[i].fam & fam))
			ir_set_add_elem(is, &s->elems.e[i].v, NULL);
	ir_set_normalize(is);
	return is;
}

static void lower_sets(struct lower *lw)
{
	static const enum ir_field fields[] = {
		[SK_PORT] = IR_TH_DPORT, [SK_IFNAME] = IR_IIFNAME,
	};
	size_t i;

	for (i = 0; i < lw->m->n_sets; i++) {
		const struct m_set *s = lw->m->sets[i];

		if (s->kind == SK_DOMAIN)
			continue;
		if (s->kind != SK_ADDR) {
			lw->named[i][0] = lw->named[i][1] =
				named_set(lw, s, "", fields[s->kind], FAM_ANY);
			continue;
		}
		if (s->fams & FAM_V4)
			lw->named[i][0] = named_set(lw, s, "_v4", IR_IP_SADDR,
						    FAM_V4);
		if (s->fams & FAM_V6)
			lw->named[i][1] = named_set(lw, s, "_v6",
						    IR_IP6_SADDR, FAM_V6);
	}
}

struct ir_rule *lower_builtin(struct ir_chain *c, const char *why,
			      enum ir_verdict_kind verdict)
{
	struct ir_rule *r = ir_rule_add(c, (struct fw_loc){ NULL, 0, 0 });

	r->why = why;
	r->verdict.kind = verdict;
	return r;
}

/*
 * Stateful by default: rules describe new connections. Neighbour discovery
 * is not tracked, and IPv6 dies without it under policy drop.
 */
static void builtin_rules(struct lower *lw, struct ir_chain *c,
			  enum chain_id chain)
{
	static const uint8_t nd_types[] = {
		133, 134, 135, 136,	/* router, neighbour solicit/advert */
	};
	struct ir_value v = { .lo = { 0 } };
	struct ir_rule *r;
	struct ir_match *m;
	size_t i;

	if (lw->m->stateless[chain])
		goto stateless;
	r = lower_builtin(c, "stateful", IR_ACCEPT);
	r->counter = true;
	m = ir_match_add(r, IR_CT_STATE, IR_EQ);
	m->ct_mask = IR_CT_ESTABLISHED | IR_CT_RELATED;
	r = lower_builtin(c, "stateful", IR_DROP);
	r->counter = true;
	m = ir_match_add(r, IR_CT_STATE, IR_EQ);
	m->ct_mask = IR_CT_INVALID;
stateless:
	if (chain == CHAIN_FORWARD)
		return;
	r = lower_builtin(c, "ipv6-nd", IR_ACCEPT);
	m = ir_match_add(r, IR_L4PROTO, IR_EQ);
	m->value.lo[0] = m->value.hi[0] = IPPROTO_ICMPV6;
	m = ir_match_add(r, IR_ICMPV6_TYPE, IR_EQ);
	m->set = ir_set_add(lw->t, NULL, IR_ICMPV6_TYPE, r->loc);
	for (i = 0; i < sizeof(nd_types); i++) {
		v.lo[0] = v.hi[0] = nd_types[i];
		ir_set_add_elem(m->set, &v, NULL);
	}
}

/* A base chain and the zones that have chains of their own in it. */
struct base {
	enum chain_id		chain;
	struct ir_chain		*ir;
	bool			dispatch;	/* some zone has a chain */
	bool			*dispatched;	/* per zone */
	struct ir_chain		**zone_chain;	/* per zone, if dispatched */
};

/* Zones with interfaces used in a positive `from` get their own chain. */
static void base_dispatch(const struct model *m, struct base *b)
{
	size_t i;

	if (b->chain == CHAIN_OUTPUT)
		return;
	for (i = 0; i < m->n_rules; i++) {
		const struct m_rule *r = m->rules[i];

		if (r->chain == b->chain && r->action < ACT_FIRST_CT &&
		    r->from && !r->from_neg && r->from->ifs.n)
			b->dispatch = b->dispatched[r->from->index] = true;
	}
}

static void dispatch_rule(struct lower *lw, const struct base *b)
{
	struct ir_rule *r = lower_builtin(b->ir, "zone-dispatch", IR_VMAP);
	struct ir_set *s = ir_set_add(lw->t, NULL, IR_IIFNAME, r->loc);
	struct ir_verdict v = { .kind = IR_GOTO };
	size_t i, j;

	s->is_vmap = true;
	for (i = 0; i < lw->m->n_zones; i++) {
		const struct m_elems *ifs = &lw->m->zones[i]->ifs;

		if (!b->dispatched[i])
			continue;
		v.chain = b->zone_chain[i]->name;
		for (j = 0; j < ifs->n; j++) {
			ir_set_add_elem(s, &ifs->e[j].v, &v);
			/* For warnings about missing interfaces. */
			if (ifs->e[j].src)
				s->elems[s->n_elems - 1].loc =
					ifs->e[j].src->loc;
			s->interval |= !ir_value_is_single(&ifs->e[j].v,
							   IR_VALUE_MAX);
		}
	}
	ir_set_normalize(s);
	r->verdict.vmap_field = IR_IIFNAME;
	r->verdict.vmap = s;
}

static void base_fill(struct lower *lw, const struct base *b)
{
	struct view v = { b->chain, NULL, b->dispatch ? b->dispatched : NULL };
	size_t i;

	builtin_rules(lw, b->ir, b->chain);
	if (b->chain == CHAIN_FORWARD)
		lower_pass_rules(lw, b->ir);
	if (b->dispatch)
		dispatch_rule(lw, b);
	lower_rules(lw, b->ir, &v);
	for (i = 0; i < lw->m->n_zones; i++) {
		if (!b->dispatched[i])
			continue;
		v.zone = lw->m->zones[i];
		lower_rules(lw, b->zone_chain[i], &v);
	}
}

static const enum ir_hook hooks[CHAIN_COUNT] = {
	[CHAIN_INPUT] = IR_HOOK_INPUT,
	[CHAIN_FORWARD] = IR_HOOK_FORWARD,
	[CHAIN_OUTPUT] = IR_HOOK_OUTPUT,
};

/* Regular chains first, then the base chains that jump to them. */
static void lower_chains(struct lower *lw, struct base *bases)
{
	const struct model *m = lw->m;
	char name[IR_NAME_MAX];
	unsigned c;
	size_t i;

	for (c = 0; c < CHAIN_COUNT; c++) {
		for (i = 0; i < m->n_zones; i++) {
			if (!bases[c].dispatched[i])
				continue;
			snprintf(name, sizeof(name), "%s_%s", chain_names[c],
				 m->zones[i]->name);
			bases[c].zone_chain[i] = ir_chain_add(lw->t, name,
							      IR_HOOK_NONE);
		}
	}
	for (c = 0; c < CHAIN_COUNT; c++) {
		bases[c].ir = ir_chain_add(lw->t, chain_names[c], hooks[c]);
		bases[c].ir->policy_drop = m->policy_drop[c];
		bases[c].ir->policy_loc = m->policy_loc[c];
	}
	for (c = 0; c < CHAIN_COUNT; c++)
		base_fill(lw, &bases[c]);
}

struct ir_table *lower_model(const struct model *m)
{
	struct lower lw = { .m = m, .t = ir_table_new(m->source) };
	struct base bases[CHAIN_COUNT];
	unsigned c;

	lw.t->skip = m->skip;
	lw.named = xcalloc(m->n_sets, sizeof(*lw.named));
	lower_sets(&lw);
	for (c = 0; c < CHAIN_COUNT; c++) {
		bases[c] = (struct base){ .chain = (enum chain_id)c };
		bases[c].dispatched = xcalloc(m->n_zones, sizeof(bool));
		bases[c].zone_chain = xcalloc(m->n_zones,
					      sizeof(struct ir_chain *));
		base_dispatch(m, &bases[c]);
	}
	lower_chains(&lw, bases);
	lower_ct_chains(&lw);
	lower_inspect(&lw);
	lower_shapes(&lw);
	for (c = 0; c < CHAIN_COUNT; c++) {
		free(bases[c].dispatched);
		free(bases[c].zone_chain);
	}
	free(lw.named);
	return lw.t;
}
