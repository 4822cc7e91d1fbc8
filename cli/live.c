// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading table inet fwctl back: GETTABLE, then dumps of its chains,
 * rules and sets (and set elements if asked), parsed with libnftnl.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/object.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "batch.h"
#include "emit.h"
#include "fwctl/udata.h"
#include "live.h"

/* Dumps repeated at most this often while other tools keep committing. */
#define LIVE_TRIES	5

static char *xstrdup(const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		abort();
	return d;
}

/* Room for one more element, doubling when n is a power of two. */
static void *grow(void *array, size_t n, size_t size)
{
	if (n && (n & (n - 1)))
		return array;
	array = realloc(array, (n ? 2 * n : 1) * size);
	if (!array)
		abort();
	return array;
}

/*
 * The NUL-terminated strings of a userdata blob by TLV type, and the
 * 8-byte key if there is one.
 */
/* Types above the last one fwctl reads are skipped: less to clear. */
#define UDATA_TYPES	(FWCTL_UDATA_OBJ_KEY + 1)

struct udata_strs {
	const char	*s[UDATA_TYPES];
	bool		has_key;
	uint64_t	key;
};

static int udata_cb(const struct nftnl_udata *attr, void *data)
{
	struct udata_strs *u = data;
	const char *v = nftnl_udata_get(attr);
	uint8_t len = nftnl_udata_len(attr), type = nftnl_udata_type(attr);

	if ((type == FWCTL_UDATA_RULE_KEY || type == FWCTL_UDATA_OBJ_KEY) &&
	    len == sizeof(u->key)) {
		memcpy(&u->key, v, sizeof(u->key));
		u->has_key = true;
	} else if (type < UDATA_TYPES && len && v[len - 1] == '\0') {
		u->s[type] = v;
	}
	return MNL_CB_OK;
}

static void udata_strings(const void *data, uint32_t len,
			  struct udata_strs *u)
{
	memset(u, 0, sizeof(*u));
	if (data && len)
		nftnl_udata_parse(data, len, udata_cb, u);
}

static struct nlmsghdr *request(char *buf, struct nlsock *s, uint16_t type,
				uint16_t flags)
{
	return nftnl_nlmsg_build_hdr(buf, type, NFPROTO_INET, flags,
				     nlsock_seq(s, 1));
}

static bool ours(const char *table)
{
	return table && !strcmp(table, IR_TABLE_NAME);
}

static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct live_table *lt = data;
	struct udata_strs u;
	const void *ud;
	uint32_t len = 0;

	if (!t || nftnl_table_nlmsg_parse(nlh, t) < 0) {
		nftnl_table_free(t);
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	lt->present = true;
	lt->flags = nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS);
	ud = nftnl_table_get_data(t, NFTNL_TABLE_USERDATA, &len);
	udata_strings(ud, len, &u);
	lt->source = xstrdup(u.s[FWCTL_UDATA_TABLE_SOURCE]);
	nftnl_table_free(t);
	return MNL_CB_OK;
}

static int read_table(struct nlsock *s, struct live_table *lt)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh = request(buf, s, NFT_MSG_GETTABLE, NLM_F_ACK);
	int err;

	if (!t)
		abort();
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, IR_TABLE_NAME);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	err = nlsock_request(s, nlh, table_cb, lt);
	return err == -ENOENT ? 0 : err;
}

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct live_table *lt = data;
	struct live_chain *lc;

	if (!c || nftnl_chain_nlmsg_parse(nlh, c) < 0) {
		nftnl_chain_free(c);
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	if (ours(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE))) {
		lt->chains = grow(lt->chains, lt->n_chains, sizeof(*lc));
		lc = &lt->chains[lt->n_chains++];
		memset(lc, 0, sizeof(*lc));
		lc->name = xstrdup(nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
		lc->base = nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM);
		lc->hook = nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM);
		lc->priority = nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO);
		lc->policy = nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY);
		lc->nat = nftnl_chain_is_set(c, NFTNL_CHAIN_TYPE) &&
			  !strcmp(nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE),
				  "nat");
	}
	nftnl_chain_free(c);
	return MNL_CB_OK;
}

