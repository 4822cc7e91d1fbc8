// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The IR run on one packet, as nf_tables runs what the back ends emit
 * (see ir_eval.h for the model). What the emitters decide is asked of
 * them, not guessed: the reject a rule sends (emit_reject_of) and the
 * checks nft puts before a reject, and how a map element's verdict is
 * encoded (a map element cannot reject or queue: it drops).
 */
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "emit.h"
#include "ir_eval.h"

#define JUMP_STACK_MAX	16	/* NFT_JUMP_STACK_SIZE */

/* The fields a packet has, loaded as the kernel loads them. */
struct regs {
	uint8_t		v[IR_FIELD_COUNT][IR_VALUE_MAX];
	uint32_t	have;		/* bit per field */
};

struct frame {
	const struct ir_chain	*chain;
	size_t			next;	/* the rule to go on with */
};

struct walk {
	const struct ir_table		*t;
	const struct ir_packet		*p;
	const struct ir_eval_trace	*trace;
	struct ir_eval_result		*res;
	struct regs			r;
	struct frame			stack[JUMP_STACK_MAX];
	unsigned			depth;
};

static void reg_put(struct regs *r, enum ir_field f, const void *v)
{
	memcpy(r->v[f], v, ir_field_info[f].len);
	r->have |= 1u << f;
}

static void reg_put_u16(struct regs *r, enum ir_field f, uint16_t host)
{
	uint16_t be = htons(host);

	reg_put(r, f, &be);
}

static bool is_icmp(const struct ir_packet *p)
{
	return p->l4proto == IPPROTO_ICMP || p->l4proto == IPPROTO_ICMPV6;
}

/* th sport and dport: the first four bytes of any transport header. */
static void regs_transport(struct regs *r, const struct ir_packet *p)
{
	bool v4 = p->nfproto == NFPROTO_IPV4;

	if (!p->has_th)
		return;
	if (!is_icmp(p)) {
		reg_put_u16(r, IR_TH_SPORT, p->sport);
		reg_put_u16(r, IR_TH_DPORT, p->dport);
		return;
	}
	reg_put_u16(r, IR_TH_SPORT,
		    (uint16_t)(p->icmp_type << 8 | p->icmp_code));
	reg_put_u16(r, IR_TH_DPORT, p->icmp_csum);
	/* icmp type carries nft's nfproto and l4proto checks. */
	if (v4 && p->l4proto == IPPROTO_ICMP)
		reg_put(r, IR_ICMP_TYPE, &p->icmp_type);
	if (!v4 && p->l4proto == IPPROTO_ICMPV6)
		reg_put(r, IR_ICMPV6_TYPE, &p->icmp_type);
}

static void regs_load(struct regs *r, const struct ir_packet *p)
{
	bool v4 = p->nfproto == NFPROTO_IPV4;
	/* No conntrack entry: ct keys but the state fail to load. */
	bool ct = !(p->ct_state & (IR_CT_INVALID | IR_CT_UNTRACKED));

	memset(r, 0, sizeof(*r));
	reg_put(r, IR_IIFNAME, p->iifname);
	reg_put(r, IR_OIFNAME, p->oifname);
	reg_put(r, IR_NFPROTO, &p->nfproto);
	reg_put(r, IR_L4PROTO, &p->l4proto);
	reg_put(r, v4 ? IR_IP_SADDR : IR_IP6_SADDR, p->saddr);
	reg_put(r, v4 ? IR_IP_DADDR : IR_IP6_DADDR, p->daddr);
	regs_transport(r, p);
	reg_put(r, IR_CT_STATE, &p->ct_state);
	if (ct) {
		reg_put(r, IR_CT_STATUS, &p->ct_status);
		reg_put(r, IR_CT_MARK, &p->ct_mark);
	}
	reg_put(r, IR_FIB_DADDR_TYPE, &p->fib_daddr_type);
	reg_put(r, IR_META_MARK, &p->meta_mark);
}

static bool in_value(const struct ir_value *v, const uint8_t *x, unsigned len)
{
	return memcmp(v->lo, x, len) <= 0 && memcmp(x, v->hi, len) <= 0;
}

