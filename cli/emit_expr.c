// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One constructor per nf_tables expression fwctl uses. Each appends to a
 * libnftnl rule; loads go to register 1, the one nft itself uses, so that
 * the bytecode is the same whichever back end built it.
 */
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>

#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "emit.h"

struct nftnl_expr *emit_expr_new(struct nftnl_rule *nr, const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc(name);

	if (!e)
		abort();
	nftnl_rule_add_expr(nr, e);
	return e;
}

void emit_meta_to(struct nftnl_rule *nr, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = emit_expr_new(nr, "meta");

	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
}

void emit_hton(struct nftnl_rule *nr, uint32_t reg, uint32_t len,
	       uint32_t size)
{
	struct nftnl_expr *e = emit_expr_new(nr, "byteorder");

	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_DREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SIZE, size);
}

void emit_meta(struct nftnl_rule *nr, uint32_t key)
{
	emit_meta_to(nr, key, NFT_REG_1);
}

void emit_payload_to(struct nftnl_rule *nr, uint32_t base, uint32_t offset,
		     uint32_t len, uint32_t dreg)
{
	struct nftnl_expr *e = emit_expr_new(nr, "payload");

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
}

void emit_payload(struct nftnl_rule *nr, uint32_t base, uint32_t offset,
		  uint32_t len)
{
	emit_payload_to(nr, base, offset, len, NFT_REG_1);
}

void emit_ct(struct nftnl_rule *nr, uint32_t key)
{
	struct nftnl_expr *e = emit_expr_new(nr, "ct");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
}

void emit_cmp(struct nftnl_rule *nr, uint32_t op, const void *data,
	      uint32_t len)
{
	struct nftnl_expr *e = emit_expr_new(nr, "cmp");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
}

/* reg1 = (reg1 & mask) ^ 0: how nft matches prefixes and flag bits. */
void emit_bitwise(struct nftnl_rule *nr, const void *mask, uint32_t len)
{
	static const uint8_t zero[16];
	struct nftnl_expr *e = emit_expr_new(nr, "bitwise");

	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
}

/* reg1 = (reg1 & mask) ^ xor: sets and clears bits of a value. */
void emit_bitwise_xor(struct nftnl_rule *nr, const void *mask,
		      const void *xor, uint32_t len)
{
	struct nftnl_expr *e = emit_expr_new(nr, "bitwise");

	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, xor, len);
}

void emit_meta_set(struct nftnl_rule *nr, uint32_t key)
{
	struct nftnl_expr *e = emit_expr_new(nr, "meta");

	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_SREG, NFT_REG_1);
}

void emit_range(struct nftnl_rule *nr, uint32_t op, const void *lo,
		const void *hi, uint32_t len)
{
	struct nftnl_expr *e = emit_expr_new(nr, "range");

	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_FROM_DATA, lo, len);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_TO_DATA, hi, len);
}

/* verdict: a verdict map (the result jumps); set_id 0: a named set. */
void emit_lookup(struct nftnl_rule *nr, const char *set, uint32_t set_id,
		 bool verdict, bool invert)
{
	struct nftnl_expr *e = emit_expr_new(nr, "lookup");

	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	if (set_id)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, set_id);
	if (verdict)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_VERDICT);
	if (invert)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS,
				   NFT_LOOKUP_F_INV);
}

/* code: NF_ACCEPT, NF_DROP, NFT_JUMP, NFT_GOTO; chain for the last two. */
void emit_immediate(struct nftnl_rule *nr, int code, const char *chain)
{
	struct nftnl_expr *e = emit_expr_new(nr, "immediate");

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)code);
	if (chain)
		nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
}

void emit_counter(struct nftnl_rule *nr)
{
	struct nftnl_expr *e = emit_expr_new(nr, "counter");

	nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_PACKETS, 0);
	nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_BYTES, 0);
}

/* unit: seconds per rate unit; packets, never bytes. */
void emit_limit(struct nftnl_rule *nr, uint64_t rate, uint64_t unit,
		uint32_t burst)
{
	struct nftnl_expr *e = emit_expr_new(nr, "limit");

	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, rate);
	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, unit);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, burst);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS, 0);
}

void emit_log(struct nftnl_rule *nr, const char *prefix)
{
	struct nftnl_expr *e = emit_expr_new(nr, "log");

	if (prefix && *prefix)
		nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, prefix);
}

void emit_reject(struct nftnl_rule *nr, uint32_t type, uint8_t code)
{
	struct nftnl_expr *e = emit_expr_new(nr, "reject");

	nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, type);
	nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, code);
}

/* Loads len bytes of data into register reg (for NAT addresses, ports). */
void emit_immediate_data(struct nftnl_rule *nr, uint32_t reg,
			 const void *data, uint32_t len)
{
	struct nftnl_expr *e = emit_expr_new(nr, "immediate");

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, reg);
	nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, data, len);
}

/*
 * type: NFT_NAT_SNAT/DNAT; 0 registers mean none. Each pair of registers
 * is a min and a max, the same register twice for a single value.
 */
void emit_nat(struct nftnl_rule *nr, uint32_t type, uint32_t family,
	      const uint32_t addr[2], const uint32_t proto[2], uint32_t flags)
{
	struct nftnl_expr *e = emit_expr_new(nr, "nat");

	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, type);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, family);
	if (addr[0]) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, addr[0]);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MAX, addr[1]);
	}
	if (proto[0]) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, proto[0]);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MAX, proto[1]);
	}
	if (flags)
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FLAGS, flags);
}

