// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The nft text back end: `fwctl export` and the golden tests. What it
 * prints, fed to `nft -f`, builds exactly what the batch back end sends
 * (see emit.h for the choices the two share, and the round-trip test).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "export.h"
#include "fwctl.h"

struct sym {
	unsigned	value;
	const char	*name;
};

static const struct sym nfprotos[] = {
	{ NFPROTO_IPV4, "ipv4" }, { NFPROTO_IPV6, "ipv6" },
};

static const struct sym l4protos[] = {
	{ IPPROTO_ICMP, "icmp" }, { IPPROTO_TCP, "tcp" },
	{ IPPROTO_UDP, "udp" }, { IPPROTO_ICMPV6, "icmpv6" },
};

static const struct sym ct_states[] = {
	{ IR_CT_INVALID, "invalid" }, { IR_CT_ESTABLISHED, "established" },
	{ IR_CT_RELATED, "related" }, { IR_CT_NEW, "new" },
	{ IR_CT_UNTRACKED, "untracked" },
};

static const struct sym icmp_types[] = {
	{ 0, "echo-reply" }, { 3, "destination-unreachable" },
	{ 5, "redirect" }, { 8, "echo-request" },
	{ 9, "router-advertisement" }, { 10, "router-solicitation" },
	{ 11, "time-exceeded" }, { 12, "parameter-problem" },
};

static const struct sym icmpv6_types[] = {
	{ 1, "destination-unreachable" }, { 2, "packet-too-big" },
	{ 3, "time-exceeded" }, { 4, "parameter-problem" },
	{ 128, "echo-request" }, { 129, "echo-reply" },
	{ 133, "nd-router-solicit" }, { 134, "nd-router-advert" },
	{ 135, "nd-neighbor-solicit" }, { 136, "nd-neighbor-advert" },
	{ 137, "nd-redirect" },
};

static const struct sym icmpx_codes[] = {
	{ NFT_REJECT_ICMPX_NO_ROUTE, "no-route" },
	{ NFT_REJECT_ICMPX_PORT_UNREACH, "port-unreachable" },
	{ NFT_REJECT_ICMPX_HOST_UNREACH, "host-unreachable" },
	{ NFT_REJECT_ICMPX_ADMIN_PROHIBITED, "admin-prohibited" },
};

static const struct sym icmp_codes[] = {
	{ 0, "net-unreachable" }, { 1, "host-unreachable" },
	{ 2, "prot-unreachable" }, { 3, "port-unreachable" },
	{ 9, "net-prohibited" }, { 10, "host-prohibited" },
	{ 13, "admin-prohibited" },
};

static const struct sym icmpv6_codes[] = {
	{ 0, "no-route" }, { 1, "admin-prohibited" },
	{ 3, "addr-unreachable" }, { 4, "port-unreachable" },
	{ 5, "policy-fail" }, { 6, "reject-route" },
};

#define SYMS(t)	t, sizeof(t) / sizeof(t[0])

/* A known name, else the number, which nft reads as well. */
static void print_sym(FILE *out, const struct sym *t, size_t n, unsigned v)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (t[i].value == v) {
			fputs(t[i].name, out);
			return;
		}
	}
	fprintf(out, "%u", v);
}

/* A big-endian number of len bytes. */
static void print_number(FILE *out, const uint8_t *v, unsigned len)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < len && i < sizeof(n); i++)
		n = n << 8 | v[i];
	fprintf(out, "%" PRIu64, n);
}

static void print_ifname(FILE *out, const uint8_t *v)
{
	fprintf(out, "\"%.*s\"", IFNAMSIZ, (const char *)v);
}

static void print_nfproto(FILE *out, const uint8_t *v)
{
	print_sym(out, SYMS(nfprotos), v[0]);
}

static void print_l4proto(FILE *out, const uint8_t *v)
{
	print_sym(out, SYMS(l4protos), v[0]);
}

