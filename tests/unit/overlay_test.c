// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An overlay in front of a kept tree (cli/opt_overlay.c) gives the new
 * list's verdicts: random rule files, each edited a few rules at a time
 * over several steps (a verdict flipped, a rule deleted, a rule copied to
 * another place, two rules swapped), each step compiled against the
 * records of the one before, stored and loaded through the files an
 * apply uses (opt_base.c), as apply does. The table the kernel would then
 * hold (the step's chains and the kept trees' chains, from the step that
 * built them) and the step's file compiled as written get the same
 * packets (ir_eval), aimed at the rules of both the old and the new file.
 * Their verdicts must agree for every packet.
 *
 * So that it can fail: the same packets through the old table instead
 * must show the edits (and do, for some steps); the steps must keep some
 * trees with an overlay, and build others anew when too much changed.
 *
 * overlay_test [-s SEED] [-n FILES] [-v]   (-v: the compiler's messages)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compile.h"
#include "diag.h"
#include "ir_eval.h"
#include "opt_base.h"
#include "opt_gen.h"
#include "unit.h"

#define FILES		40
#define STEPS		6
#define RULES_MAX	1500
#define PACKETS		6000

struct tally {
	unsigned	files, steps, kept, built, overlays, mismatches, stale;
	unsigned long	packets;
};

/* The file as lines; rule lines are those that start with a verdict. */
struct text {
	char	**line;
	size_t	n;
};

static bool is_rule(const char *l)
{
	return !strncmp(l, "accept ", 7) || !strncmp(l, "drop ", 5) ||
	       !strncmp(l, "reject ", 7);
}

static void text_split(struct text *t, char *s)
{
	char *save = NULL, *l;

	t->n = 0;
	t->line = calloc(strlen(s) + 2, sizeof(*t->line));
	for (l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		t->line[t->n++] = strdup(l);
}

static char *text_join(const struct text *t)
{
	size_t i, len = 1;
	char *s;

	for (i = 0; i < t->n; i++)
		len += strlen(t->line[i]) + 1;
	s = calloc(len, 1);
	for (i = 0; i < t->n; i++) {
		strcat(s, t->line[i]);
		strcat(s, "\n");
	}
	return s;
}

static size_t rule_at(const struct text *t, struct opt_rng *g)
{
	size_t i, tries;

	for (tries = 0; tries < 1000; tries++) {
		i = opt_below(g, (unsigned)t->n);
		if (is_rule(t->line[i]))
			return i;
	}
	return t->n;
}

static void flip(char **l)
{
	const char *rest = strchr(*l, ' ');
	char *s = malloc(strlen(*l) + 8);

	sprintf(s, "%s%s", !strncmp(*l, "accept ", 7) ? "drop" : "accept",
		rest);
	free(*l);
	*l = s;
}

/* One random edit of a rule line. */
static void edit(struct text *t, struct opt_rng *g)
{
	size_t i = rule_at(t, g), j = rule_at(t, g), k;
	char *l;

	if (i == t->n || j == t->n)
		return;
	switch (opt_below(g, 4)) {
	case 0:
		if (strncmp(t->line[i], "reject ", 7)) {
			flip(&t->line[i]);
			break;
		}
		/* a reject's options need it: delete it */
		__attribute__((fallthrough));
	case 1:		/* delete */
		free(t->line[i]);
		memmove(&t->line[i], &t->line[i + 1],
			(t->n - i - 1) * sizeof(*t->line));
		t->n--;
		break;
	case 2:		/* a copy of rule i before rule j */
		l = strdup(t->line[i]);
		memmove(&t->line[j + 1], &t->line[j],
			(t->n - j) * sizeof(*t->line));
		t->line[j] = l;
		t->n++;
		break;
	default:	/* swap with the next rule line */
		for (k = i + 1; k < t->n && !is_rule(t->line[k]); k++)
			;
		if (k < t->n) {
			l = t->line[i];
			t->line[i] = t->line[k];
			t->line[k] = l;
		}
	}
}

/*
 * The table the kernel holds after step s: its chains, then the chains
 * it keeps, from the newest earlier step that has them.
 */
static struct ir_table *live_of(struct ir_table **steps, size_t s,
				struct ir_table *m)
{
	const struct ir_table *t = steps[s];
	size_t i, j, k;

	*m = *t;
	m->chains = calloc(t->n_chains + 1, sizeof(*m->chains));
	memcpy(m->chains, t->chains, t->n_chains * sizeof(*m->chains));
	for (k = s; k-- > 0;)
		for (i = 0; i < steps[k]->n_chains; i++) {
			struct ir_chain *c = steps[k]->chains[i];

			if (!opt_bases_keeps(t->bases, c->name))
				continue;
			for (j = 0; j < m->n_chains; j++)
				if (!strcmp(m->chains[j]->name, c->name))
					break;
			if (j < m->n_chains)
				continue;
			m->chains = realloc(m->chains, (m->n_chains + 1) *
						       sizeof(*m->chains));
			m->chains[m->n_chains++] = c;
		}
	return m;
}

static void report(const struct ir_packet *pk, const struct ir_eval_result *a,
		   const struct ir_eval_result *b, const char *name)
{
	char p[512], x[512], y[512];

	ir_packet_describe(pk, p, sizeof(p));
	ir_eval_describe(a, x, sizeof(x));
	ir_eval_describe(b, y, sizeof(y));
	fprintf(stderr, "%s: packet %s\n  as written: %s\n  overlay:    %s\n",
		name, p, x, y);
}

/*
 * The same verdict, from a rule or the policy: a tree leaves out drop
 * rules that a drop policy repeats (opt_tree.c), as optimize_test knows.
 */
static bool same(struct ir_eval_result a, struct ir_eval_result b)
{
	a.policy = b.policy = false;
	return ir_eval_same_verdict(&a, &b);
}

/* Packets aimed at the old and the new file's rules, through all three. */
static void compare(const struct ir_table *linear, const struct ir_table *old,
		    const struct ir_table *live, const char *name,
		    uint64_t seed, struct tally *ty)
{
	struct opt_pool *pool[2] = { opt_pool_new(linear), opt_pool_new(old) };
	struct ir_eval_result a, b, c;
	struct ir_packet pk;
	enum ir_hook hook;
	struct opt_rng g;
	unsigned i, bad = 0;
	bool stale = false;

	opt_rng_seed(&g, seed);
	for (i = 0; i < PACKETS; i++) {
		opt_packet(pool[i & 1], &g, &pk, &hook);
		ir_eval_hook(linear, hook, &pk, NULL, &a);
		ir_eval_hook(live, hook, &pk, NULL, &b);
		ir_eval_hook(old, hook, &pk, NULL, &c);
		stale = stale || !same(a, c);
		if (same(a, b))
			continue;
		if (bad++ < 3)
			report(&pk, &a, &b, name);
	}
	ty->packets += PACKETS;
	ty->mismatches += bad;
	ty->stale += stale;
	opt_pool_free(pool[0]);
	opt_pool_free(pool[1]);
}

static void count_bases(const struct ir_table *t, struct tally *ty)
{
	size_t i;

	for (i = 0; i < t->n_chains; i++) {
		const char *name = t->chains[i]->name;
		size_t len = strlen(name);

		ty->overlays += len > 3 && !strcmp(name + len - 3, "_ov");
	}
	for (i = 0; t->bases && i < t->bases->n; i++) {
		if (t->bases->b[i].kept)
			ty->kept++;
		else
			ty->built++;
	}
}

static void file_run(unsigned long seed, unsigned k, const char *dir,
		     struct tally *ty)
{
	static const char id[] = "id test\n";
	struct ir_table *steps[STEPS + 1] = { NULL }, live, *linear;
	struct opt_bases *in = NULL;
	struct opt_rng g;
	struct text tx;
	char name[64], *s;
	size_t n, i;
	int step;

	opt_rng_seed(&g, seed * 1000003ull + k);
	n = 300 + opt_below(&g, RULES_MAX - 300);
	s = opt_gen_rules(&g, n, k % 2 ? OPT_GEN_LIST : 0);
	text_split(&tx, s);
	free(s);
	snprintf(name, sizeof(name), "overlay-%lu-%u.fw", seed, k);
	for (step = 0; step <= STEPS; step++) {
		if (step)
			for (i = 1 + opt_below(&g, 3); i > 0; i--)
				edit(&tx, &g);
		s = text_join(&tx);
		steps[step] = compile_buffer_based(name, s, strlen(s),
						   COMPILE_BASES, in);
		linear = compile_buffer_flags(name, s, strlen(s),
					      COMPILE_LINEAR);
		free(s);
		if (!CHECK(steps[step] && linear)) {
			fprintf(stderr, "%s step %d does not compile\n", name,
				step);
			break;
		}
		if (step) {
			count_bases(steps[step], ty);
			live_of(steps, (size_t)step, &live);
			compare(linear, steps[step - 1], &live, name,
				seed + k * 100u + (unsigned)step, ty);
			free(live.chains);
			ty->steps++;
		}
		ir_table_free(linear);
		opt_bases_store(dir, id, steps[step]->bases, in);
		opt_bases_free(in);
		in = opt_bases_load(dir, id);
		CHECK(in != NULL);
	}
	opt_bases_free(in);
	for (step = 0; step <= STEPS; step++)
		ir_table_free(steps[step]);
	for (i = 0; i < tx.n; i++)
		free(tx.line[i]);
	free(tx.line);
	diag_reset();
	ty->files++;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/overlay_test.XXXXXX", path[64];
	unsigned long seed = 1;
	unsigned files = FILES, k;
	struct tally ty = { 0 };
	bool verbose = false;

	if (!unit_random_args(argc, argv, &seed, &files, &verbose))
		return 64;
	if (!mkdtemp(dir))
		return 99;
	if (!verbose)
		diag_set_stream(fopen("/dev/null", "w"));
	for (k = 0; k < files; k++)
		file_run(seed, k, dir, &ty);
	snprintf(path, sizeof(path), "%s/trees.base", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/trees.id", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/trees.lines", dir);
	unlink(path);
	rmdir(dir);
	printf("overlay_test: %u files, %u steps, %lu packets: %u trees kept "
	       "(%u with an overlay), %u built, %u steps that changed "
	       "verdicts, %u mismatches\n", ty.files, ty.steps, ty.packets,
	       ty.kept, ty.overlays, ty.built, ty.stale, ty.mismatches);
	CHECK_EQ(ty.mismatches, 0);
	CHECK(ty.overlays > ty.steps / 2);
	CHECK(ty.built > 0);
	CHECK(ty.stale > ty.steps / 4);
	return unit_summary("overlay_test");
}
