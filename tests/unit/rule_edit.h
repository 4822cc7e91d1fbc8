/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_RULE_EDIT_H
#define FWCTL_RULE_EDIT_H

/*
 * A random rule file as lines, and the edits the random apply tests make
 * to it (overlay_test, skip_test): rule lines start with a verdict.
 */
#include <stdbool.h>
#include <stddef.h>

#include "opt_gen.h"

struct rule_text {
	char	**line;
	size_t	n, cap;
};

/* File k of seed: 300 up to max rules (opt_gen_rules); g goes on. */
void rule_text_random(struct rule_text *t, struct opt_rng *g,
		      unsigned long seed, unsigned k, size_t max);
void rule_text_free(struct rule_text *t);
char *rule_text_join(const struct rule_text *t);	/* malloc'd */
bool rule_line(const char *l);
/* A random rule line's index, or t->n if none was found. */
size_t rule_text_pick(const struct rule_text *t, struct opt_rng *g);
/* l at index at (l is the text's then; dropped when the text is full). */
void rule_text_insert(struct rule_text *t, size_t at, char *l);

enum rule_edit { RULE_FLIP, RULE_DELETE, RULE_COPY, RULE_SWAP };
/*
 * A random rule's verdict flipped (a reject's options need it: deleted
 * instead), the rule deleted, copied before another random rule, or
 * swapped with the next rule line.
 */
void rule_text_edit(struct rule_text *t, struct opt_rng *g,
		    enum rule_edit e);

#endif
