/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_OPT_GUARD_H
#define FWCTL_OPT_GUARD_H

#include "opt.h"

/*
 * The union of guards g[0..ng) of family fi, cut into disjoint boxes with
 * the verdict rules[0..n) give every packet in each (accept, drop, or
 * return where none matches): the elements of a flow map (why and how:
 * opt_guard.c). *boxes is malloc'ed. False when a rule that decides part
 * of a guard is not an exact box, does not accept or drop, or there would
 * be too many boxes.
 */
bool opt_guard_boxes(const struct opt_span (*g)[D_COUNT], size_t ng,
		     const struct opt_rule *rules, size_t n, int fi,
		     struct ir_flow_elem **boxes, size_t *n_boxes);

/* Whether a rule with this hull (family fi) checks a port: a packet
 * without ports never matches it. */
bool opt_guard_ported(const struct opt_span *hull, int fi);

#endif
