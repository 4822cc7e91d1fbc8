// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Shaping brought to the kernel, after the nf_tables batch went through:
 * each interface of the file gets its HTB tree (or its IFB for ingress),
 * and every tree and IFB fwctl made earlier that the file no longer has
 * goes. fwctl knows its own by name: an HTB root with handle fc:, an IFB
 * called fwi<ifindex of the shaped interface>.
 *
 * A shaped interface that does not exist is an error at the shape, but
 * the rest is applied: the filter rules are already live, and holding
 * every other interface's shaping back would not make this one appear.
 * The next apply shapes it once it exists.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fwctl.h"
#include "ir.h"
#include "shape.h"
#include "tc.h"
#include "xalloc.h"

#define ROOT_MINOR	1

static struct tc_class *push(struct tc_class *v, size_t *n)
{
	v = xgrow(v, *n, sizeof(*v));
	memset(&v[*n], 0, sizeof(*v));
	(*n)++;
	return v;
}

/* fc:1 holds the link; classes below it; a fair class's buckets below. */
static struct tc_class *tree(const struct ir_shape *s, size_t *n)
{
	struct tc_class *v = push(NULL, n);
	size_t i, b;

	v[0] = (struct tc_class){ .handle = TC_CLASS(ROOT_MINOR),
				  .parent = TC_HTB_MAJOR, .rate = s->rate,
				  .ceil = s->rate, .burst = s->burst };
	for (i = 0; i < s->n_classes; i++) {
		const struct ir_shape_class *c = &s->classes[i];

		v = push(v, n);
		v[*n - 1] = (struct tc_class){
			.handle = TC_CLASS(c->minor),
			.parent = TC_CLASS(ROOT_MINOR), .rate = c->rate,
			.ceil = c->ceil, .burst = c->burst, .prio = c->prio };
		for (b = 0; c->fair && b < SHAPE_FAIR_BUCKETS; b++) {
			v = push(v, n);
			v[*n - 1] = (struct tc_class){
				.handle = TC_CLASS(shape_bucket_minor(c->minor,
								      b)),
				.parent = TC_CLASS(c->minor),
				.rate = c->rate / SHAPE_FAIR_BUCKETS < 8 ? 8 :
					c->rate / SHAPE_FAIR_BUCKETS,
				.ceil = c->ceil, .prio = c->prio };
		}
	}
	return v;
}

static int apply_egress(const struct ir_shape *s)
{
	size_t n = 0;
	struct tc_class *v = tree(s, &n);
	int err = tc_htb_apply(s->ifname, v, n, s->default_minor);

	free(v);
	return err;
}

static int apply_ingress(const struct ir_shape *s)
{
	char ifb[IFNAMSIZ];

	shape_ifb_name(if_nametoindex(s->ifname), ifb, sizeof(ifb));
	return tc_ingress_apply(s->ifname, ifb, s->rate);
}

static int apply_one(const struct ir_shape *s)
{
	int err;

	if (!if_nametoindex(s->ifname)) {
		diag_error(s->loc, (unsigned)strlen(s->ifname), "interface "
			   "'%s' does not exist: its %s shaping is not applied "
			   "(the rest is); apply again once it exists",
			   s->ifname, s->ingress ? "ingress" : "egress");
		return -ENODEV;
	}
	err = s->ingress ? apply_ingress(s) : apply_egress(s);
	if (err)
		diag_error(s->loc, (unsigned)strlen(s->ifname), "cannot shape "
			   "%s of %s: %s", s->ingress ? "ingress" : "egress",
			   s->ifname, tc_error());
	return err;
}

static bool shaped(const struct ir_table *t, const char *ifname,
		   bool ingress)
{
	size_t i;

	for (i = 0; t && i < t->n_shapes; i++)
		if (t->shapes[i].ingress == ingress &&
		    !strcmp(t->shapes[i].ifname, ifname))
			return true;
	return false;
}

/* An IFB of ours: the index of the interface whose ingress it takes. */
static unsigned ifb_source(const char *name)
{
	char want[IFNAMSIZ];
	unsigned long idx;
	char *end;

	if (strncmp(name, "fwi", 3))
		return 0;
	idx = strtoul(name + 3, &end, 10);
	if (*end || !idx || idx > 0xffffffffu)
		return 0;
	shape_ifb_name((unsigned)idx, want, sizeof(want));
	return strcmp(want, name) ? 0 : (unsigned)idx;
}

static int sweep_one(const struct ir_table *t, const char *name)
{
	unsigned src = ifb_source(name);
	char src_name[IF_NAMESIZE] = "";

	if (!src)
		return shaped(t, name, false) ? 0 : tc_htb_remove(name);
	if (if_indextoname(src, src_name) && shaped(t, src_name, true))
		return 0;
	return tc_ingress_remove(src_name, name);
}

/* Removes what fwctl shaped and t (NULL: nothing) no longer has. */
static int sweep(const struct ir_table *t)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int err = 0, e;

	if (!ifs)
		return -errno;
	for (i = ifs; i->if_index; i++) {
		e = sweep_one(t, i->if_name);
		if (e && e != -ENODEV) {
			fprintf(stderr, "fwctl: cannot remove the shaping of "
				"%s: %s\n", i->if_name, tc_error());
			err = e;
		}
	}
	if_freenameindex(ifs);
	return err;
}

int shape_apply(const struct ir_table *t)
{
	int err = sweep(t);
	size_t i;

	for (i = 0; i < t->n_shapes; i++)
		if (apply_one(&t->shapes[i]))
			err = -1;
	return err ? FW_EXIT_SYSTEM : FW_EXIT_OK;
}

int shape_flush(void)
{
	if (sweep(NULL) == 0)
		return FW_EXIT_OK;
	return FW_EXIT_SYSTEM;
}
