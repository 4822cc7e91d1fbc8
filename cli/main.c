// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fwctl: compile a rule file and push it into nf_tables, read it back, and
 * test it in network-namespace scenarios. main() parses the global options,
 * enters --netns, and walks the table of subcommands.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "commands.h"
#include "fwctl/control.h"
#include "fwctl.h"
#include "netns.h"
#include "nlsock.h"

static const struct command commands[] = {
	{ "check",	cmd_check,	"[--kernel] FILE",
	  "parse and check FILE; --kernel: the kernel validates it too" },
	{ "apply",	cmd_apply,	"[--full] FILE",
	  "make the live rule set FILE in one atomic commit, sending only "
	  "what changed (--full: replace it all)" },
	{ "diff",	cmd_diff,	"FILE",
	  "print what apply FILE would change, changing nothing" },
	{ "show",	cmd_show,	"",
	  "print the live rule set with counters and source locations" },
	{ "export",	cmd_export,	"[--explain] FILE",
	  "print the nft text of what apply would push" },
	{ "flush",	cmd_flush,	"",
	  "remove fwctl's table and shaping (and only them)" },
	{ "status",	cmd_status,	"",
	  "kernel features as probed, table, rules, generation" },
	{ "test",	cmd_test,	"[-k] [-n] SCENARIO...",
	  "run scenarios: build namespaces, apply rules, send packets" },
	{ "conntrack",	cmd_conntrack,	"CMD [FILTER...]",
	  "list, count, delete, flush or watch conntrack entries" },
	{ "daemon",	cmd_daemon,	"status|reload",
	  "fwctld's per-queue counters and top denied names; reload" },
	{ "shape",	cmd_shape,	"show [-j]",
	  "per class: configured and current rate, bytes, drops, backlog" },
	{ "sessions",	cmd_sessions,	"[-j|delete ID|all]",
	  "inspected connections in fwhook.ko: verdict, counters" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"usage: fwctl [--netns NAME] [--rundir DIR] [--no-optimize] "
		"[--no-flow-cache] [-j] [-v] COMMAND [ARGS]\n\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-9s %-18s %s\n", commands[i].name,
			commands[i].args, commands[i].help);
	fprintf(out, "\nexit: 0 ok, 1 rule-file error, 2 kernel or system "
		"error, 64 usage. See fwctl(8).\n");
}

static const struct command *command_find(const char *name)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/*
 * A 10,000-rule file takes some 60 MB of small allocations, which the
 * heap serves from the 25-40 MB it grows to: it grows in one large step,
 * so that a free() gives nothing back to the kernel.
 *
 * Its first 4 MB are huge pages: a one-rule change of fw1_10k peaks at
 * 3.8 MB of heap, 2 page faults instead of 950 (8.5 against 11 ms back
 * to back, here). The rest is huge pages too where a small page's fault
 * is slow: some days 15 us on this virtual machine, when 40 MB took
 * 148-161 ms in small pages and 81 ms in huge ones. Other days 2-2.5 us,
 * and then a huge page that comes from memory the guest has handed back
 * to the hypervisor (free page reporting, 2 s after it was freed) costs
 * more than its 512 small ones: 5-6 ms, 32 MB of them 90-100 ms against
 * 18-26 ms in small pages. A whole compile touches its 30-40 MB once:
 * full applies 3 s apart on such a day, medians of 5, with the whole
 * heap in huge pages, with its first 4 MB, with none: fw1_10k 567, 516
 * and 499 ms; gen10k 571, 481 and 454. So the start times a few faults.
 *
 * The heap starts where the program's data ends, anywhere in a huge page,
 * and a huge page the first malloc() touches before madvise() stays small
 * pages. So the break moves on to the last small page before a huge page:
 * the first malloc() touches that one, the rest is madvised before any
 * touch, and what the break passed is never touched.
 */
#define HEAP_HUGE_FIRST		(4u << 20)
#define SMALL_FAULT_SLOW_NS	6000	/* beyond it, huge pages throughout */
#define SMALL_FAULT_SAMPLE	32

/* What a small page's first touch costs, in ns: a few, in memory of
 * their own (0.1 ms on a day of 2.5 us). */
static uint64_t small_fault_ns(void)
{
	const size_t small = 4096, len = SMALL_FAULT_SAMPLE * small;
	volatile char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t t0, t;
	size_t i;

	if (p == MAP_FAILED)
		return 0;
	t0 = clock_ns();
	for (i = 0; i < len; i += small)
		p[i] = 1;
	t = clock_ns() - t0;
	munmap((void *)p, len);
	return t / SMALL_FAULT_SAMPLE;
}

static void heap_reserve(void)
{
	const uintptr_t huge = 2u << 20, small = 4096;
	const size_t step = 256u << 20;
	uintptr_t lo, hi;
	size_t len;
	void *p;

	/* apply's second thread (apply_ahead.h) shares this heap. */
	mallopt(M_ARENA_MAX, 1);
	mallopt(M_MMAP_THRESHOLD, 32u << 20);
	mallopt(M_TOP_PAD, (int)step);
	mallopt(M_TRIM_THRESHOLD, (int)step);
	hi = (uintptr_t)sbrk(0);
	lo = ((hi + small + huge - 1) & ~(huge - 1)) - small;
	if (hi != (uintptr_t)-1 && lo > hi)
		sbrk((intptr_t)(lo - hi));
	p = malloc(1);
	if (!p)
		return;
	lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	hi = (uintptr_t)sbrk(0);
	if (hi > lo) {
		len = hi - lo;
		if (len > HEAP_HUGE_FIRST &&
		    small_fault_ns() < SMALL_FAULT_SLOW_NS)
			len = HEAP_HUGE_FIRST;
		madvise((void *)lo, len, MADV_HUGEPAGE);
	}
	free(p);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "netns",   required_argument, NULL, 'n' },
		{ "rundir",  required_argument, NULL, 'r' },
		{ "json",    no_argument,       NULL, 'j' },
		{ "verbose", no_argument,       NULL, 'v' },
		{ "no-optimize", no_argument,   NULL, 'O' },
		{ "no-flow-cache", no_argument, NULL, 'F' },
		{ "help",    no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct fw_opts opts = { .rundir = CONTROL_RUN_DIR };
	const struct command *cmd;
	int c;

	/* A holder of apply's netlink socket (nlsock.h) does no more. */
	nlsock_hold_if_asked(argc, argv);
	nlsock_hold_by("/proc/self/exe");
	heap_reserve();
	/* "+": stop at the command so its own options stay its own. */
	while ((c = getopt_long(argc, argv, "+n:jvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			opts.netns = optarg;
			break;
		case 'r':
			opts.rundir = optarg;
			break;
		case 'j':
			opts.json = 1;
			break;
		case 'v':
			opts.verbose++;
			break;
		case 'O':
			opts.no_optimize = 1;
			break;
		case 'F':
			opts.no_flow_cache = 1;
			break;
		case 'h':
			usage(stdout);
			return FW_EXIT_OK;
		default:
			usage(stderr);
			return FW_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return FW_EXIT_USAGE;
	}
	cmd = command_find(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "fwctl: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return FW_EXIT_USAGE;
	}
	if (opts.netns && netns_enter(opts.netns) < 0) {
		fprintf(stderr, "fwctl: cannot enter network namespace '%s': "
			"%s\n", opts.netns, strerror(errno));
		return FW_EXIT_SYSTEM;
	}
	argc -= optind;
	argv += optind;
	optind = 0;	/* commands run getopt again on their own argv */
	return cmd->run(argc, argv, &opts);
}
