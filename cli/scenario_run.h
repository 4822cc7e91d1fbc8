/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_SCENARIO_RUN_H
#define FWCTL_SCENARIO_RUN_H

/*
 * One scenario while it runs: shared by scenario.c (batches of
 * expectations) and scenario_step.c (the steps between them).
 */
#include <stdbool.h>
#include <stdint.h>

#include "scenario.h"

struct run {
	struct scenario	*s;
	const char	*name;		/* basename, for result lines */
	bool		verbose;
	unsigned	number;		/* of the last result line */
	unsigned	passed, failed, skipped;
	struct stream	**streams;	/* by item index; NULL: not running */
	struct daemon_proc *daemons;	/* by node; NULL: no node has one */
	char		*tmpdir;	/* the nodes' run directories */
};

uint64_t run_now_ms(void);
/* One result line; a skip is ok, with why as its reason. */
void run_report(struct run *run, const struct scn_item *it, bool ok,
		const char *why, const char *extra);
void run_skip(struct run *run, const struct scn_item *it, const char *why);
/* Prints a child's output as TAP comments. */
void run_print_output(const char *out);

/*
 * Runs this very binary as `fwctl --netns NETNS --rundir DIR ARGS...`
 * (the node's run directory), so a scenario uses fwctl exactly the
 * way a person does. *out gets its standard output, and its standard
 * error too unless err is given. Returns the wait status, or -1 when it
 * could not run at all.
 */
int fwctl_run(const struct scn_node *n, const char *const *args, char **out,
	      char **err);

/* A step: apply, stream, flowing or conntrack; prints its result line. */
void step_run(struct run *run, const struct scn_item *it);
/* Ends every stream still running. */
void steps_stop(struct run *run);

/*
 * fwctld in the nodes that declare daemon (daemon_node.c): setup makes
 * every node's run directory and starts the daemons, teardown kills them
 * and removes the directories unless keep. daemon_act() is a daemon step; the
 * counters are summed over the queues, indexed by enum scn_counter.
 */
int daemons_setup(struct run *run);
void daemons_teardown(struct run *run, bool keep);
int daemon_act(struct run *run, size_t node, enum scn_daemon_action a,
	       char *why, size_t size);
int daemon_counters(struct run *run, size_t node, uint64_t *v, char *why,
		    size_t size);
void daemon_print_log(const struct run *run, size_t node);

#endif
