// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fwctld: the NFQUEUE daemon. Binds the queues of its configuration,
 * decides flows by the names in their first packets, and serves the
 * control socket; see fwctld(8).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

#include "daemon.h"
#include "log.h"
#include "process.h"
#include "server.h"
#include "watchdog.h"

struct options {
	const char *run_dir, *socket_path, *config_file;
	char *paths[2];		/* the ones made from run_dir, to free */
};

static void usage(FILE *f)
{
	fputs("usage: fwctld [-r DIR] [-s SOCKET] [-c FILE]\n"
	      "  -r, --rundir DIR   socket and config directory ("
	      CONTROL_RUN_DIR ")\n"
	      "  -s, --socket PATH  control socket (DIR/" CONTROL_SOCKET_NAME
	      ")\n"
	      "  -c, --config FILE  configuration to start with and to "
	      "reload on SIGHUP\n"
	      "                     (DIR/" CONTROL_CONFIG_NAME
	      ", optional; FILE must exist)\n", f);
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "rundir", required_argument, NULL, 'r' },
		{ "socket", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 } };
	int c;

	*o = (struct options){ .run_dir = CONTROL_RUN_DIR };
	while ((c = getopt_long(argc, argv, "r:s:c:h", longopts, NULL)) != -1) {
		if (c == 'r')
			o->run_dir = optarg;
		else if (c == 's')
			o->socket_path = optarg;
		else if (c == 'c')
			o->config_file = optarg;
		else
			return c == 'h' ? 1 : -1;
	}
	return optind == argc ? 0 : -1;
}

/*
 * The paths -s and -c do not give come from the run directory, which is
 * made root-only when we create it. An existing one is left as it is:
 * an administrator may have chosen its mode.
 */
static int paths_from_run_dir(struct options *o)
{
	const char **slot[2] = { &o->socket_path, &o->config_file };
	const char *names[2] = { CONTROL_SOCKET_NAME, CONTROL_CONFIG_NAME };
	int i;

	if (o->socket_path && o->config_file)
		return 0;
	if (mkdir(o->run_dir, 0700) && errno != EEXIST)
		return -errno;
	for (i = 0; i < 2; i++) {
		if (*slot[i])
			continue;
		if (asprintf(&o->paths[i], "%s/%s", o->run_dir, names[i]) < 0)
			return -ENOMEM;
		*slot[i] = o->paths[i];
	}
	return 0;
}

/* Signals arrive on a descriptor, read by the main loop only. */
static int signals_fd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	sigdelset(&set, SIGPIPE);
	return signalfd(-1, &set, SFD_CLOEXEC);
}

/* Returns false when it is time to go. */
static bool on_signal(int sfd, struct daemon *d)
{
	char why[CONTROL_ERRMSG_MAX + 1];
	struct signalfd_siginfo si;

	if (read(sfd, &si, sizeof(si)) != sizeof(si))
		return true;
	if (si.ssi_signo != SIGHUP)
		return false;
	if (daemon_reload(d, why, sizeof(why)))
		log_msg("reload: %s", why);
	else
		log_msg("reloaded %s", d->config_file);
	return true;
}

static void run(struct daemon *d, int lfd, int sfd)
{
	struct pollfd p[2] = { { .fd = lfd, .events = POLLIN },
			       { .fd = sfd, .events = POLLIN } };

	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents && !on_signal(sfd, d))
			break;
		if (p[0].revents)
			server_accept(lfd, d);
	}
}

/* Prints why the start failed; returns -1 for start() to pass on. */
static int start_failed(const char *what, const char *why)
{
	fprintf(stderr, "fwctld: %s: %s\n", what, why);
	return -1;
}

/* Everything that needs more than CAP_NET_ADMIN happens here. */
static int start(struct daemon *d, const struct options *o, int *lfd,
		 int *sfd)
{
	char why[CONTROL_ERRMSG_MAX + 1];
	int err;

	err = watchdog_start();
	if (err)
		return start_failed("watchdog", strerror(-err));
	*sfd = signals_fd();
	if (*sfd < 0)
		return start_failed("signals", strerror(errno));
	*lfd = server_open(o->socket_path);
	if (*lfd < 0)
		return start_failed(o->socket_path, strerror(-*lfd));
	/* A config that cannot be applied stops the start: better no
	 * daemon, and the rules' fail mode, than one deciding wrongly. */
	if (daemon_reload(d, why, sizeof(why))) {
		fprintf(stderr, "fwctld: %s\n", why);
		return -1;
	}
	err = process_drop_caps();
	if (err)
		return start_failed("dropping capabilities", strerror(-err));
	return 0;
}

int main(int argc, char **argv)
{
	struct daemon d = { .top_lock = PTHREAD_MUTEX_INITIALIZER };
	struct options o;
	int lfd = -1, sfd = -1, r = parse_args(argc, argv, &o);

	if (r) {
		usage(r > 0 ? stdout : stderr);
		return r > 0 ? 0 : 2;
	}
	d.config_optional = !o.config_file;
	r = paths_from_run_dir(&o);
	if (r) {
		fprintf(stderr, "fwctld: %s: %s\n", o.run_dir, strerror(-r));
		return 1;
	}
	d.config_file = o.config_file;
	if (start(&d, &o, &lfd, &sfd) == 0) {
		process_notify("READY=1");
		log_msg("ready on %s", o.socket_path);
		run(&d, lfd, sfd);
		process_notify("STOPPING=1");
		r = 0;
	} else {
		r = 1;
	}
	daemon_stop(&d);
	if (lfd >= 0) {
		close(lfd);
		unlink(o.socket_path);
	}
	free(o.paths[0]);
	free(o.paths[1]);
	return r;
}
