// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The dissectors against messages built byte by byte the way clients
 * send them, every truncation of each, and hostile variants. Inputs are
 * copied into buffers of their exact size so that the sanitized twin of
 * this test catches any read past the end.
 */
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dns.h"
#include "hostname.h"
#include "http.h"
#include "packet.h"
#include "tls.h"
#include "unit.h"

typedef int (*dissector)(const uint8_t *p, size_t len, char *out,
			 size_t outlen);

struct msg {
	uint8_t b[24000];
	size_t len;
};

static void put(struct msg *m, const void *p, size_t n)
{
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

static void put8(struct msg *m, unsigned v)
{
	m->b[m->len++] = (uint8_t)v;
}

static void put16(struct msg *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v);
}

static void puts_(struct msg *m, const char *s)
{
	put(m, s, strlen(s));
}

/* Reserves an n-byte length, filled in by close_len(). */
static size_t open_len(struct msg *m, size_t n)
{
	size_t at = m->len;

	m->len += n;
	return at;
}

static void close_len(struct msg *m, size_t at, size_t n)
{
	size_t v = m->len - at - n, i;

	for (i = 0; i < n; i++)
		m->b[at + i] = (uint8_t)(v >> 8 * (n - 1 - i));
}

/* Runs d over an exact-size copy, as the wire would hand it over. */
static int run(dissector d, const uint8_t *p, size_t n, char *out,
	       size_t outlen)
{
	uint8_t *copy = malloc(n ? n : 1);
	int ret;

	memcpy(copy, p, n);
	ret = d(copy, n, out, outlen);
	free(copy);
	return ret;
}

static int run_msg(dissector d, const struct msg *m, char *out)
{
	return run(d, m->b, m->len, out, HOSTNAME_MAX + 1);
}

/* A "1" must always come with a valid name, whatever the input. */
static bool answer_sane(int ret, const char *out)
{
	char check[HOSTNAME_MAX + 1];

	if (ret != 1)
		return ret == 0 || ret == -1;
	return hostname_copy((const uint8_t *)out, strlen(out), check,
			     sizeof(check)) == 1 && !strcmp(check, out);
}

/* Every strict prefix of m must give want (0 or -1), never a name. */
static void check_prefixes(dissector d, const struct msg *m, int want,
			   const char *what)
{
	char out[HOSTNAME_MAX + 1];
	size_t n, bad = 0;

	for (n = 0; n < m->len; n++)
		if (run(d, m->b, n, out, sizeof(out)) != want)
			bad++;
	if (!CHECK_EQ(bad, 0))
		fprintf(stderr, "  %s: %zu prefixes did not give %d\n", what,
			bad, want);
}

/* Every single-byte corruption: any "found" must still be a name. */
static void check_mutations(dissector d, const struct msg *m)
{
	char out[HOSTNAME_MAX + 1];
	struct msg *t = malloc(sizeof(*t));
	size_t i, bad = 0;
	int ret;

	for (i = 0; i < m->len; i++) {
		*t = *m;
		t->b[i] ^= 0xa5;
		ret = run_msg(d, t, out);
		if (!answer_sane(ret, out))
			bad++;
	}
	CHECK_EQ(bad, 0);
	free(t);
}

/*
 * A ClientHello as a 2020s browser sends it: GREASE cipher suites and
 * extensions (RFC 8701), a 32-byte session id, extensions before and
 * after server_name, and a key share of key_share bytes. Offsets of the
 * fields hostile tests patch are kept in hello_at.
 */
static struct {
	size_t hs_len, session, suites, exts, sni_ext, sni_list, sni_name;
} hello_at;

static void hello_ext(struct msg *m, unsigned type, size_t n)
{
	size_t at;

	put16(m, type);
	at = open_len(m, 2);
	while (n--)
		put8(m, 0x42);
	close_len(m, at, 2);
}

