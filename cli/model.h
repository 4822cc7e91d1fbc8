/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_MODEL_H
#define FWCTL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "ir.h"

/*
 * The checked rule file: what the checker hands to lowering. Every name is
 * resolved, every value has its type and its bytes (as the IR stores them),
 * every rule knows its address families and its L4 protocols. Lowering
 * needs nothing else, and reports no errors of its own.
 */

enum fam { FAM_V4 = 1, FAM_V6 = 2, FAM_ANY = FAM_V4 | FAM_V6 };

/*
 * One resolved value; src says where it was written, for the checker's
 * messages (a rule's are NULL once checked: its tree is gone).
 */
struct m_elem {
	struct ir_value		v;
	uint8_t			fam;	/* addresses: FAM_V4 or FAM_V6 */
	const struct ast_value	*src;
	const struct ast_value	*via;	/* the $macro it came through */
};

struct m_elems {
	size_t		n;
	struct m_elem	*e;
	uint8_t		fams;	/* addresses: the families present */
	bool		interval;	/* some element is not a single value */
};

enum set_kind { SK_ADDR, SK_PORT, SK_IFNAME, SK_DOMAIN };

/*
 * A domain name as the inspection daemon compares it: lowercase, without
 * a trailing dot, "*.suffix" for every name below suffix.
 */
struct m_domain {
	char			*name;
	const struct ast_value	*src;
	const struct ast_value	*via;
};

struct m_domains {
	size_t		n;
	struct m_domain	*d;	/* sorted by name, each name once */
};

struct m_set {
	const char	*name;
	struct fw_loc	loc;
	unsigned	width;
	enum set_kind	kind;
	uint8_t		fams;	/* SK_ADDR: which kernel sets exist */
	bool		interval;
	uint64_t	timeout_ms;
	struct m_elems	elems;
	struct m_domains domains;	/* SK_DOMAIN: no kernel set */
	unsigned	index;	/* position in model.sets */
};

struct m_zone {
	const char	*name;
	struct fw_loc	loc;
	struct m_elems	ifs;	/* interface names, intervals for eth* */
	struct m_elems	nets;	/* addresses */
	unsigned	index;
};

/* What a match compares with: literal values or a named set. */
struct m_operand {
	bool			present, neg;
	struct fw_loc		loc;
	unsigned		width;
	struct m_elems		lit;
	const struct m_set	*set;
};

/* The operands of a rule, in the order lowering emits them. */
enum m_op {
	OP_PROTO, OP_IIF, OP_OIF, OP_SADDR, OP_DADDR, OP_SPORT, OP_DPORT,
	OP_ICMP, OP_ICMPV6, OP_COUNT
};

struct m_rule {
	struct fw_loc		loc;
	const char		*text;
	const char		*comment;
	enum chain_id		chain;
	enum ast_action		action;
	enum ir_reject_kind	reject;
	uint8_t			reject_code;
	const struct m_zone	*from, *to;	/* zones, or NULL */
	bool			from_neg, to_neg;
	struct m_operand	op[OP_COUNT];	/* OP_PROTO: effective */
	uint32_t		ct_mask;
	uint32_t		ct_status;	/* IR_CT_STATUS_* bits to match */
	bool			fib_local;	/* to an address of ours */
	uint8_t			fams;
	bool			counter, has_limit, has_log;
	struct ir_limit		limit;
	const char		*log_prefix;	/* NULL: the default */
	/* NAT and conntrack rules (action >= ACT_FIRST_CT). */
	struct ir_nat		nat;		/* kind, target, flags */
	bool			nopass, reflect;
	const char		*helper;	/* ACT_HELPER: "ftp" */
	uint8_t			ct_proto;	/* helper, timeout: IPPROTO_* */
	uint32_t		timeout[IR_TIMEOUT_STATES];	/* seconds */
	/* limit connections N [per src] */
	bool			has_connlimit, conn_per_src;
	uint32_t		conn_count;
};

/* deny|allow sni|host|dns NAMES of an inspect rule. */
struct m_clause {
	enum ir_inspect_action	action;
	enum ir_inspect_kind	kind;
	const struct m_domains	*names;	/* a set's, or own */
	struct m_domains	own;	/* { "name", ... } in the rule */
};

/*
 * An inspect rule: rule holds its matches (action accept), the rest its
 * daemon profile. Queues are assigned by the checker; inspect rules whose
 * ranges overlap share one profile (index into model.profiles).
 */
struct m_inspect {
	struct m_rule		*rule;
	size_t			n_clauses;
	struct m_clause		*clauses;	/* sorted by action, kind */
	bool			default_drop, fail_open;
	uint16_t		budget;
	uint32_t		queue_length;	/* packets per queue */
	bool			queues_given;
	struct fw_loc		queues_loc;
	unsigned		queues_width;
	uint16_t		queue_first, queue_count;
	size_t			profile;
};

/* Queues [first, first + count) and the inspect rule that decides them. */
struct m_profile {
	uint16_t		first, count;
	const struct m_inspect	*rep;
};

struct model {
	struct m_set		**sets;
	size_t			n_sets;
	struct m_zone		**zones;
	size_t			n_zones;
	struct m_rule		**rules;
	size_t			n_rules;
	struct m_inspect	**inspects;
	size_t			n_inspects;
	struct m_profile	*profiles;
	size_t			n_profiles;
	struct m_shape		*shapes;	/* shape.h */
	size_t			n_shapes;
	bool			policy_drop[CHAIN_COUNT];
	bool			stateless[CHAIN_COUNT];	/* no ct rules */
	struct fw_loc		policy_loc[CHAIN_COUNT];
	const char		*source;
	/* opt_lines.h: lines left out, which lowering stands in for. */
	struct line_skip	*skip;
};

void model_free(struct model *m);
void m_elems_free(struct m_elems *l);
void m_domains_free(struct m_domains *l);
void m_rule_free(struct m_rule *r);
struct m_elem *m_elems_add(struct m_elems *l);

/*
 * Checks the tree and builds the model; NULL when there was an error
 * (each one reported through diag.h). The tree's rules are freed on the
 * way (ast_rule_release); the model points at the rest of the tree.
 */
struct model *check_ast(struct ast *a);

#endif
