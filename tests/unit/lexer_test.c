// SPDX-License-Identifier: GPL-2.0-or-later
/* The lexer: token shapes, locations, brace-aware newlines, and errors. */
#include <arpa/inet.h>
#include <stdlib.h>

#include "diag.h"
#include "lexer.h"
#include "names.h"
#include "unit.h"

#define MAX_TOKENS 64

static struct token toks[MAX_TOKENS];
static char *diag_buf;
static size_t diag_len;
static FILE *diag_out;

static size_t lex_all(const char *text)
{
	struct lexer lx;
	size_t n = 0;

	lexer_init(&lx, "t.fw", text, strlen(text));
	do
		lexer_next(&lx, &toks[n]);
	while (toks[n++].kind != T_EOF && n < MAX_TOKENS);
	return n;
}

/* One letter per token, so that a whole stream fits in one string. */
static const char *kinds(const char *text)
{
	static const char code[] = {
		[T_EOF] = 'e', [T_END] = ';', [T_LBRACE] = '{',
		[T_RBRACE] = '}', [T_COMMA] = ',', [T_EQ] = '=',
		[T_NOT] = '!', [T_SLASH] = '/', [T_IDENT] = 'i',
		[T_WILDCARD] = '*', [T_NUMBER] = 'n', [T_ADDR] = 'a',
		[T_PREFIX] = 'p', [T_RANGE] = 'r', [T_WORD] = 'w',
		[T_STRING] = 's', [T_MACRO] = '$', [T_SETREF] = '@',
		[T_ERROR] = 'X',
	};
	static char out[MAX_TOKENS + 1];
	size_t n = lex_all(text), i;

	for (i = 0; i < n; i++)
		out[i] = code[toks[i].kind];
	out[n] = '\0';
	return out;
}

static const char *errors(void)
{
	fflush(diag_out);
	return diag_buf;
}

static void errors_clear(void)
{
	fclose(diag_out);
	free(diag_buf);
	diag_out = open_memstream(&diag_buf, &diag_len);
	diag_set_stream(diag_out);
	diag_reset();
}

static bool addr_is(const uint8_t *addr, int af, const char *text)
{
	uint8_t want[16];

	return inet_pton(af, text, want) == 1 &&
	       !memcmp(addr, want, af == AF_INET ? 4 : 16);
}

static void test_tables(void)
{
	const struct name_table *tables[] = {
		&names_proto, &names_service, &names_icmp_type,
		&names_icmpv6_type, &names_ct_state, &names_reject_kind,
		&names_reject_icmp, &names_reject_icmpv6, &names_reject_icmpx,
		&names_rate_unit, &names_set_type,
	};
	unsigned v;
	size_t i;

	CHECK(keywords_sorted());
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		CHECK(names_sorted(tables[i]));
	CHECK_EQ(keyword_lookup("accept"), KW_ACCEPT);
	CHECK_EQ(keyword_lookup("zone"), KW_ZONE);
	CHECK_EQ(keyword_lookup("zones"), KW_NONE);
	CHECK(names_lookup(&names_service, "https", &v) && v == 443);
	CHECK(!names_lookup(&names_service, "htps", &v));
	CHECK_STREQ(names_suggest(&names_proto, "tpc"), "tcp");
	CHECK_STREQ(names_suggest(&names_proto, "banana"), NULL);
}

static void test_words(void)
{
	CHECK_STREQ(kinds("accept input iif veth-lan"), "iiiie");
	CHECK_EQ(toks[0].kw, KW_ACCEPT);
	CHECK_EQ(toks[3].kw, KW_NONE);
	CHECK_STREQ(toks[3].text, "veth-lan");
	CHECK_STREQ(kinds("eth0.100 tcp-reset _x"), "iiie");
	CHECK_STREQ(toks[0].text, "eth0.100");
	CHECK_STREQ(kinds("eth* *"), "**e");
	CHECK_STREQ(kinds("$lan_if @admins"), "$@e");
	CHECK_STREQ(toks[0].text, "lan_if");
	CHECK_STREQ(toks[1].text, "admins");
	CHECK_STREQ(kinds("1h30m 30s"), "wwe");
	CHECK_STREQ(kinds("limit 10/second burst 5"), "in/iine");
	CHECK_EQ(toks[1].lo.num, 10);
	CHECK_STREQ(kinds("a=b,c!d"), "i=i,i!ie");
}

