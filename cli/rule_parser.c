// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Rules: ACTION CHAIN, then matches and statements in any order, each at
 * most once. A table maps each keyword to the function that reads its
 * part. A rule joins the tree only when it parsed without an error.
 */
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "fwctl/udata.h"
#include "parser_internal.h"
#include "xalloc.h"

int rule_claim(struct ast_rule *r, enum ast_part part, struct fw_loc loc,
		 unsigned width)
{
	if (r->has[part]) {
		diag_error(loc, width, "%s given twice", ast_part_names[part]);
		diag_note(r->part_loc[part], r->part_width[part],
			  "first given here");
		return -1;
	}
	r->has[part] = true;
	r->part_loc[part] = loc;
	r->part_width[part] = width;
	return 0;
}

static int parse_operand(struct parser *p, struct ast_operand *o,
			 unsigned flags)
{
	if (at(p, T_NOT)) {
		o->neg = true;
		next(p);
	}
	return parse_list(p, &o->list, flags);
}

/* A keyword and its operand: src, dst, sport, dport, proto, iif, oif. */
static int parse_match(struct parser *p, struct ast_rule *r,
		       enum ast_part part)
{
	if (rule_claim(r, part, p->tok.loc, p->tok.width) < 0)
		return -1;
	next(p);
	return parse_operand(p, &r->op[part], LIST_SETREF);
}

/* from X [port P], from port P; and the same for to. */
static int parse_from_to(struct parser *p, struct ast_rule *r,
			 enum ast_part part)
{
	enum ast_part port = part == R_FROM ? R_SPORT : R_DPORT;
	struct fw_loc loc = p->tok.loc;
	unsigned width = p->tok.width;

	next(p);
	if (!at_kw(p, KW_PORT)) {
		if (rule_claim(r, part, loc, width) < 0 ||
		    parse_operand(p, &r->op[part], LIST_SETREF) < 0)
			return -1;
		if (!at_kw(p, KW_PORT))
			return 0;
	}
	if (rule_claim(r, port, p->tok.loc, p->tok.width) < 0)
		return -1;
	next(p);
	return parse_operand(p, &r->op[port], LIST_SETREF);
}

/* ct state S[,S]..., icmp type T[,T]..., icmpv6 type ... */
static int parse_typed(struct parser *p, struct ast_rule *r,
		       enum ast_part part)
{
	enum kw second = part == R_CT ? KW_STATE : KW_TYPE;
	char what[32];

	if (rule_claim(r, part, p->tok.loc, p->tok.width) < 0)
		return -1;
	snprintf(what, sizeof(what), "'%s' after '%.8s'",
		 keyword_name(second), p->tok.text);
	next(p);
	if (!at_kw(p, second))
		return parse_expected(p, what);
	next(p);
	if (part == R_CT && at(p, T_NOT)) {
		diag_error(p->tok.loc, 1, "ct state cannot be negated; list "
			   "the states to match instead");
		return -1;
	}
	return parse_operand(p, &r->op[part], LIST_BARE);
}

static const struct name_table *const reject_codes[] = {
	[IR_REJECT_ICMP] = &names_reject_icmp,
	[IR_REJECT_ICMPV6] = &names_reject_icmpv6,
	[IR_REJECT_ICMPX] = &names_reject_icmpx,
};

/* "(expected a, b or c)" for the few words that fit here. */
static void names_expected(const struct name_table *t, char *buf,
			   size_t size)
{
	size_t i, n = 0;

	n += (size_t)snprintf(buf, size, " (expected ");
	for (i = 0; i < t->n && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s",
				      i == 0 ? "" : i + 1 < t->n ? ", " :
				      " or ", t->entries[i].name);
	if (n < size)
		snprintf(buf + n, size - n, ")");
}

int unknown_name(const struct parser *p, const char *what,
		 const struct name_table *t)
{
	char alternatives[256] = "";
	const char *hint;

	if (!at(p, T_IDENT))
		return parse_expected(p, what);
	hint = names_suggest(t, p->tok.text);
	if (hint)
		snprintf(alternatives, sizeof(alternatives), " (did you mean "
			 "'%s'?)", hint);
	else
		names_expected(t, alternatives, sizeof(alternatives));
	diag_error(p->tok.loc, p->tok.width, "unknown %s '%s'%s", what,
		   p->tok.text, alternatives);
	return -1;
}

