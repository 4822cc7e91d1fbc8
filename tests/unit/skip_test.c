// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A compile that leaves out the lines that did not change since the last
 * apply (cli/compile_skip.c) gives the table the whole file compiles to:
 * random rule files (zones with interfaces, sets, ICMP, NAT-free lists of
 * 300-1500 rules) edited over several steps, each step compiled against
 * the records the step before stored (as apply stores and loads them),
 * once whole (FWCTL_NO_SKIP) and once leaving lines out. The two tables
 * must export to the same text and store the same records.
 *
 * The edits: the overlay's (a verdict flipped, a rule deleted, copied or
 * swapped with the next), and lines that are no rule: a comment or a
 * blank line inserted, a rule with a counter (not movable: it splits a
 * tree's list), a define at the top (every line moves), a policy flipped.
 *
 * So that it can fail: most steps must leave lines out, and some must
 * compile whole. The records of both compiles are compared byte for byte.
 *
 * skip_test [-s SEED] [-n FILES] [-v]   (-v: the compiler's messages)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compile.h"
#include "diag.h"
#include "export.h"
#include "opt_base.h"
#include "opt_gen.h"
#include "rule_edit.h"
#include "scratch_dir.h"
#include "unit.h"

#define FILES		30
#define STEPS		6
#define RULES_MAX	1500

struct tally {
	unsigned	files, steps, skipping, whole, lines, left_out;
	unsigned	mismatches, records;
};

static void text_write(const struct rule_text *t, const char *path)
{
	FILE *f = fopen(path, "w");
	size_t i;

	if (!f)
		exit(99);
	for (i = 0; i < t->n; i++)
		fprintf(f, "%s\n", t->line[i]);
	fclose(f);
}

static char *with(const char *a, const char *b)
{
	char *s = malloc(strlen(a) + strlen(b) + 1);

	sprintf(s, "%s%s", a, b);
	return s;
}

/* A line that is no rule: most are left out as they were no more. */
static void edit_other(struct rule_text *t, struct opt_rng *g, unsigned step)
{
	/* Each define its own name: two in one step were an error. */
	static unsigned defines;
	size_t at = opt_below(g, (unsigned)t->n + 1), i;
	char buf[64];

	switch (opt_below(g, 4)) {
	case 0:
		snprintf(buf, sizeof(buf), "# step %u", step);
		rule_text_insert(t, at, strdup(buf));
		break;
	case 1:
		rule_text_insert(t, at, strdup(""));
		break;
	case 2:
		snprintf(buf, sizeof(buf), "define step%u_%u = 22", step,
			 ++defines);
		rule_text_insert(t, 0, strdup(buf));
		break;
	default:
		for (i = 0; i < t->n; i++) {
			if (!strcmp(t->line[i], "policy forward accept")) {
				free(t->line[i]);
				t->line[i] = strdup("policy forward drop");
				break;
			}
		}
	}
}

/*
 * One random edit: the overlay's (rule_edit.h), a rule with a counter
 * copied, or a line that is no rule (one in six).
 */
static void edit(struct rule_text *t, struct opt_rng *g, unsigned step)
{
	size_t i, j;

	switch (opt_below(g, 6)) {
	case 3:		/* one with a counter: not movable */
		i = rule_text_pick(t, g);
		j = rule_text_pick(t, g);
		if (i < t->n && j < t->n && !opt_below(g, 3) &&
		    !strstr(t->line[i], "counter")) {
			rule_text_insert(t, j, with(t->line[i], " counter"));
			break;
		}
		__attribute__((fallthrough));
	case 4:
		rule_text_edit(t, g, RULE_SWAP);
		break;
	case 5:
		edit_other(t, g, step);
		break;
	default:
		rule_text_edit(t, g, (enum rule_edit)opt_below(g, 3));
	}
}

static char *exported(const struct ir_table *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		exit(99);
	export_table(t, f);
	fclose(f);
	return buf;
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
	char path[256], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc((size_t)n + 1, 1);
	*len = fread(buf, 1, (size_t)n, f);
	fclose(f);
	return buf;
}

static bool same_file(const char *a, const char *b, const char *name)
{
	size_t la = 0, lb = 0;
	char *x = slurp(a, name, &la), *y = slurp(b, name, &lb);
	bool same = (!x && !y) || (x && y && la == lb && !memcmp(x, y, la));

	free(x);
	free(y);
	return same;
}

static void first_difference(const char *a, const char *b, const char *what)
{
	size_t line = 1;
	const char *a0 = a;

	for (; *a && *a == *b; a++, b++)
		line += *a == '\n';
	/* From the start of the line. */
	while (a > a0 && a[-1] != '\n')
		a--, b--;
	fprintf(stderr, "%s: export differs at line %zu:\n  whole: %.120s\n"
		"  skip:  %.120s\n", what, line, a, b);
}

static struct ir_table *compile_whole(const char *path, struct opt_bases *in)
{
	struct ir_table *t;

	setenv("FWCTL_NO_SKIP", "1", 1);
	t = compile_file_timed(path, COMPILE_BASES, in, NULL);
	unsetenv("FWCTL_NO_SKIP");
	return t;
}

/* Step's tables: the same export, the same records; in: B's records. */
static void step_check(const char *path, const char *dir_a, const char *dir_b,
		       struct opt_bases **in, struct tally *ty)
{
	static const char id[] = "id test\n";
	struct compile_times tm;
	struct ir_table *whole = compile_whole(path, *in);
	struct ir_table *skip = compile_file_timed(path, COMPILE_BASES, *in,
						   &tm);
	char *x, *y;

	if (!CHECK(whole && skip)) {
		ir_table_free(whole);
		ir_table_free(skip);
		return;
	}
	ty->skipping += tm.skipped > 0;
	ty->whole += tm.skipped == 0;
	ty->lines += (unsigned)tm.lines;
	ty->left_out += (unsigned)tm.skipped;
	x = exported(whole);
	y = exported(skip);
	if (strcmp(x, y)) {
		ty->mismatches++;
		first_difference(x, y, path);
	}
	free(x);
	free(y);
	opt_bases_store(dir_a, id, whole->bases, *in);
	opt_bases_store(dir_b, id, skip->bases, *in);
	if (!same_file(dir_a, dir_b, "trees.base") ||
	    !same_file(dir_a, dir_b, "trees.lines")) {
		ty->records++;
		fprintf(stderr, "%s: the records differ (%s)\n", path,
			same_file(dir_a, dir_b, "trees.base") ? "lines"
							     : "trees");
	}
	ir_table_free(whole);
	ir_table_free(skip);
	opt_bases_free(*in);
	*in = opt_bases_load(dir_b, id);
	CHECK(*in != NULL);
}

static void file_run(unsigned long seed, unsigned k, const char *dir_a,
		     const char *dir_b, struct tally *ty)
{
	struct opt_bases *in = NULL;
	struct opt_rng g;
	struct rule_text tx;
	char path[256];
	size_t i;
	unsigned step;

	rule_text_random(&tx, &g, seed, k, RULES_MAX);
	snprintf(path, sizeof(path), "%s/rules.fw", dir_b);
	for (step = 0; step <= STEPS; step++) {
		if (step)
			for (i = 1 + opt_below(&g, 3); i > 0; i--)
				edit(&tx, &g, step);
		text_write(&tx, path);
		step_check(path, dir_a, dir_b, &in, ty);
		ty->steps += step > 0;
	}
	opt_bases_free(in);
	rule_text_free(&tx);
	diag_reset();
	ty->files++;
}

int main(int argc, char **argv)
{
	char dir_a[] = "/tmp/skip_test.XXXXXX", dir_b[] = "/tmp/skip_test.XXXXXX";
	unsigned long seed = 1;
	unsigned files = FILES, k;
	struct tally ty = { 0 };
	bool verbose = false;

	if (!unit_random_args(argc, argv, &seed, &files, &verbose))
		return 64;
	if (!mkdtemp(dir_a) || !mkdtemp(dir_b))
		return 99;
	if (!verbose)
		diag_set_stream(fopen("/dev/null", "w"));
	for (k = 0; k < files; k++)
		file_run(seed, k, dir_a, dir_b, &ty);
	scratch_dir_remove(dir_a);
	scratch_dir_remove(dir_b);
	printf("skip_test: %u files, %u steps: %u compiles left lines out "
	       "(%u of %u lines), %u compiled whole; %u exports and %u "
	       "records differ\n", ty.files, ty.steps, ty.skipping,
	       ty.left_out, ty.lines, ty.whole, ty.mismatches, ty.records);
	CHECK_EQ(ty.mismatches, 0);
	CHECK_EQ(ty.records, 0);
	CHECK(ty.skipping > ty.steps / 3);
	CHECK(ty.whole > 0);
	return unit_summary("skip_test");
}