static void print_ipv4(FILE *out, const uint8_t *v)
{
	char buf[INET_ADDRSTRLEN];

	fputs(inet_ntop(AF_INET, v, buf, sizeof(buf)), out);
}

static void print_ipv6(FILE *out, const uint8_t *v)
{
	char buf[INET6_ADDRSTRLEN];

	fputs(inet_ntop(AF_INET6, v, buf, sizeof(buf)), out);
}

static void print_port(FILE *out, const uint8_t *v)
{
	print_number(out, v, 2);
}

/* ct state keys are host-order bit masks, printed "established,related". */
static void print_ct_state_mask(FILE *out, uint32_t mask)
{
	const char *sep = "";
	size_t i;

	for (i = 0; i < sizeof(ct_states) / sizeof(ct_states[0]); i++) {
		if (mask & ct_states[i].value) {
			fprintf(out, "%s%s", sep, ct_states[i].name);
			sep = ",";
			mask &= ~ct_states[i].value;
		}
	}
	if (mask || !*sep)
		fprintf(out, "%s0x%" PRIx32, sep, mask);
}

static void print_ct_state(FILE *out, const uint8_t *v)
{
	uint32_t mask;

	memcpy(&mask, v, sizeof(mask));
	print_ct_state_mask(out, mask);
}

static const struct sym ct_statuses[] = {
	{ IR_CT_STATUS_DNAT, "dnat" },
};

static void print_ct_status(FILE *out, const uint8_t *v)
{
	uint32_t mask;

	memcpy(&mask, v, sizeof(mask));
	print_sym(out, SYMS(ct_statuses), mask);
}

static const struct sym fib_types[] = {
	{ 2, "local" },		/* RTN_LOCAL */
};

static void print_fib_type(FILE *out, const uint8_t *v)
{
	uint32_t type;

	memcpy(&type, v, sizeof(type));
	print_sym(out, SYMS(fib_types), type);
}

static void print_icmp_type(FILE *out, const uint8_t *v)
{
	print_sym(out, SYMS(icmp_types), v[0]);
}

static void print_icmpv6_type(FILE *out, const uint8_t *v)
{
	print_sym(out, SYMS(icmpv6_types), v[0]);
}

static void print_mark(FILE *out, const uint8_t *v)
{
	uint32_t mark;

	memcpy(&mark, v, sizeof(mark));
	fprintf(out, "0x%08" PRIx32, mark);
}

typedef void (*value_print_fn)(FILE *out, const uint8_t *v);

static const value_print_fn value_printers[IR_FIELD_COUNT] = {
	[IR_IIFNAME]	 = print_ifname,
	[IR_OIFNAME]	 = print_ifname,
	[IR_NFPROTO]	 = print_nfproto,
	[IR_L4PROTO]	 = print_l4proto,
	[IR_IP_SADDR]	 = print_ipv4,
	[IR_IP_DADDR]	 = print_ipv4,
	[IR_IP6_SADDR]	 = print_ipv6,
	[IR_IP6_DADDR]	 = print_ipv6,
	[IR_TH_SPORT]	 = print_port,
	[IR_TH_DPORT]	 = print_port,
	[IR_CT_STATE]	 = print_ct_state,
	[IR_ICMP_TYPE]	 = print_icmp_type,
	[IR_ICMPV6_TYPE] = print_icmpv6_type,
	[IR_CT_STATUS]	 = print_ct_status,
	[IR_FIB_DADDR_TYPE] = print_fib_type,
	[IR_CT_MARK]	 = print_mark,
	[IR_META_MARK]	 = print_mark,
};

