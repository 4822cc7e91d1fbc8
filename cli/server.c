// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The far end of TCP and UDP probes: one process per serving node, inside
 * its namespace, listening on every port the batch needs. One AF_INET6
 * socket per port with IPV6_V6ONLY off takes both families.
 *
 * The answer is "SRC <address the server saw> " followed by the request,
 * so the probe learns both that the path works both ways (its own bytes
 * come back) and what NAT did to its source address.
 *
 * A UDP answer leaves from the address the request came to (IPV6_PKTINFO):
 * from any other, the client's connected socket -- and conntrack -- would
 * not take it for a reply.
 *
 * tls, http and dns ports talk just enough of their protocol for fwctld
 * to inspect the client's first bytes: a tls port reads the ClientHello
 * and sends back the bytes it asks for (tls_hello.h), or a chunk every
 * few milliseconds for as long as the client stays (a tls stream); an
 * http port answers a request head with 200; a dns port answers a query
 * with an address (dns_query.h).
 *
 * ftp expectations get vsftpd instead (ftp_server.c).
 */
#include <arpa/inet.h>
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

#include "dns_query.h"
#include "netns.h"
#include "scenario.h"
#include "tls_hello.h"

#define SERVER_MAX_FDS		512
#define SERVER_MAX_PORTS	128
#define SERVER_READY_MS		5000
#define SERVER_MSG_MAX		512
#define SERVER_MAX_FTP		16
#define SERVER_HEAD_MAX		1024	/* an http head, a ClientHello */
#define SERVER_TICK_MS		10	/* endless tls: a chunk per tick */
#define SERVER_CHUNK		1024

struct server_proc {
	size_t	node;
	pid_t	pid;
};

struct server_set {
	size_t			n_ftp;
	struct ftp_server	*ftp[SERVER_MAX_FTP];
	size_t			n;
	struct server_proc	procs[];
};

/* The ports one node serves, and the protocol of each. */
struct server_ports {
	size_t		n;
	uint16_t	port[SERVER_MAX_PORTS];
	enum scn_proto	proto[SERVER_MAX_PORTS];
};

enum fd_kind { FD_LISTEN, FD_UDP, FD_CONN };

/* A socket of the loop; a connection keeps what it has read so far. */
struct conn {
	enum fd_kind	kind;
	enum scn_proto	proto;
	size_t		got;
	uint8_t		buf[SERVER_HEAD_MAX];
	uint64_t	left;		/* tls: bytes still to send */
	bool		endless;	/* tls: send until the client leaves */
};

struct server_loop {
	struct pollfd	fds[SERVER_MAX_FDS];
	struct conn	conn[SERVER_MAX_FDS];
	size_t		n;
};

static bool proto_tcp(enum scn_proto p)
{
	return p == SCN_TCP || p == SCN_TLS || p == SCN_HTTP;
}

static const char *peer_str(const struct sockaddr_in6 *sa, char *buf,
			    size_t size)
{
	if (IN6_IS_ADDR_V4MAPPED(&sa->sin6_addr))
		return inet_ntop(AF_INET, &sa->sin6_addr.s6_addr[12], buf,
				 size);
	return inet_ntop(AF_INET6, &sa->sin6_addr, buf, size);
}

/* "SRC <peer> <request>" into out; returns its length. */
static size_t answer(char *out, size_t size, const struct sockaddr_in6 *peer,
		     const char *req, size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	int n;

	n = snprintf(out, size, "SRC %s ", peer_str(peer, addr, sizeof(addr)));
	if (n < 0 || (size_t)n + len > size)
		return 0;
	memcpy(out + n, req, len);
	return n + len;
}

static int listen_socket(uint16_t port, bool tcp)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_ANY_INIT };
	int off = 0, on = 1;
	int fd = socket(AF_INET6, (tcp ? SOCK_STREAM : SOCK_DGRAM) |
			SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	/*
	 * A batch before this one may have left connections in TIME_WAIT;
	 * a stream's sink may listen on the port (stream.c).
	 */
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) ||
	    (tcp && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on,
			       sizeof(on))) ||
	    (!tcp && setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
				sizeof(on))) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    (tcp && listen(fd, 128))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void loop_add(struct server_loop *l, int fd, enum fd_kind kind,
		     enum scn_proto proto)
{
	if (l->n == SERVER_MAX_FDS) {
		close(fd);	/* the client sees no echo and says so */
		return;
	}
	/* The whole slot: loop_del() leaves a copy of the connection it
	 * moved in the slot it vacates, and a new connection must not
	 * inherit its state (bytes left to send: the hello would be read as
	 * an endless client's chatter and never answered). */
	l->fds[l->n] = (struct pollfd){ .fd = fd, .events = POLLIN };
	l->conn[l->n++] = (struct conn){ .kind = kind, .proto = proto };
}