static void hello_sni(struct msg *m, const char *name)
{
	size_t ext, list, host;

	hello_at.sni_ext = m->len;
	put16(m, 0);
	ext = open_len(m, 2);
	hello_at.sni_list = m->len;
	list = open_len(m, 2);
	put8(m, 0);
	hello_at.sni_name = m->len;
	host = open_len(m, 2);
	puts_(m, name);
	close_len(m, host, 2);
	close_len(m, list, 2);
	close_len(m, ext, 2);
}

static void hello_body(struct msg *h, const char *sni, size_t key_share)
{
	static const unsigned suites[] = { 0x2a2a, 0x1301, 0x1302, 0x1303,
					   0xc02b, 0xc02f, 0xcca9, 0x009c };
	size_t at, exts, i;

	put8(h, 1);
	hello_at.hs_len = h->len;
	at = open_len(h, 3);
	put16(h, 0x0303);
	for (i = 0; i < 32; i++)
		put8(h, i * 7);
	hello_at.session = h->len;
	put8(h, 32);
	for (i = 0; i < 32; i++)
		put8(h, 0xee);
	hello_at.suites = h->len;
	put16(h, 2 * (sizeof(suites) / sizeof(suites[0])));
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		put16(h, suites[i]);
	put8(h, 1);
	put8(h, 0);
	hello_at.exts = h->len;
	exts = open_len(h, 2);
	hello_ext(h, 0x8a8a, 0);	/* GREASE */
	hello_ext(h, 0x0017, 0);	/* extended_master_secret */
	hello_ext(h, 0xff01, 1);	/* renegotiation_info */
	hello_ext(h, 0x000a, 10);	/* supported_groups */
	if (sni)
		hello_sni(h, sni);
	hello_ext(h, 0x0010, 14);	/* ALPN */
	hello_ext(h, 0x0033, key_share);
	hello_ext(h, 0x002b, 7);	/* supported_versions */
	hello_ext(h, 0x1a1a, 1);	/* GREASE */
	hello_ext(h, 0x0015, 200);	/* padding */
	close_len(h, exts, 2);
	close_len(h, at, 3);
}

/* Cuts a handshake message into records of at most chunk bytes. */
static void records(struct msg *m, const struct msg *h, size_t chunk)
{
	size_t off;

	m->len = 0;
	for (off = 0; off < h->len; off += chunk) {
		size_t n = h->len - off < chunk ? h->len - off : chunk;

		put8(m, 22);
		put16(m, 0x0301);
		put16(m, n);
		put(m, h->b + off, n);
	}
}

static struct msg *tls_hello(const char *sni, size_t key_share, size_t chunk)
{
	static struct msg h, m;

	h.len = 0;
	hello_body(&h, sni, key_share);
	records(&m, &h, chunk);
	return &m;
}

static int tls_run(struct msg *m, char *out)
{
	return run_msg(tls_sni, m, out);
}

/* Patches a handshake-relative offset of a one-record hello. */
static int tls_patched(size_t at, unsigned v, size_t width, char *out)
{
	struct msg *m = tls_hello("example.com", 32, 16384);
	size_t i;

	for (i = 0; i < width; i++)
		m->b[5 + at + i] = (uint8_t)(v >> 8 * (width - 1 - i));
	return tls_run(m, out);
}

