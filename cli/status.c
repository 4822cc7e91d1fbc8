// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `fwctl status`: what the kernel supports (probed right now), whether
 * table inet fwctl is there, how big it is, where it came from, and the
 * ruleset generation.
 */
#include <inttypes.h>
#include <string.h>

#include <linux/netfilter/nf_tables.h>

#include "batch.h"
#include "feature.h"
#include "fwctl.h"
#include "json.h"
#include "kernel.h"
#include "live.h"
#include "sessions.h"

static const char *errno_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "?";
}

static void status_text(FILE *out, const struct feature *f, size_t n,
			const struct live_table *lt)
{
	size_t i;

	fprintf(out, "kernel features (probed, nothing committed):\n");
	for (i = 0; i < n; i++) {
		fprintf(out, "  %-40s ", f[i].label);
		if (!f[i].err)
			fprintf(out, "yes\n");
		else
			fprintf(out, "no (%s: %s)\n", errno_name(-f[i].err),
				strerror(-f[i].err));
	}
	fprintf(out, "inspection: %s\n",
		feature_queue_label(feature_queue_of(f, n)));
	sessions_engine_print(out, NULL);
	if (lt->present)
		fprintf(out, "table inet fwctl: present%s, source %s, "
			"%zu chains, %zu rules, %zu sets\n",
			lt->flags & NFT_TABLE_F_DORMANT ?
			", DORMANT (nothing is filtered; fwctl apply makes "
			"it anew)" : "",
			lt->source ? lt->source : "-", lt->n_chains,
			lt->n_rules, lt->n_sets);
	else
		fprintf(out, "table inet fwctl: absent\n");
	fprintf(out, "ruleset generation: %" PRIu32 "\n", lt->genid);
}

static void status_json(FILE *out, const struct feature *f, size_t n,
			const struct live_table *lt)
{
	struct json j;
	size_t i;

	json_init(&j, out);
	json_object_begin(&j, NULL);
	json_uint(&j, "generation", lt->genid);
	json_array_begin(&j, "features");
	for (i = 0; i < n; i++) {
		json_object_begin(&j, NULL);
		json_string(&j, "name", f[i].name);
		json_string(&j, "label", f[i].label);
		json_bool(&j, "supported", !f[i].err);
		json_string(&j, "errno", f[i].err ? errno_name(-f[i].err) :
			    NULL);
		json_string(&j, "error", f[i].err ? strerror(-f[i].err) :
			    NULL);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_string(&j, "inspection",
		    feature_queue_label(feature_queue_of(f, n)));
	sessions_engine_print(out, &j);
	if (lt->present) {
		json_object_begin(&j, "table");
		json_string(&j, "name", "fwctl");
		json_string(&j, "source", lt->source);
		json_bool(&j, "dormant", lt->flags & NFT_TABLE_F_DORMANT);
		json_uint(&j, "chains", lt->n_chains);
		json_uint(&j, "rules", lt->n_rules);
		json_uint(&j, "sets", lt->n_sets);
		json_object_end(&j);
	} else {
		json_null(&j, "table");
	}
	json_object_end(&j);
}

int kernel_status(FILE *out, bool json)
{
	struct feature features[FEATURE_MAX];
	struct live_table lt = { 0 };
	struct nlsock s;
	size_t n;
	int err;

	if (batch_socket_open(&s) < 0)
		return FW_EXIT_SYSTEM;
	n = feature_probe_all(&s, features);
	err = live_read(&s, &lt, LIVE_OBJECTS);
	nlsock_close(&s);
	if (err) {
		fprintf(stderr, "fwctl: cannot read the rule set: %s\n",
			strerror(-err));
		return FW_EXIT_SYSTEM;
	}
	if (json)
		status_json(out, features, n, &lt);
	else
		status_text(out, features, n, &lt);
	live_free(&lt);
	return FW_EXIT_OK;
}
