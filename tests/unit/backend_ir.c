// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IR tables built by hand for the back-end tests: every field, operator,
 * set kind, statement and verdict the IR has, in the combinations where
 * nft adds dependencies of its own (see emit_rule.c).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_util.h"
#include "diag.h"

static const char *source;

/* A source with a numbered line per rule, so diagnostics can quote it. */
static const char *source_register(const char *name, unsigned lines)
{
	char *text = calloc(lines, 32);
	size_t len = 0;
	unsigned i;

	if (!text)
		abort();
	for (i = 1; i <= lines; i++)
		len += (size_t)sprintf(text + len, "rule on line %u\n", i);
	name = diag_add_source(name, text, len);
	free(text);
	return name;
}

static struct fw_loc at(unsigned line)
{
	return (struct fw_loc){ .file = source, .line = line, .col = 1 };
}

static struct ir_rule *rule(struct ir_chain *c, unsigned line)
{
	return ir_rule_add(c, at(line));
}

/* r's statements, to set. */
static struct ir_stmts *st(struct ir_rule *r)
{
	return ir_rule_st_mut(r);
}

static struct ir_rule *builtin(struct ir_chain *c, const char *why)
{
	struct ir_rule *r = ir_rule_add(c, (struct fw_loc){ 0 });

	r->why = why;
	return r;
}

static void match(struct ir_rule *r, enum ir_field f, enum ir_op op,
		  const char *value)
{
	ir_match_add(r, f, op)->value = bt_value(f, value);
}

static void match_set(struct ir_rule *r, enum ir_field f, enum ir_op op,
		      struct ir_set *s)
{
	ir_match_add(r, f, op)->set = s;
}

static void match_ct(struct ir_rule *r, enum ir_op op, uint32_t mask)
{
	ir_match_add(r, IR_CT_STATE, op)->ct_mask = mask;
}

static void proto(struct ir_rule *r, const char *p)
{
	match(r, IR_L4PROTO, IR_EQ, p);
}

/* elems: NULL-terminated texts for bt_value(). */
static struct ir_set *set(struct ir_table *t, const char *name,
			  enum ir_field f, unsigned line,
			  const char *const *elems)
{
	struct ir_set *s = ir_set_add(t, name, f, at(line));
	struct ir_value v;

	for (; *elems; elems++) {
		v = bt_value(f, *elems);
		ir_set_add_elem(s, &v, NULL);
		if (!ir_value_is_single(&v, ir_field_info[f].len))
			s->interval = true;
	}
	return s;
}

static void vmap_elem(struct ir_set *s, const char *value,
		      enum ir_verdict_kind kind, const char *chain)
{
	struct ir_verdict v = { .kind = kind };
	struct ir_value val = bt_value(s->field, value);

	v.chain = chain;	/* the tests' names are literals */
	ir_set_add_elem(s, &val, &v);
	if (!ir_value_is_single(&val, ir_field_info[s->field].len))
		s->interval = true;
}

static struct ir_set *vmap(struct ir_table *t, const char *name,
			   enum ir_field f, unsigned line)
{
	struct ir_set *s = ir_set_add(t, name, f, at(line));

	s->is_vmap = true;
	return s;
}

static void verdict(struct ir_rule *r, enum ir_verdict_kind kind,
		    const char *chain)
{
	r->verdict.kind = kind;
	r->verdict.chain = chain;
}

static void reject(struct ir_rule *r, enum ir_reject_kind kind,
		   uint8_t code)
{
	r->verdict.kind = IR_REJECT;
	r->verdict.reject = kind;
	r->verdict.reject_code = code;
}

static void use_vmap(struct ir_rule *r, enum ir_field f, struct ir_set *s)
{
	r->verdict.kind = IR_VMAP;
	r->verdict.vmap_field = f;
	r->verdict.vmap = s;
}

static void limit(struct ir_rule *r, uint64_t rate, enum ir_limit_unit u,
		  uint32_t burst)
{
	r->has_limit = true;
	st(r)->limit = (struct ir_limit){ .rate = rate, .unit = u,
				      .burst = burst };
}

