// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Inline sets that many rules hold alike become one named set they all
 * look up.
 *
 * The kernel binds an anonymous set to the one rule that made it, and
 * binding walks the batch's whole list of transactions: a batch of n
 * rules with inline sets costs O(n^2). A decision tree copies a rule into
 * several leaves and a zone's interfaces go into every rule of the zone,
 * so 1,500 random rules made 7,521 anonymous sets, 1,127 of them
 * different, and their apply took 3.8 s, nearly all of it in
 * __nft_set_trans_bind and the kernel's naming of "__set%d" sets. Named
 * sets are found by name instead, once per rule.
 *
 * Small tables keep their sets inline, as written (and as nft lists
 * them): below SHARE_MIN anonymous sets the walk costs nothing worth a
 * name. A shared set is named after its content, so the same content
 * keeps the same set from one apply to the next and an incremental apply
 * leaves it alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "ir_hash.h"
#include "xalloc.h"

#define SHARE_MIN	256	/* anonymous sets in the table */

struct use {
	uint64_t	key;
	struct ir_set	**slot;		/* where a rule points at the set */
};

static int use_cmp(const void *a, const void *b)
{
	const struct use *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

/* Sets the kernel takes by name like any other: not maps, not filled. */
static bool shareable(const struct ir_set *s)
{
	return s && s->anonymous && !s->is_vmap && !s->dynamic &&
	       !s->timeout_ms;
}

static struct use *uses_of(struct ir_table *t, size_t *n)
{
	struct use *u = NULL;
	size_t i, j, k;

	*n = 0;
	for (i = 0; i < t->n_chains; i++)
		for (j = 0; j < t->chains[i]->n_rules; j++) {
			struct ir_rule *r = &t->chains[i]->rules[j];

			for (k = 0; k < r->n_matches; k++) {
				struct ir_set **slot = &r->matches[k].set;

				if (!shareable(*slot))
					continue;
				u = xgrow(u, *n, sizeof(*u));
				u[(*n)++] = (struct use){
					ir_set_elems_key(*slot), slot };
			}
		}
	return u;
}

/* The key is a hash: equal keys are checked to be equal sets. */
static bool same_elems(const struct ir_set *a, const struct ir_set *b)
{
	size_t i;

	if (a == b)
		return true;
	if (a->field != b->field || a->interval != b->interval ||
	    a->n_elems != b->n_elems)
		return false;
	for (i = 0; i < a->n_elems; i++)
		if (memcmp(&a->elems[i].value, &b->elems[i].value,
			   sizeof(a->elems[i].value)))
			return false;
	return true;
}

/*
 * Uses [from, to) have one key: the set of the first becomes named and
 * the others point at it. False if their sets differ after all or the
 * name is taken (a set of the file by that name): they stay inline.
 */
static bool share(struct ir_table *t, const struct use *u, size_t from,
		  size_t to)
{
	struct ir_set *s = *u[from].slot;
	char name[IR_NAME_MAX];
	size_t i;

	for (i = from + 1; i < to; i++)
		if (!same_elems(s, *u[i].slot))
			return false;
	snprintf(name, sizeof(name), "shared_%016llx",
		 (unsigned long long)u[from].key);
	if (ir_table_find_set(t, name))
		return false;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->anonymous = false;
	s->shared = true;
	for (i = from + 1; i < to; i++)
		*u[i].slot = s;
	return true;
}

void ir_share_sets(struct ir_table *t)
{
	size_t n, i, j;
	struct use *u = uses_of(t, &n);

	if (n > SHARE_MIN) {
		qsort(u, n, sizeof(*u), use_cmp);
		for (i = 0; i < n; i = j) {
			for (j = i + 1; j < n && u[j].key == u[i].key; j++)
				;
			if (j - i > 1)
				share(t, u, i, j);
		}
	}
	free(u);
}
