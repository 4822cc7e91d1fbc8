// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The front end in one call: parse (which reads the files and registers
 * them with diag), check, lower. Each stage reads only what the stage
 * before it made, and lowering runs only on a file without errors.
 */
#include "ast.h"
#include "compile.h"
#include "diag.h"
#include "lower.h"
#include "model.h"
#include "optimize.h"
#include "parser.h"

static struct ir_table *compile_ast(struct ast *a, unsigned errors,
				    unsigned flags)
{
	struct model *m;
	struct ir_table *t = NULL;

	if (!a)
		return NULL;
	/* After that many syntax errors, checking only adds noise. */
	if (diag_error_count() - errors >= ERRORS_MAX) {
		ast_free(a);
		return NULL;
	}
	m = check_ast(a);
	if (m && diag_error_count() == errors)
		t = lower_model(m);
	/* The optimizer reuses their memory: fresh pages cost more. */
	model_free(m);
	ast_free(a);
	if (t && !(flags & COMPILE_LINEAR))
		ir_optimize(t, flags & COMPILE_EXPLAIN);
	return t;
}

struct ir_table *compile_file_flags(const char *path, unsigned flags)
{
	unsigned errors = diag_error_count();

	return compile_ast(parse_file(path), errors, flags);
}

struct ir_table *compile_buffer_flags(const char *name, const char *text,
				      size_t len, unsigned flags)
{
	unsigned errors = diag_error_count();

	return compile_ast(parse_buffer(name, text, len), errors, flags);
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
