// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel feature probes (see feature.h). A probe is a table entry: the
 * family of its scratch table, whether it needs a filter base chain, and
 * a builder for what it tries. The batch is sent without END: validated,
 * never applied.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/flowtable.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "batch.h"
#include "emit.h"
#include "feature.h"

#define PROBE_TABLE	"fwctl-probe"
#define PROBE_CHAIN	"c"

static const struct batch_origin probe_origin = {
	.what = BATCH_OBJECT, .name = "probe",
};

static struct nlmsghdr *probe_msg(struct batch *b, uint16_t type,
				  uint16_t family)
{
	return batch_msg(b, type, family, NLM_F_CREATE, &probe_origin);
}

static void probe_table(struct batch *b, uint16_t family)
{
	struct nftnl_table *t = nftnl_table_alloc();

	nftnl_table_set_str(t, NFTNL_TABLE_NAME, PROBE_TABLE);
	nftnl_table_nlmsg_build_payload(probe_msg(b, NFT_MSG_NEWTABLE, family),
					t);
	batch_next(b);
	nftnl_table_free(t);
}

static void probe_chain(struct batch *b, uint16_t family, const char *name,
			const char *type, uint32_t hook, int prio)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, PROBE_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, type);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
	nftnl_chain_nlmsg_build_payload(probe_msg(b, NFT_MSG_NEWCHAIN, family),
					c);
	batch_next(b);
	nftnl_chain_free(c);
}

typedef void (*rule_fill_fn)(struct nftnl_rule *nr);

static void probe_rule(struct batch *b, const char *chain, rule_fill_fn fill)
{
	struct nftnl_rule *nr = nftnl_rule_alloc();

	nftnl_rule_set_str(nr, NFTNL_RULE_TABLE, PROBE_TABLE);
	nftnl_rule_set_str(nr, NFTNL_RULE_CHAIN, chain);
	fill(nr);
	nftnl_rule_nlmsg_build_payload(probe_msg(b, NFT_MSG_NEWRULE,
						 NFPROTO_INET), nr);
	batch_next(b);
	nftnl_rule_free(nr);
}

static void fill_counter(struct nftnl_rule *nr)
{
	emit_counter(nr);
}

static void fill_reject(struct nftnl_rule *nr)
{
	emit_reject(nr, NFT_REJECT_ICMPX_UNREACH,
		    NFT_REJECT_ICMPX_PORT_UNREACH);
}

static void fill_limit(struct nftnl_rule *nr)
{
	emit_limit(nr, 10, 1, 5);
}

static void fill_log(struct nftnl_rule *nr)
{
	emit_log(nr, "fwctl-probe ");
}

static void fill_ct(struct nftnl_rule *nr)
{
	uint32_t mask = 6, zero = 0;

	emit_ct(nr, NFT_CT_STATE);
	emit_bitwise(nr, &mask, sizeof(mask));
	emit_cmp(nr, NFT_CMP_NEQ, &zero, sizeof(zero));
}

static void fill_queue(struct nftnl_rule *nr)
{
	struct nftnl_expr *e = emit_expr_new(nr, "queue");

	nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_NUM, 0);
	nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_TOTAL, 1);
	nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_FLAGS, 0);
}

/*
 * xt_NFQUEUE's struct xt_NFQ_info_v3 (queue 0, 1 queue, no flags), padded
 * to XT_ALIGN: 8 bytes. libnftnl keeps the pointer and frees it.
 */
static void fill_xt_nfqueue(struct nftnl_rule *nr)
{
	struct nftnl_expr *e = emit_expr_new(nr, "target");
	uint16_t *info = calloc(4, sizeof(*info));

	if (!info)
		abort();
	info[1] = 1;
	nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "NFQUEUE");
	nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, 3);
	nftnl_expr_set_data(e, NFTNL_EXPR_TG_INFO, info, 4 * sizeof(*info));
}

static void fill_connlimit(struct nftnl_rule *nr)
{
	struct nftnl_expr *e = emit_expr_new(nr, "connlimit");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CONNLIMIT_COUNT, 10);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CONNLIMIT_FLAGS, 0);
}

static void fill_synproxy(struct nftnl_rule *nr)
{
	struct nftnl_expr *e = emit_expr_new(nr, "synproxy");

	nftnl_expr_set_u16(e, NFTNL_EXPR_SYNPROXY_MSS, 1460);
	nftnl_expr_set_u8(e, NFTNL_EXPR_SYNPROXY_WSCALE, 7);
	nftnl_expr_set_u32(e, NFTNL_EXPR_SYNPROXY_FLAGS, 0);
}

