// SPDX-License-Identifier: GPL-2.0-or-later
#include <linux/netfilter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "opt_base.h"
#include "shape.h"
#include "xalloc.h"

const struct ir_field_info ir_field_info[IR_FIELD_COUNT] = {
	[IR_IIFNAME]	 = { "meta iifname",	16 },
	[IR_OIFNAME]	 = { "meta oifname",	16 },
	[IR_NFPROTO]	 = { "meta nfproto",	1 },
	[IR_L4PROTO]	 = { "meta l4proto",	1 },
	[IR_IP_SADDR]	 = { "ip saddr",	4 },
	[IR_IP_DADDR]	 = { "ip daddr",	4 },
	[IR_IP6_SADDR]	 = { "ip6 saddr",	16 },
	[IR_IP6_DADDR]	 = { "ip6 daddr",	16 },
	[IR_TH_SPORT]	 = { "th sport",	2 },
	[IR_TH_DPORT]	 = { "th dport",	2 },
	[IR_CT_STATE]	 = { "ct state",	4 },
	[IR_ICMP_TYPE]	 = { "icmp type",	1 },
	[IR_ICMPV6_TYPE] = { "icmpv6 type",	1 },
	[IR_CT_STATUS]	 = { "ct status",	4 },
	[IR_FIB_DADDR_TYPE] = { "fib daddr type", 4 },
	[IR_CT_MARK]	 = { "ct mark",		4 },
	[IR_META_MARK]	 = { "meta mark",	4 },
};

struct ir_table *ir_table_new(const char *source)
{
	struct ir_table *t = xcalloc(1, sizeof(*t));

	t->source = source;
	return t;
}

const struct ir_stmts *ir_rule_st(const struct ir_rule *r)
{
	static const struct ir_stmts none;

	return r->st ? r->st : &none;
}

struct ir_stmts *ir_rule_st_mut(struct ir_rule *r)
{
	if (!r->st)
		r->st = xcalloc(1, sizeof(*r->st));
	return r->st;
}

bool ir_rule_changes_packet(const struct ir_rule *r)
{
	const struct ir_stmts *st = ir_rule_st(r);

	return r->notrack || r->ct_mark_from_meta || r->meta_mark_set ||
	       st->nat.kind != IR_NAT_NONE || st->obj_kind != IR_OBJ_NONE ||
	       st->priority.set;
}

void ir_rule_free(struct ir_rule *r)
{
	free(r->matches);
	free(r->comment);
	free(r->st);
}

void ir_rule_copy(struct ir_rule *dst, const struct ir_rule *src)
{
	*dst = *src;
	dst->matches = NULL;
	if (src->n_matches) {
		dst->matches = xcalloc(src->n_matches, sizeof(*dst->matches));
		memcpy(dst->matches, src->matches,
		       src->n_matches * sizeof(*dst->matches));
	}
	dst->comment = src->comment ? xstrdup(src->comment) : NULL;
	dst->st = NULL;
	if (src->st)
		*ir_rule_st_mut(dst) = *src->st;
}

static void chain_free(struct ir_chain *c)
{
	size_t i;

	for (i = 0; i < c->n_rules; i++)
		ir_rule_free(&c->rules[i]);
	free(c->rules);
	free(c);
}

static const enum ir_field flow_keys[2][IR_FLOW_FIELDS] = {
	{ IR_IP_SADDR, IR_IP_DADDR, IR_L4PROTO, IR_TH_SPORT, IR_TH_DPORT },
	{ IR_IP6_SADDR, IR_IP6_DADDR, IR_L4PROTO, IR_TH_SPORT, IR_TH_DPORT },
};

const enum ir_field *ir_flow_key(uint8_t nfproto)
{
	return flow_keys[nfproto == NFPROTO_IPV6];
}

static void set_free(struct ir_set *s)
{
	free(s->elems);
	free(s->boxes);
	free(s);
}

