// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The parser: tokens to the syntax tree, in the manner of pfctl's parse.y
 * but by hand. Statements start with a keyword that a table maps to its
 * parser (rules are read in rule_parser.c). Every parse function returns 0,
 * or -1 after reporting an error, and the statement loop then skips to the
 * next statement so that one file shows all its mistakes at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "parser.h"
#include "parser_internal.h"
#include "shape.h"
#include "source.h"
#include "xalloc.h"

static void parse_statements(struct parser *p);

bool parse_at_chain(const struct parser *p, enum chain_id *chain)
{
	static const enum kw chain_kw[CHAIN_COUNT] = {
		[CHAIN_INPUT] = KW_INPUT,
		[CHAIN_FORWARD] = KW_FORWARD,
		[CHAIN_OUTPUT] = KW_OUTPUT,
	};
	unsigned i;

	for (i = 0; i < CHAIN_COUNT; i++) {
		if (at_kw(p, chain_kw[i])) {
			*chain = (enum chain_id)i;
			return true;
		}
	}
	return false;
}

int parse_expected(const struct parser *p, const char *what)
{
	char buf[64];

	if (!at(p, T_ERROR))
		diag_error(p->tok.loc, p->tok.width, "expected %s, found %s",
			   what, token_describe(&p->tok, buf, sizeof(buf)));
	return -1;
}

static int end_statement(const struct parser *p)
{
	return at_end(p) ? 0 : parse_expected(p, "end of line");
}

/* Columns from offset start to the end of the last token, if on one line. */
static unsigned width_since(const struct parser *p, size_t start)
{
	if (p->prev_end <= start ||
	    memchr(p->lx.text + start, '\n', p->prev_end - start))
		return 1;
	return (unsigned)(p->prev_end - start);
}

/*
 * Takes a name for a zone, set or macro. A name that is too long is
 * reported but kept, so that its uses do not cascade into more errors.
 */
static int take_name(struct parser *p, const char *what, char **name,
		     struct fw_loc *loc, unsigned *width)
{
	if (!at(p, T_IDENT)) {
		char buf[64];

		snprintf(buf, sizeof(buf), "a %s name", what);
		return parse_expected(p, buf);
	}
	if (strlen(p->tok.text) > NAME_LEN_MAX)
		diag_error(p->tok.loc, p->tok.width, "%s name '%s' is longer "
			   "than %d characters", what, p->tok.text,
			   NAME_LEN_MAX);
	*name = xstrdup(p->tok.text);
	*loc = p->tok.loc;
	*width = p->tok.width;
	next(p);
	return 0;
}

static const struct {
	bool			ok;
	enum ast_value_kind	kind;
} value_of[] = {
	[T_NUMBER] = { true, AV_NUMBER },
	[T_ADDR] = { true, AV_ADDR },
	[T_PREFIX] = { true, AV_PREFIX },
	[T_RANGE] = { true, AV_RANGE },
	[T_IDENT] = { true, AV_IDENT },
	[T_WILDCARD] = { true, AV_WILDCARD },
	[T_WORD] = { true, AV_WORD },
	[T_STRING] = { true, AV_STRING },
	[T_MACRO] = { true, AV_MACRO },
	[T_SETREF] = { true, AV_SETREF },
	[T_ERROR] = { false, AV_WORD },
};

static bool spelled_by_lexer(enum tok_kind kind)
{
	return kind == T_STRING || kind == T_MACRO || kind == T_SETREF;
}

