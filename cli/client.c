// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The client side of an expectation, run in a child inside the source
 * node. A probe is a small state machine over one non-blocking socket:
 *
 *   tcp   connect ──► send request ──► echo back          accept
 *         RST or ICMP error on the way                     reject
 *         nothing before the deadline                      drop
 *         connected, but no echo before the deadline       partial
 *   udp   send request ──► echo back / ICMP error / nothing
 *   icmp  raw echo request ──► echo reply / ICMP error quoting it
 *   tls   connect ──► ClientHello ──► the bytes it asked for   accept
 *   http  connect ──► GET / with Host ──► 200                  accept
 *   dns   query ──► its answer                                 accept
 *         (tls, http: connected, but nothing before the deadline: drop,
 *         as fwctld drops the flow once it has read the name)
 *
 * An ftp expectation is a whole FTP session instead (ftp_client.c).
 *
 * A measurement (a rate, a latency) is rate.c's or latency.c's.
 *
 * A single probe dropped that should have passed also reports what the
 * node's neighbour table says of its next hop (neigh_state.c): whether
 * the link or something further on lost it.
 *
 * A count expectation runs N probes started evenly over its window, all
 * in one poll loop, and counts the accepted ones. Each probe is a new
 * connection to conntrack (its own port, or its own ICMP id). The child
 * reports one struct client_result over a pipe; the parent kills it if
 * it is late.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dns_query.h"
#include "neigh_state.h"
#include "netns.h"
#include "scenario.h"
#include "tls_hello.h"

#define CLIENT_GRACE_MS	2000	/* beyond its own timeouts, before a kill */
#define PROBE_BUF	640

enum probe_state { P_IDLE, P_CONNECTING, P_WAITING, P_DONE };

struct probe {
	const struct scn_expect	*e;
	int			fd;
	enum probe_state	state;
	short			events;
	uint64_t		start_us, deadline_us;
	uint16_t		id, seq;
	char			req[TLS_HELLO_BUF];
	size_t			req_len;
	char			buf[PROBE_BUF];
	size_t			got;
	uint64_t		total;		/* tls: bytes received */
	struct client_result	r;
};

struct probe_ops {
	void	(*start)(struct probe *p);
	void	(*event)(struct probe *p, short revents);
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ull + ts.tv_nsec / 1000;
}

static void probe_finish(struct probe *p, enum scn_outcome o,
			 const char *detail)
{
	p->r.outcome = o;
	p->r.elapsed_ms = (now_us() - p->start_us + 500) / 1000;
	if (detail)
		snprintf(p->r.detail, sizeof(p->r.detail), "%s", detail);
	p->state = P_DONE;
	/* A count may run a thousand probes: free the descriptor now. */
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

/* What the kernel said about our packet: a refusal, or our own failure. */
static void probe_errno(struct probe *p, int err)
{
	static const int refusals[] = { ECONNREFUSED, EHOSTUNREACH,
					ENETUNREACH, EACCES, EPERM };
	size_t i;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		if (err == refusals[i]) {
			probe_finish(p, SCN_REJECT, strerror(err));
			return;
		}
	}
	probe_finish(p, SCN_ERROR, strerror(err));
}

static socklen_t dst_sockaddr(const struct probe *p,
			      struct sockaddr_storage *ss, uint16_t port)
{
	const struct scn_addr *a = &p->e->dst;
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		memcpy(&in->sin_addr, a->a, 4);
		return sizeof(*in);
	}
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	memcpy(&in6->sin6_addr, a->a, 16);
	return sizeof(*in6);
}

/* "SRC <addr> <our request>": anything else is not our echo. */
static bool echo_ok(struct probe *p)
{
	const char *addr = p->buf + 4, *sp;

	if (p->got < 4 || memcmp(p->buf, "SRC ", 4))
		return false;
	sp = memchr(addr, ' ', p->got - 4);
	if (!sp || (size_t)(sp - addr) >= sizeof(p->r.seen) ||
	    p->got - (sp + 1 - p->buf) != p->req_len ||
	    memcmp(sp + 1, p->req, p->req_len))
		return false;
	memcpy(p->r.seen, addr, sp - addr);
	p->r.seen[sp - addr] = '\0';
	return true;
}

static void echo_check(struct probe *p)
{
	if (echo_ok(p))
		probe_finish(p, SCN_ACCEPT, NULL);
	else
		probe_finish(p, SCN_PARTIAL, "the answer is not our echo");
}

