// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NAT and conntrack rules in the checker: the target after '->', the
 * helper and timeout protocols, where zones may stand (before routing
 * there is no output interface), and port forwards that overlap.
 */
/* netinet/in.h first: it keeps linux/in.h from defining the same. */
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "diag.h"
#include "xalloc.h"

static const char *const action_words[] = {
	[ACT_MASQUERADE] = "masquerade", [ACT_SNAT] = "snat",
	[ACT_DNAT] = "dnat", [ACT_REDIRECT] = "redirect",
	[ACT_NOTRACK] = "notrack", [ACT_HELPER] = "helper",
	[ACT_CT_TIMEOUT] = "ct timeout",
};

static const enum ir_nat_kind nat_kinds[] = {
	[ACT_MASQUERADE] = IR_NAT_MASQ, [ACT_SNAT] = IR_NAT_SNAT,
	[ACT_DNAT] = IR_NAT_DNAT, [ACT_REDIRECT] = IR_NAT_REDIRECT,
};

/* The kernel's helpers and the protocol each one speaks by default. */
static const struct name_entry helpers[] = {
	{ "amanda", IPPROTO_UDP }, { "ftp", IPPROTO_TCP },
	{ "irc", IPPROTO_TCP }, { "netbios-ns", IPPROTO_UDP },
	{ "pptp", IPPROTO_TCP }, { "sane", IPPROTO_TCP },
	{ "sip", IPPROTO_UDP }, { "snmp", IPPROTO_UDP },
	{ "tftp", IPPROTO_UDP },
};
static const struct name_table helper_table = { helpers, 9 };

/* One value of a target through fn; macros may stand for it. */
static int target_one(struct checker *c, const struct ast_list *l,
		      value_fn fn, struct m_elem *out)
{
	struct m_elems elems = { 0 };
	struct xlist xl;
	int err;

	if (macro_expand(c, l, &xl) < 0)
		return -1;
	err = value_list(&xl, fn, &elems);
	if (!err && elems.n != 1) {
		diag_error(l->loc, l->width, "a NAT target is one address or "
			   "range, not a list");
		err = -1;
	}
	if (!err)
		*out = elems.e[0];
	m_elems_free(&elems);
	free(xl.x);
	return err;
}

static int target_address(struct checker *c, const struct ast_nat *an,
			  struct ir_nat *n)
{
	struct m_elem e;

	if (target_one(c, &an->addr, value_addr, &e) < 0)
		return -1;
	if (an->bracketed && e.fam != FAM_V6) {
		diag_error(an->addr.loc, an->addr.width, "brackets are for "
			   "IPv6 addresses; write 192.0.2.1:80");
		return -1;
	}
	n->has_addr = true;
	n->addr = e.v;
	n->nfproto = e.fam == FAM_V6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
	return 0;
}

static int resolve_target(struct checker *c, const struct ast_rule *ar,
			  struct m_rule *r)
{
	const struct ast_nat *an = &ar->nat;
	struct m_elem e;

	if (!an->has_target && (ar->action == ACT_SNAT ||
				ar->action == ACT_DNAT ||
				ar->action == ACT_REDIRECT)) {
		diag_error(ar->loc, (unsigned)strlen(action_words[ar->action]),
			   "%s needs a target: '-> %s'",
			   action_words[ar->action],
			   ar->action == ACT_REDIRECT ? "PORT" : "ADDRESS");
		return -1;
	}
	if (an->addr.n && target_address(c, an, &r->nat) < 0)
		return -1;
	if (!an->port.n)
		return 0;
	if (target_one(c, &an->port, value_port, &e) < 0)
		return -1;
	r->nat.has_port = true;
	r->nat.port = e.v;
	return 0;
}

/* Before routing there is no output interface; networks still match. */
static int check_prerouting_zone(const struct ast_rule *ar,
				 const struct m_rule *r)
{
	const char *what = action_words[ar->action];

	if (r->to && r->to->ifs.n) {
		diag_error(ar->op[R_TO].list.loc, ar->op[R_TO].list.width,
			   "zone '%s' has interfaces, but %s decides before "
			   "routing, when the output interface is not known; "
			   "use a zone of networks or 'dst'", r->to->name,
			   what);
		return -1;
	}
	if (ar->has[R_OIF]) {
		diag_error(ar->part_loc[R_OIF], ar->part_width[R_OIF], "'oif' "
			   "cannot match in %s: it decides before routing",
			   what);
		return -1;
	}
	return 0;
}

