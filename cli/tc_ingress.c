// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Ingress shaping the only way Linux has: an `ingress` qdisc on the
 * interface, one filter that matches everything and redirects it (mirred)
 * to an IFB device, and the IFB's egress shaped by a one-class HTB tree.
 *
 * Which classifier can say "everything" depends on the kernel: matchall
 * and flower need no options, u32 a zero-mask key, bpf a one-instruction
 * program. tc_probe() finds the one that works; this file builds each.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_mirred.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <string.h>

#include "tc_internal.h"

#define INGRESS_HANDLE	0xffff0000u
#define REDIRECT_PRIO	1
#define IFB_TXQLEN	1000

/* The actions nest: one mirred action that steals the packet. */
static void put_redirect(struct nlmsghdr *nlh, int type, int to_ifindex)
{
	struct tc_mirred m = {
		.action = TC_ACT_STOLEN,
		.eaction = TCA_EGRESS_REDIR,
		.ifindex = (uint32_t)to_ifindex,
	};
	struct nlattr *acts, *act, *opts;

	acts = mnl_attr_nest_start(nlh, type);
	act = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_strz(nlh, TCA_ACT_KIND, "mirred");
	opts = mnl_attr_nest_start(nlh, TCA_ACT_OPTIONS);
	mnl_attr_put(nlh, TCA_MIRRED_PARMS, sizeof(m), &m);
	mnl_attr_nest_end(nlh, opts);
	mnl_attr_nest_end(nlh, act);
	mnl_attr_nest_end(nlh, acts);
}

static void put_u32_all(struct nlmsghdr *nlh, int to)
{
	struct {
		struct tc_u32_sel	sel;
		struct tc_u32_key	key;
	} s = { .sel = { .flags = TC_U32_TERMINAL, .nkeys = 1 } };

	mnl_attr_put(nlh, TCA_U32_SEL, sizeof(s), &s);
	put_redirect(nlh, TCA_U32_ACT, to);
}

static void put_matchall(struct nlmsghdr *nlh, int to)
{
	put_redirect(nlh, TCA_MATCHALL_ACT, to);
}

static void put_flower(struct nlmsghdr *nlh, int to)
{
	put_redirect(nlh, TCA_FLOWER_ACT, to);
}

/* Classic BPF "ret #-1": every packet matches, the actions run. */
static void put_bpf(struct nlmsghdr *nlh, int to)
{
	struct sock_filter ret_all = BPF_STMT(BPF_RET | BPF_K, 0xffffffff);

	mnl_attr_put_u16(nlh, TCA_BPF_OPS_LEN, 1);
	mnl_attr_put(nlh, TCA_BPF_OPS, sizeof(ret_all), &ret_all);
	put_redirect(nlh, TCA_BPF_ACT, to);
}

static const struct classifier {
	const char	*kind;
	void		(*put)(struct nlmsghdr *nlh, int to_ifindex);
} classifiers[] = {
	{ "matchall",	put_matchall },
	{ "u32",	put_u32_all },
	{ "flower",	put_flower },
	{ "bpf",	put_bpf },
};

