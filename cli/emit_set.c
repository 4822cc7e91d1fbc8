// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sets and verdict maps: NEWSET, then the elements in as few NEWSETELEM
 * messages as fit (a 100,000-element set is a few dozen messages).
 *
 * Interval sets hold boundaries, not ranges, the way nft sends them:
 *
 *   [0 end] [lo1] [hi1+1 end] [lo2] [hi2+1 end] ...
 *
 * a leading end element at zero unless the first range starts there, no
 * end after a range that reaches the top (the start is flagged "open"
 * in its userdata instead), and in anonymous sets no end where the next
 * range starts right after.
 */
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/set.h>
#include <libnftnl/udata.h>

#include "batch.h"
#include "emit.h"

/* Below the 64k an attribute length can express, with room to spare. */
#define ELEMS_MSG_MAX	64000
/* The most one element can take: key, flags, verdict with chain, udata. */
#define ELEM_MAX	(256 + IR_NAME_MAX)

/* Calls fn for every element the kernel gets; see the comment on top. */
void emit_set_walk(const struct ir_set *s, emit_kelem_fn fn, void *ctx)
{
	static const uint8_t zero[IR_VALUE_MAX];
	unsigned len = ir_field_info[s->field].len;
	bool interval = emit_set_interval(s), have, have_next, more;
	struct emit_elem_iter it;
	struct ir_elem e, next;
	uint8_t end[IR_VALUE_MAX];

	emit_elem_iter_init(&it, s);
	have = emit_elem_iter_next(&it, &e);
	if (interval && have && memcmp(e.value.lo, zero, len))
		fn(ctx, zero, NFT_SET_ELEM_INTERVAL_END, NULL, false);
	for (; have; e = next, have = have_next) {
		const struct ir_verdict *v = s->is_vmap ? &e.verdict : NULL;

		have_next = emit_elem_iter_next(&it, &next);
		if (!interval) {
			fn(ctx, e.value.lo, 0, v, false);
			continue;
		}
		more = emit_value_next(e.value.hi, len, end);
		fn(ctx, e.value.lo, 0, v, !more);
		if (more && !(s->anonymous && have_next &&
			      !memcmp(end, next.value.lo, len)))
			fn(ctx, end, NFT_SET_ELEM_INTERVAL_END, NULL, false);
	}
}

/* nft sizes an anonymous set by its ranges: two slots each, plus zero. */
static uint32_t set_desc_size(const struct ir_set *s)
{
	static const uint8_t zero[IR_VALUE_MAX];
	struct emit_elem_iter it;
	struct ir_elem e;
	uint32_t n = 0;

	emit_elem_iter_init(&it, s);
	while (emit_elem_iter_next(&it, &e))
		n++;
	if (!emit_set_interval(s) || !n)
		return n;
	return 2 * n + (memcmp(s->elems[0].value.lo, zero,
			       ir_field_info[s->field].len) != 0);
}

static void set_udata(struct nftnl_set *ns, const struct ir_set *s)
{
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);

	if (!ud)
		abort();
	if (!s->flow)	/* nft gives a concatenation none either */
		nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER,
				    emit_keys[s->field].byteorder);
	if (s->is_vmap) {
		nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_DATABYTEORDER, 0);
		nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_DATA_INTERVAL, 0);
	}
	nftnl_set_set_data(ns, NFTNL_SET_USERDATA, nftnl_udata_buf_data(ud),
			   nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
}

/* An interval set of a concatenation: the kernel needs each part's size. */
static void set_concat(struct nftnl_set *ns, const struct ir_set *s)
{
	const enum ir_field *k = ir_flow_key(s->flow);
	uint8_t lens[IR_FLOW_FIELDS];
	size_t i;

	for (i = 0; i < IR_FLOW_FIELDS; i++)
		lens[i] = (uint8_t)ir_field_info[k[i]].len;
	nftnl_set_set_data(ns, NFTNL_SET_DESC_CONCAT, lens, sizeof(lens));
}

