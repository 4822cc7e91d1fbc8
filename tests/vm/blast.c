// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Packets/s through the firewall: one UDP flow (one session) of small
 * datagrams for a fixed time.
 *
 *   blast send ADDR PORT SECONDS	prints "sent N" (ADDR v4 or v6)
 *   blast recv PORT SECONDS		prints "received N pps P"
 *
 * The receiver counts from its first datagram for SECONDS, so the
 * figure does not depend on when the sender starts.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ADDR is IPv4 or IPv6; the receiver listens on both. */
static int blast_send(const char *addr, int port, double secs)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port) };
	struct in_addr v4;
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);
	char payload[64] = "fwctl blast";
	unsigned long n = 0;
	double end = now() + secs;

	if (inet_pton(AF_INET, addr, &v4) == 1) {
		sa.sin6_addr.s6_addr[10] = sa.sin6_addr.s6_addr[11] = 0xff;
		memcpy(&sa.sin6_addr.s6_addr[12], &v4, 4);
	} else if (inet_pton(AF_INET6, addr, &sa.sin6_addr) != 1) {
		return 2;
	}
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return 1;
	while (now() < end)
		for (int i = 0; i < 64; i++)
			if (send(fd, payload, sizeof(payload), 0) > 0)
				n++;
	printf("sent %lu\n", n);
	return 0;
}

static int blast_recv(int port, double secs)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port) };
	struct timeval tv = { .tv_sec = 10 };
	int fd = socket(AF_INET6, SOCK_DGRAM, 0), off = 0;
	unsigned long n = 0;
	double start = 0, t = 0;
	char buf[2048];

	if (fd < 0)
		return 1;
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return 1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (recv(fd, buf, sizeof(buf), 0) >= 0) {
		t = now();
		if (!n++)
			start = t;
		if (t - start >= secs)
			break;
	}
	printf("received %lu pps %.0f\n", n, n > 1 ? n / (t - start) : 0.0);
	return n ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "send"))
		return blast_send(argv[2], atoi(argv[3]), atof(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "recv"))
		return blast_recv(atoi(argv[2]), atof(argv[3]));
	fprintf(stderr, "usage: blast send ADDR PORT SECONDS | "
		"recv PORT SECONDS\n");
	return 2;
}
