/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The intermediate representation: what the kernel will do, nothing more.
 *
 * The front end (parse → check → lower) produces one struct ir_table from a
 * rule file; the back ends (nft text export, libnftnl batch) only translate
 * it. Nothing here refers back to the AST, but every chain, set and rule
 * keeps the source location it came from, so kernel errors and `fwctl show`
 * point at the rule file.
 *
 * Values are stored in network byte order exactly as the kernel compares
 * them (addresses 4 or 16 bytes, ports 2 bytes, protocols and ICMP types
 * 1 byte, interface names IFNAMSIZ bytes zero padded), so the emitters never
 * convert anything.
 */
#ifndef FWCTL_IR_H
#define FWCTL_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loc.h"

#define IR_TABLE_NAME	"fwctl"
#define IR_NAME_MAX	64	/* kernel NFT_NAME_MAXLEN is 256; keep names short */
#define IR_VALUE_MAX	16	/* largest value: an IPv6 address or IFNAMSIZ */

/* What a match looks at. The order is the order of ir_field_info[]. */
enum ir_field {
	IR_IIFNAME,		/* meta iifname, IFNAMSIZ string */
	IR_OIFNAME,		/* meta oifname */
	IR_NFPROTO,		/* meta nfproto, 1 byte (NFPROTO_IPV4/6) */
	IR_L4PROTO,		/* meta l4proto, 1 byte */
	IR_IP_SADDR,		/* ip saddr, 4 bytes */
	IR_IP_DADDR,
	IR_IP6_SADDR,		/* ip6 saddr, 16 bytes */
	IR_IP6_DADDR,
	IR_TH_SPORT,		/* th sport, 2 bytes; needs an L4PROTO match in
				 * its rule (or ir_rule.l4_proven) */
	IR_TH_DPORT,
	IR_CT_STATE,		/* ct state, 4 byte host-order bitmask, see below */
	IR_ICMP_TYPE,		/* icmp type, 1 byte; needs L4PROTO icmp before */
	IR_ICMPV6_TYPE,		/* icmpv6 type, 1 byte; needs L4PROTO icmpv6 */
	IR_CT_STATUS,		/* ct status, 4 byte host-order bitmask */
	IR_FIB_DADDR_TYPE,	/* fib daddr type, 4 byte host order RTN_* */
	IR_CT_MARK,		/* ct mark, 4 bytes host order, see mark_mask */
	IR_META_MARK,		/* meta mark, 4 bytes host order */
	IR_FIELD_COUNT
};

/* Static facts about each field: its value length and its nft spelling. */
struct ir_field_info {
	const char	*nft;		/* "ip saddr", "meta iifname", ... */
	uint8_t		len;		/* value length in bytes */
};
extern const struct ir_field_info ir_field_info[IR_FIELD_COUNT];

/*
 * ct state bits as the kernel defines them (NF_CT_STATE_BIT and friends),
 * compared with a bitwise AND, never for equality.
 */
#define IR_CT_INVALID		(1u << 0)
#define IR_CT_ESTABLISHED	(1u << 1)
#define IR_CT_RELATED		(1u << 2)
#define IR_CT_NEW		(1u << 3)
#define IR_CT_UNTRACKED		(1u << 6)

/* ct status bits (IPS_*): a connection whose destination was translated. */
#define IR_CT_STATUS_DNAT	(1u << 5)

/*
 * One value or one closed interval [lo, hi] of a field. A prefix is an
 * interval too (10.0.0.0/8 is lo=10.0.0.0 hi=10.255.255.255); emitters turn
 * intervals that are prefixes back into a mask when that is cheaper.
 * A single value has lo == hi.
 */
struct ir_value {
	uint8_t		lo[IR_VALUE_MAX];
	uint8_t		hi[IR_VALUE_MAX];
};

enum ir_verdict_kind {
	IR_VERDICT_NONE,	/* fall through to the next rule */
	IR_ACCEPT,
	IR_DROP,
	IR_REJECT,
	IR_JUMP,
	IR_GOTO,
	IR_VMAP,		/* look up a field in a verdict map */
	IR_QUEUE,		/* to NFQUEUE queues, see struct ir_queue */
	IR_RETURN,		/* back to the chain that jumped here */
};