/* A single value, a prefix (CIDR or "eth*") where nft has one, or a-b. */
static void print_interval(FILE *out, enum ir_field f,
			   const struct ir_value *v)
{
	unsigned len = ir_field_info[f].len, plen;

	if (ir_value_is_single(v, len)) {
		value_printers[f](out, v->lo);
	} else if (emit_keys[f].prefix && ir_value_is_prefix(v, len, &plen)) {
		if (f == IR_IIFNAME || f == IR_OIFNAME) {
			fprintf(out, "\"%.*s*\"", (int)(plen / 8),
				(const char *)v->lo);
			return;
		}
		value_printers[f](out, v->lo);
		fprintf(out, "/%u", plen);
	} else if (emit_keys[f].prefix) {
		value_printers[f](out, v->lo);
		fputc('-', out);
		value_printers[f](out, v->hi);
	} else {
		/* Numbers: names joined by '-' would read as one name. */
		print_number(out, v->lo, len);
		fputc('-', out);
		print_number(out, v->hi, len);
	}
}

static void print_verdict(FILE *out, const struct ir_verdict *v)
{
	static const char *const words[] = {
		[IR_VERDICT_NONE] = "continue", [IR_ACCEPT] = "accept",
		[IR_DROP] = "drop", [IR_REJECT] = "drop", [IR_VMAP] = "drop",
		[IR_JUMP] = "jump", [IR_GOTO] = "goto", [IR_QUEUE] = "queue",
		[IR_RETURN] = "return",
	};

	fputs(words[v->kind], out);
	if (v->kind == IR_JUMP || v->kind == IR_GOTO)
		fprintf(out, " %s", v->chain);
}

/* The elements, sep between them; wrap: line break every so many. */
static void print_elems(FILE *out, const struct ir_set *s, const char *wrap)
{
	struct emit_elem_iter it;
	struct ir_elem e;
	size_t n = 0;

	emit_elem_iter_init(&it, s);
	while (emit_elem_iter_next(&it, &e)) {
		if (n)
			fputs(wrap && n % 4 == 0 ? wrap : ", ", out);
		print_interval(out, s->field, &e.value);
		if (s->is_vmap) {
			fputs(" : ", out);
			print_verdict(out, &e.verdict);
		}
		n++;
	}
}

/* "lo-hi . lo-hi . ... : verdict" */
static void print_box(FILE *out, const struct ir_set *s,
		      const struct ir_flow_elem *e)
{
	const enum ir_field *k = ir_flow_key(s->flow);
	size_t f;

	for (f = 0; f < IR_FLOW_FIELDS; f++) {
		fputs(f ? " . " : "", out);
		print_interval(out, k[f], &e->v[f]);
	}
	fputs(" : ", out);
	print_verdict(out, &e->verdict);
}

/* A flow map's elements, sep between them. */
static void print_boxes(FILE *out, const struct ir_set *s, const char *sep)
{
	size_t i;

	for (i = 0; i < s->n_boxes; i++) {
		fputs(i ? sep : "", out);
		print_box(out, s, &s->boxes[i]);
	}
}

static void print_set_ref(FILE *out, const struct ir_set *s)
{
	if (!s->anonymous) {
		fprintf(out, "@%s", s->name);
		return;
	}
	fputs("{ ", out);
	print_elems(out, s, NULL);
	fputs(" }", out);
}

/* "ip saddr . ip daddr . meta l4proto . th sport . th dport" */
static void print_flow_key(FILE *out, uint8_t nfproto)
{
	const enum ir_field *k = ir_flow_key(nfproto);
	size_t i;

	for (i = 0; i < IR_FLOW_FIELDS; i++)
		fprintf(out, "%s%s", i ? " . " : "", ir_field_info[k[i]].nft);
}

/* == a range open at one end: one comparison (emit_match_open()). */
static void print_open(FILE *out, const struct ir_match *m,
		       enum ir_open open)
{
	unsigned len = ir_field_info[m->field].len;
	const uint8_t *end = open == IR_OPEN_ABOVE ? m->value.lo : m->value.hi;

	fputs(open == IR_OPEN_ABOVE ? ">= " : "<= ", out);
	if (emit_keys[m->field].prefix)
		value_printers[m->field](out, end);
	else
		print_number(out, end, len);
}

