/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_OPTIMIZE_H
#define FWCTL_OPTIMIZE_H

#include <stdbool.h>

#include "ir.h"

/*
 * Rewrites the long first-match rule lists of a lowered table into lookups
 * whose cost per packet grows with the logarithm of the rule count (verdict
 * maps over intervals and the chains they dispatch to), with exactly the
 * verdicts the lists give. Rules it cannot move (those with counters,
 * limits, logs, NAT, marks, gotos) stay where they are and split a list.
 * flow_cache: trees of lists that allow it get a cache of verdicts per
 * flow in front (opt_flow.c).
 */
void ir_optimize(struct ir_table *t, bool explain, bool flow_cache);

#endif
