// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The front end from text to IR: every statement form, and the IR shape of
 * representative rules, written as one line per IR rule so that a test
 * reads like the rule set it expects.
 */
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "compile.h"
#include "diag.h"
#include "fwctl/udata.h"
#include "unit.h"

static const char *const field_names[IR_FIELD_COUNT] = {
	[IR_IIFNAME] = "iif", [IR_OIFNAME] = "oif",
	[IR_NFPROTO] = "nfproto", [IR_L4PROTO] = "l4proto",
	[IR_IP_SADDR] = "saddr", [IR_IP_DADDR] = "daddr",
	[IR_IP6_SADDR] = "saddr6", [IR_IP6_DADDR] = "daddr6",
	[IR_TH_SPORT] = "sport", [IR_TH_DPORT] = "dport",
	[IR_CT_STATE] = "ct", [IR_ICMP_TYPE] = "icmp",
	[IR_ICMPV6_TYPE] = "icmpv6", [IR_CT_STATUS] = "ctstatus",
	[IR_FIB_DADDR_TYPE] = "fibtype",
};

struct buf {
	char	s[8192];
	size_t	n;
};

static void put(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	if (b->n >= sizeof(b->s))
		return;
	va_start(ap, fmt);
	b->n += (size_t)vsnprintf(b->s + b->n, sizeof(b->s) - b->n, fmt, ap);
	va_end(ap);
}

static void put_ifname(struct buf *b, const struct ir_value *v)
{
	size_t n = strnlen((const char *)v->lo, IFNAMSIZ);

	put(b, "%.*s%s", (int)n, (const char *)v->lo,
	    v->hi[IFNAMSIZ - 1] == 0xff ? "*" : "");
}

static void put_addr(struct buf *b, int af, const struct ir_value *v,
		     unsigned len)
{
	char s[INET6_ADDRSTRLEN];
	unsigned plen;

	put(b, "%s", inet_ntop(af, v->lo, s, sizeof(s)));
	if (ir_value_is_single(v, len))
		return;
	if (ir_value_is_prefix(v, len, &plen))
		put(b, "/%u", plen);
	else
		put(b, "-%s", inet_ntop(af, v->hi, s, sizeof(s)));
}

static void put_value(struct buf *b, enum ir_field f, const struct ir_value *v)
{
	unsigned len = ir_field_info[f].len;

	if (f == IR_IIFNAME || f == IR_OIFNAME)
		put_ifname(b, v);
	else if (len == 4 && f != IR_CT_STATE && f != IR_CT_STATUS &&
		 f != IR_FIB_DADDR_TYPE)
		put_addr(b, AF_INET, v, len);
	else if (len == 16)
		put_addr(b, AF_INET6, v, len);
	else if (len == 2 && ir_value_is_single(v, 2))
		put(b, "%u", v->lo[0] << 8 | v->lo[1]);
	else if (len == 2)
		put(b, "%u-%u", v->lo[0] << 8 | v->lo[1],
		    v->hi[0] << 8 | v->hi[1]);
	else
		put(b, "%u", v->lo[0]);
}

static void put_set(struct buf *b, const struct ir_set *s, enum ir_field f)
{
	size_t i;

	if (!s->anonymous) {
		put(b, "@%s", s->name);
		return;
	}
	put(b, "{");
	for (i = 0; i < s->n_elems; i++) {
		put(b, i ? "," : "");
		put_value(b, f, &s->elems[i].value);
		if (s->is_vmap)
			put(b, ":%s", s->elems[i].verdict.chain ?
				      s->elems[i].verdict.chain : "");
	}
	put(b, "}");
}

static void put_match(struct buf *b, const struct ir_match *m)
{
	put(b, "%s%s", field_names[m->field], m->op == IR_NE ? "!=" : " ");
	if (m->field == IR_CT_STATE || m->field == IR_CT_STATUS)
		put(b, "0x%x", m->ct_mask);
	else if (m->set)
		put_set(b, m->set, m->field);
	else
		put_value(b, m->field, &m->value);
	put(b, " ");
}

