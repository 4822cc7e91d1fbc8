// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scenario language (fwctl-scenario(5)): a line-oriented file of
 * declarations (router, host, link) and, in file order, expectations and
 * steps. The text is cut into tokens first, then each statement is parsed
 * by the handler its first word selects. Names must be declared before
 * they are used, so every reference is resolved where it is written and an
 * unknown one is reported right there. After an error the parser skips
 * the statement and goes on, so one run reports every mistake.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "scenario.h"

enum tok_kind { TOK_WORD, TOK_STRING, TOK_LBRACE, TOK_RBRACE, TOK_SEMI,
		TOK_NL, TOK_EOF };

struct token {
	enum tok_kind	kind;
	char		*text;		/* TOK_WORD, TOK_STRING */
	struct fw_loc	loc;
	unsigned	width;
};

struct parser {
	struct scenario	*s;
	char		*dir;		/* of the scenario: relative paths */
	struct token	*toks;
	size_t		n_toks, pos;
	unsigned	errors;
	unsigned	together;	/* blocks so far */
};

static int error_loc(struct parser *p, struct fw_loc loc, unsigned width,
		     const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int error_loc(struct parser *p, struct fw_loc loc, unsigned width,
		     const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_error(loc, width, "%s", msg);
	p->errors++;
	return -1;
}

#define error_at(p, t, ...) error_loc((p), (t)->loc, (t)->width, __VA_ARGS__)

static void *xrealloc(void *p, size_t n, size_t size)
{
	p = reallocarray(p, n ? n : 1, size);
	if (!p)
		abort();
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *d = strndup(s, n);

	if (!d)
		abort();
	return d;
}

static bool is_word_char(char c)
{
	return !isspace((unsigned char)c) && !strchr("{};\"#", c);
}

static void lex_push(struct parser *p, enum tok_kind kind, const char *start,
		     size_t len, struct fw_loc loc)
{
	struct token *t;

	p->toks = xrealloc(p->toks, p->n_toks + 1, sizeof(*p->toks));
	t = &p->toks[p->n_toks++];
	t->kind = kind;
	t->text = kind == TOK_WORD || kind == TOK_STRING ?
		  xstrndup(start, len) : NULL;
	t->loc = loc;
	t->width = len ? len : 1;
}

/* A quoted string: no escapes, and it ends on its own line. */
static size_t lex_string(struct parser *p, const char *c, const char *end,
			 struct fw_loc loc)
{
	const char *q = c + 1;

	while (q < end && *q != '"' && *q != '\n')
		q++;
	if (q == end || *q != '"') {
		error_loc(p, loc, q - c, "unterminated string");
		return q - c;
	}
	lex_push(p, TOK_STRING, c + 1, q - c - 1, loc);
	return q + 1 - c;
}

static size_t lex_one(struct parser *p, const char *c, const char *end,
		      struct fw_loc loc)
{
	static const char punct[] = "{};\n";
	static const enum tok_kind punct_kind[] = {
		TOK_LBRACE, TOK_RBRACE, TOK_SEMI, TOK_NL };
	const char *w = c;

	if (*c == '#') {
		while (w < end && *w != '\n')
			w++;
		return w - c;
	}
	if (*c && strchr(punct, *c)) {
		lex_push(p, punct_kind[strchr(punct, *c) - punct], c, 1, loc);
		return 1;
	}
	if (isspace((unsigned char)*c))
		return 1;
	if (*c == '"')
		return lex_string(p, c, end, loc);
	while (w < end && is_word_char(*w))
		w++;
	lex_push(p, TOK_WORD, c, w - c, loc);
	return w - c;
}

static void lex(struct parser *p, const char *text, size_t len)
{
	const char *c = text, *end = text + len;
	struct fw_loc loc = { p->s->file, 1, 1 };
	size_t n, i;

	while (c < end) {
		n = lex_one(p, c, end, loc);
		for (i = 0; i < n; i++, c++) {
			loc.col++;
			if (*c == '\n') {
				loc.line++;
				loc.col = 1;
			}
		}
	}
	lex_push(p, TOK_EOF, "", 0, loc);
}

static struct token *peek(struct parser *p)
{
	return &p->toks[p->pos];
}

static struct token *next(struct parser *p)
{
	struct token *t = &p->toks[p->pos];

	if (t->kind != TOK_EOF)
		p->pos++;
	return t;
}

/* A token for a message: quoted text, or what it is. Not reentrant. */
static const char *tok_desc(const struct token *t)
{
	static const char *const names[] = {
		[TOK_LBRACE] = "'{'", [TOK_RBRACE] = "'}'",
		[TOK_SEMI] = "';'", [TOK_NL] = "end of line",
		[TOK_EOF] = "end of file",
	};
	static char buf[80];

	if (!t->text)
		return names[t->kind];
	snprintf(buf, sizeof(buf), t->kind == TOK_STRING ? "\"%.60s\"" :
		 "'%.60s'", t->text);
	return buf;
}

static bool at_end(const struct parser *p)
{
	enum tok_kind k = p->toks[p->pos].kind;

	return k == TOK_NL || k == TOK_SEMI || k == TOK_RBRACE || k == TOK_EOF;
}

/* The next token as a word; what names the thing for the message. */
static struct token *expect_word(struct parser *p, const char *what)
{
	struct token *t = peek(p);

	if (t->kind != TOK_WORD) {
		error_at(p, t, "expected %s, found %s", what, tok_desc(t));
		return NULL;
	}
	return next(p);
}

static int expect_keyword(struct parser *p, const char *kw)
{
	struct token *t = peek(p);

	if (t->kind == TOK_WORD && !strcmp(t->text, kw)) {
		next(p);
		return 0;
	}
	return error_at(p, t, "expected '%s', found %s", kw, tok_desc(t));
}

static int parse_uint(struct parser *p, const struct token *t, unsigned lo,
		      unsigned hi, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(t->text, &end, 10);
	if (!isdigit((unsigned char)t->text[0]) || *end || errno ||
	    v < lo || v > hi)
		return error_at(p, t, "expected a number from %u to %u, found "
				"'%s'", lo, hi, t->text);
	*out = v;
	return 0;
}

/* "ADDR" or "ADDR/PLEN"; plen_wanted: -1 forbidden, 0 optional, 1 needed. */
static int parse_addr(struct parser *p, const struct token *t,
		      int plen_wanted, struct scn_addr *a)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long plen;

	memset(a, 0, sizeof(*a));
	if (strlen(t->text) >= sizeof(buf))
		return error_at(p, t, "'%s' is not an address", t->text);
	strcpy(buf, t->text);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, a->a) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, a->a) == 1)
		a->family = AF_INET6;
	else
		return error_at(p, t, "'%s' is not an address", t->text);
	a->plen = a->family == AF_INET ? 32 : 128;
	if (!slash && plen_wanted > 0)
		return error_at(p, t, "'%s' needs a prefix length, like "
				"192.0.2.1/24", t->text);
	if (slash && plen_wanted < 0)
		return error_at(p, t, "'%s': an address, not a prefix, is "
				"wanted here", t->text);
	if (!slash)
		return 0;
	plen = strtoul(slash, &end, 10);
	if (!isdigit((unsigned char)*slash) || *end || plen > a->plen)
		return error_at(p, t, "bad prefix length in '%s'", t->text);
	a->plen = plen;
	return 0;
}

