/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_HOOK_FORM_H
#define FWCTL_HOOK_FORM_H

#include <stdbool.h>

#include "ir.h"

/*
 * The module form of inspect rules (fwhook.ko, see man/fwhook.4). When
 * the module answers in the namespace, apply rewrites the lowered table:
 * each inspect rule puts its profile into the packet mark and accepts
 * (the first match wins, as with queue), and the module does what the
 * ct mark rules and the _mark chains do in the nft-native form, which
 * go away. Then the profiles are pushed to the module.
 */
bool hook_form_live(void);
/* false (table untouched) when the profiles do not fit the module. */
bool hook_form_lower(struct ir_table *t);
/*
 * After a commit: the module gets the profiles of t when t took its form
 * (t->inspect_hook), and is switched off in the namespace otherwise (no
 * inspect rules; t NULL: flush). Nothing without the module. FW_EXIT_*.
 */
int hook_form_sync(const struct ir_table *t);

#endif
