/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_IR_EVAL_H
#define FWCTL_IR_EVAL_H

/*
 * One packet through an IR table, the way nf_tables runs the rules the
 * back ends make of it: rules in order, a failed match ends the rule, a
 * field the packet does not have (an IPv6 address of an IPv4 packet, the
 * ports of a non-first fragment, the ct mark of an untracked packet) ends
 * it too, whatever the operator; jump pushes a return, goto replaces, a
 * verdict map without the key's element ends its rule; the base chain's
 * policy takes what falls off its end.
 *
 * Registers hold the bytes the kernel loads (network order for packet
 * fields, host order for meta and ct keys) and every comparison is a
 * memcmp, as nft_cmp, nft_range and the interval sets do. A transport
 * header field is the first bytes of whatever transport header there is,
 * as `th sport` reads it: the ports for port protocols, type and code (as
 * sport) and the checksum (as dport) for ICMP. The rules fwctl writes
 * always check the protocol first; a table that does not is evaluated as
 * the kernel would run it.
 *
 * Statements: counter, log, NAT, notrack, ct helpers and timeouts change
 * nothing here. limit and ct count (connlimit) pass unless the packet says
 * it is over them (over_limit, over_connlimit). meta mark set and ct mark
 * set change the marks later matches see; meta priority set is reported.
 */
#include <stdbool.h>
#include <stdint.h>

#include "ir.h"

struct ir_packet {
	uint8_t		nfproto;	/* NFPROTO_IPV4 or NFPROTO_IPV6 */
	char		iifname[16];	/* "" where there is none (output) */
	char		oifname[16];	/* "" where there is none (input) */
	uint8_t		l4proto;
	uint8_t		saddr[16];	/* 4 bytes used for IPv4 */
	uint8_t		daddr[16];
	bool		has_th;		/* false: a non-first fragment */
	uint16_t	sport, dport;	/* host order; ICMP: see icmp_csum */
	uint8_t		icmp_type, icmp_code;	/* ICMP and ICMPv6 */
	uint16_t	icmp_csum;	/* what `th dport` reads of ICMP */
	uint32_t	ct_state;	/* one IR_CT_* bit */
	uint32_t	ct_status;	/* IPS_* bits */
	uint32_t	ct_mark, meta_mark;
	uint32_t	fib_daddr_type;	/* RTN_* */
	bool		over_limit;	/* every limit statement is exceeded */
	bool		over_connlimit;	/* every ct count is exceeded */
};

enum ir_eval_error {
	IR_EVAL_OK,
	IR_EVAL_NO_CHAIN,	/* a jump or goto to a chain not in the table */
	IR_EVAL_TOO_DEEP,	/* more than the kernel's 16 nested jumps */
};

struct ir_eval_result {
	/* ACCEPT, DROP, REJECT or QUEUE; NONE: fell off a regular chain. */
	enum ir_verdict_kind	kind;
	enum ir_reject_kind	reject;		/* as sent: never DEFAULT */
	uint8_t			reject_code;
	struct ir_queue		queue;
	bool			policy;		/* the base chain's policy */
	const struct ir_chain	*chain;		/* where it was decided */
	const struct ir_rule	*rule;		/* NULL: by policy */
	const struct ir_elem	*elem;		/* a verdict map's element */
	/*
	 * The source of the decision: the element's location when a map
	 * element decided and has one (rules folded into a map keep theirs
	 * there), else the rule's, else the policy's. text: the rule's
	 * source text when the rule itself decided.
	 */
	struct fw_loc		loc;
	const char		*text;
	bool			priority_set;	/* meta priority set ran */
	bool			priority_hashed; /* ... as a jhash */
	uint32_t		priority;
	uint32_t		meta_mark;	/* the marks at the end */
	uint32_t		ct_mark;
	/* Cost: rules entered, matches compared, set and map lookups. */
	unsigned		rules, matches, lookups;
	/*
	 * Of rules: those entered in a chain the packet then fell off the
	 * end of (counted from entering or returning to it), such as the
	 * leaves of a tree's earlier sequence parts, where nothing matched.
	 */
	unsigned		missed;
	enum ir_eval_error	error;
	const char		*error_chain;	/* the missing chain */
};

/*
 * Called for each verdict the walk takes from a rule or a map element
 * (jumps and gotos included): which parts of a table a packet used.
 */
struct ir_eval_trace {
	void	(*taken)(void *ctx, const struct ir_chain *c,
			 const struct ir_rule *r, const struct ir_elem *e);
	void	*ctx;
};

/*
 * Runs the packet from chain c: a base chain ends in its policy, a
 * regular chain started directly in NONE. trace may be NULL.
 */
void ir_eval_chain(const struct ir_table *t, const struct ir_chain *c,
		   const struct ir_packet *p, const struct ir_eval_trace *trace,
		   struct ir_eval_result *res);
/*
 * Runs the filter base chains of a hook in priority order, as the kernel
 * does: an accept goes on to the next chain, anything else stops. The
 * result is the first chain's that did not accept, else the first
 * chain's; the costs add up. Chains of type nat are left out (they see
 * a connection's first packet for its translation only). No chain at
 * that hook: accept, by policy, with chain NULL.
 */
void ir_eval_hook(const struct ir_table *t, enum ir_hook hook,
		  const struct ir_packet *p, const struct ir_eval_trace *trace,
		  struct ir_eval_result *res);

/* Whether two results are the same decision from the same source. */
bool ir_eval_same(const struct ir_eval_result *a,
		  const struct ir_eval_result *b);
/* The same verdict, whichever rule gave it. */
bool ir_eval_same_verdict(const struct ir_eval_result *a,
			  const struct ir_eval_result *b);
/* "accept by /x.fw:3:1 (accept forward ...)", for failure reports. */
void ir_eval_describe(const struct ir_eval_result *r, char *buf,
		      size_t size);
/* One line of the packet's fields, for failure reports. */
void ir_packet_describe(const struct ir_packet *p, char *buf, size_t size);

#endif
