/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_TC_H
#define FWCTL_TC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Traffic control over rtnetlink: one HTB tree per shaped interface
 * (root qdisc fc:, classes fc:N, a leaf qdisc under every class without
 * children), and whole-link ingress shaping through an IFB device.
 *
 * Rates are in bit/s as the rule language writes them (the kernel keeps
 * bytes/s, so a rate is rounded down to a multiple of 8); bursts in bytes.
 * Every function returns 0 or -errno; tc_error() then says why, in the
 * kernel's own words when it gave any.
 */

/*
 * Handle fc:, the root qdisc of every tree fwctl makes and the parent of
 * its top classes. Not 1:, the handle of every tc tutorial: an HTB root
 * with this handle is how fwctl knows a tree is its own (and may remove
 * it), and an admin's hand-made 1: tree is left alone.
 */
#define TC_MAJOR	0xfcu
#define TC_HTB_MAJOR	(TC_MAJOR << 16)
#define TC_HANDLE(maj, min)	(((uint32_t)(maj) << 16) | (uint16_t)(min))
#define TC_CLASS(min)	TC_HANDLE(TC_MAJOR, min)

struct tc_class {
	uint32_t	handle;		/* fc:N */
	uint32_t	parent;		/* fc: for a top class */
	uint64_t	rate, ceil;	/* bit/s; ceil 0: the rate */
	uint32_t	burst, cburst;	/* bytes; 0: rate/1000 + MTU */
	uint32_t	prio;		/* 0 (first) .. 7 */
	bool		leaf;		/* has a leaf qdisc */
};

struct tc_class_stats {
	struct tc_class	cls;
	char		leaf_kind[16];	/* "" for an inner class */
	uint64_t	bytes, packets;
	uint32_t	drops, overlimits, backlog, qlen;
	uint64_t	rate_est;	/* bit/s, the kernel's estimator */
	uint64_t	pps_est;
	uint32_t	borrows, lends;
};

/* What the running kernel can do for shaping (probed, never assumed). */
struct tc_features {
	bool	htb, ingress, ifb, mirred;
	bool	fq_codel, fq, sfq, pfifo, bfifo;
	bool	u32, matchall, bpf, flower;
	char	leaf_kind[16];		/* the best leaf qdisc */
	char	redirect_classifier[16]; /* "" when no classifier works */
};

const char *tc_error(void);

/*
 * Probes in a private scratch namespace, so that nothing the caller can
 * see changes. The result is cached for the process.
 */
int tc_probe(struct tc_features *f);

/*
 * Brings the HTB tree of ifname to exactly classes[0..n): creates,
 * changes and deletes classes, puts the probed leaf qdisc under every
 * class without children; default_minor names the class that takes
 * unclassified traffic. A request that cannot be right (rate 0, a parent
 * that is no class of the tree, ceil below rate, ...) changes nothing.
 */
int tc_htb_apply(const char *ifname, const struct tc_class *classes,
		 size_t n, uint16_t default_minor);
/*
 * Deletes the root qdisc if it is ours, so that the kernel puts the
 * interface's default back (noqueue, pfifo_fast, mq...); 0 when there
 * was no tree.
 */
int tc_htb_remove(const char *ifname);
/* The classes of the HTB tree, sorted by handle; *out is malloc'ed. */
int tc_htb_read(const char *ifname, struct tc_class_stats **out, size_t *n);
/* The kind of ifname's root qdisc ("noqueue", "htb", ...) into kind. */
int tc_root_kind(const char *ifname, char *kind, size_t size);

/*
 * Shapes what ifname receives to rate bit/s: creates IFB device ifb,
 * redirects all ingress traffic of ifname to it and shapes ifb's egress.
 */
int tc_ingress_apply(const char *ifname, const char *ifb, uint64_t rate);
/* Removes the ingress qdisc of ifname and deletes the IFB device. */
int tc_ingress_remove(const char *ifname, const char *ifb);

#endif
