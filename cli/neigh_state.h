/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_NEIGH_STATE_H
#define FWCTL_NEIGH_STATE_H

#include <stddef.h>

struct scn_addr;

/*
 * What the calling namespace's neighbour table says of its next hop
 * toward dst, in a few words for a failed probe: "next hop 10.0.0.1 on
 * eth0 never answered ARP" says the link lost it, "... answered ARP"
 * that it went further. Returns 0 (buf empty when there is nothing to
 * tell), or -errno with buf empty when the kernel could not be asked.
 */
int neigh_state_describe(const struct scn_addr *dst, char *buf, size_t size);

#endif
