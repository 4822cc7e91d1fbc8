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

/*
 * Called by kernel_update() between reading the live table and sending
 * the batch, when set: the tests commit something there to prove that the
 * update notices, reads again and retries once, and then gives up.
 */
extern void (*kernel_update_between)(void);

#endif
