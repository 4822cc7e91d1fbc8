// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An HTB tree brought to a wanted state: root qdisc fc:, classes created
 * parents first, stale classes deleted children first, a leaf qdisc under
 * every class without children.
 *
 * Two kernel facts shape the order. HTB has no "change" for its root
 * qdisc, so a new default class means a new tree. And HTB files a class
 * whose parent it cannot find at the top of the tree without a word, so
 * every parent is checked here, before the kernel sees anything.
 */
#include <errno.h>
#include <linux/pkt_sched.h>
#include <stdlib.h>
#include <string.h>

#include "tc_internal.h"

#define HTB_MAX_CLASSES	4096
/* What tc assumes for a burst it is not told: one tick of rate, one MTU. */
#define HTB_HZ		1000
#define HTB_MTU		1600
/* A psched tick is 64 ns since Linux 2.6.31 (PSCHED_SHIFT). */
#define PSCHED_SHIFT	6
#define NSEC_PER_SEC	1000000000ull

struct want {
	struct tc_class	c;
	unsigned	depth;
	bool		has_children;
};

static uint32_t htb_ticks(uint64_t bytes, uint64_t rate_bytes)
{
	unsigned __int128 ns = (unsigned __int128)bytes * NSEC_PER_SEC;

	ns = (ns + rate_bytes / 2) / rate_bytes;
	return (uint32_t)((ns + (1u << (PSCHED_SHIFT - 1))) >> PSCHED_SHIFT);
}

uint32_t tc_htb_bytes(uint32_t ticks, uint64_t rate_bytes)
{
	unsigned __int128 b = ((unsigned __int128)ticks << PSCHED_SHIFT) *
			      rate_bytes;

	return (uint32_t)((b + NSEC_PER_SEC / 2) / NSEC_PER_SEC);
}

static struct want *want_find(struct want *w, size_t n, uint32_t handle)
{
	for (size_t i = 0; i < n; i++)
		if (w[i].c.handle == handle)
			return &w[i];
	return NULL;
}

/* A default for what the caller left at zero, and the checks HTB skips. */
static int want_fill(struct want *w)
{
	struct tc_class *c = &w->c;
	unsigned maj = c->handle >> 16, min = c->handle & 0xffff;

	if (maj != TC_MAJOR || !min || c->parent >> 16 != TC_MAJOR) {
		tc_set_error(0, "class %x:%x: handles must be fc:N "
			     "(parent %x:%x)", maj, min, c->parent >> 16,
			     c->parent & 0xffff);
		return -EINVAL;
	}
	if (c->rate / 8 == 0) {
		tc_set_error(0, "class fc:%x: rate must be at least 8 bit/s",
			     min);
		return -EINVAL;
	}
	if (!c->ceil)
		c->ceil = c->rate;
	if (c->prio >= TC_HTB_NUMPRIO) {
		tc_set_error(0, "class fc:%x: prio must be 0..7", min);
		return -EINVAL;
	}
	if (c->ceil < c->rate) {
		tc_set_error(0, "class fc:%x: ceil is below rate", min);
		return -EINVAL;
	}
	if (!c->burst)
		c->burst = c->rate / 8 / HTB_HZ + HTB_MTU;
	if (!c->cburst)
		c->cburst = c->ceil / 8 / HTB_HZ + HTB_MTU;
	if ((uint64_t)c->burst * NSEC_PER_SEC / (c->rate / 8) >> PSCHED_SHIFT >
	    UINT32_MAX) {
		tc_set_error(0, "class fc:%x: burst is too long for its rate",
			     min);
		return -EINVAL;
	}
	return 0;
}

/* Depths by walking up; a walk longer than n has met a cycle. */
static int want_link(struct want *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct want *p = &w[i];
		unsigned depth = 0;

		while (p->c.parent != TC_HTB_MAJOR) {
			struct want *up = want_find(w, n, p->c.parent);

			if (!up || ++depth > n) {
				tc_set_error(0, "class fc:%x: parent fc:%x is %s",
					     p->c.handle & 0xffff,
					     p->c.parent & 0xffff, up ?
					     "part of a cycle" :
					     "no class of this tree");
				return -EINVAL;
			}
			up->has_children = true;
			p = up;
		}
		w[i].depth = depth;
	}
	return 0;
}

static int want_depth_cmp(const void *a, const void *b)
{
	const struct want *x = a, *y = b;

	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return x->c.handle < y->c.handle ? -1 : x->c.handle > y->c.handle;
}

