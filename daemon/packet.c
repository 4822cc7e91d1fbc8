// SPDX-License-Identifier: GPL-2.0-or-later
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "packet.h"
#include "wire.h"

enum {
	IPV4_HDR = 20,
	IPV4_MF = 0x2000,
	IPV4_OFFSET = 0x1fff,
	IPV6_HDR = 40,
	IPV6_FRAG_OFFSET = 0xfff8,
	IPV6_FRAG_M = 0x0001,
	TCP_HDR = 20,
	UDP_HDR = 8,
};

static int packet_tcp(struct wire l4, struct packet *pkt)
{
	size_t hlen;

	if (l4.len < TCP_HDR)
		return -1;
	hlen = (size_t)(l4.p[12] >> 4) * 4;
	pkt->seq = wire_be(l4.p + 4, 4);
	pkt->tcp_flags = l4.p[13];
	if (hlen < TCP_HDR || !wire_take(&l4, hlen, NULL))
		return -1;
	pkt->payload = l4.p;
	pkt->payload_len = l4.len;
	return 1;
}

static int packet_udp(struct wire l4, struct packet *pkt)
{
	size_t ulen;

	if (l4.len < UDP_HDR)
		return -1;
	ulen = wire_be(l4.p + 4, 2);
	if (ulen < UDP_HDR)
		return -1;
	if (ulen < l4.len)
		l4.len = ulen;
	wire_take(&l4, UDP_HDR, NULL);
	pkt->payload = l4.p;
	pkt->payload_len = l4.len;
	return 1;
}

/* Both L4 headers start with the ports. */
static int packet_l4(struct wire l4, uint8_t proto, struct packet *pkt)
{
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return 0;
	if (l4.len < 4)
		return -1;
	pkt->proto = proto;
	pkt->sport = (uint16_t)wire_be(l4.p, 2);
	pkt->dport = (uint16_t)wire_be(l4.p + 2, 2);
	return proto == IPPROTO_TCP ? packet_tcp(l4, pkt) :
				      packet_udp(l4, pkt);
}

static int packet_ipv4(struct wire ip, struct packet *pkt)
{
	size_t hlen, total;
	uint8_t proto;

	if (ip.len < IPV4_HDR)
		return -1;
	hlen = (size_t)(ip.p[0] & 0x0f) * 4;
	total = wire_be(ip.p + 2, 2);
	if (hlen < IPV4_HDR || total < hlen || ip.len < hlen)
		return -1;
	pkt->family = AF_INET;
	pkt->saddr = ip.p + 12;
	pkt->daddr = ip.p + 16;
	if (wire_be(ip.p + 6, 2) & (IPV4_MF | IPV4_OFFSET))
		return 0;
	proto = ip.p[9];
	if (total < ip.len)
		ip.len = total;
	wire_take(&ip, hlen, NULL);
	return packet_l4(ip, proto, pkt);
}

/*
 * IPv6 extension headers by next-header value: the unit of their length
 * field and what to add to it (RFC 8200, 4; AH: RFC 4302, 2.2). The
 * fragment header is fixed-size and handled on its own.
 */
static const struct {
	uint8_t unit, add;
} ipv6_ext[256] = {
	[IPPROTO_HOPOPTS] = { 8, 1 },
	[IPPROTO_ROUTING] = { 8, 1 },
	[IPPROTO_DSTOPTS] = { 8, 1 },
	[IPPROTO_AH] = { 4, 2 },
	[IPPROTO_MH] = { 8, 1 },
	[139] = { 8, 1 },	/* HIP, RFC 7401 */
	[140] = { 8, 1 },	/* Shim6, RFC 5533 */
};

/* A fragment unless offset and M are both clear (RFC 6946 atomic). */
static int packet_ipv6_frag(struct wire *ip, uint8_t *nh)
{
	struct wire frag;

	if (!wire_take(ip, 8, &frag))
		return -1;
	if (wire_be(frag.p + 2, 2) & (IPV6_FRAG_OFFSET | IPV6_FRAG_M))
		return 0;
	*nh = frag.p[0];
	return 1;
}

static int packet_ipv6_ext(struct wire *ip, uint8_t *nh)
{
	size_t len;

	if (*nh == IPPROTO_FRAGMENT)
		return packet_ipv6_frag(ip, nh);
	if (ip->len < 2)
		return -1;
	len = (size_t)(ip->p[1] + ipv6_ext[*nh].add) * ipv6_ext[*nh].unit;
	*nh = ip->p[0];
	return wire_take(ip, len, NULL) ? 1 : -1;
}

static int packet_ipv6(struct wire ip, struct packet *pkt)
{
	size_t total;
	uint8_t nh;
	int i, ret;

	if (ip.len < IPV6_HDR)
		return -1;
	total = IPV6_HDR + wire_be(ip.p + 4, 2);
	nh = ip.p[6];
	pkt->family = AF_INET6;
	pkt->saddr = ip.p + 8;
	pkt->daddr = ip.p + 24;
	if (total < ip.len)
		ip.len = total;
	wire_take(&ip, IPV6_HDR, NULL);
	for (i = 0; ipv6_ext[nh].unit || nh == IPPROTO_FRAGMENT; i++) {
		if (i == PACKET_EXT_MAX)
			return 0;
		ret = packet_ipv6_ext(&ip, &nh);
		if (ret <= 0)
			return ret;
	}
	return packet_l4(ip, nh, pkt);
}

int packet_parse(const uint8_t *p, size_t len, struct packet *pkt)
{
	struct wire ip = { .p = p, .len = len };

	memset(pkt, 0, sizeof(*pkt));
	if (!len)
		return -1;
	switch (p[0] >> 4) {
	case 4:
		return packet_ipv4(ip, pkt);
	case 6:
		return packet_ipv6(ip, pkt);
	}
	return -1;
}
