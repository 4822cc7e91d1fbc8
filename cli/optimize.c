// SPDX-License-Identifier: GPL-2.0-or-later
#include "optimize.h"

void ir_optimize(struct ir_table *t)
{
	(void)t;
}
