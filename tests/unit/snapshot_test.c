// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Named namespaces and rule-set snapshots, in a namespace of our own:
 * a name is taken once, a snapshot is stable while nothing changes, and
 * a table added in between changes it. Needs root; skipped (77) otherwise.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <libnftnl/batch.h>
#include <libnftnl/common.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compile.h"
#include "kernel.h"
#include "netns.h"
#include "scenario.h"

static int failures;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__,	\
			__LINE__, #cond);				\
		failures++;						\
	}								\
} while (0)

/* Adds table inet NAME over a socket opened in the current namespace. */
static int table_add_here(void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, sizeof(buf));
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;
	ssize_t n;
	int err = -1;

	if (!nl || !t || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, arg);
	nftnl_batch_begin(mnl_nlmsg_batch_current(b), 1);
	mnl_nlmsg_batch_next(b);
	nlh = nftnl_table_nlmsg_build_hdr(mnl_nlmsg_batch_current(b),
					  NFT_MSG_NEWTABLE, NFPROTO_INET,
					  NLM_F_CREATE | NLM_F_ACK, 2);
	nftnl_table_nlmsg_build_payload(nlh, t);
	mnl_nlmsg_batch_next(b);
	nftnl_batch_end(mnl_nlmsg_batch_current(b), 3);
	mnl_nlmsg_batch_next(b);
	if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(b),
			      mnl_nlmsg_batch_size(b)) < 0)
		goto out;
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n > 0)
		err = mnl_cb_run(buf, n, 2, mnl_socket_get_portid(nl), NULL,
				 NULL);
out:
	nftnl_table_free(t);
	if (nl)
		mnl_socket_close(nl);
	mnl_nlmsg_batch_stop(b);
	return err < 0 ? -1 : 0;
}

/* Applies a rule set whose rules count, through the real compiler. */
static int counted_rules_here(void *arg)
{
	static const char text[] =
		"policy input accept\n"
		"accept input proto udp to port 9 counter\n";
	struct ir_table *t = compile_buffer("snapshot.fw", text,
					    sizeof(text) - 1);
	int err = t ? kernel_apply(t, false, NULL) : -1;

	(void)arg;
	ir_table_free(t);
	return err ? -1 : 0;
}

/*
 * Brings lo up and sends a few datagrams over it: counters move, nothing
 * commits. Fails unless every datagram left, so the check cannot pass by
 * sending nothing.
 */
static int traffic_here(void *arg)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(9),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), i, sent = 0;

	(void)arg;
	if (fd < 0)
		return -1;
	if (!ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	for (i = 0; i < 5; i++)
		sent += sendto(fd, "x", 1, 0, (struct sockaddr *)&to,
			       sizeof(to)) == 1;
	close(fd);
	return sent == 5 ? 0 : -1;
}

static bool same(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && !memcmp(a, b, alen);
}

static void test_snapshots(const char *ns)
{
	char *s1, *s2, *s3;
	size_t l1, l2, l3;

	CHECK(!snapshot_take(ns, &s1, &l1));
	CHECK(!snapshot_take(ns, &s2, &l2));
	CHECK(s1 && s2 && same(s1, l1, s2, l2));
	CHECK(!netns_call(ns, table_add_here, "t"));
	CHECK(!snapshot_take(ns, &s3, &l3));
	CHECK(s3 && !same(s1, l1, s3, l3));
	free(s1);
	free(s3);
	/* Packets move counters; a snapshot must not see that as a change. */
	CHECK(!netns_call(ns, counted_rules_here, NULL));
	CHECK(!snapshot_take(ns, &s1, &l1));
	CHECK(!netns_call(ns, traffic_here, NULL));
	CHECK(!snapshot_take(ns, &s3, &l3));
	CHECK(s1 && s3 && same(s1, l1, s3, l3));
	/* Not a namespace: an error, not an empty rule set. */
	free(s2);
	CHECK(snapshot_take("fwu-no-such-netns", &s2, &l2) && !s2);
	free(s1);
	free(s3);
}

int main(void)
{
	char ns[64];

	if (geteuid()) {
		fprintf(stderr, "skipped: needs root\n");
		return 77;
	}
	snprintf(ns, sizeof(ns), "fwu%d-snapshot", (int)getpid());
	if (netns_create(ns)) {
		fprintf(stderr, "netns_create %s: %s\n", ns, strerror(errno));
		return 1;
	}
	CHECK(netns_create(ns) < 0 && errno == EEXIST);
	CHECK(netns_create("a/b") < 0 && errno == EINVAL);
	test_snapshots(ns);
	CHECK(!netns_delete(ns));
	CHECK(netns_enter(ns) < 0 && errno == ENOENT);
	if (failures)
		fprintf(stderr, "%d checks failed\n", failures);
	return failures ? 1 : 0;
}
