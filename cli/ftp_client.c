// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The FTP probe, run inside the client node: log in anonymously, set up
 * a data connection -- active by default (PORT or EPRT with our own
 * address; the server connects back to us), or passive (PASV or EPSV) --
 * fetch the test file and compare it with what the server was given.
 *
 *   control connection refused / silent            reject / drop
 *   logged in, but no data connection or no file    no-data
 *   the whole file arrived intact                   accept
 *
 * Every wait (connect, a reply, the data) gets the expectation's timeout.
 */
#include <arpa/inet.h>
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

struct ftp {
	const struct scn_expect	*e;
	struct client_result	*r;
	int			ctl;
	char			buf[2048];	/* control bytes not yet used */
	size_t			got;
	char			reply[64];	/* the last reply line, cut */
	uint64_t		t0;
};

static uint64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

static int ftp_end(struct ftp *f, enum scn_outcome o, const char *fmt,
		   const char *arg)
{
	f->r->outcome = o;
	f->r->elapsed_ms = ms_now() - f->t0;
	snprintf(f->r->detail, sizeof(f->r->detail), fmt, arg);
	return -1;
}

/* Waits for events on fd up to the timeout; false when none came. */
static bool ftp_wait(const struct ftp *f, int fd, short events)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	return poll(&pfd, 1, f->e->timeout_ms) == 1;
}

static socklen_t ftp_sockaddr(int family, const void *addr, uint16_t port,
			      struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		memcpy(&in->sin_addr, addr, 4);
		return sizeof(*in);
	}
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	memcpy(&in6->sin6_addr, addr, 16);
	return sizeof(*in6);
}

/* A connected socket, or -1 with errno (ETIMEDOUT: nothing came back). */
static int ftp_connect(const struct ftp *f, const void *addr, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len = ftp_sockaddr(f->e->family, addr, port, &ss);
	int fd = socket(f->e->family, SOCK_STREAM | SOCK_NONBLOCK |
			SOCK_CLOEXEC, 0), err = 0;
	socklen_t elen = sizeof(err);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS)
		err = errno;
	else if (!ftp_wait(f, fd, POLLOUT))
		err = ETIMEDOUT;
	else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen))
		err = errno;
	if (!err)
		return fd;
	close(fd);
	errno = err;
	return -1;
}

/* The next final reply ("123 text"); its code, or -1 on a timeout. */
static int ftp_reply(struct ftp *f)
{
	char *nl;
	ssize_t n;
	size_t len;

	for (;;) {
		while ((nl = memchr(f->buf, '\n', f->got))) {
			len = nl + 1 - f->buf;
			snprintf(f->reply, sizeof(f->reply), "%.*s",
				 (int)(len > 1 ? len - 2 : 0), f->buf);
			memmove(f->buf, nl + 1, f->got - len);
			f->got -= len;
			if (len >= 4 && f->reply[3] == ' ')
				return atoi(f->reply);
		}
		if (f->got == sizeof(f->buf) || !ftp_wait(f, f->ctl, POLLIN))
			return -1;
		n = read(f->ctl, f->buf + f->got, sizeof(f->buf) - f->got);
		if (n <= 0)
			return -1;
		f->got += n;
	}
}

/* Sends a command; its reply code must be ok1 or ok2. */
static int ftp_cmd(struct ftp *f, const char *cmd, int ok1, int ok2)
{
	char line[128];
	int n = snprintf(line, sizeof(line), "%s\r\n", cmd), code;

	if (send(f->ctl, line, n, MSG_NOSIGNAL) != n)
		return ftp_end(f, SCN_PARTIAL, "cannot send %s", cmd);
	code = ftp_reply(f);
	if (code < 0)
		return ftp_end(f, SCN_PARTIAL, "no answer to %s", cmd);
	if (code != ok1 && code != ok2)
		return ftp_end(f, SCN_NO_DATA, "refused: %s", f->reply);
	return 0;
}

static int ftp_login(struct ftp *f)
{
	static const int refusals[] = { ECONNREFUSED, EHOSTUNREACH,
					ENETUNREACH, EACCES, EPERM };
	size_t i;

	f->ctl = ftp_connect(f, f->e->dst.a, f->e->port);
	if (f->ctl < 0 && errno == ETIMEDOUT)
		return ftp_end(f, SCN_DROP, "%s", "");
	for (i = 0; f->ctl < 0 && i < sizeof(refusals) / sizeof(*refusals);
	     i++)
		if (errno == refusals[i])
			return ftp_end(f, SCN_REJECT, "%s", strerror(errno));
	if (f->ctl < 0)
		return ftp_end(f, SCN_ERROR, "%s", strerror(errno));
	if (ftp_reply(f) != 220)
		return ftp_end(f, SCN_PARTIAL, "no greeting: %s", f->reply);
	if (ftp_cmd(f, "USER anonymous", 331, 230) ||
	    (atoi(f->reply) == 331 && ftp_cmd(f, "PASS fwctl@", 230, 230)))
		return -1;
	return ftp_cmd(f, "TYPE I", 200, 200);
}

