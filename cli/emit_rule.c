// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Rules: anonymous sets first, then one NEWRULE whose expressions are the
 * bytecode nft generates for the same rule in nft syntax, dependencies
 * included. nft checks the protocol before it reads a header field it
 * belongs to ("ip saddr" needs "meta nfproto ipv4"), unless an earlier
 * match already proved it, or the way into a decision tree did
 * (ir_chain.nfproto); struct rule_ctx is that knowledge.
 */
/* netinet/in.h first: it tells the kernel headers not to redefine it. */
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/rule.h>
#include <libnftnl/udata.h>

#include "batch.h"
#include "emit.h"
#include "fwctl/udata.h"
#include "ir_hash.h"

enum load_kind { LOAD_META, LOAD_PAYLOAD, LOAD_CT, LOAD_FIB };

/* Where a field is read from, and what nft checks before reading it. */
struct field_load {
	enum load_kind	kind;
	uint32_t	key;		/* meta or ct key; payload base; fib */
	uint32_t	offset;		/* payload */
	uint8_t		nfproto;	/* dependency, 0: none */
	uint8_t		l4proto;	/* dependency, 0: none */
};

static const struct field_load loads[IR_FIELD_COUNT] = {
	[IR_IIFNAME]	 = { LOAD_META, NFT_META_IIFNAME },
	[IR_OIFNAME]	 = { LOAD_META, NFT_META_OIFNAME },
	[IR_NFPROTO]	 = { LOAD_META, NFT_META_NFPROTO },
	[IR_L4PROTO]	 = { LOAD_META, NFT_META_L4PROTO },
	[IR_IP_SADDR]	 = { LOAD_PAYLOAD, NFT_PAYLOAD_NETWORK_HEADER, 12,
			     NFPROTO_IPV4 },
	[IR_IP_DADDR]	 = { LOAD_PAYLOAD, NFT_PAYLOAD_NETWORK_HEADER, 16,
			     NFPROTO_IPV4 },
	[IR_IP6_SADDR]	 = { LOAD_PAYLOAD, NFT_PAYLOAD_NETWORK_HEADER, 8,
			     NFPROTO_IPV6 },
	[IR_IP6_DADDR]	 = { LOAD_PAYLOAD, NFT_PAYLOAD_NETWORK_HEADER, 24,
			     NFPROTO_IPV6 },
	[IR_TH_SPORT]	 = { LOAD_PAYLOAD, NFT_PAYLOAD_TRANSPORT_HEADER, 0 },
	[IR_TH_DPORT]	 = { LOAD_PAYLOAD, NFT_PAYLOAD_TRANSPORT_HEADER, 2 },
	[IR_CT_STATE]	 = { LOAD_CT, NFT_CT_STATE },
	[IR_ICMP_TYPE]	 = { LOAD_PAYLOAD, NFT_PAYLOAD_TRANSPORT_HEADER, 0,
			     NFPROTO_IPV4, IPPROTO_ICMP },
	[IR_ICMPV6_TYPE] = { LOAD_PAYLOAD, NFT_PAYLOAD_TRANSPORT_HEADER, 0,
			     NFPROTO_IPV6, IPPROTO_ICMPV6 },
	[IR_CT_STATUS]	 = { LOAD_CT, NFT_CT_STATUS },
	[IR_FIB_DADDR_TYPE] = { LOAD_FIB, NFT_FIB_RESULT_ADDRTYPE },
	[IR_CT_MARK]	 = { LOAD_CT, NFT_CT_MARK },
	[IR_META_MARK]	 = { LOAD_META, NFT_META_MARK },
};

/* The protocols earlier matches proved, as nft's protocol context. */
struct rule_ctx {
	uint8_t	nfproto;
	uint8_t	l4proto;
};

#define DEP_NFPROTO	1u
#define DEP_L4PROTO	2u

/*
 * Which checks nft puts before reading f. A known transport protocol
 * implies the network one, so "meta l4proto icmp" alone is enough for
 * "icmp type"; nft then adds nothing.
 */
