// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scenario probes' TLS ClientHello and DNS query, read by fwctld's
 * own dissectors: what a tls or dns expectation sends is what the daemon
 * decides on. Also the server's side of both.
 */
#include <stdint.h>
#include <string.h>

#include "dns.h"
#include "dns_query.h"
#include "hostname.h"
#include "tls.h"
#include "tls_hello.h"
#include "unit.h"

static const char long_name[] =
	"a23456789012345678901234567890123456789012345678901234567890123."
	"b23456789012345678901234567890123456789012345678901234567890123."
	"c23456789012345678901234567890123456789012345678901234567890123."
	"d234567890123456789012345678901234567890123456789012345678901";

static void test_hello(const char *name, const char *want, uint32_t bytes)
{
	uint8_t buf[TLS_HELLO_BUF];
	char sni[HOSTNAME_MAX + 1] = "";
	size_t len = tls_hello_build(buf, sizeof(buf), name, bytes), cut;

	CHECK(len > 100);
	CHECK_EQ(tls_sni(buf, len, sni, sizeof(sni)), 1);
	CHECK_STREQ(sni, want);
	CHECK_EQ(tls_hello_len(buf, len), (long)len);
	CHECK_EQ(tls_hello_bytes(buf, len), bytes);
	/* Arriving in pieces: the dissector waits for the rest. */
	for (cut = 1; cut < len; cut += 37)
		CHECK_EQ(tls_sni(buf, cut, sni, sizeof(sni)), 0);
	CHECK_EQ(tls_hello_len(buf, 4), 0);
}

static void test_hello_limits(void)
{
	uint8_t buf[TLS_HELLO_BUF];
	static const uint8_t http[] = "GET / HTTP/1.1\r\n";

	CHECK_EQ(tls_hello_build(buf, 100, "example.org", 1), 0);
	CHECK_EQ(tls_hello_len(http, sizeof(http) - 1), -1);
	CHECK_EQ(tls_hello_bytes(http, sizeof(http) - 1), -1);
}

static void test_query(const char *name, const char *want, bool aaaa)
{
	uint8_t q[DNS_MSG_MAX], a[DNS_MSG_MAX], t[DNS_MSG_MAX + 2];
	char qname[HOSTNAME_MAX + 1] = "";
	size_t len = dns_query_build(q, sizeof(q), 0x1234, name, aaaa), alen;

	CHECK(len > 12);
	CHECK_EQ(dns_qname(q, len, qname, sizeof(qname)), 1);
	CHECK_STREQ(qname, want);
	/* The same message over TCP, behind its length. */
	t[0] = len >> 8;
	t[1] = len;
	memcpy(t + 2, q, len);
	CHECK_EQ(dns_qname_tcp(t, len + 2, qname, sizeof(qname)), 1);
	alen = dns_answer_build(a, sizeof(a), q, len);
	CHECK_EQ(alen, len + 12 + (aaaa ? 16 : 4));
	CHECK(dns_answer_ok(a, alen, 0x1234));
	CHECK(!dns_answer_ok(a, alen, 0x1235));
	/* An answer is no query: the dissector refuses it. */
	CHECK_EQ(dns_qname(a, alen, qname, sizeof(qname)), -1);
	CHECK_EQ(dns_answer_build(t, sizeof(t), a, alen), 0);
	CHECK(!dns_answer_ok(q, len, 0x1234));
}

static void test_query_limits(void)
{
	uint8_t q[DNS_MSG_MAX];

	CHECK_EQ(dns_query_build(q, sizeof(q), 1, "a..b", false), 0);
	CHECK_EQ(dns_query_build(q, 20, 1, "example.org", false), 0);
	CHECK_EQ(dns_answer_build(q, sizeof(q), q, 5), 0);
}

int main(void)
{
	test_hello("example.org", "example.org", 1000);
	test_hello("Tracker.EXAMPLE", "tracker.example", 1000000);
	test_hello(long_name, long_name, TLS_HELLO_ENDLESS);
	test_hello_limits();
	test_query("example.org", "example.org", false);
	test_query("Ads.Example", "ads.example", true);
	test_query(long_name, long_name, false);
	test_query_limits();
	return unit_summary("probe_wire_test");
}
