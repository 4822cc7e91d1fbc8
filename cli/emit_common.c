// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The decisions both back ends share (see emit.h): one place, so that the
 * text nft reads and the batch we send cannot drift apart.
 */
/* netinet/in.h first: it tells the kernel headers not to redefine it. */
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "emit.h"

/* nft's datatype ids and byte orders (nftables datatype.h, mnl.c). */
enum {
	NFT_TYPE_NFPROTO	= 2,
	NFT_TYPE_IPADDR		= 7,
	NFT_TYPE_IP6ADDR	= 8,
	NFT_TYPE_INET_PROTOCOL	= 12,
	NFT_TYPE_INET_SERVICE	= 13,
	NFT_TYPE_ICMP_TYPE	= 14,
	NFT_TYPE_MARK		= 19,
	NFT_TYPE_CT_STATE	= 26,
	NFT_TYPE_CT_STATUS	= 28,
	NFT_TYPE_FIB_ADDRTYPE	= 44,
	NFT_TYPE_ICMP6_TYPE	= 29,
	NFT_TYPE_IFNAME		= 41,
};
enum { ORDER_INVALID = 0, ORDER_HOST = 1, ORDER_BIG = 2 };

const struct emit_key emit_keys[IR_FIELD_COUNT] = {
	[IR_IIFNAME]	 = { "ifname",	   NFT_TYPE_IFNAME,  ORDER_HOST, true },
	[IR_OIFNAME]	 = { "ifname",	   NFT_TYPE_IFNAME,  ORDER_HOST, true },
	[IR_NFPROTO]	 = { "nf_proto",     NFT_TYPE_NFPROTO,	ORDER_INVALID },
	[IR_L4PROTO]	 = { "inet_proto",   NFT_TYPE_INET_PROTOCOL,
			     ORDER_INVALID },
	[IR_IP_SADDR]	 = { "ipv4_addr",  NFT_TYPE_IPADDR,   ORDER_BIG, true },
	[IR_IP_DADDR]	 = { "ipv4_addr",  NFT_TYPE_IPADDR,   ORDER_BIG, true },
	[IR_IP6_SADDR]	 = { "ipv6_addr",  NFT_TYPE_IP6ADDR,  ORDER_BIG, true },
	[IR_IP6_DADDR]	 = { "ipv6_addr",  NFT_TYPE_IP6ADDR,  ORDER_BIG, true },
	[IR_TH_SPORT]	 = { "inet_service", NFT_TYPE_INET_SERVICE, ORDER_BIG },
	[IR_TH_DPORT]	 = { "inet_service", NFT_TYPE_INET_SERVICE, ORDER_BIG },
	[IR_CT_STATE]	 = { "ct_state",     NFT_TYPE_CT_STATE,	ORDER_HOST },
	[IR_ICMP_TYPE]	 = { "icmp_type",    NFT_TYPE_ICMP_TYPE, ORDER_BIG },
	[IR_ICMPV6_TYPE] = { "icmpv6_type",  NFT_TYPE_ICMP6_TYPE, ORDER_BIG },
	[IR_CT_STATUS]	 = { "ct_status",    NFT_TYPE_CT_STATUS, ORDER_HOST },
	[IR_FIB_DADDR_TYPE] = { "fib_addrtype", NFT_TYPE_FIB_ADDRTYPE,
				ORDER_HOST },
	[IR_CT_MARK]	 = { "mark",	     NFT_TYPE_MARK,	ORDER_HOST },
	[IR_META_MARK]	 = { "mark",	     NFT_TYPE_MARK,	ORDER_HOST },
};

enum ir_open emit_match_open(const struct ir_match *m)
{
	unsigned len = ir_field_info[m->field].len;

	if (m->op != IR_EQ || ir_value_is_single(&m->value, len) ||
	    (emit_keys[m->field].prefix &&
	     ir_value_is_prefix(&m->value, len, NULL)))
		return IR_OPEN_NONE;
	return ir_value_open(&m->value, len);
}

void emit_prefix_mask(unsigned plen, unsigned len, uint8_t *mask)
{
	memset(mask, 0, len);
	memset(mask, 0xff, plen / 8);
	if (plen % 8)
		mask[plen / 8] = (uint8_t)(0xff00u >> (plen % 8));
}

