// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <time.h>

#include "nlsock.h"

/* Big enough for any skb a dump hands us (the kernel caps them at 32k). */
#define NLSOCK_RECV_SIZE	65536

int nlsock_open(struct nlsock *s, int bus)
{
	int one = 1;

	s->nl = mnl_socket_open2(bus, SOCK_CLOEXEC);
	if (!s->nl)
		return -1;
	if (mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		nlsock_close(s);
		return -1;
	}
	/* Both are best effort: old kernels just ack less precisely. */
	mnl_socket_setsockopt(s->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	s->portid = mnl_socket_get_portid(s->nl);
	s->seq = (uint32_t)time(NULL);
	return 0;
}

void nlsock_close(struct nlsock *s)
{
	if (s->nl)
		mnl_socket_close(s->nl);
	s->nl = NULL;
}

/*
 * The socket's last reference goes to a grandchild that drops it once the
 * caller has: the kernel's release then waits there, not here. The
 * caller's other files are closed before the grandchild is forked, so
 * that none outlives the child the caller waits for: a lock (apply's
 * records.lock, an flock) stays held while any copy of its file is open,
 * and the caller's next apply found it held.
 */
static void hand_over(int fd, int wait_fd)
{
	char c;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	/* No pipe of the caller's may wait on this one: only the two. */
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	if (fd > 2 && wait_fd > 2) {
		int lo = fd < wait_fd ? fd : wait_fd, hi = fd ^ wait_fd ^ lo;

		close_range(3, (unsigned)lo - 1, 0);
		close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
		close_range((unsigned)hi + 1, ~0u, 0);
	}
	if (fork() != 0)
		_exit(0);
	while (read(wait_fd, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

static const char *holder;

void nlsock_hold_by(const char *path)
{
	holder = path;
}

/* The holder's main(): the socket is its fd 3, the pipe its stdin. */
void nlsock_hold_if_asked(int argc, char **argv)
{
	char c;

	if (argc != 2 || strcmp(argv[1], NLSOCK_HOLD_ARG))
		return;
	while (read(0, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

/*
 * Runs the holder with the socket as fd 3, wait_fd as stdin, /dev/null
 * as stdout and stderr, nothing else open; false if it cannot be run.
 */
static bool spawn_holder(int fd, int wait_fd)
{
	char *argv[] = { (char *)"fwctl", (char *)NLSOCK_HOLD_ARG, NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int err;

	/* Below 3 they would be overwritten before they are moved. */
	if (!holder || fd < 3 || wait_fd < 3 ||
	    posix_spawn_file_actions_init(&fa))
		return false;
	err = posix_spawn_file_actions_adddup2(&fa, wait_fd, 0) ||
	      posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY,
					       0) ||
	      posix_spawn_file_actions_adddup2(&fa, 1, 2) ||
	      /* dup2 of 3 onto itself clears its close-on-exec flag. */
	      posix_spawn_file_actions_adddup2(&fa, fd, 3) ||
	      posix_spawn_file_actions_addclosefrom_np(&fa, 4) ||
	      posix_spawn(&pid, holder, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return !err;
}

/* Else a grandchild holds it, forked: false if it cannot be. */
static bool fork_holder(int fd, int wait_fd, int cue)
{
	pid_t pid = fork();

	if (pid == 0) {
		close(cue);
		hand_over(fd, wait_fd);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);	/* its child: gone once it forked */
	return pid > 0;
}

int nlsock_hold_spawn(const struct nlsock *s)
{
	int p[2], fd = s->nl ? mnl_socket_get_fd(s->nl) : -1;

	if (fd < 0 || getenv("FWCTL_CLOSE_WAIT") || pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if (!spawn_holder(fd, p[0]) && !fork_holder(fd, p[0], p[1])) {
		close(p[1]);
		p[1] = -1;
	}
	close(p[0]);
	return p[1];
}

void nlsock_close_held(struct nlsock *s, int cue)
{
	nlsock_close(s);
	if (cue >= 0)
		close(cue);	/* the holder's cue */
}

uint32_t nlsock_seq(struct nlsock *s, uint32_t n)
{
	uint32_t first = s->seq;

	s->seq += n;
	return first;
}

struct nlmsghdr *nlsock_msg(char *buf, struct nlsock *s, uint16_t type,
			    uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = nlsock_seq(s, 1);
	return nlh;
}

static void set_buffer(int fd, int force, int plain, size_t size)
{
	int v = size > (size_t)(INT32_MAX / 2) ? INT32_MAX / 2 : (int)size;

	/* The FORCE variants need CAP_NET_ADMIN; the plain ones are capped. */
	if (setsockopt(fd, SOL_SOCKET, force, &v, sizeof(v)) < 0)
		setsockopt(fd, SOL_SOCKET, plain, &v, sizeof(v));
}

void nlsock_set_buffers(struct nlsock *s, size_t sndbuf, size_t rcvbuf)
{
	int fd = mnl_socket_get_fd(s->nl);

	if (sndbuf)
		set_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, sndbuf);
	if (rcvbuf)
		set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, rcvbuf);
}

struct request {
	mnl_cb_t	cb;
	void		*data;
	bool		interrupted;
};

static int request_cb(const struct nlmsghdr *nlh, void *data)
{
	struct request *rq = data;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		rq->interrupted = true;
	return rq->cb ? rq->cb(nlh, rq->data) : MNL_CB_OK;
}

int nlsock_request(struct nlsock *s, struct nlmsghdr *nlh, mnl_cb_t cb,
		   void *data)
{
	struct request rq = { .cb = cb, .data = data };
	uint32_t seq = nlh->nlmsg_seq;
	char *buf;
	ssize_t n;
	int ret, err = 0;

	if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	buf = malloc(NLSOCK_RECV_SIZE);
	if (!buf)
		return -ENOMEM;
	do {
		n = mnl_socket_recvfrom(s->nl, buf, NLSOCK_RECV_SIZE);
		if (n < 0) {
			err = -errno;
			break;
		}
		ret = mnl_cb_run(buf, n, seq, s->portid, request_cb, &rq);
		if (ret == MNL_CB_ERROR)
			err = errno ? -errno : -EPROTO;
	} while (ret == MNL_CB_OK);
	free(buf);
	if (!err && rq.interrupted)
		err = -EINTR;
	return err;
}