void ir_table_free(struct ir_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n_sets; i++)
		set_free(t->sets[i]);
	for (i = 0; i < t->n_chains; i++)
		chain_free(t->chains[i]);
	for (i = 0; i < t->n_objects; i++)
		free(t->objects[i]);
	free(t->objects);
	for (i = 0; i < t->n_profiles; i++)
		free(t->profiles[i].patterns);
	free(t->profiles);
	ir_shapes_free(t);
	for (i = 0; i < t->n_strings; i++)
		free(t->strings[i]);
	free(t->strings);
	free(t->notes);
	opt_bases_free(t->bases);
	free(t->sets);
	free(t->chains);
	free(t);
}

const char *ir_table_strdup(struct ir_table *t, const char *str)
{
	char *copy = strdup(str);

	if (!copy)
		abort();
	t->strings = xgrow(t->strings, t->n_strings, sizeof(*t->strings));
	t->strings[t->n_strings++] = copy;
	return copy;
}

struct ir_set *ir_set_add(struct ir_table *t, const char *name,
			  enum ir_field field, struct fw_loc loc)
{
	struct ir_set *s = xcalloc(1, sizeof(*s));

	if (name)
		snprintf(s->name, sizeof(s->name), "%s", name);
	s->anonymous = !name || !*name;
	s->field = field;
	s->loc = loc;
	s->id = (unsigned)t->n_sets + 1;
	t->sets = xgrow(t->sets, t->n_sets, sizeof(*t->sets));
	t->sets[t->n_sets++] = s;
	return s;
}

int ir_set_add_elem(struct ir_set *s, const struct ir_value *v,
		    const struct ir_verdict *verdict)
{
	struct ir_elem *e;

	s->elems = xgrow(s->elems, s->n_elems, sizeof(*s->elems));
	e = &s->elems[s->n_elems++];
	e->value = *v;
	if (verdict)
		e->verdict = *verdict;
	return 0;
}

static int elem_cmp(const void *a, const void *b, void *len)
{
	const struct ir_elem *x = a, *y = b;
	int d = memcmp(x->value.lo, y->value.lo, *(unsigned *)len);

	return d ? d : memcmp(x->value.hi, y->value.hi, *(unsigned *)len);
}

static bool verdict_eq(const struct ir_verdict *a, const struct ir_verdict *b)
{
	return a->kind == b->kind && a->reject == b->reject &&
	       a->reject_code == b->reject_code &&
	       !strcmp(a->chain ? a->chain : "", b->chain ? b->chain : "") &&
	       a->vmap == b->vmap;
}

/*
 * Elements that say which rule decides stay apart: --explain tells. Not
 * when they overlap, which the kernel refuses: a zone's "eth*, eth0".
 */
static bool loc_eq(const struct fw_loc *a, const struct fw_loc *b)
{
	return a->file == b->file && a->line == b->line && a->col == b->col;
}

/* lo <= hi + 1, big endian over len bytes; true past the last value. */
static bool value_touches(const uint8_t *hi, const uint8_t *lo, unsigned len)
{
	uint8_t next[IR_VALUE_MAX];
	unsigned i = len;

	memcpy(next, hi, len);
	while (i-- > 0) {
		if (++next[i])
			return memcmp(lo, next, len) <= 0;
	}
	return true;
}

/*
 * Interface name intervals stand for wildcards (eth*). Joining eth* with
 * the adjacent name "f" would still be right but no longer a wildcard, so
 * names merge only when they overlap.
 */
static bool value_merges(const struct ir_set *s, const struct ir_value *cur,
			 const struct ir_value *next, unsigned len)
{
	if (!s->interval)
		return !memcmp(cur->lo, next->lo, len);
	if (s->field == IR_IIFNAME || s->field == IR_OIFNAME)
		return memcmp(next->lo, cur->hi, len) <= 0;
	return value_touches(cur->hi, next->lo, len);
}

