// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The lexer. A value is scanned as one word of [A-Za-z0-9_.:*-] and only
 * then classified, because the same characters make up interface names
 * (veth-lan, eth0.100), ranges (10.0.0.1-10.0.0.9, 1024-65535), IPv6
 * addresses (fd00::1) and durations (1h30m): only the whole word tells
 * them apart.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "lexer.h"
#include "names.h"

static const struct name_entry keyword_entries[] = {
	{ "accept",	KW_ACCEPT },
	{ "burst",	KW_BURST },
	{ "comment",	KW_COMMENT },
	{ "counter",	KW_COUNTER },
	{ "ct",		KW_CT },
	{ "define",	KW_DEFINE },
	{ "dnat",	KW_DNAT },
	{ "dport",	KW_DPORT },
	{ "drop",	KW_DROP },
	{ "dst",	KW_DST },
	{ "forward",	KW_FORWARD },
	{ "from",	KW_FROM },
	{ "helper",	KW_HELPER },
	{ "icmp",	KW_ICMP },
	{ "icmpv6",	KW_ICMPV6 },
	{ "iif",	KW_IIF },
	{ "include",	KW_INCLUDE },
	{ "input",	KW_INPUT },
	{ "inspect",	KW_INSPECT },
	{ "interfaces",	KW_INTERFACES },
	{ "limit",	KW_LIMIT },
	{ "log",	KW_LOG },
	{ "masquerade",	KW_MASQUERADE },
	{ "networks",	KW_NETWORKS },
	{ "notrack",	KW_NOTRACK },
	{ "oif",	KW_OIF },
	{ "output",	KW_OUTPUT },
	{ "policy",	KW_POLICY },
	{ "port",	KW_PORT },
	{ "proto",	KW_PROTO },
	{ "redirect",	KW_REDIRECT },
	{ "reject",	KW_REJECT },
	{ "set",	KW_SET },
	{ "shape",	KW_SHAPE },
	{ "snat",	KW_SNAT },
	{ "sport",	KW_SPORT },
	{ "src",	KW_SRC },
	{ "state",	KW_STATE },
	{ "stateless",	KW_STATELESS },
	{ "timeout",	KW_TIMEOUT },
	{ "to",		KW_TO },
	{ "type",	KW_TYPE },
	{ "with",	KW_WITH },
	{ "zone",	KW_ZONE },
};

static const struct name_table keywords = {
	keyword_entries, sizeof(keyword_entries) / sizeof(keyword_entries[0])
};

enum kw keyword_lookup(const char *word)
{
	unsigned v;

	return names_lookup(&keywords, word, &v) ? (enum kw)v : KW_NONE;
}

const char *keyword_name(enum kw kw)
{
	return names_by_value(&keywords, kw);
}

bool keywords_sorted(void)
{
	return names_sorted(&keywords) && keywords.n == KW_COUNT - 1;
}

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_name(int c)
{
	return is_alpha(c) || is_digit(c) || c == '.' || c == '-';
}

static bool is_word(int c)
{
	return is_name(c) || c == ':' || c == '*';
}

static bool all_of(const char *s, const char *set)
{
	return *s && s[strspn(s, set)] == '\0';
}

static int peek(const struct lexer *lx, size_t k)
{
	if (lx->pos + k >= lx->len)
		return -1;
	return (unsigned char)lx->text[lx->pos + k];
}

static void advance(struct lexer *lx)
{
	if (lx->pos >= lx->len)
		return;
	if (lx->text[lx->pos++] == '\n') {
		lx->line++;
		lx->col = 1;
	} else {
		lx->col++;
	}
}

void lexer_init(struct lexer *lx, const char *file, const char *text,
		size_t len)
{
	*lx = (struct lexer){ .file = file, .text = text, .len = len,
			      .line = 1, .col = 1 };
}

/* Tokens never span lines, except strings that do not end. */
static void finish(const struct lexer *lx, struct token *t)
{
	t->end = lx->pos;
	t->width = (unsigned)(t->end - t->start);
}