uint32_t emit_set_flags(const struct ir_set *s)
{
	uint32_t flags = 0;

	if (s->anonymous)
		flags |= NFT_SET_ANONYMOUS | NFT_SET_CONSTANT;
	if (emit_set_interval(s))
		flags |= NFT_SET_INTERVAL;
	if (s->is_vmap)
		flags |= NFT_SET_MAP;
	if (s->timeout_ms && !s->anonymous)
		flags |= NFT_SET_TIMEOUT;
	if (s->dynamic)
		flags |= NFT_SET_EVAL;
	if (s->flow && (flags & NFT_SET_INTERVAL))
		flags |= NFT_SET_CONCAT;
	return flags;
}

static void set_new(struct batch *b, const struct ir_set *s,
		    const char *name, uint32_t id,
		    const struct batch_origin *o)
{
	struct nftnl_set *ns = nftnl_set_alloc();
	uint32_t flags = emit_set_flags(s);

	if (!ns)
		abort();
	nftnl_set_set_str(ns, NFTNL_SET_TABLE, IR_TABLE_NAME);
	nftnl_set_set_str(ns, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(ns, NFTNL_SET_FLAGS, flags);
	nftnl_set_set_u32(ns, NFTNL_SET_KEY_TYPE, emit_set_key_type(s));
	nftnl_set_set_u32(ns, NFTNL_SET_KEY_LEN, emit_set_key_len(s));
	if (s->is_vmap) {
		nftnl_set_set_u32(ns, NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
		nftnl_set_set_u32(ns, NFTNL_SET_DATA_LEN, 0);
	}
	nftnl_set_set_u32(ns, NFTNL_SET_ID, id);
	if (flags & NFT_SET_TIMEOUT)
		nftnl_set_set_u64(ns, NFTNL_SET_TIMEOUT, s->timeout_ms);
	if (s->anonymous || s->shared)
		nftnl_set_set_u32(ns, NFTNL_SET_DESC_SIZE, set_desc_size(s));
	else if (s->flow && s->dynamic)
		nftnl_set_set_u32(ns, NFTNL_SET_DESC_SIZE, EMIT_FLOW_SIZE);
	else if (s->dynamic)
		nftnl_set_set_u32(ns, NFTNL_SET_DESC_SIZE, EMIT_DYNSET_SIZE);
	if (flags & NFT_SET_CONCAT)
		set_concat(ns, s);
	set_udata(ns, s);
	nftnl_set_nlmsg_build_payload(batch_msg(b, NFT_MSG_NEWSET,
						EMIT_TABLE_FAMILY,
						NLM_F_CREATE, o), ns);
	batch_next(b);
	nftnl_set_free(ns);
}

/* NEWSETELEM messages being filled for one set. */
struct elem_msgs {
	struct batch			*b;
	const struct ir_set		*set;
	const char			*name;
	uint32_t			id;
	const struct batch_origin	*origin;
	uint16_t			type;	/* NEW- or DELSETELEM */
	struct nlmsghdr			*nlh;
	struct nlattr			*list;
};

static void elem_msg_open(struct elem_msgs *m)
{
	m->nlh = batch_msg(m->b, m->type, EMIT_TABLE_FAMILY,
			   m->type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0,
			   m->origin);
	mnl_attr_put_strz(m->nlh, NFTA_SET_ELEM_LIST_TABLE, IR_TABLE_NAME);
	mnl_attr_put_strz(m->nlh, NFTA_SET_ELEM_LIST_SET, m->name);
	/* A live set is found by its name, a new one by its id too. */
	if (m->id)
		mnl_attr_put_u32(m->nlh, NFTA_SET_ELEM_LIST_SET_ID,
				 htonl(m->id));
	m->list = mnl_attr_nest_start(m->nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
}

static void elem_msg_close(struct elem_msgs *m)
{
	if (!m->nlh)
		return;
	mnl_attr_nest_end(m->nlh, m->list);
	batch_next(m->b);
	m->nlh = NULL;
}

static void elem_put_verdict(struct nlmsghdr *nlh, const struct ir_verdict *v)
{
	struct nlattr *data, *verdict;

	data = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_DATA);
	verdict = mnl_attr_nest_start(nlh, NFTA_DATA_VERDICT);
	mnl_attr_put_u32(nlh, NFTA_VERDICT_CODE,
			 htonl((uint32_t)emit_verdict_code(v)));
	if (v->kind == IR_JUMP || v->kind == IR_GOTO)
		mnl_attr_put_strz(nlh, NFTA_VERDICT_CHAIN, v->chain);
	mnl_attr_nest_end(nlh, verdict);
	mnl_attr_nest_end(nlh, data);
}

/* nft's element userdata saying "this range has no end element". */
static void elem_put_open(struct nlmsghdr *nlh)
{
	uint32_t flags = NFTNL_SET_ELEM_F_INTERVAL_OPEN;
	uint8_t udata[2 + sizeof(flags)] = {
		NFTNL_UDATA_SET_ELEM_FLAGS, sizeof(flags) };

	memcpy(udata + 2, &flags, sizeof(flags));
	mnl_attr_put(nlh, NFTA_SET_ELEM_USERDATA, sizeof(udata), udata);
}

static void elem_put(void *ctx, const uint8_t *key, uint32_t flags,
		     const struct ir_verdict *v, bool open)
{
	struct elem_msgs *m = ctx;
	struct nlattr *elem, *nest;

	if (m->nlh && m->nlh->nlmsg_len + ELEM_MAX > ELEMS_MSG_MAX)
		elem_msg_close(m);
	if (!m->nlh)
		elem_msg_open(m);
	elem = mnl_attr_nest_start(m->nlh, NFTA_LIST_ELEM);
	if (flags)
		mnl_attr_put_u32(m->nlh, NFTA_SET_ELEM_FLAGS, htonl(flags));
	nest = mnl_attr_nest_start(m->nlh, NFTA_SET_ELEM_KEY);
	mnl_attr_put(m->nlh, NFTA_DATA_VALUE, ir_field_info[m->set->field].len,
		     key);
	mnl_attr_nest_end(m->nlh, nest);
	if (v)
		elem_put_verdict(m->nlh, v);
	if (open)
		elem_put_open(m->nlh);
	mnl_attr_nest_end(m->nlh, elem);
}

/* One side of a flow map's box as the kernel's key: parts in whole words. */
static unsigned flow_key_put(const struct ir_set *s,
			     const struct ir_flow_elem *e, bool hi,
			     uint8_t *out)
{
	const enum ir_field *k = ir_flow_key(s->flow);
	unsigned len, n = 0;
	size_t i;

	for (i = 0; i < IR_FLOW_FIELDS; i++) {
		len = ir_field_info[k[i]].len;
		memset(out + n, 0, (len + 3) & ~3u);
		memcpy(out + n, hi ? e->v[i].hi : e->v[i].lo, len);
		n += (len + 3) & ~3u;
	}
	return n;
}

static void box_key_put(struct nlmsghdr *nlh, uint16_t type,
			const struct ir_set *s, const struct ir_flow_elem *e,
			bool hi)
{
	uint8_t key[IR_FLOW_FIELDS * IR_VALUE_MAX];
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put(nlh, NFTA_DATA_VALUE, flow_key_put(s, e, hi, key), key);
	mnl_attr_nest_end(nlh, nest);
}

static uint64_t fnv(uint64_t h, const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len--)
		h = (h ^ *b++) * 0x100000001b3ull;
	return h;
}

uint64_t emit_elem_hash(const struct emit_helem *e)
{
	uint8_t head[10] = { e->key_end != NULL, e->verdict };
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a */
	uint32_t be = htonl(e->flags);

	memcpy(head + 2, &be, 4);
	be = htonl((uint32_t)(e->verdict ? e->code : 0));
	memcpy(head + 6, &be, 4);
	h = fnv(h, head, sizeof(head));
	h = fnv(h, e->key, e->len);
	if (e->key_end)
		h = fnv(h, e->key_end, e->len);
	if (e->chain)
		h = fnv(h, e->chain, strlen(e->chain) + 1);
	/* Summed over the elements: spread the bits first. */
	h ^= h >> 31;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 29);
}