/* How a reject answers. */
enum ir_reject_kind {
	IR_REJECT_DEFAULT,	/* tcp reset for tcp, else icmpx port-unreachable */
	IR_REJECT_TCP_RESET,
	IR_REJECT_ICMPX,	/* code is an NFT_REJECT_ICMPX_* value */
	IR_REJECT_ICMP,		/* code is an ICMP code; rule must be IPv4 */
	IR_REJECT_ICMPV6,	/* code is an ICMPv6 code; rule must be IPv6 */
};

struct ir_set;
struct line_rule;
struct line_skip;

/*
 * Queues first .. first + count - 1. bypass: accept while no program
 * listens on the queue (fail-open); fanout: spread by CPU, not by flow.
 */
struct ir_queue {
	uint16_t	first, count;
	bool		bypass, fanout;
};

/* The small fields first: 40 bytes, not 48, in every rule and element. */
struct ir_verdict {
	enum ir_verdict_kind	kind;
	enum ir_reject_kind	reject;		/* IR_REJECT */
	enum ir_field		vmap_field;	/* IR_VMAP */
	uint8_t			reject_code;	/* IR_REJECT */
	struct ir_queue		queue;		/* IR_QUEUE */
	/* IR_JUMP, IR_GOTO: the name of an ir_chain of the table or one
	 * of its strings (ir_table_strdup), never the verdict's own. */
	const char		*chain;
	struct ir_set		*vmap;		/* IR_VMAP, a map of verdicts */
};

/* What a set holds; a set holds one field's values. */
struct ir_elem {
	struct ir_value		value;
	struct ir_verdict	verdict;	/* only in verdict maps */
	struct fw_loc		loc;		/* where it was written, if known */
};

/*
 * The key of a flow cache or flow map (ir_set.flow): these fields
 * concatenated, each in whole 32-bit registers from NFT_REG32_00 on, as
 * nft lays out "ip saddr . ip daddr . meta l4proto . th sport . th dport".
 */
#define IR_FLOW_FIELDS	5
const enum ir_field *ir_flow_key(uint8_t nfproto);

/* An element of a flow map: an interval of each key field, a verdict. */
struct ir_flow_elem {
	struct ir_value		v[IR_FLOW_FIELDS];
	struct ir_verdict	verdict;
};

struct ir_set {
	char		name[IR_NAME_MAX];	/* kernel name; anonymous: "" */
	enum ir_field	field;		/* the type is the field's type */
	bool		anonymous;	/* bound to one rule, no name */
	bool		interval;	/* elements may be ranges/prefixes */
	bool		is_vmap;	/* elements carry verdicts */
	bool		shared;		/* named by fwctl: inline in many
					 * rules (ir_share_sets) */
	bool		dynamic;	/* filled by rules (NFT_SET_EVAL) */
	/*
	 * NFPROTO_IPV4 or _IPV6: a flow cache (opt_flow.c), whose key is
	 * that family's "saddr . daddr . meta l4proto . th sport . th
	 * dport", not field; 0: a set of field's values.
	 */
	uint8_t		flow;
	/*
	 * A flow map (flow, interval and is_vmap): boxes of the flow key with
	 * verdicts, disjoint (opt_guard.c), in boxes, never in elems.
	 */
	struct ir_flow_elem *boxes;
	size_t		n_boxes;
	uint64_t	timeout_ms;	/* 0: elements never expire */
	size_t		n_elems;
	struct ir_elem	*elems;		/* sorted, no overlaps */
	struct fw_loc	loc;		/* where it was defined (or used) */
	unsigned	id;		/* unique per table; batch set id */
};

enum ir_op {
	IR_EQ,
	IR_NE,
};

/* One comparison of a field: against a value/interval, or a set lookup. */
struct ir_match {
	enum ir_field	field;
	enum ir_op	op;
	struct ir_value	value;		/* when set == NULL */
	struct ir_set	*set;		/* lookup; anonymous or named */
	uint32_t	ct_mask;	/* IR_CT_STATE, IR_CT_STATUS: any bit */
	uint32_t	mark_mask;	/* IR_CT_MARK, IR_META_MARK: the value
					 * compares with field & mark_mask */
};

enum ir_limit_unit { IR_PER_SECOND, IR_PER_MINUTE, IR_PER_HOUR, IR_PER_DAY };

