/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_LOWER_H
#define FWCTL_LOWER_H

#include "ir.h"
#include "model.h"

/* The checked model as the kernel will run it; never fails. */
struct ir_table *lower_model(const struct model *m);

#endif