/*
 * Rules come chain after chain, in the order the chains were dumped: the
 * last chain found, then the one after it, are good guesses (a tree has
 * thousands of chains; searching them all per chain would be quadratic).
 */
struct rule_dump {
	struct live_table	*lt;
	struct live_chain	*last;
	bool			keys_only;	/* LIVE_KEYS */
	size_t			n_rules;	/* read, of ours */
};

static struct live_chain *chain_find(struct rule_dump *rd, const char *name)
{
	struct live_chain *next;
	size_t i;

	if (!name)
		return NULL;
	if (rd->last && !strcmp(rd->last->name, name))
		return rd->last;
	next = rd->last ? rd->last + 1 : rd->lt->chains;
	if (next < rd->lt->chains + rd->lt->n_chains &&
	    !strcmp(next->name, name))
		return rd->last = next;
	for (i = 0; i < rd->lt->n_chains; i++)
		if (!strcmp(rd->lt->chains[i].name, name))
			return rd->last = &rd->lt->chains[i];
	return NULL;
}

/*
 * Rules are read with plain attribute walks, not nftnl_rule_nlmsg_parse():
 * that one builds every expression of every rule, which made reading
 * 10,000 rules take longer than the rest of an incremental apply. Only
 * the handle, the userdata and the counter are needed.
 */
static void counter_read(const struct nlattr *data, struct live_rule_dump *d)
{
	const struct nlattr *a;

	d->counter = true;
	mnl_attr_for_each_nested(a, data) {
		if (mnl_attr_get_payload_len(a) != sizeof(uint64_t))
			continue;
		if (mnl_attr_get_type(a) == NFTA_COUNTER_PACKETS)
			d->packets = be64toh(mnl_attr_get_u64(a));
		else if (mnl_attr_get_type(a) == NFTA_COUNTER_BYTES)
			d->bytes = be64toh(mnl_attr_get_u64(a));
	}
}

static void expr_read(const struct nlattr *expr, struct live_rule_dump *d)
{
	const struct nlattr *a, *data = NULL;
	bool counter = false;

	mnl_attr_for_each_nested(a, expr) {
		if (mnl_attr_get_type(a) == NFTA_EXPR_NAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			counter = !strcmp(mnl_attr_get_str(a), "counter");
		else if (mnl_attr_get_type(a) == NFTA_EXPR_DATA)
			data = a;
	}
	if (counter && data && !d->counter)
		counter_read(data, d);
}

static void rule_fill(struct live_rule *lr, const struct nlattr *ud,
		      const struct nlattr *exprs, bool keys_only)
{
	const struct nlattr *e;
	struct udata_strs u;

	udata_strings(ud ? mnl_attr_get_payload(ud) : NULL,
		      ud ? mnl_attr_get_payload_len(ud) : 0, &u);
	lr->has_key = u.has_key;
	lr->key = u.key;
	if (keys_only)
		return;
	lr->dump = calloc(1, sizeof(*lr->dump));
	if (!lr->dump)
		abort();
	lr->dump->comment = xstrdup(u.s[NFTNL_UDATA_RULE_COMMENT]);
	lr->dump->text = xstrdup(u.s[FWCTL_UDATA_RULE_SOURCE]);
	if (exprs)
		mnl_attr_for_each_nested(e, exprs)
			expr_read(e, lr->dump);
}

/* The attributes of one rule message that matter here. */
struct rule_attrs {
	const char		*table, *chain;
	const struct nlattr	*handle, *udata, *exprs;
};

static void rule_attrs(const struct nlmsghdr *nlh, struct rule_attrs *ra)
{
	const struct nlattr *a;

	memset(ra, 0, sizeof(*ra));
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		bool str = mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0;

		switch (mnl_attr_get_type(a)) {
		case NFTA_RULE_TABLE:
			ra->table = str ? mnl_attr_get_str(a) : NULL;
			break;
		case NFTA_RULE_CHAIN:
			ra->chain = str ? mnl_attr_get_str(a) : NULL;
			break;
		case NFTA_RULE_HANDLE:
			if (mnl_attr_get_payload_len(a) == sizeof(uint64_t))
				ra->handle = a;
			break;
		case NFTA_RULE_USERDATA:
			ra->udata = a;
			break;
		case NFTA_RULE_EXPRESSIONS:
			ra->exprs = a;
			break;
		}
	}
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rule_dump *rd = data;
	struct live_chain *lc;
	struct live_rule *lr;
	struct rule_attrs ra;

	rule_attrs(nlh, &ra);
	if (!ra.handle) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	lc = chain_find(rd, ra.chain);
	if (lc && ours(ra.table)) {
		lc->rules = grow(lc->rules, lc->n_rules, sizeof(*lc->rules));
		lr = &lc->rules[lc->n_rules++];
		memset(lr, 0, sizeof(*lr));
		lr->handle = be64toh(mnl_attr_get_u64(ra.handle));
		rule_fill(lr, ra.udata, ra.exprs, rd->keys_only);
		rd->n_rules++;
	}
	return MNL_CB_OK;
}

