// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kernel_update() against a real kernel, each part in its own network
 * namespace: a table that uses every IR feature applies incrementally as
 * zero changes over itself (every key, set type and element read back
 * compares equal); an incremental batch the kernel refuses is reported at
 * the rule's location and leaves the live table exactly as it was, handles
 * included; another tool committing in between makes it read again and
 * retry once, and then fail changing nothing; the state cache says what
 * a dump says after every update, and the next update uses it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "apply.h"
#include "backend_util.h"
#include "batch.h"
#include "diag.h"
#include "fwctl.h"
#include "kernel.h"
#include "ir_hash.h"
#include "live.h"
#include "plan.h"
#include "scratch_dir.h"

/* -a: handles, -s: no counters. */
#define LIST	"nft -a -s list ruleset"

static void test_noop(void)
{
	const char *ns = bt_netns_new("incr-noop");
	struct ir_table *t = bt_table_all();
	struct apply_stats st;
	char *before, *after;

	bt_netns_enter(ns);
	CHECK(kernel_update(t, NULL, &st) == FW_EXIT_OK);
	CHECK(st.full && bt_contains(st.full, "no live table"));
	before = bt_run(ns, LIST, NULL);
	ir_table_free(t);
	t = bt_table_all();
	CHECK(kernel_update(t, NULL, &st) == FW_EXIT_OK);
	CHECK(st.full == NULL);
	if (st.full)
		fprintf(stderr, "full replace: %s\n", st.full);
	CHECK(st.changes == 0);
	if (st.changes)
		kernel_diff(t, stderr, NULL, false);
	after = bt_run(ns, LIST, NULL);
	CHECK(strcmp(before, after) == 0);
	free(before);
	free(after);
	ir_table_free(t);
}

/* bt_table_small() with port 22 -> 2222. */
static struct ir_table *table_changed(void)
{
	struct ir_table *t = bt_table_small();
	struct ir_chain *c = t->chains[0];
	struct ir_rule *r = &c->rules[c->n_rules - 1];

	r->matches[r->n_matches - 1].value = bt_value(IR_TH_DPORT, "2222");
	return t;
}

/* table_changed() and a jump to nowhere on line 7. */
static struct ir_table *table_refused(void)
{
	struct ir_table *t = table_changed();
	struct ir_rule *r;

	r = ir_rule_add(t->chains[0], (struct fw_loc){
		.file = t->source, .line = 7, .col = 3 });
	r->verdict.kind = IR_JUMP;
	r->verdict.chain = "nowhere";
	return t;
}

static void test_refused(void)
{
	const char *ns = bt_netns_new("incr-err");
	struct ir_table *good = bt_table_small(), *bad = table_refused();
	struct apply_stats st;
	char *before, *after, *msg;

	bt_netns_enter(ns);
	CHECK(kernel_update(good, NULL, &st) == FW_EXIT_OK);
	before = bt_run(ns, LIST, NULL);
	CHECK(bt_contains(before, "dport 22 accept"));
	CHECK(kernel_update(bad, NULL, &st) == FW_EXIT_SYSTEM);
	CHECK(st.full == NULL);
	CHECK(st.changes == 3);		/* the changed rule: -1 +1; the jump */
	if (st.changes != 3)
		fprintf(stderr, "changes %zu\n", st.changes);
	msg = bt_diag_take();
	CHECK(bt_contains(msg, "backend-small.fw:7:3: error: kernel rejected "
		       "this rule: "));
	CHECK(bt_contains(msg, "nothing was changed"));
	after = bt_run(ns, LIST, NULL);
	CHECK(strcmp(before, after) == 0);
	free(msg);
	free(before);
	free(after);
	ir_table_free(good);
	ir_table_free(bad);
}

/* small with a rule at the head of input and one at the end. */
static struct ir_table *table_grown(void)
{
	struct ir_table *t = table_changed();
	struct ir_chain *c = t->chains[0];
	struct ir_rule r;

	ir_rule_add(c, (struct fw_loc){ .file = t->source, .line = 9 })
		->verdict.kind = IR_DROP;
	ir_rule_add(c, (struct fw_loc){ .file = t->source, .line = 1 })
		->verdict.kind = IR_ACCEPT;
	r = c->rules[c->n_rules - 1];
	memmove(&c->rules[1], &c->rules[0],
		(c->n_rules - 1) * sizeof(c->rules[0]));
	c->rules[0] = r;
	return t;
}

