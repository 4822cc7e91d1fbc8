/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_PROCESS_H
#define FWCTL_PROCESS_H

/*
 * Tells the service manager we are ready (sd_notify's READY=1) when it
 * gave us NOTIFY_SOCKET: one datagram, written here rather than linking
 * libsystemd. Quietly nothing without NOTIFY_SOCKET.
 */
void process_notify(const char *state);

/*
 * Keeps CAP_NET_ADMIN (queues bind and rebind on reload; socket buffers
 * beyond the sysctl limit) and drops every other capability from the
 * bounding, permitted, effective and inheritable sets. 0 or -errno.
 */
int process_drop_caps(void);

#endif
