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
#include "ir_hash.h"
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

static const char *const files[] = {
	"policy input accept\ndrop input dport !80\n"
	"drop input src !10.0.0.0/8 proto udp\n",
	"zone lan { interfaces lan* }\npolicy forward drop\n"
	"accept forward from lan dport 22\n"
	"reject with tcp-reset forward dport 23\naccept forward dport 23\n",
	"policy input drop\naccept input dport 22 limit 1/second\n",
};

/* A packet that differs from tcp4() in a few ways; line 0: the policy. */
static const struct file_case {
	unsigned	file;
	enum ir_hook	hook;
	const char	*iif;
	uint8_t		l4proto, nfproto;
	uint16_t	dport;
	bool		fragment, over_limit;
	uint32_t	ct_state;
	int		kind;
	unsigned	line;
} file_cases[] = {
	{ 0, IR_HOOK_INPUT, NULL, 0, 0, 81, false, false, 0, IR_DROP, 2 },
	/* A non-first fragment has no ports, not even for `!=`. */
	{ 0, IR_HOOK_INPUT, NULL, 0, 0, 81, true, false, 0, IR_ACCEPT, 0 },
	{ 0, IR_HOOK_INPUT, NULL, IPPROTO_UDP, 0, 80, false, false, 0,
	  IR_DROP, 3 },
	/* IPv6 has no IPv4 source to compare. */
	{ 0, IR_HOOK_INPUT, NULL, IPPROTO_UDP, NFPROTO_IPV6, 80, false,
	  false, 0, IR_ACCEPT, 0 },
	{ 1, IR_HOOK_FORWARD, "lan0", 0, 0, 22, false, false, 0,
	  IR_ACCEPT, 3 },
	{ 1, IR_HOOK_FORWARD, NULL, 0, 0, 22, false, false, 0, IR_DROP, 0 },
	{ 1, IR_HOOK_FORWARD, NULL, 0, 0, 23, false, false, 0, IR_REJECT, 4 },
	/* A tcp reset is for tcp only. */
	{ 1, IR_HOOK_FORWARD, NULL, IPPROTO_UDP, 0, 23, false, false, 0,
	  IR_ACCEPT, 5 },
	{ 2, IR_HOOK_INPUT, NULL, 0, 0, 22, false, false, 0, IR_ACCEPT, 2 },
	{ 2, IR_HOOK_INPUT, NULL, 0, 0, 22, false, true, 0, IR_DROP, 0 },
	/* The built-in rule drops what conntrack calls invalid. */
	{ 2, IR_HOOK_INPUT, NULL, 0, 0, 22, false, false, IR_CT_INVALID,
	  IR_DROP, 0 },
};

static struct ir_packet case_packet(const struct file_case *c)
{
	struct ir_packet p = tcp4(c->dport);

	if (c->iif)
		snprintf(p.iifname, sizeof(p.iifname), "%s", c->iif);
	p.l4proto = c->l4proto ? c->l4proto : p.l4proto;
	p.nfproto = c->nfproto ? c->nfproto : p.nfproto;
	p.has_th = !c->fragment;
	p.over_limit = c->over_limit;
	p.ct_state = c->ct_state ? c->ct_state : p.ct_state;
	return p;
}

/* Rule files, linear: the verdict and the source line of each case. */
static void test_files(void)
{
	struct ir_table *t[sizeof(files) / sizeof(*files)];
	struct ir_eval_result r;
	struct ir_packet p;
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(*files); i++)
		CHECK(t[i] = compile_buffer_flags("e.fw", files[i],
						  strlen(files[i]),
						  COMPILE_LINEAR));
	for (i = 0; i < sizeof(file_cases) / sizeof(*file_cases); i++) {
		const struct file_case *c = &file_cases[i];

		p = case_packet(c);
		if (!t[c->file])
			continue;
		ir_eval_hook(t[c->file], c->hook, &p, NULL, &r);
		if (!CHECK_EQ(r.kind, c->kind) ||
		    !CHECK_EQ(r.policy ? 0 : r.loc.line, c->line))
			fprintf(stderr, "  case %zu\n", i);
	}
	for (i = 0; i < sizeof(files) / sizeof(*files); i++)
		ir_table_free(t[i]);
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
	r->verdict.chain = target;	/* literals */
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
	struct ir_eval_result r;
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
	/* Rules of chains it fell off the end of: j's, g's; not input's. */
	ir_eval_hook(h.t, IR_HOOK_INPUT, &p, NULL, &r);
	CHECK_EQ(r.rules, 5);
	CHECK_EQ(r.missed, 2);
	p.dport = 2;
	ir_eval_hook(h.t, IR_HOOK_INPUT, &p, NULL, &r);
	CHECK_EQ(r.rules, 3);
	CHECK_EQ(r.missed, 1);
	p.dport = 4;
	h.base->rules[2].verdict.chain = "nowhere";
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
	ir_rule_st_mut(r)->meta_mark_xor = seven;
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

/*
 * A rule's statements are its own (ir_stmts): reading makes none, a copy
 * gets its own, and an empty one keys the rule as none does.
 */
static void test_rule_statements(void)
{
	struct ir_table *t = ir_table_new("h");
	struct ir_chain *c = ir_chain_add(t, "input", IR_HOOK_INPUT);
	struct ir_rule *r = ir_rule_add(c, (struct fw_loc){ .line = 1 });
	struct ir_rule copy;
	uint64_t key;

	r->verdict.kind = IR_ACCEPT;
	key = ir_rule_key(r, false);
	CHECK_EQ(ir_rule_st(r)->nat.kind, IR_NAT_NONE);
	CHECK(!r->st);
	ir_rule_st_mut(r);
	CHECK_EQ(ir_rule_key(r, false), key);
	ir_rule_st_mut(r)->priority.set = true;
	ir_rule_st_mut(r)->priority.value = 7;
	CHECK(ir_rule_key(r, false) != key);
	ir_rule_copy(&copy, r);
	CHECK(copy.st && copy.st != r->st);
	CHECK_EQ(ir_rule_st(&copy)->priority.value, 7);
	ir_rule_st_mut(&copy)->priority.value = 8;
	CHECK_EQ(ir_rule_st(r)->priority.value, 7);
	ir_rule_free(&copy);
	ir_table_free(t);
}

int main(void)
{
	diag_set_stream(fopen("/dev/null", "w"));
	test_files();
	test_jump_goto();
	test_vmap_and_marks();
	test_hook_order();
	test_rule_statements();
	return unit_summary("ir_eval_test");
}
