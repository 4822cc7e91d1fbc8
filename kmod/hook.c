// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The packet path. fwctl's inspect chain (priority 10) puts the profile
 * of the matching inspect rule into the packet mark; then:
 *
 *   steer (15)   session decided?  deny -> drop, accept -> pass
 *                undecided, marked, budget left -> NFQUEUE (by flow)
 *                budget spent, every queued packet back -> default
 *   [fwctld]     verdict mark 0x80000000 / 0xc0000000, or none
 *   record (25)  a queued packet back: record the verdict, drop denied
 *
 * A packet resumes after the hook that queued it, so record sees exactly
 * the packets steer queued: steer clears the mark bits it owns from every
 * packet it does not queue. fwctld accepts denied packets with the deny
 * mark so that record drops them; a packet dropped in the queue (a full
 * queue, fail-closed without a reader) never comes back, and while one
 * is missing the session keeps going to the queue instead of falling to
 * the default: the default is for a reader that saw the packets and said
 * nothing.
 */
#include <linux/netfilter.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_queue.h>

#include <fwctl/mark.h>
#include "fwhook.h"

static unsigned int profile_of(const struct sk_buff *skb)
{
	return (skb->mark & FWHOOK_MARK_PROFILE_MASK) >>
	       FWHOOK_MARK_PROFILE_SHIFT;
}

static void account(struct fwh_session *s, const struct sk_buff *skb)
{
	atomic64_inc(&s->packets);
	atomic64_add(skb->len, &s->bytes);
	if (READ_ONCE(s->last) != jiffies)
		WRITE_ONCE(s->last, jiffies);
}

static unsigned int verdict_of(struct fwh_net *fn, u8 verdict)
{
	if (verdict == FWHOOK_VERDICT_DENY) {
		fwh_stat_inc(fn, dropped);
		return NF_DROP;
	}
	fwh_stat_inc(fn, accepted);
	return NF_ACCEPT;
}

static void decide(struct fwh_session *s, u8 verdict, u8 reason)
{
	WRITE_ONCE(s->reason, reason);
	WRITE_ONCE(s->verdict, verdict);
}

/*
 * One connection always goes to the same queue (fwctld's flow state is
 * per queue), even its first packets, which still have conntrack entries
 * of their own.
 */
static unsigned int queue(struct fwh_net *fn, const struct fwh_profile *p,
			  const struct nf_conn *ct)
{
	u32 q = p->queue_first + reciprocal_scale(fwh_session_hash(ct),
						  p->queue_count);

	fwh_stat_inc(fn, queued);
	return NF_QUEUE_NR(q) |
	       (p->fail_open ? NF_VERDICT_FLAG_QUEUE_BYPASS : 0);
}

static unsigned int steer_undecided(struct fwh_net *fn,
				    const struct fwh_profile *p,
				    struct fwh_session *s,
				    const struct nf_conn *ct)
{
	int queued = atomic_read(&s->queued);

	if (queued >= p->budget && atomic_read(&s->returned) >= queued) {
		decide(s, p->default_verdict, FWHOOK_REASON_BUDGET);
		fwh_stat_inc(fn, budget);
		return verdict_of(fn, p->default_verdict);
	}
	atomic_inc(&s->queued);
	return queue(fn, p, ct);
}

/*
 * The first confirmed conntrack entry that passes claims its session. A
 * packet of another confirmed entry, or of an unconfirmed one once the
 * session was claimed, belongs to a new connection that reuses the tuple
 * of an ended one (two live entries never share a tuple; before the
 * claim, unconfirmed entries are the first packets' own): the session
 * starts over, undecided, as the connection mark does in the nft form.
 */
static void session_renew(struct fwh_session *s, const struct nf_conn *ct)
{
	u32 id = nf_ct_is_confirmed(ct) ? nf_ct_get_id(ct) : 0;
	u32 old = READ_ONCE(s->ct_id);

	if (old == id)
		return;
	if (!old) {
		cmpxchg(&s->ct_id, 0, id);
		return;
	}
	if (cmpxchg(&s->ct_id, old, id) != old)
		return;
	decide(s, FWHOOK_VERDICT_UNDECIDED, 0);
	atomic_set(&s->queued, 0);
	atomic_set(&s->returned, 0);
	atomic64_set(&s->packets, 0);
	atomic64_set(&s->bytes, 0);
	WRITE_ONCE(s->first, jiffies);
}

