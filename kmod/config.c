// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A namespace's configuration and its hooks. The hooks exist only while
 * a configuration with profiles is in force, so a namespace nobody
 * configured pays nothing per packet.
 */
#include <linux/slab.h>
#include <net/netfilter/nf_conntrack.h>

#include "fwhook.h"

/* Publish cfg (taking ownership), hooking the namespace on first use. */
int fwh_config_set(struct fwh_net *fn, struct fwh_config *cfg)
{
	struct fwh_config *old;
	int ret = 0;

	mutex_lock(&fn->lock);
	if (!fn->hooked) {
		ret = fwh_hooks_register(fn->net);
		if (ret) {
			kfree(cfg);
			goto out;
		}
		fn->hooked = true;
	}
	old = rcu_replace_pointer(fn->config, cfg, lockdep_is_held(&fn->lock));
	if (!old)
		queue_delayed_work(system_power_efficient_wq, &fn->gc,
				   FWHOOK_GC_PERIOD);
	else
		kfree_rcu(old, rcu);
out:
	mutex_unlock(&fn->lock);
	return ret;
}

/*
 * Unhooking waits for packets inside the hooks (and drops those waiting
 * in a queue), so after it nothing adds sessions and the flush is final.
 */
void fwh_config_clear(struct fwh_net *fn)
{
	struct fwh_config *old;

	mutex_lock(&fn->lock);
	if (fn->hooked) {
		fwh_hooks_unregister(fn->net);
		fn->hooked = false;
	}
	old = rcu_replace_pointer(fn->config, NULL, lockdep_is_held(&fn->lock));
	cancel_delayed_work_sync(&fn->gc);
	fwh_session_flush(fn);
	mutex_unlock(&fn->lock);
	if (old)
		kfree_rcu(old, rcu);
}
