// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ir_eval keeps the kernel's rules where they are easy to get wrong:
 * fields a packet lacks end a rule even under `!=` (ports of a fragment,
 * IPv4 addresses of IPv6, the ct mark of an untracked packet); a reject
 * with a tcp reset sees tcp only; jumps return, gotos do not; a verdict
 * map without the key's element goes on; a map element that rejects
 * drops; limits; marks set by one rule are what later rules see; the
 * base chains of a hook in priority order. Rule files where the front end
 * can say it, tables built by hand where it cannot.
 */
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "compile.h"
#include "diag.h"
#include "ir_eval.h"
#include "unit.h"

static struct ir_packet tcp4(uint16_t dport)
{
	return (struct ir_packet){
		.nfproto = NFPROTO_IPV4, .iifname = "eth0",
		.l4proto = IPPROTO_TCP, .saddr = { 192, 0, 2, 1 },
		.daddr = { 192, 0, 2, 2 }, .has_th = true, .sport = 40000,
		.dport = dport, .ct_state = IR_CT_NEW,
		.fib_daddr_type = RTN_LOCAL,
	};
}

/* The verdict and source line at a hook of a rule file, linear. */
static int run(const char *text, enum ir_hook hook, const struct ir_packet *p,
	       unsigned *line)
{
	struct ir_table *t = compile_buffer_flags("e.fw", text, strlen(text),
						  COMPILE_LINEAR);
	struct ir_eval_result r;

	if (!CHECK(t))
		return -1;
	ir_eval_hook(t, hook, p, NULL, &r);
	CHECK(!r.error);
	*line = r.policy ? 0 : r.loc.line;
	ir_table_free(t);
	return r.kind;
}

static void test_missing_fields(void)
{
	const char *f = "policy input accept\ndrop input dport !80\n"
			"drop input src !10.0.0.0/8 proto udp\n";
	struct ir_packet p = tcp4(81);
	unsigned line;

	CHECK_EQ(run(f, IR_HOOK_INPUT, &p, &line), IR_DROP);
	CHECK_EQ(line, 2);
	p.has_th = false;	/* a non-first fragment: no ports */
	CHECK_EQ(run(f, IR_HOOK_INPUT, &p, &line), IR_ACCEPT);
	CHECK_EQ(line, 0);
	p = tcp4(80);
	p.l4proto = IPPROTO_UDP;
	CHECK_EQ(run(f, IR_HOOK_INPUT, &p, &line), IR_DROP);
	CHECK_EQ(line, 3);
	p.nfproto = NFPROTO_IPV6;	/* no IPv4 source to compare */
	CHECK_EQ(run(f, IR_HOOK_INPUT, &p, &line), IR_ACCEPT);
}

static void test_zones_and_reject(void)
{
	const char *f = "zone lan { interfaces lan* }\npolicy forward drop\n"
			"accept forward from lan dport 22\n"
			"reject with tcp-reset forward dport 23\n"
			"accept forward dport 23\n";
	struct ir_packet p = tcp4(22);
	unsigned line;

	memcpy(p.iifname, "lan0", 5);
	CHECK_EQ(run(f, IR_HOOK_FORWARD, &p, &line), IR_ACCEPT);
	CHECK_EQ(line, 3);
	memcpy(p.iifname, "eth0", 5);
	CHECK_EQ(run(f, IR_HOOK_FORWARD, &p, &line), IR_DROP);
	CHECK_EQ(line, 0);
	p.dport = 23;
	CHECK_EQ(run(f, IR_HOOK_FORWARD, &p, &line), IR_REJECT);
	CHECK_EQ(line, 4);
	p.l4proto = IPPROTO_UDP;	/* a tcp reset is for tcp only */
	CHECK_EQ(run(f, IR_HOOK_FORWARD, &p, &line), IR_ACCEPT);
	CHECK_EQ(line, 5);
}

static void test_limits_and_state(void)
{
	const char *f = "policy input drop\n"
			"accept input dport 22 limit 1/second\n";
	struct ir_packet p = tcp4(22);
	unsigned line;

	CHECK_EQ(run(f, IR_HOOK_INPUT, &p, &line), IR_ACCEPT);
	p.over_limit = true;
	CHECK_EQ(run(f, IR_HOOK_INPUT, &p, &line), IR_DROP);
	p = tcp4(22);
	p.ct_state = IR_CT_INVALID;	/* the built-in rule drops it */
	CHECK_EQ(run(f, IR_HOOK_INPUT, &p, &line), IR_DROP);
	CHECK_EQ(line, 0);
}

/* A table by hand: base chain input and regular chains. */
struct hand {
	struct ir_table	*t;
	struct ir_chain	*base;
	unsigned	line;
};

static struct ir_rule *rule(struct hand *h, struct ir_chain *c,
			    enum ir_verdict_kind v, const char *target)
{
	struct ir_rule *r = ir_rule_add(c, (struct fw_loc){ "h", ++h->line,
							     1 });

	r->verdict.kind = v;
	if (target)
		snprintf(r->verdict.chain, sizeof(r->verdict.chain), "%s",
			 target);
	return r;
}

static void dport_is(struct ir_rule *r, uint16_t port)
{
	struct ir_match *m = ir_match_add(r, IR_TH_DPORT, IR_EQ);

	m->value.lo[0] = m->value.hi[0] = (uint8_t)(port >> 8);
	m->value.lo[1] = m->value.hi[1] = (uint8_t)port;
}

