// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domainset.h"
#include "hostname.h"

/*
 * An open-addressing hash table of keys: an exact pattern's key is its
 * name, a wildcard's is the suffix after "*.". Both kinds share the table
 * and differ in the wild flag. The patterns' text lives in one arena, so
 * 100k names cost two allocations that grow, not 100k small ones.
 */
struct domainset_slot {
	uint32_t hash;
	uint32_t off;		/* of the pattern in the arena, plus one */
	uint16_t len;		/* of the key */
	uint8_t wild;
};

struct domainset {
	struct domainset_slot *slots;
	size_t mask, count;
	char *arena;
	size_t arena_len, arena_cap;
};

enum { DOMAINSET_MIN_SLOTS = 64 };

#define FNV_BASIS	2166136261u
#define FNV_PRIME	16777619u

static inline uint32_t domainset_step(uint32_t h, uint8_t c)
{
	return (h ^ c) * FNV_PRIME;
}

/*
 * Hashed from the last character back, so that the hash of every suffix
 * of a name falls out of one pass over it (see domainset_match()).
 */
static uint32_t domainset_hash(const char *key, size_t len)
{
	uint32_t h = FNV_BASIS;

	while (len--)
		h = domainset_step(h, (uint8_t)key[len]);
	return h;
}

static const char *domainset_key(const struct domainset *ds,
				 const struct domainset_slot *s)
{
	const char *pattern = ds->arena + s->off - 1;

	return s->wild ? pattern + 2 : pattern;
}

/* The slot holding the key, or the empty slot where it would go. */
static struct domainset_slot *domainset_find(const struct domainset *ds,
					     const char *key, size_t len,
					     uint32_t h, bool wild)
{
	size_t i;

	for (i = h & ds->mask;; i = (i + 1) & ds->mask) {
		struct domainset_slot *s = &ds->slots[i];

		if (!s->off)
			return s;
		if (s->hash == h && s->len == len && s->wild == wild &&
		    !memcmp(domainset_key(ds, s), key, len))
			return s;
	}
}

struct domainset *domainset_new(void)
{
	struct domainset *ds = calloc(1, sizeof(*ds));

	if (!ds)
		return NULL;
	ds->slots = calloc(DOMAINSET_MIN_SLOTS, sizeof(*ds->slots));
	if (!ds->slots) {
		free(ds);
		return NULL;
	}
	ds->mask = DOMAINSET_MIN_SLOTS - 1;
	return ds;
}

void domainset_free(struct domainset *ds)
{
	if (!ds)
		return;
	free(ds->slots);
	free(ds->arena);
	free(ds);
}

size_t domainset_count(const struct domainset *ds)
{
	return ds->count;
}

/* Doubles the table; keeps it at most half full so probes stay short. */
static int domainset_grow(struct domainset *ds)
{
	size_t i, size = (ds->mask + 1) * 2;
	struct domainset_slot *old = ds->slots;

	ds->slots = calloc(size, sizeof(*ds->slots));
	if (!ds->slots) {
		ds->slots = old;
		return -ENOMEM;
	}
	ds->mask = size - 1;
	for (i = 0; i < size / 2; i++) {
		if (!old[i].off)
			continue;
		*domainset_find(ds, domainset_key(ds, &old[i]), old[i].len,
				old[i].hash, old[i].wild) = old[i];
	}
	free(old);
	return 0;
}

/* Appends the pattern's text; returns its offset plus one, or 0. */
static uint32_t domainset_store(struct domainset *ds, bool wild,
				const char *key, size_t len)
{
	size_t need = ds->arena_len + len + 3, off = ds->arena_len;

	if (need > UINT32_MAX)
		return 0;
	if (need > ds->arena_cap) {
		size_t cap = ds->arena_cap ? ds->arena_cap * 2 : 4096;
		char *arena;

		while (cap < need)
			cap *= 2;
		arena = realloc(ds->arena, cap);
		if (!arena)
			return 0;
		ds->arena = arena;
		ds->arena_cap = cap;
	}
	if (wild) {
		memcpy(ds->arena + ds->arena_len, "*.", 2);
		ds->arena_len += 2;
	}
	memcpy(ds->arena + ds->arena_len, key, len + 1);
	ds->arena_len += len + 1;
	return (uint32_t)off + 1;
}

int domainset_add(struct domainset *ds, const char *pattern)
{
	bool wild = !strncmp(pattern, "*.", 2);
	char key[HOSTNAME_MAX + 1];
	struct domainset_slot *s;
	size_t len;
	uint32_t h;

	if (wild)
		pattern += 2;
	if (hostname_copy((const uint8_t *)pattern, strlen(pattern), key,
			  sizeof(key)) < 0)
		return -EINVAL;
	len = strlen(key);
	if ((ds->count + 1) * 2 > ds->mask + 1 && domainset_grow(ds) < 0)
		return -ENOMEM;
	h = domainset_hash(key, len);
	s = domainset_find(ds, key, len, h, wild);
	if (s->off)
		return 0;
	s->off = domainset_store(ds, wild, key, len);
	if (!s->off)
		return -ENOMEM;
	s->hash = h;
	s->len = (uint16_t)len;
	s->wild = wild;
	ds->count++;
	return 0;
}

static const char *domainset_pattern(const struct domainset *ds,
				     const struct domainset_slot *s)
{
	return s->off ? ds->arena + s->off - 1 : NULL;
}

/*
 * One pass from the end lowercases and checks the name into key and notes
 * the hash of each suffix that starts a label, the keys a wildcard may
 * have. The exact name is tried first, then the suffixes from the longest
 * down.
 */
const char *domainset_match(const struct domainset *ds, const char *name)
{
	size_t len = strnlen(name, HOSTNAME_MAX + 2), i, n = 0, label = 0;
	size_t starts[HOSTNAME_MAX / 2 + 1];
	uint32_t hashes[HOSTNAME_MAX / 2 + 1], h = FNV_BASIS;
	char key[HOSTNAME_MAX];
	const char *found;

	if (len && name[len - 1] == '.')
		len--;
	if (!len || len > HOSTNAME_MAX)
		return NULL;
	for (i = len; i-- > 0;) {
		uint8_t c = (uint8_t)name[i];

		if (c == '.') {
			if (!label)
				return NULL;
			starts[n] = i + 1;
			hashes[n++] = h;
			label = 0;
		} else if (!(c = hostname_char(c)) ||
			   ++label > HOSTNAME_LABEL_MAX) {
			return NULL;
		}
		key[i] = (char)c;
		h = domainset_step(h, c);
	}
	if (!label)
		return NULL;
	found = domainset_pattern(ds, domainset_find(ds, key, len, h, false));
	while (!found && n--)
		found = domainset_pattern(ds, domainset_find(ds,
				key + starts[n], len - starts[n], hashes[n],
				true));
	return found;
}