/* reg1 = 192.0.2.1, then NAT of type to it. */
static void fill_nat_to(struct nftnl_rule *nr, uint32_t type)
{
	struct nftnl_expr *imm = emit_expr_new(nr, "immediate"), *nat;
	uint32_t addr = htonl(0xc0000201);

	nftnl_expr_set_u32(imm, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
	nftnl_expr_set_data(imm, NFTNL_EXPR_IMM_DATA, &addr, sizeof(addr));
	nat = emit_expr_new(nr, "nat");
	nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_TYPE, type);
	nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
	nftnl_expr_set_u32(nat, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
}

static void fill_snat(struct nftnl_rule *nr)
{
	fill_nat_to(nr, NFT_NAT_SNAT);
}

static void fill_dnat(struct nftnl_rule *nr)
{
	fill_nat_to(nr, NFT_NAT_DNAT);
}

static void fill_masq(struct nftnl_rule *nr)
{
	emit_expr_new(nr, "masq");
}

static void fill_redir(struct nftnl_rule *nr)
{
	emit_expr_new(nr, "redir");
}

static void build_nat(struct batch *b)
{
	probe_chain(b, NFPROTO_INET, "post", "nat", NF_INET_POST_ROUTING, 100);
	probe_chain(b, NFPROTO_INET, "pre", "nat", NF_INET_PRE_ROUTING, -100);
	probe_rule(b, "post", fill_masq);
	probe_rule(b, "post", fill_snat);
	probe_rule(b, "pre", fill_dnat);
	probe_rule(b, "pre", fill_redir);
}

static struct nftnl_set *probe_set(const char *name, uint32_t flags,
				   uint32_t key_len)
{
	struct nftnl_set *s = nftnl_set_alloc();

	nftnl_set_set_str(s, NFTNL_SET_TABLE, PROBE_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, flags);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, key_len);
	nftnl_set_set_u32(s, NFTNL_SET_ID, 1);
	return s;
}

static void probe_set_send(struct batch *b, struct nftnl_set *s, bool elems)
{
	nftnl_set_nlmsg_build_payload(probe_msg(b, NFT_MSG_NEWSET,
						NFPROTO_INET), s);
	batch_next(b);
	if (elems) {
		nftnl_set_elems_nlmsg_build_payload(
			probe_msg(b, NFT_MSG_NEWSETELEM, NFPROTO_INET), s);
		batch_next(b);
	}
	nftnl_set_free(s);
}

static void build_interval_timeout(struct batch *b)
{
	struct nftnl_set *s = probe_set("s", NFT_SET_INTERVAL |
					NFT_SET_TIMEOUT, 4);

	nftnl_set_set_u64(s, NFTNL_SET_TIMEOUT, 60000);
	probe_set_send(b, s, false);
}

static void fill_vmap_lookup(struct nftnl_rule *nr)
{
	emit_meta(nr, NFT_META_L4PROTO);
	emit_lookup(nr, "m", 1, true, false);
}

static void build_vmap(struct batch *b)
{
	struct nftnl_set *s = probe_set("m", NFT_SET_MAP, 1);
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();
	uint8_t tcp = 6;

	nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &tcp, sizeof(tcp));
	nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, NF_ACCEPT);
	nftnl_set_elem_add(s, e);
	probe_set_send(b, s, true);
	probe_rule(b, PROBE_CHAIN, fill_vmap_lookup);
}

/* ipv4_addr . inet_service with ranges: the pipapo set back end. */
static void build_concat(struct batch *b)
{
	static const uint8_t fields[] = { 4, 2 };
	struct nftnl_set *s = probe_set("c", NFT_SET_INTERVAL | NFT_SET_CONCAT,
					8);

	nftnl_set_set_data(s, NFTNL_SET_DESC_CONCAT, fields, sizeof(fields));
	probe_set_send(b, s, false);
}

/*
 * A flow cache (opt_flow.c): a dynamic set with timeouts keyed by
 * saddr . daddr . l4proto . sport . dport, looked up and added to by the
 * same rule, each key part in its own 32-bit register; and the flow map
 * in front of the tree (opt_guard.c), an interval verdict map of the
 * same key.
 */
static void flow_key(struct nftnl_rule *nr)
{
	emit_payload_to(nr, NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG32_00);
	emit_payload_to(nr, NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG32_01);
	emit_meta_to(nr, NFT_META_L4PROTO, NFT_REG32_02);
	emit_payload_to(nr, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, NFT_REG32_03);
	emit_payload_to(nr, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_04);
}

