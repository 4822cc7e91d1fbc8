// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Rules: every part resolved and typed; then the L4 protocols the rule
 * needs (ports without a protocol mean tcp and udp, an icmp type means
 * icmp, tcp-reset means tcp) and the address families it can match.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "diag.h"
#include "xalloc.h"

#define NO_SETS (-1)

static const struct operand_kind {
	enum ast_part	part;
	enum m_op	op;
	value_fn	fn;
	int		set_kind;
} operand_kinds[] = {
	{ R_SRC,	OP_SADDR,	value_addr,		SK_ADDR },
	{ R_DST,	OP_DADDR,	value_addr,		SK_ADDR },
	{ R_SPORT,	OP_SPORT,	value_port,		SK_PORT },
	{ R_DPORT,	OP_DPORT,	value_port,		SK_PORT },
	{ R_IIF,	OP_IIF,		value_ifname,		SK_IFNAME },
	{ R_OIF,	OP_OIF,		value_ifname,		SK_IFNAME },
	{ R_PROTO,	OP_PROTO,	value_proto,		NO_SETS },
	{ R_ICMP,	OP_ICMP,	value_icmp_type,	NO_SETS },
	{ R_ICMPV6,	OP_ICMPV6,	value_icmpv6_type,	NO_SETS },
};

#define N_OPERAND_KINDS (sizeof(operand_kinds) / sizeof(operand_kinds[0]))

static const struct operand_kind *operand_kind(enum ast_part part)
{
	size_t i;

	for (i = 0; i < N_OPERAND_KINDS; i++)
		if (operand_kinds[i].part == part)
			return &operand_kinds[i];
	abort();
}

static int resolve_setref(struct checker *c, const struct xvalue *x,
			  const struct operand_kind *k, struct m_operand *o)
{
	const struct symbol *sym;
	const struct m_set *s;

	if (k->set_kind == NO_SETS) {
		check_error(x, "a set cannot be used with %s",
			    ast_part_names[k->part]);
		return -1;
	}
	sym = symtab_find(&c->sets, x->v->text);
	if (!sym) {
		check_unknown(&c->sets, x);
		return -1;
	}
	s = sym->obj;
	if (!s)
		return -1;
	if (s->kind == SK_DOMAIN) {
		check_error(x, "set @%s holds domain names: those match only "
			    "after sni, host or dns in an inspect rule",
			    s->name);
		return -1;
	}
	if ((int)s->kind != k->set_kind) {
		check_error(x, "set @%s holds %s, not %s", s->name,
			    set_kind_names[s->kind],
			    set_kind_names[k->set_kind]);
		return -1;
	}
	o->set = s;
	return 0;
}

static int operand_values(struct checker *c, const struct xlist *xl,
			  const struct operand_kind *k, struct m_operand *o)
{
	if (!xl->n) {
		diag_error(o->loc, o->width, "empty list");
		return -1;
	}
	if (xl->n == 1 && xl->x[0].v->kind == AV_SETREF)
		return resolve_setref(c, &xl->x[0], k, o);
	return value_list(xl, k->fn, &o->lit);
}

static void operand_init(const struct ast_operand *ao, struct m_operand *o)
{
	o->present = true;
	o->neg = ao->neg;
	o->loc = ao->list.loc;
	o->width = ao->list.width;
}

/* proto any is no protocol match at all; it stands alone. */
static bool proto_any(const struct xlist *xl, const struct ast_operand *ao,
		      int *err)
{
	size_t i;

	*err = 0;
	for (i = 0; i < xl->n; i++) {
		if (xl->x[i].v->kind != AV_IDENT ||
		    strcmp(xl->x[i].v->text, "any"))
			continue;
		if (xl->n > 1)
			check_error(&xl->x[i], "'any' stands alone, not in a "
				    "list");
		else if (ao->neg)
			check_error(&xl->x[i], "'any' cannot be negated");
		else
			return true;
		*err = -1;
		return true;
	}
	return false;
}