static unsigned ctx_deps(struct rule_ctx *ctx, const struct field_load *f)
{
	unsigned deps = 0;

	if (f->l4proto && ctx->l4proto == f->l4proto)
		return 0;
	if (f->nfproto && ctx->nfproto != f->nfproto) {
		deps |= DEP_NFPROTO;
		ctx->nfproto = f->nfproto;
	}
	if (f->l4proto) {
		deps |= DEP_L4PROTO;
		ctx->l4proto = f->l4proto;
	}
	return deps;
}

static void ctx_learn(struct rule_ctx *ctx, const struct ir_match *m)
{
	if (m->set || m->op != IR_EQ || !ir_value_is_single(&m->value, 1))
		return;
	if (m->field == IR_NFPROTO)
		ctx->nfproto = m->value.lo[0];
	else if (m->field == IR_L4PROTO)
		ctx->l4proto = m->value.lo[0];
}

static void meta_eq(struct nftnl_rule *nr, uint32_t key, uint8_t value)
{
	emit_meta(nr, key);
	emit_cmp(nr, NFT_CMP_EQ, &value, 1);
}

static void field_deps(struct nftnl_rule *nr, struct rule_ctx *ctx,
		       const struct field_load *f)
{
	unsigned deps = ctx_deps(ctx, f);

	if (deps & DEP_NFPROTO)
		meta_eq(nr, NFT_META_NFPROTO, f->nfproto);
	if (deps & DEP_L4PROTO)
		meta_eq(nr, NFT_META_L4PROTO, f->l4proto);
}

/* Loads len bytes of f; meta keys always load whole. */
static void field_load(struct nftnl_rule *nr, const struct field_load *f,
		       uint32_t len)
{
	if (f->kind == LOAD_META)
		emit_meta(nr, f->key);
	else if (f->kind == LOAD_CT)
		emit_ct(nr, f->key);
	else if (f->kind == LOAD_FIB)
		emit_fib(nr, NFTA_FIB_F_DADDR, f->key);
	else
		emit_payload(nr, f->key, f->offset, len);
}

/*
 * A flow cache's or flow map's key: its fields in consecutive registers,
 * each from a 32-bit boundary, as nft loads a concatenation. For a range
 * lookup nft turns the host-order parts to network order, the one-byte
 * l4proto too (a no-op, sent as nft sends it: exports load the same).
 */
static void flow_load(struct nftnl_rule *nr, struct rule_ctx *ctx,
		      uint8_t nfproto, bool ranges)
{
	const enum ir_field *k = ir_flow_key(nfproto);
	uint32_t reg = NFT_REG32_00, len;
	size_t i;

	for (i = 0; i < IR_FLOW_FIELDS; i++) {
		const struct field_load *f = &loads[k[i]];

		len = ir_field_info[k[i]].len;
		field_deps(nr, ctx, f);
		if (f->kind != LOAD_META) {
			emit_payload_to(nr, f->key, f->offset, len, reg);
		} else {
			emit_meta_to(nr, f->key, reg);
			if (ranges)
				emit_hton(nr, reg, len, 2);
		}
		reg += (len + 3) / 4;
	}
}

/* ct state and status are bit masks: any of the bits (==), none (!=). */
static void match_ct_bits(struct nftnl_rule *nr, const struct ir_match *m)
{
	uint32_t mask = m->ct_mask, zero = 0;

	emit_ct(nr, loads[m->field].key);
	emit_bitwise(nr, &mask, sizeof(mask));
	emit_cmp(nr, m->op == IR_EQ ? NFT_CMP_NEQ : NFT_CMP_EQ, &zero,
		 sizeof(zero));
}

/* mark & mask == value, as nft writes "ct mark & 0xc0000000 == ...". */
static void match_mark(struct nftnl_rule *nr, const struct field_load *f,
		       const struct ir_match *m)
{
	field_load(nr, f, 4);
	emit_bitwise(nr, &m->mark_mask, sizeof(m->mark_mask));
	emit_cmp(nr, m->op == IR_EQ ? NFT_CMP_EQ : NFT_CMP_NEQ, m->value.lo,
		 4);
}

