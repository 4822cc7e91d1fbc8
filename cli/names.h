/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_NAMES_H
#define FWCTL_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The words of the rule language that stand for numbers: protocols,
 * services, ICMP types, ct states, reject codes, rate units, set types.
 * Every table is sorted by name and searched with bsearch(); the unit tests
 * prove the order.
 */
struct name_entry {
	const char	*name;
	unsigned	value;
};

struct name_table {
	const struct name_entry	*entries;
	size_t			n;
};

bool names_lookup(const struct name_table *t, const char *name,
		  unsigned *value);
/* The first name with this value, or NULL. */
const char *names_by_value(const struct name_table *t, unsigned value);
/* True when the table is strictly sorted (for the tests). */
bool names_sorted(const struct name_table *t);
/* The entry of t closest to word (edit distance <= 2), or NULL. */
const char *names_suggest(const struct name_table *t, const char *word);
/* The same over any list of candidate names. */
const char *names_closest(const char *word, const char *const *cands,
			  size_t n);

/* Set types: what `set NAME type T` accepts. */
enum set_type {
	SET_TYPE_NONE,
	SET_TYPE_IPV4,
	SET_TYPE_IPV6,
	SET_TYPE_ADDR,
	SET_TYPE_PORT,
	SET_TYPE_IFNAME,
	SET_TYPE_DOMAIN,
};

/* How `reject with KIND` answers; the values are enum ir_reject_kind. */
extern const struct name_table names_reject_kind;

extern const struct name_table names_proto;
extern const struct name_table names_service;
extern const struct name_table names_icmp_type;
extern const struct name_table names_icmpv6_type;
extern const struct name_table names_ct_state;
extern const struct name_table names_reject_icmp;
extern const struct name_table names_reject_icmpv6;
extern const struct name_table names_reject_icmpx;
extern const struct name_table names_rate_unit;
extern const struct name_table names_set_type;

/* Protocols whose headers start with 16-bit source and destination ports. */
bool proto_has_ports(unsigned proto);

#endif
