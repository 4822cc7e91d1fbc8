/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_PACKET_H
#define FWCTL_PACKET_H

#include <stddef.h>
#include <stdint.h>

/*
 * IPv6 extension headers walked before giving up: more than real traffic
 * ever carries (RFC 7112 wants the whole chain in the first fragment),
 * few enough that a crafted chain costs nothing.
 */
#define PACKET_EXT_MAX	8

/* What the daemon needs of a packet, all pointing into the packet. */
struct packet {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP on success */
	const uint8_t *saddr, *daddr;	/* 4 or 16 bytes */
	uint16_t sport, dport;
	uint32_t seq;		/* TCP only: sequence number */
	uint8_t tcp_flags;	/* TCP only: FIN 0x01, SYN 0x02, RST 0x04 ... */
	const uint8_t *payload;
	size_t payload_len;	/* may be 0 (a bare ACK) */
};

/*
 * Walks an IP packet as NFQUEUE hands it (starting at the IP header) to
 * its TCP or UDP payload. The payload ends at the end of the IP datagram
 * (its total or payload length) or of the bytes given, whichever is first.
 *
 * Returns 1 with *pkt filled; 0 for a well-formed packet that has no L4
 * payload to look at: a fragment (the first one included: dissectors see
 * whole datagrams only), another protocol, ESP, or an IPv6 header chain
 * longer than PACKET_EXT_MAX; -1 when the headers are truncated or
 * inconsistent. Never reads past p + len.
 */
int packet_parse(const uint8_t *p, size_t len, struct packet *pkt);

#endif