static void log_prefix(struct ir_rule *r, const char *prefix)
{
	r->has_log = true;
	st(r)->log.prefix = prefix;
}

static void named_sets(struct ir_table *t)
{
	static const char *const v4[] = { "10.0.0.0/8", "192.168.1.5",
		"192.168.1.10-192.168.1.20", NULL };
	static const char *const v6[] = { "2001:db8::1",
		"2001:db8::10-2001:db8::20", "fd00::/64", NULL };
	static const char *const ports[] = { "22", "23", "1000-2000",
		"65535", NULL };
	static const char *const ifaces[] = { "lan0", "wg*", NULL };
	static const char *const protos[] = { "6", "17", NULL };
	static const char *const blocked[] = { "203.0.113.7", NULL };
	static const char *const none[] = { NULL };
	struct ir_set *s;

	s = set(t, "admins_v4", IR_IP_SADDR, 1, v4);
	s->timeout_ms = 3600000;
	set(t, "nets_v6", IR_IP6_SADDR, 2, v6);
	set(t, "ports", IR_TH_DPORT, 3, ports);
	set(t, "ifaces", IR_IIFNAME, 4, ifaces);
	set(t, "protos", IR_L4PROTO, 5, protos);
	s = set(t, "blocked", IR_IP_DADDR, 6, blocked);
	s->timeout_ms = 30 * 60000 + 1500;
	s = set(t, "empty", IR_IP6_DADDR, 7, none);
	s->interval = true;
	s = vmap(t, "zone_map", IR_OIFNAME, 8);
	vmap_elem(s, "dmz*", IR_GOTO, "to_dmz");
	vmap_elem(s, "wan0", IR_JUMP, "to_wan");
}

static struct ir_set *anon(struct ir_table *t, enum ir_field f,
			   unsigned line, const char *const *elems)
{
	return set(t, NULL, f, line, elems);
}

/* Interfaces, addresses, ports: every operator and value shape. */
static void input_matches(struct ir_table *t, struct ir_chain *c)
{
	static const char *const sports[] = { "53", "123", NULL };
	struct ir_rule *r;

	r = rule(c, 10);
	proto(r, "6");
	match(r, IR_TH_DPORT, IR_EQ, "22");
	match_set(r, IR_IP_SADDR, IR_EQ, ir_table_find_set(t, "admins_v4"));
	r->counter = true;
	r->comment = strdup("ssh from \"admins\"");
	r->text = "accept input proto tcp to port 22 src @admins_v4";
	verdict(r, IR_ACCEPT, NULL);
	r = rule(c, 11);
	match(r, IR_IIFNAME, IR_EQ, "eth0");
	match(r, IR_OIFNAME, IR_NE, "eth*");
	verdict(r, IR_ACCEPT, NULL);
	r = rule(c, 12);
	match(r, IR_NFPROTO, IR_EQ, "10");
	match(r, IR_IP6_SADDR, IR_EQ, "fd00::/64");
	match(r, IR_IP6_DADDR, IR_NE, "2001:db8::/32");
	verdict(r, IR_ACCEPT, NULL);
	r = rule(c, 13);
	match(r, IR_IP_SADDR, IR_EQ, "10.0.0.1-10.0.0.5");
	match(r, IR_IP_DADDR, IR_NE, "10.1.0.0-10.1.0.9");
	verdict(r, IR_DROP, NULL);
	r = rule(c, 14);
	match(r, IR_IP_SADDR, IR_EQ, "10.16.0.0/12");
	match(r, IR_IP_DADDR, IR_NE, "172.16.0.0/12");
	verdict(r, IR_ACCEPT, NULL);
	r = rule(c, 15);
	proto(r, "17");
	match_set(r, IR_TH_SPORT, IR_EQ, anon(t, IR_TH_SPORT, 15, sports));
	match(r, IR_TH_DPORT, IR_NE, "1000-2000");
	match(r, IR_TH_SPORT, IR_NE, "0-1023");
	verdict(r, IR_ACCEPT, NULL);
}

