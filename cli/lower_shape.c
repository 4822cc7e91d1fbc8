// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lowering shapes: each interface's HTB tree as data for the tc back end,
 * and the rules that classify into it. The chain "shape" hooks
 * postrouting at priority 0 (filter): after routing chose the interface,
 * before source NAT (100) rewrites the addresses a class may match. It
 * sends each packet by output interface to that interface's chain, where
 * the classes' rules, in the order of the file, set meta priority to the
 * class handle and accept (first match wins); what no rule takes keeps
 * priority 0 and lands in HTB's default class.
 *
 * A fair class is split into SHAPE_FAIR_BUCKETS leaf classes, and its
 * rules set the priority to a jhash of the source address into them: the
 * hosts behind the interface share the class instead of the busiest one
 * taking it. (This kernel has neither sfq nor fq_codel, the usual way.)
 */
#include <linux/netfilter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower_internal.h"
#include "shape.h"
#include "tc.h"
#include "xalloc.h"

static void class_tree(const struct m_shape *ms, struct ir_shape *is)
{
	const struct ast_shape *s = ms->src;
	size_t i;

	is->n_classes = s->n_classes;
	is->classes = xcalloc(s->n_classes, sizeof(*is->classes));
	for (i = 0; i < s->n_classes; i++) {
		const struct ast_shape_class *ac = &s->classes[i];
		struct ir_shape_class *c = &is->classes[i];

		snprintf(c->name, sizeof(c->name), "%s", ac->name);
		c->loc = ac->loc;
		c->minor = (uint16_t)(SHAPE_MINOR_BASE + i);
		c->rate = ac->rate;
		c->ceil = ac->ceil ? ac->ceil : ac->rate;
		c->burst = ac->burst;
		c->prio = (uint8_t)ac->prio;
		c->fair = ac->fair;
	}
	i = ms->default_class;
	is->default_minor = is->classes[i].fair ?
		shape_bucket_minor(is->classes[i].minor, 0) :
		is->classes[i].minor;
}

/* 4 for an IPv4-only rule, 6 for IPv6 only, 0 for both. */
static int rule_family(const struct ir_rule *r)
{
	static const int fams[IR_FIELD_COUNT] = {
		[IR_IP_SADDR] = 4, [IR_IP_DADDR] = 4, [IR_ICMP_TYPE] = 4,
		[IR_IP6_SADDR] = 6, [IR_IP6_DADDR] = 6, [IR_ICMPV6_TYPE] = 6,
	};
	size_t i;

	for (i = 0; i < r->n_matches; i++) {
		const struct ir_match *m = &r->matches[i];

		if (m->field == IR_NFPROTO && !m->set && m->op == IR_EQ)
			return m->value.lo[0] == NFPROTO_IPV4 ? 4 : 6;
		if (fams[m->field])
			return fams[m->field];
	}
	return 0;
}

static void set_fair(struct ir_rule *r, uint16_t minor, int fam)
{
	ir_rule_st_mut(r)->priority = (struct ir_priority){
		.set = true,
		.value = TC_CLASS(shape_bucket_minor(minor, 0)),
		.hash_mod = SHAPE_FAIR_BUCKETS,
		.hash_field = fam == 4 ? IR_IP_SADDR : IR_IP6_SADDR,
	};
}

/* The family goes first, as lowering orders every rule's matches. */
static void match_nfproto(struct ir_rule *r, int fam)
{
	struct ir_match m = { .field = IR_NFPROTO, .op = IR_EQ };

	m.value.lo[0] = m.value.hi[0] = fam == 4 ? NFPROTO_IPV4 :
						   NFPROTO_IPV6;
	ir_match_add(r, IR_NFPROTO, IR_EQ);
	memmove(&r->matches[1], &r->matches[0],
		(r->n_matches - 1) * sizeof(r->matches[0]));
	r->matches[0] = m;
}

/* A copy of rule i of c (its matches; sets are shared, not owned). */
static struct ir_rule *rule_copy(struct ir_chain *c, size_t i)
{
	struct ir_rule *r = ir_rule_add(c, c->rules[i].loc);
	const struct ir_rule *o = &c->rules[i];
	size_t k;

	r->text = o->text;
	r->why = o->why;
	r->verdict = o->verdict;
	for (k = 0; k < o->n_matches; k++)
		*ir_match_add(r, o->matches[k].field, o->matches[k].op) =
			o->matches[k];
	return r;
}

/* Rules [from, c->n_rules) go to the class: a handle, or its buckets. */
static void classify(struct ir_chain *c, size_t from,
		     const struct ir_shape_class *cls)
{
	size_t i, end = c->n_rules;

	for (i = from; i < end; i++) {
		int fam = rule_family(&c->rules[i]);

		if (!cls->fair) {
			ir_rule_st_mut(&c->rules[i])->priority =
				(struct ir_priority){
					.set = true,
					.value = TC_CLASS(cls->minor),
				};
		} else if (fam) {
			set_fair(&c->rules[i], cls->minor, fam);
		} else {
			set_fair(rule_copy(c, i), cls->minor, 6);
			match_nfproto(&c->rules[c->n_rules - 1], 6);
			set_fair(&c->rules[i], cls->minor, 4);
			match_nfproto(&c->rules[i], 4);
		}
	}
}