static const char *verdict_chain(const struct ir_verdict *v)
{
	return v->kind == IR_JUMP || v->kind == IR_GOTO ? v->chain : NULL;
}

struct digest {
	unsigned	len;
	uint64_t	sum;
};

static void digest_elem(void *ctx, const uint8_t *key, uint32_t flags,
			const struct ir_verdict *v, bool open)
{
	struct digest *d = ctx;

	(void)open;	/* userdata, for nft's listing only */
	d->sum += emit_elem_hash(&(struct emit_helem){
		.key = key, .len = d->len, .flags = flags, .verdict = v != NULL,
		.code = v ? emit_verdict_code(v) : 0,
		.chain = v ? verdict_chain(v) : NULL });
}

uint64_t emit_set_digest(const struct ir_set *s)
{
	uint8_t key[IR_FLOW_FIELDS * IR_VALUE_MAX];
	uint8_t end[IR_FLOW_FIELDS * IR_VALUE_MAX];
	struct digest d = { ir_field_info[s->field].len, 0 };
	size_t i;

	if (!s->flow) {
		emit_set_walk(s, digest_elem, &d);
		return d.sum;
	}
	for (i = 0; i < s->n_boxes; i++) {
		d.len = flow_key_put(s, &s->boxes[i], false, key);
		flow_key_put(s, &s->boxes[i], true, end);
		d.sum += emit_elem_hash(&(struct emit_helem){
			.key = key, .key_end = end, .len = d.len,
			.verdict = true,
			.code = emit_verdict_code(&s->boxes[i].verdict),
			.chain = verdict_chain(&s->boxes[i].verdict) });
	}
	return d.sum;
}

