// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Random rule files for the optimizer's differential tests. Addresses and
 * ports are drawn near a few anchors per file, so that prefixes nest,
 * ranges overlap and rules shadow each other, which is where a rewrite of
 * a first-match list goes wrong. Rules are built valid by construction
 * (one address family per rule unless the values hold both, ports only
 * with port protocols, zones where the chain allows them); the few the
 * checker still refuses are counted by the caller, not hidden.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opt_gen.h"

void opt_rng_seed(struct opt_rng *g, uint64_t seed)
{
	g->s = seed * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;
	if (!g->s)
		g->s = 1;
}

uint64_t opt_rand(struct opt_rng *g)
{
	g->s ^= g->s >> 12;
	g->s ^= g->s << 25;
	g->s ^= g->s >> 27;
	return g->s * 0x2545f4914f6cdd1dull;
}

unsigned opt_below(struct opt_rng *g, unsigned n)
{
	return (unsigned)((opt_rand(g) >> 32) % n);
}

struct text {
	char	*buf;
	size_t	len, size;
};

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < t->size - t->len)
			break;
		t->size = 2 * t->size + (size_t)n + 64;
		t->buf = realloc(t->buf, t->size);
		if (!t->buf)
			abort();
	}
	t->len += (size_t)n;
}

enum fam { FAM_ANY, FAM_V4, FAM_V6 };

#define ANCHORS	24
#define SETS	3	/* of each kind of address set */

struct gen {
	struct opt_rng	*g;
	struct text	t;
	unsigned	flags;
	uint8_t		v4[ANCHORS][4];
	uint8_t		v6[ANCHORS][16];
	uint16_t	ports[ANCHORS];
	bool		quiet;	/* few rules with effects: long runs */
};

static bool chance(struct gen *s, unsigned percent)
{
	return opt_below(s->g, 100) < percent;
}

/* An address near an anchor: its low bits (up to `spread`) changed. */
static void addr_near(struct gen *s, const uint8_t *anchor, unsigned len,
		      uint8_t *out)
{
	unsigned spread = opt_below(s->g, len == 4 ? 20 : 72), i;

	memcpy(out, anchor, len);
	for (i = 0; i < spread; i++)
		if (opt_rand(s->g) & 1)
			out[len - 1 - i / 8] ^= (uint8_t)(1u << (i % 8));
}

static void put_addr(struct gen *s, const uint8_t *a, unsigned len)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(len == 4 ? AF_INET : AF_INET6, a, buf, sizeof(buf));
	put(&s->t, "%s", buf);
}

