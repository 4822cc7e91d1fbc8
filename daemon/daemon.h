/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_DAEMON_H
#define FWCTL_DAEMON_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "fwctl/control.h"
#include "policy.h"

/* Denied names are counted in this many slots (space-saving top-k). */
#define DAEMON_TOP_SLOTS	64

struct queue;

/*
 * The daemon's state: one policy per profile of the configuration in use
 * and the queues of all profiles. Each queue publishes the policy of its
 * profile and announces the one its thread is using in a hazard slot, so
 * a new configuration replaces the policies without the packet path
 * taking a lock: daemon_apply() frees an old policy once no slot holds it.
 */
struct daemon {
	struct queue *queues[CONTROL_QUEUES_MAX];
	unsigned nqueues;
	struct policy *policies[CONTROL_QUEUES_MAX];	/* one per profile */
	size_t npolicies;
	const char *config_file;	/* for SIGHUP and RELOAD */
	bool config_optional;		/* a missing file: no profiles */
	atomic_uint_fast64_t bad_requests;

	pthread_mutex_t top_lock;
	struct control_top top[DAEMON_TOP_SLOTS];
};

/* Counts a denied name for GET_STATUS' top list. */
void daemon_count_denied(struct daemon *d, const char *name);

/*
 * Applies a configuration: new policies always; queues bound for the
 * profiles' ranges, unbound where no profile wants them any more, and
 * kept (with their flow tables) where their queue parameters did not
 * change. Returns 0 or -errno with why filled.
 */
int daemon_apply(struct daemon *d, const struct control_config *c,
		 char *why, size_t len);

/* Rereads d->config_file and applies it; 0 or -errno with why filled. */
int daemon_reload(struct daemon *d, char *why, size_t len);

void daemon_status(struct daemon *d, struct control_status *s);

/* Unbinds every queue and frees the policies. */
void daemon_stop(struct daemon *d);

#endif
