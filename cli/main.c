// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fwctl: compile a rule file and push it into nf_tables, read it back, and
 * test it in network-namespace scenarios. main() parses the global options,
 * enters --netns, and walks the table of subcommands.
 */
#include <errno.h>
#include <getopt.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "fwctl/control.h"
#include "fwctl.h"
#include "heap.h"
#include "netns.h"
#include "nlsock.h"

static const struct command commands[] = {
	{ "check",	cmd_check,	"[--kernel] FILE",
	  "parse and check FILE; --kernel: the kernel validates it too" },
	{ "apply",	cmd_apply,	"[--full] FILE",
	  "make the live rule set FILE in one atomic commit, sending only "
	  "what changed (--full: replace it all)" },
	{ "diff",	cmd_diff,	"FILE",
	  "print what apply FILE would change, changing nothing" },
	{ "show",	cmd_show,	"",
	  "print the live rule set with counters and source locations" },
	{ "export",	cmd_export,	"[--explain] FILE",
	  "print the nft text of what apply would push" },
	{ "flush",	cmd_flush,	"",
	  "remove fwctl's table and shaping (and only them)" },
	{ "status",	cmd_status,	"",
	  "kernel features as probed, table, rules, generation" },
	{ "test",	cmd_test,	"[-k] [-n] SCENARIO...",
	  "run scenarios: build namespaces, apply rules, send packets" },
	{ "conntrack",	cmd_conntrack,	"CMD [FILTER...]",
	  "list, count, delete, flush or watch conntrack entries" },
	{ "daemon",	cmd_daemon,	"status|reload",
	  "fwctld's per-queue counters and top denied names; reload" },
	{ "shape",	cmd_shape,	"show [-j]",
	  "per class: configured and current rate, bytes, drops, backlog" },
	{ "sessions",	cmd_sessions,	"[-j|delete ID|all]",
	  "inspected connections in fwhook.ko: verdict, counters" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"usage: fwctl [--netns NAME] [--rundir DIR] [--no-optimize] "
		"[--no-flow-cache] [-j] [-v] COMMAND [ARGS]\n\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-9s %-18s %s\n", commands[i].name,
			commands[i].args, commands[i].help);
	fprintf(out, "\nexit: 0 ok, 1 rule-file error, 2 kernel or system "
		"error, 64 usage. See fwctl(8).\n");
}

static const struct command *command_find(const char *name)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "netns",   required_argument, NULL, 'n' },
		{ "rundir",  required_argument, NULL, 'r' },
		{ "json",    no_argument,       NULL, 'j' },
		{ "verbose", no_argument,       NULL, 'v' },
		{ "no-optimize", no_argument,   NULL, 'O' },
		{ "no-flow-cache", no_argument, NULL, 'F' },
		{ "help",    no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct fw_opts opts = { .rundir = CONTROL_RUN_DIR };
	const struct command *cmd;
	int c;

	/* A holder of apply's netlink socket (nlsock.h) does no more. */
	nlsock_hold_if_asked(argc, argv);
	nlsock_hold_by("/proc/self/exe");
	heap_reserve();
	/* "+": stop at the command so its own options stay its own. */
	while ((c = getopt_long(argc, argv, "+n:jvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			opts.netns = optarg;
			break;
		case 'r':
			opts.rundir = optarg;
			break;
		case 'j':
			opts.json = 1;
			break;
		case 'v':
			opts.verbose++;
			break;
		case 'O':
			opts.no_optimize = 1;
			break;
		case 'F':
			opts.no_flow_cache = 1;
			break;
		case 'h':
			usage(stdout);
			return FW_EXIT_OK;
		default:
			usage(stderr);
			return FW_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return FW_EXIT_USAGE;
	}
	cmd = command_find(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "fwctl: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return FW_EXIT_USAGE;
	}
	if (opts.netns && netns_enter(opts.netns) < 0) {
		fprintf(stderr, "fwctl: cannot enter network namespace '%s': "
			"%s\n", opts.netns, strerror(errno));
		return FW_EXIT_SYSTEM;
	}
	argc -= optind;
	argv += optind;
	optind = 0;	/* commands run getopt again on their own argv */
	return cmd->run(argc, argv, &opts);
}
