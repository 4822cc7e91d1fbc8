// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The network of a scenario, built over rtnetlink: one fresh namespace per
 * node, veth pairs for two-member links, a bridge in a hidden namespace
 * for bigger ones, then addresses and routes.
 *
 * Every request is sent from a socket opened inside the namespace it
 * changes, and a veth is created in its first namespace with its peer
 * placed straight into the second (IFLA_NET_NS_FD): no interface ever
 * passes through the namespace fwctl itself runs in.
 *
 * The order matters: sysctls first, so interfaces inherit them from
 * "default"; links up and running before addresses, so IPv6 addresses
 * are usable at once (IFA_F_NODAD, no duplicate detection); routes
 * after them, since the kernel checks that a gateway is on a link; and
 * last a wait until every bridge port forwards, so the first probe's
 * ARP is not lost.
 *
 * A member with a rate gets a token bucket (TBF) as its root qdisc: what
 * leaves that interface is held to the rate, an emulated slow uplink.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <limits.h>
#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "netns.h"
#include "scenario.h"

#define LINK_UP_WAIT_MS	3000u
/* IF_OPER_UP (RFC 2863); <linux/if.h> would clash with <net/if.h>. */
#define OPER_UP		6

struct rtnl {
	struct mnl_socket	*nl;
	unsigned		seq, portid;
	const char		*netns;
};

struct link_info {
	unsigned	ifindex;
	unsigned	operstate;
	int		brport_state;	/* BR_STATE_*, -1 if not a port */
};

static int rtnl_open_here(void *arg)
{
	struct rtnl *r = arg;

	r->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!r->nl)
		return -1;
	if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(r->nl);
		r->nl = NULL;
		return -1;
	}
	r->portid = mnl_socket_get_portid(r->nl);
	return 0;
}

static int rtnl_open(struct rtnl *r, const char *netns)
{
	r->netns = netns;
	r->seq = time(NULL);
	return netns_call(netns, rtnl_open_here, r);
}

static void rtnl_close(struct rtnl *r)
{
	if (r->nl)
		mnl_socket_close(r->nl);
	r->nl = NULL;
}

/* Sends one request and runs its answer through cb up to the ack. */
static int rtnl_talk(struct rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb,
		     void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;
	int ret;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++r->seq;
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		n = mnl_socket_recvfrom(r->nl, buf, sizeof(buf));
		if (n < 0)
			return -1;
		ret = mnl_cb_run(buf, n, r->seq, r->portid, cb, data);
	} while (ret > 0);
	return ret;
}

static struct nlmsghdr *rtnl_msg(char *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	return nlh;
}

static struct ifinfomsg *put_ifinfo(struct nlmsghdr *nlh)
{
	struct ifinfomsg *ifi;

	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	return ifi;
}

/* IFLA_LINKINFO { IFLA_INFO_SLAVE_DATA { IFLA_BRPORT_STATE u8 } } */
static void brport_state_parse(const struct nlattr *linkinfo,
			       struct link_info *li)
{
	const struct nlattr *a, *b;

	mnl_attr_for_each_nested(a, linkinfo) {
		if (mnl_attr_get_type(a) != IFLA_INFO_SLAVE_DATA)
			continue;
		mnl_attr_for_each_nested(b, a)
			if (mnl_attr_get_type(b) == IFLA_BRPORT_STATE &&
			    !mnl_attr_validate(b, MNL_TYPE_U8))
				li->brport_state = mnl_attr_get_u8(b);
	}
}

static int link_info_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct link_info *li = data;
	const struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	li->ifindex = ifi->ifi_index;
	mnl_attr_for_each(a, nlh, sizeof(*ifi)) {
		if (mnl_attr_get_type(a) == IFLA_OPERSTATE &&
		    !mnl_attr_validate(a, MNL_TYPE_U8))
			li->operstate = mnl_attr_get_u8(a);
		else if (mnl_attr_get_type(a) == IFLA_LINKINFO)
			brport_state_parse(a, li);
	}
	return MNL_CB_OK;
}

