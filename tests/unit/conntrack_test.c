// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fwctl conntrack without a kernel: filters parsed and matched against
 * entries built by hand, the table and JSON lines they print, and the
 * part of a dump request the kernel filters on.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <stdlib.h>

#include <libnetfilter_conntrack/libnetfilter_conntrack_tcp.h>

#include "ct_filter.h"
#include "ct_print.h"
#include "unit.h"

/* "a:p" strings would be nicer, but the attributes want network order. */
static struct nf_conntrack *entry_v4(uint8_t proto, const char *src,
				     uint16_t sport, const char *dst,
				     uint16_t dport)
{
	struct nf_conntrack *ct = nfct_new();
	struct in_addr s, d;

	inet_pton(AF_INET, src, &s);
	inet_pton(AF_INET, dst, &d);
	nfct_set_attr_u8(ct, ATTR_L3PROTO, AF_INET);
	nfct_set_attr_u8(ct, ATTR_REPL_L3PROTO, AF_INET);
	nfct_set_attr_u8(ct, ATTR_L4PROTO, proto);
	nfct_set_attr_u8(ct, ATTR_REPL_L4PROTO, proto);
	nfct_set_attr_u32(ct, ATTR_ORIG_IPV4_SRC, s.s_addr);
	nfct_set_attr_u32(ct, ATTR_ORIG_IPV4_DST, d.s_addr);
	nfct_set_attr_u32(ct, ATTR_REPL_IPV4_SRC, d.s_addr);
	nfct_set_attr_u32(ct, ATTR_REPL_IPV4_DST, s.s_addr);
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		nfct_set_attr_u16(ct, ATTR_ORIG_PORT_SRC, htons(sport));
		nfct_set_attr_u16(ct, ATTR_ORIG_PORT_DST, htons(dport));
		nfct_set_attr_u16(ct, ATTR_REPL_PORT_SRC, htons(dport));
		nfct_set_attr_u16(ct, ATTR_REPL_PORT_DST, htons(sport));
	}
	nfct_set_attr_u32(ct, ATTR_STATUS, IPS_CONFIRMED);
	nfct_set_attr_u32(ct, ATTR_TIMEOUT, 120);
	return ct;
}

/* After SNAT the reply goes to the translated source. */
static void snat(struct nf_conntrack *ct, const char *addr, uint16_t port)
{
	struct in_addr a;

	inet_pton(AF_INET, addr, &a);
	nfct_set_attr_u32(ct, ATTR_REPL_IPV4_DST, a.s_addr);
	nfct_set_attr_u16(ct, ATTR_REPL_PORT_DST, htons(port));
}

static void dnat(struct nf_conntrack *ct, const char *addr, uint16_t port)
{
	struct in_addr a;

	inet_pton(AF_INET, addr, &a);
	nfct_set_attr_u32(ct, ATTR_REPL_IPV4_SRC, a.s_addr);
	nfct_set_attr_u16(ct, ATTR_REPL_PORT_SRC, htons(port));
}

/* Parses a filter given as one string of words (at most 16). */
static int parse(struct ct_filter *f, const char *words)
{
	char buf[256], *argv[16];
	int argc = 0;
	char *w;

	snprintf(buf, sizeof(buf), "%s", words);
	for (w = strtok(buf, " "); w && argc < 16; w = strtok(NULL, " "))
		argv[argc++] = w;
	return ct_filter_parse(f, argc, argv);
}

static bool matches(const char *words, const struct nf_conntrack *ct)
{
	struct ct_filter f;

	if (parse(&f, words) < 0) {
		fprintf(stderr, "filter '%s' did not parse\n", words);
		return false;
	}
	return ct_filter_match(&f, ct);
}

static void test_parse_errors(void)
{
	static const char *const bad[] = {
		"bogus 1", "src", "src 10.0.0.300", "src 10.0.0.0/33",
		"dst 2001:db8::/129", "src 10.0.0.1/", "src 10.0.0.1/x",
		"proto 256", "proto foo", "sport 65536", "sport -1",
		"dport 80x", "state foo", "state established,", "state ,new",
		"mark 0x1/0xz", "mark 4294967296", "zone 65536",
		"family ipv5", "src 1.2.3.4 src 1.2.3.4", "sport",
	};
	struct ct_filter f;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!CHECK(parse(&f, bad[i]) < 0))
			fprintf(stderr, "  accepted: %s\n", bad[i]);
	CHECK(parse(&f, "") == 0 && ct_filter_empty(&f));
	CHECK(parse(&f, "src 10.1.2.3/8") == 0 && f.src.len == 8 &&
	      f.src.addr[0] == 10 && f.src.addr[1] == 0);
	CHECK(parse(&f, "mark 0x13/0x0f") == 0 && f.mark == 3 &&
	      f.mark_mask == 15);
	CHECK(parse(&f, "proto 47") == 0 && f.proto == IPPROTO_GRE);
	CHECK(parse(&f, "sport 010 zone 0x10") == 0 && f.sport == 10 &&
	      f.zone == 16);
	CHECK(parse(&f, "state ESTABLISHED,seen_reply") == 0 &&
	      f.n_state == 2);
}