/* Fields that lie side by side, the first right before the second. */
static const struct {
	enum ir_field	first, second;
	uint32_t	base, offset;
	uint8_t		nfproto;	/* the chain's family it needs */
} pairable[EMIT_PAIRS_MAX] = {
	{ IR_IP_SADDR, IR_IP_DADDR, NFT_PAYLOAD_NETWORK_HEADER, 12,
	  NFPROTO_IPV4 },
	{ IR_TH_SPORT, IR_TH_DPORT, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 0 },
};

/* The one plain == match of field f in r (SIZE_MAX: none, or two). */
static size_t pair_part(const struct ir_rule *r, enum ir_field f)
{
	size_t i, at = SIZE_MAX;

	for (i = 0; i < r->n_matches; i++) {
		const struct ir_match *m = &r->matches[i];

		if (m->field != f)
			continue;
		if (at != SIZE_MAX || m->op != IR_EQ || m->set ||
		    m->mark_mask)
			return SIZE_MAX;
		at = i;
	}
	return at;
}

/* m as value and mask: one value or a prefix; false: neither. */
static bool pair_masked(const struct ir_match *m, uint8_t *val,
			uint8_t *mask)
{
	unsigned len = ir_field_info[m->field].len, plen = len * 8;

	if (!ir_value_is_single(&m->value, len) &&
	    (!emit_keys[m->field].prefix ||
	     !ir_value_is_prefix(&m->value, len, &plen)))
		return false;
	memcpy(val, m->value.lo, len);
	emit_prefix_mask(plen, len, mask);
	return true;
}

/* Both one value or a prefix: (x & mask) == lo over the bytes masked. */
static bool pair_eq(struct emit_pair *p, const struct ir_match *a,
		    const struct ir_match *b, unsigned la)
{
	uint32_t i;

	if (!pair_masked(a, p->lo, p->mask) ||
	    !pair_masked(b, p->lo + la, p->mask + la))
		return false;
	while (p->len && !p->mask[p->len - 1])
		p->len--;
	for (i = 0; i < p->len; i++)
		p->masked |= p->mask[i] != 0xff;
	p->nft_merges = a->field == IR_TH_SPORT && !p->masked &&
			p->len == 4;
	return p->len > 0;
}

/* The first one value, the second a range: lo and hi of both. */
static bool pair_range(struct emit_pair *p, const struct ir_match *a,
		       const struct ir_match *b, unsigned la)
{
	unsigned lb = ir_field_info[b->field].len;

	if (!ir_value_is_single(&a->value, la))
		return false;
	memcpy(p->lo, a->value.lo, la);
	memcpy(p->hi, a->value.lo, la);
	memcpy(p->lo + la, b->value.lo, lb);
	memcpy(p->hi + la, b->value.hi, lb);
	p->range = true;
	return true;
}

/*
 * Whether r may read "meta l4proto" as the IPv4 header's protocol byte
 * (*at: that match). The table is inet, and every hook of that family
 * takes l4proto from that very byte for every IPv4 packet (filter, nat
 * and route chains: nft_set_pktinfo_ipv4(), after the stack checked the
 * header; ingress: nft_set_pktinfo_ipv4_ingress(), which drops a header
 * it refuses), later fragments included: the two readings agree for
 * every packet that reaches the chain. Only the netdev and bridge
 * families leave a refused header without l4proto, and fwctl makes no
 * table of theirs. Rules where nft adds a protocol check of its own
 * (icmp type, reject with tcp reset) keep the meta: nft reading the
 * export would add it.
 */
static bool proto_foldable(const struct ir_chain *c, const struct ir_rule *r,
			   size_t *at)
{
	size_t i;

	if (c->nfproto != NFPROTO_IPV4 || r->verdict.kind == IR_REJECT)
		return false;
	for (i = 0; i < r->n_matches; i++) {
		enum ir_field f = r->matches[i].field;

		if (f == IR_ICMP_TYPE || f == IR_ICMPV6_TYPE)
			return false;
	}
	*at = pair_part(r, IR_L4PROTO);
	return *at != SIZE_MAX &&
	       ir_value_is_single(&r->matches[*at].value, 1);
}

static size_t least(size_t a, size_t b)
{
	return a < b ? a : b;
}

/*
 * The protocol byte (offset 9), the checksum masked out and the
 * addresses (12-19) as one load: what meta l4proto, ip saddr and ip
 * daddr take 4-5 expressions for, in 3. At least one address, each one
 * value or a prefix; the other's bytes are masked out (or not loaded).
 */