static int resolve_operand(struct checker *c, const struct ast_rule *ar,
			   const struct operand_kind *k, struct m_rule *r)
{
	const struct ast_operand *ao = &ar->op[k->part];
	struct m_operand *o = &r->op[k->op];
	struct xlist xl;
	int err;

	if (macro_expand(c, &ao->list, &xl) < 0)
		return -1;
	if (k->op == OP_PROTO && proto_any(&xl, ao, &err)) {
		free(xl.x);
		return err;
	}
	operand_init(ao, o);
	err = operand_values(c, &xl, k, o);
	free(xl.x);
	return err;
}

static int resolve_ct(struct checker *c, const struct ast_rule *ar,
		      struct m_rule *r)
{
	static const struct operand_kind ct = { R_CT, OP_COUNT,
						value_ct_state, NO_SETS };
	struct m_operand o = { 0 };
	struct xlist xl;
	uint32_t bit;
	size_t i;
	int err;

	if (macro_expand(c, &ar->op[R_CT].list, &xl) < 0)
		return -1;
	operand_init(&ar->op[R_CT], &o);
	err = operand_values(c, &xl, &ct, &o);
	for (i = 0; !err && i < o.lit.n; i++) {
		memcpy(&bit, o.lit.e[i].v.lo, sizeof(bit));
		r->ct_mask |= bit;
	}
	m_elems_free(&o.lit);
	free(xl.x);
	return err;
}

static int resolve_zone(struct checker *c, const struct ast_rule *ar,
			const struct xvalue *x, struct m_rule *r,
			enum ast_part part)
{
	const struct symbol *sym = symtab_find(&c->zones, x->v->text);
	const struct m_zone *z;
	bool neg = ar->op[part].neg;

	if (!sym) {
		check_unknown(&c->zones, x);
		return -1;
	}
	z = sym->obj;
	if (!z)
		return -1;
	if (part == R_FROM && r->chain == CHAIN_OUTPUT) {
		check_error(x, "zone '%s' cannot be a source in the output "
			    "chain: output is traffic from the firewall "
			    "itself", z->name);
		return -1;
	}
	if (part == R_TO && r->chain == CHAIN_INPUT) {
		check_error(x, "zone '%s' cannot be a destination in the input "
			    "chain: input is traffic to the firewall itself",
			    z->name);
		return -1;
	}
	if (neg && z->ifs.n && z->nets.n) {
		check_error(x, "cannot negate zone '%s': it has both "
			    "interfaces and networks", z->name);
		return -1;
	}
	*(part == R_FROM ? &r->from : &r->to) = z;
	*(part == R_FROM ? &r->from_neg : &r->to_neg) = neg;
	return 0;
}

/* from ADDRS and src ADDRS both match the source address. */
static int address_twice(const struct ast_rule *ar, enum ast_part part)
{
	enum ast_part twin = part == R_FROM ? R_SRC : R_DST;
	enum ast_part late, early;

	if (!ar->has[twin])
		return 0;
	late = loc_before(ar->part_loc[part], ar->part_loc[twin]) ? twin :
								      part;
	early = late == part ? twin : part;
	diag_error(ar->part_loc[late], ar->part_width[late], "%s address "
		   "given twice", part == R_FROM ? "source" : "destination");
	diag_note(ar->part_loc[early], ar->part_width[early],
		  "first given here");
	return -1;
}

/* A zone in a list would read well but means one rule per zone. */
static int zone_in_list(struct checker *c, const struct xlist *xl)
{
	size_t i;

	for (i = 0; i < xl->n; i++) {
		if (xl->x[i].v->kind != AV_IDENT ||
		    !symtab_find(&c->zones, xl->x[i].v->text))
			continue;
		check_error(&xl->x[i], "zone '%s' in a list: zones cannot be "
			    "list elements; write one rule per zone",
			    xl->x[i].v->text);
		return -1;
	}
	return 0;
}

/* from X / to X: a zone when X is one bare name, else addresses. */
static int resolve_endpoint(struct checker *c, const struct ast_rule *ar,
			    struct m_rule *r, enum ast_part part)
{
	const struct operand_kind *k = operand_kind(part == R_FROM ? R_SRC :
								R_DST);
	const struct ast_operand *ao = &ar->op[part];
	struct xlist xl;
	int err;

