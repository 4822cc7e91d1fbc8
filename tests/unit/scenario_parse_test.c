// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scenario parser and checker: a full scenario comes out as written
 * (defaults filled in, names and addresses resolved), and each mistake is
 * reported at its place with its message, as data: text in, first error
 * out.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "scenario.h"

static int failures;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__,	\
			__LINE__, #cond);				\
		failures++;						\
	}								\
} while (0)

static const char good[] =
	"# a comment\n"
	"router fw { rules \"r/default.fw\" }\n"
	"host client {\n"
	"    route default via 192.168.1.1   # trailing comment\n"
	"    route 2001:db8::/32 via fd00:1::1\n"
	"}\n"
	"host server { route default via 198.51.100.1; }\n"
	"host web { }\n"
	"link lan {\n"
	"    fw     veth-lan 192.168.1.1/24 fd00:1::1/64\n"
	"    client eth0     192.168.1.10/24 fd00:1::10/64\n"
	"    web    eth0     192.168.1.20/24\n"
	"}\n"
	"link wan { fw veth-wan 198.51.100.1/24; "
	"server eth0 198.51.100.10/24 }\n"
	"expect client -> server tcp 80 accept\n"
	"expect client  ->  fw udp 53 reject ipv6 timeout 250ms\n"
	"expect client -> 198.51.100.1 tcp 8080 accept served-by web:80 "
	"source 192.168.1.10\n"
	"apply fw \"other.fw\" fails\n"
	"expect client -> fw icmp send 100 in 2s receive 15..30\n"
	"apply fw \"/abs/ok.fw\"\n";

static void test_good(void)
{
	struct scenario *s = scenario_parse_buffer("dir/x.scn", good,
						   strlen(good));
	const struct scn_expect *e;
	char buf[INET6_ADDRSTRLEN];

	CHECK(s);
	if (!s)
		return;
	CHECK(s->n_nodes == 4 && s->n_links == 2 && s->n_items == 6);
	CHECK(s->nodes[0].router && !s->nodes[1].router);
	CHECK(!strcmp(s->nodes[0].rules, "dir/r/default.fw"));
	CHECK(s->nodes[1].n_routes == 2);
	CHECK(s->nodes[1].routes[0].dst.plen == 0);
	CHECK(s->nodes[1].routes[1].dst.family == AF_INET6 &&
	      s->nodes[1].routes[1].dst.plen == 32);
	CHECK(s->links[0].n_members == 3 && s->links[1].n_members == 2);
	CHECK(s->links[0].members[1].node == 1 &&
	      s->links[0].members[1].n_addrs == 2 &&
	      s->links[0].members[1].addrs[1].plen == 64);

	e = &s->items[0].expect;
	CHECK(s->items[0].kind == SCN_ITEM_EXPECT);
	CHECK(!strcmp(s->items[0].text, "client -> server tcp 80 accept"));
	CHECK(e->proto == SCN_TCP && e->port == 80 && e->family == AF_INET);
	CHECK(e->verdict == SCN_ACCEPT && e->timeout_ms == 1000);
	CHECK(e->server == 2 && e->server_port == 80);
	CHECK(!strcmp(scn_addr_str(&e->dst, buf, sizeof(buf)),
		      "198.51.100.10"));

	e = &s->items[1].expect;
	CHECK(!strcmp(s->items[1].text,
		      "client -> fw udp 53 reject ipv6 timeout 250ms"));
	CHECK(e->family == AF_INET6 && e->timeout_ms == 250);
	CHECK(!strcmp(scn_addr_str(&e->dst, buf, sizeof(buf)), "fd00:1::1"));

	e = &s->items[2].expect;
	CHECK(e->dst_literal && e->server == 3 && e->server_port == 80);
	CHECK(e->port == 8080 && e->has_source);

	CHECK(s->items[3].kind == SCN_ITEM_APPLY && s->items[3].apply.fails);
	CHECK(!strcmp(s->items[3].apply.path, "dir/other.fw"));
	CHECK(!strcmp(s->items[3].text, "apply fw \"other.fw\" fails"));

	e = &s->items[4].expect;
	CHECK(e->count == 100 && e->window_ms == 2000);
	CHECK(e->recv_lo == 15 && e->recv_hi == 30);
	CHECK(e->verdict == SCN_ACCEPT && e->server == SCN_NONE);

	CHECK(!strcmp(s->items[5].apply.path, "/abs/ok.fw") &&
	      !s->items[5].apply.fails);
	scenario_free(s);
}