static void lex_verror(const struct lexer *lx, struct token *t,
		       struct fw_loc loc, unsigned width, const char *fmt,
		       va_list ap)
{
	char msg[512];

	t->kind = T_ERROR;
	if (lx->quiet)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	diag_error(loc, width, "%s", msg);
}

/* Reports at loc (when not quiet); the token becomes T_ERROR. */
static void lex_error_at(const struct lexer *lx, struct token *t,
			 struct fw_loc loc, unsigned width, const char *fmt,
			 ...) __attribute__((format(printf, 5, 6)));

static void lex_error_at(const struct lexer *lx, struct token *t,
			 struct fw_loc loc, unsigned width, const char *fmt,
			 ...)
{
	va_list ap;

	va_start(ap, fmt);
	lex_verror(lx, t, loc, width, fmt, ap);
	va_end(ap);
}

/* The same, at the whole token. */
static void lex_error(const struct lexer *lx, struct token *t,
		      const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void lex_error(const struct lexer *lx, struct token *t,
		      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lex_verror(lx, t, t->loc, t->width, fmt, ap);
	va_end(ap);
}

enum lit_status { LIT_OK, LIT_BAD, LIT_TOO_LARGE };

static enum lit_status parse_number(const char *w, struct lit *l)
{
	uint64_t n = 0;

	l->kind = LIT_NUMBER;
	for (; *w; w++) {
		if (n > (UINT64_MAX - (uint64_t)(*w - '0')) / 10)
			return LIT_TOO_LARGE;
		n = n * 10 + (uint64_t)(*w - '0');
	}
	l->num = n;
	return LIT_OK;
}

static enum lit_status parse_lit(const char *w, struct lit *l)
{
	if (all_of(w, "0123456789"))
		return parse_number(w, l);
	memset(l->addr, 0, sizeof(l->addr));
	if (strchr(w, ':')) {
		l->kind = LIT_ADDR6;
		return inet_pton(AF_INET6, w, l->addr) == 1 ? LIT_OK : LIT_BAD;
	}
	l->kind = LIT_ADDR4;
	return inet_pton(AF_INET, w, l->addr) == 1 ? LIT_OK : LIT_BAD;
}

static int lit_cmp(const struct lit *a, const struct lit *b)
{
	if (a->kind == LIT_NUMBER)
		return a->num < b->num ? -1 : a->num > b->num;
	return memcmp(a->addr, b->addr, a->kind == LIT_ADDR4 ? 4 : 16);
}

static const char *const lit_kind_name[] = {
	[LIT_NUMBER] = "a number",
	[LIT_ADDR4] = "an IPv4 address",
	[LIT_ADDR6] = "an IPv6 address",
};

static void lex_range(const struct lexer *lx, struct token *t)
{
	char *dash = strchr(t->text, '-');
	enum lit_status lo, hi;

	if (strchr(dash + 1, '-')) {
		lex_error(lx, t, "invalid range '%s'", t->text);
		return;
	}
	*dash = '\0';
	lo = parse_lit(t->text, &t->lo);
	hi = parse_lit(dash + 1, &t->hi);
	*dash = '-';
	if (lo == LIT_TOO_LARGE || hi == LIT_TOO_LARGE)
		lex_error(lx, t, "number too large in '%s'", t->text);
	else if (lo != LIT_OK || hi != LIT_OK)
		lex_error(lx, t, "invalid range '%s'", t->text);
	else if (t->lo.kind != t->hi.kind)
		lex_error(lx, t, "range '%s' goes from %s to %s", t->text,
			  lit_kind_name[t->lo.kind], lit_kind_name[t->hi.kind]);
	else if (lit_cmp(&t->lo, &t->hi) > 0)
		lex_error(lx, t, "bad range '%s': it ends before it starts",
			  t->text);
	else
		t->kind = T_RANGE;
}

/* eth*: a name prefix, the star last. */
static void lex_wildcard(const struct lexer *lx, struct token *t)
{
	size_t n = strlen(t->text);
	char *star = strchr(t->text, '*');

	if (star != t->text + n - 1 || strchr(t->text, ':'))
		lex_error(lx, t, "invalid wildcard '%s': '*' goes only at the "
			  "end of an interface name", t->text);
	else
		t->kind = T_WILDCARD;
}

static void lex_literal(const struct lexer *lx, struct token *t)
{
	switch (parse_lit(t->text, &t->lo)) {
	case LIT_OK:
		t->kind = t->lo.kind == LIT_NUMBER ? T_NUMBER : T_ADDR;
		return;
	case LIT_TOO_LARGE:
		lex_error(lx, t, "number too large: %s", t->text);
		return;
	case LIT_BAD:
		break;
	}
	if (t->lo.kind == LIT_ADDR6)
		lex_error(lx, t, "invalid IPv6 address '%s'", t->text);
	else if (all_of(t->text, "0123456789."))
		lex_error(lx, t, "invalid IPv4 address '%s'", t->text);
	else
		t->kind = T_WORD;
}

static void classify(const struct lexer *lx, struct token *t)
{
	const char *w = t->text;
	bool colon = strchr(w, ':') != NULL;

	if (strchr(w, '*'))
		lex_wildcard(lx, t);
	else if (is_alpha(w[0]) && !colon)
		t->kind = T_IDENT, t->kw = keyword_lookup(w);
	else if (strchr(w, '-') && (is_digit(w[0]) || colon))
		lex_range(lx, t);
	else if (is_digit(w[0]) || colon)
		lex_literal(lx, t);
	else
		lex_error(lx, t, "invalid value '%s'", w);
}

/* Clears the host bits of t->lo; true when there were any. */
static bool prefix_mask(struct token *t)
{
	unsigned nbytes = t->lo.kind == LIT_ADDR4 ? 4 : 16, i;
	bool host = false;

	t->hi = t->lo;
	for (i = 0; i < nbytes; i++) {
		unsigned keep = t->plen >= 8 * (i + 1) ? 8 :
				t->plen > 8 * i ? t->plen - 8 * i : 0;
		uint8_t mask = (uint8_t)(0xff00u >> keep);

		host |= (t->lo.addr[i] & ~mask) != 0;
		t->lo.addr[i] &= mask;
		t->hi.addr[i] = t->lo.addr[i] | (uint8_t)~mask;
	}
	return host;
}

static void lex_prefix(struct lexer *lx, struct token *t)
{
	unsigned max = t->lo.kind == LIT_ADDR4 ? 32 : 128, plen = 0, width;
	struct fw_loc slash = { lx->file, lx->line, lx->col };
	size_t from = lx->pos;
	bool digits = true;
	char buf[INET6_ADDRSTRLEN];

	for (advance(lx); is_word(peek(lx, 0)); advance(lx)) {
		int c = peek(lx, 0);

		if (!is_digit(c))
			digits = false;
		else if (plen <= max)
			plen = plen * 10 + (unsigned)(c - '0');
	}
	finish(lx, t);
	width = (unsigned)(lx->pos - from);
	if (width == 1 || !digits) {
		lex_error_at(lx, t, slash, width,
			     "expected a prefix length after '/'");
		return;
	}
	if (plen > max) {
		lex_error_at(lx, t, slash, width, "bad prefix length %.*s: an "
			     "%s prefix has 0 to %u bits", (int)width,
			     t->src + from, max == 32 ? "IPv4" : "IPv6", max);
		return;
	}
	t->kind = T_PREFIX;
	t->plen = plen;
	if (prefix_mask(t) && !lx->quiet) {
		inet_ntop(max == 32 ? AF_INET : AF_INET6, t->lo.addr, buf,
			  sizeof(buf));
		diag_warning(t->loc, t->width, "%.*s has host bits set; it "
			     "means %s/%u", (int)t->width, t->src + t->start,
			     buf, plen);
	}
}

/*
 * In a NAT target an IPv4 address (or range) ends at ':', where its port
 * begins: 10.0.0.1:80. IPv6 addresses take brackets there: [2001:db8::1]:80.
 */
static bool word_ends(const struct lexer *lx, const struct token *t,
		      size_t n)
{
	return lx->target && peek(lx, 0) == ':' && n < TOKEN_MAX &&
	       memchr(t->text, '.', n) && !memchr(t->text, ':', n);
}

static void lex_word(struct lexer *lx, struct token *t)
{
	size_t n = 0;

	for (; is_word(peek(lx, 0)) && !word_ends(lx, t, n); advance(lx), n++)
		if (n < TOKEN_MAX)
			t->text[n] = (char)peek(lx, 0);
	t->text[n < TOKEN_MAX ? n : TOKEN_MAX] = '\0';
	finish(lx, t);
	if (n > TOKEN_MAX) {
		lex_error_at(lx, t, t->loc, 1, "value longer than %d "
			     "characters", TOKEN_MAX);
		return;
	}
	classify(lx, t);
	if (t->kind == T_ADDR && peek(lx, 0) == '/')
		lex_prefix(lx, t);
}

/* The first problem in a string is reported once the string has ended, so
 * that the lexer goes on after the closing quote. */
struct string_scan {
	size_t		n;
	struct fw_loc	bad;
	const char	*why;
};

static void string_char(struct lexer *lx, struct token *t,
			struct string_scan *s)
{
	struct fw_loc here = { lx->file, lx->line, lx->col };
	int c = peek(lx, 0);

	advance(lx);
	if (c == '\\') {
		c = peek(lx, 0);
		if (c == '"' || c == '\\') {
			advance(lx);
		} else if (!s->why) {
			s->why = "unknown escape in string "
				 "(only \\\" and \\\\)";
			s->bad = here;
		}
	} else if ((c < 0x20 || c == 0x7f) && !s->why) {
		s->why = "control character in string";
		s->bad = here;
	}
	if (s->n < TOKEN_MAX)
		t->text[s->n] = (char)c;
	s->n++;
}

static void lex_string(struct lexer *lx, struct token *t)
{
	struct string_scan s = { 0 };

	advance(lx);
	while (peek(lx, 0) != '"') {
		if (peek(lx, 0) < 0 || peek(lx, 0) == '\n') {
			finish(lx, t);
			lex_error_at(lx, t, t->loc, 1, "unterminated string");
			return;
		}
		string_char(lx, t, &s);
	}
	advance(lx);
	t->text[s.n < TOKEN_MAX ? s.n : TOKEN_MAX] = '\0';
	finish(lx, t);
	if (s.why)
		lex_error_at(lx, t, s.bad, 1, "%s", s.why);
	else if (s.n > TOKEN_MAX)
		lex_error(lx, t, "string longer than %d bytes", TOKEN_MAX);
	else
		t->kind = T_STRING;
}

/* $name and @name. */
static void lex_sigil(struct lexer *lx, struct token *t, enum tok_kind kind)
{
	int sigil = peek(lx, 0);
	size_t n = 0;

	for (advance(lx); is_name(peek(lx, 0)); advance(lx), n++)
		if (n < TOKEN_MAX)
			t->text[n] = (char)peek(lx, 0);
	t->text[n < TOKEN_MAX ? n : TOKEN_MAX] = '\0';
	finish(lx, t);
	if (n == 0 || !is_alpha(t->text[0]))
		lex_error(lx, t, "expected a name after '%c'", sigil);
	else if (n > TOKEN_MAX)
		lex_error_at(lx, t, t->loc, 1, "name longer than %d "
			     "characters", TOKEN_MAX);
	else
		t->kind = kind;
}

static const enum tok_kind punct[128] = {
	['\n'] = T_END, [';'] = T_END, ['{'] = T_LBRACE, ['}'] = T_RBRACE,
	[','] = T_COMMA, ['='] = T_EQ, ['!'] = T_NOT, ['/'] = T_SLASH,
};

static const enum tok_kind target_punct[128] = {
	['['] = T_LBRACKET, [']'] = T_RBRACKET, [':'] = T_COLON,
};

/* ->, and in a NAT target: [ ] and the ':' right after an address. */
static bool lex_target(struct lexer *lx, struct token *t, int c)
{
	int prev = lx->pos ? (unsigned char)lx->text[lx->pos - 1] : 0;

	if (c == '-' && peek(lx, 1) == '>') {
		advance(lx);
		t->kind = T_ARROW;
		lx->target = true;
	} else if (!lx->target || c >= 128 || target_punct[c] == T_EOF ||
		   (c == ':' && prev != ']' && !is_name(prev))) {
		return false;
	} else {
		t->kind = target_punct[c];
	}
	advance(lx);
	finish(lx, t);
	return true;
}

static void lex_punct(struct lexer *lx, struct token *t, int c)
{
	if (c == '\n' || c == ';')
		lx->target = false;
	if (c < 128 && punct[c] != T_EOF) {
		t->kind = punct[c];
		t->newline = c == '\n';
		if (c == '{')
			lx->depth++;
		else if (c == '}' && lx->depth)
			lx->depth--;
		t->depth = lx->depth;
		advance(lx);
		finish(lx, t);
		return;
	}
	/* A run of non-ASCII bytes (UTF-8, say) is one error, not many. */
	do
		advance(lx);
	while (c >= 128 && peek(lx, 0) >= 128);
	finish(lx, t);
	if (c >= 0x21 && c < 0x7f)
		lex_error_at(lx, t, t->loc, 1, "unexpected character '%c'", c);
	else if (c >= 128)
		lex_error_at(lx, t, t->loc, 1, "unexpected non-ASCII text");
	else
		lex_error_at(lx, t, t->loc, 1, "unexpected byte 0x%02x", c);
}

static size_t continuation(const struct lexer *lx)
{
	if (peek(lx, 0) != '\\')
		return 0;
	if (peek(lx, 1) == '\n')
		return 2;
	return peek(lx, 1) == '\r' && peek(lx, 2) == '\n' ? 3 : 0;
}

/* Blanks, comments, backslash-newline, and newlines inside braces. */
static void skip_blank(struct lexer *lx)
{
	size_t n;

	for (;;) {
		int c = peek(lx, 0);

		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' ||
		    c == '\v' || (c == '\n' && lx->depth)) {
			advance(lx);
		} else if (c == '#') {
			while (peek(lx, 0) >= 0 && peek(lx, 0) != '\n')
				advance(lx);
		} else if ((n = continuation(lx))) {
			while (n--)
				advance(lx);
		} else {
			return;
		}
	}
}

