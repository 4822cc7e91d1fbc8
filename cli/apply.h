/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_APPLY_H
#define FWCTL_APPLY_H

#include <stdbool.h>
#include <stdint.h>

#include "ir.h"

/*
 * kernel_apply() with the ruleset generation given instead of read: the
 * tests hand it a stale one to prove that a concurrent commit by another
 * tool makes the whole apply fail and change nothing.
 */
int kernel_apply_at(const struct ir_table *t, bool check_only,
		    uint32_t genid);

#endif