/* Nodes and links every case below may use. */
#define TOPO								\
	"router fw { }\n"						\
	"host c { route default via 10.0.0.1 }\n"			\
	"link l { fw e0 10.0.0.1/24; c e0 10.0.0.2/24 }\n"

/* The same with fwctld on fw. */
#define TOPO_D								\
	"router fw { daemon }\n"					\
	"host c { route default via 10.0.0.1 }\n"			\
	"link l { fw e0 10.0.0.1/24; c e0 10.0.0.2/24 }\n"

static const struct {
	const char	*text;
	const char	*error;		/* the first line printed */
} bad[] = {
	{ "host c { } host d { }\n",
	  "t.scn:1:12: error: unexpected 'host' at the end of the statement" },
	{ "router fw {\n", "t.scn:1:11: error: this '{' is never closed" },
	{ "host 1a { }\n", "t.scn:1:6: error: bad name '1a'" },
	{ "host sw { }\n", "t.scn:1:6: error: the name 'sw' is reserved" },
	{ "host c { }\nhost c { }\n",
	  "t.scn:2:6: error: node 'c' is declared twice" },
	{ "host c { bogus }\n",
	  "t.scn:1:10: error: expected rules, route or daemon, found "
	  "'bogus'" },
	{ "host c { rules x.fw }\n",
	  "t.scn:1:16: error: expected a quoted file name" },
	{ "host c { rules \"a\"; rules \"b\" }\n",
	  "t.scn:1:21: error: c: a node has one rule file" },
	{ "host c { route default via 10.0.0.1/24 }\n",
	  "t.scn:1:28: error: '10.0.0.1/24': an address, not a prefix" },
	{ "host c { route 10.0.0.0/8 via fd00::1 }\n",
	  "t.scn:1:31: error: gateway 'fd00::1' is not of the family" },
	{ "link l { x e0 10.0.0.1/24 }\n",
	  "t.scn:1:10: error: unknown node 'x'" },
	{ "host c { }\nlink l { c e0 10.0.0.1 }\n",
	  "t.scn:2:15: error: '10.0.0.1' needs a prefix length" },
	{ "host c { }\nlink l { c this-name-is-too-long 10.0.0.1/8 }\n",
	  "t.scn:2:12: error: bad interface name" },
	{ "host c { }\nlink l { c e0 10.0.0.1/33 }\n",
	  "t.scn:2:15: error: bad prefix length in '10.0.0.1/33'" },
	{ "host c { }\nlink l { c e0 10.0.0.1/8 }\n",
	  "t.scn:2:6: error: link 'l' needs at least two members" },
	{ "\"open\n", "t.scn:1:1: error: unterminated string" },
	{ "frobnicate\n",
	  "t.scn:1:1: error: expected router, host, link, expect, together, "
	  "apply, stream, conntrack, daemon, flush or qdisc" },
	{ TOPO "expect c -> fw tcp accept\n",
	  "t.scn:4:20: error: expected a number from 1 to 65535" },
	{ TOPO "expect c -> fw icmp 7 accept\n",
	  "t.scn:4:21: error: icmp has no port" },
	{ TOPO "expect c => fw icmp accept\n",
	  "t.scn:4:10: error: expected '->', found '=>'" },
	{ TOPO "expect c -> fw tcp 1 maybe\n",
	  "t.scn:4:22: error: expected accept, reject, drop, no-data or rate" },
	{ TOPO "expect c -> fw tcp 1 accept now\n",
	  "t.scn:4:29: error: unknown option 'now'" },
	{ TOPO "expect c -> fw tcp 1 accept timeout 1h\n",
	  "t.scn:4:37: error: expected a duration" },
	{ TOPO "expect c -> fw tcp 1 accept ipv4 ipv6\n",
	  "t.scn:4:34: error: ipv4 and ipv6 together" },
	{ TOPO "expect c -> fw tcp 1 drop source 10.0.0.2\n",
	  "t.scn:4:34: error: source is what a TCP or UDP server saw" },
	{ TOPO "expect c -> fw tcp 1 accept source fd00::1\n",
	  "t.scn:4:36: error: source is not of the family" },
	{ TOPO "expect c -> fw icmp accept served-by c\n",
	  "t.scn:4:38: error: icmp is answered by the kernel" },
	{ TOPO "expect c -> fw tcp 1 accept served-by x:80\n",
	  "t.scn:4:39: error: unknown node 'x'" },
	{ TOPO "expect c -> fw tcp 1 accept served-by c:0\n",
	  "t.scn:4:39: error: expected a number from 1 to 65535, found '0'" },
	{ TOPO "expect c -> fd00::1 tcp 1 accept ipv4\n",
	  "t.scn:4:34: error: the address is not ipv4" },
	{ TOPO "expect c -> fw tcp 1 drop send 5 in 1s receive 5\n",
	  "t.scn:4:22: error: a count (send ...) counts replies" },
	{ TOPO "expect c -> fw icmp send 5 in 1s receive 3..6\n",
	  "t.scn:4:42: error: cannot receive more than the 5 sent" },
	{ TOPO "expect c -> fw icmp send 5 in 1s get 5\n",
	  "t.scn:4:34: error: expected 'receive', found 'get'" },
	{ TOPO "expect c -> fw tcp 1\n",
	  "t.scn:4:21: error: expected accept, reject, drop, no-data or rate, "
	  "found end" },
	{ TOPO "apply fw x.fw\n",
	  "t.scn:4:10: error: expected a quoted rule file name" },
	{ TOPO "apply fw \"x.fw\" later\n",
	  "t.scn:4:17: error: unexpected 'later' at the end" },
	/* Source ranges, ftp, streams and conntrack steps. */
	{ TOPO "expect c -> fw tcp 1 accept source 10.0.0.9-10.0.0.2\n",
	  "t.scn:4:36: error: '10.0.0.9-10.0.0.2' is not a range LO-HI" },
	{ TOPO "expect c -> fw tcp 1 accept source 10.0.0.2-fd00::1\n",
	  "t.scn:4:36: error: '10.0.0.2-fd00::1' is not a range LO-HI" },
	{ TOPO "expect c -> fw tcp 1 accept source 10.0.0.2-x\n",
	  "t.scn:4:36: error: 'x' is not an address" },
	{ TOPO "expect c -> fw tcp 1 no-data\n",
	  "t.scn:4:22: error: no-data is for ftp only" },
	{ TOPO "expect c -> fw udp 1 accept passive\n",
	  "t.scn:4:29: error: passive is for ftp only" },
	{ TOPO "expect c -> fw ftp 21 accept source 10.0.0.2\n",
	  "t.scn:4:37: error: source is what a TCP or UDP server saw" },
	{ TOPO "expect c -> fw ftp 21 send 3 in 1s receive 3\n",
	  "t.scn:4:23: error: a count (send ...) counts replies" },
	{ TOPO "stream fw c -> fw tcp 1\n",
	  "t.scn:4:8: error: 'fw' names a node or a stream already" },
	{ TOPO "stream s c -> fw tcp 1\nstream s c -> fw tcp 2\n",
	  "t.scn:5:8: error: 's' names a node or a stream already" },
	{ TOPO "stream s c -> fw udp 1\n",
	  "t.scn:4:18: error: a stream is tcp" },
	{ TOPO "stream s c -> fw tcp 1 timeout 1s\n",
	  "t.scn:4:1: error: a stream takes only ipv4, ipv6 and served-by" },
	{ TOPO "expect s flowing\n",
	  "t.scn:4:8: error: unknown node 's'" },
	{ TOPO "stream s c -> fw tcp 1\nexpect s alive\n",
	  "t.scn:5:10: error: expected 'flowing', found 'alive'" },
	{ TOPO "conntrack fw watch\n",
	  "t.scn:4:14: error: expected list, count, delete or flush, found "
	  "'watch'" },
	{ TOPO "conntrack x flush\n",
	  "t.scn:4:11: error: unknown node 'x'" },
	{ TOPO "conntrack fw count proto tcp\n",
	  "t.scn:4:29: error: list and count need expect N or LO..HI" },
	{ TOPO "conntrack fw flush expect 0\n",
	  "t.scn:4:20: error: delete and flush expect nothing" },
	{ TOPO "conntrack fw list expect 2..1\n",
	  "t.scn:4:26: error: expected a number from 2 to 100000, found '1'" },
	{ TOPO "conntrack fw list expect\n",
	  "t.scn:4:25: error: expected a number or a range LO..HI, found end" },
	/* The checks, after a clean parse. */
	{ "host c { route default via 10.9.0.1 }\n"
	  "host d { }\nlink l { c e0 10.0.0.1/24; d e0 10.0.0.2/24 }\n",
	  "t.scn:1:28: error: gateway 10.9.0.1 is on none of c's links" },
	{ "host c { route default via 10.0.0.1 }\n"
	  "host d { }\nlink l { c e0 10.0.0.1/24; d e0 10.0.0.2/24 }\n",
	  "t.scn:1:28: error: gateway 10.0.0.1 is on none of c's links" },
	{ "host c { route 10.1.0.1/16 via 10.0.0.2 }\n"
	  "host d { }\nlink l { c e0 10.0.0.1/24; d e0 10.0.0.2/24 }\n",
	  "t.scn:1:16: error: the destination of this route has host bits" },
	{ "host c { }\nhost d { }\n"
	  "link l { c e0 10.0.0.1/24; d e0 10.0.0.1/24 }\n",
	  "t.scn:3:28: error: address 10.0.0.1 is used twice" },
	{ "host c { }\nhost d { }\n"
	  "link l { c e0 10.0.0.1/24; d e0 10.0.0.2/24 }\n"
	  "link m { c e0 10.1.0.1/24; d e1 10.1.0.2/24 }\n",
	  "t.scn:4:10: error: c has two interfaces named e0" },
	{ TOPO "expect c -> fw tcp 1 accept ipv6\n",
	  "t.scn:4:13: error: node fw has no IPv6 address" },
	{ TOPO "expect c -> 10.0.0.9 tcp 1 accept\n",
	  "t.scn:4:13: error: no node has address 10.0.0.9" },
	{ TOPO "expect fw -> 192.0.2.1 icmp accept\n",
	  "t.scn:4:8: error: fw has no route to 192.0.2.1" },
	{ TOPO "expect c -> fw tcp 1 rate 10mb\n",
	  "t.scn:4:27: error: expected a rate from 1bit to 100gbit, like "
	  "800kbit or 9.5mbit, found '10mb'" },
	{ TOPO "expect c -> fw tcp 1 rate 10mbit..9mbit\n",
	  "t.scn:4:27: error: '10mbit..9mbit' is not a range LO..HI" },
	{ TOPO "expect c -> fw tcp 1 rate 200gbit\n",
	  "t.scn:4:27: error: expected a rate from 1bit to 100gbit" },
	{ TOPO "expect c -> fw udp 1 rate 1mbit\n",
	  "t.scn:4:22: error: a udp rate needs send RATE" },
	{ TOPO "expect c -> fw tcp 1 rate 1mbit send 2mbit\n",
	  "t.scn:4:33: error: send RATE is for a udp rate" },
	{ TOPO "expect c -> fw icmp rate 1mbit\n",
	  "t.scn:4:1: error: a rate is measured over tcp or udp" },
	{ TOPO "expect c -> fw latency tcp 1 below 5ms\n",
	  "t.scn:4:1: error: latency is measured over udp" },
	{ TOPO "expect c -> fw latency udp 1 accept\n",
	  "t.scn:4:30: error: expected 'below', found 'accept'" },
	{ TOPO "expect c -> fw tcp 1 rate 1mbit under load\n",
	  "t.scn:4:33: error: under load is for latency" },
	{ TOPO "expect c -> fw tcp 1 accept for 2s\n",
	  "t.scn:4:29: error: for, under load and send RATE are for rate "
	  "and latency" },
	{ TOPO "expect c -> fw tcp 1 rate 1mbit source 10.0.0.2\n",
	  "t.scn:4:40: error: a measurement takes ipv4, ipv6" },
	{ TOPO "together { expect c -> fw tcp 1 accept }\n",
	  "t.scn:4:12: error: together runs rate and latency expectations" },
	{ TOPO "together { apply fw \"x.fw\" }\n",
	  "t.scn:4:12: error: expected expect, found 'apply'" },
	{ TOPO "parallel { }\n", "t.scn:4:1: error: an empty parallel block" },
	{ "host c { }\nhost d { }\nlink l { c e0 rate 1mbit rate 2mbit; "
	  "d e0 }\n",
	  "t.scn:3:26: error: 'rate' is not an address" },
	/* fwctld in a node, and what it inspects. */
	{ "host daemon { }\n",
	  "t.scn:1:6: error: the name 'daemon' is reserved" },
	{ "router fw { daemon; daemon }\n",
	  "t.scn:1:21: error: fw: daemon is given twice" },
	{ TOPO "daemon fw start\n",
	  "t.scn:4:8: error: fw runs no daemon (write daemon in its block)" },
	{ TOPO "expect daemon c queued 1\n",
	  "t.scn:4:15: error: c runs no daemon" },
	{ TOPO_D "daemon fw reboot\n",
	  "t.scn:4:11: error: expected start, kill, stop, continue or "
	  "restart, found 'reboot'" },
	{ TOPO_D "daemon fw start now\n",
	  "t.scn:4:17: error: unexpected 'now' at the end" },
	{ TOPO_D "daemon\n",
	  "t.scn:4:7: error: expected a node name, found end of line" },
	{ TOPO_D "expect daemon fw packets 3\n",
	  "t.scn:4:18: error: expected queued, flows or denied, found "
	  "'packets'" },
	{ TOPO_D "expect daemon fw queued below 0\n",
	  "t.scn:4:31: error: expected a number from 1 to 100000, found '0'" },
	{ TOPO_D "expect daemon fw denied\n",
	  "t.scn:4:24: error: expected below N, N or LO..HI, found end" },
	{ TOPO_D "expect daemon fw flows 3..2\n",
	  "t.scn:4:24: error: expected a number from 3 to 100000, found '2'" },
	{ TOPO "expect c -> fw tls 443 accept\n",
	  "t.scn:4:24: error: expected 'sni', found 'accept'" },
	{ TOPO "expect c -> fw http 80 sni x.example accept\n",
	  "t.scn:4:24: error: expected 'host', found 'sni'" },
	{ TOPO "expect c -> fw dns 53 name bad..name accept\n",
	  "t.scn:4:28: error: 'bad..name' is not a host name" },
	{ TOPO "expect c -> fw dns 53 name x.example. accept\n",
	  "t.scn:4:28: error: 'x.example.' is not a host name" },
	{ TOPO "expect c -> fw dns 53 name a/b accept\n",
	  "t.scn:4:28: error: 'a/b' is not a host name" },
	{ TOPO "expect c -> fw http 80 host "
	  "a234567890123456789012345678901234567890123456789012345678901234"
	  " accept\n",
	  "t.scn:4:29: error: 'a2345678901234567890123456789012345678901234"
	  "56789012345678901234' is not a host name" },
	{ TOPO "expect c -> fw tls 443 sni x.example maybe\n",
	  "t.scn:4:38: error: expected accept, reject, drop, no-data or rate" },
	{ TOPO "expect c -> fw http 80 host x.example accept bytes 10\n",
	  "t.scn:4:46: error: bytes is for tls" },
	{ TOPO "expect c -> fw tls 443 sni x.example accept bytes 0\n",
	  "t.scn:4:51: error: expected a number from 1 to 100000000" },
	{ TOPO "expect c -> fw tls 443 sni x.example accept source 10.0.0.2\n",
	  "t.scn:4:52: error: source is what a TCP or UDP server saw" },
	{ TOPO "expect c -> fw tcp 1 rate 1mbit bytes 5\n",
	  "t.scn:4:33: error: bytes is for tls" },
	{ TOPO "stream s c -> fw dns 53 name x.example\n",
	  "t.scn:4:18: error: a stream is tcp, http or tls" },
	{ TOPO "stream s c -> fw tls 443 sni x.example bytes 5\n",
	  "t.scn:4:1: error: a stream takes only ipv4, ipv6 and served-by" },
};

