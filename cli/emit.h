/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_EMIT_H
#define FWCTL_EMIT_H

/*
 * The libnftnl back end (emit_*.c) and the nft text back end (export.c)
 * must build the very same kernel objects. nft makes some choices on its
 * own when it reads text: which reject to send, whether a set needs the
 * interval flag, merging adjacent ranges of an anonymous set. Each such
 * choice is made once here, and both back ends follow it; the round-trip
 * test proves they agree.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir.h"

struct batch;
struct nftnl_expr;
struct nftnl_rule;

#define EMIT_TABLE_FAMILY	NFPROTO_INET
/* nft's own limits: comments of at most 128 characters. */
#define EMIT_COMMENT_MAX	128

/* nft's size of a set that rules fill, when none is given. */
#define EMIT_DYNSET_SIZE	65535

/* How nft types a set keyed by each field. */
struct emit_key {
	const char	*type;		/* nft type name, "ipv4_addr" */
	uint32_t	nft_type;	/* nft datatype, NFTA_SET_KEY_TYPE */
	uint32_t	byteorder;	/* nft's NFTNL_UDATA_SET_KEYBYTEORDER */
	bool		prefix;		/* nft writes prefixes: CIDR, "eth*" */
};
extern const struct emit_key emit_keys[IR_FIELD_COUNT];

/*
 * Whether a match is == a range open at one end ("dport 1024-65535"),
 * which a rule compares by its other end only, as nft makes ">= 1024":
 * the rule emitter and the export ask this one question, so that nft -f
 * of the export makes the very bytes the rule has.
 */
enum ir_open emit_match_open(const struct ir_match *m);

/*
 * Two == matches of one rule on fields side by side in one header (the
 * IPv4 source and destination address, the source and destination
 * port) that one load of both and one compare test: each is one value
 * or a prefix ((x & mask) == value, its trailing wildcard bytes not
 * loaded), or the first is one value and the second a range (>= and <=
 * of the two together: both ends hold the first's value, so the bytes
 * order as the second does). The kernel looks each expression's type up
 * by name when it loads a rule: pairs take 16-23% fewer expressions to
 * load the trees of tests/bench/classify's ClassBench sets, and a packet
 * reads the header once.
 * Addresses pair only in a chain entered by IPv4 (ir_chain.nfproto, a
 * decision tree's): elsewhere the family check nft puts before "ip
 * saddr" would not come before a raw payload.
 * In such a chain a rule with a transport header match also reads its
 * "meta l4proto" == one value from the header, with its addresses: the
 * protocol byte, 3 bytes before the source address, goes into the same
 * load, the checksum between them masked out (proto_addrs() in
 * emit_common.c says when that is the same test). acl1_10k, whose trees
 * do not split on the protocol, loads 59,807 expressions, not 71,516.
 * A pair goes where its first match stands in the rule. nft merges two
 * exact ports itself, there, so the export prints those as two matches;
 * every other pair as the raw payload that nft loads just so.
 */
/* The mask of a prefix of plen bits, over len bytes. */
void emit_prefix_mask(unsigned plen, unsigned len, uint8_t *mask);

#define EMIT_PAIRS_MAX	2
#define EMIT_PAIR_PARTS	3	/* the protocol and two addresses */
struct emit_pair {
	size_t		first;		/* where it goes: the first part */
	size_t		parts[EMIT_PAIR_PARTS];	/* in r->matches;
						 * SIZE_MAX: none */
	uint32_t	base, offset;	/* payload base, bytes into it */
	uint32_t	len;		/* bytes loaded and compared */
	bool		range;		/* >= lo and <= hi, else == lo */
	bool		masked;		/* (x & mask) == lo */
	bool		nft_merges;	/* two exact ports */
	uint8_t		lo[IR_VALUE_MAX], hi[IR_VALUE_MAX];
	uint8_t		mask[IR_VALUE_MAX];
};
/* The rule's pairs, in out[EMIT_PAIRS_MAX]; how many. */
size_t emit_pairs(const struct ir_chain *c, const struct ir_rule *r,
		  struct emit_pair *out);
/* The pair that match i is part of, or NULL. */
const struct emit_pair *emit_pair_of(const struct emit_pair *pairs,
				     size_t n, size_t i);

/*
 * The rule's comment as both back ends store it: "FILE:LINE",
 * "FILE:LINE COMMENT" or, for built-in rules, "fwctl: WHY"; made safe for
 * nft's quoted strings and cut to EMIT_COMMENT_MAX bytes.
 */
void emit_rule_comment(const struct ir_rule *r, char *buf, size_t size);
/* An object's comment: "FILE:LINE" of the rule that made it. */
void emit_object_comment(const struct ir_object *o, char *buf, size_t size);
/* Copies src to dst (size bytes): no '"', no control characters. */
void emit_text(char *dst, const char *src, size_t size);

