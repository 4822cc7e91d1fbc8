// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The front end in one call: parse (which reads the files and registers
 * them with diag), check, lower. Each stage reads only what the stage
 * before it made, and lowering runs only on a file without errors.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ast.h"
#include "clock.h"
#include "compile.h"
#include "diag.h"
#include "heap.h"
#include "lower.h"
#include "model.h"
#include "opt_base.h"
#include "opt_lines.h"
#include "optimize.h"
#include "parser.h"

/* The time since *t0 into *into, if asked, and now into *t0. */
static void lap(uint64_t *t0, uint64_t *into)
{
	uint64_t t1;

	if (!into)
		return;
	t1 = clock_ns();
	*into = t1 - *t0;
	*t0 = t1;
}

/*
 * The record of a's lines for the next apply (opt_lines.h), begun before
 * checking frees a's rules; the optimizer adds the trees' rules. skip's
 * lines are rules that a has only as stand-ins.
 */
static struct opt_lines *lines_begin(const struct ast *a,
				     const struct line_skip *skip)
{
	struct text_lines own;
	struct opt_lines *l;
	const char *text;
	size_t len, i;

	text = diag_source_text(a->source, &len);
	if (!text)
		return NULL;
	/* Skipping, the plan split this very text already. */
	if (!skip)
		text_lines_split(&own, text, len);
	l = opt_lines_new(a->source, text, skip ? skip->now : &own);
	if (!skip)
		text_lines_free(&own);
	opt_lines_ast(l, a, a->source);
	for (i = 0; skip && i < skip->n; i++)
		l->line[skip->line[i]].kind = LINE_RULE;
	return l;
}

struct ir_table *compile_parsed(struct ast *a, unsigned errors,
				unsigned flags, const struct opt_bases *in,
				struct line_skip *skip,
				struct compile_times *tm, uint64_t t0)
{
	unsigned warnings = diag_warning_count();
	struct opt_lines *lines = NULL;
	struct model *m;
	struct ir_table *t = NULL;

	if (!a)
		return NULL;
	/* After that many syntax errors, checking only adds noise. */
	if (diag_error_count() - errors >= ERRORS_MAX) {
		ast_free(a);
		return NULL;
	}
	if ((flags & COMPILE_BASES) && !(flags & COMPILE_LINEAR))
		lines = lines_begin(a, skip);
	m = check_ast(a);
	lap(&t0, tm ? &tm->check_ns : NULL);
	if (m && diag_error_count() == errors) {
		m->skip = skip;
		if (lines)
			opt_lines_model(lines, m);
		t = lower_model(m);
	}
	/* The optimizer reuses their memory: fresh pages cost more. */
	model_free(m);
	ast_free(a);
	lap(&t0, tm ? &tm->lower_ns : NULL);
	if (t && (flags & COMPILE_BASES)) {
		t->bases_in = in;
		t->bases = opt_bases_new();
		t->bases->lines = lines;
		lines = NULL;
	}
	opt_lines_free(lines);
	if (t && !(flags & COMPILE_LINEAR))
		ir_optimize(t, flags & COMPILE_EXPLAIN,
			    !(flags & COMPILE_NO_FLOW_CACHE));
	if (t)
		ir_share_sets(t);
	/* A warning is said again by the next apply: it compiles it all. */
	if (t && t->bases && t->bases->lines &&
	    diag_warning_count() != warnings)
		t->bases->lines->broken = true;
	lap(&t0, tm ? &tm->optimize_ns : NULL);
	return t;
}

/*
 * Heap a whole compile touches per byte of its file: 39-45 for the
 * ClassBench files (fw1_10k's 570 KB, 26 MB; gen100k's 7.6 MB, 292 MB).
 */
#define HEAP_PER_BYTE	40

struct ir_table *compile_file_timed(const char *path, unsigned flags,
				    struct opt_bases *in,
				    struct compile_times *times)
{
	unsigned errors = diag_error_count();
	uint64_t t0 = clock_ns();
	struct ir_table *t;
	struct stat st;
	struct ast *a;

	if (times)
		memset(times, 0, sizeof(*times));
	if ((flags & COMPILE_BASES) && !(flags & COMPILE_LINEAR) && in &&
	    in->lines && !getenv("FWCTL_NO_SKIP")) {
		t = compile_skipping(path, flags, in, times);
		if (t)
			return t;
		if (times)
			memset(times, 0, sizeof(*times));
		t0 = clock_ns();
	}
	if (!stat(path, &st))
		heap_prefault((size_t)st.st_size * HEAP_PER_BYTE);
	a = parse_file(path);
	lap(&t0, times ? &times->parse_ns : NULL);
	return compile_parsed(a, errors, flags, in, NULL, times, t0);
}

struct ir_table *compile_file_flags(const char *path, unsigned flags)
{
	return compile_file_timed(path, flags, NULL, NULL);
}

struct ir_table *compile_buffer_based(const char *name, const char *text,
				      size_t len, unsigned flags,
				      const struct opt_bases *in)
{
	unsigned errors = diag_error_count();

	return compile_parsed(parse_buffer(name, text, len), errors, flags, in,
			      NULL, NULL, 0);
}

struct ir_table *compile_buffer_flags(const char *name, const char *text,
				      size_t len, unsigned flags)
{
	return compile_buffer_based(name, text, len, flags, NULL);
}

struct ir_table *compile_file(const char *path)
{
	return compile_file_flags(path, 0);
}

struct ir_table *compile_buffer(const char *name, const char *text,
				size_t len)
{
	return compile_buffer_flags(name, text, len, 0);
}
