// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The steps of a scenario, run alone between batches of expectations:
 * apply a rule file, start a background stream, check that a stream still
 * flows, look at or change a node's conntrack table, act on a node's
 * fwctld and check its counters. apply and
 * conntrack run this very binary inside the node's namespace, the way a
 * person would; streams keep running until the scenario ends.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "netns.h"
#include "scenario_run.h"
#include "tc.h"

#define FWCTL_TIMEOUT_MS	60000
#define FWCTL_MAX_ARGS		64

/* Reads fd to its end or to the deadline, whichever comes first. */
static bool read_all(int fd, FILE *out, uint64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[4096];
	uint64_t now;
	ssize_t n;

	for (;;) {
		now = run_now_ms();
		if (now >= deadline)
			return false;
		if (poll(&pfd, 1, deadline - now) <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			return true;
		fwrite(buf, 1, n, out);
	}
}

static void __attribute__((noreturn)) fwctl_exec(const struct scn_node *n,
						 const char *const *args,
						 int out, int err)
{
	const char *argv[FWCTL_MAX_ARGS + 6] = { "fwctl", "--netns",
						 n->netns };
	size_t i, k = 3;

	if (n->rundir) {
		argv[k++] = "--rundir";
		argv[k++] = n->rundir;
	}
	for (i = 0; args[i] && i < FWCTL_MAX_ARGS; i++)
		argv[k + i] = args[i];
	dup2(out, STDOUT_FILENO);
	dup2(err, STDERR_FILENO);
	execv("/proc/self/exe", (char *const *)argv);
	fprintf(stderr, "cannot run /proc/self/exe: %s\n", strerror(errno));
	_exit(127);
}

/* The whole of a temporary file, as a string. */
static char *file_slurp(FILE *f)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		return NULL;
	rewind(f);
	read_all(fileno(f), out, run_now_ms() + 1000);
	fclose(out);
	return text;
}

int fwctl_run(const struct scn_node *n, const char *const *args,
	      char **output, char **err)
{
	FILE *out = NULL, *errf = err ? tmpfile() : NULL;
	int pipefd[2], status = -1;
	size_t len;
	bool done;
	pid_t pid = -1;

	*output = NULL;
	if ((err && !errf) || pipe2(pipefd, O_CLOEXEC) < 0)
		goto out;
	out = open_memstream(output, &len);
	pid = out ? guard_fork() : -1;
	if (pid == 0)
		fwctl_exec(n, args, pipefd[1],
			   errf ? fileno(errf) : pipefd[1]);
	close(pipefd[1]);
	if (pid > 0) {
		done = read_all(pipefd[0], out, run_now_ms() +
				FWCTL_TIMEOUT_MS);
		if (!done)
			fprintf(out, "killed after %u s\n",
				FWCTL_TIMEOUT_MS / 1000);
		status = guard_reap(pid, !done);
	}
	close(pipefd[0]);
out:
	if (out)
		fclose(out);
	if (errf) {
		*err = file_slurp(errf);
		fclose(errf);
	}
	return status;
}

static void describe_status(const char *what, int status, char *why,
			    size_t size)
{
	if (status < 0)
		snprintf(why, size, "could not run fwctl %s", what);
	else if (status == 0)
		snprintf(why, size, "fwctl %s succeeded", what);
	else if (WIFSIGNALED(status))
		snprintf(why, size, "fwctl %s died of signal %d", what,
			 WTERMSIG(status));
	else
		snprintf(why, size, "fwctl %s exited with %d", what,
			 WEXITSTATUS(status));
}

/* A refusal is exit 1 (the file is wrong) or 2 (the kernel said no). */
static bool apply_refused(int status)
{
	return status > 0 && WIFEXITED(status) &&
	       (WEXITSTATUS(status) == FW_EXIT_RULES ||
		WEXITSTATUS(status) == FW_EXIT_SYSTEM);
}

/* A refused apply must leave the rule set as it was: before vs. now. */
static void ruleset_unchanged(const char *ns, const char *before,
			      size_t blen, char *why, size_t size)
{
	size_t alen;
	char *after;

	if (!before || snapshot_take(ns, &after, &alen)) {
		snprintf(why, size, "cannot read the rule set of %s", ns);
		return;
	}
	if (alen != blen || memcmp(before, after, blen))
		snprintf(why, size, "the refused apply changed the rule set");
	free(after);
}