static void put_verdict(struct buf *b, const struct ir_verdict *v)
{
	static const char *const kinds[] = {
		[IR_VERDICT_NONE] = "continue", [IR_ACCEPT] = "accept",
		[IR_DROP] = "drop", [IR_REJECT] = "reject",
		[IR_JUMP] = "jump", [IR_GOTO] = "goto", [IR_VMAP] = "vmap",
	};
	static const char *const rejects[] = {
		[IR_REJECT_DEFAULT] = "default", [IR_REJECT_TCP_RESET] = "tcp",
		[IR_REJECT_ICMPX] = "icmpx", [IR_REJECT_ICMP] = "icmp",
		[IR_REJECT_ICMPV6] = "icmpv6",
	};

	put(b, "%s", kinds[v->kind]);
	if (v->kind == IR_REJECT)
		put(b, " %s %u", rejects[v->reject], v->reject_code);
	if (v->kind == IR_VMAP) {
		put(b, " %s", field_names[v->vmap_field]);
		put_set(b, v->vmap, v->vmap_field);
	}
}

static void put_rule(struct buf *b, const struct ir_rule *r)
{
	const struct ir_stmts *st = ir_rule_st(r);
	size_t i;

	for (i = 0; i < r->n_matches; i++)
		put_match(b, &r->matches[i]);
	if (r->has_limit)
		put(b, "limit %llu/%u burst %u ", (unsigned long long)
		    st->limit.rate, st->limit.unit, st->limit.burst);
	if (r->has_log)
		put(b, "log \"%s\" ", st->log.prefix);
	if (r->counter)
		put(b, "counter ");
	put_verdict(b, &r->verdict);
	put(b, "\n");
}

/* The chain's rules, one per line, built-ins left out. */
static const char *rules(const struct ir_table *t, const char *chain)
{
	static struct buf b;
	const struct ir_chain *c = t ? ir_table_find_chain(t, chain) : NULL;
	size_t i;

	b.n = 0;
	b.s[0] = '\0';
	if (!c)
		return "(no such chain)";
	for (i = 0; i < c->n_rules; i++)
		if (!c->rules[i].why || !strcmp(c->rules[i].why,
						"zone-dispatch"))
			put_rule(&b, &c->rules[i]);
	return b.s;
}

static const char *set_elems(const struct ir_table *t, const char *name)
{
	static struct buf b;
	const struct ir_set *s = ir_table_find_set(t, name);
	size_t i;

	b.n = 0;
	b.s[0] = '\0';
	if (!s)
		return "(no such set)";
	for (i = 0; i < s->n_elems; i++) {
		put(&b, i ? "," : "");
		put_value(&b, s->field, &s->elems[i].value);
	}
	return b.s;
}

static FILE *diag_out;
static char *diag_buf;
static size_t diag_len;

static struct ir_table *compile(const char *text)
{
	fclose(diag_out);
	free(diag_buf);
	diag_out = open_memstream(&diag_buf, &diag_len);
	diag_set_stream(diag_out);
	diag_reset();
	return compile_buffer("p.fw", text, strlen(text));
}

static const char *diagnostics(void)
{
	fflush(diag_out);
	return diag_buf;
}

/* Compiles text, which must be correct, and checks one chain. */
static void expect(const char *text, const char *chain, const char *want)
{
	struct ir_table *t = compile(text);

	if (!CHECK(t))
		fprintf(stderr, "  %s\n%s", text, diagnostics());
	else if (!CHECK_STREQ(rules(t, chain), want))
		fprintf(stderr, "  for: %s\n", text);
	ir_table_free(t);
}

static void test_builtins(void)
{
	struct ir_table *t = compile("policy input drop\n");
	const struct ir_chain *in, *fwd, *out;

	if (!CHECK(t))
		return;
	CHECK_EQ(t->n_chains, 3);
	in = t->chains[0];
	fwd = t->chains[1];
	out = t->chains[2];
	CHECK_STREQ(in->name, "input");
	CHECK_EQ(in->hook, IR_HOOK_INPUT);
	CHECK_EQ(fwd->hook, IR_HOOK_FORWARD);
	CHECK_EQ(out->hook, IR_HOOK_OUTPUT);
	CHECK(in->policy_drop && !fwd->policy_drop && !out->policy_drop);
	CHECK_EQ(in->policy_loc.line, 1);
	CHECK(!fwd->policy_loc.file);
	CHECK_EQ(in->n_rules, 3);
	CHECK_EQ(fwd->n_rules, 2);
	CHECK_EQ(out->n_rules, 3);
	CHECK_STREQ(in->rules[0].why, "stateful");
	CHECK_STREQ(in->rules[2].why, "ipv6-nd");
	CHECK(!in->rules[0].loc.file && !in->rules[0].text);
	CHECK(in->rules[0].counter && in->rules[1].counter);
	CHECK_EQ(in->rules[0].matches[0].ct_mask,
		 IR_CT_ESTABLISHED | IR_CT_RELATED);
	CHECK_EQ(in->rules[0].verdict.kind, IR_ACCEPT);
	CHECK_EQ(in->rules[1].matches[0].ct_mask, IR_CT_INVALID);
	CHECK_EQ(in->rules[1].verdict.kind, IR_DROP);
	{
		struct buf b = { .n = 0 };

		put_rule(&b, &in->rules[2]);
		CHECK_STREQ(b.s,
			    "l4proto 58 icmpv6 {133,134,135,136} accept\n");
	}
	ir_table_free(t);
}