	if (macro_expand(c, &ao->list, &xl) < 0)
		return -1;
	if (xl.n == 1 && xl.x[0].v->kind == AV_IDENT) {
		err = resolve_zone(c, ar, &xl.x[0], r, part);
	} else {
		err = zone_in_list(c, &xl);
		if (!err)
			err = address_twice(ar, part);
		if (!err) {
			operand_init(ao, &r->op[k->op]);
			err = operand_values(c, &xl, k, &r->op[k->op]);
		}
	}
	free(xl.x);
	return err;
}

static int check_interfaces(const struct ast_rule *ar, enum chain_id chain)
{
	if (chain == CHAIN_OUTPUT && ar->has[R_IIF]) {
		diag_error(ar->part_loc[R_IIF], ar->part_width[R_IIF], "'iif' "
			   "cannot match in the output chain: the firewall's "
			   "own packets have no input interface");
		return -1;
	}
	if (chain == CHAIN_INPUT && ar->has[R_OIF]) {
		diag_error(ar->part_loc[R_OIF], ar->part_width[R_OIF], "'oif' "
			   "cannot match in the input chain: packets for the "
			   "firewall itself have no output interface");
		return -1;
	}
	return 0;
}

static int resolve_parts(struct checker *c, const struct ast_rule *ar,
			 struct m_rule *r)
{
	int err = check_interfaces(ar, r->chain);
	size_t i;

	if (ar->has[R_FROM])
		err |= resolve_endpoint(c, ar, r, R_FROM);
	if (ar->has[R_TO])
		err |= resolve_endpoint(c, ar, r, R_TO);
	for (i = 0; i < N_OPERAND_KINDS; i++)
		if (ar->has[operand_kinds[i].part] &&
		    !r->op[operand_kinds[i].op].present)
			err |= resolve_operand(c, ar, &operand_kinds[i], r);
	if (ar->has[R_CT])
		err |= resolve_ct(c, ar, r);
	return err;
}

static void proto_imply(struct m_rule *r, const uint8_t *protos, size_t n)
{
	struct m_operand *o = &r->op[OP_PROTO];
	size_t i;

	o->present = true;
	o->loc = r->loc;
	for (i = 0; i < n; i++) {
		struct m_elem *e = m_elems_add(&o->lit);

		e->v.lo[0] = e->v.hi[0] = protos[i];
	}
}

struct proto_needs {
	bool	ports, icmp, icmpv6, reset;
};

static int imply_protocols(const struct ast_rule *ar, struct m_rule *r,
			   const struct proto_needs *need)
{
	static const uint8_t icmp[] = { IPPROTO_ICMP };
	static const uint8_t icmpv6[] = { IPPROTO_ICMPV6 };
	static const uint8_t tcp[] = { IPPROTO_TCP };
	static const uint8_t tcp_udp[] = { IPPROTO_TCP, IPPROTO_UDP };
	enum ast_part port = ar->has[R_SPORT] ? R_SPORT : R_DPORT;

	if ((need->icmp || need->icmpv6) && need->ports) {
		diag_error(ar->part_loc[port], ar->part_width[port], "ICMP has "
			   "no ports");
		return -1;
	}
	if (need->icmp)
		proto_imply(r, icmp, 1);
	else if (need->icmpv6)
		proto_imply(r, icmpv6, 1);
	else if (need->reset)
		proto_imply(r, tcp, 1);
	else if (need->ports)
		proto_imply(r, tcp_udp, 2);
	return 0;
}

static int proto_mismatch(const struct ast_rule *ar, enum ast_part part,
			  const char *what, const char *proto)
{
	struct fw_loc loc = part == R_WITH ? ar->reject_loc :
					     ar->part_loc[part];

	diag_error(loc, part == R_WITH ? 9 : ar->part_width[part], "%s needs "
		   "proto %s, but this rule matches proto %s", what,
		   part == R_ICMP ? "icmp" : part == R_ICMPV6 ? "icmpv6" :
		   "tcp", proto);
	return -1;
}