/* next (sorted after cur) shares a value with cur. */
static bool value_overlaps(const struct ir_set *s, const struct ir_value *cur,
			   const struct ir_value *next, unsigned len)
{
	if (!s->interval)
		return !memcmp(cur->lo, next->lo, len);
	return memcmp(next->lo, cur->hi, len) <= 0;
}

void ir_set_normalize(struct ir_set *s)
{
	unsigned len = ir_field_info[s->field].len;
	size_t i, n = 0;

	if (s->n_elems < 2)
		return;
	qsort_r(s->elems, s->n_elems, sizeof(*s->elems), elem_cmp, &len);
	for (i = 1; i < s->n_elems; i++) {
		struct ir_elem *cur = &s->elems[n], *e = &s->elems[i];

		if (!value_merges(s, &cur->value, &e->value, len) ||
		    !verdict_eq(&cur->verdict, &e->verdict) ||
		    (s->is_vmap && !loc_eq(&cur->loc, &e->loc) &&
		     !value_overlaps(s, &cur->value, &e->value, len))) {
			s->elems[++n] = *e;
			continue;
		}
		if (memcmp(e->value.hi, cur->value.hi, len) > 0)
			memcpy(cur->value.hi, e->value.hi, len);
	}
	s->n_elems = n + 1;
}

struct ir_chain *ir_chain_add(struct ir_table *t, const char *name,
			      enum ir_hook hook)
{
	struct ir_chain *c = xcalloc(1, sizeof(*c));

	snprintf(c->name, sizeof(c->name), "%s", name);
	c->hook = hook;
	t->chains = xgrow(t->chains, t->n_chains, sizeof(*t->chains));
	t->chains[t->n_chains++] = c;
	return c;
}

void ir_chain_drop_rules(struct ir_chain *c,
			 bool (*drop)(const struct ir_rule *r))
{
	size_t i, n = 0;

	for (i = 0; i < c->n_rules; i++) {
		if (drop(&c->rules[i]))
			ir_rule_free(&c->rules[i]);
		else
			c->rules[n++] = c->rules[i];
	}
	c->n_rules = n;
}

void ir_table_drop_chains(struct ir_table *t,
			  bool (*drop_chain)(const struct ir_chain *c))
{
	size_t i, n = 0;

	for (i = 0; i < t->n_chains; i++) {
		if (drop_chain(t->chains[i]))
			chain_free(t->chains[i]);
		else
			t->chains[n++] = t->chains[i];
	}
	t->n_chains = n;
}

void ir_table_drop_range(struct ir_table *t, const struct ir_mark *from,
			 const struct ir_mark *to)
{
	size_t i;

	for (i = from->chains; i < to->chains; i++)
		chain_free(t->chains[i]);
	memmove(t->chains + from->chains, t->chains + to->chains,
		(t->n_chains - to->chains) * sizeof(*t->chains));
	t->n_chains -= to->chains - from->chains;
	for (i = from->sets; i < to->sets; i++)
		set_free(t->sets[i]);
	memmove(t->sets + from->sets, t->sets + to->sets,
		(t->n_sets - to->sets) * sizeof(*t->sets));
	t->n_sets -= to->sets - from->sets;
	for (i = from->sets; i < t->n_sets; i++)
		t->sets[i]->id = (unsigned)i + 1;
}

void ir_chain_reserve(struct ir_chain *c, size_t n)
{
	if (n <= c->rules_cap)
		return;
	c->rules = realloc(c->rules, n * sizeof(*c->rules));
	if (!c->rules)
		abort();
	c->rules_cap = n;
}

void ir_chain_fit(struct ir_chain *c)
{
	struct ir_rule *r;

	if (!c->n_rules || c->n_rules == c->rules_cap)
		return;
	r = realloc(c->rules, c->n_rules * sizeof(*c->rules));
	if (r) {
		c->rules = r;
		c->rules_cap = c->n_rules;
	}
}

struct ir_rule *ir_rule_add(struct ir_chain *c, struct fw_loc loc)
{
	struct ir_rule *r;

