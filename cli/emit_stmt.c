// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a rule does once it matched: limit, counter, log, in that order
 * (export.c prints them in the same order), then what it does to the
 * connection (NAT, notrack, ct helper or timeout), then the verdict. The
 * connection limit is a match and comes first.
 */
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
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
	[IR_QUEUE]	  = NF_DROP,
	[IR_RETURN]	  = NFT_RETURN,
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

static void emit_queue_verdict(struct nftnl_rule *nr,
			       const struct ir_queue *q, bool xt)
{
	uint16_t flags = (q->bypass ? NFT_QUEUE_FLAG_BYPASS : 0) |
			 (q->fanout ? NFT_QUEUE_FLAG_CPU_FANOUT : 0);

	(xt ? emit_xt_nfqueue : emit_queue)(nr, q->first, q->count, flags);
}

static void emit_verdict(struct nftnl_rule *nr, const struct ir_rule *r,
			 bool queue_xt)
{
	const struct ir_verdict *v = &r->verdict;
	struct emit_reject rj;

	switch (v->kind) {
	case IR_VERDICT_NONE:
	case IR_VMAP:		/* emit_rule() looks the map up itself */
		return;
	case IR_QUEUE:
		emit_queue_verdict(nr, &v->queue, queue_xt);
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

static const uint32_t nat_types[] = {
	[IR_NAT_SNAT] = NFT_NAT_SNAT, [IR_NAT_DNAT] = NFT_NAT_DNAT,
};

/* nft marks a port as given; the kernel keeps what masq and redir get. */
static uint32_t nat_flags(const struct ir_nat *n)
{
	uint32_t flags = 0;

	if (n->has_port)
		flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
	if (n->random)
		flags |= NF_NAT_RANGE_PROTO_RANDOM;
	if (n->persistent)
		flags |= NF_NAT_RANGE_PERSISTENT;
	return flags;
}

/* Loads lo (and hi, when it differs) into registers from *reg on. */
static void nat_load(struct nftnl_rule *nr, const struct ir_value *v,
		     uint32_t len, uint32_t *reg, uint32_t regs[2])
{
	regs[0] = regs[1] = (*reg)++;
	emit_immediate_data(nr, regs[0], v->lo, len);
	if (ir_value_is_single(v, len))
		return;
	regs[1] = (*reg)++;
	emit_immediate_data(nr, regs[1], v->hi, len);
}

/* Registers as nft allocates them: address first, then the port. */
static void emit_nat_stmt(struct nftnl_rule *nr, const struct ir_nat *n)
{
	uint32_t reg = NFT_REG_1, addr[2] = { 0 }, port[2] = { 0 };

	if (n->has_addr)
		nat_load(nr, &n->addr, n->nfproto == NFPROTO_IPV6 ? 16 : 4,
			 &reg, addr);
	if (n->has_port)
		nat_load(nr, &n->port, 2, &reg, port);
	if (n->kind == IR_NAT_MASQ)
		emit_masq(nr, port, nat_flags(n));
	else if (n->kind == IR_NAT_REDIRECT)
		emit_redir(nr, port, nat_flags(n));
	else
		emit_nat(nr, nat_types[n->kind], n->nfproto, addr, port,
			 nat_flags(n));
}

static const uint32_t object_types[] = {
	[IR_OBJ_CT_HELPER] = NFT_OBJECT_CT_HELPER,
	[IR_OBJ_CT_TIMEOUT] = NFT_OBJECT_CT_TIMEOUT,
};

static void emit_actions(struct nftnl_rule *nr, const struct ir_rule *r)
{
	const struct ir_stmts *st = ir_rule_st(r);

	if (st->nat.kind != IR_NAT_NONE)
		emit_nat_stmt(nr, &st->nat);
	if (r->notrack)
		emit_notrack(nr);
	if (st->obj_kind != IR_OBJ_NONE)
		emit_objref(nr, object_types[st->obj_kind], st->obj);
	if (r->ct_mark_from_meta) {
		emit_meta(nr, NFT_META_MARK);
		emit_ct_set(nr, NFT_CT_MARK);
	}
	emit_priority(nr, &st->priority);
	if (r->meta_mark_set) {
		emit_meta(nr, NFT_META_MARK);
		emit_bitwise_xor(nr, &st->meta_mark_and, &st->meta_mark_xor,
				 sizeof(uint32_t));
		emit_meta_set(nr, NFT_META_MARK);
	}
}

void emit_statements(struct nftnl_rule *nr, const struct ir_rule *r,
		     bool queue_xt)
{
	const struct ir_stmts *st = ir_rule_st(r);
	char prefix[IR_LOG_PREFIX_MAX];

	if (r->has_limit)
		emit_limit(nr, st->limit.rate, limit_seconds[st->limit.unit],
			   st->limit.burst ? st->limit.burst :
			   LIMIT_DEFAULT_BURST);
	if (r->counter)
		emit_counter(nr);
	if (r->has_log) {
		emit_text(prefix, st->log.prefix, sizeof(prefix));
		emit_log(nr, prefix);
	}
	emit_actions(nr, r);
	emit_verdict(nr, r, queue_xt);
}
