// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An apply that changes a few lines of a big file compiles only those:
 * most of a one-rule change was parsing, checking and lowering the other
 * 10,000 rules again, to find them as they were.
 *
 * The last apply's line record (opt_lines.h) holds two hashes of each
 * line of the file as it was (both must match: 2^-128 that a changed line
 * passes) and, for each rule line whose IR rules all went into the list of a tree
 * that is live with a record (opt_base.h), those rules' keys and places.
 * The lines of the file now are matched with the lines then (seqdiff.c).
 * A line that is the same and that the record lets skip is emptied (its
 * newline stays, so every other line keeps its number) and the rest is
 * compiled as usual; lowering puts the recorded rules in the emptied
 * lines' places as stand-ins (ir_rule.keep), which the overlay of their
 * kept tree counts by key and by the hull in the tree's record
 * (opt_overlay.c). The result is the table the whole file compiles to,
 * because:
 *
 *   - every line that changed, came or went is a blank or comment line or
 *     a rule alone on its line (opt_lines_ast), so the definitions,
 *     zones, sets and policies are the same text as then;
 *   - an emptied rule is movable, in a tree's list, with no interface and
 *     no zone that gives a chain of its own, so it changes nothing else
 *     (the chains before optimizing must be the ones of then, by name);
 *   - its stand-ins go where its rules went: lowering takes a file's
 *     rules in line order, and puts them in the chains they went to;
 *   - a tree is never built from stand-ins: the compile fails if a list
 *     with one needs building, and if one may meet a changed rule's guard
 *     (its hull meets it) its line is compiled after all, in one more try.
 *
 * When any of this does not hold, or the compile has an error or a
 * warning (which the whole compile then says), it returns NULL and the
 * file is compiled whole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "compile.h"
#include "diag.h"
#include "opt.h"
#include "opt_base.h"
#include "opt_lines.h"
#include "parser.h"
#include "seqdiff.h"
#include "source.h"
#include "xalloc.h"

/* More changed lines than an overlay takes rules: compile it whole. */
#define CHANGED_MAX	64

/* What the file now is against the record: which lines to leave out. */
struct plan {
	const struct opt_lines	*old;
	struct text_lines	now;
	size_t			*match;		/* match[j - 1]: line j's */
	struct line_skip	skip;
	size_t			n_fresh;
	uint32_t		*fresh;		/* lines that changed or came */
	bool			*stays;		/* stays[i]: old line i is here */
};

/* Line j now is line i then: both hashes (line_info). */
static bool same_line(const struct plan *p, size_t j, size_t i)
{
	return p->now.check[j - 1] == p->old->line[i].check;
}

/*
 * Matches the lines; false when a line went that was more than a rule or
 * a comment, or too many changed.
 */
static bool plan_lines(struct plan *p, const char *text, size_t len)
{
	const struct opt_lines *old = p->old;
	uint64_t *was = xcalloc(old->n_lines + 1, sizeof(*was));
	bool *stays = p->stays = xcalloc(old->n_lines + 2, sizeof(*stays));
	size_t i, j, gone = 0;
	bool ok = true;

	text_lines_split(&p->now, text, len);
	for (i = 1; i <= old->n_lines; i++)
		was[i - 1] = old->line[i].hash;
	p->match = xcalloc(p->now.n + 1, sizeof(*p->match));
	seqdiff(was, old->n_lines, p->now.hash, p->now.n, p->match);
	p->fresh = xcalloc(p->now.n + 1, sizeof(*p->fresh));
	for (j = 1; ok && j <= p->now.n; j++) {
		i = p->match[j - 1];
		if (i != SEQDIFF_NEW && same_line(p, j, i + 1)) {
			stays[i + 1] = true;
			continue;
		}
		p->match[j - 1] = SEQDIFF_NEW;
		p->fresh[p->n_fresh++] = (uint32_t)j;
		ok = p->n_fresh <= CHANGED_MAX;
	}
	for (i = 1; ok && i <= old->n_lines; i++) {
		if (stays[i])
			continue;
		ok = old->line[i].kind != LINE_OTHER && ++gone <= CHANGED_MAX;
	}
	free(was);
	return ok;
}

/* A hull of a rule that went, per tree and family: a guard, surely. */
struct gone {
	const struct opt_base	*b;
	int			fi;
	struct opt_span		h[D_COUNT];
};

