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
#include <unistd.h>

#include "netns.h"
#include "scenario.h"

#define SERVER_MAX_FDS		512
#define SERVER_MAX_PORTS	128
#define SERVER_READY_MS		5000
#define SERVER_MSG_MAX		512
#define SERVER_MAX_FTP		16

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

/* The ports one node serves; tcp[i] tells the protocol of port[i]. */
struct server_ports {
	size_t		n;
	uint16_t	port[SERVER_MAX_PORTS];
	bool		tcp[SERVER_MAX_PORTS];
};

enum fd_kind { FD_LISTEN, FD_UDP, FD_CONN };

struct server_loop {
	struct pollfd	fds[SERVER_MAX_FDS];
	enum fd_kind	kind[SERVER_MAX_FDS];
	size_t		n;
};

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

static void loop_add(struct server_loop *l, int fd, enum fd_kind kind)
{
	if (l->n == SERVER_MAX_FDS) {
		close(fd);	/* the client sees no echo and says so */
		return;
	}
	l->fds[l->n] = (struct pollfd){ .fd = fd, .events = POLLIN };
	l->kind[l->n++] = kind;
}

static void loop_del(struct server_loop *l, size_t i)
{
	close(l->fds[i].fd);
	l->fds[i] = l->fds[--l->n];
	l->kind[i] = l->kind[l->n];
}

static void serve_accept(struct server_loop *l, int fd)
{
	int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (c >= 0)
		loop_add(l, c, FD_CONN);
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

static void serve_udp(int fd)
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

static void __attribute__((noreturn)) server_loop_run(struct server_loop *l)
{
	size_t i;

	for (;;) {
		if (poll(l->fds, l->n, -1) < 0)
			continue;
		/* Backwards: serve_conn() moves the last entry into i. */
		for (i = l->n; i-- > 0;) {
			if (!l->fds[i].revents)
				continue;
			if (l->kind[i] == FD_LISTEN)
				serve_accept(l, l->fds[i].fd);
			else if (l->kind[i] == FD_UDP)
				serve_udp(l->fds[i].fd);
			else
				serve_conn(l, i);
		}
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
		fd = listen_socket(p->port[i], p->tcp[i]);
		if (fd < 0)
			snprintf(msg, sizeof(msg), "cannot listen on %s port "
				 "%u: %s", p->tcp[i] ? "tcp" : "udp",
				 p->port[i], strerror(errno));
		else
			loop_add(&loop, fd, p->tcp[i] ? FD_LISTEN : FD_UDP);
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

static int ports_add(struct server_ports *p, uint16_t port, bool tcp)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->port[i] == port && p->tcp[i] == tcp)
			return 0;
	if (p->n == SERVER_MAX_PORTS)
		return -1;
	p->port[p->n] = port;
	p->tcp[p->n++] = tcp;
	return 0;
}

static int ports_of(const struct scenario *s, size_t node,
		    const struct scn_item *items, size_t n,
		    struct server_ports *p)
{
	size_t i;

	p->n = 0;
	for (i = 0; i < n; i++) {
		const struct scn_expect *e = &items[i].expect;

		/* A rate brings its own sink (rate.c). */
		if (items[i].kind != SCN_ITEM_EXPECT || e->server != node ||
		    e->proto == SCN_ICMP || e->proto == SCN_FTP ||
		    e->measure == SCN_MEASURE_RATE)
			continue;
		if (ports_add(p, e->server_port, e->proto == SCN_TCP)) {
			fprintf(stderr, "fwctl: test: %s serves more than %d "
				"ports at once\n", s->nodes[node].name,
				SERVER_MAX_PORTS);
			return -1;
		}
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

struct server_set *server_start(const struct scenario *s,
				const struct scn_item *items, size_t n)
{
	struct server_set *set;
	struct server_ports ports;
	size_t node;
	pid_t pid;

	set = calloc(1, sizeof(*set) + s->n_nodes * sizeof(set->procs[0]));
	if (!set)
		return NULL;
	for (node = 0; node < s->n_nodes; node++) {
		if (ports_of(s, node, items, n, &ports))
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
