// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `fwctl show`: the live table with counters, each rule traced back to
 * the rule file through the userdata fwctl stored with it.
 */
#include <inttypes.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <string.h>

#include "batch.h"
#include "fwctl.h"
#include "json.h"
#include "kernel.h"
#include "live.h"

static void show_set_flags(FILE *out, uint32_t flags, struct json *j)
{
	static const struct { uint32_t flag; const char *name; } names[] = {
		{ NFT_SET_CONSTANT, "constant" },
		{ NFT_SET_INTERVAL, "interval" },
		{ NFT_SET_MAP, "map" },
		{ NFT_SET_TIMEOUT, "timeout" },
		{ NFT_SET_EVAL, "dynamic" },
	};
	const char *sep = "";
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(flags & names[i].flag))
			continue;
		if (j)
			json_string(j, NULL, names[i].name);
		else
			fprintf(out, "%s%s", sep, names[i].name);
		sep = ",";
	}
	if (!j && !*sep)
		fputc('-', out);
}

static void show_rule_text(FILE *out, const struct live_table *lt,
			   const struct live_rule *r)
{
	char loc[256], packets[24] = "-", bytes[24] = "-";
	const char *text = live_rule_label(r);

	if (!live_rule_where(lt, r, loc, sizeof(loc)))
		snprintf(loc, sizeof(loc), "-");
	if (r->dump && r->dump->counter) {
		snprintf(packets, sizeof(packets), "%" PRIu64,
			 r->dump->packets);
		snprintf(bytes, sizeof(bytes), "%" PRIu64, r->dump->bytes);
	}
	fprintf(out, "  %6" PRIu64 "  %-24s %10s %12s  %s\n", r->handle, loc,
		packets, bytes, text ? text : "-");
}

/* ct helpers and timeouts, with the rule that made each. */
static void show_objects(FILE *out, const struct live_table *lt)
{
	char loc[256];
	size_t i;

	for (i = 0; i < lt->n_objects; i++) {
		const struct live_object *o = &lt->objects[i];

		fprintf(out, "%s%s %s  location %s\n", i ? "" : "\n",
			live_object_type(o->type), o->name,
			live_rule_location(o->comment, loc, sizeof(loc)) ?
			loc : "-");
	}
}

static void json_objects(struct json *j, const struct live_table *lt)
{
	char loc[256];
	size_t i;

	json_array_begin(j, "objects");
	for (i = 0; i < lt->n_objects; i++) {
		const struct live_object *o = &lt->objects[i];
		bool has_loc = live_rule_location(o->comment, loc, sizeof(loc));

		json_object_begin(j, NULL);
		json_string(j, "name", o->name);
		json_string(j, "type", live_object_type(o->type));
		json_string(j, "location", has_loc ? loc : NULL);
		json_object_end(j);
	}
	json_array_end(j);
}

static void show_text(FILE *out, const struct live_table *lt)
{
	size_t i, j;

	fprintf(out, "table inet fwctl  source %s  generation %" PRIu32 "\n",
		lt->source ? lt->source : "-", lt->genid);
	for (i = 0; i < lt->n_chains; i++) {
		const struct live_chain *c = &lt->chains[i];

		if (c->base)
			fprintf(out, "\nchain %s  hook %s  priority %" PRId32
				"  policy %s%s\n", c->name,
				live_hook_name(c->hook), c->priority,
				c->policy == NF_DROP ? "drop" : "accept",
				c->nat ? "  type nat" : "");
		else
			fprintf(out, "\nchain %s\n", c->name);
		if (c->n_rules)
			fprintf(out, "  %6s  %-24s %10s %12s  %s\n", "handle",
				"location", "packets", "bytes", "rule");
		for (j = 0; j < c->n_rules; j++)
			show_rule_text(out, lt, &c->rules[j]);
	}
	for (i = 0; i < lt->n_sets; i++) {
		const struct live_set *s = &lt->sets[i];
		const char *type = live_key_type(s->key_type);

		fprintf(out, "%sset %s  type %s  flags ", i ? "" : "\n",
			s->name, type ? type : "?");
		show_set_flags(out, s->flags, NULL);
		fprintf(out, "  elements %zu\n", s->elements);
	}
	show_objects(out, lt);
}

static void json_rule(struct json *j, const struct live_table *lt,
		      const struct live_rule *r)
{
	char loc[256];
	bool has_loc = live_rule_where(lt, r, loc, sizeof(loc));

	json_object_begin(j, NULL);
	json_uint(j, "handle", r->handle);
	json_string(j, "location", has_loc ? loc : NULL);
	json_string(j, "text", live_rule_label(r));
	if (r->dump && r->dump->counter) {
		json_uint(j, "packets", r->dump->packets);
		json_uint(j, "bytes", r->dump->bytes);
	} else {
		json_null(j, "packets");
		json_null(j, "bytes");
	}
	json_object_end(j);
}

static void json_chain(struct json *j, const struct live_table *lt,
		       const struct live_chain *c)
{
	size_t i;

	json_object_begin(j, NULL);
	json_string(j, "name", c->name);
	if (c->base) {
		json_string(j, "hook", live_hook_name(c->hook));
		json_string(j, "type", c->nat ? "nat" : "filter");
		json_int(j, "priority", c->priority);
		json_string(j, "policy",
			    c->policy == NF_DROP ? "drop" : "accept");
	} else {
		json_null(j, "hook");
		json_null(j, "type");
		json_null(j, "priority");
		json_null(j, "policy");
	}
	json_array_begin(j, "rules");
	for (i = 0; i < c->n_rules; i++)
		json_rule(j, lt, &c->rules[i]);
	json_array_end(j);
	json_object_end(j);
}

static void show_json(FILE *out, const struct live_table *lt)
{
	struct json j;
	size_t i;

	json_init(&j, out);
	json_object_begin(&j, NULL);
	json_object_begin(&j, "table");
	json_string(&j, "name", "fwctl");
	json_string(&j, "source", lt->source);
	json_uint(&j, "generation", lt->genid);
	json_object_end(&j);
	json_array_begin(&j, "chains");
	for (i = 0; i < lt->n_chains; i++)
		json_chain(&j, lt, &lt->chains[i]);
	json_array_end(&j);
	json_array_begin(&j, "sets");
	for (i = 0; i < lt->n_sets; i++) {
		const struct live_set *s = &lt->sets[i];

		json_object_begin(&j, NULL);
		json_string(&j, "name", s->name);
		json_string(&j, "type", live_key_type(s->key_type));
		json_array_begin(&j, "flags");
		show_set_flags(out, s->flags, &j);
		json_array_end(&j);
		json_uint(&j, "elements", s->elements);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_objects(&j, lt);
	json_object_end(&j);
}

int kernel_show(FILE *out, bool json, const char *cache_dir)
{
	struct live_table lt = { 0 };
	struct nlsock s;
	int err;

	if (batch_socket_open(&s) < 0)
		return FW_EXIT_SYSTEM;
	err = live_read(&s, &lt, LIVE_ELEMENTS);
	/* Where kept rules are now: their comments say where they were made. */
	if (!err)
		live_cache_annotate(&s, cache_dir, &lt);
	nlsock_close(&s);
	if (err) {
		fprintf(stderr, "fwctl: cannot read the rule set: %s\n",
			strerror(-err));
		return FW_EXIT_SYSTEM;
	}
	if (!lt.present)
		fputs(json ? "{\"table\":null}\n" :
		      "no fwctl table in this namespace\n", out);
	else if (json)
		show_json(out, &lt);
	else
		show_text(out, &lt);
	live_free(&lt);
	return FW_EXIT_OK;
}
