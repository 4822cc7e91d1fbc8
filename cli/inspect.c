// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Inspect rules: the matches are checked as in a filter rule, the clauses
 * resolved to domain names, and each rule gets its queues (the ones it
 * names, else the next free number from 0 in file order). The daemon runs
 * one profile per queue range, so rules whose ranges overlap must agree on
 * everything the daemon decides by; they then share the queues.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "diag.h"
#include "domain.h"
#include "fwctl/control.h"
#include "xalloc.h"

static const char *const action_words[] = {
	[IR_INSPECT_DENY] = "deny", [IR_INSPECT_ALLOW] = "allow",
};

static const char *const kind_words[] = {
	[IR_INSPECT_SNI] = "sni", [IR_INSPECT_HOST] = "host",
	[IR_INSPECT_DNS] = "dns",
};

static int clause_set(struct checker *c, const struct xvalue *x,
		      struct m_clause *mc)
{
	const struct symbol *sym = symtab_find(&c->sets, x->v->text);
	const struct m_set *s;

	if (!sym) {
		check_unknown(&c->sets, x);
		return -1;
	}
	s = sym->obj;
	if (!s)
		return -1;
	if (s->kind != SK_DOMAIN) {
		check_error(x, "set @%s holds %s, not domain names: '%s %s' "
			    "needs a set of names such as { \"example.com\", "
			    "\"*.example.net\" }", s->name,
			    set_kind_names[s->kind], action_words[mc->action],
			    kind_words[mc->kind]);
		diag_note(s->loc, s->width, "set '%s' is defined here",
			  s->name);
		return -1;
	}
	mc->names = &s->domains;
	return 0;
}

static int clause_check(struct checker *c, const struct ast_clause *ac,
			struct m_clause *mc)
{
	struct xlist xl;
	int err;

	mc->action = ac->action;
	mc->kind = ac->kind;
	if (macro_expand(c, &ac->names, &xl) < 0)
		return -1;
	if (xl.n == 1 && xl.x[0].v->kind == AV_SETREF) {
		err = clause_set(c, &xl.x[0], mc);
	} else {
		err = domain_list(&xl, &mc->own);
		mc->names = &mc->own;
	}
	free(xl.x);
	return err;
}

static int clause_cmp(const void *a, const void *b)
{
	const struct m_clause *x = a, *y = b;

	if (x->action != y->action)
		return x->action < y->action ? -1 : 1;
	return (x->kind > y->kind) - (x->kind < y->kind);
}

static void inspect_options(const struct ast_inspect *ai,
			    struct m_inspect *mi)
{
	static const char *const log_prefixes[CHAIN_COUNT] = {
		[CHAIN_INPUT] = "fwctl input inspect: ",
		[CHAIN_FORWARD] = "fwctl forward inspect: ",
		[CHAIN_OUTPUT] = "fwctl output inspect: ",
	};

	if (!mi->rule->log_prefix)
		mi->rule->log_prefix = log_prefixes[mi->rule->chain];
	mi->default_drop = ai->default_drop;
	mi->fail_open = !ai->fail_closed;
	mi->budget = ai->has[IO_BUDGET] ? (uint16_t)ai->budget :
					  CONTROL_BUDGET_DEFAULT;
	mi->queue_length = ai->has[IO_QLEN] ? (uint32_t)ai->queue_length :
					      CONTROL_MAXLEN_DEFAULT;
	mi->queues_given = ai->has[IO_QUEUES];
	mi->queues_loc = ai->has[IO_QUEUES] ? ai->opt_loc[IO_QUEUES] :
					      ai->rule->loc;
	mi->queues_width = ai->has[IO_QUEUES] ? ai->opt_width[IO_QUEUES] : 7;
	mi->queue_first = (uint16_t)ai->queue_first;
	mi->queue_count = (uint16_t)(ai->queue_last - ai->queue_first + 1);
}

static void inspect_discard(struct m_inspect *mi, struct m_rule *r)
{
	size_t k;

	for (k = 0; k < mi->n_clauses; k++)
		m_domains_free(&mi->clauses[k].own);
	free(mi->clauses);
	free(mi);
	if (!r)
		return;
	for (k = 0; k < OP_COUNT; k++)
		m_elems_free(&r->op[k].lit);
	free(r);
}

static struct m_inspect *inspect_build(struct checker *c,
				       const struct ast_inspect *ai)
{
	struct m_inspect *mi = xcalloc(1, sizeof(*mi));
	struct m_rule *r = rule_check(c, ai->rule);
	int err = r ? 0 : -1;
	size_t k;

	mi->clauses = xcalloc(ai->n_clauses, sizeof(*mi->clauses));
	mi->n_clauses = ai->n_clauses;
	for (k = 0; k < ai->n_clauses; k++)
		err |= clause_check(c, &ai->clauses[k], &mi->clauses[k]);
	if (err) {
		inspect_discard(mi, r);
		return NULL;
	}
	qsort(mi->clauses, mi->n_clauses, sizeof(*mi->clauses), clause_cmp);
	mi->rule = r;
	inspect_options(ai, mi);
	return mi;
}

/* Numbers that rules with `queues` took are not handed out again. */
static bool queue_named(const struct model *m, unsigned q)
{
	size_t i;

	for (i = 0; i < m->n_inspects; i++) {
		const struct m_inspect *mi = m->inspects[i];

		if (mi->queues_given && q >= mi->queue_first &&
		    q < (unsigned)mi->queue_first + mi->queue_count)
			return true;
	}
	return false;
}

