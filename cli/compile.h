/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_COMPILE_H
#define FWCTL_COMPILE_H

#include <stddef.h>
#include <stdint.h>

#include "ir.h"

/*
 * The whole front end: read, parse, check and lower a rule file into the IR.
 * Every problem is reported through diag.h (all of them, not only the
 * first); the result is NULL when there was at least one error.
 */
struct ir_table *compile_file(const char *path);
/* The same for a text in memory; name is what locations print. */
struct ir_table *compile_buffer(const char *name, const char *text,
				size_t len);

/*
 * COMPILE_LINEAR: keep every rule list as written (no ir_optimize());
 * COMPILE_EXPLAIN: note what each rule became (export --explain);
 * COMPILE_NO_FLOW_CACHE: no flow cache in front of the trees;
 * COMPILE_BASES: records of the trees in t->bases (opt_base.h), for the
 * next apply.
 */
enum {
	COMPILE_LINEAR = 1, COMPILE_EXPLAIN = 2, COMPILE_NO_FLOW_CACHE = 4,
	COMPILE_BASES = 8,
};
struct ir_table *compile_file_flags(const char *path, unsigned flags);
struct ir_table *compile_buffer_flags(const char *name, const char *text,
				      size_t len, unsigned flags);

/*
 * in: the trees live now (opt_base.h), which runs that changed little
 * keep, with an overlay in front (opt_overlay.c); NULL: build every tree.
 */
struct opt_bases;
struct ir_table *compile_buffer_based(const char *name, const char *text,
				      size_t len, unsigned flags,
				      const struct opt_bases *in);

/*
 * Where compiling a file went (fwctl -v): ns per stage, read in parse;
 * the file's lines and how many of them were left out (compile_skip.c).
 */
struct compile_times {
	uint64_t	parse_ns, check_ns, lower_ns, optimize_ns;
	size_t		lines, skipped;
	/* Whether the kernel was asked for flow caches (probe_ns) or its
	 * answer was recorded this boot (rules.c); else neither. */
	bool		probed, probe_recorded;
	uint64_t	probe_ns;
};
/*
 * With COMPILE_BASES and in's line record (opt_lines.h), the lines that
 * did not change since are left out when that gives the same table
 * (compile_skip.c; FWCTL_NO_SKIP: never), which may map in's file.
 */
struct ir_table *compile_file_timed(const char *path, unsigned flags,
				    struct opt_bases *in,
				    struct compile_times *times);

/* For compile_skip.c: the front end from a parsed tree on (compile.c),
 * with skip's lines left out; the skipping compile, NULL if it cannot. */
struct ast;
struct line_skip;
struct ir_table *compile_parsed(struct ast *a, unsigned errors,
				unsigned flags, const struct opt_bases *in,
				struct line_skip *skip,
				struct compile_times *tm, uint64_t t0);
struct ir_table *compile_skipping(const char *path, unsigned flags,
				  struct opt_bases *in,
				  struct compile_times *times);

#endif
