// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Named sets. Their kind (addresses, ports, interfaces or domain names) is
 * the type when one is given, else the elements': an address makes an
 * address set, a number or a port range a port set, a quoted name that
 * reads as a domain ("*.example.com", "ads.example") a domain set, another
 * string or eth* an interface set. Bare names are services when all of
 * them are, else interfaces. Domain sets have no kernel set: the
 * inspection daemon gets their names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "diag.h"
#include "domain.h"
#include "xalloc.h"

static const value_fn kind_values[] = {
	[SK_ADDR] = value_addr,
	[SK_PORT] = value_port,
	[SK_IFNAME] = value_ifname,
};

static const struct {
	enum set_kind	kind;
	uint8_t		fams;
	const char	*name;
} set_types[] = {
	[SET_TYPE_IPV4] = { SK_ADDR, FAM_V4, "ipv4" },
	[SET_TYPE_IPV6] = { SK_ADDR, FAM_V6, "ipv6" },
	[SET_TYPE_ADDR] = { SK_ADDR, FAM_ANY, "addr" },
	[SET_TYPE_PORT] = { SK_PORT, 0, "port" },
	[SET_TYPE_IFNAME] = { SK_IFNAME, 0, "ifname" },
	[SET_TYPE_DOMAIN] = { SK_DOMAIN, 0, "domain" },
};

/* In a set of domain names, every string is one (a bare "localhost"). */
static bool elem_kind(const struct ast_value *v, enum set_kind set,
		      enum set_kind *kind)
{
	if (v->kind == AV_STRING && (set == SK_DOMAIN || domain_like(v))) {
		*kind = SK_DOMAIN;
		return true;
	}
	return value_kind(v, kind);
}

/* The first element that decides the kind; NULL when all are names. */
static const struct xvalue *set_decider(const struct xlist *xl,
					enum set_kind *kind)
{
	size_t i;

	for (i = 0; i < xl->n; i++)
		if (domain_like(xl->x[i].v)) {
			*kind = SK_DOMAIN;
			return &xl->x[i];
		}
	for (i = 0; i < xl->n; i++)
		if (value_kind(xl->x[i].v, kind))
			return &xl->x[i];
	*kind = SK_PORT;
	for (i = 0; i < xl->n; i++)
		if (!names_lookup(&names_service, xl->x[i].v->text, NULL))
			*kind = SK_IFNAME;
	return NULL;
}

static int set_infer(const struct ast_set *as, const struct xlist *xl,
		     struct m_set *s)
{
	const struct xvalue *decider;
	enum set_kind kind;
	char q[300];
	int err = 0;
	size_t i;

	if (!xl->n) {
		diag_error(as->loc, as->width, "empty set '%s' needs a type: "
			   "set %s type ipv4|ipv6|addr|port|ifname|domain",
			   as->name, as->name);
		return -1;
	}
	decider = set_decider(xl, &s->kind);
	for (i = 0; decider && i < xl->n; i++) {
		if (!elem_kind(xl->x[i].v, s->kind, &kind) ||
		    kind == s->kind)
			continue;
		check_error(&xl->x[i], "set '%s' mixes %s and %s", as->name,
			    set_kind_names[s->kind], set_kind_names[kind]);
		diag_note(decider->v->loc, decider->v->width, "%s makes it a "
			  "set of %s", value_quote(decider->v, q, sizeof(q)),
			  set_kind_names[s->kind]);
		err = -1;
	}
	return err;
}

/* An address set of type ipv4 or ipv6 takes that family only. */
static int set_families(const struct ast_set *as, struct m_set *s)
{
	static const char *const fam_names[] = { "", "IPv4", "IPv6" };
	uint8_t allowed = set_types[as->type].fams;
	int err = 0;
	size_t i;

	for (i = 0; i < s->elems.n; i++) {
		const struct m_elem *e = &s->elems.e[i];
		struct xvalue x = { e->src, e->via };

		if (e->fam & allowed)
			continue;
		check_error(&x, "%s address %s in set '%s' of type %s",
			    fam_names[e->fam], e->src->text, as->name,
			    set_types[as->type].name);
		err = -1;
	}
	return err;
}

