// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fwctl test: every scenario file is parsed and checked first, so a typo
 * costs nothing; then each one gets its namespaces, its rule files, and
 * its expectations and steps run in file order. Consecutive expectations
 * form a batch: its servers start, its single probes run side by side,
 * its counts and measurements one at a time (or a together block at
 * once), its servers stop. A
 * step (scenario_step.c) runs between batches, alone.
 *
 * One TAP-like line per expectation or step, a summary per file; exit 0
 * when everything passed, 1 when something failed, 2 when a scenario
 * could not be set up, 77 when not root or when what did not pass was
 * skipped (ftp without vsftpd).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "scenario_run.h"

#define EXIT_SKIP		77
#define PROBES_PARALLEL		32

uint64_t run_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

void run_report(struct run *run, const struct scn_item *it, bool ok,
		const char *why, const char *extra)
{
	run->number++;
	if (ok)
		run->passed++;
	else
		run->failed++;
	printf("%sok %u - %s:%u: %s%s%s (%s)\n", ok ? "" : "not ",
	       run->number, run->name, it->loc.line, it->text, ok ? "" : ": ",
	       ok ? "" : why, extra);
	fflush(stdout);
}

void run_skip(struct run *run, const struct scn_item *it, const char *why)
{
	run->number++;
	run->skipped++;
	printf("ok %u - %s:%u: %s # SKIP %s\n", run->number, run->name,
	       it->loc.line, it->text, why);
	fflush(stdout);
}

void run_print_output(const char *out)
{
	const char *line, *nl;

	for (line = out; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		printf("#   %.*s\n", (int)(nl ? nl - line : (long)strlen(line)),
		       line);
	}
}

static int rules_apply_initial(struct run *run)
{
	const struct scenario *s = run->s;
	const char *args[] = { "apply", NULL, NULL };
	char *out = NULL;
	size_t i;
	int status;

	for (i = 0; i < s->n_nodes; i++) {
		if (!s->nodes[i].rules)
			continue;
		args[1] = s->nodes[i].rules;
		status = fwctl_run(&s->nodes[i], args, &out, NULL);
		if (status || run->verbose)
			run_print_output(out);
		free(out);
		out = NULL;
		if (status) {
			fprintf(stderr, "fwctl: test: %s: applying %s to %s "
				"failed\n", run->name, s->nodes[i].rules,
				s->nodes[i].name);
			return -1;
		}
	}
	return 0;
}

static void judge_single(const struct scn_expect *e,
			 const struct client_result *r, char *why, size_t size)
{
	struct scn_addr seen = { .family = e->family };

	if (r->outcome != e->verdict) {
		snprintf(why, size, "got %s%s%s%s%s%s",
			 scn_outcome_name(r->outcome),
			 r->detail[0] ? " (" : "", r->detail,
			 r->detail[0] ? ")" : "", r->neigh[0] ? "; " : "",
			 r->neigh);
		return;
	}
	if (e->has_source && (inet_pton(e->family, r->seen, seen.a) != 1 ||
			      !scn_addr_between(&seen, &e->source,
						&e->source_hi)))
		snprintf(why, size, "the server saw source %s", r->seen);
}

static void judge_rate(const struct scn_expect *e,
		       const struct client_result *r, char *why, size_t size,
		       char *extra, size_t esize)
{
	char got[32], lim[32];

	snprintf(extra, esize, "%s over %u ms",
		 rate_str(r->bps, got, sizeof(got)), e->window_ms);
	if (r->bps < e->rate_lo)
		snprintf(why, size, "below %s",
			 rate_str(e->rate_lo, lim, sizeof(lim)));
	else if (r->bps > e->rate_hi)
		snprintf(why, size, "above %s",
			 rate_str(e->rate_hi, lim, sizeof(lim)));
}

static const char *rtt_str(unsigned us, char *buf, size_t size)
{
	if (us == (unsigned)-1)
		snprintf(buf, size, "lost");
	else
		snprintf(buf, size, "%.2f ms", us / 1000.0);
	return buf;
}

