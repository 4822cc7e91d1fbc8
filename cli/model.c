// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>

#include "model.h"
#include "shape.h"
#include "xalloc.h"

struct m_elem *m_elems_add(struct m_elems *l)
{
	l->e = xgrow(l->e, l->n, sizeof(*l->e));
	return &l->e[l->n++];
}

void m_elems_free(struct m_elems *l)
{
	free(l->e);
	l->e = NULL;
	l->n = 0;
}

void m_domains_free(struct m_domains *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->d[i].name);
	free(l->d);
	l->d = NULL;
	l->n = 0;
}

void m_rule_free(struct m_rule *r)
{
	unsigned i;

	for (i = 0; i < OP_COUNT; i++)
		m_elems_free(&r->op[i].lit);
	free(r);
}

static void m_inspect_free(struct m_inspect *i)
{
	size_t k;

	for (k = 0; k < i->n_clauses; k++)
		m_domains_free(&i->clauses[k].own);
	free(i->clauses);
	m_rule_free(i->rule);
	free(i);
}

void model_free(struct model *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n_sets; i++) {
		m_elems_free(&m->sets[i]->elems);
		m_domains_free(&m->sets[i]->domains);
		free(m->sets[i]);
	}
	for (i = 0; i < m->n_zones; i++) {
		m_elems_free(&m->zones[i]->ifs);
		m_elems_free(&m->zones[i]->nets);
		free(m->zones[i]);
	}
	for (i = 0; i < m->n_rules; i++)
		m_rule_free(m->rules[i]);
	for (i = 0; i < m->n_inspects; i++)
		m_inspect_free(m->inspects[i]);
	free(m->inspects);
	free(m->profiles);
	m_shapes_free(m);
	free(m->sets);
	free(m->zones);
	free(m->rules);
	free(m);
}