static void test_protocols(void)
{
	expect("accept input dport 22", "input",
	       "l4proto {6,17} dport 22 accept\n");
	expect("accept input proto tcp to port { 22, 80-90, 85 }", "input",
	       "l4proto 6 dport {22,80-90} accept\n");
	expect("accept input proto { udp, tcp } sport 53", "input",
	       "l4proto {6,17} sport 53 accept\n");
	expect("accept input proto 132 dport 9", "input",
	       "l4proto 132 dport 9 accept\n");
	expect("accept input proto any", "input", "accept\n");
	expect("drop input proto !udp", "input", "l4proto!=17 drop\n");
	expect("accept input icmp type echo-request,echo-reply", "input",
	       "nfproto 2 l4proto 1 icmp {0,8} accept\n");
	expect("accept input icmpv6 type { 128 }", "input",
	       "nfproto 10 l4proto 58 icmpv6 128 accept\n");
	expect("accept input proto icmp", "input",
	       "nfproto 2 l4proto 1 accept\n");
	expect("accept input ct state established, related", "input",
	       "ct 0x6 accept\n");
	expect("accept input ct state { new }", "input", "ct 0x8 accept\n");
	expect("accept input to port ssh from port 1024-65535", "input",
	       "l4proto {6,17} sport 1024-65535 dport 22 accept\n");
}

static void test_reject(void)
{
	expect("reject input", "input", "l4proto 6 reject tcp 0\n"
	       "reject icmpx 1\n");
	expect("reject input dport 23", "input",
	       "l4proto 6 dport 23 reject tcp 0\n"
	       "l4proto {6,17} dport 23 reject icmpx 1\n");
	expect("reject input proto tcp", "input", "l4proto 6 reject tcp 0\n");
	expect("reject input proto udp", "input",
	       "l4proto 17 reject icmpx 1\n");
	expect("reject input proto !tcp", "input",
	       "l4proto!=6 reject icmpx 1\n");
	expect("reject input proto !udp", "input", "l4proto 6 reject tcp 0\n"
	       "l4proto!=17 reject icmpx 1\n");
	expect("reject input with tcp-reset dport 1", "input",
	       "l4proto 6 dport 1 reject tcp 0\n");
	expect("reject input proto udp with icmpx admin-prohibited", "input",
	       "l4proto 17 reject icmpx 3\n");
	expect("reject input with icmp host-unreachable", "input",
	       "nfproto 2 reject icmp 1\n");
	expect("reject input src fd00::/8 with icmpv6 admin-prohibited",
	       "input", "saddr6 fd00::/8 reject icmpv6 1\n");
	expect("reject input src { 10.0.0.1, fd00::1 }", "input",
	       "l4proto 6 saddr 10.0.0.1 reject tcp 0\n"
	       "saddr 10.0.0.1 reject icmpx 1\n"
	       "l4proto 6 saddr6 fd00::1 reject tcp 0\n"
	       "saddr6 fd00::1 reject icmpx 1\n");
}

static void test_families(void)
{
	expect("accept input src { 10.0.0.0/8, fd00::/8, 10.1.0.0/16 }",
	       "input", "saddr 10.0.0.0/8 accept\nsaddr6 fd00::/8 accept\n");
	expect("accept input src { 10.0.0.1, 10.0.0.2, fd00::1 } proto icmp",
	       "input", "l4proto 1 saddr {10.0.0.1,10.0.0.2} accept\n");
	expect("accept forward src 10.0.0.1 dst { 10.0.0.2, fd00::2 }",
	       "forward", "saddr 10.0.0.1 daddr 10.0.0.2 accept\n");
	expect("accept output dst !{ 10.0.0.0/8, fd00::/8 } dport 80",
	       "output", "l4proto {6,17} daddr!=10.0.0.0/8 dport 80 accept\n"
	       "l4proto {6,17} daddr6!=fd00::/8 dport 80 accept\n");
	expect("accept input src 10.0.0.1-10.0.0.9", "input",
	       "saddr 10.0.0.1-10.0.0.9 accept\n");
}