void lexer_next(struct lexer *lx, struct token *t)
{
	int c;

	skip_blank(lx);
	t->kind = T_ERROR;
	t->kw = KW_NONE;
	t->loc = (struct fw_loc){ lx->file, lx->line, lx->col };
	t->src = lx->text;
	t->start = lx->pos;
	t->text[0] = '\0';
	t->plen = 0;
	t->depth = 0;
	t->newline = false;
	c = peek(lx, 0);
	if (c < 0) {
		t->kind = T_EOF;
		t->depth = lx->depth;
		finish(lx, t);
	} else if (c == '"') {
		lex_string(lx, t);
	} else if (c == '$' || c == '@') {
		lex_sigil(lx, t, c == '$' ? T_MACRO : T_SETREF);
	} else if (lex_target(lx, t, c)) {
		return;
	} else if (is_word(c)) {
		lex_word(lx, t);
	} else {
		lex_punct(lx, t, c);
	}
}

const char *token_describe(const struct token *t, char *buf, size_t size)
{
	size_t n = t->end - t->start;

	if (t->kind == T_EOF)
		return "end of file";
	if (t->kind == T_END && t->newline)
		return "end of line";
	if (n > 40)
		snprintf(buf, size, "'%.37s...'", t->src + t->start);
	else
		snprintf(buf, size, "'%.*s'", (int)n, t->src + t->start);
	return buf;
}
