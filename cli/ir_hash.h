/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_IR_HASH_H
#define FWCTL_IR_HASH_H

#include <stdbool.h>
#include <stdint.h>

#include "ir.h"

/*
 * A rule's identity for incremental apply: a 64-bit hash of everything the
 * kernel rule is built from (matches with their values or anonymous set
 * elements, named sets by name, statements, verdict, the user's comment
 * and the source text), but not its location, so that a rule below an
 * inserted line keeps its identity. Two rules with the same key build the
 * same kernel rule, up to the FILE:LINE of its comment.
 *
 * queue_xt is part of it because it changes how queue verdicts are built.
 */
uint64_t ir_rule_key(const struct ir_rule *r, bool queue_xt);

/*
 * A named set's elements, for incremental apply: a set whose key is the
 * one it was committed with needs no element read back and compared.
 */
uint64_t ir_set_elems_key(const struct ir_set *s);

/* The same for a ct helper or timeout object: its whole content. */
uint64_t ir_object_key(const struct ir_object *o);

#endif