static void judge_latency(const struct scn_expect *e,
			  const struct client_result *r, char *why,
			  size_t size, char *extra, size_t esize)
{
	char med[24], p95[24];

	snprintf(extra, esize, "median %s, p95 %s, %u of %u answered",
		 rtt_str(r->rtt_median_us, med, sizeof(med)),
		 rtt_str(r->rtt_p95_us, p95, sizeof(p95)), r->received,
		 r->sent);
	if (r->rtt_median_us == (unsigned)-1)
		snprintf(why, size, "more than half of the probes were lost");
	else if (r->rtt_median_us >= e->below_ms * 1000u)
		snprintf(why, size, "the median round trip is %s", med);
}

static void judge_measure(const struct scn_expect *e,
			  const struct client_result *r, char *why,
			  size_t size, char *extra, size_t esize)
{
	if (r->outcome != SCN_ACCEPT) {
		snprintf(why, size, "the measurement failed: %s", r->detail);
		snprintf(extra, esize, "%u ms", r->elapsed_ms);
	} else if (e->measure == SCN_MEASURE_RATE) {
		judge_rate(e, r, why, size, extra, esize);
	} else {
		judge_latency(e, r, why, size, extra, esize);
	}
}

static void judge(struct run *run, const struct scn_item *it,
		  const struct client_result *r)
{
	const struct scn_expect *e = &it->expect;
	char why[256] = "", extra[96];

	if (r->outcome == SCN_SKIP) {
		run_skip(run, it, r->detail);
		return;
	}
	if (e->measure) {
		judge_measure(e, r, why, sizeof(why), extra, sizeof(extra));
	} else if (!e->count) {
		judge_single(e, r, why, sizeof(why));
		snprintf(extra, sizeof(extra), "%u ms", r->elapsed_ms);
	} else if (r->outcome != SCN_ACCEPT) {
		snprintf(why, sizeof(why), "the probes failed: %s", r->detail);
		snprintf(extra, sizeof(extra), "%u ms", r->elapsed_ms);
	} else if (r->received < e->recv_lo || r->received > e->recv_hi) {
		snprintf(why, sizeof(why), "received %u of %u", r->received,
			 e->count);
		snprintf(extra, sizeof(extra), "%u ms", r->elapsed_ms);
	} else {
		snprintf(extra, sizeof(extra), "%u of %u received, %u ms",
			 r->received, e->count, r->elapsed_ms);
	}
	run_report(run, it, !why[0], why, extra);
}

struct probe_run {
	size_t			item;
	pid_t			pid;
	int			fd;
	uint64_t		start, deadline;
};

/* The result of a probe that answered (readable), or of one that hung. */
static void probe_collect(struct probe_run *pr, bool readable,
			  struct client_result *res)
{
	struct client_result r = { .outcome = SCN_ERROR };
	ssize_t n = readable ? read(pr->fd, &r, sizeof(r)) : 0;

	if (n != sizeof(r)) {
		snprintf(r.detail, sizeof(r.detail), "%s", readable ?
			 "the probe died without a result" :
			 "the probe hung and was killed");
		r.elapsed_ms = run_now_ms() - pr->start;
	}
	*res = r;
	close(pr->fd);
	guard_reap(pr->pid, !readable);
}

static int probe_launch(struct run *run, size_t item, struct probe_run *p)
{
	const struct scn_expect *e = &run->s->items[item].expect;

	p->item = item;
	p->fd = client_spawn(run->s, e, &p->pid);
	if (p->fd < 0) {
		fprintf(stderr, "fwctl: test: cannot start a probe: %s\n",
			strerror(errno));
		return -1;
	}
	p->start = run_now_ms();
	p->deadline = p->start + client_deadline_ms(e);
	return 0;
}

/*
 * Waits for a result or the first deadline, then collects every probe
 * that answered or is late; returns how many are still running.
 */
static size_t probes_wait(struct probe_run *act, size_t n_act, size_t from,
			  struct client_result *res)
{
	struct pollfd pfd[PROBES_PARALLEL];
	uint64_t now = run_now_ms(), wake = UINT64_MAX;
	size_t i;