/* The reject a rule sends, IR_REJECT_DEFAULT resolved. */
struct emit_reject {
	enum ir_reject_kind	kind;	/* never IR_REJECT_DEFAULT */
	uint8_t			code;
};
struct emit_reject emit_reject_of(const struct ir_rule *r);

/* Whether the kernel set needs NFT_SET_INTERVAL. */
bool emit_set_interval(const struct ir_set *s);

/* Elements a flow cache holds at most. */
#define EMIT_FLOW_SIZE		65536

/* A set's key as the kernel and nft type it (a flow cache's too). */
uint32_t emit_set_key_type(const struct ir_set *s);
uint32_t emit_set_key_len(const struct ir_set *s);
/* "ipv4_addr", "ipv4_addr . ipv4_addr . inet_proto . ..." */
void emit_set_type_text(const struct ir_set *s, char *buf, size_t size);

/*
 * Walks a set's elements as the kernel gets them: nft merges adjacent
 * ranges of anonymous interval sets, so we do too.
 */
struct emit_elem_iter {
	const struct ir_set	*set;
	size_t			next;
	bool			merge;
};
void emit_elem_iter_init(struct emit_elem_iter *it, const struct ir_set *s);
bool emit_elem_iter_next(struct emit_elem_iter *it, struct ir_elem *out);

/*
 * Walks the elements of a set as the kernel holds them: the boundaries of
 * an interval set (NFT_SET_ELEM_INTERVAL_END in flags for an end), the
 * values of other sets; v is the verdict in maps, open that an interval
 * has no end element. See emit_set.c.
 */
typedef void (*emit_kelem_fn)(void *ctx, const uint8_t *key, uint32_t flags,
			      const struct ir_verdict *v, bool open);
void emit_set_walk(const struct ir_set *s, emit_kelem_fn fn, void *ctx);

/* One element of a kernel set, as emit_set_walk() gives it. */
struct emit_kelem {
	uint8_t			key[IR_VALUE_MAX];	/* zero padded */
	uint32_t		flags;
	/* Maps: the verdict and, for a jump or goto, the chain's name
	 * (held here: elements read from the kernel outlive the dump). */
	enum ir_verdict_kind	kind;
	char			chain[IR_NAME_MAX];
	bool			open;
};

/* NEWSETELEM (add) or DELSETELEM of n elements of the live set s. */
void emit_set_elems(struct batch *b, const struct ir_set *s, bool add,
		    const struct emit_kelem *e, size_t n);
/*
 * One element as the kernel holds it and a dump gives it back: key (and
 * key_end: a flow map's box), flags, verdict. emit_set_digest() sums the
 * hashes of all of s's elements as emit_set() sends them; a dump summed
 * the same way (live_set_digest()) is equal if the elements are.
 */
struct emit_helem {
	const uint8_t	*key, *key_end;		/* key_end NULL: none */
	unsigned	len;			/* of each */
	uint32_t	flags;			/* NFT_SET_ELEM_* */
	bool		verdict;		/* a map's: */
	int32_t		code;
	const char	*chain;			/* of a jump or goto */
};
uint64_t emit_elem_hash(const struct emit_helem *e);
uint64_t emit_set_digest(const struct ir_set *s);
/*
 * DELSETELEM of all elements of the live set s, then NEWSETELEM of a flow
 * map's boxes (a flow map is refilled, never diffed).
 */
void emit_set_flush(struct batch *b, const struct ir_set *s);
/* The NFT_SET_* flags of the kernel set built from s. */
uint32_t emit_set_flags(const struct ir_set *s);
/* NF_INET_* of a base chain's hook. */
uint32_t emit_hook_num(enum ir_hook hook);

/*
 * The deletions of an incremental update (emit_update.c): a rule by its
 * handle, all rules of a chain, a chain, a named set.
 */
void emit_rule_delete(struct batch *b, const char *chain, uint64_t handle,
		      struct fw_loc loc);
void emit_chain_flush(struct batch *b, const char *chain);
void emit_chain_delete(struct batch *b, const char *chain);
void emit_set_delete(struct batch *b, const char *set);

/* value + 1 over len big-endian bytes; false when value is all ones. */
bool emit_value_next(const uint8_t *value, unsigned len, uint8_t *out);

/*
 * The batch builders: table replacement, chains, sets and their elements,
 * rules with their anonymous sets, in the order nft itself would send them.
 */
void emit_table(struct batch *b, const struct ir_table *t);
void emit_chain(struct batch *b, const struct ir_chain *c);
/* name: the kernel name ("__set%d" for anonymous sets); id: NFTA_SET_ID. */
void emit_set(struct batch *b, const struct ir_set *s, const char *name,
	      uint32_t id);