/* The cache says what a dump says: chains, handles and keys, sets. */
static bool cache_true(const char *dir)
{
	struct live_table dumped = { 0 }, cached = { 0 };
	struct nlsock s;
	bool same = false;
	size_t i, j;

	if (nlsock_open(&s, NETLINK_NETFILTER) < 0)
		return false;
	if (live_read(&s, &dumped, LIVE_OBJECTS) ||
	    live_cache_load(&s, dir, dumped.genid, &cached))
		goto out;
	same = dumped.n_chains == cached.n_chains &&
	       dumped.n_sets == cached.n_sets &&
	       dumped.n_objects == cached.n_objects;
	for (i = 0; same && i < dumped.n_chains; i++) {
		const struct live_chain *a = &dumped.chains[i];
		const struct live_chain *b = &cached.chains[i];

		same = !strcmp(a->name, b->name) && a->n_rules == b->n_rules &&
		       a->policy == b->policy && a->base == b->base;
		for (j = 0; same && j < a->n_rules; j++)
			same = a->rules[j].handle == b->rules[j].handle &&
			       a->rules[j].key == b->rules[j].key;
	}
	for (i = 0; same && i < dumped.n_sets; i++)
		same = !strcmp(dumped.sets[i].name, cached.sets[i].name) &&
		       dumped.sets[i].flags == cached.sets[i].flags;
out:
	live_free(&dumped);
	live_free(&cached);
	nlsock_close(&s);
	return same;
}

static struct ir_table *table_all_changed(void);

/* 300 rules; in many_b() every other one drops instead: 150 new rules. */
static struct ir_table *many_a(void)
{
	return bt_table_big(300, 4);
}

static struct ir_table *many_b(void)
{
	struct ir_table *t = bt_table_big(300, 4);
	struct ir_chain *c = t->chains[0];
	size_t i;

	for (i = 1; i < c->n_rules; i += 2)
		c->rules[i].verdict.kind = IR_DROP;
	return t;
}

/*
 * After each update, incremental or full, the cache is the table; the
 * next update uses it instead of a dump.
 */
static void test_cache(void)
{
	struct ir_table *(*const tables[])(void) = {
		bt_table_small, table_changed, table_grown, bt_table_small,
		table_grown, bt_table_all, table_all_changed, many_a, many_b,
		many_a,
	};
	char dir[] = "/tmp/fwctl-cache-XXXXXX";
	struct apply_stats st;
	struct ir_table *t;
	size_t i;

	bt_netns_enter(bt_netns_new("incr-cache"));
	CHECK(mkdtemp(dir) != NULL);
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		t = tables[i]();
		CHECK(kernel_update(t, dir, &st) == FW_EXIT_OK);
		/*
		 * A full replace (0: none yet; 5, 7: objects come, go) and
		 * 150 new rules (8, 9: a sample of them echoes) leave one.
		 */
		CHECK(st.cached == (i >= 1));
		CHECK((st.full != NULL) == (i == 0 || i == 5 || i == 7));
		CHECK(st.changes >= (i >= 8 ? 300u : 1u));
		CHECK(cache_true(dir));
		ir_table_free(t);
	}
	scratch_dir_remove(dir);
}

/* Nothing in dir but records: none waits there, written aside. */
static bool only_records(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool only = d != NULL;

	while (d && (e = readdir(d)))
		if (strstr(e->d_name, ".tmp") || strstr(e->d_name, ".new")) {
			fprintf(stderr, "left in %s: %s\n", dir, e->d_name);
			only = false;
		}
	if (d)
		closedir(d);
	return only;
}

/*
 * An update writes the records during its batch, for the handles
 * foreseen from the counter the cache keeps (apply_ahead.h), or from 0
 * for a full replace (its batch makes the table anew). A
 * refused batch moves the kernel's counter without a commit: the next
 * batch's echoes then are not the foreseen ones, and its records are
 * written after it, from them; true either way. Neither leaves a record
 * aside in the directory.
 */