static int parse_value(struct parser *p, struct ast_list *l, bool setref)
{
	const struct token *t = &p->tok;
	struct ast_value *v;

	if (at(p, T_LBRACE)) {
		diag_error(t->loc, 1, "lists do not nest");
		return -1;
	}
	if (at(p, T_SETREF) && !setref) {
		diag_error(t->loc, t->width,
			   "a set reference cannot be a list element");
		return -1;
	}
	if (!value_of[t->kind].ok)
		return parse_expected(p, "a value");
	if (l->n >= LIST_MAX) {
		diag_error(t->loc, t->width, "list longer than %u elements",
			   LIST_MAX);
		return -1;
	}
	v = ast_list_add(l);
	v->kind = value_of[t->kind].kind;
	v->loc = t->loc;
	v->width = t->width;
	v->text = spelled_by_lexer(t->kind) ? xstrdup(t->text) :
		  xstrndup(t->src + t->start, t->end - t->start);
	v->lo = t->lo;
	v->hi = t->hi;
	v->plen = t->plen;
	next(p);
	return 0;
}

static int parse_braced(struct parser *p, struct ast_list *l,
			unsigned flags)
{
	l->braced = true;
	next(p);
	while (!at(p, T_RBRACE)) {
		if (parse_value(p, l, false) < 0)
			return -1;
		if (at(p, T_COMMA))
			next(p);
		else if (!at(p, T_RBRACE))
			return parse_expected(p, "',' or '}'");
	}
	if (!l->n && !(flags & LIST_EMPTY)) {
		diag_error(l->loc, 1, "empty list");
		return -1;
	}
	next(p);
	return 0;
}

int parse_list(struct parser *p, struct ast_list *l, unsigned flags)
{
	size_t start = p->tok.start;
	int err;

	l->loc = p->tok.loc;
	if (at(p, T_LBRACE)) {
		err = parse_braced(p, l, flags);
	} else {
		err = parse_value(p, l, flags & LIST_SETREF);
		while (!err && (flags & LIST_BARE) && at(p, T_COMMA)) {
			next(p);
			err = parse_value(p, l, false);
		}
	}
	l->width = width_since(p, start);
	return err;
}

static int parse_define(struct parser *p)
{
	struct ast_define *d = ast_add_define(p->ast);

	d->broken = true;
	next(p);
	if (take_name(p, "macro", &d->name, &d->loc, &d->width) < 0)
		return -1;
	if (!at(p, T_EQ))
		return parse_expected(p, "'='");
	next(p);
	if (parse_list(p, &d->value, LIST_SETREF | LIST_EMPTY) < 0)
		return -1;
	d->broken = false;
	return end_statement(p);
}

static int zone_clause(struct parser *p, struct ast_zone *z)
{
	bool ifs = at_kw(p, KW_INTERFACES);
	bool *has = ifs ? &z->has_ifs : &z->has_nets;

	if (*has) {
		diag_error(p->tok.loc, p->tok.width, "'%s' given twice in "
			   "zone '%s'", p->tok.text, z->name);
		return -1;
	}
	*has = true;
	next(p);
	return parse_list(p, ifs ? &z->ifs : &z->nets, LIST_BARE);
}

static int parse_zone(struct parser *p)
{
	struct ast_zone *z;

	next(p);
	if (at(p, T_IDENT) && p->tok.kw != KW_NONE) {
		diag_error(p->tok.loc, p->tok.width, "'%s' is a keyword and "
			   "cannot name a zone", p->tok.text);
		return -1;
	}
	z = ast_add_zone(p->ast);
	z->broken = true;
	if (take_name(p, "zone", &z->name, &z->loc, &z->width) < 0)
		return -1;
	if (!at(p, T_LBRACE))
		return parse_expected(p, "'{'");
	for (next(p); !at(p, T_RBRACE);) {
		if (at(p, T_END)) {
			next(p);
		} else if (at_kw(p, KW_INTERFACES) || at_kw(p, KW_NETWORKS)) {
			if (zone_clause(p, z) < 0)
				return -1;
		} else {
			return parse_expected(p, "'interfaces', 'networks' "
					      "or '}'");
		}
	}
	next(p);
	z->broken = false;
	return end_statement(p);
}

