/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_WATCHDOG_H
#define FWCTL_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The kernel bypasses a queue only when nobody listens on it; a daemon
 * that hangs (SIGSTOP, a debugger, a livelock) still listens, and the
 * packets in its queue would wait for ever. So fwctld forks a watchdog
 * process at start that holds a copy of every queue socket (passed over
 * a unix socket pair) and watches a heartbeat each queue thread writes
 * to shared memory at least every 100 ms. When a queue's heartbeat is
 * older than WATCHDOG_STALL_MS, the watchdog answers that queue's packets
 * itself: accept (fail-open) or drop (fail-closed), without a mark, so
 * the flows stay undecided and the daemon takes them up when it resumes.
 * Only one of them reads a queue at a time: the daemon, back, asks for
 * its queue and the watchdog hands it over at its next turn (TICK_MS at
 * most) after answering what it read.
 * The watchdog dies with the daemon (PR_SET_PDEATHSIG), so a killed
 * daemon still closes every socket and the kernel unbinds its queues.
 */
#define WATCHDOG_STALL_MS	300
/* How often a queue thread looks whether it has its queue back. */
#define WATCHDOG_HANDBACK_US	2000

/* Forks the watchdog; call before any thread exists. 0 or -errno. */
int watchdog_start(void);

/* The heartbeat of queue num's thread. */
void watchdog_beat(uint16_t num);

/*
 * True while the watchdog answers queue num: the queue thread must then
 * neither read nor answer (the call asks for the queue back). The
 * watchdog's verdicts cover whatever the thread read before it knew.
 */
bool watchdog_owns(uint16_t num);

/* The same question without asking: for the status. */
bool watchdog_holds(uint16_t num);

/* Hands the watchdog a copy of queue num's socket, or takes it back. */
void watchdog_add(uint16_t num, int fd, bool fail_open);
void watchdog_remove(uint16_t num);

#endif