static void loop_del(struct server_loop *l, size_t i)
{
	close(l->fds[i].fd);
	l->fds[i] = l->fds[--l->n];
	l->conn[i] = l->conn[l->n];
}

static void serve_accept(struct server_loop *l, size_t i)
{
	int c = accept4(l->fds[i].fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (c >= 0)
		loop_add(l, c, FD_CONN, l->conn[i].proto);
}

/* One request, one answer, then close: a probe is one round trip. */
static void serve_conn(struct server_loop *l, size_t i)
{
	char req[SERVER_MSG_MAX], out[SERVER_MSG_MAX + 64];
	struct sockaddr_in6 peer;
	socklen_t plen = sizeof(peer);
	ssize_t n;
	size_t len;

	n = read(l->fds[i].fd, req, sizeof(req));
	if (n < 0 && errno == EAGAIN)
		return;
	if (n > 0 && !getpeername(l->fds[i].fd, (struct sockaddr *)&peer,
				  &plen)) {
		len = answer(out, sizeof(out), &peer, req, n);
		if (len)
			send(l->fds[i].fd, out, len, MSG_NOSIGNAL);
	}
	loop_del(l, i);
}

/*
 * Reads into the connection's buffer; false when the connection is over
 * (closed, failed, or more than a head without the end of one).
 */
static bool conn_read(struct conn *c, int fd)
{
	ssize_t n = read(fd, c->buf + c->got, sizeof(c->buf) - c->got);

	if (n < 0)
		return errno == EAGAIN;
	c->got += n;
	return n > 0 && c->got < sizeof(c->buf);
}

/* A request head, however much of it: 200 once the blank line is there. */
static void serve_http(struct server_loop *l, size_t i)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
				 "Connection: close\r\n\r\nok\n";
	struct conn *c = &l->conn[i];
	bool more = conn_read(c, l->fds[i].fd);

	if (memmem(c->buf, c->got, "\r\n\r\n", 4))
		send(l->fds[i].fd, ok, sizeof(ok) - 1, MSG_NOSIGNAL);
	else if (more)
		return;
	loop_del(l, i);
}

/* Sends what is left, as much as the socket takes; false when done. */
static bool tls_send(struct server_loop *l, size_t i)
{
	static const uint8_t zero[65536];
	struct conn *c = &l->conn[i];
	size_t want = c->endless ? SERVER_CHUNK :
		      c->left < sizeof(zero) ? c->left : sizeof(zero);
	ssize_t n = send(l->fds[i].fd, zero, want, MSG_NOSIGNAL);

	if (n < 0)
		return errno == EAGAIN;
	if (!c->endless)
		c->left -= n;
	return c->endless || c->left;
}

/* Reads the hello; once it is whole, turns to sending what it asks. */
static bool tls_hello_read(struct server_loop *l, size_t i)
{
	struct conn *c = &l->conn[i];
	bool more = conn_read(c, l->fds[i].fd);
	long len = tls_hello_len(c->buf, c->got), bytes;

	if (len < 0)
		return false;
	if (!len || (size_t)len > c->got)
		return more;
	bytes = tls_hello_bytes(c->buf, c->got);
	if (bytes < 0)
		return false;
	c->endless = bytes == TLS_HELLO_ENDLESS;
	c->left = bytes;
	l->fds[i].events = c->endless ? POLLIN : POLLOUT;
	return true;
}

/*
 * Before the hello is whole: read it. Then send the bytes it asks for,
 * or (endless) read only to see the client go: server_tick() sends.
 */
