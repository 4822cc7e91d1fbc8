/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_EXPORT_H
#define FWCTL_EXPORT_H

#include <stdio.h>

#include "ir.h"

/*
 * Prints the table as nft(8) text that `nft -f` accepts and that builds
 * exactly what the libnftnl back end pushes: the review format and the
 * golden-test format. Deterministic: same IR, same bytes.
 */
int export_table(const struct ir_table *t, FILE *out);
/* What the optimizer made of each source rule (cli/explain.c). */
int export_explain(const struct ir_table *t, FILE *out);

/* Pieces of it for `fwctl diff`: a rule's nft text (matches, statements,
 * verdict, each followed by a space; each match apart, as it was
 * written, where the export may write two as one raw payload), one
 * element, one verdict, one element of a flow map. */
void export_rule_text(FILE *out, const struct ir_rule *r);
void export_interval(FILE *out, enum ir_field f, const struct ir_value *v);
void export_verdict(FILE *out, const struct ir_verdict *v);
void export_flow_elem(FILE *out, const struct ir_set *s,
		      const struct ir_flow_elem *e);

#endif