/* A flow map's elements: each a box, its first key and its last. */
static void boxes_put(struct elem_msgs *m)
{
	const struct ir_set *s = m->set;
	struct nlattr *elem;
	size_t i;

	for (i = 0; i < s->n_boxes; i++) {
		if (m->nlh && m->nlh->nlmsg_len + 2 * ELEM_MAX > ELEMS_MSG_MAX)
			elem_msg_close(m);
		if (!m->nlh)
			elem_msg_open(m);
		elem = mnl_attr_nest_start(m->nlh, NFTA_LIST_ELEM);
		box_key_put(m->nlh, NFTA_SET_ELEM_KEY, s, &s->boxes[i], false);
		box_key_put(m->nlh, NFTA_SET_ELEM_KEY_END, s, &s->boxes[i],
			    true);
		elem_put_verdict(m->nlh, &s->boxes[i].verdict);
		mnl_attr_nest_end(m->nlh, elem);
	}
}

void emit_set(struct batch *b, const struct ir_set *s, const char *name,
	      uint32_t id)
{
	struct batch_origin o = {
		.what = BATCH_SET,
		.name = s->anonymous ? NULL : s->name,
		.loc = s->loc,
	};
	struct elem_msgs m = {
		.b = b, .set = s, .name = name, .id = id, .origin = &o,
		.type = NFT_MSG_NEWSETELEM,
	};

	set_new(b, s, name, id, &o);
	emit_set_walk(s, elem_put, &m);
	boxes_put(&m);
	elem_msg_close(&m);
}

void emit_set_flush(struct batch *b, const struct ir_set *s)
{
	struct batch_origin o = {
		.what = BATCH_SET, .name = s->name, .loc = s->loc,
	};
	struct elem_msgs m = {
		.b = b, .set = s, .name = s->name, .origin = &o,
		.type = NFT_MSG_DELSETELEM,
	};

	/* A DELSETELEM without a list of elements deletes them all. */
	m.nlh = batch_msg(b, m.type, EMIT_TABLE_FAMILY, 0, &o);
	mnl_attr_put_strz(m.nlh, NFTA_SET_ELEM_LIST_TABLE, IR_TABLE_NAME);
	mnl_attr_put_strz(m.nlh, NFTA_SET_ELEM_LIST_SET, s->name);
	batch_next(b);
	if (!s->n_boxes)
		return;
	m.type = NFT_MSG_NEWSETELEM;
	m.nlh = NULL;
	boxes_put(&m);
	elem_msg_close(&m);
}

void emit_set_elems(struct batch *b, const struct ir_set *s, bool add,
		    const struct emit_kelem *e, size_t n)
{
	struct batch_origin o = {
		.what = BATCH_SET, .name = s->name, .loc = s->loc,
	};
	struct elem_msgs m = {
		.b = b, .set = s, .name = s->name, .origin = &o,
		.type = add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM,
	};
	size_t i;

	/* Only what a start element of a map is mapped to is data. */
	for (i = 0; i < n; i++) {
		struct ir_verdict v = { .kind = e[i].kind,
					.chain = e[i].chain };

		elem_put(&m, e[i].key, e[i].flags,
			 add && s->is_vmap &&
			 !(e[i].flags & NFT_SET_ELEM_INTERVAL_END) ?
			 &v : NULL, add && e[i].open);
	}
	elem_msg_close(&m);
}
