// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Measurements: what the network gives, not only whether it passes.
 *
 * A rate: a sink in the serving node counts the bytes it receives; a
 * sender in the source node keeps it busy, TCP as fast as it can, UDP
 * paced to the offered load. The figure is goodput (payload bytes) over
 * the window, which starts MEASURE_SKIP_MS after the first byte: TCP's
 * slow start and a shaper's first burst would inflate it otherwise.
 *
 * The sink reports over a pipe to the sender, which stops sending when
 * the figure has arrived; both are children of the client (client.c).
 * Round trips are latency.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "netns.h"
#include "scenario.h"

#define CHUNK		65536
#define UDP_PAYLOAD	1400	/* fits a 1500-byte MTU in IPv6 too */
#define SINK_READY_MS	3000
#define SINK_REPORT_MS	1000	/* after the sender's end: it has its figure */

/* What the sink measured; bytes 0 and error set when it could not. */
struct sink_report {
	uint64_t	bytes, us;
	char		error[64];
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ull + ts.tv_nsec / 1000;
}

static void sleep_us(uint64_t us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

unsigned measure_ms(const struct scn_expect *e)
{
	if (e->measure == SCN_MEASURE_RATE)
		return MEASURE_SKIP_MS + e->window_ms + e->timeout_ms;
	return (e->under_load ? MEASURE_SKIP_MS : 0) + e->window_ms +
	       e->timeout_ms;
}

const char *rate_str(uint64_t bps, char *buf, size_t size)
{
	static const char *const units[] = { "bit/s", "kbit/s", "Mbit/s",
					     "Gbit/s" };
	double v = bps;
	size_t u = 0;

	while (v >= 1000 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1000;
		u++;
	}
	snprintf(buf, size, "%.2f %s", v, units[u]);
	return buf;
}

static socklen_t sockaddr_of(const struct scn_expect *e,
			     struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (e->family == AF_INET) {
		in->sin_family = AF_INET;
		in->sin_port = htons(e->port);
		memcpy(&in->sin_addr, e->dst.a, 4);
		return sizeof(*in);
	}
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(e->port);
	memcpy(&in6->sin6_addr, e->dst.a, 16);
	return sizeof(*in6);
}

/* Both families on one socket, as the echo server does. */
static int sink_socket(const struct scn_expect *e)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(e->server_port),
				   .sin6_addr = IN6ADDR_ANY_INIT };
	bool tcp = e->proto == SCN_TCP;
	int fd = socket(AF_INET6, (tcp ? SOCK_STREAM : SOCK_DGRAM) |
			SOCK_CLOEXEC, 0);
	int off = 0, on = 1;

	if (fd < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    (tcp && listen(fd, 4)))
		return -1;
	return fd;
}

/* Waits up to ms for fd to be readable. */
static bool readable(int fd, unsigned ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, ms) == 1;
}

/*
 * Counts what arrives on fd over the window. What one read returns
 * arrived after the read before it, so the bytes of every read but the
 * first in the window, over the time since that first one, is the rate
 * exactly, however late a busy machine lets the sink read.
 */
static void sink_count(const struct scn_expect *e, int fd,
		       struct sink_report *rep)
{
	static char buf[CHUNK];
	uint64_t from = 0, to = 0, first = 0, last = 0, now = 0;
	ssize_t n;

	while (readable(fd, e->timeout_ms)) {
		n = recv(fd, buf, sizeof(buf), 0);
		now = now_us();
		if (n <= 0 || (to && now > to))
			break;
		if (!from) {
			from = now + MEASURE_SKIP_MS * 1000ull;
			to = from + e->window_ms * 1000ull;
		} else if (now > from && !first) {
			first = last = now;
		} else if (first) {
			rep->bytes += n;
			last = now;
		}
	}
	rep->us = last - first;
	if (!from)
		snprintf(rep->error, sizeof(rep->error), "nothing arrived");
	else if (now < to)
		snprintf(rep->error, sizeof(rep->error), "the flow stopped "
			 "after %llu ms", (unsigned long long)
			 (now + MEASURE_SKIP_MS * 1000ull - from) / 1000);
}

static void sink_measure(const struct scn_expect *e, int lfd,
			 struct sink_report *rep)
{
	int fd = lfd;

	if (e->proto == SCN_TCP) {
		fd = readable(lfd, e->timeout_ms) ?
		     accept4(lfd, NULL, NULL, SOCK_CLOEXEC) : -1;
		if (fd < 0) {
			snprintf(rep->error, sizeof(rep->error),
				 "no connection arrived");
			return;
		}
	}
	sink_count(e, fd, rep);
}

