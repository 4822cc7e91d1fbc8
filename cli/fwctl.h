/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_FWCTL_H
#define FWCTL_FWCTL_H

/* Exit codes, documented in fwctl(8). */
enum fw_exit {
	FW_EXIT_OK	= 0,
	FW_EXIT_RULES	= 1,	/* the rule file (or scenario) is wrong */
	FW_EXIT_SYSTEM	= 2,	/* the kernel refused, or a system call failed */
	FW_EXIT_USAGE	= 64,	/* EX_USAGE */
};

/* Options every command sees, parsed by main(). */
struct fw_opts {
	const char	*netns;		/* --netns NAME, or NULL */
	const char	*rundir;	/* --rundir DIR: fwctld's files */
	int		json;		/* -j/--json */
	int		verbose;	/* -v */
	int		no_optimize;	/* --no-optimize: rule lists as written */
	int		no_flow_cache;	/* --no-flow-cache: trees without one */
};

#endif
