/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_NEIGH_STATE_H
#define FWCTL_NEIGH_STATE_H

#include <stddef.h>

/*
 * What the calling namespace's neighbour table says of its next hop
 * toward dst (family AF_INET or AF_INET6, dst in network order), in a
 * few words for a failed probe: "next hop 10.0.0.1 never answered ARP"
 * says the link lost it, "next hop 10.0.0.1 answered ARP" that it went
 * further. Returns 0, or -errno with buf empty when the kernel could not
 * be asked.
 */
int neigh_state_describe(int family, const void *dst, char *buf,
			 size_t size);

#endif
