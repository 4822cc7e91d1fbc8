// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Macros: `define NAME = VALUE | { LIST }`, used as $NAME wherever a value
 * or a list goes. A list used inside a list is spliced in. Each macro is
 * expanded once, on its own, when first needed: its mistakes are reported
 * once at its definition, and a use only copies the result.
 */
#include <stdlib.h>

#include "check.h"
#include "diag.h"
#include "parser.h"
#include "xalloc.h"

static int expand_into(struct checker *c, const struct ast_list *l,
		       const struct ast_value *via, struct xlist *out);

static void macro_validate(struct checker *c, unsigned index)
{
	const struct ast_define *d = c->ast->defines[index];
	struct xlist *value = &c->macro_value[index];

	c->macro_state[index] = MACRO_BUSY;
	if (d->broken || expand_into(c, &d->value, NULL, value) < 0) {
		c->macro_state[index] = MACRO_BAD;
		return;
	}
	c->macro_state[index] = MACRO_GOOD;
}

static int push(struct xlist *out, struct xvalue x)
{
	if (out->n >= LIST_MAX) {
		check_error(&x, "list expands to more than %u values",
			    LIST_MAX);
		return -1;
	}
	out->x = xgrow(out->x, out->n, sizeof(*out->x));
	out->x[out->n++] = x;
	return 0;
}

static int macro_use(struct checker *c, const struct ast_value *v,
		     const struct ast_value *via, struct xlist *out)
{
	struct xvalue here = { v, via };
	const struct symbol *sym = symtab_find(&c->macros, v->text);
	const struct xlist *value;
	size_t i;

	if (!sym) {
		check_unknown(&c->macros, &here);
		return -1;
	}
	if (c->macro_state[sym->index] == MACRO_BUSY) {
		check_error(&here, "macro $%s is used in its own definition",
			    v->text);
		return -1;
	}
	if (c->macro_state[sym->index] == MACRO_NEW)
		macro_validate(c, sym->index);
	if (c->macro_state[sym->index] != MACRO_GOOD)
		return -1;
	value = &c->macro_value[sym->index];
	for (i = 0; i < value->n; i++) {
		struct xvalue x = { value->x[i].v, via ? via : v };

		if (push(out, x) < 0)
			return -1;
	}
	return 0;
}

static int expand_into(struct checker *c, const struct ast_list *l,
		       const struct ast_value *via, struct xlist *out)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct ast_value *v = &l->v[i];
		struct xvalue x = { v, via };

		if (v->kind == AV_MACRO ? macro_use(c, v, via, out) < 0 :
					  push(out, x) < 0)
			return -1;
	}
	return 0;
}

/* In file order, so that messages come in file order. */
void check_macros(struct checker *c)
{
	const struct symbol *sym;
	size_t i;

	for (i = 0; i < c->ast->n_defines; i++) {
		if (!c->ast->defines[i]->name)
			continue;
		sym = symtab_find(&c->macros, c->ast->defines[i]->name);
		if (sym->index == i && c->macro_state[i] == MACRO_NEW)
			macro_validate(c, (unsigned)i);
	}
}

int macro_expand(struct checker *c, const struct ast_list *l,
		 struct xlist *out)
{
	out->n = 0;
	out->x = NULL;
	if (expand_into(c, l, NULL, out) == 0)
		return 0;
	free(out->x);
	out->x = NULL;
	out->n = 0;
	return -1;
}
