/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_COMMANDS_H
#define FWCTL_COMMANDS_H

#include "fwctl.h"

/*
 * A subcommand: argv[0] is the command's name, getopt is reset (optind 0),
 * and the process is already in the --netns namespace. Returns an enum
 * fw_exit value.
 */
typedef int (*command_fn)(int argc, char **argv, const struct fw_opts *o);

struct command {
	const char	*name;
	command_fn	run;
	const char	*args;
	const char	*help;
};

int cmd_check(int argc, char **argv, const struct fw_opts *o);	/* rules.c */
int cmd_apply(int argc, char **argv, const struct fw_opts *o);	/* rules.c */
int cmd_diff(int argc, char **argv, const struct fw_opts *o);	/* rules.c */
int cmd_export(int argc, char **argv, const struct fw_opts *o);	/* rules.c */
int cmd_show(int argc, char **argv, const struct fw_opts *o);	/* rules.c */
int cmd_flush(int argc, char **argv, const struct fw_opts *o);	/* rules.c */
int cmd_status(int argc, char **argv, const struct fw_opts *o);	/* rules.c */
int cmd_test(int argc, char **argv, const struct fw_opts *o);	/* scenario.c */
/* conntrack.c */
int cmd_conntrack(int argc, char **argv, const struct fw_opts *o);
/* daemon_cmd.c */
int cmd_daemon(int argc, char **argv, const struct fw_opts *o);
int cmd_shape(int argc, char **argv, const struct fw_opts *o);	/* shape_show.c */
int cmd_sessions(int argc, char **argv, const struct fw_opts *o); /* sessions.c */

#endif
