// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The generic netlink family "fwhook" (include/fwctl/fwhook.h). Policies
 * sit beside the handlers; validation is strict for every command, so
 * the handlers only check what a policy cannot express.
 */
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netfilter/nf_conntrack.h>

#include "fwhook.h"

#define FWH_DEFAULT_IDLE	120
#define FWH_DEFAULT_SESSIONS	65536

static const struct nla_policy fwh_profile_policy[FWHOOK_P_MAX + 1] = {
	[FWHOOK_P_QUEUE_FIRST] = { .type = NLA_U16 },
	[FWHOOK_P_QUEUE_COUNT] = NLA_POLICY_RANGE(NLA_U16, 1,
						  FWHOOK_QUEUES_MAX),
	[FWHOOK_P_FAIL_OPEN] = NLA_POLICY_MAX(NLA_U8, 1),
	[FWHOOK_P_DEFAULT] = NLA_POLICY_RANGE(NLA_U8, FWHOOK_VERDICT_ACCEPT,
					      FWHOOK_VERDICT_DENY),
	[FWHOOK_P_BUDGET] = NLA_POLICY_RANGE(NLA_U16, 1, 1000),
};

/* Ranges beyond s16 need a range object of their own. */
static struct netlink_range_validation fwh_idle_range = {
	.min = 1, .max = 86400,
};

static struct netlink_range_validation fwh_sessions_range = {
	.min = 1, .max = 1 << 20,
};

static const struct nla_policy fwh_policy[FWHOOK_A_MAX + 1] = {
	[FWHOOK_A_IDLE_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32,
							&fwh_idle_range),
	[FWHOOK_A_MAX_SESSIONS] = NLA_POLICY_FULL_RANGE(NLA_U32,
							&fwh_sessions_range),
	[FWHOOK_A_PROFILES] = NLA_POLICY_NESTED_ARRAY(fwh_profile_policy),
	[FWHOOK_A_SESSION_ID] = { .type = NLA_U64 },
};

static struct genl_family fwh_family;

static u32 attr_u32(struct nlattr *a, u32 def)
{
	return a ? nla_get_u32(a) : def;
}

static int profile_parse(struct fwh_profile *p, struct nlattr *nest,
			 struct netlink_ext_ack *extack)
{
	struct nlattr *tb[FWHOOK_P_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, FWHOOK_P_MAX, nest, fwh_profile_policy,
			       extack);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, FWHOOK_P_QUEUE_FIRST))
		return -EINVAL;
	p->queue_first = nla_get_u16(tb[FWHOOK_P_QUEUE_FIRST]);
	p->queue_count = tb[FWHOOK_P_QUEUE_COUNT] ?
			 nla_get_u16(tb[FWHOOK_P_QUEUE_COUNT]) : 1;
	p->fail_open = tb[FWHOOK_P_FAIL_OPEN] ?
		       nla_get_u8(tb[FWHOOK_P_FAIL_OPEN]) : 1;
	p->default_verdict = tb[FWHOOK_P_DEFAULT] ?
			     nla_get_u8(tb[FWHOOK_P_DEFAULT]) :
			     FWHOOK_VERDICT_ACCEPT;
	p->budget = tb[FWHOOK_P_BUDGET] ?
		    nla_get_u16(tb[FWHOOK_P_BUDGET]) : 8;
	if (p->queue_first + p->queue_count - 1 > U16_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "queue range beyond 65535");
		return -ERANGE;
	}
	return 0;
}

