// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * classbench: ClassBench filter sets for the classification benchmark
 * (tests/bench/classify).
 *
 *   [--deny] CMD ...   (before any command but gen) filter verdicts
 *                      swapped and the policy drop: an allow list, the
 *                      shape of most firewalls, rather than an ACL
 *   gen N SEED         an ordered ClassBench-like set of N filters
 *   fw FILE            the set as an fwctl rule file (chain forward)
 *   nft FILE           the same meaning as a naive nft ruleset
 *   trace FILE N SEED [drop]
 *                      N tcp/udp packets that the set accepts (drops),
 *                      none from or to addresses a router does not
 *                      forward or the benchmark's own (198.18.0.0/15)
 *
 * The ClassBench format, one filter a line, first match wins:
 *   @SRC/LEN DST/LEN SPLO : SPHI DPLO : DPHI PROTO/MASK FLAGS/MASK
 * Filters carry no verdict: filter i (counting from 0) drops when
 * i % 3 == 0 and accepts otherwise; a packet no filter matches is
 * accepted (policy accept). With --deny, filter i accepts when i % 3 == 0
 * and drops otherwise, and the policy drops. FLAGS (TCP flags) are
 * ignored: neither rule language here matches them, and the traffic is
 * TCP SYNs and UDP.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROTO_ICMP	1
#define PROTO_TCP	6
#define PROTO_UDP	17
#define PROTO_GRE	47
#define PORT_MAX	65535
/* Draws per packet a trace may spend before it gives up on N. */
#define TRACE_TRIES	200

struct filter {
	uint32_t src, dst;		/* host order, host bits cleared */
	uint8_t slen, dlen;
	uint16_t sport[2], dport[2];	/* inclusive ranges */
	uint8_t proto, pmask;		/* pmask 0: any protocol */
};

struct packet {
	uint8_t proto;
	uint32_t src, dst;
	uint16_t sport, dport;
};

struct set {
	struct filter *f;
	size_t n;
};

/* splitmix64: small, fast, and the same sequence on every machine. */
static uint64_t rng_state;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static uint32_t rng_range(uint32_t lo, uint32_t hi)
{
	return lo + rng() % ((uint64_t)hi - lo + 1);
}

static bool rng_chance(unsigned percent)
{
	return rng() % 100 < percent;
}

static uint32_t prefix_mask(unsigned len)
{
	return len ? ~0u << (32 - len) : 0;
}

static bool deny;	/* --deny: verdicts swapped, policy drop */

static bool filter_drops(size_t i)
{
	return (i % 3 == 0) != deny;
}

static const char *policy(void)
{
	return deny ? "drop" : "accept";
}

static bool ports_wild(const uint16_t p[2])
{
	return p[0] == 0 && p[1] == PORT_MAX;
}

static bool filter_has_ports(const struct filter *f)
{
	return !ports_wild(f->sport) || !ports_wild(f->dport);
}

static bool in_prefix(uint32_t addr, uint32_t net, unsigned len)
{
	return (addr & prefix_mask(len)) == net;
}

static bool in_range(uint16_t v, const uint16_t r[2])
{
	return v >= r[0] && v <= r[1];
}

/* A filter with ports and any protocol means tcp or udp (see fw). */
static bool filter_matches(const struct filter *f, const struct packet *p)
{
	if (f->pmask && f->proto != p->proto)
		return false;
	if (!in_prefix(p->src, f->src, f->slen) ||
	    !in_prefix(p->dst, f->dst, f->dlen))
		return false;
	if (!filter_has_ports(f))
		return true;
	return (p->proto == PROTO_TCP || p->proto == PROTO_UDP) &&
	       in_range(p->sport, f->sport) && in_range(p->dport, f->dport);
}

/* The index of the first filter that matches, s->n for none. */
static size_t set_first(const struct set *s, const struct packet *p)
{
	size_t i;

	for (i = 0; i < s->n && !filter_matches(&s->f[i], p); i++)
		;
	return i;
}