static void test_bad(void)
{
	char *out;
	size_t len, i;
	FILE *f;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f = open_memstream(&out, &len);
		diag_set_stream(f);
		CHECK(!scenario_parse_buffer("t.scn", bad[i].text,
					     strlen(bad[i].text)));
		fclose(f);
		if (strncmp(out, bad[i].error, strlen(bad[i].error))) {
			fprintf(stderr, "case %zu: wanted\n  %s\ngot\n%s\n", i,
				bad[i].error, out);
			failures++;
		}
		free(out);
		diag_reset();
	}
	diag_set_stream(NULL);
}

static const char steps[] =
	TOPO
	"expect c -> fw tcp 80 accept source 10.0.0.1-10.0.0.9\n"
	"stream s1 c -> fw tcp 5001\n"
	"expect s1 flowing\n"
	"conntrack fw count proto tcp dport 5001 expect 1\n"
	"conntrack fw list dport 5001 expect 1..2\n"
	"conntrack fw delete dport 5001\n"
	"conntrack fw flush\n"
	"expect c -> fw ftp 21 accept passive\n"
	"expect c -> fw ftp 2121 no-data timeout 2s served-by c\n";

static const char measures[] =
	"router fw { }\n"
	"host c { route default via 10.0.0.1 }\n"
	"host s { route default via 10.0.1.1 }\n"
	"link l { fw e0 10.0.0.1/24; c e0 10.0.0.2/24 }\n"
	"link w { fw e1 10.0.1.1/24 rate 9.5mbit; s e0 10.0.1.2/24 }\n"
	"expect c -> s tcp 5001 rate 9mbit..10.5mbit\n"
	"expect c -> s udp 5002 rate 800kbit send 1gbit for 2s ipv4\n"
	"together {\n"
	"    expect c -> s tcp 5001 rate 1mbit\n"
	"    expect c -> s latency udp 5060 below 20ms under load\n"
	"}\n"
	"parallel { expect c -> s latency udp 5060 below 1s for 500ms }\n"
	"expect c -> s tcp 80 send 3 in 1s receive 3\n";

