// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The flow table and the decisions on top of it: both directions share a
 * flow, streams are rebuilt in order only, the table stays bounded, and
 * the policy decides by name, by allow list, by default and by budget.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "policy.h"
#include "unit.h"

#define SEC	1000000000ull

static uint8_t a1[4] = { 10, 0, 0, 1 }, a2[4] = { 10, 0, 0, 2 };

static struct packet pkt(const uint8_t *s, uint16_t sp, const uint8_t *d,
			 uint16_t dp, uint8_t proto)
{
	return (struct packet){ .family = AF_INET, .proto = proto,
				.saddr = s, .daddr = d, .sport = sp,
				.dport = dp };
}

static void test_directions(void)
{
	struct flow_table *t = flow_table_new(16, 60 * SEC);
	struct packet out = pkt(a1, 40000, a2, 443, IPPROTO_TCP);
	struct packet back = pkt(a2, 443, a1, 40000, IPPROTO_TCP);
	struct packet other = pkt(a1, 40001, a2, 443, IPPROTO_TCP);
	struct flow *f, *g;
	bool c1, c2;

	f = flow_lookup(t, &back, 0, &c1);	/* server speaks first */
	g = flow_lookup(t, &out, 1, &c2);
	CHECK(f && f == g);
	CHECK(c1 && !c2);
	CHECK_EQ(f->packets, 2);
	CHECK(flow_lookup(t, &other, 2, &c1) != f);
	CHECK_EQ(flow_table_count(t), 2);
	flow_table_free(t);
}

static void test_eviction(void)
{
	struct flow_table *t = flow_table_new(4, 10 * SEC);
	struct packet p = pkt(a1, 0, a2, 80, IPPROTO_TCP);
	struct flow *first;
	bool c;
	int i;

	first = flow_lookup(t, &p, 0, &c);
	for (i = 1; i < 100; i++) {
		p.sport = i;
		flow_lookup(t, &p, i, &c);
		CHECK(flow_table_count(t) <= 4);
	}
	CHECK_EQ(flow_table_count(t), 4);
	p.sport = 0;
	first = flow_lookup(t, &p, 100, &c);	/* evicted: a new flow */
	CHECK_EQ(first->packets, 1);
	/* everything idle for 10 s goes at once */
	p.sport = 1000;
	flow_lookup(t, &p, 100 + 11 * SEC, &c);
	CHECK_EQ(flow_table_count(t), 1);
	flow_table_free(t);
}

static void test_stream_order(void)
{
	struct flow_table *t = flow_table_new(4, SEC);
	struct packet p = pkt(a1, 1, a2, 80, IPPROTO_TCP);
	struct flow *f;
	bool c;

	p.tcp_flags = 0x02;
	p.seq = 1000;
	f = flow_lookup(t, &p, 0, &c);
	CHECK(!flow_append(f, &p));
	p.tcp_flags = 0x10;
	p.payload = (const uint8_t *)"abc";
	p.payload_len = 3;
	p.seq = 1004;				/* a gap: left out */
	CHECK(!flow_append(f, &p));
	p.seq = 1001;
	CHECK(flow_append(f, &p));
	CHECK(!flow_append(f, &p));		/* retransmission */
	p.seq = 1004;
	p.payload = (const uint8_t *)"def";
	CHECK(flow_append(f, &p));
	CHECK_EQ(f->buflen, 6);
	CHECK(!memcmp(f->buf, "abcdef", 6));
	p.seq = 1007;
	p.payload_len = FLOW_BUF_MAX;		/* would overflow */
	CHECK(!flow_append(f, &p));
	CHECK_EQ(f->buflen, 6);
	flow_table_free(t);
}

/* A SYN on the tuple of a decided flow is a new connection. */
static void test_tuple_reuse(void)
{
	struct flow_table *t = flow_table_new(4, 60 * SEC);
	struct packet p = pkt(a1, 40000, a2, 443, IPPROTO_TCP);
	struct flow *f;
	bool c;

	p.tcp_flags = 0x02;
	f = flow_lookup(t, &p, 0, &c);
	f->state = FLOW_UNDECIDED;
	CHECK(flow_lookup(t, &p, 1, &c) == f);	/* a retransmitted SYN */
	CHECK_EQ(f->packets, 2);
	f->state = FLOW_ACCEPT;
	p.tcp_flags = 0x10;
	CHECK(flow_lookup(t, &p, 2, &c)->state == FLOW_ACCEPT);
	p.tcp_flags = 0x12;			/* SYN-ACK: not a new one */
	CHECK(flow_lookup(t, &p, 3, &c)->state == FLOW_ACCEPT);
	p.tcp_flags = 0x02;
	f = flow_lookup(t, &p, 4, &c);
	CHECK_EQ(f->state, FLOW_UNDECIDED);
	CHECK_EQ(f->packets, 1);
	CHECK_EQ(flow_table_count(t), 1);
	flow_table_free(t);
}

/* Segments keep coming until the buffer is full; every byte is kept. */
static void test_stream_grows(void)
{
	struct flow_table *t = flow_table_new(4, SEC);
	struct packet p = pkt(a1, 1, a2, 443, IPPROTO_TCP);
	static uint8_t seg[1000];
	struct flow *f;
	size_t i, n = 0;
	bool c, ok = true;

	p.payload = seg;
	p.payload_len = sizeof(seg);
	f = flow_lookup(t, &p, 0, &c);
	for (p.seq = 1; n < 100; n++, p.seq += sizeof(seg)) {
		memset(seg, (int)n, sizeof(seg));
		if (!flow_append(f, &p))
			break;
	}
	CHECK_EQ(n, FLOW_BUF_MAX / sizeof(seg));
	CHECK_EQ(f->buflen, n * sizeof(seg));
	CHECK(f->bufcap <= FLOW_BUF_MAX);
	for (i = 0; i < f->buflen; i++)
		ok &= f->buf[i] == (uint8_t)(i / sizeof(seg));
	CHECK(ok);
	flow_table_free(t);
}