static int link_query(struct rtnl *r, const char *ifname,
		      struct link_info *li)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = rtnl_msg(buf, RTM_GETLINK, 0);

	put_ifinfo(nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	memset(li, 0, sizeof(*li));
	li->brport_state = -1;
	return rtnl_talk(r, nlh, link_info_cb, li);
}

static int link_set_up(struct rtnl *r, const char *ifname)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = rtnl_msg(buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = put_ifinfo(nlh);

	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	return rtnl_talk(r, nlh, NULL, NULL);
}

/*
 * The bucket holds 4 ms of traffic (at least 16 KiB, so a timer tick
 * never starves it) and the queue 50 ms beyond it, enough for TCP to
 * keep the link busy. The link layer is given as Ethernet, so the
 * kernel computes the transmission times itself, without a rate table.
 */
static int qdisc_tbf_add(struct rtnl *r, unsigned ifindex, uint64_t bps)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = rtnl_msg(buf, RTM_NEWQDISC,
					NLM_F_CREATE | NLM_F_EXCL);
	uint64_t bytes = bps / 8;
	uint32_t burst = bytes / 250 > 16384 ? bytes / 250 : 16384;
	struct tc_tbf_qopt q = {
		.rate = { .rate = bytes > UINT32_MAX ? UINT32_MAX : bytes,
			  .linklayer = TC_LINKLAYER_ETHERNET },
		.limit = bytes / 20 + burst,
	};
	struct tcmsg *tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	struct nlattr *opts;

	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	tcm->tcm_parent = TC_H_ROOT;
	mnl_attr_put_strz(nlh, TCA_KIND, "tbf");
	opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put(nlh, TCA_TBF_PARMS, sizeof(q), &q);
	mnl_attr_put_u32(nlh, TCA_TBF_BURST, burst);
	if (bytes > UINT32_MAX)
		mnl_attr_put_u64(nlh, TCA_TBF_RATE64, bytes);
	mnl_attr_nest_end(nlh, opts);
	return rtnl_talk(r, nlh, NULL, NULL);
}

static int bridge_create(struct rtnl *r, const char *ifname)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *info, *data;

	nlh = rtnl_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	put_ifinfo(nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/* No querier here: snooping would starve IPv6 neighbour discovery. */
	mnl_attr_put_u8(nlh, IFLA_BR_MCAST_SNOOPING, 0);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return rtnl_talk(r, nlh, NULL, NULL);
}

/*
 * A veth pair: ifname here (enslaved to master unless 0), peer in the
 * namespace open as peer_ns_fd:
 *
 *   IFLA_LINKINFO { KIND "veth", DATA { VETH_INFO_PEER {
 *           struct ifinfomsg, IFLA_IFNAME peer, IFLA_NET_NS_FD fd } } }
 */
static int veth_create(struct rtnl *r, const char *ifname, unsigned master,
		       const char *peer, int peer_ns_fd)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlattr *info, *data, *pinfo;
	struct nlmsghdr *nlh;

	nlh = rtnl_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	put_ifinfo(nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	if (master)
		mnl_attr_put_u32(nlh, IFLA_MASTER, master);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	pinfo = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	put_ifinfo(nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, peer_ns_fd);
	mnl_attr_nest_end(nlh, pinfo);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return rtnl_talk(r, nlh, NULL, NULL);
}

static int addr_add(struct rtnl *r, unsigned ifindex,
		    const struct scn_addr *a)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;

	nlh = rtnl_msg(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = a->family;
	ifa->ifa_prefixlen = a->plen;
	ifa->ifa_index = ifindex;
	ifa->ifa_flags = a->family == AF_INET6 ? IFA_F_NODAD : 0;
	mnl_attr_put(nlh, IFA_LOCAL, scn_addr_len(a->family), a->a);
	mnl_attr_put(nlh, IFA_ADDRESS, scn_addr_len(a->family), a->a);
	return rtnl_talk(r, nlh, NULL, NULL);
}