static int filter_parse(struct filter *f, const char *line)
{
	unsigned s[4], d[4], slen, dlen, sp[2], dp[2], proto, pmask;
	int i;

	if (sscanf(line, "@%u.%u.%u.%u/%u %u.%u.%u.%u/%u %u : %u %u : %u %x/%x",
		   &s[0], &s[1], &s[2], &s[3], &slen, &d[0], &d[1], &d[2],
		   &d[3], &dlen, &sp[0], &sp[1], &dp[0], &dp[1], &proto,
		   &pmask) != 16)
		return -1;
	for (i = 0; i < 4; i++)
		if (s[i] > 255 || d[i] > 255)
			return -1;
	if (slen > 32 || dlen > 32 || sp[0] > sp[1] || sp[1] > PORT_MAX ||
	    dp[0] > dp[1] || dp[1] > PORT_MAX || proto > 255 ||
	    (pmask != 0 && pmask != 0xff))
		return -1;
	f->slen = slen;
	f->dlen = dlen;
	f->src = (s[0] << 24 | s[1] << 16 | s[2] << 8 | s[3]) &
		 prefix_mask(slen);
	f->dst = (d[0] << 24 | d[1] << 16 | d[2] << 8 | d[3]) &
		 prefix_mask(dlen);
	f->sport[0] = sp[0];
	f->sport[1] = sp[1];
	f->dport[0] = dp[0];
	f->dport[1] = dp[1];
	f->pmask = pmask;
	f->proto = pmask ? proto : 0;
	return 0;
}

static int set_push(struct set *s, const struct filter *f, size_t *cap)
{
	struct filter *nf;

	if (s->n == *cap) {
		*cap = *cap ? 2 * *cap : 1024;
		nf = realloc(s->f, *cap * sizeof(*nf));
		if (!nf)
			return -1;
		s->f = nf;
	}
	s->f[s->n++] = *f;
	return 0;
}

