/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_BATCH_H
#define FWCTL_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#include "loc.h"
#include "nlsock.h"

/*
 * One nf_tables transaction: messages built into pages, sent with a single
 * sendmsg(), committed or aborted by the kernel as a whole.
 *
 *   BEGIN (genid) | msg seq+1 | msg seq+2 | ... | END (omitted: validate)
 *
 * Every message remembers what it was built from, so that each error read
 * back is matched to a rule, a set or a chain. None asks for an ack: the
 * kernel answers a batch inside the sendmsg(), and a message it did not
 * refuse went through (batch.c).
 */

/* What a message was built from; the kernel's verdict is reported on it. */
enum batch_what {
	BATCH_TABLE,
	BATCH_CHAIN,
	BATCH_SET,
	BATCH_RULE,
	BATCH_OBJECT,		/* probes: objects, flowtables */
};

struct batch_origin {
	enum batch_what	what;
	const char	*name;	/* chain or set name; must outlive the batch */
	struct fw_loc	loc;
	uint64_t	key;	/* a new rule's FWCTL_UDATA_RULE_KEY */
};

/* Called for each message the kernel refused, in batch order. */
typedef void (*batch_error_fn)(const struct batch_origin *o, int err,
			       const char *why, void *data);

struct batch;

struct batch *batch_new(struct nlsock *s);
void batch_free(struct batch *b);

/*
 * Starts a message of type NFT_MSG_* for family in the current page and
 * records its origin. Fill it, then call batch_next() before the next one.
 * A message may be up to BATCH_MSG_MAX bytes long.
 */
struct nlmsghdr *batch_msg(struct batch *b, uint16_t type, uint16_t family,
			   uint16_t flags, const struct batch_origin *o);
void batch_next(struct batch *b);
#define BATCH_MSG_MAX	(65536 + 4096)

/*
 * From now on the first NEWRULE, every `every`-th after it and the last
 * ask the kernel to echo the rule it made (its handle included): the
 * echoes reach fn, in batch order, at commit time. Each echo costs
 * receive buffer; ask for few. batch_rule_echoes() says which echo.
 */
void batch_echo_sample(struct batch *b, size_t every, mnl_cb_t fn,
		       void *data);
/*
 * New rules in the batch since batch_echo_sample(); whether rule i
 * (0-based) echoes; what it was built from (chain, key).
 */
size_t batch_rules(const struct batch *b);
bool batch_rule_echoes(const struct batch *b, size_t i);
const struct batch_origin *batch_rule_origin(const struct batch *b,
					     size_t i);
/*
 * The handle of new rule i if the first got `first` and every NEWCHAIN,
 * NEWSET, NEWOBJ, NEWFLOWTABLE and NEWRULE in between made an object:
 * nf_tables numbers them all from one counter of their table, in batch
 * order. True where each of those messages makes a new object: a batch
 * that makes the table anew, or that adds rules (and their anonymous
 * sets) after its other changes. A guess, for the echoes of a sample to
 * confirm.
 */
uint64_t batch_rule_handle(const struct batch *b, size_t i, uint64_t first);
/*
 * The same guess from the table's handle counter (the last handle it
 * gave) before b: new rule i's handle, and the counter after b; the
 * counter before b from the handle new rule 0 got.
 */
uint64_t batch_rule_handle_at(const struct batch *b, size_t i,
			      uint64_t before);
uint64_t batch_handles_after(const struct batch *b, uint64_t before);
uint64_t batch_handles_before(const struct batch *b, uint64_t first);

/* A fresh NFTA_SET_ID, unique within this batch. */
uint32_t batch_set_id(struct batch *b);
/* Messages so far, BEGIN and END excluded. */
size_t batch_count(const struct batch *b);

/*
 * Sends the batch guarded by genid (0: no guard) and reads every reply.
 * commit false: no END message, so the kernel checks everything and then
 * aborts. Returns 0 or the first error as -errno; -ERESTART means that the
 * ruleset generation was no longer genid (nothing was processed).
 */
int batch_send(struct batch *b, uint32_t genid, bool commit,
	       batch_error_fn fn, void *data);

/* Opens the nf_tables socket; on failure says why and returns -1. */
int batch_socket_open(struct nlsock *s);

/* The current ruleset generation (NFT_MSG_GETGEN); 0 or -errno. */
int batch_genid(struct nlsock *s, uint32_t *genid);

#endif
