// SPDX-License-Identifier: GPL-2.0-or-later
/* The daemon's state: its policy, its queues, its counters. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conffile.h"
#include "daemon.h"
#include "log.h"
#include "queue.h"
#include "watchdog.h"

/*
 * A hazard pointer: announce, then check the pointer is still the
 * published one, so daemon_set_policy() cannot miss our announcement
 * (both sides use sequentially consistent atomics).
 */
const struct policy *daemon_get_policy(struct daemon *d,
				       _Atomic(struct policy *) *hazard)
{
	struct policy *p;

	do {
		p = atomic_load(&d->policy);
		atomic_store(hazard, p);
	} while (p != atomic_load(&d->policy));
	return p;
}

void daemon_put_policy(_Atomic(struct policy *) *hazard)
{
	atomic_store(hazard, NULL);
}

static bool policy_in_use(struct daemon *d, struct policy *p)
{
	unsigned i;

	for (i = 0; i < d->nqueues; i++)
		if (queue_hazard(d->queues[i]) == p)
			return true;
	return false;
}

static void daemon_set_policy(struct daemon *d, struct policy *p)
{
	struct policy *old = atomic_exchange(&d->policy, p);

	while (old && policy_in_use(d, old))
		usleep(1000);
	policy_free(old);
}

void daemon_count_denied(struct daemon *d, const char *name)
{
	struct control_top *t, *min = &d->top[0];
	size_t i;

	pthread_mutex_lock(&d->top_lock);
	for (i = 0; i < DAEMON_TOP_SLOTS; i++) {
		t = &d->top[i];
		if (!strcmp(t->name, name))
			break;
		if (t->count < min->count)
			min = t;
	}
	/* Space-saving: a new name takes the least counted slot and its
	 * count, so a heavy hitter that arrives late still rises. */
	if (i == DAEMON_TOP_SLOTS) {
		t = min;
		strcpy(t->name, name);
	}
	t->count++;
	pthread_mutex_unlock(&d->top_lock);
}

static bool same_queues(const struct control_config *a,
			const struct control_config *b)
{
	return a->queue_first == b->queue_first &&
	       a->queue_count == b->queue_count &&
	       a->queue_maxlen == b->queue_maxlen &&
	       a->fail_open == b->fail_open;
}

static void daemon_stop_queues(struct daemon *d)
{
	while (d->nqueues) {
		struct queue *q = d->queues[--d->nqueues];

		watchdog_remove(queue_num(q));
		queue_stop(q);
	}
}

static int daemon_start_queues(struct daemon *d,
			       const struct control_config *c)
{
	struct queue *q;
	unsigned i;

	for (i = 0; i < c->queue_count; i++) {
		q = queue_start(d, c->queue_first + i, c);
		if (!q) {
			log_msg("queue %u: %m", c->queue_first + i);
			return -errno;
		}
		d->queues[d->nqueues++] = q;
		watchdog_add(queue_num(q), queue_fd(q), c->fail_open);
	}
	return 0;
}

int daemon_apply(struct daemon *d, const struct control_config *c,
		 const char **why)
{
	struct policy *p = policy_new(c, why);
	int err = 0;

	if (!p)
		return -EINVAL;
	daemon_set_policy(d, p);
	if (!d->configured || !same_queues(c, &d->running)) {
		daemon_stop_queues(d);
		err = daemon_start_queues(d, c);
		if (err) {
			*why = "cannot bind the queues";
			daemon_stop_queues(d);
		}
	}
	d->running = (struct control_config){
		.queue_first = c->queue_first, .queue_count = c->queue_count,
		.queue_maxlen = c->queue_maxlen, .fail_open = c->fail_open };
	d->configured = !err;
	return err;
}

int daemon_reload(struct daemon *d, const char **why)
{
	struct control_config c;
	int err;

	if (!d->config_file) {
		*why = "started without -c FILE: nothing to reload";
		return -ENOENT;
	}
	err = conffile_read(d->config_file, &c);
	if (err) {
		*why = "bad config file (see the daemon's log)";
		return err;
	}
	err = daemon_apply(d, &c, why);
	control_config_free(&c);
	return err;
}

static int top_cmp(const void *a, const void *b)
{
	const struct control_top *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

void daemon_status(struct daemon *d, struct control_status *s)
{
	struct control_top top[DAEMON_TOP_SLOTS];
	unsigned i;

	memset(s, 0, sizeof(*s));
	s->bad_requests = atomic_load(&d->bad_requests);
	for (i = 0; i < d->nqueues; i++) {
		queue_stat(d->queues[i], &s->queues[i]);
		s->flows += s->queues[i].flows;
	}
	s->nqueues = d->nqueues;
	pthread_mutex_lock(&d->top_lock);
	memcpy(top, d->top, sizeof(top));
	pthread_mutex_unlock(&d->top_lock);
	qsort(top, DAEMON_TOP_SLOTS, sizeof(top[0]), top_cmp);
	for (i = 0; i < CONTROL_TOP_MAX && top[i].count; i++)
		s->top[s->ntop++] = top[i];
}

void daemon_stop(struct daemon *d)
{
	daemon_stop_queues(d);
	daemon_set_policy(d, NULL);
}