/* Elements are sorted and disjoint: a binary search, as the kernel's. */
static const struct ir_elem *set_find(const struct ir_set *s,
				      const uint8_t *x, unsigned len)
{
	size_t lo = 0, hi = s->n_elems;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ir_value *v = &s->elems[mid].value;

		if (memcmp(x, v->lo, len) < 0)
			hi = mid;
		else if (memcmp(v->hi, x, len) < 0)
			lo = mid + 1;
		else
			return &s->elems[mid];
	}
	return NULL;
}

/*
 * The verdict of a flow map's box the packet is in; NULL when it is in
 * none or lacks a field of the key (the kernel's load ends the rule).
 */
static const struct ir_verdict *box_find(const struct regs *r,
					 const struct ir_set *s)
{
	const enum ir_field *k = ir_flow_key(s->flow);
	size_t i, f;

	for (f = 0; f < IR_FLOW_FIELDS; f++)
		if (!(r->have & 1u << k[f]))
			return NULL;
	for (i = 0; i < s->n_boxes; i++) {
		for (f = 0; f < IR_FLOW_FIELDS; f++)
			if (!in_value(&s->boxes[i].v[f], r->v[k[f]],
				      ir_field_info[k[f]].len))
				break;
		if (f == IR_FLOW_FIELDS)
			return &s->boxes[i].verdict;
	}
	return NULL;
}

static uint32_t reg_u32(const struct regs *r, enum ir_field f)
{
	uint32_t v;

	memcpy(&v, r->v[f], sizeof(v));
	return v;
}

static bool match_hit(struct walk *w, const struct ir_match *m)
{
	const uint8_t *x = w->r.v[m->field];
	unsigned len = ir_field_info[m->field].len;
	uint32_t masked;

	if (m->set) {
		w->res->lookups++;
		/* A flow cache holds what the kernel put in it: as if empty,
		 * every packet is the first of its flow (the tree decides). */
		return !m->set->flow && set_find(m->set, x, len) != NULL;
	}
	if (m->field == IR_CT_STATE || m->field == IR_CT_STATUS)
		return (reg_u32(&w->r, m->field) & m->ct_mask) != 0;
	if (m->mark_mask) {
		masked = reg_u32(&w->r, m->field) & m->mark_mask;
		return !memcmp(&masked, m->value.lo, sizeof(masked));
	}
	return in_value(&m->value, x, len);
}

/* A field the packet lacks ends the rule, even under `!=`. */
static bool match_one(struct walk *w, const struct ir_match *m)
{
	w->res->matches++;
	if (!(w->r.have & 1u << m->field))
		return false;
	return match_hit(w, m) == (m->op == IR_EQ);
}

/* The checks nft puts at the head of a reject rule. */
static bool reject_fits(const struct ir_rule *r, const struct ir_packet *p)
{
	struct emit_reject rj;

	if (r->verdict.kind != IR_REJECT)
		return true;
	rj = emit_reject_of(r);
	if (rj.kind == IR_REJECT_TCP_RESET)
		return p->l4proto == IPPROTO_TCP;
	if (rj.kind == IR_REJECT_ICMP)
		return p->nfproto == NFPROTO_IPV4;
	if (rj.kind == IR_REJECT_ICMPV6)
		return p->nfproto == NFPROTO_IPV6;
	return true;
}

/* Matches, then ct count and limit, which come before the verdict. */
static bool rule_matches(struct walk *w, const struct ir_rule *r)
{
	size_t i;

	if (!reject_fits(r, w->p))
		return false;
	for (i = 0; i < r->n_matches; i++)
		if (!match_one(w, &r->matches[i]))
			return false;
	if (r->has_connlimit &&
	    (w->p->over_connlimit ||
	     (ir_rule_st(r)->connlimit.set &&
	      !(w->r.have & 1u << ir_rule_st(r)->connlimit.key))))
		return false;
	return !(r->has_limit && w->p->over_limit);
}