static void test_tls(void)
{
	char out[HOSTNAME_MAX + 1];
	struct msg *m;

	m = tls_hello("WWW.Example.COM.", 32, 16384);
	CHECK_EQ(tls_run(m, out), 1);
	CHECK_STREQ(out, "www.example.com");
	check_prefixes(tls_sni, m, 0, "tls one record");
	check_mutations(tls_sni, m);

	/* A post-quantum key share: the hello spans two TCP segments. */
	m = tls_hello("pq.example.org", 1216, 16384);
	CHECK(m->len > 1500);
	CHECK_EQ(tls_run(m, out), 1);
	CHECK_STREQ(out, "pq.example.org");
	CHECK_EQ(run(tls_sni, m->b, 1448, out, sizeof(out)), 0);

	/* The handshake cut across records, even inside its header. */
	m = tls_hello("split.example.net", 500, 3);
	CHECK_EQ(tls_run(m, out), 1);
	CHECK_STREQ(out, "split.example.net");
	m = tls_hello("split.example.net", 500, 100);
	CHECK_EQ(tls_run(m, out), 1);
	check_prefixes(tls_sni, m, 0, "tls 100-byte records");

	m = tls_hello(NULL, 32, 16384);
	CHECK_EQ(tls_run(m, out), -1);
	CHECK_STREQ(out, "");
	m = tls_hello("bad name.com", 32, 16384);
	CHECK_EQ(tls_run(m, out), -1);
	m = tls_hello("a..b", 32, 16384);
	CHECK_EQ(tls_run(m, out), -1);
	m = tls_hello("0123456789012345678901234567890123456789012345678901"
		      "234567890123.com", 32, 16384);
	CHECK_EQ(tls_run(m, out), -1);

	/* Hostile lengths, each one field of a good hello. */
	tls_hello("example.com", 32, 16384);
	CHECK_EQ(tls_patched(hello_at.exts, 0xffff, 2, out), -1);
	CHECK_EQ(tls_patched(hello_at.sni_ext + 2, 0x0100, 2, out), -1);
	CHECK_EQ(tls_patched(hello_at.sni_list, 0x0fff, 2, out), -1);
	CHECK_EQ(tls_patched(hello_at.sni_name, 0x0fff, 2, out), -1);
	CHECK_EQ(tls_patched(hello_at.session, 33, 1, out), -1);
	CHECK_EQ(tls_patched(hello_at.suites, 15, 2, out), -1);
	CHECK_EQ(tls_patched(hello_at.hs_len, 0x00ffff, 3, out), -1);
	CHECK_EQ(tls_patched(hello_at.sni_ext, 0x0100, 2, out), -1);
	CHECK_EQ(tls_patched(hello_at.sni_ext + 4 + 2, 1, 1, out), -1);
	/* A handshake longer than its records announce: wait for more. */
	CHECK_EQ(tls_patched(hello_at.hs_len, 0x001000, 3, out), 0);

	m = tls_hello("example.com", 32, 16384);
	m->b[0] = 23;			/* application data */
	CHECK_EQ(tls_run(m, out), -1);
	m = tls_hello("example.com", 32, 16384);
	m->b[5] = 2;			/* ServerHello */
	CHECK_EQ(tls_run(m, out), -1);
	m = tls_hello("example.com", 32, 16384);
	m->b[3] = 0x49;			/* record over 2^14 + 2048 */
	CHECK_EQ(tls_run(m, out), -1);
	m = tls_hello("example.com", 32, 16384);
	m->b[m->len++] = 0;		/* a byte past the hello is fine */
	CHECK_EQ(tls_run(m, out), 1);
	m = tls_hello("example.com", 32, 16384);
	m->b[4]++;			/* but not inside its record */
	m->b[m->len++] = 0;
	CHECK_EQ(tls_run(m, out), 1);
	CHECK_EQ(run(tls_sni, (const uint8_t *)"GET / HTTP/1.1\r\n", 16, out,
		     sizeof(out)), -1);
	m = tls_hello("example.com", 32, 16384);
	CHECK_EQ(run(tls_sni, m->b, m->len, out, 11), -1);
	CHECK_EQ(run(tls_sni, m->b, m->len, out, 12), 1);
}

static struct msg *text(const char *s)
{
	static struct msg m;

	m.len = 0;
	puts_(&m, s);
	return &m;
}

static int http_run(const char *req, char *out)
{
	return run_msg(http_host, text(req), out);
}

