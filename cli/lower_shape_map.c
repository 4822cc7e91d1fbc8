// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Many classes told apart by ports: verdict maps instead of a list.
 *
 * A shape's chain is a first-match list of "protocol P, dport (or sport)
 * in S: class C" rules. Every packet walks it to its class, so its cost
 * grows with the classes. When every rule has that form and there are
 * enough of them, the list becomes, per protocol, two lookups that give
 * the same answer:
 *
 *   A(dp) = the first dport rule whose set holds dp
 *   B(sp) = the first sport rule whose set holds sp
 *   class = the class of whichever of A(dp), B(sp) comes first
 *
 *   meta l4proto P th dport vmap { dp : goto D_A(dp) }
 *   meta l4proto P th sport vmap { sp : goto class chain of B(sp) }
 *   D_k: th sport vmap { sp : goto class chain of B(sp), for B(sp) < k }
 *        meta priority set <class of rule k> accept
 *
 * Rules of different protocols never match one packet, so each protocol
 * keeps its own order. Ranges would need interval arithmetic to keep the
 * first match; a list with a range stays a list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower_internal.h"
#include "shape.h"
#include "xalloc.h"

#define SHAPE_MAP_MIN	6	/* rules; shorter lists are as cheap */
#define PORTS		65536

/* The first rule (chain index) per port, -1 for none; per direction. */
struct port_firsts {
	int	dport[PORTS], sport[PORTS];
	bool	any_dport, any_sport;
};

struct shape_map {
	struct lower		*lw;
	const char		*ifname;
	const struct ir_rule	*rules;		/* the list, as it was */
	size_t			n_rules;
	struct ir_chain		**class_chain;	/* per rule, made on use */
};

static bool single_ports(const struct ir_match *m)
{
	size_t i;

	if (m->op != IR_EQ)
		return false;
	if (!m->set)
		return ir_value_is_single(&m->value, 2);
	if (!m->set->anonymous || m->set->is_vmap)
		return false;
	for (i = 0; i < m->set->n_elems; i++)
		if (!ir_value_is_single(&m->set->elems[i].value, 2))
			return false;
	return true;
}

/* protocol P, th dport|sport in single ports: set the class, accept. */
static bool port_rule(const struct ir_rule *r)
{
	const struct ir_match *m = r->matches;
	const struct ir_stmts *st = ir_rule_st(r);

	return r->n_matches == 2 && m[0].field == IR_L4PROTO &&
	       m[0].op == IR_EQ && !m[0].set &&
	       (m[1].field == IR_TH_DPORT || m[1].field == IR_TH_SPORT) &&
	       single_ports(&m[1]) && st->priority.set &&
	       !st->priority.hash_mod && r->verdict.kind == IR_ACCEPT &&
	       !r->has_limit && !r->has_log && !r->counter && !r->comment &&
	       !r->has_connlimit && st->nat.kind == IR_NAT_NONE &&
	       !r->notrack && st->obj_kind == IR_OBJ_NONE &&
	       !r->ct_mark_from_meta && !r->meta_mark_set;
}

static uint16_t port_at(const uint8_t *be)
{
	return (uint16_t)(be[0] << 8 | be[1]);
}

/* The rules of protocol proto, each port to the first rule that has it. */
static void firsts_fill(const struct shape_map *sm, uint8_t proto,
			struct port_firsts *pf)
{
	size_t k, i;

	memset(pf->dport, -1, sizeof(pf->dport));
	memset(pf->sport, -1, sizeof(pf->sport));
	pf->any_dport = pf->any_sport = false;
	for (k = 0; k < sm->n_rules; k++) {
		const struct ir_match *m = &sm->rules[k].matches[1];
		bool dport = m->field == IR_TH_DPORT;
		int *first = dport ? pf->dport : pf->sport;
		size_t n = m->set ? m->set->n_elems : 1;

		if (sm->rules[k].matches[0].value.lo[0] != proto)
			continue;
		for (i = 0; i < n; i++) {
			uint16_t p = port_at(m->set ? m->set->elems[i].value.lo :
						      m->value.lo);

			if (first[p] < 0)
				first[p] = (int)k;
		}
		*(dport ? &pf->any_dport : &pf->any_sport) = true;
	}
}

/* A rule that sets rule k's class and accepts, named as rule k is. */
static void class_rule(struct ir_chain *c, const struct ir_rule *from)
{
	struct ir_rule *r = ir_rule_add(c, from->loc);

	r->text = from->text;
	r->why = from->why;
	ir_rule_st_mut(r)->priority = ir_rule_st(from)->priority;
	r->verdict.kind = IR_ACCEPT;
}

static struct ir_chain *class_chain_of(struct shape_map *sm, size_t k)
{
	char name[IR_NAME_MAX];
	size_t j;

	if (sm->class_chain[k])
		return sm->class_chain[k];
	/* Rules of one class share its chain. */
	for (j = 0; j < sm->n_rules; j++)
		if (sm->class_chain[j] &&
		    ir_rule_st(&sm->rules[j])->priority.value ==
		    ir_rule_st(&sm->rules[k])->priority.value)
			return sm->class_chain[k] = sm->class_chain[j];
	snprintf(name, sizeof(name), "shape_%s_c%x", sm->ifname,
		 ir_rule_st(&sm->rules[k])->priority.value & 0xffff);
	sm->class_chain[k] = shape_regular_chain(sm->lw->t, name);
	class_rule(sm->class_chain[k], &sm->rules[k]);
	return sm->class_chain[k];
}