/*
 * An address prefix on a byte boundary compares only its bytes (so does
 * an interface wildcard, "eth*"); other prefixes mask; a range compares
 * both ends (== as two cmps, != as one range, like nft), but == a range
 * open at one end compares the other end only (emit_match_open()): the
 * kernel looks each expression's type up by name when it loads a rule.
 * Port ranges that happen to be prefixes stay ranges: nft text has no
 * prefix for them.
 * One range expression for == would be cheaper to load (the kernel looks
 * each expression's type up by name, 64% of acl1_10k's full batch;
 * gen10k 233 -> 225 ms with 6,300 fewer), but export | nft -f must make
 * these very bytes (roundtrip_test).
 */
static void match_value(struct nftnl_rule *nr, const struct field_load *f,
			const struct ir_match *m, uint32_t len)
{
	const struct ir_value *v = &m->value;
	uint32_t op = m->op == IR_EQ ? NFT_CMP_EQ : NFT_CMP_NEQ;
	uint8_t mask[IR_VALUE_MAX];
	enum ir_open open;
	unsigned plen;

	if (ir_value_is_single(v, len)) {
		field_load(nr, f, len);
		emit_cmp(nr, op, v->lo, len);
	} else if ((open = emit_match_open(m)) != IR_OPEN_NONE) {
		field_load(nr, f, len);
		if (open == IR_OPEN_ABOVE)
			emit_cmp(nr, NFT_CMP_GTE, v->lo, len);
		else
			emit_cmp(nr, NFT_CMP_LTE, v->hi, len);
	} else if (!emit_keys[m->field].prefix ||
		   !ir_value_is_prefix(v, len, &plen)) {
		field_load(nr, f, len);
		if (m->op == IR_EQ) {
			emit_cmp(nr, NFT_CMP_GTE, v->lo, len);
			emit_cmp(nr, NFT_CMP_LTE, v->hi, len);
		} else {
			emit_range(nr, NFT_RANGE_NEQ, v->lo, v->hi, len);
		}
	} else if (plen && plen % 8 == 0) {
		field_load(nr, f, plen / 8);
		emit_cmp(nr, op, v->lo, plen / 8);
	} else {
		emit_prefix_mask(plen, len, mask);
		field_load(nr, f, len);
		emit_bitwise(nr, mask, len);
		emit_cmp(nr, op, v->lo, len);
	}
}

/* A pair of matches as one load and compare (emit_pairs()). */
static void match_pair(struct nftnl_rule *nr, struct rule_ctx *ctx,
		       const struct ir_rule *r, const struct emit_pair *p)
{
	field_deps(nr, ctx, &loads[r->matches[p->first].field]);
	emit_payload(nr, p->base, p->offset, p->len);
	if (p->range) {
		emit_cmp(nr, NFT_CMP_GTE, p->lo, p->len);
		emit_cmp(nr, NFT_CMP_LTE, p->hi, p->len);
		return;
	}
	if (p->masked)
		emit_bitwise(nr, p->mask, p->len);
	emit_cmp(nr, NFT_CMP_EQ, p->lo, p->len);
}

static void rule_match(struct nftnl_rule *nr, struct rule_ctx *ctx,
		       const struct ir_match *m, uint32_t set_id)
{
	const struct field_load *f = &loads[m->field];
	uint32_t len = ir_field_info[m->field].len;

	if (m->set && m->set->flow) {
		flow_load(nr, ctx, m->set->flow, false);
		emit_lookup(nr, m->set->name, 0, false, m->op == IR_NE);
		return;
	}
	field_deps(nr, ctx, f);
	if (m->set) {
		field_load(nr, f, len);
		emit_lookup(nr, m->set->anonymous ? "__set%d" : m->set->name,
			    set_id, false, m->op == IR_NE);
	} else if (m->field == IR_CT_STATE || m->field == IR_CT_STATUS) {
		match_ct_bits(nr, m);
	} else if (m->mark_mask) {
		match_mark(nr, f, m);
	} else {
		match_value(nr, f, m, len);
	}
	ctx_learn(ctx, m);
}

