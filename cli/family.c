// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The address families of a rule. Values that exist in one family only (an
 * IPv4 address, proto icmp, an icmpv6 type, reject with icmp) pin the rule
 * to it, and the first of them, in the order written, is the reason quoted
 * when a later one disagrees. Lists, sets and zones holding both families
 * pin nothing: lowering splits such a rule into an IPv4 and an IPv6 rule.
 */
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "diag.h"

/*
 * What the error says about an item is fmt with a and b: formatted only
 * when there is an error (formatting it for every rule was a sixth of the
 * time of compiling 10,000 rules).
 */
struct fam_item {
	struct fw_loc		loc;	/* what to point at; also the order */
	unsigned		width;
	const struct ast_value	*via;
	uint8_t			fams;
	const char		*fmt, *a, *b;
	const char		*members;	/* sets, zones: "addresses" */
};

/* Two zones, two addresses, proto, two ICMP types, reject: 8 at most. */
#define FAM_ITEMS_MAX	8

struct fam_items {
	size_t			n;
	struct fam_item		item[FAM_ITEMS_MAX];
};

static const char *const fam_names[] = {
	[FAM_V4] = "IPv4", [FAM_V6] = "IPv6", [FAM_ANY] = "IPv4 and IPv6",
};

static struct fam_item *item_add(struct fam_items *items, uint8_t fams,
				 struct fw_loc loc, unsigned width,
				 const char *fmt, const char *a, const char *b)
{
	struct fam_item *it;

	if (items->n == FAM_ITEMS_MAX)
		abort();
	it = &items->item[items->n++];
	memset(it, 0, sizeof(*it));
	it->fams = fams;
	it->loc = loc;
	it->width = width;
	it->fmt = fmt;
	it->a = a;
	it->b = b;
	return it;
}

/* fmt: what the element is, then "%.64s" for its text. */
static void item_elem(struct fam_items *items, const struct m_elem *e,
		      uint8_t fams, const char *fmt, const char *what)
{
	item_add(items, fams, e->src->loc, e->src->width, fmt, what,
		 e->src->text)->via = e->via;
}

static void items_operand(struct fam_items *items, const struct m_operand *o)
{
	struct fam_item *it;

	if (!o->present)
		return;
	if (o->set) {
		it = item_add(items, o->set->fams, o->loc, o->width,
			      "set @%s%s", o->set->name, "");
		it->members = "addresses";
	} else if (o->lit.n && o->lit.fams != FAM_ANY) {
		item_elem(items, &o->lit.e[0], o->lit.fams,
			  "%s address %.64s", fam_names[o->lit.fams]);
	}
}

static void items_zone(struct fam_items *items, const struct m_zone *z,
		       const struct ast_operand *ao)
{
	struct fam_item *it;

	if (!z || !z->nets.n)
		return;
	it = item_add(items, z->nets.fams, ao->list.loc, ao->list.width,
		      "zone '%s'%s", z->name, "");
	it->members = "networks";
}

/* An explicit protocol list pins the family when all of it is ICMP(v6). */
static void items_proto(struct fam_items *items, const struct m_operand *o)
{
	uint8_t fams = 0;
	size_t i;

	if (!o->present || o->neg || !o->lit.n || !o->lit.e[0].src)
		return;
	for (i = 0; i < o->lit.n; i++)
		fams |= o->lit.e[i].v.lo[0] == IPPROTO_ICMP ? FAM_V4 :
			o->lit.e[i].v.lo[0] == IPPROTO_ICMPV6 ? FAM_V6 :
			FAM_ANY;
	item_elem(items, &o->lit.e[0], fams, "%s %.64s", "proto");
}

static void items_fixed(struct fam_items *items, bool present, uint8_t fams,
			struct fw_loc loc, unsigned width, const char *desc)
{
	if (present)
		item_add(items, fams, loc, width, "%s%s", desc, "");
}

static void items_collect(struct fam_items *items, const struct ast_rule *ar,
			  const struct m_rule *r)
{
	items_zone(items, r->from, &ar->op[R_FROM]);
	items_zone(items, r->to, &ar->op[R_TO]);
	items_operand(items, &r->op[OP_SADDR]);
	items_operand(items, &r->op[OP_DADDR]);
	items_proto(items, &r->op[OP_PROTO]);
	items_fixed(items, ar->has[R_ICMP], FAM_V4, ar->part_loc[R_ICMP],
		    ar->part_width[R_ICMP], "icmp type");
	items_fixed(items, ar->has[R_ICMPV6], FAM_V6, ar->part_loc[R_ICMPV6],
		    ar->part_width[R_ICMPV6], "icmpv6 type");
	items_fixed(items, r->reject == IR_REJECT_ICMP, FAM_V4, ar->reject_loc,
		    4, "reject with icmp");
	items_fixed(items, r->reject == IR_REJECT_ICMPV6, FAM_V6,
		    ar->reject_loc, 6, "reject with icmpv6");
	items_fixed(items, r->nat.has_addr, r->nat.nfproto == NFPROTO_IPV6 ?
		    FAM_V6 : FAM_V4, ar->nat.loc, ar->nat.width,
		    r->nat.nfproto == NFPROTO_IPV6 ? "IPv6 NAT target" :
		    "IPv4 NAT target");
}

static void items_sort(struct fam_items *items)
{
	struct fam_item tmp;
	size_t i, j;

	for (i = 1; i < items->n; i++) {
		tmp = items->item[i];
		for (j = i; j > 0 && loc_before(tmp.loc,
						items->item[j - 1].loc); j--)
			items->item[j] = items->item[j - 1];
		items->item[j] = tmp;
	}
}

static void conflict(const struct fam_item *it, const struct fam_item *why)
{
	const char *fam = fam_names[why->fams];
	char at[300], it_desc[128], why_desc[128];

	snprintf(it_desc, sizeof(it_desc), it->fmt, it->a, it->b);
	snprintf(why_desc, sizeof(why_desc), why->fmt, why->a, why->b);
	if (why->loc.file == it->loc.file)
		snprintf(at, sizeof(at), "%u:%u", why->loc.line, why->loc.col);
	else
		snprintf(at, sizeof(at), "%s:%u:%u", why->loc.file,
			 why->loc.line, why->loc.col);
	if (it->members)
		diag_error(it->loc, it->width, "%s has no %s %s: this rule "
			   "matches %s only (%s at %s), so it could never "
			   "match", it_desc, fam, it->members, fam, why_desc,
			   at);
	else
		diag_error(it->loc, it->width, "%s in an %s context (this rule "
			   "already matches %s only: %s at %s)", it_desc, fam,
			   fam, why_desc, at);
	if (it->via)
		diag_note(it->via->loc, it->via->width, "in $%s, used here",
			  it->via->text);
}

uint8_t rule_families(const struct ast_rule *ar, const struct m_rule *r)
{
	struct fam_items items = { 0 };
	const struct fam_item *why = NULL;
	uint8_t fams = FAM_ANY;
	size_t i;

	items_collect(&items, ar, r);
	items_sort(&items);
	for (i = 0; i < items.n; i++) {
		const struct fam_item *it = &items.item[i];

		if (it->fams == FAM_ANY || !it->fams)
			continue;
		if (!why) {
			why = it;
			fams = it->fams;
		} else if (!(it->fams & fams)) {
			conflict(it, why);
			return 0;
		}
	}
	return fams;
}
