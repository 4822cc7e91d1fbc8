/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_LEXER_H
#define FWCTL_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loc.h"

/*
 * The lexer turns rule-file text into tokens. It knows the shapes of values
 * (numbers, addresses, prefixes, ranges, names, strings) but not what they
 * mean; the checker decides that. Malformed values (10.0.0.300, /33) are
 * reported here, once, and come out as T_ERROR so that the parser stays
 * quiet about them.
 */

#define TOKEN_MAX	256	/* bytes of one word or string */

enum tok_kind {
	T_EOF,
	T_END,		/* newline outside braces, or ';' */
	T_LBRACE,
	T_RBRACE,
	T_COMMA,
	T_EQ,
	T_NOT,
	T_SLASH,
	T_IDENT,	/* [A-Za-z_][A-Za-z0-9_.-]*, maybe a keyword */
	T_WILDCARD,	/* an identifier ending in '*': eth* */
	T_NUMBER,
	T_ADDR,		/* IPv4 or IPv6 address */
	T_PREFIX,	/* address/len, host bits cleared */
	T_RANGE,	/* number-number or address-address */
	T_WORD,		/* starts with a digit, no other shape: 1h30m */
	T_STRING,	/* "...", text holds the unescaped contents */
	T_MACRO,	/* $name, text holds name */
	T_SETREF,	/* @name, text holds name */
	T_ARROW,	/* ->, before a NAT target */
	T_LBRACKET,	/* [ and ] around an IPv6 NAT target */
	T_RBRACKET,
	T_COLON,	/* between a NAT target address and its port */
	T_ERROR,	/* already reported */
};

enum kw {
	KW_NONE,
	KW_ACCEPT, KW_BURST, KW_COMMENT, KW_COUNTER, KW_CT, KW_DEFINE,
	KW_DPORT, KW_DROP, KW_DST, KW_FORWARD, KW_FROM, KW_ICMP, KW_ICMPV6,
	KW_IIF, KW_INCLUDE, KW_INPUT, KW_INSPECT, KW_INTERFACES, KW_LIMIT, KW_LOG,
	KW_NETWORKS, KW_OIF, KW_OUTPUT, KW_POLICY, KW_PORT, KW_PROTO,
	KW_REJECT, KW_SET, KW_SPORT, KW_SRC, KW_STATE, KW_TIMEOUT, KW_TO,
	KW_TYPE, KW_WITH, KW_ZONE, KW_SHAPE, KW_STATELESS,
	KW_MASQUERADE, KW_SNAT, KW_DNAT, KW_REDIRECT, KW_NOTRACK, KW_HELPER,
	KW_COUNT
};

enum lit_kind { LIT_NUMBER, LIT_ADDR4, LIT_ADDR6 };

/* A number, or an address in network byte order. */
struct lit {
	enum lit_kind	kind;
	uint64_t	num;
	uint8_t		addr[16];
};

struct token {
	enum tok_kind	kind;
	enum kw		kw;		/* T_IDENT: which keyword, if any */
	struct fw_loc	loc;
	unsigned	width;		/* columns, for the caret */
	unsigned	depth;		/* T_END: brace depth it was seen at */
	bool		newline;	/* T_END: a newline, not ';' */
	const char	*src;		/* the text start and end index */
	size_t		start, end;
	char		text[TOKEN_MAX + 1];
	struct lit	lo, hi;		/* values; hi only for T_RANGE */
	unsigned	plen;		/* T_PREFIX */
};

struct lexer {
	const char	*file;		/* registered name, for locations */
	const char	*text;
	size_t		len, pos;
	unsigned	line, col;
	unsigned	depth;		/* open braces */
	bool		quiet;		/* skipping: T_ERROR, no message */
	bool		target;		/* after ->: ':' separates a port */
};

void lexer_init(struct lexer *lx, const char *file, const char *text,
		size_t len);
void lexer_next(struct lexer *lx, struct token *t);

enum kw keyword_lookup(const char *word);
const char *keyword_name(enum kw kw);
bool keywords_sorted(void);

/* How a token reads in a message: "'accept'", "end of line", ... */
const char *token_describe(const struct token *t, char *buf, size_t size);

#endif
