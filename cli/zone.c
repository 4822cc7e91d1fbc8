// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Zones name where traffic comes from or goes to: interfaces, networks, or
 * both. An interface belongs to one zone at most, because zone dispatch
 * sends each packet to exactly one zone's chain by its input interface.
 */
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "diag.h"
#include "xalloc.h"

static int zone_list(struct checker *c, const struct ast_list *l,
		     value_fn fn, struct m_elems *out)
{
	struct xlist xl;
	int err = macro_expand(c, l, &xl);

	if (!err)
		err = value_list(&xl, fn, out);
	free(xl.x);
	return err;
}

static struct m_zone *zone_build(struct checker *c, const struct ast_zone *az)
{
	struct m_zone *z = xcalloc(1, sizeof(*z));
	int err = 0;

	z->name = az->name;
	z->loc = az->loc;
	if (az->has_ifs)
		err |= zone_list(c, &az->ifs, value_ifname, &z->ifs);
	if (az->has_nets)
		err |= zone_list(c, &az->nets, value_addr, &z->nets);
	if (!err && !z->ifs.n && !z->nets.n) {
		diag_error(az->loc, az->width, "zone '%s' has neither "
			   "interfaces nor networks", az->name);
		err = -1;
	}
	if (err) {
		m_elems_free(&z->ifs);
		m_elems_free(&z->nets);
		free(z);
		return NULL;
	}
	return z;
}

struct zone_if {
	const struct m_elem	*e;
	const struct m_zone	*z;
};

static int zone_if_cmp(const void *a, const void *b)
{
	const struct zone_if *x = a, *y = b;

	return memcmp(x->e->v.lo, y->e->v.lo, IFNAMSIZ);
}

/*
 * Reported at whichever of the two zones comes later in the file; returns
 * the element the error points at.
 */
static const struct m_elem *zone_if_clash(const struct zone_if *a,
					  const struct zone_if *b)
{
	const struct zone_if *late = a->z->index > b->z->index ? a : b;
	const struct zone_if *early = late == a ? b : a;
	struct xvalue x = { late->e->src, late->e->via };
	char q1[300], q2[300];

	check_error(&x, "interface %s is already in zone '%s'",
		    value_quote(late->e->src, q1, sizeof(q1)), early->z->name);
	diag_note(early->e->src->loc, early->e->src->width,
		  "zone '%s' has %s here", early->z->name,
		  value_quote(early->e->src, q2, sizeof(q2)));
	return late->e;
}

/*
 * Sorted by start, an interval overlaps an earlier one exactly when it
 * starts before the furthest end seen so far (eth* covers eth0).
 */
static void check_interfaces_unique(const struct model *m)
{
	struct zone_if *all = NULL, *far = NULL;
	const struct m_elem *reported = NULL;
	size_t n = 0, i, j;

	for (i = 0; i < m->n_zones; i++) {
		for (j = 0; j < m->zones[i]->ifs.n; j++) {
			all = xgrow(all, n, sizeof(*all));
			all[n++] = (struct zone_if){ &m->zones[i]->ifs.e[j],
						     m->zones[i] };
		}
	}
	if (n)
		qsort(all, n, sizeof(*all), zone_if_cmp);
	for (i = 0; i < n; i++) {
		if (far && far->z != all[i].z &&
		    memcmp(all[i].e->v.lo, far->e->v.hi, IFNAMSIZ) <= 0 &&
		    reported != far->e)
			reported = zone_if_clash(&all[i], far);
		if (!far || memcmp(all[i].e->v.hi, far->e->v.hi, IFNAMSIZ) > 0)
			far = &all[i];
	}
	free(all);
}

void check_zones(struct checker *c)
{
	struct model *m = c->m;
	struct symbol *sym;
	struct m_zone *z;
	size_t i;

	for (i = 0; i < c->ast->n_zones; i++) {
		const struct ast_zone *az = c->ast->zones[i];

		if (!az->name)
			continue;
		sym = symtab_find(&c->zones, az->name);
		if (sym->index != i || az->broken)
			continue;
		z = zone_build(c, az);
		if (!z)
			continue;
		z->index = (unsigned)m->n_zones;
		m->zones = xgrow(m->zones, m->n_zones, sizeof(*m->zones));
		m->zones[m->n_zones++] = z;
		sym->obj = z;
	}
	check_interfaces_unique(m);
}