static void test_match_tuple(void)
{
	struct nf_conntrack *ct = entry_v4(IPPROTO_TCP, "10.0.0.5", 40000,
					   "203.0.113.1", 80);

	CHECK(matches("src 10.0.0.5", ct));
	CHECK(matches("src 10.0.0.0/24 dst 203.0.113.0/24", ct));
	CHECK(!matches("src 10.0.1.0/24", ct));
	CHECK(matches("src 0.0.0.0/0", ct));
	CHECK(!matches("src ::/0", ct));
	CHECK(matches("sport 40000 dport 80", ct));
	CHECK(!matches("sport 80", ct));
	CHECK(matches("proto tcp family ipv4", ct));
	CHECK(!matches("proto udp", ct));
	CHECK(!matches("family ipv6", ct));
	/* SNAT to 198.51.100.1:1000 and DNAT to 192.168.1.10:8080. */
	snat(ct, "198.51.100.1", 1000);
	dnat(ct, "192.168.1.10", 8080);
	CHECK(matches("src 10.0.0.5 sport 40000", ct));
	CHECK(matches("src 198.51.100.1 sport 1000", ct));
	CHECK(matches("dst 192.168.1.10 dport 8080", ct));
	CHECK(matches("src 198.51.100.1 dst 192.168.1.10", ct));
	CHECK(matches("src 10.0.0.5 dst 203.0.113.1 dport 80", ct));
	/* Both keys must hold on the same side. */
	CHECK(!matches("src 10.0.0.5 dst 192.168.1.10", ct));
	CHECK(!matches("src 198.51.100.1 sport 40000", ct));
	CHECK(!matches("dst 10.0.0.5", ct));
	nfct_destroy(ct);
}

static void test_match_state(void)
{
	struct nf_conntrack *tcp = entry_v4(IPPROTO_TCP, "10.0.0.1", 1,
					    "10.0.0.2", 2);
	struct nf_conntrack *udp = entry_v4(IPPROTO_UDP, "10.0.0.1", 1,
					    "10.0.0.2", 2);

	nfct_set_attr_u8(tcp, ATTR_TCP_STATE, TCP_CONNTRACK_TIME_WAIT);
	nfct_set_attr_u32(tcp, ATTR_STATUS, IPS_CONFIRMED | IPS_SEEN_REPLY |
			  IPS_ASSURED);
	CHECK(matches("state time_wait", tcp));
	CHECK(matches("state TIME-WAIT", tcp));
	CHECK(matches("state established,time_wait", tcp));
	CHECK(!matches("state established", tcp));
	CHECK(matches("state assured", tcp));
	CHECK(matches("state seen-reply", tcp));
	CHECK(!matches("state new", tcp));
	CHECK(matches("state new", udp));
	CHECK(matches("state unreplied", udp));
	CHECK(!matches("state replied", udp));
	/* TCP states say nothing about other protocols. */
	CHECK(!matches("state time_wait", udp));
	/* Destroy events carry no status: no state holds. */
	nfct_attr_unset(udp, ATTR_STATUS);
	CHECK(!matches("state new", udp));
	nfct_destroy(tcp);
	nfct_destroy(udp);
}

static void test_match_mark_zone(void)
{
	struct nf_conntrack *ct = entry_v4(IPPROTO_UDP, "10.0.0.1", 1,
					   "10.0.0.2", 2);

	/* The kernel leaves out a zero mark and zone 0 in events. */
	CHECK(matches("mark 0 zone 0", ct));
	nfct_set_attr_u32(ct, ATTR_MARK, 0x1234);
	nfct_set_attr_u16(ct, ATTR_ZONE, 7);
	CHECK(matches("mark 0x1234", ct));
	CHECK(matches("mark 4660", ct));
	CHECK(matches("mark 0x34/0xff", ct));
	CHECK(!matches("mark 0x35/0xff", ct));
	CHECK(!matches("mark 0", ct));
	CHECK(matches("zone 7", ct));
	CHECK(!matches("zone 0", ct));
	nfct_destroy(ct);
}

