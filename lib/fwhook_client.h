/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_FWHOOK_CLIENT_H
#define FWCTL_FWHOOK_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwctl/fwhook.h"
#include "nlsock.h"

/*
 * The user-space side of fwhook.ko's generic netlink family, over libmnl.
 * A handle talks to the module in the network namespace it was opened in.
 * Every call returns 0 or -errno (the kernel's answer).
 */
struct fwhook {
	struct nlsock	sock;
	uint16_t	family;		/* the id the kernel gave "fwhook" */
};

struct fwhook_profile {
	uint16_t	queue_first, queue_count, budget;
	uint8_t		fail_open, default_verdict;	/* enum fwhook_verdict */
};

/* nprofiles 0 switches the namespace off (hooks gone, sessions flushed). */
struct fwhook_config {
	uint32_t		idle_timeout;	/* seconds; 0: module default */
	uint32_t		max_sessions;	/* 0: module default */
	size_t			nprofiles;
	struct fwhook_profile	profiles[FWHOOK_PROFILES_MAX];
};

struct fwhook_session {
	uint64_t	id, packets, bytes, age_ms, idle_ms;
	uint32_t	queued, returned;
	uint16_t	sport, dport;
	uint8_t		family, proto, verdict, reason, profile;
	uint8_t		saddr[16], daddr[16];
};

struct fwhook_stats {
	uint32_t	sessions;
	uint64_t	created, expired, table_full, queued, accepted,
			dropped, verdicts, budget;
};

typedef int (*fwhook_session_fn)(const struct fwhook_session *s, void *arg);

/* -ENOENT: the module is not loaded (no family "fwhook"). */
int fwhook_open(struct fwhook *h);
void fwhook_close(struct fwhook *h);

int fwhook_set_config(struct fwhook *h, const struct fwhook_config *c);
int fwhook_get_config(struct fwhook *h, struct fwhook_config *c);
int fwhook_get_stats(struct fwhook *h, struct fwhook_stats *st);
/* Calls fn for each session until fn returns non-zero (then returns it). */
int fwhook_sessions(struct fwhook *h, fwhook_session_fn fn, void *arg);
/* One session by id; fwhook_flush() removes them all. */
int fwhook_delete(struct fwhook *h, uint64_t id);
int fwhook_flush(struct fwhook *h);

/*
 * The wire formats, for the calls above and the tests: a configuration
 * into the attributes of a SET_CONFIG request and out of a GET_CONFIG
 * reply (the same layout), a session out of a GET_SESSION message.
 * nlh starts with a struct genlmsghdr.
 */
void fwhook_config_encode(struct nlmsghdr *nlh, const struct fwhook_config *c);
void fwhook_config_decode(const struct nlmsghdr *nlh, struct fwhook_config *c);
void fwhook_session_decode(const struct nlmsghdr *nlh,
			   struct fwhook_session *s);

/* Names for enum fwhook_verdict and enum fwhook_reason values. */
const char *fwhook_verdict_name(unsigned int v);
const char *fwhook_reason_name(unsigned int r);

#endif