static struct control_pattern pats[] = {
	{ CONTROL_HOST, CONTROL_DENY, "*.bad.example" },
	{ CONTROL_DNS, CONTROL_ALLOW, "good.example" },
};

static const struct control_profile cfg = {
	.queue_count = 1, .queue_maxlen = 8, .default_verdict = CONTROL_DROP,
	.budget = 4, .npatterns = 2, .patterns = pats,
};

static enum flow_state http(const struct policy *pol, const char *req,
			    char *name)
{
	struct flow_table *t = flow_table_new(4, SEC);
	struct packet p = pkt(a1, 5, a2, 8080, IPPROTO_TCP);
	enum flow_state st;
	struct flow *f;
	bool c;

	p.payload = (const uint8_t *)req;
	p.payload_len = strlen(req);
	p.seq = 1;
	f = flow_lookup(t, &p, 0, &c);
	st = policy_decide(pol, f, &p, c, name);
	flow_table_free(t);
	return st;
}

static uint8_t *dns_query(const char *qname, size_t *len)
{
	static uint8_t m[300];
	size_t n = 12, l;

	memset(m, 0, 12);
	m[5] = 1;				/* one question */
	while (*qname) {
		l = strcspn(qname, ".");
		m[n++] = l;
		memcpy(m + n, qname, l);
		n += l;
		qname += l + !!qname[l];
	}
	m[n++] = 0;
	m[n++] = 0, m[n++] = 1, m[n++] = 0, m[n++] = 1;
	*len = n;
	return m;
}

static enum flow_state dns(const struct policy *pol, const char *qname,
			   uint16_t port)
{
	struct flow_table *t = flow_table_new(4, SEC);
	struct packet p = pkt(a1, 5353, a2, port, IPPROTO_UDP);
	char name[HOSTNAME_MAX + 1];
	enum flow_state st;
	struct flow *f;
	bool c;

	p.payload = dns_query(qname, &p.payload_len);
	f = flow_lookup(t, &p, 0, &c);
	st = policy_decide(pol, f, &p, c, name);
	flow_table_free(t);
	return st;
}

static void test_policy(void)
{
	char name[HOSTNAME_MAX + 1];
	const char *why;
	struct policy *pol = policy_new(&cfg, &why);

	CHECK(pol != NULL);
	CHECK_EQ(http(pol, "GET / HTTP/1.1\r\nHost: x.BAD.example\r\n\r\n",
		      name), FLOW_DENY);
	CHECK_STREQ(name, "x.bad.example");
	CHECK_EQ(http(pol, "GET / HTTP/1.1\r\nHost: ok.example\r\n\r\n",
		      name), FLOW_ACCEPT);
	CHECK_EQ(http(pol, "GET / HTTP/1.1\r\nHost: ok.exa", name),
		 FLOW_UNDECIDED);
	/* neither TLS nor HTTP: the default (drop) right away */
	CHECK_EQ(http(pol, "SSH-2.0-OpenSSH_9.2\r\n", name), FLOW_DENY);
	/* DNS has an allow list: only its names pass */
	CHECK_EQ(dns(pol, "good.example", 53), FLOW_ACCEPT);
	CHECK_EQ(dns(pol, "other.example", 53), FLOW_DENY);
	CHECK_EQ(dns(pol, "good.example", 5353), FLOW_DENY); /* not port 53 */
	policy_free(pol);
}

/* A flow that never completes its request gets the default at budget. */
static void test_budget(void)
{
	struct flow_table *t = flow_table_new(4, SEC);
	struct packet p = pkt(a1, 5, a2, 80, IPPROTO_TCP);
	char name[HOSTNAME_MAX + 1];
	struct control_profile c = cfg;
	struct policy *pol;
	const char *why;
	struct flow *f;
	bool fc;
	int i;

	c.default_verdict = CONTROL_ACCEPT;
	pol = policy_new(&c, &why);
	p.payload = (const uint8_t *)"G";
	p.payload_len = 1;
	for (i = 1; i < 4; i++) {
		p.seq = i;
		f = flow_lookup(t, &p, 0, &fc);
		CHECK_EQ(policy_decide(pol, f, &p, fc, name), FLOW_UNDECIDED);
	}
	p.seq = 4;
	f = flow_lookup(t, &p, 0, &fc);
	CHECK_EQ(policy_decide(pol, f, &p, fc, name), FLOW_ACCEPT);
	policy_free(pol);
	flow_table_free(t);
}

static void test_bad_pattern(void)
{
	struct control_pattern bad = { CONTROL_SNI, CONTROL_DENY, "a..b" };
	struct control_profile c = cfg;
	const char *why = NULL;

	c.patterns = &bad;
	c.npatterns = 1;
	CHECK(policy_new(&c, &why) == NULL);
	CHECK_STREQ(why, "bad domain pattern");
}

int main(void)
{
	test_directions();
	test_eviction();
	test_stream_order();
	test_tuple_reuse();
	test_stream_grows();
	test_policy();
	test_budget();
	test_bad_pattern();
	return unit_summary("flow_test");
}