static int probe_socket(struct probe *p, int type, int proto)
{
	p->fd = socket(p->e->dst.family, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       proto);
	if (p->fd < 0)
		probe_finish(p, SCN_ERROR, strerror(errno));
	return p->fd;
}

/*
 * Every ICMP error about our packets is queued on the socket, not only
 * the "hard" ones, and even while the socket is busy: a router next door
 * answers a SYN before connect() has released the socket, and TCP itself
 * would ignore that answer and wait for its retransmission.
 */
static void probe_recverr(struct probe *p)
{
	int on = 1;

	if (p->e->dst.family == AF_INET)
		setsockopt(p->fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
	else
		setsockopt(p->fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on));
}

static bool is_recverr(const struct cmsghdr *cm)
{
	return (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_RECVERR) ||
	       (cm->cmsg_level == IPPROTO_IPV6 &&
		cm->cmsg_type == IPV6_RECVERR);
}

/* An ICMP error on the error queue ends the probe as a reject. */
static bool probe_icmp_error(struct probe *p)
{
	char cbuf[512], data[64], detail[64];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	const struct sock_extended_err *ee;
	struct cmsghdr *cm;

	if (recvmsg(p->fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return false;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (!is_recverr(cm))
			continue;
		ee = (const struct sock_extended_err *)CMSG_DATA(cm);
		if (ee->ee_origin != SO_EE_ORIGIN_ICMP &&
		    ee->ee_origin != SO_EE_ORIGIN_ICMP6)
			continue;
		snprintf(detail, sizeof(detail), "%s: icmp%s type %u code %u",
			 strerror(ee->ee_errno),
			 ee->ee_origin == SO_EE_ORIGIN_ICMP6 ? "v6" : "",
			 ee->ee_type, ee->ee_code);
		probe_finish(p, SCN_REJECT, detail);
		return true;
	}
	return false;
}

static void tcp_start(struct probe *p)
{
	struct sockaddr_storage ss;
	socklen_t len = dst_sockaddr(p, &ss, p->e->port);

	if (probe_socket(p, SOCK_STREAM, 0) < 0)
		return;
	probe_recverr(p);
	if (!connect(p->fd, (struct sockaddr *)&ss, len) ||
	    errno == EINPROGRESS)
		p->state = P_CONNECTING;
	else
		probe_errno(p, errno);
	p->events = POLLOUT;
}

static void tcp_connected(struct probe *p, short revents)
{
	socklen_t len = sizeof(int);
	int err;

	if ((revents & POLLERR) && probe_icmp_error(p))
		return;
	if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len) || err)
		probe_errno(p, err ? err : errno);
	else if (send(p->fd, p->req, p->req_len, MSG_NOSIGNAL) < 0)
		probe_finish(p, SCN_PARTIAL, strerror(errno));
	else
		p->state = P_WAITING;
	p->events = POLLIN;
}

static void tcp_event(struct probe *p, short revents)
{
	ssize_t n;

	if (p->state == P_CONNECTING) {
		tcp_connected(p, revents);
		return;
	}
	n = read(p->fd, p->buf + p->got, sizeof(p->buf) - p->got);
	if (n > 0)
		p->got += n;
	if (n > 0 && (p->buf[p->got - 1] == '\n' || p->got == sizeof(p->buf)))
		echo_check(p);
	else if (n == 0)
		probe_finish(p, SCN_PARTIAL, "closed without an echo");
	else if (n < 0 && errno != EAGAIN)
		probe_finish(p, SCN_PARTIAL, strerror(errno));
}

/* Reads into buf; false (and finished) once the connection is over. */
static bool stream_read(struct probe *p, char *buf, size_t size, ssize_t *n)
{
	char detail[64];

	*n = read(p->fd, buf, size);
	if (*n > 0 || (*n < 0 && errno == EAGAIN))
		return true;
	snprintf(detail, sizeof(detail), "%s after %llu bytes", *n ?
		 strerror(errno) : "closed", (unsigned long long)p->total);
	probe_finish(p, SCN_PARTIAL, detail);
	return false;
}

static void tls_event(struct probe *p, short revents)
{
	static char sink[65536];
	ssize_t n;

	if (p->state == P_CONNECTING) {
		tcp_connected(p, revents);
		return;
	}
	if (!stream_read(p, sink, sizeof(sink), &n) || n < 0)
		return;
	p->total += n;
	if (p->total >= p->e->bytes)
		probe_finish(p, SCN_ACCEPT, NULL);
}