/* Protocols, ICMP types, ct state, and sets of them. */
static void input_protocols(struct ir_table *t, struct ir_chain *c)
{
	static const char *const icmps[] = { "3", "8", NULL };
	static const char *const adjacent[] = { "10.0.0.0/24",
		"10.0.1.0/24", "10.0.3.1", NULL };
	static const char *const families[] = { "2", "10", NULL };
	static const char *const states[] = { "8", "64", NULL };
	struct ir_rule *r;
	int i;

	r = rule(c, 16);
	proto(r, "1");
	match_set(r, IR_ICMP_TYPE, IR_EQ, anon(t, IR_ICMP_TYPE, 16, icmps));
	limit(r, 10, IR_PER_SECOND, 20);
	verdict(r, IR_ACCEPT, NULL);
	r = rule(c, 17);
	proto(r, "58");
	match(r, IR_ICMPV6_TYPE, IR_EQ, "128");
	limit(r, 5, IR_PER_MINUTE, 0);
	verdict(r, IR_ACCEPT, NULL);
	r = rule(c, 18);
	match(r, IR_ICMP_TYPE, IR_NE, "8");
	verdict(r, IR_DROP, NULL);
	r = rule(c, 19);
	match_set(r, IR_IP_DADDR, IR_NE, anon(t, IR_IP_DADDR, 19, adjacent));
	match_set(r, IR_NFPROTO, IR_EQ, anon(t, IR_NFPROTO, 19, families));
	r->counter = true;
	r = rule(c, 20);
	match_set(r, IR_CT_STATE, IR_EQ, anon(t, IR_CT_STATE, 20, states));
	match_ct(r, IR_NE, IR_CT_INVALID);
	limit(r, 100, IR_PER_HOUR, 0);
	r->counter = true;
	verdict(r, IR_ACCEPT, NULL);
	r = rule(c, 21);
	match(r, IR_L4PROTO, IR_NE, "6");
	match(r, IR_NFPROTO, IR_NE, "2");
	verdict(r, IR_DROP, NULL);
	r = rule(c, 22);
	match(r, IR_ICMPV6_TYPE, IR_EQ, "1-4");
	verdict(r, IR_DROP, NULL);
	r = rule(c, 23);
	match(r, IR_IP6_SADDR, IR_NE, "fd00::1-fd00::5");
	match(r, IR_IP6_DADDR, IR_EQ, "2001:db8:8000::/33");
	verdict(r, IR_DROP, NULL);
	/* Partial context: nft adds only the missing dependency. */
	r = rule(c, 24);
	match(r, IR_NFPROTO, IR_EQ, "2");
	match(r, IR_ICMP_TYPE, IR_EQ, "0");
	verdict(r, IR_ACCEPT, NULL);
	r = rule(c, 25);
	proto(r, "58");
	match(r, IR_IP6_SADDR, IR_EQ, "::1");
	verdict(r, IR_ACCEPT, NULL);
	/* Too long for nft's 128 bytes: cut, never inside a character. */
	r = rule(c, 27);
	r->comment = calloc(1, 301);
	for (i = 0; i < 100; i++)
		strcat(r->comment, "\xc3\xa9\t");	/* é, then a tab */
	r->text = "a source text longer than what fits in the userdata: "
		  "0123456789012345678901234567890123456789012345678901234567"
		  "8901234567890123456789012345678901234567890123456789012345"
		  "67890123456789012345678901234567890123456789";
	r->counter = true;
	r = rule(c, 26);
	match(r, IR_IP_SADDR, IR_EQ, "127.0.0.1");
	match(r, IR_ICMP_TYPE, IR_EQ, "11");
	match(r, IR_IP_DADDR, IR_EQ, "127.0.0.2");
	verdict(r, IR_ACCEPT, NULL);
}