/* Labels for a chain of a table from the cache, found by handle. */
struct label_dump {
	struct live_chain	*c;
	size_t			next;	/* the rule expected next */
	bool			lost;	/* one the cache does not have */
};

static int label_cb(const struct nlmsghdr *nlh, void *data)
{
	struct label_dump *ld = data;
	struct live_rule *lr = NULL, *r;
	struct rule_attrs ra;
	uint64_t handle, key;
	size_t i, n = ld->c->n_rules;
	bool has_key;

	rule_attrs(nlh, &ra);
	if (!ra.handle) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	if (!ours(ra.table) || !ra.chain || strcmp(ra.chain, ld->c->name))
		return MNL_CB_OK;
	handle = be64toh(mnl_attr_get_u64(ra.handle));
	/* In chain order: the rule after the last one found, mostly. */
	for (i = 0; i < n && !lr; i++) {
		r = &ld->c->rules[(ld->next + i) % n];
		if (r->handle == handle)
			lr = r;
	}
	if (!lr || lr->dump) {
		ld->lost = true;
		return MNL_CB_OK;
	}
	ld->next = (size_t)(lr - ld->c->rules) + 1;
	has_key = lr->has_key;
	key = lr->key;
	rule_fill(lr, ra.udata, ra.exprs, false);
	ld->lost |= lr->has_key != has_key || lr->key != key;
	return MNL_CB_OK;
}

int live_echo_cb(const struct nlmsghdr *nlh, void *data)
{
	struct live_echoes *le = data;
	struct live_echo *e;
	struct rule_attrs ra;
	struct udata_strs u;

	if ((nlh->nlmsg_type & 0xff) != NFT_MSG_NEWRULE)
		return MNL_CB_OK;
	rule_attrs(nlh, &ra);
	if (!ra.handle || !ra.chain || !ours(ra.table))
		return MNL_CB_OK;
	le->e = grow(le->e, le->n, sizeof(*le->e));
	e = &le->e[le->n++];
	snprintf(e->chain, sizeof(e->chain), "%s", ra.chain);
	e->handle = be64toh(mnl_attr_get_u64(ra.handle));
	udata_strings(ra.udata ? mnl_attr_get_payload(ra.udata) : NULL,
		      ra.udata ? mnl_attr_get_payload_len(ra.udata) : 0, &u);
	e->has_key = u.has_key;
	e->key = u.key;
	return MNL_CB_OK;
}

static int set_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_set *ns = nftnl_set_alloc();
	struct live_table *lt = data;
	struct live_set *ls;
	uint32_t flags;

	if (!ns || nftnl_set_nlmsg_parse(nlh, ns) < 0) {
		nftnl_set_free(ns);
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	flags = nftnl_set_get_u32(ns, NFTNL_SET_FLAGS);
	if (ours(nftnl_set_get_str(ns, NFTNL_SET_TABLE)) &&
	    !(flags & NFT_SET_ANONYMOUS)) {
		lt->sets = grow(lt->sets, lt->n_sets, sizeof(*ls));
		ls = &lt->sets[lt->n_sets++];
		ls->name = xstrdup(nftnl_set_get_str(ns, NFTNL_SET_NAME));
		ls->key_type = nftnl_set_get_u32(ns, NFTNL_SET_KEY_TYPE);
		ls->flags = flags;
		ls->elements = 0;
		ls->has_digest = false;
		ls->timeout_ms = nftnl_set_is_set(ns, NFTNL_SET_TIMEOUT) ?
				 nftnl_set_get_u64(ns, NFTNL_SET_TIMEOUT) : 0;
	}
	nftnl_set_free(ns);
	return MNL_CB_OK;
}