static void test_cache_ahead(void)
{
	struct ir_table *small = bt_table_small(), *changed = table_changed(),
			*bad = table_refused();
	char dir[] = "/tmp/fwctl-ahead-XXXXXX";
	struct apply_stats st;

	bt_netns_enter(bt_netns_new("incr-ahead"));
	CHECK(mkdtemp(dir) != NULL);
	CHECK(kernel_update(small, dir, &st) == FW_EXIT_OK);
	CHECK(st.full && st.ahead && cache_true(dir));
	CHECK(kernel_update(changed, dir, &st) == FW_EXIT_OK);
	CHECK(st.cached && st.ahead && cache_true(dir));
	CHECK(kernel_update(small, dir, &st) == FW_EXIT_OK);
	CHECK(st.cached && st.ahead && cache_true(dir));
	CHECK(kernel_update(bad, dir, &st) == FW_EXIT_SYSTEM);
	free(bt_diag_take());
	CHECK(only_records(dir));
	CHECK(kernel_update(changed, dir, &st) == FW_EXIT_OK);
	CHECK(st.cached && !st.ahead && cache_true(dir));
	CHECK(kernel_update(small, dir, &st) == FW_EXIT_OK);
	CHECK(st.cached && st.ahead && cache_true(dir));
	CHECK(only_records(dir));
	scratch_dir_remove(dir);
	ir_table_free(small);
	ir_table_free(changed);
	ir_table_free(bad);
}

/* The ways to damage a cache (cache_damage()). */
enum damage {
	FLIP_RULE_BYTE,		/* a byte of the first chain's first rule */
	FLIP_LINE_BYTE,		/* ... of its line (after handle and key) */
	CUT_IN_RULES,		/* the file ends in the first chain's rules */
	MORE_RULES,		/* the first chain claims one rule more */
	WRONG_SUM,		/* "end 0" */
	NO_SUM,			/* "end" */
	NO_END,			/* no end line */
	AFTER_END,		/* a byte after the end line */
	NO_HANDLES,		/* no handles line */
	N_DAMAGES
};

/* Damages the cache in dir as d says: it must not be believed then. */
static void cache_damage(const char *dir, enum damage d)
{
	char path[256], buf[1 << 16], *rules, *end, *nl;
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/table.cache", dir);
	f = fopen(path, "r");
	CHECK(f != NULL);
	if (!f)
		return;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	CHECK(len > 0 && len < sizeof(buf) - 1);
	buf[len] = '\0';
	/* The first chain line and its rules; the end line. */
	rules = strstr(buf, "\nchain ");
	rules = rules ? strchr(rules + 1, '\n') : NULL;
	end = len > 1 ? memrchr(buf, '\n', len - 1) : NULL;
	CHECK(rules != NULL && end != NULL && !strncmp(end, "\nend ", 5));
	if (!rules || !end)
		return;
	rules++;
	end++;
	switch (d) {
	case FLIP_RULE_BYTE:
		rules[3] ^= 0x10;
		break;
	case FLIP_LINE_BYTE:
		rules[2 * sizeof(uint64_t)] ^= 0x10;
		break;
	case CUT_IN_RULES:
		len = (size_t)(rules + 5 - buf);
		break;
	case MORE_RULES:
		/* "... RULES\n" before them: RULES + 1, up to 9. */
		nl = rules - 2;
		CHECK(*nl >= '0' && *nl < '9');
		(*nl)++;
		break;
	case WRONG_SUM:
		len = (size_t)(end - buf);
		len += (size_t)sprintf(end, "end 0\n");
		break;
	case NO_SUM:
		len = (size_t)(end - buf);
		len += (size_t)sprintf(end, "end\n");
		break;
	case NO_END:
		len = (size_t)(end - buf);
		break;
	case AFTER_END:
		buf[len++] = '\n';
		break;
	case NO_HANDLES:
		nl = strstr(buf, "\nhandles ");
		CHECK(nl != NULL);
		if (!nl)
			break;
		end = strchr(nl + 1, '\n');
		memmove(nl, end, len - (size_t)(end - buf));
		len -= (size_t)(end - nl);
		break;
	case N_DAMAGES:
		break;
	}
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fwrite(buf, 1, len, f);
		fclose(f);
	}
}

/*
 * A damaged cache is not believed: the update reads the table by dumps
 * instead, applies exactly, and writes the cache anew.
 */