static void input_rejects(struct ir_chain *c)
{
	struct ir_rule *r;

	r = rule(c, 30);
	proto(r, "6");
	match(r, IR_TH_DPORT, IR_EQ, "23");
	log_prefix(r, "telnet: ");
	r->counter = true;
	reject(r, IR_REJECT_DEFAULT, 0);
	r = rule(c, 31);
	proto(r, "17");
	match(r, IR_TH_DPORT, IR_EQ, "24");
	reject(r, IR_REJECT_DEFAULT, 0);
	r = rule(c, 32);
	match(r, IR_IP_SADDR, IR_EQ, "198.51.100.0/24");
	reject(r, IR_REJECT_TCP_RESET, 0);
	r = rule(c, 33);
	match(r, IR_IP_SADDR, IR_EQ, "192.168.0.0/16");
	reject(r, IR_REJECT_ICMP, 1);
	r = rule(c, 34);
	proto(r, "6");
	reject(r, IR_REJECT_ICMP, 10);
	r = rule(c, 35);
	match(r, IR_IP6_SADDR, IR_EQ, "fd00::/8");
	reject(r, IR_REJECT_ICMPV6, 1);
	r = rule(c, 36);
	proto(r, "17");
	reject(r, IR_REJECT_ICMPX, NFT_REJECT_ICMPX_ADMIN_PROHIBITED);
	r = rule(c, 37);
	reject(r, IR_REJECT_ICMPV6, 4);
	r = rule(c, 38);
	match(r, IR_IIFNAME, IR_EQ, "ppp*");
	reject(r, IR_REJECT_ICMPX, NFT_REJECT_ICMPX_NO_ROUTE);
}

static void input_maps(struct ir_table *t, struct ir_chain *c)
{
	struct ir_set *m;
	struct ir_rule *r;

	r = rule(c, 40);
	match_set(r, IR_L4PROTO, IR_EQ, ir_table_find_set(t, "protos"));
	match_set(r, IR_TH_DPORT, IR_NE, ir_table_find_set(t, "ports"));
	verdict(r, IR_ACCEPT, NULL);
	r = rule(c, 41);
	match_set(r, IR_IIFNAME, IR_EQ, ir_table_find_set(t, "ifaces"));
	verdict(r, IR_JUMP, "forward_lan");
	r = rule(c, 42);
	m = vmap(t, NULL, IR_IIFNAME, 42);
	vmap_elem(m, "lan0", IR_GOTO, "forward_lan");
	vmap_elem(m, "lan1", IR_ACCEPT, NULL);
	vmap_elem(m, "wg*", IR_DROP, NULL);
	use_vmap(r, IR_IIFNAME, m);
	r = rule(c, 43);
	match_set(r, IR_IP_SADDR, IR_NE, ir_table_find_set(t, "admins_v4"));
	proto(r, "6");
	m = vmap(t, NULL, IR_TH_DPORT, 43);
	vmap_elem(m, "0-10", IR_ACCEPT, NULL);
	vmap_elem(m, "11-20", IR_DROP, NULL);
	vmap_elem(m, "21-65535", IR_ACCEPT, NULL);
	r->counter = true;
	use_vmap(r, IR_TH_DPORT, m);
	r = rule(c, 44);
	match_set(r, IR_IP_DADDR, IR_EQ, ir_table_find_set(t, "blocked"));
	log_prefix(r, "");
	verdict(r, IR_DROP, NULL);
	r = rule(c, 45);
	use_vmap(r, IR_OIFNAME, ir_table_find_set(t, "zone_map"));
	r = rule(c, 46);
	m = vmap(t, NULL, IR_IP_SADDR, 46);
	vmap_elem(m, "10.0.0.0/24", IR_ACCEPT, NULL);
	vmap_elem(m, "10.0.1.0/24", IR_ACCEPT, NULL);
	use_vmap(r, IR_IP_SADDR, m);
	r = rule(c, 47);
	match_set(r, IR_IP6_SADDR, IR_EQ, ir_table_find_set(t, "nets_v6"));
	limit(r, 1, IR_PER_DAY, 1);
	verdict(r, IR_GOTO, "to_dmz");
	r = rule(c, 48);
	m = vmap(t, NULL, IR_CT_STATE, 48);
	vmap_elem(m, "2", IR_ACCEPT, NULL);
	vmap_elem(m, "4", IR_ACCEPT, NULL);
	vmap_elem(m, "1", IR_DROP, NULL);
	use_vmap(r, IR_CT_STATE, m);
}

