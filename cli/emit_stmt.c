// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a rule does once it matched: limit, counter, log, in that order
 * (export.c prints them in the same order), then the verdict.
 */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "emit.h"

static const int verdict_codes[] = {
	[IR_VERDICT_NONE] = NFT_CONTINUE,
	[IR_ACCEPT]	  = NF_ACCEPT,
	[IR_DROP]	  = NF_DROP,
	/* A map element cannot reject: fail closed. */
	[IR_REJECT]	  = NF_DROP,
	[IR_JUMP]	  = NFT_JUMP,
	[IR_GOTO]	  = NFT_GOTO,
	[IR_VMAP]	  = NF_DROP,
};

int emit_verdict_code(const struct ir_verdict *v)
{
	return verdict_codes[v->kind];
}

static const uint64_t limit_seconds[] = {
	[IR_PER_SECOND] = 1,
	[IR_PER_MINUTE] = 60,
	[IR_PER_HOUR]	= 60 * 60,
	[IR_PER_DAY]	= 24 * 60 * 60,
};

/* nft's burst when none is given; both back ends leave it implicit. */
#define LIMIT_DEFAULT_BURST	5

static const uint32_t reject_types[] = {
	[IR_REJECT_TCP_RESET]	= NFT_REJECT_TCP_RST,
	[IR_REJECT_ICMPX]	= NFT_REJECT_ICMPX_UNREACH,
	[IR_REJECT_ICMP]	= NFT_REJECT_ICMP_UNREACH,
	[IR_REJECT_ICMPV6]	= NFT_REJECT_ICMP_UNREACH,
};

static void emit_verdict(struct nftnl_rule *nr, const struct ir_rule *r)
{
	const struct ir_verdict *v = &r->verdict;
	struct emit_reject rj;

	switch (v->kind) {
	case IR_VERDICT_NONE:
	case IR_VMAP:		/* emit_rule() looks the map up itself */
		return;
	case IR_REJECT:
		rj = emit_reject_of(r);
		emit_reject(nr, reject_types[rj.kind], rj.code);
		return;
	default:
		emit_immediate(nr, emit_verdict_code(v),
			       v->kind == IR_JUMP || v->kind == IR_GOTO ?
			       v->chain : NULL);
	}
}

void emit_statements(struct nftnl_rule *nr, const struct ir_rule *r)
{
	char prefix[sizeof(r->log.prefix)];

	if (r->has_limit)
		emit_limit(nr, r->limit.rate, limit_seconds[r->limit.unit],
			   r->limit.burst ? r->limit.burst :
			   LIMIT_DEFAULT_BURST);
	if (r->counter)
		emit_counter(nr);
	if (r->has_log) {
		emit_text(prefix, r->log.prefix, sizeof(prefix));
		emit_log(nr, prefix);
	}
	emit_verdict(nr, r);
}
