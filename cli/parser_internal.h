/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_PARSER_INTERNAL_H
#define FWCTL_PARSER_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "ast.h"
#include "lexer.h"
#include "names.h"

/*
 * What the two halves of the parser share: parser.c reads statements,
 * lists and includes, rule_parser.c reads rules.
 */

/* A file being read, and where it was included from. */
struct frame {
	const struct frame	*parent;
	const char		*name;
	dev_t			dev;
	ino_t			ino;
	struct fw_loc		site;	/* the include's file name */
	unsigned		site_width;
	unsigned		depth;
};

/* Shared by the parsers of a file and its includes. */
struct parse_state {
	unsigned		errors_base;	/* diag_error_count() before */
	bool			gave_up;
};

struct parser {
	struct lexer		lx;
	struct token		tok;
	size_t			prev_end;	/* end of the last token */
	struct ast		*ast;
	const struct frame	*frame;
	struct parse_state	*state;
};

static inline void next(struct parser *p)
{
	p->prev_end = p->tok.end;
	lexer_next(&p->lx, &p->tok);
}

static inline bool at(const struct parser *p, enum tok_kind kind)
{
	return p->tok.kind == kind;
}

static inline bool at_kw(const struct parser *p, enum kw kw)
{
	return p->tok.kind == T_IDENT && p->tok.kw == kw;
}

static inline bool at_end(const struct parser *p)
{
	return at(p, T_END) || at(p, T_EOF);
}

enum list_flags {
	LIST_BARE = 1,		/* a, b, c without braces */
	LIST_SETREF = 2,	/* @set as the whole list */
	LIST_EMPTY = 4,		/* { } */
};

/* A value, a { list }, or (LIST_BARE) values separated by commas. */
int parse_list(struct parser *p, struct ast_list *l, unsigned flags);
bool parse_at_chain(const struct parser *p, enum chain_id *chain);
/* "expected WHAT, found X"; quiet when the lexer has already spoken. */
int parse_expected(const struct parser *p, const char *what);
/* "unknown keyword 'X' (did you mean 'Y'?)", or "... WHERE" without a hint. */
int parse_unknown_word(const struct parser *p, const char *const *words,
		       size_t n, const char *where);
int parse_rule(struct parser *p);
/* One match or statement of a filter rule: 1 when p is at none (nothing
 * read or reported), 0 when read, -1 after an error. */
int parse_rule_part(struct parser *p, struct ast_rule *r);
/* Reports the word at p that is not a part of a rule. */
int unknown_part(const struct parser *p);
/* The source text [start, end) as one line, for `fwctl show`. */
char *rule_text(const char *src, size_t start, size_t end);
/* inspect_parser.c */
int parse_inspect(struct parser *p);
/*
 * One match of a rule (from, to, src, ..., icmpv6 type) into r, for
 * statements that classify with the filter rules' matches: 1 when the
 * token starts no match (p untouched), 0 when read, -1 on an error.
 */
int parse_rule_match(struct parser *p, struct ast_rule *r);
/* 30, 30s, 5m, 1h30m: a positive duration in milliseconds. */
int parse_duration(struct parser *p, uint64_t *ms);
/* Marks a part of the rule as given; twice is an error. */
int rule_claim(struct ast_rule *r, enum ast_part part, struct fw_loc loc,
	       unsigned width);
int unknown_name(const struct parser *p, const char *what,
		 const struct name_table *t);

/* nat_parser.c: the heads and parts of NAT and conntrack rules. */
int parse_ct_head(struct parser *p, struct ast_rule *r);
/* 1: not a NAT part (p untouched), 0: read, -1: error. */
int parse_nat_part(struct parser *p, struct ast_rule *r);
/* limit connections N [per src], after 'limit'. */
int parse_conn_limit(struct parser *p, struct ast_rule *r);

#endif