static bool proto_addrs(struct emit_pair *p, const struct ir_rule *r,
			size_t proto, size_t sa, size_t da)
{
	const unsigned at_saddr = 3, at_daddr = 7;

	if (sa == SIZE_MAX && da == SIZE_MAX)
		return false;
	*p = (struct emit_pair){
		.first = least(proto, least(sa, da)), .base =
		NFT_PAYLOAD_NETWORK_HEADER, .offset = 9, .len = 11,
		.masked = true, .parts = { proto, sa, da },
	};
	p->lo[0] = r->matches[proto].value.lo[0];
	p->mask[0] = 0xff;
	if ((sa != SIZE_MAX && !pair_masked(&r->matches[sa],
					    p->lo + at_saddr,
					    p->mask + at_saddr)) ||
	    (da != SIZE_MAX && !pair_masked(&r->matches[da],
					    p->lo + at_daddr,
					    p->mask + at_daddr)))
		return false;
	while (!p->mask[p->len - 1])
		p->len--;
	return true;
}

size_t emit_pairs(const struct ir_chain *c, const struct ir_rule *r,
		  struct emit_pair *out)
{
	size_t k, n = 0, proto;

	for (k = 0; k < EMIT_PAIRS_MAX; k++) {
		struct emit_pair *p = &out[n];
		size_t a = pair_part(r, pairable[k].first);
		size_t b = pair_part(r, pairable[k].second);
		unsigned la;

		if (pairable[k].first == IR_IP_SADDR &&
		    proto_foldable(c, r, &proto) &&
		    proto_addrs(p, r, proto, a, b)) {
			n++;
			continue;
		}
		if (a == SIZE_MAX || b == SIZE_MAX ||
		    (pairable[k].nfproto && pairable[k].nfproto != c->nfproto))
			continue;
		la = ir_field_info[pairable[k].first].len;
		*p = (struct emit_pair){
			.first = a, .parts = { a, b, SIZE_MAX },
			.base = pairable[k].base,
			.offset = pairable[k].offset,
			.len = la + ir_field_info[pairable[k].second].len,
		};
		if (pair_eq(p, &r->matches[a], &r->matches[b], la) ||
		    pair_range(p, &r->matches[a], &r->matches[b], la))
			n++;
	}
	return n;
}

const struct emit_pair *emit_pair_of(const struct emit_pair *pairs,
				     size_t n, size_t i)
{
	size_t k, j;

	for (k = 0; k < n; k++)
		for (j = 0; j < EMIT_PAIR_PARTS; j++)
			if (pairs[k].parts[j] == i)
				return &pairs[k];
	return NULL;
}

/*
 * A set's key type and length. nft's concatenated type gives each part's
 * id 6 more bits (TYPE_BITS); each part takes whole 32-bit registers.
 */
static void set_key(const struct ir_set *s, uint32_t *type, uint32_t *len)
{
	const enum ir_field *k;
	size_t i;

	if (!s->flow) {
		*type = emit_keys[s->field].nft_type;
		*len = ir_field_info[s->field].len;
		return;
	}
	k = ir_flow_key(s->flow);
	*type = *len = 0;
	for (i = 0; i < IR_FLOW_FIELDS; i++) {
		*type = *type << 6 | emit_keys[k[i]].nft_type;
		*len += (ir_field_info[k[i]].len + 3u) & ~3u;
	}
}

uint32_t emit_set_key_type(const struct ir_set *s)
{
	uint32_t type, len;

	set_key(s, &type, &len);
	return type;
}

uint32_t emit_set_key_len(const struct ir_set *s)
{
	uint32_t type, len;

	set_key(s, &type, &len);
	return len;
}

void emit_set_type_text(const struct ir_set *s, char *buf, size_t size)
{
	const enum ir_field *k;
	size_t i, n = 0;

	if (!s->flow) {
		snprintf(buf, size, "%s", emit_keys[s->field].type);
		return;
	}
	k = ir_flow_key(s->flow);
	for (i = 0; i < IR_FLOW_FIELDS && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s",
				      i ? " . " : "", emit_keys[k[i]].type);
}

/* Length of the UTF-8 sequence s starts, or 0 if it is not a valid one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (*s < 0x80)
		return 1;
	if (*s >= 0xc2 && *s <= 0xdf)
		n = 2;
	else if (*s >= 0xe0 && *s <= 0xef)
		n = 3;
	else if (*s >= 0xf0 && *s <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/*
 * nft's quoted strings have no escapes: a '"' cannot be inside one. Both
 * back ends store the same replacement, so they still agree; a cut never
 * splits a UTF-8 sequence, and invalid bytes become '?'.
 */