	if (!n_act)
		return 0;
	for (i = 0; i < n_act; i++) {
		pfd[i] = (struct pollfd){ .fd = act[i].fd, .events = POLLIN };
		if (act[i].deadline < wake)
			wake = act[i].deadline;
	}
	poll(pfd, n_act, wake > now ? wake - now : 0);
	for (i = n_act; i-- > 0;) {
		if (!pfd[i].revents && run_now_ms() < act[i].deadline)
			continue;
		probe_collect(&act[i], pfd[i].revents != 0,
			      &res[act[i].item - from]);
		act[i] = act[--n_act];
	}
	return n_act;
}

/*
 * Runs the probes of items idx[0..n) with at most max at a time; the
 * result of item i goes to res[i - from].
 */
static int probes_run(struct run *run, const size_t *idx, size_t n,
		      size_t max, size_t from, struct client_result *res)
{
	struct probe_run act[PROBES_PARALLEL];
	size_t next = 0, n_act = 0;
	int err = 0;

	while (!err && (next < n || n_act)) {
		for (; !err && next < n && n_act < max; next++) {
			err = probe_launch(run, idx[next], &act[n_act]);
			n_act += !err;
		}
		n_act = probes_wait(act, n_act, from, res);
	}
	/* Only after a failed launch: stop what still runs. */
	while (n_act--)
		probe_collect(&act[n_act], false, &res[act[n_act].item - from]);
	return err;
}

/* Prints the results known so far, in file order. */
static void judge_ready(struct run *run, size_t from, size_t to,
			const struct client_result *res, const bool *done,
			size_t *printed)
{
	while (from + *printed < to && done[*printed]) {
		judge(run, &run->s->items[from + *printed], &res[*printed]);
		(*printed)++;
	}
}

/*
 * The items of the together block of item i that are in [i, to), or i
 * alone; returns how many went to idx.
 */
static size_t together_of(const struct run *run, size_t i, size_t to,
			  size_t *idx)
{
	unsigned g = run->s->items[i].together;
	size_t n = 0, j;

	for (j = i; j < to && (j == i || g); j++)
		if (j == i || run->s->items[j].together == g)
			idx[n++] = j;
	return n;
}

/*
 * The expectations items[from..to): the single probes side by side, then
 * each count or measurement alone, as it measures a rate -- or with the
 * rest of its together block, at the same time.
 */
static int batch_run(struct run *run, size_t from, size_t to)
{
	size_t n = to - from, n_single = 0, printed = 0, i, k, n_idx;
	size_t *idx = calloc(n, sizeof(*idx));
	struct client_result *res = calloc(n, sizeof(*res));
	bool *done = calloc(n, sizeof(*done));
	struct server_set *servers = NULL;
	int err = -1;

	if (!idx || !res || !done)
		goto out;
	servers = server_start(run->s, &run->s->items[from], n,
			       run->streams);
	if (!servers)
		goto out;
	for (i = from; i < to; i++)
		if (!run->s->items[i].expect.count &&
		    !run->s->items[i].expect.measure)
			idx[n_single++] = i;
	err = probes_run(run, idx, n_single, PROBES_PARALLEL, from, res);
	for (i = 0; i < n_single; i++)
		done[idx[i] - from] = true;
	for (i = from; !err && i < to; i++) {
		judge_ready(run, from, to, res, done, &printed);
		if (done[i - from])
			continue;
		n_idx = together_of(run, i, to, idx);
		err = probes_run(run, idx, n_idx, PROBES_PARALLEL, from, res);
		for (k = 0; k < n_idx; k++)
			done[idx[k] - from] = true;
	}
	if (!err)
		judge_ready(run, from, to, res, done, &printed);
out:
	server_stop(servers);
	free(idx);
	free(res);
	free(done);
	return err;
}

static int items_run(struct run *run)
{
	const struct scenario *s = run->s;
	size_t i = 0, j;

	while (i < s->n_items) {
		if (s->items[i].kind != SCN_ITEM_EXPECT) {
			step_run(run, &s->items[i++]);
			continue;
		}
		for (j = i; j < s->n_items &&
		     s->items[j].kind == SCN_ITEM_EXPECT; j++)
			;
		if (batch_run(run, i, j))
			return -1;
		i = j;
	}
	return 0;
}

static void print_kept(const struct scenario *s)
{
	size_t i;

	printf("# kept; to delete: for n in");
	for (i = 0; i < s->n_nodes; i++)
		printf(" %s", s->nodes[i].netns);
	if (s->sw_netns[0])
		printf(" %s", s->sw_netns);
	printf("; do ip netns delete $n; done\n");
}

