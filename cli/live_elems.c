// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The elements of one named set, read back for incremental apply: key,
 * interval-end flag and verdict, exactly what emit_set_walk() produces for
 * the new set, so that the two lists compare element by element.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/common.h>

#include "emit.h"
#include "live.h"

struct elem_list {
	unsigned		key_len;
	struct emit_kelem	*e;
	size_t			n;
};

static enum ir_verdict_kind verdict_kind(int32_t code)
{
	switch (code) {
	case NF_ACCEPT:	return IR_ACCEPT;
	case NF_DROP:	return IR_DROP;
	case NFT_JUMP:	return IR_JUMP;
	case NFT_GOTO:	return IR_GOTO;
	case NFT_RETURN: return IR_RETURN;
	default:	return IR_VERDICT_NONE;
	}
}

/*
 * An element's NFTA_SET_ELEM_DATA: whether it holds a verdict, its code
 * and chain (or NULL), into h. False if data holds anything else.
 */
static bool data_verdict(const struct nlattr *data, struct emit_helem *h)
{
	const struct nlattr *vd, *a;

	mnl_attr_for_each_nested(vd, data) {
		if (mnl_attr_get_type(vd) != NFTA_DATA_VERDICT)
			return false;
		h->verdict = true;
		mnl_attr_for_each_nested(a, vd) {
			if (mnl_attr_get_type(a) == NFTA_VERDICT_CODE &&
			    mnl_attr_get_payload_len(a) == 4)
				h->code = (int32_t)ntohl(mnl_attr_get_u32(a));
			else if (mnl_attr_get_type(a) == NFTA_VERDICT_CHAIN &&
				 mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
				h->chain = mnl_attr_get_str(a);
		}
	}
	return true;
}

static void elem_verdict(const struct nlattr *data, struct emit_kelem *e)
{
	struct emit_helem h = { 0 };

	data_verdict(data, &h);
	if (h.verdict)
		e->kind = verdict_kind(h.code);
	if (h.chain)
		snprintf(e->chain, sizeof(e->chain), "%s", h.chain);
}

static void elem_key(const struct nlattr *key, struct emit_kelem *e,
		     unsigned key_len)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, key)
		if (mnl_attr_get_type(a) == NFTA_DATA_VALUE &&
		    mnl_attr_get_payload_len(a) >= key_len)
			memcpy(e->key, mnl_attr_get_payload(a), key_len);
}

static void elem_parse(const struct nlattr *elem, struct emit_kelem *e,
		       unsigned key_len)
{
	const struct nlattr *a;

	memset(e, 0, sizeof(*e));
	mnl_attr_for_each_nested(a, elem) {
		switch (mnl_attr_get_type(a)) {
		case NFTA_SET_ELEM_KEY:
			elem_key(a, e, key_len);
			break;
		case NFTA_SET_ELEM_FLAGS:
			if (mnl_attr_get_payload_len(a) == 4)
				e->flags = ntohl(mnl_attr_get_u32(a));
			break;
		case NFTA_SET_ELEM_DATA:
			elem_verdict(a, e);
			break;
		}
	}
}

static int elems_cb(const struct nlmsghdr *nlh, void *data)
{
	struct elem_list *l = data;
	const struct nlattr *attr, *elem;

	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(attr) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(elem, attr) {
			if (!l->n || !(l->n & (l->n - 1))) {
				l->e = realloc(l->e, (l->n ? 2 * l->n : 1) *
						     sizeof(*l->e));
				if (!l->e)
					abort();
			}
			elem_parse(elem, &l->e[l->n++], l->key_len);
		}
	}
	return MNL_CB_OK;
}

/* The payload of nest's NFTA_DATA_VALUE and its length, or NULL. */
static const uint8_t *data_value(const struct nlattr *nest, unsigned *len)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == NFTA_DATA_VALUE) {
			*len = mnl_attr_get_payload_len(a);
			return mnl_attr_get_payload(a);
		}
	return NULL;
}

/*
 * One element's emit_elem_hash(); anything fwctl never sends (a value
 * for data, expressions, an object, a key of another length) makes it a
 * hash that none of fwctl's elements has.
 */
static uint64_t elem_digest(const struct nlattr *elem)
{
	struct emit_helem h = { 0 };
	const struct nlattr *a;
	unsigned len = 0, end_len = 0;
	bool other = false;

	mnl_attr_for_each_nested(a, elem) {
		switch (mnl_attr_get_type(a)) {
		case NFTA_SET_ELEM_KEY:
			h.key = data_value(a, &len);
			break;
		case NFTA_SET_ELEM_KEY_END:
			h.key_end = data_value(a, &end_len);
			break;
		case NFTA_SET_ELEM_FLAGS:
			if (mnl_attr_get_payload_len(a) == 4)
				h.flags = ntohl(mnl_attr_get_u32(a));
			break;
		case NFTA_SET_ELEM_DATA:
			other |= !data_verdict(a, &h);
			break;
		case NFTA_SET_ELEM_USERDATA:	/* nft's listing only */
			break;
		default:
			other = true;
		}
	}
	h.len = len;
	if (!h.key || (h.key_end && end_len != len))
		other = true;
	return emit_elem_hash(&h) ^ (other ? 0x5eed5eed5eed5eedull : 0);
}

static int digest_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr, *elem;
	uint64_t *sum = data;

	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(attr) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(elem, attr)
			*sum += elem_digest(elem);
	}
	return MNL_CB_OK;
}

/* A dump of set's elements, each message to cb. */
static int elems_dump(struct nlsock *s, const char *set, mnl_cb_t cb,
		      void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, NFPROTO_INET,
				    NLM_F_DUMP, nlsock_seq(s, 1));
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, IR_TABLE_NAME);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, set);
	return nlsock_request(s, nlh, cb, data);
}

int live_set_digest(struct nlsock *s, const char *set, uint64_t *digest)
{
	*digest = 0;
	return elems_dump(s, set, digest_cb, digest);
}

int live_set_elems(struct nlsock *s, const char *set, unsigned key_len,
		   struct emit_kelem **elems, size_t *n)
{
	struct elem_list l = { .key_len = key_len };
	int err = elems_dump(s, set, elems_cb, &l);

	if (err) {
		free(l.e);
		return err;
	}
	*elems = l.e;
	*n = l.n;
	return 0;
}
