/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_XALLOC_H
#define FWCTL_XALLOC_H

#include <stddef.h>
#include <string.h>

/*
 * Allocation that cannot fail: the front end has no sensible way to go on
 * without memory, so these abort instead of making every caller check.
 */
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/*
 * Makes room for element n (0-based) of an array that holds n elements,
 * doubling the capacity at powers of two; the new element is zeroed. The
 * capacity is implied by n, so an array may shrink but never by realloc.
 * Inline where there is room already: the optimizer appends hundreds of
 * thousands of elements a compile, and a call each showed in profiles.
 */
void *xgrow_room(void *array, size_t n, size_t size);

static inline void *xgrow(void *array, size_t n, size_t size)
{
	if (n && (n & (n - 1)) != 0) {
		memset((char *)array + n * size, 0, size);
		return array;
	}
	return xgrow_room(array, n, size);
}

#endif