static int set_read(struct set *s, const char *path)
{
	char line[512];
	struct filter f;
	size_t cap = 0, lineno = 0;
	FILE *in = fopen(path, "r");

	if (!in) {
		perror(path);
		return -1;
	}
	memset(s, 0, sizeof(*s));
	while (fgets(line, sizeof(line), in)) {
		lineno++;
		if (line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if (filter_parse(&f, line) < 0 || set_push(s, &f, &cap) < 0) {
			fprintf(stderr, "%s:%zu: not a ClassBench filter: %s",
				path, lineno, line);
			fclose(in);
			return -1;
		}
	}
	fclose(in);
	return 0;
}

static const char *addr_str(uint32_t a, char *buf)
{
	struct in_addr in = { htonl(a) };

	return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

static void range_print(const char *word, const char *sep,
			const uint16_t r[2])
{
	if (ports_wild(r))
		return;
	if (r[0] == r[1])
		printf(" %s %u", word, r[0]);
	else
		printf(" %s %u%s%u", word, r[0], sep, r[1]);
}

static void prefix_print(const char *word, uint32_t a, unsigned len)
{
	char buf[INET_ADDRSTRLEN];

	if (len == 0)
		return;
	if (len == 32)
		printf(" %s %s", word, addr_str(a, buf));
	else
		printf(" %s %s/%u", word, addr_str(a, buf), len);
}

/* The protocol as both languages name it; NULL for any. */
static const char *proto_name(const struct filter *f, char *buf)
{
	if (!f->pmask)
		return filter_has_ports(f) ? "{ tcp, udp }" : NULL;
	switch (f->proto) {
	case PROTO_TCP:
		return "tcp";
	case PROTO_UDP:
		return "udp";
	case PROTO_ICMP:
		return "icmp";
	}
	sprintf(buf, "%u", f->proto);
	return buf;
}

/* Ports make sense only with tcp or udp (or any, read as both). */
static int filter_check(const struct filter *f, size_t i)
{
	if (!filter_has_ports(f) || !f->pmask || f->proto == PROTO_TCP ||
	    f->proto == PROTO_UDP)
		return 0;
	fprintf(stderr, "filter %zu: ports with protocol %u\n", i, f->proto);
	return -1;
}

static void fw_rule(const struct filter *f, size_t i)
{
	const char *proto;
	char buf[8];

	printf("%s forward", filter_drops(i) ? "drop" : "accept");
	proto = proto_name(f, buf);
	if (proto)
		printf(" proto %s", proto);
	prefix_print("src", f->src, f->slen);
	prefix_print("dst", f->dst, f->dlen);
	range_print("sport", "-", f->sport);
	range_print("dport", "-", f->dport);
	putchar('\n');
}

static void nft_rule(const struct filter *f, size_t i)
{
	const char *proto;
	char buf[8];

	putchar('\t');
	prefix_print("ip saddr", f->src, f->slen);
	prefix_print("ip daddr", f->dst, f->dlen);
	proto = proto_name(f, buf);
	if (proto)
		printf(" meta l4proto %s", proto);
	range_print("th sport", "-", f->sport);
	range_print("th dport", "-", f->dport);
	printf(" %s\n", filter_drops(i) ? "drop" : "accept");
}

static int set_print(const char *path, void (*rule)(const struct filter *,
							size_t),
		     const char *head, const char *tail)
{
	struct set s;
	size_t i;

	if (set_read(&s, path) < 0)
		return 1;
	for (i = 0; i < s.n; i++)
		if (filter_check(&s.f[i], i) < 0)
			return 1;
	fputs(head, stdout);
	for (i = 0; i < s.n; i++)
		rule(&s.f[i], i);
	fputs(tail, stdout);
	free(s.f);
	return 0;
}

/* "stateless" as the optional word: an ACL, no connection tracking. */
static bool stateless(char **argv)
{
	return argv[1] && !strcmp(argv[1], "stateless");
}

static int cmd_fw(char **argv)
{
	char head[64];

	snprintf(head, sizeof(head), "%spolicy forward %s\n",
		 stateless(argv) ? "stateless\n" : "", policy());
	return set_print(argv[0], fw_rule, head, "");
}

static int cmd_nft(char **argv)
{
	char head[256];

	snprintf(head, sizeof(head), "table inet cbnaive {\n"
		 "    chain forward {\n"
		 "\ttype filter hook forward priority 0; policy %s;\n%s",
		 policy(), stateless(argv) ? "" :
		 "\tct state established,related accept\n"
		 "\tct state invalid drop\n");
	return set_print(argv[0], nft_rule, head, "    }\n}\n");
}

/*
 * Addresses a router does not forward (this, loopback, multicast and
 * reserved) and the benchmark range the classify topology uses.
 */
static bool addr_special(uint32_t a)
{
	return in_prefix(a, 0, 8) || in_prefix(a, 0x7f000000, 8) ||
	       in_prefix(a, 0xc6120000, 15) || in_prefix(a, 0xe0000000, 3);
}

static uint32_t addr_in(uint32_t net, unsigned len)
{
	return net | ((uint32_t)rng() & ~prefix_mask(len));
}

/* Port 0 is avoided: some stacks treat it as an error. */
static uint16_t port_in(const uint16_t r[2])
{
	return rng_range(r[0] ? r[0] : (r[1] ? 1 : 0), r[1]);
}

static bool packet_in_filter(struct packet *p, const struct filter *f)
{
	if (f->pmask && f->proto != PROTO_TCP && f->proto != PROTO_UDP)
		return false;
	p->proto = f->pmask ? f->proto :
		   rng_chance(50) ? PROTO_TCP : PROTO_UDP;
	p->src = addr_in(f->src, f->slen);
	p->dst = addr_in(f->dst, f->dlen);
	p->sport = port_in(f->sport);
	p->dport = port_in(f->dport);
	return p->sport && p->dport;
}

static void packet_random(struct packet *p)
{
	p->proto = rng_chance(50) ? PROTO_TCP : PROTO_UDP;
	p->src = rng();
	p->dst = rng();
	p->sport = rng_range(1024, PORT_MAX);
	p->dport = rng_range(1, PORT_MAX);
}

/* Nine in ten inside a random filter's box, so deep filters get hit. */
static bool packet_draw(struct packet *p, const struct set *s)
{
	if (rng_chance(10) || !s->n)
		packet_random(p);
	else if (!packet_in_filter(p, &s->f[rng() % s->n]))
		return false;
	return !addr_special(p->src) && !addr_special(p->dst);
}

static void packet_print(const struct packet *p)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];

	printf("%s %s %s %u %u\n", p->proto == PROTO_TCP ? "tcp" : "udp",
	       addr_str(p->src, a), addr_str(p->dst, b), p->sport, p->dport);
}

/*
 * The packets, accepted or (with "drop") dropped ones, and on stderr
 * how deep in the list their first matches were: that is what a linear
 * list costs per packet.
 */
static int cmd_trace(char **argv)
{
	unsigned long n = strtoul(argv[1], NULL, 10), got = 0, tries, none = 0;
	bool drop = argv[3] && !strcmp(argv[3], "drop");
	double depth = 0;
	struct packet p;
	struct set s;
	size_t i;

	if (argv[3] && !drop) {
		fprintf(stderr, "trace: %s: not \"drop\"\n", argv[3]);
		return 2;
	}
	rng_state = strtoull(argv[2], NULL, 10);
	if (set_read(&s, argv[0]) < 0)
		return 1;
	for (tries = 0; got < n && tries < n * TRACE_TRIES; tries++) {
		if (!packet_draw(&p, &s))
			continue;
		i = set_first(&s, &p);
		if ((i < s.n && filter_drops(i)) != drop)
			continue;
		packet_print(&p);
		depth += i < s.n ? i + 1 : s.n;
		none += i == s.n;
		got++;
	}
	free(s.f);
	fprintf(stderr, "trace: %lu packets, first match at rule %.0f of %zu "
		"on average, %lu match none\n", got, got ? depth / got : 0,
		s.n, none);
	if (got < n) {
		fputs("trace: too few packets found\n", stderr);
		return 1;
	}
	return 0;
}

