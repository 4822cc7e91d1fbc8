// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * inspect CHAIN MATCHES CLAUSE[, CLAUSE...] [default accept|drop]
 * [fail-open|fail-closed] [queues N[-M]] [budget N] [queue-length N]
 *
 * The matches are those of filter rules and are read by rule_parser.c; the
 * words of inspection are plain identifiers here, not keywords, so that
 * "host" or "dns" still name zones and sets everywhere else.
 */
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "parser_internal.h"
#include "xalloc.h"

#define QUEUE_NUM_MAX	65535u
#define QUEUES_PER_RULE	64u	/* CONTROL_QUEUES_MAX */
#define BUDGET_MAX	1000u	/* CONTROL_BUDGET_MAX */
#define QLEN_MAX	1000000u	/* CONTROL_MAXLEN_MAX */

typedef int (*inspect_fn)(struct parser *p, struct ast_inspect *i);

static const char *const action_words[] = {
	[IR_INSPECT_DENY] = "deny", [IR_INSPECT_ALLOW] = "allow",
};

static const char *const kind_words[] = {
	[IR_INSPECT_SNI] = "sni", [IR_INSPECT_HOST] = "host",
	[IR_INSPECT_DNS] = "dns",
};

static int word_index(const struct parser *p, const char *const *words,
		      size_t n)
{
	size_t k;

	if (!at(p, T_IDENT) || p->tok.kw != KW_NONE)
		return -1;
	for (k = 0; k < n; k++)
		if (!strcmp(p->tok.text, words[k]))
			return (int)k;
	return -1;
}

static int option_claim(const struct parser *p, struct ast_inspect *i,
			enum ast_inspect_opt o, const char *what)
{
	if (i->has[o]) {
		diag_error(p->tok.loc, p->tok.width, "%s given twice", what);
		diag_note(i->opt_loc[o], i->opt_width[o], "first given here");
		return -1;
	}
	i->has[o] = true;
	i->opt_loc[o] = p->tok.loc;
	i->opt_width[o] = p->tok.width;
	return 0;
}

/* Two clauses of one action and kind would be one set split in two. */
static int clause_unique(const struct ast_inspect *i,
			 const struct ast_clause *c)
{
	size_t k;

	for (k = 0; k + 1 < i->n_clauses; k++) {
		const struct ast_clause *o = &i->clauses[k];

		if (o->action != c->action || o->kind != c->kind)
			continue;
		diag_error(c->loc, c->width, "duplicate clause '%s %s'; put "
			   "the names into one set", action_words[c->action],
			   kind_words[c->kind]);
		diag_note(o->loc, o->width, "first given here");
		return -1;
	}
	return 0;
}

/* deny|allow sni|host|dns @set | { "name", ... } */
static int parse_clause(struct parser *p, struct ast_inspect *i)
{
	struct ast_clause *c;
	size_t start = p->tok.start;
	char what[48];
	int kind;

	i->clauses = xgrow(i->clauses, i->n_clauses, sizeof(*i->clauses));
	c = &i->clauses[i->n_clauses++];
	c->action = (enum ir_inspect_action)word_index(p, action_words, 2);
	c->loc = p->tok.loc;
	snprintf(what, sizeof(what), "sni, host or dns after '%.8s'",
		 p->tok.text);
	next(p);
	kind = word_index(p, kind_words, 3);
	if (kind < 0)
		return parse_expected(p, what);
	c->kind = (enum ir_inspect_kind)kind;
	c->width = (unsigned)(p->tok.end - start);
	next(p);
	if (clause_unique(i, c) < 0)
		return -1;
	if (at_end(p))
		return parse_expected(p, "a domain set (@name) or a list of "
				      "names in double quotes");
	return parse_list(p, &c->names, LIST_SETREF);
}