/* Counts elements without building them: an end element is no element. */
static int elems_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr, *elem, *a;
	size_t *count = data;

	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(attr) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(elem, attr) {
			uint32_t flags = 0;

			mnl_attr_for_each_nested(a, elem)
				if (mnl_attr_get_type(a) ==
				    NFTA_SET_ELEM_FLAGS &&
				    mnl_attr_get_payload_len(a) == 4)
					flags = ntohl(mnl_attr_get_u32(a));
			if (!(flags & NFT_SET_ELEM_INTERVAL_END))
				(*count)++;
		}
	}
	return MNL_CB_OK;
}

static int count_elements(struct nlsock *s, struct live_set *ls)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = request(buf, s, NFT_MSG_GETSETELEM,
				       NLM_F_DUMP);

	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, IR_TABLE_NAME);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, ls->name);
	ls->elements = 0;
	return nlsock_request(s, nlh, elems_cb, &ls->elements);
}

/* A dump of type for our table; the table attribute has the same number. */
static int obj_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_obj *o = nftnl_obj_alloc();
	struct live_table *lt = data;
	struct live_object *lo;
	struct udata_strs u;
	const void *ud;
	uint32_t len = 0;

	if (!o || nftnl_obj_nlmsg_parse(nlh, o) < 0) {
		nftnl_obj_free(o);
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	if (ours(nftnl_obj_get_str(o, NFTNL_OBJ_TABLE))) {
		lt->objects = grow(lt->objects, lt->n_objects, sizeof(*lo));
		lo = &lt->objects[lt->n_objects++];
		lo->name = xstrdup(nftnl_obj_get_str(o, NFTNL_OBJ_NAME));
		lo->type = nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE);
		ud = nftnl_obj_get_data(o, NFTNL_OBJ_USERDATA, &len);
		udata_strings(ud, len, &u);
		lo->comment = u.s[NFTNL_UDATA_OBJ_COMMENT] ?
			      xstrdup(u.s[NFTNL_UDATA_OBJ_COMMENT]) : NULL;
		lo->has_key = u.has_key;
		lo->key = u.key;
	}
	nftnl_obj_free(o);
	return MNL_CB_OK;
}

/* What fwctl's table holds of a type; rules: only chain's, if given. */
static int dump_in(struct nlsock *s, uint16_t type, const char *chain,
		   mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = request(buf, s, type, NLM_F_DUMP);

	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, IR_TABLE_NAME);
	if (chain)
		mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, chain);
	return nlsock_request(s, nlh, cb, data);
}

static int dump(struct nlsock *s, uint16_t type, mnl_cb_t cb, void *data)
{
	return dump_in(s, type, NULL, cb, data);
}

#define CHAIN_DUMPS_FROM	64	/* chains; fewer: one dump of the table */

/* Every other chain's dump from first on: one half of a table's. */
struct dump_half {
	struct rule_dump	rd;
	size_t			first;
	bool			opened;		/* its socket */
	int			err;
};

static int dump_half(struct nlsock *s, struct dump_half *h)
{
	const struct live_table *lt = h->rd.lt;
	size_t i;
	int err = 0;

	for (i = h->first; !err && i < lt->n_chains; i += 2)
		err = dump_in(s, NFT_MSG_GETRULE, lt->chains[i].name, rule_cb,
			      &h->rd);
	return err;
}

/* On a thread: a socket of its own, in the namespace the process is in. */
static void *dump_half_thread(void *arg)
{
	struct dump_half *h = arg;
	struct nlsock s;

	if (nlsock_open(&s, NETLINK_NETFILTER) < 0)
		return NULL;
	h->opened = true;
	h->err = dump_half(&s, h);
	nlsock_close(&s);
	return NULL;
}