static void test_cache_damaged(void)
{
	char dir[] = "/tmp/fwctl-damaged-XXXXXX";
	struct ir_table *small = bt_table_small(), *changed = table_changed();
	struct apply_stats st;
	int d;

	bt_netns_enter(bt_netns_new("incr-damaged"));
	CHECK(mkdtemp(dir) != NULL);
	for (d = 0; d < N_DAMAGES; d++) {
		CHECK(kernel_update(d % 2 ? changed : small, dir, &st) ==
		      FW_EXIT_OK);
		CHECK(cache_true(dir));
		cache_damage(dir, (enum damage)d);
		CHECK(kernel_update(d % 2 ? small : changed, dir, &st) ==
		      FW_EXIT_OK);
		if (st.cached)
			fprintf(stderr, "damage %d: the cache was believed\n",
				d);
		CHECK(!st.cached && !st.full);
		CHECK(cache_true(dir));
	}
	scratch_dir_remove(dir);
	ir_table_free(small);
	ir_table_free(changed);
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/*
 * fwctl diff's labels (live_chain_labels()): a dump of one chain of the
 * cached table labels its rules as a dump of the table does; after
 * another commit it says -EAGAIN (the diff then dumps the table).
 */
static void test_labels(void)
{
	const char *ns = bt_netns_new("incr-labels");
	char dir[] = "/tmp/fwctl-labels-XXXXXX";
	struct ir_table *t = bt_table_small();
	struct live_table cached = { 0 }, later = { 0 }, dumped = { 0 };
	const struct live_chain **x, **y;
	struct apply_stats st;
	struct nlsock s;
	uint32_t genid = 0;
	size_t i, j, labeled = 0;

	bt_netns_enter(ns);
	CHECK(mkdtemp(dir) != NULL);
	CHECK(kernel_update(t, dir, &st) == FW_EXIT_OK);
	if (nlsock_open(&s, NETLINK_NETFILTER) < 0) {
		CHECK(!"a netlink socket");
		return;
	}
	CHECK(live_read(&s, &dumped, LIVE_OBJECTS) == 0);
	CHECK(batch_genid(&s, &genid) == 0);
	CHECK(live_cache_load(&s, dir, genid, &cached) == 0);
	CHECK(live_cache_load(&s, dir, genid, &later) == 0);
	/* Both tables' chains by name, as live_renew.c compares them. */
	x = live_chains_by_name(&cached);
	y = live_chains_by_name(&dumped);
	CHECK(cached.n_chains == dumped.n_chains);
	for (i = 0; i < cached.n_chains && i < dumped.n_chains; i++) {
		CHECK(live_chain_labels(&s, &cached,
					&cached.chains[x[i] - cached.chains]) ==
		      0);
		CHECK(!strcmp(x[i]->name, y[i]->name) &&
		      x[i]->n_rules == y[i]->n_rules);
		if (x[i]->n_rules != y[i]->n_rules)
			continue;
		for (j = 0; j < x[i]->n_rules; j++) {
			const struct live_rule *a = &x[i]->rules[j];
			const struct live_rule *b = &y[i]->rules[j];

			labeled += a->dump != NULL;
			CHECK(a->dump && b->dump &&
			      same_str(a->dump->comment, b->dump->comment) &&
			      same_str(a->dump->text, b->dump->text));
		}
	}
	CHECK(labeled > 3);
	free(bt_run(ns, "nft add table ip other", NULL));
	CHECK(later.n_chains > 0 &&
	      live_chain_labels(&s, &later, &later.chains[0]) == -EAGAIN);
	free(x);
	free(y);
	nlsock_close(&s);
	live_free(&cached);
	live_free(&later);
	live_free(&dumped);
	scratch_dir_remove(dir);
	ir_table_free(t);
}

/*
 * bt_table_all() with set elements changed: in the verdict map, wan0 now
 * goes to to_dmz and lan0 jumps to to_wan; the port set loses its last
 * element and gains 9999.
 */
static struct ir_table *table_all_changed(void)
{
	struct ir_table *t = bt_table_all();
	struct ir_set *map = ir_table_find_set(t, "zone_map");
	struct ir_set *ports = ir_table_find_set(t, "ports");
	struct ir_verdict v = { .kind = IR_JUMP, .chain = "to_wan" };
	struct ir_value val = bt_value(IR_OIFNAME, "lan0");
	size_t i;

	for (i = 0; i < map->n_elems; i++)
		if (!strcmp((const char *)map->elems[i].value.lo, "wan0")) {
			map->elems[i].verdict.kind = IR_GOTO;
			map->elems[i].verdict.chain = "to_dmz";
		}
	ir_set_add_elem(map, &val, &v);
	ir_set_normalize(map);
	ports->n_elems--;
	val = bt_value(IR_TH_DPORT, "9999");
	ir_set_add_elem(ports, &val, NULL);
	ir_set_normalize(ports);
	return t;
}

/* Element changes in maps and interval sets end as a full apply would. */
static void test_elements(void)
{
	const char *ns = bt_netns_new("incr-elem"), *ref;
	struct ir_table *t = bt_table_all(), *t2 = table_all_changed();
	struct apply_stats st;
	char *got, *want;
	int err;

	bt_netns_enter(ns);
	CHECK(kernel_update(t, NULL, &st) == FW_EXIT_OK);
	err = kernel_update(t2, NULL, &st);
	CHECK(err == FW_EXIT_OK);
	if (err) {
		got = bt_diag_take();
		fprintf(stderr, "%s", got);
		free(got);
	}
	CHECK(st.full == NULL);
	CHECK(st.changes >= 4);
	got = bt_run(ns, "nft -s list table inet fwctl", NULL);
	CHECK(bt_contains(got, "\"lan0\" : jump to_wan"));
	ref = bt_netns_new("incr-elem-ref");
	bt_netns_enter(ref);
	CHECK(kernel_apply(t2, false, NULL) == FW_EXIT_OK);
	want = bt_run(ref, "nft -s list table inet fwctl", NULL);
	CHECK(strcmp(got, want) == 0);
	if (strcmp(got, want))
		fprintf(stderr, "incremental:\n%s\nfull:\n%s\n", got, want);
	free(got);
	free(want);
	ir_table_free(t);
	ir_table_free(t2);
}

/* Another tool commits between fwctl's read and its batch. */
static const char *race_ns;
static int race_left;

static void race(void)
{
	static unsigned n;	/* a new table each time: a real commit */
	char cmd[64];

	if (race_left-- <= 0)
		return;
	snprintf(cmd, sizeof(cmd), "nft add table inet other%u", n++);
	free(bt_run(race_ns, cmd, NULL));
}

static void test_race(void)
{
	struct ir_table *t = bt_table_small(), *t2 = table_changed();
	struct apply_stats st;
	char *before, *after, *msg;

	race_ns = bt_netns_new("incr-race");
	bt_netns_enter(race_ns);
	CHECK(kernel_update(t, NULL, &st) == FW_EXIT_OK);
	kernel_update_between = race;
	/* Once: read again, retry, done. */
	race_left = 1;
	CHECK(kernel_update(t2, NULL, &st) == FW_EXIT_OK);
	CHECK(st.full == NULL && st.changes == 2);
	after = bt_run(race_ns, LIST, NULL);
	CHECK(bt_contains(after, "dport 2222 accept"));
	CHECK(bt_contains(after, "table inet other0"));
	free(after);
	/* Every time: the second failure is an error, nothing changed. */
	before = bt_run(race_ns, "nft -a -s list table inet fwctl", NULL);
	race_left = 2;
	CHECK(kernel_update(t, NULL, &st) == FW_EXIT_SYSTEM);
	msg = bt_diag_take();
	CHECK(bt_contains(msg, "the ruleset changed while fwctl was applying"));
	after = bt_run(race_ns, "nft -a -s list table inet fwctl", NULL);
	CHECK(strcmp(before, after) == 0);
	kernel_update_between = NULL;
	free(msg);
	free(before);
	free(after);
	ir_table_free(t);
	ir_table_free(t2);
}

/* What kernel_diff() prints of t against the live table, or NULL. */
static char *diff_text(const struct ir_table *t, const char *dir,
		       bool verbose)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int err;

	if (!f)
		return NULL;
	err = kernel_diff(t, f, dir, verbose);
	fclose(f);
	if (err != FW_EXIT_OK) {
		free(text);
		return NULL;
	}
	return text;
}