static struct ir_nat nat_to(enum ir_nat_kind kind, enum ir_field f,
			    const char *addr, const char *port)
{
	struct ir_nat n = { .kind = kind };

	n.nfproto = f == IR_IP6_DADDR ? NFPROTO_IPV6 : NFPROTO_IPV4;
	if (addr) {
		n.has_addr = true;
		n.addr = bt_value(f, addr);
	}
	if (port) {
		n.has_port = true;
		n.port = bt_value(IR_TH_DPORT, port);
	}
	return n;
}

static struct ir_chain *base(struct ir_table *t, const char *name,
			     enum ir_hook hook, enum ir_chain_type type,
			     int priority)
{
	struct ir_chain *c = ir_chain_add(t, name, hook);

	c->type = type;
	c->priority = priority;
	return c;
}

/* Port forwards of both families, an address range, a redirect. */
static void nat_prerouting(struct ir_table *t)
{
	struct ir_chain *c = base(t, "prerouting", IR_HOOK_PREROUTING,
				  IR_CHAIN_NAT, -100);
	struct ir_rule *r;
	uint32_t local = 2;	/* RTN_LOCAL */

	r = rule(c, 40);
	proto(r, "6");
	match(r, IR_IIFNAME, IR_EQ, "wan0");
	match(r, IR_TH_DPORT, IR_EQ, "8080");
	st(r)->nat = nat_to(IR_NAT_DNAT, IR_IP_DADDR, "192.168.1.10", "80");
	r = rule(c, 41);
	proto(r, "6");
	match(r, IR_TH_DPORT, IR_EQ, "2222");
	st(r)->nat = nat_to(IR_NAT_DNAT, IR_IP6_DADDR, "fd00::10", "22");
	r = rule(c, 42);
	proto(r, "17");
	st(r)->nat = nat_to(IR_NAT_DNAT, IR_IP_DADDR, "10.0.0.1-10.0.0.9", NULL);
	st(r)->nat.persistent = true;
	r = rule(c, 43);
	proto(r, "6");
	match(r, IR_TH_DPORT, IR_EQ, "8443");
	ir_match_add(r, IR_FIB_DADDR_TYPE, IR_EQ);
	memcpy(r->matches[r->n_matches - 1].value.lo, &local, 4);
	memcpy(r->matches[r->n_matches - 1].value.hi, &local, 4);
	st(r)->nat = nat_to(IR_NAT_REDIRECT, IR_IP_DADDR, NULL, "3128");
	c = base(t, "nat_output", IR_HOOK_OUTPUT, IR_CHAIN_NAT, -100);
	r = rule(c, 44);
	proto(r, "17");
	match(r, IR_TH_DPORT, IR_EQ, "53");
	st(r)->nat = nat_to(IR_NAT_REDIRECT, IR_IP_DADDR, NULL, "5353-5360");
	st(r)->nat.random = true;
}

static void nat_postrouting(struct ir_table *t)
{
	struct ir_chain *c = base(t, "postrouting", IR_HOOK_POSTROUTING,
				  IR_CHAIN_NAT, 100);
	struct ir_rule *r;

	r = rule(c, 45);
	match(r, IR_OIFNAME, IR_EQ, "wan0");
	st(r)->nat = nat_to(IR_NAT_MASQ, IR_IP_DADDR, NULL, NULL);
	r = rule(c, 46);
	proto(r, "6");
	match(r, IR_OIFNAME, IR_EQ, "wan0");
	st(r)->nat = nat_to(IR_NAT_MASQ, IR_IP_DADDR, NULL, "10000-20000");
	st(r)->nat.random = st(r)->nat.persistent = true;
	r = rule(c, 47);
	proto(r, "17");
	st(r)->nat = nat_to(IR_NAT_SNAT, IR_IP_DADDR,
			    "198.51.100.1-198.51.100.5", "1024-2000");
	r = rule(c, 48);
	match(r, IR_IP6_SADDR, IR_EQ, "fd00::/64");
	st(r)->nat = nat_to(IR_NAT_SNAT, IR_IP6_DADDR, "2001:db8::1", NULL);
	r = rule(c, 49);
	proto(r, "6");
	ir_match_add(r, IR_CT_STATUS, IR_EQ)->ct_mask = IR_CT_STATUS_DNAT;
	st(r)->nat = nat_to(IR_NAT_MASQ, IR_IP_DADDR, NULL, NULL);
}

