// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the front end: any text through compile_buffer().
 * Beyond the sanitizers, a table that compiles must keep the promises the
 * back ends rely on; a broken promise aborts, and the fuzzer keeps the
 * input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PROMISE(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "broken promise: %s\n", #cond);	\
			abort();					\
		}							\
	} while (0)

/* Sorted and disjoint, as the kernel takes them. */
static void check_set(const struct ir_set *s)
{
	unsigned len = ir_field_info[s->field].len;
	size_t i;

	for (i = 0; i < s->n_elems; i++) {
		const struct ir_value *v = &s->elems[i].value;

		PROMISE(memcmp(v->lo, v->hi, len) <= 0);
		PROMISE(s->interval || ir_value_is_single(v, len));
		if (i)
			PROMISE(memcmp(s->elems[i - 1].value.hi, v->lo,
				       len) < 0);
	}
	PROMISE(s->anonymous == !s->name[0]);
}

/*
 * The family first, then interfaces, addresses and ports (in any order: a
 * decision tree's leaf puts first what a packet most likely fails), then
 * ICMP types, ct last. The transport protocol may be anywhere before the
 * ICMP types, but a rule with ports must have it (or a tree's lookups
 * proved it), and an ICMP type must come after it.
 */
static const unsigned rank[IR_FIELD_COUNT] = {
	[IR_NFPROTO] = 0, [IR_L4PROTO] = 1, [IR_IIFNAME] = 2,
	[IR_OIFNAME] = 2, [IR_IP_SADDR] = 3, [IR_IP_DADDR] = 3,
	[IR_IP6_SADDR] = 3, [IR_IP6_DADDR] = 3, [IR_TH_SPORT] = 3,
	[IR_TH_DPORT] = 3, [IR_ICMP_TYPE] = 4, [IR_ICMPV6_TYPE] = 4,
	[IR_CT_STATE] = 5, [IR_CT_STATUS] = 5, [IR_FIB_DADDR_TYPE] = 5,
};

static void check_rule(const struct ir_rule *r)
{
	bool l4 = false, ports = false;
	size_t i, prev = SIZE_MAX;

	for (i = 0; i < r->n_matches; i++) {
		enum ir_field f = r->matches[i].field;

		if (f == IR_L4PROTO) {
			l4 = true;
			continue;
		}
		ports = ports || f == IR_TH_SPORT || f == IR_TH_DPORT;
		if (f == IR_ICMP_TYPE || f == IR_ICMPV6_TYPE)
			PROMISE(l4 || r->l4_proven);
		if (prev != SIZE_MAX)
			PROMISE(rank[r->matches[prev].field] <= rank[f]);
		prev = i;
	}
	PROMISE(!ports || l4 || r->l4_proven);
	PROMISE(r->verdict.kind != IR_REJECT ||
		r->verdict.reject != IR_REJECT_DEFAULT);
	PROMISE(!r->text || strlen(r->text) < 200);
}

/* Regular chains first, then input, forward, output, then NAT and ct. */
static void check_table(const struct ir_table *t)
{
	size_t i, j, base = 0;

	for (i = 0; i < t->n_sets; i++)
		check_set(t->sets[i]);
	for (i = 0; i < t->n_chains; i++) {
		base += t->chains[i]->hook != IR_HOOK_NONE;
		PROMISE(!base || t->chains[i]->hook != IR_HOOK_NONE);
		for (j = 0; j < t->chains[i]->n_rules; j++)
			check_rule(&t->chains[i]->rules[j]);
	}
	PROMISE(base >= 3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct ir_table *t;

	if (!null)
		null = fopen("/dev/null", "w");
	diag_set_stream(null);
	t = compile_buffer("fuzz.fw", (const char *)data, size);
	if (t)
		check_table(t);
	ir_table_free(t);
	diag_reset();
	return 0;
}
