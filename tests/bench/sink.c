// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sink udp|tcp PORT SECONDS [WARMUP]: the receiving end of blast, for
 * the queue benchmark (tests/bench/queue). Counts what arrives during a
 * window of SECONDS that opens WARMUP seconds (default 0.5) after the
 * first byte, so that neither the sender's start nor a TCP slow start is
 * measured, and prints one figure: packets/s (udp) or Mbit/s (tcp).
 * Nothing at all within NOTHING_S seconds prints 0 and fails.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define BATCH		64
#define DGRAM_MAX	2048
#define STREAM_BUF	(256 * 1024)
#define RCVBUF		(4 << 20)
#define NOTHING_S	10

/* The counting window: closed until the first arrival sets it up. */
struct window {
	uint64_t warmup_ns, length_ns, open, close, deadline;
	uint64_t count;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Counts n units arrived now; false once the window has closed. */
static bool window_add(struct window *w, uint64_t n)
{
	uint64_t t = now_ns();

	if (!w->open && n) {
		w->open = t + w->warmup_ns;
		w->close = w->open + w->length_ns;
	}
	if (w->open && t >= w->open && t < w->close)
		w->count += n;
	return w->open ? t < w->close : t < w->deadline;
}

static int socket_bound(int type, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	struct timeval tv = { .tv_usec = 100000 };
	int fd = socket(AF_INET, type, 0), one = 1, rcvbuf = RCVBUF;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 1) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int sink_udp(uint16_t port, struct window *w)
{
	static uint8_t bufs[BATCH][DGRAM_MAX];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	int fd = socket_bound(SOCK_DGRAM, port), i, n;

	if (fd < 0)
		return -1;
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ bufs[i], DGRAM_MAX };
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	do
		n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
	while (window_add(w, n > 0 ? n : 0));
	close(fd);
	return 0;
}

/* The one connection blast makes, or -1 when none came in time. */
static int accept_one(int lfd, const struct window *w)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int64_t left = ((int64_t)w->deadline - (int64_t)now_ns()) / 1000000;
	int r = poll(&p, 1, left > 0 ? left : 0);

	if (r == 0)
		errno = ETIMEDOUT;
	return r == 1 ? accept(lfd, NULL, NULL) : -1;
}

static int sink_tcp(uint16_t port, struct window *w)
{
	static uint8_t buf[STREAM_BUF];
	int lfd = socket_bound(SOCK_STREAM, port), fd;
	ssize_t n;

	if (lfd < 0)
		return -1;
	fd = accept_one(lfd, w);
	close(lfd);
	if (fd < 0)
		return -1;
	do
		n = recv(fd, buf, sizeof(buf), 0);
	while ((n > 0 || (n < 0 && errno == EAGAIN)) &&
	       window_add(w, n > 0 ? n : 0));
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	bool udp = argc >= 4 && !strcmp(argv[1], "udp");
	double seconds = argc >= 4 ? atof(argv[3]) : 0;
	struct window w = {
		.warmup_ns = (argc == 5 ? atof(argv[4]) : 0.5) * 1e9,
		.length_ns = seconds * 1e9,
		.deadline = now_ns() + NOTHING_S * 1000000000ull,
	};

	if (argc < 4 || argc > 5 || (!udp && strcmp(argv[1], "tcp")) ||
	    seconds <= 0) {
		fputs("usage: sink udp|tcp PORT SECONDS [WARMUP]\n", stderr);
		return 2;
	}
	if ((udp ? sink_udp : sink_tcp)(atoi(argv[2]), &w) < 0)
		fprintf(stderr, "sink %s %s: %s\n", argv[1], argv[2],
			strerror(errno));
	if (udp)
		printf("%.0f\n", w.count / seconds);
	else
		printf("%.1f\n", w.count * 8 / seconds / 1e6);
	return w.count ? 0 : 1;
}