/* notrack, ct helper and ct timeout objects and their assignments. */
static void conntrack_rules(struct ir_table *t)
{
	struct ir_object *o;
	struct ir_chain *c;
	struct ir_rule *r;
	unsigned i;

	o = ir_object_get(t, IR_OBJ_CT_HELPER, "ftp-tcp", at(51));
	o->l4proto = IPPROTO_TCP;
	snprintf(o->helper, sizeof(o->helper), "ftp");
	o = ir_object_get(t, IR_OBJ_CT_TIMEOUT, "timeout-1", at(52));
	o->l4proto = IPPROTO_UDP;
	o->timeout[0] = 10;
	o->timeout[1] = 60;
	o = ir_object_get(t, IR_OBJ_CT_TIMEOUT, "timeout-2", at(53));
	o->l4proto = IPPROTO_TCP;
	for (i = 0; i < IR_TIMEOUT_STATES; i++)
		o->timeout[i] = 100 + i;
	c = base(t, "raw_prerouting", IR_HOOK_PREROUTING, IR_CHAIN_FILTER,
		 -300);
	r = rule(c, 50);
	proto(r, "17");
	match(r, IR_TH_DPORT, IR_EQ, "53");
	r->notrack = true;
	c = base(t, "ct_prerouting", IR_HOOK_PREROUTING, IR_CHAIN_FILTER,
		 -150);
	r = rule(c, 51);
	proto(r, "6");
	match(r, IR_TH_DPORT, IR_EQ, "21");
	st(r)->obj_kind = IR_OBJ_CT_HELPER;
	st(r)->obj = "ftp-tcp";
	r = rule(c, 52);
	proto(r, "17");
	st(r)->obj_kind = IR_OBJ_CT_TIMEOUT;
	st(r)->obj = "timeout-1";
	r = rule(c, 53);
	proto(r, "6");
	st(r)->obj_kind = IR_OBJ_CT_TIMEOUT;
	st(r)->obj = "timeout-2";
}

/* ct count, alone and per source address of each family. */
static void conn_limits(struct ir_table *t, struct ir_chain *c)
{
	static const enum ir_field keys[] = { IR_IP_SADDR, IR_IP6_SADDR };
	static const char *const names[] = { "conn-v4", "conn-v6" };
	struct ir_rule *r;
	unsigned i;

	r = rule(c, 54);
	proto(r, "6");
	r->has_connlimit = true;
	st(r)->connlimit.count = 100;
	verdict(r, IR_ACCEPT, NULL);
	for (i = 0; i < 2; i++) {
		r = rule(c, 55 + i);
		proto(r, "6");
		match(r, IR_TH_DPORT, IR_EQ, "22");
		r->has_connlimit = true;
		st(r)->connlimit.count = 3;
		st(r)->connlimit.key = keys[i];
		st(r)->connlimit.set = ir_set_add(t, names[i], keys[i],
						  at(55 + i));
		st(r)->connlimit.set->dynamic = true;
		verdict(r, IR_ACCEPT, NULL);
	}
}

struct ir_table *bt_table_all(void)
{
	struct ir_table *t;
	struct ir_chain *c;
	struct ir_rule *r;

