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
#include <stdlib.h>
#include <string.h>

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

static void print_del(FILE *out, const struct plan_del *d)
{
	const struct live_rule *r = d->rule;
	char where[256];

	fprintf(out, "- rule %s #%llu", d->chain->name,
		(unsigned long long)r->handle);
	if (live_rule_location(r->comment, where, sizeof(where)))
		fprintf(out, " (%s)", where);
	fprintf(out, ": %s\n", r->text ? r->text :
			       r->comment ? r->comment : "");
}

/* value - 1 over len big-endian bytes (value is never zero here). */
static void value_prev(uint8_t *v, unsigned len)
{
	while (len-- && v[len]-- == 0)
		;
}

/* Boundaries in walking order: by key, an end before a start. */
static int boundary_cmp(const void *x, const void *y)
{
	const struct emit_kelem *a = x, *b = y;
	int d = memcmp(a->key, b->key, sizeof(a->key));

	if (d)
		return d;
	return (int)(b->flags & NFT_SET_ELEM_INTERVAL_END) -
	       (int)(a->flags & NFT_SET_ELEM_INTERVAL_END);
}

struct ranges {
	struct ir_elem	*e;
	size_t		n;
};

static void range_add(struct ranges *r, const struct emit_kelem *start,
		      const uint8_t *hi, unsigned len)
{
	struct ir_elem *e;

	r->e = realloc(r->e, (r->n + 1) * sizeof(*r->e));
	if (!r->e)
		abort();
	e = &r->e[r->n++];
	memset(e, 0, sizeof(*e));
	memcpy(e->value.lo, start->key, len);
	memcpy(e->value.hi, hi, len);
	e->verdict = start->verdict;
}

/*
 * The ranges a kernel element list stands for: in an interval set a start
 * runs to the next end minus one (or to the top when none follows); in
 * other sets every element is one value.
 */
static struct ranges ranges_of(const struct ir_set *s,
			       const struct emit_kelem *k, size_t n)
{
	static const uint8_t top[IR_VALUE_MAX] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	unsigned len = ir_field_info[s->field].len;
	struct emit_kelem *b = calloc(n + 1, sizeof(*b));
	const struct emit_kelem *start = NULL;
	struct ranges r = { 0 };
	uint8_t hi[IR_VALUE_MAX];
	size_t i;

	if (!b)
		abort();
	if (n) {
		memcpy(b, k, n * sizeof(*b));
		qsort(b, n, sizeof(*b), boundary_cmp);
	}
	for (i = 0; i < n; i++) {
		bool end = b[i].flags & NFT_SET_ELEM_INTERVAL_END;

		if (!emit_set_interval(s)) {
			range_add(&r, &b[i], b[i].key, len);
			continue;
		}
		if (start && end) {
			memcpy(hi, b[i].key, len);
			value_prev(hi, len);
			range_add(&r, start, hi, len);
		} else if (start) {
			range_add(&r, start, start->key, len);
		}
		start = end ? NULL : &b[i];
	}
	if (start)
		range_add(&r, start, top, len);
	free(b);
	return r;
}

static int range_cmp(const struct ir_elem *a, const struct ir_elem *b)
{
	int d = memcmp(a->value.lo, b->value.lo, sizeof(a->value.lo));

	if (!d)
		d = memcmp(a->value.hi, b->value.hi, sizeof(a->value.hi));
	if (!d)
		d = (int)a->verdict.kind - (int)b->verdict.kind;
	return d ? d : strcmp(a->verdict.chain, b->verdict.chain);
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

/* Ranges only the live set has go (-), those only the file has come (+). */
static void print_set_elems(FILE *out, const struct plan_elems *pe)
{
	struct ranges old = ranges_of(pe->set, pe->live, pe->n_live);
	struct ranges new = ranges_of(pe->set, pe->want, pe->n_want);
	size_t i = 0, j = 0;
	int d;

	while (i < old.n || j < new.n) {
		d = i == old.n ? 1 : j == new.n ? -1 :
		    range_cmp(&old.e[i], &new.e[j]);
		if (d < 0)
			print_range(out, pe->set, &old.e[i++], '-');
		else if (d > 0)
			print_range(out, pe->set, &new.e[j++], '+');
		else
			i++, j++;
	}
	free(old.e);
	free(new.e);
}

static void print_elems(FILE *out, const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n_elems; i++)
		print_set_elems(out, &p->elems[i]);
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
			p->new_sets[i]->name, p->new_sets[i]->n_elems);
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
	fprintf(out, "%zu changes: rules +%zu -%zu (%zu kept), kernel "
		"elements +%zu -%zu, chains +%zu -%zu, sets +%zu -%zu, policies %zu\n",
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
		print_del(out, &p->dels[i]);
	for (i = 0; i < p->n_adds; i++)
		print_add(out, &p->adds[i]);
	print_elems(out, p);
	print_summary(out, p);
}
