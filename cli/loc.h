/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_LOC_H
#define FWCTL_LOC_H

/*
 * A place in a rule file. file points into the diag source registry (see
 * diag.h) and stays valid until diag_reset(); file == NULL means "built in".
 */
struct fw_loc {
	const char	*file;
	unsigned	line;	/* 1-based */
	unsigned	col;	/* 1-based, in bytes */
};

#endif
