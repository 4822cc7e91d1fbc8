/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_TC_INTERNAL_H
#define FWCTL_TC_INTERNAL_H

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "nlsock.h"
#include "tc.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* One request or dump at a time; big enough for any tc message we build. */
#define TC_BUF_SIZE	4096

/* A qdisc or class as a dump shows it. */
struct tc_object {
	uint32_t	handle, parent, info;
	char		kind[16];
	const struct nlattr *options, *stats;
};

void tc_set_error(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

int tc_open(struct nlsock *s);
/* The ifindex of name, or -ENODEV with the error set. */
int tc_ifindex(const char *name);
/*
 * The public entry points' common frame: resolves ifname, opens a socket,
 * runs fn on it and closes it. Returns what fn returns, or -errno.
 */
int tc_call(const char *ifname,
	    int (*fn)(struct nlsock *s, int ifindex, void *arg), void *arg);

/* A tcmsg request header in buf. */
struct nlmsghdr *tc_msg(char *buf, struct nlsock *s, uint16_t type,
			uint16_t flags, int ifindex, uint32_t parent,
			uint32_t handle);
/* Sends nlh and waits for the ack; on error keeps the kernel's message. */
int tc_talk(struct nlsock *s, struct nlmsghdr *nlh);
/* Dumps type (RTM_GETQDISC, RTM_GETTCLASS) of ifindex into fn. */
int tc_dump(struct nlsock *s, uint16_t type, int ifindex,
	    void (*fn)(const struct tc_object *o, void *data), void *data);

int tc_qdisc_add(struct nlsock *s, int ifindex, uint32_t parent,
		 uint32_t handle, const char *kind);
int tc_qdisc_del(struct nlsock *s, int ifindex, uint32_t parent,
		 uint32_t handle);

/* HTB's own messages (tc_htb.c), reused by the ingress side. */
int tc_htb_apply_sock(struct nlsock *s, int ifindex,
		      const struct tc_class *c, size_t n, uint16_t defcls);
int tc_htb_remove_sock(struct nlsock *s, int ifindex);
int tc_probe_leaf_kind(char *kind, size_t size);
/* Ingress pieces (tc_ingress.c), shared with the probe. */
int tc_redirect_add(struct nlsock *s, int ifindex, const char *kind,
		    int to_ifindex);
int tc_ingress_add(struct nlsock *s, int ifindex);
int tc_ingress_del(struct nlsock *s, int ifindex);
int tc_ifb_add(struct nlsock *s, const char *name, int ifindex);
int tc_link_del(struct nlsock *s, int ifindex);
/* The bytes a burst of ticks lets through at rate_bytes per second. */
uint32_t tc_htb_bytes(uint32_t ticks, uint64_t rate_bytes);

#endif
