// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scratch stack: what is taken is aligned and stays intact until the
 * mark before it is released; a release gives the memory back to the
 * next take; blocks that are too small for a later take are replaced;
 * ztake zeroes what an earlier take dirtied. The _san twin runs it under
 * AddressSanitizer, which also sees a block freed while still in use.
 */
#include <stdint.h>
#include <stdlib.h>

#include "scratch.h"
#include "unit.h"

#define MB	(1u << 20)

static bool filled(const unsigned char *p, size_t n, unsigned char v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void test_lifo(void)
{
	struct scratch s = { 0 };
	struct scratch_mark empty = scratch_mark(&s), m;
	unsigned char *a, *b, *c, *first;
	size_t i;

	first = a = scratch_take(&s, 100, 1);
	CHECK((uintptr_t)a % 16 == 0);
	memset(a, 0xaa, 100);
	m = scratch_mark(&s);
	b = scratch_take(&s, 3, 8);
	CHECK((uintptr_t)b % 16 == 0);
	CHECK(b >= a + 100);
	memset(b, 0xbb, 24);
	scratch_release(&s, m);
	c = scratch_take(&s, 24, 1);
	CHECK(c == b);		/* given back, taken again */
	CHECK(filled(a, 100, 0xaa));
	/* Many small takes fill a block and go on in the next. */
	for (i = 0; i < 3 * MB / 4096; i++)
		memset(scratch_take(&s, 4096, 1), 0xcc, 4096);
	CHECK(filled(a, 100, 0xaa));
	scratch_release(&s, empty);
	CHECK(scratch_take(&s, 1, 1) == first);	/* the first block, again */
	scratch_free(&s);
	CHECK(!s.first && !s.cur);
}

static void test_big(void)
{
	struct scratch s = { 0 };
	struct scratch_mark m;
	unsigned char *small, *big, *bigger;

	small = scratch_take(&s, 64, 1);
	memset(small, 0x11, 64);
	m = scratch_mark(&s);
	big = scratch_take(&s, 3 * MB, 1);	/* past a block: one of its own */
	memset(big, 0x22, 3 * MB);
	scratch_release(&s, m);
	bigger = scratch_take(&s, 5 * MB, 1);	/* the 3 MB block is replaced */
	memset(bigger, 0x33, 5 * MB);
	CHECK(filled(small, 64, 0x11));
	scratch_release(&s, m);
	big = scratch_take(&s, 2 * MB, 1);	/* fits the 5 MB block */
	CHECK(big == bigger);
	scratch_free(&s);
}

static void test_zero(void)
{
	struct scratch s = { 0 };
	struct scratch_mark m = scratch_mark(&s);
	unsigned char *p;

	memset(scratch_take(&s, 1000, 4), 0xff, 4000);
	scratch_release(&s, m);
	p = scratch_ztake(&s, 1000, 4);
	CHECK(filled(p, 4000, 0));
	CHECK(scratch_take(&s, 0, 8) != NULL);	/* an empty array is valid */
	scratch_free(&s);
}

int main(void)
{
	test_lifo();
	test_big();
	test_zero();
	return unit_summary("scratch_test");
}
