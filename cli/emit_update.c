// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The deletions an incremental update sends (see cli/plan.h): they name
 * live objects, by handle or by name, and carry no content.
 */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdlib.h>

#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>

#include "batch.h"
#include "emit.h"

/* handle 0: every rule of the chain. */
void emit_rule_delete(struct batch *b, const char *chain, uint64_t handle,
			struct fw_loc loc)
{
	struct batch_origin o = { .what = BATCH_RULE, .name = chain,
				  .loc = loc };
	struct nftnl_rule *nr = nftnl_rule_alloc();

	if (!nr)
		abort();
	nftnl_rule_set_str(nr, NFTNL_RULE_TABLE, IR_TABLE_NAME);
	nftnl_rule_set_str(nr, NFTNL_RULE_CHAIN, chain);
	if (handle)
		nftnl_rule_set_u64(nr, NFTNL_RULE_HANDLE, handle);
	nftnl_rule_nlmsg_build_payload(batch_msg(b, NFT_MSG_DELRULE,
						 EMIT_TABLE_FAMILY, 0, &o),
				       nr);
	batch_next(b);
	nftnl_rule_free(nr);
}

void emit_chain_flush(struct batch *b, const char *chain)
{
	static const struct fw_loc none;

	emit_rule_delete(b, chain, 0, none);
}

void emit_chain_delete(struct batch *b, const char *chain)
{
	struct batch_origin o = { .what = BATCH_CHAIN, .name = chain };
	struct nftnl_chain *nc = nftnl_chain_alloc();

	if (!nc)
		abort();
	nftnl_chain_set_str(nc, NFTNL_CHAIN_TABLE, IR_TABLE_NAME);
	nftnl_chain_set_str(nc, NFTNL_CHAIN_NAME, chain);
	nftnl_chain_nlmsg_build_payload(batch_msg(b, NFT_MSG_DELCHAIN,
						  EMIT_TABLE_FAMILY, 0, &o),
					nc);
	batch_next(b);
	nftnl_chain_free(nc);
}

void emit_set_delete(struct batch *b, const char *set)
{
	struct batch_origin o = { .what = BATCH_SET, .name = set };
	struct nftnl_set *ns = nftnl_set_alloc();

	if (!ns)
		abort();
	nftnl_set_set_str(ns, NFTNL_SET_TABLE, IR_TABLE_NAME);
	nftnl_set_set_str(ns, NFTNL_SET_NAME, set);
	nftnl_set_nlmsg_build_payload(batch_msg(b, NFT_MSG_DELSET,
						EMIT_TABLE_FAMILY, 0, &o), ns);
	batch_next(b);
	nftnl_set_free(ns);
}
