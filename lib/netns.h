/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_NETNS_H
#define FWCTL_NETNS_H

/*
 * Named network namespaces the way iproute2 keeps them: a bind mount of
 * the namespace file at /run/netns/NAME, so `ip netns exec NAME` and
 * `fwctl --netns NAME` reach the same namespace.
 */
#define NETNS_RUN_DIR	"/run/netns"

/* Moves the calling thread into namespace NAME; -1 with errno on failure. */
int netns_enter(const char *name);

#endif