/*
 * The rules, a dump per chain when there are many. The kernel resumes a
 * rule dump by skipping every rule it already sent, from the table's
 * first: one dump of a table is quadratic in its rules (275,000 rules of
 * a 100k-rule tree took 85 s); a chain's dump skips only that chain's.
 * The kernel fills a dump in the reader's system call, its expressions
 * attribute by attribute, most of reading a table back: half the chains
 * are read by a thread on a socket of its own, which puts the other CPU
 * to it. Read back after another tool's commit, by turns with reading
 * it all here: fw1_10k's 20,435 rules 47-60 ms instead of 82-100,
 * gen10k's 18,865 49-55 instead of 74-80, acl1_10k's 10,296 24-31
 * instead of 41-42.
 */
static int dump_rules(struct nlsock *s, struct rule_dump *rd)
{
	struct dump_half mine = { .rd = *rd, .first = 0 };
	struct dump_half other = { .rd = *rd, .first = 1 };
	pthread_t thread;
	bool split;
	int err;

	if (rd->lt->n_chains < CHAIN_DUMPS_FROM) {
		err = dump(s, NFT_MSG_GETRULE, rule_cb, rd);
		rd->lt->n_rules += rd->n_rules;
		return err;
	}
	split = !pthread_create(&thread, NULL, dump_half_thread, &other);
	err = dump_half(s, &mine);
	if (split)
		pthread_join(thread, NULL);
	/* No thread or no socket for it: the other half here. */
	if (!err && !other.opened)
		other.err = dump_half(s, &other);
	rd->lt->n_rules += mine.rd.n_rules + other.rd.n_rules;
	return err ? err : other.err;
}

static int live_read_once(struct nlsock *s, struct live_table *lt,
			  enum live_depth depth)
{
	struct rule_dump rd = { .lt = lt, .keys_only = depth == LIVE_KEYS };
	int err = read_table(s, lt);
	size_t i;

	if (err || !lt->present || depth == LIVE_TABLE)
		return err;
	err = dump(s, NFT_MSG_GETCHAIN, chain_cb, lt);
	if (!err)
		err = dump_rules(s, &rd);
	if (!err)
		err = dump(s, NFT_MSG_GETSET, set_cb, lt);
	if (!err)
		err = dump(s, NFT_MSG_GETOBJ, obj_cb, lt);
	for (i = 0; !err && depth == LIVE_ELEMENTS && i < lt->n_sets; i++)
		err = count_elements(s, &lt->sets[i]);
	return err;
}

int live_read(struct nlsock *s, struct live_table *lt,
	      enum live_depth depth)
{
	uint32_t before, after;
	int tries, err = -EAGAIN;

	for (tries = 0; tries < LIVE_TRIES; tries++) {
		err = batch_genid(s, &before);
		if (!err)
			err = live_read_once(s, lt, depth);
		if (!err)
			err = batch_genid(s, &after);
		if (!err && before == after) {
			lt->genid = before;
			return 0;
		}
		live_free(lt);
		if (err && err != -EINTR)
			return err;
		err = -EAGAIN;
	}
	return err;
}

int live_chain_labels(struct nlsock *s, const struct live_table *lt,
		      struct live_chain *c)
{
	struct label_dump ld = { .c = c };
	uint32_t after;
	int err = dump_in(s, NFT_MSG_GETRULE, c->name, label_cb, &ld);

	if (!err)
		err = batch_genid(s, &after);
	if (!err && (after != lt->genid || ld.lost))
		err = -EAGAIN;
	return err;
}