static void http_event(struct probe *p, short revents)
{
	ssize_t n;

	if (p->state == P_CONNECTING) {
		tcp_connected(p, revents);
		return;
	}
	if (!stream_read(p, p->buf + p->got, sizeof(p->buf) - 1 - p->got,
			 &n) || n < 0)
		return;
	p->got += n;
	p->total += n;
	p->buf[p->got] = '\0';
	if (!strstr(p->buf, "\r\n\r\n") && p->got < sizeof(p->buf) - 1)
		return;
	if (!strncmp(p->buf, "HTTP/1.1 200 ", 13))
		probe_finish(p, SCN_ACCEPT, NULL);
	else
		probe_finish(p, SCN_PARTIAL, "the answer is not 200");
}

static void udp_start(struct probe *p)
{
	struct sockaddr_storage ss;
	socklen_t len = dst_sockaddr(p, &ss, p->e->port);

	if (probe_socket(p, SOCK_DGRAM, 0) < 0)
		return;
	probe_recverr(p);
	if (connect(p->fd, (struct sockaddr *)&ss, len) < 0 ||
	    send(p->fd, p->req, p->req_len, 0) < 0) {
		probe_errno(p, errno);
		return;
	}
	p->state = P_WAITING;
	p->events = POLLIN;
}

static void udp_event(struct probe *p, short revents)
{
	ssize_t n = recv(p->fd, p->buf, sizeof(p->buf), 0);

	(void)revents;
	if (n >= 0) {
		p->got = n;
		echo_check(p);
	} else if (errno != EAGAIN) {
		probe_errno(p, errno);
	}
}

/* Answers to other queries (a late one of an earlier probe) are skipped. */
static void dns_event(struct probe *p, short revents)
{
	ssize_t n = recv(p->fd, p->buf, sizeof(p->buf), 0);

	(void)revents;
	if (n >= 0 && dns_answer_ok((uint8_t *)p->buf, n, p->id))
		probe_finish(p, SCN_ACCEPT, NULL);
	else if (n < 0 && errno != EAGAIN)
		probe_errno(p, errno);
}

static uint16_t icmp_checksum(const void *data, size_t len)
{
	const uint8_t *b = data;
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum);
}

/*
 * The echo request: type, code, checksum, id, sequence, then our text.
 * The kernel fills in the ICMPv6 checksum (it needs the addresses).
 */
static void icmp_start(struct probe *p)
{
	bool v6 = p->e->dst.family == AF_INET6;
	struct sockaddr_storage ss;
	socklen_t len = dst_sockaddr(p, &ss, 0);
	uint8_t pkt[8 + sizeof(p->req)];
	uint16_t sum;

	if (probe_socket(p, SOCK_RAW, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP) < 0)
		return;
	memset(pkt, 0, 8);
	pkt[0] = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	pkt[4] = p->id >> 8;
	pkt[5] = p->id;
	pkt[6] = p->seq >> 8;
	pkt[7] = p->seq;
	memcpy(pkt + 8, p->req, p->req_len);
	if (!v6) {
		sum = icmp_checksum(pkt, 8 + p->req_len);
		memcpy(pkt + 2, &sum, 2);
	}
	if (sendto(p->fd, pkt, 8 + p->req_len, 0, (struct sockaddr *)&ss,
		   len) < 0) {
		probe_errno(p, errno);
		return;
	}
	p->state = P_WAITING;
	p->events = POLLIN;
}

/* An echo header (type, id, seq) of ours at h, with len bytes readable. */
static bool icmp_is_ours(const struct probe *p, const uint8_t *h, size_t len,
			 uint8_t type)
{
	return len >= 8 && h[0] == type && (h[4] << 8 | h[5]) == p->id &&
	       (h[6] << 8 | h[7]) == p->seq;
}

static void icmp_rejected(struct probe *p, const uint8_t *icmp)
{
	char detail[64];

	snprintf(detail, sizeof(detail), "icmp%s type %u code %u",
		 p->e->dst.family == AF_INET6 ? "v6" : "", icmp[0], icmp[1]);
	probe_finish(p, SCN_REJECT, detail);
}

