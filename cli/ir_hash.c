// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Content hashes of rules and objects (FNV-1a, 64 bits, fed a word at a
 * time where it can: it runs for every rule of every apply). Fields are fed
 * one by one, never whole structs, so that padding and unused bytes do
 * not count; every string is fed with its terminator and a NULL one as a
 * marker byte, so that "ab" + "c" and "a" + "bc" differ.
 */
#include <linux/netfilter.h>
#include <string.h>

#include "ir_hash.h"

#define FNV_OFFSET	0xcbf29ce484222325ull
#define FNV_PRIME	0x100000001b3ull
/*
 * Bumped whenever the back end builds the same IR into different kernel
 * rules: keys written by an older fwctl then no longer match, and its
 * rules are replaced instead of kept.
 */
#define IR_HASH_VERSION	1

struct hash {
	uint64_t	h;
};

static void feed(struct hash *h, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t w;

	for (; len >= sizeof(w); len -= sizeof(w), p += sizeof(w)) {
		memcpy(&w, p, sizeof(w));
		h->h = (h->h ^ w) * FNV_PRIME;
		h->h ^= h->h >> 32;
	}
	for (; len; len--)
		h->h = (h->h ^ *p++) * FNV_PRIME;
}

static void feed_u64(struct hash *h, uint64_t v)
{
	feed(h, &v, sizeof(v));
}

static void feed_str(struct hash *h, const char *s)
{
	static const uint8_t null_marker = 0xff;

	if (s)
		feed(h, s, strlen(s) + 1);
	else
		feed(h, &null_marker, 1);
}

static void feed_value(struct hash *h, const struct ir_value *v,
		       enum ir_field f)
{
	feed(h, v->lo, ir_field_info[f].len);
	feed(h, v->hi, ir_field_info[f].len);
}

static void feed_set(struct hash *h, const struct ir_set *s);

static void feed_verdict(struct hash *h, const struct ir_verdict *v,
			 bool queue_xt)
{
	feed_u64(h, v->kind);
	switch (v->kind) {
	case IR_REJECT:
		feed_u64(h, v->reject);
		feed_u64(h, v->reject_code);
		break;
	case IR_JUMP:
	case IR_GOTO:
		feed_str(h, v->chain);
		break;
	case IR_VMAP:
		feed_u64(h, v->vmap_field);
		feed_set(h, v->vmap);
		break;
	case IR_QUEUE:
		feed_u64(h, v->queue.first);
		feed_u64(h, v->queue.count);
		feed_u64(h, v->queue.bypass | v->queue.fanout << 1 |
			    (unsigned)queue_xt << 2);
		break;
	default:
		break;
	}
}

/* A set's type and elements (not where they were written). */
static void feed_elems(struct hash *h, const struct ir_set *s)
{
	size_t i;

	feed_u64(h, s->field | s->interval << 8 | s->is_vmap << 9 |
		    s->dynamic << 10 | s->flow << 11);
	feed_u64(h, s->timeout_ms);
	feed_u64(h, s->n_elems);
	for (i = 0; i < s->n_elems; i++) {
		feed_value(h, &s->elems[i].value, s->field);
		if (s->is_vmap)
			feed_verdict(h, &s->elems[i].verdict, false);
	}
	/* A flow map's boxes; other sets hash as they did before maps. */
	if (s->n_boxes)
		feed_u64(h, s->n_boxes);
	for (i = 0; i < s->n_boxes; i++) {
		const enum ir_field *k = ir_flow_key(s->flow);
		size_t f;

		for (f = 0; f < IR_FLOW_FIELDS; f++)
			feed_value(h, &s->boxes[i].v[f], k[f]);
		feed_verdict(h, &s->boxes[i].verdict, false);
	}
}

/* A named set is referred to by name; its elements are diffed apart. */
static void feed_set(struct hash *h, const struct ir_set *s)
{
	if (!s) {
		feed_str(h, NULL);
		return;
	}
	if (!s->anonymous) {
		feed_str(h, s->name);
		return;
	}
	feed_elems(h, s);
}

static void feed_match(struct hash *h, const struct ir_match *m)
{
	feed_u64(h, m->field | m->op << 8);
	feed_u64(h, m->ct_mask | (uint64_t)m->mark_mask << 32);
	if (m->set)
		feed_set(h, m->set);
	else
		feed_value(h, &m->value, m->field);
}

static void feed_nat(struct hash *h, const struct ir_nat *n)
{
	feed_u64(h, n->kind | n->nfproto << 8 | n->has_addr << 16 |
		    n->has_port << 17 | n->random << 18 |
		    n->persistent << 19);
	if (n->has_addr)
		feed_value(h, &n->addr, n->nfproto == NFPROTO_IPV6 ? IR_IP6_SADDR :
							   IR_IP_SADDR);
	if (n->has_port)
		feed_value(h, &n->port, IR_TH_DPORT);
}

static void feed_statements(struct hash *h, const struct ir_rule *r)
{
	const struct ir_stmts *st = ir_rule_st(r);

	feed_u64(h, r->has_limit | r->has_log << 1 | r->counter << 2 |
		    r->has_connlimit << 3 | r->notrack << 4 |
		    r->ct_mark_from_meta << 5 | r->meta_mark_set << 6 |
		    st->priority.set << 7);
	if (r->has_limit) {
		feed_u64(h, st->limit.rate);
		feed_u64(h, st->limit.unit | (uint64_t)st->limit.burst << 8);
	}
	if (r->has_log)
		feed_str(h, st->log.prefix);
	if (r->has_connlimit) {
		feed_u64(h, st->connlimit.count | (uint64_t)st->connlimit.key
			    << 32);
		feed_set(h, st->connlimit.set);
	}
	feed_nat(h, &st->nat);
	feed_u64(h, st->obj_kind);
	if (st->obj_kind != IR_OBJ_NONE)
		feed_str(h, st->obj);
	if (st->priority.set) {
		feed_u64(h, st->priority.value |
			    (uint64_t)st->priority.hash_mod << 32);
		feed_u64(h, st->priority.hash_field);
	}
	if (r->meta_mark_set)
		feed_u64(h, st->meta_mark_and |
			    (uint64_t)st->meta_mark_xor << 32);
	if (r->flow_add)
		feed_str(h, r->flow_add->name);
}

uint64_t ir_rule_key(const struct ir_rule *r, bool queue_xt)
{
	struct hash h = { FNV_OFFSET };
	size_t i;

	feed_u64(&h, IR_HASH_VERSION);
	feed_u64(&h, r->n_matches);
	for (i = 0; i < r->n_matches; i++)
		feed_match(&h, &r->matches[i]);
	feed_statements(&h, r);
	feed_verdict(&h, &r->verdict, queue_xt);
	/* What the userdata says, except the location. */
	feed_u64(&h, r->loc.file != NULL);
	feed_str(&h, r->loc.file ? r->comment : r->why);
	feed_str(&h, r->text);
	return h.h;
}

uint64_t ir_set_elems_key(const struct ir_set *s)
{
	struct hash h = { FNV_OFFSET };

	feed_u64(&h, IR_HASH_VERSION);
	feed_elems(&h, s);
	return h.h;
}

uint64_t ir_object_key(const struct ir_object *o)
{
	struct hash h = { FNV_OFFSET };
	size_t i;

	feed_u64(&h, IR_HASH_VERSION);
	feed_u64(&h, o->kind | o->l4proto << 8);
	feed_str(&h, o->name);
	feed_str(&h, o->helper);
	for (i = 0; i < IR_TIMEOUT_STATES; i++)
		feed_u64(&h, o->timeout[i]);
	return h.h;
}
