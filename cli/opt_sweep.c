// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sweep of a decision tree node (opt_tree.c): the edges of its rules'
 * intervals in one dimension, sorted, walked in order with Fenwick trees
 * over the rules' positions in the list, gather the elementary pieces
 * into groups, each the child of one map element.
 */
#include <stdlib.h>
#include <string.h>

#include "opt_tree.h"
#include "scratch.h"

/* Fenwick tree over the positions of a node's list. */
struct fen {
	size_t	n;
	int	*a;
	size_t	top;	/* highest power of two <= n */
};

static void fen_init(struct fen *f, size_t n, struct scratch *scr)
{
	f->n = n;
	f->a = scratch_ztake(scr, n + 1, sizeof(*f->a));
	for (f->top = 1; f->top * 2 <= n; f->top *= 2)
		;
}

static void fen_add(struct fen *f, size_t pos, int delta)
{
	for (pos++; pos <= f->n; pos += pos & -pos)
		f->a[pos] += delta;
}

/* How many are set at positions 0..pos. */
static int fen_prefix(const struct fen *f, size_t pos)
{
	int s = 0;

	for (pos++; pos > 0; pos -= pos & -pos)
		s += f->a[pos];
	return s;
}

/* The position of the k-th set one (k >= 1), or n if there is none. */
static size_t fen_kth(const struct fen *f, int k)
{
	size_t pos = 0, step;

	for (step = f->top; step; step /= 2) {
		if (pos + step <= f->n && f->a[pos + step] < k) {
			pos += step;
			k -= f->a[pos];
		}
	}
	return pos;	/* 0-based position of the k-th */
}

struct event {
	opt_val	v;
	size_t	pos;
	int	delta;
};

static int event_cmp(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	return x->v < y->v ? -1 : x->v > y->v;
}

#define SORT_SMALL	32	/* fewer events: insertion sort */

static void events_insertion_sort(struct event *ev, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct event e = ev[i];

		for (j = i; j > 0 && ev[j - 1].v > e.v; j--)
			ev[j] = ev[j - 1];
		ev[j] = e;
	}
}

/*
 * By value. Every node sorts the edges of each dimension, so this is a
 * good part of compiling: values that fit 64 bits (all but IPv6
 * addresses) are radix-sorted a byte at a time, only as many bytes as
 * the largest value has, skipping bytes that are the same in all.
 */
static void events_sort(struct event *ev, size_t n, struct scratch *scr)
{
	struct event *src = ev, *dst, *tmp;
	size_t i, count[256], at;
	uint64_t all = 0;
	unsigned shift, b;

	if (n < SORT_SMALL) {
		events_insertion_sort(ev, n);
		return;
	}
	for (i = 0; i < n; i++) {
		if (ev[i].v >> 64) {
			qsort(ev, n, sizeof(*ev), event_cmp);
			return;
		}
		all |= (uint64_t)ev[i].v;
	}
	dst = tmp = scratch_take(scr, n, sizeof(*tmp));
	for (shift = 0; shift < 64 && all >> shift; shift += 8) {
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[(uint64_t)src[i].v >> shift & 0xff]++;
		if (count[(uint64_t)src[0].v >> shift & 0xff] == n)
			continue;	/* one byte value: nothing to order */
		for (b = 0, at = 0; b < 256; b++) {
			size_t c = count[b];

			count[b] = at;
			at += c;
		}
		for (i = 0; i < n; i++)
			dst[count[(uint64_t)src[i].v >> shift & 0xff]++] =
				src[i];
		dst = src;
		src = src == ev ? tmp : ev;
	}
	if (src != ev)
		memcpy(ev, src, n * sizeof(*ev));
}

/* The edges of the rules' intervals in d: +1 where one starts, -1 past it. */
static struct event *events_of(const struct tree *tr, const size_t *idx,
			       size_t n, enum opt_dim d, size_t *count)
{
	opt_val max = opt_dim_max(d, tr->fi);
	struct event *ev;
	size_t i, j, k = 0, total = 0;

	for (i = 0; i < n; i++)
		total += 2 * tr->rules[idx[i]].dim[tr->fi][d].n;
	ev = scratch_take(tr->scr, total + 1, sizeof(*ev));
	for (i = 0; i < n; i++) {
		const struct opt_ivs *iv = &tr->rules[idx[i]].dim[tr->fi][d];

		for (j = 0; j < iv->n; j++) {
			ev[k++] = (struct event){ iv->s[j].lo, i, 1 };
			if (iv->s[j].hi != max)
				ev[k++] = (struct event){ iv->s[j].hi + 1, i,
							  -1 };
		}
	}
	events_sort(ev, k, tr->scr);
	*count = k;
	return ev;
}

/*
 * Rules by position in the node's list: those active at the sweep's
 * value (act), those active anywhere in the open group (uni: act and the
 * ones that ended since the group opened), and of uni the ones that cover
 * a single piece (cov1) or any group (cov).
 */
