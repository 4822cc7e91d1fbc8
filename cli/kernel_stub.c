// SPDX-License-Identifier: GPL-2.0-or-later
/* STUB: replaced by the back end. */
#include <stdio.h>

#include "export.h"
#include "fwctl.h"
#include "kernel.h"

int export_table(const struct ir_table *t, FILE *out)
{
	(void)t; (void)out;
	return FW_EXIT_SYSTEM;
}

int kernel_apply(const struct ir_table *t, bool check_only)
{
	(void)t; (void)check_only;
	fprintf(stderr, "fwctl: back end not built yet\n");
	return FW_EXIT_SYSTEM;
}

int kernel_flush(void) { return FW_EXIT_SYSTEM; }
int kernel_show(FILE *out, bool json) { (void)out; (void)json; return FW_EXIT_SYSTEM; }
int kernel_status(FILE *out, bool json) { (void)out; (void)json; return FW_EXIT_SYSTEM; }
