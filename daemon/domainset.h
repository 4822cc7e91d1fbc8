/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_DOMAINSET_H
#define FWCTL_DOMAINSET_H

#include <stddef.h>

/*
 * A set of domain patterns, each either an exact name ("ads.example.com")
 * or a wildcard ("*.example.com"). A wildcard matches every name strictly
 * below its suffix, at any depth: "*.example.com" matches "a.example.com"
 * and "a.b.example.com" but not "example.com" itself; add both
 * "example.com" and "*.example.com" to cover a domain and all below it.
 * "*" alone and stars anywhere else are not patterns.
 *
 * Names compare without regard to case and to one trailing dot. A lookup
 * hashes every label suffix of the name in one right-to-left pass and
 * probes a hash table once per label, so it costs O(length of the name)
 * whatever the size of the set.
 *
 * Not thread-safe for writers; any number of readers may call
 * domainset_match() on a set nobody is adding to.
 */
struct domainset;

struct domainset *domainset_new(void);
void domainset_free(struct domainset *ds);

/*
 * Adds a pattern (see above; names as in hostname.h). Returns 0 when
 * added or already present, -EINVAL for a bad pattern, -ENOMEM.
 */
int domainset_add(struct domainset *ds, const char *pattern);

/* The number of distinct patterns in the set. */
size_t domainset_count(const struct domainset *ds);

/*
 * The pattern that decides for name, as it was added but lowercase, or
 * NULL when none matches. An exact pattern beats a wildcard, and a longer
 * wildcard suffix beats a shorter one ("*.a.example.com" over
 * "*.example.com"). The string stays valid until the set is freed or
 * added to.
 */
const char *domainset_match(const struct domainset *ds, const char *name);

#endif
