// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Checking shapes: an HTB tree must add up (children within the link,
 * ceil at least rate), have exactly one default class, and send each
 * kind of packet to one class. Matches are checked as the filter rules'
 * are, so they resolve the same zones, sets and macros.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "diag.h"
#include "shape.h"
#include "xalloc.h"

static void rate_text(uint64_t bps, char *buf, size_t size)
{
	shape_rate_format(bps, buf, size);
}

static void check_class_rates(const struct ast_shape *s,
			      const struct ast_shape_class *c)
{
	char a[32], b[32];

	if (c->ceil && c->ceil < c->rate) {
		rate_text(c->ceil, a, sizeof(a));
		rate_text(c->rate, b, sizeof(b));
		diag_error(c->ceil_loc, c->ceil_width, "ceil %s is below the "
			   "class's rate %s", a, b);
	}
	if (c->rate > s->rate || c->ceil > s->rate) {
		bool ceil = c->ceil > s->rate;

		rate_text(ceil ? c->ceil : c->rate, a, sizeof(a));
		rate_text(s->rate, b, sizeof(b));
		diag_error(ceil ? c->ceil_loc : c->rate_loc,
			   ceil ? c->ceil_width : c->rate_width, "%s %s of "
			   "class '%s' exceeds the link rate %s",
			   ceil ? "ceil" : "rate", a, c->name, b);
	}
}

/* The sum of the guaranteed rates must fit the link, or HTB overbooks. */
static void check_sum(const struct ast_shape *s)
{
	uint64_t sum = 0;
	char a[32], b[32];
	size_t i;

	for (i = 0; i < s->n_classes; i++) {
		const struct ast_shape_class *c = &s->classes[i];

		sum += c->rate;
		if (sum <= s->rate || c->rate > s->rate)
			continue;
		rate_text(sum, a, sizeof(a));
		rate_text(s->rate, b, sizeof(b));
		diag_error(c->rate_loc, c->rate_width, "the classes' rates "
			   "add up to %s here, more than the link rate %s",
			   a, b);
		diag_note(s->rate_loc, s->rate_width, "the link rate");
		return;
	}
}

static void check_names(const struct ast_shape *s)
{
	size_t i, j;

	for (i = 0; i < s->n_classes; i++) {
		for (j = 0; j < i; j++) {
			if (strcmp(s->classes[i].name, s->classes[j].name))
				continue;
			diag_error(s->classes[i].loc, s->classes[i].width,
				   "class '%s' given twice on %s",
				   s->classes[i].name, s->ifname);
			diag_note(s->classes[j].loc, s->classes[j].width,
				  "first given here");
			break;
		}
	}
}

static size_t check_default(const struct ast_shape *s)
{
	size_t i, found = s->n_classes;

	for (i = 0; i < s->n_classes; i++) {
		if (!s->classes[i].is_default)
			continue;
		if (found == s->n_classes) {
			found = i;
			continue;
		}
		diag_error(s->classes[i].default_loc, 7, "a second default "
			   "class on %s: unclassified traffic goes to one",
			   s->ifname);
		diag_note(s->classes[found].default_loc, 7, "the first one");
	}
	if (found == s->n_classes)
		diag_error(s->loc, s->width, "shape %s has no default class: "
			   "mark the class for unclassified traffic 'default'",
			   s->ifname);
	return found;
}

/* The match as written, comparable: parts, negations, value spellings. */
static char *match_key(const struct ast_shape_class *c)
{
	const struct ast_rule *r = c->match;
	size_t size = 8 + R_OPERANDS * 16, len = 1, i, j;
	char *key;

	for (i = 0; i < R_OPERANDS; i++)
		for (j = 0; j < r->op[i].list.n; j++)
			size += strlen(r->op[i].list.v[j].text ?
				       r->op[i].list.v[j].text : "") + 1;
	key = xcalloc(1, size);
	key[0] = c->either_port ? '~' : '=';
	for (i = 0; i < R_OPERANDS; i++) {
		if (!r->has[i])
			continue;
		len += (size_t)snprintf(key + len, size - len, "|%zu%s:", i,
					r->op[i].neg ? "!" : "");
		for (j = 0; j < r->op[i].list.n; j++)
			len += (size_t)snprintf(key + len, size - len, "%s,",
						r->op[i].list.v[j].text ?
						r->op[i].list.v[j].text : "");
	}
	return key;
}

