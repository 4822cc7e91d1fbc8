// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Creates COUNT network namespaces, BATCH of them alive at once, each
 * configured with a profile of its own and carrying a session, and lets
 * them die while configured: the module's pernet exit must unhook and
 * free everything. In each namespace, the packets are marked with
 * SO_MARK (profile 0) instead of an nft rule, so that one process does
 * it all; nobody reads the queue, so the packets bypass it and the
 * session falls to the default after the budget.
 *
 *   nsstress COUNT BATCH
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fwhook_client.h"

static int lo_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), ret;

	if (fd < 0)
		return -1;
	ret = ioctl(fd, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	if (!ret)
		ret = ioctl(fd, SIOCSIFFLAGS, &ifr);
	close(fd);
	return ret;
}

static int send_marked(int n)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(9),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	unsigned int mark = 1u << FWHOOK_MARK_PROFILE_SHIFT;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), i;

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)))
		return -1;
	for (i = 0; i < n; i++)
		sendto(fd, "x", 1, 0, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return 0;
}

static int budget_session(const struct fwhook_session *s, void *arg)
{
	*(int *)arg = s->verdict == FWHOOK_VERDICT_ACCEPT &&
		      s->reason == FWHOOK_REASON_BUDGET && s->packets >= 5;
	return 0;
}

/* One namespace's life; the exit status says what went wrong. */
static int one(int i)
{
	struct fwhook_config c = { .idle_timeout = 1 + i % 60, .nprofiles = 1 };
	struct fwhook_stats st;
	struct fwhook h;
	int ok = 0;

	c.profiles[0] = (struct fwhook_profile){ .queue_first = i,
		.queue_count = 1 + i % 4, .budget = 2, .fail_open = 1,
		.default_verdict = FWHOOK_VERDICT_ACCEPT };
	if (unshare(CLONE_NEWNET) || lo_up())
		return 2;
	if (fwhook_open(&h) || fwhook_set_config(&h, &c))
		return 3;
	if (send_marked(6))
		return 4;
	if (fwhook_get_stats(&h, &st) || st.sessions != 1)
		return 5;
	if (fwhook_sessions(&h, budget_session, &ok) || !ok)
		return 6;
	fwhook_close(&h);
	return 0;
}

int main(int argc, char **argv)
{
	int count = argc > 1 ? atoi(argv[1]) : 100;
	int batch = argc > 2 ? atoi(argv[2]) : 10;
	int i, j, status, fails = 0;

	for (i = 0; i < count; i += batch) {
		for (j = i; j < count && j < i + batch; j++)
			if (fork() == 0)
				_exit(one(j));
		while (wait(&status) > 0)
			if (!WIFEXITED(status) || WEXITSTATUS(status)) {
				fprintf(stderr, "nsstress: a namespace failed "
					"(status %d)\n", WEXITSTATUS(status));
				fails++;
			}
	}
	printf("nsstress: %d namespaces, %d failed\n", count, fails);
	return fails ? 1 : 0;
}
