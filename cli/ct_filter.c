// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Filters of `fwctl conntrack`: a table of keys, each with its parser and
 * its test. Tests of the tuple keys (src, dst, sport, dport) run on one
 * side of the connection at a time, see ct_filter.h.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnetfilter_conntrack/libnetfilter_conntrack_tcp.h>

#include "ct_filter.h"

static const char *const tcp_states[] = {
	[TCP_CONNTRACK_NONE]		= "none",
	[TCP_CONNTRACK_SYN_SENT]	= "syn_sent",
	[TCP_CONNTRACK_SYN_RECV]	= "syn_recv",
	[TCP_CONNTRACK_ESTABLISHED]	= "established",
	[TCP_CONNTRACK_FIN_WAIT]	= "fin_wait",
	[TCP_CONNTRACK_CLOSE_WAIT]	= "close_wait",
	[TCP_CONNTRACK_LAST_ACK]	= "last_ack",
	[TCP_CONNTRACK_TIME_WAIT]	= "time_wait",
	[TCP_CONNTRACK_CLOSE]		= "close",
	[TCP_CONNTRACK_SYN_SENT2]	= "syn_sent2",
};

#define N_TCP_STATES (sizeof(tcp_states) / sizeof(tcp_states[0]))

const struct ct_status_name ct_status_names[] = {
	{ IPS_EXPECTED,		"expected" },
	{ IPS_SEEN_REPLY,	"seen-reply" },
	{ IPS_ASSURED,		"assured" },
	{ IPS_CONFIRMED,	"confirmed" },
	{ IPS_SRC_NAT,		"snat" },
	{ IPS_DST_NAT,		"dnat" },
	{ IPS_DYING,		"dying" },
	{ IPS_FIXED_TIMEOUT,	"fixed-timeout" },
	{ IPS_HELPER,		"helper" },
	{ IPS_OFFLOAD,		"offload" },
};

const unsigned ct_n_status_names =
	sizeof(ct_status_names) / sizeof(ct_status_names[0]);

static const struct {
	uint8_t		num;
	const char	*name;
} protos[] = {
	{ IPPROTO_ICMP,		"icmp" },
	{ IPPROTO_TCP,		"tcp" },
	{ IPPROTO_UDP,		"udp" },
	{ IPPROTO_DCCP,		"dccp" },
	{ IPPROTO_GRE,		"gre" },
	{ IPPROTO_ICMPV6,	"icmpv6" },
	{ IPPROTO_SCTP,		"sctp" },
	{ IPPROTO_UDPLITE,	"udplite" },
};

const char *ct_tcp_state_name(unsigned state)
{
	return state < N_TCP_STATES ? tcp_states[state] : NULL;
}

const char *ct_proto_name(uint8_t num)
{
	size_t i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].num == num)
			return protos[i].name;
	return NULL;
}

static int bad(const char *key, const char *value, const char *why)
{
	fprintf(stderr, "fwctl conntrack: bad %s '%s': %s\n", key, value, why);
	return -1;
}

/* A whole decimal (or 0x hex, never octal) number no bigger than max. */
static int parse_number(const char *s, unsigned long max, unsigned long *v)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoul(s, &end, hex ? 16 : 10);
	return errno || *end || *v > max ? -1 : 0;
}

static void prefix_mask(struct ct_prefix *p)
{
	unsigned bytes = p->family == AF_INET ? 4 : 16;
	unsigned i;

	for (i = 0; i < bytes; i++) {
		unsigned bits = i * 8;

		if (bits >= p->len)
			p->addr[i] = 0;
		else if (p->len - bits < 8)
			p->addr[i] &= (uint8_t)(0xff00 >> (p->len - bits));
	}
}

static int parse_prefix(struct ct_prefix *p, const char *key,
			const char *value)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash;
	unsigned long len;

	if (strlen(value) >= sizeof(buf))
		return bad(key, value, "not an address");
	strcpy(buf, value);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, buf, p->addr) == 1)
		p->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, p->addr) == 1)
		p->family = AF_INET6;
	else
		return bad(key, value, "not an IPv4 or IPv6 address");
	len = p->family == AF_INET ? 32 : 128;
	if (slash && parse_number(slash, len, &len) < 0)
		return bad(key, value, p->family == AF_INET ?
			   "prefix length must be 0-32" :
			   "prefix length must be 0-128");
	p->len = (uint8_t)len;
	prefix_mask(p);
	return 0;
}

static int parse_src(struct ct_filter *f, const char *value)
{
	return parse_prefix(&f->src, "src", value);
}

static int parse_dst(struct ct_filter *f, const char *value)
{
	return parse_prefix(&f->dst, "dst", value);
}