/*
 * nft puts the check a reject needs (tcp for a reset, the family for an
 * icmp or icmpv6 code) at the head of the rule, and only if nothing in the
 * rule proves it already.
 */
static void reject_deps(struct nftnl_rule *nr, const struct ir_chain *c,
			const struct ir_rule *r)
{
	struct rule_ctx ctx = { .nfproto = c->nfproto };
	struct emit_reject rj;
	size_t i;

	if (r->verdict.kind != IR_REJECT)
		return;
	for (i = 0; i < r->n_matches; i++) {
		ctx_deps(&ctx, &loads[r->matches[i].field]);
		ctx_learn(&ctx, &r->matches[i]);
	}
	rj = emit_reject_of(r);
	if (rj.kind == IR_REJECT_TCP_RESET && ctx.l4proto != IPPROTO_TCP)
		meta_eq(nr, NFT_META_L4PROTO, IPPROTO_TCP);
	else if (rj.kind == IR_REJECT_ICMP && ctx.nfproto != NFPROTO_IPV4)
		meta_eq(nr, NFT_META_NFPROTO, NFPROTO_IPV4);
	else if (rj.kind == IR_REJECT_ICMPV6 && ctx.nfproto != NFPROTO_IPV6)
		meta_eq(nr, NFT_META_NFPROTO, NFPROTO_IPV6);
}

static void rule_vmap(struct nftnl_rule *nr, struct rule_ctx *ctx,
		      const struct ir_rule *r, uint32_t set_id)
{
	const struct ir_verdict *v = &r->verdict;
	const struct field_load *f = &loads[v->vmap_field];

	if (v->vmap->flow) {
		flow_load(nr, ctx, v->vmap->flow, true);
	} else {
		field_deps(nr, ctx, f);
		field_load(nr, f, ir_field_info[v->vmap_field].len);
	}
	emit_lookup(nr, v->vmap->anonymous ? "__map%d" : v->vmap->name,
		    set_id, true, false);
}

/* Cuts text to max bytes (NUL included) without splitting a character. */
static size_t text_cut(const char *text, size_t max)
{
	size_t n = strlen(text);

	if (n < max)
		return n;
	n = max - 1;
	while (n && ((unsigned char)text[n] & 0xc0) == 0x80)
		n--;
	return n;
}

/*
 * The comment nft shows, then the source text for `fwctl show`; the
 * kernel takes 256 bytes of userdata in all, so the text gives way.
 */
static void rule_udata(struct nftnl_rule *nr, const struct ir_rule *r,
		       uint64_t key)
{
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
	char comment[EMIT_COMMENT_MAX + 1], text[FWCTL_UDATA_TEXT_MAX];
	size_t room, n;

	if (!ud)
		abort();
	emit_rule_comment(r, comment, sizeof(comment));
	nftnl_udata_put_strz(ud, NFTNL_UDATA_RULE_COMMENT, comment);
	nftnl_udata_put(ud, FWCTL_UDATA_RULE_KEY, sizeof(key), &key);
	room = NFT_USERDATA_MAXLEN - nftnl_udata_buf_len(ud) - 2;
	if (r->text && room > 1) {
		n = text_cut(r->text,
			     room < sizeof(text) ? room : sizeof(text));
		memcpy(text, r->text, n);
		text[n] = '\0';
		nftnl_udata_put_strz(ud, FWCTL_UDATA_RULE_SOURCE, text);
	}
	nftnl_rule_set_data(nr, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ud),
			    nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
}

