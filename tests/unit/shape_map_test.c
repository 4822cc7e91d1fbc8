// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Port classes as verdict maps (cli/lower_shape_map.c) keep the first
 * match of the list they replace: random ordered class lists with
 * overlapping ports in both directions, each compiled, and every packet
 * of a small port universe classified twice — by the list as written
 * (first class whose protocol and dport or sport match) and by running
 * the compiled chains (ir_eval: matches, verdict maps, gotos, meta
 * priority).
 */
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "diag.h"
#include "ir.h"
#include "ir_eval.h"
#include "shape.h"
#include "tc.h"
#include "unit.h"

#define ROUNDS		300
#define PORT_MAX	12	/* ports 1..PORT_MAX, so that lists overlap */
#define CLASSES_MAX	10

enum dir { DIR_D, DIR_S, DIR_BOTH };

struct cls {
	int proto;		/* 6 or 17 */
	enum dir dir;
	bool port[PORT_MAX + 1];
};

struct list {
	size_t n;
	struct cls c[CLASSES_MAX];
};

static void list_random(struct list *l)
{
	size_t i;
	int k, n;

	l->n = 6 + (size_t)rand() % (CLASSES_MAX - 5);
	for (i = 0; i < l->n; i++) {
		struct cls *c = &l->c[i];

		memset(c, 0, sizeof(*c));
		c->proto = rand() % 2 ? 6 : 17;
		c->dir = (enum dir)(rand() % 3);
		for (n = 1 + rand() % 3, k = 0; k < n; k++)
			c->port[1 + rand() % PORT_MAX] = true;
	}
}

static void list_text(const struct list *l, char *buf, size_t size)
{
	static const char *const dirs[] = { "dport", "sport", "port" };
	size_t i, len;
	int p;

	len = (size_t)snprintf(buf, size, "shape wan rate 100mbit {\n");
	for (i = 0; i < l->n; i++) {
		const struct cls *c = &l->c[i];

		len += (size_t)snprintf(buf + len, size - len, "class c%zu rate "
					"1mbit match proto %s %s {", i,
					c->proto == 6 ? "tcp" : "udp",
					dirs[c->dir]);
		for (p = 1; p <= PORT_MAX; p++)
			if (c->port[p])
				len += (size_t)snprintf(buf + len, size - len,
							" %d,", p);
		buf[len - 1] = ' ';
		len += (size_t)snprintf(buf + len, size - len, "}\n");
	}
	snprintf(buf + len, size - len, "class rest rate 1mbit default\n}\n");
}

/* The list as written: the first class that matches, else the default. */
static uint32_t list_class(const struct list *l, int proto, int sp, int dp)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct cls *c = &l->c[i];

		if (c->proto == proto &&
		    ((c->dir != DIR_S && c->port[dp]) ||
		     (c->dir != DIR_D && c->port[sp])))
			return TC_CLASS(SHAPE_MINOR_BASE + i);
	}
	return TC_CLASS(SHAPE_MINOR_BASE + l->n);
}

/* The class the compiled chains give: the priority they set, else 0. */
static uint32_t chain_class(const struct ir_table *t, int proto, int sport,
			    int dport)
{
	const struct ir_chain *c = ir_table_find_chain(t, "shape_wan");
	struct ir_packet p = {
		.nfproto = NFPROTO_IPV4, .oifname = "wan",
		.l4proto = (uint8_t)proto, .has_th = true,
		.sport = (uint16_t)sport, .dport = (uint16_t)dport,
		.ct_state = IR_CT_NEW, .fib_daddr_type = RTN_UNICAST,
	};
	struct ir_eval_result res;

	if (!CHECK(c))
		return 0;
	ir_eval_chain(t, c, &p, NULL, &res);
	CHECK(!res.error);
	return res.kind == IR_ACCEPT && res.priority_set ? res.priority : 0;
}

static bool uses_maps(const struct ir_table *t)
{
	const struct ir_chain *c = ir_table_find_chain(t, "shape_wan");
	size_t i;

	for (i = 0; c && i < c->n_rules; i++)
		if (c->rules[i].verdict.kind == IR_VMAP)
			return true;
	return false;
}

static void round_check(const struct list *l, const struct ir_table *t)
{
	int proto, sp, dp;

	for (proto = 6; proto <= 17; proto += 11)
		for (sp = 0; sp <= PORT_MAX + 1; sp++)
			for (dp = 0; dp <= PORT_MAX + 1; dp++)
				if (!CHECK_EQ(chain_class(t, proto, sp, dp),
					      list_class(l, proto, sp, dp)))
					return;
}

int main(void)
{
	char text[4096];
	int compiled = 0, mapped = 0, i;
	struct list l;

	srand(7);
	diag_set_stream(fopen("/dev/null", "w"));
	for (i = 0; i < ROUNDS; i++) {
		struct ir_table *t;

		list_random(&l);
		list_text(&l, text, sizeof(text));
		/* Two classes with the same match are an error: skip. */
		t = compile_buffer("t.fw", text, strlen(text));
		if (!t)
			continue;
		compiled++;
		mapped += uses_maps(t);
		round_check(&l, t);
		ir_table_free(t);
	}
	printf("%d of %d lists compiled, %d as maps\n", compiled, ROUNDS,
	       mapped);
	CHECK(compiled >= ROUNDS / 2);
	CHECK_EQ(mapped, compiled);
	return unit_summary("shape_map_test");
}