/*
 * The generator. Real ACLs name a limited number of networks, many
 * rules share a source and destination pair and differ in ports, and
 * hosts (/32) and subnets of those networks dominate; destination
 * ports are mostly well-known services, source ports mostly any.
 */
struct gen {
	uint32_t *net;
	uint8_t *netlen;
	size_t nnet;
};

static const uint16_t services[] = {
	20, 21, 22, 23, 25, 53, 67, 69, 80, 110, 111, 123, 135, 137, 139,
	143, 161, 162, 179, 389, 443, 445, 465, 514, 587, 636, 993, 995,
	1433, 1521, 1723, 2049, 3128, 3306, 3389, 5060, 5432, 6000, 8080,
	8443,
};

static unsigned gen_netlen(void)
{
	unsigned r = rng() % 100;

	if (r < 5)
		return 8;
	if (r < 30)
		return 16;
	if (r < 80)
		return 24;
	return rng_range(12, 28);
}

static uint32_t gen_addr(void)
{
	uint32_t a;

	do
		a = rng();
	while (addr_special(a));
	return a;
}

static int gen_init(struct gen *g, size_t n)
{
	size_t i;

	g->nnet = 8 + n / 25;
	g->net = calloc(g->nnet, sizeof(*g->net));
	g->netlen = calloc(g->nnet, sizeof(*g->netlen));
	if (!g->net || !g->netlen)
		return -1;
	for (i = 0; i < g->nnet; i++) {
		g->netlen[i] = gen_netlen();
		g->net[i] = gen_addr() & prefix_mask(g->netlen[i]);
	}
	return 0;
}

/*
 * Rules get broader towards the end of the list, as in real ACLs: hosts
 * and small subnets first, networks and wildcards in the last twentieth,
 * then the default rule; only late rules have both addresses /0. Broad
 * rules early would shadow most of the rules after them, and no packet
 * would go deep into the list.
 */
struct shape {
	unsigned src_wild, dst_wild;	/* percent /0 */
	unsigned host, small, subnet;	/* percent /32, /28-/31, /24-/27 */
	unsigned dport_wild;		/* percent of tcp and udp rules */
	unsigned any_ports;		/* percent of any-protocol rules */
	unsigned shortest;		/* the shortest prefix but /0 */
};

static const struct shape shape_early = { 1, 1, 50, 25, 15, 3, 80, 20 };
static const struct shape shape_late = { 20, 10, 30, 10, 20, 30, 30, 8 };

/* A prefix inside one of the networks (the first ones more often),
 * else /0; the rest of the lengths go between the network's (or the
 * shape's shortest) and /32. */
static void gen_prefix(const struct gen *g, uint32_t *addr, uint8_t *len,
		       unsigned wild, const struct shape *sh)
{
	double u = (double)(rng() % 1000000) / 1000000;
	size_t k = (size_t)(u * u * g->nnet);
	unsigned nl = g->netlen[k], r = rng() % 100;

	if (rng_chance(wild)) {
		*addr = 0;
		*len = 0;
		return;
	}
	if (r < sh->host)
		*len = 32;
	else if ((r -= sh->host) < sh->small)
		*len = rng_range(nl > 28 ? nl : 28, 31);
	else if ((r -= sh->small) < sh->subnet)
		*len = rng_range(nl > 24 ? nl : 24, nl > 27 ? nl : 27);
	else
		*len = rng_range(nl > sh->shortest ? nl : sh->shortest, 32);
	*addr = addr_in(g->net[k], nl) & prefix_mask(*len);
}

static void port_set(uint16_t r[2], uint16_t lo, uint16_t hi)
{
	r[0] = lo;
	r[1] = hi;
}

static uint16_t gen_service(void)
{
	return services[rng() % (sizeof(services) / sizeof(services[0]))];
}

static void gen_sport(uint16_t r[2])
{
	unsigned k = rng() % 100;
	uint16_t svc = gen_service();

	if (k < 85)
		port_set(r, 0, PORT_MAX);
	else if (k < 90)
		port_set(r, svc, svc);
	else
		port_set(r, 1024, PORT_MAX);
}