/* Creates the rule's anonymous sets; ids[i] for match i, ids[n] the vmap. */
static uint32_t *rule_sets(struct batch *b, const struct ir_rule *r)
{
	uint32_t *ids = calloc(r->n_matches + 1, sizeof(*ids));
	const struct ir_set *vmap = r->verdict.kind == IR_VMAP ?
				    r->verdict.vmap : NULL;
	size_t i;

	if (!ids)
		abort();
	for (i = 0; i < r->n_matches; i++) {
		const struct ir_set *s = r->matches[i].set;

		if (s && s->anonymous) {
			ids[i] = batch_set_id(b);
			emit_set(b, s, "__set%d", ids[i]);
		}
	}
	if (vmap && vmap->anonymous) {
		ids[i] = batch_set_id(b);
		emit_set(b, vmap, "__map%d", ids[i]);
	}
	return ids;
}

/* ct count N, or counted per key in a dynamic set. */
static void rule_connlimit(struct nftnl_rule *nr, struct rule_ctx *ctx,
			   const struct ir_connlimit *c)
{
	const struct field_load *f = &loads[c->key];

	if (!c->set) {
		emit_connlimit(nr, c->count);
		return;
	}
	field_deps(nr, ctx, f);
	field_load(nr, f, ir_field_info[c->key].len);
	emit_dynset_connlimit(nr, c->set->name, 0, c->count);
}

static struct nftnl_rule *rule_build(const struct ir_chain *c,
				     const struct ir_rule *r,
				     const uint32_t *ids, bool queue_xt,
				     uint64_t key)
{
	struct nftnl_rule *nr = nftnl_rule_alloc();
	struct rule_ctx ctx = { .nfproto = c->nfproto };
	struct emit_pair pairs[EMIT_PAIRS_MAX];
	size_t i, n_pairs = emit_pairs(c, r, pairs);

	if (!nr)
		abort();
	nftnl_rule_set_str(nr, NFTNL_RULE_TABLE, IR_TABLE_NAME);
	nftnl_rule_set_str(nr, NFTNL_RULE_CHAIN, c->name);
	rule_udata(nr, r, key);
	reject_deps(nr, c, r);
	for (i = 0; i < r->n_matches; i++) {
		const struct emit_pair *p = emit_pair_of(pairs, n_pairs, i);

		if (!p)
			rule_match(nr, &ctx, &r->matches[i], ids[i]);
		else if (p->first == i)
			match_pair(nr, &ctx, r, p);
	}
	if (r->has_connlimit)
		rule_connlimit(nr, &ctx, &ir_rule_st(r)->connlimit);
	if (r->flow_add) {
		flow_load(nr, &ctx, r->flow_add->flow, false);
		emit_dynset_add(nr, r->flow_add->name, 0);
	}
	emit_statements(nr, r, queue_xt);
	if (r->verdict.kind == IR_VMAP)
		rule_vmap(nr, &ctx, r, ids[i]);
	return nr;
}

/*
 * after: where the rule goes; EMIT_APPEND at the end of the chain,
 * EMIT_HEAD at its start, else after the live rule with that handle.
 */
void emit_rule_at(struct batch *b, const struct ir_chain *c,
		  const struct ir_rule *r, bool queue_xt, uint64_t after)
{
	struct batch_origin o = {
		.what = BATCH_RULE, .name = c->name, .loc = r->loc,
		.key = ir_rule_key(r, queue_xt),
	};
	uint32_t *ids = rule_sets(b, r);
	struct nftnl_rule *nr = rule_build(c, r, ids, queue_xt, o.key);
	uint16_t flags = NLM_F_CREATE;

	if (after != EMIT_HEAD)
		flags |= NLM_F_APPEND;
	if (after != EMIT_HEAD && after != EMIT_APPEND)
		nftnl_rule_set_u64(nr, NFTNL_RULE_POSITION, after);
	nftnl_rule_nlmsg_build_payload(batch_msg(b, NFT_MSG_NEWRULE,
						 EMIT_TABLE_FAMILY, flags, &o),
				       nr);
	batch_next(b);
	nftnl_rule_free(nr);
	free(ids);
}

void emit_rule(struct batch *b, const struct ir_chain *c,
	       const struct ir_rule *r, bool queue_xt)
{
	emit_rule_at(b, c, r, queue_xt, EMIT_APPEND);
}