static void test_sets(void)
{
	struct ir_table *t = compile(
		"set admins = { 192.168.1.5, 192.168.1.6, 10.0.0.0/8, "
		"10.1.0.0/16, fd00::/8 }\n"
		"set ports = { 22, 80-90, 85-100, 443, 22 }\n"
		"set svc = { ssh, http }\n"
		"set ifs = { eth0, \"wg*\", wg0 }\n"
		"set exact = { eth1, eth0 }\n"
		"set v4 type ipv4 timeout 1h30m\n"
		"set both type addr\n"
		"accept input src @admins dport @ports iif @ifs\n"
		"drop input dst !@both sport @svc\n");
	const struct ir_set *s;

	if (!CHECK(t)) {
		fprintf(stderr, "%s", diagnostics());
		return;
	}
	CHECK_STREQ(set_elems(t, "admins_v4"),
		    "10.0.0.0/8,192.168.1.5-192.168.1.6");
	CHECK_STREQ(set_elems(t, "admins_v6"), "fd00::/8");
	CHECK_STREQ(set_elems(t, "ports"), "22,80-100,443");
	CHECK_STREQ(set_elems(t, "svc"), "22,80");
	CHECK_STREQ(set_elems(t, "ifs"), "eth0,wg*");
	CHECK_STREQ(set_elems(t, "exact"), "eth0,eth1");
	CHECK(!ir_table_find_set(t, "admins"));
	CHECK(ir_table_find_set(t, "v4_v4") && !ir_table_find_set(t, "v4_v6"));
	CHECK(ir_table_find_set(t, "both_v4") &&
	      ir_table_find_set(t, "both_v6"));
	s = ir_table_find_set(t, "admins_v4");
	CHECK(s && s->interval && s->field == IR_IP_SADDR);
	s = ir_table_find_set(t, "admins_v6");
	CHECK(s && s->interval && s->field == IR_IP6_SADDR);
	s = ir_table_find_set(t, "ports");
	CHECK(s && s->interval && s->field == IR_TH_DPORT);
	s = ir_table_find_set(t, "svc");
	CHECK(s && !s->interval);
	s = ir_table_find_set(t, "ifs");
	CHECK(s && s->interval && s->field == IR_IIFNAME);
	s = ir_table_find_set(t, "exact");
	CHECK(s && !s->interval && s->field == IR_IIFNAME);
	s = ir_table_find_set(t, "v4_v4");
	CHECK(s && s->interval && s->timeout_ms == 5400000 && !s->n_elems);
	CHECK_STREQ(t->sets[0]->name, "admins_v4");
	CHECK_STREQ(rules(t, "input"),
		    "l4proto {6,17} iif @ifs saddr @admins_v4 dport @ports "
		    "accept\n"
		    "l4proto {6,17} iif @ifs saddr6 @admins_v6 dport @ports "
		    "accept\n"
		    "l4proto {6,17} daddr!=@both_v4 sport @svc drop\n"
		    "l4proto {6,17} daddr6!=@both_v6 sport @svc drop\n");
	ir_table_free(t);
}

static void test_anonymous(void)
{
	const struct ir_rule *r;
	struct ir_table *t = compile("accept forward dport { 80, 443 } "
				     "iif { eth0, eth0 } oif { a*, b }");

	if (!CHECK(t))
		return;
	CHECK_STREQ(rules(t, "forward"),
		    "l4proto {6,17} iif eth0 oif {a*,b} dport {80,443} "
		    "accept\n");
	r = &t->chains[1]->rules[2];
	CHECK(r->matches[0].set && r->matches[0].set->anonymous &&
	      !r->matches[0].set->interval);
	CHECK(!r->matches[1].set);
	CHECK(r->matches[2].set && r->matches[2].set->interval);
	CHECK(r->matches[3].set && !r->matches[3].set->interval);
	ir_table_free(t);
}

static const char zones[] =
	"zone lan  { interfaces lan0, lan1; networks 192.168.1.0/24, "
	"fd00:1::/64 }\n"
	"zone dmz  { interfaces dmz* }\n"
	"zone wan  { interfaces wan0 }\n"
	"zone mgmt { networks 192.168.1.10 }\n";