static struct m_set *set_build(struct checker *c, const struct ast_set *as)
{
	struct m_set *s = xcalloc(1, sizeof(*s));
	struct xlist xl = { 0 };
	int err = 0;

	s->name = as->name;
	s->loc = as->loc;
	s->width = as->width;
	s->timeout_ms = as->timeout_ms;
	if (as->has_elems)
		err = macro_expand(c, &as->elems, &xl);
	if (!err && as->type == SET_TYPE_NONE)
		err = set_infer(as, &xl, s);
	else if (!err)
		s->kind = set_types[as->type].kind;
	if (!err && s->kind == SK_DOMAIN)
		err = domain_list(&xl, &s->domains);
	else if (!err)
		err = value_list(&xl, kind_values[s->kind], &s->elems);
	if (!err && as->type != SET_TYPE_NONE && s->kind == SK_ADDR)
		err = set_families(as, s);
	if (!err && s->kind == SK_DOMAIN && s->timeout_ms) {
		diag_error(as->loc, as->width, "domain set '%s' cannot have a "
			   "timeout: its names live in the inspection daemon",
			   as->name);
		err = -1;
	}
	free(xl.x);
	if (err) {
		m_elems_free(&s->elems);
		m_domains_free(&s->domains);
		free(s);
		return NULL;
	}
	s->fams = as->type != SET_TYPE_NONE ? set_types[as->type].fams :
					       s->elems.fams;
	s->interval = s->kind == SK_ADDR || s->elems.interval;
	return s;
}

struct kernel_name {
	char			name[IR_NAME_MAX];
	const struct m_set	*set;
};

static int kernel_name_cmp(const void *a, const void *b)
{
	const struct kernel_name *x = a, *y = b;
	int d = strcmp(x->name, y->name);

	return d ? d : (x->set->index > y->set->index) -
		       (x->set->index < y->set->index);
}

static size_t kernel_names(const struct m_set *s, struct kernel_name *out)
{
	size_t n = 0;

	if (s->kind == SK_DOMAIN)
		return 0;
	if (s->kind != SK_ADDR) {
		snprintf(out[n++].name, IR_NAME_MAX, "%s", s->name);
	} else {
		if (s->fams & FAM_V4)
			snprintf(out[n++].name, IR_NAME_MAX, "%s_v4", s->name);
		if (s->fams & FAM_V6)
			snprintf(out[n++].name, IR_NAME_MAX, "%s_v6", s->name);
	}
	out[0].set = out[n - 1].set = s;
	return n;
}

/* Address sets become NAME_v4 and NAME_v6 in the kernel: set a (type
 * addr) and set a_v4 would both want a_v4. */
static void check_kernel_names(const struct model *m)
{
	struct kernel_name *all = xcalloc(2 * m->n_sets, sizeof(*all));
	size_t n = 0, i;

	for (i = 0; i < m->n_sets; i++)
		n += kernel_names(m->sets[i], all + n);
	qsort(all, n, sizeof(*all), kernel_name_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(all[i - 1].name, all[i].name))
			continue;
		diag_error(all[i].set->loc, all[i].set->width, "set '%s' "
			   "needs the kernel set name '%s', which set '%s' "
			   "already has", all[i].set->name, all[i].name,
			   all[i - 1].set->name);
		diag_note(all[i - 1].set->loc, all[i - 1].set->width,
			  "set '%s' is defined here", all[i - 1].set->name);
	}
	free(all);
}

void check_sets(struct checker *c)
{
	struct model *m = c->m;
	struct symbol *sym;
	struct m_set *s;
	size_t i;

	for (i = 0; i < c->ast->n_sets; i++) {
		const struct ast_set *as = c->ast->sets[i];

		if (!as->name)
			continue;
		sym = symtab_find(&c->sets, as->name);
		if (sym->index != i || as->broken)
			continue;
		s = set_build(c, as);
		if (!s)
			continue;
		s->index = (unsigned)m->n_sets;
		m->sets = xgrow(m->sets, m->n_sets, sizeof(*m->sets));
		m->sets[m->n_sets++] = s;
		sym->obj = s;
	}
	check_kernel_names(m);
}
