/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_APPLY_AHEAD_H
#define FWCTL_APPLY_AHEAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "batch.h"
#include "live.h"
#include "opt_base.h"
#include "plan.h"

/*
 * The records of the state a batch makes (the live cache, the trees'
 * records), written on the other core while the kernel checks the
 * batch: for an incremental one over a table of 19,000 rules that takes
 * the kernel some 4 ms and the writing 1 ms; a full replace of 20,000
 * rules, 300 and 7 ms. They need the new rules' handles, which the
 * kernel says only at commit; nf_tables numbers them from one counter of
 * the table, which the last apply left in the cache (live_table.handles)
 * and a full replace's new table starts at 0, so they are foreseen. The
 * records go in place only once the commit is known to have made that
 * very state: the generation after is the one before plus one, and the
 * kernel's echoes are the ones foreseen.
 */
struct apply_ahead {
	pthread_t		thread;
	const char		*dir;
	char			id[256];	/* of the state to come */
	uint32_t		genid;		/* before the batch */
	struct live_table	now;		/* the table after it */
	struct live_echoes	expect;		/* the echoes foreseen */
	const struct ir_table	*t;
	bool			cache_ok, bases_ok;
	struct opt_bases_staged	bases;
	int			lock;		/* record_lock() */
	const struct nlsock	*sock;		/* whose holder to make, */
	int			cue;		/* ... its cue (nlsock.h) */
};

/*
 * After p's batch b over generation genid is built, before it is sent
 * (p NULL: b replaces the table with t): starts writing; false (nothing
 * started) if the handles cannot be foreseen or the thread cannot
 * start. hold: the thread also spawns the holder of s for after
 * (nlsock_hold_spawn(), into a->cue), which the batch's time hides too.
 */
bool apply_ahead_start(struct apply_ahead *a, struct nlsock *s,
		       const char *dir, const struct plan *p, uint32_t genid,
		       const struct batch *b, const struct ir_table *t,
		       bool hold);
/*
 * After the batch: committed, with these echoes. True if the records are
 * in place; false if they were removed (the caller then writes them the
 * slow way, if committed).
 */
bool apply_ahead_finish(struct apply_ahead *a, struct nlsock *s,
			bool committed, const struct live_echoes *got);

#endif
