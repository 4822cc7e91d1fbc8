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
 * The daemon's state. The policy is published with an atomic pointer and
 * each queue thread announces the policy it is using in its hazard slot,
 * so a new policy replaces the old without the packet path taking a
 * lock: daemon_set_policy() frees the old one once no slot holds it.
 */
struct daemon {
	_Atomic(struct policy *) policy;
	struct queue *queues[CONTROL_QUEUES_MAX];
	unsigned nqueues;
	struct control_config running;	/* queue parameters in use */
	bool configured;
	const char *config_file;	/* -c FILE, for SIGHUP and RELOAD */
	atomic_uint_fast64_t bad_requests;

	pthread_mutex_t top_lock;
	struct control_top top[DAEMON_TOP_SLOTS];
};

/* The policy for a batch of packets, held until daemon_put_policy(). */
const struct policy *daemon_get_policy(struct daemon *d,
				       _Atomic(struct policy *) *hazard);
void daemon_put_policy(_Atomic(struct policy *) *hazard);

/* Counts a denied name for GET_STATUS' top list. */
void daemon_count_denied(struct daemon *d, const char *name);

/*
 * Applies a configuration: a new policy always, new queues when the
 * queue parameters changed. Returns 0 or -errno with *why set.
 */
int daemon_apply(struct daemon *d, const struct control_config *c,
		 const char **why);

/* Rereads d->config_file and applies it. */
int daemon_reload(struct daemon *d, const char **why);

void daemon_status(struct daemon *d, struct control_status *s);

/* Unbinds every queue and frees the policy. */
void daemon_stop(struct daemon *d);

#endif