/* IPv4: the packet starts with its IP header; errors quote ours. */
static void icmp4_parse(struct probe *p, const uint8_t *pkt, size_t len)
{
	size_t ihl = len ? (pkt[0] & 0xf) * 4u : 0, inner;
	const uint8_t *icmp = pkt + ihl;

	if (ihl < 20 || len < ihl + 8)
		return;
	if (icmp_is_ours(p, icmp, len - ihl, ICMP_ECHOREPLY) &&
	    !memcmp(pkt + 12, p->e->dst.a, 4)) {
		probe_finish(p, SCN_ACCEPT, NULL);
		return;
	}
	if (icmp[0] != ICMP_DEST_UNREACH || len < ihl + 8 + 20)
		return;
	inner = (icmp[8] & 0xf) * 4u;
	if (icmp[8 + 9] == IPPROTO_ICMP &&
	    !memcmp(icmp + 8 + 16, p->e->dst.a, 4) &&
	    len >= ihl + 8 + inner &&
	    icmp_is_ours(p, icmp + 8 + inner, len - ihl - 8 - inner,
			 ICMP_ECHO))
		icmp_rejected(p, icmp);
}

/* IPv6: no IP header; an error quotes our IPv6 header (40 bytes). */
static void icmp6_parse(struct probe *p, const uint8_t *pkt, size_t len,
			const struct sockaddr_in6 *from)
{
	if (icmp_is_ours(p, pkt, len, ICMP6_ECHO_REPLY) &&
	    !memcmp(&from->sin6_addr, p->e->dst.a, 16)) {
		probe_finish(p, SCN_ACCEPT, NULL);
		return;
	}
	if (len < 8 + 40 || pkt[0] != ICMP6_DST_UNREACH)
		return;
	if (pkt[8 + 6] == IPPROTO_ICMPV6 &&
	    !memcmp(pkt + 8 + 24, p->e->dst.a, 16) &&
	    icmp_is_ours(p, pkt + 8 + 40, len - 8 - 40, ICMP6_ECHO_REQUEST))
		icmp_rejected(p, pkt);
}

/* A raw socket sees every ICMP message: read them all, keep ours. */
static void icmp_event(struct probe *p, short revents)
{
	struct sockaddr_in6 from;
	socklen_t flen;
	uint8_t pkt[1500];
	ssize_t n;

	(void)revents;
	while (p->state != P_DONE) {
		flen = sizeof(from);
		n = recvfrom(p->fd, pkt, sizeof(pkt), 0,
			     (struct sockaddr *)&from, &flen);
		if (n < 0)
			return;
		if (p->e->dst.family == AF_INET)
			icmp4_parse(p, pkt, n);
		else
			icmp6_parse(p, pkt, n, &from);
	}
}

static const struct probe_ops probe_ops[] = {
	[SCN_TCP]	= { tcp_start, tcp_event },
	[SCN_UDP]	= { udp_start, udp_event },
	[SCN_ICMP]	= { icmp_start, icmp_event },
	[SCN_TLS]	= { tcp_start, tls_event },
	[SCN_HTTP]	= { tcp_start, http_event },
	[SCN_DNS]	= { udp_start, dns_event },
};

static void probe_expire(struct probe *p, uint64_t now)
{
	char detail[64];

	if (p->state == P_DONE || p->state == P_IDLE || now < p->deadline_us)
		return;
	if (p->state == P_WAITING && p->e->proto == SCN_TCP) {
		snprintf(detail, sizeof(detail), "connected, no echo within "
			 "%u ms", p->e->timeout_ms);
		probe_finish(p, SCN_PARTIAL, detail);
		return;
	}
	/* A UDP or DNS probe waiting for its answer has nothing to add. */
	if (p->state == P_WAITING && p->e->proto != SCN_DNS &&
	    p->e->proto != SCN_UDP) {
		snprintf(detail, sizeof(detail), "connected, %llu bytes "
			 "within %u ms", (unsigned long long)p->total,
			 p->e->timeout_ms);
		probe_finish(p, SCN_DROP, detail);
	} else {
		probe_finish(p, SCN_DROP, NULL);
	}
	p->r.elapsed_ms = p->e->timeout_ms;
}

static void probe_start(struct probe *p, uint64_t now)
{
	p->start_us = now;
	p->deadline_us = now + p->e->timeout_ms * 1000ull;
	p->fd = -1;
	probe_ops[p->e->proto].start(p);
}

