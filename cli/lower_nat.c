// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NAT and conntrack rules to the IR. Each kind runs where the kernel lets
 * it work: dnat and redirect before routing (nat, priority -100), and in
 * nat output too when the rule names no input, so that the firewall's own
 * connections are translated alike; masquerade and snat after routing
 * (100); notrack before conntrack looks at the packet (raw, -300); helper
 * and timeout assignments after conntrack has made the entry but before
 * it is confirmed (-150). These chains exist only when rules use them.
 */
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower_internal.h"
#include "xalloc.h"

enum ct_chain {
	CC_NAT_PRE, CC_NAT_OUT, CC_NAT_POST, CC_RAW_PRE, CC_RAW_OUT,
	CC_CT_PRE, CC_CT_OUT, CC_COUNT, CC_NONE = CC_COUNT
};

static const struct {
	const char		*name;
	enum ir_hook		hook;
	enum ir_chain_type	type;
	int			priority;
} ct_chains[CC_COUNT] = {
	[CC_NAT_PRE] = { "prerouting", IR_HOOK_PREROUTING, IR_CHAIN_NAT,
			 -100 },
	[CC_NAT_OUT] = { "nat_output", IR_HOOK_OUTPUT, IR_CHAIN_NAT, -100 },
	[CC_NAT_POST] = { "postrouting", IR_HOOK_POSTROUTING, IR_CHAIN_NAT,
			  100 },
	[CC_RAW_PRE] = { "raw_prerouting", IR_HOOK_PREROUTING,
			 IR_CHAIN_FILTER, -300 },
	[CC_RAW_OUT] = { "raw_output", IR_HOOK_OUTPUT, IR_CHAIN_FILTER,
			 -300 },
	[CC_CT_PRE] = { "ct_prerouting", IR_HOOK_PREROUTING, IR_CHAIN_FILTER,
			-150 },
	[CC_CT_OUT] = { "ct_output", IR_HOOK_OUTPUT, IR_CHAIN_FILTER, -150 },
};

/* Where each action runs: for traffic passing by, and for our own. */
static const enum ct_chain placement[][2] = {
	[ACT_MASQUERADE] = { CC_NAT_POST, CC_NONE },
	[ACT_SNAT] = { CC_NAT_POST, CC_NONE },
	[ACT_DNAT] = { CC_NAT_PRE, CC_NAT_OUT },
	[ACT_REDIRECT] = { CC_NAT_PRE, CC_NAT_OUT },
	[ACT_NOTRACK] = { CC_RAW_PRE, CC_RAW_OUT },
	[ACT_HELPER] = { CC_CT_PRE, CC_CT_OUT },
	[ACT_CT_TIMEOUT] = { CC_CT_PRE, CC_CT_OUT },
};

/* Rules that name an input interface see no locally made packets. */
static enum ct_chain local_chain(const struct m_rule *r)
{
	if (r->from || r->op[OP_IIF].present)
		return CC_NONE;
	return placement[r->action][1];
}

/* The position of r among the rules that also have prop, from 1. */
static unsigned rule_number(const struct lower *lw, const struct m_rule *r,
			    bool (*prop)(const struct m_rule *))
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < lw->m->n_rules && lw->m->rules[i] != r; i++)
		n += prop(lw->m->rules[i]);
	return n + 1;
}

static bool is_timeout(const struct m_rule *r)
{
	return r->action == ACT_CT_TIMEOUT;
}

static bool is_conn_per_src(const struct m_rule *r)
{
	return r->conn_per_src;
}

static const char *const proto_names[] = {
	[IPPROTO_TCP] = "tcp", [IPPROTO_UDP] = "udp",
};

