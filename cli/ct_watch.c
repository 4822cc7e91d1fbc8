// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fwctl conntrack watch: the kernel's conntrack event groups, filtered and
 * printed one line (or one JSON object) per event until SIGINT or SIGTERM.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "conntrack.h"
#include "ct_print.h"
#include "nlsock.h"

/* Room for bursts: the kernel drops events (ENOBUFS) when we lag. */
#define CT_EVENT_RCVBUF		(8 << 20)
/* One datagram: a single event, a few hundred bytes. */
#define CT_EVENT_SIZE		8192

struct ct_watcher {
	const struct ct_filter	*filter;
	struct ct_printer	printer;
};

static volatile sig_atomic_t ct_stop;

static void ct_on_signal(int sig)
{
	(void)sig;
	ct_stop = 1;
}

/*
 * The handlers only set a flag, and the signals stay blocked except inside
 * ppoll(): a signal arriving between the check of the flag and the wait
 * is delivered when the wait begins, never lost.
 */
static void signals_catch(sigset_t *wait_mask)
{
	struct sigaction sa = { .sa_handler = ct_on_signal };
	sigset_t block;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, wait_mask);
	sigdelset(wait_mask, SIGINT);
	sigdelset(wait_mask, SIGTERM);
}

static enum nf_conntrack_msg_type event_type(const struct nlmsghdr *nlh)
{
	if ((nlh->nlmsg_type & 0xff) == IPCTNL_MSG_CT_DELETE)
		return NFCT_T_DESTROY;
	return nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL) ?
		NFCT_T_NEW : NFCT_T_UPDATE;
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ct_watcher *w = data;
	struct nf_conntrack *ct = nfct_new();

	if (!ct) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	if (nfct_nlmsg_parse(nlh, ct) == 0 && ct_filter_match(w->filter, ct))
		ct_print_entry(&w->printer, ct, event_type(nlh));
	nfct_destroy(ct);
	return MNL_CB_OK;
}

static int subscribe(struct nlsock *s)
{
	static int groups[] = {
		NFNLGRP_CONNTRACK_NEW,
		NFNLGRP_CONNTRACK_UPDATE,
		NFNLGRP_CONNTRACK_DESTROY,
	};
	size_t i;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (mnl_socket_setsockopt(s->nl, NETLINK_ADD_MEMBERSHIP,
					  &groups[i], sizeof(groups[i])) < 0)
			return -errno;
	nlsock_set_buffers(s, 0, CT_EVENT_RCVBUF);
	return 0;
}

/* One datagram of events; 0, or -errno when the socket failed. */
static int receive(struct nlsock *s, struct ct_watcher *w)
{
	char buf[CT_EVENT_SIZE];
	ssize_t n = recv(mnl_socket_get_fd(s->nl), buf, sizeof(buf),
			 MSG_DONTWAIT);

	if (n < 0 && errno == ENOBUFS) {
		fprintf(stderr, "fwctl conntrack: events were lost (the "
			"kernel's queue overflowed)\n");
		return 0;
	}
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	/* Events carry sequence 0 and port 0: nothing to check them with. */
	if (mnl_cb_run(buf, (size_t)n, 0, 0, event_cb, w) == MNL_CB_ERROR)
		return -errno;
	return 0;
}

static int watch_loop(struct nlsock *s, struct ct_watcher *w,
		      const sigset_t *wait_mask)
{
	struct pollfd pfd = { .fd = mnl_socket_get_fd(s->nl),
			      .events = POLLIN };
	int err = 0;

	while (!ct_stop && !err) {
		if (ppoll(&pfd, 1, NULL, wait_mask) < 0) {
			if (errno != EINTR)
				err = -errno;
			continue;
		}
		err = receive(s, w);
		if (!err && (fflush(w->printer.out) == EOF ||
			     ferror(w->printer.out)))
			err = -(errno ? errno : EIO);
	}
	return err;
}

int ct_watch(const struct ct_filter *f, const struct fw_opts *o)
{
	struct ct_watcher w = { .filter = f };
	sigset_t wait_mask;
	struct nlsock s;
	int err;

	if (nlsock_open(&s, NETLINK_NETFILTER) < 0)
		return ct_fail("cannot open a netlink socket", -errno);
	err = subscribe(&s);
	if (err) {
		nlsock_close(&s);
		return ct_fail("cannot subscribe to conntrack events", err);
	}
	signals_catch(&wait_mask);
	ct_print_begin(&w.printer, stdout, ct_print_flags(o, true));
	fflush(stdout);
	if (o->verbose)
		fprintf(stderr, "fwctl conntrack: watching; SIGINT or "
			"SIGTERM stops\n");
	err = watch_loop(&s, &w, &wait_mask);
	nlsock_close(&s);
	if (ct_print_end(&w.printer) < 0 && !err)
		err = -(errno ? errno : EIO);
	return err ? ct_fail("watch", err) : FW_EXIT_OK;
}