/* A failed step on a node with a daemon shows what the daemon said. */
static void print_daemon_log(const struct run *run, size_t node)
{
	if (run->s->nodes[node].daemon)
		daemon_print_log(run, node);
}

static void step_apply(struct run *run, const struct scn_item *it)
{
	const struct scn_apply *a = &it->apply;
	const char *ns = run->s->nodes[a->node].netns;
	const char *args[] = { "apply", a->path, NULL };
	char *before = NULL, *out = NULL, why[128] = "", extra[32];
	uint64_t t0 = run_now_ms();
	size_t blen = 0;
	int status;

	/* On failure before stays NULL, and the step says so below. */
	if (a->fails)
		snapshot_take(ns, &before, &blen);
	status = fwctl_run(&run->s->nodes[a->node], args, &out, NULL);
	if (a->fails ? !apply_refused(status) : status != 0)
		describe_status("apply", status, why, sizeof(why));
	else if (a->fails)
		ruleset_unchanged(ns, before, blen, why, sizeof(why));
	snprintf(extra, sizeof(extra), "%llu ms",
		 (unsigned long long)(run_now_ms() - t0));
	run_report(run, it, !why[0], why, extra);
	if (why[0] || run->verbose)
		run_print_output(out);
	if (why[0])
		print_daemon_log(run, a->node);
	free(before);
	free(out);
}

static void step_stream(struct run *run, const struct scn_item *it)
{
	size_t idx = it - run->s->items;
	uint64_t t0 = run_now_ms();
	char why[128] = "", extra[32];

	run->streams[idx] = stream_start(run->s, &it->stream.e, why,
					 sizeof(why));
	snprintf(extra, sizeof(extra), "%s%llu ms", run->streams[idx] ?
		 "connected in " : "", (unsigned long long)(run_now_ms() - t0));
	run_report(run, it, run->streams[idx] != NULL, why, extra);
}

static void step_flowing(struct run *run, const struct scn_item *it)
{
	struct stream *st = run->streams[it->flowing];
	char why[128] = "", extra[96] = "";

	if (!st)
		snprintf(why, sizeof(why), "the stream never started");
	else
		stream_flowing(st, why, sizeof(why), extra, sizeof(extra));
	run_report(run, it, !why[0], why, extra);
}

/*
 * The entries of a JSON array of objects: the objects at depth one,
 * strings skipped. -1 when the text is not such an array.
 */
static long json_array_len(const char *c)
{
	unsigned depth = 0;
	long n = 0;

	while (isspace((unsigned char)*c))
		c++;
	if (*c != '[')
		return -1;
	for (; *c; c++) {
		if (*c == '"') {
			while (*++c && *c != '"')
				c += c[0] == '\\' && c[1];
			if (!*c)
				return -1;
		} else if (*c == '[' || *c == '{') {
			n += *c == '{' && depth == 1;
			depth++;
		} else if ((*c == ']' || *c == '}') && !--depth) {
			return n;
		}
	}
	return -1;
}

/* The number `count` printed, or the length of the array `list` did. */
static long conntrack_number(const struct scn_conntrack *c, const char *out)
{
	char *end;
	long n;

	if (!strcmp(c->argv[0], "list"))
		return json_array_len(out);
	n = strtol(out, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	return isdigit((unsigned char)*out) && !*end ? n : -1;
}

static void conntrack_judge(const struct scn_conntrack *c, int status,
			    const char *out, char *why, size_t size,
			    char *extra, size_t esize)
{
	long n;

	if (status) {
		describe_status("conntrack", status, why, size);
		return;
	}
	if (!c->has_expect)
		return;
	n = conntrack_number(c, out);
	if (n < 0)
		snprintf(why, size, "cannot read the output of fwctl "
			 "conntrack %s", c->argv[0]);
	else if (n < c->lo || n > c->hi)
		snprintf(why, size, "got %ld", n);
	else
		snprintf(extra, esize, "%ld, ", n);
}

static void step_conntrack(struct run *run, const struct scn_item *it)
{
	const struct scn_conntrack *c = &it->conntrack;
	const char *args[FWCTL_MAX_ARGS + 1] = { NULL };
	char why[128] = "", extra[64] = "", *out = NULL, *err = NULL;
	uint64_t t0 = run_now_ms();
	size_t i, n = 0;
	int status;

	/* -j only for list: count prints its bare number either way. */
	if (!strcmp(c->argv[0], "list"))
		args[n++] = "-j";
	args[n++] = "conntrack";
	for (i = 0; i < c->argc && n < FWCTL_MAX_ARGS; i++)
		args[n++] = c->argv[i];
	status = fwctl_run(&run->s->nodes[c->node], args, &out, &err);
	conntrack_judge(c, status, out ? out : "", why, sizeof(why), extra,
			sizeof(extra));
	snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
		 "%llu ms", (unsigned long long)(run_now_ms() - t0));
	run_report(run, it, !why[0], why, extra);
	if (why[0] || run->verbose) {
		run_print_output(out);
		run_print_output(err);
	}
	free(out);
	free(err);
}