static void test_zone_dispatch(void)
{
	char text[2048];
	struct ir_table *t;
	size_t i;

	snprintf(text, sizeof(text), "%s%s", zones,
		 "accept forward from lan to wan\n"
		 "accept forward from wan to dmz dport 80\n"
		 "accept forward from mgmt\n"
		 "drop forward from !dmz to dmz\n"
		 "accept forward proto icmp\n"
		 "accept input from lan proto tcp to port 22 src 192.168.1.7\n"
		 "accept input from !wan\n");
	t = compile(text);
	if (!CHECK(t)) {
		fprintf(stderr, "%s", diagnostics());
		return;
	}
	CHECK_EQ(t->n_chains, 6);
	CHECK_STREQ(t->chains[0]->name, "input_lan");
	CHECK_STREQ(t->chains[1]->name, "forward_lan");
	CHECK_STREQ(t->chains[2]->name, "forward_wan");
	for (i = 0; i < 3; i++)
		CHECK_EQ(t->chains[i]->hook, IR_HOOK_NONE);
	CHECK_STREQ(t->chains[3]->name, "input");
	CHECK_STREQ(rules(t, "forward"),
		    "vmap iif{lan0:forward_lan,lan1:forward_lan,"
		    "wan0:forward_wan}\n"
		    "saddr 192.168.1.10 accept\n"
		    "iif!=dmz* oif dmz* drop\n"
		    "nfproto 2 l4proto 1 accept\n");
	CHECK_STREQ(rules(t, "forward_lan"),
		    "oif wan0 saddr 192.168.1.0/24 accept\n"
		    "oif wan0 saddr6 fd00:1::/64 accept\n"
		    "saddr 192.168.1.10 accept\n"
		    "oif dmz* drop\n"
		    "nfproto 2 l4proto 1 accept\n");
	CHECK_STREQ(rules(t, "forward_wan"),
		    "l4proto {6,17} oif dmz* dport 80 accept\n"
		    "saddr 192.168.1.10 accept\n"
		    "oif dmz* drop\n"
		    "nfproto 2 l4proto 1 accept\n");
	CHECK_STREQ(rules(t, "input"),
		    "vmap iif{lan0:input_lan,lan1:input_lan}\n"
		    "iif!=wan0 accept\n");
	CHECK_STREQ(rules(t, "input_lan"),
		    "l4proto 6 saddr 192.168.1.0/24 saddr 192.168.1.7 "
		    "dport 22 accept\n"
		    "accept\n");
	CHECK(t->chains[4]->rules[2].verdict.vmap->is_vmap);
	CHECK(t->chains[4]->rules[2].verdict.vmap->anonymous);
	ir_table_free(t);
}

static void test_zones_plain(void)
{
	char text[2048];

	/* No dispatch without a positive `from ZONE` with interfaces. */
	snprintf(text, sizeof(text), "%s%s", zones,
		 "accept forward to lan from mgmt\n"
		 "accept output to lan\n"
		 "drop forward from !lan0only\n"
		 "zone lan0only { interfaces x0 }\n");
	expect(text, "forward",
	       "oif {lan0,lan1} saddr 192.168.1.10 daddr 192.168.1.0/24 "
	       "accept\n"
	       "iif!=x0 drop\n");
	expect(text, "output", "oif {lan0,lan1} daddr 192.168.1.0/24 accept\n"
	       "oif {lan0,lan1} daddr6 fd00:1::/64 accept\n");
	/* A dispatched zone with a wildcard: the verdict map has intervals. */
	snprintf(text, sizeof(text), "%s%s", zones, "accept input from dmz\n");
	expect(text, "input", "vmap iif{dmz*:input_dmz}\n");
}

static void test_statements(void)
{
	struct ir_table *t;
	const struct ir_rule *r;

	expect("accept input limit 10/second burst 20 counter", "input",
	       "limit 10/0 burst 20 counter accept\n");
	expect("drop forward log", "forward",
	       "log \"fwctl forward drop: \" drop\n");
	expect("reject output log \"x: \" limit 1/day", "output",
	       "l4proto 6 limit 1/3 burst 0 log \"x: \" reject tcp 0\n"
	       "limit 1/3 burst 0 log \"x: \" reject icmpx 1\n");
	t = compile("accept input \\\n   proto tcp   # ssh\n"
		    "accept input comment \"a \\\"b\\\"\" dport { 1,\n 2 }");
	if (!CHECK(t))
		return;
	r = &t->chains[0]->rules[3];
	CHECK_STREQ(r->text, "accept input proto tcp");
	CHECK_EQ(r->loc.line, 1);
	CHECK_EQ(r->loc.col, 1);
	CHECK(r->comment == NULL);
	r = &t->chains[0]->rules[4];
	CHECK_STREQ(r->text,
		    "accept input comment \"a \\\"b\\\"\" dport { 1, 2 }");
	CHECK_STREQ(r->comment, "a \"b\"");
	CHECK_EQ(r->loc.line, 3);
	ir_table_free(t);
}