/* with tcp-reset | icmp CODE | icmpv6 CODE | icmpx CODE */
static int parse_with(struct parser *p, struct ast_rule *r,
		      enum ast_part part)
{
	unsigned kind, code;

	if (r->action != ACT_REJECT) {
		diag_error(p->tok.loc, p->tok.width, "'with' goes only with "
			   "reject");
		return -1;
	}
	if (rule_claim(r, part, p->tok.loc, p->tok.width) < 0)
		return -1;
	next(p);
	if (!at(p, T_IDENT) ||
	    !names_lookup(&names_reject_kind, p->tok.text, &kind))
		return unknown_name(p, "reject type", &names_reject_kind);
	r->reject = (enum ir_reject_kind)kind;
	r->reject_loc = p->tok.loc;
	next(p);
	if (kind == IR_REJECT_TCP_RESET)
		return 0;
	if (!at(p, T_IDENT) ||
	    !names_lookup(reject_codes[kind], p->tok.text, &code))
		return unknown_name(p, "reject code", reject_codes[kind]);
	r->reject_code = (uint8_t)code;
	next(p);
	return 0;
}

static int parse_burst(struct parser *p, struct ast_rule *r)
{
	next(p);
	if (!at(p, T_NUMBER))
		return parse_expected(p, "a burst in packets");
	if (p->tok.lo.num == 0 || p->tok.lo.num > UINT32_MAX) {
		diag_error(p->tok.loc, p->tok.width, "burst must be 1 to "
			   "4294967295 packets");
		return -1;
	}
	r->limit.burst = (uint32_t)p->tok.lo.num;
	next(p);
	return 0;
}

/* limit RATE/UNIT [burst N] */
static int parse_limit(struct parser *p, struct ast_rule *r,
		       enum ast_part part)
{
	unsigned unit;

	if (rule_claim(r, part, p->tok.loc, p->tok.width) < 0)
		return -1;
	next(p);
	if (at(p, T_IDENT) && !strcmp(p->tok.text, "connections"))
		return parse_conn_limit(p, r);
	if (!at(p, T_NUMBER))
		return parse_expected(p, "a rate such as 10/second or "
				      "connections 10");
	if (p->tok.lo.num == 0) {
		diag_error(p->tok.loc, p->tok.width, "a limit of 0 lets "
			   "nothing through; use drop instead");
		return -1;
	}
	r->limit.rate = p->tok.lo.num;
	next(p);
	if (!at(p, T_SLASH))
		return parse_expected(p, "'/' and a unit (second, minute, "
				      "hour or day)");
	next(p);
	if (!at(p, T_IDENT) ||
	    !names_lookup(&names_rate_unit, p->tok.text, &unit))
		return unknown_name(p, "rate unit", &names_rate_unit);
	r->limit.unit = (enum ir_limit_unit)unit;
	next(p);
	return at_kw(p, KW_BURST) ? parse_burst(p, r) : 0;
}

static int take_string(struct parser *p, char **out, size_t max,
		       const char *what)
{
	if (strlen(p->tok.text) > max) {
		diag_error(p->tok.loc, p->tok.width, "%s longer than %zu "
			   "bytes", what, max);
		return -1;
	}
	*out = xstrdup(p->tok.text);
	next(p);
	return 0;
}

/* log ["prefix"]: the kernel keeps 127 bytes of a prefix. */
static int parse_log(struct parser *p, struct ast_rule *r,
		     enum ast_part part)
{
	if (rule_claim(r, part, p->tok.loc, p->tok.width) < 0)
		return -1;
	next(p);
	if (!at(p, T_STRING))
		return 0;
	return take_string(p, &r->log_prefix, 127, "log prefix");
}

/* comment "text": nft shows at most 128 bytes of a comment. */
static int parse_comment(struct parser *p, struct ast_rule *r,
			 enum ast_part part)
{
	if (rule_claim(r, part, p->tok.loc, p->tok.width) < 0)
		return -1;
	next(p);
	if (!at(p, T_STRING))
		return parse_expected(p, "a comment in double quotes");
	return take_string(p, &r->comment, 128, "comment");
}

static int parse_counter(struct parser *p, struct ast_rule *r,
			 enum ast_part part)
{
	if (rule_claim(r, part, p->tok.loc, p->tok.width) < 0)
		return -1;
	next(p);
	return 0;
}

typedef int (*part_fn)(struct parser *p, struct ast_rule *r,
		       enum ast_part part);