static int parse_proto(struct ct_filter *f, const char *value)
{
	unsigned long n;
	size_t i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		if (!strcasecmp(protos[i].name, value)) {
			f->proto = protos[i].num;
			return 0;
		}
	}
	if (parse_number(value, 255, &n) < 0)
		return bad("proto", value, "want tcp, udp, udplite, sctp, "
			   "dccp, gre, icmp, icmpv6 or a number 0-255");
	f->proto = (uint8_t)n;
	return 0;
}

static int parse_port(uint16_t *port, const char *key, const char *value)
{
	unsigned long n;

	if (parse_number(value, 65535, &n) < 0)
		return bad(key, value, "want a port number 0-65535");
	*port = (uint16_t)n;
	return 0;
}

static int parse_sport(struct ct_filter *f, const char *value)
{
	return parse_port(&f->sport, "sport", value);
}

static int parse_dport(struct ct_filter *f, const char *value)
{
	return parse_port(&f->dport, "dport", value);
}

/* Case, '-' and '_' do not matter: ESTABLISHED, syn-sent, seen_reply. */
static bool state_word_is(const char *word, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char a = (char)tolower((unsigned char)word[i]);
		char b = name[i];

		if (!b)
			return false;
		if (a == '-')
			a = '_';
		if (b == '-')
			b = '_';
		if (a != b)
			return false;
	}
	return !name[n];
}

/*
 * The words that are not a TCP state or a status flag: "new" is what nft
 * calls a connection that has not seen a reply yet.
 */
static const struct {
	const char	*name;
	uint32_t	mask, value;
} status_words[] = {
	{ "new",	IPS_SEEN_REPLY,	0 },
	{ "unreplied",	IPS_SEEN_REPLY,	0 },
	{ "replied",	IPS_SEEN_REPLY,	IPS_SEEN_REPLY },
};

static int state_term(struct ct_state_term *t, const char *word, size_t n)
{
	size_t i;

	for (i = 0; i < N_TCP_STATES; i++) {
		if (state_word_is(word, n, tcp_states[i])) {
			*t = (struct ct_state_term){ .tcp = (int)i };
			return 0;
		}
	}
	for (i = 0; i < ct_n_status_names; i++) {
		if (state_word_is(word, n, ct_status_names[i].name)) {
			*t = (struct ct_state_term){
				.tcp = -1, .mask = ct_status_names[i].bit,
				.value = ct_status_names[i].bit };
			return 0;
		}
	}
	for (i = 0; i < sizeof(status_words) / sizeof(status_words[0]); i++) {
		if (state_word_is(word, n, status_words[i].name)) {
			*t = (struct ct_state_term){
				.tcp = -1, .mask = status_words[i].mask,
				.value = status_words[i].value };
			return 0;
		}
	}
	return -1;
}

/* A comma-separated list; an entry matches when any word holds. */
static int parse_state(struct ct_filter *f, const char *value)
{
	const char *word = value;

	do {
		size_t n = strcspn(word, ",");

		if (f->n_state == CT_STATE_TERMS)
			return bad("state", value, "8 words at most");
		if (!n || state_term(&f->state[f->n_state++], word, n) < 0)
			return bad("state", value,
				   "want a TCP state (syn_sent, syn_recv, "
				   "established, fin_wait, close_wait, "
				   "last_ack, time_wait, close), new, "
				   "replied, assured, seen-reply, snat, "
				   "dnat, ...");
		word += n;
	} while (*word++);
	return 0;
}

static int parse_mark(struct ct_filter *f, const char *value)
{
	char buf[32];
	char *slash;
	unsigned long mark, mask = UINT32_MAX;

	if (strlen(value) >= sizeof(buf))
		return bad("mark", value, "want N or N/MASK (32-bit)");
	strcpy(buf, value);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (parse_number(buf, UINT32_MAX, &mark) < 0 ||
	    (slash && parse_number(slash, UINT32_MAX, &mask) < 0))
		return bad("mark", value, "want N or N/MASK (32-bit)");
	f->mark_mask = (uint32_t)mask;
	f->mark = (uint32_t)mark & f->mark_mask;
	return 0;
}

static int parse_zone(struct ct_filter *f, const char *value)
{
	unsigned long n;

	if (parse_number(value, 65535, &n) < 0)
		return bad("zone", value, "want a zone number 0-65535");
	f->zone = (uint16_t)n;
	return 0;
}

static int parse_family(struct ct_filter *f, const char *value)
{
	if (!strcmp(value, "ipv4") || !strcmp(value, "ip"))
		f->family = AF_INET;
	else if (!strcmp(value, "ipv6") || !strcmp(value, "ip6"))
		f->family = AF_INET6;
	else
		return bad("family", value, "want ipv4 or ipv6");
	return 0;
}

