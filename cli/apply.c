// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kernel_apply(): the IR as one nf_tables batch, guarded by the ruleset
 * generation, with every kernel error printed at the rule it came from.
 * kernel_update(): the same, sending only what changed (cli/plan.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "apply_ahead.h"
#include "batch.h"
#include "clock.h"
#include "diag.h"
#include "elems_record.h"
#include "emit.h"
#include "fwctl.h"
#include "kernel.h"
#include "opt_base.h"
#include "opt_lines.h"
#include "plan.h"

/* Past this many, errors are counted, not printed. */
#define ERRORS_SHOWN	20

struct apply_errors {
	unsigned	n;
};

static void apply_subject(const struct batch_origin *o, char *buf,
			  size_t size)
{
	static const char *const kinds[] = {
		[BATCH_TABLE] = "table", [BATCH_CHAIN] = "chain",
		[BATCH_SET] = "set", [BATCH_RULE] = "rule",
		[BATCH_OBJECT] = "object",
	};

	if (o->what == BATCH_RULE)
		snprintf(buf, size, "this rule");
	else if (o->what == BATCH_TABLE)
		snprintf(buf, size, "table inet %s", IR_TABLE_NAME);
	else if (o->name)
		snprintf(buf, size, "%s '%s'", kinds[o->what], o->name);
	else
		snprintf(buf, size, "this anonymous %s", kinds[o->what]);
}

static void apply_error(const struct batch_origin *o, int err,
			const char *why, void *data)
{
	struct apply_errors *e = data;
	char subject[IR_NAME_MAX + 32];

	if (e->n++ >= ERRORS_SHOWN)
		return;
	apply_subject(o, subject, sizeof(subject));
	diag_error(o->loc, 0, "kernel rejected %s: %s%s%s", subject,
		   strerror(err), why ? ": " : "", why ? why : "");
}

static int apply_result(int err, const struct apply_errors *e,
			bool check_only)
{
	static const struct fw_loc none;

	if (!err)
		return FW_EXIT_OK;
	if (err == -ERESTART) {
		diag_error(none, 0, "the ruleset changed while fwctl was "
			   "applying (another tool committed); nothing was "
			   "changed — run fwctl %s again",
			   check_only ? "check --kernel" : "apply");
		return FW_EXIT_SYSTEM;
	}
	/* The replies were lost, not necessarily the batch. */
	if (err == -ENOBUFS && !e->n) {
		diag_error(none, 0, "lost the kernel's replies (%s); whether "
			   "the %s went through is unknown: see fwctl show",
			   strerror(-err), check_only ? "check" : "update");
		return FW_EXIT_SYSTEM;
	}
	if (!e->n)
		diag_error(none, 0, "the kernel refused the %s: %s%s",
			   check_only ? "check" : "update", strerror(-err),
			   err == -EPERM ? " (fwctl needs CAP_NET_ADMIN)" : "");
	else if (e->n > ERRORS_SHOWN)
		diag_note(none, 0, "%u more kernel errors not shown",
			  e->n - ERRORS_SHOWN);
	if (e->n && !check_only)
		diag_note(none, 0, "nothing was changed: the previous rule "
			  "set is still in place");
	return FW_EXIT_SYSTEM;
}

/*
 * New rules echoed, for the cache: all of up to this many, else a sample
 * of about as many. Each costs receive buffer.
 */
#define ECHO_SAMPLE	64

static void echo_sample(struct batch *b, size_t rules,
			struct live_echoes *echoes)
{
	batch_echo_sample(b, rules / ECHO_SAMPLE, live_echo_cb, echoes);
}

/*
 * The records of t's trees (opt_base.h), for the next apply, as the state
 * of generation genid: the live table is t.
 */
static void bases_store(struct nlsock *s, const struct ir_table *t,
			uint32_t genid, const char *cache_dir)
{
	char id[256];

	if (!live_cache_id(s, genid, id, sizeof(id))) {
		opt_bases_drop(cache_dir);
		return;
	}
	opt_bases_store(cache_dir, id, t->bases, t->bases_in);
}

/* The trees' records of the generation live now, or NULL. */
static struct opt_bases *bases_now(struct nlsock *s, const char *cache_dir,
				   uint32_t *genid)
{
	char id[256];

	if (batch_genid(s, genid) || !live_cache_id(s, *genid, id, sizeof(id)))
		return NULL;
	return opt_bases_load(cache_dir, id);
}

struct opt_bases *kernel_bases(const char *cache_dir, int *renewal,
			       uint64_t *renew_ns)
{
	enum live_renewal r = LIVE_RENEW_NONE;
	struct opt_bases *bs = NULL;
	uint32_t genid = 0;
	uint64_t ns = 0;
	struct nlsock s;

	if (cache_dir && batch_socket_open(&s) == 0) {
		bs = bases_now(&s, cache_dir, &genid);
		if (!bs && genid)
			r = live_cache_renew(&s, cache_dir, genid, &ns);
		/* Unless another commit came while the table was read. */
		if (r == LIVE_RENEW_SAME)
			bs = bases_now(&s, cache_dir, &genid);
		nlsock_close(&s);
	}
	if (renewal)
		*renewal = r;
	if (renew_ns)
		*renew_ns = ns;
	return bs;
}

/*
 * The table's handle counter after b, from the handle its first new rule
 * got, or from the counter before (0 if unknown): a guess either way,
 * which the next apply's echoes check (apply_ahead.h).
 */
static uint64_t handles_after(const struct batch *b,
			      const struct live_echoes *echoes,
			      uint64_t before)
{
	if (echoes->n)	/* before may be 0: a table made by b */
		return batch_handles_after(b, batch_handles_before(b,
						echoes->e[0].handle));
	return before ? batch_handles_after(b, before) : 0;
}

/*
 * After batch b committed over generation genid: the table as it now is,
 * for the next apply, if the sample's echoes confirm the handles and
 * nobody committed since (generation + 1 exactly). p: the incremental
 * plan b sent, NULL for a full replace of t.
 */
static void cache_after(struct nlsock *s, const struct plan *p,
			const struct ir_table *t, const struct batch *b,
			const struct live_echoes *echoes, uint32_t genid,
			const char *cache_dir)
{
	struct live_table now;
	uint32_t after;

	if (batch_genid(s, &after) || after != genid + 1 ||
	    plan_batch_result(p, t, b, echoes, &now)) {
		live_cache_drop(cache_dir);
		opt_bases_drop(cache_dir);
		return;
	}
	now.genid = after;
	now.handles = handles_after(b, echoes, p ? p->live.handles : 0);
	live_cache_store(s, cache_dir, &now);
	elems_record_store(cache_dir, t, &now);
	live_free(&now);
	bases_store(s, t, after, cache_dir);
}

/* st: the batch's and the cache's times, for fwctl -v. */
static int apply_on(struct nlsock *s, const struct ir_table *t,
		    bool check_only, uint32_t genid, const char *cache_dir,
		    struct apply_stats *st)
{
	struct live_echoes echoes = { 0 };
	struct apply_errors e = { 0 };
	struct batch *b = batch_new(s);
	struct apply_ahead ahead;
	uint64_t t0 = clock_ns();
	bool writing, written = false;
	int err;

	if (check_only)
		cache_dir = NULL;
	if (cache_dir)
		echo_sample(b, ir_table_rule_count(t), &echoes);
	emit_table(b, t);
	writing = cache_dir && apply_ahead_start(&ahead, s, cache_dir, NULL,
						 genid, b, t, false);
	err = batch_send(b, genid, !check_only, apply_error, &e);
	st->batch_ns = clock_ns() - t0;
	t0 = clock_ns();
	if (writing)
		written = apply_ahead_finish(&ahead, s, !err, &echoes);
	st->ahead = written;
	if (!err && cache_dir && !written)
		cache_after(s, NULL, t, b, &echoes, genid, cache_dir);
	st->cache_ns = clock_ns() - t0;
	batch_free(b);
	free(echoes.e);
	return apply_result(err, &e, check_only);
}

int kernel_apply_at(const struct ir_table *t, bool check_only,
		    uint32_t genid)
{
	struct apply_stats st;
	struct nlsock s;
	int ret;

	if (batch_socket_open(&s) < 0)
		return FW_EXIT_SYSTEM;
	ret = apply_on(&s, t, check_only, genid, NULL, &st);
	nlsock_close(&s);
	return ret;
}

static int apply_read_genid(const struct ir_table *t, bool check_only,
			    const char *cache_dir, struct apply_stats *st)
{
	struct nlsock s;
	uint32_t genid;
	int err, ret, cue;

	if (batch_socket_open(&s) < 0)
		return FW_EXIT_SYSTEM;
	err = batch_genid(&s, &genid);
	if (err) {
		fprintf(stderr, "fwctl: cannot read the ruleset generation: "
			"%s\n", strerror(-err));
		ret = FW_EXIT_SYSTEM;
	} else {
		ret = apply_on(&s, t, check_only, genid, cache_dir, st);
	}
	if (check_only) {
		nlsock_close(&s);
		return ret;
	}
	/* A refused batch freed nothing: the kernel's abort waited. */
	cue = ret == FW_EXIT_OK ? nlsock_hold_spawn(&s) : -1;
	st->held = cue >= 0;
	nlsock_close_held(&s, cue);
	return ret;
}

int kernel_apply(const struct ir_table *t, bool check_only,
		 const char *cache_dir)
{
	struct apply_stats st;

	return apply_read_genid(t, check_only, cache_dir, &st);
}

int kernel_replace(const struct ir_table *t, const char *cache_dir,
		   struct apply_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->full = "--full";
	st->changes = ir_table_rule_count(t);
	return apply_read_genid(t, false, cache_dir, st);
}

void (*kernel_update_between)(void);

/*
 * Nothing to send, but the cache says where the rules are in the file
 * (live_rule.line), which bases_store() just recorded anew: when lines
 * moved (a comment line came), or the table was read by dumps, the cache
 * is written again to match.
 */
static void lines_store(struct nlsock *s, const struct plan *p,
			const struct ir_table *t, bool cached,
			const char *cache_dir)
{
	struct live_table now;

	if (cached && opt_lines_same(t->bases_in ? t->bases_in->lines : NULL,
				     t->bases ? t->bases->lines : NULL))
		return;
	if (plan_result(p, NULL, NULL, &now))
		return;
	now.genid = p->live.genid;
	now.handles = p->live.handles;
	live_cache_store(s, cache_dir, &now);
	elems_record_store(cache_dir, t, &now);
	live_free(&now);
}

/* Changed sets whose live elements came from their records. */
static size_t sets_recorded(const struct plan *p)
{
	size_t i, n = 0;

	for (i = 0; i < p->n_elems; i++)
		n += p->elems[i].recorded;
	return n;
}

static int plan_read(struct nlsock *s, const struct ir_table *t,
		     struct plan *p, const char *cache_dir,
		     struct apply_stats *st)
{
	struct plan_times times;
	int err = plan_make(s, t, p, cache_dir, &times);
	size_t i;

	if (err) {
		fprintf(stderr, "fwctl: cannot read the live table: %s\n",
			strerror(-err));
		return err;
	}
	st->cached = times.cached;
	st->read_ns = times.read_ns;
	st->diff_ns = times.diff_ns;
	st->full = p->full;
	st->changes = p->full ? ir_table_rule_count(t) : plan_changes(p);
	for (i = 0; i < p->n_kept_chains; i++)
		st->kept_rules += p->kept_chains[i]->n_rules;
	st->sets_recorded = sets_recorded(p);
	return 0;
}

/*
 * Whether releasing the socket after this batch's commit would wait: the
 * kernel frees what a commit deleted or replaced after a grace period,
 * and a netfilter socket's release waits for that (nlsock.h), however
 * little it was. gen10k's one-rule change taken back (a guard element
 * deleted, a flow map emptied): the release took 5-19 ms (strace), the
 * apply 15-48 ms where the change itself took 7-10. With nothing freed
 * (FWCTL_CLOSE_WAIT, a batch of new elements or a first table) it takes
 * 0.02-0.2 ms, less than the holder's spawn.
 */
static bool frees_any(const struct plan *p)
{
	const struct live_set *ls;
	size_t i;

	if (p->full)
		return p->live.present;
	if (p->n_dels || p->n_gone_chains || p->n_gone_sets)
		return true;
	/* A flow map emptied before it is filled: a guard's, empty unless
	 * a rule in front sends packets to it (its digest sums nothing). */
	for (i = 0; i < p->n_flushes; i++) {
		ls = live_set_find(&p->live, p->flushes[i]->name);
		if (!ls || !ls->has_digest || ls->digest)
			return true;
	}
	for (i = 0; i < p->n_elems; i++)
		if (p->elems[i].n_del || p->elems[i].zero_end < 0)
			return true;
	return false;
}

/*
 * One attempt: read, compare, send guarded by the generation the live
 * table was read at. Returns 0, -ERESTART (someone committed in between:
 * nothing was done), another -errno, or 1 if the live table could not be
 * read (said so); *e counts the kernel's errors; *hold: whether the
 * socket wants a holder (its cue in *cue, if it came during the batch).
 */
static int update_once(struct nlsock *s, const struct ir_table *t,
		       const char *cache_dir, struct apply_errors *e,
		       struct apply_stats *st, int *cue, bool *hold)
{
	struct live_echoes echoes = { 0 };
	struct apply_ahead ahead;
	bool written = false, writing;
	uint64_t t0;
	struct plan p;
	const struct plan *inc;		/* NULL: p replaces the table */
	struct batch *b;
	int err = plan_read(s, t, &p, cache_dir, st);

	if (!err && plan_rebuild(&p)) {
		plan_free(&p);
		return KERNEL_REBUILD;
	}
	if (err || (!p.full && !plan_changes(&p))) {
		if (!err && cache_dir) {	/* t is what is live */
			t0 = clock_ns();
			bases_store(s, t, p.live.genid, cache_dir);
			lines_store(s, &p, t, st->cached, cache_dir);
			st->cache_ns = clock_ns() - t0;
		}
		plan_free(&p);
		return err ? 1 : 0;
	}
	*hold = frees_any(&p);
	inc = p.full ? NULL : &p;
	if (kernel_update_between)
		kernel_update_between();
	t0 = clock_ns();
	b = batch_new(s);
	if (cache_dir)
		echo_sample(b, p.full ? ir_table_rule_count(t) : p.n_adds,
			    &echoes);
	if (p.full)
		emit_table(b, t);
	else
		plan_emit(b, &p);
	writing = cache_dir &&
		  apply_ahead_start(&ahead, s, cache_dir, inc, p.live.genid, b,
				    t, *hold && *cue < 0);
	/*
	 * However small the difference, the kernel then checks the whole
	 * table: a new rule with a verdict marks it for validation, and the
	 * commit walks every rule the base chains reach, each a cache miss
	 * (perf, gen10k's 18,900 rules: 3.3 of the batch's 4.3 ms). A batch
	 * of accept/drop elements alone would skip it.
	 */
	err = batch_send(b, p.live.genid, true, apply_error, e);
	st->batch_ns = clock_ns() - t0;
	t0 = clock_ns();
	if (writing) {
		written = apply_ahead_finish(&ahead, s, !err, &echoes);
		if (ahead.cue >= 0)
			*cue = ahead.cue;
	}
	st->ahead = written;
	if (!err && cache_dir && !written)
		cache_after(s, inc, t, b, &echoes, p.live.genid, cache_dir);
	st->cache_ns = clock_ns() - t0;
	batch_free(b);
	plan_free(&p);
	free(echoes.e);
	return err;
}

int kernel_update(const struct ir_table *t, const char *cache_dir,
		  struct apply_stats *st)
{
	struct apply_errors e = { 0 };
	struct nlsock s;
	int err, tries, cue = -1;
	bool hold = false;

	memset(st, 0, sizeof(*st));
	if (batch_socket_open(&s) < 0)
		return FW_EXIT_SYSTEM;
	/* Another tool's commit between reading and sending: once more. */
	for (tries = 0; tries < 2; tries++) {
		err = update_once(&s, t, cache_dir, &e, st, &cue, &hold);
		if (err != -ERESTART)
			break;
	}
	/* The holder may have come during the batch already. */
	if (cue < 0 && hold && !err)
		cue = nlsock_hold_spawn(&s);
	st->held = cue >= 0;
	nlsock_close_held(&s, cue);
	if (err == 1)
		return FW_EXIT_SYSTEM;
	if (err == KERNEL_REBUILD)
		return err;
	return apply_result(err, &e, false);
}

void kernel_recorded_report(FILE *out, size_t n)
{
	if (n)
		fprintf(out, "records: the live elements of %zu changed "
			"set%s, not read back\n", n, n == 1 ? "" : "s");
}

int kernel_diff(const struct ir_table *t, FILE *out, const char *cache_dir,
		bool verbose)
{
	struct nlsock s;
	struct plan p;
	int err;

	if (batch_socket_open(&s) < 0)
		return FW_EXIT_SYSTEM;
	/* With where the rules that go are now (their comments: where they
	 * were made). */
	err = plan_make_labeled(&s, t, &p, cache_dir);
	if (err)
		fprintf(stderr, "fwctl: cannot read the live table: %s\n",
			strerror(-err));
	else if (plan_rebuild(&p))
		err = KERNEL_REBUILD;
	else
		plan_print(out, &p);
	if (!err && verbose && p.cached)
		fprintf(out, "records: the live table from the cache; the "
			"rules that go labeled by %zu chain dump%s\n",
			p.label_dumps, p.label_dumps == 1 ? "" : "s");
	if (!err && verbose)
		kernel_recorded_report(out, sets_recorded(&p));
	plan_free(&p);
	nlsock_close(&s);
	return err == KERNEL_REBUILD ? err : err ? FW_EXIT_SYSTEM : FW_EXIT_OK;
}
