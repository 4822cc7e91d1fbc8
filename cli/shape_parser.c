// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The shape statement:
 *
 *	shape IF rate R [burst B] { class NAME rate R [ceil R] [prio N]
 *		[burst B] [fair] [default] [match MATCHES] ... }
 *	shape IF ingress rate R [burst B]
 *
 * The words of a shape (class, rate, ceil, ...) are looked up here, not
 * reserved by the lexer: a zone called "default" or an interface called
 * "class" stays legal everywhere else. A class's match takes the filter
 * rules' matches and runs to the next class, ';' or '}'.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "parser_internal.h"
#include "shape.h"
#include "tc.h"
#include "xalloc.h"

enum shape_word {
	SW_NONE, SW_BURST, SW_CEIL, SW_CLASS, SW_DEFAULT, SW_FAIR,
	SW_INGRESS, SW_MATCH, SW_PRIO, SW_RATE,
};

static const struct name_entry shape_word_entries[] = {
	{ "burst", SW_BURST }, { "ceil", SW_CEIL }, { "class", SW_CLASS },
	{ "default", SW_DEFAULT }, { "fair", SW_FAIR },
	{ "ingress", SW_INGRESS }, { "match", SW_MATCH }, { "prio", SW_PRIO },
	{ "rate", SW_RATE },
};

static const struct name_table shape_words = {
	shape_word_entries,
	sizeof(shape_word_entries) / sizeof(shape_word_entries[0]),
};

static enum shape_word shape_word(const struct parser *p)
{
	unsigned v;

	if (!at(p, T_IDENT) || !names_lookup(&shape_words, p->tok.text, &v))
		return SW_NONE;
	return (enum shape_word)v;
}

static int parse_rate(struct parser *p, uint64_t *bps, struct fw_loc *loc,
		      unsigned *width)
{
	next(p);
	if (!at(p, T_WORD) && !at(p, T_NUMBER))
		return parse_expected(p, "a rate like 100mbit");
	if (shape_rate_parse(p->tok.text, bps) < 0) {
		diag_error(p->tok.loc, p->tok.width, "bad rate '%s': expected "
			   "a number with a unit bit, kbit, mbit or gbit (k, m "
			   "and g for short), like 100mbit or 1.5gbit",
			   p->tok.text);
		return -1;
	}
	if (loc) {
		*loc = p->tok.loc;
		*width = p->tok.width;
	}
	next(p);
	return 0;
}

/* Bytes: 1600, 15k or 15kb (x1024), 1m or 1mb (x1048576); below 1g. */
static int burst_value(const char *text, uint32_t *bytes)
{
	static const struct { const char *unit; uint64_t mult; } units[] = {
		{ "", 1 }, { "b", 1 }, { "k", 1024 }, { "kb", 1024 },
		{ "m", 1 << 20 }, { "mb", 1 << 20 },
	};
	unsigned long long v;
	char *end;
	size_t i;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (end == text || errno || !v)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) ||
		    v >= (1ull << 30) / units[i].mult)
			continue;
		*bytes = (uint32_t)(v * units[i].mult);
		return 0;
	}
	return -1;
}

static int parse_burst(struct parser *p, uint32_t *bytes)
{
	next(p);
	if (!at(p, T_WORD) && !at(p, T_NUMBER))
		return parse_expected(p, "a burst in bytes like 15k");
	if (burst_value(p->tok.text, bytes) < 0) {
		diag_error(p->tok.loc, p->tok.width, "bad burst '%s': expected "
			   "bytes from 1 to 1g, like 1600, 15k or 1mb",
			   p->tok.text);
		return -1;
	}
	next(p);
	return 0;
}

static int parse_prio(struct parser *p, unsigned *prio)
{
	next(p);
	if (!at(p, T_NUMBER))
		return parse_expected(p, "a prio from 0 to 7");
	if (strlen(p->tok.text) != 1 || p->tok.text[0] > '7') {
		diag_error(p->tok.loc, p->tok.width, "prio must be 0 (first) "
			   "to 7, not %s", p->tok.text);
		return -1;
	}
	*prio = (unsigned)(p->tok.text[0] - '0');
	next(p);
	return 0;
}

/* Where a class ends: the next class, ';', '}' or the end of the file. */
static bool class_end(const struct parser *p)
{
	return at(p, T_RBRACE) || at(p, T_END) || at(p, T_EOF) ||
	       shape_word(p) == SW_CLASS;
}

/* `port P` in a shape: either direction, as the checker spells out. */
static int match_port(struct parser *p, struct ast_shape_class *c)
{
	struct ast_rule *r = c->match;

	if (rule_claim(r, R_DPORT, p->tok.loc, p->tok.width) < 0)
		return -1;
	c->either_port = true;
	next(p);
	if (at(p, T_NOT)) {
		r->op[R_DPORT].neg = true;
		next(p);
	}
	return parse_list(p, &r->op[R_DPORT].list, LIST_SETREF);
}

static int parse_class_match(struct parser *p, struct ast_shape *s,
			     struct ast_shape_class *c)
{
	char text[128];
	int err;

