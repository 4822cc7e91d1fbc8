// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The optimizer keeps first-match semantics exactly: random rule files,
 * each compiled as written (COMPILE_LINEAR) and optimized, and the same
 * packets, aimed at the rules' values and edges, run through both tables
 * (ir_eval). Verdict, reject kind and the deciding rule's source location
 * must agree for every packet.
 *
 * A self-check proves the comparison can fail: it corrupts optimized
 * tables (removes a verdict map element or a rule of a regular chain, or
 * swaps two rules, each a part that a calibration stream of packets used
 * and whose loss that stream shows) and requires another stream to find
 * each corruption.
 *
 * optimize_test [-s SEED] [-n FILES] [-f FILE] [-p PERCENT]: a series of
 * FILES files (160) from SEED (1); -f runs one file of the series (a
 * failure names both); -p scales the packet counts. The _san twin runs
 * 50 files at 4 percent unless told otherwise. A file with mismatches is
 * written to optimize-SEED-FILE.fw in the current directory. The summary
 * also gives the rules entered per packet in either table: the cost the
 * optimizer is there to cut.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compile.h"
#include "diag.h"
#include "ir_eval.h"
#include "opt.h"
#include "opt_gen.h"
#include "unit.h"

#define FILES		160
#define RULES_MAX	3000
#define WORK_PER_FILE	6000000.0	/* packets x rules, roughly */
#define PACKETS_MAX	40000
#define PACKETS_MIN	400
#define REPORT_MAX	3		/* mismatches shown per file */
#define SELF_FILES	6		/* files corrupted, each way */
#define SELF_SHOWN	12	/* a corruption the calibration sees that often
				   (an independent stream then misses it with
				   odds of e^-12) */

struct opts {
	unsigned long	seed;
	unsigned	files;
	long		file;		/* -1: all */
	unsigned	percent;
	const char	*rules;		/* -r: this rule file, not random ones */
};

struct tally {
	unsigned	files, refused, mismatches;
	unsigned long	rules, ir_linear, ir_optimized, packets;
	unsigned long	tails;		/* shared leaf tails (opt_tail.c) */
	unsigned long	cost_linear, cost_optimized;	/* rules entered */
	unsigned long	decided;	/* source rules that decided a packet */
	unsigned long	moved;		/* ... a later one with that verdict */
	unsigned long	left_out;	/* ... the policy it repeats */
	double		eval_seconds;
	unsigned	self_tried, self_found;
};

struct pair {
	struct ir_table	*linear, *optimized;
	struct opt_pool	*pool;		/* of the linear table */
	char		*text;
	char		name[256];
	size_t		n_rules;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sizes spread evenly over powers of two, 1 to RULES_MAX. */
static size_t file_size(struct opt_rng *g)
{
	unsigned b = opt_below(g, 12);
	size_t n = (1u << b) + opt_below(g, 1u << b);

	return n > RULES_MAX ? RULES_MAX : n;
}

static unsigned file_packets(const struct opts *o, size_t ir_rules)
{
	double n = WORK_PER_FILE / (double)(ir_rules + 20);

	n = n > PACKETS_MAX ? PACKETS_MAX : n < PACKETS_MIN ? PACKETS_MIN : n;
	return (unsigned)(n * o->percent / 100) + 1;
}

/* A rule file, and its line count as the number of rules. */
static char *read_text(const char *path, size_t *lines)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t size = 0, i;

	if (!f || getdelim(&text, &size, '\0', f) < 0) {
		fprintf(stderr, "optimize_test: cannot read %s\n", path);
		exit(99);
	}
	fclose(f);
	for (*lines = 0, i = 0; text[i]; i++)
		*lines += text[i] == '\n';
	return text;
}

