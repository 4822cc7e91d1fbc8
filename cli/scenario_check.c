// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What makes a parsed scenario runnable: interfaces and addresses unique,
 * every gateway on a link of its node, every expectation with an address
 * to aim at, a route to get there and a node to run its server. All of it
 * is decided here, before any namespace exists, so a mistake costs
 * nothing but a message.
 */
#include <arpa/inet.h>
#include <string.h>

#include "diag.h"
#include "scenario.h"

const char *scn_outcome_name(enum scn_outcome o)
{
	static const char *const names[] = {
		[SCN_ACCEPT] = "accept", [SCN_REJECT] = "reject",
		[SCN_DROP] = "drop", [SCN_NO_DATA] = "no-data",
		[SCN_PARTIAL] = "connected-no-echo", [SCN_ERROR] = "error",
		[SCN_SKIP] = "skip",
	};

	return names[o];
}

const char *scn_addr_str(const struct scn_addr *a, char *buf, size_t size)
{
	if (!inet_ntop(a->family, a->a, buf, size))
		snprintf(buf, size, "?");
	return buf;
}

unsigned scn_addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

bool scn_addr_eq(const struct scn_addr *a, const struct scn_addr *b)
{
	return a->family == b->family &&
	       !memcmp(a->a, b->a, scn_addr_len(a->family));
}

bool scn_addr_in(const struct scn_addr *a, const struct scn_addr *p)
{
	unsigned full = p->plen / 8, rest = p->plen % 8;

	if (a->family != p->family || memcmp(a->a, p->a, full))
		return false;
	return !rest || !((a->a[full] ^ p->a[full]) & (0xff00 >> rest));
}

bool scn_addr_between(const struct scn_addr *a, const struct scn_addr *lo,
		      const struct scn_addr *hi)
{
	unsigned len = scn_addr_len(a->family);

	/* Network byte order: memcmp() orders addresses as numbers. */
	return a->family == lo->family && a->family == hi->family &&
	       memcmp(a->a, lo->a, len) >= 0 && memcmp(a->a, hi->a, len) <= 0;
}

size_t scenario_find_node(const struct scenario *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n_nodes; i++)
		if (!strcmp(s->nodes[i].name, name))
			return i;
	return SCN_NONE;
}

/* Calls fn on every address of every member; stops at a nonzero result. */
static size_t each_addr(const struct scenario *s,
			bool (*fn)(const struct scn_member *m,
				   const struct scn_addr *a, const void *arg),
			const void *arg)
{
	size_t i, j, k;

	for (i = 0; i < s->n_links; i++) {
		for (j = 0; j < s->links[i].n_members; j++) {
			const struct scn_member *m = &s->links[i].members[j];

			for (k = 0; k < m->n_addrs; k++)
				if (fn(m, &m->addrs[k], arg))
					return m->node;
		}
	}
	return SCN_NONE;
}

static bool addr_is(const struct scn_member *m, const struct scn_addr *a,
		    const void *arg)
{
	(void)m;
	return scn_addr_eq(a, arg);
}

size_t scenario_addr_owner(const struct scenario *s, const struct scn_addr *a)
{
	return each_addr(s, addr_is, a);
}

const struct scn_addr *scenario_node_addr(const struct scenario *s,
					  size_t node, int family)
{
	size_t i, j, k;

	for (i = 0; i < s->n_links; i++) {
		for (j = 0; j < s->links[i].n_members; j++) {
			const struct scn_member *m = &s->links[i].members[j];

			for (k = 0; m->node == node && k < m->n_addrs; k++)
				if (m->addrs[k].family == family)
					return &m->addrs[k];
		}
	}
	return NULL;
}

struct on_link {
	size_t			node;
	const struct scn_addr	*a;
};

static bool addr_covers(const struct scn_member *m, const struct scn_addr *a,
			const void *arg)
{
	const struct on_link *q = arg;

	return m->node == q->node && scn_addr_in(q->a, a);
}

/* True when a is on one of node's links (within one of its prefixes). */
static bool node_on_link(const struct scenario *s, size_t node,
			 const struct scn_addr *a)
{
	struct on_link q = { node, a };

	return each_addr(s, addr_covers, &q) != SCN_NONE;
}

static unsigned member_clash(const struct scenario *s,
			     const struct scn_member *m,
			     const struct scn_member *o)
{
	unsigned errors = 0;
	size_t k, l;
	char buf[INET6_ADDRSTRLEN];

	if (m != o && o->node == m->node && !strcmp(o->ifname, m->ifname)) {
		diag_error(m->loc, 0, "%s has two interfaces named %s",
			   s->nodes[m->node].name, m->ifname);
		errors++;
	}
	for (k = 0; k < m->n_addrs; k++) {
		for (l = 0; l < (m == o ? k : o->n_addrs); l++) {
			if (!scn_addr_eq(&m->addrs[k], &o->addrs[l]))
				continue;
			diag_error(m->loc, 0, "address %s is used twice",
				   scn_addr_str(&m->addrs[k], buf,
						sizeof(buf)));
			errors++;
		}
	}
	return errors;
}

