/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_DIAG_H
#define FWCTL_DIAG_H

#include <stdio.h>

#include "loc.h"

/*
 * Diagnostics in the form people know from compilers:
 *
 *   rules/home.fw:12:23: error: unknown zone 'lna'
 *       accept forward from lna to wan
 *                           ^~~
 *
 * Every source text the front end reads is registered here first, so that
 * any later stage (the checker, the kernel error mapper) can quote the line
 * from a bare struct fw_loc.
 */

/* Registers a source text; returns the stable name to put in fw_loc.file. */
const char *diag_add_source(const char *name, const char *text, size_t len);
/* The same, taking text (malloc'ed, room for len + 1 bytes) as it is. */
const char *diag_take_source(const char *name, char *text, size_t len);
/* The registered text of a file, or NULL. */
const char *diag_source_text(const char *name, size_t *len);

/* width: how many columns the caret underlines (0 or 1: just the caret). */
void diag_error(struct fw_loc loc, unsigned width, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void diag_warning(struct fw_loc loc, unsigned width, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A "note:" line attached to the previous diagnostic. */
void diag_note(struct fw_loc loc, unsigned width, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

unsigned diag_error_count(void);
unsigned diag_warning_count(void);
/*
 * Back to these counts: what was said since was not shown and is said
 * again (a compile tried quietly, cli/compile_skip.c).
 */
void diag_take_back(unsigned errors, unsigned warnings);
/* Where diagnostics go (stderr by default); tests point it at a buffer. */
void diag_set_stream(FILE *f);
FILE *diag_stream(void);
/* Forgets every error and every registered source. */
void diag_reset(void);

#endif
