// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fwctld in the nodes that declare daemon: each gets a run directory of
 * its own under the scenario's temporary directory (fwctld -r DIR, fwctl
 * --rundir DIR), its standard error goes to DIR/fwctld.log, and it is
 * killed when the scenario ends, whatever happens. The steps start,
 * kill (SIGKILL), stop (SIGSTOP), continue and restart it; a start is
 * complete when the control socket answers a status request. The socket
 * is a path, reached from the runner's own network namespace.
 *
 * The binary is $FWCTLD, or the fwctld next to this fwctl.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ctlclient.h"
#include "netns.h"
#include "scenario_run.h"

#define DAEMON_READY_MS		5000
#define DAEMON_TERM_MS		3000
#define DAEMON_LOG_NAME		"fwctld.log"

struct daemon_proc {
	pid_t	pid;		/* -1: not running */
	bool	stopped;
};

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };

	nanosleep(&ts, NULL);
}

/* $FWCTLD, or fwctld in the directory of this very binary. */
static const char *daemon_binary(char *buf, size_t size)
{
	const char *env = getenv("FWCTLD");
	char self[PATH_MAX];
	ssize_t n;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return "fwctld";
	self[n] = '\0';
	snprintf(buf, size, "%s/fwctld", dirname(self));
	return buf;
}

static char *path_in(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	return p;
}

static void __attribute__((noreturn)) daemon_exec(const struct scn_node *n)
{
	char *log = path_in(n->rundir, DAEMON_LOG_NAME), buf[PATH_MAX];
	const char *bin = daemon_binary(buf, sizeof(buf));
	int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	/* Its own group: what it forks dies with it at the end. */
	setpgid(0, 0);
	if (fd < 0 || null < 0 || dup2(null, STDIN_FILENO) < 0 ||
	    dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
		_exit(126);
	if (netns_enter(n->netns) < 0) {
		fprintf(stderr, "cannot enter %s: %s\n", n->netns,
			strerror(errno));
		_exit(126);
	}
	execl(bin, "fwctld", "-r", n->rundir, (char *)NULL);
	fprintf(stderr, "cannot run %s: %s\n", bin, strerror(errno));
	_exit(127);
}

/* True once the child has exited (not reaped: guard_reap() does that). */
static bool exited(pid_t pid)
{
	siginfo_t info = { 0 };

	return !waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) &&
	       info.si_pid == pid;
}

static int daemon_start(struct run *run, size_t node, char *why, size_t size)
{
	const struct scn_node *n = &run->s->nodes[node];
	struct daemon_proc *d = &run->daemons[node];
	char *sock = path_in(n->rundir, CONTROL_SOCKET_NAME);
	struct control_status st;
	uint64_t deadline = run_now_ms() + DAEMON_READY_MS;

	/* What a killed daemon left; a supervisor would clean it too. */
	unlink(sock);
	free(sock);
	d->stopped = false;
	d->pid = guard_fork();
	if (d->pid == 0)
		daemon_exec(n);
	if (d->pid < 0) {
		snprintf(why, size, "fork: %s", strerror(errno));
		return -1;
	}
	while (ctlclient_status(n->rundir, &st, why, size)) {
		if (exited(d->pid) || run_now_ms() > deadline) {
			snprintf(why, size, "fwctld %s", exited(d->pid) ?
				 "exited" : "did not answer within 5 s");
			guard_reap(d->pid, true);
			d->pid = -1;
			return -1;
		}
		sleep_ms(20);
	}
	why[0] = '\0';
	return 0;
}

/*
 * Sends sig to the daemon alone, as a person would: what it forked must
 * cope. A SIGTERM gets DAEMON_TERM_MS to work, then comes SIGKILL.
 */
static void daemon_end(struct daemon_proc *d, int sig)
{
	uint64_t deadline = run_now_ms() + DAEMON_TERM_MS;

	if (d->pid <= 0)
		return;
	kill(d->pid, sig);
	if (d->stopped)
		kill(d->pid, SIGCONT);
	while (sig != SIGKILL && !exited(d->pid) && run_now_ms() < deadline)
		sleep_ms(10);
	guard_reap(d->pid, true);
	d->pid = -1;
	d->stopped = false;
}

/*
 * A daemon that was stopped takes its queues back from its watchdog once
 * it runs again (within the watchdog's tick); until then the watchdog
 * answers without inspecting. continue returns when every queue is the
 * daemon's again, so that the next step sees the daemon deciding.
 */
static int daemon_resumed(struct run *run, size_t node, char *why,
			  size_t size)
{
	uint64_t deadline = run_now_ms() + DAEMON_READY_MS;
	struct control_status st;
	size_t i, held;

	do {
		if (ctlclient_status(run->s->nodes[node].rundir, &st, why,
				     size))
			return -1;
		for (i = held = 0; i < st.nqueues; i++)
			held += st.queues[i].watchdog;
		if (!held)
			return 0;
		sleep_ms(10);
	} while (run_now_ms() < deadline);
	snprintf(why, size, "the watchdog still answers %zu queue%s after "
		 "5 s", held, held == 1 ? "" : "s");
	return -1;
}

