/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_CT_FILTER_H
#define FWCTL_CT_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

/*
 * The FILTERs of `fwctl conntrack`: KEY VALUE pairs, each key at most once,
 * all of them must hold. src, dst, sport and dport are tuple filters: they
 * must all hold on the same side of the connection, either as the initiator
 * sent it (the original tuple) or as it was after NAT (the reply tuple
 * turned around: its destination is the source after SNAT, its source the
 * destination after DNAT). Without NAT both sides are the same.
 */
enum ct_key {
	CT_KEY_SRC,
	CT_KEY_DST,
	CT_KEY_PROTO,
	CT_KEY_SPORT,
	CT_KEY_DPORT,
	CT_KEY_STATE,
	CT_KEY_MARK,
	CT_KEY_ZONE,
	CT_KEY_FAMILY,
	CT_KEY_COUNT
};

struct ct_prefix {
	uint8_t		family;		/* AF_INET or AF_INET6 */
	uint8_t		len;		/* in bits */
	uint8_t		addr[16];	/* host bits cleared */
};

#define CT_STATE_TERMS	8

/* One word of a state list: a TCP state, or status bits (ct_status). */
struct ct_state_term {
	int		tcp;		/* TCP_CONNTRACK_*, or -1 */
	uint32_t	mask, value;	/* (status & mask) == value */
};

struct ct_filter {
	unsigned		given;	/* 1 << enum ct_key */
	struct ct_prefix	src, dst;
	uint8_t			proto;
	uint16_t		sport, dport;	/* host order */
	struct ct_state_term	state[CT_STATE_TERMS];	/* any */
	unsigned		n_state;
	uint32_t		mark, mark_mask;
	uint16_t		zone;
	uint8_t			family;	/* AF_INET or AF_INET6 */
};

/*
 * Parses argv[0..argc) into f. On a bad filter it prints why on stderr,
 * quoting the value, and returns -1.
 */
int ct_filter_parse(struct ct_filter *f, int argc, char **argv);

static inline bool ct_filter_empty(const struct ct_filter *f)
{
	return !f->given;
}

bool ct_filter_match(const struct ct_filter *f, const struct nf_conntrack *ct);

/*
 * Adds to a dump request what the kernel can filter itself: family, mark,
 * status and zone. It is a saving, never the truth: ct_filter_match()
 * still checks every entry, so an older kernel that ignores an attribute
 * changes nothing but the speed. -1 when nlh has no room.
 */
int ct_filter_put_dump(const struct ct_filter *f, struct nlmsghdr *nlh);

/* Names shared with the output; NULL for an unknown number. */
const char *ct_tcp_state_name(unsigned state);
const char *ct_proto_name(uint8_t proto);

struct ct_status_name {
	uint32_t	bit;
	const char	*name;
};

extern const struct ct_status_name ct_status_names[];
extern const unsigned ct_n_status_names;

#endif