static int route_add(struct rtnl *r, const struct scn_route *rt)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	nlh = rtnl_msg(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = rt->dst.family;
	rtm->rtm_dst_len = rt->dst.plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	if (rt->dst.plen)
		mnl_attr_put(nlh, RTA_DST, scn_addr_len(rt->dst.family),
			     rt->dst.a);
	mnl_attr_put(nlh, RTA_GATEWAY, scn_addr_len(rt->via.family), rt->via.a);
	return rtnl_talk(r, nlh, NULL, NULL);
}

struct sysctl_write {
	const char	*path;
	const char	*value;
};

static int sysctl_write_here(void *arg)
{
	const struct sysctl_write *w = arg;
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/%s", w->path);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = write(fd, w->value, strlen(w->value));
	close(fd);
	return n < 0 ? -1 : 0;
}

/*
 * Written in every namespace before its interfaces exist, so that they
 * inherit it from "default":
 * - no duplicate address detection: a router sends the neighbour
 *   solicitations for forwarded packets from its link-local address,
 *   unusable while tentative, so IPv6 would not cross it for a second;
 * - no router solicitations: they reach a router's input chain at any
 *   moment and change its counters between two rule-set snapshots;
 * - no ICMP rate limit: a scenario sends many rejected probes in a row,
 *   and a reject answered late or not at all would read as a drop.
 */
static const struct {
	const char	*path;
	const char	*value;
	bool		router_only;
} node_sysctls[] = {
	{ "net/ipv6/conf/default/accept_dad",		"0", false },
	{ "net/ipv6/conf/default/router_solicitations",	"0", false },
	{ "net/ipv4/icmp_ratelimit",			"0", false },
	{ "net/ipv6/icmp/ratelimit",			"0", false },
	{ "net/ipv4/ip_forward",			"1", true },
	{ "net/ipv6/conf/all/forwarding",		"1", true },
};

