/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef _FWHOOK_H
#define _FWHOOK_H

#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netfilter/nf_conntrack_tuple.h>
#include <fwctl/fwhook.h>

#define FWHOOK_HASH_BITS	12
#define FWHOOK_GC_PERIOD	(2 * HZ)

struct nf_conn;

struct fwh_profile {
	u16 queue_first, queue_count, budget;
	u8 fail_open, default_verdict;
};

/* Built whole off-line, published with RCU, never changed in place. */
struct fwh_config {
	struct rcu_head rcu;
	u32 idle_timeout;	/* jiffies */
	u32 max_sessions;
	u32 nprofiles;
	struct fwh_profile profiles[];
};

struct fwh_stats {
	u64 created, expired, table_full, queued, accepted, dropped,
	    verdicts, budget;
};

/*
 * One per inspected connection, found by the original tuple of its
 * conntrack entry. It holds no reference on the entry (that would pin
 * conntrack entries), so sessions die by idle timeout rather than with
 * their connection; ct_id, the id of the first confirmed entry seen,
 * tells a new connection that reuses the tuple (hook.c).
 */
struct fwh_session {
	struct hlist_node node;
	struct rcu_head rcu;
	struct nf_conntrack_tuple tuple;
	u64 id;
	u32 ct_id;			/* 0: not claimed yet */
	unsigned long first, last;	/* jiffies */
	atomic64_t packets, bytes;
	atomic_t queued, returned;
	u8 verdict, reason, profile;
};

/*
 * Per network namespace. The packet path reads config and the table under
 * rcu_read_lock() only; lock (a mutex) serialises configuration changes,
 * table_lock serialises writers of the table.
 */
struct fwh_net {
	struct net *net;
	struct mutex lock;
	struct fwh_config __rcu *config;
	bool hooked;
	spinlock_t table_lock;
	DECLARE_HASHTABLE(table, FWHOOK_HASH_BITS);
	atomic_t nsessions;
	u64 next_id;
	struct delayed_work gc;
	struct fwh_stats __percpu *stats;
};

struct fwh_net *fwh_net(const struct net *net);
#define fwh_stat_inc(fn, field) this_cpu_inc((fn)->stats->field)
void fwh_stats_sum(const struct fwh_net *fn, struct fwh_stats *sum);

int fwh_config_set(struct fwh_net *fn, struct fwh_config *cfg);
void fwh_config_clear(struct fwh_net *fn);

/* The same for every packet of a connection, in either direction. */
u32 fwh_session_hash(const struct nf_conn *ct);
struct fwh_session *fwh_session_find(struct fwh_net *fn,
				     const struct nf_conn *ct);
struct fwh_session *fwh_session_create(struct fwh_net *fn,
				       const struct fwh_config *cfg,
				       const struct nf_conn *ct, u8 profile);
int fwh_session_delete(struct fwh_net *fn, u64 id);
void fwh_session_flush(struct fwh_net *fn);
void fwh_session_gc(struct work_struct *work);

int fwh_hooks_register(struct net *net);
void fwh_hooks_unregister(struct net *net);

int fwh_genl_init(void);
void fwh_genl_exit(void);

#endif
