// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test helper: appends a rule that sends packets to NFQUEUE queues to an
 * existing inet chain, in the current network namespace, until fwctl can
 * compile `inspect` rules itself. Uses the native queue expression when
 * the kernel has it, else the xt NFQUEUE target (revision 3) through
 * nft_compat, and prints which one it used.
 *
 *   queue_rule TABLE CHAIN FIRST TOTAL [bypass] [fanout]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <libmnl/libmnl.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#define NFQ_FLAG_BYPASS		0x01
#define NFQ_FLAG_CPU_FANOUT	0x02

struct target {
	const char *table, *chain;
	uint16_t first, total, flags;
};

/* xt_NFQ_info_v3 {queuenum, queues_total, flags}, padded to 8 bytes. */
static void add_xt(struct nftnl_rule *r, const struct target *t)
{
	struct nftnl_expr *e = nftnl_expr_alloc("target");
	uint16_t *info = calloc(4, sizeof(*info));

	info[0] = t->first;
	info[1] = t->total;
	info[2] = t->flags;
	nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "NFQUEUE");
	nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, 3);
	nftnl_expr_set_data(e, NFTNL_EXPR_TG_INFO, info, 4 * sizeof(*info));
	nftnl_rule_add_expr(r, e);
}

static void add_native(struct nftnl_rule *r, const struct target *t)
{
	struct nftnl_expr *e = nftnl_expr_alloc("queue");

	nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_NUM, t->first);
	nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_TOTAL, t->total);
	nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_FLAGS, t->flags);
	nftnl_rule_add_expr(r, e);
}

/* One batch with one new rule; 0 or the kernel's -errno. */
static int push(struct mnl_socket *nl, const struct target *t, bool native)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t seq = time(NULL), portid = mnl_socket_get_portid(nl);
	struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, sizeof(buf));
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;
	int n, ret;

	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, t->table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, t->chain);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	(native ? add_native : add_xt)(r, t);
	nftnl_batch_begin(mnl_nlmsg_batch_current(b), seq++);
	mnl_nlmsg_batch_next(b);
	nlh = nftnl_rule_nlmsg_build_hdr(mnl_nlmsg_batch_current(b),
					 NFT_MSG_NEWRULE, NFPROTO_INET,
					 NLM_F_APPEND | NLM_F_CREATE |
					 NLM_F_ACK, seq++);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	mnl_nlmsg_batch_next(b);
	nftnl_batch_end(mnl_nlmsg_batch_current(b), seq);
	mnl_nlmsg_batch_next(b);
	ret = mnl_socket_sendto(nl, mnl_nlmsg_batch_head(b),
				mnl_nlmsg_batch_size(b));
	mnl_nlmsg_batch_stop(b);
	if (ret < 0)
		return -errno;
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0)
		return -errno;
	return mnl_cb_run(buf, n, 0, portid, NULL, NULL) < 0 ? -errno : 0;
}

int main(int argc, char **argv)
{
	struct target t;
	struct mnl_socket *nl;
	int i, err;

	if (argc < 5) {
		fprintf(stderr, "usage: queue_rule TABLE CHAIN FIRST TOTAL "
			"[bypass] [fanout]\n");
		return 2;
	}
	t = (struct target){ argv[1], argv[2], atoi(argv[3]), atoi(argv[4]),
			     0 };
	for (i = 5; i < argc; i++)
		t.flags |= !strcmp(argv[i], "bypass") ? NFQ_FLAG_BYPASS :
			   !strcmp(argv[i], "fanout") ? NFQ_FLAG_CPU_FANOUT : 0;
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("queue_rule: netlink");
		return 1;
	}
	err = push(nl, &t, true);
	if (!err)
		puts("native");
	else if (!(err = push(nl, &t, false)))
		puts("xt");
	else
		fprintf(stderr, "queue_rule: %s\n", strerror(-err));
	mnl_socket_close(nl);
	return err ? 1 : 0;
}
