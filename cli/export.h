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

#endif