static void fill_flow_cache(struct nftnl_rule *nr)
{
	flow_key(nr);
	emit_lookup(nr, "f", 1, false, true);
	emit_dynset_add(nr, "f", 1);
}

static void fill_flow_map(struct nftnl_rule *nr)
{
	flow_key(nr);
	emit_lookup(nr, "g", 2, true, false);
}

static void build_flow_cache(struct batch *b)
{
	static const uint8_t fields[] = { 4, 4, 1, 2, 2 };
	struct nftnl_set *s = probe_set("f", NFT_SET_EVAL | NFT_SET_TIMEOUT,
					5 * 4);

	nftnl_set_set_u64(s, NFTNL_SET_TIMEOUT, 60000);
	nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, EMIT_FLOW_SIZE);
	probe_set_send(b, s, false);
	probe_rule(b, PROBE_CHAIN, fill_flow_cache);
	s = probe_set("g", NFT_SET_INTERVAL | NFT_SET_CONCAT | NFT_SET_MAP,
		      5 * 4);
	nftnl_set_set_u32(s, NFTNL_SET_ID, 2);
	nftnl_set_set_data(s, NFTNL_SET_DESC_CONCAT, fields, sizeof(fields));
	nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
	nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, 0);
	probe_set_send(b, s, false);
	probe_rule(b, PROBE_CHAIN, fill_flow_map);
}

static void build_ct_helper(struct batch *b)
{
	struct nftnl_obj *o = nftnl_obj_alloc();

	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, PROBE_TABLE);
	nftnl_obj_set_str(o, NFTNL_OBJ_NAME, "h");
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_CT_HELPER);
	nftnl_obj_set_str(o, NFTNL_OBJ_CT_HELPER_NAME, "ftp");
	nftnl_obj_set_u8(o, NFTNL_OBJ_CT_HELPER_L4PROTO, 6);
	nftnl_obj_nlmsg_build_payload(probe_msg(b, NFT_MSG_NEWOBJ,
						NFPROTO_INET), o);
	batch_next(b);
	nftnl_obj_free(o);
}

static void build_ct_timeout(struct batch *b)
{
	uint32_t timeouts[NFTNL_CTTIMEOUT_TCP_MAX] = {
		[NFTNL_CTTIMEOUT_TCP_ESTABLISHED] = 3600,
	};
	struct nftnl_obj *o = nftnl_obj_alloc();

	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, PROBE_TABLE);
	nftnl_obj_set_str(o, NFTNL_OBJ_NAME, "t");
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_CT_TIMEOUT);
	nftnl_obj_set_u16(o, NFTNL_OBJ_CT_TIMEOUT_L3PROTO, NFPROTO_IPV4);
	nftnl_obj_set_u8(o, NFTNL_OBJ_CT_TIMEOUT_L4PROTO, 6);
	nftnl_obj_set_data(o, NFTNL_OBJ_CT_TIMEOUT_ARRAY, timeouts,
			   sizeof(timeouts));
	nftnl_obj_nlmsg_build_payload(probe_msg(b, NFT_MSG_NEWOBJ,
						NFPROTO_INET), o);
	batch_next(b);
	nftnl_obj_free(o);
}

static void build_flowtable(struct batch *b)
{
	struct nftnl_flowtable *f = nftnl_flowtable_alloc();

	nftnl_flowtable_set_str(f, NFTNL_FLOWTABLE_TABLE, PROBE_TABLE);
	nftnl_flowtable_set_str(f, NFTNL_FLOWTABLE_NAME, "f");
	nftnl_flowtable_set_u32(f, NFTNL_FLOWTABLE_HOOKNUM, NF_NETDEV_INGRESS);
	nftnl_flowtable_set_s32(f, NFTNL_FLOWTABLE_PRIO, 0);
	nftnl_flowtable_nlmsg_build_payload(probe_msg(b, NFT_MSG_NEWFLOWTABLE,
						      NFPROTO_INET), f);
	batch_next(b);
	nftnl_flowtable_free(f);
}

struct probe {
	const char	*name;
	const char	*label;
	uint16_t	family;
	bool		chain;		/* a filter input chain first */
	rule_fill_fn	rule;		/* one rule in that chain, or */
	void		(*build)(struct batch *b);	/* anything else */
};

#define INET	.family = NFPROTO_INET
#define CHAIN	.chain = true

