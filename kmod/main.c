// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fwhook: the kernel side of fwctl's inspect rules. A session table keyed
 * by conntrack entry remembers fwctld's verdict per connection, so only
 * the first packets of a connection travel to user space; see
 * man/fwhook.4 for the data path.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/netns/generic.h>

#include "fwhook.h"

static unsigned int fwh_net_id __read_mostly;

struct fwh_net *fwh_net(const struct net *net)
{
	return net_generic(net, fwh_net_id);
}

/* struct fwh_stats is u64 counters only, so it sums as an array. */
void fwh_stats_sum(const struct fwh_net *fn, struct fwh_stats *sum)
{
	u64 *total = (u64 *)sum;
	size_t i;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const u64 *c = (const u64 *)per_cpu_ptr(fn->stats, cpu);

		for (i = 0; i < sizeof(*sum) / sizeof(u64); i++)
			total[i] += READ_ONCE(c[i]);
	}
}

static int __net_init fwh_net_init(struct net *net)
{
	struct fwh_net *fn = fwh_net(net);

	fn->stats = alloc_percpu(struct fwh_stats);
	if (!fn->stats)
		return -ENOMEM;
	fn->net = net;
	mutex_init(&fn->lock);
	spin_lock_init(&fn->table_lock);
	hash_init(fn->table);
	INIT_DELAYED_WORK(&fn->gc, fwh_session_gc);
	return 0;
}

/* A namespace going away is unconfigured like any other. */
static void __net_exit fwh_net_exit(struct net *net)
{
	struct fwh_net *fn = fwh_net(net);

	fwh_config_clear(fn);
	free_percpu(fn->stats);
}

static struct pernet_operations fwh_net_ops = {
	.init = fwh_net_init,
	.exit = fwh_net_exit,
	.id = &fwh_net_id,
	.size = sizeof(struct fwh_net),
};

static int __init fwh_init(void)
{
	int ret;

	ret = register_pernet_subsys(&fwh_net_ops);
	if (ret)
		return ret;
	ret = fwh_genl_init();
	if (ret)
		goto err_genl;
	pr_info("fwhook: genetlink family %s version %d\n", FWHOOK_GENL_NAME,
		FWHOOK_GENL_VERSION);
	return 0;

err_genl:
	unregister_pernet_subsys(&fwh_net_ops);
	return ret;
}

/*
 * The family goes first so no request can configure a namespace while
 * the pernet exit unhooks them all; the barrier waits for RCU callbacks
 * still pending from this module's code.
 */
static void __exit fwh_exit(void)
{
	fwh_genl_exit();
	unregister_pernet_subsys(&fwh_net_ops);
	rcu_barrier();
}

module_init(fwh_init);
module_exit(fwh_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("fwctl inspect sessions: verdict cache in front of NFQUEUE");
MODULE_ALIAS_GENL_FAMILY(FWHOOK_GENL_NAME);
MODULE_SOFTDEP("pre: nf_conntrack");