/* One helper object per helper and protocol: ftp-tcp. */
static void lower_helper(struct lower *lw, struct ir_rule *ir,
			 const struct m_rule *r)
{
	struct ir_object *o;
	char name[IR_NAME_MAX];

	snprintf(name, sizeof(name), "%s-%s", r->helper,
		 proto_names[r->ct_proto]);
	o = ir_object_get(lw->t, IR_OBJ_CT_HELPER, name, r->loc);
	o->l4proto = r->ct_proto;
	snprintf(o->helper, sizeof(o->helper), "%s", r->helper);
	ir_rule_st_mut(ir)->obj_kind = IR_OBJ_CT_HELPER;
	ir_rule_st_mut(ir)->obj = o->name;
}

/*
 * The kernel takes every state of a policy and a 0 would expire entries
 * at once: states the rule leaves out keep the kernel's defaults, which
 * are what nft sends for them too.
 */
static const uint32_t timeout_defaults[][IR_TIMEOUT_STATES] = {
	[IPPROTO_TCP] = { 120, 60, 432000, 120, 60, 30, 120, 10, 120, 300,
			  300 },
	[IPPROTO_UDP] = { 30, 120 },
};

/* One timeout object per statement: timeout-1, timeout-2, ... */
static void lower_timeout(struct lower *lw, struct ir_rule *ir,
			  const struct m_rule *r)
{
	struct ir_object *o;
	char name[IR_NAME_MAX];
	unsigned i;

	snprintf(name, sizeof(name), "timeout-%u",
		 rule_number(lw, r, is_timeout));
	o = ir_object_get(lw->t, IR_OBJ_CT_TIMEOUT, name, r->loc);
	o->l4proto = r->ct_proto;
	for (i = 0; i < IR_TIMEOUT_STATES; i++)
		o->timeout[i] = r->timeout[i] ? r->timeout[i] :
				timeout_defaults[r->ct_proto][i];
	ir_rule_st_mut(ir)->obj_kind = IR_OBJ_CT_TIMEOUT;
	ir_rule_st_mut(ir)->obj = o->name;
}

/* A dynamic set per rule and family counts connections per source. */
static void lower_connlimit(struct lower *lw, struct ir_rule *ir,
			    const struct m_rule *r, uint8_t fam)
{
	struct ir_connlimit *c = &ir_rule_st_mut(ir)->connlimit;
	char name[IR_NAME_MAX];

	ir->has_connlimit = true;
	c->count = r->conn_count;
	if (!r->conn_per_src)
		return;
	c->key = fam == FAM_V6 ? IR_IP6_SADDR : IR_IP_SADDR;
	snprintf(name, sizeof(name), "connlimit-%u-%s",
		 rule_number(lw, r, is_conn_per_src),
		 fam == FAM_V6 ? "v6" : "v4");
	c->set = ir_table_find_set(lw->t, name);
	if (c->set)
		return;
	c->set = ir_set_add(lw->t, name, c->key, r->loc);
	c->set->dynamic = true;
}

void lower_rule_actions(struct lower *lw, struct ir_rule *ir,
			const struct m_rule *r, uint8_t fam)
{
	if (r->has_connlimit)
		lower_connlimit(lw, ir, r, fam);
	if (r->nat.kind != IR_NAT_NONE)
		ir_rule_st_mut(ir)->nat = r->nat;
	ir->notrack = r->action == ACT_NOTRACK;
	if (r->action == ACT_HELPER)
		lower_helper(lw, ir, r);
	else if (r->action == ACT_CT_TIMEOUT)
		lower_timeout(lw, ir, r);
}

/*
 * The forward rule of a port forward: the translated connection, to the
 * address and port it now has, from where the dnat rule took it (from
 * anywhere when reflected).
 */