int live_chain_name_cmp(const void *a, const void *b)
{
	const struct live_chain *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

const struct live_chain **live_chains_by_name(const struct live_table *lt)
{
	const struct live_chain **v = calloc(lt->n_chains + 1, sizeof(*v));
	size_t i;

	if (!v)
		abort();
	for (i = 0; i < lt->n_chains; i++)
		v[i] = &lt->chains[i];
	qsort(v, lt->n_chains, sizeof(*v), live_chain_name_cmp);
	return v;
}

const struct live_set *live_set_find(const struct live_table *lt,
				     const char *name)
{
	size_t i;

	for (i = 0; i < lt->n_sets; i++)
		if (!strcmp(lt->sets[i].name, name))
			return &lt->sets[i];
	return NULL;
}

const struct live_object *live_object_find(const struct live_table *lt,
					   const char *name)
{
	size_t i;

	for (i = 0; i < lt->n_objects; i++)
		if (!strcmp(lt->objects[i].name, name))
			return &lt->objects[i];
	return NULL;
}

void live_free(struct live_table *lt)
{
	size_t i, j;

	for (i = 0; i < lt->n_chains; i++) {
		for (j = 0; !lt->chains[i].borrowed &&
			    j < lt->chains[i].n_rules; j++) {
			struct live_rule_dump *d = lt->chains[i].rules[j].dump;

			if (d) {
				free(d->comment);
				free(d->text);
				free(d);
			}
		}
		if (!lt->chains[i].borrowed)
			free(lt->chains[i].rules);
		free(lt->chains[i].name);
	}
	for (i = 0; i < lt->n_sets; i++)
		free(lt->sets[i].name);
	for (i = 0; i < lt->n_objects; i++) {
		free(lt->objects[i].name);
		free(lt->objects[i].comment);
	}
	free(lt->objects);
	free(lt->chains);
	free(lt->sets);
	free(lt->source);
	free(lt->moved);
	memset(lt, 0, sizeof(*lt));
}

/*
 * The location is what precedes the first ":LINE" followed by a space or
 * the end; "fwctl: stateful" (a built-in rule) has none.
 */
bool live_rule_location(const char *comment, char *buf, size_t size)
{
	const char *p, *d;

	for (p = comment ? strchr(comment, ':') : NULL; p;
	     p = strchr(p + 1, ':')) {
		for (d = p + 1; isdigit((unsigned char)*d); d++)
			;
		if (d > p + 1 && (*d == ' ' || *d == '\0')) {
			snprintf(buf, size, "%.*s", (int)(d - comment),
				 comment);
			return true;
		}
	}
	return false;
}

bool live_rule_where(const struct live_table *lt, const struct live_rule *r,
		     char *buf, size_t size)
{
	char made[256], *colon;
	const char *file = lt->source;

	if (r->line == LIVE_LINE_GONE)
		return false;
	if (r->line && lt->source) {
		/* The file as the rule's comment names it, as the apply that
		 * made it was given it; the table names it from the root. */
		if (live_rule_location(live_rule_comment(r), made,
				       sizeof(made)) &&
		    (colon = strrchr(made, ':'))) {
			*colon = '\0';
			file = made;
		}
		snprintf(buf, size, "%s:%" PRIu32, file, r->line);
		return true;
	}
	return live_rule_location(live_rule_comment(r), buf, size);
}

const char *live_hook_name(uint32_t hook)
{
	static const char *const names[] = {
		[NF_INET_PRE_ROUTING] = "prerouting",
		[NF_INET_LOCAL_IN] = "input",
		[NF_INET_FORWARD] = "forward",
		[NF_INET_LOCAL_OUT] = "output",
		[NF_INET_POST_ROUTING] = "postrouting",
		[NF_INET_INGRESS] = "ingress",
	};

	if (hook < sizeof(names) / sizeof(names[0]) && names[hook])
		return names[hook];
	return "unknown";
}

const char *live_object_type(uint32_t type)
{
	static const char *const names[] = {
		[NFT_OBJECT_COUNTER] = "counter",
		[NFT_OBJECT_QUOTA] = "quota",
		[NFT_OBJECT_CT_HELPER] = "ct helper",
		[NFT_OBJECT_LIMIT] = "limit",
		[NFT_OBJECT_CT_TIMEOUT] = "ct timeout",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return "object";
}

const char *live_key_type(uint32_t key_type)
{
	static char flow_types[2][128];
	size_t i;

	for (i = 0; i < IR_FIELD_COUNT; i++)
		if (emit_keys[i].nft_type == key_type)
			return emit_keys[i].type;
	for (i = 0; i < 2; i++) {	/* a flow cache's concatenation */
		struct ir_set s = { .flow = i ? NFPROTO_IPV6 : NFPROTO_IPV4 };

		if (emit_set_key_type(&s) == key_type) {
			emit_set_type_text(&s, flow_types[i],
					   sizeof(flow_types[i]));
			return flow_types[i];
		}
	}
	return NULL;
}
