// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Port classes as verdict maps (cli/lower_shape_map.c) keep the first
 * match of the list they replace: random ordered class lists with
 * overlapping ports in both directions, each compiled, and every packet
 * of a small port universe classified twice — by the list as written
 * (first class whose protocol and dport or sport match) and by walking
 * the compiled chains (matches, verdict maps, gotos, meta priority).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "diag.h"
#include "ir.h"
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

struct pkt {
	int proto, sport, dport;
};

static int pkt_field(const struct pkt *p, enum ir_field f)
{
	return f == IR_L4PROTO ? p->proto :
	       f == IR_TH_SPORT ? p->sport : p->dport;
}

static int value_of(const uint8_t *v, enum ir_field f)
{
	return f == IR_L4PROTO ? v[0] : v[0] << 8 | v[1];
}

static const struct ir_elem *set_find(const struct ir_set *s, int v)
{
	size_t i;

	for (i = 0; i < s->n_elems; i++)
		if (value_of(s->elems[i].value.lo, s->field) <= v &&
		    v <= value_of(s->elems[i].value.hi, s->field))
			return &s->elems[i];
	return NULL;
}

static bool match(const struct ir_match *m, const struct pkt *p)
{
	int v = pkt_field(p, m->field);

	if (m->set)
		return set_find(m->set, v) != NULL;
	return value_of(m->value.lo, m->field) <= v &&
	       v <= value_of(m->value.hi, m->field);
}

/* The chain's answer: a priority, or 0 when it falls off its end. */
static uint32_t walk(const struct ir_table *t, const char *name,
		     const struct pkt *p, int depth)
{
	const struct ir_chain *c = ir_table_find_chain(t, name);
	const struct ir_elem *e;
	size_t i, k;

	if (!CHECK(c && depth < 8))
		return 0;
	for (i = 0; i < c->n_rules; i++) {
		const struct ir_rule *r = &c->rules[i];

		for (k = 0; k < r->n_matches && match(&r->matches[k], p); k++)
			;
		if (k < r->n_matches)
			continue;
		if (r->verdict.kind == IR_ACCEPT)
			return r->priority.set ? r->priority.value : 0;
		if (r->verdict.kind != IR_VMAP)
			continue;
		e = set_find(r->verdict.vmap, pkt_field(p,
						r->verdict.vmap_field));
		if (e)	/* goto: the answer is that chain's */
			return walk(t, e->verdict.chain, p, depth + 1);
	}
	return 0;
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
	struct pkt p;

	for (p.proto = 6; p.proto <= 17; p.proto += 11)
		for (p.sport = 0; p.sport <= PORT_MAX + 1; p.sport++)
			for (p.dport = 0; p.dport <= PORT_MAX + 1; p.dport++)
				if (!CHECK_EQ(walk(t, "shape_wan", &p, 0),
					      list_class(l, p.proto, p.sport,
							 p.dport)))
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