/* What ct_print wrote, as a string the caller frees. */
static char *printed(const struct nf_conntrack *ct, unsigned flags,
		     enum nf_conntrack_msg_type type)
{
	struct ct_printer p;
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	ct_print_begin(&p, out, flags);
	ct_print_entry(&p, ct, type);
	CHECK(ct_print_end(&p) == 0);
	fclose(out);
	return text;
}

static void check_contains(const char *text, const char *want)
{
	if (!CHECK(strstr(text, want)))
		fprintf(stderr, "  '%s' not in:\n%s\n", want, text);
}

static void test_print(void)
{
	struct nf_conntrack *ct = entry_v4(IPPROTO_UDP, "10.0.0.5", 4000,
					   "8.8.8.8", 53);
	char *t;

	nfct_set_attr_u32(ct, ATTR_MARK, 7);
	t = printed(ct, 0, NFCT_T_UNKNOWN);
	check_contains(t, "PROTO  STATE       TIMEOUT       MARK  ZONE FLOW\n");
	check_contains(t, "\nudp    unreplied       120          7     0 "
		       "10.0.0.5:4000 -> 8.8.8.8:53\n");
	free(t);
	snat(ct, "198.51.100.1", 40000);
	t = printed(ct, 0, NFCT_T_UNKNOWN);
	check_contains(t, "10.0.0.5:4000 -> 8.8.8.8:53 "
		       "[snat: 198.51.100.1:40000]\n");
	CHECK(!strstr(t, "dnat"));
	free(t);
	t = printed(ct, CT_PRINT_JSON, NFCT_T_UNKNOWN);
	check_contains(t, "[\n{\"family\":\"ipv4\",\"proto\":\"udp\","
		       "\"protonum\":17,\"state\":\"unreplied\","
		       "\"status\":[\"confirmed\"],\"timeout\":120,"
		       "\"mark\":7,\"zone\":0,");
	check_contains(t, "\"original\":{\"src\":\"10.0.0.5\","
		       "\"dst\":\"8.8.8.8\",\"sport\":4000,\"dport\":53},"
		       "\"reply\":{\"src\":\"8.8.8.8\","
		       "\"dst\":\"198.51.100.1\",\"sport\":53,"
		       "\"dport\":40000}}\n]\n");
	free(t);
	nfct_set_attr(ct, ATTR_HELPER_NAME, "a\"b\\c\1");
	nfct_attr_unset(ct, ATTR_TIMEOUT);
	t = printed(ct, CT_PRINT_JSON | CT_PRINT_EVENTS, NFCT_T_DESTROY);
	check_contains(t, "{\"event\":\"destroy\",");
	check_contains(t, "\"helper\":\"a\\\"b\\\\c\\u0001\"}\n");
	CHECK(!strstr(t, "timeout") && t[0] == '{');
	free(t);
	nfct_destroy(ct);
}

static void put_counters(struct nlmsghdr *nlh, uint16_t type,
			 uint64_t packets, uint64_t bytes)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u64(nlh, CTA_COUNTERS_PACKETS, htobe64(packets));
	mnl_attr_put_u64(nlh, CTA_COUNTERS_BYTES, htobe64(bytes));
	mnl_attr_nest_end(nlh, nest);
}

/*
 * Counters cannot be set through the library, only parsed: the entry goes
 * through a netlink message, as the kernel would send it, and back.
 */
static struct nf_conntrack *with_counters(struct nf_conntrack *ct)
{
	static char buf[2048];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	struct nf_conntrack *parsed = nfct_new();

	nfg->nfgen_family = nfct_get_attr_u8(ct, ATTR_L3PROTO);
	CHECK(nfct_nlmsg_build(nlh, ct) == 0);
	put_counters(nlh, CTA_COUNTERS_ORIG, 3, 180);
	put_counters(nlh, CTA_COUNTERS_REPLY, 2, 120);
	CHECK(nfct_nlmsg_parse(nlh, parsed) == 0);
	nfct_destroy(ct);
	return parsed;
}