/* Each member against itself and every member before it, once. */
static unsigned check_links(const struct scenario *s)
{
	const struct scn_member *m, *o;
	unsigned errors = 0;
	size_t li, mi, lj, mj;

	for (li = 0; li < s->n_links; li++) {
		for (mi = 0; mi < s->links[li].n_members; mi++) {
			m = &s->links[li].members[mi];
			for (lj = 0; lj <= li; lj++) {
				for (mj = 0; mj < s->links[lj].n_members;
				     mj++) {
					o = &s->links[lj].members[mj];
					errors += member_clash(s, m, o);
					if (o == m)
						break;
				}
			}
		}
	}
	return errors;
}

/* A route's destination must be a network: no host bits set. */
static bool prefix_is_network(const struct scn_addr *p)
{
	struct scn_addr net = *p;
	unsigned i;

	for (i = p->plen; i < (p->family == AF_INET ? 32u : 128u); i++)
		net.a[i / 8] &= ~(0x80 >> (i % 8));
	return scn_addr_eq(&net, p);
}

static unsigned check_routes(const struct scenario *s)
{
	unsigned errors = 0;
	size_t i, j;
	char buf[INET6_ADDRSTRLEN];

	for (i = 0; i < s->n_nodes; i++) {
		const struct scn_node *n = &s->nodes[i];

		for (j = 0; j < n->n_routes; j++) {
			const struct scn_route *r = &n->routes[j];

			if (!prefix_is_network(&r->dst)) {
				diag_error(r->dst_loc, 0, "the destination of "
					   "this route has host bits set");
				errors++;
				continue;
			}
			if (node_on_link(s, i, &r->via) &&
			    scenario_addr_owner(s, &r->via) != i)
				continue;
			diag_error(r->via_loc, 0, "gateway %s is on none of "
				   "%s's links", scn_addr_str(&r->via, buf,
				   sizeof(buf)), n->name);
			errors++;
		}
	}
	return errors;
}

/* The node reaches dst directly or through one of its routes. */
static bool node_has_route(const struct scenario *s, size_t node,
			   const struct scn_addr *dst)
{
	const struct scn_node *n = &s->nodes[node];
	size_t i;

	if (node_on_link(s, node, dst) || scenario_addr_owner(s, dst) == node)
		return true;
	for (i = 0; i < n->n_routes; i++)
		if (scn_addr_in(dst, &n->routes[i].dst))
			return true;
	return false;
}

static int expect_resolve_dst(const struct scenario *s, struct scn_expect *e)
{
	struct fw_loc loc = e->dst_loc;

	const struct scn_addr *a;
	char buf[INET6_ADDRSTRLEN];

	if (!e->dst_literal) {
		a = scenario_node_addr(s, e->dst_node, e->family);
		if (!a) {
			diag_error(loc, 0, "node %s has no %s address",
				   s->nodes[e->dst_node].name,
				   e->family == AF_INET ? "IPv4" : "IPv6");
			return -1;
		}
		e->dst = *a;
		e->dst.plen = e->family == AF_INET ? 32 : 128;
	}
	if (e->server == SCN_NONE && e->proto != SCN_ICMP)
		e->server = e->dst_literal ? scenario_addr_owner(s, &e->dst) :
			    e->dst_node;
	if (e->server == SCN_NONE && e->proto != SCN_ICMP) {
		diag_error(loc, 0, "no node has address %s: name the one that "
			   "answers with served-by NODE[:PORT]",
			   scn_addr_str(&e->dst, buf, sizeof(buf)));
		return -1;
	}
	return 0;
}

static int check_expect(const struct scenario *s, struct scn_expect *e)
{
	char buf[INET6_ADDRSTRLEN];

	if (expect_resolve_dst(s, e))
		return -1;
	if (!scenario_node_addr(s, e->src, e->family)) {
		diag_error(e->src_loc, 0, "node %s has no %s address",
			   s->nodes[e->src].name,
			   e->family == AF_INET ? "IPv4" : "IPv6");
		return -1;
	}
	if (!node_has_route(s, e->src, &e->dst)) {
		diag_error(e->src_loc, 0, "%s has no route to %s",
			   s->nodes[e->src].name,
			   scn_addr_str(&e->dst, buf, sizeof(buf)));
		return -1;
	}
	return 0;
}

unsigned scenario_check(struct scenario *s)
{
	unsigned errors = check_links(s) + check_routes(s);
	size_t i;

	for (i = 0; i < s->n_items; i++) {
		struct scn_item *it = &s->items[i];

		if (it->kind == SCN_ITEM_EXPECT)
			errors += !!check_expect(s, &it->expect);
		else if (it->kind == SCN_ITEM_STREAM)
			errors += !!check_expect(s, &it->stream.e);
	}
	return errors;
}
