// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The whole table in the order nft sends "table; delete table; table {...}":
 *
 *   NEWTABLE (creates it if absent, so the delete cannot fail)
 *   DELTABLE
 *   NEWTABLE with the source file in its userdata
 *   NEWCHAIN...            all chains, so that any rule may jump anywhere
 *   NEWOBJ...              ct helpers and timeouts that rules refer to
 *   NEWSET, NEWSETELEM...  named sets; vmap elements may name chains
 *   [NEWSET, NEWSETELEM...] NEWRULE   per rule, with its anonymous sets
 */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/chain.h>
#include <libnftnl/object.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "batch.h"
#include "emit.h"
#include "fwctl/udata.h"
#include "ir_hash.h"
#include "source.h"

static const uint32_t hooks[] = {
	[IR_HOOK_INPUT]		= NF_INET_LOCAL_IN,
	[IR_HOOK_FORWARD]	= NF_INET_FORWARD,
	[IR_HOOK_OUTPUT]	= NF_INET_LOCAL_OUT,
	[IR_HOOK_PREROUTING]	= NF_INET_PRE_ROUTING,
	[IR_HOOK_POSTROUTING]	= NF_INET_POST_ROUTING,
};

uint32_t emit_hook_num(enum ir_hook hook)
{
	return hooks[hook];
}

static const char *const chain_types[] = {
	[IR_CHAIN_FILTER] = "filter", [IR_CHAIN_NAT] = "nat",
};