static int want_build(struct want *w, const struct tc_class *c, size_t n,
		      uint16_t defcls)
{
	const struct want *d;
	int err;

	if (!n || n > HTB_MAX_CLASSES) {
		tc_set_error(0, "an HTB tree needs 1..%d classes, not %zu",
			     HTB_MAX_CLASSES, n);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		w[i] = (struct want){ .c = c[i] };
		if (want_find(w, i, c[i].handle)) {
			tc_set_error(0, "class fc:%x is given twice",
				     c[i].handle & 0xffff);
			return -EINVAL;
		}
		err = want_fill(&w[i]);
		if (err)
			return err;
	}
	err = want_link(w, n);
	if (err)
		return err;
	d = want_find(w, n, TC_CLASS(defcls));
	if (defcls && (!d || d->has_children)) {
		tc_set_error(0, "default class fc:%x is %s", defcls,
			     d ? "not a leaf" : "no class of this tree");
		return -EINVAL;
	}
	qsort(w, n, sizeof(*w), want_depth_cmp);
	return 0;
}

static uint32_t clamp32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* The quantum HTB would pick with r2q 10, kept where it does not warn. */
static uint32_t htb_quantum(uint64_t rate_bytes)
{
	uint64_t q = rate_bytes / 10;

	return q < HTB_MTU ? HTB_MTU : q > 200000 ? 200000 : (uint32_t)q;
}

static void htb_put_class(struct nlmsghdr *nlh, const struct tc_class *c)
{
	uint64_t rate = c->rate / 8, ceil = c->ceil / 8;
	struct tc_htb_opt o = {
		.rate = { .rate = clamp32(rate),
			  .linklayer = TC_LINKLAYER_ETHERNET },
		.ceil = { .rate = clamp32(ceil),
			  .linklayer = TC_LINKLAYER_ETHERNET },
		.buffer = htb_ticks(c->burst, rate),
		.cbuffer = htb_ticks(c->cburst, ceil),
		.quantum = htb_quantum(rate),
		.prio = c->prio,
	};
	/* A 250 ms estimator with a ~1 s time constant: "current rate". */
	struct tc_estimator est = { .interval = -2, .ewma_log = 2 };
	struct nlattr *nest;

	mnl_attr_put_strz(nlh, TCA_KIND, "htb");
	mnl_attr_put(nlh, TCA_RATE, sizeof(est), &est);
	nest = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put(nlh, TCA_HTB_PARMS, sizeof(o), &o);
	if (rate > UINT32_MAX)
		mnl_attr_put_u64(nlh, TCA_HTB_RATE64, rate);
	if (ceil > UINT32_MAX)
		mnl_attr_put_u64(nlh, TCA_HTB_CEIL64, ceil);
	mnl_attr_nest_end(nlh, nest);
}

static int htb_class_set(struct nlsock *s, int ifindex,
			 const struct tc_class *c)
{
	char buf[TC_BUF_SIZE];
	struct nlmsghdr *nlh;
	int err;

	nlh = tc_msg(buf, s, RTM_NEWTCLASS, NLM_F_CREATE, ifindex, c->parent,
		     c->handle);
	htb_put_class(nlh, c);
	err = tc_talk(s, nlh);
	if (err)
		tc_set_error(0, "class fc:%x: %s", c->handle & 0xffff,
			     strdupa(tc_error()));
	return err;
}

static int htb_class_del(struct nlsock *s, int ifindex, uint32_t handle)
{
	char buf[TC_BUF_SIZE];

	return tc_talk(s, tc_msg(buf, s, RTM_DELTCLASS, 0, ifindex, 0,
				 handle));
}

static int htb_root_create(struct nlsock *s, int ifindex, uint16_t defcls)
{
	struct tc_htb_glob g = {
		.version = TC_HTB_PROTOVER,
		.rate2quantum = 10,
		.defcls = defcls,
	};
	char buf[TC_BUF_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = tc_msg(buf, s, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE,
		     ifindex, TC_H_ROOT, TC_HTB_MAJOR);
	mnl_attr_put_strz(nlh, TCA_KIND, "htb");
	nest = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put(nlh, TCA_HTB_INIT, sizeof(g), &g);
	mnl_attr_nest_end(nlh, nest);
	return tc_talk(s, nlh);
}

/* The existing tree: its root's default class and its classes. */
struct have {
	bool		ours;		/* root is htb fc: */
	uint32_t	defcls;
	uint32_t	handle[HTB_MAX_CLASSES], parent[HTB_MAX_CLASSES];
	bool		stale[HTB_MAX_CLASSES];
	size_t		n;
};

static int htb_glob_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == TCA_HTB_INIT &&
	    mnl_attr_get_payload_len(a) >= sizeof(struct tc_htb_glob))
		*(uint32_t *)data = ((const struct tc_htb_glob *)
				     mnl_attr_get_payload(a))->defcls;
	return MNL_CB_OK;
}

static void have_qdisc(const struct tc_object *o, void *data)
{
	struct have *h = data;

	if (o->parent != TC_H_ROOT)
		return;
	h->ours = !strcmp(o->kind, "htb") && o->handle == TC_HTB_MAJOR;
	if (h->ours && o->options)
		mnl_attr_parse_nested(o->options, htb_glob_cb, &h->defcls);
}