static void step_daemon(struct run *run, const struct scn_item *it)
{
	const struct scn_daemon_step *d = &it->daemon;
	uint64_t t0 = run_now_ms();
	char why[192] = "", extra[32];

	if (daemon_act(run, d->node, d->action, why, sizeof(why)) &&
	    !why[0])
		snprintf(why, sizeof(why), "%s", strerror(errno));
	snprintf(extra, sizeof(extra), "%llu ms",
		 (unsigned long long)(run_now_ms() - t0));
	run_report(run, it, !why[0], why, extra);
	if (why[0])
		print_daemon_log(run, d->node);
}

/* expect daemon NODE queued|flows|denied RANGE */
static void step_daemon_check(struct run *run, const struct scn_item *it)
{
	const struct scn_daemon_check *c = &it->daemon_check;
	char why[192] = "", extra[32] = "";
	uint64_t v[3];

	if (!daemon_counters(run, c->node, v, why, sizeof(why))) {
		snprintf(extra, sizeof(extra), "%llu",
			 (unsigned long long)v[c->counter]);
		if (v[c->counter] < c->lo || v[c->counter] > c->hi)
			snprintf(why, sizeof(why), "got %llu",
				 (unsigned long long)v[c->counter]);
	}
	run_report(run, it, !why[0], why, extra);
	if (why[0])
		print_daemon_log(run, c->node);
}

static void step_flush(struct run *run, const struct scn_item *it)
{
	const char *args[] = { "flush", NULL };
	char why[128] = "", *out = NULL, extra[32];
	uint64_t t0 = run_now_ms();
	int status;

	status = fwctl_run(&run->s->nodes[it->flush], args, &out, NULL);
	if (status)
		describe_status("flush", status, why, sizeof(why));
	snprintf(extra, sizeof(extra), "%llu ms",
		 (unsigned long long)(run_now_ms() - t0));
	run_report(run, it, !why[0], why, extra);
	if (why[0] || run->verbose)
		run_print_output(out);
	free(out);
}

struct qdisc_query {
	const char	*ifname;
	char		kind[16];
};

static int qdisc_kind(void *arg)
{
	struct qdisc_query *q = arg;

	return tc_root_kind(q->ifname, q->kind, sizeof(q->kind));
}

static void step_qdisc(struct run *run, const struct scn_item *it)
{
	const struct scn_qdisc *e = &it->qdisc;
	struct qdisc_query q = { .ifname = e->ifname };
	char why[128] = "";
	int err;

	err = netns_call(run->s->nodes[e->node].netns, qdisc_kind, &q);
	if (err)
		snprintf(why, sizeof(why), "cannot read the qdisc of %s: %s",
			 e->ifname, tc_error());
	else if (strcmp(q.kind, e->kind))
		snprintf(why, sizeof(why), "the root qdisc is %s",
			 q.kind[0] ? q.kind : "none");
	run_report(run, it, !why[0], why, q.kind);
}

static void (*const step_fns[])(struct run *run, const struct scn_item *it) = {
	[SCN_ITEM_APPLY]	= step_apply,
	[SCN_ITEM_STREAM]	= step_stream,
	[SCN_ITEM_FLOWING]	= step_flowing,
	[SCN_ITEM_CONNTRACK]	= step_conntrack,
	[SCN_ITEM_DAEMON]	= step_daemon,
	[SCN_ITEM_DAEMON_CHECK]	= step_daemon_check,
	[SCN_ITEM_FLUSH]	= step_flush,
	[SCN_ITEM_QDISC]	= step_qdisc,
};

void step_run(struct run *run, const struct scn_item *it)
{
	step_fns[it->kind](run, it);
}

void steps_stop(struct run *run)
{
	size_t i;

	for (i = 0; run->streams && i < run->s->n_items; i++) {
		stream_stop(run->streams[i]);
		run->streams[i] = NULL;
	}
}