static void print_match(FILE *out, const struct ir_match *m)
{
	const char *ne = m->op == IR_NE ? "!= " : "";
	enum ir_open open;

	if (m->set && m->set->flow) {
		print_flow_key(out, m->set->flow);
		fprintf(out, " %s@%s ", ne, m->set->name);
		return;
	}
	fprintf(out, "%s %s", ir_field_info[m->field].nft,
		m->mark_mask ? "& " : "");
	if (m->set) {
		fputs(ne, out);
		print_set_ref(out, m->set);
	} else if (m->field == IR_CT_STATE || m->field == IR_CT_STATUS) {
		/* "!": none of the bits; "!=" would compare the whole mask. */
		fputs(m->op == IR_NE ? "! " : "", out);
		if (m->field == IR_CT_STATE)
			print_ct_state_mask(out, m->ct_mask);
		else
			print_ct_status(out, (const uint8_t *)&m->ct_mask);
	} else if (m->mark_mask) {
		print_mark(out, (const uint8_t *)&m->mark_mask);
		fprintf(out, " %s ", m->op == IR_NE ? "!=" : "==");
		print_mark(out, m->value.lo);
	} else if ((open = emit_match_open(m)) != IR_OPEN_NONE) {
		print_open(out, m, open);
	} else {
		fputs(ne, out);
		print_interval(out, m->field, &m->value);
	}
	fputc(' ', out);
}

static void print_reject(FILE *out, const struct ir_rule *r)
{
	struct emit_reject rj = emit_reject_of(r);

	fputs("reject with ", out);
	if (rj.kind == IR_REJECT_TCP_RESET) {
		fputs("tcp reset", out);
	} else if (rj.kind == IR_REJECT_ICMPX) {
		fputs("icmpx ", out);
		print_sym(out, SYMS(icmpx_codes), rj.code);
	} else if (rj.kind == IR_REJECT_ICMP) {
		fputs("icmp ", out);
		print_sym(out, SYMS(icmp_codes), rj.code);
	} else {
		fputs("icmpv6 ", out);
		print_sym(out, SYMS(icmpv6_codes), rj.code);
	}
}

/* ct count N, or per key: add @set { ip saddr ct count N } */
static void print_connlimit(FILE *out, const struct ir_connlimit *c)
{
	if (c->set)
		fprintf(out, "add @%s { %s ct count %" PRIu32 " } ",
			c->set->name, ir_field_info[c->key].nft, c->count);
	else
		fprintf(out, "ct count %" PRIu32 " ", c->count);
}

/* ADDR, ADDR-ADDR, [ADDR6]:PORT; nft wants brackets for v6 with a port. */
static void print_nat_target(FILE *out, const struct ir_nat *n)
{
	bool v6 = n->nfproto == NFPROTO_IPV6;
	enum ir_field f = v6 ? IR_IP6_DADDR : IR_IP_DADDR;

	if (n->has_addr) {
		fputs(v6 ? "ip6 to " : "ip to ", out);
		if (v6 && n->has_port)
			fputc('[', out);
		value_printers[f](out, n->addr.lo);
		if (!ir_value_is_single(&n->addr, ir_field_info[f].len)) {
			fputs(v6 && n->has_port ? "]-[" : "-", out);
			value_printers[f](out, n->addr.hi);
		}
		if (v6 && n->has_port)
			fputc(']', out);
	} else if (n->has_port && n->kind != IR_NAT_MASQ) {
		fputs("to ", out);
	}
	if (!n->has_port)
		return;
	fputs(n->kind == IR_NAT_MASQ ? "to :" : ":", out);
	print_number(out, n->port.lo, 2);
	if (!ir_value_is_single(&n->port, 2)) {
		fputc('-', out);
		print_number(out, n->port.hi, 2);
	}
}