static void serve_tls(struct server_loop *l, size_t i, short revents)
{
	struct conn *c = &l->conn[i];
	bool more;

	if (!c->endless && !c->left) {
		more = tls_hello_read(l, i);
	} else if (revents & POLLOUT) {
		more = tls_send(l, i);
	} else {
		c->got = 0;
		more = conn_read(c, l->fds[i].fd);
	}
	if (!more)
		loop_del(l, i);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

/* A chunk to every endless tls connection, once a tick; the poll timeout. */
static int server_tick(struct server_loop *l, uint64_t *next)
{
	uint64_t now = mono_ms();
	bool endless = false;
	size_t i;

	for (i = l->n; i-- > 0;) {
		if (!l->conn[i].endless)
			continue;
		endless = true;
		if (now >= *next && !tls_send(l, i))
			loop_del(l, i);
	}
	if (now >= *next)
		*next = now + SERVER_TICK_MS;
	return endless ? SERVER_TICK_MS : -1;
}

static void serve_udp(int fd, enum scn_proto proto)
{
	char req[SERVER_MSG_MAX], out[SERVER_MSG_MAX + 64];
	char cbuf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	struct sockaddr_in6 peer;
	struct iovec iov = { req, sizeof(req) };
	struct msghdr msg = { .msg_name = &peer, .msg_namelen = sizeof(peer),
			      .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	ssize_t n = recvmsg(fd, &msg, 0);

	if (n <= 0)
		return;
	iov.iov_base = out;
	if (proto == SCN_DNS)
		iov.iov_len = dns_answer_build((uint8_t *)out, sizeof(out),
					       (uint8_t *)req, n);
	else
		iov.iov_len = answer(out, sizeof(out), &peer, req, n);
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_PKTINFO) {
			/* Send from that address, out of any interface. */
			((struct in6_pktinfo *)CMSG_DATA(cm))->ipi6_ifindex = 0;
			msg.msg_controllen = CMSG_SPACE(sizeof(struct
							       in6_pktinfo));
			break;
		}
	}
	if (!cm)
		msg.msg_controllen = 0;
	if (iov.iov_len)
		sendmsg(fd, &msg, MSG_NOSIGNAL);
}

static void serve_one(struct server_loop *l, size_t i, short revents)
{
	const struct conn *c = &l->conn[i];

	if (c->kind == FD_LISTEN)
		serve_accept(l, i);
	else if (c->kind == FD_UDP)
		serve_udp(l->fds[i].fd, c->proto);
	else if (c->proto == SCN_TLS)
		serve_tls(l, i, revents);
	else if (c->proto == SCN_HTTP)
		serve_http(l, i);
	else
		serve_conn(l, i);
}

static void __attribute__((noreturn)) server_loop_run(struct server_loop *l)
{
	uint64_t next_tick = 0;
	size_t i;

	for (;;) {
		if (poll(l->fds, l->n, server_tick(l, &next_tick)) <= 0)
			continue;
		/* Backwards: loop_del() moves the last entry into i. */
		for (i = l->n; i-- > 0;)
			if (l->fds[i].revents)
				serve_one(l, i, l->fds[i].revents);
	}
}

/* In the child: bind everything, say "ok" (or why not), then serve. */
static void __attribute__((noreturn)) server_child(const char *netns,
						   const struct server_ports *p,
						   int ready)
{
	static struct server_loop loop;
	char msg[128] = "ok";
	size_t i;
	int fd;

	if (netns_enter(netns) < 0)
		snprintf(msg, sizeof(msg), "cannot enter %s: %s", netns,
			 strerror(errno));
	for (i = 0; !strcmp(msg, "ok") && i < p->n; i++) {
		fd = listen_socket(p->port[i], proto_tcp(p->proto[i]));
		if (fd < 0)
			snprintf(msg, sizeof(msg), "cannot listen on %s port "
				 "%u: %s", proto_tcp(p->proto[i]) ? "tcp" :
				 "udp", p->port[i], strerror(errno));
		else
			loop_add(&loop, fd, proto_tcp(p->proto[i]) ?
				 FD_LISTEN : FD_UDP, p->proto[i]);
	}
	if (write(ready, msg, strlen(msg)) < 0 || strcmp(msg, "ok"))
		_exit(1);
	close(ready);
	server_loop_run(&loop);
}

/* Waits for the child's first word: "ok" once it listens on every port. */
static int server_wait_ready(int fd, const char *node)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char msg[129];
	ssize_t n = 0;

	if (poll(&pfd, 1, SERVER_READY_MS) == 1)
		n = read(fd, msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	if (!strcmp(msg, "ok"))
		return 0;
	fprintf(stderr, "fwctl: test: server on %s: %s\n", node,
		n > 0 ? msg : "did not start");
	return -1;
}

static pid_t server_spawn(const struct scenario *s, size_t node,
			  const struct server_ports *p)
{
	int pipefd[2], err;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	pid = guard_fork();
	if (pid < 0)
		fprintf(stderr, "fwctl: test: cannot start a server: %s\n",
			strerror(errno));
	if (pid == 0) {
		close(pipefd[0]);
		server_child(s->nodes[node].netns, p, pipefd[1]);
	}
	close(pipefd[1]);
	err = pid < 0 ? -1 : server_wait_ready(pipefd[0], s->nodes[node].name);
	close(pipefd[0]);
	if (err && pid > 0)
		guard_reap(pid, true);
	return err ? -1 : pid;
}

/* -1 when full, -2 when the port serves another protocol already. */
static int ports_add(struct server_ports *p, uint16_t port,
		     enum scn_proto proto)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (p->port[i] != port ||
		    proto_tcp(p->proto[i]) != proto_tcp(proto))
			continue;
		return p->proto[i] == proto ? 0 : -2;
	}
	if (p->n == SERVER_MAX_PORTS)
		return -1;
	p->port[p->n] = port;
	p->proto[p->n++] = proto;
	return 0;
}

