// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The session table: a fixed hash of RCU lists keyed by the original
 * tuple of the conntrack entry. Not by the entry's address: while the
 * first packet of a connection waits in the queue its entry is not yet
 * confirmed, so the packets behind it get entries of their own (merged
 * later); by tuple they all find the same session.
 * Readers (the hooks, the dump) take no lock; writers (create, delete,
 * garbage collection) hold table_lock, and memory is freed after a grace
 * period. The table is bounded by the configured maximum and by idle
 * timeouts, which the collector enforces every FWHOOK_GC_PERIOD.
 */
#include <linux/jhash.h>
#include <linux/slab.h>
#include <net/netfilter/nf_conntrack.h>

#include "fwhook.h"

static const struct nf_conntrack_tuple *orig_tuple(const struct nf_conn *ct)
{
	return &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
}

static u32 fwh_seed __read_mostly;

/* As conntrack hashes its tuples; the seed keeps the buckets unguessable. */
static u32 tuple_hash(const struct nf_conntrack_tuple *t)
{
	net_get_random_once(&fwh_seed, sizeof(fwh_seed));
	return jhash2((const u32 *)t,
		      (sizeof(t->src) + sizeof(t->dst.u3)) / sizeof(u32),
		      fwh_seed ^ ((__force u32)t->dst.u.all << 16 |
				  t->dst.protonum));
}

static struct fwh_session *lookup(struct fwh_net *fn,
				  const struct nf_conntrack_tuple *t, u32 key)
{
	struct fwh_session *s;

	hash_for_each_possible_rcu(fn->table, s, node, key,
				   lockdep_is_held(&fn->table_lock))
		if (nf_ct_tuple_equal(&s->tuple, t))
			return s;
	return NULL;
}

u32 fwh_session_hash(const struct nf_conn *ct)
{
	return tuple_hash(orig_tuple(ct));
}

struct fwh_session *fwh_session_find(struct fwh_net *fn,
				     const struct nf_conn *ct)
{
	const struct nf_conntrack_tuple *t = orig_tuple(ct);

	return lookup(fn, t, tuple_hash(t));
}

static void session_init(struct fwh_session *s, const struct nf_conn *ct,
			 u8 profile)
{
	s->tuple = *orig_tuple(ct);
	s->first = jiffies;
	s->last = s->first;
	s->profile = profile;
}

/*
 * The lookup is repeated under the lock: two CPUs may see the first two
 * packets of one connection at once, and both must end up with the same
 * session. NULL when the table is full or memory is short.
 */
struct fwh_session *fwh_session_create(struct fwh_net *fn,
				       const struct fwh_config *cfg,
				       const struct nf_conn *ct, u8 profile)
{
	struct fwh_session *s, *old;
	u32 key;

	s = kzalloc(sizeof(*s), GFP_ATOMIC);
	if (!s)
		return NULL;
	session_init(s, ct, profile);
	key = tuple_hash(&s->tuple);
	spin_lock_bh(&fn->table_lock);
	old = lookup(fn, &s->tuple, key);
	if (old || atomic_read(&fn->nsessions) >= cfg->max_sessions) {
		spin_unlock_bh(&fn->table_lock);
		kfree(s);
		return old;
	}
	s->id = ++fn->next_id;
	hash_add_rcu(fn->table, &s->node, key);
	atomic_inc(&fn->nsessions);
	spin_unlock_bh(&fn->table_lock);
	fwh_stat_inc(fn, created);
	return s;
}

static void session_remove(struct fwh_net *fn, struct fwh_session *s)
{
	hash_del_rcu(&s->node);
	atomic_dec(&fn->nsessions);
	kfree_rcu(s, rcu);
}

/* Sessions for which pick() says yes are removed; returns how many. */
static int session_sweep(struct fwh_net *fn,
			 bool (*pick)(const struct fwh_session *, u64),
			 u64 arg)
{
	struct fwh_session *s;
	struct hlist_node *tmp;
	int bkt, n = 0;

	spin_lock_bh(&fn->table_lock);
	hash_for_each_safe(fn->table, bkt, tmp, s, node) {
		if (pick(s, arg)) {
			session_remove(fn, s);
			n++;
		}
	}
	spin_unlock_bh(&fn->table_lock);
	return n;
}

static bool pick_id(const struct fwh_session *s, u64 id)
{
	return s->id == id;
}

static bool pick_all(const struct fwh_session *s, u64 unused)
{
	return true;
}

/* arg: the oldest last-seen time (jiffies) that may stay. */
static bool pick_idle(const struct fwh_session *s, u64 oldest)
{
	return time_before(READ_ONCE(s->last), (unsigned long)oldest);
}

int fwh_session_delete(struct fwh_net *fn, u64 id)
{
	return session_sweep(fn, pick_id, id) ? 0 : -ENOENT;
}

void fwh_session_flush(struct fwh_net *fn)
{
	session_sweep(fn, pick_all, 0);
}

/* Re-arms itself while the namespace is configured. */
void fwh_session_gc(struct work_struct *work)
{
	struct fwh_net *fn = container_of(to_delayed_work(work),
					  struct fwh_net, gc);
	struct fwh_config *cfg;
	unsigned long oldest;
	int n;

	rcu_read_lock();
	cfg = rcu_dereference(fn->config);
	oldest = cfg ? jiffies - cfg->idle_timeout : 0;
	rcu_read_unlock();
	if (!cfg)
		return;
	n = session_sweep(fn, pick_idle, oldest);
	this_cpu_add(fn->stats->expired, n);
	queue_delayed_work(system_power_efficient_wq, &fn->gc,
			   FWHOOK_GC_PERIOD);
}
