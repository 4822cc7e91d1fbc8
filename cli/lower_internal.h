/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_LOWER_INTERNAL_H
#define FWCTL_LOWER_INTERNAL_H

#include "ir.h"
#include "model.h"

/* What lower.c and lower_nat.c share. */
struct lower {
	const struct model	*m;
	struct ir_table		*t;
	struct ir_set		*(*named)[2];	/* per set: v4 (or only), v6 */
};

/* lower.c: r into c, as written (no zone dispatch), split by family. */
void lower_rule(struct lower *lw, struct ir_chain *c, const struct m_rule *r);

/*
 * lower_nat.c: the NAT, notrack, ct helper/timeout and connection limit
 * of one IR rule of r (family fam); the forward rules that let port
 * forwards through; the chains of NAT and conntrack rules.
 */
void lower_rule_actions(struct lower *lw, struct ir_rule *ir,
			const struct m_rule *r, uint8_t fam);
void lower_pass_rules(struct lower *lw, struct ir_chain *forward);
void lower_ct_chains(struct lower *lw);
/* lower_inspect.c: the inspect chains and the daemon profiles. */
void lower_inspect(struct lower *lw);

/* A rule fwctl adds by itself; why names it in `fwctl show`. */
struct ir_rule *lower_builtin(struct ir_chain *c, const char *why,
			      enum ir_verdict_kind verdict);

#endif