/* One address, prefix (host bits cleared) or range of a family. */
static void put_addr_value(struct gen *s, enum fam f)
{
	unsigned len = f == FAM_V4 ? 4 : 16, bits = len * 8, plen, i;
	const uint8_t *anchor = f == FAM_V4 ? s->v4[opt_below(s->g, ANCHORS)] :
				s->v6[opt_below(s->g, ANCHORS)];
	uint8_t a[16], b[16];
	unsigned kind = opt_below(s->g, 10);

	addr_near(s, anchor, len, a);
	if (kind < 3) {
		put_addr(s, a, len);
	} else if (kind < 8) {
		/* Mostly long prefixes: short ones end every list early. */
		plen = opt_below(s->g, 25) ? bits - opt_below(s->g, bits / 2 + 1) :
		       opt_below(s->g, bits + 1);
		for (i = plen; i < bits; i++)
			a[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
		put_addr(s, a, len);
		put(&s->t, "/%u", plen);
	} else {
		addr_near(s, anchor, len, b);
		put_addr(s, memcmp(a, b, len) < 0 ? a : b, len);
		put(&s->t, "-");
		put_addr(s, memcmp(a, b, len) < 0 ? b : a, len);
	}
}

static enum fam fam_pick(struct gen *s, enum fam f)
{
	return f != FAM_ANY ? f : opt_below(s->g, 2) ? FAM_V4 : FAM_V6;
}

/* A list of addresses; for FAM_ANY, of both families. */
static void put_addr_list(struct gen *s, enum fam f, unsigned n)
{
	unsigned i;

	put(&s->t, "{ ");
	for (i = 0; i < n; i++) {
		put(&s->t, i ? ", " : "");
		put_addr_value(s, f != FAM_ANY ? f : i == 0 ? FAM_V4 :
			       i == 1 ? FAM_V6 : fam_pick(s, f));
	}
	put(&s->t, " }");
}

static void put_addrs(struct gen *s, enum fam f)
{
	unsigned kind = opt_below(s->g, 10);

	if (kind < 2 || (f == FAM_ANY && kind < 4)) {
		put(&s->t, "@%s%u", f == FAM_V4 && kind ? "s4_" :
		    f == FAM_V6 && kind ? "s6_" : "sm_", opt_below(s->g, SETS));
	} else if (kind < 6 && f != FAM_ANY) {
		put_addr_value(s, f);
	} else {
		put_addr_list(s, f, 2 + opt_below(s->g, 5));
	}
}

static unsigned port_near(struct gen *s)
{
	int p = s->ports[opt_below(s->g, ANCHORS)];

	if (chance(s, 50))
		p += (int)opt_below(s->g, 7) - 3;
	return p < 1 ? 1 : p > 65535 ? 65535 : (unsigned)p;
}

static void put_port_value(struct gen *s)
{
	unsigned a = port_near(s), b;

	if (chance(s, 70)) {
		put(&s->t, "%u", a);
		return;
	}
	b = chance(s, 10) ? port_near(s) : a + opt_below(s->g, 300);
	b = b > 65535 ? 65535 : b;
	put(&s->t, "%u-%u", a < b ? a : b, a < b ? b : a);
}

static void put_ports(struct gen *s)
{
	unsigned i, n;

	if (chance(s, 8)) {
		put(&s->t, "@ports");
		return;
	}
	if (chance(s, 55)) {
		put_port_value(s);
		return;
	}
	put(&s->t, "{ ");
	for (i = 0, n = 2 + opt_below(s->g, 6); i < n; i++) {
		put(&s->t, i ? ", " : "");
		put_port_value(s);
	}
	put(&s->t, " }");
}

static const char *const ifnames[] = {
	"eth0", "eth1", "eth2", "eth3", "lan0", "lan5", "wg0", "lo",
	"veth0", "ppp0", "lan*", "eth*", "wg*", "veth*",
};

static void put_ifs(struct gen *s)
{
	unsigned i, n = chance(s, 70) ? 1 : 2 + opt_below(s->g, 3);
	size_t k = sizeof(ifnames) / sizeof(*ifnames);

	if (chance(s, 10)) {
		put(&s->t, "@ifs");
		return;
	}
	put(&s->t, n > 1 ? "{ " : "");
	for (i = 0; i < n; i++)
		put(&s->t, "%s%s", i ? ", " : "", ifnames[opt_below(s->g,
								 (unsigned)k)]);
	put(&s->t, n > 1 ? " }" : "");
}

/* What a rule's protocol allows after it. */
struct proto_pick {
	bool	ports;		/* tcp, udp or none: ports may follow */
	bool	tcp_ok;		/* a tcp reset may be sent */
	enum fam fam;		/* icmp and icmpv6 fix the family */
	bool	icmp;		/* icmp type may follow */
};

static struct proto_pick put_proto(struct gen *s, enum fam f)
{
	struct proto_pick pp = { .fam = f };
	unsigned k = opt_below(s->g, 100);

	if (k < 35) {
		if (k < 3)
			put(&s->t, " proto any");
		pp.ports = pp.tcp_ok = pp.icmp = true;
	} else if (k < 55) {
		put(&s->t, " proto tcp");
		pp.ports = pp.tcp_ok = true;
	} else if (k < 68) {
		put(&s->t, " proto udp");
		pp.ports = true;
	} else if (k < 76) {
		put(&s->t, " proto { tcp, udp }");
		pp.ports = true;
	} else if (k < 86 && f != FAM_V6) {
		put(&s->t, " proto icmp");
		pp.fam = FAM_V4;
		pp.icmp = true;
	} else if (k < 92 && f != FAM_V4) {
		put(&s->t, " proto icmpv6");
		pp.fam = FAM_V6;
		pp.icmp = true;
	} else if (k < 96) {
		put(&s->t, " proto !tcp");
	} else if (k < 98) {
		put(&s->t, " proto gre");
	} else {
		put(&s->t, " proto sctp");
		pp.ports = true;
	}
	return pp;
}

static void put_icmp_type(struct gen *s, enum fam f)
{
	static const char *const v4[] = { "echo-request", "echo-reply",
		"destination-unreachable", "time-exceeded", "3", "11" };
	static const char *const v6[] = { "echo-request", "echo-reply",
		"packet-too-big", "time-exceeded", "128", "1" };
	const char *const *names = f == FAM_V4 ? v4 : v6;

	put(&s->t, " %s type %s", f == FAM_V4 ? "icmp" : "icmpv6",
	    names[opt_below(s->g, 6)]);
	if (chance(s, 30))
		put(&s->t, ", %s", names[opt_below(s->g, 6)]);
}

static void put_zones(struct gen *s, bool fwd)
{
	static const char *const from[] = { "lan", "dmz", "wan", "vpn",
					    "guest" };
	/* Negated zones must be interfaces only or networks only. */
	static const char *const neg[] = { "wan", "vpn", "guest" };

	if (chance(s, 25)) {
		if (chance(s, 12))
			put(&s->t, " from !%s", neg[opt_below(s->g, 3)]);
		else
			put(&s->t, " from %s", from[opt_below(s->g, 5)]);
	}
	if (fwd && chance(s, 15)) {
		if (chance(s, 12))
			put(&s->t, " to !%s", neg[opt_below(s->g, 3)]);
		else
			put(&s->t, " to %s", from[opt_below(s->g, 5)]);
	}
}

static void put_reject(struct gen *s, const struct proto_pick *pp)
{
	unsigned k = opt_below(s->g, 10);

	put(&s->t, "reject");
	if (k < 5)
		return;
	if (k < 7 && pp->tcp_ok)
		put(&s->t, " with tcp-reset");
	else if (k < 8)
		put(&s->t, " with icmpx admin-prohibited");
	else if (pp->fam == FAM_V4)
		put(&s->t, " with icmp host-unreachable");
	else if (pp->fam == FAM_V6)
		put(&s->t, " with icmpv6 addr-unreachable");
}

static void put_statements(struct gen *s)
{
	bool kernel = s->flags & OPT_GEN_KERNEL;

	/*
	 * Every effect ends a run the optimizer may reorder; runs shorter
	 * than a leaf stay lists, so half the files have few effects.
	 */
	if (s->quiet && !chance(s, 10))
		return;
	if (chance(s, 5))
		put(&s->t, " counter");
	if (chance(s, 3))
		put(&s->t, " log");
	if (chance(s, 3))
		put(&s->t, kernel ? " limit 100000/second burst 100000" :
		    " limit %u/second", 1 + opt_below(s->g, 100));
	else if (chance(s, 1))
		put(&s->t, " limit connections %u", kernel ? 100000 :
		    1 + opt_below(s->g, 10));
	if (chance(s, 2))
		put(&s->t, " comment \"r%u\"", opt_below(s->g, 1000));
}

static void put_negatable(struct gen *s, const char *word)
{
	put(&s->t, " %s %s", word, chance(s, 3) ? "!" : "");
}

/*
 * The matches of a rule; pp says what its protocol allows. Rules that
 * match everything are rare (a file's first one ends every list).
 */
static void put_matches(struct gen *s, bool fwd, struct proto_pick *pp)
{
	bool ports = false, src = chance(s, 45);

	put(&s->t, " %s", fwd ? "forward" : "input");
	*pp = put_proto(s, pp->fam);
	put_zones(s, fwd);
	if (chance(s, 10))
		put_negatable(s, "iif"), put_ifs(s);
	if (fwd && chance(s, 8))
		put_negatable(s, "oif"), put_ifs(s);
	if (pp->ports && chance(s, 45))
		put_negatable(s, "dport"), put_ports(s), ports = true;
	if (pp->ports && chance(s, 12))
		put_negatable(s, "sport"), put_ports(s), ports = true;
	if (src)
		put_negatable(s, "src"), put_addrs(s, pp->fam);
	if (chance(s, 45) || (!src && !ports && opt_below(s->g, 5000)))
		put_negatable(s, "dst"), put_addrs(s, pp->fam);
	/* Ports and an ICMP type exclude each other; tcp then is out. */
	if (pp->icmp && !ports && pp->fam != FAM_ANY && chance(s, 15)) {
		put_icmp_type(s, pp->fam);
		pp->tcp_ok = false;
	}
	if (!(s->flags & OPT_GEN_KERNEL) && chance(s, 3))
		put(&s->t, " ct state %s", chance(s, 50) ? "new" :
		    "new,untracked");
	put_statements(s);
	put(&s->t, "\n");
}

static void put_rule(struct gen *s)
{
	bool fwd = chance(s, 60);
	unsigned a = opt_below(s->g, 100);
	struct proto_pick pp = {
		.fam = opt_below(s->g, 10) < 4 ? FAM_V4 :
		       opt_below(s->g, 2) ? FAM_V6 : FAM_ANY,
	};
	size_t head = s->t.len;
	char *matches;

	/* The action goes first, but a reject depends on the matches. */
	put_matches(s, fwd, &pp);
	matches = strdup(s->t.buf + head);
	if (!matches)
		abort();
	s->t.len = head;
	if (a < 45)
		put(&s->t, "accept");
	else if (a < 80)
		put(&s->t, "drop");
	else
		put_reject(s, &pp);
	put(&s->t, "%s", matches);
	free(matches);
}

static void put_sets(struct gen *s)
{
	static const char *const kinds[] = { "s4_", "s6_", "sm_" };
	static const enum fam fams[] = { FAM_V4, FAM_V6, FAM_ANY };
	unsigned i, k;

	for (i = 0; i < SETS; i++)
		for (k = 0; k < 3; k++) {
			put(&s->t, "set %s%u = ", kinds[k], i);
			put_addr_list(s, fams[k], (k == 2 ? 2 : 1) +
				      opt_below(s->g, 8));
			put(&s->t, "\n");
		}
}

static void put_prefix(struct gen *s, const uint8_t *a, unsigned len,
		       unsigned plen)
{
	uint8_t m[16];
	unsigned i;

	memcpy(m, a, len);
	for (i = plen; i < len * 8; i++)
		m[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	put_addr(s, m, len);
	put(&s->t, "/%u", plen);
}

static void put_zone_nets(struct gen *s, unsigned k, unsigned p4,
			  unsigned p6)
{
	put(&s->t, "networks ");
	put_prefix(s, s->v4[k], 4, p4);
	put(&s->t, ", ");
	put_prefix(s, s->v6[k], 16, p6);
}

static void put_declarations(struct gen *s)
{
	put(&s->t, "zone lan { interfaces eth1, lan*; ");
	put_zone_nets(s, 0, 16, 48);
	put(&s->t, " }\nzone dmz { interfaces eth2; ");
	put_zone_nets(s, 1, 24, 64);
	put(&s->t, " }\nzone wan { interfaces eth0 }\n"
	    "zone vpn { interfaces wg* }\nzone guest { ");
	put_zone_nets(s, 2, 24, 64);
	put(&s->t, " }\n");
	put_sets(s);
	put(&s->t, "set ports = { ");
	put_port_value(s);
	put(&s->t, ", ");
	put_port_value(s);
	put(&s->t, " }\nset ifs = { eth3, wg*, lan5 }\n");
	put(&s->t, "policy input %s\npolicy forward %s\n",
	    chance(s, 50) ? "drop" : "accept",
	    chance(s, 50) ? "drop" : "accept");
}

/*
 * Wide rules after the others, as ClassBench lists end: each reaches
 * into most groups of a tree, which is what the optimizer's wide tree
 * (those rules in a tree of their own, after the tree of the rest) is
 * for. Nothing but dimensions, so that they may move.
 */
static void put_wide_rules(struct gen *s, size_t n)
{
	unsigned k, a;
	size_t i;

	for (i = 0; i < n; i++) {
		k = opt_below(s->g, ANCHORS);
		a = opt_below(s->g, 100);
		put(&s->t, "%s forward", a < 50 ? "accept" : "drop");
		switch (opt_below(s->g, 5)) {
		case 0:
			put(&s->t, " src ");
			put_prefix(s, s->v4[k], 4, 1 + opt_below(s->g, 12));
			break;
		case 1:
			put(&s->t, " dst ");
			put_prefix(s, s->v4[k % 4], 4, 8 + opt_below(s->g, 16));
			break;
		case 2:
			put(&s->t, " src ");
			put_prefix(s, s->v6[k], 16, 1 + opt_below(s->g, 20));
			break;
		case 3:
			put(&s->t, " proto %s", chance(s, 50) ? "tcp" : "udp");
			break;
		default:
			put(&s->t, " proto tcp dport %u-65535",
			    1 + opt_below(s->g, 2048));
		}
		put(&s->t, "\n");
	}
}

/*
 * proto P src A dst B [dport P], as in ClassBench's ACLs: sources spread
 * over the anchors' /16s, destinations a few servers (anchors 0-3).
 */
static void put_narrow_rule(struct gen *s)
{
	unsigned a = opt_below(s->g, 100), k = opt_below(s->g, ANCHORS);
	uint8_t src[16];

	put(&s->t, "%s forward proto %s src ", a < 50 ? "accept" : a < 90 ?
	    "drop" : "reject", chance(s, 70) ? "tcp" : "udp");
	if (chance(s, 20)) {
		memcpy(src, s->v6[k], 16);
		src[14] = (uint8_t)opt_below(s->g, 256);
		put_prefix(s, src, 16, chance(s, 70) ? 128 :
			   96 + opt_below(s->g, 32));
		put(&s->t, " dst ");
		put_prefix(s, s->v6[opt_below(s->g, 4)], 16, 128);
	} else {
		memcpy(src, s->v4[k], 4);
		src[2] = (uint8_t)opt_below(s->g, 256);
		src[3] = (uint8_t)opt_below(s->g, 256);
		put_prefix(s, src, 4, chance(s, 70) ? 32 :
			   20 + opt_below(s->g, 12));
		put(&s->t, " dst ");
		put_prefix(s, s->v4[opt_below(s->g, 4)], 4, chance(s, 80) ?
			   32 : 28 + opt_below(s->g, 4));
	}
	if (chance(s, 80)) {
		put(&s->t, " dport ");
		put_port_value(s);
	}
	put(&s->t, "\n");
}

/* Anchors in a few blocks, so that rules of one file meet each other. */
static void anchors(struct gen *s)
{
	static const uint8_t blocks4[][2] = {
		{ 10, 0 }, { 10, 1 }, { 192, 168 }, { 172, 16 },
		{ 198, 51 }, { 100, 64 },
	};
	static const uint16_t ports[] = { 22, 53, 80, 443, 1024, 8080,
					  65535, 3000 };
	unsigned i;

	for (i = 0; i < ANCHORS; i++) {
		uint64_t r = opt_rand(s->g);

		memcpy(s->v4[i], blocks4[i % 6], 2);
		s->v4[i][2] = (uint8_t)r;
		s->v4[i][3] = (uint8_t)(r >> 8);
		memset(s->v6[i], 0, 16);
		s->v6[i][0] = opt_below(s->g, 2) ? 0xfd : 0x20;
		s->v6[i][1] = opt_below(s->g, 2) ? 0x00 : 0x01;
		memcpy(s->v6[i] + 2, &r, 8);
		s->v6[i][15] = (uint8_t)opt_below(s->g, 256);
		s->ports[i] = opt_below(s->g, 3) ? ports[opt_below(s->g, 8)] :
			      (uint16_t)(1 + opt_below(s->g, 65535));
	}
}

char *opt_gen_rules(struct opt_rng *g, size_t n, unsigned flags)
{
	struct gen s = { .g = g, .flags = flags };
	size_t i;

	anchors(&s);
	s.quiet = chance(&s, 50);
	put(&s.t, "# %zu random rules\n", n);
	put_declarations(&s);
	if (flags & OPT_GEN_LIST) {
		for (i = 0; i < n; i++)
			put_narrow_rule(&s);
		put_wide_rules(&s, n / 32 + 1);
		/* As access lists are: big ones get a flow cache. Half are
		 * in a chain that tracks connections: a tree without a
		 * cache, the flow map for changes in front all the same. */
		if (chance(&s, 50))
			put(&s.t, "stateless\n");
		return s.t.buf;
	}
	for (i = 0; i < n; i++)
		put_rule(&s);
	return s.t.buf;
}