static void test_addresses(void)
{
	CHECK_STREQ(kinds("10.0.0.1 fd00::1 ::1 ::ffff:1.2.3.4"), "aaaae");
	CHECK(toks[0].lo.kind == LIT_ADDR4 &&
	      addr_is(toks[0].lo.addr, AF_INET, "10.0.0.1"));
	CHECK(toks[1].lo.kind == LIT_ADDR6 &&
	      addr_is(toks[1].lo.addr, AF_INET6, "fd00::1"));
	CHECK_STREQ(kinds("10.0.0.0/8 fe80::/10"), "ppe");
	CHECK_EQ(toks[0].plen, 8);
	CHECK(addr_is(toks[0].hi.addr, AF_INET, "10.255.255.255"));
	CHECK_EQ(toks[1].plen, 10);
	CHECK(addr_is(toks[1].hi.addr, AF_INET6,
		      "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
	CHECK_STREQ(kinds("10.0.0.1-10.0.0.9 fd00::1-fd00::9 1024-65535"),
		    "rrre");
	CHECK(addr_is(toks[0].hi.addr, AF_INET, "10.0.0.9"));
	CHECK(toks[2].lo.kind == LIT_NUMBER && toks[2].lo.num == 1024 &&
	      toks[2].hi.num == 65535);
	CHECK_STREQ(toks[0].text, "10.0.0.1-10.0.0.9");
}

static void test_lines(void)
{
	CHECK_STREQ(kinds("a\nb;c"), "i;i;ie");
	CHECK(toks[1].newline && !toks[3].newline);
	CHECK_STREQ(kinds("set s = { a,\n  b\n}\nx"), "ii={i,i};ie");
	CHECK_EQ(toks[7].depth, 0);
	CHECK_STREQ(kinds("{ a; b }"), "{i;i}e");
	CHECK_EQ(toks[2].depth, 1);
	CHECK_STREQ(kinds("accept # a comment\ninput"), "i;ie");
	CHECK_STREQ(kinds("accept \\\n  input\\\r\n  iif"), "iiie");
	CHECK_STREQ(kinds("}}}\na"), "}}};ie");
	lex_all("a\n  bb \"x\"\n\tc");
	CHECK(toks[0].loc.line == 1 && toks[0].loc.col == 1);
	CHECK(toks[2].loc.line == 2 && toks[2].loc.col == 3);
	CHECK_EQ(toks[2].width, 2);
	CHECK(toks[3].loc.line == 2 && toks[3].loc.col == 6);
	CHECK_EQ(toks[3].width, 3);
	CHECK(toks[5].loc.line == 3 && toks[5].loc.col == 2);
}

static void test_strings(void)
{
	CHECK_STREQ(kinds("\"a \\\"b\\\" \\\\ c\" \"\""), "sse");
	CHECK_STREQ(toks[0].text, "a \"b\" \\ c");
	CHECK_STREQ(toks[1].text, "");
	CHECK_STREQ(kinds("\"# not a comment\""), "se");
	CHECK_STREQ(toks[0].text, "# not a comment");
}

struct bad {
	const char	*text;
	const char	*kinds;
	const char	*message;
};

static const struct bad bad[] = {
	{ "10.0.0.300", "Xe", "t.fw:1:1: error: invalid IPv4 address "
	  "'10.0.0.300'" },
	{ "fd00::1::2", "Xe", "t.fw:1:1: error: invalid IPv6 address "
	  "'fd00::1::2'" },
	{ "x 10.0.0.0/33", "iXe", "t.fw:1:11: error: bad prefix length /33: "
	  "an IPv4 prefix has 0 to 32 bits" },
	{ "fd00::/129", "Xe", "t.fw:1:7: error: bad prefix length /129: an "
	  "IPv6 prefix has 0 to 128 bits" },
	{ "10.0.0.0/", "Xe", "t.fw:1:9: error: expected a prefix length after "
	  "'/'" },
	{ "25-22", "Xe", "t.fw:1:1: error: bad range '25-22': it ends before "
	  "it starts" },
	{ "10.0.0.1-fd00::1", "Xe", "t.fw:1:1: error: range "
	  "'10.0.0.1-fd00::1' goes from an IPv4 address to an IPv6 address" },
	{ "1-2-3", "Xe", "t.fw:1:1: error: invalid range '1-2-3'" },
	{ "e*h", "Xe", "t.fw:1:1: error: invalid wildcard 'e*h': '*' goes "
	  "only at the end of an interface name" },
	{ "99999999999999999999", "Xe", "t.fw:1:1: error: number too large: "
	  "99999999999999999999" },
	{ "\"open\nx", "X;ie", "t.fw:1:1: error: unterminated string" },
	{ "\"a\\nb\" x", "Xie", "t.fw:1:3: error: unknown escape in string "
	  "(only \\\" and \\\\)" },
	{ "$ x", "Xie", "t.fw:1:1: error: expected a name after '$'" },
	{ "a % b", "iXie", "t.fw:1:3: error: unexpected character '%'" },
	{ "a \xc3\xa9\xc3\xa9 b", "iXie", "t.fw:1:3: error: unexpected "
	  "non-ASCII text" },
	{ "-5", "Xe", "t.fw:1:1: error: invalid value '-5'" },
};

static void test_errors(void)
{
	char prefix[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errors_clear();
		CHECK_STREQ(kinds(bad[i].text), bad[i].kinds);
		snprintf(prefix, sizeof(prefix), "%s\n", bad[i].message);
		if (!CHECK(!strncmp(errors(), prefix, strlen(prefix))))
			fprintf(stderr, "  input %s\n  got: %s\n", bad[i].text,
				errors());
		CHECK_EQ(diag_error_count(), 1);
	}
}

static void test_limits(void)
{
	char word[TOKEN_MAX + 2];

	errors_clear();
	memset(word, 'a', TOKEN_MAX);
	word[TOKEN_MAX] = '\0';
	CHECK_STREQ(kinds(word), "ie");
	CHECK_EQ(strlen(toks[0].text), TOKEN_MAX);
	word[TOKEN_MAX] = 'a';
	word[TOKEN_MAX + 1] = '\0';
	CHECK_STREQ(kinds(word), "Xe");
	CHECK_EQ(diag_error_count(), 1);
}

/* Host bits: a warning and the masked prefix, not an error. */
static void test_host_bits(void)
{
	errors_clear();
	CHECK_STREQ(kinds("10.1.2.3/16"), "pe");
	CHECK(addr_is(toks[0].lo.addr, AF_INET, "10.1.0.0"));
	CHECK_EQ(diag_error_count(), 0);
	CHECK(strstr(errors(), "warning: 10.1.2.3/16 has host bits set; it "
		     "means 10.1.0.0/16") != NULL);
}

static void test_quiet(void)
{
	struct lexer lx;
	struct token t;

	errors_clear();
	lexer_init(&lx, "t.fw", "10.0.0.300", 10);
	lx.quiet = true;
	lexer_next(&lx, &t);
	CHECK_EQ(t.kind, T_ERROR);
	CHECK_EQ(diag_error_count(), 0);
	CHECK_STREQ(errors(), "");
}

static void test_describe(void)
{
	char buf[64];

	lex_all("accept\n;");
	CHECK_STREQ(token_describe(&toks[0], buf, sizeof(buf)), "'accept'");
	CHECK_STREQ(token_describe(&toks[1], buf, sizeof(buf)), "end of line");
	CHECK_STREQ(token_describe(&toks[2], buf, sizeof(buf)), "';'");
	CHECK_STREQ(token_describe(&toks[3], buf, sizeof(buf)), "end of file");
}

int main(void)
{
	diag_out = open_memstream(&diag_buf, &diag_len);
	diag_set_stream(diag_out);
	test_tables();
	test_words();
	test_addresses();
	test_lines();
	test_strings();
	test_errors();
	test_limits();
	test_host_bits();
	test_quiet();
	test_describe();
	diag_set_stream(NULL);
	fclose(diag_out);
	free(diag_buf);
	diag_reset();
	return unit_summary("lexer_test");
}