/* Requests and the name each must give; NULL for -1. */
static const struct {
	const char *req, *host;
} http_cases[] = {
	{ "GET / HTTP/1.1\r\nHost: Example.COM\r\n\r\n", "example.com" },
	{ "GET / HTTP/1.1\r\nhost: lower.example\r\n\r\n", "lower.example" },
	{ "HEAD /x HTTP/1.0\r\nUser-Agent: t\r\nHOST:up.example\r\n\r\n",
	  "up.example" },
	{ "POST /f HTTP/1.1\r\nHost: \t ows.example \t\r\nA: b\r\n\r\n",
	  "ows.example" },
	{ "GET / HTTP/1.1\r\nHost: port.example:8080\r\n\r\n",
	  "port.example" },
	{ "GET / HTTP/1.1\r\nHost: empty-port.example:\r\n\r\n",
	  "empty-port.example" },
	{ "GET / HTTP/1.1\nHost: lf.example\n\n", "lf.example" },
	{ "GET / HTTP/1.1\r\nHost: dot.example.\r\n\r\n", "dot.example" },
	{ "GET / HTTP/1.1\r\nX-Long: a\r\n folded\r\nHost: f.example\r\n\r\n",
	  "f.example" },
	{ "GET http://abs.example:80/p?q HTTP/1.1\r\nHost: other.example\r\n"
	  "\r\n", "abs.example" },
	{ "GET HTTP://user:pw@ui.example/ HTTP/1.1\r\n\r\n", "ui.example" },
	{ "CONNECT tunnel.example:443 HTTP/1.1\r\nHost: x.example:443\r\n"
	  "\r\n", "tunnel.example" },
	{ "OPTIONS * HTTP/1.1\r\nHost: star.example\r\n\r\n",
	  "star.example" },
	{ "GET / HTTP/1.1\r\nHost: 192.0.2.1\r\n\r\n", "192.0.2.1" },
	{ "GET / HTTP/1.0\r\n\r\n", NULL },
	{ "GET / HTTP/1.1\r\nHostname: x.example\r\n\r\n", NULL },
	{ "GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n",
	  NULL },
	{ "GET / HTTP/1.1\r\nHost: a.example\r\n b.example\r\n\r\n", NULL },
	{ "GET / HTTP/1.1\r\nHost: [2001:db8::1]:80\r\n\r\n", NULL },
	{ "GET http://[2001:db8::1]/ HTTP/1.1\r\nHost: a.example\r\n\r\n",
	  NULL },
	{ "GET / HTTP/1.1\r\nHost: a.example:80x\r\n\r\n", NULL },
	{ "GET / HTTP/1.1\r\nHost:\r\n\r\n", NULL },
	{ "GET / HTTP/1.1\r\nHost: a b.example\r\n\r\n", NULL },
	{ "GET / HTTP/1.1\r\nNo colon here\r\nHost: a.example\r\n\r\n", NULL },
	{ "GET / HTTP/2.0\r\nHost: a.example\r\n\r\n", NULL },
	{ "GET  / HTTP/1.1\r\nHost: a.example\r\n\r\n", NULL },
	{ "GET /\r\nHost: a.example\r\n\r\n", NULL },
	{ "get / HTTP/1.1\r\nHost: a.example\r\n\r\n", NULL },
	{ "BREW /pot HTTP/1.1\r\nHost: a.example\r\n\r\n", NULL },
	{ "GET mailto:x HTTP/1.1\r\nHost: a.example\r\n\r\n", NULL },
	{ "\x16\x03\x01\x02\x00\x01", NULL },
};

static void test_http_huge(void)
{
	static char req[HTTP_HEAD_MAX * 2];
	char out[HOSTNAME_MAX + 1];
	size_t n;

	/* A big cookie is fine while the head fits the limit... */
	n = (size_t)sprintf(req, "GET / HTTP/1.1\r\nHost: big.example\r\n"
			    "Cookie: ");
	memset(req + n, 'c', HTTP_HEAD_MAX - 100);
	strcpy(req + n + HTTP_HEAD_MAX - 100, "\r\n\r\n");
	CHECK_EQ(http_run(req, out), 1);
	CHECK_STREQ(out, "big.example");
	/* ...but a head that does not end within it is given up on. */
	memset(req + n, 'c', HTTP_HEAD_MAX + 100);
	strcpy(req + n + HTTP_HEAD_MAX + 100, "\r\n\r\n");
	CHECK_EQ(http_run(req, out), -1);
	req[HTTP_HEAD_MAX - 1] = '\0';
	CHECK_EQ(http_run(req, out), 0);
	req[HTTP_HEAD_MAX] = '\0';
	req[HTTP_HEAD_MAX - 1] = 'c';
	CHECK_EQ(http_run(req, out), -1);
}