static bool pair_make(struct pair *p, const struct opts *o, unsigned k)
{
	const struct opt_wide saved_wide = opt_wide;
	struct opt_rng g;
	size_t len;

	opt_rng_seed(&g, o->seed * 1000003ull + k);
	if (o->rules) {
		p->text = read_text(o->rules, &p->n_rules);
		snprintf(p->name, sizeof(p->name), "%s", o->rules);
	} else {
		p->n_rules = file_size(&g);
		p->text = opt_gen_rules(&g, p->n_rules,
					k % 4 == 3 ? OPT_GEN_LIST : 0);
		snprintf(p->name, sizeof(p->name), "optimize-%lu-%u.fw",
			 o->seed, k);
	}
	len = strlen(p->text);
	p->linear = compile_buffer_flags(p->name, p->text, len,
					 COMPILE_LINEAR);
	/*
	 * One file in four is a ClassBench-like list (wide rules last),
	 * compiled with the wide tree wherever one can be built: the
	 * optimizer's own choice takes it for big lists only. Another one
	 * in four builds the wide tree wherever it can and always gives it
	 * up, so the one tree is built a second time.
	 */
	if (k % 4 == 3)
		opt_wide = (struct opt_wide){ .try_pct = 0, .gain_pct = 1000 };
	else if (k % 4 == 1)
		opt_wide = (struct opt_wide){ .try_pct = 0, .gain_pct = 0 };
	p->optimized = compile_buffer(p->name, p->text, len);
	opt_wide = saved_wide;
	p->pool = p->linear ? opt_pool_new(p->linear) : NULL;
	return p->linear && p->optimized;
}

static void pair_free(struct pair *p)
{
	opt_pool_free(p->pool);
	ir_table_free(p->linear);
	ir_table_free(p->optimized);
	free(p->text);
	diag_reset();
}

static void save_file(const struct pair *p)
{
	FILE *f = fopen(p->name, "w");

	if (!f)
		return;
	fputs(p->text, f);
	fclose(f);
}

static void report(const struct pair *p, const struct ir_packet *pk,
		   enum ir_hook hook, const struct ir_eval_result *a,
		   const struct ir_eval_result *b)
{
	char buf[512];

	ir_packet_describe(pk, buf, sizeof(buf));
	fprintf(stderr, "%s (%zu rules): mismatch at hook %d\n  packet: %s\n",
		p->name, p->n_rules, hook, buf);
	ir_eval_describe(a, buf, sizeof(buf));
	fprintf(stderr, "  linear:    %s\n", buf);
	ir_eval_describe(b, buf, sizeof(buf));
	fprintf(stderr, "  optimized: %s\n", buf);
}

/* Rule r of chain in, alone: what it does to pk (one->rule: it matched). */
static void rule_alone(const struct ir_table *t, const struct ir_chain *in,
		       struct ir_rule *r, const struct ir_packet *pk,
		       struct ir_eval_result *one)
{
	struct ir_chain c;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", in->name);
	c.rules = r;
	c.n_rules = 1;
	ir_eval_chain(t, &c, pk, NULL, one);
}

/* Does the linear table's rule from loc match pk with verdict v? */
static bool rule_at_matches(const struct ir_table *t, struct fw_loc loc,
			    const struct ir_packet *pk,
			    const struct ir_eval_result *v)
{
	struct ir_eval_result one;
	size_t i, j;

	if (!loc.file)
		return false;
	for (i = 0; i < t->n_chains; i++) {
		for (j = 0; j < t->chains[i]->n_rules; j++) {
			struct ir_rule *r = &t->chains[i]->rules[j];

			if (!r->loc.file || strcmp(r->loc.file, loc.file) ||
			    r->loc.line != loc.line || r->loc.col != loc.col)
				continue;
			rule_alone(t, t->chains[i], r, pk, &one);
			if (one.rule && ir_eval_same_verdict(&one, v))
				return true;
		}
	}
	return false;
}

/*
 * The optimizer may let a later rule decide where an earlier one did,
 * when both give the packet the same verdict (it moves rules past others
 * they share no packet with, or that agree with them). Such a result is
 * right when that later rule really matches the packet.
 */
static bool same_by_other(const struct pair *p, const struct ir_packet *pk,
			  const struct ir_eval_result *a,
			  const struct ir_eval_result *b)
{
	return ir_eval_same_verdict(a, b) && !a->policy && !b->policy &&
	       rule_at_matches(p->linear, b->loc, pk, a);
}

/*
 * The optimizer may leave out a rule of a chain's last run whose verdict
 * is the drop policy the chain ends in (its own, or that of the base
 * chains that goto it) when no later rule of another verdict shares a
 * packet with it: the policy then decides where the rule did. Such a
 * result is right when the packet, past that rule, matches no rule of the
 * chain with another verdict.
 */
static bool same_by_policy(const struct pair *p, const struct ir_packet *pk,
			   const struct ir_eval_result *a,
			   const struct ir_eval_result *b)
{
	const struct ir_chain *c = a->chain;
	struct ir_eval_result one;
	size_t j = 0;

	if (a->error || b->error || a->kind != b->kind ||
	    (a->kind != IR_ACCEPT && a->kind != IR_DROP) || a->policy ||
	    !b->policy || !a->rule || !c)
		return false;
	while (j < c->n_rules && &c->rules[j] != a->rule)
		j++;
	if (j == c->n_rules)
		return false;
	for (j++; j < c->n_rules; j++) {
		rule_alone(p->linear, c, &c->rules[j], pk, &one);
		if (one.rule && !ir_eval_same_verdict(&one, a))
			return false;
	}
	return true;
}

