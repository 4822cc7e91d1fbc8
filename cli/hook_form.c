// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Inspect rules for fwhook.ko: a pass over the table lower_inspect.c
 * built for the nft-native form. The IR profiles are the module's
 * profiles in the same order, so profile i is mark (i + 1) << 24.
 */
#include <string.h>

#include "diag.h"
#include "fwctl.h"
#include "fwhook_client.h"
#include "hook_form.h"

static const char inspect_prefix[] = "inspect_";
static const char mark_suffix[] = "_mark";

static bool is_inspect_chain(const struct ir_chain *c)
{
	return c->hook != IR_HOOK_NONE &&
	       !strncmp(c->name, inspect_prefix, sizeof(inspect_prefix) - 1);
}

static bool is_mark_chain(const struct ir_chain *c)
{
	size_t n = strlen(c->name), k = sizeof(mark_suffix) - 1;

	return is_inspect_chain(c) && n > k &&
	       !strcmp(c->name + n - k, mark_suffix);
}

/* In an inspect chain, all but the queueing rules are ct mark rules. */
static bool is_ct_mark_rule(const struct ir_rule *r)
{
	return r->verdict.kind != IR_QUEUE;
}

static int profile_of(const struct ir_table *t, const struct ir_queue *q)
{
	size_t i;

	for (i = 0; i < t->n_profiles; i++)
		if (t->profiles[i].queue_first == q->first &&
		    t->profiles[i].queue_count == q->count)
			return (int)i;
	return -1;
}

static void mark_rule(struct ir_rule *r, int profile)
{
	struct ir_stmts *st = ir_rule_st_mut(r);

	r->meta_mark_set = true;
	st->meta_mark_and = ~FWHOOK_MARK_OWNED;
	st->meta_mark_xor = (uint32_t)(profile + 1) << FWHOOK_MARK_PROFILE_SHIFT;
	r->verdict = (struct ir_verdict){ .kind = IR_ACCEPT };
}

/* Every queueing rule belongs to a profile, and the module takes them. */
static bool fits(const struct ir_table *t)
{
	size_t i, j;

	if (t->n_profiles > FWHOOK_PROFILES_MAX) {
		diag_warning(t->profiles[0].loc, 0, "%zu inspect profiles are "
			     "more than fwhook.ko takes (%d): using the nft "
			     "ct mark form", t->n_profiles,
			     FWHOOK_PROFILES_MAX);
		return false;
	}
	for (i = 0; i < t->n_chains; i++) {
		const struct ir_chain *c = t->chains[i];

		for (j = 0; is_inspect_chain(c) && j < c->n_rules; j++) {
			const struct ir_verdict *v = &c->rules[j].verdict;

			if (v->kind == IR_QUEUE && profile_of(t, &v->queue) < 0)
				return false;
		}
	}
	return true;
}

bool hook_form_lower(struct ir_table *t)
{
	struct ir_chain *c;
	size_t i, j;

	if (!fits(t))
		return false;
	ir_table_drop_chains(t, is_mark_chain);
	for (i = 0; i < t->n_chains; i++) {
		c = t->chains[i];
		if (!is_inspect_chain(c))
			continue;
		ir_chain_drop_rules(c, is_ct_mark_rule);
		for (j = 0; j < c->n_rules; j++)
			mark_rule(&c->rules[j],
				  profile_of(t, &c->rules[j].verdict.queue));
	}
	return true;
}

bool hook_form_live(void)
{
	struct fwhook h;

	if (fwhook_open(&h))
		return false;
	fwhook_close(&h);
	return true;
}

static void config_from_ir(const struct ir_table *t, struct fwhook_config *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; t && i < t->n_profiles; i++) {
		const struct ir_profile *p = &t->profiles[i];

		c->profiles[c->nprofiles++] = (struct fwhook_profile){
			.queue_first = p->queue_first,
			.queue_count = p->queue_count,
			.budget = p->budget,
			.fail_open = p->fail_open,
			.default_verdict = p->default_drop ?
					   FWHOOK_VERDICT_DENY :
					   FWHOOK_VERDICT_ACCEPT,
		};
	}
}

static int hook_form_push(const struct ir_table *t)
{
	struct fwhook_config c;
	struct fwhook h;
	int err;

	config_from_ir(t, &c);
	err = fwhook_open(&h);
	if (!err) {
		err = fwhook_set_config(&h, &c);
		fwhook_close(&h);
	}
	if (!err)
		return FW_EXIT_OK;
	diag_error((struct fw_loc){ NULL, 0, 0 }, 0, "fwhook.ko did not take "
		   "the inspect profiles: %s", strerror(-err));
	return FW_EXIT_SYSTEM;
}

int hook_form_sync(const struct ir_table *t)
{
	if (t && t->inspect_hook)
		return hook_form_push(t);
	return hook_form_live() ? hook_form_push(NULL) : FW_EXIT_OK;
}