int daemon_act(struct run *run, size_t node, enum scn_daemon_action a,
	       char *why, size_t size)
{
	struct daemon_proc *d = &run->daemons[node];
	bool running = d->pid > 0;

	if (running == (a == SCN_DAEMON_START)) {
		snprintf(why, size, "fwctld is %s running", running ?
			 "already" : "not");
		return -1;
	}
	if (a == SCN_DAEMON_STOP || a == SCN_DAEMON_CONTINUE) {
		d->stopped = a == SCN_DAEMON_STOP;
		if (kill(d->pid, d->stopped ? SIGSTOP : SIGCONT))
			return -1;
		return d->stopped ? 0 : daemon_resumed(run, node, why, size);
	}
	if (a != SCN_DAEMON_START)
		daemon_end(d, a == SCN_DAEMON_KILL ? SIGKILL : SIGTERM);
	if (a == SCN_DAEMON_KILL)
		return 0;
	return daemon_start(run, node, why, size);
}

int daemon_counters(struct run *run, size_t node, uint64_t *v, char *why,
		    size_t size)
{
	struct control_status st;
	size_t i;

	if (ctlclient_status(run->s->nodes[node].rundir, &st, why, size))
		return -1;
	memset(v, 0, 3 * sizeof(*v));
	for (i = 0; i < st.nqueues; i++) {
		v[SCN_COUNT_QUEUED] += st.queues[i].packets;
		v[SCN_COUNT_FLOWS] += st.queues[i].flows;
		v[SCN_COUNT_DENIED] += st.queues[i].denied;
	}
	return 0;
}

void daemon_print_log(const struct run *run, size_t node)
{
	char *log = path_in(run->s->nodes[node].rundir, DAEMON_LOG_NAME);
	FILE *f = fopen(log, "r");
	char line[512];

	printf("# fwctld log of %s:\n", run->s->nodes[node].name);
	while (f && fgets(line, sizeof(line), f))
		printf("#   %s%s", line, strchr(line, '\n') ? "" : "\n");
	if (f)
		fclose(f);
	free(log);
}

/*
 * A run directory for every node, then the daemons. Every fwctl of the
 * run gets its node's (--rundir): the live cache and the inspect rules of
 * a namespace's apply stay in the run, never in /run/fwctld, where the
 * host's own fwctld would take them.
 */
int daemons_setup(struct run *run)
{
	struct scenario *s = run->s;
	const char *tmp = getenv("TMPDIR");
	char why[160] = "", tmpl[PATH_MAX];
	size_t i;

	snprintf(tmpl, sizeof(tmpl), "%s/fwctl-test-XXXXXX",
		 tmp && tmp[0] ? tmp : "/tmp");

	run->daemons = calloc(s->n_nodes, sizeof(*run->daemons));
	if (!guard_dir_create(tmpl)) {
		run->tmpdir = strdup(tmpl);
		if (!run->tmpdir)
			guard_dir_release(true);
	}
	if (!run->daemons || !run->tmpdir) {
		fprintf(stderr, "fwctl: test: %s: no temporary directory: %s\n",
			run->name, strerror(errno));
		return -1;
	}
	for (i = 0; i < s->n_nodes; i++) {
		run->daemons[i].pid = -1;
		s->nodes[i].rundir = path_in(run->tmpdir, s->nodes[i].name);
		if (mkdir(s->nodes[i].rundir, 0700)) {
			fprintf(stderr, "fwctl: test: %s: %s: %s\n", run->name,
				s->nodes[i].rundir, strerror(errno));
			return -1;
		}
	}
	for (i = 0; i < s->n_nodes; i++) {
		if (!s->nodes[i].daemon)
			continue;
		if (daemon_start(run, i, why, sizeof(why))) {
			fprintf(stderr, "fwctl: test: %s: fwctld in %s: %s\n",
				run->name, s->nodes[i].name, why[0] ? why :
				strerror(errno));
			daemon_print_log(run, i);
			return -1;
		}
	}
	return 0;
}

void daemons_teardown(struct run *run, bool keep)
{
	struct scenario *s = run->s;
	size_t i;

	for (i = 0; run->daemons && i < s->n_nodes; i++) {
		if (run->verbose && s->nodes[i].daemon)
			daemon_print_log(run, i);
		if (run->daemons[i].pid > 0)
			kill(-run->daemons[i].pid, SIGKILL);
		daemon_end(&run->daemons[i], SIGKILL);
	}
	if (run->tmpdir && keep)
		printf("# kept the nodes' run directories in %s\n",
		       run->tmpdir);
	if (run->tmpdir)
		guard_dir_release(!keep);
	free(run->daemons);
	free(run->tmpdir);
	run->daemons = NULL;
	run->tmpdir = NULL;
}
