// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rule-set commands: check, apply, export, show, flush, status. Each is
 * a thin walk through the stages (compile → export or push); the stages
 * themselves live in compile.c, export.c and the kernel back end.
 */
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "clock.h"
#include "commands.h"
#include "compile.h"
#include "diag.h"
#include "export.h"
#include "feature.h"
#include "hook_form.h"
#include "inspect_config.h"
#include "kernel.h"
#include "live.h"
#include "opt_base.h"
#include "shape.h"

/* Parses the one FILE argument and an optional --FLAG (check --kernel,
 * apply --full, export --explain). */
static const char *file_arg(int argc, char **argv, const char *flag,
			    bool *set)
{
	const struct option longopts[] = {
		{ flag ? flag : "", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (c != 'f' || !flag)
			return NULL;
		*set = true;
	}
	if (optind != argc - 1)
		return NULL;
	return argv[optind];
}

static int usage_error(const char *cmd, const char *args)
{
	fprintf(stderr, "usage: fwctl %s %s\n", cmd, args);
	return FW_EXIT_USAGE;
}

/* times (or NULL): where the compiling went, for -v; in: the live trees
 * (compile_file_timed). */
static struct ir_table *compile_or_report(const char *path,
					  const struct fw_opts *o,
					  unsigned flags,
					  struct opt_bases *in,
					  struct compile_times *times)
{
	struct ir_table *t;
	unsigned n;

	if (o->no_optimize)
		flags |= COMPILE_LINEAR;
	if (o->no_flow_cache)
		flags |= COMPILE_NO_FLOW_CACHE;
	t = compile_file_timed(path, flags, in, times);
	n = diag_error_count();
	if (!t)
		fprintf(stderr, "%s: %u error%s, nothing applied\n", path,
			n ? n : 1, n == 1 ? "" : "s");
	return t;
}

static bool has_flow_cache(const struct ir_table *t)
{
	size_t i;

	for (i = 0; i < t->n_sets; i++)
		if (t->sets[i]->flow)
			return true;
	return false;
}

/*
 * compile_or_report for a table that goes to this kernel: flow caches
 * need dynamic concatenated sets with timeouts and interval maps of the
 * same concatenation (feature.c's probe). A kernel without them
 * would refuse the whole batch, so the file is compiled again without
 * caches (the same verdicts, only the first-packet cost for every
 * packet), and fwctl says so. Not asked again (a probe is an aborted
 * batch, 13-48 ms here) when the live trees in have these maps in front
 * or a probe of this boot found them (feature_recorded()). Only apply
 * records what it found (record): check --kernel and diff change
 * nothing, in the kernel or in the run directory.
 */
static struct ir_table *compile_for_kernel(const char *path,
					   const struct fw_opts *o,
					   unsigned flags,
					   struct opt_bases *in,
					   struct compile_times *times,
					   bool record)
{
	struct compile_times untimed;
	struct ir_table *t;
	struct fw_loc file = { .file = path };
	struct nlsock s;
	uint64_t t0;
	int err;

	if (!times)
		times = &untimed;
	t = compile_or_report(path, o, flags, in, times);
	if (!t || !has_flow_cache(t) ||
	    (opt_bases_any_front(in) && !feature_probe_denied("flow_cache")))
		return t;
	if (feature_recorded(o->rundir, "flow_cache")) {
		times->probe_recorded = true;
		return t;
	}
	t0 = clock_ns();
	if (batch_socket_open(&s) < 0)
		return t;	/* the apply will say why it cannot go on */
	err = feature_probe(&s, "flow_cache");
	nlsock_close(&s);
	times->probed = true;
	times->probe_ns = clock_ns() - t0;
	if (!err) {
		if (record)
			feature_record(o->rundir, "flow_cache");
		return t;
	}
	diag_warning(file, 0, "this kernel has no dynamic concatenated sets "
		     "or interval maps of them "
		     "(%s): rule lists are compiled without flow caches",
		     strerror(-err));
	ir_table_free(t);
	t0 = times->probe_ns;
	t = compile_or_report(path, o, flags | COMPILE_NO_FLOW_CACHE, in,
			      times);
	times->probed = true;
	times->probe_ns = t0;
	return t;
}

/* The interface names a table mentions, each once, with where it was first
 * seen (a location with a file wins over a built-in one). */
struct ifname_use {
	char		name[IFNAMSIZ + 1];
	struct fw_loc	loc;
};

struct ifname_uses {
	struct ifname_use	use[64];
	size_t			n;
	size_t			dropped;
};

static void ifname_note(struct ifname_uses *u, const struct ir_value *v,
			struct fw_loc loc)
{
	char name[IFNAMSIZ + 1] = "";
	size_t i;

	/* Wildcards ("eth*") are intervals: only exact names can be missing. */
	if (!ir_value_is_single(v, IFNAMSIZ))
		return;
	memcpy(name, v->lo, IFNAMSIZ);
	if (!*name)
		return;
	for (i = 0; i < u->n; i++) {
		if (strcmp(u->use[i].name, name))
			continue;
		if (!u->use[i].loc.file)
			u->use[i].loc = loc;
		return;
	}
	if (u->n == sizeof(u->use) / sizeof(u->use[0])) {
		u->dropped++;
		return;
	}
	memcpy(u->use[u->n].name, name, sizeof(name));
	u->use[u->n++].loc = loc;
}

static void ifname_collect(struct ifname_uses *u, const struct ir_table *t)
{
	size_t i, j, k;

	for (i = 0; i < t->n_sets; i++) {
		const struct ir_set *s = t->sets[i];

		if (s->field != IR_IIFNAME && s->field != IR_OIFNAME)
			continue;
		for (j = 0; j < s->n_elems; j++)
			ifname_note(u, &s->elems[j].value,
				    s->elems[j].loc.file ? s->elems[j].loc
							 : s->loc);
	}
	for (i = 0; i < t->n_chains; i++) {
		for (j = 0; j < t->chains[i]->n_rules; j++) {
			const struct ir_rule *r = &t->chains[i]->rules[j];

			for (k = 0; k < r->n_matches; k++) {
				const struct ir_match *m = &r->matches[k];

				if (!m->set && (m->field == IR_IIFNAME ||
						m->field == IR_OIFNAME))
					ifname_note(u, &m->value, r->loc);
			}
		}
	}
}

/*
 * Interfaces are matched by name, so a missing one is legal (hotplug,
 * a VPN that comes up later) but often a typo: say so once per name, with
 * a location.
 */
static void warn_missing_interfaces(const struct ir_table *t)
{
	struct ifname_uses u = { .n = 0 };
	size_t i;

	ifname_collect(&u, t);
	for (i = 0; i < u.n; i++) {
		if (if_nametoindex(u.use[i].name))
			continue;
		diag_warning(u.use[i].loc, 0, "interface '%s' does not exist "
			     "here (yet); rules naming it match once it "
			     "appears", u.use[i].name);
	}
}

/*
 * Inspect rules queue packets: probe once how this kernel does it and let
 * the back end encode it so. Without a way, nothing is applied.
 */
static int queue_choose(struct ir_table *t)
{
	enum feature_queue q;
	struct nlsock s;

	if (!t->n_profiles)
		return FW_EXIT_OK;
	if (batch_socket_open(&s) < 0)
		return FW_EXIT_SYSTEM;
	q = feature_queue_probe(&s);
	nlsock_close(&s);
	if (q == FEATURE_QUEUE_NONE) {
		diag_error(t->profiles[0].loc, 7, "this kernel cannot queue "
			   "packets to userspace (no nft queue expression and "
			   "no xt NFQUEUE target)");
		return FW_EXIT_SYSTEM;
	}
	t->queue_xt = q == FEATURE_QUEUE_XT;
	return FW_EXIT_OK;
}

/*
 * With fwhook.ko answering here, inspect rules take its form and need no
 * queue expression; otherwise the nft-native form needs one.
 */
static int engine_choose(struct ir_table *t)
{
	if (t->n_profiles && hook_form_live() && hook_form_lower(t)) {
		t->inspect_hook = true;
		return FW_EXIT_OK;
	}
	return queue_choose(t);
}

/*
 * What comes after the rules committed: the module's and the daemon's
 * profiles and the shaping trees. Each is tried even if another failed:
 * they are independent, and the first error decides the exit code.
 */
static int apply_after_rules(const struct fw_opts *o, struct ir_table *t)
{
	int hook_err = hook_form_sync(t);
	int err = inspect_config_push(o->rundir, t);
	int shape_err = shape_apply(t);

	return hook_err ? hook_err : err ? err : shape_err;
}

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

static uint64_t compile_total(const struct compile_times *c)
{
	return c->parse_ns + c->check_ns + c->lower_ns + c->optimize_ns;
}

static void compile_report(const struct compile_times *c)
{
	printf("compile: %.2f ms: read and parse %.2f ms, check %.2f ms, "
	       "lower %.2f ms, optimize %.2f ms\n", ms(compile_total(c)),
	       ms(c->parse_ns), ms(c->check_ns), ms(c->lower_ns),
	       ms(c->optimize_ns));
	if (c->skipped)
		printf("lines: %zu of %zu left out, as they were when last "
		       "applied\n", c->skipped, c->lines);
	if (c->probed)
		printf("probe: flow caches: the kernel asked, %.2f ms\n",
		       ms(c->probe_ns));
	if (c->probe_recorded)
		printf("probe: flow caches: as found on this boot\n");
}

int cmd_check(int argc, char **argv, const struct fw_opts *o)
{
	bool kernel = false;
	const char *path = file_arg(argc, argv, "kernel", &kernel);
	struct compile_times times;
	struct ir_table *t;
	int err = FW_EXIT_OK;

	if (!path)
		return usage_error("check", "[--kernel] FILE");
	t = kernel ? compile_for_kernel(path, o, 0, NULL, &times, false) :
		     compile_or_report(path, o, 0, NULL, &times);
	if (!t)
		return FW_EXIT_RULES;
	if (kernel) {
		warn_missing_interfaces(t);
		err = engine_choose(t);
		if (!err)
			err = kernel_apply(t, true, NULL);
	}
	if (!err && o->verbose) {
		printf("%s: ok, %zu kernel rules\n", path,
		       ir_table_rule_count(t));
		compile_report(&times);
	}
	ir_table_free(t);
	return err;
}

struct apply_run {
	const struct fw_opts	*o;
	bool			full, warned;
	struct apply_stats	st;
	int			renewal;	/* enum live_renewal */
	uint64_t		renew_ns;
};

/* Records of an older generation (live_cache_renew()), if there were. */
static void renewal_report(int renewal, uint64_t ns)
{
	static const char *const what[] = {
		[LIVE_RENEW_SAME] = "unchanged: renewed",
		[LIVE_RENEW_CHANGED] = "changed since: not believed",
		[LIVE_RENEW_FAILED] = "not read: not believed",
	};

	if (renewal != LIVE_RENEW_NONE)
		printf("records: of an older generation (another commit "
		       "came since); the table read back in %.2f ms, %s\n",
		       ms(ns), what[renewal]);
}

static void apply_report(const char *path, const struct ir_table *t,
			 const struct apply_run *a,
			 const struct compile_times *c)
{
	const struct apply_stats *st = &a->st;
	size_t i, kept = 0, trees = t->bases ? t->bases->n : 0;
	unsigned changed = 0, guards = 0, rules = 0, boxes = 0;

	for (i = 0; i < trees; i++) {
		const struct opt_base *b = &t->bases->b[i];

		kept += b->kept;
		changed += b->changed;
		guards += b->guards;
		rules += b->rules;
		boxes += b->boxes;
	}
	printf("%s: applied, %zu kernel rules; %s%s, %zu changes\n", path,
	       ir_table_rule_count(t) + st->kept_rules, st->full ?
	       "full replace: " :
	       "incremental", st->full ? st->full : "", st->changes);
	if (kept)
		printf("trees: %zu of %zu kept as they were live; in front: "
		       "%u rules changed, %u guards, %u rules in their "
		       "trees, %u map elements\n", kept, trees, changed,
		       guards, rules, boxes);
	printf("time: compile %.2f ms, read live %.2f ms%s, diff %.2f ms, "
	       "batch %.2f ms, cache write %.2f ms\n", ms(compile_total(c)),
	       ms(st->read_ns), st->cached ? " (cache)" : "",
	       ms(st->diff_ns), ms(st->batch_ns), ms(st->cache_ns));
	renewal_report(a->renewal, a->renew_ns);
	kernel_recorded_report(stdout, st->sets_recorded);
	if (st->ahead)
		printf("records: written during the batch, for the handles "
		       "the kernel then gave\n");
	if (st->held)
		printf("socket: released by a holder process, as the kernel "
		       "frees what the commit deleted\n");
	compile_report(c);
}

/*
 * The trees live in the namespace now, which a compile may keep with an
 * overlay (opt_overlay.c); FWCTL_NO_OVERLAY: none, build them all.
 */
static struct opt_bases *live_bases(const struct fw_opts *o, int *renewal,
				    uint64_t *renew_ns)
{
	return getenv("FWCTL_NO_OVERLAY") ? NULL :
	       kernel_bases(o->rundir, renewal, renew_ns);
}

/*
 * Compiles path against the live trees (live_bases()) and runs run on the
 * table. When the live table cannot keep them (run says KERNEL_REBUILD,
 * having done nothing), compiles again building every tree and runs that.
 * *tp: the table that ran last (NULL: the file did not compile).
 */
static int against_live(const char *path, const struct fw_opts *o,
			struct opt_bases *in,
			struct compile_times *times,
			int (*run)(struct ir_table *t, void *ctx), void *ctx,
			struct ir_table **tp, bool record)
{
	int err;

	*tp = compile_for_kernel(path, o, COMPILE_BASES, in, times, record);
	err = *tp ? run(*tp, ctx) : FW_EXIT_RULES;
	if (err != KERNEL_REBUILD)
		return err;
	ir_table_free(*tp);
	*tp = compile_for_kernel(path, o, COMPILE_BASES, NULL, times, record);
	return *tp ? run(*tp, ctx) : FW_EXIT_RULES;
}

static int apply_run(struct ir_table *t, void *ctx)
{
	struct apply_run *a = ctx;
	int err;

	if (!a->warned)
		warn_missing_interfaces(t);
	a->warned = true;
	err = engine_choose(t);
	if (err)
		return err;
	return a->full ? kernel_replace(t, a->o->rundir, &a->st) :
			 kernel_update(t, a->o->rundir, &a->st);
}

int cmd_apply(int argc, char **argv, const struct fw_opts *o)
{
	struct apply_run a = { .o = o };
	const char *path = file_arg(argc, argv, "full", &a.full);
	struct compile_times times;
	struct opt_bases *in;
	struct ir_table *t;
	int err;

	if (!path)
		return usage_error("apply", "[--full] FILE");
	/* --full builds every tree: it replaces them all anyway. */
	in = a.full ? NULL : live_bases(o, &a.renewal, &a.renew_ns);
	err = against_live(path, o, in, &times, apply_run, &a, &t, true);
	/* The daemon and shaping follow the rules, never go without them. */
	if (!err)
		err = apply_after_rules(o, t);
	if (!err && o->verbose)
		apply_report(path, t, &a, &times);
	ir_table_free(t);
	opt_bases_free(in);
	return err;
}

/* The queue encoding is part of a rule's key: choose it as apply does. */
static int diff_run(struct ir_table *t, void *ctx)
{
	const struct fw_opts *const *o = ctx;
	int err = engine_choose(t);

	return err ? err : kernel_diff(t, stdout, (*o)->rundir, (*o)->verbose);
}

/* Compiled as apply compiles, against the same live trees. */
int cmd_diff(int argc, char **argv, const struct fw_opts *o)
{
	bool unused = false;
	const char *path = file_arg(argc, argv, NULL, &unused);
	struct opt_bases *in;
	struct ir_table *t;
	int err;

	if (!path)
		return usage_error("diff", "FILE");
	in = live_bases(o, NULL, NULL);
	err = against_live(path, o, in, NULL, diff_run, &o, &t, false);
	ir_table_free(t);
	opt_bases_free(in);
	return err;
}

int cmd_export(int argc, char **argv, const struct fw_opts *o)
{
	bool explain = false;
	const char *path = file_arg(argc, argv, "explain", &explain);
	struct ir_table *t;
	int err;

	if (!path)
		return usage_error("export", "[--explain] FILE");
	t = compile_or_report(path, o, explain ? COMPILE_EXPLAIN : 0, NULL,
			      NULL);
	if (!t)
		return FW_EXIT_RULES;
	err = explain ? export_explain(t, stdout) : export_table(t, stdout);
	ir_table_free(t);
	return err;
}

static int no_args(int argc, const char *cmd)
{
	if (argc == 1)
		return 0;
	usage_error(cmd, "");
	return -1;
}

int cmd_show(int argc, char **argv, const struct fw_opts *o)
{
	(void)argv;
	if (no_args(argc, "show"))
		return FW_EXIT_USAGE;
	return kernel_show(stdout, o->json, o->rundir);
}

int cmd_flush(int argc, char **argv, const struct fw_opts *o)
{
	int err, hook_err;

	(void)argv;
	if (no_args(argc, "flush"))
		return FW_EXIT_USAGE;
	err = kernel_flush(o->rundir);
	if (err)
		return err;
	hook_err = hook_form_sync(NULL);
	err = inspect_config_push(o->rundir, NULL);
	if (!err)
		err = hook_err;
	return shape_flush() ? FW_EXIT_SYSTEM : err;
}

int cmd_status(int argc, char **argv, const struct fw_opts *o)
{
	(void)argv;
	if (no_args(argc, "status"))
		return FW_EXIT_USAGE;
	return kernel_status(stdout, o->json);
}
