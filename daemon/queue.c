// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One NFQUEUE queue: its netlink socket, its thread and its flow table.
 * A thread takes up to QUEUE_BATCH packets with one recvmmsg(), decides
 * each, and answers them all with one sendmsg(); runs of consecutive
 * packets with the same verdict and mark become one batch verdict.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>

#include <libmnl/libmnl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "daemon.h"
#include "flow.h"
#include "fwctl/mark.h"
#include "log.h"
#include "queue.h"
#include "watchdog.h"

/* Room for a packet message: the copied bytes and the attributes. */
#define QUEUE_BUF	(QUEUE_COPY_RANGE + 1024)
/* A verdict message with a mark takes 44 bytes. */
#define VERDICT_ROOM	64
#define FLOWS_MAX	65536
#define FLOW_IDLE_NS	(120 * 1000000000ull)
#define RCVBUF		(8 << 20)

/* Consecutive packet ids that get the same answer. */
struct run {
	bool open, set_mark;
	uint32_t first, last, mark;
	int verdict;
};

struct queue {
	struct daemon *d;
	uint16_t num;
	uint32_t maxlen;
	bool fail_open;
	int fd;
	struct mnl_socket *nl;
	uint32_t portid, cfg_seq;
	int cfg_err;			/* the bind's ack: 0 or -errno */
	bool cfg_acked;
	pthread_t thread;
	atomic_bool stop;
	_Atomic(struct policy *) policy, hazard;
	struct flow_table *flows;
	atomic_uint_fast64_t packets, accepted, denied, nflows;
	struct run run;
	size_t txlen;
	uint8_t tx[QUEUE_BATCH * VERDICT_ROOM];
	uint8_t rx[QUEUE_BATCH][QUEUE_BUF];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void run_flush(struct queue *q)
{
	struct run *r = &q->run;
	struct nlmsghdr *nlh;

	if (!r->open)
		return;
	nlh = nfq_nlmsg_put((char *)q->tx + q->txlen, r->first == r->last ?
			    NFQNL_MSG_VERDICT : NFQNL_MSG_VERDICT_BATCH,
			    q->num);
	nfq_nlmsg_verdict_put(nlh, r->last, r->verdict);
	if (r->set_mark)
		nfq_nlmsg_verdict_put_mark(nlh, r->mark);
	q->txlen += MNL_ALIGN(nlh->nlmsg_len);
	r->open = false;
}

/*
 * A batch verdict covers every queued id up to its own; that is safe
 * because the kernel reads our messages in order, so every id before
 * the run has had its verdict already.
 *
 * A denied packet is accepted too, with the deny mark: the compiled
 * rules record the mark in the connection and then drop the packet (see
 * fwctl/mark.h). Dropping it here would leave the connection unmarked,
 * and every retransmission would come back to the queue.
 */
static void verdict_add(struct queue *q, uint32_t id, enum flow_state st,
			uint32_t mark)
{
	struct run *r = &q->run;
	struct run next = {
		.open = true, .first = id, .last = id,
		.verdict = NF_ACCEPT,
		.set_mark = st != FLOW_UNDECIDED,
		.mark = (mark & ~FWCTL_MARK_MASK) |
			(st == FLOW_DENY ? FWCTL_MARK_DENY : FWCTL_MARK_ACCEPT),
	};

	atomic_fetch_add(st == FLOW_DENY ? &q->denied : &q->accepted, 1);
	if (r->open && id == r->last + 1 && next.verdict == r->verdict &&
	    next.set_mark == r->set_mark &&
	    (!next.set_mark || next.mark == r->mark)) {
		r->last = id;
		return;
	}
	run_flush(q);
	*r = next;
}

static enum flow_state queue_decide(struct queue *q, const struct policy *pol,
				    const struct nlattr *payload)
{
	char name[HOSTNAME_MAX + 1];
	enum flow_state st;
	struct packet pkt;
	struct flow *f;
	bool from_client;

	if (!pol || !payload ||
	    packet_parse(mnl_attr_get_payload(payload),
			 mnl_attr_get_payload_len(payload), &pkt) <= 0)
		return FLOW_UNDECIDED;
	f = flow_lookup(q->flows, &pkt, now_ns(), &from_client);
	if (!f || f->state != FLOW_UNDECIDED)
		return f ? f->state : FLOW_UNDECIDED;
	st = policy_decide(pol, f, &pkt, from_client, name);
	if (st == FLOW_UNDECIDED)
		return st;
	f->state = st;
	flow_release(f);
	if (st == FLOW_DENY && name[0])
		daemon_count_denied(q->d, name);
	return st;
}

static void queue_packet(struct queue *q, const struct policy *pol,
			 const struct nlmsghdr *nlh)
{
	struct nlattr *attr[NFQA_MAX + 1] = { NULL };
	struct nfqnl_msg_packet_hdr *ph;
	uint32_t mark = 0;

	if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR] ||
	    mnl_attr_get_payload_len(attr[NFQA_PACKET_HDR]) < sizeof(*ph)) {
		log_msg("queue %u: malformed packet message", q->num);
		return;
	}
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	if (attr[NFQA_MARK])
		mark = ntohl(mnl_attr_get_u32(attr[NFQA_MARK]));
	atomic_fetch_add(&q->packets, 1);
	verdict_add(q, ntohl(ph->packet_id),
		    queue_decide(q, pol, attr[NFQA_PAYLOAD]), mark);
}

