// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ct_fill N [FIRST]: creates N conntrack entries in the current network
 * namespace (run it with `ip netns exec`), for the conntrack benchmark and
 * tests. Entry i: IPv4, three in four TCP established (the rest UDP),
 * source 10.x.y.z unique per i, mark i % 16, timeout one hour. Messages go
 * in batches of a few hundred per sendmsg(), the last one of each asking
 * for an ack, so the kernel, not the round trips, sets the pace.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack_tcp.h>

#define BATCH_BYTES	(128 * 1024)
#define MSG_MAX		512	/* one entry, with room to spare */

static void entry_set(struct nf_conntrack *ct, unsigned long i)
{
	uint32_t src = htonl(0x0a000000u | (uint32_t)(i & 0xffffff));
	uint32_t dst = htonl(0xc0000200u | (uint32_t)(i % 200 + 1));
	uint16_t sport = htons((uint16_t)(1024 + i % 60000));
	uint16_t dport = htons(i % 4 == 3 ? 53 : 443);
	uint8_t l4 = i % 4 != 3 ? IPPROTO_TCP : IPPROTO_UDP;

	nfct_set_attr_u8(ct, ATTR_L3PROTO, AF_INET);
	nfct_set_attr_u8(ct, ATTR_REPL_L3PROTO, AF_INET);
	nfct_set_attr_u8(ct, ATTR_L4PROTO, l4);
	nfct_set_attr_u8(ct, ATTR_REPL_L4PROTO, l4);
	nfct_set_attr_u32(ct, ATTR_IPV4_SRC, src);
	nfct_set_attr_u32(ct, ATTR_IPV4_DST, dst);
	nfct_set_attr_u16(ct, ATTR_PORT_SRC, sport);
	nfct_set_attr_u16(ct, ATTR_PORT_DST, dport);
	nfct_set_attr_u32(ct, ATTR_REPL_IPV4_SRC, dst);
	nfct_set_attr_u32(ct, ATTR_REPL_IPV4_DST, src);
	nfct_set_attr_u16(ct, ATTR_REPL_PORT_SRC, dport);
	nfct_set_attr_u16(ct, ATTR_REPL_PORT_DST, sport);
	nfct_set_attr_u32(ct, ATTR_TIMEOUT, 3600);
	nfct_set_attr_u32(ct, ATTR_MARK, (uint32_t)(i % 16));
	nfct_set_attr_u32(ct, ATTR_STATUS, IPS_SEEN_REPLY | IPS_ASSURED);
	if (l4 == IPPROTO_TCP)
		nfct_set_attr_u8(ct, ATTR_TCP_STATE,
				 TCP_CONNTRACK_ESTABLISHED);
	else
		nfct_attr_unset(ct, ATTR_TCP_STATE);
}

static struct nlmsghdr *entry_put(char *buf, struct nf_conntrack *ct,
				  uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_NEW;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	nfct_nlmsg_build(nlh, ct);
	return nlh;
}

/* Errors come back for any message of the batch; the ack for the last. */
static int batch_wait(struct mnl_socket *nl, uint32_t last, unsigned *failed)
{
	static char buf[65536];
	const struct nlmsghdr *nlh;
	ssize_t got;
	int n;

	for (;;) {
		got = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (got < 0)
			return -1;
		n = (int)got;
		for (nlh = (void *)buf; mnl_nlmsg_ok(nlh, n);
		     nlh = mnl_nlmsg_next(nlh, &n)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			if (e->error && (*failed)++ == 0)
				fprintf(stderr, "ct_fill: %s\n",
					strerror(-e->error));
			if (nlh->nlmsg_seq == last)
				return 0;
		}
	}
}

static int fill(struct mnl_socket *nl, unsigned long first, unsigned long n)
{
	static char batch[BATCH_BYTES];
	struct nf_conntrack *ct = nfct_new();
	unsigned long i = first;
	unsigned failed = 0;
	uint32_t seq = 1;

	while (ct && i < first + n) {
		size_t len = 0;
		struct nlmsghdr *nlh = NULL;

		while (i < first + n && len + MSG_MAX <= sizeof(batch)) {
			entry_set(ct, i++);
			nlh = entry_put(batch + len, ct, seq++);
			len += nlh->nlmsg_len;
		}
		nlh->nlmsg_flags |= NLM_F_ACK;
		if (mnl_socket_sendto(nl, batch, len) < 0 ||
		    batch_wait(nl, nlh->nlmsg_seq, &failed) < 0) {
			perror("ct_fill: netlink");
			break;
		}
	}
	if (ct)
		nfct_destroy(ct);
	if (failed)
		fprintf(stderr, "ct_fill: %u of %lu entries failed\n", failed,
			n);
	return ct && i == first + n && !failed ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct mnl_socket *nl;
	unsigned long n, first = 0;
	int one = 1, rcvbuf = 4 << 20;
	int ret;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: ct_fill N [FIRST]\n");
		return 64;
	}
	n = strtoul(argv[1], NULL, 0);
	if (argc == 3)
		first = strtoul(argv[2], NULL, 0);
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("ct_fill: netlink socket");
		return 1;
	}
	/* A batch that fails fails whole: room for an error per message. */
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		   sizeof(rcvbuf));
	ret = fill(nl, first, n);
	mnl_socket_close(nl);
	return ret;
}