static void check_twice(const struct ast_shape *s)
{
	char **keys = xcalloc(s->n_classes, sizeof(*keys));
	size_t i, j;

	for (i = 0; i < s->n_classes; i++) {
		if (!s->classes[i].match)
			continue;
		keys[i] = match_key(&s->classes[i]);
		for (j = 0; j < i; j++) {
			if (!keys[j] || strcmp(keys[i], keys[j]))
				continue;
			diag_error(s->classes[i].match->loc, 5, "class '%s' "
				   "matches what class '%s' matches: a packet "
				   "goes to one class only",
				   s->classes[i].name, s->classes[j].name);
			diag_note(s->classes[j].match->loc, 5, "matched here");
			break;
		}
	}
	for (i = 0; i < s->n_classes; i++)
		free(keys[i]);
	free(keys);
}

/* `port P` matches either way: as written (dport), and as sport. */
static void check_match(struct checker *c, const struct ast_shape_class *ac,
			struct m_shape_class *mc)
{
	struct ast_rule swapped;

	mc->rules[mc->n_rules] = rule_check(c, ac->match);
	if (!mc->rules[mc->n_rules])
		return;
	mc->n_rules++;
	if (!ac->either_port)
		return;
	swapped = *ac->match;
	swapped.op[R_SPORT] = swapped.op[R_DPORT];
	swapped.op[R_DPORT] = (struct ast_operand){ 0 };
	swapped.has[R_SPORT] = true;
	swapped.has[R_DPORT] = false;
	swapped.part_loc[R_SPORT] = swapped.part_loc[R_DPORT];
	swapped.part_width[R_SPORT] = swapped.part_width[R_DPORT];
	mc->rules[mc->n_rules] = rule_check(c, &swapped);
	if (mc->rules[mc->n_rules])
		mc->n_rules++;
}

static void check_classes(struct checker *c, const struct ast_shape *s,
			  struct m_shape *ms)
{
	size_t i;

	if (s->n_classes > SHAPE_CLASSES_MAX)
		diag_error(s->classes[SHAPE_CLASSES_MAX].loc,
			   s->classes[SHAPE_CLASSES_MAX].width, "more than "
			   "%d classes on one interface", SHAPE_CLASSES_MAX);
	ms->classes = xcalloc(s->n_classes, sizeof(*ms->classes));
	for (i = 0; i < s->n_classes; i++) {
		const struct ast_shape_class *ac = &s->classes[i];

		ms->classes[i].src = ac;
		check_class_rates(s, ac);
		if (ac->match)
			check_match(c, ac, &ms->classes[i]);
		else if (!ac->is_default)
			diag_warning(ac->loc, ac->width, "class '%s' has no "
				     "match and is not the default: no "
				     "traffic goes to it", ac->name);
	}
	check_names(s);
	check_sum(s);
	check_twice(s);
	ms->default_class = check_default(s);
}

static void check_once(const struct ast *a, size_t i)
{
	const struct ast_shape *s = a->shapes[i];
	size_t j;

	for (j = 0; j < i; j++) {
		const struct ast_shape *t = a->shapes[j];

		if (strcmp(s->ifname, t->ifname) || s->ingress != t->ingress)
			continue;
		diag_error(s->loc, s->width, "%s of %s shaped twice",
			   s->ingress ? "ingress" : "egress", s->ifname);
		diag_note(t->loc, t->width, "first shaped here");
		return;
	}
}

void check_shapes(struct checker *c)
{
	const struct ast *a = c->ast;
	struct model *m = c->m;
	size_t i;

	m->shapes = xcalloc(a->n_shapes, sizeof(*m->shapes));
	for (i = 0; i < a->n_shapes; i++) {
		struct m_shape *ms = &m->shapes[m->n_shapes++];

		ms->src = a->shapes[i];
		check_once(a, i);
		if (!a->shapes[i]->ingress)
			check_classes(c, a->shapes[i], ms);
	}
}