/* Each protocol the user listed must suit the rest of the rule. */
static int check_proto_elem(const struct ast_rule *ar, const struct m_elem *e,
			    const struct proto_needs *need)
{
	unsigned p = e->v.lo[0];
	struct xvalue x = { e->src, e->via };

	if (need->ports && !proto_has_ports(p)) {
		check_error(&x, "protocol %s has no ports", e->src->text);
		return -1;
	}
	if (need->icmp && p != IPPROTO_ICMP)
		return proto_mismatch(ar, R_ICMP, "'icmp type'", e->src->text);
	if (need->icmpv6 && p != IPPROTO_ICMPV6)
		return proto_mismatch(ar, R_ICMPV6, "'icmpv6 type'",
				      e->src->text);
	if (need->reset && p != IPPROTO_TCP)
		return proto_mismatch(ar, R_WITH, "reject with tcp-reset",
				      e->src->text);
	return 0;
}

static int check_protocols(const struct ast_rule *ar, struct m_rule *r)
{
	const struct m_operand *proto = &r->op[OP_PROTO];
	struct proto_needs need = {
		.ports = r->op[OP_SPORT].present || r->op[OP_DPORT].present,
		.icmp = r->op[OP_ICMP].present,
		.icmpv6 = r->op[OP_ICMPV6].present,
		.reset = r->action == ACT_REJECT &&
			 r->reject == IR_REJECT_TCP_RESET,
	};
	size_t i;

	/* Both ICMPs in one rule: a family conflict, reported there. */
	if (need.icmp && need.icmpv6)
		return 0;
	if (!proto->present)
		return imply_protocols(ar, r, &need);
	if (proto->neg && (need.ports || need.icmp || need.icmpv6 ||
			   need.reset)) {
		diag_error(proto->loc, proto->width, "a negated protocol "
			   "cannot go with ports, ICMP types or tcp-reset: "
			   "list the protocols to match instead");
		return -1;
	}
	for (i = 0; i < proto->lit.n; i++)
		if (check_proto_elem(ar, &proto->lit.e[i], &need) < 0)
			return -1;
	return 0;
}

static void rule_statements(const struct ast_rule *ar, struct m_rule *r)
{
	r->loc = ar->loc;
	r->text = ar->text;
	r->comment = ar->comment;
	r->chain = ar->chain;
	r->action = ar->action;
	r->reject = ar->has[R_WITH] ? ar->reject : IR_REJECT_DEFAULT;
	r->reject_code = ar->reject_code;
	r->counter = ar->has[R_COUNTER];
	r->has_limit = ar->has[R_LIMIT] && !ar->conn_limit;
	r->limit = ar->limit;
	r->has_log = ar->has[R_LOG];
	r->log_prefix = ar->log_prefix;
}

struct m_rule *rule_check(struct checker *c, const struct ast_rule *ar)
{
	struct m_rule *r = xcalloc(1, sizeof(*r));
	unsigned i;

	rule_statements(ar, r);
	if (resolve_parts(c, ar, r) == 0 && nat_resolve(c, ar, r) == 0 &&
	    check_protocols(ar, r) == 0 && nat_validate(ar, r) == 0) {
		r->fams = rule_families(ar, r);
		if (r->fams)
			return r;
	}
	for (i = 0; i < OP_COUNT; i++)
		m_elems_free(&r->op[i].lit);
	free(r);
	return NULL;
}

/* Its values were written in the rule just released. */
static void forget_sources(struct m_rule *r)
{
	size_t i, j;

	for (i = 0; i < OP_COUNT; i++)
		for (j = 0; j < r->op[i].lit.n; j++)
			r->op[i].lit.e[j].src = NULL;
}

void check_rules(struct checker *c)
{
	struct model *m = c->m;
	struct m_rule *r;
	size_t i;

	for (i = 0; i < c->ast->n_rules; i++) {
		r = rule_check(c, c->ast->rules[i]);
		ast_rule_release(c->ast, i);
		if (!r)
			continue;
		forget_sources(r);
		m->rules = xgrow(m->rules, m->n_rules, sizeof(*m->rules));
		m->rules[m->n_rules++] = r;
	}
	nat_check_overlaps(m);
}
