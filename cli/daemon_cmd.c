// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fwctl daemon: fwctld's counters and reload, over its control socket in
 * --rundir (lib/ctlclient.c bounds every wait, so a hung daemon costs two
 * seconds and an exit code of 2, never a hung fwctl).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "ctlclient.h"
#include "json.h"

static int daemon_fail(const char *why)
{
	fprintf(stderr, "fwctl: %s\n", why);
	return FW_EXIT_SYSTEM;
}

static void status_text(const struct control_status *s, const char *rundir)
{
	size_t i;

	printf("fwctld in %s: %zu queue%s, %llu flows, %llu bad requests\n",
	       rundir, s->nqueues, s->nqueues == 1 ? "" : "s",
	       (unsigned long long)s->flows,
	       (unsigned long long)s->bad_requests);
	if (s->nqueues)
		printf("%6s %12s %12s %12s %10s %10s %10s\n", "queue",
		       "packets", "accepted", "denied", "drops", "overruns",
		       "flows");
	for (i = 0; i < s->nqueues; i++) {
		const struct control_queue_stat *q = &s->queues[i];

		printf("%6u %12llu %12llu %12llu %10llu %10llu %10llu\n",
		       q->queue, (unsigned long long)q->packets,
		       (unsigned long long)q->accepted,
		       (unsigned long long)q->denied,
		       (unsigned long long)q->drops,
		       (unsigned long long)q->overruns,
		       (unsigned long long)q->flows);
	}
	if (s->ntop)
		printf("most denied names:\n");
	for (i = 0; i < s->ntop; i++)
		printf("  %10llu  %s\n", (unsigned long long)s->top[i].count,
		       s->top[i].name);
}

static void queue_json(struct json *j, const struct control_queue_stat *q)
{
	json_object_begin(j, NULL);
	json_uint(j, "queue", q->queue);
	json_uint(j, "packets", q->packets);
	json_uint(j, "accepted", q->accepted);
	json_uint(j, "denied", q->denied);
	json_uint(j, "drops", q->drops);
	json_uint(j, "overruns", q->overruns);
	json_uint(j, "flows", q->flows);
	json_object_end(j);
}

static void status_json(const struct control_status *s, const char *rundir)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_string(&j, "rundir", rundir);
	json_uint(&j, "flows", s->flows);
	json_uint(&j, "bad_requests", s->bad_requests);
	json_array_begin(&j, "queues");
	for (i = 0; i < s->nqueues; i++)
		queue_json(&j, &s->queues[i]);
	json_array_end(&j);
	json_array_begin(&j, "top_denied");
	for (i = 0; i < s->ntop; i++) {
		json_object_begin(&j, NULL);
		json_string(&j, "name", s->top[i].name);
		json_uint(&j, "count", s->top[i].count);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
}

static int daemon_status(int argc, char **argv, const struct fw_opts *o)
{
	struct control_status s;
	char why[256];
	int c, json = o->json;

	while ((c = getopt(argc, argv, "+j")) != -1) {
		if (c != 'j')
			return FW_EXIT_USAGE;
		json = 1;
	}
	if (optind != argc)
		return FW_EXIT_USAGE;
	if (ctlclient_status(o->rundir, &s, why, sizeof(why)))
		return daemon_fail(why);
	if (json)
		status_json(&s, o->rundir);
	else
		status_text(&s, o->rundir);
	return FW_EXIT_OK;
}

static int daemon_reload(int argc, char **argv, const struct fw_opts *o)
{
	char why[256];

	(void)argv;
	if (argc != 1)
		return FW_EXIT_USAGE;
	if (ctlclient_reload(o->rundir, why, sizeof(why)))
		return daemon_fail(why);
	if (o->verbose)
		printf("fwctld reloaded its configuration\n");
	return FW_EXIT_OK;
}

static const struct daemon_command {
	const char	*name;
	command_fn	run;
	const char	*args;
	const char	*help;
} daemon_commands[] = {
	{ "status",	daemon_status,	"[-j]",
	  "per-queue packets, verdicts, drops, overruns, flows; top denied" },
	{ "reload",	daemon_reload,	"",
	  "make fwctld reread DIR/" CONTROL_CONFIG_NAME },
};

#define N_DAEMON_COMMANDS \
	(sizeof(daemon_commands) / sizeof(daemon_commands[0]))

static int daemon_usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: fwctl [--rundir DIR] [-j] daemon COMMAND\n\n");
	for (i = 0; i < N_DAEMON_COMMANDS; i++)
		fprintf(out, "  %-6s %-5s %s\n", daemon_commands[i].name,
			daemon_commands[i].args, daemon_commands[i].help);
	fprintf(out, "\nDIR defaults to " CONTROL_RUN_DIR ". Exit: 0 ok, "
		"2 no daemon, no answer or refused. See fwctl(8).\n");
	return out == stdout ? FW_EXIT_OK : FW_EXIT_USAGE;
}

int cmd_daemon(int argc, char **argv, const struct fw_opts *o)
{
	size_t i;
	int r;

	if (argc < 2)
		return daemon_usage(stderr);
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "--help"))
		return daemon_usage(stdout);
	for (i = 0; i < N_DAEMON_COMMANDS; i++)
		if (!strcmp(argv[1], daemon_commands[i].name))
			break;
	if (i == N_DAEMON_COMMANDS) {
		fprintf(stderr, "fwctl: daemon: unknown command '%s'\n",
			argv[1]);
		return daemon_usage(stderr);
	}
	optind = 0;
	r = daemon_commands[i].run(argc - 1, argv + 1, o);
	return r == FW_EXIT_USAGE ? daemon_usage(stderr) : r;
}
