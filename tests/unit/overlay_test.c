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
#include "rule_edit.h"
#include "unit.h"

#define FILES		40
#define STEPS		6
#define RULES_MAX	1500
#define PACKETS		6000

struct tally {
	unsigned	files, steps, kept, built, overlays, maps, uncached,
			mismatches,
			stale;
	unsigned long	packets;
};

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
		ty->maps += t->bases->b[i].boxes != 0;
		ty->uncached += t->bases->b[i].boxes != 0 &&
				!t->bases->b[i].flow;
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
	struct rule_text tx;
	char name[64], *s;
	size_t i;
	int step;

	rule_text_random(&tx, &g, seed, k, RULES_MAX);
	snprintf(name, sizeof(name), "overlay-%lu-%u.fw", seed, k);
	for (step = 0; step <= STEPS; step++) {
		if (step)
			for (i = 1 + opt_below(&g, 3); i > 0; i--)
				rule_text_edit(&tx, &g, (enum rule_edit)
					       opt_below(&g, 4));
		s = rule_text_join(&tx);
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
	rule_text_free(&tx);
	diag_reset();
	ty->files++;
}

int main(int argc, char **argv)
{
	static const char *const left[] = { "trees.base", "trees.id",
					    "trees.lines", "records.lock" };
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
	for (k = 0; k < sizeof(left) / sizeof(left[0]); k++) {
		snprintf(path, sizeof(path), "%s/%s", dir, left[k]);
		unlink(path);
	}
	CHECK(rmdir(dir) == 0);
	printf("overlay_test: %u files, %u steps, %lu packets: %u trees kept "
	       "(%u with an overlay, %u with flow map elements, %u of them "
	       "without a cache), %u built, %u steps that changed verdicts, "
	       "%u mismatches\n", ty.files, ty.steps, ty.packets, ty.kept,
	       ty.overlays, ty.maps, ty.uncached, ty.built, ty.stale,
	       ty.mismatches);
	CHECK_EQ(ty.mismatches, 0);
	CHECK(ty.overlays > ty.steps / 2);
	CHECK(ty.built > 0);
	CHECK(ty.uncached > 0 && ty.uncached < ty.maps);
	CHECK(ty.stale > ty.steps / 4);
	return unit_summary("overlay_test");
}