/* The statements that change what later rules see, in emit order. */
static void rule_actions(struct walk *w, const struct ir_rule *r)
{
	const struct ir_stmts *st = ir_rule_st(r);
	uint32_t mark;

	if (r->ct_mark_from_meta && (w->r.have & 1u << IR_CT_MARK))
		memcpy(w->r.v[IR_CT_MARK], w->r.v[IR_META_MARK], 4);
	if (st->priority.set) {
		w->res->priority_set = true;
		w->res->priority_hashed = st->priority.hash_mod != 0;
		w->res->priority = st->priority.value;
	}
	if (r->meta_mark_set) {
		mark = (reg_u32(&w->r, IR_META_MARK) & st->meta_mark_and) ^
		       st->meta_mark_xor;
		memcpy(w->r.v[IR_META_MARK], &mark, sizeof(mark));
	}
}

static void decide(struct walk *w, const struct ir_chain *c,
		   const struct ir_rule *r, const struct ir_elem *e,
		   enum ir_verdict_kind kind)
{
	struct ir_eval_result *res = w->res;
	struct emit_reject rj;

	res->kind = kind;
	res->chain = c;
	res->rule = r;
	res->elem = e;
	res->loc = e && e->loc.file ? e->loc : r->loc;
	res->text = e && e->loc.file ? NULL : r->text;
	if (kind == IR_REJECT) {
		rj = emit_reject_of(r);
		res->reject = rj.kind;
		res->reject_code = rj.code;
	}
	if (kind == IR_QUEUE)
		res->queue = r->verdict.queue;
}

/* What the kernel does with a map element's verdict, as emitted. */
static enum ir_verdict_kind elem_kind(const struct ir_elem *e)
{
	switch (e->verdict.kind) {
	case IR_REJECT:
	case IR_VMAP:
	case IR_QUEUE:
		return IR_DROP;		/* see emit_verdict_code() */
	default:
		return e->verdict.kind;
	}
}

enum step { STEP_NEXT, STEP_DONE, STEP_ENTER, STEP_RETURN };

/*
 * A flow cache's "add the flow, then accept" (or drop) chain that a tree's
 * verdict goes to (opt_flow.c): the verdict, which the rule that went
 * there decided; IR_VERDICT_NONE for any other chain.
 */
static enum ir_verdict_kind flow_decision(const struct ir_table *t,
					  const struct ir_verdict *v)
{
	const struct ir_chain *c = ir_table_find_chain(t, v->chain);

	if (!c || c->n_rules != 2 || !c->rules[0].flow_add)
		return IR_VERDICT_NONE;
	return c->rules[1].verdict.kind;
}

static enum step enter(struct walk *w, const struct ir_verdict *v,
		       enum ir_verdict_kind kind, const struct ir_chain *from,
		       size_t next, const struct ir_chain **to)
{
	*to = ir_table_find_chain(w->t, v->chain);
	if (!*to) {
		w->res->error = IR_EVAL_NO_CHAIN;
		w->res->error_chain = v->chain;
		return STEP_DONE;
	}
	if (kind == IR_GOTO)
		return STEP_ENTER;
	if (w->depth == JUMP_STACK_MAX) {
		w->res->error = IR_EVAL_TOO_DEEP;
		return STEP_DONE;
	}
	w->stack[w->depth++] = (struct frame){ from, next };
	return STEP_ENTER;
}

static enum step rule_verdict(struct walk *w, const struct ir_chain *c,
			      size_t i, const struct ir_chain **to)
{
	const struct ir_rule *r = &c->rules[i];
	const struct ir_verdict *v = &r->verdict;
	const struct ir_elem *e = NULL;
	enum ir_verdict_kind kind = v->kind;

	if (kind == IR_VMAP && v->vmap->flow) {
		w->res->lookups++;
		if (!(v = box_find(&w->r, v->vmap)))
			return STEP_NEXT;
		kind = v->kind;
	} else if (kind == IR_VMAP) {
		if (!(w->r.have & 1u << v->vmap_field))
			return STEP_NEXT;
		w->res->lookups++;
		e = set_find(v->vmap, w->r.v[v->vmap_field],
			     ir_field_info[v->vmap_field].len);
		if (!e)
			return STEP_NEXT;
		v = &e->verdict;
		kind = elem_kind(e);
	}
	if (kind == IR_VERDICT_NONE)
		return STEP_NEXT;
	if (kind == IR_RETURN)
		return STEP_RETURN;
	if (w->trace)
		w->trace->taken(w->trace->ctx, c, r, e);
	if (kind == IR_GOTO) {
		enum ir_verdict_kind fd = flow_decision(w->t, v);

		if (fd != IR_VERDICT_NONE)
			kind = fd;
	}
	if (kind == IR_JUMP || kind == IR_GOTO)
		return enter(w, v, kind, c, i + 1, to);
	decide(w, c, r, e, kind);
	return STEP_DONE;
}