static void test_measures(void)
{
	struct scenario *s = scenario_parse_buffer("t.scn", measures,
						   strlen(measures));
	const struct scn_item *it;

	CHECK(s && s->n_items == 6);
	if (!s || s->n_items != 6)
		return;
	CHECK(s->links[1].members[0].rate == 9500000);
	CHECK(s->links[1].members[1].rate == 0 &&
	      s->links[1].members[1].n_addrs == 1);
	it = s->items;
	CHECK(it[0].expect.measure == SCN_MEASURE_RATE);
	CHECK(it[0].expect.rate_lo == 9000000 &&
	      it[0].expect.rate_hi == 10500000);
	CHECK(it[0].expect.window_ms == 3000 && !it[0].together);
	CHECK(it[0].expect.server == 2 && it[0].expect.server_port == 5001);
	CHECK(it[1].expect.proto == SCN_UDP && it[1].expect.window_ms == 2000);
	CHECK(it[1].expect.rate_lo == 800000 &&
	      it[1].expect.rate_hi == UINT64_MAX);
	CHECK(it[1].expect.offered == 1000000000ull);
	CHECK(it[2].together == 1 && it[3].together == 1);
	CHECK(it[3].expect.measure == SCN_MEASURE_LATENCY);
	CHECK(it[3].expect.below_ms == 20 && it[3].expect.under_load);
	CHECK(!strcmp(it[3].text,
		      "c -> s latency udp 5060 below 20ms under load"));
	CHECK(it[4].together == 2 && it[4].expect.below_ms == 1000 &&
	      it[4].expect.window_ms == 500 && !it[4].expect.under_load);
	CHECK(!it[5].together && !it[5].expect.measure &&
	      it[5].expect.count == 3 && !it[5].expect.offered);
	scenario_free(s);
}

