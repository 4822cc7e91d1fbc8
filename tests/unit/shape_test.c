// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Shapes through the front end: rates as written, the HTB tree a file
 * lowers to (minors, ceilings, the default, fair buckets) and the
 * priority each classification rule sets. The kernel side is in the
 * shape-*.scn scenarios.
 */
#include <stdio.h>
#include <string.h>

#include "compile.h"
#include "diag.h"
#include "ir.h"
#include "shape.h"
#include "tc.h"
#include "unit.h"

static void test_rates(void)
{
	static const struct { const char *text; uint64_t bps; } ok[] = {
		{ "100mbit", 100000000 }, { "1.5gbit", 1500000000 },
		{ "64k", 64000 }, { "800kbit", 800000 }, { "10m", 10000000 },
		{ "9bit", 9 },
	};
	static const char *const bad[] = {
		"100", "100mb", "mbit", "-5mbit", "1bit", "200gbit", "5 mbit",
	};
	char buf[32];
	uint64_t bps;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CHECK_EQ(shape_rate_parse(ok[i].text, &bps), 0);
		CHECK_EQ(bps, ok[i].bps);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(shape_rate_parse(bad[i], &bps) < 0);
	shape_rate_format(1500000000, buf, sizeof(buf));
	CHECK_STREQ(buf, "1.5gbit");
	shape_rate_format(100000000, buf, sizeof(buf));
	CHECK_STREQ(buf, "100mbit");
	shape_rate_format(999, buf, sizeof(buf));
	CHECK_STREQ(buf, "999bit");
}

static const char file[] =
	"shape wan rate 100mbit {\n"
	"  class voip rate 5mbit prio 0 match proto udp port 5060\n"
	"  class bulk rate 10mbit ceil 100mbit prio 3 default fair\n"
	"  class web rate 50mbit ceil 90mbit burst 15k match proto tcp "
	"to port 443\n"
	"}\n"
	"shape wan ingress rate 50mbit\n";

static const struct ir_chain *chain(const struct ir_table *t,
				    const char *name)
{
	return ir_table_find_chain(t, name);
}

static void test_tree(const struct ir_table *t)
{
	const struct ir_shape *s = &t->shapes[0];

	CHECK_EQ(t->n_shapes, 2);
	CHECK_STREQ(s->ifname, "wan");
	CHECK(!s->ingress && t->shapes[1].ingress);
	CHECK_EQ(t->shapes[1].rate, 50000000);
	CHECK_EQ(s->n_classes, 3);
	CHECK_EQ(s->classes[0].minor, SHAPE_MINOR_BASE);
	CHECK_EQ(s->classes[0].ceil, 5000000);	/* the rate, by default */
	CHECK_EQ(s->classes[1].prio, 3);
	CHECK(s->classes[1].fair && !s->classes[0].fair);
	CHECK_EQ(s->classes[2].ceil, 90000000);
	CHECK_EQ(s->classes[2].burst, 15 * 1024);
	/* A fair default: HTB's default is the class's first bucket. */
	CHECK_EQ(s->default_minor,
		 shape_bucket_minor(SHAPE_MINOR_BASE + 1, 0));
}

static void test_rules(const struct ir_table *t)
{
	const struct ir_chain *c = chain(t, "shape_wan");
	const struct ir_chain *base = chain(t, "shape");

	if (!CHECK(c && base))
		return;
	CHECK_EQ(base->hook, IR_HOOK_POSTROUTING);
	CHECK_EQ(base->priority, 0);
	/* port 5060 both ways, 443, then the fair default per family. */
	CHECK_EQ(c->n_rules, 5);
	if (c->n_rules != 5)
		return;
	CHECK_EQ(ir_rule_st(&c->rules[0])->priority.value, TC_CLASS(SHAPE_MINOR_BASE));
	CHECK_EQ(ir_rule_st(&c->rules[1])->priority.value, TC_CLASS(SHAPE_MINOR_BASE));
	CHECK(c->rules[0].matches[1].field != c->rules[1].matches[1].field);
	CHECK_EQ(ir_rule_st(&c->rules[2])->priority.value,
		 TC_CLASS(SHAPE_MINOR_BASE + 2));
	CHECK_EQ(ir_rule_st(&c->rules[2])->priority.hash_mod, 0);
	CHECK_EQ(ir_rule_st(&c->rules[3])->priority.hash_mod, SHAPE_FAIR_BUCKETS);
	CHECK_EQ(ir_rule_st(&c->rules[3])->priority.hash_field, IR_IP_SADDR);
	CHECK_EQ(ir_rule_st(&c->rules[4])->priority.hash_field, IR_IP6_SADDR);
	CHECK_EQ(c->rules[3].matches[0].field, IR_NFPROTO);
	CHECK_EQ(c->rules[3].verdict.kind, IR_ACCEPT);
}

int main(void)
{
	struct ir_table *t;

	diag_set_stream(stderr);
	test_rates();
	t = compile_buffer("t.fw", file, strlen(file));
	if (CHECK(t)) {
		test_tree(t);
		test_rules(t);
	}
	ir_table_free(t);
	return unit_summary("shape_test");
}