/*
 * fwctl diff reads the table from the cache and then dumps the chains of
 * the rules that go, for their labels. A commit in between: it must read
 * the whole table again and print what it prints without one.
 */
static void test_diff_race(void)
{
	struct ir_table *t = bt_table_small(), *t2 = table_changed();
	char dir[] = "/tmp/fwctl-diffrace-XXXXXX";
	char *calm, *raced, *told;
	struct apply_stats st;

	race_ns = bt_netns_new("incr-diffrace");
	bt_netns_enter(race_ns);
	CHECK(mkdtemp(dir) != NULL);
	CHECK(kernel_update(t, dir, &st) == FW_EXIT_OK);
	calm = diff_text(t2, dir, false);
	told = diff_text(t2, dir, true);
	/* The rule that goes with its text: its chain's dump. */
	CHECK(calm && bt_contains(calm, "- rule input #6 (backend-small.fw:"
				  "3): accept input proto tcp to port 22\n"));
	/* Without a commit: the cache, and one chain dumped for labels. */
	CHECK(told && bt_contains(told, "the live table from the cache; the "
				  "rules that go labeled by 1 chain dump\n"));
	plan_labels_between = race;
	race_left = 1;
	raced = diff_text(t2, dir, false);
	CHECK(race_left == 0);		/* the commit came */
	CHECK(raced && calm && !strcmp(raced, calm));
	free(told);
	/* The cache is of the generation before: now a dump, said so. */
	race_left = 0;
	told = diff_text(t2, dir, true);
	CHECK(told && !strstr(told, "from the cache"));
	CHECK(told && calm && !strncmp(told, calm, strlen(calm)));
	plan_labels_between = NULL;
	free(calm);
	free(raced);
	free(told);
	scratch_dir_remove(dir);
	ir_table_free(t);
	ir_table_free(t2);
}