/* Errors come back for our config (its ack) or for a verdict we sent. */
static void queue_error(struct queue *q, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return;
	if (nlh->nlmsg_seq == q->cfg_seq && !q->cfg_acked) {
		q->cfg_err = e->error;
		q->cfg_acked = true;
		return;
	}
	if (e->error)
		log_msg("queue %u: kernel refused a verdict: %s", q->num,
			strerror(-e->error));
}

static void queue_message(struct queue *q, const struct policy *pol,
			  const uint8_t *buf, size_t len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int n = len;

	for (; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
		if (nlh->nlmsg_type == NLMSG_ERROR)
			queue_error(q, nlh);
		else if (nlh->nlmsg_type ==
			 (NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_PACKET))
			queue_packet(q, pol, nlh);
	}
}

/*
 * A hazard pointer: announce, then check the pointer is still the
 * published one, so the daemon, which waits for no hazard to hold an old
 * policy before it frees it, cannot miss our announcement (both sides use
 * sequentially consistent atomics).
 */
static const struct policy *queue_get_policy(struct queue *q)
{
	struct policy *p;

	do {
		p = atomic_load(&q->policy);
		atomic_store(&q->hazard, p);
	} while (p != atomic_load(&q->policy));
	return p;
}

/* Takes what is there (waiting up to the socket's timeout for the first). */
static int queue_receive(struct queue *q)
{
	struct mmsghdr msgs[QUEUE_BATCH];
	struct iovec iov[QUEUE_BATCH];
	struct sockaddr_nl from[QUEUE_BATCH];
	const struct policy *pol;
	int i, n;

	for (i = 0; i < QUEUE_BATCH; i++) {
		iov[i] = (struct iovec){ q->rx[i], QUEUE_BUF };
		msgs[i].msg_hdr = (struct msghdr){
			.msg_name = &from[i], .msg_namelen = sizeof(from[i]),
			.msg_iov = &iov[i], .msg_iovlen = 1 };
	}
	n = recvmmsg(q->fd, msgs, QUEUE_BATCH, MSG_WAITFORONE, NULL);
	if (n <= 0)
		return n < 0 ? -errno : 0;
	pol = queue_get_policy(q);
	q->txlen = 0;
	for (i = 0; i < n; i++)
		if (from[i].nl_pid == 0 &&
		    !(msgs[i].msg_hdr.msg_flags & MSG_TRUNC))
			queue_message(q, pol, q->rx[i], msgs[i].msg_len);
	atomic_store(&q->hazard, NULL);
	run_flush(q);
	if (q->txlen && mnl_socket_sendto(q->nl, q->tx, q->txlen) < 0)
		log_msg("queue %u: sending verdicts: %m", q->num);
	atomic_store(&q->nflows, flow_table_count(q->flows));
	return n;
}

static void *queue_thread(void *arg)
{
	struct queue *q = arg;
	int r;

	while (!atomic_load(&q->stop)) {
		watchdog_beat(q->num);
		r = queue_receive(q);
		if (r < 0 && r != -EAGAIN && r != -EINTR && r != -ENOBUFS) {
			log_msg("queue %u: receive: %s", q->num, strerror(-r));
			break;
		}
	}
	return NULL;
}

static struct nlmsghdr *queue_config_msg(struct queue *q, uint8_t *buf,
					 uint8_t cmd)
{
	struct nlmsghdr *nlh = nfq_nlmsg_put((char *)buf, NFQNL_MSG_CONFIG,
					     q->num);

	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, cmd);
	return nlh;
}

/*
 * Bind, copy mode, queue length and flags go in one message, so the
 * kernel sets them all before it queues the first packet to us; the
 * first packets may still arrive before the ack and are answered as
 * usual while we wait for it.
 */