static void print_nat(FILE *out, const struct ir_nat *n)
{
	static const char *const words[] = {
		[IR_NAT_SNAT] = "snat", [IR_NAT_DNAT] = "dnat",
		[IR_NAT_MASQ] = "masquerade", [IR_NAT_REDIRECT] = "redirect",
	};
	const char *sep = " ";

	fprintf(out, "%s ", words[n->kind]);
	if (n->has_addr || n->has_port) {
		print_nat_target(out, n);
		fputc(' ', out);
	}
	if (n->random) {
		fputs("random", out);
		sep = ",";
	}
	if (n->persistent)
		fprintf(out, "%spersistent", n->random ? sep : "");
	if (n->random || n->persistent)
		fputc(' ', out);
}

/* As nft prints it: a class handle major:minor in hex, or a jhash. */
static void print_priority(FILE *out, const struct ir_priority *p)
{
	if (!p->set)
		return;
	if (!p->hash_mod) {
		fprintf(out, "meta priority set %x:%x ", p->value >> 16,
			p->value & 0xffff);
		return;
	}
	fprintf(out, "meta priority set jhash %s mod %" PRIu32 " seed 0x0 "
		"offset %" PRIu32 " ", ir_field_info[p->hash_field].nft,
		p->hash_mod, p->value);
}

static const char *const object_words[] = {
	[IR_OBJ_CT_HELPER] = "helper", [IR_OBJ_CT_TIMEOUT] = "timeout",
};

/* NAT, notrack and ct assignments: what the rule does to the connection. */
static void print_actions(FILE *out, const struct ir_rule *r)
{
	const struct ir_stmts *st = ir_rule_st(r);

	if (st->nat.kind != IR_NAT_NONE)
		print_nat(out, &st->nat);
	if (r->notrack)
		fputs("notrack ", out);
	if (st->obj_kind != IR_OBJ_NONE)
		fprintf(out, "ct %s set \"%s\" ", object_words[st->obj_kind],
			st->obj);
	if (r->ct_mark_from_meta)
		fputs("ct mark set meta mark ", out);
	print_priority(out, &st->priority);
	if (r->meta_mark_set)
		fprintf(out, "meta mark set meta mark & 0x%08x | 0x%08x ",
			st->meta_mark_and, st->meta_mark_xor);
}

/* queue num 0, queue num 0-3 bypass,fanout */
static void print_queue(FILE *out, const struct ir_queue *q)
{
	fprintf(out, "queue num %u", q->first);
	if (q->count > 1)
		fprintf(out, "-%u", q->first + q->count - 1);
	if (q->bypass || q->fanout)
		fprintf(out, " %s%s%s", q->bypass ? "bypass" : "",
			q->bypass && q->fanout ? "," : "",
			q->fanout ? "fanout" : "");
}

static void print_statements(FILE *out, const struct ir_rule *r)
{
	static const char *const units[] = {
		[IR_PER_SECOND] = "second", [IR_PER_MINUTE] = "minute",
		[IR_PER_HOUR] = "hour", [IR_PER_DAY] = "day",
	};
	const struct ir_stmts *st = ir_rule_st(r);
	char prefix[IR_LOG_PREFIX_MAX];

	if (r->has_connlimit)
		print_connlimit(out, &st->connlimit);
	if (r->flow_add) {
		fprintf(out, "add @%s { ", r->flow_add->name);
		print_flow_key(out, r->flow_add->flow);
		fputs(" } ", out);
	}
	if (r->has_limit) {
		fprintf(out, "limit rate %" PRIu64 "/%s ", st->limit.rate,
			units[st->limit.unit]);
		if (st->limit.burst)
			fprintf(out, "burst %" PRIu32 " packets ",
				st->limit.burst);
	}
	if (r->counter)
		fputs("counter ", out);
	if (r->has_log) {
		emit_text(prefix, st->log.prefix, sizeof(prefix));
		fputs("log ", out);
		if (*prefix)
			fprintf(out, "prefix \"%s\" ", prefix);
	}
}