static void table_udata(struct nftnl_table *nt, const char *source)
{
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
	char path[NFT_USERDATA_MAXLEN - 2], *abs = source_absolute(source);

	if (!ud)
		abort();
	/* A TLV holds 255 bytes; a longer path keeps its tail. */
	snprintf(path, sizeof(path), "%s",
		 strlen(abs) < sizeof(path) ? abs :
		 abs + strlen(abs) - sizeof(path) + 1);
	free(abs);
	nftnl_udata_put_strz(ud, FWCTL_UDATA_TABLE_SOURCE, path);
	nftnl_table_set_data(nt, NFTNL_TABLE_USERDATA, nftnl_udata_buf_data(ud),
			     nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
}

static void table_msg(struct batch *b, uint16_t type, const char *source,
		      const struct batch_origin *o)
{
	struct nftnl_table *nt = nftnl_table_alloc();

	if (!nt)
		abort();
	nftnl_table_set_str(nt, NFTNL_TABLE_NAME, IR_TABLE_NAME);
	if (type == NFT_MSG_NEWTABLE)
		nftnl_table_set_u32(nt, NFTNL_TABLE_FLAGS, 0);
	if (source)
		table_udata(nt, source);
	nftnl_table_nlmsg_build_payload(batch_msg(b, type, EMIT_TABLE_FAMILY,
						  type == NFT_MSG_NEWTABLE ?
						  NLM_F_CREATE : 0, o), nt);
	batch_next(b);
	nftnl_table_free(nt);
}

void emit_chain(struct batch *b, const struct ir_chain *c)
{
	struct batch_origin o = {
		.what = BATCH_CHAIN, .name = c->name, .loc = c->policy_loc,
	};
	struct nftnl_chain *nc = nftnl_chain_alloc();

	if (!nc)
		abort();
	nftnl_chain_set_str(nc, NFTNL_CHAIN_TABLE, IR_TABLE_NAME);
	nftnl_chain_set_str(nc, NFTNL_CHAIN_NAME, c->name);
	if (c->hook != IR_HOOK_NONE) {
		nftnl_chain_set_u32(nc, NFTNL_CHAIN_HOOKNUM, hooks[c->hook]);
		nftnl_chain_set_s32(nc, NFTNL_CHAIN_PRIO, c->priority);
		nftnl_chain_set_str(nc, NFTNL_CHAIN_TYPE,
				    chain_types[c->type]);
		nftnl_chain_set_u32(nc, NFTNL_CHAIN_POLICY,
				    c->policy_drop ? NF_DROP : NF_ACCEPT);
	}
	nftnl_chain_nlmsg_build_payload(batch_msg(b, NFT_MSG_NEWCHAIN,
						  EMIT_TABLE_FAMILY,
						  NLM_F_CREATE, &o), nc);
	batch_next(b);
	nftnl_chain_free(nc);
}

/* The policy array holds every state; nft sends 0 for those not given. */
static void object_build(struct nftnl_obj *no, const struct ir_object *o)
{
	if (o->kind == IR_OBJ_CT_HELPER) {
		nftnl_obj_set_u32(no, NFTNL_OBJ_TYPE, NFT_OBJECT_CT_HELPER);
		nftnl_obj_set_str(no, NFTNL_OBJ_CT_HELPER_NAME, o->helper);
		nftnl_obj_set_u16(no, NFTNL_OBJ_CT_HELPER_L3PROTO,
				  NFPROTO_INET);
		nftnl_obj_set_u8(no, NFTNL_OBJ_CT_HELPER_L4PROTO, o->l4proto);
		return;
	}
	nftnl_obj_set_u32(no, NFTNL_OBJ_TYPE, NFT_OBJECT_CT_TIMEOUT);
	nftnl_obj_set_u16(no, NFTNL_OBJ_CT_TIMEOUT_L3PROTO, NFPROTO_INET);
	nftnl_obj_set_u8(no, NFTNL_OBJ_CT_TIMEOUT_L4PROTO, o->l4proto);
	nftnl_obj_set_data(no, NFTNL_OBJ_CT_TIMEOUT_ARRAY, o->timeout,
			   sizeof(o->timeout));
}

static void object_udata(struct nftnl_obj *no, const struct ir_object *o)
{
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
	char comment[EMIT_COMMENT_MAX + 1];
	uint64_t key = ir_object_key(o);

	if (!ud)
		abort();
	emit_object_comment(o, comment, sizeof(comment));
	nftnl_udata_put_strz(ud, NFTNL_UDATA_OBJ_COMMENT, comment);
	nftnl_udata_put(ud, FWCTL_UDATA_OBJ_KEY, sizeof(key), &key);
	nftnl_obj_set_data(no, NFTNL_OBJ_USERDATA, nftnl_udata_buf_data(ud),
			   nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
}

void emit_object(struct batch *b, const struct ir_object *o)
{
	struct batch_origin origin = {
		.what = BATCH_OBJECT, .name = o->name, .loc = o->loc,
	};
	struct nftnl_obj *no = nftnl_obj_alloc();

	if (!no)
		abort();
	nftnl_obj_set_str(no, NFTNL_OBJ_TABLE, IR_TABLE_NAME);
	nftnl_obj_set_str(no, NFTNL_OBJ_NAME, o->name);
	object_build(no, o);
	object_udata(no, o);
	nftnl_obj_nlmsg_build_payload(batch_msg(b, NFT_MSG_NEWOBJ,
						EMIT_TABLE_FAMILY,
						NLM_F_CREATE, &origin), no);
	batch_next(b);
	nftnl_obj_free(no);
}

void emit_table(struct batch *b, const struct ir_table *t)
{
	struct batch_origin o = {
		.what = BATCH_TABLE, .loc = { .file = t->source },
	};
	size_t i, j;

	table_msg(b, NFT_MSG_NEWTABLE, NULL, &o);
	table_msg(b, NFT_MSG_DELTABLE, NULL, &o);
	table_msg(b, NFT_MSG_NEWTABLE, t->source ? t->source : "", &o);
	for (i = 0; i < t->n_chains; i++)
		emit_chain(b, t->chains[i]);
	for (i = 0; i < t->n_objects; i++)
		emit_object(b, t->objects[i]);
	for (i = 0; i < t->n_sets; i++)
		if (!t->sets[i]->anonymous)
			emit_set(b, t->sets[i], t->sets[i]->name,
				 batch_set_id(b));
	for (i = 0; i < t->n_chains; i++)
		for (j = 0; j < t->chains[i]->n_rules; j++)
			emit_rule(b, t->chains[i], &t->chains[i]->rules[j],
				  t->queue_xt);
}