static void test_macros(void)
{
	expect("define web = { 80, 443 }\ndefine all = { $web, 8080 }\n"
	       "define host = 10.0.0.1\ndefine s = @blocked\n"
	       "set blocked type ipv4\n"
	       "accept input dport $all src $host\n"
	       "drop input src $s\n", "input",
	       "l4proto {6,17} saddr 10.0.0.1 dport {80,443,8080} accept\n"
	       "saddr @blocked_v4 drop\n");
	expect("zone lan { interfaces $ifs }\ndefine ifs = { a0, a1 }\n"
	       "define z = lan\naccept input from $z", "input",
	       "vmap iif{a0:input_lan,a1:input_lan}\n");
}

static void test_order_and_text(void)
{
	char text[600];
	struct ir_table *t;
	size_t n;

	expect("accept input dport 1\ndrop input dport 2\n"
	       "accept input dport 3", "input",
	       "l4proto {6,17} dport 1 accept\nl4proto {6,17} dport 2 drop\n"
	       "l4proto {6,17} dport 3 accept\n");
	memset(text, 0, sizeof(text));
	n = (size_t)snprintf(text, sizeof(text), "accept input comment \"");
	memset(text + n, 'x', 100);
	memcpy(text + n + 100, "\" log \"", 7);
	memset(text + n + 107, 'y', 100);
	strcat(text, "\"");
	t = compile(text);
	if (CHECK(t)) {
		const char *s = t->chains[0]->rules[3].text;

		CHECK_EQ(strlen(s), FWCTL_UDATA_TEXT_MAX - 1);
		CHECK(!strncmp(s, text, FWCTL_UDATA_TEXT_MAX - 1));
	}
	ir_table_free(t);
}

static void test_recovery(void)
{
	struct ir_table *t = compile(
		"acept input\n"
		"accept input dport 70000\n"
		"zone lan { interfaces a0 ; oops b }\n"
		"accept input from lan\n"
		"accept input proto tcp; drop input from nowhere\n"
		"set s = { 1, 2 \n 3 }\n"
		"accept input dport 22\n");

	CHECK(!t);
	CHECK_EQ(diag_error_count(), 5);
	CHECK(strstr(diagnostics(), "p.fw:1:1: error: unknown keyword "
		     "'acept'"));
	CHECK(strstr(diagnostics(), "p.fw:2:20: error: port 70000 out of "));
	CHECK(strstr(diagnostics(), "p.fw:3:28: error: expected 'interfaces'"));
	CHECK(!strstr(diagnostics(), "unknown zone 'lan'"));
	CHECK(strstr(diagnostics(), "p.fw:5:41: error: unknown zone "
		     "'nowhere'"));
	CHECK(strstr(diagnostics(), "p.fw:7:2: error: expected ',' or '}', "
		     "found '3'"));
}

static void test_include(void)
{
	char dir[] = "/tmp/fwctl-parser-XXXXXX", path[256];
	struct ir_table *t;
	FILE *f;

	if (!CHECK(mkdtemp(dir)))
		return;
	snprintf(path, sizeof(path), "%s/sub", dir);
	CHECK(mkdir(path, 0700) == 0);
	snprintf(path, sizeof(path), "%s/sub/zones.fw", dir);
	f = fopen(path, "w");
	fputs("zone lan { interfaces l0 }\ndefine p = 22\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/main.fw", dir);
	f = fopen(path, "w");
	fputs("include \"sub/zones.fw\"\naccept input from lan dport $p\n", f);
	fclose(f);
	ir_table_free(compile(""));
	t = compile_file(path);
	if (CHECK(t)) {
		CHECK_STREQ(rules(t, "input_lan"),
			    "l4proto {6,17} dport 22 accept\n");
		CHECK_STREQ(t->source, path);
	}
	ir_table_free(t);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sub/zones.fw", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sub", dir);
	rmdir(path);
	rmdir(dir);
}

/* A set of 100,000 addresses must not be quadratic anywhere. */
static void test_big_set(void)
{
	size_t cap = 100000 * 20 + 64, n, i;
	char *text = malloc(cap);
	struct ir_table *t;
	clock_t start;

	n = (size_t)snprintf(text, cap, "set big = {");
	for (i = 0; i < 100000; i++)
		n += (size_t)snprintf(text + n, cap - n, "%s10.%zu.%zu.%zu",
				      i ? ", " : "", (i * 7919) % 251,
				      (i >> 8) & 255, i & 255);
	snprintf(text + n, cap - n, " }\naccept input src @big\n");
	start = clock();
	t = compile(text);
	CHECK(t);
	CHECK((clock() - start) / CLOCKS_PER_SEC < 5);
	if (t)
		CHECK(ir_table_find_set(t, "big_v4")->n_elems > 0);
	ir_table_free(t);
	free(text);
}