/* masq and redir carry the same three attributes under their own names. */
struct port_nat_attrs {
	const char	*name;
	uint16_t	proto_min, proto_max, flags;
};

static void emit_port_nat(struct nftnl_rule *nr,
			  const struct port_nat_attrs *a,
			  const uint32_t proto[2], uint32_t flags)
{
	struct nftnl_expr *e = emit_expr_new(nr, a->name);

	if (proto[0]) {
		nftnl_expr_set_u32(e, a->proto_min, proto[0]);
		nftnl_expr_set_u32(e, a->proto_max, proto[1]);
	}
	if (flags)
		nftnl_expr_set_u32(e, a->flags, flags);
}

void emit_masq(struct nftnl_rule *nr, const uint32_t proto[2],
	       uint32_t flags)
{
	static const struct port_nat_attrs masq = {
		"masq", NFTNL_EXPR_MASQ_REG_PROTO_MIN,
		NFTNL_EXPR_MASQ_REG_PROTO_MAX, NFTNL_EXPR_MASQ_FLAGS,
	};

	emit_port_nat(nr, &masq, proto, flags);
}

void emit_redir(struct nftnl_rule *nr, const uint32_t proto[2],
		uint32_t flags)
{
	static const struct port_nat_attrs redir = {
		"redir", NFTNL_EXPR_REDIR_REG_PROTO_MIN,
		NFTNL_EXPR_REDIR_REG_PROTO_MAX, NFTNL_EXPR_REDIR_FLAGS,
	};

	emit_port_nat(nr, &redir, proto, flags);
}

void emit_fib(struct nftnl_rule *nr, uint32_t flags, uint32_t result)
{
	struct nftnl_expr *e = emit_expr_new(nr, "fib");

	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, flags);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, result);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
}

void emit_notrack(struct nftnl_rule *nr)
{
	emit_expr_new(nr, "notrack");
}

/* type: NFT_OBJECT_CT_HELPER or NFT_OBJECT_CT_TIMEOUT. */
void emit_objref(struct nftnl_rule *nr, uint32_t type, const char *name)
{
	struct nftnl_expr *e = emit_expr_new(nr, "objref");

	nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE, type);
	nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_IMM_NAME, name);
}

static struct nftnl_expr *connlimit_new(uint32_t count)
{
	struct nftnl_expr *e = nftnl_expr_alloc("connlimit");

	if (!e)
		abort();
	nftnl_expr_set_u32(e, NFTNL_EXPR_CONNLIMIT_COUNT, count);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CONNLIMIT_FLAGS, 0);
	return e;
}

void emit_connlimit(struct nftnl_rule *nr, uint32_t count)
{
	nftnl_rule_add_expr(nr, connlimit_new(count));
}

/*
 * add @set { key }: the key is in register 1 (and on, for a
 * concatenation); set_id 0: the set is found by its name.
 */
static struct nftnl_expr *dynset_new(struct nftnl_rule *nr, const char *set,
				     uint32_t set_id)
{
	struct nftnl_expr *e = emit_expr_new(nr, "dynset");

	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_KEY, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_OP, NFT_DYNSET_OP_ADD);
	nftnl_expr_set_str(e, NFTNL_EXPR_DYNSET_SET_NAME, set);
	if (set_id)
		nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SET_ID, set_id);
	return e;
}

void emit_dynset_add(struct nftnl_rule *nr, const char *set, uint32_t set_id)
{
	dynset_new(nr, set, set_id);
}

/* add @set { REG1 ct count N }: counts connections per key. */
void emit_dynset_connlimit(struct nftnl_rule *nr, const char *set,
			   uint32_t set_id, uint32_t count)
{
	struct nftnl_expr *e = dynset_new(nr, set, set_id);

	nftnl_expr_set(e, NFTNL_EXPR_DYNSET_EXPR, connlimit_new(count), 0);
}

void emit_ct_set(struct nftnl_rule *nr, uint32_t key)
{
	struct nftnl_expr *e = emit_expr_new(nr, "ct");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_SREG, NFT_REG_1);
}

void emit_queue(struct nftnl_rule *nr, uint16_t first, uint16_t total,
		uint16_t flags)
{
	struct nftnl_expr *e = emit_expr_new(nr, "queue");

	nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_NUM, first);
	nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_TOTAL, total);
	nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_FLAGS, flags);
}

/*
 * xt_NFQUEUE revision 3 through nft_compat: struct xt_NFQ_info_v3
 * { __u16 queuenum, queues_total, flags; }, padded to 8 bytes as
 * XT_ALIGN() does; its flags are the queue expression's. libnftnl keeps
 * (and frees) the info it is given.
 */
void emit_xt_nfqueue(struct nftnl_rule *nr, uint16_t first, uint16_t total,
		     uint16_t flags)
{
	struct nftnl_expr *e = emit_expr_new(nr, "target");
	uint16_t *info = calloc(4, sizeof(*info));

	if (!info)
		abort();
	info[0] = first;
	info[1] = total;
	info[2] = flags;

	nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "NFQUEUE");
	nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, 3);
	nftnl_expr_set_data(e, NFTNL_EXPR_TG_INFO, info, 4 * sizeof(*info));
}
