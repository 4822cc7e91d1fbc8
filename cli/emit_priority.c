// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meta priority set, the statement that classifies into an HTB class:
 * a class handle as an immediate, or a jhash of the source address into
 * a range of handles, built as nft builds them. The seed is 0, never
 * random, so that a host stays in its bucket across applies.
 */
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>

#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "emit.h"

/* Where the hashed address lies in the network header. */
static const struct {
	uint32_t	offset, len;
} hash_fields[IR_FIELD_COUNT] = {
	[IR_IP_SADDR] = { 12, 4 },
	[IR_IP6_SADDR] = { 8, 16 },
};

static void emit_hash(struct nftnl_rule *nr, const struct ir_priority *p)
{
	struct nftnl_expr *e = emit_expr_new(nr, "payload");

	/* nft hashes from register 2 into register 1; so do we. */
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_2);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE,
			   NFT_PAYLOAD_NETWORK_HEADER);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET,
			   hash_fields[p->hash_field].offset);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN,
			   hash_fields[p->hash_field].len);
	e = emit_expr_new(nr, "hash");
	nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_SREG, NFT_REG_2);
	nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_LEN,
			   hash_fields[p->hash_field].len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_MODULUS, p->hash_mod);
	nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_SEED, 0);
	nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_OFFSET, p->value);
	nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_TYPE, NFT_HASH_JENKINS);
}

void emit_priority(struct nftnl_rule *nr, const struct ir_priority *p)
{
	struct nftnl_expr *e;

	if (!p->set)
		return;
	if (p->hash_mod)
		emit_hash(nr, p);
	else
		emit_immediate_data(nr, NFT_REG_1, &p->value,
				    sizeof(p->value));
	e = emit_expr_new(nr, "meta");
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_PRIORITY);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_SREG, NFT_REG_1);
}