void emit_text(char *dst, const char *src, size_t size)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t used = 0, n;

	while (*s) {
		n = utf8_len(s);
		if (used + (n ? n : 1) >= size)
			break;
		if (n > 1) {
			memcpy(dst + used, s, n);
		} else {
			n = 1;
			dst[used] = *s == '"' ? '\'' :
				    *s < 0x20 || *s >= 0x7f ? '?' : (char)*s;
		}
		used += n;
		s += n;
	}
	dst[used] = '\0';
}

void emit_rule_comment(const struct ir_rule *r, char *buf, size_t size)
{
	char raw[512];

	if (!r->loc.file)
		snprintf(raw, sizeof(raw), "fwctl: %s",
			 r->why ? r->why : "built-in");
	else if (r->comment && *r->comment)
		snprintf(raw, sizeof(raw), "%s:%u %s", r->loc.file,
			 r->loc.line, r->comment);
	else
		snprintf(raw, sizeof(raw), "%s:%u", r->loc.file, r->loc.line);
	emit_text(buf, raw, size < EMIT_COMMENT_MAX + 1 ?
		  size : EMIT_COMMENT_MAX + 1);
}

void emit_object_comment(const struct ir_object *o, char *buf, size_t size)
{
	char raw[512];

	snprintf(raw, sizeof(raw), "%s:%u", o->loc.file ? o->loc.file : "-",
		 o->loc.line);
	emit_text(buf, raw, size < EMIT_COMMENT_MAX + 1 ?
		  size : EMIT_COMMENT_MAX + 1);
}

static bool rule_is_tcp(const struct ir_rule *r)
{
	size_t i;

	for (i = 0; i < r->n_matches; i++) {
		const struct ir_match *m = &r->matches[i];

		if (m->field == IR_L4PROTO && m->op == IR_EQ && !m->set &&
		    ir_value_is_single(&m->value, 1) &&
		    m->value.lo[0] == IPPROTO_TCP)
			return true;
	}
	return false;
}

/*
 * A plain "reject" is what nft picks from context (icmp, icmpv6 or icmpx),
 * so both back ends spell the reject out: a tcp reset when the rule only
 * sees tcp, otherwise the family-neutral icmpx port-unreachable.
 */
struct emit_reject emit_reject_of(const struct ir_rule *r)
{
	struct emit_reject rj = {
		.kind = r->verdict.reject,
		.code = r->verdict.reject_code,
	};

	if (rj.kind != IR_REJECT_DEFAULT)
		return rj;
	if (rule_is_tcp(r))
		return (struct emit_reject){ IR_REJECT_TCP_RESET, 0 };
	return (struct emit_reject){ IR_REJECT_ICMPX,
				     NFT_REJECT_ICMPX_PORT_UNREACH };
}

static bool set_has_ranges(const struct ir_set *s)
{
	unsigned len = ir_field_info[s->field].len;
	size_t i;

	for (i = 0; i < s->n_elems; i++)
		if (!ir_value_is_single(&s->elems[i].value, len))
			return true;
	return false;
}

/* nft gives an anonymous set intervals only when an element is a range. */
bool emit_set_interval(const struct ir_set *s)
{
	if (s->anonymous)
		return set_has_ranges(s);
	return s->interval || set_has_ranges(s);
}

bool emit_value_next(const uint8_t *value, unsigned len, uint8_t *out)
{
	unsigned i = len;

	memcpy(out, value, len);
	while (i--) {
		if (++out[i] != 0)
			return true;
	}
	return false;
}

void emit_elem_iter_init(struct emit_elem_iter *it, const struct ir_set *s)
{
	it->set = s;
	it->next = 0;
	/* Interface intervals are wildcards: joined, they stop being one. */
	it->merge = s->anonymous && !s->is_vmap && emit_set_interval(s) &&
		    s->field != IR_IIFNAME && s->field != IR_OIFNAME;
}

/* nft merges [a, b] and [b + 1, c] of an anonymous set into [a, c]. */
bool emit_elem_iter_next(struct emit_elem_iter *it, struct ir_elem *out)
{
	const struct ir_set *s = it->set;
	unsigned len = ir_field_info[s->field].len;
	uint8_t succ[IR_VALUE_MAX];

	if (it->next >= s->n_elems)
		return false;
	*out = s->elems[it->next++];
	while (it->merge && it->next < s->n_elems &&
	       emit_value_next(out->value.hi, len, succ) &&
	       !memcmp(succ, s->elems[it->next].value.lo, len))
		memcpy(out->value.hi, s->elems[it->next++].value.hi, len);
	return true;
}