/* 30 (seconds), 30s, 5m, 1h30m, 2d, 500ms. */
static bool duration_value(const char *s, uint64_t *ms)
{
	static const struct name_entry units[] = {
		{ "d", 86400000 }, { "h", 3600000 }, { "m", 60000 },
		{ "ms", 1 }, { "s", 1000 },
	};
	static const struct name_table table = { units, 5 };
	char unit[3];
	uint64_t total = 0, n;
	unsigned scale;

	while (*s) {
		size_t digits = strspn(s, "0123456789");
		size_t letters = strspn(s + digits, "dhms");

		if (!digits || !letters || letters > 2 || digits > 12)
			return false;
		memcpy(unit, s + digits, letters);
		unit[letters] = '\0';
		if (!names_lookup(&table, unit, &scale))
			return false;
		n = strtoull(s, NULL, 10) * scale;
		if (n > UINT64_MAX / 2 - total)
			return false;
		total += n;
		s += digits + letters;
	}
	*ms = total;
	return true;
}

int parse_duration(struct parser *p, uint64_t *ms)
{
	const struct token *t = &p->tok;

	if (at(p, T_NUMBER) && t->lo.num <= UINT64_MAX / 2000) {
		*ms = t->lo.num * 1000;
	} else if (!at(p, T_WORD) || !duration_value(t->text, ms)) {
		if (!at(p, T_WORD) && !at(p, T_NUMBER))
			return parse_expected(p, "a duration such as 30s, "
					      "5m or 1h30m");
		diag_error(t->loc, t->width, "bad duration '%s' (write e.g. "
			   "30s, 5m, 1h30m or 2d)", t->text);
		return -1;
	}
	if (!*ms) {
		diag_error(t->loc, t->width, "a timeout of 0 never expires "
			   "anything; leave timeout out instead");
		return -1;
	}
	next(p);
	return 0;
}

static int set_type(struct parser *p, struct ast_set *s)
{
	unsigned type;

	next(p);
	if (!at(p, T_IDENT) || !names_lookup(&names_set_type, p->tok.text,
					     &type))
		return parse_expected(p, "a set type (ipv4, ipv6, addr, "
				      "port, ifname or domain)");
	s->type = (enum set_type)type;
	next(p);
	return 0;
}

/* type, = { ... } and timeout, each at most once, in any order. */
static int parse_set(struct parser *p)
{
	struct ast_set *s = ast_add_set(p->ast);
	bool seen[3] = { false };
	int part, err;

	s->broken = true;
	next(p);
	if (take_name(p, "set", &s->name, &s->loc, &s->width) < 0)
		return -1;
	while (!at_end(p)) {
		part = at_kw(p, KW_TYPE) ? 0 : at(p, T_EQ) ? 1 :
		       at_kw(p, KW_TIMEOUT) ? 2 : -1;
		if (part < 0)
			return parse_expected(p, "'=', 'type' or 'timeout'");
		if (seen[part]) {
			diag_error(p->tok.loc, p->tok.width, "'%s' given "
				   "twice for set '%s'", part == 1 ? "=" :
				   p->tok.text, s->name);
			return -1;
		}
		seen[part] = true;
		if (part == 0) {
			s->type_loc = p->tok.loc;
			err = set_type(p, s);
		} else if (part == 1) {
			next(p);
			s->has_elems = true;
			err = parse_list(p, &s->elems, LIST_EMPTY);
		} else {
			next(p);
			err = parse_duration(p, &s->timeout_ms);
		}
		if (err < 0)
			return -1;
	}
	s->broken = false;
	return 0;
}

static int parse_policy(struct parser *p)
{
	struct ast_policy *pol;
	enum chain_id chain;
	struct fw_loc loc = p->tok.loc;

	next(p);
	if (!parse_at_chain(p, &chain))
		return parse_expected(p, "input, forward or output");
	next(p);
	if (!at_kw(p, KW_ACCEPT) && !at_kw(p, KW_DROP)) {
		if (!at_kw(p, KW_REJECT))
			return parse_expected(p, "accept or drop");
		diag_error(p->tok.loc, p->tok.width, "a policy is accept or "
			   "drop; add a last rule 'reject %s' to reject",
			   chain_names[chain]);
		return -1;
	}
	pol = ast_add_policy(p->ast);
	pol->chain = chain;
	pol->drop = at_kw(p, KW_DROP);
	pol->loc = loc;
	next(p);
	return end_statement(p);
}

