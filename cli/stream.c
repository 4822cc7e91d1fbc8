// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Background streams, to show that connections survive a step (a reload
 * must not break conntrack or NAT state, a daemon restart no decided
 * flow). A tcp stream: a sink process in the serving node accepts and
 * reads; a writer process in the source node sends a small chunk every
 * few milliseconds. Progress is what the peer acknowledged -- written
 * bytes minus the send queue (SIOCOUTQ) -- not what the kernel buffered,
 * so a broken path shows as a stall at once.
 *
 * A tls stream is one connection the other way round: the client sends
 * a ClientHello asking for endless data, and the scenario server sends a
 * chunk every few milliseconds; progress is what arrived. An http stream
 * makes request after request, each on a new connection -- new flows
 * for fwctld to decide -- and counts the answered and the failed ones.
 *
 * The client process keeps its figures in memory shared with the runner.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "netns.h"
#include "scenario.h"
#include "tls_hello.h"

#define STREAM_CHUNK		1024
#define STREAM_TICK_MS		10
#define STREAM_SNDBUF		16384
#define STREAM_CONNECT_MS	3000
#define STREAM_WINDOW_MS	500	/* bytes must move within this */
#define STREAM_STALL_MS		1000	/* the longest stall allowed */
#define HTTP_REQUEST_MS		3000	/* one request of an http stream */
#define HTTP_WINDOW_MS		1500	/* requests must succeed in this */

enum stream_state { ST_CONNECTING, ST_RUNNING, ST_FAILED };

/*
 * Written by the client, read by the runner: one writer, one reader.
 * acked counts bytes, or for http the answered requests.
 */
struct stream_stats {
	volatile int		state;
	volatile uint64_t	acked;
	volatile uint64_t	failed;		/* http: failed requests */
	volatile uint32_t	max_stall_ms;
	char			error[96];
};

struct stream {
	pid_t			sink, writer;
	enum scn_proto		proto;
	struct stream_stats	*stats;
};

/* Progress tracking: the longest time acked stood still. */
struct progress {
	uint64_t	last, since;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

static void stats_fail(struct stream_stats *st, const char *what, int err)
{
	snprintf(st->error, sizeof(st->error), "%s: %s", what, strerror(err));
	__atomic_store_n(&st->state, ST_FAILED, __ATOMIC_RELEASE);
}

/* Accepts every connection and throws away what arrives. */
static void __attribute__((noreturn)) sink_loop(int lfd)
{
	struct pollfd pfd[16] = { { .fd = lfd, .events = POLLIN } };
	char buf[65536];
	nfds_t n = 1, i;
	int c;

	for (;;) {
		poll(pfd, n, -1);
		for (i = 1; i < n; i++)
			if (pfd[i].revents && read(pfd[i].fd, buf,
						   sizeof(buf)) <= 0)
				pfd[i].fd = -1;	/* the writer sees the RST */
		if (!(pfd[0].revents & POLLIN))
			continue;
		c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c >= 0 && n < 16)
			pfd[n++] = (struct pollfd){ .fd = c, .events = POLLIN };
		else if (c >= 0)
			close(c);
	}
}

/*
 * Listens on port, both families. SO_REUSEPORT: an echo server of a
 * later batch may listen on the same port, for probes that the firewall
 * is meant to stop anyway.
 */
static int sink_listen(uint16_t port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_ANY_INIT };
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int on = 1, off = 0;

	if (fd < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 16))
		return -1;
	return fd;
}

static pid_t sink_spawn(const char *netns, uint16_t port, char *why,
			size_t size)
{
	int pipefd[2], fd, err = 0;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	pid = guard_fork();
	if (pid == 0) {
		fd = netns_enter(netns) < 0 ? -1 : sink_listen(port);
		err = fd < 0 ? errno : 0;
		if (write(pipefd[1], &err, sizeof(err)) != sizeof(err) || err)
			_exit(1);
		sink_loop(fd);
	}
	close(pipefd[1]);
	if (pid > 0 && read(pipefd[0], &err, sizeof(err)) != sizeof(err))
		err = EIO;
	close(pipefd[0]);
	if (pid > 0 && err) {
		snprintf(why, size, "the sink cannot listen on port %u: %s",
			 port, strerror(err));
		guard_reap(pid, true);
		return -1;
	}
	return pid;
}

