// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rtnetlink plumbing under traffic control: one request, one ack,
 * the kernel's extended ack kept as the error text; dumps of qdiscs and
 * classes handed out as plain tc_objects.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_internal.h"

/* A dump's skbs are up to 32k; a smaller read would truncate them. */
#define TC_RECV_SIZE	65536

static char tc_errbuf[256];

const char *tc_error(void)
{
	return tc_errbuf;
}

void tc_set_error(int err, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(tc_errbuf, sizeof(tc_errbuf), fmt, ap);
	va_end(ap);
	if (err && len >= 0 && (size_t)len < sizeof(tc_errbuf))
		snprintf(tc_errbuf + len, sizeof(tc_errbuf) - len, ": %s",
			 strerror(err));
}

int tc_open(struct nlsock *s)
{
	if (nlsock_open(s, NETLINK_ROUTE) < 0) {
		tc_set_error(errno, "cannot open an rtnetlink socket");
		return -errno;
	}
	return 0;
}

int tc_call(const char *ifname,
	    int (*fn)(struct nlsock *s, int ifindex, void *arg), void *arg)
{
	struct nlsock s;
	int ifindex = tc_ifindex(ifname), err;

	if (ifindex < 0)
		return ifindex;
	err = tc_open(&s);
	if (err)
		return err;
	err = fn(&s, ifindex, arg);
	nlsock_close(&s);
	return err;
}

int tc_ifindex(const char *name)
{
	unsigned idx = if_nametoindex(name);

	if (!idx) {
		tc_set_error(0, "unknown interface '%s'", name);
		return -ENODEV;
	}
	return (int)idx;
}

struct nlmsghdr *tc_msg(char *buf, struct nlsock *s, uint16_t type,
			uint16_t flags, int ifindex, uint32_t parent,
			uint32_t handle)
{
	struct nlmsghdr *nlh = nlsock_msg(buf, s, type, flags);
	struct tcmsg *tcm;

	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	tcm->tcm_parent = parent;
	tcm->tcm_handle = handle;
	return nlh;
}

static int extack_attr_cb(const struct nlattr *a, void *data)
{
	const char **msg = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		*msg = mnl_attr_get_str(a);
	return MNL_CB_OK;
}

struct exchange {
	mnl_cb_t	cb;
	void		*data;
	int		err;
};

static int msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct exchange *ex = data;

	return ex->cb ? ex->cb(nlh, ex->data) : MNL_CB_OK;
}

/*
 * The kernel's reason, when it gave one, is worth more than strerror():
 * "Specified qdisc kind is unknown" beats "No such file or directory".
 */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct exchange *ex = data;
	const char *msg = NULL;
	unsigned off = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
		return MNL_CB_ERROR;
	ex->err = e->error;
	if (!e->error)
		return MNL_CB_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += mnl_nlmsg_get_payload_len(&e->msg);
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		mnl_attr_parse(nlh, off, extack_attr_cb, &msg);
	if (msg)
		tc_set_error(0, "%s (%s)", msg, strerror(-e->error));
	else
		tc_set_error(-e->error, "the kernel refused the request");
	return MNL_CB_STOP;
}

/* A dump that failed half way says so in its DONE message. */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct exchange *ex = data;
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err)) {
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		if (err < 0) {
			tc_set_error(-err, "the dump was cut short");
			ex->err = err;
		}
	}
	return MNL_CB_STOP;
}

static mnl_cb_t tc_ctl_cb[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = error_cb,
	[NLMSG_DONE] = done_cb,
};

/* Runs one request to its ack or to the end of its dump. */
static int tc_exchange(struct nlsock *s, struct nlmsghdr *nlh,
		       mnl_cb_t cb, void *data)
{
	struct exchange ex = { .cb = cb, .data = data };
	uint32_t seq = nlh->nlmsg_seq;
	char *buf;
	ssize_t n;
	int ret;

	if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0) {
		tc_set_error(errno, "cannot send to rtnetlink");
		return -errno;
	}
	buf = malloc(TC_RECV_SIZE);
	if (!buf)
		return -ENOMEM;
	do {
		n = mnl_socket_recvfrom(s->nl, buf, TC_RECV_SIZE);
		if (n < 0) {
			tc_set_error(errno, "cannot read from rtnetlink");
			ex.err = -errno;
			break;
		}
		ret = mnl_cb_run2(buf, (size_t)n, seq, s->portid, msg_cb, &ex,
				  tc_ctl_cb, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_ERROR && !ex.err) {
			tc_set_error(errno, "malformed rtnetlink reply");
			ex.err = -EPROTO;
		}
	} while (ret == MNL_CB_OK);
	free(buf);
	return ex.err;
}

int tc_talk(struct nlsock *s, struct nlmsghdr *nlh)
{
	nlh->nlmsg_flags |= NLM_F_ACK;
	return tc_exchange(s, nlh, NULL, NULL);
}

static int object_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type <= TCA_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

struct dump {
	void	(*fn)(const struct tc_object *o, void *data);
	void	*data;
	int	ifindex;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[TCA_MAX + 1] = { 0 };
	struct tc_object o = { 0 };
	struct dump *d = data;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*tcm))
		return MNL_CB_ERROR;
	if (tcm->tcm_ifindex != d->ifindex)
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(*tcm), object_attr_cb, tb) < 0)
		return MNL_CB_ERROR;
	o.handle = tcm->tcm_handle;
	o.parent = tcm->tcm_parent;
	o.info = tcm->tcm_info;
	if (tb[TCA_KIND] && !mnl_attr_validate(tb[TCA_KIND], MNL_TYPE_STRING))
		snprintf(o.kind, sizeof(o.kind), "%s",
			 mnl_attr_get_str(tb[TCA_KIND]));
	o.options = tb[TCA_OPTIONS];
	o.stats = tb[TCA_STATS2];
	d->fn(&o, d->data);
	return MNL_CB_OK;
}

int tc_dump(struct nlsock *s, uint16_t type, int ifindex,
	    void (*fn)(const struct tc_object *o, void *data), void *data)
{
	char buf[TC_BUF_SIZE];
	struct dump d = { .fn = fn, .data = data, .ifindex = ifindex };
	struct nlmsghdr *nlh = tc_msg(buf, s, type, NLM_F_DUMP, ifindex, 0, 0);

	return tc_exchange(s, nlh, dump_cb, &d);
}

int tc_qdisc_add(struct nlsock *s, int ifindex, uint32_t parent,
		 uint32_t handle, const char *kind)
{
	char buf[TC_BUF_SIZE];
	struct nlmsghdr *nlh;

	nlh = tc_msg(buf, s, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE,
		     ifindex, parent, handle);
	mnl_attr_put_strz(nlh, TCA_KIND, kind);
	return tc_talk(s, nlh);
}

int tc_qdisc_del(struct nlsock *s, int ifindex, uint32_t parent,
		 uint32_t handle)
{
	char buf[TC_BUF_SIZE];

	return tc_talk(s, tc_msg(buf, s, RTM_DELQDISC, 0, ifindex, parent,
				 handle));
}