int tc_redirect_add(struct nlsock *s, int ifindex, const char *kind,
		    int to_ifindex)
{
	uint32_t info = TC_H_MAKE(REDIRECT_PRIO << 16, htons(ETH_P_ALL));
	char buf[TC_BUF_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *opts;

	for (size_t i = 0; i < ARRAY_SIZE(classifiers); i++) {
		if (strcmp(classifiers[i].kind, kind))
			continue;
		nlh = tc_msg(buf, s, RTM_NEWTFILTER,
			     NLM_F_CREATE | NLM_F_EXCL, ifindex,
			     INGRESS_HANDLE, 0);
		((struct tcmsg *)mnl_nlmsg_get_payload(nlh))->tcm_info = info;
		mnl_attr_put_strz(nlh, TCA_KIND, kind);
		opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
		classifiers[i].put(nlh, to_ifindex);
		mnl_attr_nest_end(nlh, opts);
		return tc_talk(s, nlh);
	}
	tc_set_error(0, "no classifier '%s'", kind);
	return -EOPNOTSUPP;
}

int tc_ingress_add(struct nlsock *s, int ifindex)
{
	return tc_qdisc_add(s, ifindex, TC_H_INGRESS, INGRESS_HANDLE,
			    "ingress");
}

int tc_ingress_del(struct nlsock *s, int ifindex)
{
	return tc_qdisc_del(s, ifindex, TC_H_INGRESS, INGRESS_HANDLE);
}

static struct nlmsghdr *link_msg(char *buf, struct nlsock *s, uint16_t type,
				 uint16_t flags, int ifindex)
{
	struct nlmsghdr *nlh = nlsock_msg(buf, s, type, flags);
	struct ifinfomsg *ifi;

	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

/* Creates IFB device name, up, with ifindex (0: the kernel picks). */
int tc_ifb_add(struct nlsock *s, const char *name, int ifindex)
{
	char buf[TC_BUF_SIZE];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct nlattr *info;

	nlh = link_msg(buf, s, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
		       ifindex);
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	/* An IFB queues a whole link's bursts; its default 32 drops. */
	mnl_attr_put_u32(nlh, IFLA_TXQLEN, IFB_TXQLEN);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "ifb");
	mnl_attr_nest_end(nlh, info);
	return tc_talk(s, nlh);
}

int tc_link_del(struct nlsock *s, int ifindex)
{
	char buf[TC_BUF_SIZE];

	return tc_talk(s, link_msg(buf, s, RTM_DELLINK, 0, ifindex));
}

/*
 * The ingress qdisc has no "change": it is deleted and made again, which
 * also drops a stale filter. Packets in between pass unshaped.
 */
static int ingress_build(struct nlsock *s, int ifindex, int ifb_index,
			 uint64_t rate, const char *classifier)
{
	const struct tc_class c = {
		.handle = TC_CLASS(1), .parent = TC_HTB_MAJOR, .rate = rate,
	};
	int err = tc_htb_apply_sock(s, ifb_index, &c, 1, 1);

	if (!err) {
		tc_ingress_del(s, ifindex);
		err = tc_ingress_add(s, ifindex);
	}
	if (!err)
		err = tc_redirect_add(s, ifindex, classifier, ifb_index);
	return err;
}

int tc_ingress_apply(const char *ifname, const char *ifb, uint64_t rate)
{
	struct tc_features f;
	struct nlsock s;
	int ifindex = tc_ifindex(ifname), ifb_index, err;

	if (ifindex < 0)
		return ifindex;
	err = tc_probe(&f);
	if (err)
		return err;
	if (!f.ifb || !f.ingress || !f.redirect_classifier[0]) {
		tc_set_error(0, "%s: this kernel cannot shape ingress (%s)",
			     ifname, !f.ifb ? "no IFB devices" : !f.ingress ?
			     "no ingress qdisc" : "no classifier redirects");
		return -EOPNOTSUPP;
	}
	err = tc_open(&s);
	if (err)
		return err;
	if (!if_nametoindex(ifb))
		err = tc_ifb_add(&s, ifb, 0);
	ifb_index = err ? err : tc_ifindex(ifb);
	err = ifb_index < 0 ? ifb_index : ingress_build(&s, ifindex, ifb_index,
							rate,
							f.redirect_classifier);
	nlsock_close(&s);
	return err;
}

int tc_ingress_remove(const char *ifname, const char *ifb)
{
	unsigned ifindex = if_nametoindex(ifname);
	unsigned ifb_index = if_nametoindex(ifb);
	struct nlsock s;
	int err, e;

	err = tc_open(&s);
	if (err)
		return err;
	/* Either may be gone already; what is left still goes. */
	if (ifindex) {
		e = tc_ingress_del(&s, (int)ifindex);
		if (e != -ENOENT && e != -EINVAL)
			err = e;
	}
	if (ifb_index && !err)
		err = tc_link_del(&s, (int)ifb_index);
	nlsock_close(&s);
	return err;
}