/* Runs chain c from rule i; *to gets the chain entered, if any. */
static enum step chain_run(struct walk *w, const struct ir_chain *c,
			   size_t i, const struct ir_chain **to)
{
	enum step s;

	for (; i < c->n_rules; i++) {
		w->res->rules++;
		if (!rule_matches(w, &c->rules[i]))
			continue;
		rule_actions(w, &c->rules[i]);
		s = rule_verdict(w, c, i, to);
		if (s == STEP_RETURN)
			return STEP_NEXT;	/* as at the chain's end */
		if (s != STEP_NEXT)
			return s;
	}
	return STEP_NEXT;
}

static void walk_run(struct walk *w, const struct ir_chain *base)
{
	const struct ir_chain *c = base, *to = NULL;
	unsigned entered = w->res->rules;	/* when c was entered */
	size_t i = 0;

	for (;;) {
		enum step s = chain_run(w, c, i, &to);

		if (s == STEP_DONE)
			return;
		if (s == STEP_ENTER) {
			c = to;
			i = 0;
			entered = w->res->rules;
			continue;
		}
		w->res->missed += w->res->rules - entered;
		entered = w->res->rules;
		if (!w->depth)
			break;
		w->depth--;
		c = w->stack[w->depth].chain;
		i = w->stack[w->depth].next;
	}
	/* Fell off the start chain: its policy, or nothing to say. */
	w->res->chain = base;
	if (base->hook == IR_HOOK_NONE)
		return;
	w->res->policy = true;
	w->res->kind = base->policy_drop ? IR_DROP : IR_ACCEPT;
	w->res->loc = base->policy_loc;
}

void ir_eval_chain(const struct ir_table *t, const struct ir_chain *c,
		   const struct ir_packet *p, const struct ir_eval_trace *trace,
		   struct ir_eval_result *res)
{
	struct walk w = { .t = t, .p = p, .trace = trace, .res = res };

	memset(res, 0, sizeof(*res));
	regs_load(&w.r, p);
	walk_run(&w, c);
	res->meta_mark = reg_u32(&w.r, IR_META_MARK);
	res->ct_mark = reg_u32(&w.r, IR_CT_MARK);
}

/* The filter base chain at hook after priority prio (and c), or NULL. */
static const struct ir_chain *hook_next(const struct ir_table *t,
					enum ir_hook hook,
					const struct ir_chain *after)
{
	const struct ir_chain *best = NULL;
	size_t i;

	for (i = 0; i < t->n_chains; i++) {
		const struct ir_chain *c = t->chains[i];

		if (c->hook != hook || c->type != IR_CHAIN_FILTER)
			continue;
		if (after && (c->priority < after->priority ||
			      (c->priority == after->priority && c <= after)))
			continue;
		if (!best || c->priority < best->priority)
			best = c;
	}
	return best;
}

void ir_eval_hook(const struct ir_table *t, enum ir_hook hook,
		  const struct ir_packet *p, const struct ir_eval_trace *trace,
		  struct ir_eval_result *res)
{
	const struct ir_chain *c = hook_next(t, hook, NULL);
	struct ir_eval_result next;

