// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Element changes of a named set, as whole ranges. The kernel holds an
 * interval set as boundaries (a start, an end one past the range, see
 * emit_set.c); deleting or adding single boundaries confuses it where a
 * start and an end share a key ("22, 23" becoming "22-23"), so, like nft,
 * we delete and add whole ranges: a start with its end. Both lists are
 * read back as ranges, compared, and turned into boundaries again for the
 * batch. The leading end element at zero is its own change.
 */
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "elems_record.h"
#include "plan.h"
#include "xalloc.h"

struct kelems {
	struct emit_kelem	*e;
	size_t			n;
	unsigned		key_len;
};

static void kelem_collect(void *ctx, const uint8_t *key, uint32_t flags,
			  const struct ir_verdict *v, bool open)
{
	struct kelems *l = ctx;
	struct emit_kelem *e;

	l->e = xgrow(l->e, l->n, sizeof(*l->e));
	e = &l->e[l->n++];
	/* Only key_len bytes are the key; the rest stays zero. */
	memcpy(e->key, key, l->key_len);
	e->flags = flags & NFT_SET_ELEM_INTERVAL_END;
	e->open = open;
	if (v && v->kind != IR_VERDICT_NONE) {
		e->kind = v->kind;
		if (v->kind == IR_JUMP || v->kind == IR_GOTO)
			snprintf(e->chain, sizeof(e->chain), "%s", v->chain);
	}
}

/* Boundaries in walking order: by key, an end before a start. */
static int boundary_cmp(const void *x, const void *y)
{
	const struct emit_kelem *a = x, *b = y;
	int d = memcmp(a->key, b->key, sizeof(a->key));

	if (d)
		return d;
	return (int)(b->flags & NFT_SET_ELEM_INTERVAL_END) -
	       (int)(a->flags & NFT_SET_ELEM_INTERVAL_END);
}

int plan_range_cmp(const struct ir_elem *a, const struct ir_elem *b)
{
	int d = memcmp(a->value.lo, b->value.lo, sizeof(a->value.lo));

	if (!d)
		d = memcmp(a->value.hi, b->value.hi, sizeof(a->value.hi));
	if (!d)
		d = (int)a->verdict.kind - (int)b->verdict.kind;
	return d ? d : strcmp(a->verdict.chain ? a->verdict.chain : "",
			      b->verdict.chain ? b->verdict.chain : "");
}

struct ranges {
	struct ir_elem	*e;
	size_t		n;
	bool		zero_end;	/* the leading end element at zero */
};

static void range_add(struct ranges *r, const struct emit_kelem *start,
		      const uint8_t *hi, unsigned len)
{
	struct ir_elem *e;

	r->e = xgrow(r->e, r->n, sizeof(*r->e));
	e = &r->e[r->n++];
	memcpy(e->value.lo, start->key, len);
	memcpy(e->value.hi, hi, len);
	/* The name stays in start's array (plan_elems.live, .file). */
	e->verdict = (struct ir_verdict){ .kind = start->kind,
					  .chain = start->chain };
}

/* value - 1 over len big-endian bytes (value is never zero here). */
static void value_prev(uint8_t *v, unsigned len)
{
	while (len-- && v[len]-- == 0)
		;
}

static bool all_ones(const uint8_t *v, unsigned len)
{
	while (len--)
		if (v[len] != 0xff)
			return false;
	return true;
}

/*
 * The ranges of a boundary list: a start runs to the next end minus one,
 * or to the top when none follows; outside interval sets every element is
 * one value. Sorts l.
 */
static struct ranges ranges_of(const struct ir_set *s, struct kelems *l)
{
	static const uint8_t top[IR_VALUE_MAX] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const struct emit_kelem *start = NULL, *b;
	struct ranges r = { 0 };
	uint8_t hi[IR_VALUE_MAX];
	size_t i;

	if (l->n)
		qsort(l->e, l->n, sizeof(*l->e), boundary_cmp);
	for (i = 0; i < l->n; i++) {
		b = &l->e[i];
		if (!emit_set_interval(s)) {
			range_add(&r, b, b->key, l->key_len);
		} else if (!(b->flags & NFT_SET_ELEM_INTERVAL_END)) {
			if (start)	/* no end between: a single value */
				range_add(&r, start, start->key, l->key_len);
			start = b;
		} else if (start) {
			memcpy(hi, b->key, l->key_len);
			value_prev(hi, l->key_len);
			range_add(&r, start, hi, l->key_len);
			start = NULL;
		} else {
			r.zero_end = true;
		}
	}
	if (start)
		range_add(&r, start, top, l->key_len);
	return r;
}

static int range_qcmp(const void *a, const void *b)
{
	return plan_range_cmp(a, b);
}

