/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_MARK_H
#define FWCTL_MARK_H

/*
 * The packet mark fwctld sets in its verdict (NFQA_MARK) once a flow is
 * decided. This kernel refuses NFQA_CT, so the decision travels in the
 * packet mark and the compiled rules copy it to the connection mark in a
 * later chain of the same hook (ct mark set meta mark); the queueing rule
 * skips connections whose ct mark has FWCTL_MARK_DECIDED. Only the two top
 * bits belong to fwctld: it keeps the other 30 bits of the mark as they
 * came, so other users of the mark are left alone.
 *
 *   31  30  29                                                      0
 *  +---+---+---------------------------------------------------------+
 *  | D | X |            not fwctld's: passed through                 |
 *  +---+---+---------------------------------------------------------+
 *  D: decided (no more queueing)   X: denied (drop the connection)
 *
 * Undecided packets are accepted with their mark untouched. A denied
 * packet is accepted as well, with D and X set: the later chain copies
 * the mark to the connection and then drops the packet, so the kernel
 * drops the rest of the connection without asking fwctld again.
 */
#define FWCTL_MARK_MASK		0xc0000000u
#define FWCTL_MARK_DECIDED	0x80000000u
#define FWCTL_MARK_DENIED	0x40000000u
#define FWCTL_MARK_ACCEPT	FWCTL_MARK_DECIDED
#define FWCTL_MARK_DENY		(FWCTL_MARK_DECIDED | FWCTL_MARK_DENIED)

#endif