/* The sink's child: listens, says so with one byte, then measures. */
static void __attribute__((noreturn)) sink_child(const struct scenario *s,
						 const struct scn_expect *e,
						 int wfd)
{
	struct sink_report rep = { 0 };
	int fd = -1;

	if (netns_enter(s->nodes[e->server].netns) < 0 ||
	    (fd = sink_socket(e)) < 0)
		snprintf(rep.error, sizeof(rep.error), "sink: %s",
			 strerror(errno));
	if (write(wfd, "r", 1) != 1)
		_exit(1);
	if (fd >= 0)
		sink_measure(e, fd, &rep);
	_exit(write(wfd, &rep, sizeof(rep)) == sizeof(rep) ? 0 : 1);
}

/* The ready byte; a sink that failed says why in its report. */
static pid_t sink_spawn(const struct scenario *s, const struct scn_expect *e,
			int *rfd)
{
	int pipefd[2];
	char c;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	pid = guard_fork();
	if (pid == 0)
		sink_child(s, e, pipefd[1]);
	close(pipefd[1]);
	*rfd = pipefd[0];
	if (pid > 0 && (!readable(*rfd, SINK_READY_MS) ||
			read(*rfd, &c, 1) != 1)) {
		guard_reap(pid, true);
		close(*rfd);
		return -1;
	}
	return pid;
}

static int sender_socket(const struct scn_expect *e)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(e, &ss);
	int type = e->proto == SCN_TCP ? SOCK_STREAM : SOCK_DGRAM;
	int fd = socket(e->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* As fast as TCP goes, until the sink has its figure (rfd readable). */
static void send_tcp(int fd, int rfd, uint64_t end)
{
	static const char chunk[CHUNK];
	struct pollfd pfd[2] = { { .fd = fd, .events = POLLOUT },
				 { .fd = rfd, .events = POLLIN } };

	while (now_us() < end && !pfd[1].revents) {
		if (poll(pfd, 2, 100) < 0)
			return;
		if ((pfd[0].revents & (POLLERR | POLLHUP)) ||
		    ((pfd[0].revents & POLLOUT) &&
		     send(fd, chunk, sizeof(chunk), MSG_NOSIGNAL) < 0 &&
		     errno != EAGAIN))
			return;
	}
}

/*
 * Paced: every millisecond, the datagrams due by now. What the socket
 * refuses (a full queue, an ICMP error) is simply lost, as on a wire.
 */
static void send_udp(int fd, int rfd, uint64_t end, uint64_t offered)
{
	static const char dgram[UDP_PAYLOAD];
	uint64_t t0 = now_us(), sent = 0, due, now;

	while ((now = now_us()) < end && !readable(rfd, 0)) {
		due = (now - t0) * offered / 8 / UDP_PAYLOAD / 1000000;
		for (; sent < due; sent++)
			send(fd, dgram, sizeof(dgram), 0);
		sleep_us(1000);
	}
}

static void rate_send(const struct scn_expect *e, int rfd,
		      struct client_result *r)
{
	uint64_t end = now_us() + measure_ms(e) * 1000ull;
	int fd = sender_socket(e);

	if (fd < 0) {
		snprintf(r->detail, sizeof(r->detail), "connect: %s",
			 strerror(errno));
		return;
	}
	if (e->proto == SCN_TCP)
		send_tcp(fd, rfd, end);
	else
		send_udp(fd, rfd, end, e->offered);
	close(fd);
}

static void rate_collect(int rfd, struct client_result *r)
{
	struct sink_report rep;

	if (!readable(rfd, SINK_REPORT_MS) ||
	    read(rfd, &rep, sizeof(rep)) != sizeof(rep)) {
		snprintf(r->detail, sizeof(r->detail), "the sink gave no "
			 "figure");
		return;
	}
	r->bps = rep.us ? rep.bytes * 8 * 1000000 / rep.us : 0;
	if (rep.error[0])
		snprintf(r->detail, sizeof(r->detail), "%s", rep.error);
	else
		r->outcome = SCN_ACCEPT;
}

void rate_run(const struct scenario *s, const struct scn_expect *e,
	      struct client_result *r)
{
	uint64_t t0 = now_us();
	int rfd;
	pid_t sink = sink_spawn(s, e, &rfd);

	r->outcome = SCN_ERROR;
	if (sink < 0) {
		snprintf(r->detail, sizeof(r->detail), "the sink did not "
			 "start");
		return;
	}
	if (netns_enter(s->nodes[e->src].netns) < 0)
		snprintf(r->detail, sizeof(r->detail), "setns: %s",
			 strerror(errno));
	else
		rate_send(e, rfd, r);
	if (!r->detail[0])
		rate_collect(rfd, r);
	close(rfd);
	guard_reap(sink, true);
	r->elapsed_ms = (now_us() - t0) / 1000;
}
