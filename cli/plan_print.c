// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `fwctl diff`: a plan as one line per change, then a summary.
 *
 *   + chain NAME                       ~ policy input drop -> accept
 *   + rule input after #12 (f.fw:7): TEXT     (#N: a live rule's handle)
 *   - rule input #34 (f.fw:9): TEXT
 *   + element set blocked: 10.0.0.1    - set NAME    - chain NAME (N rules)
 *
 * The rule text is the source rule when the file gave one, else the nft
 * text of what the kernel gets.
 */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "export.h"
#include "plan.h"

static void print_add(FILE *out, const struct plan_add *a)
{
	fprintf(out, "+ rule %s", a->chain->name);
	if (a->after == EMIT_HEAD)
		fputs(" at the head", out);
	else if (a->after != EMIT_APPEND)
		fprintf(out, " after #%llu", (unsigned long long)a->after);
	if (a->rule->loc.file)
		fprintf(out, " (%s:%u)", a->rule->loc.file, a->rule->loc.line);
	fputs(": ", out);
	if (a->rule->text)
		fputs(a->rule->text, out);
	else
		export_rule_text(out, a->rule);
	fputc('\n', out);
}

static void print_del(FILE *out, const struct live_table *lt,
		      const struct plan_del *d)
{
	const struct live_rule *r = d->rule;
	char where[256];

	fprintf(out, "- rule %s #%llu", d->chain->name,
		(unsigned long long)r->handle);
	if (live_rule_where(lt, r, where, sizeof(where)))
		fprintf(out, " (%s)", where);
	fprintf(out, ": %s\n", live_rule_label(r) ? live_rule_label(r) : "");
}

static void print_range(FILE *out, const struct ir_set *s,
			const struct ir_elem *e, char sign)
{
	fprintf(out, "%c element %s %s: ", sign, s->is_vmap ? "map" : "set",
		s->name);
	export_interval(out, s->field, &e->value);
	if (s->is_vmap) {
		fputs(" : ", out);
		export_verdict(out, &e->verdict);
	}
	fputc('\n', out);
}

/* In value order, the ranges that go (-) and those that come (+). */
static void print_set_elems(FILE *out, const struct plan_elems *pe)
{
	size_t i = 0, j = 0;

	while (i < pe->n_del || j < pe->n_add) {
		if (j == pe->n_add || (i < pe->n_del &&
		    plan_range_cmp(&pe->del[i], &pe->add[j]) <= 0))
			print_range(out, pe->set, &pe->del[i++], '-');
		else
			print_range(out, pe->set, &pe->add[j++], '+');
	}
}

/* A flow map: emptied and filled. */
static void print_flush(FILE *out, const struct ir_set *s)
{
	size_t i;

	fprintf(out, "~ map %s emptied, %zu elements\n", s->name,
		s->n_boxes);
	for (i = 0; i < s->n_boxes; i++) {
		fprintf(out, "+ element map %s: ", s->name);
		export_flow_elem(out, s, &s->boxes[i]);
		fputc('\n', out);
	}
}

static void print_elems(FILE *out, const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n_elems; i++)
		print_set_elems(out, &p->elems[i]);
	for (i = 0; i < p->n_flushes; i++)
		print_flush(out, p->flushes[i]);
}

static void print_tables(FILE *out, const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n_new_chains; i++)
		fprintf(out, "+ chain %s\n", p->new_chains[i]->name);
	for (i = 0; i < p->n_policies; i++)
		fprintf(out, "~ policy %s %s -> %s\n", p->policies[i]->name,
			p->policies[i]->policy_drop ? "accept" : "drop",
			p->policies[i]->policy_drop ? "drop" : "accept");
	for (i = 0; i < p->n_new_sets; i++)
		fprintf(out, "+ set %s (%zu elements)\n",
			p->new_sets[i]->name, p->new_sets[i]->n_elems +
			p->new_sets[i]->n_boxes);
	for (i = 0; i < p->n_gone_sets; i++)
		fprintf(out, "- set %s\n", p->gone_sets[i]->name);
	for (i = 0; i < p->n_gone_chains; i++)
		fprintf(out, "- chain %s (%zu rules)\n",
			p->gone_chains[i]->name, p->gone_chains[i]->n_rules);
}

static void print_summary(FILE *out, const struct plan *p)
{
	size_t i, add = 0, del = 0;

	for (i = 0; i < p->n_elems; i++) {
		add += p->elems[i].n_add;
		del += p->elems[i].n_del;
	}
	for (i = 0; i < p->n_flushes; i++)
		add += p->flushes[i]->n_boxes;
	fprintf(out, "%zu changes: rules +%zu -%zu (%zu kept), elements "
		"+%zu -%zu, chains +%zu -%zu, sets +%zu -%zu, policies %zu\n",
		plan_changes(p), p->n_adds, p->n_dels, p->kept, add, del,
		p->n_new_chains, p->n_gone_chains, p->n_new_sets,
		p->n_gone_sets, p->n_policies);
}

void plan_print(FILE *out, const struct plan *p)
{
	size_t i;

	if (p->full) {
		fprintf(out, "~ table replaced as a whole: %s (%zu rules)\n",
			p->full, ir_table_rule_count(p->table));
		return;
	}
	if (!plan_changes(p)) {
		fputs("no changes\n", out);
		return;
	}
	print_tables(out, p);
	for (i = 0; i < p->n_dels; i++)
		print_del(out, &p->live, &p->dels[i]);
	for (i = 0; i < p->n_adds; i++)
		print_add(out, &p->adds[i]);
	print_elems(out, p);
	print_summary(out, p);
}
