// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fblast IFNAME DSTMAC TRACE SECONDS: sends the packets of TRACE (lines
 * "tcp|udp SRC DST SPORT DPORT", as classbench trace writes them) as
 * raw Ethernet frames on IFNAME to DSTMAC, cycling through the trace
 * for SECONDS, for the classification benchmark (tests/bench/classify).
 * UDP datagrams carry 18 bytes of zeros, TCP segments are SYNs; all
 * checksums are right, so that conntrack does not call them invalid.
 * SECONDS 0 sends the trace once, paced, so that a router that keeps
 * up delivers every frame: a check of what the firewall lets through.
 * Prints "FRAMES SECONDS": frames the interface took, time it took.
 *
 * The socket bypasses the qdisc and sends in batches: the sender costs
 * little next to the forwarding it measures.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#define BATCH		64
#define ONCE_BATCH	8
#define ONCE_PAUSE_US	1000
#define UDP_PAYLOAD	18
#define FRAME_MAX	(14 + 20 + 20 + UDP_PAYLOAD)
#define TCP_WINDOW	64240

struct frame {
	uint8_t b[FRAME_MAX];
	size_t len;
};

struct trace {
	struct frame *f;
	size_t n;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/*
 * Both layer 4 checksums cover the pseudo header: source, destination,
 * protocol and layer 4 length. The IPv4 header is at ip, layer 4 after.
 */
static void l4_csum(uint8_t *ip, size_t l4len, size_t at)
{
	uint8_t *l4 = ip + 20;
	uint32_t sum = csum_add(0, ip + 12, 8) + ip[9] + l4len;
	uint16_t c = csum_fold(csum_add(sum, l4, l4len));

	/* A UDP checksum of 0 means none: its equal is all ones. */
	put16(l4 + at, c ? c : 0xffff);
}

static size_t l4_build(uint8_t *l4, int tcp, uint16_t sport,
		       uint16_t dport, uint32_t seq)
{
	memset(l4, 0, tcp ? 20 : 8 + UDP_PAYLOAD);
	put16(l4, sport);
	put16(l4 + 2, dport);
	if (!tcp) {
		put16(l4 + 4, 8 + UDP_PAYLOAD);
		return 8 + UDP_PAYLOAD;
	}
	put16(l4 + 4, seq >> 16);
	put16(l4 + 6, seq & 0xffff);
	l4[12] = 5 << 4;	/* data offset: no options */
	l4[13] = 0x02;		/* SYN */
	put16(l4 + 14, TCP_WINDOW);
	return 20;
}

static void ip_build(uint8_t *ip, int tcp, size_t l4len, uint32_t src,
		     uint32_t dst, uint16_t id)
{
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, 20 + l4len);
	put16(ip + 4, id);
	put16(ip + 6, 0x4000);	/* DF */
	ip[8] = 64;
	ip[9] = tcp ? IPPROTO_TCP : IPPROTO_UDP;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
}

static int frame_build(struct frame *f, const char *line, const uint8_t *dmac,
		       const uint8_t *smac, size_t i)
{
	char proto[8], src[64], dst[64];
	unsigned sport, dport;
	struct in_addr s, d;
	uint8_t *ip = f->b + 14;
	size_t l4len;
	int tcp;

	if (sscanf(line, "%7s %63s %63s %u %u", proto, src, dst, &sport,
		   &dport) != 5 || (strcmp(proto, "tcp") &&
				    strcmp(proto, "udp")) ||
	    inet_pton(AF_INET, src, &s) != 1 ||
	    inet_pton(AF_INET, dst, &d) != 1 || sport > 65535 ||
	    dport > 65535)
		return -1;
	tcp = !strcmp(proto, "tcp");
	memcpy(f->b, dmac, 6);
	memcpy(f->b + 6, smac, 6);
	put16(f->b + 12, ETHERTYPE_IP);
	l4len = l4_build(ip + 20, tcp, sport, dport, 0x1000 * i);
	ip_build(ip, tcp, l4len, s.s_addr, d.s_addr, i);
	l4_csum(ip, l4len, tcp ? 16 : 6);
	f->len = 14 + 20 + l4len;
	return 0;
}

