/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_LIVE_H
#define FWCTL_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nlsock.h"

/*
 * Table inet fwctl as the kernel has it, read back with dumps for
 * `fwctl show` and `fwctl status`. All of it comes from one ruleset
 * generation: the dumps are repeated if another commit slipped between.
 */
#define LIVE_LINE_GONE	UINT32_MAX

struct live_rule {
	uint64_t		handle;
	uint64_t		key;		/* FWCTL_UDATA_RULE_KEY */
	bool			has_key;
	/*
	 * Its line in the table's source file as the last apply left it
	 * (the cache's), 0 if not known, LIVE_LINE_GONE if the file no
	 * longer has it (a kept tree's copy of a rule an overlay changed).
	 * The comment keeps the line the rule was made at: a line inserted
	 * above it since moves the rule without changing it
	 * (live_rule_where()).
	 */
	uint32_t		line;
	/* Read by a dump; a table from the cache (an apply's, of 20,000
	 * rules) has only handles and keys. */
	struct live_rule_dump	*dump;		/* NULL: none */
};

struct live_rule_dump {
	char		*comment;	/* the userdata comment, or NULL */
	char		*text;		/* FWCTL_UDATA_RULE_SOURCE, or NULL */
	bool		counter;	/* packets and bytes are meaningful */
	uint64_t	packets;
	uint64_t	bytes;
};

static inline const char *live_rule_comment(const struct live_rule *r)
{
	return r->dump ? r->dump->comment : NULL;
}

static inline const char *live_rule_text(const struct live_rule *r)
{
	return r->dump ? r->dump->text : NULL;
}

/* What show and diff print for a rule: its text in the file, else its
 * comment (fwctl's own rules have no text), or NULL. */
static inline const char *live_rule_label(const struct live_rule *r)
{
	return live_rule_text(r) ? live_rule_text(r) : live_rule_comment(r);
}

struct live_chain {
	char			*name;
	bool			base;
	uint32_t		hook;		/* base chains */
	int32_t			priority;	/* base chains */
	uint32_t		policy;		/* NF_ACCEPT or NF_DROP */
	bool			nat;		/* type nat, else filter */
	size_t			n_rules;
	struct live_rule	*rules;
	/* rules are another table's, which outlives this one (a chain a
	 * batch kept, plan_result): live_free leaves them, and their lines
	 * are the lender's file's, which the table's moved maps. */
	bool			borrowed;
};

struct live_set {
	char		*name;
	uint32_t	key_type;	/* nft datatype id */
	uint32_t	flags;		/* NFT_SET_* */
	size_t		elements;	/* ranges count once; see live_read() */
	uint64_t	timeout_ms;
	/* Its elements, as emit_set_digest() of the set committed sums
	 * them; known from the cache (none for dynamic sets). */
	uint64_t	digest;
	bool		has_digest;
};

/* ct helpers and timeouts; the comment holds where they were made. */
struct live_object {
	char		*name;
	uint32_t	type;		/* NFT_OBJECT_* */
	char		*comment;	/* NFTNL_UDATA_OBJ_COMMENT, or NULL */
	bool		has_key;
	uint64_t	key;		/* FWCTL_UDATA_OBJ_KEY */
};

struct live_table {
	bool			present;
	uint32_t		flags;		/* NFT_TABLE_F_*: fwctl's 0 */
	char			*source;	/* applied rule file or NULL */
	uint32_t		genid;
	size_t			n_chains;
	struct live_chain	*chains;
	size_t			n_sets;		/* named sets and maps only */
	struct live_set		*sets;
	size_t			n_objects;
	struct live_object	*objects;
	size_t			n_rules;
	/*
	 * The table's handle counter, the last handle it gave (a guess the
	 * next batch's echoes check); 0 if unknown. Only the cache has it.
	 */
	uint64_t		handles;
	/*
	 * For borrowed chains: moved[line] is where a line of the file the
	 * lender was applied from is in this table's file (0: gone); n_moved
	 * lines. NULL: not known (live_rule_line()).
	 */
	uint32_t		*moved;
	size_t			n_moved;
};

/* r's line (live_rule.line) in lt's file, lc being r's chain; 0: unknown. */
static inline uint32_t live_rule_line(const struct live_table *lt,
				      const struct live_chain *lc,
				      const struct live_rule *r)
{
	if (!lc->borrowed || !r->line || r->line == LIVE_LINE_GONE)
		return r->line;
	if (!lt->moved)		/* the lines then or now are not known */
		return 0;
	return r->line < lt->n_moved && lt->moved[r->line] ?
	       lt->moved[r->line] : LIVE_LINE_GONE;
}

/* How much to read: each level costs more dumps than the one before. */
enum live_depth {
	LIVE_TABLE,		/* presence, source, generation */
	LIVE_KEYS,		/* and chains, rules (handles and keys only:
				 * no live_rule.dump), sets, objects */
	LIVE_OBJECTS,		/* and the rules' comments, texts, counters */
	LIVE_ELEMENTS,		/* and the element count of each set */
};