static int parse_clauses(struct parser *p, struct ast_inspect *i)
{
	if (parse_clause(p, i) < 0)
		return -1;
	while (at(p, T_COMMA)) {
		next(p);
		if (word_index(p, action_words, 2) < 0)
			return parse_expected(p, "deny or allow after ','");
		if (parse_clause(p, i) < 0)
			return -1;
	}
	return 0;
}

static int parse_default(struct parser *p, struct ast_inspect *i)
{
	next(p);
	if (!at_kw(p, KW_ACCEPT) && !at_kw(p, KW_DROP))
		return parse_expected(p, "accept or drop after 'default'");
	if (option_claim(p, i, IO_DEFAULT, "'default'") < 0)
		return -1;
	i->default_drop = at_kw(p, KW_DROP);
	next(p);
	return 0;
}

static int parse_fail(struct parser *p, struct ast_inspect *i)
{
	if (option_claim(p, i, IO_FAIL, "fail-open or fail-closed") < 0)
		return -1;
	i->fail_closed = !strcmp(p->tok.text, "fail-closed");
	next(p);
	return 0;
}

static int queues_check(const struct parser *p, const struct ast_inspect *i)
{
	const struct token *t = &p->tok;

	if (i->queue_last > QUEUE_NUM_MAX) {
		diag_error(t->loc, t->width, "queue numbers go from 0 to %u",
			   QUEUE_NUM_MAX);
		return -1;
	}
	if (i->queue_first > i->queue_last) {
		diag_error(t->loc, t->width, "queue range %s runs backwards",
			   t->text);
		return -1;
	}
	if (i->queue_last - i->queue_first >= QUEUES_PER_RULE) {
		diag_error(t->loc, t->width, "%llu queues in one rule; at "
			   "most %u",
			   (unsigned long long)(i->queue_last -
						i->queue_first + 1),
			   QUEUES_PER_RULE);
		return -1;
	}
	return 0;
}

/* queues N or queues N-M */
static int parse_queues(struct parser *p, struct ast_inspect *i)
{
	next(p);
	if ((!at(p, T_NUMBER) && !at(p, T_RANGE)) ||
	    p->tok.lo.kind != LIT_NUMBER)
		return parse_expected(p, "a queue number or a range such as "
				      "0-3 after 'queues'");
	if (option_claim(p, i, IO_QUEUES, "'queues'") < 0)
		return -1;
	i->queue_first = p->tok.lo.num;
	i->queue_last = at(p, T_RANGE) ? p->tok.hi.num : p->tok.lo.num;
	if (queues_check(p, i) < 0)
		return -1;
	next(p);
	return 0;
}

static int parse_budget(struct parser *p, struct ast_inspect *i)
{
	next(p);
	if (!at(p, T_NUMBER))
		return parse_expected(p, "a number of packets after 'budget'");
	if (option_claim(p, i, IO_BUDGET, "'budget'") < 0)
		return -1;
	if (p->tok.lo.num == 0 || p->tok.lo.num > BUDGET_MAX) {
		diag_error(p->tok.loc, p->tok.width, "a budget is 1 to %u "
			   "packets: how many packets of a flow the daemon "
			   "reads before it gives the default", BUDGET_MAX);
		return -1;
	}
	i->budget = p->tok.lo.num;
	next(p);
	return 0;
}

/*
 * queue-length N: packets the kernel holds for the daemon per queue. A
 * short queue fails over sooner when the daemon is slow (fail-open lets
 * the excess pass, fail-closed drops it).
 */
static int parse_queue_length(struct parser *p, struct ast_inspect *i)
{
	next(p);
	if (!at(p, T_NUMBER))
		return parse_expected(p, "a number of packets after "
				      "'queue-length'");
	if (option_claim(p, i, IO_QLEN, "'queue-length'") < 0)
		return -1;
	if (p->tok.lo.num == 0 || p->tok.lo.num > QLEN_MAX) {
		diag_error(p->tok.loc, p->tok.width, "a queue length is 1 to "
			   "%u packets", QLEN_MAX);
		return -1;
	}
	i->queue_length = p->tok.lo.num;
	next(p);
	return 0;
}

