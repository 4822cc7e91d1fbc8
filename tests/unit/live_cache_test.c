// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The live cache (cli/live_cache.c) is written into one buffer sized
 * before it is filled (table_bound()); if a line did not fit, no cache
 * would be written and every apply would read the table from the kernel.
 * A table with every number at its widest (the largest handles, keys,
 * hooks, policies, set flags and timeouts, the lowest priority), names of
 * the kernel's longest and a source path of PATH_MAX must be staged, and
 * loaded back the same. A name with a space cannot be cached and is not
 * written. No kernel rules are made: the socket only names the network
 * namespace in the cache's id.
 */
#include <limits.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "live.h"
#include "nlsock.h"
#include "scratch_dir.h"
#include "unit.h"

#define RULES	3

/* A name of n characters: c, then digits. */
static char *long_name(char c, size_t n)
{
	char *s = malloc(n + 1);
	size_t i;

	if (!s)
		abort();
	s[0] = c;
	for (i = 1; i < n; i++)
		s[i] = (char)('0' + i % 10);
	s[n] = '\0';
	return s;
}

static void widest_chain(struct live_chain *c, char *name, bool base)
{
	size_t i;

	*c = (struct live_chain){
		.name = name, .base = base, .hook = UINT32_MAX,
		.priority = INT32_MIN, .policy = UINT32_MAX, .nat = true,
		.n_rules = RULES,
	};
	c->rules = calloc(RULES, sizeof(*c->rules));
	if (!c->rules)
		abort();
	for (i = 0; i < RULES; i++)
		c->rules[i] = (struct live_rule){
			.handle = UINT64_MAX - i, .key = UINT64_MAX - 7 * i,
			.has_key = true, .line = UINT32_MAX - (uint32_t)i,
		};
}

static void widest_table(struct live_table *lt)
{
	static struct live_chain chains[2];
	static struct live_set sets[2];
	static struct live_object objects[1];
	size_t max = NFT_NAME_MAXLEN - 1;

	widest_chain(&chains[0], long_name('b', max), true);
	widest_chain(&chains[1], long_name('c', max), false);
	sets[0] = (struct live_set){
		.name = long_name('s', max), .key_type = UINT32_MAX,
		.flags = UINT32_MAX, .timeout_ms = UINT64_MAX,
		.digest = UINT64_MAX, .has_digest = true,
	};
	sets[1] = (struct live_set){
		.name = long_name('t', max), .key_type = UINT32_MAX,
		.flags = UINT32_MAX, .timeout_ms = UINT64_MAX,
	};
	objects[0] = (struct live_object){
		.name = long_name('o', max), .type = UINT32_MAX,
		.has_key = true, .key = UINT64_MAX,
	};
	*lt = (struct live_table){
		.present = true, .source = long_name('/', PATH_MAX - 1),
		.genid = UINT32_MAX, .n_chains = 2, .chains = chains,
		.n_sets = 2, .sets = sets, .n_objects = 1, .objects = objects,
		.n_rules = 2 * RULES, .handles = UINT64_MAX,
	};
}

static void same_chain(const struct live_chain *a, const struct live_chain *b)
{
	size_t i;

	CHECK_STREQ(a->name, b->name);
	CHECK(a->base == b->base && a->hook == b->hook &&
	      a->priority == b->priority && a->policy == b->policy &&
	      a->nat == b->nat);
	if (!CHECK_EQ(a->n_rules, b->n_rules))
		return;
	for (i = 0; i < a->n_rules; i++)
		CHECK(a->rules[i].handle == b->rules[i].handle &&
		      a->rules[i].key == b->rules[i].key &&
		      a->rules[i].line == b->rules[i].line);
}

static void same_table(const struct live_table *a, const struct live_table *b)
{
	size_t i;

	CHECK_STREQ(a->source, b->source);
	CHECK(a->handles == b->handles);
	if (CHECK_EQ(a->n_chains, b->n_chains))
		for (i = 0; i < a->n_chains; i++)
			same_chain(&a->chains[i], &b->chains[i]);
	if (CHECK_EQ(a->n_sets, b->n_sets))
		for (i = 0; i < a->n_sets; i++) {
			CHECK_STREQ(a->sets[i].name, b->sets[i].name);
			CHECK(a->sets[i].key_type == b->sets[i].key_type &&
			      a->sets[i].flags == b->sets[i].flags &&
			      a->sets[i].timeout_ms == b->sets[i].timeout_ms &&
			      a->sets[i].has_digest == b->sets[i].has_digest &&
			      a->sets[i].digest == b->sets[i].digest);
		}
	if (CHECK_EQ(a->n_objects, b->n_objects))
		for (i = 0; i < a->n_objects; i++) {
			CHECK_STREQ(a->objects[i].name, b->objects[i].name);
			CHECK(a->objects[i].type == b->objects[i].type &&
			      a->objects[i].key == b->objects[i].key);
		}
}

/* What widest_table() allocated (its arrays are static). */
static void widest_free(struct live_table *lt)
{
	size_t i;

	for (i = 0; i < lt->n_chains; i++) {
		free(lt->chains[i].name);
		free(lt->chains[i].rules);
	}
	for (i = 0; i < lt->n_sets; i++)
		free(lt->sets[i].name);
	for (i = 0; i < lt->n_objects; i++)
		free(lt->objects[i].name);
	free(lt->source);
}

int main(void)
{
	char dir[] = "/tmp/fwctl-live-cache-XXXXXX", id[128];
	struct live_table lt, back = { 0 };
	struct nlsock s;

	if (nlsock_open(&s, NETLINK_NETFILTER) < 0) {
		fprintf(stderr, "live_cache_test: no netfilter socket\n");
		return UNIT_SKIP;
	}
	if (!CHECK(mkdtemp(dir) != NULL))
		return unit_summary("live_cache_test");
	widest_table(&lt);
	CHECK(live_cache_id(&s, lt.genid, id, sizeof(id)));
	/* The widest of every line fits the buffer: staged, whole. */
	if (CHECK(live_cache_stage(dir, id, &lt))) {
		live_cache_publish(dir);
		if (CHECK(live_cache_load(&s, dir, lt.genid, &back) == 0))
			same_table(&lt, &back);
		live_free(&back);
	}
	/* A name the file's words cannot hold: nothing staged. */
	lt.chains[1].name[7] = ' ';
	CHECK(!live_cache_stage(dir, id, &lt));
	widest_free(&lt);
	scratch_dir_remove(dir);
	nlsock_close(&s);
	return unit_summary("live_cache_test");
}
