// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sequence diff of rule keys (E. Myers, "An O(ND) difference algorithm
 * and its variations", 1986). A one-rule change in a 10,000-rule chain
 * costs the common head and tail scans and a few diagonals: D is the
 * number of edits, and the trace kept for the walk back is (D + 1)^2
 * offsets.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "seqdiff.h"

struct trace {
	ssize_t	**v;	/* v[d][k + d]: furthest x on diagonal k before d */
	ssize_t	d;	/* the number of edits found */
};

static void trace_free(struct trace *t, ssize_t n)
{
	ssize_t d;

	for (d = 0; d < n; d++)
		free(t->v[d]);
	free(t->v);
}

static ssize_t *xmalloc_offsets(size_t n)
{
	ssize_t *p = calloc(n, sizeof(*p));

	if (!p)
		abort();
	return p;
}

/* v is indexed from -max - 1; returns d, or -1 past max. */
static ssize_t myers_forward(const uint64_t *a, ssize_t n, const uint64_t *b,
			     ssize_t m, ssize_t max, struct trace *t)
{
	ssize_t *v = xmalloc_offsets((size_t)(2 * max + 3)) + max + 1;
	ssize_t d, k, x, y;

	t->v = calloc((size_t)max + 1, sizeof(*t->v));
	if (!t->v)
		abort();
	for (d = 0; d <= max; d++) {
		t->v[d] = xmalloc_offsets((size_t)(2 * d + 1));
		memcpy(t->v[d], v - d, (size_t)(2 * d + 1) * sizeof(*v));
		for (k = -d; k <= d; k += 2) {
			if (k == -d || (k != d && v[k - 1] < v[k + 1]))
				x = v[k + 1];
			else
				x = v[k - 1] + 1;
			for (y = x - k; x < n && y < m && a[x] == b[y]; y++)
				x++;
			v[k] = x;
			if (x >= n && y >= m) {
				free(v - max - 1);
				return d;
			}
		}
	}
	free(v - max - 1);
	return -1;
}

/* From (n, m) back to (0, 0): every diagonal step is a kept element. */
static void myers_back(const struct trace *t, ssize_t n, ssize_t m,
		       size_t *match, size_t a_off)
{
	ssize_t d, k, x = n, y = m, px, pk;

	for (d = t->d; d > 0; d--) {
		const ssize_t *v = t->v[d] + d;

		k = x - y;
		if (k == -d || (k != d && v[k - 1] < v[k + 1]))
			pk = k + 1;
		else
			pk = k - 1;
		px = v[pk];
		while (x > px && y > px - pk)
			match[--y] = a_off + (size_t)--x;
		x = px;
		y = px - pk;
	}
	while (x > 0 && y > 0)
		match[--y] = a_off + (size_t)--x;
}

static void diff_middle(const uint64_t *a, size_t n, const uint64_t *b,
			size_t m, size_t *match, size_t a_off)
{
	struct trace t = { 0 };
	ssize_t max = (ssize_t)(n + m);
	size_t j;

	for (j = 0; j < m; j++)
		match[j] = SEQDIFF_NEW;
	if (!n || !m)
		return;
	if (max > SEQDIFF_MAX_D)
		max = SEQDIFF_MAX_D;
	t.d = myers_forward(a, (ssize_t)n, b, (ssize_t)m, max, &t);
	if (t.d >= 0)
		myers_back(&t, (ssize_t)n, (ssize_t)m, match, a_off);
	trace_free(&t, max + 1);
}

void seqdiff(const uint64_t *a, size_t na, const uint64_t *b, size_t nb,
	     size_t *match)
{
	size_t head = 0, tail = 0, j;

	while (head < na && head < nb && a[head] == b[head]) {
		match[head] = head;
		head++;
	}
	while (tail < na - head && tail < nb - head &&
	       a[na - 1 - tail] == b[nb - 1 - tail])
		tail++;
	for (j = 0; j < tail; j++)
		match[nb - tail + j] = na - tail + j;
	diff_middle(a + head, na - head - tail, b + head, nb - head - tail,
		    match + head, head);
}
