// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>

#include <libmnl/libmnl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "fwctl/control.h"
#include "log.h"
#include "watchdog.h"

#define QUEUES		65536
#define TICK_MS		50

/* What the daemon sends over the pair; add carries the fd. */
struct wd_msg {
	uint16_t num;
	uint8_t add, fail_open;
};

struct wd_queue {
	int fd;			/* -1: a free slot */
	uint16_t num;
	bool fail_open;
};

/* The queues watched: as many as the daemon may run. */
static struct wd_queue watched[CONTROL_QUEUES_MAX];

/*
 * Shared by the daemon and the watchdog, per queue number. Only the owner
 * reads the queue's socket and answers packets: a batch verdict covers
 * every id up to its own, so two readers would answer each other's
 * packets (with the other's mark). The watchdog takes a queue whose beat
 * is stale; the daemon, back, asks for it (want) and gets it when the
 * watchdog has answered what it read.
 */
struct wd_shared {
	_Atomic uint64_t beat;		/* the queue thread's, in ms */
	atomic_bool watchdog_owns;
	atomic_bool want;		/* the daemon wants its queue back */
};

static struct wd_shared *shared;
static int wd_sock = -1;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

void watchdog_beat(uint16_t num)
{
	if (shared)
		atomic_store_explicit(&shared[num].beat, now_ms(),
				      memory_order_relaxed);
}

bool watchdog_holds(uint16_t num)
{
	return shared && atomic_load(&shared[num].watchdog_owns);
}

bool watchdog_owns(uint16_t num)
{
	if (!shared || !atomic_load(&shared[num].watchdog_owns))
		return false;
	atomic_store(&shared[num].want, true);
	return true;
}