	if (c->match) {
		diag_error(p->tok.loc, p->tok.width, "'match' given twice in "
			   "class '%s'", c->name);
		return -1;
	}
	c->match = ast_rule_new();
	c->match->loc = p->tok.loc;
	c->match->action = ACT_ACCEPT;
	c->match->chain = CHAIN_FORWARD;
	/* What `fwctl show` prints; `fwctl shape show` reads the names. */
	snprintf(text, sizeof(text), "shape %s class %s %x:%zx", s->ifname,
		 c->name, TC_MAJOR, SHAPE_MINOR_BASE + s->n_classes - 1);
	c->match->text = xstrdup(text);
	for (next(p); !class_end(p);) {
		if (at_kw(p, KW_PORT))
			err = match_port(p, c);
		else
			err = parse_rule_match(p, c->match);
		if (err > 0)
			return parse_expected(p, "a match (from, to, src, dst, "
					      "port, sport, dport, proto, iif, "
					      "oif, ct, icmp, icmpv6)");
		if (err < 0)
			return -1;
	}
	if (!c->match->has[R_FROM] && !c->match->has[R_TO] &&
	    !memchr(c->match->has, true, R_OPERANDS)) {
		diag_error(c->match->loc, 5, "'match' needs a match after it");
		return -1;
	}
	return 0;
}

static int class_option(struct parser *p, struct ast_shape *s,
			struct ast_shape_class *c, bool seen[])
{
	enum shape_word w = shape_word(p);

	if (w == SW_NONE || w == SW_CLASS || w == SW_INGRESS)
		return parse_expected(p, "rate, ceil, prio, burst, fair, "
				      "default or match in a class");
	if (seen[w]) {
		diag_error(p->tok.loc, p->tok.width, "'%s' given twice in "
			   "class '%s'", p->tok.text, c->name);
		return -1;
	}
	seen[w] = true;
	switch (w) {
	case SW_RATE:
		return parse_rate(p, &c->rate, &c->rate_loc, &c->rate_width);
	case SW_CEIL:
		return parse_rate(p, &c->ceil, &c->ceil_loc, &c->ceil_width);
	case SW_PRIO:
		return parse_prio(p, &c->prio);
	case SW_BURST:
		return parse_burst(p, &c->burst);
	case SW_MATCH:
		return parse_class_match(p, s, c);
	case SW_DEFAULT:
		c->is_default = true;
		c->default_loc = p->tok.loc;
		break;
	default:
		c->fair = true;
	}
	next(p);
	return 0;
}

static int parse_class(struct parser *p, struct ast_shape *s)
{
	bool seen[SW_RATE + 1] = { false };
	struct ast_shape_class *c;

	next(p);
	if (!at(p, T_IDENT))
		return parse_expected(p, "a class name");
	s->classes = xgrow(s->classes, s->n_classes, sizeof(*s->classes));
	c = &s->classes[s->n_classes++];
	*c = (struct ast_shape_class){ .name = xstrdup(p->tok.text),
				       .loc = p->tok.loc,
				       .width = p->tok.width };
	for (next(p); !class_end(p);)
		if (class_option(p, s, c, seen) < 0)
			return -1;
	if (!seen[SW_RATE]) {
		diag_error(c->loc, c->width, "class '%s' needs a rate",
			   c->name);
		return -1;
	}
	return 0;
}

static int parse_classes(struct parser *p, struct ast_shape *s)
{
	if (s->ingress && at(p, T_LBRACE)) {
		diag_error(p->tok.loc, 1, "ingress shaping takes no classes: "
			   "the kernel here has no classifier that could sort "
			   "what arrives (see fwctl.rules(5), SHAPING)");
		return -1;
	}
	if (s->ingress)
		return 0;
	if (!at(p, T_LBRACE))
		return parse_expected(p, "'{' and the classes of the shape");
	for (next(p); !at(p, T_RBRACE);) {
		if (at(p, T_END)) {
			next(p);
		} else if (shape_word(p) == SW_CLASS) {
			if (parse_class(p, s) < 0)
				return -1;
		} else {
			return parse_expected(p, "'class' or '}'");
		}
	}
	next(p);
	return 0;
}

static int parse_shape_head(struct parser *p, struct ast_shape *s)
{
	next(p);
	if (!at(p, T_IDENT))
		return parse_expected(p, "an interface name after 'shape'");
	if (strlen(p->tok.text) >= IFNAMSIZ) {
		diag_error(p->tok.loc, p->tok.width, "interface name '%s' is "
			   "longer than %d characters", p->tok.text,
			   IFNAMSIZ - 1);
		return -1;
	}
	s->ifname = xstrdup(p->tok.text);
	s->loc = p->tok.loc;
	s->width = p->tok.width;
	next(p);
	if (shape_word(p) == SW_INGRESS) {
		s->ingress = true;
		next(p);
	}
	if (shape_word(p) != SW_RATE)
		return parse_expected(p, "'rate' and the link's rate");
	if (parse_rate(p, &s->rate, &s->rate_loc, &s->rate_width) < 0)
		return -1;
	if (shape_word(p) == SW_BURST)
		return parse_burst(p, &s->burst);
	return 0;
}

int parse_shape(struct parser *p)
{
	struct ast *a = p->ast;
	struct ast_shape *s = xcalloc(1, sizeof(*s));

	a->shapes = xgrow(a->shapes, a->n_shapes, sizeof(*a->shapes));
	a->shapes[a->n_shapes++] = s;
	if (parse_shape_head(p, s) < 0 || parse_classes(p, s) < 0)
		goto fail;
	if (at_end(p))
		return 0;
	parse_expected(p, "the end of the shape statement");
fail:
	a->n_shapes--;
	ast_shape_free(s);
	return -1;
}