static void print_rule_verdict(FILE *out, const struct ir_rule *r)
{
	const struct ir_verdict *v = &r->verdict;

	if (v->kind == IR_REJECT) {
		print_reject(out, r);
	} else if (v->kind == IR_VMAP && v->vmap->flow) {
		print_flow_key(out, v->vmap->flow);
		fprintf(out, " vmap @%s", v->vmap->name);
	} else if (v->kind == IR_VMAP) {
		fprintf(out, "%s vmap ", ir_field_info[v->vmap_field].nft);
		print_set_ref(out, v->vmap);
	} else if (v->kind == IR_QUEUE) {
		print_queue(out, &v->queue);
	} else if (v->kind != IR_VERDICT_NONE) {
		print_verdict(out, v);
	}
	if (v->kind != IR_VERDICT_NONE)
		fputc(' ', out);
}

/* len bytes, big-endian, as nft reads a raw payload's value. */
static void print_hex(FILE *out, const uint8_t *v, unsigned len)
{
	unsigned i;

	fputs("0x", out);
	for (i = 0; i < len; i++)
		fprintf(out, "%02x", v[i]);
}

/* A pair as the raw payload nft loads and compares so (emit_pairs()). */
static void print_pair(FILE *out, const struct emit_pair *p)
{
	fprintf(out, "@%s,%u,%u ",
		p->base == NFT_PAYLOAD_NETWORK_HEADER ? "nh" : "th",
		p->offset * 8, p->len * 8);
	if (p->masked) {
		fputs("& ", out);
		print_hex(out, p->mask, p->len);
		fputs(" == ", out);
	}
	print_hex(out, p->lo, p->len);
	if (p->range) {
		fputc('-', out);
		print_hex(out, p->hi, p->len);
	}
	fputc(' ', out);
}

/* pair[0..n): the rule's pairs as its bytes go in its chain (the
 * export, emit_pairs()); none: each match apart. */
static void print_rule_text(FILE *out, const struct ir_rule *r,
			    const struct emit_pair *pair, size_t n)
{
	size_t i;

	for (i = 0; i < r->n_matches; i++) {
		const struct emit_pair *p = emit_pair_of(pair, n, i);

		if (!p || p->nft_merges)
			print_match(out, &r->matches[i]);
		else if (p->first == i)
			print_pair(out, p);
	}
	print_statements(out, r);
	print_actions(out, r);
	print_rule_verdict(out, r);
}

void export_rule_text(FILE *out, const struct ir_rule *r)
{
	print_rule_text(out, r, NULL, 0);
}

void export_interval(FILE *out, enum ir_field f, const struct ir_value *v)
{
	print_interval(out, f, v);
}

void export_verdict(FILE *out, const struct ir_verdict *v)
{
	print_verdict(out, v);
}

void export_flow_elem(FILE *out, const struct ir_set *s,
		      const struct ir_flow_elem *e)
{
	print_box(out, s, e);
}

/*
 * After a rule with a raw pair, the matches it loads so, as written: a
 * note for the reader ("# ip saddr 10.0.0.0/24 ip daddr 10.1.0.1"),
 * which nft skips.
 */
static void print_pair_note(FILE *out, const struct ir_rule *r,
			    const struct emit_pair *pair, size_t n)
{
	size_t i, k, len = 0;
	char *note = NULL;
	FILE *f = open_memstream(&note, &len);

	if (!f)
		return;
	for (i = 0; i < n; i++)
		for (k = 0; k < EMIT_PAIR_PARTS && !pair[i].nft_merges; k++)
			if (pair[i].parts[k] != SIZE_MAX)
				print_match(f, &r->matches[pair[i].parts[k]]);
	fclose(f);
	while (len && note[len - 1] == ' ')
		len--;		/* print_match() ends each with a space */
	if (len)
		fprintf(out, " # %.*s", (int)len, note);
	free(note);
}