static int netns_setup(const char *netns, bool router)
{
	struct sysctl_write w;
	size_t i;

	for (i = 0; i < sizeof(node_sysctls) / sizeof(node_sysctls[0]); i++) {
		if (node_sysctls[i].router_only && !router)
			continue;
		w.path = node_sysctls[i].path;
		w.value = node_sysctls[i].value;
		if (netns_call(netns, sysctl_write_here, &w) < 0) {
			fprintf(stderr, "fwctl: test: %s: cannot set %s: %s\n",
				netns, w.path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int fail(const struct rtnl *r, const char *what, const char *name)
{
	fprintf(stderr, "fwctl: test: %s: %s %s: %s\n", r->netns, what, name,
		strerror(errno));
	return -1;
}

static int namespace_create(char *ns, const char *prefix, const char *name,
			    bool router, struct rtnl *r)
{
	snprintf(ns, SCN_NETNS_MAX, "%s%s", prefix, name);
	r->netns = ns;
	if (guard_netns_create(ns) < 0) {
		fprintf(stderr, "fwctl: test: cannot create network namespace "
			"%s: %s\n", ns, strerror(errno));
		ns[0] = '\0';
		return -1;
	}
	if (netns_setup(ns, router))
		return -1;
	if (rtnl_open(r, ns))
		return fail(r, "cannot open", "rtnetlink");
	if (link_set_up(r, "lo"))
		return fail(r, "cannot bring up", "lo");
	return 0;
}

/* A link of more than two members is a bridge in the hidden namespace. */
static bool link_bridged(const struct scn_link *l)
{
	return l->n_members > 2;
}

static bool has_bridges(const struct scenario *s)
{
	size_t i;

	for (i = 0; i < s->n_links; i++)
		if (link_bridged(&s->links[i]))
			return true;
	return false;
}

/* Namespaces of all nodes, and of the bridges in rtnl[n_nodes]. */
static int namespaces_create(struct scenario *s, const char *prefix,
			     struct rtnl *rtnl, bool verbose)
{
	struct scn_node *n;
	size_t i;

	for (i = 0; i < s->n_nodes; i++) {
		n = &s->nodes[i];
		if (namespace_create(n->netns, prefix, n->name, n->router,
				     &rtnl[i]))
			return -1;
		if (verbose)
			printf("# %s: namespace %s\n", n->name, n->netns);
	}
	if (!has_bridges(s))
		return 0;
	if (namespace_create(s->sw_netns, prefix, "sw", false, &rtnl[i]))
		return -1;
	if (verbose)
		printf("# bridges: namespace %s\n", s->sw_netns);
	return 0;
}

static int veth_to(struct rtnl *r, const char *ifname, unsigned master,
		   const struct scenario *s, const struct scn_member *peer)
{
	char path[PATH_MAX];
	int fd, err;

	if (netns_path(s->nodes[peer->node].netns, path, sizeof(path)) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	err = veth_create(r, ifname, master, peer->ifname, fd);
	close(fd);
	return err;
}

/* Port m of the bridge of link l: "brLpM". */
static void bridge_port_name(char *buf, size_t l, size_t m)
{
	snprintf(buf, IFNAMSIZ, "br%hup%hu", (unsigned short)l,
		 (unsigned short)m);
}

/* A bridge "brL" in the hidden namespace, a port "brLpM" per member. */
static int bridge_build(struct scenario *s, size_t li, struct rtnl *sw)
{
	const struct scn_link *l = &s->links[li];
	char br[IFNAMSIZ], port[IFNAMSIZ];
	struct link_info info;
	size_t i;

	snprintf(br, sizeof(br), "br%hu", (unsigned short)li);
	if (bridge_create(sw, br) || link_set_up(sw, br) ||
	    link_query(sw, br, &info))
		return fail(sw, "cannot create bridge", br);
	for (i = 0; i < l->n_members; i++) {
		bridge_port_name(port, li, i);
		if (veth_to(sw, port, info.ifindex, s, &l->members[i]) ||
		    link_set_up(sw, port))
			return fail(sw, "cannot create bridge port", port);
	}
	return 0;
}

static int links_create(struct scenario *s, struct rtnl *rtnl)
{
	const struct scn_member *m;
	size_t i;

	for (i = 0; i < s->n_links; i++) {
		m = s->links[i].members;
		if (link_bridged(&s->links[i])) {
			if (bridge_build(s, i, &rtnl[s->n_nodes]))
				return -1;
		} else if (veth_to(&rtnl[m[0].node], m[0].ifname, 0, s,
				   &m[1])) {
			return fail(&rtnl[m[0].node], "cannot create veth",
				    m[0].ifname);
		}
	}
	return 0;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static bool link_running(const struct link_info *li)
{
	return li->operstate == OPER_UP;
}

/*
 * A bridge port forwards only once the bridge has seen its carrier, news
 * that linkwatch brings after the member's own side may already read
 * "up": a probe sent in between would lose its first ARP or neighbour
 * solicitation, whose retry (1 s) comes too late for any expectation.
 */
static bool port_forwarding(const struct link_info *li)
{
	return li->brport_state == BR_STATE_FORWARDING;
}

/*
 * Carrier, operational and port state follow "up" a moment later
 * (linkwatch): polls ifname until ready() says so; what says what it
 * waited for in the error.
 */
static int link_wait(struct rtnl *r, const char *ifname,
		     bool (*ready)(const struct link_info *),
		     const char *what, struct link_info *info)
{
	unsigned waited;

	for (waited = 0; waited < LINK_UP_WAIT_MS; waited += 5) {
		if (link_query(r, ifname, info))
			return fail(r, "cannot read", ifname);
		if (ready(info))
			return 0;
		sleep_ms(5);
	}
	fprintf(stderr, "fwctl: test: %s: %s did not %s within %u ms\n",
		r->netns, ifname, what, LINK_UP_WAIT_MS);
	return -1;
}

static int bridges_wait_forwarding(struct scenario *s, struct rtnl *sw)
{
	char port[IFNAMSIZ];
	struct link_info info;
	size_t i, j;

	for (i = 0; i < s->n_links; i++) {
		if (!link_bridged(&s->links[i]))
			continue;
		for (j = 0; j < s->links[i].n_members; j++) {
			bridge_port_name(port, i, j);
			if (link_wait(sw, port, port_forwarding,
				      "start forwarding", &info))
				return -1;
		}
	}
	return 0;
}

static int members_up(struct scenario *s, struct rtnl *rtnl)
{
	const struct scn_member *m;
	size_t i, j;

	for (i = 0; i < s->n_links; i++) {
		for (j = 0; j < s->links[i].n_members; j++) {
			m = &s->links[i].members[j];
			if (link_set_up(&rtnl[m->node], m->ifname))
				return fail(&rtnl[m->node], "cannot bring up",
					    m->ifname);
		}
	}
	return 0;
}

static int addresses_add(struct scenario *s, struct rtnl *rtnl)
{
	char buf[INET6_ADDRSTRLEN];
	struct link_info info;
	size_t i, j, k;

	for (i = 0; i < s->n_links; i++) {
		for (j = 0; j < s->links[i].n_members; j++) {
			const struct scn_member *m = &s->links[i].members[j];
			struct rtnl *r = &rtnl[m->node];

			/* IPv6 takes addresses only on a running link. */
			if (link_wait(r, m->ifname, link_running, "come up",
				      &info))
				return -1;
			for (k = 0; k < m->n_addrs; k++)
				if (addr_add(r, info.ifindex, &m->addrs[k]))
					return fail(r, "cannot add address",
						    scn_addr_str(&m->addrs[k],
						    buf, sizeof(buf)));
		}
	}
	return 0;
}

static int routes_add(struct scenario *s, struct rtnl *rtnl)
{
	char buf[INET6_ADDRSTRLEN];
	size_t i, j;

	for (i = 0; i < s->n_nodes; i++) {
		for (j = 0; j < s->nodes[i].n_routes; j++) {
			const struct scn_route *rt = &s->nodes[i].routes[j];

			if (route_add(&rtnl[i], rt))
				return fail(&rtnl[i], "cannot add route via",
					    scn_addr_str(&rt->via, buf,
							 sizeof(buf)));
		}
	}
	return 0;
}

static int shapers_add(struct scenario *s, struct rtnl *rtnl)
{
	struct link_info info;
	size_t i, j;

	for (i = 0; i < s->n_links; i++) {
		for (j = 0; j < s->links[i].n_members; j++) {
			const struct scn_member *m = &s->links[i].members[j];
			struct rtnl *r = &rtnl[m->node];

			if (!m->rate)
				continue;
			if (link_query(r, m->ifname, &info) ||
			    qdisc_tbf_add(r, info.ifindex, m->rate))
				return fail(r, "cannot shape", m->ifname);
		}
	}
	return 0;
}

int topology_create(struct scenario *s, const char *prefix, bool verbose)
{
	struct rtnl *rtnl = calloc(s->n_nodes + 1, sizeof(*rtnl));
	size_t i;
	int err;

	if (!rtnl)
		return -1;
	err = namespaces_create(s, prefix, rtnl, verbose);
	if (!err)
		err = links_create(s, rtnl);
	if (!err)
		err = members_up(s, rtnl);
	if (!err)
		err = addresses_add(s, rtnl);
	if (!err)
		err = routes_add(s, rtnl);
	if (!err)
		err = shapers_add(s, rtnl);
	if (!err)
		err = bridges_wait_forwarding(s, &rtnl[s->n_nodes]);
	for (i = 0; i <= s->n_nodes; i++)
		rtnl_close(&rtnl[i]);
	free(rtnl);
	return err;
}

void topology_destroy(struct scenario *s, bool keep)
{
	size_t i;

	for (i = 0; i < s->n_nodes; i++) {
		if (s->nodes[i].netns[0])
			guard_netns_release(s->nodes[i].netns, !keep);
		s->nodes[i].netns[0] = '\0';
	}
	if (s->sw_netns[0])
		guard_netns_release(s->sw_netns, !keep);
	s->sw_netns[0] = '\0';
}