static void test_http(void)
{
	char out[HOSTNAME_MAX + 1];
	size_t i;

	for (i = 0; i < sizeof(http_cases) / sizeof(http_cases[0]); i++) {
		int want = http_cases[i].host ? 1 : -1;

		if (!CHECK_EQ(http_run(http_cases[i].req, out), want))
			fprintf(stderr, "  request %zu: %s\n", i,
				http_cases[i].req);
		if (want == 1)
			CHECK_STREQ(out, http_cases[i].host);
	}
	check_prefixes(http_host, text("GET / HTTP/1.1\r\nHost: a.example\r\n"
				       "Accept: */*\r\n\r\n"), 0, "http");
	check_prefixes(http_host, text("CONNECT t.example:443 HTTP/1.1\r\n"
				       "\r\n"), 0, "http connect");
	check_mutations(http_host, text("GET / HTTP/1.1\r\nHost: a.example\r\n"
					"\r\n"));
	CHECK_EQ(run(http_host, (const uint8_t *)"GET / HTTP/1.1\r\n"
		     "Host: abc.example\r\n\r\n", 37, out, 11), -1);
	test_http_huge();
}

/* A query as resolvers send it: RD set, one question. */
static struct msg *dns_query(const char *name, unsigned flags, unsigned qd)
{
	static struct msg m;
	const char *dot;

	m.len = 0;
	put16(&m, 0x1234);
	put16(&m, flags);
	put16(&m, qd);
	put16(&m, 0);
	put16(&m, 0);
	put16(&m, 1);			/* an EDNS OPT record follows */
	while (*name) {
		dot = strchr(name, '.');
		if (!dot)
			dot = name + strlen(name);
		put8(&m, (unsigned)(dot - name));
		put(&m, name, (size_t)(dot - name));
		name = *dot ? dot + 1 : dot;
	}
	put8(&m, 0);
	put16(&m, 1);			/* A */
	put16(&m, 1);			/* IN */
	put8(&m, 0);
	put16(&m, 41);
	put16(&m, 1232);
	put16(&m, 0);
	put16(&m, 0);
	put16(&m, 0);
	return &m;
}

static int dns_run(struct msg *m, char *out)
{
	return run_msg(dns_qname, m, out);
}

/* A name of n characters, labels of 63 and a last shorter one. */
static const char *dns_long_name(size_t n)
{
	static char name[300];
	size_t i;

	for (i = 0; i < n; i++)
		name[i] = i % 64 == 63 ? '.' : 'a' + i % 26;
	name[n] = '\0';
	return name;
}

static const char *dns_label(size_t n)
{
	static char name[100];

	memset(name, 'x', n);
	strcpy(name + n, ".example");
	return name;
}

static void test_dns_tcp(void)
{
	char out[HOSTNAME_MAX + 1];
	struct msg *q = dns_query("tcp.example", 0x0100, 1);
	static struct msg t;

	t.len = 0;
	put16(&t, q->len);
	put(&t, q->b, q->len);
	CHECK_EQ(run_msg(dns_qname_tcp, &t, out), 1);
	CHECK_STREQ(out, "tcp.example");
	check_prefixes(dns_qname_tcp, &t, 0, "dns tcp");
	put16(&t, 0x4000);		/* a pipelined second query */
	CHECK_EQ(run_msg(dns_qname_tcp, &t, out), 1);
	t.b[0] = 0;
	t.b[1] = 11;
	CHECK_EQ(run_msg(dns_qname_tcp, &t, out), -1);
}