static const struct probe probes[] = {
	{ "nf_tables", "nf_tables", .family = NFPROTO_IPV4 },
	{ "inet", "inet family", INET, CHAIN },
	{ "counter", "counter", INET, CHAIN, .rule = fill_counter },
	{ "reject", "reject", INET, CHAIN, .rule = fill_reject },
	{ "limit", "limit", INET, CHAIN, .rule = fill_limit },
	{ "log", "log", INET, CHAIN, .rule = fill_log },
	{ "ct", "conntrack (ct)", INET, CHAIN, .rule = fill_ct },
	{ "set_interval_timeout", "sets: interval + timeout", INET,
	  .build = build_interval_timeout },
	{ "vmap", "verdict maps", INET, CHAIN, .build = build_vmap },
	{ "concat", "concatenations", INET, .build = build_concat },
	{ "flow_cache", "flow cache (concatenated sets + maps)",
	  INET, CHAIN,
	  .build = build_flow_cache },
	{ "nat", "nat (masquerade, snat, dnat, redirect)", INET,
	  .build = build_nat },
	{ "queue", "queue expression", INET, CHAIN, .rule = fill_queue },
	{ "xt_nfqueue", "xt NFQUEUE target (nft_compat)", INET, CHAIN,
	  .rule = fill_xt_nfqueue },
	{ "ct_helper", "ct helper object (ftp)", INET,
	  .build = build_ct_helper },
	{ "ct_timeout", "ct timeout object", INET, .build = build_ct_timeout },
	{ "connlimit", "connlimit", INET, CHAIN, .rule = fill_connlimit },
	{ "flowtable", "flowtable", INET, .build = build_flowtable },
	{ "synproxy", "synproxy", INET, CHAIN, .rule = fill_synproxy },
};

/*
 * FWCTL_PROBE_DENY: a comma-separated list of probe names to report as
 * unsupported without asking, so fwctl's fallbacks for older kernels can
 * be tried (and tested) on a kernel that has everything.
 */
bool feature_probe_denied(const char *name)
{
	const char *deny = getenv("FWCTL_PROBE_DENY"), *p;
	size_t n = strlen(name);

	for (p = deny; p && *p; p += strcspn(p, ",")) {
		p += *p == ',';
		if (!strncmp(p, name, n) && (p[n] == ',' || !p[n]))
			return true;
	}
	return false;
}

static int probe_run(struct nlsock *s, const struct probe *p)
{
	struct batch *b;
	int err;

	if (feature_probe_denied(p->name))
		return -EOPNOTSUPP;
	b = batch_new(s);
	probe_table(b, p->family);
	if (p->chain)
		probe_chain(b, p->family, PROBE_CHAIN, "filter",
			    NF_INET_LOCAL_IN, 0);
	if (p->rule)
		probe_rule(b, PROBE_CHAIN, p->rule);
	if (p->build)
		p->build(b);
	err = batch_send(b, 0, false, NULL, NULL);
	batch_free(b);
	return err;
}

size_t feature_probe_all(struct nlsock *s, struct feature *out)
{
	size_t i, n = sizeof(probes) / sizeof(probes[0]);

	for (i = 0; i < n && i < FEATURE_MAX; i++) {
		out[i].name = probes[i].name;
		out[i].label = probes[i].label;
		out[i].err = probe_run(s, &probes[i]);
	}
	return i;
}

static const struct probe *probe_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		if (!strcmp(probes[i].name, name))
			return &probes[i];
	abort();
}

int feature_probe(struct nlsock *s, const char *name)
{
	return probe_run(s, probe_find(name));
}

enum feature_queue feature_queue_probe(struct nlsock *s)
{
	if (!probe_run(s, probe_find("queue")))
		return FEATURE_QUEUE_NATIVE;
	if (!probe_run(s, probe_find("xt_nfqueue")))
		return FEATURE_QUEUE_XT;
	return FEATURE_QUEUE_NONE;
}

enum feature_queue feature_queue_of(const struct feature *f, size_t n)
{
	bool xt = false;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!strcmp(f[i].name, "queue") && !f[i].err)
			return FEATURE_QUEUE_NATIVE;
		xt |= !strcmp(f[i].name, "xt_nfqueue") && !f[i].err;
	}
	return xt ? FEATURE_QUEUE_XT : FEATURE_QUEUE_NONE;
}

const char *feature_queue_label(enum feature_queue q)
{
	static const char *const labels[] = {
		[FEATURE_QUEUE_NONE] = "none",
		[FEATURE_QUEUE_NATIVE] = "native nft queue",
		[FEATURE_QUEUE_XT] = "queue via xt NFQUEUE (nft_compat)",
	};

	return labels[q];
}