static void wd_send(const struct wd_msg *m, int fd)
{
	char ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { (void *)m, sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (wd_sock < 0)
		return;
	if (fd >= 0) {
		mh.msg_control = ctl;
		mh.msg_controllen = sizeof(ctl);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	if (sendmsg(wd_sock, &mh, MSG_NOSIGNAL) < 0)
		log_msg("watchdog: %m");
}

void watchdog_add(uint16_t num, int fd, bool fail_open)
{
	struct wd_msg m = { num, 1, fail_open };

	watchdog_beat(num);
	wd_send(&m, fd);
}

void watchdog_remove(uint16_t num)
{
	struct wd_msg m = { num, 0, 0 };

	wd_send(&m, -1);
}

/* The slot of queue num, or a free one, or NULL when all are taken. */
static struct wd_queue *wd_slot(uint16_t num)
{
	struct wd_queue *free_slot = NULL;
	unsigned i;

	for (i = 0; i < CONTROL_QUEUES_MAX; i++) {
		if (watched[i].fd >= 0 && watched[i].num == num)
			return &watched[i];
		if (watched[i].fd < 0 && !free_slot)
			free_slot = &watched[i];
	}
	return free_slot;
}

static void wd_receive(int sock)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct wd_msg m;
	struct iovec iov = { &m, sizeof(m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	struct wd_queue *q;
	struct cmsghdr *c;
	int fd = -1;

	if (recvmsg(sock, &mh, 0) != sizeof(m))
		_exit(0);	/* the daemon is gone */
	c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	q = wd_slot(m.num);
	if (!q) {
		if (fd >= 0)
			close(fd);
		return;
	}
	if (q->fd >= 0)
		close(q->fd);
	*q = (struct wd_queue){ m.add ? fd : -1, m.num, m.fail_open };
	/* A new or removed queue starts with the daemon owning it. */
	atomic_store(&shared[m.num].watchdog_owns, false);
	atomic_store(&shared[m.num].want, false);
}

static void wd_verdict(const struct wd_queue *q, uint32_t top)
{
	uint8_t out[128];
	struct nlmsghdr *nlh;

	nlh = nfq_nlmsg_put((char *)out, NFQNL_MSG_VERDICT_BATCH, q->num);
	nfq_nlmsg_verdict_put(nlh, top, q->fail_open ? NF_ACCEPT : NF_DROP);
	send(q->fd, nlh, nlh->nlmsg_len, MSG_DONTWAIT);
}

/*
 * Answers everything queue num has waiting with one batch verdict on the
 * highest id read: it covers every id before it too.
 */
static void wd_drain(const struct wd_queue *q)
{
	static uint8_t buf[8192];
	struct nlmsghdr *nlh;
	uint32_t top = 0;
	ssize_t n;
	int len;

	while ((n = recv(q->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		struct nlattr *attr[NFQA_MAX + 1] = { NULL };
		struct nfqnl_msg_packet_hdr *ph;

		len = n;
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_type !=
			    (NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_PACKET) ||
			    nfq_nlmsg_parse(nlh, attr) < 0 ||
			    !attr[NFQA_PACKET_HDR])
				continue;
			ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
			top = ntohl(ph->packet_id);
		}
	}
	if (top)
		wd_verdict(q, top);
}

/*
 * Packets the daemon read but did not answer before it hung are in no
 * socket any more; the kernel's table of queues says how many wait and
 * the last id it gave out, and one batch verdict on that id frees them.
 */
static void wd_flush(const struct wd_queue *const *stalled, unsigned n)
{
	unsigned num, total, id, i;
	FILE *f;

	if (!n)
		return;
	f = fopen("/proc/net/netfilter/nfnetlink_queue", "re");
	if (!f)
		return;
	while (fscanf(f, "%u %*u %u %*u %*u %*u %*u %u %*d", &num, &total,
		      &id) == 3)
		for (i = 0; i < n; i++)
			if (stalled[i]->num == num && total && id)
				wd_verdict(stalled[i], id);
	fclose(f);
}

/*
 * Whether the watchdog answers queue q now: it takes a queue whose beat
 * is stale and gives it back once the daemon asks, having answered every
 * packet queued so far: those it read, those the daemon read after it
 * took over (and dropped its own verdicts for), and those still unread.
 */
static bool wd_owns(const struct wd_queue *q, uint64_t now)
{
	struct wd_shared *s = &shared[q->num];

	if (atomic_load(&s->watchdog_owns)) {
		if (!atomic_exchange(&s->want, false))
			return true;
		wd_drain(q);
		wd_flush(&q, 1);
		atomic_store(&s->watchdog_owns, false);
		return false;
	}
	if (now - atomic_load(&s->beat) <= WATCHDOG_STALL_MS)
		return false;
	atomic_store(&s->want, false);
	atomic_store(&s->watchdog_owns, true);
	return true;
}

/*
 * Waits for the daemon or for packets on the queues that are stalled,
 * so that once a queue is taken over its packets are answered as they
 * come; a queue that is not stalled is only looked at every TICK_MS.
 */
static void wd_poll(int sock)
{
	struct pollfd p[CONTROL_QUEUES_MAX + 1] = {
		{ .fd = sock, .events = POLLIN } };
	const struct wd_queue *stalled[CONTROL_QUEUES_MAX];
	uint64_t now = now_ms();
	unsigned i, n = 0;

	for (i = 0; i < CONTROL_QUEUES_MAX; i++)
		if (watched[i].fd >= 0 && wd_owns(&watched[i], now)) {
			stalled[n] = &watched[i];
			p[++n] = (struct pollfd){ .fd = watched[i].fd,
						  .events = POLLIN };
		}
	if (poll(p, n + 1, TICK_MS) <= 0) {
		wd_flush(stalled, n);
		return;
	}
	if (p[0].revents)
		wd_receive(sock);
	for (i = 0; i < n; i++)
		if (p[i + 1].revents && stalled[i]->fd == p[i + 1].fd)
			wd_drain(stalled[i]);
}

static void __attribute__((noreturn)) wd_main(int sock)
{
	unsigned i;

	for (i = 0; i < CONTROL_QUEUES_MAX; i++)
		watched[i].fd = -1;
	for (;;)
		wd_poll(sock);
}

int watchdog_start(void)
{
	pid_t parent = getpid(), pid;
	int sv[2];

	shared = mmap(NULL, QUEUES * sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED || socketpair(AF_UNIX, SOCK_SEQPACKET |
					      SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(sv[0]);
		prctl(PR_SET_NAME, "fwctld-watchdog");
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
		    getppid() != parent)
			_exit(0);
		wd_main(sv[1]);
	}
	close(sv[1]);
	wd_sock = sv[0];
	return 0;
}
