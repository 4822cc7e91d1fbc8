// SPDX-License-Identifier: GPL-2.0-or-later
/* The daemon's state: its policy, its queues, its counters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control_text.h"
#include "daemon.h"
#include "log.h"
#include "queue.h"
#include "watchdog.h"

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

/* The profile whose range holds queue num, or -1. */
static int profile_of(const struct control_config *c, uint16_t num)
{
	size_t i;

	for (i = 0; i < c->nprofiles; i++)
		if ((unsigned)(num - c->profiles[i].queue_first) <
		    c->profiles[i].queue_count)
			return i;
	return -1;
}

static struct queue *daemon_queue(struct daemon *d, uint16_t num)
{
	unsigned i;

	for (i = 0; i < d->nqueues; i++)
		if (queue_num(d->queues[i]) == num)
			return d->queues[i];
	return NULL;
}

static void daemon_stop_queue(struct daemon *d, unsigned i)
{
	struct queue *q = d->queues[i];

	d->queues[i] = d->queues[--d->nqueues];
	watchdog_remove(queue_num(q));
	queue_stop(q);
}

/*
 * Unbinds the queues no profile of c wants as they are; the others move
 * to their profile's new policy (their flows stay in their tables).
 */
static void daemon_keep_queues(struct daemon *d,
			       const struct control_config *c,
			       struct policy **pols)
{
	unsigned i = 0;
	int k;

	while (i < d->nqueues) {
		k = profile_of(c, queue_num(d->queues[i]));
		if (k < 0 || !queue_fits(d->queues[i], &c->profiles[k])) {
			daemon_stop_queue(d, i);
			continue;
		}
		queue_set_policy(d->queues[i++], pols[k]);
	}
}

static int daemon_start_queues(struct daemon *d,
			       const struct control_config *c,
			       struct policy **pols, char *why, size_t len)
{
	const struct control_profile *p;
	struct queue *q;
	unsigned num;
	size_t k;

	for (k = 0; k < c->nprofiles; k++) {
		p = &c->profiles[k];
		for (num = p->queue_first;
		     num < p->queue_first + p->queue_count; num++) {
			if (daemon_queue(d, num))
				continue;
			q = queue_start(d, num, p, pols[k]);
			if (!q) {
				int err = -errno;

				snprintf(why, len, "cannot bind queue %u: %s",
					 num, strerror(-err));
				log_msg("%s", why);
				return err;
			}
			d->queues[d->nqueues++] = q;
			watchdog_add(num, queue_fd(q), p->fail_open);
		}
	}
	return 0;
}

static bool policy_in_use(struct daemon *d, struct policy *p)
{
	unsigned i;

	for (i = 0; i < d->nqueues; i++)
		if (queue_hazard(d->queues[i]) == p)
			return true;
	return false;
}

/* Frees policies no queue publishes any more, once no thread holds them. */
static void policies_retire(struct daemon *d, struct policy **old, size_t n)
{
	while (n--) {
		while (policy_in_use(d, old[n]))
			usleep(1000);
		policy_free(old[n]);
	}
}

static int policies_new(const struct control_config *c, struct policy **pols,
			char *why, size_t len)
{
	const char *bad;
	size_t k;

	for (k = 0; k < c->nprofiles; k++) {
		pols[k] = policy_new(&c->profiles[k], &bad);
		if (!pols[k]) {
			snprintf(why, len, "profile %zu: %s", k + 1, bad);
			while (k--)
				policy_free(pols[k]);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Everything that can be refused is checked before the first queue
 * changes; a queue that cannot be bound leaves the others of the new
 * configuration in place and says which.
 */
int daemon_apply(struct daemon *d, const struct control_config *c,
		 char *why, size_t len)
{
	struct policy *pols[CONTROL_QUEUES_MAX], *old[CONTROL_QUEUES_MAX];
	const char *bad = control_config_check(c);
	size_t nold = d->npolicies;
	int err;

	if (bad) {
		snprintf(why, len, "%s", bad);
		return -EINVAL;
	}
	err = policies_new(c, pols, why, len);
	if (err)
		return err;
	daemon_keep_queues(d, c, pols);
	memcpy(old, d->policies, nold * sizeof(old[0]));
	memcpy(d->policies, pols, c->nprofiles * sizeof(pols[0]));
	d->npolicies = c->nprofiles;
	err = daemon_start_queues(d, c, pols, why, len);
	policies_retire(d, old, nold);
	return err;
}

int daemon_reload(struct daemon *d, char *why, size_t len)
{
	char msg[CONTROL_ERRMSG_MAX + 1];
	struct control_config c;
	int err = control_text_read(d->config_file, &c, why, len);

	if (err == -ENOENT && d->config_optional)
		c = (struct control_config){ 0 };
	else if (err)
		return err;
	err = daemon_apply(d, &c, msg, sizeof(msg));
	if (err)
		snprintf(why, len, "%s: %s", d->config_file, msg);
	control_config_free(&c);
	return err;
}

static int queue_cmp(const void *a, const void *b)
{
	const struct control_queue_stat *x = a, *y = b;

	return x->queue - y->queue;
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
	/* In queue order: new configurations shuffle d->queues. */
	qsort(s->queues, s->nqueues, sizeof(s->queues[0]), queue_cmp);
	pthread_mutex_lock(&d->top_lock);
	memcpy(top, d->top, sizeof(top));
	pthread_mutex_unlock(&d->top_lock);
	qsort(top, DAEMON_TOP_SLOTS, sizeof(top[0]), top_cmp);
	for (i = 0; i < CONTROL_TOP_MAX && top[i].count; i++)
		s->top[s->ntop++] = top[i];
}

void daemon_stop(struct daemon *d)
{
	while (d->nqueues)
		daemon_stop_queue(d, d->nqueues - 1);
	policies_retire(d, d->policies, d->npolicies);
	d->npolicies = 0;
}
