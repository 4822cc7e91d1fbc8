// SPDX-License-Identifier: GPL-2.0-or-later
/* STUB: replaced by the scenario runner. */
#include <stdio.h>

#include "commands.h"

int cmd_test(int argc, char **argv, const struct fw_opts *o)
{
	(void)argc; (void)argv; (void)o;
	fprintf(stderr, "fwctl: test: not built yet\n");
	return FW_EXIT_SYSTEM;
}
