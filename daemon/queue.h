/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_QUEUE_H
#define FWCTL_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "fwctl/control.h"
#include "policy.h"

/*
 * Bytes of each packet the kernel copies to us: IPv6 with a few
 * extension headers, TCP with options, and the start of the payload the
 * dissectors read. A ClientHello longer than this arrives in the next
 * segments of the flow (GSO hands us one large skb: we see its first
 * QUEUE_COPY_RANGE bytes, and flow.c waits for the next in-order bytes).
 */
#define QUEUE_COPY_RANGE	2048

/* Packets taken per recvmmsg() and answered with one sendmsg(). */
#define QUEUE_BATCH		32

struct daemon;
struct queue;

/*
 * Binds queue num with the queue parameters of profile p and starts its
 * thread, which decides by pol. The socket is this thread's alone. NULL
 * with errno set on failure.
 */
struct queue *queue_start(struct daemon *d, uint16_t num,
			  const struct control_profile *p,
			  struct policy *pol);

/* Whether the queue is bound with the queue parameters of p. */
bool queue_fits(const struct queue *q, const struct control_profile *p);

/*
 * Publishes the policy the thread decides by from its next batch on; the
 * old one may still be in use: see queue_hazard().
 */
void queue_set_policy(struct queue *q, struct policy *pol);

/* Stops the thread, unbinds (the kernel drops what is still queued). */
void queue_stop(struct queue *q);

/* Counters for GET_STATUS; drops and overruns come from the kernel. */
void queue_stat(struct queue *q, struct control_queue_stat *s);

uint16_t queue_num(const struct queue *q);

/* The netlink socket, for the watchdog to hold a copy of. */
int queue_fd(const struct queue *q);

/* The policy the queue's thread is using right now, or NULL. */
const struct policy *queue_hazard(struct queue *q);

#endif
