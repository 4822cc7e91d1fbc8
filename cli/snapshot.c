// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A node's whole nf_tables rule set as bytes: the generation, then every
 * table, chain, set, set element, rule, object and flowtable the kernel
 * dumps, each message's payload as it came (the netlink header, with its
 * sequence number and port id, left out). Two snapshots are equal when
 * nothing was committed in between -- the promise a refused apply makes.
 * It is what `nft list ruleset` prints, before any formatting, and of
 * every table, not only fwctl's.
 *
 * What traffic changes without a commit is left out, so that a packet
 * between two snapshots cannot fake a change: rule counters read as zero,
 * and the elements of dynamic and timeout sets (filled by the packet path,
 * counting down their expiry) are not dumped. Every commit still shows,
 * because the generation is part of the snapshot.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netns.h"
#include "scenario.h"

struct snapshot {
	struct mnl_socket	*nl;
	unsigned		seq, portid;
	FILE			*out;
	struct nftnl_set_list	*sets;
};

static int counter_zero(struct nftnl_expr *e, void *data)
{
	(void)data;
	if (!strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "counter")) {
		nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_PACKETS, 0);
		nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_BYTES, 0);
	}
	return 0;
}

/* A rule as the commit left it: its counters zeroed. */
static int snapshot_rule(struct snapshot *sn, const struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *out;

	/* Attribute padding must not carry stack garbage. */
	memset(buf, 0, sizeof(buf));
	if (!r || nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		nftnl_rule_free(r);
		return MNL_CB_ERROR;
	}
	nftnl_expr_foreach(r, counter_zero, NULL);
	out = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, 0, 0, 0);
	nftnl_rule_nlmsg_build_payload(out, r);
	fwrite(mnl_nlmsg_get_payload(out), mnl_nlmsg_get_payload_len(out), 1,
	       sn->out);
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

static int snapshot_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct snapshot *sn = data;
	struct nftnl_set *s;

	fwrite(&nlh->nlmsg_type, sizeof(nlh->nlmsg_type), 1, sn->out);
	if ((nlh->nlmsg_type & 0xff) == NFT_MSG_NEWRULE)
		return snapshot_rule(sn, nlh);
	fwrite(mnl_nlmsg_get_payload(nlh), mnl_nlmsg_get_payload_len(nlh), 1,
	       sn->out);
	if ((nlh->nlmsg_type & 0xff) != NFT_MSG_NEWSET)
		return MNL_CB_OK;
	s = nftnl_set_alloc();
	if (!s || nftnl_set_nlmsg_parse(nlh, s) < 0) {
		nftnl_set_free(s);
		return MNL_CB_ERROR;
	}
	nftnl_set_list_add_tail(s, sn->sets);
	return MNL_CB_OK;
}

/* One request; a refusal goes into the snapshot too, as its errno. */
static int snapshot_talk(struct snapshot *sn, struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;
	int ret;

	if (mnl_socket_sendto(sn->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		n = mnl_socket_recvfrom(sn->nl, buf, sizeof(buf));
		if (n < 0)
			return -1;
		ret = mnl_cb_run(buf, n, sn->seq, sn->portid, snapshot_msg_cb,
				 sn);
	} while (ret > 0);
	if (ret < 0)
		fprintf(sn->out, "error %d", errno);
	return 0;
}

static int snapshot_dump(struct snapshot *sn, uint16_t type)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint16_t flags = type == NFT_MSG_GETGEN ? NLM_F_ACK : NLM_F_DUMP;
	struct nlmsghdr *nlh;

	nlh = nftnl_nlmsg_build_hdr(buf, type, NFPROTO_UNSPEC, flags,
				    ++sn->seq);
	return snapshot_talk(sn, nlh);
}

static int snapshot_elems(struct snapshot *sn, struct nftnl_set *s)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM,
				    nftnl_set_get_u32(s, NFTNL_SET_FAMILY),
				    NLM_F_DUMP, ++sn->seq);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	return snapshot_talk(sn, nlh);
}

static int snapshot_open_here(void *arg)
{
	struct snapshot *sn = arg;

	sn->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!sn->nl)
		return -1;
	if (mnl_socket_bind(sn->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -1;
	sn->portid = mnl_socket_get_portid(sn->nl);
	return 0;
}

static int snapshot_fill(struct snapshot *sn)
{
	static const uint16_t dumps[] = {
		NFT_MSG_GETGEN, NFT_MSG_GETTABLE, NFT_MSG_GETCHAIN,
		NFT_MSG_GETSET, NFT_MSG_GETRULE, NFT_MSG_GETOBJ,
		NFT_MSG_GETFLOWTABLE,
	};
	struct nftnl_set_list_iter *it;
	struct nftnl_set *s;
	size_t i;
	int err = 0;

	for (i = 0; !err && i < sizeof(dumps) / sizeof(dumps[0]); i++)
		err = snapshot_dump(sn, dumps[i]);
	it = err ? NULL : nftnl_set_list_iter_create(sn->sets);
	for (s = it ? nftnl_set_list_iter_next(it) : NULL; s && !err;
	     s = nftnl_set_list_iter_next(it)) {
		uint32_t flags = nftnl_set_is_set(s, NFTNL_SET_FLAGS) ?
				 nftnl_set_get_u32(s, NFTNL_SET_FLAGS) : 0;

		if (!(flags & (NFT_SET_EVAL | NFT_SET_TIMEOUT)))
			err = snapshot_elems(sn, s);
	}
	nftnl_set_list_iter_destroy(it);
	return err;
}

int snapshot_take(const char *netns, char **buf, size_t *len)
{
	struct snapshot sn = { .seq = time(NULL) };
	int err = -1;

	*buf = NULL;
	sn.sets = nftnl_set_list_alloc();
	sn.out = open_memstream(buf, len);
	if (sn.sets && sn.out && !netns_call(netns, snapshot_open_here, &sn))
		err = snapshot_fill(&sn);
	if (sn.out)
		fclose(sn.out);
	if (sn.nl)
		mnl_socket_close(sn.nl);
	nftnl_set_list_free(sn.sets);
	if (err) {
		free(*buf);
		*buf = NULL;
	}
	return err;
}
