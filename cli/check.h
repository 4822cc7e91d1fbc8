/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_CHECK_H
#define FWCTL_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "ast.h"
#include "model.h"

/*
 * The checker's files and what they share: check.c walks the tree and
 * keeps the names, macro.c expands $macros, value.c gives values their
 * types and bytes, zone.c, set.c and rule.c check one kind of statement
 * each, family.c decides the address families of a rule.
 */

struct symbol {
	const char	*name;
	unsigned	index;	/* in the tree's array of that kind */
	void		*obj;	/* the model object; NULL when broken */
	struct fw_loc	loc;
	unsigned	width;
};

struct symtab {
	size_t		n;
	struct symbol	*sym;	/* sorted by name, one per name */
	const char	*what;	/* "zone", "set", "macro" */
	const char	*sigil;	/* how uses are spelled: "", "@", "$" */
};

/* A value after macro expansion, and the $macro use it came through. */
struct xvalue {
	const struct ast_value	*v;
	const struct ast_value	*via;
};

struct xlist {
	size_t		n;
	struct xvalue	*x;
};

enum macro_state { MACRO_NEW, MACRO_BUSY, MACRO_GOOD, MACRO_BAD };

struct checker {
	struct ast		*ast;	/* check_rules() releases its rules */
	struct model		*m;
	struct symtab		macros, zones, sets;
	enum macro_state	*macro_state;	/* per define */
	struct xlist		*macro_value;	/* per define, when GOOD */
};

/* check.c */
struct symbol *symtab_find(const struct symtab *t, const char *name);
/* Reports an unknown name, with the closest known one as a hint. */
void check_unknown(const struct symtab *t, const struct xvalue *x);
void check_error(const struct xvalue *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* a before b in the file (both in one file). */
bool loc_before(struct fw_loc a, struct fw_loc b);

/* macro.c */
void check_macros(struct checker *c);
/* The values of l, macros spliced in; out is empty after an error. */
int macro_expand(struct checker *c, const struct ast_list *l,
		 struct xlist *out);

/* value.c: each fills e from x or reports why it cannot. */
typedef int (*value_fn)(const struct xvalue *x, struct m_elem *e);
int value_addr(const struct xvalue *x, struct m_elem *e);
int value_port(const struct xvalue *x, struct m_elem *e);
int value_ifname(const struct xvalue *x, struct m_elem *e);
int value_proto(const struct xvalue *x, struct m_elem *e);
int value_icmp_type(const struct xvalue *x, struct m_elem *e);
int value_icmpv6_type(const struct xvalue *x, struct m_elem *e);
int value_ct_state(const struct xvalue *x, struct m_elem *e);
/* Resolves every value of xl (all errors reported); fills fams, interval. */
int value_list(const struct xlist *xl, value_fn fn, struct m_elems *out);
/* A set kind's values look like this; SK_IFNAME also for bare names. */
bool value_kind(const struct ast_value *v, enum set_kind *kind);
extern const char *const set_kind_names[];	/* "addresses", ... */
/* A value as a message quotes it: 'eth0', "eth 0", @set, $macro. */
const char *value_quote(const struct ast_value *v, char *buf, size_t size);

/* zone.c, set.c, rule.c */
void check_zones(struct checker *c);
void check_sets(struct checker *c);
void check_rules(struct checker *c);
/* One rule resolved and checked, or NULL after reporting why not. */
struct m_rule *rule_check(struct checker *c, const struct ast_rule *ar);

/* inspect.c: inspect rules, their queues and daemon profiles. */
void check_inspects(struct checker *c);

/*
 * nat.c: NAT and conntrack rules (and connection limits); resolve before
 * the protocols are checked, validate after.
 */
int nat_resolve(struct checker *c, const struct ast_rule *ar,
		struct m_rule *r);
int nat_validate(const struct ast_rule *ar, struct m_rule *r);
/* Port forwards that can match the same packets; after all rules. */
void nat_check_overlaps(const struct model *m);

/* family.c: the families r can match, or 0 after reporting a conflict. */
uint8_t rule_families(const struct ast_rule *ar, const struct m_rule *r);

#endif