#define NAT_ZONES \
	"zone lan { interfaces lan0; networks 192.168.1.0/24, fd00:1::/64 }\n" \
	"zone wan { interfaces wan0 }\n"

static const struct ir_rule *first_rule(const struct ir_table *t,
					const char *chain)
{
	const struct ir_chain *c = ir_table_find_chain(t, chain);
	size_t i;

	for (i = 0; c && i < c->n_rules; i++)
		if (!c->rules[i].why)
			return &c->rules[i];
	return NULL;
}

/* Chains of their own, made only when used, with the hook of each kind. */
static void test_nat_chains(void)
{
	struct ir_table *t = compile(NAT_ZONES
		"masquerade from lan to wan\n"
		"dnat proto tcp to port 80 -> 10.0.0.1\n"
		"notrack from lan\n"
		"helper ftp to port 21\n");
	const struct ir_chain *c;

	if (!CHECK(t))
		return;
	CHECK_EQ(t->n_chains, 3 + 6);
	c = ir_table_find_chain(t, "prerouting");
	CHECK(c && c->hook == IR_HOOK_PREROUTING && c->type == IR_CHAIN_NAT &&
	      c->priority == -100);
	c = ir_table_find_chain(t, "postrouting");
	CHECK(c && c->hook == IR_HOOK_POSTROUTING && c->priority == 100);
	c = ir_table_find_chain(t, "nat_output");
	CHECK(c && c->hook == IR_HOOK_OUTPUT && c->type == IR_CHAIN_NAT);
	c = ir_table_find_chain(t, "raw_prerouting");
	CHECK(c && c->type == IR_CHAIN_FILTER && c->priority == -300);
	CHECK(!ir_table_find_chain(t, "raw_output"));	/* from lan */
	c = ir_table_find_chain(t, "ct_output");
	CHECK(c && c->priority == -150 && c->n_rules == 1);
	CHECK_STREQ(rules(t, "raw_prerouting"),
		    "iif lan0 saddr 192.168.1.0/24 continue\n"
		    "iif lan0 saddr6 fd00:1::/64 continue\n");
	CHECK(first_rule(t, "raw_prerouting")->notrack);
	ir_table_free(t);
}

static void test_nat_targets(void)
{
	struct ir_table *t = compile(NAT_ZONES
		"define web = 192.168.1.10\n"
		"dnat wan tcp 8080 -> $web:80 nopass\n"
		"dnat from wan proto udp to port 53 -> [fd00:1::5]:5353\n"
		"snat from lan to wan proto tcp -> "
		"198.51.100.1-198.51.100.5:1024-2000\n"
		"masquerade from lan to wan proto tcp ports 2000-3000 "
		"random\n");
	const struct ir_chain *pre, *post;
	const struct ir_nat *n;

	if (!CHECK(t))
		return;
	pre = ir_table_find_chain(t, "prerouting");
	post = ir_table_find_chain(t, "postrouting");
	if (!CHECK(pre && pre->n_rules == 2 && post && post->n_rules == 3))
		return;
	n = &ir_rule_st(&pre->rules[0])->nat;
	CHECK(n->kind == IR_NAT_DNAT && n->nfproto == NFPROTO_IPV4);
	CHECK(n->has_addr && n->addr.lo[3] == 10 && n->has_port &&
	      n->port.lo[1] == 80);
	n = &ir_rule_st(&pre->rules[1])->nat;
	CHECK(n->nfproto == NFPROTO_IPV6 && n->addr.lo[15] == 5 &&
	      (n->port.lo[0] << 8 | n->port.lo[1]) == 5353);
	/* Each target made its rule of that family only. */
	CHECK_STREQ(rules(t, "prerouting"),
		    "nfproto 2 l4proto 6 iif wan0 dport 8080 continue\n"
		    "nfproto 10 l4proto 17 iif wan0 dport 53 continue\n");
	n = &ir_rule_st(&post->rules[0])->nat;
	CHECK(n->kind == IR_NAT_SNAT && n->addr.hi[3] == 5 &&
	      (n->port.hi[0] << 8 | n->port.hi[1]) == 2000);
	n = &ir_rule_st(&post->rules[1])->nat;
	CHECK(n->kind == IR_NAT_MASQ && n->random && !n->persistent &&
	      !n->has_addr && n->has_port);
	/* nopass: only the IPv6 forward opens the forward chain. */
	CHECK_STREQ(rules(t, "forward"),
		    "l4proto 17 iif wan0 daddr6 fd00:1::5 dport 5353 "
		    "ctstatus 0x20 accept\n");
	ir_table_free(t);
}