static int queue_bind(struct queue *q)
{
	uint32_t flags = NFQA_CFG_F_GSO | (q->fail_open ?
					   NFQA_CFG_F_FAIL_OPEN : 0);
	uint8_t buf[256];
	struct nlmsghdr *nlh = queue_config_msg(q, buf, NFQNL_CFG_CMD_BIND);
	int i;

	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, QUEUE_COPY_RANGE);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, q->maxlen);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK,
			 htonl(NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN));
	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = q->cfg_seq = time(NULL);
	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (i = 0; i < 20 && !q->cfg_acked; i++)
		queue_receive(q);
	return q->cfg_acked ? q->cfg_err : -ETIMEDOUT;
}

static int queue_socket(struct queue *q)
{
	struct timeval tv = { .tv_usec = 100000 };
	int one = 1, rcvbuf = RCVBUF;

	q->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!q->nl || mnl_socket_bind(q->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	q->fd = mnl_socket_get_fd(q->nl);
	q->portid = mnl_socket_get_portid(q->nl);
	/* No ENOBUFS: a full socket buffer is counted by the kernel (the
	 * overruns GET_STATUS shows) instead of breaking our reads. */
	if (setsockopt(q->fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one,
		       sizeof(one)) < 0 ||
	    setsockopt(q->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	if (setsockopt(q->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) < 0)
		setsockopt(q->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			   sizeof(rcvbuf));
	return 0;
}

static void queue_free(struct queue *q)
{
	if (q->nl)
		mnl_socket_close(q->nl);
	flow_table_free(q->flows);
	free(q);
}

struct queue *queue_start(struct daemon *d, uint16_t num,
			  const struct control_profile *p,
			  struct policy *pol)
{
	struct queue *q = calloc(1, sizeof(*q));
	int err = -ENOMEM;

	if (!q)
		goto err;
	q->d = d;
	q->num = num;
	q->maxlen = p->queue_maxlen;
	q->fail_open = p->fail_open;
	atomic_store(&q->policy, pol);
	q->flows = flow_table_new(FLOWS_MAX, FLOW_IDLE_NS);
	if (!q->flows)
		goto err;
	err = queue_socket(q);
	err = err ?: queue_bind(q);
	if (!err)
		err = -pthread_create(&q->thread, NULL, queue_thread, q);
	if (!err)
		return q;
err:
	if (q)
		queue_free(q);
	errno = -err;
	return NULL;
}

void queue_stop(struct queue *q)
{
	uint8_t buf[128];
	struct nlmsghdr *nlh;

	atomic_store(&q->stop, true);
	pthread_join(q->thread, NULL);
	nlh = queue_config_msg(q, buf, NFQNL_CFG_CMD_UNBIND);
	mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len);
	queue_free(q);
}

bool queue_fits(const struct queue *q, const struct control_profile *p)
{
	return q->maxlen == p->queue_maxlen && q->fail_open == p->fail_open;
}

void queue_set_policy(struct queue *q, struct policy *pol)
{
	atomic_store(&q->policy, pol);
}

uint16_t queue_num(const struct queue *q)
{
	return q->num;
}

int queue_fd(const struct queue *q)
{
	return q->fd;
}

const struct policy *queue_hazard(struct queue *q)
{
	return atomic_load(&q->hazard);
}

/*
 * The kernel's own counters for the queue, from
 * /proc/net/netfilter/nfnetlink_queue: "queue portid total mode range
 * queue_dropped user_dropped id_sequence 1". queue_dropped counts
 * packets that found the queue full, user_dropped those that did not
 * fit in our socket buffer.
 */
static void queue_proc(uint16_t num, uint64_t *full, uint64_t *user)
{
	FILE *f = fopen("/proc/net/netfilter/nfnetlink_queue", "re");
	unsigned qn, pid, total, mode, range, qd, ud;

	*full = *user = 0;
	if (!f)
		return;
	while (fscanf(f, "%u %u %u %u %u %u %u %*u %*d", &qn, &pid, &total,
		      &mode, &range, &qd, &ud) == 7)
		if (qn == num) {
			*full = qd;
			*user = ud;
		}
	fclose(f);
}

void queue_stat(struct queue *q, struct control_queue_stat *s)
{
	s->queue = q->num;
	s->packets = atomic_load(&q->packets);
	s->accepted = atomic_load(&q->accepted);
	s->denied = atomic_load(&q->denied);
	s->flows = atomic_load(&q->nflows);
	queue_proc(q->num, &s->drops, &s->overruns);
}