/* Both sorted: what only the live set has goes, what only t has comes. */
static void ranges_merge(struct plan_elems *pe, const struct ranges *old,
			 const struct ranges *new)
{
	size_t i = 0, j = 0;
	int d;

	while (i < old->n || j < new->n) {
		d = i == old->n ? 1 : j == new->n ? -1 :
		    plan_range_cmp(&old->e[i], &new->e[j]);
		if (d < 0) {
			pe->del = xgrow(pe->del, pe->n_del, sizeof(*pe->del));
			pe->del[pe->n_del++] = old->e[i++];
		} else if (d > 0) {
			pe->add = xgrow(pe->add, pe->n_add, sizeof(*pe->add));
			pe->add[pe->n_add++] = new->e[j++];
		} else {
			i++, j++;
		}
	}
	pe->zero_end = (int)new->zero_end - (int)old->zero_end;
}

void plan_elems_free(struct plan_elems *pe)
{
	free(pe->add);
	free(pe->del);
	free(pe->live);
	free(pe->file);
	free(pe->names);
}

/* A set's ranges as ranges_of() would make them of its walk. */
static struct ranges set_ranges(const struct ir_set *s, struct ir_elem *e,
				size_t n)
{
	static const uint8_t zero[IR_VALUE_MAX];

	return (struct ranges){ e, n, emit_set_interval(s) && n &&
				memcmp(e[0].value.lo, zero,
				       ir_field_info[s->field].len) };
}

/*
 * From the live elements' record (elems_record.h), if it is theirs: both
 * lists are a named set's ranges, sorted and apart, merged as they are.
 */
static bool recorded_diff(struct plan_elems *pe, const struct ir_set *set,
			  const struct live_set *ls, const char *dir)
{
	struct elems_record rec;
	struct ranges ro, rn;

	if (set->anonymous || !elems_record_load(dir, ls, set, &rec))
		return false;
	ro = set_ranges(set, rec.e, rec.n);
	rn = set_ranges(set, set->elems, set->n_elems);
	ranges_merge(pe, &ro, &rn);
	pe->names = rec.names;
	pe->recorded = true;
	free(rec.e);
	return true;
}

int plan_elems_diff(struct plan_elems *pe, struct nlsock *s,
		    const struct ir_set *set, const struct live_set *ls,
		    const char *dir)
{
	unsigned key_len = ir_field_info[set->field].len;
	struct kelems old = { .key_len = key_len }, new = { .key_len = key_len };
	struct ranges ro, rn;
	size_t i;
	int err;

	memset(pe, 0, sizeof(*pe));
	pe->set = set;
	if (recorded_diff(pe, set, ls, dir))
		return 0;
	err = live_set_elems(s, set->name, key_len, &old.e, &old.n);
	if (err)
		return err;
	for (i = 0; i < old.n; i++)
		old.e[i].flags &= NFT_SET_ELEM_INTERVAL_END;
	emit_set_walk(set, kelem_collect, &new);
	ro = ranges_of(set, &old);
	rn = ranges_of(set, &new);
	if (ro.n)
		qsort(ro.e, ro.n, sizeof(*ro.e), range_qcmp);
	if (rn.n)
		qsort(rn.e, rn.n, sizeof(*rn.e), range_qcmp);
	ranges_merge(pe, &ro, &rn);
	pe->live = old.e;
	pe->file = new.e;
	free(ro.e);
	free(rn.e);
	return 0;
}

/* A range as the kernel's boundaries: its start, and its end if any. */
static void range_kelems(const struct ir_set *s, const struct ir_elem *r,
			 struct kelems *l)
{
	unsigned len = l->key_len;
	bool interval = emit_set_interval(s);
	bool open = interval && all_ones(r->value.hi, len);
	uint8_t end[IR_VALUE_MAX] = { 0 };

	kelem_collect(l, r->value.lo, 0, s->is_vmap ? &r->verdict : NULL,
		      open);
	if (interval && !open && emit_value_next(r->value.hi, len, end))
		kelem_collect(l, end, NFT_SET_ELEM_INTERVAL_END, NULL, false);
}

void plan_elems_emit(struct batch *b, const struct plan_elems *pe, bool add)
{
	static const uint8_t zero[IR_VALUE_MAX];
	struct kelems l = { .key_len = ir_field_info[pe->set->field].len };
	const struct ir_elem *r = add ? pe->add : pe->del;
	size_t i, n = add ? pe->n_add : pe->n_del;

	if (pe->zero_end == (add ? 1 : -1))
		kelem_collect(&l, zero, NFT_SET_ELEM_INTERVAL_END, NULL, false);
	for (i = 0; i < n; i++)
		range_kelems(pe->set, &r[i], &l);
	if (l.n)
		emit_set_elems(b, pe->set, add, l.e, l.n);
	free(l.e);
}
