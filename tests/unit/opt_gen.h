/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_OPT_GEN_H
#define FWCTL_OPT_GEN_H

/*
 * Random rule files and the packets that probe them, for the optimizer's
 * differential tests (optimize_test, opt_sample). Everything follows from
 * a seed, so a failure is reproduced by its seed alone.
 */
#include <stddef.h>
#include <stdint.h>

#include "ir.h"
#include "ir_eval.h"

/* xorshift64*: the same sequence on every libc. */
struct opt_rng {
	uint64_t	s;
};

void opt_rng_seed(struct opt_rng *g, uint64_t seed);
uint64_t opt_rand(struct opt_rng *g);
/* Uniform in 0 .. n - 1 (n > 0). */
unsigned opt_below(struct opt_rng *g, unsigned n);

/*
 * OPT_GEN_KERNEL: a file for real packets: limits no test can exceed
 * (so that "passes" is what the kernel does too), no ct state matches.
 * OPT_GEN_LIST: a ClassBench-like forward list instead: narrow 5-tuple
 * rules, then a few wide ones, all of them movable, stateless.
 */
enum { OPT_GEN_KERNEL = 1, OPT_GEN_LIST = 2 };

/*
 * A rule file of n filter rules in input and forward: zones (with and
 * without interfaces, wildcards), named sets of each kind, addresses and
 * prefixes of every length in both families, ranges, lists, negations,
 * ports, protocols, ICMP types, ct state, counter/log/limit statements,
 * and random policies. Returns a malloc'd NUL-terminated text.
 */
char *opt_gen_rules(struct opt_rng *g, size_t n, unsigned flags);

/* What packets are made of: the values the rules of a table compare. */
struct opt_pool;

struct opt_pool *opt_pool_new(const struct ir_table *t);
void opt_pool_free(struct opt_pool *pl);

/*
 * A packet for hook input or forward (*hook): mostly aimed at one rule
 * of the table (inside its values, or just outside them, and from an
 * interface that reaches its chain), otherwise made of the values and
 * edges (value +-1) of all rules.
 */
void opt_packet(const struct opt_pool *pl, struct opt_rng *g,
		struct ir_packet *p, enum ir_hook *hook);

#endif
