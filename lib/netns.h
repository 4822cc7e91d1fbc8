/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_NETNS_H
#define FWCTL_NETNS_H

#include <stddef.h>

/*
 * Named network namespaces the way iproute2 keeps them: a bind mount of
 * the namespace file at /run/netns/NAME, so `ip netns exec NAME` and
 * `fwctl --netns NAME` reach the same namespace.
 */
#define NETNS_RUN_DIR	"/run/netns"

/* Moves the calling thread into namespace NAME; -1 with errno on failure. */
int netns_enter(const char *name);

/*
 * Creates a fresh namespace NAME (with only lo, down); -1 with errno, and
 * EEXIST when the name is taken. netns_delete() removes the name; the
 * namespace and its interfaces go away once no process is left in it.
 */
int netns_create(const char *name);
int netns_delete(const char *name);

/* The bind-mount path of NAME into buf; -1 (EINVAL) for a bad name. */
int netns_path(const char *name, char *buf, size_t size);

/*
 * Runs fn inside namespace NAME and comes back: a socket opened by fn
 * stays in NAME, and so do the /proc/sys/net files it opens. Returns fn's
 * result, or -1 with errno when NAME cannot be entered.
 */
int netns_call(const char *name, int (*fn)(void *arg), void *arg);

#endif
