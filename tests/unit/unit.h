/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_UNIT_H
#define FWCTL_UNIT_H

/*
 * The smallest harness that does the job: CHECK() a condition and carry
 * on, so that one run shows every failure; unit_summary() turns the count
 * into automake's exit code (0 pass, 1 fail; UNIT_SKIP is 77).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UNIT_SKIP	77

static unsigned unit_checks, unit_failures;

static inline bool unit_check(bool ok, const char *what, const char *file,
			      int line)
{
	unit_checks++;
	if (!ok) {
		unit_failures++;
		fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
	}
	return ok;
}

static inline bool unit_check_streq(const char *a, const char *b,
				    const char *what, const char *file,
				    int line)
{
	bool ok = (!a && !b) || (a && b && !strcmp(a, b));

	if (!unit_check(ok, what, file, line))
		fprintf(stderr, "  got:      %s\n  expected: %s\n",
			a ? a : "(null)", b ? b : "(null)");
	return ok;
}

static inline bool unit_check_eq(long long a, long long b, const char *what,
				 const char *file, int line)
{
	bool ok = a == b;

	if (!unit_check(ok, what, file, line))
		fprintf(stderr, "  got %lld, expected %lld\n", a, b);
	return ok;
}

#define CHECK(cond)	unit_check(!!(cond), #cond, __FILE__, __LINE__)
#define CHECK_STREQ(a, b) \
	unit_check_streq((a), (b), #a " == " #b, __FILE__, __LINE__)
#define CHECK_EQ(a, b) \
	unit_check_eq((long long)(a), (long long)(b), #a " == " #b, \
		      __FILE__, __LINE__)

/*
 * The options of a test over random files: -s SEED, -n FILES, -v (the
 * compiler's messages, else silenced by the caller). False on others.
 */
static inline bool unit_random_args(int argc, char **argv,
				    unsigned long *seed, unsigned *files,
				    bool *verbose)
{
	int c;

	while ((c = getopt(argc, argv, "s:n:v")) != -1) {
		if (c == 'v')
			*verbose = true;
		else if (c == 's')
			*seed = strtoul(optarg, NULL, 10);
		else if (c == 'n')
			*files = (unsigned)strtoul(optarg, NULL, 10);
		else
			return false;
	}
	return true;
}

/* Prints the tally; returns the exit code. */
static inline int unit_summary(const char *name)
{
	printf("%s: %u checks, %u failed\n", name, unit_checks, unit_failures);
	return unit_failures ? 1 : 0;
}

#endif