static unsigned int steer(struct fwh_net *fn, const struct fwh_config *cfg,
			  struct sk_buff *skb, const struct nf_conn *ct)
{
	unsigned int idx = profile_of(skb);
	struct fwh_session *s = fwh_session_find(fn, ct);
	u8 verdict;

	if (idx > cfg->nprofiles)
		idx = 0;
	if (!s && idx) {
		s = fwh_session_create(fn, cfg, ct, idx - 1);
		if (!s) {
			fwh_stat_inc(fn, table_full);
			return queue(fn, &cfg->profiles[idx - 1], ct);
		}
	}
	if (!s)
		return NF_ACCEPT;
	session_renew(s, ct);
	account(s, skb);
	verdict = READ_ONCE(s->verdict);
	if (verdict != FWHOOK_VERDICT_UNDECIDED)
		return verdict_of(fn, verdict);
	if (!idx)
		return NF_ACCEPT;
	return steer_undecided(fn, &cfg->profiles[idx - 1], s, ct);
}

static unsigned int fwh_steer(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	struct fwh_net *fn = fwh_net(state->net);
	const struct fwh_config *cfg = rcu_dereference(fn->config);
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct = nf_ct_get(skb, &ctinfo);
	unsigned int v;

	if (!cfg || !ct) {
		v = NF_ACCEPT;
	} else {
		v = steer(fn, cfg, skb, ct);
		if ((v & NF_VERDICT_MASK) == NF_QUEUE)
			return v;
	}
	if (profile_of(skb))
		skb->mark &= ~FWHOOK_MARK_OWNED;
	return v;
}

static void record(struct fwh_net *fn, struct fwh_session *s, u32 mark)
{
	atomic_inc(&s->returned);
	if (!(mark & FWCTL_MARK_DECIDED))
		return;
	decide(s, (mark & FWCTL_MARK_DENIED) ? FWHOOK_VERDICT_DENY :
					      FWHOOK_VERDICT_ACCEPT,
	       FWHOOK_REASON_DAEMON);
	fwh_stat_inc(fn, verdicts);
}

static unsigned int fwh_record(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
	struct fwh_net *fn = fwh_net(state->net);
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct;
	struct fwh_session *s;
	u32 mark = skb->mark;

	if (!profile_of(skb))
		return NF_ACCEPT;
	skb->mark &= ~FWHOOK_MARK_OWNED;
	ct = nf_ct_get(skb, &ctinfo);
	s = ct ? fwh_session_find(fn, ct) : NULL;
	if (s)
		record(fn, s, mark);
	if ((mark & FWCTL_MARK_DENY) == FWCTL_MARK_DENY) {
		fwh_stat_inc(fn, dropped);
		return NF_DROP;
	}
	return NF_ACCEPT;
}

#define FWH_HOOK(fn, num, prio) { \
	.hook = fn, .pf = NFPROTO_INET, .hooknum = num, .priority = prio }

static const struct nf_hook_ops fwh_ops[] = {
	FWH_HOOK(fwh_steer, NF_INET_LOCAL_IN, FWHOOK_PRIO_STEER),
	FWH_HOOK(fwh_steer, NF_INET_FORWARD, FWHOOK_PRIO_STEER),
	FWH_HOOK(fwh_steer, NF_INET_LOCAL_OUT, FWHOOK_PRIO_STEER),
	FWH_HOOK(fwh_record, NF_INET_LOCAL_IN, FWHOOK_PRIO_RECORD),
	FWH_HOOK(fwh_record, NF_INET_FORWARD, FWHOOK_PRIO_RECORD),
	FWH_HOOK(fwh_record, NF_INET_LOCAL_OUT, FWHOOK_PRIO_RECORD),
};

/* Sessions need conntrack in the namespace even without ct rules. */
int fwh_hooks_register(struct net *net)
{
	int ret = nf_ct_netns_get(net, NFPROTO_INET);

	if (ret)
		return ret;
	ret = nf_register_net_hooks(net, fwh_ops, ARRAY_SIZE(fwh_ops));
	if (ret)
		nf_ct_netns_put(net, NFPROTO_INET);
	return ret;
}

void fwh_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, fwh_ops, ARRAY_SIZE(fwh_ops));
	nf_ct_netns_put(net, NFPROTO_INET);
}