static void test_dns(void)
{
	char out[HOSTNAME_MAX + 1];
	struct msg *m;

	m = dns_query("WWW.Example.COM", 0x0100, 1);
	CHECK_EQ(dns_run(m, out), 1);
	CHECK_STREQ(out, "www.example.com");
	/* Only the question counts: cut the records after it off. */
	m->len -= 11;
	CHECK_EQ(dns_run(m, out), 1);
	check_prefixes(dns_qname, m, -1, "dns udp");
	m->len += 11;
	check_mutations(dns_qname, m);
	CHECK_EQ(dns_run(dns_query("_sip._udp.example", 0, 3), out), 1);
	CHECK_STREQ(out, "_sip._udp.example");

	CHECK_EQ(dns_run(dns_query("a.example", 0x0100, 0), out), -1);
	CHECK_EQ(dns_run(dns_query("a.example", 0x8180, 1), out), -1);
	CHECK_EQ(dns_run(dns_query("a.example", 0x2800, 1), out), -1);
	CHECK_EQ(dns_run(dns_query("", 0x0100, 1), out), -1);
	CHECK_EQ(dns_run(dns_query("a b.example", 0x0100, 1), out), -1);

	CHECK_EQ(dns_run(dns_query(dns_long_name(253), 0, 1), out), 1);
	CHECK_EQ(strlen(out), 253);
	CHECK_EQ(dns_run(dns_query(dns_long_name(254), 0, 1), out), -1);
	CHECK_EQ(dns_run(dns_query(dns_label(63), 0, 1), out), 1);
	CHECK_EQ(dns_run(dns_query(dns_label(64), 0, 1), out), -1);
	m = dns_query("a.example", 0, 1);
	CHECK_EQ(run(dns_qname, m->b, m->len, out, 9), -1);
	CHECK_EQ(run(dns_qname, m->b, m->len, out, 10), 1);

	/* A dot inside a label is not a label boundary. */
	m = dns_query("ab.example", 0, 1);
	m->b[13] = '.';
	CHECK_EQ(dns_run(m, out), -1);
	/* Compression pointers: to the header, and a loop on itself. */
	m = dns_query("a.example", 0, 1);
	m->b[14] = 0xc0;
	m->b[15] = 0x0c;
	CHECK_EQ(dns_run(m, out), -1);
	m->b[12] = 0xc0;
	m->b[13] = 0x0c;
	CHECK_EQ(dns_run(m, out), -1);
	m->b[12] = 0x80;		/* reserved label type */
	CHECK_EQ(dns_run(m, out), -1);
	test_dns_tcp();
}

static const uint8_t v4_addrs[8] = { 192, 0, 2, 1, 198, 51, 100, 7 };

/* IPv4 with options_len bytes of options, lengths filled in. */
static void ipv4(struct msg *m, uint8_t proto, size_t options_len)
{
	m->len = 0;
	put8(m, 0x40 | (5 + options_len / 4));
	put8(m, 0);
	put16(m, 0);			/* total length, see ip_close() */
	put16(m, 0xbeef);
	put16(m, 0x4000);		/* DF */
	put8(m, 64);
	put8(m, proto);
	put16(m, 0);
	put(m, v4_addrs, 8);
	while (options_len--)
		put8(m, 1);		/* NOP */
}

static void ipv4_close(struct msg *m)
{
	m->b[2] = (uint8_t)(m->len >> 8);
	m->b[3] = (uint8_t)m->len;
}

static void tcp(struct msg *m, size_t options_len, const char *data)
{
	put16(m, 40000);
	put16(m, 443);
	put16(m, 0);
	put16(m, 1);
	put16(m, 0);
	put16(m, 0);
	put8(m, (uint8_t)((5 + options_len / 4) << 4));
	put8(m, 0x18);			/* PSH ACK */
	put16(m, 64240);
	put16(m, 0);
	put16(m, 0);
	while (options_len--)
		put8(m, 1);
	puts_(m, data);
}

static void udp(struct msg *m, const char *data)
{
	put16(m, 5353);
	put16(m, 53);
	put16(m, 8 + strlen(data));
	put16(m, 0);
	puts_(m, data);
}