static void lower_pass(struct lower *lw, struct ir_chain *forward,
		       const struct m_rule *r)
{
	struct m_rule pass = {
		.loc = r->loc, .text = r->text, .chain = CHAIN_FORWARD,
		.action = ACT_ACCEPT, .from = r->from, .from_neg = r->from_neg,
		.ct_status = IR_CT_STATUS_DNAT,
		.fams = r->nat.nfproto == NFPROTO_IPV6 ? FAM_V6 : FAM_V4,
	};
	struct m_elem addr = { .v = r->nat.addr, .fam = pass.fams };
	struct m_elem port = { .v = r->nat.port };

	memcpy(pass.op, r->op, sizeof(pass.op));
	if (r->reflect) {
		pass.from = NULL;
		memset(&pass.op[OP_SADDR], 0, sizeof(pass.op[OP_SADDR]));
	}
	pass.op[OP_DADDR] = (struct m_operand){
		.present = true, .loc = r->loc,
		.lit = { .n = 1, .e = &addr, .fams = pass.fams },
	};
	if (r->nat.has_port)
		pass.op[OP_DPORT] = (struct m_operand){
			.present = true, .loc = r->loc,
			.lit = { .n = 1, .e = &port },
		};
	lower_rule(lw, forward, &pass);
}

void lower_pass_rules(struct lower *lw, struct ir_chain *forward)
{
	size_t i;

	for (i = 0; i < lw->m->n_rules; i++) {
		const struct m_rule *r = lw->m->rules[i];

		if (r->action == ACT_DNAT && !r->nopass)
			lower_pass(lw, forward, r);
	}
}

/*
 * reflect: clients of the other zones reach the service through our own
 * address too, and their flows are masqueraded on the way to the server,
 * so that its replies come back through us rather than straight to them.
 */
static void lower_reflect(struct lower *lw, struct ir_chain *pre,
			  struct ir_chain *post, const struct m_rule *r)
{
	struct m_rule in = *r, back = *r;
	struct m_elem addr = { .v = r->nat.addr, .fam = r->fams };
	struct m_elem port = { .v = r->nat.port };

	in.from = NULL;
	memset(&in.op[OP_SADDR], 0, sizeof(in.op[OP_SADDR]));
	in.fib_local = !r->op[OP_DADDR].present && !r->to;
	lower_rule(lw, pre, &in);
	back.action = ACT_MASQUERADE;
	back.nat = (struct ir_nat){ .kind = IR_NAT_MASQ };
	back.from_neg = true;
	back.to = NULL;
	back.ct_status = IR_CT_STATUS_DNAT;
	back.op[OP_DADDR] = (struct m_operand){
		.present = true, .loc = r->loc,
		.lit = { .n = 1, .e = &addr, .fams = r->fams },
	};
	if (r->nat.has_port)
		back.op[OP_DPORT] = (struct m_operand){
			.present = true, .loc = r->loc,
			.lit = { .n = 1, .e = &port },
		};
	lower_rule(lw, post, &back);
}

static struct ir_chain *chain_new(struct lower *lw, enum ct_chain cc)
{
	struct ir_chain *c = ir_chain_add(lw->t, ct_chains[cc].name,
					  ct_chains[cc].hook);

	c->type = ct_chains[cc].type;
	c->priority = ct_chains[cc].priority;
	return c;
}

void lower_ct_chains(struct lower *lw)
{
	struct ir_chain *chains[CC_COUNT + 1] = { NULL };
	bool used[CC_COUNT + 1] = { false };
	const struct model *m = lw->m;
	size_t i;
	unsigned cc;

	for (i = 0; i < m->n_rules; i++) {
		if (m->rules[i]->action < ACT_FIRST_CT)
			continue;
		used[placement[m->rules[i]->action][0]] = true;
		used[local_chain(m->rules[i])] = true;
		used[CC_NAT_POST] |= m->rules[i]->reflect;
	}
	for (cc = 0; cc < CC_COUNT; cc++)
		if (used[cc])
			chains[cc] = chain_new(lw, (enum ct_chain)cc);
	for (i = 0; i < m->n_rules; i++) {
		const struct m_rule *r = m->rules[i];

		if (r->action < ACT_FIRST_CT)
			continue;
		lower_rule(lw, chains[placement[r->action][0]], r);
		if (local_chain(r) != CC_NONE)
			lower_rule(lw, chains[local_chain(r)], r);
	}
	for (i = 0; i < m->n_rules; i++)
		if (m->rules[i]->reflect)
			lower_reflect(lw, chains[CC_NAT_PRE],
				      chains[CC_NAT_POST], m->rules[i]);
}
