// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An HTB tree read back: each class's configuration as the kernel keeps
 * it (rates in bytes/s turned back into bit/s, bursts from time back into
 * bytes) and its counters, from one class dump and one qdisc dump.
 */
#include <errno.h>
#include <linux/gen_stats.h>
#include <linux/pkt_sched.h>
#include <stdlib.h>
#include <string.h>

#include "tc_internal.h"

struct readback {
	struct tc_class_stats	*v;
	size_t			n, cap;
	int			err;
};

struct htb_parms {
	const struct tc_htb_opt	*opt;
	uint64_t		rate64, ceil64;
};

static int htb_parms_cb(const struct nlattr *a, void *data)
{
	struct htb_parms *p = data;

	switch (mnl_attr_get_type(a)) {
	case TCA_HTB_PARMS:
		if (mnl_attr_get_payload_len(a) >= sizeof(*p->opt))
			p->opt = mnl_attr_get_payload(a);
		break;
	case TCA_HTB_RATE64:
		if (!mnl_attr_validate(a, MNL_TYPE_U64))
			p->rate64 = mnl_attr_get_u64(a);
		break;
	case TCA_HTB_CEIL64:
		if (!mnl_attr_validate(a, MNL_TYPE_U64))
			p->ceil64 = mnl_attr_get_u64(a);
		break;
	}
	return MNL_CB_OK;
}

static int class_config(struct tc_class *c, const struct nlattr *options)
{
	struct htb_parms p = { 0 };
	uint64_t rate, ceil;

	if (!options || mnl_attr_parse_nested(options, htb_parms_cb, &p) < 0 ||
	    !p.opt)
		return -EPROTO;
	rate = p.rate64 ? p.rate64 : p.opt->rate.rate;
	ceil = p.ceil64 ? p.ceil64 : p.opt->ceil.rate;
	c->rate = rate * 8;
	c->ceil = ceil * 8;
	c->burst = tc_htb_bytes(p.opt->buffer, rate);
	c->cburst = tc_htb_bytes(p.opt->cbuffer, ceil);
	c->prio = p.opt->prio;
	return 0;
}

static void stats_basic(struct tc_class_stats *st, const void *v)
{
	const struct gnet_stats_basic *b = v;

	st->bytes = b->bytes;
	st->packets = b->packets;
}

static void stats_queue(struct tc_class_stats *st, const void *v)
{
	const struct gnet_stats_queue *q = v;

	st->drops = q->drops;
	st->overlimits = q->overlimits;
	st->backlog = q->backlog;
	st->qlen = q->qlen;
}

/* The 32-bit estimate saturates at 34 Gbit/s; the 64-bit one wins. */
static void stats_rate(struct tc_class_stats *st, const void *v)
{
	const struct gnet_stats_rate_est *r = v;

	if (!st->rate_est) {
		st->rate_est = r->bps * 8ull;
		st->pps_est = r->pps;
	}
}

static void stats_rate64(struct tc_class_stats *st, const void *v)
{
	const struct gnet_stats_rate_est64 *r = v;

	st->rate_est = r->bps * 8;
	st->pps_est = r->pps;
}

static void stats_htb(struct tc_class_stats *st, const void *v)
{
	const struct tc_htb_xstats *x = v;

	st->borrows = x->borrows;
	st->lends = x->lends;
}

static const struct stats_attr {
	size_t	size;
	void	(*read)(struct tc_class_stats *st, const void *v);
} stats_attrs[] = {
	[TCA_STATS_BASIC]	= { sizeof(struct gnet_stats_basic),
				    stats_basic },
	[TCA_STATS_QUEUE]	= { sizeof(struct gnet_stats_queue),
				    stats_queue },
	[TCA_STATS_RATE_EST]	= { sizeof(struct gnet_stats_rate_est),
				    stats_rate },
	[TCA_STATS_RATE_EST64]	= { sizeof(struct gnet_stats_rate_est64),
				    stats_rate64 },
	[TCA_STATS_APP]		= { sizeof(struct tc_htb_xstats),
				    stats_htb },
};

static int stats_cb(const struct nlattr *a, void *data)
{
	unsigned type = mnl_attr_get_type(a);
	const struct stats_attr *sa;

	if (type >= ARRAY_SIZE(stats_attrs))
		return MNL_CB_OK;
	sa = &stats_attrs[type];
	if (sa->read && mnl_attr_get_payload_len(a) >= sa->size)
		sa->read(data, mnl_attr_get_payload(a));
	return MNL_CB_OK;
}

static struct tc_class_stats *readback_push(struct readback *r)
{
	struct tc_class_stats *v;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 16;
		v = realloc(r->v, r->cap * sizeof(*v));
		if (!v)
			return NULL;
		r->v = v;
	}
	v = &r->v[r->n++];
	memset(v, 0, sizeof(*v));
	return v;
}

static void readback_class(const struct tc_object *o, void *data)
{
	struct readback *r = data;
	struct tc_class_stats *st;

	if (strcmp(o->kind, "htb") || o->handle >> 16 != TC_MAJOR || r->err)
		return;
	st = readback_push(r);
	if (!st) {
		r->err = -ENOMEM;
		return;
	}
	st->cls.handle = o->handle;
	st->cls.parent = o->parent == TC_H_ROOT ? TC_HTB_MAJOR : o->parent;
	if (class_config(&st->cls, o->options) < 0)
		r->err = -EPROTO;
	if (o->stats)
		mnl_attr_parse_nested(o->stats, stats_cb, st);
}

/* A leaf qdisc names its class as parent. */
static void readback_leaf(const struct tc_object *o, void *data)
{
	struct readback *r = data;

	for (size_t i = 0; i < r->n; i++) {
		if (r->v[i].cls.handle != o->parent)
			continue;
		r->v[i].cls.leaf = true;
		memcpy(r->v[i].leaf_kind, o->kind, sizeof(o->kind));
	}
}

static int handle_cmp(const void *a, const void *b)
{
	const struct tc_class_stats *x = a, *y = b;

	return x->cls.handle < y->cls.handle ? -1 :
	       x->cls.handle > y->cls.handle;
}

static int readback_cb(struct nlsock *s, int ifindex, void *arg)
{
	struct readback *r = arg;
	int err = tc_dump(s, RTM_GETTCLASS, ifindex, readback_class, r);

	if (!err)
		err = r->err;
	if (!err)
		err = tc_dump(s, RTM_GETQDISC, ifindex, readback_leaf, r);
	return err;
}

int tc_htb_read(const char *ifname, struct tc_class_stats **out, size_t *n)
{
	struct readback r = { 0 };
	int err = tc_call(ifname, readback_cb, &r);

	if (err == -EPROTO)
		tc_set_error(0, "%s: malformed HTB class in the dump", ifname);
	if (err) {
		free(r.v);
		return err;
	}
	if (r.n)
		qsort(r.v, r.n, sizeof(*r.v), handle_cmp);
	*out = r.v;
	*n = r.n;
	return 0;
}

static void root_kind(const struct tc_object *o, void *data)
{
	char *kind = data;

	if (o->parent == TC_H_ROOT)
		memcpy(kind, o->kind, sizeof(o->kind));
}

static int root_kind_cb(struct nlsock *s, int ifindex, void *arg)
{
	return tc_dump(s, RTM_GETQDISC, ifindex, root_kind, arg);
}

int tc_root_kind(const char *ifname, char *kind, size_t size)
{
	char k[16] = "";
	int err = tc_call(ifname, root_kind_cb, k);

	if (!err)
		snprintf(kind, size, "%s", k);
	return err;
}
