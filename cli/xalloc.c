// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		abort();
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p)
		abort();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		abort();
	return p;
}

/* xgrow() where n is 0 or a power of two: the capacity may be full. */
void *xgrow_room(void *array, size_t n, size_t size)
{
	/* An array emptied by its owner still has room for one. */
	if (n == 0 && array) {
		memset(array, 0, size);
		return array;
	}
	if (n == 0)
		return xcalloc(1, size);
	if ((n & (n - 1)) == 0) {
		if (n > SIZE_MAX / 2 / size)
			abort();
		array = realloc(array, 2 * n * size);
		if (!array)
			abort();
	}
	memset((char *)array + n * size, 0, size);
	return array;
}