static unsigned hand_line(struct hand *h, const struct ir_packet *p,
			  int *kind)
{
	struct ir_eval_result r;

	ir_eval_hook(h->t, IR_HOOK_INPUT, p, NULL, &r);
	*kind = r.error ? -1 : (int)r.kind;
	return r.policy ? 0 : r.loc.line;
}

static void test_jump_goto(void)
{
	struct hand h = { .t = ir_table_new("h") };
	struct ir_chain *j = ir_chain_add(h.t, "j", IR_HOOK_NONE);
	struct ir_chain *g = ir_chain_add(h.t, "g", IR_HOOK_NONE);
	struct ir_packet p = tcp4(2);
	int kind;

	h.base = ir_chain_add(h.t, "input", IR_HOOK_INPUT);
	h.base->policy_drop = true;
	dport_is(rule(&h, j, IR_DROP, NULL), 1);		/* 1 */
	dport_is(rule(&h, g, IR_ACCEPT, NULL), 3);		/* 2 */
	rule(&h, h.base, IR_JUMP, "j");				/* 3 */
	dport_is(rule(&h, h.base, IR_ACCEPT, NULL), 2);		/* 4 */
	rule(&h, h.base, IR_GOTO, "g");				/* 5 */
	rule(&h, h.base, IR_ACCEPT, NULL);			/* 6 */
	CHECK_EQ(hand_line(&h, &p, &kind), 4);	/* back from j */
	p.dport = 1;
	CHECK_EQ(hand_line(&h, &p, &kind), 1);
	CHECK_EQ(kind, IR_DROP);
	p.dport = 3;
	CHECK_EQ(hand_line(&h, &p, &kind), 2);
	p.dport = 4;	/* off the end of g: the base policy, not rule 6 */
	CHECK_EQ(hand_line(&h, &p, &kind), 0);
	CHECK_EQ(kind, IR_DROP);
	snprintf(h.base->rules[2].verdict.chain, IR_NAME_MAX, "nowhere");
	hand_line(&h, &p, &kind);
	CHECK_EQ(kind, -1);
	ir_table_free(h.t);
}

static void test_vmap_and_marks(void)
{
	struct hand h = { .t = ir_table_new("h") };
	struct ir_verdict rej = { .kind = IR_REJECT };
	struct ir_value v = { .lo = { 0, 5 }, .hi = { 0, 5 } };
	struct ir_packet p = tcp4(5);
	struct ir_match *m;
	struct ir_rule *r;
	uint32_t seven = 7;
	int kind;

	h.base = ir_chain_add(h.t, "input", IR_HOOK_INPUT);
	r = rule(&h, h.base, IR_VMAP, NULL);			/* 1 */
	r->verdict.vmap_field = IR_TH_DPORT;
	r->verdict.vmap = ir_set_add(h.t, NULL, IR_TH_DPORT, r->loc);
	r->verdict.vmap->is_vmap = true;
	ir_set_add_elem(r->verdict.vmap, &v, &rej);
	r = rule(&h, h.base, IR_VERDICT_NONE, NULL);		/* 2 */
	r->meta_mark_set = true;
	r->meta_mark_xor = seven;
	r = rule(&h, h.base, IR_DROP, NULL);			/* 3 */
	m = ir_match_add(r, IR_META_MARK, IR_EQ);
	memcpy(m->value.lo, &seven, 4);
	memcpy(m->value.hi, &seven, 4);
	/* A map element cannot reject: the back end makes it a drop. */
	CHECK_EQ(hand_line(&h, &p, &kind), 1);
	CHECK_EQ(kind, IR_DROP);
	p.dport = 6;	/* no element: on to the mark rules */
	CHECK_EQ(hand_line(&h, &p, &kind), 3);
	m->field = IR_CT_MARK;
	m->op = IR_NE;
	CHECK_EQ(hand_line(&h, &p, &kind), 3);
	p.ct_state = IR_CT_UNTRACKED;	/* no ct mark at all: no match */
	CHECK_EQ(hand_line(&h, &p, &kind), 0);
	CHECK_EQ(kind, IR_ACCEPT);
	ir_table_free(h.t);
}

static void test_hook_order(void)
{
	struct hand h = { .t = ir_table_new("h") };
	struct ir_chain *late = ir_chain_add(h.t, "late", IR_HOOK_INPUT);
	struct ir_packet p = tcp4(9);
	struct ir_eval_result r;

	h.base = ir_chain_add(h.t, "input", IR_HOOK_INPUT);
	late->priority = 10;
	rule(&h, late, IR_DROP, NULL);				/* 1 */
	rule(&h, h.base, IR_ACCEPT, NULL);			/* 2 */
	ir_eval_hook(h.t, IR_HOOK_INPUT, &p, NULL, &r);
	CHECK_EQ(r.kind, IR_DROP);
	CHECK(r.chain == late);
	CHECK_EQ(r.rules, 2);
	late->type = IR_CHAIN_NAT;	/* nat chains are left out */
	ir_eval_hook(h.t, IR_HOOK_INPUT, &p, NULL, &r);
	CHECK_EQ(r.kind, IR_ACCEPT);
	CHECK_EQ(r.loc.line, 2);
	ir_table_free(h.t);
}

int main(void)
{
	diag_set_stream(fopen("/dev/null", "w"));
	test_missing_fields();
	test_zones_and_reject();
	test_limits_and_state();
	test_jump_goto();
	test_vmap_and_marks();
	test_hook_order();
	return unit_summary("ir_eval_test");
}