static int writer_connect(const struct scn_expect *e)
{
	struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6,
				    .sin6_port = htons(e->port) };
	struct sockaddr_in sa4 = { .sin_family = AF_INET,
				   .sin_port = htons(e->port) };
	struct pollfd pfd = { .events = POLLOUT };
	int size = STREAM_SNDBUF, err = 0;
	socklen_t len = sizeof(err);
	bool v6 = e->family == AF_INET6;

	memcpy(&sa6.sin6_addr, e->dst.a, 16);
	memcpy(&sa4.sin_addr, e->dst.a, 4);
	pfd.fd = socket(e->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			0);
	if (pfd.fd < 0 || setsockopt(pfd.fd, SOL_SOCKET, SO_SNDBUF, &size,
				     sizeof(size)))
		return -1;
	if (connect(pfd.fd, v6 ? (struct sockaddr *)&sa6 :
		    (struct sockaddr *)&sa4, v6 ? sizeof(sa6) : sizeof(sa4)) &&
	    errno != EINPROGRESS)
		return -1;
	if (poll(&pfd, 1, STREAM_CONNECT_MS) != 1) {
		errno = ETIMEDOUT;
		return -1;
	}
	getsockopt(pfd.fd, SOL_SOCKET, SO_ERROR, &err, &len);
	errno = err;
	return err ? -1 : pfd.fd;
}

/* One tick: send a chunk, then see how much the peer has acknowledged. */
static int writer_tick(int fd, uint64_t *written, struct stream_stats *st)
{
	static const char chunk[STREAM_CHUNK];
	ssize_t n = send(fd, chunk, sizeof(chunk), MSG_NOSIGNAL);
	int outq;

	if (n < 0 && errno != EAGAIN)
		return -1;
	*written += n > 0 ? n : 0;
	if (ioctl(fd, SIOCOUTQ, &outq) < 0)
		return -1;
	st->acked = *written - outq;
	return 0;
}

static void progress_note(struct progress *pg, struct stream_stats *st)
{
	uint64_t now = mono_ms();
	uint32_t stall;

	if (!pg->since || st->acked != pg->last) {
		pg->last = st->acked;
		pg->since = now;
	}
	stall = now - pg->since;
	if (stall > st->max_stall_ms)
		st->max_stall_ms = stall;
}

static void __attribute__((noreturn)) writer_loop(int fd,
						  struct stream_stats *st)
{
	struct timespec tick = { 0, STREAM_TICK_MS * 1000000L };
	struct progress pg = { 0 };
	uint64_t written = 0;

	__atomic_store_n(&st->state, ST_RUNNING, __ATOMIC_RELEASE);
	for (;;) {
		nanosleep(&tick, NULL);
		if (writer_tick(fd, &written, st) < 0) {
			stats_fail(st, "send", errno);
			pause();
		}
		progress_note(&pg, st);
	}
}

/* tls: the hello asks for endless data; count what arrives. */
static void __attribute__((noreturn)) tls_loop(int fd,
					       const struct scn_expect *e,
					       struct stream_stats *st)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint8_t hello[TLS_HELLO_BUF], buf[65536];
	size_t len = tls_hello_build(hello, sizeof(hello), e->name,
				     TLS_HELLO_ENDLESS);
	struct progress pg = { 0 };
	ssize_t n;

	if (send(fd, hello, len, MSG_NOSIGNAL) != (ssize_t)len) {
		stats_fail(st, "send", errno);
		pause();
	}
	__atomic_store_n(&st->state, ST_RUNNING, __ATOMIC_RELEASE);
	for (;;) {
		poll(&pfd, 1, STREAM_TICK_MS);
		n = read(fd, buf, sizeof(buf));
		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			stats_fail(st, "read", n ? errno : EPIPE);
			pause();
		}
		st->acked += n > 0 ? n : 0;
		progress_note(&pg, st);
	}
}

/* Waits for fd until the deadline; false (errno ETIMEDOUT) after it. */
static bool wait_fd(int fd, short events, uint64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	uint64_t now = mono_ms();

	if (now < deadline && poll(&pfd, 1, deadline - now) == 1)
		return true;
	errno = ETIMEDOUT;
	return false;
}

/* One request on a new connection; 0, or an errno. */
static int http_request(const struct scn_expect *e)
{
	uint64_t deadline = mono_ms() + HTTP_REQUEST_MS;
	char req[SCN_HOST_MAX + 64], buf[512];
	size_t got = 0;
	int fd = writer_connect(e), len, err = 0;
	ssize_t n = 0;

	len = snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: %s\r\n"
		       "Connection: close\r\n\r\n", e->name);
	if (fd < 0 || send(fd, req, len, MSG_NOSIGNAL) != len)
		err = errno;
	while (!err && got < sizeof(buf) - 1 && wait_fd(fd, POLLIN, deadline) &&
	       (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0) {
		got += n;
		buf[got] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			break;
	}
	if (!err && (got < 13 || strncmp(buf, "HTTP/1.1 200 ", 13)))
		err = n < 0 || got == 0 ? (errno ? errno : EPIPE) : EPROTO;
	if (fd >= 0)
		close(fd);
	return err;
}

/* http: request after request; the first one must work. */
static void __attribute__((noreturn)) http_loop(const struct scn_expect *e,
						struct stream_stats *st)
{
	struct timespec tick = { 0, STREAM_TICK_MS * 1000000L };
	int err = http_request(e);

