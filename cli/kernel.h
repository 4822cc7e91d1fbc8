/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_KERNEL_H
#define FWCTL_KERNEL_H

#include <stdbool.h>
#include <stdio.h>

#include "ir.h"

/*
 * Everything that talks to nf_tables. All functions act on the network
 * namespace the process is in (main() enters --netns before calling) and
 * return an enum fw_exit value; errors are printed (kernel rejections of a
 * rule through diag_error() at the rule's location).
 */

/*
 * Replaces table inet fwctl with t in ONE batch guarded by the ruleset
 * generation. check_only: the kernel validates the whole batch and then
 * aborts it (no batch end message), nothing changes.
 */
int kernel_apply(const struct ir_table *t, bool check_only);
/* Deletes table inet fwctl (and nothing else); absent is not an error. */
int kernel_flush(void);
/* Reads table inet fwctl back: chains, rules with counters and locations. */
int kernel_show(FILE *out, bool json);
/* Probed kernel features, table presence, rule count, generation. */
int kernel_status(FILE *out, bool json);

#endif
