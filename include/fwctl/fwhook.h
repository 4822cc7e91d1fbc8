/* SPDX-License-Identifier: GPL-2.0-or-later WITH Linux-syscall-note */
#ifndef FWCTL_FWHOOK_H
#define FWCTL_FWHOOK_H

/*
 * The generic netlink interface of fwhook.ko, shared by the module and
 * fwctl. Every request is validated strictly against the policies the
 * comments give (type, length, range); an unknown attribute or a value out
 * of range is refused with an extack message. Changes and the session dump
 * need CAP_NET_ADMIN (GENL_ADMIN_PERM). All state is per network
 * namespace: a request acts on the namespace of the socket.
 *
 * Attribute numbers never change meaning; new ones are appended and
 * FWHOOK_GENL_VERSION goes up when one is added.
 */
#include <linux/types.h>

#define FWHOOK_GENL_NAME	"fwhook"
#define FWHOOK_GENL_VERSION	1

/*
 * The packet mark carries the inspect profile from fwctl's nf_tables
 * chain to the module: an inspect rule sets bits 24-29 to the profile's
 * index + 1 (0 = not inspected) and accepts, in nft terms
 *
 *	meta mark set meta mark & 0x00ffffff | 0x01000000 accept
 *
 * for profile 0. Bits 30-31 are fwctld's verdict (fwctl/mark.h). The
 * module clears all eight bits again before the packet leaves its last
 * hook, so the rest of the stack sees the mark the packet came with.
 */
#define FWHOOK_MARK_PROFILE_SHIFT	24
#define FWHOOK_MARK_PROFILE_MASK	0x3f000000u
#define FWHOOK_MARK_OWNED		0xff000000u
#define FWHOOK_PROFILES_MAX		63
#define FWHOOK_QUEUES_MAX		64

/*
 * Hook priorities, relative to the chains fwctl creates: the filter chains
 * run at 0, the inspect chains (which set the profile in the mark) at 10.
 * STEER queues the first packets of undecided sessions; RECORD sees them
 * again after fwctld's verdict (a queued packet resumes at the hook after
 * the one that queued it).
 */
#define FWHOOK_PRIO_STEER	15
#define FWHOOK_PRIO_RECORD	25

enum fwhook_cmd {
	FWHOOK_CMD_UNSPEC,
	FWHOOK_CMD_SET_CONFIG,	/* admin; replaces the whole configuration */
	FWHOOK_CMD_GET_CONFIG,	/* the configuration in force */
	FWHOOK_CMD_GET_SESSION,	/* dump only: one FWHOOK_A_SESSION each */
	FWHOOK_CMD_DEL_SESSION,	/* admin; FWHOOK_A_SESSION_ID, or all */
	FWHOOK_CMD_GET_STATS,	/* the namespace's counters */
	__FWHOOK_CMD_MAX,
};
#define FWHOOK_CMD_MAX (__FWHOOK_CMD_MAX - 1)

enum fwhook_attr {
	FWHOOK_A_UNSPEC,
	FWHOOK_A_VERSION,	/* u32, replies only */
	FWHOOK_A_IDLE_TIMEOUT,	/* u32 seconds, 1..86400 (default 120) */
	FWHOOK_A_MAX_SESSIONS,	/* u32, 1..1048576 (default 65536) */
	FWHOOK_A_PROFILES,	/* nested array of FWHOOK_P_*; none = off */
	FWHOOK_A_SESSION,	/* nested FWHOOK_S_*, replies only */
	FWHOOK_A_SESSION_ID,	/* u64 */
	FWHOOK_A_STATS,		/* nested FWHOOK_ST_*, replies only */
	FWHOOK_A_PAD,
	__FWHOOK_A_MAX,
};
#define FWHOOK_A_MAX (__FWHOOK_A_MAX - 1)

/* One profile: element i of FWHOOK_A_PROFILES is profile i (mark i + 1). */
enum fwhook_profile_attr {
	FWHOOK_P_UNSPEC,
	FWHOOK_P_QUEUE_FIRST,	/* u16, required */
	FWHOOK_P_QUEUE_COUNT,	/* u16, 1..FWHOOK_QUEUES_MAX (default 1) */
	FWHOOK_P_FAIL_OPEN,	/* u8, 0..1 (default 1) */
	FWHOOK_P_DEFAULT,	/* u8 enum fwhook_verdict, ACCEPT or DENY */
	FWHOOK_P_BUDGET,	/* u16 packets, 1..1000 (default 8) */
	__FWHOOK_P_MAX,
};
#define FWHOOK_P_MAX (__FWHOOK_P_MAX - 1)

enum fwhook_session_attr {
	FWHOOK_S_UNSPEC,
	FWHOOK_S_ID,		/* u64 */
	FWHOOK_S_FAMILY,	/* u8 AF_INET or AF_INET6 */
	FWHOOK_S_PROTO,		/* u8 IPPROTO_* */
	FWHOOK_S_SADDR,		/* 4 or 16 bytes, network order */
	FWHOOK_S_DADDR,
	FWHOOK_S_SPORT,		/* u16, host order; 0 without ports */
	FWHOOK_S_DPORT,
	FWHOOK_S_VERDICT,	/* u8 enum fwhook_verdict */
	FWHOOK_S_REASON,	/* u8 enum fwhook_reason */
	FWHOOK_S_PROFILE,	/* u8 profile index */
	FWHOOK_S_PACKETS,	/* u64 */
	FWHOOK_S_BYTES,		/* u64 */
	FWHOOK_S_QUEUED,	/* u32 packets sent to fwctld */
	FWHOOK_S_RETURNED,	/* u32 of those that came back */
	FWHOOK_S_AGE_MS,	/* u64 since the first packet */
	FWHOOK_S_IDLE_MS,	/* u64 since the last packet */
	FWHOOK_S_PAD,
	__FWHOOK_S_MAX,
};
#define FWHOOK_S_MAX (__FWHOOK_S_MAX - 1)

enum fwhook_stat_attr {
	FWHOOK_ST_UNSPEC,
	FWHOOK_ST_SESSIONS,	/* u32 live sessions */
	FWHOOK_ST_CREATED,	/* u64 each: */
	FWHOOK_ST_EXPIRED,	/* removed by idle timeout */
	FWHOOK_ST_TABLE_FULL,	/* new sessions refused: queued untracked */
	FWHOOK_ST_QUEUED,	/* packets sent to NFQUEUE */
	FWHOOK_ST_ACCEPTED,	/* packets passed on a recorded accept */
	FWHOOK_ST_DROPPED,	/* packets dropped on a recorded deny */
	FWHOOK_ST_VERDICTS,	/* fwctld verdicts recorded */
	FWHOOK_ST_BUDGET,	/* sessions decided by the default */
	FWHOOK_ST_PAD,
	__FWHOOK_ST_MAX,
};
#define FWHOOK_ST_MAX (__FWHOOK_ST_MAX - 1)

enum fwhook_verdict {
	FWHOOK_VERDICT_UNDECIDED,
	FWHOOK_VERDICT_ACCEPT,
	FWHOOK_VERDICT_DENY,
};

enum fwhook_reason {
	FWHOOK_REASON_NONE,	/* undecided */
	FWHOOK_REASON_DAEMON,	/* fwctld's verdict mark */
	FWHOOK_REASON_BUDGET,	/* budget spent with no verdict: default */
};

#endif