	source = source_register("backend.fw", 64);
	t = ir_table_new(source);
	named_sets(t);
	ir_chain_add(t, "to_wan", IR_HOOK_NONE);
	ir_chain_add(t, "to_dmz", IR_HOOK_NONE);
	c = ir_chain_add(t, "forward_lan", IR_HOOK_NONE);
	r = rule(c, 50);
	verdict(r, IR_ACCEPT, NULL);
	c = ir_chain_add(t, "input", IR_HOOK_INPUT);
	c->policy_drop = true;
	c->policy_loc = at(60);
	match_ct(builtin(c, "stateful"), IR_EQ,
		 IR_CT_ESTABLISHED | IR_CT_RELATED);
	c->rules[0].verdict.kind = IR_ACCEPT;
	r = builtin(c, NULL);
	match_ct(r, IR_EQ, IR_CT_INVALID);
	verdict(r, IR_DROP, NULL);
	input_matches(t, c);
	input_protocols(t, c);
	input_rejects(c);
	input_maps(t, c);
	conn_limits(t, c);
	c = ir_chain_add(t, "forward", IR_HOOK_FORWARD);
	c->priority = -10;
	c->policy_drop = true;
	verdict(rule(c, 61), IR_JUMP, "to_wan");
	c = ir_chain_add(t, "output", IR_HOOK_OUTPUT);
	c->priority = 10;
	rule(c, 62)->counter = true;
	nat_prerouting(t);
	nat_postrouting(t);
	conntrack_rules(t);
	return t;
}

struct ir_table *bt_table_small(void)
{
	static const char *const admins[] = { "10.0.0.0/8", "127.0.0.1", NULL };
	struct ir_table *t;
	struct ir_chain *c;
	struct ir_rule *r;

	source = source_register("backend-small.fw", 16);
	t = ir_table_new(source);
	set(t, "admins", IR_IP_SADDR, 1, admins);
	c = ir_chain_add(t, "input", IR_HOOK_INPUT);
	r = builtin(c, "invalid");
	match_ct(r, IR_EQ, IR_CT_INVALID);
	verdict(r, IR_DROP, NULL);
	r = rule(c, 2);
	proto(r, "17");
	match_set(r, IR_IP_SADDR, IR_EQ, ir_table_find_set(t, "admins"));
	r->counter = true;
	r->text = "accept input proto udp src @admins";
	verdict(r, IR_ACCEPT, NULL);
	r = rule(c, 3);
	proto(r, "6");
	match(r, IR_TH_DPORT, IR_EQ, "22");
	r->text = "accept input proto tcp to port 22";
	verdict(r, IR_ACCEPT, NULL);
	c = ir_chain_add(t, "output", IR_HOOK_OUTPUT);
	rule(c, 4)->counter = true;
	return t;
}

/* n_rules rules "ip saddr 10.x.y.z accept" and a set of n_elems /32s. */
struct ir_table *bt_table_big(size_t n_rules, size_t n_elems)
{
	struct ir_table *t;
	struct ir_chain *c;
	struct ir_rule *r;
	struct ir_set *s;
	struct ir_value v;
	size_t i;

	source = source_register("backend-big.fw", 1);
	t = ir_table_new(source);
	s = ir_set_add(t, "big", IR_IP_DADDR, at(1));
	s->interval = true;
	for (i = 0; i < n_elems; i++) {
		uint32_t a = htonl(0x0b000000u + 2 * (uint32_t)i);

		memset(&v, 0, sizeof(v));
		memcpy(v.lo, &a, 4);
		memcpy(v.hi, &a, 4);
		ir_set_add_elem(s, &v, NULL);
	}
	c = ir_chain_add(t, "input", IR_HOOK_INPUT);
	r = rule(c, 1);
	match_set(r, IR_IP_DADDR, IR_EQ, s);
	verdict(r, IR_DROP, NULL);
	for (i = 1; i < n_rules; i++) {
		uint32_t a = htonl(0x0a000000u + (uint32_t)i);

		r = rule(c, 1);
		memset(&v, 0, sizeof(v));
		memcpy(v.lo, &a, 4);
		memcpy(v.hi, &a, 4);
		ir_match_add(r, IR_IP_SADDR, IR_EQ)->value = v;
		r->counter = true;
		verdict(r, IR_ACCEPT, NULL);
	}
	return t;
}
