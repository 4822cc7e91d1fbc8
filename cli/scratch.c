// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scratch.h"

/*
 * The first block is small and each next one twice the one before, up to
 * BLOCK_MAX: a one-rule change's few small trees take under 64 KiB, and
 * a first block of 1 MiB there was most of a huge page of heap that the
 * kernel zeroes, for nothing.
 */
#define BLOCK_FIRST	(64u << 10)
#define BLOCK_MAX	(1u << 20)
#define ALIGN		16u

struct scratch_block {
	struct scratch_block	*next;
	size_t			used, cap;
	_Alignas(ALIGN) unsigned char	mem[];
};

/* A block after one of prev bytes (0: the first). */
static struct scratch_block *block_new(size_t need, size_t prev)
{
	size_t cap = !prev ? BLOCK_FIRST : prev < BLOCK_MAX ? 2 * prev :
		     BLOCK_MAX;
	struct scratch_block *b;

	if (cap < need)
		cap = need;
	b = malloc(sizeof(*b) + cap);

	if (!b)
		abort();
	b->next = NULL;
	b->used = 0;
	b->cap = cap;
	return b;
}

/*
 * The block after cur that has room for need bytes: the next one if it
 * does (blocks after cur are empty), else a new one in its place; the
 * ones it replaces were too small and go.
 */
static struct scratch_block *block_next(struct scratch *s, size_t need)
{
	struct scratch_block *b = s->cur ? s->cur->next : s->first, *next;

	if (b && b->cap < need) {
		for (; b; b = next) {
			next = b->next;
			free(b);
		}
	}
	if (!b) {
		b = block_new(need, s->cur ? s->cur->cap : 0);
		if (s->cur)
			s->cur->next = b;
		else
			s->first = b;
	}
	b->used = 0;
	s->cur = b;
	return b;
}

void *scratch_take(struct scratch *s, size_t n, size_t size)
{
	struct scratch_block *b = s->cur;
	size_t need;
	void *p;

	if (size && n > (SIZE_MAX - ALIGN) / size)
		abort();
	need = (n * size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (!need)
		need = ALIGN;
	if (!b || b->cap - b->used < need)
		b = block_next(s, need);
	p = b->mem + b->used;
	b->used += need;
	return p;
}

void *scratch_ztake(struct scratch *s, size_t n, size_t size)
{
	void *p = scratch_take(s, n, size);

	memset(p, 0, n * size);
	return p;
}

struct scratch_mark scratch_mark(const struct scratch *s)
{
	return (struct scratch_mark){ s->cur, s->cur ? s->cur->used : 0 };
}

void scratch_release(struct scratch *s, struct scratch_mark m)
{
	s->cur = m.block;
	if (m.block)
		m.block->used = m.used;
}

void scratch_free(struct scratch *s)
{
	struct scratch_block *b, *next;

	for (b = s->first; b; b = next) {
		next = b->next;
		free(b);
	}
	s->first = s->cur = NULL;
}
