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
};

uint64_t run_now_ms(void);
/* One result line; a skip is ok, with why as its reason. */
void run_report(struct run *run, const struct scn_item *it, bool ok,
		const char *why, const char *extra);
void run_skip(struct run *run, const struct scn_item *it, const char *why);
/* Prints a child's output as TAP comments. */
void run_print_output(const char *out);

/*
 * Runs this very binary as `fwctl --netns NETNS ARGS...`, so a scenario
 * uses fwctl exactly the way a person does. *out gets its standard
 * output, and its standard error too unless err is given. Returns the
 * wait status, or -1 when it could not run at all.
 */
int fwctl_run(const char *netns, const char *const *args, char **out,
	      char **err);

/* A step: apply, stream, flowing or conntrack; prints its result line. */
void step_run(struct run *run, const struct scn_item *it);
/* Ends every stream still running. */
void steps_stop(struct run *run);

#endif