/* queue_xt: queue verdicts as the xt NFQUEUE target (ir_table.queue_xt). */
void emit_rule(struct batch *b, const struct ir_chain *c,
	       const struct ir_rule *r, bool queue_xt);
/*
 * emit_rule() at a place: EMIT_HEAD, EMIT_APPEND or after the live rule
 * with that handle (kernel handles start at 1, never reach ~0).
 */
#define EMIT_HEAD	0
#define EMIT_APPEND	UINT64_MAX
void emit_rule_at(struct batch *b, const struct ir_chain *c,
		  const struct ir_rule *r, bool queue_xt, uint64_t after);
/* The kernel verdict code of v (accept, drop, jump, goto; NONE: continue). */
int emit_verdict_code(const struct ir_verdict *v);
/* Appends the statements and the verdict of r (not a vmap) to nr. */
void emit_statements(struct nftnl_rule *nr, const struct ir_rule *r,
		     bool queue_xt);

/* A new expression of that name, appended to nr. */
struct nftnl_expr *emit_expr_new(struct nftnl_rule *nr, const char *name);
/* Expression constructors, all on register 1 like nft's own. */
void emit_meta(struct nftnl_rule *nr, uint32_t key);
/* The same into another register (a concatenation's later parts). */
void emit_meta_to(struct nftnl_rule *nr, uint32_t key, uint32_t dreg);
/* reg's len bytes to network order, size bytes at a time. */
void emit_hton(struct nftnl_rule *nr, uint32_t reg, uint32_t len,
	       uint32_t size);
void emit_payload_to(struct nftnl_rule *nr, uint32_t base, uint32_t offset,
		     uint32_t len, uint32_t dreg);
void emit_payload(struct nftnl_rule *nr, uint32_t base, uint32_t offset,
		  uint32_t len);
void emit_ct(struct nftnl_rule *nr, uint32_t key);
/* ct KEY set from register 1. */
void emit_ct_set(struct nftnl_rule *nr, uint32_t key);
/* flags: NFT_QUEUE_FLAG_* (the xt target's flags are the same bits). */
void emit_queue(struct nftnl_rule *nr, uint16_t first, uint16_t total,
		uint16_t flags);
void emit_xt_nfqueue(struct nftnl_rule *nr, uint16_t first, uint16_t total,
		     uint16_t flags);
void emit_cmp(struct nftnl_rule *nr, uint32_t op, const void *data,
	      uint32_t len);
void emit_bitwise(struct nftnl_rule *nr, const void *mask, uint32_t len);
void emit_bitwise_xor(struct nftnl_rule *nr, const void *mask,
		      const void *xor, uint32_t len);
void emit_meta_set(struct nftnl_rule *nr, uint32_t key);
void emit_range(struct nftnl_rule *nr, uint32_t op, const void *lo,
		const void *hi, uint32_t len);
void emit_lookup(struct nftnl_rule *nr, const char *set, uint32_t set_id,
		 bool verdict, bool invert);
void emit_immediate(struct nftnl_rule *nr, int code, const char *chain);
void emit_counter(struct nftnl_rule *nr);
void emit_limit(struct nftnl_rule *nr, uint64_t rate, uint64_t unit,
		uint32_t burst);
void emit_log(struct nftnl_rule *nr, const char *prefix);
void emit_reject(struct nftnl_rule *nr, uint32_t type, uint8_t code);
void emit_immediate_data(struct nftnl_rule *nr, uint32_t reg,
			 const void *data, uint32_t len);
void emit_nat(struct nftnl_rule *nr, uint32_t type, uint32_t family,
	      const uint32_t addr[2], const uint32_t proto[2], uint32_t flags);
void emit_masq(struct nftnl_rule *nr, const uint32_t proto[2],
	       uint32_t flags);
void emit_redir(struct nftnl_rule *nr, const uint32_t proto[2],
		uint32_t flags);
void emit_notrack(struct nftnl_rule *nr);
/* flags: NFTA_FIB_F_*; result: NFT_FIB_RESULT_*. */
void emit_fib(struct nftnl_rule *nr, uint32_t flags, uint32_t result);
void emit_objref(struct nftnl_rule *nr, uint32_t type, const char *name);
/* meta priority set (emit_priority.c); nothing when p->set is false. */
void emit_priority(struct nftnl_rule *nr, const struct ir_priority *p);
void emit_connlimit(struct nftnl_rule *nr, uint32_t count);
void emit_dynset_add(struct nftnl_rule *nr, const char *set, uint32_t set_id);
void emit_dynset_connlimit(struct nftnl_rule *nr, const char *set,
			   uint32_t set_id, uint32_t count);
/* The ct helper and timeout objects, before the rules that use them. */
void emit_object(struct batch *b, const struct ir_object *o);

#endif