/* One side of a connection, as the tuple keys see it. */
struct ct_side {
	uint8_t		family;
	const uint8_t	*src, *dst;
	bool		ports;
	uint16_t	sport, dport;	/* host order */
};

static const enum nf_conntrack_attr side_attrs[2][2][4] = {
	/* [reply][ipv6]: src, dst, sport, dport */
	{ { ATTR_ORIG_IPV4_SRC, ATTR_ORIG_IPV4_DST,
	    ATTR_ORIG_PORT_SRC, ATTR_ORIG_PORT_DST },
	  { ATTR_ORIG_IPV6_SRC, ATTR_ORIG_IPV6_DST,
	    ATTR_ORIG_PORT_SRC, ATTR_ORIG_PORT_DST } },
	/* The reply tuple turned around: its destination is our source. */
	{ { ATTR_REPL_IPV4_DST, ATTR_REPL_IPV4_SRC,
	    ATTR_REPL_PORT_DST, ATTR_REPL_PORT_SRC },
	  { ATTR_REPL_IPV6_DST, ATTR_REPL_IPV6_SRC,
	    ATTR_REPL_PORT_DST, ATTR_REPL_PORT_SRC } },
};

static void side_get(struct ct_side *s, const struct nf_conntrack *ct,
		     bool reply)
{
	const enum nf_conntrack_attr *a;

	s->family = nfct_get_attr_u8(ct, ATTR_L3PROTO);
	a = side_attrs[reply][s->family == AF_INET6];
	s->src = nfct_get_attr(ct, a[0]);
	s->dst = nfct_get_attr(ct, a[1]);
	s->ports = nfct_attr_is_set(ct, a[2]) > 0 &&
		   nfct_attr_is_set(ct, a[3]) > 0;
	s->sport = ntohs(nfct_get_attr_u16(ct, a[2]));
	s->dport = ntohs(nfct_get_attr_u16(ct, a[3]));
}

static bool prefix_match(const struct ct_prefix *p, uint8_t family,
			 const uint8_t *addr)
{
	unsigned full = p->len / 8, rest = p->len % 8;

	if (!addr || family != p->family || memcmp(addr, p->addr, full))
		return false;
	return !rest || (addr[full] & (uint8_t)(0xff00 >> rest)) ==
		p->addr[full];
}

static bool side_src(const struct ct_filter *f, const struct ct_side *s)
{
	return prefix_match(&f->src, s->family, s->src);
}

static bool side_dst(const struct ct_filter *f, const struct ct_side *s)
{
	return prefix_match(&f->dst, s->family, s->dst);
}

static bool side_sport(const struct ct_filter *f, const struct ct_side *s)
{
	return s->ports && s->sport == f->sport;
}

static bool side_dport(const struct ct_filter *f, const struct ct_side *s)
{
	return s->ports && s->dport == f->dport;
}

static bool match_proto(const struct ct_filter *f,
			const struct nf_conntrack *ct)
{
	return nfct_get_attr_u8(ct, ATTR_L4PROTO) == f->proto;
}

static bool state_term_match(const struct ct_state_term *t,
			     const struct nf_conntrack *ct)
{
	if (t->tcp >= 0)
		return nfct_get_attr_u8(ct, ATTR_L4PROTO) == IPPROTO_TCP &&
		       nfct_attr_is_set(ct, ATTR_TCP_STATE) > 0 &&
		       nfct_get_attr_u8(ct, ATTR_TCP_STATE) == t->tcp;
	return nfct_attr_is_set(ct, ATTR_STATUS) > 0 &&
	       (nfct_get_attr_u32(ct, ATTR_STATUS) & t->mask) == t->value;
}

static bool match_state(const struct ct_filter *f,
			const struct nf_conntrack *ct)
{
	unsigned i;

	for (i = 0; i < f->n_state; i++)
		if (state_term_match(&f->state[i], ct))
			return true;
	return false;
}

/* The kernel leaves out a zero mark and the default zone in events. */
static bool match_mark(const struct ct_filter *f,
		       const struct nf_conntrack *ct)
{
	return (nfct_get_attr_u32(ct, ATTR_MARK) & f->mark_mask) == f->mark;
}

static bool match_zone(const struct ct_filter *f,
		       const struct nf_conntrack *ct)
{
	return nfct_get_attr_u16(ct, ATTR_ZONE) == f->zone;
}

static bool match_family(const struct ct_filter *f,
			 const struct nf_conntrack *ct)
{
	return nfct_get_attr_u8(ct, ATTR_L3PROTO) == f->family;
}

