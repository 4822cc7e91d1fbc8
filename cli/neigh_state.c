// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A probe that should have passed and saw nothing may have been lost by
 * the firewall or before it, on the link: the two look the same from
 * the socket. The neighbour table tells them apart. The route lookup
 * (RTM_GETROUTE) names the next hop and its interface, the neighbour
 * lookup (RTM_GETNEIGH of one address, Linux 5.0 and later) says whether
 * it ever answered.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "neigh_state.h"
#include "nlsock.h"
#include "scenario.h"

struct next_hop {
	unsigned char	addr[16];
	unsigned	ifindex;
	unsigned	type;		/* RTN_*: unicast has a neighbour */
	int		state;		/* NUD_*, -1: no entry */
};

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct next_hop *nh = data;
	const struct nlattr *a;
	size_t len;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return MNL_CB_OK;
	len = scn_addr_len(rtm->rtm_family);
	nh->type = rtm->rtm_type;
	mnl_attr_for_each(a, nlh, sizeof(*rtm)) {
		if (mnl_attr_get_type(a) == RTA_OIF &&
		    !mnl_attr_validate(a, MNL_TYPE_U32))
			nh->ifindex = mnl_attr_get_u32(a);
		else if (mnl_attr_get_type(a) == RTA_GATEWAY &&
			 mnl_attr_get_payload_len(a) == len)
			memcpy(nh->addr, mnl_attr_get_payload(a), len);
	}
	return MNL_CB_OK;
}

/* The next hop toward dst: its gateway, or dst itself on a link. */
static int route_get(struct nlsock *s, const struct scn_addr *dst,
		     struct next_hop *nh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nlsock_msg(buf, s, RTM_GETROUTE, NLM_F_ACK);
	unsigned len = scn_addr_len(dst->family);
	struct rtmsg *rtm;

	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = dst->family;
	rtm->rtm_dst_len = len * 8;
	mnl_attr_put(nlh, RTA_DST, len, dst->a);
	memcpy(nh->addr, dst->a, len);
	return nlsock_request(s, nlh, route_cb, nh);
}

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	struct next_hop *nh = data;

	if (nlh->nlmsg_type == RTM_NEWNEIGH &&
	    mnl_nlmsg_get_payload_len(nlh) >= sizeof(*ndm))
		nh->state = ndm->ndm_state;
	return MNL_CB_OK;
}

static int neigh_get(struct nlsock *s, int family, struct next_hop *nh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nlsock_msg(buf, s, RTM_GETNEIGH, NLM_F_ACK);
	struct ndmsg *ndm;
	int err;

	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = family;
	ndm->ndm_ifindex = nh->ifindex;
	mnl_attr_put(nlh, NDA_DST, scn_addr_len(family), nh->addr);
	nh->state = -1;
	err = nlsock_request(s, nlh, neigh_cb, nh);
	return err == -ENOENT ? 0 : err;
}

int neigh_state_describe(const struct scn_addr *dst, char *buf, size_t size)
{
	int family = dst->family;
	const char *proto = family == AF_INET ? "ARP" : "neighbour discovery";
	char addr[INET6_ADDRSTRLEN], ifname[IF_NAMESIZE];
	struct next_hop nh = { .ifindex = 0 };
	struct nlsock s;
	int err;

	buf[0] = '\0';
	if (nlsock_open(&s, NETLINK_ROUTE) < 0)
		return -errno;
	err = route_get(&s, dst, &nh);
	if (!err && nh.type == RTN_UNICAST)
		err = neigh_get(&s, family, &nh);
	nlsock_close(&s);
	if (err)
		return err;
	/* Local, unreachable or without neighbours: nothing to tell. */
	if (nh.type != RTN_UNICAST ||
	    (nh.state >= 0 && (nh.state & (NUD_NOARP | NUD_PERMANENT))))
		return 0;
	if (!inet_ntop(family, nh.addr, addr, sizeof(addr)) ||
	    !if_indextoname(nh.ifindex, ifname))
		return -errno;
	if (nh.state < 0)
		snprintf(buf, size, "no %s for next hop %s on %s", proto,
			 addr, ifname);
	else
		snprintf(buf, size, "next hop %s on %s %s %s", addr, ifname,
			 nh.state & (NUD_INCOMPLETE | NUD_FAILED) ?
			 "never answered" : "answered", proto);
	return 0;
}