/* stateless [CHAIN]: no built-in connection tracking rules there. */
static int parse_stateless(struct parser *p)
{
	struct ast_policy *pol;
	enum chain_id chain;
	struct fw_loc loc = p->tok.loc;
	bool one;

	next(p);
	one = parse_at_chain(p, &chain);
	if (!one && at(p, T_IDENT))
		return parse_expected(p, "input, forward, output or the end "
				      "of the statement (every chain)");
	for (int c = 0; c < CHAIN_COUNT; c++) {
		if (one && c != (int)chain)
			continue;
		pol = ast_add_policy(p->ast);
		pol->chain = (enum chain_id)c;
		pol->stateless = true;
		pol->loc = loc;
	}
	if (one)
		next(p);
	return end_statement(p);
}

/* The chain of includes back to where the repeated file came in first. */
static void include_cycle(const struct frame *f, const struct source *src,
			  struct fw_loc site, unsigned width)
{
	bool again;

	diag_error(site, width, "include cycle: '%s' is already being read",
		   src->name);
	do {
		again = !(f->dev == src->dev && f->ino == src->ino);
		if (f->parent)
			diag_note(f->site, f->site_width, "'%s' is included "
				  "from here", f->name);
		f = f->parent;
	} while (again && f);
}

static void include_file(struct parser *p, const char *path,
			 struct fw_loc site, unsigned width)
{
	struct parser child = { .ast = p->ast, .state = p->state };
	struct frame frame;
	struct source src;
	const struct frame *f;
	const char *err;

	if (p->frame->depth >= INCLUDE_DEPTH_MAX) {
		diag_error(site, width, "includes nested deeper than %d "
			   "levels", INCLUDE_DEPTH_MAX);
		return;
	}
	err = source_read(path, &src);
	if (err) {
		diag_error(site, width, "cannot read '%s': %s", path, err);
		return;
	}
	for (f = p->frame; f; f = f->parent) {
		if (f->dev == src.dev && f->ino == src.ino) {
			include_cycle(p->frame, &src, site, width);
			return;
		}
	}
	frame = (struct frame){ p->frame, src.name, src.dev, src.ino, site,
				width, p->frame->depth + 1 };
	child.frame = &frame;
	lexer_init(&child.lx, src.name, src.text, src.len);
	parse_statements(&child);
}

static int parse_include(struct parser *p)
{
	struct fw_loc site;
	unsigned width;
	char *path;

	next(p);
	if (!at(p, T_STRING))
		return parse_expected(p, "a file name in double quotes");
	site = p->tok.loc;
	width = p->tok.width;
	path = source_relative(p->lx.file, p->tok.text);
	next(p);
	if (end_statement(p) == 0)
		include_file(p, path, site, width);
	free(path);
	return 0;
}

int parse_unknown_word(const struct parser *p, const char *const *words,
		       size_t n, const char *where)
{
	const char *hint = names_closest(p->tok.text, words, n);

	if (hint)
		diag_error(p->tok.loc, p->tok.width, "unknown keyword '%s' "
			   "(did you mean '%s'?)", p->tok.text, hint);
	else
		diag_error(p->tok.loc, p->tok.width, "unknown keyword '%s' %s",
			   p->tok.text, where);
	return -1;
}