static void gen_dport(uint16_t r[2], const struct shape *sh)
{
	unsigned k = rng() % 100, lo = rng_range(1024, PORT_MAX);
	unsigned hi = lo + rng_range(1, 2000);
	uint16_t svc = gen_service();

	if (rng_chance(sh->dport_wild))
		port_set(r, 0, PORT_MAX);
	else if (k < 50)
		port_set(r, svc, svc);
	else if (k < 70)
		port_set(r, lo, lo);
	else if (k < 80)
		port_set(r, 1024, PORT_MAX);
	else if (k < 85)
		port_set(r, 0, 1023);
	else
		port_set(r, lo, hi > PORT_MAX ? PORT_MAX : hi);
}

/* tcp 65%, udp 20%, any 8%, icmp 5%, gre 2%; ports for tcp and udp
 * always, for any sometimes (it then means tcp or udp). */
static void gen_proto(struct filter *f, const struct shape *sh)
{
	unsigned k = rng() % 100;

	port_set(f->sport, 0, PORT_MAX);
	port_set(f->dport, 0, PORT_MAX);
	f->pmask = k < 85 || k >= 93 ? 0xff : 0;
	f->proto = k < 65 ? PROTO_TCP : k < 85 ? PROTO_UDP : k < 93 ? 0 :
		   k < 98 ? PROTO_ICMP : PROTO_GRE;
	if (f->proto == PROTO_TCP || f->proto == PROTO_UDP ||
	    (!f->pmask && rng_chance(sh->any_ports))) {
		gen_sport(f->sport);
		gen_dport(f->dport, sh);
	}
}

static void filter_write(const struct filter *f)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];

	printf("@%s/%u\t%s/%u\t%u : %u\t%u : %u\t0x%02x/0x%02X\t0x0000/0x0000\t\n",
	       addr_str(f->src, a), f->slen, addr_str(f->dst, b), f->dlen,
	       f->sport[0], f->sport[1], f->dport[0], f->dport[1], f->proto,
	       f->pmask);
}

/* Half the rules reuse the previous rule's pair; the last is any-any. */
static int cmd_gen(char **argv)
{
	unsigned long n = strtoul(argv[0], NULL, 10), i;
	const struct shape *sh;
	struct filter f = { 0 };
	struct gen g;

	rng_state = strtoull(argv[1], NULL, 10);
	if (n < 1 || gen_init(&g, n) < 0) {
		fputs("gen: N must be at least 1\n", stderr);
		return 1;
	}
	for (i = 0; i + 1 < n; i++) {
		sh = i < n - n / 20 ? &shape_early : &shape_late;
		if (i == 0 || !rng_chance(50)) {
			gen_prefix(&g, &f.src, &f.slen, sh->src_wild, sh);
			gen_prefix(&g, &f.dst, &f.dlen, f.slen || sh == &shape_late ?
				   sh->dst_wild : 0, sh);
		}
		gen_proto(&f, sh);
		filter_write(&f);
	}
	memset(&f, 0, sizeof(f));
	port_set(f.sport, 0, PORT_MAX);
	port_set(f.dport, 0, PORT_MAX);
	filter_write(&f);
	free(g.net);
	free(g.netlen);
	return 0;
}

static const struct command {
	const char *name;
	int argc;
	int (*run)(char **argv);
	const char *usage;
} commands[] = {
	{ "gen", 2, cmd_gen, "gen N SEED" },
	{ "fw", 1, cmd_fw, "fw FILE [stateless]" },
	{ "nft", 1, cmd_nft, "nft FILE [stateless]" },
	{ "trace", 3, cmd_trace, "trace FILE N SEED [drop]" },
};

int main(int argc, char **argv)
{
	size_t i, n = sizeof(commands) / sizeof(commands[0]);

	if (argc > 2 && !strcmp(argv[1], "--deny") &&
	    strcmp(argv[2], "gen")) {
		deny = true;
		argc--;
		argv++;
	}
	for (i = 0; argc > 1 && i < n; i++)
		if (!strcmp(argv[1], commands[i].name) &&
		    (argc == commands[i].argc + 2 ||
		     (commands[i].run != cmd_gen &&
		      argc == commands[i].argc + 3)))
			return commands[i].run(argv + 2);
	fputs("usage:", stderr);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s classbench %s%s\n", i ? "      " : "",
			commands[i].run == cmd_gen ? "" : "[--deny] ",
			commands[i].usage);
	return 2;
}
