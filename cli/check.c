// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The checker's walk: names first (so that declarations may come in any
 * order), then macros, zones, sets, policies and rules. Declarations with
 * syntax errors keep their names, so a broken zone does not also make every
 * rule that uses it an "unknown zone".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "shape.h"
#include "diag.h"
#include "names.h"
#include "xalloc.h"

bool loc_before(struct fw_loc a, struct fw_loc b)
{
	return a.line < b.line || (a.line == b.line && a.col < b.col);
}

void check_error(const struct xvalue *x, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_error(x->v->loc, x->v->width, "%s", msg);
	if (x->via)
		diag_note(x->via->loc, x->via->width, "in $%s, used here",
			  x->via->text);
}

static int symbol_cmp(const void *a, const void *b)
{
	const struct symbol *x = a, *y = b;
	int d = strcmp(x->name, y->name);

	if (d)
		return d;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int symbol_key_cmp(const void *key, const void *sym)
{
	return strcmp(key, ((const struct symbol *)sym)->name);
}

struct symbol *symtab_find(const struct symtab *t, const char *name)
{
	if (!t->n)
		return NULL;
	return bsearch(name, t->sym, t->n, sizeof(*t->sym), symbol_key_cmp);
}

static void symtab_add(struct symtab *t, const char *name, unsigned index,
		       struct fw_loc loc, unsigned width)
{
	t->sym = xgrow(t->sym, t->n, sizeof(*t->sym));
	t->sym[t->n++] = (struct symbol){ name, index, NULL, loc, width };
}

/* Sorts the names and drops (and reports) all but the first of each. */
static void symtab_finish(struct symtab *t)
{
	size_t i, kept = 0;

	if (!t->n)
		return;
	qsort(t->sym, t->n, sizeof(*t->sym), symbol_cmp);
	for (i = 0; i < t->n; i++) {
		if (kept && !strcmp(t->sym[kept - 1].name, t->sym[i].name)) {
			diag_error(t->sym[i].loc, t->sym[i].width,
				   "duplicate %s '%s'", t->what,
				   t->sym[i].name);
			diag_note(t->sym[kept - 1].loc, t->sym[kept - 1].width,
				  "first defined here");
			continue;
		}
		t->sym[kept++] = t->sym[i];
	}
	t->n = kept;
}

void check_unknown(const struct symtab *t, const struct xvalue *x)
{
	const char **names = xcalloc(t->n, sizeof(*names));
	const char *q = *t->sigil ? "" : "'";
	const char *hint;
	size_t i;

	for (i = 0; i < t->n; i++)
		names[i] = t->sym[i].name;
	hint = names_closest(x->v->text, names, t->n);
	if (hint)
		check_error(x, "unknown %s %s%s%s%s (did you mean %s%s%s%s?)",
			    t->what, q, t->sigil, x->v->text, q, q, t->sigil,
			    hint, q);
	else
		check_error(x, "unknown %s %s%s%s%s", t->what, q, t->sigil,
			    x->v->text, q);
	free(names);
}

static void check_names(struct checker *c)
{
	const struct ast *a = c->ast;
	size_t i;

	c->macros = (struct symtab){ .what = "macro", .sigil = "$" };
	c->zones = (struct symtab){ .what = "zone", .sigil = "" };
	c->sets = (struct symtab){ .what = "set", .sigil = "@" };
	for (i = 0; i < a->n_defines; i++)
		if (a->defines[i]->name)
			symtab_add(&c->macros, a->defines[i]->name, i,
				   a->defines[i]->loc, a->defines[i]->width);
	for (i = 0; i < a->n_zones; i++)
		if (a->zones[i]->name)
			symtab_add(&c->zones, a->zones[i]->name, i,
				   a->zones[i]->loc, a->zones[i]->width);
	for (i = 0; i < a->n_sets; i++)
		if (a->sets[i]->name)
			symtab_add(&c->sets, a->sets[i]->name, i,
				   a->sets[i]->loc, a->sets[i]->width);
	symtab_finish(&c->macros);
	symtab_finish(&c->zones);
	symtab_finish(&c->sets);
}

static void check_policies(struct checker *c)
{
	bool seen[CHAIN_COUNT] = { false }, seen_sl[CHAIN_COUNT] = { false };
	struct fw_loc sl_loc[CHAIN_COUNT];
	size_t i;

	for (i = 0; i < c->ast->n_policies; i++) {
		const struct ast_policy *p = c->ast->policies[i];

		if (p->stateless) {
			if (seen_sl[p->chain]) {
				diag_error(p->loc, 9, "%s is stateless twice",
					   chain_names[p->chain]);
				diag_note(sl_loc[p->chain], 9,
					  "first made stateless here");
			}
			seen_sl[p->chain] = c->m->stateless[p->chain] = true;
			sl_loc[p->chain] = p->loc;
			continue;
		}
		if (seen[p->chain]) {
			diag_error(p->loc, 6, "policy for %s given twice",
				   chain_names[p->chain]);
			diag_note(c->m->policy_loc[p->chain], 6,
				  "first given here");
			continue;
		}
		seen[p->chain] = true;
		c->m->policy_drop[p->chain] = p->drop;
		c->m->policy_loc[p->chain] = p->loc;
	}
}

static void checker_free(struct checker *c)
{
	size_t i;

	for (i = 0; i < c->ast->n_defines; i++)
		free(c->macro_value[i].x);
	free(c->macro_value);
	free(c->macro_state);
	free(c->macros.sym);
	free(c->zones.sym);
	free(c->sets.sym);
}

struct model *check_ast(struct ast *a)
{
	unsigned errors = diag_error_count();
	struct checker c = { .ast = a };

	c.m = xcalloc(1, sizeof(*c.m));
	c.m->source = a->source;
	c.macro_state = xcalloc(a->n_defines, sizeof(*c.macro_state));
	c.macro_value = xcalloc(a->n_defines, sizeof(*c.macro_value));
	check_names(&c);
	check_macros(&c);
	check_zones(&c);
	check_sets(&c);
	check_policies(&c);
	check_rules(&c);
	check_inspects(&c);
	check_shapes(&c);
	checker_free(&c);
	if (diag_error_count() != errors) {
		model_free(c.m);
		return NULL;
	}
	return c.m;
}