/*
 * Runs n packets of stream `stream` through both tables; returns the
 * mismatches. quiet: a self-check, where mismatches are the goal.
 */
static unsigned pair_run(const struct pair *p, uint64_t stream, unsigned n,
			 bool quiet, struct tally *t)
{
	struct ir_eval_result a, b;
	unsigned i, bad = 0;
	bool *line = calloc(p->n_rules + 100, sizeof(*line));
	struct ir_packet pk;
	enum ir_hook hook;
	struct opt_rng g;
	double t0 = now();

	if (!line)
		abort();
	opt_rng_seed(&g, stream);
	for (i = 0; i < n; i++) {
		opt_packet(p->pool, &g, &pk, &hook);
		ir_eval_hook(p->linear, hook, &pk, NULL, &a);
		ir_eval_hook(p->optimized, hook, &pk, NULL, &b);
		t->cost_linear += a.rules;
		t->cost_optimized += b.rules;
		if (a.rule && a.loc.file && a.loc.line < p->n_rules + 100 &&
		    !line[a.loc.line]) {
			line[a.loc.line] = true;
			t->decided++;
		}
		if (ir_eval_same(&a, &b))
			continue;
		if (same_by_other(p, &pk, &a, &b)) {
			t->moved++;
			continue;
		}
		if (same_by_policy(p, &pk, &a, &b)) {
			t->left_out++;
			continue;
		}
		if (!quiet && bad < REPORT_MAX)
			report(p, &pk, hook, &a, &b);
		bad++;
	}
	t->eval_seconds += now() - t0;
	t->packets += n;
	free(line);
	return bad;
}

/* What packets of a calibration stream used: rules, map elements. */
struct used {
	const struct ir_rule	**rules;
	const struct ir_elem	**elems;
	size_t			n_rules, n_elems, cap;
};

static void used_taken(void *ctx, const struct ir_chain *c,
		       const struct ir_rule *r, const struct ir_elem *e)
{
	struct used *u = ctx;

	(void)c;
	if (e && u->n_elems < u->cap)
		u->elems[u->n_elems++] = e;
	else if (!e && r->loc.file && u->n_rules < u->cap)
		u->rules[u->n_rules++] = r;
}

static void used_collect(const struct pair *p, uint64_t stream, unsigned n,
			 struct used *u)
{
	struct ir_eval_trace tr = { used_taken, u };
	struct ir_eval_result res;
	struct ir_packet pk;
	enum ir_hook hook;
	struct opt_rng g;
	unsigned i;

	u->cap = n;
	u->rules = calloc(n, sizeof(*u->rules));
	u->elems = calloc(n, sizeof(*u->elems));
	if (!u->rules || !u->elems)
		abort();
	opt_rng_seed(&g, stream);
	for (i = 0; i < n; i++) {
		opt_packet(p->pool, &g, &pk, &hook);
		ir_eval_hook(p->optimized, hook, &pk, &tr, &res);
	}
}

/* The chain of t that holds rule r, and r's index there. */
static struct ir_chain *chain_of(struct ir_table *t, const struct ir_rule *r,
				 size_t *at)
{
	size_t i;

	for (i = 0; i < t->n_chains; i++) {
		struct ir_chain *c = t->chains[i];

		if (r >= c->rules && r < c->rules + c->n_rules) {
			*at = (size_t)(r - c->rules);
			return c;
		}
	}
	return NULL;
}

static bool drop_elem(struct ir_table *t, const struct ir_elem *e)
{
	size_t i;

	for (i = 0; i < t->n_sets; i++) {
		struct ir_set *s = t->sets[i];

		if (e >= s->elems && e < s->elems + s->n_elems) {
			size_t k = (size_t)(e - s->elems);

			memmove(&s->elems[k], &s->elems[k + 1],
				(s->n_elems - k - 1) * sizeof(*s->elems));
			s->n_elems--;
			return true;
		}
	}
	return false;
}

/* Removes r when it sits in a regular chain (not a base chain). */
static bool drop_rule(struct ir_table *t, const struct ir_rule *r)
{
	size_t k;
	struct ir_chain *c = chain_of(t, r, &k);

	if (!c || c->hook != IR_HOOK_NONE)
		return false;
	ir_rule_free(&c->rules[k]);
	memmove(&c->rules[k], &c->rules[k + 1],
		(c->n_rules - k - 1) * sizeof(*c->rules));
	c->n_rules--;
	return true;
}