struct ir_limit {
	uint64_t		rate;	/* packets per unit */
	enum ir_limit_unit	unit;
	uint32_t		burst;	/* packets; 0: the kernel's default */
};

#define IR_LOG_PREFIX_MAX	128	/* NF_LOG_PREFIXLEN */

/*
 * Strings a rule refers to live in its table's strings (ir_table_strdup):
 * a 10,000-rule file becomes some 30,000 IR rules, and every byte of a
 * rule is paid for in fresh pages.
 */
struct ir_log {
	const char	*prefix;	/* up to IR_LOG_PREFIX_MAX bytes */
};

enum ir_nat_kind {
	IR_NAT_NONE,
	IR_NAT_SNAT,
	IR_NAT_DNAT,
	IR_NAT_MASQ,
	IR_NAT_REDIRECT,
};

/*
 * A translation. snat and dnat name an address (or a range of them) of one
 * family; every kind may name a port or a port range (2 bytes each).
 */
struct ir_nat {
	enum ir_nat_kind	kind;
	uint8_t			nfproto;	/* SNAT, DNAT: NFPROTO_IPV4/6 */
	bool			has_addr, has_port;
	struct ir_value		addr;
	struct ir_value		port;
	bool			random, persistent;
};

/* Stateful objects of the table that rules refer to by name. */
enum ir_object_kind { IR_OBJ_NONE, IR_OBJ_CT_HELPER, IR_OBJ_CT_TIMEOUT };

#define IR_TIMEOUT_STATES	11	/* NFTNL_CTTIMEOUT_ARRAY_MAX */

struct ir_object {
	enum ir_object_kind	kind;
	char			name[IR_NAME_MAX];
	struct fw_loc		loc;
	uint8_t			l4proto;	/* IPPROTO_* */
	char			helper[16];	/* CT_HELPER: "ftp" */
	/* CT_TIMEOUT: seconds per state (NFTNL_CTTIMEOUT_*); 0: none. */
	uint32_t		timeout[IR_TIMEOUT_STATES];
};

/*
 * ct count: matches while at most count connections exist; with a set,
 * counted per key (the source address) in that dynamic set.
 */
struct ir_connlimit {
	uint32_t	count;
	struct ir_set	*set;
	enum ir_field	key;		/* with a set */
};

/*
 * meta priority set: the HTB class handle value, or with hash_mod a jhash
 * of hash_field (an address) into the hash_mod handles from value on.
 */
struct ir_priority {
	bool			set;
	uint32_t		value;
	uint32_t		hash_mod;
	enum ir_field		hash_field;
};

/*
 * What few rules do besides matching and their verdict, out of the rule:
 * the big trees' tens of thousands of rules (and a one-rule change's
 * stand-ins) have none of it. An ir_rule is 144 bytes; with this inline
 * and its verdict's chain name in 64 bytes of its own, it was 344.
 */
struct ir_stmts {
	struct ir_limit		limit;		/* has_limit */
	struct ir_log		log;		/* has_log */
	struct ir_connlimit	connlimit;	/* before limit, counter, log */
	struct ir_nat		nat;		/* after them */
	enum ir_object_kind	obj_kind;	/* ct helper/timeout set */
	const char		*obj;		/* the object's name */
	struct ir_priority	priority;	/* after the actions */
	uint32_t		meta_mark_and;	/* meta mark set (meta mark */
	uint32_t		meta_mark_xor;	/* & meta_mark_and) ^ xor */
};

struct ir_rule {
	struct fw_loc		loc;	/* source rule; file NULL: built in */
	const char		*text;	/* source rule text (userdata), or NULL */
	const char		*why;	/* built-in rules: "stateful", ... */
	struct ir_match		*matches;
	char			*comment;	/* the user's comment, or NULL */
	/* Its own (ir_rule_free, ir_rule_copy); read by ir_rule_st(). */
	struct ir_stmts		*st;		/* NULL: none */
	struct ir_set		*flow_add;	/* add the packet's flow to
						 * this flow cache */
	struct ir_verdict	verdict;
	/* The flags, together: a big tree holds tens of thousands of rules. */
	bool			has_limit, has_log, counter, has_connlimit;
	bool			notrack;
	bool			ct_mark_from_meta;	/* ct mark set meta mark */
	bool			meta_mark_set;
	/*
	 * In a decision tree's leaf: the lookups that lead here proved the
	 * protocol, so ports may be matched without an L4PROTO match.
	 */
	bool			l4_proven;
	/* Beside origin: a stand-in is 128 bytes (10,000 in a change). */
	uint32_t		n_matches;
	/* In a decision tree's leaf: 1 + the index of the list's rule it
	 * copies (opt_tail.c counts copies by it); 0 elsewhere. */
	uint32_t		origin;
	/*
	 * A stand-in for a rule of a line the compile left out, as the last
	 * apply's tree holds it (opt_lines.h), no matches; NULL elsewhere.
	 */
	const struct line_rule	*keep;
};

