/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_TESTS_BACKEND_UTIL_H
#define FWCTL_TESTS_BACKEND_UTIL_H

/*
 * Helpers of the back-end tests: checks that count failures, scratch
 * network namespaces removed at exit, shell commands with their output,
 * and an IR built by hand (the front end is not needed to test the back
 * ends).
 */
#include <stdbool.h>
#include <stdio.h>

#include "ir.h"

extern int bt_failures;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: check failed: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			bt_failures++;					\
		}							\
	} while (0)

/* Exit status for the test: 0 or 1, with a summary line. */
int bt_exit(const char *name);

/* Exits with 77 (skipped) unless root with nf_tables and `ip`/`nft`. */
void bt_need_kernel(void);

/* A fresh namespace "fwh-backend-PID-TAG", deleted at exit. */
const char *bt_netns_new(const char *tag);
/* Moves the process into ns (kernel_* calls then act there). */
void bt_netns_enter(const char *ns);

/*
 * Runs cmd with sh inside ns (NULL: here); returns its standard output
 * (malloc'ed, never NULL) and its exit status in *status if wanted.
 */
char *bt_run(const char *ns, const char *cmd, int *status);

/* Reads or writes a whole file; NULL / false on failure. */
char *bt_read_file(const char *path);
bool bt_write_file(const char *path, const char *text);

/*
 * Diagnostics go to a buffer from bt_diag_capture() on; bt_diag_take()
 * returns what came since (malloc'ed) and starts a new buffer.
 */
void bt_diag_capture(void);
char *bt_diag_take(void);
/* Whether text contains what; if not, says so on stderr. */
bool bt_contains(const char *text, const char *what);

/* The output of export_table(t), malloc'ed. */
char *bt_export(const struct ir_table *t);

/*
 * "22", "1000-2000", "10.0.0.0/8", "fd00::1-fd00::5", "eth0", "wg*"...
 * parsed as a value of field f (ct state: a number, the bit mask).
 */
struct ir_value bt_value(enum ir_field f, const char *text);

/*
 * An IR that uses every field, operator, set kind (named, anonymous,
 * interval, timeout, verdict maps), statement and verdict. Its locations
 * point into a registered source "backend.fw".
 */
struct ir_table *bt_table_all(void);
/*
 * A small table ("backend-small.fw"): set admins = { 10.0.0.0/8,
 * 127.0.0.1 }; input: a built-in "invalid" drop, line 2 udp from @admins
 * with a counter, line 3 tcp port 22; output: line 4 a bare counter.
 */
struct ir_table *bt_table_small(void);
/* n_rules rules in one chain and a set of n_elems addresses. */
struct ir_table *bt_table_big(size_t n_rules, size_t n_elems);

#endif