static int check_nat_zones(const struct ast_rule *ar, const struct m_rule *r)
{
	const char *what = action_words[ar->action];

	if (ar->action != ACT_MASQUERADE && ar->action != ACT_SNAT)
		return check_prerouting_zone(ar, r);
	if (!r->to || !r->to->ifs.n || r->to_neg) {
		diag_error(ar->loc, (unsigned)strlen(what), "%s needs `to "
			   "ZONE` naming the outgoing interfaces", what);
		return -1;
	}
	return 0;
}

static void imply_proto(struct m_rule *r, uint8_t proto)
{
	struct m_operand *o = &r->op[OP_PROTO];
	struct m_elem *e;

	o->present = true;
	o->loc = r->loc;
	e = m_elems_add(&o->lit);
	e->v.lo[0] = e->v.hi[0] = proto;
}

/* The one protocol a helper or timeout rule names, or 0. */
static uint8_t single_proto(const struct m_rule *r)
{
	const struct m_operand *o = &r->op[OP_PROTO];

	if (!o->present || o->neg || o->lit.n != 1 ||
	    !ir_value_is_single(&o->lit.e[0].v, 1))
		return 0;
	return o->lit.e[0].v.lo[0];
}

static int resolve_helper(const struct ast_rule *ar, struct m_rule *r)
{
	unsigned proto;
	const char *hint;

	if (!names_lookup(&helper_table, ar->helper, &proto)) {
		hint = names_suggest(&helper_table, ar->helper);
		diag_error(ar->helper_loc, ar->helper_width, "unknown helper "
			   "'%s'%s%s%s", ar->helper, hint ? " (did you mean '" :
			   "", hint ? hint : "", hint ? "'?)" : "");
		return -1;
	}
	r->helper = ar->helper;
	if (!r->op[OP_PROTO].present)
		imply_proto(r, (uint8_t)proto);
	return 0;
}

static int check_ct_proto(const struct ast_rule *ar, struct m_rule *r)
{
	uint8_t p = single_proto(r);

	if (p == IPPROTO_TCP || p == IPPROTO_UDP) {
		r->ct_proto = p;
		return 0;
	}
	diag_error(ar->has[R_PROTO] ? ar->part_loc[R_PROTO] : ar->loc,
		   ar->has[R_PROTO] ? ar->part_width[R_PROTO] : 6,
		   "helper %s needs one protocol, tcp or udp (proto tcp)",
		   r->helper);
	return -1;
}

static int resolve_timeout(const struct ast_rule *ar, struct m_rule *r)
{
	const struct ast_timeout *t = &ar->timeout;
	uint8_t p = single_proto(r);
	size_t i;

	if (!r->op[OP_PROTO].present)
		imply_proto(r, (uint8_t)t->proto);
	else if (p != t->proto) {
		diag_error(ar->part_loc[R_PROTO], ar->part_width[R_PROTO],
			   "a ct timeout rule matches the protocol of its "
			   "timeouts only");
		return -1;
	}
	r->ct_proto = (uint8_t)t->proto;
	for (i = 0; i < t->n; i++)
		r->timeout[t->state[i]] = (uint32_t)(t->ms[i] / 1000);
	return 0;
}

/* Before the protocols are checked: the parts protocols depend on. */
int nat_resolve(struct checker *c, const struct ast_rule *ar,
		struct m_rule *r)
{
	if (ar->action < ACT_FIRST_CT) {
		r->has_connlimit = ar->conn_limit;
		r->conn_count = ar->conn_count;
		r->conn_per_src = ar->conn_per_src;
		return 0;
	}
	if (check_nat_zones(ar, r) < 0)
		return -1;
	if (ar->action <= ACT_REDIRECT) {
		r->nat.kind = nat_kinds[ar->action];
		r->nat.random = ar->nat.random;
		r->nat.persistent = ar->nat.persistent;
		r->nopass = ar->nat.nopass;
		r->reflect = ar->nat.reflect;
		return resolve_target(c, ar, r);
	}
	if (ar->action == ACT_HELPER)
		return resolve_helper(ar, r);
	if (ar->action == ACT_CT_TIMEOUT)
		return resolve_timeout(ar, r);
	return 0;
}