	if (c->n_rules == c->rules_cap)
		ir_chain_reserve(c, c->rules_cap ? 2 * c->rules_cap : 1);
	r = &c->rules[c->n_rules++];
	memset(r, 0, sizeof(*r));
	r->loc = loc;
	return r;
}

struct ir_match *ir_match_add(struct ir_rule *r, enum ir_field field,
			      enum ir_op op)
{
	struct ir_match *m;

	r->matches = xgrow(r->matches, r->n_matches, sizeof(*r->matches));
	m = &r->matches[r->n_matches++];
	m->field = field;
	m->op = op;
	return m;
}

struct ir_set *ir_table_find_set(const struct ir_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n_sets; i++)
		if (!t->sets[i]->anonymous && !strcmp(t->sets[i]->name, name))
			return t->sets[i];
	return NULL;
}

struct ir_object *ir_object_get(struct ir_table *t, enum ir_object_kind kind,
				const char *name, struct fw_loc loc)
{
	struct ir_object *o;
	size_t i;

	for (i = 0; i < t->n_objects; i++)
		if (t->objects[i]->kind == kind &&
		    !strcmp(t->objects[i]->name, name))
			return t->objects[i];
	o = xcalloc(1, sizeof(*o));
	o->kind = kind;
	o->loc = loc;
	snprintf(o->name, sizeof(o->name), "%s", name);
	t->objects = xgrow(t->objects, t->n_objects, sizeof(*t->objects));
	t->objects[t->n_objects++] = o;
	return o;
}

struct ir_chain *ir_table_find_chain(const struct ir_table *t,
				     const char *name)
{
	size_t i;

	for (i = 0; i < t->n_chains; i++)
		if (!strcmp(t->chains[i]->name, name))
			return t->chains[i];
	return NULL;
}

size_t ir_table_rule_count(const struct ir_table *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->n_chains; i++)
		n += t->chains[i]->n_rules;
	return n;
}

struct ir_profile *ir_profile_add(struct ir_table *t, struct fw_loc loc)
{
	struct ir_profile *p;

	t->profiles = xgrow(t->profiles, t->n_profiles, sizeof(*t->profiles));
	p = &t->profiles[t->n_profiles++];
	p->loc = loc;
	return p;
}

void ir_profile_add_pattern(struct ir_table *t, struct ir_profile *p,
			    enum ir_inspect_kind kind,
			    enum ir_inspect_action action, const char *name)
{
	struct ir_pattern *pat;

	p->patterns = xgrow(p->patterns, p->n_patterns, sizeof(*p->patterns));
	pat = &p->patterns[p->n_patterns++];
	pat->kind = kind;
	pat->action = action;
	pat->name = ir_table_strdup(t, name);
}

bool ir_value_is_single(const struct ir_value *v, unsigned len)
{
	return memcmp(v->lo, v->hi, len) == 0;
}

enum ir_open ir_value_open(const struct ir_value *v, unsigned len)
{
	bool top = true, zero = true;
	unsigned i;

	for (i = 0; i < len; i++) {
		top = top && v->hi[i] == 0xff;
		zero = zero && v->lo[i] == 0;
	}
	if (top == zero)
		return IR_OPEN_NONE;
	return top ? IR_OPEN_ABOVE : IR_OPEN_BELOW;
}

/*
 * [lo, hi] is a prefix of length p when lo and hi agree on the first p bits,
 * lo has only zeros after them and hi only ones.
 */
bool ir_value_is_prefix(const struct ir_value *v, unsigned len,
			unsigned *plen)
{
	unsigned bit, p = 0;
	bool in_host = false;

	for (bit = 0; bit < len * 8; bit++) {
		unsigned byte = bit / 8, mask = 0x80u >> (bit % 8);
		bool l = v->lo[byte] & mask, h = v->hi[byte] & mask;

		if (!in_host && l == h) {
			p++;
			continue;
		}
		in_host = true;
		if (l || !h)
			return false;
	}
	if (plen)
		*plen = p;
	return true;
}