static bool loc_differs(const struct ir_rule *a, const struct ir_rule *b)
{
	return a->loc.line != b->loc.line || a->loc.col != b->loc.col;
}

/* Swaps r with the rule before it when that one is used too. */
static bool swap_rule(struct ir_table *t, const struct ir_rule *r,
		      const struct used *u)
{
	struct ir_rule tmp;
	size_t k, i;
	struct ir_chain *c = chain_of(t, r, &k);

	if (!c || !k || !loc_differs(&c->rules[k - 1], r))
		return false;
	for (i = 0; i < u->n_rules && u->rules[i] != &c->rules[k - 1]; i++)
		;
	if (i == u->n_rules)
		return false;
	tmp = c->rules[k];
	c->rules[k] = c->rules[k - 1];
	c->rules[k - 1] = tmp;
	return true;
}

enum corruption { CORRUPT_ELEM, CORRUPT_RULE, CORRUPT_SWAP, CORRUPT_COUNT };

static const char *const corruption_names[] = {
	"drop a map element", "drop a rule of a regular chain",
	"swap two rules",
};

/* Applies one corruption of kind k to a used part; false: none fits. */
static bool corrupt(struct ir_table *t, const struct used *u,
		    enum corruption k, struct opt_rng *g)
{
	unsigned tries;

	for (tries = 0; tries < 200; tries++) {
		if (k == CORRUPT_ELEM && u->n_elems &&
		    drop_elem(t, u->elems[opt_below(g, (unsigned)u->n_elems)]))
			return true;
		if (!u->n_rules)
			return false;
		if (k == CORRUPT_RULE &&
		    drop_rule(t, u->rules[opt_below(g, (unsigned)u->n_rules)]))
			return true;
		if (k == CORRUPT_SWAP &&
		    swap_rule(t, u->rules[opt_below(g, (unsigned)u->n_rules)],
			      u))
			return true;
	}
	return false;
}

/*
 * One corruption of a kind on a fresh compile of file k, of a part that
 * the calibration stream used and whose loss that stream sees; the
 * packets that must find it are another stream. False: no such part.
 */
static bool corrupt_one(const struct opts *o, unsigned k,
			enum corruption kind, unsigned attempt, bool *found)
{
	struct tally scratch = { 0 };
	struct used u = { 0 };
	struct opt_rng g;
	struct pair p;
	bool shown = false;
	unsigned n;

	if (!pair_make(&p, o, k)) {
		pair_free(&p);
		return false;
	}
	n = file_packets(o, ir_table_rule_count(p.linear));
	opt_rng_seed(&g, k * 31 + kind * 7 + attempt);
	used_collect(&p, o->seed + 77, n, &u);
	if (corrupt(p.optimized, &u, kind, &g) &&
	    pair_run(&p, o->seed + 77, n, true, &scratch) >= SELF_SHOWN) {
		shown = true;
		*found = pair_run(&p, o->seed + 99, n, true, &scratch) > 0;
		if (!*found)
			fprintf(stderr, "%s: self-check (%s) found nothing\n",
				p.name, corruption_names[kind]);
	}
	free(u.rules);
	free(u.elems);
	pair_free(&p);
	return shown;
}

static void self_check(const struct opts *o, unsigned k, struct tally *t)
{
	unsigned kind, attempt;
	bool found;

	for (kind = 0; kind < CORRUPT_COUNT; kind++)
		for (attempt = 0; attempt < 8; attempt++)
			if (corrupt_one(o, k, (enum corruption)kind, attempt,
					&found)) {
				t->self_tried++;
				t->self_found += found;
				break;
			}
}

/* Chains of shared leaf tails: NAME_tRUN_FAMILY_xHASH. */
static unsigned long tail_count(const struct ir_table *t)
{
	unsigned long n = 0;
	size_t i;

	for (i = 0; i < t->n_chains; i++) {
		const char *x = strrchr(t->chains[i]->name, '_');

		n += x && x[1] == 'x' && x - t->chains[i]->name > 2 &&
		     (x[-1] == '4' || x[-1] == '6') && x[-2] == '_';
	}
	return n;
}