static const struct {
	part_fn		parse;
	enum ast_part	part;
} rule_parts[KW_COUNT] = {
	[KW_FROM] = { parse_from_to, R_FROM },
	[KW_TO] = { parse_from_to, R_TO },
	[KW_SRC] = { parse_match, R_SRC },
	[KW_DST] = { parse_match, R_DST },
	[KW_SPORT] = { parse_match, R_SPORT },
	[KW_DPORT] = { parse_match, R_DPORT },
	[KW_PROTO] = { parse_match, R_PROTO },
	[KW_IIF] = { parse_match, R_IIF },
	[KW_OIF] = { parse_match, R_OIF },
	[KW_CT] = { parse_typed, R_CT },
	[KW_ICMP] = { parse_typed, R_ICMP },
	[KW_ICMPV6] = { parse_typed, R_ICMPV6 },
	[KW_WITH] = { parse_with, R_WITH },
	[KW_LIMIT] = { parse_limit, R_LIMIT },
	[KW_LOG] = { parse_log, R_LOG },
	[KW_COUNTER] = { parse_counter, R_COUNTER },
	[KW_COMMENT] = { parse_comment, R_COMMENT },
};

/* Keywords that belong to another part, and where they go. */
static const char *const misplaced[KW_COUNT] = {
	[KW_PORT] = "'port' goes after 'from' or 'to' (to port 22)",
	[KW_STATE] = "'state' goes after 'ct' (ct state new)",
	[KW_TYPE] = "'type' goes after 'icmp' or 'icmpv6' (icmp type "
		    "echo-request)",
	[KW_BURST] = "'burst' goes after a limit (limit 10/second burst 5)",
	[KW_INPUT] = "a rule has one chain, right after its action",
	[KW_FORWARD] = "a rule has one chain, right after its action",
	[KW_OUTPUT] = "a rule has one chain, right after its action",
};

int parse_rule_part(struct parser *p, struct ast_rule *r)
{
	enum kw kw = at(p, T_IDENT) ? p->tok.kw : KW_NONE;

	if (!rule_parts[kw].parse)
		return 1;
	return rule_parts[kw].parse(p, r, rule_parts[kw].part);
}

int parse_rule_match(struct parser *p, struct ast_rule *r)
{
	enum kw kw = at(p, T_IDENT) ? p->tok.kw : KW_NONE;

	if (rule_parts[kw].parse && rule_parts[kw].part >= R_OPERANDS)
		return 1;
	return parse_rule_part(p, r);
}

int unknown_part(const struct parser *p)
{
	static const char *const words[] = {
		"comment", "counter", "ct", "dport", "dst", "from", "icmp",
		"icmpv6", "iif", "limit", "log", "oif", "proto", "sport",
		"src", "to", "with",
	};

	if (!at(p, T_IDENT))
		return parse_expected(p, "a match or statement");
	if (p->tok.kw != KW_NONE) {
		if (misplaced[p->tok.kw])
			diag_error(p->tok.loc, p->tok.width, "%s",
				   misplaced[p->tok.kw]);
		else
			diag_error(p->tok.loc, p->tok.width, "'%s' cannot go "
				   "in a rule", p->tok.text);
		return -1;
	}
	return parse_unknown_word(p, words, sizeof(words) / sizeof(words[0]),
				  "in a rule");
}

/*
 * Whether [start, end) is a line of its own: only blanks before it on
 * its line, only blanks or a comment after, no line break inside (an
 * apply may then leave the line out, cli/compile_skip.c).
 */
static bool alone(const char *src, size_t len, size_t start, size_t end)
{
	size_t i;

	if (end <= start || memchr(src + start, '\n', end - start))
		return false;
	for (i = start; i > 0 && src[i - 1] != '\n'; i--)
		if (src[i - 1] != ' ' && src[i - 1] != '\t')
			return false;
	for (i = end; i < len && src[i] != '\n' && src[i] != '#'; i++)
		if (src[i] != ' ' && src[i] != '\t' && src[i] != '\r')
			return false;
	return true;
}

/*
 * What rule_text() squeezes: blanks, line continuations (and a NUL, as
 * the strchr() this replaces did). A switch, because the strchr() call
 * per character was an eighth of the time of compiling 10,000 rules.
 */
static bool text_blank(char c)
{
	switch (c) {
	case ' ': case '\t': case '\n': case '\r': case '\f': case '\v':
	case '\\': case '\0':
		return true;
	default:
		return false;
	}
}

/*
 * Whether [start, end) is its own squeezed text: single spaces between
 * plain characters, short enough. Most rules are written so, and copying
 * them whole takes half the instructions of squeezing.
 */