static void ipv6(struct msg *m, uint8_t nh)
{
	size_t i;

	m->len = 0;
	put16(m, 0x6000);
	put16(m, 0);
	put16(m, 0);			/* payload length, see ipv6_close() */
	put8(m, nh);
	put8(m, 64);
	for (i = 0; i < 32; i++)
		put8(m, i < 16 ? 0x20 : 0xfd);
}

static void ipv6_close(struct msg *m)
{
	m->b[4] = (uint8_t)((m->len - 40) >> 8);
	m->b[5] = (uint8_t)(m->len - 40);
}

/* An 8-byte extension header of the 8-octet-unit kind, or a fragment. */
static void ipv6_ext(struct msg *m, uint8_t nh, unsigned frag)
{
	put8(m, nh);
	put8(m, 0);
	put16(m, frag);
	put16(m, 0);
	put16(m, 0);
}

static int packet_run(const struct msg *m, struct packet *pkt,
		      const char *want)
{
	uint8_t *copy = malloc(m->len);
	int ret;

	memcpy(copy, m->b, m->len);
	ret = packet_parse(copy, m->len, pkt);
	if (ret == 1 && want) {
		CHECK(pkt->payload >= copy + 20 &&
		      pkt->payload + pkt->payload_len <= copy + m->len);
		CHECK_EQ(pkt->payload_len, strlen(want));
		CHECK(!memcmp(pkt->payload, want, strlen(want)));
	}
	/* Point into m, which outlives the copy. */
	if (pkt->saddr) {
		pkt->saddr = m->b + (pkt->saddr - copy);
		pkt->daddr = m->b + (pkt->daddr - copy);
	}
	pkt->payload = NULL;
	free(copy);
	return ret;
}

/* Every truncation is -1, or a payload that ends inside the bytes. */
static void packet_prefixes(const struct msg *m)
{
	struct packet pkt;
	size_t n, bad = 0;

	for (n = 0; n < m->len; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		int ret;

		memcpy(copy, m->b, n);
		ret = packet_parse(copy, n, &pkt);
		if (ret == 0 || (ret == 1 &&
				 pkt.payload + pkt.payload_len > copy + n))
			bad++;
		free(copy);
	}
	CHECK_EQ(bad, 0);
}

static void test_packet_v4(void)
{
	static struct msg m;
	struct packet pkt;

	ipv4(&m, IPPROTO_TCP, 4);
	tcp(&m, 12, "hello");
	ipv4_close(&m);
	CHECK_EQ(packet_run(&m, &pkt, "hello"), 1);
	CHECK_EQ(pkt.family, AF_INET);
	CHECK_EQ(pkt.proto, IPPROTO_TCP);
	CHECK_EQ(pkt.sport, 40000);
	CHECK_EQ(pkt.dport, 443);
	CHECK_EQ(pkt.daddr[3], 7);
	packet_prefixes(&m);
	m.b[m.len++] = 0xff;		/* link padding past total length */
	CHECK_EQ(packet_run(&m, &pkt, "hello"), 1);

	ipv4(&m, IPPROTO_UDP, 0);
	udp(&m, "query");
	ipv4_close(&m);
	CHECK_EQ(packet_run(&m, &pkt, "query"), 1);
	CHECK_EQ(pkt.dport, 53);
	m.b[25] = 7;			/* UDP length under its header */
	CHECK_EQ(packet_run(&m, &pkt, NULL), -1);

	ipv4(&m, IPPROTO_TCP, 0);
	tcp(&m, 0, "");
	ipv4_close(&m);
	CHECK_EQ(packet_run(&m, &pkt, ""), 1);
	m.b[32] = 0x40;			/* data offset 4 */
	CHECK_EQ(packet_run(&m, &pkt, NULL), -1);
	m.b[32] = 0xf0;			/* data offset past the packet */
	CHECK_EQ(packet_run(&m, &pkt, NULL), -1);
	m.b[32] = 0x50;
	m.b[6] = 0x20;			/* MF: a first fragment */
	CHECK_EQ(packet_run(&m, &pkt, NULL), 0);
	m.b[6] = 0x00;
	m.b[7] = 0x10;			/* a later fragment */
	CHECK_EQ(packet_run(&m, &pkt, NULL), 0);
	m.b[7] = 0;
	m.b[9] = IPPROTO_ICMP;
	CHECK_EQ(packet_run(&m, &pkt, NULL), 0);
	m.b[9] = IPPROTO_TCP;
	m.b[0] = 0x44;			/* IHL under 5 */
	CHECK_EQ(packet_run(&m, &pkt, NULL), -1);
	m.b[0] = 0x45;
	m.b[3] = 10;			/* total length under the header */
	CHECK_EQ(packet_run(&m, &pkt, NULL), -1);
	m.b[0] = 0x55;
	CHECK_EQ(packet_run(&m, &pkt, NULL), -1);
}

