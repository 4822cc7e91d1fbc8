/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_WIRE_H
#define FWCTL_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A read-only cursor over untrusted bytes. Every read goes through
 * wire_take(), which checks the length first, so the dissectors cannot
 * read past the end of what they were given.
 */
struct wire {
	const uint8_t *p;
	size_t len;
};

static inline bool wire_take(struct wire *w, size_t n, struct wire *out)
{
	if (w->len < n)
		return false;
	if (out)
		*out = (struct wire){ .p = w->p, .len = n };
	w->p += n;
	w->len -= n;
	return true;
}

static inline uint32_t wire_be(const uint8_t *p, size_t n)
{
	uint32_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

static inline bool wire_uint(struct wire *w, size_t n, uint32_t *v)
{
	struct wire f;

	if (!wire_take(w, n, &f))
		return false;
	*v = wire_be(f.p, n);
	return true;
}

/* A vector with an n-byte big-endian length in front, as TLS has them. */
static inline bool wire_vec(struct wire *w, size_t n, struct wire *out)
{
	uint32_t len;

	return wire_uint(w, n, &len) && wire_take(w, len, out);
}

#endif