static const struct ct_key_ops {
	const char	*name;
	int		(*parse)(struct ct_filter *f, const char *value);
	bool		(*match)(const struct ct_filter *f,
				 const struct nf_conntrack *ct);
	bool		(*side)(const struct ct_filter *f,
				const struct ct_side *s);
} keys[CT_KEY_COUNT] = {
	[CT_KEY_SRC]	= { "src", parse_src, NULL, side_src },
	[CT_KEY_DST]	= { "dst", parse_dst, NULL, side_dst },
	[CT_KEY_PROTO]	= { "proto", parse_proto, match_proto },
	[CT_KEY_SPORT]	= { "sport", parse_sport, NULL, side_sport },
	[CT_KEY_DPORT]	= { "dport", parse_dport, NULL, side_dport },
	[CT_KEY_STATE]	= { "state", parse_state, match_state },
	[CT_KEY_MARK]	= { "mark", parse_mark, match_mark },
	[CT_KEY_ZONE]	= { "zone", parse_zone, match_zone },
	[CT_KEY_FAMILY]	= { "family", parse_family, match_family },
};

static int key_find(const char *name)
{
	int k;

	for (k = 0; k < CT_KEY_COUNT; k++)
		if (!strcmp(keys[k].name, name))
			return k;
	return -1;
}

int ct_filter_parse(struct ct_filter *f, int argc, char **argv)
{
	int i, k;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < argc; i += 2) {
		k = key_find(argv[i]);
		if (k < 0) {
			fprintf(stderr, "fwctl conntrack: unknown filter '%s' "
				"(src, dst, proto, sport, dport, state, mark, "
				"zone, family)\n", argv[i]);
			return -1;
		}
		if (f->given & 1u << k) {
			fprintf(stderr, "fwctl conntrack: filter '%s' given "
				"twice\n", argv[i]);
			return -1;
		}
		if (i + 1 == argc) {
			fprintf(stderr, "fwctl conntrack: filter '%s' needs a "
				"value\n", argv[i]);
			return -1;
		}
		if (keys[k].parse(f, argv[i + 1]) < 0)
			return -1;
		f->given |= 1u << k;
	}
	return 0;
}

static bool side_match(const struct ct_filter *f,
		       const struct nf_conntrack *ct, bool reply)
{
	struct ct_side s;
	int k;

	side_get(&s, ct, reply);
	for (k = 0; k < CT_KEY_COUNT; k++)
		if ((f->given & 1u << k) && keys[k].side &&
		    !keys[k].side(f, &s))
			return false;
	return true;
}

#define CT_TUPLE_KEYS (1u << CT_KEY_SRC | 1u << CT_KEY_DST | \
		       1u << CT_KEY_SPORT | 1u << CT_KEY_DPORT)

bool ct_filter_match(const struct ct_filter *f, const struct nf_conntrack *ct)
{
	int k;

	for (k = 0; k < CT_KEY_COUNT; k++)
		if ((f->given & 1u << k) && keys[k].match &&
		    !keys[k].match(f, ct))
			return false;
	if (!(f->given & CT_TUPLE_KEYS))
		return true;
	return side_match(f, ct, false) || side_match(f, ct, true);
}

/* The family an address filter implies, when no family filter says it. */
static uint8_t filter_family(const struct ct_filter *f)
{
	if (f->given & 1u << CT_KEY_FAMILY)
		return f->family;
	if (f->given & 1u << CT_KEY_SRC)
		return f->src.family;
	if (f->given & 1u << CT_KEY_DST)
		return f->dst.family;
	return AF_UNSPEC;
}

int ct_filter_put_dump(const struct ct_filter *f, struct nlmsghdr *nlh)
{
	struct nfct_filter_dump *fd = nfct_filter_dump_create();
	struct nfct_filter_dump_mark m;
	uint8_t family = filter_family(f);
	int ret;

	if (!fd)
		return -1;
	if (family != AF_UNSPEC)
		nfct_filter_dump_set_attr_u8(fd, NFCT_FILTER_DUMP_L3NUM,
					     family);
	if (f->given & 1u << CT_KEY_MARK) {
		m = (struct nfct_filter_dump_mark){ f->mark, f->mark_mask };
		nfct_filter_dump_set_attr(fd, NFCT_FILTER_DUMP_MARK, &m);
	}
	/* The kernel knows one status test; a list of words is ours. */
	if ((f->given & 1u << CT_KEY_STATE) && f->n_state == 1 &&
	    f->state[0].tcp < 0) {
		m = (struct nfct_filter_dump_mark){ f->state[0].value,
						    f->state[0].mask };
		nfct_filter_dump_set_attr(fd, NFCT_FILTER_DUMP_STATUS, &m);
	}
	ret = nfct_nlmsg_build_filter(nlh, fd);
	nfct_filter_dump_destroy(fd);
	/* Newer libraries do this themselves: the same attribute. */
	if (!ret && (f->given & 1u << CT_KEY_ZONE))
		mnl_attr_put_u16(nlh, CTA_ZONE, htons(f->zone));
	return ret;
}
