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

#include "conffile.h"
#include "daemon.h"
#include "log.h"
#include "process.h"
#include "server.h"
#include "watchdog.h"

struct options {
	const char *socket_path, *config_file;
};

static void usage(FILE *f)
{
	fputs("usage: fwctld [-s SOCKET] [-c FILE]\n"
	      "  -s, --socket PATH  control socket (" CONTROL_SOCKET_PATH ")\n"
	      "  -c, --config FILE  configuration to start with and to "
	      "reload on SIGHUP\n", f);
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 } };
	int c;

	*o = (struct options){ .socket_path = CONTROL_SOCKET_PATH };
	while ((c = getopt_long(argc, argv, "s:c:h", longopts, NULL)) != -1) {
		if (c == 's')
			o->socket_path = optarg;
		else if (c == 'c')
			o->config_file = optarg;
		else
			return c == 'h' ? 1 : -1;
	}
	return optind == argc ? 0 : -1;
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
	struct signalfd_siginfo si;
	const char *why;

	if (read(sfd, &si, sizeof(si)) != sizeof(si))
		return true;
	if (si.ssi_signo != SIGHUP)
		return false;
	if (daemon_reload(d, &why))
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
	struct control_config c;
	const char *why;
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
	if (o->config_file) {
		if (conffile_read(o->config_file, &c))
			return -1;
		err = daemon_apply(d, &c, &why);
		control_config_free(&c);
		if (err)
			return start_failed(o->config_file, why);
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
	return r;
}