static const struct opt_base *tree_of(const struct opt_bases *in,
				      const struct opt_lines *old,
				      const struct line_rule *lr)
{
	return lr->base == LINE_NEW ? NULL :
	       opt_bases_find(in, old->names[lr->chain], lr->run);
}

/* Whether lr's hull in family fi meets g's, where both are known. */
static bool meets_gone(const struct opt_bases *in, const struct line_rule *lr,
		       const struct opt_base *b, const struct gone *g)
{
	struct opt_span h[D_COUNT];
	int d;

	if (b != g->b || !(lr->fams & (g->fi ? OPT_V6 : OPT_V4)) ||
	    lr->base >= b->n || !opt_base_hull(in, b, lr->base, g->fi, h))
		return false;
	for (d = 0; d < D_COUNT; d++)
		if (h[d].hi < g->h[d].lo || g->h[d].hi < h[d].lo)
			return false;
	return true;
}

/*
 * The lines the overlays will likely need: rules whose hulls meet those
 * of the rules that went (a changed rule's new version mostly has the
 * old one's hull) and, when lines came, that are before the last of
 * them (the new version mostly matches all of its guard, and the
 * overlay's list ends there, opt_overlay.c). Found now, they save a
 * second try; a guess only: the overlay asks for what it misses.
 */
static void needs_ahead(struct plan *p, const struct opt_bases *in)
{
	const struct opt_lines *old = p->old;
	size_t until = p->n_fresh ? p->fresh[p->n_fresh - 1] : p->now.n;
	struct gone *gs = NULL;
	size_t n = 0, i, j, k, g;

	for (i = 1; i <= old->n_lines; i++) {
		const struct line_info *li = &old->line[i];

		for (k = li->first; !p->stays[i] && k < li->first + li->n; k++) {
			const struct line_rule *lr = &old->rules[k];
			const struct opt_base *b = tree_of(in, old, lr);
			int fi;

			for (fi = 0; b && lr->base < b->n && fi < 2; fi++) {
				if (!(lr->fams & (fi ? OPT_V6 : OPT_V4)))
					continue;
				gs = xgrow(gs, n, sizeof(*gs));
				gs[n] = (struct gone){ .b = b, .fi = fi };
				if (opt_base_hull(in, b, lr->base, fi, gs[n].h))
					n++;
			}
		}
	}
	for (j = 1; n && j <= until; j++) {
		const struct line_info *li;

		if (p->match[j - 1] == SEQDIFF_NEW)
			continue;
		li = &old->line[p->match[j - 1] + 1];
		for (k = li->first; li->skip && k < li->first + li->n; k++) {
			const struct opt_base *b = tree_of(in, old,
							   &old->rules[k]);

			for (g = 0; g < n; g++)
				if (meets_gone(in, &old->rules[k], b, &gs[g]))
					break;
			if (g < n) {
				p->skip.need = xgrow(p->skip.need,
						     p->skip.n_need,
						     sizeof(*p->skip.need));
				p->skip.need[p->skip.n_need++] = (uint32_t)j;
				break;
			}
		}
	}
	free(gs);
}

/* The lines to leave out: the same as then, skippable then, not needed. */
static void plan_skip(struct plan *p)
{
	struct line_skip *s = &p->skip;
	bool *needed = xcalloc(p->now.n + 1, sizeof(*needed));
	size_t j, n = 0;

	for (j = 0; j < s->n_need; j++)
		if (s->need[j] <= p->now.n)
			needed[s->need[j]] = true;
	free(s->line);
	free(s->from);
	s->line = xcalloc(p->now.n + 1, sizeof(*s->line));
	s->from = xcalloc(p->now.n + 1, sizeof(*s->from));
	for (j = 1; j <= p->now.n; j++) {
		size_t i = p->match[j - 1];

		if (i == SEQDIFF_NEW || !p->old->line[i + 1].skip || needed[j])
			continue;
		s->line[n] = (uint32_t)j;
		s->from[n++] = (uint32_t)(i + 1);
	}
	free(needed);
	s->n = n;
	s->old = p->old;
	s->now = &p->now;	/* the record's lines: split once */
	s->kept = 0;
	s->failed = false;
}

/*
 * The text with the lines to leave out emptied (*len: its length), in
 * no more memory than that takes: fresh pages are dear here, and a
 * buffer as long as the file (760 KB for 10,000 rules) of which a few
 * lines are written still moved everything after it onto fresh ones.
 */