/*
 * Fills lt (zeroed by the caller); absent table: lt->present false.
 * Returns 0 or -errno.
 */
int live_read(struct nlsock *s, struct live_table *lt,
	      enum live_depth depth);
void live_free(struct live_table *lt);
/*
 * The comments, texts and counters of c's rules (c: a chain of lt, a
 * table from the cache) by a dump of that chain alone: 0, -EAGAIN if the
 * kernel's generation is no longer lt's or the chain is not what lt
 * says, or -errno.
 */
int live_chain_labels(struct nlsock *s, const struct live_table *lt,
		      struct live_chain *c);
/* lt's chains sorted by name (free() it), for bsearch() with
 * live_chain_name_cmp(); lt's named set, object called name, or NULL. */
const struct live_chain **live_chains_by_name(const struct live_table *lt);
int live_chain_name_cmp(const void *a, const void *b);
const struct live_set *live_set_find(const struct live_table *lt,
				     const char *name);
const struct live_object *live_object_find(const struct live_table *lt,
					   const char *name);

/*
 * The elements of the named set as the kernel holds them, in its order
 * (see emit_set_walk()); *elems is malloc'ed. 0 or -errno.
 */
struct emit_kelem;
int live_set_elems(struct nlsock *s, const char *set, unsigned key_len,
		   struct emit_kelem **elems, size_t *n);
/* The elements of the named set as emit_set_digest() sums them. */
int live_set_digest(struct nlsock *s, const char *set, uint64_t *digest);

/*
 * The table as the last incremental apply left it (cli/live_cache.c),
 * without comments, texts and counters: loaded only if it describes this
 * boot, this network namespace and generation genid (0 then, else -1);
 * stored for lt->genid. dir NULL: no cache.
 */
int live_cache_load(struct nlsock *s, const char *dir, uint32_t genid,
		    struct live_table *lt);
/* The cache of this boot and namespace, whatever its generation (then
 * in lt->genid): 0, or -1 if there is none. */
int live_cache_load_any(struct nlsock *s, const char *dir,
			struct live_table *lt);
void live_cache_store(struct nlsock *s, const char *dir,
		      const struct live_table *lt);
void live_cache_drop(const char *dir);
/* Whether dir has a cache at all (of any state). */
bool live_cache_exists(const char *dir);
/*
 * live_cache_store() in two steps, for a state still to come: written
 * aside for the id given (false if it could not be), then put in place,
 * or removed.
 */
bool live_cache_stage(const char *dir, const char *id,
		      const struct live_table *lt);
void live_cache_publish(const char *dir);
void live_cache_unstage(const char *dir);
/*
 * If the records in dir are of an older generation than genid (another
 * commit came since) and the table is still what they say (it is read
 * back), makes them the generation now live (cli/live_renew.c). *ns: the
 * time it took.
 */
enum live_renewal {
	LIVE_RENEW_NONE,	/* no older records (or another apply writes) */
	LIVE_RENEW_SAME,	/* the table unchanged: records renewed */
	LIVE_RENEW_CHANGED,	/* the table changed since: records left */
	LIVE_RENEW_FAILED,	/* it could not be read */
};
enum live_renewal live_cache_renew(struct nlsock *s, const char *dir,
				   uint32_t genid, uint64_t *ns);
/* This boot, this namespace and generation genid, as one line ("id ...\n");
 * false if unknown. */
bool live_cache_id(struct nlsock *s, uint32_t genid, char *id, size_t size);

/*
 * Rules the kernel echoes at commit (batch_echo_sample()): chain, handle
 * and key of each, in batch order; live_echo_cb() collects them.
 */
struct live_echo {
	char		chain[64];
	uint64_t	handle, key;
	bool		has_key;
};
struct live_echoes {
	struct live_echo	*e;
	size_t			n;
};
int live_echo_cb(const struct nlmsghdr *nlh, void *data);

/* "FILE:LINE" from a rule comment into buf; false if it has none. */
bool live_rule_location(const char *comment, char *buf, size_t size);
/*
 * Where r is now: "FILE:LINE" from its line (live_rule.line), FILE as its
 * comment names it (else the table's source), or else the place its
 * comment names. False if neither, or if its line is gone.
 */
bool live_rule_where(const struct live_table *lt, const struct live_rule *r,
		     char *buf, size_t size);
/*
 * Fills in what a dump (lt) lacks from the cache of generation lt->genid
 * in dir, if there is one: the lines of its rules (handles are the
 * table's own, so a rule's handle finds it) and the element digests of
 * its named sets.
 */
void live_cache_annotate(struct nlsock *s, const char *dir,
			 struct live_table *lt);
/* "input", "forward", ...; nft's type name of a set key. */
const char *live_hook_name(uint32_t hook);
const char *live_key_type(uint32_t key_type);
/* "ct helper", "ct timeout", ... */
const char *live_object_type(uint32_t type);

#endif
