/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_OPT_OVERLAY_H
#define FWCTL_OPT_OVERLAY_H

#include "opt.h"
#include "opt_base.h"

/*
 * rules[0..n) (boxed), the list whose tree b describes, as an overlay in
 * front of that tree as it is live (why and how: opt_overlay.c). fall and
 * prefix as for the tree; flow: the list may have a flow cache, guard: a
 * flow map in front (the kernel takes them). root gets,
 * per family, the chain to jump to ("": none). False when too much
 * changed: nothing was added to t, build the tree. True: kept is b,
 * marked kept, with what went in front, and base_of[j] the index in b of
 * the rule that rules[j] is (LINE_NEW: none). Stand-ins of lines left
 * out (ir_rule.keep) count by the hulls in b.
 */
bool opt_overlay(struct ir_table *t, const struct opt_bases *in,
		 const struct opt_base *b, struct opt_rule *rules, size_t n,
		 enum ir_verdict_kind fall, bool flow, bool guard,
		 char prefix[2][IR_NAME_MAX], char root[2][IR_NAME_MAX],
		 struct opt_base *kept, uint32_t *base_of,
		 struct scratch *scr);

/* A record in out of the tree just built over rules[0..n): flow, front:
 * the families with a cache, with a flow map in front. */
void opt_base_record(struct opt_bases *out, const char *chain, unsigned run,
		     enum ir_verdict_kind fall, char prefix[2][IR_NAME_MAX],
		     char root[2][IR_NAME_MAX], uint8_t flow, uint8_t front,
		     const struct opt_rule *rules, size_t n);

#endif