	if (!c) {
		memset(res, 0, sizeof(*res));
		res->kind = IR_ACCEPT;
		res->policy = true;
		return;
	}
	ir_eval_chain(t, c, p, trace, res);
	while (res->kind == IR_ACCEPT && !res->error &&
	       (c = hook_next(t, hook, c))) {
		ir_eval_chain(t, c, p, trace, &next);
		next.rules += res->rules;
		next.matches += res->matches;
		next.lookups += res->lookups;
		if (next.kind == IR_ACCEPT && !next.error) {
			res->rules = next.rules;
			res->matches = next.matches;
			res->lookups = next.lookups;
			continue;
		}
		*res = next;
	}
}

static bool loc_same(const struct fw_loc *a, const struct fw_loc *b)
{
	if (!a->file || !b->file)
		return a->file == b->file;
	return !strcmp(a->file, b->file) && a->line == b->line &&
	       a->col == b->col;
}

bool ir_eval_same(const struct ir_eval_result *a,
		  const struct ir_eval_result *b)
{
	return loc_same(&a->loc, &b->loc) && ir_eval_same_verdict(a, b);
}

bool ir_eval_same_verdict(const struct ir_eval_result *a,
			  const struct ir_eval_result *b)
{
	if (a->error || b->error)
		return false;
	if (a->kind != b->kind || a->policy != b->policy)
		return false;
	if (a->kind == IR_REJECT)
		return a->reject == b->reject &&
		       a->reject_code == b->reject_code;
	if (a->kind == IR_QUEUE)
		return !memcmp(&a->queue, &b->queue, sizeof(a->queue));
	return true;
}

static const char *const kind_names[] = {
	[IR_VERDICT_NONE] = "none", [IR_ACCEPT] = "accept",
	[IR_DROP] = "drop", [IR_REJECT] = "reject", [IR_JUMP] = "jump",
	[IR_GOTO] = "goto", [IR_VMAP] = "vmap", [IR_QUEUE] = "queue",
	[IR_RETURN] = "return",
};

void ir_eval_describe(const struct ir_eval_result *r, char *buf,
		      size_t size)
{
	char rj[32] = "";

	if (r->error) {
		snprintf(buf, size, "error: %s %s",
			 r->error == IR_EVAL_NO_CHAIN ? "no chain" :
			 "jumps too deep", r->error_chain ? r->error_chain :
			 "");
		return;
	}
	if (r->kind == IR_REJECT)
		snprintf(rj, sizeof(rj), " (kind %d code %u)", r->reject,
			 r->reject_code);
	snprintf(buf, size, "%s%s%s in %s by %s:%u:%u%s%s%s",
		 kind_names[r->kind], rj, r->policy ? " by policy" : "",
		 r->chain ? r->chain->name : "-",
		 r->loc.file ? r->loc.file : "built-in", r->loc.line,
		 r->loc.col, r->text ? " (" : "", r->text ? r->text : "",
		 r->text ? ")" : "");
}

static void addr_text(const struct ir_packet *p, const uint8_t *a,
		      char *buf, size_t size)
{
	int af = p->nfproto == NFPROTO_IPV4 ? AF_INET : AF_INET6;

	if (!inet_ntop(af, a, buf, (socklen_t)size))
		snprintf(buf, size, "?");
}

void ir_packet_describe(const struct ir_packet *p, char *buf, size_t size)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	addr_text(p, p->saddr, s, sizeof(s));
	addr_text(p, p->daddr, d, sizeof(d));
	snprintf(buf, size, "ipv%d iif '%.16s' oif '%.16s' proto %u %s -> %s "
		 "%s sport %u dport %u icmp %u/%u csum %u ct 0x%x status 0x%x "
		 "mark %u/%u fib %u%s%s",
		 p->nfproto == NFPROTO_IPV4 ? 4 : 6, p->iifname, p->oifname,
		 p->l4proto, s, d, p->has_th ? "" : "fragment", p->sport,
		 p->dport, p->icmp_type, p->icmp_code, p->icmp_csum,
		 p->ct_state, p->ct_status, p->meta_mark, p->ct_mark,
		 p->fib_daddr_type, p->over_limit ? " over-limit" : "",
		 p->over_connlimit ? " over-connlimit" : "");
}