static void print_rule(FILE *out, const struct ir_chain *c,
		       const struct ir_rule *r)
{
	char comment[EMIT_COMMENT_MAX + 1];
	struct emit_pair pair[EMIT_PAIRS_MAX];
	size_t n = emit_pairs(c, r, pair);

	fputs("\t\t", out);
	print_rule_text(out, r, pair, n);
	emit_rule_comment(r, comment, sizeof(comment));
	fprintf(out, "comment \"%s\"", comment);
	print_pair_note(out, r, pair, n);
	fputc('\n', out);
}

static void print_chain(FILE *out, const struct ir_chain *c)
{
	static const char *const hooks[] = {
		[IR_HOOK_INPUT] = "input", [IR_HOOK_FORWARD] = "forward",
		[IR_HOOK_OUTPUT] = "output",
		[IR_HOOK_PREROUTING] = "prerouting",
		[IR_HOOK_POSTROUTING] = "postrouting",
	};
	static const char *const types[] = {
		[IR_CHAIN_FILTER] = "filter", [IR_CHAIN_NAT] = "nat",
	};
	size_t i;

	fprintf(out, "\tchain %s {\n", c->name);
	if (c->hook != IR_HOOK_NONE)
		fprintf(out, "\t\ttype %s hook %s priority %d; "
			"policy %s;\n", types[c->type], hooks[c->hook],
			c->priority, c->policy_drop ? "drop" : "accept");
	for (i = 0; i < c->n_rules; i++)
		print_rule(out, c, &c->rules[i]);
	fputs("\t}\n", out);
}

/* nft's time format: 1d2h3m4s5ms, zero parts left out. */
static void print_timeout(FILE *out, uint64_t ms)
{
	static const struct { uint64_t ms; const char *unit; } parts[] = {
		{ 86400000, "d" }, { 3600000, "h" }, { 60000, "m" },
		{ 1000, "s" }, { 1, "ms" },
	};
	size_t i;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (ms >= parts[i].ms) {
			fprintf(out, "%" PRIu64 "%s", ms / parts[i].ms,
				parts[i].unit);
			ms %= parts[i].ms;
		}
	}
}

static void print_set(FILE *out, const struct ir_set *s)
{
	bool interval = emit_set_interval(s), timeout = s->timeout_ms != 0;
	char type[128];

	emit_set_type_text(s, type, sizeof(type));
	fprintf(out, "\t%s %s {\n\t\ttype %s%s\n", s->is_vmap ? "map" : "set",
		s->name, type, s->is_vmap ? " : verdict" : "");
	if (s->flow && !s->dynamic)
		fputs("\t\tflags interval\n", out);
	else if (s->flow)
		fprintf(out, "\t\tsize %u\n\t\tflags dynamic,timeout\n",
			EMIT_FLOW_SIZE);
	else if (s->dynamic)
		fprintf(out, "\t\tsize %u\n\t\tflags dynamic\n",
			EMIT_DYNSET_SIZE);
	else if (interval || timeout)
		fprintf(out, "\t\tflags %s%s%s\n", interval ? "interval" : "",
			interval && timeout ? "," : "",
			timeout ? "timeout" : "");
	if (timeout) {
		fputs("\t\ttimeout ", out);
		print_timeout(out, s->timeout_ms);
		fputc('\n', out);
	}
	if (s->n_elems) {
		fputs("\t\telements = { ", out);
		print_elems(out, s, ",\n\t\t\t     ");
		fputs(" }\n", out);
	}
	if (s->n_boxes) {
		fputs("\t\telements = { ", out);
		print_boxes(out, s, ",\n\t\t\t     ");
		fputs(" }\n", out);
	}
	fputs("\t}\n", out);
}

static const struct sym timeout_states[][IR_TIMEOUT_STATES] = {
	[IPPROTO_TCP] = {
		{ 0, "syn_sent" }, { 1, "syn_recv" }, { 2, "established" },
		{ 3, "fin_wait" }, { 4, "close_wait" }, { 5, "last_ack" },
		{ 6, "time_wait" }, { 7, "close" }, { 8, "syn_sent2" },
		{ 9, "retrans" }, { 10, "unack" },
	},
	[IPPROTO_UDP] = { { 0, "unreplied" }, { 1, "replied" } },
};