static void have_class(const struct tc_object *o, void *data)
{
	struct have *h = data;

	if (strcmp(o->kind, "htb") || o->handle >> 16 != TC_MAJOR ||
	    h->n == HTB_MAX_CLASSES)
		return;
	h->handle[h->n] = o->handle;
	h->parent[h->n] = o->parent == TC_H_ROOT ? TC_HTB_MAJOR : o->parent;
	h->n++;
}

/*
 * A class goes when it is not wanted, when it moves (HTB cannot move a
 * class), or when its parent goes. Marked until nothing changes.
 */
static void have_mark(struct have *h, struct want *w, size_t n)
{
	bool changed = true;

	for (size_t i = 0; i < h->n; i++) {
		const struct want *x = want_find(w, n, h->handle[i]);

		h->stale[i] = !x || x->c.parent != h->parent[i];
	}
	while (changed) {
		changed = false;
		for (size_t i = 0; i < h->n; i++)
			for (size_t j = 0; j < h->n && !h->stale[i]; j++)
				if (h->stale[j] && h->handle[j] == h->parent[i])
					changed = h->stale[i] = true;
	}
}

/* Deletes stale classes, leaves first: a class with children is busy. */
static int have_prune(struct nlsock *s, int ifindex, struct have *h)
{
	bool progress = true;
	int err;

	while (progress) {
		progress = false;
		for (size_t i = 0; i < h->n; i++) {
			bool busy = false;

			if (!h->stale[i])
				continue;
			for (size_t j = 0; j < h->n; j++)
				busy |= h->stale[j] &&
					h->parent[j] == h->handle[i];
			if (busy)
				continue;
			err = htb_class_del(s, ifindex, h->handle[i]);
			if (err)
				return err;
			h->stale[i] = false;
			progress = true;
		}
	}
	return 0;
}

static int htb_read_have(struct nlsock *s, int ifindex, struct have *h)
{
	int err = tc_dump(s, RTM_GETQDISC, ifindex, have_qdisc, h);

	if (!err && h->ours)
		err = tc_dump(s, RTM_GETTCLASS, ifindex, have_class, h);
	return err;
}

static int htb_sync(struct nlsock *s, int ifindex, struct want *w,
		    size_t n, uint16_t defcls)
{
	struct have *h = calloc(1, sizeof(*h));
	char kind[16];
	int err;

	if (!h)
		return -ENOMEM;
	err = htb_read_have(s, ifindex, h);
	/* No change for HTB's root: a new default class is a new tree. */
	if (!err && h->ours && h->defcls != defcls) {
		err = tc_qdisc_del(s, ifindex, TC_H_ROOT, TC_HTB_MAJOR);
		h->ours = false;
	}
	if (!err && !h->ours) {
		h->n = 0;
		err = htb_root_create(s, ifindex, defcls);
	}
	have_mark(h, w, n);
	if (!err)
		err = have_prune(s, ifindex, h);
	free(h);
	for (size_t i = 0; i < n && !err; i++)
		err = htb_class_set(s, ifindex, &w[i].c);
	if (!err)
		err = tc_probe_leaf_kind(kind, sizeof(kind));
	for (size_t i = 0; i < n && !err; i++)
		if (!w[i].has_children)
			err = tc_qdisc_add(s, ifindex, w[i].c.handle, 0, kind);
	return err;
}

int tc_htb_apply_sock(struct nlsock *s, int ifindex,
		      const struct tc_class *c, size_t n, uint16_t defcls)
{
	struct want *w = calloc(n ? n : 1, sizeof(*w));
	int err;

	if (!w)
		return -ENOMEM;
	err = want_build(w, c, n, defcls);
	if (!err)
		err = htb_sync(s, ifindex, w, n, defcls);
	free(w);
	return err;
}

struct htb_request {
	const struct tc_class	*classes;
	size_t			n;
	uint16_t		default_minor;
};

static int htb_apply_cb(struct nlsock *s, int ifindex, void *arg)
{
	const struct htb_request *q = arg;

	return tc_htb_apply_sock(s, ifindex, q->classes, q->n,
				 q->default_minor);
}

int tc_htb_apply(const char *ifname, const struct tc_class *classes,
		 size_t n, uint16_t default_minor)
{
	struct htb_request q = { classes, n, default_minor };

	return tc_call(ifname, htb_apply_cb, &q);
}

int tc_htb_remove_sock(struct nlsock *s, int ifindex)
{
	struct have *h = calloc(1, sizeof(*h));
	int err;

	if (!h)
		return -ENOMEM;
	err = tc_dump(s, RTM_GETQDISC, ifindex, have_qdisc, h);
	if (!err && h->ours)
		err = tc_qdisc_del(s, ifindex, TC_H_ROOT, TC_HTB_MAJOR);
	free(h);
	return err;
}

static int htb_remove_cb(struct nlsock *s, int ifindex, void *arg)
{
	(void)arg;
	return tc_htb_remove_sock(s, ifindex);
}

int tc_htb_remove(const char *ifname)
{
	return tc_call(ifname, htb_remove_cb, NULL);
}