/* Starts what is due, then waits for the next event or deadline. */
static bool probes_step(struct probe *pr, size_t n, uint64_t t0,
			unsigned window_ms, struct pollfd *pfd)
{
	uint64_t now = now_us(), wake = UINT64_MAX, due;
	size_t i, active = 0;

	for (i = 0; i < n; i++) {
		due = t0 + (uint64_t)window_ms * 1000 * i / n;
		if (pr[i].state == P_IDLE && due <= now)
			probe_start(&pr[i], now);
		probe_expire(&pr[i], now);
		if (pr[i].state == P_IDLE && due < wake)
			wake = due;
		if (pr[i].state == P_DONE || pr[i].state == P_IDLE) {
			pfd[i] = (struct pollfd){ .fd = -1 };
			continue;
		}
		pfd[i] = (struct pollfd){ .fd = pr[i].fd,
					  .events = pr[i].events };
		if (pr[i].deadline_us < wake)
			wake = pr[i].deadline_us;
		active++;
	}
	if (!active && wake == UINT64_MAX)
		return false;
	poll(pfd, n, wake > now ? (wake - now + 999) / 1000 : 0);
	for (i = 0; i < n; i++)
		if (pfd[i].fd >= 0 && pfd[i].revents)
			probe_ops[pr[i].e->proto].event(&pr[i],
							 pfd[i].revents);
	return true;
}

/* What probe i sends: its protocol's request, or a line to echo. */
static void request_build(struct probe *p, size_t i)
{
	const struct scn_expect *e = p->e;
	uint8_t *req = (uint8_t *)p->req;

	if (e->proto == SCN_TLS)
		p->req_len = tls_hello_build(req, sizeof(p->req), e->name,
					     e->bytes);
	else if (e->proto == SCN_DNS)
		p->req_len = dns_query_build(req, sizeof(p->req), p->id,
					     e->name, e->family == AF_INET6);
	else if (e->proto == SCN_HTTP)
		p->req_len = snprintf(p->req, sizeof(p->req), "GET / HTTP/1.1"
				      "\r\nHost: %s\r\nUser-Agent: fwctl-test"
				      "\r\nConnection: close\r\n\r\n",
				      e->name);
	else
		p->req_len = snprintf(p->req, sizeof(p->req),
				      "fwctl probe %d %zu\n", getpid(), i);
}

static void probes_run(const struct scn_expect *e, struct client_result *res)
{
	size_t i, n = e->count ? e->count : 1;
	struct probe *pr = calloc(n, sizeof(*pr));
	struct pollfd *pfd = calloc(n, sizeof(*pfd));
	uint64_t t0 = now_us();

	if (!pr || !pfd)
		abort();
	for (i = 0; i < n; i++) {
		pr[i].e = e;
		/*
		 * Conntrack tells ICMP "connections" apart by their id: one
		 * of its own per echo request, as each TCP or UDP probe has
		 * its own port.
		 */
		pr[i].id = getpid() * 1024 + i;
		pr[i].seq = i;
		request_build(&pr[i], i);
	}
	while (probes_step(pr, n, t0, e->count ? e->window_ms : 0, pfd))
		;
	*res = pr[0].r;
	if (!e->count && res->outcome == SCN_DROP && e->verdict != SCN_DROP)
		neigh_state_describe(&e->dst, res->neigh, sizeof(res->neigh));
	if (e->count) {
		res->outcome = SCN_ACCEPT;
		res->elapsed_ms = (now_us() - t0) / 1000;
		for (i = 0, res->received = 0; i < n; i++)
			res->received += pr[i].r.outcome == SCN_ACCEPT;
	}
}

/* Up to e->count sockets at once, when nothing answers. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int client_spawn(const struct scenario *s, const struct scn_expect *e,
		 pid_t *pid)
{
	struct client_result res = { .outcome = SCN_ERROR };
	int pipefd[2];
	ssize_t n;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	*pid = guard_fork();
	if (*pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (*pid) {
		close(pipefd[1]);
		return pipefd[0];
	}
	close(pipefd[0]);
	raise_fd_limit();
	/* A rate places its sink in the serving node before entering ours. */
	if (e->measure == SCN_MEASURE_RATE)
		rate_run(s, e, &res);
	else if (netns_enter(s->nodes[e->src].netns) < 0)
		snprintf(res.detail, sizeof(res.detail), "setns: %s",
			 strerror(errno));
	else if (e->measure == SCN_MEASURE_LATENCY)
		latency_run(e, &res);
	else if (e->proto == SCN_FTP)
		ftp_client_run(e, &res);
	else
		probes_run(e, &res);
	n = write(pipefd[1], &res, sizeof(res));
	_exit(n == sizeof(res) ? 0 : 1);
}

unsigned client_deadline_ms(const struct scn_expect *e)
{
	/* Up to ten waits: connect, greeting, login, PORT, RETR, data... */
	if (e->proto == SCN_FTP)
		return 10 * e->timeout_ms + CLIENT_GRACE_MS;
	if (e->measure)
		return measure_ms(e) + CLIENT_GRACE_MS;
	return (e->count ? e->window_ms : 0) + e->timeout_ms + CLIENT_GRACE_MS;
}
