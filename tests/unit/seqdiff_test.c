// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * seqdiff() against random sequences over small alphabets (so that keys
 * repeat, like identical rules): the kept elements must be equal keys in
 * increasing order on both sides, and as many as the longest common
 * subsequence that a plain dynamic program finds, i.e. the script is
 * minimal. Past SEQDIFF_MAX_D the result must still be a valid one.
 */
#include <stdint.h>
#include <stdlib.h>

#include "seqdiff.h"
#include "unit.h"

#define MAX_LEN	60

static size_t lcs(const uint64_t *a, size_t n, const uint64_t *b, size_t m)
{
	static size_t t[MAX_LEN + 1][MAX_LEN + 1];
	size_t i, j;

	for (i = 0; i <= n; i++)
		for (j = 0; j <= m; j++)
			t[i][j] = !i || !j ? 0 : a[i - 1] == b[j - 1] ?
				  t[i - 1][j - 1] + 1 :
				  t[i - 1][j] > t[i][j - 1] ? t[i - 1][j] :
							      t[i][j - 1];
	return t[n][m];
}

/* The number of kept elements, or SIZE_MAX if match is not valid. */
static size_t kept(const uint64_t *a, size_t n, const uint64_t *b, size_t m,
		   const size_t *match)
{
	size_t j, k = 0, last = SIZE_MAX;

	for (j = 0; j < m; j++) {
		if (match[j] == SEQDIFF_NEW)
			continue;
		if (match[j] >= n || a[match[j]] != b[j] ||
		    (last != SIZE_MAX && match[j] <= last))
			return SIZE_MAX;
		last = match[j];
		k++;
	}
	return k;
}

static void fill(uint64_t *v, size_t n, unsigned alphabet)
{
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = 1000 + (uint64_t)(rand() % (int)alphabet);
}

static void test_random(void)
{
	uint64_t a[MAX_LEN], b[MAX_LEN];
	size_t match[MAX_LEN], n, m, k;
	unsigned round, bad = 0;

	for (round = 0; round < 20000; round++) {
		n = (size_t)rand() % MAX_LEN;
		m = (size_t)rand() % MAX_LEN;
		fill(a, n, 2 + round % 7);
		fill(b, m, 2 + round % 7);
		seqdiff(a, n, b, m, match);
		k = kept(a, n, b, m, match);
		if (k != lcs(a, n, b, m))
			bad++;
	}
	CHECK_EQ(bad, 0);
}

/* A few edits in a long sequence: a copy with changes here and there. */
static void test_edits(void)
{
	enum { N = 10000 };
	uint64_t *a = calloc(N, sizeof(*a)), *b = calloc(N + 2, sizeof(*b));
	size_t *match = calloc(N + 2, sizeof(*match)), i, m = 0;

	for (i = 0; i < N; i++)
		a[i] = i;
	for (i = 0; i < N; i++) {
		if (i == 10)
			b[m++] = 77777;		/* inserted */
		if (i == 5000)
			continue;		/* deleted */
		b[m++] = i == 7000 ? 88888 : a[i];	/* changed */
	}
	b[m++] = a[0];				/* a duplicate at the end */
	seqdiff(a, N, b, m, match);
	CHECK_EQ(kept(a, N, b, m, match), N - 2);
	CHECK_EQ(match[10], SEQDIFF_NEW);
	CHECK_EQ(match[11], 10);
	CHECK_EQ(match[m - 1], SEQDIFF_NEW);
	free(a);
	free(b);
	free(match);
}

/* Nothing in common past the edit limit: all new, still valid. */
static void test_limit(void)
{
	enum { N = 3 * SEQDIFF_MAX_D };
	uint64_t *a = calloc(N, sizeof(*a)), *b = calloc(N, sizeof(*b));
	size_t *match = calloc(N, sizeof(*match)), i;

	for (i = 0; i < N; i++) {
		a[i] = i;
		b[i] = i % 2 ? i : N + i;
	}
	seqdiff(a, N, b, N, match);
	CHECK(kept(a, N, b, N, match) != SIZE_MAX);
	free(a);
	free(b);
	free(match);
}

int main(void)
{
	srand(7);
	test_random();
	test_edits();
	test_limit();
	return unit_summary("seqdiff_test");
}
