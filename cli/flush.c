// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `fwctl flush`: delete table inet fwctl and nothing else, in one batch
 * guarded by the generation in which we saw the table; then the records
 * of it that apply keeps (the live cache, the trees', the big sets').
 */
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libnftnl/table.h>

#include "batch.h"
#include "elems_record.h"
#include "fwctl.h"
#include "ir.h"
#include "kernel.h"
#include "live.h"
#include "opt_base.h"
#include "record_file.h"

static int flush_on(struct nlsock *s)
{
	static const struct batch_origin o = { .what = BATCH_TABLE };
	struct live_table lt = { 0 };
	struct nftnl_table *t;
	struct batch *b;
	int err = live_read(s, &lt, LIVE_TABLE);

	if (err || !lt.present) {
		live_free(&lt);
		return err;
	}
	b = batch_new(s);
	t = nftnl_table_alloc();
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, IR_TABLE_NAME);
	nftnl_table_nlmsg_build_payload(batch_msg(b, NFT_MSG_DELTABLE,
						  NFPROTO_INET, 0, &o), t);
	batch_next(b);
	nftnl_table_free(t);
	/* Seen at lt.genid: if anyone committed since, nothing happens. */
	err = batch_send(b, lt.genid, true, NULL, NULL);
	batch_free(b);
	live_free(&lt);
	return err;
}

/*
 * No reader would believe them (they name an older generation), but each
 * apply would spend a moment finding that out, and they hold megabytes.
 * An apply that holds their lock is writing records of its own table,
 * newer than the flush: those stay.
 */
static void records_forget(const char *dir)
{
	int lock;

	if (!dir || access(dir, F_OK))
		return;
	lock = record_lock(dir);
	if (lock < 0)
		return;
	live_cache_drop(dir);
	opt_bases_remove(dir);
	elems_record_drop(dir);
	record_unlock(lock);
}

int kernel_flush(const char *cache_dir)
{
	struct nlsock s;
	int err;

	if (batch_socket_open(&s) < 0)
		return FW_EXIT_SYSTEM;
	err = flush_on(&s);
	nlsock_close(&s);
	if (!err)
		records_forget(cache_dir);
	if (err == -ERESTART)
		fprintf(stderr, "fwctl: the ruleset changed while fwctl was "
			"flushing (another tool committed); nothing was "
			"changed — run fwctl flush again\n");
	else if (err)
		fprintf(stderr, "fwctl: cannot delete table inet fwctl: %s\n",
			strerror(-err));
	return err ? FW_EXIT_SYSTEM : FW_EXIT_OK;
}