	if (err) {
		stats_fail(st, "the first request", err);
		pause();
	}
	st->acked++;
	__atomic_store_n(&st->state, ST_RUNNING, __ATOMIC_RELEASE);
	for (;;) {
		nanosleep(&tick, NULL);
		err = http_request(e);
		if (!err) {
			st->acked++;
			continue;
		}
		snprintf(st->error, sizeof(st->error), "%s", strerror(err));
		st->failed++;
	}
}

static pid_t writer_spawn(const char *netns, const struct scn_expect *e,
			  struct stream_stats *st)
{
	pid_t pid = guard_fork();
	int fd;

	if (pid)
		return pid;
	if (netns_enter(netns) < 0) {
		stats_fail(st, "setns", errno);
		pause();
	}
	if (e->proto == SCN_HTTP)
		http_loop(e, st);
	fd = writer_connect(e);
	if (fd < 0) {
		stats_fail(st, "connect", errno);
		pause();
	}
	if (e->proto == SCN_TLS)
		tls_loop(fd, e, st);
	writer_loop(fd, st);
}

/* Waits for the writer to connect, or to fail. */
static bool stream_connected(const struct stream *s, char *why, size_t size)
{
	uint64_t deadline = mono_ms() + STREAM_CONNECT_MS + 1000;
	struct timespec ms = { 0, 1000000L };
	int state;

	while ((state = __atomic_load_n(&s->stats->state, __ATOMIC_ACQUIRE)) ==
	       ST_CONNECTING && mono_ms() < deadline)
		nanosleep(&ms, NULL);
	if (state == ST_RUNNING)
		return true;
	snprintf(why, size, "%s", state == ST_FAILED ? s->stats->error :
		 "the writer did not start");
	return false;
}

struct stream *stream_start(const struct scenario *s,
			    const struct scn_expect *e, char *why,
			    size_t size)
{
	struct stream *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->sink = st->writer = -1;
	st->stats = mmap(NULL, sizeof(*st->stats), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st->stats == MAP_FAILED) {
		snprintf(why, size, "mmap: %s", strerror(errno));
		st->stats = NULL;
		goto err;
	}
	st->proto = e->proto;
	if (e->proto == SCN_TCP)
		st->sink = sink_spawn(s->nodes[e->server].netns,
				      e->server_port, why, size);
	else
		st->sink = server_spawn_port(s, e->server, e->server_port,
					     e->proto);
	if (st->sink < 0)
		goto err;
	st->writer = writer_spawn(s->nodes[e->src].netns, e, st->stats);
	if (st->writer > 0 && stream_connected(st, why, size))
		return st;
err:
	if (!why[0])
		snprintf(why, size, "cannot start: %s", strerror(errno));
	stream_stop(st);
	return NULL;
}

/* Every request that ended in the window succeeded, and one did. */
static bool http_flowing(struct stream *st, char *why, size_t size,
			 char *extra, size_t esize)
{
	struct timespec window = { HTTP_WINDOW_MS / 1000,
				   HTTP_WINDOW_MS % 1000 * 1000000L };
	uint64_t ok = st->stats->acked, failed = st->stats->failed;

	nanosleep(&window, NULL);
	ok = st->stats->acked - ok;
	failed = st->stats->failed - failed;
	snprintf(extra, esize, "%llu requests, %llu in the last %u ms",
		 (unsigned long long)st->stats->acked,
		 (unsigned long long)ok, HTTP_WINDOW_MS);
	if (failed)
		snprintf(why, size, "%llu requests failed (%s)",
			 (unsigned long long)failed, st->stats->error);
	else if (!ok)
		snprintf(why, size, "no request completed in the last %u ms",
			 HTTP_WINDOW_MS);
	return !why[0];
}

bool stream_flowing(struct stream *st, char *why, size_t size, char *extra,
		    size_t esize)
{
	struct timespec window = { 0, STREAM_WINDOW_MS * 1000000L };
	uint64_t before = st->stats->acked, after;

	if (st->proto == SCN_HTTP)
		return http_flowing(st, why, size, extra, esize);
	nanosleep(&window, NULL);
	after = st->stats->acked;
	snprintf(extra, esize, "%llu bytes, longest stall %u ms",
		 (unsigned long long)after, st->stats->max_stall_ms);
	if (__atomic_load_n(&st->stats->state, __ATOMIC_ACQUIRE) == ST_FAILED)
		snprintf(why, size, "the stream died: %s", st->stats->error);
	else if (after == before)
		snprintf(why, size, "no bytes moved in the last %u ms",
			 STREAM_WINDOW_MS);
	else if (st->stats->max_stall_ms > STREAM_STALL_MS)
		snprintf(why, size, "it stalled for %u ms",
			 st->stats->max_stall_ms);
	return !why[0];
}

void stream_stop(struct stream *st)
{
	if (!st)
		return;
	if (st->writer > 0)
		guard_reap(st->writer, true);
	if (st->sink > 0)
		guard_reap(st->sink, true);
	if (st->stats)
		munmap(st->stats, sizeof(*st->stats));
	free(st);
}
