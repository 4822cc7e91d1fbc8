// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The runner's own latency probe: a small UDP request every
 * LATENCY_EVERY_MS to the echo server (server.c), which sends it back
 * behind "SRC <address> ". Each request carries its sequence number, so
 * a late answer is matched to its own send time. The result is the
 * median and the 95th percentile round trip; a lost request counts as
 * infinitely late, so a path that loses half of them has no median.
 *
 * Under load the probe waits MEASURE_SKIP_MS first, while the rate
 * measurements of its together block get past their slow start.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "scenario.h"

#define LATENCY_EVERY_MS	20
#define LATENCY_LOST		UINT64_MAX

struct latency {
	int		fd;
	unsigned	n;		/* requests to send */
	unsigned	sent, answered;
	uint64_t	*sent_us;
	uint64_t	*rtt_us;	/* LATENCY_LOST until answered */
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ull + ts.tv_nsec / 1000;
}

static int latency_socket(const struct scn_expect *e)
{
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6,
				    .sin6_port = htons(e->port) };
	struct sockaddr_in in = { .sin_family = AF_INET,
				  .sin_port = htons(e->port) };
	int fd = socket(e->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			0);
	bool v6 = e->family == AF_INET6;

	memcpy(&in6.sin6_addr, e->dst.a, 16);
	memcpy(&in.sin_addr, e->dst.a, 4);
	if (fd < 0 || connect(fd, v6 ? (struct sockaddr *)&in6 :
			      (struct sockaddr *)&in,
			      v6 ? sizeof(in6) : sizeof(in)))
		return -1;
	return fd;
}

static void latency_send(struct latency *l)
{
	char req[48];
	int len = snprintf(req, sizeof(req), "fwctl rtt %d %u\n",
			   (int)getpid(), l->sent);

	l->sent_us[l->sent] = now_us();
	send(l->fd, req, len, 0);	/* a refusal is a loss, too */
	l->sent++;
}

/* "SRC <address> fwctl rtt <pid> <seq>\n": ours, and not seen yet. */
static void latency_receive(struct latency *l)
{
	char buf[128];
	const char *req;
	unsigned seq;
	int pid;
	ssize_t n;

	while ((n = recv(l->fd, buf, sizeof(buf) - 1, 0)) >= 0) {
		buf[n] = '\0';
		req = strstr(buf, " fwctl rtt ");
		if (!req || sscanf(req, " fwctl rtt %d %u", &pid, &seq) != 2 ||
		    pid != getpid() || seq >= l->sent ||
		    l->rtt_us[seq] != LATENCY_LOST)
			continue;
		l->rtt_us[seq] = now_us() - l->sent_us[seq];
		l->answered++;
	}
}

/* Sends on schedule and reads answers until end or every answer. */
static void latency_loop(struct latency *l, uint64_t t0, uint64_t end)
{
	struct pollfd pfd = { .fd = l->fd, .events = POLLIN };
	uint64_t now, due, wake;

	while ((now = now_us()) < end && l->answered < l->n) {
		due = t0 + (uint64_t)l->sent * LATENCY_EVERY_MS * 1000;
		if (l->sent < l->n && due <= now) {
			latency_send(l);
			continue;
		}
		wake = l->sent < l->n ? due : end;
		poll(&pfd, 1, (wake - now + 999) / 1000);
		if (pfd.revents)
			latency_receive(l);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The rank-th of the sorted round trips, in us; UINT_MAX when lost. */
static unsigned percentile(const uint64_t *sorted, unsigned n, unsigned pct)
{
	uint64_t v = sorted[(n * pct + 99) / 100 - 1];

	return v == LATENCY_LOST ? (unsigned)-1 : (unsigned)v;
}

static void latency_result(struct latency *l, struct client_result *r)
{
	unsigned i;

	qsort(l->rtt_us, l->n, sizeof(*l->rtt_us), cmp_u64);
	r->sent = l->n;
	for (i = 0, r->received = 0; i < l->n; i++)
		r->received += l->rtt_us[i] != LATENCY_LOST;
	r->rtt_median_us = percentile(l->rtt_us, l->n, 50);
	r->rtt_p95_us = percentile(l->rtt_us, l->n, 95);
	r->outcome = SCN_ACCEPT;
}

void latency_run(const struct scn_expect *e, struct client_result *r)
{
	struct latency l = { .n = e->window_ms / LATENCY_EVERY_MS };
	uint64_t t0 = now_us(), start;
	unsigned i;

	r->outcome = SCN_ERROR;
	l.n = l.n ? l.n : 1;
	l.sent_us = calloc(l.n, sizeof(*l.sent_us));
	l.rtt_us = calloc(l.n, sizeof(*l.rtt_us));
	l.fd = latency_socket(e);
	if (!l.sent_us || !l.rtt_us || l.fd < 0) {
		snprintf(r->detail, sizeof(r->detail), "%s", strerror(errno));
		goto out;
	}
	for (i = 0; i < l.n; i++)
		l.rtt_us[i] = LATENCY_LOST;
	start = t0 + (e->under_load ? MEASURE_SKIP_MS * 1000ull : 0);
	while (now_us() < start)
		poll(NULL, 0, (start - now_us() + 999) / 1000);
	latency_loop(&l, start, start + (e->window_ms + e->timeout_ms) *
		     1000ull);
	latency_result(&l, r);
out:
	if (l.fd >= 0)
		close(l.fd);
	free(l.sent_us);
	free(l.rtt_us);
	r->elapsed_ms = (now_us() - t0) / 1000;
}