/* Returns the file's IR rule count (linear), 0 when refused. */
static size_t file_run(const struct opts *o, unsigned k, struct tally *t)
{
	struct pair p;
	size_t n;
	unsigned bad;

	if (!pair_make(&p, o, k)) {
		t->refused++;
		pair_free(&p);
		return 0;
	}
	n = ir_table_rule_count(p.linear);
	t->files++;
	t->rules += p.n_rules;
	t->ir_linear += ir_table_rule_count(p.linear);
	t->ir_optimized += ir_table_rule_count(p.optimized);
	t->tails += tail_count(p.optimized);
	bad = pair_run(&p, o->seed * 7 + k, file_packets(o,
		       ir_table_rule_count(p.linear)), false, t);
	if (bad) {
		save_file(&p);
		fprintf(stderr, "%s: %u mismatches; the file is saved there; "
			"again: optimize_test -s %lu -f %u\n", p.name, bad,
			o->seed, k);
	}
	t->mismatches += bad;
	pair_free(&p);
	return n;
}

static bool is_san(const char *argv0)
{
	size_t n = strlen(argv0);

	return n > 4 && !strcmp(argv0 + n - 4, "_san");
}

static int opts_parse(struct opts *o, int argc, char **argv)
{
	int c;

	bool san = is_san(argv[0]);

	*o = (struct opts){ .seed = 1, .file = -1, .files = san ? 50 : FILES,
			    .percent = san ? 4 : 100 };
	while ((c = getopt(argc, argv, "s:n:f:p:r:")) != -1) {
		if (c == 's')
			o->seed = strtoul(optarg, NULL, 0);
		else if (c == 'n')
			o->files = (unsigned)strtoul(optarg, NULL, 0);
		else if (c == 'f')
			o->file = strtol(optarg, NULL, 0);
		else if (c == 'p')
			o->percent = (unsigned)strtoul(optarg, NULL, 0);
		else if (c == 'r')
			o->rules = optarg;
		else
			return -1;
	}
	return 0;
}

static double per(double a, double b)
{
	return b ? a / b : 0;
}

static void summary(const struct opts *o, const struct tally *t)
{
	printf("optimize_test: seed %lu: %u files (%u refused by the "
	       "checker), %lu rules (%lu IR rules linear, %lu optimized), "
	       "%lu packets, %u mismatches; self-check %u of %u corruptions "
	       "found\n", o->seed, t->files, t->refused, t->rules,
	       t->ir_linear, t->ir_optimized, t->packets, t->mismatches,
	       t->self_found, t->self_tried);
	printf("optimize_test: %lu packets decided by a later rule with the "
	       "same verdict (reordered, checked to match), %lu by the "
	       "policy where a rule repeating it was left out (checked: no "
	       "later rule of another verdict matches)\n", t->moved,
	       t->left_out);
	printf("optimize_test: %lu chains of shared leaf tails\n", t->tails);
	printf("optimize_test: %.0f%% of the rules decided a packet; rules "
	       "entered per packet %.1f linear, %.1f optimized; %.0f packets/s "
	       "through both tables\n",
	       100 * per((double)t->decided, (double)t->rules),
	       per((double)t->cost_linear, (double)t->packets),
	       per((double)t->cost_optimized, (double)t->packets),
	       per((double)t->packets, t->eval_seconds));
}

int main(int argc, char **argv)
{
	struct tally t = { 0 };
	struct opts o;
	unsigned k, self = 0;
	size_t n;

	if (opts_parse(&o, argc, argv)) {
		fprintf(stderr, "usage: optimize_test [-s SEED] [-n FILES] "
			"[-f FILE] [-p PERCENT] [-r RULEFILE]\n");
		return 64;
	}
	diag_set_stream(fopen("/dev/null", "w"));
	if (o.rules)
		o.files = 1;
	for (k = 0; k < o.files; k++) {
		if (o.file >= 0 && k != (unsigned)o.file)
			continue;
		n = file_run(&o, k, &t);
		if (n >= 30 && n <= 1500 && self < SELF_FILES && k % 3 == 2) {
			self_check(&o, k, &t);
			self++;
		}
	}
	summary(&o, &t);
	CHECK_EQ(t.mismatches, 0);
	CHECK(t.refused * 20 <= t.files + t.refused);
	if (o.file < 0 && o.files >= 3 * SELF_FILES * 2) {
		CHECK(t.self_tried >= SELF_FILES);
		CHECK_EQ(t.self_found, t.self_tried);
		/* The lists are big enough for leaves to share tails: the
		 * packets above went through them. */
		CHECK(t.tails > 0);
	}
	return unit_summary("optimize_test");
}