/* [l4proto proto] FIELD vmap { port : goto chain } into c. */
static struct ir_set *vmap_rule(struct ir_chain *c, uint8_t proto,
				enum ir_field field, struct ir_table *t)
{
	struct ir_rule *r = lower_builtin(c, "shape-map", IR_VMAP);
	struct ir_match *m = ir_match_add(r, IR_L4PROTO, IR_EQ);
	struct ir_set *s = ir_set_add(t, NULL, field, r->loc);

	m->value.lo[0] = m->value.hi[0] = proto;
	s->is_vmap = true;
	r->verdict.vmap_field = field;
	r->verdict.vmap = s;
	return s;
}

static void vmap_add(struct ir_set *s, uint16_t port, const char *chain)
{
	struct ir_verdict v = { .kind = IR_GOTO };
	struct ir_value val;

	memset(&val, 0, sizeof(val));
	val.lo[0] = val.hi[0] = (uint8_t)(port >> 8);
	val.lo[1] = val.hi[1] = (uint8_t)port;
	v.chain = chain;	/* an ir_chain's */
	ir_set_add_elem(s, &val, &v);
}

/* D_k: an earlier sport rule still wins, else rule k's class. */
static struct ir_chain *dport_chain(struct shape_map *sm, uint8_t proto,
				    const struct port_firsts *pf, int k)
{
	char name[IR_NAME_MAX];
	struct ir_chain *d;
	struct ir_set *s = NULL;
	unsigned p;

	snprintf(name, sizeof(name), "shape_%s_p%u_d%d", sm->ifname, proto,
		 k);
	d = ir_table_find_chain(sm->lw->t, name);
	if (d)
		return d;
	d = shape_regular_chain(sm->lw->t, name);
	for (p = 0; p < PORTS; p++) {
		if (pf->sport[p] < 0 || pf->sport[p] >= k)
			continue;
		if (!s)
			s = vmap_rule(d, proto, IR_TH_SPORT, sm->lw->t);
		vmap_add(s, (uint16_t)p, class_chain_of(sm, pf->sport[p])->name);
	}
	if (s)
		ir_set_normalize(s);
	class_rule(d, &sm->rules[k]);
	return d;
}

static void protocol_maps(struct shape_map *sm, struct ir_chain *c,
			  uint8_t proto, struct port_firsts *pf)
{
	struct ir_set *s;
	unsigned p;

	firsts_fill(sm, proto, pf);
	if (pf->any_dport) {
		s = vmap_rule(c, proto, IR_TH_DPORT, sm->lw->t);
		for (p = 0; p < PORTS; p++)
			if (pf->dport[p] >= 0)
				vmap_add(s, (uint16_t)p, dport_chain(sm, proto,
					 pf, pf->dport[p])->name);
		ir_set_normalize(s);
	}
	if (pf->any_sport) {
		s = vmap_rule(c, proto, IR_TH_SPORT, sm->lw->t);
		for (p = 0; p < PORTS; p++)
			if (pf->sport[p] >= 0)
				vmap_add(s, (uint16_t)p,
					 class_chain_of(sm, pf->sport[p])->name);
		ir_set_normalize(s);
	}
}

/* The anonymous set of a rule that goes: nothing else refers to it. */
static void drop_anonymous_set(struct ir_table *t, struct ir_set *s)
{
	size_t i;

	for (i = 0; i < t->n_sets; i++)
		if (t->sets[i] == s) {
			memmove(&t->sets[i], &t->sets[i + 1],
				(t->n_sets - i - 1) * sizeof(t->sets[0]));
			t->n_sets--;
			free(s->elems);
			free(s);
			return;
		}
}

void shape_port_maps(struct lower *lw, struct ir_chain *c,
		     const char *ifname)
{
	struct shape_map sm = { lw, ifname, NULL, c->n_rules, NULL };
	struct port_firsts *pf;
	bool seen[256] = { false };
	size_t k;

	if (c->n_rules < SHAPE_MAP_MIN)
		return;
	for (k = 0; k < c->n_rules; k++)
		if (!port_rule(&c->rules[k]))
			return;
	/* The old list, moved out of the chain, is read to build the maps
	 * and freed after (its matches and their anonymous sets). */
	sm.rules = xcalloc(c->n_rules, sizeof(*sm.rules));
	memcpy((struct ir_rule *)sm.rules, c->rules,
	       c->n_rules * sizeof(*c->rules));
	free(c->rules);
	c->rules = NULL;
	c->n_rules = c->rules_cap = 0;
	sm.class_chain = xcalloc(sm.n_rules, sizeof(*sm.class_chain));
	pf = xcalloc(1, sizeof(*pf));
	for (k = 0; k < sm.n_rules; k++) {
		uint8_t proto = sm.rules[k].matches[0].value.lo[0];

		if (!seen[proto])
			protocol_maps(&sm, c, proto, pf);
		seen[proto] = true;
	}
	for (k = 0; k < sm.n_rules; k++) {
		if (sm.rules[k].matches[1].set)
			drop_anonymous_set(lw->t, sm.rules[k].matches[1].set);
		ir_rule_free((struct ir_rule *)&sm.rules[k]);
	}
	free(pf);
	free(sm.class_chain);
	free((struct ir_rule *)sm.rules);
}