/* A translated port needs a transport protocol that has ports. */
static int check_port_proto(const struct ast_rule *ar, const struct m_rule *r)
{
	const struct m_operand *o = &r->op[OP_PROTO];
	size_t i;
	bool ok = o->present && !o->neg && o->lit.n;

	for (i = 0; ok && i < o->lit.n; i++)
		ok = proto_has_ports(o->lit.e[i].v.lo[0]);
	if (ok)
		return 0;
	diag_error(ar->nat.port_loc, ar->nat.port.width, "a translated port "
		   "needs a protocol with ports: add proto tcp (or udp, sctp) "
		   "or a port match");
	return -1;
}

/* After the protocols: what depends on them. */
int nat_validate(const struct ast_rule *ar, struct m_rule *r)
{
	if (r->nat.has_port && check_port_proto(ar, r) < 0)
		return -1;
	if (ar->action == ACT_DNAT && !r->nat.has_addr) {
		diag_error(ar->nat.loc, ar->nat.width, "dnat needs an address "
			   "(dnat -> 192.0.2.1:80); to reach the firewall "
			   "itself, use redirect");
		return -1;
	}
	if (r->reflect && (!r->from || !r->from->ifs.n || r->from_neg)) {
		diag_error(ar->loc, 4, "reflect needs `from ZONE` naming the "
			   "interfaces the port forward comes in on");
		return -1;
	}
	if (ar->action == ACT_HELPER)
		return check_ct_proto(ar, r);
	return 0;
}

static bool elems_meet(const struct m_elems *a, const struct m_elems *b)
{
	size_t i, j;

	for (i = 0; i < a->n; i++) {
		for (j = 0; j < b->n; j++) {
			const struct m_elem *x = &a->e[i], *y = &b->e[j];

			if (x->fam != y->fam)
				continue;
			if (memcmp(x->v.lo, y->v.hi, IR_VALUE_MAX) <= 0 &&
			    memcmp(y->v.lo, x->v.hi, IR_VALUE_MAX) <= 0)
				return true;
		}
	}
	return false;
}

/*
 * Whether two operands can match one value. Absent matches everything;
 * negations and named sets are left alone: only literals prove overlap.
 */
static bool operands_meet(const struct m_operand *a,
			  const struct m_operand *b)
{
	if (!a->present || !b->present)
		return true;
	if (a->neg || b->neg || a->set || b->set)
		return false;
	return elems_meet(&a->lit, &b->lit);
}

static bool forwards_overlap(const struct m_rule *a, const struct m_rule *b)
{
	static const enum m_op ops[] = {
		OP_PROTO, OP_IIF, OP_SADDR, OP_DADDR, OP_SPORT, OP_DPORT,
	};
	size_t i;

	if (!(a->fams & b->fams) || a->from_neg || b->from_neg)
		return false;
	if (a->from && b->from && a->from != b->from)
		return false;
	if (a->to && b->to && a->to != b->to)
		return false;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!operands_meet(&a->op[ops[i]], &b->op[ops[i]]))
			return false;
	return true;
}

void nat_check_overlaps(const struct model *m)
{
	size_t i, j;

	for (i = 0; i < m->n_rules; i++) {
		const struct m_rule *b = m->rules[i];

		if (b->action != ACT_DNAT)
			continue;
		for (j = 0; j < i; j++) {
			const struct m_rule *a = m->rules[j];

			if (a->action != ACT_DNAT || !forwards_overlap(a, b))
				continue;
			diag_error(b->loc, 4, "this port forward overlaps an "
				   "earlier one: both can match the same "
				   "packets, and only the first would apply");
			diag_note(a->loc, 4, "the earlier port forward");
			break;
		}
	}
}