/* port P: the server's port, as `to port P` says in a filter rule. */
static int parse_port(struct parser *p, struct ast_inspect *i)
{
	struct ast_operand *o = &i->rule->op[R_DPORT];

	if (rule_claim(i->rule, R_DPORT, p->tok.loc, p->tok.width) < 0)
		return -1;
	next(p);
	if (at(p, T_NOT)) {
		o->neg = true;
		next(p);
	}
	return parse_list(p, &o->list, LIST_SETREF);
}

static const struct {
	const char	*word;
	inspect_fn	parse;
} inspect_words[] = {
	{ "allow", parse_clauses },
	{ "budget", parse_budget },
	{ "default", parse_default },
	{ "deny", parse_clauses },
	{ "fail-closed", parse_fail },
	{ "fail-open", parse_fail },
	{ "queue-length", parse_queue_length },
	{ "queues", parse_queues },
};

#define N_INSPECT_WORDS (sizeof(inspect_words) / sizeof(inspect_words[0]))

static inspect_fn inspect_word(const struct parser *p)
{
	size_t k;

	if (!at(p, T_IDENT) || p->tok.kw != KW_NONE)
		return NULL;
	for (k = 0; k < N_INSPECT_WORDS; k++)
		if (!strcmp(p->tok.text, inspect_words[k].word))
			return inspect_words[k].parse;
	return NULL;
}

static int unknown_inspect_word(const struct parser *p)
{
	static const char *const words[] = {
		"allow", "budget", "comment", "counter", "ct", "default",
		"deny", "dport", "dst", "fail-closed", "fail-open", "from",
		"iif", "limit", "log", "oif", "port", "proto", "queue-length",
		"queues",
		"sport", "src", "to",
	};

	if (!at(p, T_IDENT) || p->tok.kw != KW_NONE)
		return unknown_part(p);
	return parse_unknown_word(p, words, sizeof(words) / sizeof(words[0]),
				  "in an inspect rule");
}

/* NAT chains come up because nat rules have them; say why not here. */
static int inspect_chain(struct parser *p, struct ast_rule *r)
{
	if (parse_at_chain(p, &r->chain)) {
		next(p);
		return 0;
	}
	if (at(p, T_IDENT) && (!strcmp(p->tok.text, "prerouting") ||
			       !strcmp(p->tok.text, "postrouting"))) {
		diag_error(p->tok.loc, p->tok.width, "inspect works in the "
			   "input, forward and output chains, not in %s: "
			   "inspected packets have been filtered already",
			   p->tok.text);
		return -1;
	}
	return parse_expected(p, "a chain (input, forward or output) after "
			      "'inspect'");
}

static int inspect_parts(struct parser *p, struct ast_inspect *i)
{
	inspect_fn fn;
	int err;

	while (!at_end(p)) {
		fn = at_kw(p, KW_PORT) ? parse_port : inspect_word(p);
		if (fn) {
			err = fn(p, i);
		} else {
			err = parse_rule_part(p, i->rule);
			if (err > 0)
				return unknown_inspect_word(p);
		}
		if (err < 0)
			return -1;
	}
	if (!i->n_clauses) {
		diag_error(i->rule->loc, 7, "an inspect rule needs a clause "
			   "such as 'deny sni @set' or 'allow host @set'");
		return -1;
	}
	return 0;
}

int parse_inspect(struct parser *p)
{
	struct ast_inspect *i = ast_inspect_new();
	size_t start = p->tok.start;

	i->rule->loc = p->tok.loc;
	i->rule->action = ACT_ACCEPT;
	next(p);
	if (inspect_chain(p, i->rule) < 0 || inspect_parts(p, i) < 0) {
		ast_inspect_free(i);
		return -1;
	}
	i->rule->text = rule_text(p->lx.text, start, p->prev_end);
	ast_add_inspect(p->ast, i);
	return 0;
}