static void test_steps(void)
{
	struct scenario *s = scenario_parse_buffer("t.scn", steps,
						   strlen(steps));
	const struct scn_conntrack *c;
	const struct scn_expect *e;
	struct scn_addr a = { AF_INET, { 10, 0, 0, 5 }, 32 };
	struct scn_addr b = { AF_INET, { 10, 0, 0, 10 }, 32 };

	CHECK(s && s->n_items == 9);
	if (!s || s->n_items != 9)
		return;
	e = &s->items[0].expect;
	CHECK(e->has_source && scn_addr_between(&a, &e->source,
						&e->source_hi));
	CHECK(!scn_addr_between(&b, &e->source, &e->source_hi));

	CHECK(s->items[1].kind == SCN_ITEM_STREAM);
	CHECK(!strcmp(s->items[1].stream.name, "s1"));
	e = &s->items[1].stream.e;
	CHECK(e->src == 1 && e->server == 0 && e->port == 5001 &&
	      e->server_port == 5001 && e->family == AF_INET);
	CHECK(!strcmp(s->items[1].text, "stream s1 c -> fw tcp 5001"));
	CHECK(s->items[2].kind == SCN_ITEM_FLOWING && s->items[2].flowing == 1);
	CHECK(!strcmp(s->items[2].text, "s1 flowing"));

	c = &s->items[3].conntrack;
	CHECK(s->items[3].kind == SCN_ITEM_CONNTRACK && c->node == 0);
	CHECK(c->argc == 5 && !strcmp(c->argv[0], "count") &&
	      !strcmp(c->argv[4], "5001") && !c->argv[5]);
	CHECK(c->has_expect && c->lo == 1 && c->hi == 1);
	c = &s->items[4].conntrack;
	CHECK(c->argc == 3 && c->lo == 1 && c->hi == 2);
	c = &s->items[5].conntrack;
	CHECK(c->argc == 3 && !c->has_expect &&
	      !strcmp(c->argv[0], "delete"));
	CHECK(s->items[6].conntrack.argc == 1);

	e = &s->items[7].expect;
	CHECK(e->proto == SCN_FTP && e->passive && e->port == 21);
	CHECK(e->verdict == SCN_ACCEPT && e->timeout_ms == 3000);
	e = &s->items[8].expect;
	CHECK(e->verdict == SCN_NO_DATA && !e->passive);
	CHECK(e->timeout_ms == 2000 && e->server == 1);
	CHECK(!strcmp(scn_outcome_name(SCN_NO_DATA), "no-data"));
	scenario_free(s);
}