enum ir_hook {
	IR_HOOK_NONE, IR_HOOK_INPUT, IR_HOOK_FORWARD, IR_HOOK_OUTPUT,
	IR_HOOK_PREROUTING, IR_HOOK_POSTROUTING,
};

enum ir_chain_type { IR_CHAIN_FILTER, IR_CHAIN_NAT };

struct ir_chain {
	char		name[IR_NAME_MAX];
	enum ir_hook	hook;		/* NONE: a regular chain */
	enum ir_chain_type type;	/* base chains */
	int		priority;	/* base chains */
	bool		policy_drop;	/* base chains */
	struct fw_loc	policy_loc;	/* where the policy was set, if at all */
	/*
	 * A decision tree's chain: NFPROTO_IPV4 or _IPV6, the family of
	 * every packet in it (the tree is entered by meta nfproto), so its
	 * rules read addresses without checking it; 0 elsewhere.
	 */
	uint8_t		nfproto;
	size_t		n_rules;
	size_t		rules_cap;	/* room in rules */
	struct ir_rule	*rules;
};

/* What the inspection daemon looks for in the first packets of a flow. */
enum ir_inspect_kind { IR_INSPECT_SNI, IR_INSPECT_HOST, IR_INSPECT_DNS };
enum ir_inspect_action { IR_INSPECT_DENY, IR_INSPECT_ALLOW };

struct ir_pattern {
	enum ir_inspect_kind	kind;
	enum ir_inspect_action	action;
	const char		*name;	/* lowercase; "*.suffix" for below */
};

/*
 * One daemon configuration and the queues whose packets it decides. The
 * rules that queue there say so with IR_QUEUE verdicts; profiles never
 * share a queue.
 */
struct ir_profile {
	uint16_t		queue_first, queue_count;
	bool			fail_open;
	bool			default_drop;
	uint16_t		budget;		/* packets */
	uint32_t		queue_length;	/* packets per queue */
	size_t			n_patterns;
	struct ir_pattern	*patterns;	/* names live in the table */
	struct fw_loc		loc;		/* the first inspect rule */
};

/* What the optimizer made of a source rule: `fwctl export --explain`. */
struct ir_note {
	struct fw_loc	loc;
	const char	*text;		/* the source rule, or NULL: a summary */
	const char	*what;		/* lives in the table's strings */
};

struct ir_table {
	size_t		n_sets;
	struct ir_set	**sets;		/* named and anonymous, in emit order */
	size_t		n_chains;
	struct ir_chain	**chains;	/* regular chains first, base last */
	size_t		n_objects;
	struct ir_object **objects;	/* ct helpers and timeouts */
	size_t		n_profiles;
	struct ir_profile *profiles;	/* inspection, by queue_first */
	/*
	 * How the batch encodes IR_QUEUE: the native queue expression, or
	 * the xt NFQUEUE target through nft_compat. Not the compiler's
	 * choice: whoever probed the kernel sets it before the push.
	 */
	bool		queue_xt;
	/* Inspect rules rewritten for fwhook.ko (cli/hook_form.c). */
	bool		inspect_hook;
	const char	*source;	/* the top-level rule file */
	size_t		n_shapes;
	struct ir_shape	*shapes;	/* shape.h: HTB trees to apply */
	size_t		n_strings;
	char		**strings;	/* owned: see ir_table_strdup() */
	size_t		n_notes;
	struct ir_note	*notes;		/* ir_optimize(), in source order */
	/*
	 * opt_base.h: the trees live when it was compiled, which it may keep
	 * (the caller's), and the records of its own trees (NULL: none kept).
	 */
	const struct opt_bases *bases_in;
	struct opt_bases *bases;
	/* opt_lines.h: the lines this compile left out, or NULL. */
	struct line_skip *skip;
};