/* Active: a socket on our control address; PORT or EPRT names it. */
static int ftp_port(struct ftp *f)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char cmd[96], addr[INET6_ADDRSTRLEN];
	const uint8_t *a, *p;
	int fd;

	fd = socket(f->e->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ftp_end(f, SCN_ERROR, "%s", strerror(errno));
	if (getsockname(f->ctl, (struct sockaddr *)&ss, &len))
		goto err;
	((struct sockaddr_in *)&ss)->sin_port = 0;	/* same for in6 */
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 1) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len))
		goto err;
	p = (const uint8_t *)&((struct sockaddr_in *)&ss)->sin_port;
	if (f->e->family == AF_INET) {
		a = (const uint8_t *)&((struct sockaddr_in *)&ss)->sin_addr;
		snprintf(cmd, sizeof(cmd), "PORT %u,%u,%u,%u,%u,%u", a[0],
			 a[1], a[2], a[3], p[0], p[1]);
	} else {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr,
			  addr, sizeof(addr));
		snprintf(cmd, sizeof(cmd), "EPRT |2|%s|%u|", addr,
			 p[0] << 8 | p[1]);
	}
	if (!ftp_cmd(f, cmd, 200, 200))
		return fd;
	close(fd);
	return -1;
err:
	ftp_end(f, SCN_ERROR, "%s", strerror(errno));
	close(fd);
	return -1;
}

/* Passive: the port (and, for IPv4, the address) from the reply. */
static int ftp_pasv(struct ftp *f)
{
	unsigned h[4], p[2], port;
	uint8_t a[16];
	const char *c;
	int fd;

	if (ftp_cmd(f, f->e->family == AF_INET ? "PASV" : "EPSV", 227, 229))
		return -1;
	c = strchr(f->reply, '(');
	memcpy(a, f->e->dst.a, sizeof(a));
	if (f->e->family == AF_INET && c &&
	    sscanf(c, "(%u,%u,%u,%u,%u,%u)", &h[0], &h[1], &h[2], &h[3],
		   &p[0], &p[1]) == 6) {
		a[0] = h[0], a[1] = h[1], a[2] = h[2], a[3] = h[3];
		port = p[0] << 8 | p[1];
	} else if (!c || sscanf(c, "(|||%u|)", &port) != 1) {
		return ftp_end(f, SCN_PARTIAL, "cannot read %s", f->reply);
	}
	fd = ftp_connect(f, a, port);
	if (fd < 0)
		return ftp_end(f, SCN_NO_DATA, "data connection: %s",
			       strerror(errno));
	return fd;
}

/*
 * RETR, then the data connection: accepted (active) or already there
 * (passive). Active: the server answers only once it has connected, or
 * has given up, so the connection is waited for, not the answer.
 */
static int ftp_retr(struct ftp *f, int fd)
{
	int data;

	if (send(f->ctl, "RETR " FTP_FILE_NAME "\r\n",
		 sizeof("RETR " FTP_FILE_NAME "\r\n") - 1, MSG_NOSIGNAL) < 0)
		return ftp_end(f, SCN_PARTIAL, "cannot send %s", "RETR");
	if (f->e->passive) {
		if (ftp_reply(f) / 100 != 1)
			return ftp_end(f, SCN_NO_DATA, "RETR: %s", f->reply);
		return fd;
	}
	if (!ftp_wait(f, fd, POLLIN))
		return ftp_end(f, SCN_NO_DATA, "%s", "the server's data "
			       "connection never arrived");
	data = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (data < 0)
		return ftp_end(f, SCN_ERROR, "accept: %s", strerror(errno));
	if (ftp_reply(f) / 100 != 1) {
		close(data);
		return ftp_end(f, SCN_NO_DATA, "RETR: %s", f->reply);
	}
	return data;
}

/* Reads the file to its end and compares; the server must say 226. */
static int ftp_receive(struct ftp *f, int data)
{
	size_t want = ftp_file_content(NULL, 0), got = 0;
	char *file = malloc(want + 1), *buf = malloc(want + 1);
	bool intact;
	ssize_t n;

	if (!file || !buf)
		abort();
	ftp_file_content(file, want + 1);
	/* One byte more than the file: a longer one is not intact either. */
	while (got <= want && ftp_wait(f, data, POLLIN)) {
		n = read(data, buf + got, want + 1 - got);
		if (n == 0 || (n < 0 && errno != EAGAIN))
			break;
		got += n > 0 ? n : 0;
	}
	intact = got == want && !memcmp(file, buf, want);
	free(file);
	free(buf);
	if (!intact)
		return ftp_end(f, SCN_NO_DATA, "the file did not arrive "
			       "intact%s", "");
	if (ftp_reply(f) != 226)
		return ftp_end(f, SCN_NO_DATA, "after the data: %s", f->reply);
	return 0;
}

void ftp_client_run(const struct scn_expect *e, struct client_result *r)
{
	struct ftp f = { .e = e, .r = r, .ctl = -1, .t0 = ms_now() };
	int fd = -1, data = -1;

	if (!ftp_server_available()) {
		ftp_end(&f, SCN_SKIP, "%s", "vsftpd is not installed");
		return;
	}
	if (ftp_login(&f) || (fd = e->passive ? ftp_pasv(&f) :
			      ftp_port(&f)) < 0 ||
	    (data = ftp_retr(&f, fd)) < 0 || ftp_receive(&f, data))
		goto out;
	ftp_end(&f, SCN_ACCEPT, "%s", "");
out:
	if (data >= 0 && data != fd)
		close(data);
	if (fd >= 0)
		close(fd);
	if (f.ctl >= 0)
		close(f.ctl);
}