static int parse_name(struct parser *p, const struct token *t, char *out)
{
	const char *c = t->text;

	if (!isalpha((unsigned char)*c) || strlen(c) >= SCN_NAME_MAX)
		goto bad;
	for (; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_')
			goto bad;
	strcpy(out, t->text);
	return 0;
bad:
	return error_at(p, t, "bad name '%s': a letter, then letters, digits, "
			"'-' or '_', at most %d", t->text, SCN_NAME_MAX - 1);
}

static struct token *parse_node_ref(struct parser *p, size_t *node)
{
	struct token *t = expect_word(p, "a node name");

	if (!t)
		return NULL;
	*node = scenario_find_node(p->s, t->text);
	if (*node == SCN_NONE) {
		error_at(p, t, "unknown node '%s' (declare it with host or "
			 "router before this line)", t->text);
		return NULL;
	}
	return t;
}

/* A path relative to the scenario file, unless it is absolute. */
static char *resolve_path(const struct parser *p, const char *path)
{
	char *full;

	if (path[0] == '/' || !p->dir)
		return xstrndup(path, strlen(path));
	if (asprintf(&full, "%s/%s", p->dir, path) < 0)
		abort();
	return full;
}

/* Skips to the end of a broken statement, over any block it opened. */
static void skip_statement(struct parser *p)
{
	unsigned depth = 0;
	struct token *t;

	for (t = peek(p); t->kind != TOK_EOF; t = peek(p)) {
		if ((t->kind == TOK_NL || t->kind == TOK_SEMI) && !depth)
			return;
		if (t->kind == TOK_RBRACE && !depth)
			return;
		if (t->kind == TOK_LBRACE)
			depth++;
		if (t->kind == TOK_RBRACE && !--depth) {
			next(p);
			return;
		}
		next(p);
	}
}

static int expect_end(struct parser *p)
{
	if (at_end(p))
		return 0;
	return error_at(p, peek(p), "unexpected %s at the end of the "
			"statement", tok_desc(peek(p)));
}

struct keyword {
	const char	*name;
	int		(*parse)(struct parser *p, void *ctx,
				 const struct token *kw);
};

#define N_KEYWORDS(tab) (sizeof(tab) / sizeof((tab)[0]))

static const struct keyword *keyword_find(const struct keyword *tab,
					  size_t n, const struct token *t)
{
	size_t i;

	for (i = 0; t->kind == TOK_WORD && i < n; i++)
		if (!strcmp(tab[i].name, t->text))
			return &tab[i];
	return NULL;
}

/*
 * { STATEMENT... }: statements end at a newline, ';' or the '}'; a broken
 * one is skipped and the block goes on. -1 only when the block is broken.
 */
static int parse_block(struct parser *p,
		       int (*stmt)(struct parser *p, void *ctx), void *ctx)
{
	struct token *open = peek(p), *t;

	if (open->kind != TOK_LBRACE)
		return error_at(p, open, "expected '{', found %s",
				tok_desc(open));
	next(p);
	for (t = peek(p); t->kind != TOK_RBRACE; t = peek(p)) {
		if (t->kind == TOK_EOF)
			return error_at(p, open, "this '{' is never closed");
		if (t->kind == TOK_NL || t->kind == TOK_SEMI)
			next(p);
		else if (stmt(p, ctx) || expect_end(p))
			skip_statement(p);
	}
	next(p);
	return 0;
}

static int parse_rules(struct parser *p, void *ctx, const struct token *kw)
{
	struct scn_node *n = ctx;
	struct token *t = peek(p);

	if (t->kind != TOK_STRING)
		return error_at(p, t, "expected a quoted file name after "
				"rules, found %s", tok_desc(t));
	next(p);
	if (n->rules)
		return error_at(p, kw, "%s: a node has one rule file; steps "
				"(apply) change it later", n->name);
	n->rules = resolve_path(p, t->text);
	return 0;
}

static int parse_route(struct parser *p, void *ctx, const struct token *kw)
{
	struct scn_node *n = ctx;
	struct scn_route r = { 0 };
	struct token *dst, *via;
	bool dflt;

	dst = expect_word(p, "'default' or a prefix");
	if (!dst)
		return -1;
	dflt = !strcmp(dst->text, "default");
	r.dst_loc = dst->loc;
	if (!dflt && parse_addr(p, dst, 0, &r.dst))
		return -1;
	if (expect_keyword(p, "via"))
		return -1;
	via = expect_word(p, "a gateway address");
	if (!via || parse_addr(p, via, -1, &r.via))
		return -1;
	if (dflt)
		r.dst.family = r.via.family;
	else if (r.dst.family != r.via.family)
		return error_at(p, via, "gateway '%s' is not of the family of "
				"the destination", via->text);
	r.via_loc = via->loc;
	n->routes = xrealloc(n->routes, n->n_routes + 1, sizeof(r));
	n->routes[n->n_routes++] = r;
	return 0;
}

/* daemon: the node runs fwctld from the start (daemon_node.c). */
static int parse_daemon_opt(struct parser *p, void *ctx,
			    const struct token *kw)
{
	struct scn_node *n = ctx;

	if (n->daemon)
		return error_at(p, kw, "%s: daemon is given twice", n->name);
	n->daemon = true;
	return 0;
}

static const struct keyword node_keywords[] = {
	{ "rules",	parse_rules },
	{ "route",	parse_route },
	{ "daemon",	parse_daemon_opt },
};

static int parse_node_stmt(struct parser *p, void *ctx)
{
	const struct keyword *kw;

	kw = keyword_find(node_keywords, N_KEYWORDS(node_keywords), peek(p));
	if (!kw)
		return error_at(p, peek(p), "expected rules, route or daemon, "
				"found %s", tok_desc(peek(p)));
	return kw->parse(p, ctx, next(p));
}

/* What a node name is reserved for, or NULL. */
static const char *reserved_for(const char *name)
{
	static const struct { const char *name, *use; } reserved[] = {
		{ "sw",		"the namespace of the bridges" },
		{ "daemon",	"expect daemon NODE ..." },
	};
	size_t i;

	for (i = 0; i < N_KEYWORDS(reserved); i++)
		if (!strcmp(name, reserved[i].name))
			return reserved[i].use;
	return NULL;
}

static int parse_node(struct parser *p, void *ctx, const struct token *kw)
{
	struct scn_node n = { .router = !strcmp(kw->text, "router") };
	struct scenario *s = p->s;
	struct token *t = expect_word(p, "a node name");

	(void)ctx;
	if (!t || parse_name(p, t, n.name))
		return -1;
	n.loc = t->loc;
	if (reserved_for(n.name))
		return error_at(p, t, "the name '%s' is reserved for %s",
				n.name, reserved_for(n.name));
	if (scenario_find_node(s, n.name) != SCN_NONE)
		return error_at(p, t, "node '%s' is declared twice", n.name);
	if (s->n_nodes == SCN_MAX_NODES)
		return error_at(p, t, "too many nodes (at most %d)",
				SCN_MAX_NODES);
	s->nodes = xrealloc(s->nodes, s->n_nodes + 1, sizeof(n));
	s->nodes[s->n_nodes++] = n;
	/* No node is added inside the block: the pointer stays valid. */
	return parse_block(p, parse_node_stmt, &s->nodes[s->n_nodes - 1]);
}

/* 10mbit, 1.5gbit, 800kbit, 64000bit: bit/s, up to 100gbit. */
static int parse_rate_value(struct parser *p, const struct token *t,
			    const char *text, uint64_t *bps)
{
	static const struct { const char *unit; double mult; } units[] = {
		{ "bit", 1 }, { "kbit", 1e3 }, { "mbit", 1e6 },
		{ "gbit", 1e9 },
	};
	char *unit;
	double v;
	size_t i;

	errno = 0;
	v = strtod(text, &unit);
	for (i = 0; isdigit((unsigned char)*text) && !errno &&
	     i < N_KEYWORDS(units); i++) {
		if (strcmp(unit, units[i].unit))
			continue;
		v *= units[i].mult;
		if (v < 1 || v > 100e9)
			break;
		*bps = (uint64_t)(v + 0.5);
		return 0;
	}
	return error_at(p, t, "expected a rate from 1bit to 100gbit, like "
			"800kbit or 9.5mbit, found '%s'", text);
}

static bool ifname_ok(const char *name)
{
	size_t len = strlen(name);

	return len && len < IFNAMSIZ && !strchr(name, '/') &&
	       !strchr(name, ':') && strcmp(name, ".") && strcmp(name, "..") &&
	       strcmp(name, "lo");
}

/* ADDR... [rate RATE] */
static int parse_member_addrs(struct parser *p, struct scn_member *m)
{
	struct token *t;
	struct scn_addr a;

	while (!at_end(p)) {
		t = expect_word(p, "an address or rate");
		if (t && !strcmp(t->text, "rate") && !m->rate) {
			t = expect_word(p, "a rate");
			if (!t || parse_rate_value(p, t, t->text, &m->rate))
				return -1;
			continue;
		}
		if (!t || parse_addr(p, t, 1, &a))
			return -1;
		m->addrs = xrealloc(m->addrs, m->n_addrs + 1, sizeof(a));
		m->addrs[m->n_addrs++] = a;
	}
	return 0;
}

static int parse_member(struct parser *p, void *ctx)
{
	struct scn_link *l = ctx;
	struct scn_member m = { 0 };
	struct token *node, *ifn;

	node = parse_node_ref(p, &m.node);
	if (!node)
		return -1;
	m.loc = node->loc;
	ifn = expect_word(p, "an interface name");
	if (!ifn)
		return -1;
	if (!ifname_ok(ifn->text))
		return error_at(p, ifn, "bad interface name '%s' (1 to 15 "
				"characters, no '/' or ':', not lo)",
				ifn->text);
	strcpy(m.ifname, ifn->text);
	if (parse_member_addrs(p, &m)) {
		free(m.addrs);
		return -1;
	}
	if (l->n_members == SCN_MAX_MEMBERS) {
		free(m.addrs);
		return error_at(p, node, "too many members (at most %d)",
				SCN_MAX_MEMBERS);
	}
	l->members = xrealloc(l->members, l->n_members + 1, sizeof(m));
	l->members[l->n_members++] = m;
	return 0;
}

static int parse_link(struct parser *p, void *ctx, const struct token *kw)
{
	struct scn_link l = { 0 };
	struct scenario *s = p->s;
	struct token *t = expect_word(p, "a link name");
	unsigned errors;
	size_t i;

	(void)ctx;
	(void)kw;
	if (!t || parse_name(p, t, l.name))
		return -1;
	l.loc = t->loc;
	for (i = 0; i < s->n_links; i++)
		if (!strcmp(s->links[i].name, l.name))
			return error_at(p, t, "link '%s' is declared twice",
					l.name);
	if (s->n_links == SCN_MAX_LINKS)
		return error_at(p, t, "too many links (at most %d)",
				SCN_MAX_LINKS);
	s->links = xrealloc(s->links, s->n_links + 1, sizeof(l));
	s->links[s->n_links++] = l;
	errors = p->errors;
	if (parse_block(p, parse_member, &s->links[s->n_links - 1]))
		return -1;
	/* Members dropped for their own errors are reported already. */
	if (s->links[s->n_links - 1].n_members < 2 && errors == p->errors)
		return error_at(p, t, "link '%s' needs at least two members",
				l.name);
	return 0;
}

/* The words of the statement, joined by one space, for the result line. */
static char *statement_text(const struct parser *p, size_t from, size_t to)
{
	size_t i, len = 1;
	char *text, *c;

	for (i = from; i < to; i++)
		len += strlen(p->toks[i].text) + 3;
	c = text = xrealloc(NULL, len, 1);
	for (i = from; i < to; i++) {
		const struct token *t = &p->toks[i];

		c += sprintf(c, t->kind == TOK_STRING ? "%s\"%s\"" : "%s%s",
			     i > from ? " " : "", t->text);
	}
	*c = '\0';
	return text;
}

static struct scn_item *item_add(struct parser *p, enum scn_item_kind kind,
				 const struct token *kw)
{
	struct scenario *s = p->s;
	struct scn_item *it;

	s->items = xrealloc(s->items, s->n_items + 1, sizeof(*s->items));
	it = &s->items[s->n_items++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->loc = kw->loc;
	return it;
}

static int parse_apply(struct parser *p, void *ctx, const struct token *kw)
{
	struct scn_apply a = { 0 };
	size_t from = p->pos - 1;
	struct scn_item *it;
	struct token *t;

	(void)ctx;
	if (!parse_node_ref(p, &a.node))
		return -1;
	t = peek(p);
	if (t->kind != TOK_STRING)
		return error_at(p, t, "expected a quoted rule file name, found "
				"%s", tok_desc(t));
	next(p);
	t = peek(p);
	if (t->kind == TOK_WORD && !strcmp(t->text, "fails")) {
		next(p);
		a.fails = true;
	}
	if (expect_end(p))
		return -1;
	a.path = resolve_path(p, p->toks[from + 2].text);
	it = item_add(p, SCN_ITEM_APPLY, kw);
	it->apply = a;
	it->text = statement_text(p, from, p->pos);
	return 0;
}

/* flush NODE: fwctl flush must succeed. */
static int parse_flush(struct parser *p, void *ctx, const struct token *kw)
{
	size_t from = p->pos - 1, node;
	struct scn_item *it;

	(void)ctx;
	if (!parse_node_ref(p, &node) || expect_end(p))
		return -1;
	it = item_add(p, SCN_ITEM_FLUSH, kw);
	it->flush = node;
	it->text = statement_text(p, from, p->pos);
	return 0;
}

/* qdisc NODE IFNAME expect KIND */
static int parse_qdisc(struct parser *p, void *ctx, const struct token *kw)
{
	struct scn_qdisc q = { 0 };
	size_t from = p->pos - 1;
	struct scn_item *it;
	struct token *ifname, *kind;

	(void)ctx;
	if (!parse_node_ref(p, &q.node) ||
	    !(ifname = expect_word(p, "an interface name")) ||
	    expect_keyword(p, "expect") ||
	    !(kind = expect_word(p, "a qdisc kind (noqueue, htb, ...)")))
		return -1;
	if (strlen(ifname->text) >= sizeof(q.ifname) ||
	    strlen(kind->text) >= sizeof(q.kind))
		return error_at(p, ifname, "interface name or qdisc kind "
				"longer than 15 characters");
	if (expect_end(p))
		return -1;
	memcpy(q.ifname, ifname->text, strlen(ifname->text));
	memcpy(q.kind, kind->text, strlen(kind->text));
	it = item_add(p, SCN_ITEM_QDISC, kw);
	it->qdisc = q;
	it->text = statement_text(p, from, p->pos);
	return 0;
}

/* An expectation while it is parsed: the tokens that need a second look. */
struct expect_ctx {
	struct scn_expect	e;
	const struct token	*verdict, *family, *source, *served, *send;
	const struct token	*timeout, *passive, *duration, *under_load;
	const struct token	*bytes;
	int			family_opt;
};

static int parse_duration(struct parser *p, const struct token *t,
			  unsigned *ms)
{
	char *unit;
	double v;

	errno = 0;
	v = strtod(t->text, &unit);
	if (!isdigit((unsigned char)t->text[0]) || errno)
		goto bad;
	if (!strcmp(unit, "s"))
		v *= 1000;
	else if (strcmp(unit, "ms"))
		goto bad;
	if (v < 1 || v > 600000)
		goto bad;
	*ms = (unsigned)(v + 0.5);
	return 0;
bad:
	return error_at(p, t, "expected a duration from 1ms to 600s, like "
			"500ms or 2s, found '%s'", t->text);
}

/* RATE or LO..HI; a single rate is a floor. */
static int parse_rate_range(struct parser *p, const struct token *t,
			    uint64_t *lo, uint64_t *hi)
{
	char *dots = strstr(t->text, "..");
	int err;

	if (!dots) {
		*hi = UINT64_MAX;
		return parse_rate_value(p, t, t->text, lo);
	}
	*dots = '\0';
	err = parse_rate_value(p, t, t->text, lo);
	*dots = '.';
	if (err || parse_rate_value(p, t, dots + 2, hi))
		return -1;
	if (*hi < *lo)
		return error_at(p, t, "'%s' is not a range LO..HI", t->text);
	return 0;
}

static int opt_family(struct parser *p, struct expect_ctx *x,
		      const struct token *kw)
{
	int family = !strcmp(kw->text, "ipv6") ? AF_INET6 : AF_INET;

	if (x->family_opt && x->family_opt != family)
		return error_at(p, kw, "ipv4 and ipv6 together");
	x->family_opt = family;
	x->family = kw;
	return 0;
}

static int opt_timeout(struct parser *p, struct expect_ctx *x,
		       const struct token *kw)
{
	struct token *t = expect_word(p, "a duration");

	x->timeout = kw;
	return t ? parse_duration(p, t, &x->e.timeout_ms) : -1;
}

/* source ADDR or source LO-HI (a SNAT pool): the server saw one of them. */
static int opt_source(struct parser *p, struct expect_ctx *x,
		      const struct token *kw)
{
	struct token *t = expect_word(p, "an address or a range LO-HI");
	struct scn_expect *e = &x->e;
	struct token part;
	char *dash;
	int err;

	(void)kw;
	if (!t)
		return -1;
	dash = strchr(t->text, '-');
	if (dash)
		*dash = '\0';
	err = parse_addr(p, t, -1, &e->source);
	if (dash)
		*dash = '-';
	if (err)
		return -1;
	e->source_hi = e->source;
	if (dash) {
		part = *t;
		part.text = dash + 1;
		if (parse_addr(p, &part, -1, &e->source_hi))
			return -1;
	}
	if (e->source_hi.family != e->source.family ||
	    memcmp(e->source.a, e->source_hi.a, sizeof(e->source.a)) > 0)
		return error_at(p, t, "'%s' is not a range LO-HI of one "
				"family", t->text);
	e->has_source = true;
	x->source = t;
	return 0;
}

static int opt_passive(struct parser *p, struct expect_ctx *x,
		       const struct token *kw)
{
	(void)p;
	x->e.passive = true;
	x->passive = kw;
	return 0;
}

/* served-by NODE[:PORT] */
static int opt_served_by(struct parser *p, struct expect_ctx *x,
			 const struct token *kw)
{
	struct token *t = expect_word(p, "NODE or NODE:PORT");
	struct token port;
	char name[SCN_NAME_MAX];
	size_t len;
	unsigned v;

	(void)kw;
	if (!t)
		return -1;
	len = strcspn(t->text, ":");
	snprintf(name, sizeof(name), "%.*s", (int)len, t->text);
	x->e.server = scenario_find_node(p->s, name);
	if (x->e.server == SCN_NONE)
		return error_at(p, t, "unknown node '%.*s'", (int)len, t->text);
	if (t->text[len]) {
		port = *t;
		port.text = t->text + len + 1;
		if (parse_uint(p, &port, 1, 65535, &v))
			return -1;
		x->e.server_port = v;
	}
	x->served = t;
	return 0;
}

/* "N" or "LO..HI" */
static int parse_range(struct parser *p, const struct token *t,
		       unsigned *lo, unsigned *hi)
{
	struct token part = *t;
	char *dots = strstr(t->text, "..");
	int err;

	if (!dots) {
		err = parse_uint(p, t, 0, 100000, lo);
		*hi = *lo;
		return err;
	}
	*dots = '\0';
	err = parse_uint(p, t, 0, 100000, lo);
	*dots = '.';
	part.text = dots + 2;
	if (err || parse_uint(p, &part, *lo, 100000, hi))
		return -1;
	return 0;
}

/* send N in DURATION receive RANGE, or send RATE (a paced UDP load) */
static int opt_send(struct parser *p, struct expect_ctx *x,
		    const struct token *kw)
{
	struct scn_expect *e = &x->e;
	struct token *t;

	t = peek(p);
	if (t->kind == TOK_WORD && strstr(t->text, "bit")) {
		x->send = kw;
		return parse_rate_value(p, t, next(p)->text, &e->offered);
	}
	t = expect_word(p, "a number of probes");
	if (!t || parse_uint(p, t, 1, 1000, &e->count) ||
	    expect_keyword(p, "in"))
		return -1;
	t = expect_word(p, "a duration");
	if (!t || parse_duration(p, t, &e->window_ms) ||
	    expect_keyword(p, "receive"))
		return -1;
	t = expect_word(p, "a number or a range LO..HI");
	if (!t || parse_range(p, t, &e->recv_lo, &e->recv_hi))
		return -1;
	if (e->recv_hi > e->count)
		return error_at(p, t, "cannot receive more than the %u sent",
				e->count);
	x->send = kw;
	return 0;
}

/* for DURATION: how long a measurement lasts */
static int opt_for(struct parser *p, struct expect_ctx *x,
		   const struct token *kw)
{
	struct token *t = expect_word(p, "a duration");

	x->duration = kw;
	return t ? parse_duration(p, t, &x->e.window_ms) : -1;
}

/* under load: a latency probe waits for its together block's load */
static int opt_under(struct parser *p, struct expect_ctx *x,
		     const struct token *kw)
{
	x->under_load = kw;
	x->e.under_load = true;
	return expect_keyword(p, "load");
}

/* bytes N: what the tls server sends back after the ClientHello */
static int opt_bytes(struct parser *p, struct expect_ctx *x,
		     const struct token *kw)
{
	struct token *t = expect_word(p, "a number of bytes");

	x->bytes = kw;
	return t ? parse_uint(p, t, 1, SCN_TLS_BYTES_MAX, &x->e.bytes) : -1;
}

static const struct {
	const char	*name;
	int		(*parse)(struct parser *p, struct expect_ctx *x,
				 const struct token *kw);
} expect_options[] = {
	{ "bytes",	opt_bytes },
	{ "for",	opt_for },
	{ "under",	opt_under },
	{ "ipv4",	opt_family },
	{ "ipv6",	opt_family },
	{ "timeout",	opt_timeout },
	{ "source",	opt_source },
	{ "served-by",	opt_served_by },
	{ "send",	opt_send },
	{ "passive",	opt_passive },
};

static int parse_option(struct parser *p, struct expect_ctx *x)
{
	struct token *t = expect_word(p, "an option");
	size_t i;

	if (!t)
		return -1;
	for (i = 0; i < N_KEYWORDS(expect_options); i++)
		if (!strcmp(expect_options[i].name, t->text))
			return expect_options[i].parse(p, x, t);
	return error_at(p, t, "unknown option '%s' (ipv4, ipv6, timeout, "
			"source, served-by, send, passive, for, under load, "
			"bytes)", t->text);
}

/* A node name, or an address (which has a ':' or starts with a digit). */
static int parse_target(struct parser *p, struct scn_expect *e)
{
	struct token *t = expect_word(p, "a node name or an address");

	if (!t)
		return -1;
	e->dst_loc = t->loc;
	if (isdigit((unsigned char)t->text[0]) || strchr(t->text, ':')) {
		e->dst_literal = true;
		return parse_addr(p, t, -1, &e->dst);
	}
	e->dst_node = scenario_find_node(p->s, t->text);
	if (e->dst_node == SCN_NONE)
		return error_at(p, t, "unknown node '%s'", t->text);
	return 0;
}

static const char *const proto_names[] = {
	[SCN_TCP] = "tcp", [SCN_UDP] = "udp", [SCN_ICMP] = "icmp",
	[SCN_FTP] = "ftp", [SCN_TLS] = "tls", [SCN_HTTP] = "http",
	[SCN_DNS] = "dns",
};

/* The word before the name each inspected protocol sends. */
static const char *const name_words[] = {
	[SCN_TLS] = "sni", [SCN_HTTP] = "host", [SCN_DNS] = "name",
};

/*
 * A name as fwctld compares it: labels of letters, digits, '-' and '_',
 * 1 to 63 long, 253 in all. Upper case stays: matching ignores case.
 */
static int parse_host(struct parser *p, const struct token *t, char *out)
{
	const char *c = t->text;
	size_t label = 0;

	if (strlen(c) > SCN_HOST_MAX - 1)
		goto bad;
	for (; *c; c++) {
		if (*c == '.' && label)
			label = 0;
		else if ((isalnum((unsigned char)*c) || *c == '-' ||
			  *c == '_') && ++label <= 63)
			continue;
		else
			goto bad;
	}
	if (!label)
		goto bad;
	strcpy(out, t->text);
	return 0;
bad:
	return error_at(p, t, "'%s' is not a host name (labels of letters, "
			"digits, '-' and '_', 1 to 63 long, 253 in all)",
			t->text);
}

/* sni NAME, host NAME or name NAME, as the protocol wants. */
static int parse_proto_name(struct parser *p, struct scn_expect *e)
{
	struct token *t;

	if (expect_keyword(p, name_words[e->proto]))
		return -1;
	t = expect_word(p, "a host name");
	if (!t || parse_host(p, t, e->name))
		return -1;
	if (e->proto == SCN_TLS)
		e->bytes = SCN_TLS_BYTES;
	return 0;
}

static int parse_proto(struct parser *p, struct scn_expect *e)
{
	struct token *t = expect_word(p, "a protocol");
	unsigned i, port;

	if (!t)
		return -1;
	for (i = 0; i < N_KEYWORDS(proto_names); i++)
		if (!strcmp(proto_names[i], t->text))
			break;
	if (i == N_KEYWORDS(proto_names))
		return error_at(p, t, "expected tcp, udp, icmp, ftp, tls, http "
				"or dns, found '%s'", t->text);
	e->proto = i;
	t = peek(p);
	if (e->proto == SCN_ICMP) {
		if (t->kind == TOK_WORD && isdigit((unsigned char)*t->text))
			return error_at(p, t, "icmp has no port");
		return 0;
	}
	t = expect_word(p, "a port");
	if (!t || parse_uint(p, t, 1, 65535, &port))
		return -1;
	e->port = port;
	if (e->proto >= SCN_TLS)
		return parse_proto_name(p, e);
	return 0;
}

/* rate RATE or rate LO..HI: the goodput the server must receive */
static int parse_rate(struct parser *p, struct expect_ctx *x)
{
	struct token *t;

	x->verdict = next(p);
	x->e.measure = SCN_MEASURE_RATE;
	t = expect_word(p, "a rate or a range LO..HI");
	return t ? parse_rate_range(p, t, &x->e.rate_lo, &x->e.rate_hi) : -1;
}

/* latency ... below DURATION: the median round trip */
static int parse_below(struct parser *p, struct expect_ctx *x)
{
	struct token *t;

	x->verdict = peek(p);
	if (expect_keyword(p, "below"))
		return -1;
	t = expect_word(p, "a duration");
	return t ? parse_duration(p, t, &x->e.below_ms) : -1;
}

static int parse_verdict(struct parser *p, struct expect_ctx *x)
{
	static const char *const verdicts[] = {
		[SCN_ACCEPT] = "accept", [SCN_REJECT] = "reject",
		[SCN_DROP] = "drop", [SCN_NO_DATA] = "no-data",
	};
	struct token *t = peek(p);
	unsigned i;

	if (x->e.measure == SCN_MEASURE_LATENCY)
		return parse_below(p, x);
	for (i = 0; t->kind == TOK_WORD && i < N_KEYWORDS(verdicts); i++) {
		if (!strcmp(verdicts[i], t->text)) {
			x->e.verdict = i;
			x->verdict = next(p);
			return 0;
		}
	}
	if (t->kind == TOK_WORD && !strcmp(t->text, "send"))
		return 0;	/* a count: the replies are what counts */
	if (t->kind == TOK_WORD && !strcmp(t->text, "rate"))
		return parse_rate(p, x);
	return error_at(p, t, "expected accept, reject, drop, no-data or "
			"rate, found %s", tok_desc(t));
}

/* The family from the target or the options; the server port. */
static int expect_family(struct parser *p, struct expect_ctx *x)
{
	struct scn_expect *e = &x->e;

	if (e->dst_literal && x->family_opt &&
	    x->family_opt != e->dst.family)
		return error_at(p, x->family, "the address is not %s",
				x->family->text);
	e->family = e->dst_literal ? e->dst.family :
		    x->family_opt ? x->family_opt : AF_INET;
	if (x->source && e->source.family != e->family)
		return error_at(p, x->source, "source is not of the family "
				"of the destination");
	if (!e->server_port)
		e->server_port = e->port;
	return 0;
}

/* A rate or a latency: which options fit which. */
static int measure_validate(struct parser *p, struct expect_ctx *x,
			    const struct token *kw)
{
	struct scn_expect *e = &x->e;
	bool rate = e->measure == SCN_MEASURE_RATE;

	if (x->bytes)
		return error_at(p, x->bytes, "bytes is for tls");
	if (e->proto != SCN_UDP && (!rate || e->proto != SCN_TCP))
		return error_at(p, kw, "%s", rate ? "a rate is measured over "
				"tcp or udp" : "latency is measured over udp");
	if (x->source || e->count)
		return error_at(p, x->source ? x->source : x->send, "a "
				"measurement takes ipv4, ipv6, timeout, "
				"served-by, for, send RATE and under load");
	if (rate && e->proto == SCN_UDP && !e->offered)
		return error_at(p, x->verdict, "a udp rate needs send RATE, "
				"the load to offer");
	if (e->offered && (!rate || e->proto == SCN_TCP))
		return error_at(p, x->send, "send RATE is for a udp rate: tcp "
				"sends as fast as it can");
	if (x->under_load && rate)
		return error_at(p, x->under_load, "under load is for latency");
	if (!x->duration)
		e->window_ms = 3000;
	return expect_family(p, x);
}

/* The rules between parts of one expectation that need no topology. */
static int expect_validate(struct parser *p, struct expect_ctx *x,
			   const struct token *kw)
{
	struct scn_expect *e = &x->e;
	bool icmp = e->proto == SCN_ICMP, ftp = e->proto == SCN_FTP;

	if (e->measure)
		return measure_validate(p, x, kw);
	if (x->duration || x->under_load || e->offered)
		return error_at(p, x->duration ? x->duration : x->under_load ?
				x->under_load : x->send, "for, under load and "
				"send RATE are for rate and latency");

	if (!x->verdict && !x->send)
		return error_at(p, kw, "expect without a verdict");
	if (x->send && (e->verdict != SCN_ACCEPT || ftp))
		return error_at(p, x->verdict ? x->verdict : x->send,
				"a count (send ...) counts replies: write "
				"accept or no verdict, and not with ftp");
	if (x->source && (e->proto > SCN_UDP || e->verdict != SCN_ACCEPT))
		return error_at(p, x->source, "source is what a TCP or UDP "
				"server saw: it needs tcp or udp and accept");
	if (x->bytes && e->proto != SCN_TLS)
		return error_at(p, x->bytes, "bytes is for tls");
	if (x->served && icmp)
		return error_at(p, x->served, "icmp is answered by the "
				"kernel: no server to place");
	if (!ftp && (x->passive || e->verdict == SCN_NO_DATA))
		return error_at(p, x->passive ? x->passive : x->verdict,
				"%s is for ftp only", x->passive ?
				"passive" : "no-data");
	/* A whole FTP session takes a few round trips per step. */
	if (ftp && !x->timeout)
		e->timeout_ms = 3000;
	return expect_family(p, x);
}

/* The stream item named t, or SCN_NONE. */
static size_t stream_find(const struct parser *p, const struct token *t)
{
	const struct scenario *s = p->s;
	size_t i;

	for (i = 0; t->kind == TOK_WORD && i < s->n_items; i++)
		if (s->items[i].kind == SCN_ITEM_STREAM &&
		    !strcmp(s->items[i].stream.name, t->text))
			return i;
	return SCN_NONE;
}

/* expect STREAM flowing */
static int parse_flowing(struct parser *p, const struct token *kw,
			 size_t stream)
{
	size_t from = p->pos;
	struct scn_item *it;

	next(p);
	if (expect_keyword(p, "flowing") || expect_end(p))
		return -1;
	it = item_add(p, SCN_ITEM_FLOWING, kw);
	it->flowing = stream;
	it->text = statement_text(p, from, p->pos);
	return 0;
}

/* The index of t's word in words[0..n), or n. */
static unsigned word_index(const char *const *words, unsigned n,
			   const struct token *t)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (!strcmp(t->text, words[i]))
			break;
	return i;
}

/* The node after daemon: one declared with daemon in its block. */
static struct token *parse_daemon_node(struct parser *p, size_t *node)
{
	struct token *t = parse_node_ref(p, node);

	if (t && !p->s->nodes[*node].daemon) {
		error_at(p, t, "%s runs no daemon (write daemon in its block)",
			 t->text);
		return NULL;
	}
	return t;
}

/* expect daemon NODE queued|flows|denied LO..HI, or ... below N */
static int parse_daemon_check(struct parser *p, const struct token *kw)
{
	static const char *const counters[] = {
		[SCN_COUNT_QUEUED] = "queued", [SCN_COUNT_FLOWS] = "flows",
		[SCN_COUNT_DENIED] = "denied",
	};
	struct scn_daemon_check c = { 0 };
	size_t from = p->pos - 1;
	struct scn_item *it;
	struct token *t;

	next(p);
	if (!parse_daemon_node(p, &c.node))
		return -1;
	t = expect_word(p, "queued, flows or denied");
	if (!t)
		return -1;
	c.counter = word_index(counters, N_KEYWORDS(counters), t);
	if (c.counter == N_KEYWORDS(counters))
		return error_at(p, t, "expected queued, flows or denied, "
				"found '%s'", t->text);
	t = expect_word(p, "below N, N or LO..HI");
	if (t && !strcmp(t->text, "below")) {
		t = expect_word(p, "a number");
		if (!t || parse_uint(p, t, 1, 100000, &c.hi))
			return -1;
		c.hi--;
	} else if (!t || parse_range(p, t, &c.lo, &c.hi)) {
		return -1;
	}
	if (expect_end(p))
		return -1;
	it = item_add(p, SCN_ITEM_DAEMON_CHECK, kw);
	it->daemon_check = c;
	it->text = statement_text(p, from, p->pos);
	return 0;
}

static int parse_expect(struct parser *p, void *ctx, const struct token *kw)
{
	struct expect_ctx x = { .e = { .timeout_ms = 1000,
				       .dst_node = SCN_NONE,
				       .server = SCN_NONE } };
	size_t from = p->pos, stream = stream_find(p, peek(p));
	struct scn_item *it;

	(void)ctx;
	if (stream != SCN_NONE)
		return parse_flowing(p, kw, stream);
	if (peek(p)->kind == TOK_WORD && !strcmp(peek(p)->text, "daemon"))
		return parse_daemon_check(p, kw);
	x.e.src_loc = peek(p)->loc;
	if (!parse_node_ref(p, &x.e.src) || expect_keyword(p, "->") ||
	    parse_target(p, &x.e))
		return -1;
	if (peek(p)->kind == TOK_WORD && !strcmp(peek(p)->text, "latency")) {
		next(p);
		x.e.measure = SCN_MEASURE_LATENCY;
	}
	if (parse_proto(p, &x.e) || parse_verdict(p, &x))
		return -1;
	while (!at_end(p))
		if (parse_option(p, &x))
			return -1;
	if (expect_validate(p, &x, kw))
		return -1;
	it = item_add(p, SCN_ITEM_EXPECT, kw);
	it->expect = x.e;
	it->text = statement_text(p, from, p->pos);
	return 0;
}


/*
 * stream NAME SOURCE -> TARGET tcp PORT | http PORT host NAME |
 *	tls PORT sni NAME [ipv4|ipv6] [served-by N[:P]]
 */
static int parse_stream(struct parser *p, void *ctx, const struct token *kw)
{
	struct expect_ctx x = { .e = { .dst_node = SCN_NONE,
				       .server = SCN_NONE } };
	size_t from = p->pos - 1;
	struct token *name = expect_word(p, "a stream name"), *proto;
	struct scn_item *it;
	char buf[SCN_NAME_MAX];

	(void)ctx;
	if (!name || parse_name(p, name, buf))
		return -1;
	if (stream_find(p, name) != SCN_NONE ||
	    scenario_find_node(p->s, buf) != SCN_NONE)
		return error_at(p, name, "'%s' names a node or a stream "
				"already", buf);
	x.e.src_loc = peek(p)->loc;
	if (!parse_node_ref(p, &x.e.src) || expect_keyword(p, "->") ||
	    parse_target(p, &x.e))
		return -1;
	proto = peek(p);
	if (parse_proto(p, &x.e))
		return -1;
	if (x.e.proto != SCN_TCP && x.e.proto != SCN_TLS &&
	    x.e.proto != SCN_HTTP)
		return error_at(p, proto, "a stream is tcp, http or tls");
	while (!at_end(p))
		if (parse_option(p, &x))
			return -1;
	if (x.timeout || x.source || x.send || x.passive || x.duration ||
	    x.under_load || x.bytes)
		return error_at(p, kw, "a stream takes only ipv4, ipv6 and "
				"served-by");
	if (expect_family(p, &x))
		return -1;
	it = item_add(p, SCN_ITEM_STREAM, kw);
	strcpy(it->stream.name, buf);
	it->stream.e = x.e;
	it->text = statement_text(p, from, p->pos);
	return 0;
}

/* The words after conntrack NODE, up to expect or the end. */
static void conntrack_words(struct parser *p, struct scn_conntrack *c)
{
	struct token *t;

	for (t = peek(p); t->kind == TOK_WORD && strcmp(t->text, "expect");
	     t = peek(p)) {
		c->argv = xrealloc(c->argv, c->argc + 2, sizeof(*c->argv));
		c->argv[c->argc++] = xstrndup(t->text, strlen(t->text));
		c->argv[c->argc] = NULL;
		next(p);
	}
}

static void conntrack_free(struct scn_conntrack *c)
{
	size_t i;

	for (i = 0; i < c->argc; i++)
		free(c->argv[i]);
	free(c->argv);
}

/* conntrack NODE list|count|delete|flush [FILTER...] [expect RANGE] */
static int parse_conntrack(struct parser *p, void *ctx,
			   const struct token *kw)
{
	static const char *const counting[] = { "list", "count" };
	static const char *const acting[] = { "delete", "flush" };
	struct scn_conntrack c = { 0 };
	size_t from = p->pos - 1, i;
	struct token *cmd, *t;
	bool counts = false, known = false;
	unsigned errors = p->errors;
	struct scn_item *it;


	(void)ctx;
	if (!parse_node_ref(p, &c.node))
		return -1;
	cmd = peek(p);
	for (i = 0; cmd->kind == TOK_WORD && i < 2; i++) {
		counts |= !strcmp(cmd->text, counting[i]);
		known |= counts || !strcmp(cmd->text, acting[i]);
	}
	if (!known)
		return error_at(p, cmd, "expected list, count, delete or "
				"flush, found %s", tok_desc(cmd));
	conntrack_words(p, &c);
	t = peek(p);
	if (at_end(p) && counts)
		error_at(p, t, "list and count need expect N or LO..HI");
	else if (!at_end(p) && !counts)
		error_at(p, t, "delete and flush expect nothing: they must "
			 "succeed");
	else if (!at_end(p) && !expect_keyword(p, "expect") &&
		 (t = expect_word(p, "a number or a range LO..HI")))
		c.has_expect = !parse_range(p, t, &c.lo, &c.hi);
	if (p->errors != errors || counts != c.has_expect || expect_end(p)) {
		conntrack_free(&c);
		return -1;
	}
	it = item_add(p, SCN_ITEM_CONNTRACK, kw);
	it->conntrack = c;
	it->text = statement_text(p, from, p->pos);
	return 0;
}

/* daemon NODE start|kill|stop|continue|restart */
static int parse_daemon_step(struct parser *p, void *ctx,
			     const struct token *kw)
{
	static const char *const actions[] = {
		[SCN_DAEMON_START] = "start", [SCN_DAEMON_KILL] = "kill",
		[SCN_DAEMON_STOP] = "stop", [SCN_DAEMON_CONTINUE] = "continue",
		[SCN_DAEMON_RESTART] = "restart",
	};
	struct scn_daemon_step d = { 0 };
	size_t from = p->pos - 1;
	struct scn_item *it;
	struct token *t;

	(void)ctx;
	if (!parse_daemon_node(p, &d.node))
		return -1;
	t = expect_word(p, "start, kill, stop, continue or restart");
	if (!t)
		return -1;
	d.action = word_index(actions, N_KEYWORDS(actions), t);
	if (d.action == N_KEYWORDS(actions))
		return error_at(p, t, "expected start, kill, stop, continue or "
				"restart, found '%s'", t->text);
	if (expect_end(p))
		return -1;
	it = item_add(p, SCN_ITEM_DAEMON, kw);
	it->daemon = d;
	it->text = statement_text(p, from, p->pos);
	return 0;
}

/* One expect of a together block: a rate or a latency. */
static int parse_together_stmt(struct parser *p, void *ctx)
{
	const unsigned *group = ctx;
	struct token *kw = peek(p);
	struct scn_item *it;

	if (kw->kind != TOK_WORD || strcmp(kw->text, "expect"))
		return error_at(p, kw, "expected expect, found %s",
				tok_desc(kw));
	if (parse_expect(p, NULL, next(p)))
		return -1;
	it = &p->s->items[p->s->n_items - 1];
	if (it->kind != SCN_ITEM_EXPECT || !it->expect.measure)
		return error_at(p, kw, "together runs rate and latency "
				"expectations, and only those");
	it->together = *group;
	return 0;
}

/* together { expect...; expect... }: measured at the same time */
static int parse_together(struct parser *p, void *ctx,
			  const struct token *kw)
{
	unsigned group = ++p->together;
	size_t n = p->s->n_items;

	(void)ctx;
	if (parse_block(p, parse_together_stmt, &group))
		return -1;
	if (p->s->n_items == n)
		return error_at(p, kw, "an empty %s block", kw->text);
	return 0;
}

static const struct keyword top_keywords[] = {
	{ "together",	parse_together },
	{ "parallel",	parse_together },
	{ "router",	parse_node },
	{ "host",	parse_node },
	{ "link",	parse_link },
	{ "expect",	parse_expect },
	{ "apply",	parse_apply },
	{ "stream",	parse_stream },
	{ "conntrack",	parse_conntrack },
	{ "daemon",	parse_daemon_step },
	{ "flush",	parse_flush },
	{ "qdisc",	parse_qdisc },
};

static void parse_file(struct parser *p)
{
	const struct keyword *kw;
	struct token *t;

	for (t = peek(p); t->kind != TOK_EOF; t = peek(p)) {
		if (t->kind == TOK_NL || t->kind == TOK_SEMI) {
			next(p);
			continue;
		}
		kw = keyword_find(top_keywords, N_KEYWORDS(top_keywords), t);
		if (!kw) {
			error_at(p, t, "expected router, host, link, expect, "
				 "together, apply, stream, conntrack, daemon, "
				 "flush or qdisc, found %s", tok_desc(t));
			skip_statement(p);
		} else if (kw->parse(p, NULL, next(p)) || expect_end(p)) {
			skip_statement(p);
		}
		if (t == peek(p))
			next(p);
	}
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return NULL;
	return xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
}

struct scenario *scenario_parse_buffer(const char *name, const char *text,
				       size_t len)
{
	struct parser p = { 0 };
	size_t i;

	p.s = calloc(1, sizeof(*p.s));
	if (!p.s)
		abort();
	p.s->path = name;
	p.s->file = diag_add_source(name, text, len);
	p.dir = dir_of(name);
	lex(&p, text, len);
	parse_file(&p);
	/* The checks assume complete declarations: only on a clean parse. */
	if (!p.errors)
		p.errors += scenario_check(p.s);
	for (i = 0; i < p.n_toks; i++)
		free(p.toks[i].text);
	free(p.toks);
	free(p.dir);
	if (p.errors) {
		scenario_free(p.s);
		return NULL;
	}
	return p.s;
}

static char *read_file(FILE *f, size_t *len)
{
	size_t size = 4096, n;
	char *text = xrealloc(NULL, size, 1);

	*len = 0;
	while ((n = fread(text + *len, 1, size - *len, f)) > 0) {
		*len += n;
		if (*len == size)
			text = xrealloc(text, size *= 2, 1);
	}
	if (ferror(f)) {
		free(text);
		return NULL;
	}
	return text;
}

struct scenario *scenario_parse_file(const char *path)
{
	struct scenario *s = NULL;
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len;

	if (f)
		text = read_file(f, &len);
	if (text)
		s = scenario_parse_buffer(path, text, len);
	else
		diag_error((struct fw_loc){ path, 0, 0 }, 0, "%s",
			   strerror(errno));
	if (f)
		fclose(f);
	free(text);
	return s;
}

void scenario_free(struct scenario *s)
{
	size_t i, j;

	if (!s)
		return;
	for (i = 0; i < s->n_nodes; i++) {
		free(s->nodes[i].rules);
		free(s->nodes[i].rundir);
		free(s->nodes[i].routes);
	}
	for (i = 0; i < s->n_links; i++) {
		for (j = 0; j < s->links[i].n_members; j++)
			free(s->links[i].members[j].addrs);
		free(s->links[i].members);
	}
	for (i = 0; i < s->n_items; i++) {
		if (s->items[i].kind == SCN_ITEM_APPLY)
			free(s->items[i].apply.path);
		if (s->items[i].kind == SCN_ITEM_CONNTRACK)
			conntrack_free(&s->items[i].conntrack);
		free(s->items[i].text);
	}
	free(s->nodes);
	free(s->links);
	free(s->items);
	free(s);
}