static void test_nat_reflect(void)
{
	struct ir_table *t = compile(NAT_ZONES
		"dnat wan tcp 8080 -> 192.168.1.10:80 reflect\n");

	if (!CHECK(t))
		return;
	CHECK_STREQ(rules(t, "prerouting"),
		    "nfproto 2 l4proto 6 iif wan0 dport 8080 continue\n"
		    "nfproto 2 l4proto 6 dport 8080 fibtype 2 continue\n");
	CHECK_STREQ(rules(t, "postrouting"),
		    "l4proto 6 iif!=wan0 daddr 192.168.1.10 dport 80 "
		    "ctstatus 0x20 continue\n");
	CHECK_STREQ(rules(t, "forward"),
		    "l4proto 6 daddr 192.168.1.10 dport 80 ctstatus 0x20 "
		    "accept\n");
	CHECK(!ir_table_find_chain(t, "nat_output"));
	ir_table_free(t);
}

static void test_conntrack_objects(void)
{
	struct ir_table *t = compile(NAT_ZONES
		"helper ftp to port 21\nhelper ftp from lan to port 2121\n"
		"helper sip proto tcp\n"
		"ct timeout tcp established 2h close 5s\n"
		"ct timeout udp replied 1m\n"
		"accept input limit connections 3 per src\n"
		"accept input limit connections 7\n");
	const struct ir_stmts *st;
	const struct ir_rule *r;

	if (!CHECK(t))
		return;
	/* ftp-tcp once for both rules; sip over tcp is its own object. */
	if (!CHECK_EQ(t->n_objects, 4))
		return;
	CHECK_STREQ(t->objects[0]->name, "ftp-tcp");
	CHECK_STREQ(t->objects[0]->helper, "ftp");
	CHECK_EQ(t->objects[0]->l4proto, IPPROTO_TCP);
	CHECK_STREQ(t->objects[1]->name, "sip-tcp");
	CHECK_STREQ(t->objects[2]->name, "timeout-1");
	CHECK_EQ(t->objects[2]->timeout[2], 7200);	/* established */
	CHECK_EQ(t->objects[2]->timeout[7], 5);		/* close */
	CHECK_EQ(t->objects[2]->timeout[0], 120);	/* syn_sent default */
	CHECK_EQ(t->objects[3]->timeout[0], 30);	/* unreplied default */
	CHECK_EQ(t->objects[3]->timeout[1], 60);
	r = first_rule(t, "ct_prerouting");
	CHECK(r && ir_rule_st(r)->obj_kind == IR_OBJ_CT_HELPER &&
	      !strcmp(ir_rule_st(r)->obj, "ftp-tcp"));
	r = first_rule(t, "input");
	st = r ? ir_rule_st(r) : NULL;
	if (CHECK(st && r->has_connlimit && st->connlimit.set)) {
		CHECK(st->connlimit.set->dynamic);
		CHECK_STREQ(st->connlimit.set->name, "connlimit-1-v4");
		CHECK_EQ(st->connlimit.count, 3);
		CHECK(!r->has_limit);
	}
	CHECK(ir_table_find_set(t, "connlimit-1-v6") != NULL);
	st = ir_rule_st(&ir_table_find_chain(t, "input")->rules[5]);
	CHECK_EQ(st->connlimit.count, 7);
	CHECK(!st->connlimit.set);
	ir_table_free(t);
}

int main(void)
{
	diag_out = open_memstream(&diag_buf, &diag_len);
	diag_set_stream(diag_out);
	test_builtins();
	test_protocols();
	test_reject();
	test_families();
	test_sets();
	test_anonymous();
	test_zone_dispatch();
	test_zones_plain();
	test_statements();
	test_macros();
	test_order_and_text();
	test_recovery();
	test_include();
	test_big_set();
	test_nat_chains();
	test_nat_targets();
	test_nat_reflect();
	test_conntrack_objects();
	diag_set_stream(NULL);
	fclose(diag_out);
	free(diag_buf);
	diag_reset();
	return unit_summary("parser_test");
}