static const char inspect[] =
	"router fw { rules \"r.fw\"; daemon }\n"
	"host c { route default via 10.0.0.1; route default via fd00::1 }\n"
	"link l { fw e0 10.0.0.1/24 fd00::1/64; c e0 10.0.0.2/24 "
	"fd00::2/64 }\n"
	"expect c -> fw tls 443 sni Www.Example.org accept\n"
	"expect c -> fw tls 8443 sni a.example drop bytes 1000000 ipv6\n"
	"expect c -> fw http 80 host x_y.example accept timeout 1s\n"
	"expect c -> fw dns 53 name tracker.example drop ipv6\n"
	"expect daemon fw queued below 20\n"
	"expect daemon fw denied 2..5\n"
	"daemon fw kill\n"
	"daemon fw restart\n"
	"stream web c -> fw http 80 host good.example\n"
	"stream dl c -> fw tls 443 sni good.example ipv6\n";

static void test_inspect(void)
{
	struct scenario *s = scenario_parse_buffer("t.scn", inspect,
						   strlen(inspect));
	const struct scn_expect *e;

	CHECK(s && s->n_items == 10);
	if (!s || s->n_items != 10)
		return;
	CHECK(s->nodes[0].daemon && !s->nodes[1].daemon);
	CHECK(!s->nodes[0].rundir);
	e = &s->items[0].expect;
	CHECK(e->proto == SCN_TLS && e->port == 443 && e->server == 0);
	CHECK(!strcmp(e->name, "Www.Example.org"));
	CHECK(e->bytes == SCN_TLS_BYTES && e->verdict == SCN_ACCEPT);
	e = &s->items[1].expect;
	CHECK(e->bytes == 1000000 && e->family == AF_INET6 &&
	      e->verdict == SCN_DROP && e->server_port == 8443);
	e = &s->items[2].expect;
	CHECK(e->proto == SCN_HTTP && !strcmp(e->name, "x_y.example") &&
	      e->timeout_ms == 1000 && !e->bytes);
	e = &s->items[3].expect;
	CHECK(e->proto == SCN_DNS && e->family == AF_INET6 &&
	      !strcmp(e->name, "tracker.example"));
	CHECK(!strcmp(s->items[3].text,
		      "c -> fw dns 53 name tracker.example drop ipv6"));

	CHECK(s->items[4].kind == SCN_ITEM_DAEMON_CHECK);
	CHECK(s->items[4].daemon_check.counter == SCN_COUNT_QUEUED &&
	      s->items[4].daemon_check.lo == 0 &&
	      s->items[4].daemon_check.hi == 19);
	CHECK(!strcmp(s->items[4].text, "expect daemon fw queued below 20"));
	CHECK(s->items[5].daemon_check.counter == SCN_COUNT_DENIED &&
	      s->items[5].daemon_check.lo == 2 &&
	      s->items[5].daemon_check.hi == 5);
	CHECK(s->items[6].kind == SCN_ITEM_DAEMON &&
	      s->items[6].daemon.node == 0 &&
	      s->items[6].daemon.action == SCN_DAEMON_KILL);
	CHECK(s->items[7].daemon.action == SCN_DAEMON_RESTART);
	CHECK(!strcmp(s->items[7].text, "daemon fw restart"));

	e = &s->items[8].stream.e;
	CHECK(s->items[8].kind == SCN_ITEM_STREAM && e->proto == SCN_HTTP &&
	      !strcmp(e->name, "good.example") && e->port == 80);
	e = &s->items[9].stream.e;
	CHECK(e->proto == SCN_TLS && e->family == AF_INET6);
	scenario_free(s);
}

