/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_PARSER_H
#define FWCTL_PARSER_H

#include <stddef.h>

#include "ast.h"

#define INCLUDE_DEPTH_MAX	16
#define LIST_MAX		(1u << 20)	/* values in one list */
#define NAME_LEN_MAX		32	/* zone, set and macro names */
#define ERRORS_MAX		50	/* the parser gives up after these */

/*
 * Parses a rule file and everything it includes into one syntax tree.
 * Errors are reported through diag.h; the parser resynchronises at the next
 * statement, and a statement with an error is left out of the tree (a
 * declaration stays in, marked broken, so that its name still resolves).
 * parse_file() returns NULL only when the file itself cannot be read.
 */
struct ast *parse_file(const char *path);
struct ast *parse_buffer(const char *name, const char *text, size_t len);
/*
 * text under name, registered already with the text messages quote (a
 * text with the same lines, some of them emptied: cli/compile_skip.c).
 */
struct ast *parse_shown(const char *name, const char *text, size_t len);

#endif
