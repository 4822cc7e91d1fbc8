// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * blast udp|tcp ADDR PORT SECONDS: sends as fast as it can for SECONDS
 * to the IPv4 ADDR, for the queue benchmark (tests/bench/queue).
 *   udp: 64-byte datagrams from one socket, BATCH per sendmmsg();
 *   tcp: one connection, the same 128 KiB buffer written over and over.
 * Errors the receiver causes (nobody listening yet, a full queue, the
 * receiver closing when its window is over) are not failures: the
 * receiver's count is the measurement, not ours. A send never blocks
 * for long, so a dead or hung queue reader cannot keep us past SECONDS.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define UDP_PAYLOAD	64
#define BATCH		64
#define TCP_CHUNK	(128 * 1024)
#define CONNECT_TRIES	50	/* 10 ms apart: the receiver starts with us */
#define SEND_TIMEOUT_US	200000

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Also bounds connect(), which waits for the handshake as long. */
static int socket_timed(int type)
{
	struct timeval tv = { .tv_usec = SEND_TIMEOUT_US };
	int fd = socket(AF_INET, type, 0);

	if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv,
				  sizeof(tv)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int blast_udp(const struct sockaddr_in *to, uint64_t end)
{
	static uint8_t payload[UDP_PAYLOAD];
	struct iovec iov = { payload, sizeof(payload) };
	struct mmsghdr msgs[BATCH];
	int fd = socket_timed(SOCK_DGRAM), i;

	if (fd < 0 || connect(fd, (const struct sockaddr *)to,
			      sizeof(*to)) < 0)
		return -1;
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	/* ECONNREFUSED (an ICMP error before the receiver bound) and
	 * ENOBUFS only mean these datagrams did not make it. */
	while (now_ns() < end)
		sendmmsg(fd, msgs, BATCH, 0);
	close(fd);
	return 0;
}

static int tcp_connect(const struct sockaddr_in *to)
{
	int i, fd;

	for (i = 0; i < CONNECT_TRIES; i++) {
		fd = socket_timed(SOCK_STREAM);
		if (fd < 0)
			return -1;
		if (!connect(fd, (const struct sockaddr *)to, sizeof(*to)))
			return fd;
		close(fd);
		usleep(10000);
	}
	return -1;
}

static int blast_tcp(const struct sockaddr_in *to, uint64_t end)
{
	static uint8_t chunk[TCP_CHUNK];
	int fd = tcp_connect(to);

	if (fd < 0)
		return -1;
	/* The receiver closes when its window is over: EPIPE or
	 * ECONNRESET then ends the run early, and that is fine. */
	while (now_ns() < end)
		if (send(fd, chunk, sizeof(chunk), MSG_NOSIGNAL) < 0 &&
		    errno != EAGAIN)
			break;
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	bool udp = argc == 5 && !strcmp(argv[1], "udp");
	uint64_t end;

	if (argc != 5 || (!udp && strcmp(argv[1], "tcp")) ||
	    inet_pton(AF_INET, argv[2], &to.sin_addr) != 1) {
		fputs("usage: blast udp|tcp ADDR PORT SECONDS\n", stderr);
		return 2;
	}
	to.sin_port = htons(atoi(argv[3]));
	end = now_ns() + (uint64_t)(atof(argv[4]) * 1e9);
	if ((udp ? blast_udp : blast_tcp)(&to, end) < 0) {
		fprintf(stderr, "blast %s %s:%s: %s\n", argv[1], argv[2],
			argv[3], strerror(errno));
		return 1;
	}
	return 0;
}