/*
 * What no class took goes to the default class explicitly: HTB would put
 * it there anyway, but this rule carries the class's name for `fwctl shape
 * show` (the kernel keeps no class names). A fair default class hashes it.
 */
static void default_rules(struct lower *lw, struct ir_chain *c,
			  const struct ir_shape *is,
			  const struct ir_shape_class *cls)
{
	char text[128];
	struct ir_rule *r;
	int fam;

	snprintf(text, sizeof(text), "shape %s class %s %x:%x", is->ifname,
		 cls->name, TC_MAJOR, cls->minor);
	if (!cls->fair) {
		r = ir_rule_add(c, cls->loc);
		r->why = "shape-default";
		r->text = ir_table_strdup(lw->t, text);
		r->verdict.kind = IR_ACCEPT;
		ir_rule_st_mut(r)->priority = (struct ir_priority){
			.set = true, .value = TC_CLASS(cls->minor),
		};
		return;
	}
	for (fam = 4; fam <= 6; fam += 2) {
		r = ir_rule_add(c, cls->loc);
		r->why = "shape-default";
		r->text = ir_table_strdup(lw->t, text);
		r->verdict.kind = IR_ACCEPT;
		match_nfproto(r, fam);
		set_fair(r, cls->minor, fam);
	}
}

/* A regular chain, placed before the base chains as the IR keeps them. */
struct ir_chain *shape_regular_chain(struct ir_table *t, const char *name)
{
	struct ir_chain *c = ir_chain_add(t, name, IR_HOOK_NONE);
	size_t i = t->n_chains - 1;

	while (i && t->chains[i - 1]->hook != IR_HOOK_NONE) {
		t->chains[i] = t->chains[i - 1];
		i--;
	}
	t->chains[i] = c;
	return c;
}

static struct ir_chain *class_chain(struct lower *lw, const struct m_shape *ms,
				    const struct ir_shape *is)
{
	char name[IR_NAME_MAX];
	struct ir_chain *c;
	size_t i, j, from;

	snprintf(name, sizeof(name), "shape_%s", is->ifname);
	c = shape_regular_chain(lw->t, name);
	for (i = 0; i < is->n_classes; i++) {
		from = c->n_rules;
		for (j = 0; j < ms->classes[i].n_rules; j++)
			lower_rule(lw, c, ms->classes[i].rules[j]);
		classify(c, from, &is->classes[i]);
	}
	shape_port_maps(lw, c, is->ifname);
	default_rules(lw, c, is, &is->classes[ms->default_class]);
	return c;
}

static void dispatch(struct lower *lw, struct ir_chain *base,
		     struct ir_chain **chains, const struct ir_shape *shapes,
		     size_t n)
{
	struct ir_rule *r = ir_rule_add(base, (struct fw_loc){ NULL, 0, 0 });
	struct ir_set *s = ir_set_add(lw->t, NULL, IR_OIFNAME, r->loc);
	struct ir_verdict v = { .kind = IR_GOTO };
	struct ir_value val;
	size_t i;

	r->why = "shape-dispatch";
	s->is_vmap = true;
	for (i = 0; i < n; i++) {
		if (!chains[i])
			continue;
		memset(&val, 0, sizeof(val));
		memcpy(val.lo, shapes[i].ifname, strlen(shapes[i].ifname));
		memcpy(val.hi, val.lo, sizeof(val.hi));
		v.chain = chains[i]->name;
		ir_set_add_elem(s, &val, &v);
		/* Missing interfaces are warned about at the shape. */
		s->elems[s->n_elems - 1].loc = shapes[i].loc;
	}
	ir_set_normalize(s);
	r->verdict.kind = IR_VMAP;
	r->verdict.vmap_field = IR_OIFNAME;
	r->verdict.vmap = s;
}

void lower_shapes(struct lower *lw)
{
	const struct model *m = lw->m;
	struct ir_chain **chains, *base;
	size_t i, egress = 0;

	if (!m->n_shapes)
		return;
	lw->t->shapes = xcalloc(m->n_shapes, sizeof(*lw->t->shapes));
	chains = xcalloc(m->n_shapes, sizeof(*chains));
	for (i = 0; i < m->n_shapes; i++) {
		const struct ast_shape *s = m->shapes[i].src;
		struct ir_shape *is = &lw->t->shapes[lw->t->n_shapes++];

		snprintf(is->ifname, sizeof(is->ifname), "%s", s->ifname);
		is->loc = s->loc;
		is->ingress = s->ingress;
		is->rate = s->rate;
		is->burst = s->burst;
		if (s->ingress)
			continue;
		class_tree(&m->shapes[i], is);
		chains[i] = class_chain(lw, &m->shapes[i], is);
		egress++;
	}
	if (egress) {
		base = ir_chain_add(lw->t, "shape", IR_HOOK_POSTROUTING);
		base->type = IR_CHAIN_FILTER;
		dispatch(lw, base, chains, lw->t->shapes, lw->t->n_shapes);
	}
	free(chains);
}