/* The states of a timeout policy as nft spells them. */
static const char *export_timeout_state(uint8_t l4proto, unsigned state)
{
	if (l4proto >= sizeof(timeout_states) / sizeof(timeout_states[0]) ||
	    state >= IR_TIMEOUT_STATES)
		return NULL;
	return timeout_states[l4proto][state].name;
}

static void print_object(FILE *out, const struct ir_object *o)
{
	char comment[EMIT_COMMENT_MAX + 1];
	const char *sep = "";
	unsigned i;

	emit_object_comment(o, comment, sizeof(comment));
	fprintf(out, "\tct %s %s {\n\t\tcomment \"%s\"\n",
		object_words[o->kind], o->name, comment);
	if (o->kind == IR_OBJ_CT_HELPER) {
		fprintf(out, "\t\ttype \"%s\" protocol ", o->helper);
		print_sym(out, SYMS(l4protos), o->l4proto);
		fputs("\n\t\tl3proto inet\n\t}\n", out);
		return;
	}
	fputs("\t\tprotocol ", out);
	print_sym(out, SYMS(l4protos), o->l4proto);
	fputs("\n\t\tl3proto inet\n\t\tpolicy = { ", out);
	for (i = 0; i < IR_TIMEOUT_STATES; i++) {
		if (!o->timeout[i])
			continue;
		fprintf(out, "%s%s : %" PRIu32, sep,
			export_timeout_state(o->l4proto, i), o->timeout[i]);
		sep = ", ";
	}
	fputs(" }\n\t}\n", out);
}

/*
 * The inspection daemon's part as comments: nft skips them, people and
 * the golden tests see what fwctld will be told.
 */
static void print_profile(FILE *out, const struct ir_profile *p)
{
	static const char *const kinds[] = {
		[IR_INSPECT_SNI] = "sni", [IR_INSPECT_HOST] = "host",
		[IR_INSPECT_DNS] = "dns",
	};
	size_t i;

	fprintf(out, "# fwctld profile: queues %u", p->queue_first);
	if (p->queue_count > 1)
		fprintf(out, "-%u", p->queue_first + p->queue_count - 1);
	fprintf(out, ", %s, default %s, budget %u, queue-length %u\n",
		p->fail_open ? "fail-open" : "fail-closed",
		p->default_drop ? "drop" : "accept", p->budget,
		p->queue_length);
	for (i = 0; i < p->n_patterns; i++)
		fprintf(out, "#\t%s %s \"%s\"\n",
			p->patterns[i].action == IR_INSPECT_DENY ? "deny" :
			"allow", kinds[p->patterns[i].kind],
			p->patterns[i].name);
}

/*
 * "table; delete table; table {...}" replaces the table in one nft
 * transaction, exactly like kernel_apply()'s batch.
 */
int export_table(const struct ir_table *t, FILE *out)
{
	const char *sep = "";
	size_t i;

	fprintf(out, "table inet %s\ndelete table inet %s\n"
		"table inet %s {\n", IR_TABLE_NAME, IR_TABLE_NAME,
		IR_TABLE_NAME);
	for (i = 0; i < t->n_objects; i++) {
		fputs(sep, out);
		print_object(out, t->objects[i]);
		sep = "\n";
	}
	for (i = 0; i < t->n_sets; i++) {
		if (t->sets[i]->anonymous)
			continue;
		fputs(sep, out);
		print_set(out, t->sets[i]);
		sep = "\n";
	}
	for (i = 0; i < t->n_chains; i++) {
		fputs(sep, out);
		print_chain(out, t->chains[i]);
		sep = "\n";
	}
	fputs("}\n", out);
	for (i = 0; i < t->n_profiles; i++)
		print_profile(out, &t->profiles[i]);
	fflush(out);
	return ferror(out) ? FW_EXIT_SYSTEM : FW_EXIT_OK;
}
