/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_FLOW_H
#define FWCTL_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"
#include "tls.h"

/*
 * The client's first bytes a flow keeps for the dissectors: a whole
 * ClientHello (tls.h) split into up to 8 records, and more than an HTTP
 * request head (HTTP_HEAD_MAX). Allocated on the first payload, grown
 * from FLOW_BUF_MIN as needed, freed when the flow is decided.
 */
#define FLOW_BUF_MAX	(TLS_HELLO_MAX + 4 + 5 * 8)
#define FLOW_BUF_MIN	2048

enum flow_state { FLOW_UNDECIDED, FLOW_ACCEPT, FLOW_DENY };

/* Both directions of a connection give the same key: lower end first. */
struct flow_key {
	uint8_t family, proto;
	uint16_t port[2];
	uint8_t addr[2][16];
};

struct flow {
	struct flow_key key;
	struct flow *hnext;		/* hash chain */
	struct flow *older, *newer;	/* LRU list */
	uint64_t last_ns;
	uint32_t packets;
	uint8_t state;			/* enum flow_state */
	uint8_t client;			/* key end (0, 1) that spoke first */
	bool seq_known;
	uint32_t next_seq;		/* client's next in-order TCP byte */
	uint32_t buflen, bufcap;
	uint8_t *buf;			/* NULL until the first payload */
};

/*
 * A table of at most max flows for one queue thread (no locking: the
 * kernel's fanout keeps both directions of a flow on one queue). A flow
 * idle for idle_ns, or the least recently seen one when the table is
 * full, is dropped to make room.
 */
struct flow_table;

struct flow_table *flow_table_new(size_t max, uint64_t idle_ns);
void flow_table_free(struct flow_table *t);
size_t flow_table_count(const struct flow_table *t);

/*
 * The flow of pkt, created when new (NULL only when out of memory), made
 * the most recent; *from_client tells whether pkt goes the way the flow's
 * first packet went. Counts the packet.
 */
struct flow *flow_lookup(struct flow_table *t, const struct packet *pkt,
			 uint64_t now_ns, bool *from_client);

/*
 * Appends the client's payload to the flow's stream when it is the next
 * in order (TCP: by sequence number; a SYN sets the start) or, for UDP,
 * when it is the first datagram. Returns true when the stream grew; a
 * retransmission, a segment out of order or one past FLOW_BUF_MAX is
 * left out, and the dissector just sees no more than it saw.
 */
bool flow_append(struct flow *f, const struct packet *pkt);

/* Frees the reassembly buffer once the flow is decided. */
void flow_release(struct flow *f);

#endif