static int unknown_statement(const struct parser *p)
{
	static const char *const words[] = {
		"accept", "ct", "define", "dnat", "drop", "helper", "include",
		"inspect", "masquerade", "notrack", "policy", "redirect", "reject",
		"set", "shape", "snat", "stateless", "zone",
	};
	enum chain_id chain;

	if (parse_at_chain(p, &chain)) {
		diag_error(p->tok.loc, p->tok.width, "missing action: a rule "
			   "starts with accept, drop or reject");
		return -1;
	}
	if (!at(p, T_IDENT))
		return parse_expected(p, "a statement");
	if (p->tok.kw != KW_NONE) {
		diag_error(p->tok.loc, p->tok.width, "'%s' cannot start a "
			   "statement; a rule starts with accept, drop or "
			   "reject", p->tok.text);
		return -1;
	}
	return parse_unknown_word(p, words, sizeof(words) / sizeof(words[0]),
				  "at the start of a statement");
}

typedef int (*statement_fn)(struct parser *p);

static const statement_fn statements[KW_COUNT] = {
	[KW_DEFINE] = parse_define,
	[KW_INCLUDE] = parse_include,
	[KW_ZONE] = parse_zone,
	[KW_SET] = parse_set,
	[KW_POLICY] = parse_policy,
	[KW_STATELESS] = parse_stateless,
	[KW_ACCEPT] = parse_rule,
	[KW_DROP] = parse_rule,
	[KW_REJECT] = parse_rule,
	[KW_MASQUERADE] = parse_rule,
	[KW_SNAT] = parse_rule,
	[KW_DNAT] = parse_rule,
	[KW_REDIRECT] = parse_rule,
	[KW_NOTRACK] = parse_rule,
	[KW_HELPER] = parse_rule,
	[KW_CT] = parse_rule,
	[KW_INSPECT] = parse_inspect,
	[KW_SHAPE] = parse_shape,
};

/*
 * Skips to the end of the statement: a newline or ';' outside braces. The
 * lexer keeps quiet meanwhile: one error per statement is enough.
 */
static void skip_statement(struct parser *p)
{
	p->lx.quiet = true;
	while (!at(p, T_EOF) && !(at(p, T_END) && p->tok.depth == 0))
		next(p);
	p->lx.quiet = false;
}

/* A file that fails this often is probably not a rule file at all. */
static bool too_many_errors(struct parser *p)
{
	if (p->state->gave_up)
		return true;
	if (diag_error_count() - p->state->errors_base < ERRORS_MAX)
		return false;
	diag_error((struct fw_loc){ p->lx.file, 0, 0 }, 0, "too many errors; "
		   "stopping at line %u", p->tok.loc.line);
	p->state->gave_up = true;
	return true;
}

static void parse_statements(struct parser *p)
{
	int err;

	for (next(p); !at(p, T_EOF) && !too_many_errors(p);) {
		if (at(p, T_END)) {
			next(p);
			continue;
		}
		if (at(p, T_IDENT) && statements[p->tok.kw])
			err = statements[p->tok.kw](p);
		else
			err = unknown_statement(p);
		if (err < 0)
			skip_statement(p);
	}
}

static struct ast *parse_source(const struct source *src)
{
	struct frame top = { .name = src->name, .dev = src->dev,
			     .ino = src->ino };
	struct parse_state state = { diag_error_count(), false };
	struct parser p = { .frame = &top, .state = &state };

	p.ast = ast_new(src->name);
	lexer_init(&p.lx, src->name, src->text, src->len);
	parse_statements(&p);
	return p.ast;
}

struct ast *parse_file(const char *path)
{
	struct source src;
	const char *err = source_read(path, &src);

	if (err) {
		diag_error((struct fw_loc){ path, 0, 0 }, 0, "cannot read "
			   "'%s': %s", path, err);
		return NULL;
	}
	return parse_source(&src);
}

struct ast *parse_buffer(const char *name, const char *text, size_t len)
{
	struct source src;

	source_buffer(name, text, len, &src);
	return parse_source(&src);
}

struct ast *parse_shown(const char *name, const char *text, size_t len)
{
	struct source src = { .name = name, .text = text, .len = len };

	return parse_source(&src);
}