static int trace_read(struct trace *t, const char *path, const uint8_t *dmac,
		      const uint8_t *smac)
{
	char line[256];
	size_t cap = 0;
	FILE *in = fopen(path, "r");
	struct frame *nf;
	int eof;

	if (!in)
		return -1;
	t->n = 0;
	t->f = NULL;
	while (fgets(line, sizeof(line), in)) {
		if (t->n == cap) {
			cap = cap ? 2 * cap : 1024;
			nf = realloc(t->f, cap * sizeof(*nf));
			if (!nf)
				break;
			t->f = nf;
		}
		if (frame_build(&t->f[t->n], line, dmac, smac, t->n) < 0) {
			fprintf(stderr, "%s:%zu: not a packet: %s", path,
				t->n + 1, line);
			errno = EINVAL;
			break;
		}
		t->n++;
	}
	eof = feof(in);
	fclose(in);
	return eof && t->n ? 0 : -1;
}

static int mac_parse(uint8_t *mac, const char *s)
{
	unsigned m[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4],
		   &m[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = m[i];
	return 0;
}

/* A packet socket that sends on ifname only and never receives. */
static int socket_open(const char *ifname, uint8_t *smac)
{
	struct sockaddr_ll ll = { .sll_family = AF_PACKET };
	struct ifreq ifr = { 0 };
	int fd = socket(AF_PACKET, SOCK_RAW, 0), one = 1;

	if (fd < 0 || strlen(ifname) >= IFNAMSIZ)
		goto err;
	strcpy(ifr.ifr_name, ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		goto err;
	memcpy(smac, ifr.ifr_hwaddr.sa_data, 6);
	ll.sll_ifindex = if_nametoindex(ifname);
	if (!ll.sll_ifindex ||
	    bind(fd, (struct sockaddr *)&ll, sizeof(ll)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one,
		       sizeof(one)) < 0)
		goto err;
	return fd;
err:
	if (fd >= 0)
		close(fd);
	return -1;
}

/*
 * Sends batches of up to batch frames from the trace, round and round,
 * until end (or, with end 0, once through, pausing between batches).
 * Frames the device refused (ENOBUFS) are not counted.
 */
static uint64_t blast(int fd, const struct trace *t, uint64_t end)
{
	static struct mmsghdr msgs[BATCH];
	static struct iovec iov[BATCH];
	size_t next = 0, k, batch = end ? BATCH : ONCE_BATCH;
	uint64_t sent = 0;
	int r;

	for (;;) {
		if (end ? now_ns() >= end : next == t->n)
			return sent;
		for (k = 0; k < batch && (end || next + k < t->n); k++) {
			iov[k].iov_base = t->f[(next + k) % t->n].b;
			iov[k].iov_len = t->f[(next + k) % t->n].len;
			msgs[k].msg_hdr.msg_iov = &iov[k];
			msgs[k].msg_hdr.msg_iovlen = 1;
		}
		r = sendmmsg(fd, msgs, k, 0);
		if (r < 0 && errno != ENOBUFS && errno != EAGAIN)
			return sent;
		sent += r > 0 ? r : 0;
		next += r > 0 ? (size_t)r : k;
		if (end)
			next %= t->n;
		else
			usleep(ONCE_PAUSE_US);
	}
}

int main(int argc, char **argv)
{
	uint8_t dmac[6], smac[6];
	uint64_t t0, sent;
	struct trace t;
	double secs;
	int fd;

	if (argc != 5 || mac_parse(dmac, argv[2]) < 0) {
		fputs("usage: fblast IFNAME DSTMAC TRACE SECONDS\n", stderr);
		return 2;
	}
	secs = atof(argv[4]);
	fd = socket_open(argv[1], smac);
	if (fd < 0) {
		fprintf(stderr, "fblast: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (trace_read(&t, argv[3], dmac, smac) < 0) {
		fprintf(stderr, "fblast: %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	t0 = now_ns();
	sent = blast(fd, &t, secs > 0 ? t0 + (uint64_t)(secs * 1e9) : 0);
	printf("%llu %.6f\n", (unsigned long long)sent,
	       (now_ns() - t0) / 1e9);
	close(fd);
	free(t.f);
	return 0;
}