/*
 * A running stream's own server (not a tcp stream's sink, which never
 * answers) already serves that port as an echo server of the batch
 * would. A second one must not listen there: SO_REUSEPORT would share
 * the stream's connections between the two, and the batch's server,
 * stopped at the batch's end, would close those it had taken.
 */
static bool stream_serves(const struct scenario *s,
			  struct stream *const *running, size_t node,
			  const struct scn_expect *e)
{
	size_t i;

	for (i = 0; running && i < s->n_items; i++) {
		const struct scn_expect *se = &s->items[i].stream.e;

		if (running[i] && s->items[i].kind == SCN_ITEM_STREAM &&
		    se->proto != SCN_TCP && se->server == node &&
		    se->server_port == e->server_port &&
		    se->proto == e->proto)
			return true;
	}
	return false;
}

static int ports_of(const struct scenario *s, size_t node,
		    const struct scn_item *items, size_t n,
		    struct stream *const *running, struct server_ports *p)
{
	size_t i;
	int err;

	p->n = 0;
	for (i = 0; i < n; i++) {
		const struct scn_expect *e = &items[i].expect;

		/* A rate brings its own sink (rate.c). */
		if (items[i].kind != SCN_ITEM_EXPECT || e->server != node ||
		    e->proto == SCN_ICMP || e->proto == SCN_FTP ||
		    e->measure == SCN_MEASURE_RATE ||
		    stream_serves(s, running, node, e))
			continue;
		err = ports_add(p, e->server_port, e->proto);
		if (err == -1)
			fprintf(stderr, "fwctl: test: %s serves more than %d "
				"ports at once\n", s->nodes[node].name,
				SERVER_MAX_PORTS);
		else if (err)
			fprintf(stderr, "fwctl: test: %s cannot serve port %u "
				"with two protocols in one batch\n",
				s->nodes[node].name, e->server_port);
		if (err)
			return -1;
	}
	return 0;
}

/* An earlier item of the batch needs the same vsftpd as items[i]. */
static bool ftp_dup(const struct scn_item *items, size_t i)
{
	const struct scn_expect *e = &items[i].expect, *d;
	size_t j;

	for (j = 0; j < i; j++) {
		d = &items[j].expect;
		if (d->proto == SCN_FTP && d->server == e->server &&
		    d->server_port == e->server_port)
			return true;
	}
	return false;
}

/* One vsftpd per node and port; none when it is not installed. */
static int ftp_start(const struct scenario *s, const struct scn_item *items,
		     size_t n, struct server_set *set)
{
	const struct scn_expect *e;
	size_t i;

	for (i = 0; i < n && ftp_server_available(); i++) {
		e = &items[i].expect;
		if (items[i].kind != SCN_ITEM_EXPECT || e->proto != SCN_FTP ||
		    ftp_dup(items, i))
			continue;
		if (set->n_ftp == SERVER_MAX_FTP) {
			fprintf(stderr, "fwctl: test: more than %d ftp servers "
				"at once\n", SERVER_MAX_FTP);
			return -1;
		}
		set->ftp[set->n_ftp] = ftp_server_start(
			s->nodes[e->server].netns, e->server_port);
		if (!set->ftp[set->n_ftp++])
			return -1;
	}
	return 0;
}

pid_t server_spawn_port(const struct scenario *s, size_t node, uint16_t port,
			enum scn_proto proto)
{
	struct server_ports p = { .n = 1, .port = { port },
				  .proto = { proto } };

	return server_spawn(s, node, &p);
}

struct server_set *server_start(const struct scenario *s,
				const struct scn_item *items, size_t n,
				struct stream *const *running)
{
	struct server_set *set;
	struct server_ports ports;
	size_t node;
	pid_t pid;

	set = calloc(1, sizeof(*set) + s->n_nodes * sizeof(set->procs[0]));
	if (!set)
		return NULL;
	for (node = 0; node < s->n_nodes; node++) {
		if (ports_of(s, node, items, n, running, &ports))
			goto err;
		if (!ports.n)
			continue;
		pid = server_spawn(s, node, &ports);
		if (pid < 0)
			goto err;
		set->procs[set->n++] = (struct server_proc){ node, pid };
	}
	if (ftp_start(s, items, n, set))
		goto err;
	return set;
err:
	server_stop(set);
	return NULL;
}

void server_stop(struct server_set *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->n; i++)
		guard_reap(set->procs[i].pid, true);
	for (i = 0; i < set->n_ftp; i++)
		ftp_server_stop(set->ftp[i]);
	free(set);
}
