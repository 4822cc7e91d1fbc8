// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test helper: a stand-in for fwctld that answers every packet of queue
 * NUM with NF_ACCEPT and the verdict mark of fwctl/mark.h (deny or
 * accept), the way a daemon lets fwhook.ko record a verdict and drop a
 * denied session in the kernel. Prints the number of packets it saw on
 * SIGTERM.
 *
 *   verdict NUM accept|deny
 */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>

#include <libmnl/libmnl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "fwctl/mark.h"

static volatile sig_atomic_t stop;
static unsigned long seen;

static void on_term(int sig)
{
	stop = 1;
}

static int config(struct mnl_socket *nl, uint16_t num)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, num);

	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, num);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_META, 0);
	return mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ? -1 : 0;
}

static int answer(struct mnl_socket *nl, const struct nlmsghdr *in,
		  uint32_t verdict_mark)
{
	struct nlattr *attr[NFQA_MAX + 1] = { 0 };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nfqnl_msg_packet_hdr *ph;
	const struct nfgenmsg *queue;
	struct nlmsghdr *nlh;
	uint32_t mark = 0;

	if (nfq_nlmsg_parse(in, attr) < 0 || !attr[NFQA_PACKET_HDR])
		return 0;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	if (attr[NFQA_MARK])
		mark = ntohl(mnl_attr_get_u32(attr[NFQA_MARK]));
	queue = mnl_nlmsg_get_payload(in);
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, ntohs(queue->res_id));
	nfq_nlmsg_verdict_put(nlh, ntohl(ph->packet_id), NF_ACCEPT);
	nfq_nlmsg_verdict_put_mark(nlh,
				   (mark & ~FWCTL_MARK_MASK) | verdict_mark);
	seen++;
	return mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	char buf[65536];
	struct mnl_socket *nl;
	uint32_t vmark;

	if (argc != 3)
		return 2;
	vmark = strcmp(argv[2], "deny") ? FWCTL_MARK_ACCEPT : FWCTL_MARK_DENY;
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    config(nl, atoi(argv[1])) < 0)
		return 1;
	/* No SA_RESTART: SIGTERM must end the blocking receive. */
	sigaction(SIGTERM, &(struct sigaction){ .sa_handler = on_term }, NULL);
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		int n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		const struct nlmsghdr *nlh = (void *)buf;

		for (; n > 0 && mnl_nlmsg_ok(nlh, n);
		     nlh = mnl_nlmsg_next(nlh, &n))
			if (nlh->nlmsg_type == ((NFNL_SUBSYS_QUEUE << 8) |
						NFQNL_MSG_PACKET))
				answer(nl, nlh, vmark);
	}
	printf("seen %lu\n", seen);
	return 0;
}
