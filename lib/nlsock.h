/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_NLSOCK_H
#define FWCTL_NLSOCK_H

#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

/*
 * A netlink socket that asks for extended acks (the kernel's own words on
 * why it refused something) and capped acks (errors without a copy of the
 * request), with sequence numbers of its own.
 */
struct nlsock {
	struct mnl_socket	*nl;
	uint32_t		portid;
	uint32_t		seq;		/* the next sequence number */
};

/* Opens and binds a socket of bus (NETLINK_NETFILTER, ...); -1 + errno. */
int nlsock_open(struct nlsock *s, int bus);
void nlsock_close(struct nlsock *s);
/*
 * Closing without waiting for the kernel to release the socket: after a
 * commit that deleted or replaced something, releasing a netfilter
 * socket waits until those objects are freed, a grace period (5-20 ms on
 * a virtual machine) that nothing else waits for. Another process holds
 * the socket's last reference and drops it once the caller has exited or
 * closed it (FWCTL_CLOSE_WAIT: the caller waits as before): the holder
 * nlsock_hold_by() named, run anew (posix_spawn copies nothing of the
 * caller's memory: a fork of fwctl after a compile took 0.5-0.8 ms), or
 * else a grandchild.
 *
 * The holder: path, run with the one argument NLSOCK_HOLD_ARG, is a
 * program whose main() calls nlsock_hold_if_asked() first; that returns
 * unless it was asked to hold.
 */
#define NLSOCK_HOLD_ARG	"--hold-netlink-socket"
void nlsock_hold_by(const char *path);
void nlsock_hold_if_asked(int argc, char **argv);
/*
 * Makes the holder of s (a spawn is 0.2 ms: from another thread, it can
 * overlap other work) and returns its cue (-1: there is no holder,
 * FWCTL_CLOSE_WAIT or none could be made), which nlsock_close_held()
 * closes after s.
 */
int nlsock_hold_spawn(const struct nlsock *s);
void nlsock_close_held(struct nlsock *s, int cue);

/* Takes n consecutive sequence numbers and returns the first. */
uint32_t nlsock_seq(struct nlsock *s, uint32_t n);

/*
 * Starts a request of type in buf: NLM_F_REQUEST | flags, the socket's
 * next sequence number. The caller adds its family header.
 */
struct nlmsghdr *nlsock_msg(char *buf, struct nlsock *s, uint16_t type,
			    uint16_t flags);

/*
 * Grows the socket buffers, as root beyond the sysctl limits: a batch is
 * sent with one sendmsg() and all its acks are queued before we read one.
 */
void nlsock_set_buffers(struct nlsock *s, size_t sndbuf, size_t rcvbuf);

/*
 * Sends one request (nlh, with NLM_F_ACK or NLM_F_DUMP set by the caller)
 * and runs cb on every reply until the ack or the end of the dump.
 * Returns 0, or -errno (the kernel's error, -EINTR for a dump that a
 * concurrent change interrupted, -EPROTO for a malformed reply).
 */
int nlsock_request(struct nlsock *s, struct nlmsghdr *nlh, mnl_cb_t cb,
		   void *data);

#endif