static void queues_assign(struct model *m)
{
	unsigned next = 0;
	size_t i;

	for (i = 0; i < m->n_inspects; i++) {
		struct m_inspect *mi = m->inspects[i];

		if (mi->queues_given)
			continue;
		while (queue_named(m, next))
			next++;
		mi->queue_first = (uint16_t)next++;
		mi->queue_count = 1;
	}
}

static bool domains_equal(const struct m_domains *a,
			  const struct m_domains *b)
{
	size_t i;

	if (a == b)
		return true;
	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->d[i].name, b->d[i].name))
			return false;
	return true;
}

/* Everything the daemon decides by; clauses are sorted. */
static bool profile_equal(const struct m_inspect *a,
			  const struct m_inspect *b)
{
	size_t k;

	if (a->default_drop != b->default_drop ||
	    a->fail_open != b->fail_open || a->budget != b->budget ||
	    a->queue_length != b->queue_length ||
	    a->n_clauses != b->n_clauses)
		return false;
	for (k = 0; k < a->n_clauses; k++)
		if (a->clauses[k].action != b->clauses[k].action ||
		    a->clauses[k].kind != b->clauses[k].kind ||
		    !domains_equal(a->clauses[k].names, b->clauses[k].names))
			return false;
	return true;
}

static int by_first_queue(const void *a, const void *b)
{
	const struct m_inspect *x = *(struct m_inspect *const *)a;
	const struct m_inspect *y = *(struct m_inspect *const *)b;

	if (x->queue_first != y->queue_first)
		return x->queue_first < y->queue_first ? -1 : 1;
	return loc_before(y->rule->loc, x->rule->loc) -
	       loc_before(x->rule->loc, y->rule->loc);
}

static const char *range_text(unsigned first, unsigned count, char *buf,
			      size_t size)
{
	if (count == 1)
		snprintf(buf, size, "queue %u", first);
	else
		snprintf(buf, size, "queues %u-%u", first, first + count - 1);
	return buf;
}

static void overlap_error(const struct m_inspect *mi,
			  const struct m_inspect *rep)
{
	char a[32], b[32];

	diag_error(mi->queues_loc, mi->queues_width, "%s overlap%s %s of an "
		   "inspect rule with other clauses, default, fail mode, "
		   "budget or queue length; only identical inspect rules share queues",
		   range_text(mi->queue_first, mi->queue_count, a, sizeof(a)),
		   mi->queue_count == 1 ? "s" : "",
		   range_text(rep->queue_first, rep->queue_count, b,
			      sizeof(b)));
	diag_note(rep->queues_loc, rep->queues_width, "the other rule's "
		  "queues");
}

static void profile_add(struct model *m, struct m_inspect *mi)
{
	m->profiles = xgrow(m->profiles, m->n_profiles,
			    sizeof(*m->profiles));
	m->profiles[m->n_profiles] = (struct m_profile){
		mi->queue_first, mi->queue_count, mi };
	mi->profile = m->n_profiles++;
}

/* Joins mi to the last profile when their queues overlap; 1: joined. */
static int profile_join(struct model *m, struct m_inspect *mi)
{
	struct m_profile *p = &m->profiles[m->n_profiles - 1];
	unsigned end = (unsigned)p->first + p->count;
	unsigned mi_end = (unsigned)mi->queue_first + mi->queue_count;

	if (mi->queue_first >= end)
		return 0;
	if (!profile_equal(p->rep, mi)) {
		overlap_error(mi, p->rep);
		return -1;
	}
	if (mi_end > end)
		p->count = (uint16_t)(mi_end - p->first);
	mi->profile = m->n_profiles - 1;
	return 1;
}

static void profiles_build(struct model *m)
{
	struct m_inspect **order;
	unsigned total = 0;
	size_t i;

	if (!m->n_inspects)
		return;
	order = xcalloc(m->n_inspects, sizeof(*order));
	memcpy(order, m->inspects, m->n_inspects * sizeof(*order));
	qsort(order, m->n_inspects, sizeof(*order), by_first_queue);
	for (i = 0; i < m->n_inspects; i++)
		if (!m->n_profiles || profile_join(m, order[i]) == 0)
			profile_add(m, order[i]);
	for (i = 0; i < m->n_profiles; i++) {
		const struct m_profile *p = &m->profiles[i];

		total += p->count;
		if (total <= CONTROL_QUEUES_MAX)
			continue;
		diag_error(p->rep->queues_loc, p->rep->queues_width, "inspect "
			   "rules need %u queues or more; fwctld serves at "
			   "most %d", total, CONTROL_QUEUES_MAX);
		break;
	}
	free(order);
}

void check_inspects(struct checker *c)
{
	struct model *m = c->m;
	struct m_inspect *mi;
	size_t i;

	for (i = 0; i < c->ast->n_inspects; i++) {
		mi = inspect_build(c, c->ast->inspects[i]);
		if (!mi)
			continue;
		m->inspects = xgrow(m->inspects, m->n_inspects,
				    sizeof(*m->inspects));
		m->inspects[m->n_inspects++] = mi;
	}
	queues_assign(m);
	profiles_build(m);
}