static char *emptied(const struct plan *p, const char *text, size_t *len)
{
	size_t j, k = 0, o = 0, size = p->now.n + 1;
	char *out;

	for (j = 1; j <= p->now.n; j++) {
		if (k < p->skip.n && p->skip.line[k] == j)
			k++;
		else
			size += p->now.len[j];
	}
	out = malloc(size);
	if (!out)
		abort();
	for (j = 1, k = 0; j <= p->now.n; j++) {
		if (k < p->skip.n && p->skip.line[k] == j) {
			k++;
		} else {
			memcpy(out + o, text + p->now.at[j], p->now.len[j]);
			o += p->now.len[j];
		}
		if (j < p->now.n)
			out[o++] = '\n';
	}
	out[o] = '\0';
	*len = o;
	return out;
}

/* The stand-ins lowering must have made: every left-out line's rules. */
static size_t stand_ins(const struct plan *p)
{
	size_t i, n = 0;

	for (i = 0; i < p->skip.n; i++)
		n += p->old->line[p->skip.from[i]].n;
	return n;
}

/* Whether t is the table of the whole file (see the top). */
static bool whole(const struct plan *p, const struct ir_table *t)
{
	const struct opt_lines *now = t->bases ? t->bases->lines : NULL;
	size_t i;

	if (p->skip.failed || !now || now->broken ||
	    now->chains != p->old->chains || p->skip.kept != stand_ins(p))
		return false;
	for (i = 0; i < p->n_fresh; i++)
		if (now->line[p->fresh[i]].kind == LINE_OTHER)
			return false;
	return true;
}

/* One compile leaving out the planned lines; NULL: not the whole. */
static struct ir_table *try_compile(struct plan *p, const char *name,
				    const char *text, unsigned flags,
				    struct opt_bases *in,
				    struct compile_times *times, uint64_t t0)
{
	unsigned errors = diag_error_count(), warnings = diag_warning_count();
	struct ir_table *t;
	struct ast *a;
	size_t len;
	char *cut = emptied(p, text, &len);

	a = parse_shown(name, cut, len);
	/* Read and parse: since the start, reading the record too. */
	if (times)
		times->parse_ns = clock_ns() - t0;
	t = compile_parsed(a, errors, flags, in, &p->skip, times, clock_ns());
	free(cut);
	if (t && diag_error_count() == errors &&
	    diag_warning_count() == warnings && whole(p, t)) {
		t->skip = NULL;
		return t;
	}
	ir_table_free(t);
	return NULL;
}

struct ir_table *compile_skipping(const char *path, unsigned flags,
				  struct opt_bases *in,
				  struct compile_times *times)
{
	struct plan p = { .old = in->lines };
	unsigned errors = diag_error_count(), warnings = diag_warning_count();
	FILE *was = diag_stream(), *quiet;
	struct ir_table *t = NULL;
	uint64_t t0 = clock_ns();
	struct source src;
	size_t had;
	int round;

	/* By another name, the same file's lines are still these. */
	if (!source_same_file(p.old->path, path) || p.old->broken ||
	    source_read(path, &src) || !opt_bases_map(in))
		return NULL;
	/* Whatever it says, the whole compile says again if it must. */
	quiet = fopen("/dev/null", "we");
	if (!quiet)
		return NULL;
	diag_set_stream(quiet);
	if (plan_lines(&p, src.text, src.len)) {
		needs_ahead(&p, in);
		/* Once more only if the overlays asked for more lines. */
		for (round = 0, had = SIZE_MAX; !t && round < 2 &&
						p.skip.n_need != had; round++) {
			had = p.skip.n_need;
			plan_skip(&p);
			if (!p.skip.n)
				break;
			t = try_compile(&p, src.name, src.text, flags, in,
					times, t0);
		}
	}
	diag_set_stream(was == stderr ? NULL : was);
	fclose(quiet);
	/* Nothing it found was shown: the whole compile says it again. */
	diag_take_back(errors, warnings);
	if (t && times) {
		times->lines = p.now.n;
		times->skipped = p.skip.n;
	}
	text_lines_free(&p.now);
	free(p.match);
	free(p.fresh);
	free(p.stays);
	free(p.skip.line);
	free(p.skip.from);
	free(p.skip.need);
	return t;
}
