/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_OPT_LINES_H
#define FWCTL_OPT_LINES_H

/*
 * The lines of the file an apply compiled, as the next apply needs them
 * to leave out the lines that did not change (cli/compile_skip.c): per
 * line two hashes and what it is (a rule alone on its line, a blank or
 * comment line, anything else), and for a rule whose IR rules all went
 * into the lists of trees with records (opt_base.h), those rules as the
 * lists hold them: key, families, flags and index in the tree's record.
 *
 * Stored beside the trees' records (RUNDIR/trees.lines) and trusted as
 * they are: only under the id line the apply that made them wrote.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ir.h"

#define LINE_NEW	UINT32_MAX	/* a rule its tree's record lacks */

enum line_kind { LINE_OTHER, LINE_BLANK, LINE_RULE };

/* What the optimizer asks of a rule it does not see (opt_flow.c). */
enum { LR_CACHED = 1, LR_TRACKS = 2, LR_IFACE = 4 };

/* One IR rule of a tree's list, made by a line. */
struct line_rule {
	uint64_t	key;		/* ir_rule_key() */
	uint32_t	line;
	uint32_t	base;		/* in its tree's record, or LINE_NEW */
	uint32_t	run;		/* the tree: chain's run number run */
	uint16_t	chain;		/* in names */
	uint8_t		fams;		/* OPT_V4 | OPT_V6 */
	uint8_t		flags;		/* LR_* */
};

/*
 * hash and check: two independent hashes of the line's bytes. Together
 * they stand for the line: the record does not keep the file's text.
 */
struct line_info {
	uint64_t	hash;		/* what seqdiff matches lines by */
	uint64_t	check;		/* and what a match must have too */
	uint32_t	first, n;	/* its rules in rules[], in order */
	uint8_t		kind;		/* enum line_kind */
	/* A rule all of whose IR rules are in the records: the next apply
	 * may leave the line out and put those rules in its place. */
	bool		skip;
	uint8_t		pad[6];
};

struct opt_lines {
	char		*path;		/* the file as it was named */
	uint64_t	chains;		/* the chain names before optimizing */
	/* Not to be stored: includes, continuations, warnings, a rule out
	 * of line order: nothing may be left out of the next compile. */
	bool		broken;
	size_t		n_lines;	/* line[1 .. n_lines] */
	struct line_info *line;
	size_t		n_rules, rules_cap;	/* rules_cap: while building */
	struct line_rule *rules;	/* read: never grown */
	size_t		n_names;
	char		(*names)[IR_NAME_MAX];
	uint32_t	*count;		/* while building: IR rules per line */
	void		*map;		/* read: all of it is in this mapping */
	size_t		map_len;
};

/*
 * A text's lines, split once for the plan and the record alike: line i
 * (1-based) is [at[i], at[i] + len[i]); hash[i - 1] and check[i - 1] are
 * its two hashes (line_info).
 */
struct text_lines {
	size_t		n;
	size_t		*at, *len;
	uint64_t	*hash, *check;
};

void text_lines_split(struct text_lines *tl, const char *text, size_t len);
void text_lines_free(struct text_lines *tl);

/*
 * The lines a compile leaves out (cli/compile_skip.c), and what it found:
 * line[i] of the file is line from[i] of old, increasing. Lowering puts
 * old's rules of those lines in their place (ir_rule.keep); the optimizer
 * fails the compile (failed) where a tree would need them as rules, and
 * says which lines it needs compiled (need).
 */
struct line_skip {
	const struct opt_lines	*old;
	size_t			n;
	uint32_t		*line, *from;
	size_t			kept;		/* stand-ins lowered */
	bool			failed;
	size_t			n_need;
	uint32_t		*need;
	const struct text_lines	*now;	/* the file's lines, as planned */
};

/*
 * Each line's hashes (of tl, text's lines), and which are blank
 * (LINE_BLANK) or else OTHER.
 */
struct opt_lines *opt_lines_new(const char *path, const char *text,
				const struct text_lines *tl);
void opt_lines_free(struct opt_lines *l);

struct ast;
struct model;
/* Which lines are rules alone on their line; broken if a would not do. */
void opt_lines_ast(struct opt_lines *l, const struct ast *a,
		   const char *source);
/* Rules that give a zone a chain of its own are not mere rules. */
void opt_lines_model(struct opt_lines *l, const struct model *m);
/* Before optimizing: the IR rules each line made, the chains' names. */
void opt_lines_count(struct opt_lines *l, const struct ir_table *t);

struct opt_rule;
/* The list of chain's run number run, base[i]: rule i's record index. */
void opt_lines_note(struct opt_lines *l, const char *chain, unsigned run,
		    const struct opt_rule *rules, size_t n,
		    const uint32_t *base);
/* After optimizing: rules by line, and which lines may be left out. */
void opt_lines_finish(struct opt_lines *l);

/*
 * Where each line of the file then is in the file now, by the lines'
 * hashes: moved[i] for line i then (0: it changed or went), *n entries
 * (line 0 included); NULL (and *n 0) without both. The caller knows
 * them to be of one file, which may have been named otherwise then.
 */
uint32_t *opt_lines_moved(const struct opt_lines *then,
			  const struct opt_lines *now, size_t *n);

/* Whether both are there and every line is the same, at the same place. */
bool opt_lines_same(const struct opt_lines *then, const struct opt_lines *now);
/* Whether both are there and would be stored as the same bytes. */
bool opt_lines_equal(const struct opt_lines *a, const struct opt_lines *b);

bool opt_lines_write(FILE *f, const struct opt_lines *l);
/* NULL if fd does not hold a whole, sane record. */
struct opt_lines *opt_lines_read(int fd);

#endif
