// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>

#include "ast.h"
#include "shape.h"
#include "xalloc.h"

const char *const chain_names[CHAIN_COUNT] = {
	[CHAIN_INPUT] = "input",
	[CHAIN_FORWARD] = "forward",
	[CHAIN_OUTPUT] = "output",
};

/* How a part reads in "... given twice". */
const char *const ast_part_names[R_COUNT] = {
	[R_FROM] = "'from'",
	[R_TO] = "'to'",
	[R_SRC] = "'src'",
	[R_DST] = "'dst'",
	[R_SPORT] = "source port",
	[R_DPORT] = "destination port",
	[R_PROTO] = "'proto'",
	[R_IIF] = "'iif'",
	[R_OIF] = "'oif'",
	[R_CT] = "'ct state'",
	[R_ICMP] = "'icmp type'",
	[R_ICMPV6] = "'icmpv6 type'",
	[R_WITH] = "'with'",
	[R_LIMIT] = "'limit'",
	[R_LOG] = "'log'",
	[R_COUNTER] = "'counter'",
	[R_COMMENT] = "'comment'",
};

struct ast *ast_new(const char *source)
{
	struct ast *a = xcalloc(1, sizeof(*a));

	a->source = source;
	return a;
}

#define AST_ADD(type, array, count)					\
	do {								\
		struct type *x = xcalloc(1, sizeof(*x));		\
									\
		a->array = xgrow(a->array, a->count, sizeof(*a->array)); \
		a->array[a->count++] = x;				\
		return x;						\
	} while (0)

struct ast_define *ast_add_define(struct ast *a)
{
	AST_ADD(ast_define, defines, n_defines);
}

struct ast_zone *ast_add_zone(struct ast *a)
{
	AST_ADD(ast_zone, zones, n_zones);
}

struct ast_set *ast_add_set(struct ast *a)
{
	AST_ADD(ast_set, sets, n_sets);
}

struct ast_policy *ast_add_policy(struct ast *a)
{
	AST_ADD(ast_policy, policies, n_policies);
}

struct ast_rule *ast_rule_new(void)
{
	return xcalloc(1, sizeof(struct ast_rule));
}

void ast_add_rule(struct ast *a, struct ast_rule *r)
{
	a->rules = xgrow(a->rules, a->n_rules, sizeof(*a->rules));
	a->rules[a->n_rules++] = r;
}

struct ast_value *ast_list_add(struct ast_list *l)
{
	l->v = xgrow(l->v, l->n, sizeof(*l->v));
	return &l->v[l->n++];
}

void ast_list_free(struct ast_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].text);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void ast_rule_free(struct ast_rule *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < R_OPERANDS; i++)
		ast_list_free(&r->op[i].list);
	ast_list_free(&r->nat.addr);
	ast_list_free(&r->nat.port);
	free(r->helper);
	free(r->text);
	free(r->log_prefix);
	free(r->comment);
	free(r);
}

struct ast_inspect *ast_inspect_new(void)
{
	struct ast_inspect *i = xcalloc(1, sizeof(*i));

	i->rule = ast_rule_new();
	return i;
}

void ast_inspect_free(struct ast_inspect *i)
{
	size_t k;

	if (!i)
		return;
	for (k = 0; k < i->n_clauses; k++)
		ast_list_free(&i->clauses[k].names);
	free(i->clauses);
	ast_rule_free(i->rule);
	free(i);
}

void ast_add_inspect(struct ast *a, struct ast_inspect *i)
{
	a->inspects = xgrow(a->inspects, a->n_inspects, sizeof(*a->inspects));
	a->inspects[a->n_inspects++] = i;
}

static void ast_decls_free(struct ast *a)
{
	size_t i;

	for (i = 0; i < a->n_defines; i++) {
		ast_list_free(&a->defines[i]->value);
		free(a->defines[i]->name);
		free(a->defines[i]);
	}
	for (i = 0; i < a->n_zones; i++) {
		ast_list_free(&a->zones[i]->ifs);
		ast_list_free(&a->zones[i]->nets);
		free(a->zones[i]->name);
		free(a->zones[i]);
	}
	for (i = 0; i < a->n_sets; i++) {
		ast_list_free(&a->sets[i]->elems);
		free(a->sets[i]->name);
		free(a->sets[i]);
	}
	for (i = 0; i < a->n_policies; i++)
		free(a->policies[i]);
}

static void keep_string(struct ast *a, char *s)
{
	if (!s)
		return;
	a->kept = xgrow(a->kept, a->n_kept, sizeof(*a->kept));
	a->kept[a->n_kept++] = s;
}

/*
 * A 10,000-rule file's tree is some 20 MB; given back rule by rule, the
 * model and the IR are built in memory already paged in, which costs
 * less than fresh pages.
 */
void ast_rule_release(struct ast *a, size_t i)
{
	struct ast_rule *r = a->rules[i];

	keep_string(a, r->text);
	keep_string(a, r->comment);
	keep_string(a, r->log_prefix);
	keep_string(a, r->helper);
	r->text = r->comment = r->log_prefix = r->helper = NULL;
	ast_rule_free(r);
	a->rules[i] = NULL;
}

void ast_free(struct ast *a)
{
	size_t i;

	if (!a)
		return;
	ast_decls_free(a);
	ast_shapes_free(a);
	for (i = 0; i < a->n_rules; i++)
		ast_rule_free(a->rules[i]);
	for (i = 0; i < a->n_inspects; i++)
		ast_inspect_free(a->inspects[i]);
	free(a->inspects);
	free(a->defines);
	free(a->zones);
	free(a->sets);
	free(a->policies);
	free(a->rules);
	for (i = 0; i < a->n_kept; i++)
		free(a->kept[i]);
	free(a->kept);
	free(a);
}