/* A complete new configuration, not yet visible to anyone. */
static int config_parse(struct genl_info *info, struct fwh_config **out)
{
	struct nlattr *list = info->attrs[FWHOOK_A_PROFILES], *nest;
	struct fwh_config *cfg;
	int n = 0, rem, ret;

	nla_for_each_nested(nest, list, rem)
		n++;
	if (n > FWHOOK_PROFILES_MAX) {
		NL_SET_ERR_MSG_ATTR(info->extack, list, "too many profiles");
		return -E2BIG;
	}
	cfg = kzalloc(struct_size(cfg, profiles, n), GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;
	cfg->idle_timeout = HZ * attr_u32(info->attrs[FWHOOK_A_IDLE_TIMEOUT],
					  FWH_DEFAULT_IDLE);
	cfg->max_sessions = attr_u32(info->attrs[FWHOOK_A_MAX_SESSIONS],
				     FWH_DEFAULT_SESSIONS);
	nla_for_each_nested(nest, list, rem) {
		ret = profile_parse(&cfg->profiles[cfg->nprofiles], nest,
				    info->extack);
		if (ret) {
			kfree(cfg);
			return ret;
		}
		cfg->nprofiles++;
	}
	*out = cfg;
	return 0;
}

/* No profiles (or none given) switches the namespace off. */
static int fwh_nl_set_config(struct sk_buff *skb, struct genl_info *info)
{
	struct fwh_net *fn = fwh_net(genl_info_net(info));
	struct fwh_config *cfg;
	int ret;

	if (!info->attrs[FWHOOK_A_PROFILES]) {
		fwh_config_clear(fn);
		return 0;
	}
	ret = config_parse(info, &cfg);
	if (ret)
		return ret;
	if (!cfg->nprofiles) {
		kfree(cfg);
		fwh_config_clear(fn);
		return 0;
	}
	return fwh_config_set(fn, cfg);
}

static int profile_put(struct sk_buff *msg, const struct fwh_profile *p,
		       int index)
{
	struct nlattr *nest = nla_nest_start(msg, index);

	if (!nest ||
	    nla_put_u16(msg, FWHOOK_P_QUEUE_FIRST, p->queue_first) ||
	    nla_put_u16(msg, FWHOOK_P_QUEUE_COUNT, p->queue_count) ||
	    nla_put_u8(msg, FWHOOK_P_FAIL_OPEN, p->fail_open) ||
	    nla_put_u8(msg, FWHOOK_P_DEFAULT, p->default_verdict) ||
	    nla_put_u16(msg, FWHOOK_P_BUDGET, p->budget))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int config_put(struct sk_buff *msg, const struct fwh_config *cfg)
{
	struct nlattr *nest;
	u32 i;

	if (nla_put_u32(msg, FWHOOK_A_IDLE_TIMEOUT, cfg->idle_timeout / HZ) ||
	    nla_put_u32(msg, FWHOOK_A_MAX_SESSIONS, cfg->max_sessions))
		return -EMSGSIZE;
	nest = nla_nest_start(msg, FWHOOK_A_PROFILES);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < cfg->nprofiles; i++)
		if (profile_put(msg, &cfg->profiles[i], i + 1))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

#define FWH_STAT(attr, field) { attr, offsetof(struct fwh_stats, field) }

static const struct {
	u16 type;
	size_t off;
} fwh_stat_attrs[] = {
	FWH_STAT(FWHOOK_ST_CREATED, created),
	FWH_STAT(FWHOOK_ST_EXPIRED, expired),
	FWH_STAT(FWHOOK_ST_TABLE_FULL, table_full),
	FWH_STAT(FWHOOK_ST_QUEUED, queued),
	FWH_STAT(FWHOOK_ST_ACCEPTED, accepted),
	FWH_STAT(FWHOOK_ST_DROPPED, dropped),
	FWH_STAT(FWHOOK_ST_VERDICTS, verdicts),
	FWH_STAT(FWHOOK_ST_BUDGET, budget),
};

static int stats_put(struct sk_buff *msg, const struct fwh_net *fn)
{
	struct nlattr *nest = nla_nest_start(msg, FWHOOK_A_STATS);
	struct fwh_stats s;
	size_t i;

	if (!nest ||
	    nla_put_u32(msg, FWHOOK_ST_SESSIONS, atomic_read(&fn->nsessions)))
		return -EMSGSIZE;
	fwh_stats_sum(fn, &s);
	for (i = 0; i < ARRAY_SIZE(fwh_stat_attrs); i++) {
		u64 v = *(u64 *)((char *)&s + fwh_stat_attrs[i].off);

		if (nla_put_u64_64bit(msg, fwh_stat_attrs[i].type, v,
				      FWHOOK_ST_PAD))
			return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* GET_CONFIG and GET_STATS: one reply built by fill under rcu. */
static int reply(struct genl_info *info,
		 int (*fill)(struct sk_buff *, struct fwh_net *))
{
	struct fwh_net *fn = fwh_net(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;
	int ret;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &fwh_family, 0, info->genlhdr->cmd);
	ret = -EMSGSIZE;
	if (!hdr || nla_put_u32(msg, FWHOOK_A_VERSION, FWHOOK_GENL_VERSION))
		goto err;
	rcu_read_lock();
	ret = fill(msg, fn);
	rcu_read_unlock();
	if (ret)
		goto err;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	nlmsg_free(msg);
	return ret;
}

static int fill_config(struct sk_buff *msg, struct fwh_net *fn)
{
	const struct fwh_config *cfg = rcu_dereference(fn->config);

	return cfg ? config_put(msg, cfg) : 0;
}

static int fill_stats(struct sk_buff *msg, struct fwh_net *fn)
{
	return stats_put(msg, fn);
}

static int fwh_nl_get_config(struct sk_buff *skb, struct genl_info *info)
{
	return reply(info, fill_config);
}

static int fwh_nl_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	return reply(info, fill_stats);
}

static int fwh_nl_del_session(struct sk_buff *skb, struct genl_info *info)
{
	struct fwh_net *fn = fwh_net(genl_info_net(info));
	struct nlattr *id = info->attrs[FWHOOK_A_SESSION_ID];

	if (!id) {
		fwh_session_flush(fn);
		return 0;
	}
	if (fwh_session_delete(fn, nla_get_u64(id))) {
		NL_SET_ERR_MSG_ATTR(info->extack, id, "no such session");
		return -ENOENT;
	}
	return 0;
}

static bool has_ports(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_SCTP || proto == IPPROTO_UDPLITE ||
	       proto == IPPROTO_DCCP;
}

static int tuple_put(struct sk_buff *msg, const struct nf_conntrack_tuple *t)
{
	int alen = t->src.l3num == NFPROTO_IPV6 ? 16 : 4;
	u8 proto = t->dst.protonum;
	bool ports = has_ports(proto);

	if (nla_put_u8(msg, FWHOOK_S_FAMILY, t->src.l3num) ||
	    nla_put_u8(msg, FWHOOK_S_PROTO, proto) ||
	    nla_put(msg, FWHOOK_S_SADDR, alen, &t->src.u3) ||
	    nla_put(msg, FWHOOK_S_DADDR, alen, &t->dst.u3) ||
	    nla_put_u16(msg, FWHOOK_S_SPORT, ports ? ntohs(t->src.u.all) : 0) ||
	    nla_put_u16(msg, FWHOOK_S_DPORT, ports ? ntohs(t->dst.u.all) : 0))
		return -EMSGSIZE;
	return 0;
}

static u64 ms_since(unsigned long then)
{
	return jiffies_to_msecs(jiffies - then);
}

static int session_fill(struct sk_buff *msg, const struct fwh_session *s)
{
	if (nla_put_u64_64bit(msg, FWHOOK_S_ID, s->id, FWHOOK_S_PAD) ||
	    tuple_put(msg, &s->tuple) ||
	    nla_put_u8(msg, FWHOOK_S_VERDICT, READ_ONCE(s->verdict)) ||
	    nla_put_u8(msg, FWHOOK_S_REASON, READ_ONCE(s->reason)) ||
	    nla_put_u8(msg, FWHOOK_S_PROFILE, s->profile) ||
	    nla_put_u64_64bit(msg, FWHOOK_S_PACKETS,
			      atomic64_read(&s->packets), FWHOOK_S_PAD) ||
	    nla_put_u64_64bit(msg, FWHOOK_S_BYTES, atomic64_read(&s->bytes),
			      FWHOOK_S_PAD) ||
	    nla_put_u32(msg, FWHOOK_S_QUEUED, atomic_read(&s->queued)) ||
	    nla_put_u32(msg, FWHOOK_S_RETURNED, atomic_read(&s->returned)) ||
	    nla_put_u64_64bit(msg, FWHOOK_S_AGE_MS, ms_since(s->first),
			      FWHOOK_S_PAD) ||
	    nla_put_u64_64bit(msg, FWHOOK_S_IDLE_MS,
			      ms_since(READ_ONCE(s->last)), FWHOOK_S_PAD))
		return -EMSGSIZE;
	return 0;
}

static int session_put(struct sk_buff *skb, struct netlink_callback *cb,
		       const struct fwh_session *s)
{
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &fwh_family, NLM_F_MULTI, FWHOOK_CMD_GET_SESSION);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, FWHOOK_A_SESSION);
	if (!nest || session_fill(skb, s)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * The cursor is (bucket, position in bucket). Sessions added or removed
 * between two parts of a dump may be missed or repeated, as in any
 * netlink dump of a live table; each one shows its own id.
 */
static int fwh_nl_dump_sessions(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct fwh_net *fn = fwh_net(sock_net(skb->sk));
	unsigned long bkt = cb->args[0], skip = cb->args[1], i = 0;
	struct fwh_session *s;

	rcu_read_lock();
	for (; bkt < HASH_SIZE(fn->table); bkt++, skip = 0) {
		i = 0;
		hlist_for_each_entry_rcu(s, &fn->table[bkt], node) {
			if (i >= skip && session_put(skb, cb, s))
				goto out;
			i++;
		}
	}
	i = 0;
out:
	rcu_read_unlock();
	cb->args[0] = bkt;
	cb->args[1] = i;
	return skb->len;
}

static const struct genl_small_ops fwh_nl_ops[] = {
	{
		.cmd = FWHOOK_CMD_SET_CONFIG,
		.doit = fwh_nl_set_config,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = FWHOOK_CMD_GET_CONFIG,
		.doit = fwh_nl_get_config,
	}, {
		.cmd = FWHOOK_CMD_GET_SESSION,
		.dumpit = fwh_nl_dump_sessions,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = FWHOOK_CMD_DEL_SESSION,
		.doit = fwh_nl_del_session,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = FWHOOK_CMD_GET_STATS,
		.doit = fwh_nl_get_stats,
	},
};

static struct genl_family fwh_family __ro_after_init = {
	.name = FWHOOK_GENL_NAME,
	.version = FWHOOK_GENL_VERSION,
	.maxattr = FWHOOK_A_MAX,
	.policy = fwh_policy,
	.netnsok = true,
	.module = THIS_MODULE,
	.small_ops = fwh_nl_ops,
	.n_small_ops = ARRAY_SIZE(fwh_nl_ops),
};

int __init fwh_genl_init(void)
{
	return genl_register_family(&fwh_family);
}

void fwh_genl_exit(void)
{
	genl_unregister_family(&fwh_family);
}
