// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * timeit [-n NETNS] [-t SECONDS] -o FILE CMD [ARG...]: how long CMD takes,
 * from its fork to its exit, written to FILE in ms ("12.3"). The
 * benchmarks time one tool process this way, whichever tool it is: the
 * shell's own forks (date, cp, timeout, ip netns exec) cost some 10 ms
 * each on a small virtual machine, more than a small rule set's load.
 *
 * -n: enter the network namespace NETNS (ip netns) before the clock
 *     starts; CMD runs there.
 * -t: kill CMD after SECONDS and exit 124, as timeout(1) does.
 * Exit: CMD's status, 128 + the signal that ended it, 124 on timeout,
 * 125 when timeit itself failed (nothing written to FILE).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#define EXIT_TIMEOUT	124
#define EXIT_SELF	125

static pid_t child;

static void on_alarm(int sig)
{
	(void)sig;
	if (child > 0)
		kill(child, SIGKILL);
}

static int netns_enter(const char *name)
{
	char path[256];
	int fd, err;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "timeit: %s: %s\n", path, strerror(errno));
		return -1;
	}
	err = setns(fd, CLONE_NEWNET);
	if (err)
		fprintf(stderr, "timeit: setns %s: %s\n", name,
			strerror(errno));
	close(fd);
	return err;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* CMD's exit as a shell reports it. */
static int status_of(int st, int timed_out)
{
	if (timed_out)
		return EXIT_TIMEOUT;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

static int usage(void)
{
	fprintf(stderr, "usage: timeit [-n NETNS] [-t SECONDS] -o FILE "
		"CMD [ARG...]\n");
	return EXIT_SELF;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	const char *netns = NULL, *out = NULL;
	unsigned seconds = 0;
	struct timespec t0;
	double ms;
	FILE *f;
	int c, st, timed_out;

	while ((c = getopt(argc, argv, "+n:t:o:")) != -1) {
		switch (c) {
		case 'n': netns = optarg; break;
		case 't': seconds = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'o': out = optarg; break;
		default: return usage();
		}
	}
	if (!out || optind >= argc)
		return usage();
	if (netns && netns_enter(netns) < 0)
		return EXIT_SELF;
	sigaction(SIGALRM, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	child = fork();
	if (child < 0) {
		perror("timeit: fork");
		return EXIT_SELF;
	}
	if (child == 0) {
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "timeit: %s: %s\n", argv[optind],
			strerror(errno));
		_exit(127);
	}
	alarm(seconds);
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR) {
			perror("timeit: waitpid");
			return EXIT_SELF;
		}
	ms = ms_since(&t0);
	timed_out = seconds && !alarm(0) && WIFSIGNALED(st) &&
		    WTERMSIG(st) == SIGKILL;
	f = fopen(out, "w");
	if (!f || fprintf(f, "%.1f\n", ms) < 0 || fclose(f)) {
		fprintf(stderr, "timeit: %s: %s\n", out, strerror(errno));
		return EXIT_SELF;
	}
	return status_of(st, timed_out);
}