/* Every error of a file at once, not only the first. */
static void test_keeps_going(void)
{
	static const char text[] =
		"host 1a { }\nhost c { bogus }\nlink\n"
		"expect c -> d tcp 1 drop\n";
	char *out;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	diag_set_stream(f);
	CHECK(!scenario_parse_buffer("t.scn", text, strlen(text)));
	fclose(f);
	diag_set_stream(NULL);
	CHECK(diag_error_count() == 4);
	CHECK(strstr(out, "t.scn:1:6:") && strstr(out, "t.scn:2:10:") &&
	      strstr(out, "t.scn:3:5:") && strstr(out, "t.scn:4:13:"));
	free(out);
	diag_reset();
}

static void test_addr(void)
{
	struct scn_addr p = { AF_INET, { 10, 1, 0, 0 }, 16 };
	struct scn_addr a = { AF_INET, { 10, 1, 255, 7 }, 32 };
	struct scn_addr b = { AF_INET, { 10, 2, 0, 1 }, 32 };
	struct scn_addr q = { AF_INET6, { 0xfd, 0 }, 7 };
	struct scn_addr c = { AF_INET6, { 0xfc, 0xff }, 128 };
	struct scn_addr d = { AF_INET6, { 0xfe, 0x80 }, 128 };

	CHECK(scn_addr_in(&a, &p) && !scn_addr_in(&b, &p));
	CHECK(scn_addr_in(&c, &q) && !scn_addr_in(&d, &q));
	CHECK(!scn_addr_in(&a, &q));
	CHECK(scn_addr_eq(&a, &a) && !scn_addr_eq(&a, &b));
}

int main(void)
{
	test_good();
	test_bad();
	test_steps();
	test_measures();
	test_inspect();
	test_keeps_going();
	test_addr();
	if (failures)
		fprintf(stderr, "%d checks failed\n", failures);
	return failures ? 1 : 0;
}