static void test_packet_v6(void)
{
	static struct msg m;
	struct packet pkt;
	int i;

	ipv6(&m, IPPROTO_TCP);
	tcp(&m, 0, "v6 data");
	ipv6_close(&m);
	CHECK_EQ(packet_run(&m, &pkt, "v6 data"), 1);
	CHECK_EQ(pkt.family, AF_INET6);
	CHECK_EQ(pkt.saddr[0], 0x20);
	CHECK_EQ(pkt.daddr[15], 0xfd);
	packet_prefixes(&m);

	ipv6(&m, IPPROTO_HOPOPTS);
	ipv6_ext(&m, IPPROTO_ROUTING, 0);
	ipv6_ext(&m, IPPROTO_DSTOPTS, 0);
	ipv6_ext(&m, IPPROTO_FRAGMENT, 0);
	ipv6_ext(&m, IPPROTO_UDP, 0);	/* atomic fragment: whole */
	udp(&m, "dns");
	ipv6_close(&m);
	CHECK_EQ(packet_run(&m, &pkt, "dns"), 1);
	CHECK_EQ(pkt.proto, IPPROTO_UDP);
	packet_prefixes(&m);
	m.b[66] = 0x00;			/* M set: a first fragment */
	m.b[67] = 0x01;
	CHECK_EQ(packet_run(&m, &pkt, NULL), 0);
	m.b[66] = 0x05;			/* offset 160 */
	m.b[67] = 0x00;
	CHECK_EQ(packet_run(&m, &pkt, NULL), 0);
	m.b[67] = 0;
	m.b[66] = 0;
	m.b[41] = 200;			/* hop-by-hop longer than the packet */
	CHECK_EQ(packet_run(&m, &pkt, NULL), -1);

	/* PACKET_EXT_MAX headers are walked, one more is given up on. */
	ipv6(&m, IPPROTO_DSTOPTS);
	for (i = 1; i < PACKET_EXT_MAX; i++)
		ipv6_ext(&m, IPPROTO_DSTOPTS, 0);
	ipv6_ext(&m, IPPROTO_TCP, 0);
	tcp(&m, 0, "deep");
	ipv6_close(&m);
	CHECK_EQ(packet_run(&m, &pkt, "deep"), 1);
	ipv6(&m, IPPROTO_DSTOPTS);
	for (i = 0; i < PACKET_EXT_MAX; i++)
		ipv6_ext(&m, IPPROTO_DSTOPTS, 0);
	ipv6_ext(&m, IPPROTO_TCP, 0);
	tcp(&m, 0, "deep");
	ipv6_close(&m);
	CHECK_EQ(packet_run(&m, &pkt, NULL), 0);

	ipv6(&m, 50);			/* ESP */
	put16(&m, 0);
	ipv6_close(&m);
	CHECK_EQ(packet_run(&m, &pkt, NULL), 0);
	ipv6(&m, 59);			/* no next header */
	ipv6_close(&m);
	CHECK_EQ(packet_run(&m, &pkt, NULL), 0);
	CHECK_EQ(packet_parse(m.b, 0, &pkt), -1);
}

int main(void)
{
	test_tls();
	test_http();
	test_dns();
	test_packet_v4();
	test_packet_v6();
	return unit_summary("dissect_test");
}
