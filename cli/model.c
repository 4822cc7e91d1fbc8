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

void m_rule_free(struct m_rule *r)
{
	unsigned i;

	for (i = 0; i < OP_COUNT; i++)
		m_elems_free(&r->op[i].lit);
	free(r);
}

void model_free(struct model *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n_sets; i++) {
		m_elems_free(&m->sets[i]->elems);
		free(m->sets[i]);
	}
	for (i = 0; i < m->n_zones; i++) {
		m_elems_free(&m->zones[i]->ifs);
		m_elems_free(&m->zones[i]->nets);
		free(m->zones[i]);
	}
	for (i = 0; i < m->n_rules; i++)
		m_rule_free(m->rules[i]);
	m_shapes_free(m);
	free(m->sets);
	free(m->zones);
	free(m->rules);
	free(m);
}