static void test_print_v6_icmp(void)
{
	struct nf_conntrack *ct = nfct_new();
	struct in6_addr a, b;
	char *t;

	inet_pton(AF_INET6, "2001:db8::1", &a);
	inet_pton(AF_INET6, "2001:db8::2", &b);
	nfct_set_attr_u8(ct, ATTR_L3PROTO, AF_INET6);
	nfct_set_attr_u8(ct, ATTR_REPL_L3PROTO, AF_INET6);
	nfct_set_attr_u8(ct, ATTR_L4PROTO, IPPROTO_TCP);
	nfct_set_attr_u8(ct, ATTR_REPL_L4PROTO, IPPROTO_TCP);
	nfct_set_attr(ct, ATTR_ORIG_IPV6_SRC, &a);
	nfct_set_attr(ct, ATTR_ORIG_IPV6_DST, &b);
	nfct_set_attr(ct, ATTR_REPL_IPV6_SRC, &b);
	nfct_set_attr(ct, ATTR_REPL_IPV6_DST, &a);
	nfct_set_attr_u16(ct, ATTR_ORIG_PORT_SRC, htons(1000));
	nfct_set_attr_u16(ct, ATTR_ORIG_PORT_DST, htons(443));
	nfct_set_attr_u16(ct, ATTR_REPL_PORT_SRC, htons(443));
	nfct_set_attr_u16(ct, ATTR_REPL_PORT_DST, htons(1000));
	nfct_set_attr_u8(ct, ATTR_TCP_STATE, TCP_CONNTRACK_SYN_SENT);
	ct = with_counters(ct);
	CHECK(matches("src 2001:db8::/64 family ipv6 state syn_sent", ct));
	t = printed(ct, CT_PRINT_EVENTS | CT_PRINT_ACCT, NFCT_T_NEW);
	check_contains(t, "\nnew     tcp    syn_sent          -          0"
		       "     0        5        300 "
		       "[2001:db8::1]:1000 -> [2001:db8::2]:443\n");
	free(t);
	nfct_destroy(ct);
	ct = entry_v4(IPPROTO_ICMP, "10.0.0.1", 0, "10.0.0.9", 0);
	nfct_set_attr_u8(ct, ATTR_ICMP_TYPE, 8);
	nfct_set_attr_u8(ct, ATTR_ICMP_CODE, 0);
	nfct_set_attr_u16(ct, ATTR_ICMP_ID, htons(77));
	CHECK(!matches("sport 0", ct));
	t = printed(ct, 0, NFCT_T_UNKNOWN);
	check_contains(t, "10.0.0.1 -> 10.0.0.9 type 8 code 0 id 77\n");
	free(t);
	nfct_destroy(ct);
}

struct dump_attrs {
	bool	mark, status, zone;
	uint16_t zone_id;
};

static int dump_attr_cb(const struct nlattr *a, void *data)
{
	struct dump_attrs *d = data;

	switch (mnl_attr_get_type(a)) {
	case CTA_MARK:
		d->mark = true;
		break;
	case CTA_STATUS:
		d->status = true;
		break;
	case CTA_ZONE:
		d->zone = true;
		d->zone_id = ntohs(mnl_attr_get_u16(a));
		break;
	}
	return MNL_CB_OK;
}

static uint8_t dump_request(const char *words, struct dump_attrs *d)
{
	static char buf[1024];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	struct ct_filter f;

	memset(d, 0, sizeof(*d));
	nfg->nfgen_family = AF_UNSPEC;
	CHECK(parse(&f, words) == 0);
	CHECK(ct_filter_put_dump(&f, nlh) == 0);
	mnl_attr_parse(nlh, sizeof(*nfg), dump_attr_cb, d);
	return nfg->nfgen_family;
}

static void test_dump_request(void)
{
	struct dump_attrs d;

	CHECK(dump_request("", &d) == AF_UNSPEC && !d.mark && !d.zone);
	CHECK(dump_request("src 2001:db8::/32", &d) == AF_INET6);
	CHECK(dump_request("family ipv4 mark 3 zone 9", &d) == AF_INET &&
	      d.mark && d.zone && d.zone_id == 9);
	dump_request("state assured", &d);
	CHECK(d.status);
	/* A TCP state or a list is for us to check, not the kernel. */
	dump_request("state established", &d);
	CHECK(!d.status);
	dump_request("state assured,new", &d);
	CHECK(!d.status);
}

int main(void)
{
	test_parse_errors();
	test_match_tuple();
	test_match_state();
	test_match_mark_zone();
	test_print();
	test_print_v6_icmp();
	test_dump_request();
	return unit_summary("conntrack_test");
}