/* An echo of the sample for rule k of batch b, the guess as it is. */
static void echo_guess(struct live_echoes *le, const struct batch *b,
		       size_t k, const char *chain, uint64_t key)
{
	struct live_echo *e;

	le->e = realloc(le->e, (le->n + 1) * sizeof(*le->e));
	e = &le->e[le->n++];
	snprintf(e->chain, sizeof(e->chain), "%s", chain);
	e->handle = batch_rule_handle(b, k, 100);
	e->key = key;
	e->has_key = true;
}

/* What plan_full_result() makes of these echoes: 0 or -1. */
static int full_result(const struct ir_table *t, const struct batch *b,
		       const struct live_echoes *le, size_t rules)
{
	struct live_table out;
	int err = plan_full_result(t, b, le, &out);

	if (!err) {
		CHECK(out.n_rules == rules);
		CHECK(out.n_objects == t->n_objects);
		CHECK(out.n_objects > 0);
		live_free(&out);
	}
	return err;
}

/*
 * After a full replace the handles between the echoes of the sample are
 * counted; the count is believed only when every echo is the rule it
 * should be, with the handle it should have.
 */
static void test_full_guess(void)
{
	struct ir_table *t = bt_table_all();
	struct live_echoes le = { 0 };
	struct nlsock s = { 0 };
	struct batch *b = batch_new(&s);
	size_t i, j, k = 0;

	batch_echo_sample(b, 3, live_echo_cb, &le);
	emit_table(b, t);
	for (i = 0; i < t->n_chains; i++)
		for (j = 0; j < t->chains[i]->n_rules; j++, k++)
			if (batch_rule_echoes(b, k))
				echo_guess(&le, b, k, t->chains[i]->name,
					   ir_rule_key(&t->chains[i]->rules[j],
						       t->queue_xt));
	CHECK(k > 6 && le.n >= 3 && le.n < k);
	CHECK(batch_rule_handle(b, k - 1, 100) > 100 + k - 1);	/* sets */
	CHECK(full_result(t, b, &le, k) == 0);
	le.e[le.n / 2].handle++;
	CHECK(full_result(t, b, &le, k) == -1);
	le.e[le.n / 2].handle--;
	le.e[le.n - 1].key ^= 1;
	CHECK(full_result(t, b, &le, k) == -1);
	le.e[le.n - 1].key ^= 1;
	le.e[1].chain[0] ^= 1;
	CHECK(full_result(t, b, &le, k) == -1);
	le.e[1].chain[0] ^= 1;
	le.n--;
	CHECK(full_result(t, b, &le, k) == -1);
	le.n = 0;
	CHECK(full_result(t, b, &le, k) == -1);
	free(le.e);
	batch_free(b);
	ir_table_free(t);
}

int main(void)
{
	bt_need_kernel();
	bt_diag_capture();
	test_noop();
	test_refused();
	test_race();
	test_cache();
	test_cache_damaged();
	test_labels();
	test_diff_race();
	test_cache_ahead();
	test_full_guess();
	test_elements();
	return bt_exit("incremental_test");
}