struct ir_table *ir_table_new(const char *source);
void ir_table_free(struct ir_table *t);

struct ir_set *ir_set_add(struct ir_table *t, const char *name,
			  enum ir_field field, struct fw_loc loc);
int ir_set_add_elem(struct ir_set *s, const struct ir_value *v,
		    const struct ir_verdict *verdict);
/*
 * Sorts the elements and makes them disjoint, as the kernel wants them: in
 * an interval set, elements that overlap or touch (and map to the same
 * verdict) merge; in a set of single values, duplicates go.
 */
void ir_set_normalize(struct ir_set *s);
/* A copy of str that lives as long as the table (rule texts). */
const char *ir_table_strdup(struct ir_table *t, const char *str);
struct ir_chain *ir_chain_add(struct ir_table *t, const char *name,
			      enum ir_hook hook);
struct ir_rule *ir_rule_add(struct ir_chain *c, struct fw_loc loc);
/* Room for n rules in all, no more: whoever knows how many there will be. */
void ir_chain_reserve(struct ir_chain *c, size_t n);
/* Gives back the room no rule uses. */
void ir_chain_fit(struct ir_chain *c);
struct ir_match *ir_match_add(struct ir_rule *r, enum ir_field field,
			      enum ir_op op);
/* The object of that kind and name, added when new. */
struct ir_object *ir_object_get(struct ir_table *t, enum ir_object_kind kind,
				const char *name, struct fw_loc loc);
struct ir_set *ir_table_find_set(const struct ir_table *t, const char *name);
/* Inline sets alike in many rules of a big table: one named set (ir_share.c). */
void ir_share_sets(struct ir_table *t);
/* r's statements; all zero (none) when it has no ir_stmts. */
const struct ir_stmts *ir_rule_st(const struct ir_rule *r);
/* r's statements to write, made when r has none. */
struct ir_stmts *ir_rule_st_mut(struct ir_rule *r);
/* Whether r changes the packet or its connection: NAT, notrack, a ct
 * helper or timeout, a mark, a priority. */
bool ir_rule_changes_packet(const struct ir_rule *r);
/* Frees what r holds (not r). */
void ir_rule_free(struct ir_rule *r);
/* dst: a copy of src that holds its own matches and comment. */
void ir_rule_copy(struct ir_rule *dst, const struct ir_rule *src);
/*
 * Removes the rules of c for which drop() says yes, and the chains of t
 * for which drop_chain() says yes (with their rules); the others keep
 * their order. For passes that rewrite a lowered table.
 */
void ir_chain_drop_rules(struct ir_chain *c,
			 bool (*drop)(const struct ir_rule *r));
void ir_table_drop_chains(struct ir_table *t,
			  bool (*drop_chain)(const struct ir_chain *c));
/* How many chains and sets a table has: a point to drop back to. */
struct ir_mark {
	size_t	chains, sets;
};
static inline struct ir_mark ir_table_mark(const struct ir_table *t)
{
	return (struct ir_mark){ .chains = t->n_chains, .sets = t->n_sets };
}
/* Frees the chains and sets added between two marks (from <= to). */
void ir_table_drop_range(struct ir_table *t, const struct ir_mark *from,
			 const struct ir_mark *to);
struct ir_chain *ir_table_find_chain(const struct ir_table *t,
				     const char *name);
size_t ir_table_rule_count(const struct ir_table *t);
struct ir_profile *ir_profile_add(struct ir_table *t, struct fw_loc loc);
void ir_profile_add_pattern(struct ir_table *t, struct ir_profile *p,
			    enum ir_inspect_kind kind,
			    enum ir_inspect_action action, const char *name);

/* True when [lo, hi] is exactly one prefix; *plen gets its length in bits. */
bool ir_value_is_prefix(const struct ir_value *v, unsigned len,
			unsigned *plen);
bool ir_value_is_single(const struct ir_value *v, unsigned len);
/*
 * A range open at one end: [lo, the largest value] is ">= lo", [0, hi]
 * is "<= hi", one comparison each. A range open at both ends is neither.
 */
enum ir_open { IR_OPEN_NONE, IR_OPEN_ABOVE, IR_OPEN_BELOW };
enum ir_open ir_value_open(const struct ir_value *v, unsigned len);

#endif