static void summary(const struct run *run, int err)
{
	if (err)
		printf("# %s: setup failed, see above\n", run->name);
	else if (run->skipped)
		printf("# %s: %u passed, %u failed, %u skipped\n", run->name,
		       run->passed, run->failed, run->skipped);
	else
		printf("# %s: %u passed, %u failed\n", run->name,
		       run->passed, run->failed);
}

static int scenario_run(struct scenario *s, unsigned k, bool keep,
			bool verbose)
{
	struct run run = { .s = s, .verbose = verbose };
	const char *slash = strrchr(s->path, '/');
	char prefix[32];
	int err;

	run.name = slash ? slash + 1 : s->path;
	if (k)
		snprintf(prefix, sizeof(prefix), "fwt%d-%u-", (int)getpid(), k);
	else
		snprintf(prefix, sizeof(prefix), "fwt%d-", (int)getpid());
	run.streams = calloc(s->n_items, sizeof(*run.streams));
	err = run.streams ? topology_create(s, prefix, verbose) : -1;
	/* Daemons first: fwctl apply pushes the inspect rules to them. */
	if (!err)
		err = daemons_setup(&run);
	if (!err)
		err = rules_apply_initial(&run);
	if (!err)
		err = items_run(&run);
	steps_stop(&run);
	daemons_teardown(&run, keep);
	free(run.streams);
	summary(&run, err);
	if (keep)
		print_kept(s);
	topology_destroy(s, keep);
	fflush(stdout);
	if (err)
		return FW_EXIT_SYSTEM;
	if (run.failed)
		return FW_EXIT_RULES;
	return run.skipped ? EXIT_SKIP : FW_EXIT_OK;
}

static int usage(void)
{
	fprintf(stderr, "usage: fwctl test [-k|--keep] [-n|--dry-run] "
		"SCENARIO...\n");
	return FW_EXIT_USAGE;
}

/*
 * The worse of two exit codes: a setup error over a failure over a skip
 * over ok.
 */
static int worse(int a, int b)
{
	static const int order[] = { FW_EXIT_OK, EXIT_SKIP, FW_EXIT_RULES,
				     FW_EXIT_SYSTEM };
	size_t i, ra = 0, rb = 0;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		ra = order[i] == a ? i : ra;
		rb = order[i] == b ? i : rb;
	}
	return ra > rb ? a : b;
}

static int scenarios_run(struct scenario **s, int n, bool keep, bool verbose)
{
	int i, ret = FW_EXIT_OK;

	if (geteuid() != 0) {
		fprintf(stderr, "fwctl: test: skipped: network namespaces "
			"need root (CAP_SYS_ADMIN and CAP_NET_ADMIN)\n");
		return EXIT_SKIP;
	}
	guard_install();
	for (i = 0; i < n; i++)
		ret = worse(ret, scenario_run(s[i], i, keep, verbose));
	return ret;
}

int cmd_test(int argc, char **argv, const struct fw_opts *o)
{
	static const struct option longopts[] = {
		{ "keep",	no_argument, NULL, 'k' },
		{ "dry-run",	no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	bool keep = false, dry_run = false;
	int c, n, i, ret = FW_EXIT_OK;
	struct scenario **s;

	while ((c = getopt_long(argc, argv, "+kn", longopts, NULL)) != -1) {
		if (c == 'k')
			keep = true;
		else if (c == 'n')
			dry_run = true;
		else
			return usage();
	}
	n = argc - optind;
	if (n < 1)
		return usage();
	s = calloc(n, sizeof(*s));
	if (!s)
		return FW_EXIT_SYSTEM;
	/* All files are checked before anything is built. */
	for (i = 0; i < n; i++)
		if (!(s[i] = scenario_parse_file(argv[optind + i])))
			ret = FW_EXIT_RULES;
	if (!ret && !dry_run)
		ret = scenarios_run(s, n, keep, o->verbose);
	else if (!ret && o->verbose)
		for (i = 0; i < n; i++)
			printf("%s: ok\n", s[i]->path);
	for (i = 0; i < n; i++)
		scenario_free(s[i]);
	free(s);
	return ret;
}
