// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What this kernel can do for shaping, found by trying: a qdisc or
 * classifier is there when the kernel accepts one. The tries happen in a
 * namespace of our own that dies with its socket, on its loopback device
 * (ifindex 1 in every new namespace), so the caller's interfaces never
 * see a probe.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/pkt_sched.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tc_internal.h"

#define PROBE_LO	1
#define PROBE_IFB	100

static struct tc_features cache;
static bool cached;

/* Leaf qdiscs, best first: the first the kernel has is the leaf kind. */
static const struct leaf {
	const char	*kind;
	size_t		offset;
} leaves[] = {
	{ "fq_codel",	offsetof(struct tc_features, fq_codel) },
	{ "fq",		offsetof(struct tc_features, fq) },
	{ "sfq",	offsetof(struct tc_features, sfq) },
	{ "pfifo",	offsetof(struct tc_features, pfifo) },
	{ "bfifo",	offsetof(struct tc_features, bfifo) },
};

static const struct redirect {
	const char	*kind;
	size_t		offset;
} redirects[] = {
	{ "matchall",	offsetof(struct tc_features, matchall) },
	{ "u32",	offsetof(struct tc_features, u32) },
	{ "flower",	offsetof(struct tc_features, flower) },
	{ "bpf",	offsetof(struct tc_features, bpf) },
};

#define FLAG(f, off)	(*(bool *)((char *)(f) + (off)))

/* A socket in a fresh namespace; the thread itself goes back home. */
static int probe_open(struct nlsock *s)
{
	int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int err = 0;

	if (home < 0 || unshare(CLONE_NEWNET) < 0) {
		err = -errno;
		tc_set_error(errno, "cannot make a namespace to probe in");
	} else {
		err = tc_open(s);
		if (setns(home, CLONE_NEWNET) < 0) {
			tc_set_error(errno, "cannot return from the probe");
			err = -errno;
		}
	}
	if (home >= 0)
		close(home);
	return err;
}

static void probe_leaves(struct nlsock *s, struct tc_features *f)
{
	for (size_t i = 0; i < ARRAY_SIZE(leaves); i++) {
		if (tc_qdisc_add(s, PROBE_LO, TC_H_ROOT, 0, leaves[i].kind))
			continue;
		FLAG(f, leaves[i].offset) = true;
		tc_qdisc_del(s, PROBE_LO, TC_H_ROOT, 0);
		if (!f->leaf_kind[0])
			snprintf(f->leaf_kind, sizeof(f->leaf_kind), "%s",
				 leaves[i].kind);
	}
}

/* Each classifier gets a fresh ingress qdisc, so no filter lingers. */
static void probe_redirects(struct nlsock *s, struct tc_features *f)
{
	for (size_t i = 0; i < ARRAY_SIZE(redirects); i++) {
		if (tc_ingress_add(s, PROBE_LO))
			return;
		if (!tc_redirect_add(s, PROBE_LO, redirects[i].kind,
				     PROBE_IFB)) {
			FLAG(f, redirects[i].offset) = true;
			f->mirred = true;
			if (!f->redirect_classifier[0])
				snprintf(f->redirect_classifier,
					 sizeof(f->redirect_classifier), "%s",
					 redirects[i].kind);
		}
		tc_ingress_del(s, PROBE_LO);
	}
}

static void probe_all(struct nlsock *s, struct tc_features *f)
{
	const struct tc_class c = {
		.handle = TC_CLASS(1), .parent = TC_HTB_MAJOR,
		.rate = 1000000,
	};

	probe_leaves(s, f);
	f->htb = !tc_htb_apply_sock(s, PROBE_LO, &c, 1, 1);
	tc_htb_remove_sock(s, PROBE_LO);
	f->ingress = !tc_ingress_add(s, PROBE_LO);
	tc_ingress_del(s, PROBE_LO);
	f->ifb = !tc_ifb_add(s, "ifb-probe", PROBE_IFB);
	if (f->ingress && f->ifb)
		probe_redirects(s, f);
}

int tc_probe(struct tc_features *f)
{
	struct nlsock s;
	int err;

	if (!cached) {
		err = probe_open(&s);
		if (err)
			return err;
		probe_all(&s, &cache);
		nlsock_close(&s);
		cached = true;
	}
	*f = cache;
	return 0;
}

int tc_probe_leaf_kind(char *kind, size_t size)
{
	struct tc_features f;
	int err;

	/* During the probe itself, the leaves are already known. */
	if (!cache.leaf_kind[0]) {
		err = tc_probe(&f);
		if (err)
			return err;
	}
	if (!cache.leaf_kind[0]) {
		tc_set_error(0, "this kernel has no leaf qdisc for HTB");
		return -EOPNOTSUPP;
	}
	snprintf(kind, size, "%s", cache.leaf_kind);
	return 0;
}