static bool text_plain(const char *src, size_t start, size_t end)
{
	size_t i;

	if (end - start >= FWCTL_UDATA_TEXT_MAX || src[start] == ' ' ||
	    src[end - 1] == ' ')
		return false;
	for (i = start; i < end; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == ' ' ? src[i + 1] == ' ' :
		    c < ' ' || c == '#' || c == '"' || c == '\\')
			return false;
	}
	return true;
}

/*
 * The rule as one line for `fwctl show`: comments and continuations gone,
 * blanks squeezed, cut to fit the userdata (at a UTF-8 character start).
 */
char *rule_text(const char *src, size_t start, size_t end)
{
	char out[FWCTL_UDATA_TEXT_MAX + 4];
	bool quoted = false, blank = false;
	size_t n = 0, i;

	if (end > start && text_plain(src, start, end))
		return xstrndup(src + start, end - start);
	for (i = start; i < end && n < FWCTL_UDATA_TEXT_MAX; i++) {
		char c = src[i];

		if (!quoted && c == '#') {
			while (i + 1 < end && src[i + 1] != '\n')
				i++;
			blank = true;
			continue;
		}
		if (!quoted && text_blank(c)) {
			blank = true;
			continue;
		}
		if (blank && n)
			out[n++] = ' ';
		blank = false;
		if (quoted && c == '\\' && i + 1 < end)
			out[n++] = src[i++];
		else if (c == '"')
			quoted = !quoted;
		out[n++] = src[i];
	}
	if (n >= FWCTL_UDATA_TEXT_MAX) {
		n = FWCTL_UDATA_TEXT_MAX - 1;
		while (n && ((unsigned char)out[n] & 0xc0) == 0x80)
			n--;
	}
	out[n] = '\0';
	return xstrdup(out);
}

static const enum ast_action actions[KW_COUNT] = {
	[KW_ACCEPT] = ACT_ACCEPT,
	[KW_DROP] = ACT_DROP,
	[KW_REJECT] = ACT_REJECT,
	[KW_MASQUERADE] = ACT_MASQUERADE,
	[KW_SNAT] = ACT_SNAT,
	[KW_DNAT] = ACT_DNAT,
	[KW_REDIRECT] = ACT_REDIRECT,
	[KW_NOTRACK] = ACT_NOTRACK,
	[KW_HELPER] = ACT_HELPER,
	[KW_CT] = ACT_CT_TIMEOUT,
};

static int rule_head(struct parser *p, struct ast_rule *r)
{
	enum kw action = p->tok.kw;
	char what[64];

	r->loc = p->tok.loc;
	r->action = actions[action];
	if (r->action >= ACT_FIRST_CT)
		return parse_ct_head(p, r);
	next(p);
	if (at_kw(p, KW_WITH) && parse_with(p, r, R_WITH) < 0)
		return -1;
	if (!parse_at_chain(p, &r->chain)) {
		snprintf(what, sizeof(what), "a chain (input, forward or "
			 "output) after '%s'", keyword_name(action));
		return parse_expected(p, what);
	}
	next(p);
	return 0;
}

int parse_rule(struct parser *p)
{
	struct ast_rule *r = ast_rule_new();
	size_t start = p->tok.start;

	if (rule_head(p, r) < 0)
		goto fail;
	while (!at_end(p)) {
		enum kw kw = at(p, T_IDENT) ? p->tok.kw : KW_NONE;
		int nat = r->action >= ACT_FIRST_CT ? parse_nat_part(p, r) : 1;

		if (nat < 0)
			goto fail;
		if (nat == 0)
			continue;
		if (!rule_parts[kw].parse) {
			if (r->action >= ACT_FIRST_CT && misplaced[kw] &&
			    kw != KW_PORT && kw != KW_STATE && kw != KW_TYPE &&
			    kw != KW_BURST)
				diag_error(p->tok.loc, p->tok.width, "NAT and "
					   "conntrack rules have no chain word: "
					   "each has chains of its own");
			else
				unknown_part(p);
			goto fail;
		}
		if (rule_parts[kw].parse(p, r, rule_parts[kw].part) < 0)
			goto fail;
	}
	r->text = rule_text(p->lx.text, start, p->prev_end);
	r->alone = alone(p->lx.text, p->lx.len, start, p->prev_end);
	ast_add_rule(p->ast, r);
	return 0;
fail:
	ast_rule_free(r);
	return -1;
}