struct grouper {
	struct tree	*tr;
	const size_t	*idx;
	size_t		n;
	unsigned	mask;
	enum opt_dim	d;
	struct fen	act, uni, cov1, cov;
	bool		*in_uni, *is_cov1, *is_cov;
	size_t		*ended, n_ended, n_uni;
	unsigned	pieces;
	bool		open, stop, list;
	struct group	g;
	group_fn	*fn;
	void		*data;
};

static void uni_set(struct grouper *gr, size_t pos, int delta)
{
	gr->in_uni[pos] = delta > 0;
	gr->n_uni += delta;
	fen_add(&gr->uni, pos, delta);
	if (gr->is_cov1[pos])
		fen_add(&gr->cov1, pos, delta);
	if (gr->is_cov[pos])
		fen_add(&gr->cov, pos, delta);
}

/* Rule pos starts (delta 1) or ends (-1) at the sweep's value. */
static void group_event(struct grouper *gr, size_t pos, int delta)
{
	fen_add(&gr->act, pos, delta);
	if (delta > 0 && !gr->in_uni[pos])
		uni_set(gr, pos, 1);
	else if (delta < 0 && gr->open)
		gr->ended[gr->n_ended++] = pos;	/* stays in the group */
	else if (delta < 0)
		uni_set(gr, pos, -1);
}

static void group_close(struct grouper *gr)
{
	struct group *g = &gr->g;
	const struct fen *cov;
	size_t i, c;

	if (!gr->open)
		return;
	gr->open = false;
	g->single = gr->pieces == 1;
	cov = g->single ? &gr->cov1 : &gr->cov;
	c = fen_kth(cov, 1);
	g->n = gr->n_uni;
	g->n_trunc = c < gr->n ? (size_t)fen_prefix(&gr->uni, c) : g->n;
	g->cut = c < gr->n ? c : gr->n;
	for (i = 0; gr->list && i < g->n_trunc; i++)
		g->idx[i] = gr->idx[fen_kth(&gr->uni, (int)i + 1)];
	if (!gr->fn(gr->tr, g, gr->data))
		gr->stop = true;
	/* What ended in the group leaves it (unless it started again). */
	for (i = 0; i < gr->n_ended; i++)
		if (gr->in_uni[gr->ended[i]] &&
		    fen_prefix(&gr->act, gr->ended[i]) -
		    (gr->ended[i] ? fen_prefix(&gr->act, gr->ended[i] - 1) : 0)
		    == 0)
			uni_set(gr, gr->ended[i], -1);
	gr->n_ended = 0;
}

static void grouper_init(struct grouper *gr, size_t events)
{
	struct scratch *scr = gr->tr->scr;
	size_t i, n = gr->n;

	fen_init(&gr->act, n, scr);
	fen_init(&gr->uni, n, scr);
	fen_init(&gr->cov1, n, scr);
	fen_init(&gr->cov, n, scr);
	gr->in_uni = scratch_ztake(scr, n, sizeof(*gr->in_uni));
	/* Written before they are read: not zeroed. */
	gr->is_cov1 = scratch_take(scr, n, sizeof(*gr->is_cov1));
	gr->is_cov = scratch_take(scr, n, sizeof(*gr->is_cov));
	gr->ended = scratch_take(scr, events + 1, sizeof(*gr->ended));
	gr->g.idx = scratch_take(scr, n + 1, sizeof(*gr->g.idx));
	for (i = 0; i < n; i++) {
		const struct opt_rule *r = &gr->tr->rules[gr->idx[i]];

		gr->is_cov1[i] = covers(gr->tr, r, gr->mask | 1u << gr->d);
		gr->is_cov[i] = covers(gr->tr, r, gr->mask);
	}
}

void group_sweep(struct tree *tr, const size_t *idx, size_t n, unsigned mask,
		 enum opt_dim d, bool list, group_fn *fn, void *data)
{
	struct grouper gr = {
		.tr = tr, .idx = idx, .n = n, .mask = mask, .d = d,
		.list = list, .fn = fn, .data = data,
	};
	struct scratch_mark mark = scratch_mark(tr->scr);
	opt_val lo = 0;
	struct event *ev;
	size_t count, i = 0, j, fresh;
	int active = 0;

	ev = events_of(tr, idx, n, d, &count);
	grouper_init(&gr, count);
	while (i < count && !gr.stop) {
		opt_val v = ev[i].v;

		if (v > lo && active) {
			if (!gr.open) {
				gr.open = true;
				gr.pieces = 0;
				gr.g.lo = lo;
			}
			gr.g.hi = v - 1;
			gr.pieces++;
		}
		for (j = i, fresh = 0; j < count && ev[j].v == v; j++)
			if (ev[j].delta > 0 && !gr.in_uni[ev[j].pos])
				fresh++;
		if (gr.open && gr.n_uni + fresh > GROUP_MAX)
			group_close(&gr);
		for (; i < j; i++) {
			group_event(&gr, ev[i].pos, ev[i].delta);
			active += ev[i].delta;
		}
		lo = v;
	}
	if (active && !gr.stop) {
		if (!gr.open) {
			gr.open = true;
			gr.pieces = 0;
			gr.g.lo = lo;
		}
		gr.g.hi = opt_dim_max(d, tr->fi);
		gr.pieces++;
	}
	group_close(&gr);
	scratch_release(tr->scr, mark);
}
