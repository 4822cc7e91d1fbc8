/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_AST_H
#define FWCTL_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir.h"
#include "lexer.h"
#include "loc.h"
#include "names.h"

/*
 * The syntax tree: what the user wrote, resolved against nothing. Values
 * keep their spelling and location; names (zones, sets, macros, protocols)
 * are still names. Includes are already inlined, so every statement knows
 * its own file through its locations.
 */

enum ast_value_kind {
	AV_NUMBER,
	AV_ADDR,
	AV_PREFIX,
	AV_RANGE,
	AV_IDENT,
	AV_WILDCARD,
	AV_WORD,
	AV_STRING,
	AV_MACRO,	/* $name */
	AV_SETREF,	/* @name */
};

struct ast_value {
	enum ast_value_kind	kind;
	struct fw_loc		loc;
	unsigned		width;
	char			*text;	/* the spelling; names without sigil */
	struct lit		lo, hi;	/* hi: AV_PREFIX, AV_RANGE */
	unsigned		plen;
};

/* One value, or a { list } of them. */
struct ast_list {
	struct fw_loc		loc;
	unsigned		width;
	bool			braced;
	size_t			n;
	struct ast_value	*v;
};

enum chain_id { CHAIN_INPUT, CHAIN_FORWARD, CHAIN_OUTPUT, CHAIN_COUNT };
extern const char *const chain_names[CHAIN_COUNT];

struct ast_define {
	char			*name;
	struct fw_loc		loc;
	unsigned		width;
	struct ast_list		value;
	bool			broken;	/* a syntax error; checked no further */
};

struct ast_zone {
	char			*name;
	struct fw_loc		loc;
	unsigned		width;
	bool			has_ifs, has_nets;
	struct ast_list		ifs, nets;
	bool			broken;
};

struct ast_set {
	char			*name;
	struct fw_loc		loc;
	unsigned		width;
	enum set_type		type;
	struct fw_loc		type_loc;
	bool			has_elems;
	struct ast_list		elems;
	uint64_t		timeout_ms;
	bool			broken;
};

/* policy CHAIN accept|drop, or stateless [CHAIN] (one for each chain). */
struct ast_policy {
	enum chain_id		chain;
	bool			drop;
	bool			stateless;
	struct fw_loc		loc;
};

/*
 * The parts of a rule, each given at most once. `from X port P` fills
 * R_FROM and R_SPORT; whether X is a zone or an address is the checker's
 * business.
 */
enum ast_part {
	R_FROM, R_TO, R_SRC, R_DST, R_SPORT, R_DPORT, R_PROTO, R_IIF, R_OIF,
	R_CT, R_ICMP, R_ICMPV6, R_WITH, R_LIMIT, R_LOG, R_COUNTER, R_COMMENT,
	R_COUNT
};
#define R_OPERANDS	(R_ICMPV6 + 1)	/* the parts with values */
extern const char *const ast_part_names[R_COUNT];

enum ast_action {
	ACT_ACCEPT, ACT_DROP, ACT_REJECT,
	/* No chain word: each has chains of its own. */
	ACT_MASQUERADE, ACT_SNAT, ACT_DNAT, ACT_REDIRECT, ACT_NOTRACK,
	ACT_HELPER, ACT_CT_TIMEOUT,
};
#define ACT_FIRST_CT	ACT_MASQUERADE	/* actions from here: ct rules */

/* What follows '->' in a NAT rule, and the words after it. */
struct ast_nat {
	bool			has_target;
	struct fw_loc		loc;	/* the target */
	unsigned		width;
	struct ast_list		addr;	/* empty: a port only */
	bool			bracketed;	/* [IPv6] */
	struct ast_list		port;	/* empty: no port */
	struct fw_loc		port_loc;
	bool			random, persistent, nopass, reflect;
};

#define AST_TIMEOUT_MAX	11

/* ct timeout PROTO STATE DURATION...; states as NFTNL_CTTIMEOUT_*. */
struct ast_timeout {
	unsigned		proto;	/* IPPROTO_* */
	size_t			n;
	unsigned		state[AST_TIMEOUT_MAX];
	uint64_t		ms[AST_TIMEOUT_MAX];
};

struct ast_operand {
	bool			neg;
	struct ast_list		list;
};

struct ast_rule {
	struct fw_loc		loc;	/* the action */
	enum ast_action		action;
	enum chain_id		chain;
	char			*text;	/* the rule as written, one line */
	/* Alone on its line: nothing before it, at most a comment after. */
	bool			alone;
	bool			has[R_COUNT];
	struct fw_loc		part_loc[R_COUNT];	/* the keyword */
	unsigned		part_width[R_COUNT];
	struct ast_operand	op[R_OPERANDS];
	enum ir_reject_kind	reject;		/* R_WITH */
	uint8_t			reject_code;
	struct fw_loc		reject_loc;	/* the kind after with */
	struct ir_limit		limit;
	char			*log_prefix;	/* NULL: the default */
	char			*comment;
	struct ast_nat		nat;
	char			*helper;	/* ACT_HELPER: "ftp" */
	struct fw_loc		helper_loc;
	unsigned		helper_width;
	struct ast_timeout	timeout;	/* ACT_CT_TIMEOUT */
	bool			conn_limit;	/* limit connections N */
	uint32_t		conn_count;
	bool			conn_per_src;
};

/* deny|allow sni|host|dns @set | { "name", ... } */
struct ast_clause {
	enum ir_inspect_action	action;
	enum ir_inspect_kind	kind;
	struct fw_loc		loc;	/* the action word */
	unsigned		width;	/* action and kind */
	struct ast_list		names;
};

/* The options of an inspect rule, each given at most once. */
enum ast_inspect_opt { IO_DEFAULT, IO_FAIL, IO_QUEUES, IO_BUDGET, IO_QLEN,
		       IO_COUNT };

/*
 * inspect CHAIN MATCHES CLAUSE[, CLAUSE...] [default accept|drop]
 * [fail-open|fail-closed] [queues N[-M]] [budget N] [queue-length N]. The matches are
 * those of a filter rule, kept in an ast_rule whose action is accept.
 */
struct ast_inspect {
	struct ast_rule		*rule;
	size_t			n_clauses;
	struct ast_clause	*clauses;
	bool			has[IO_COUNT];
	struct fw_loc		opt_loc[IO_COUNT];	/* the option's value */
	unsigned		opt_width[IO_COUNT];
	bool			default_drop, fail_closed;
	uint64_t		queue_first, queue_last;
	uint64_t		budget;
	uint64_t		queue_length;
};

struct ast {
	struct ast_define	**defines;
	size_t			n_defines;
	struct ast_zone		**zones;
	size_t			n_zones;
	struct ast_set		**sets;
	size_t			n_sets;
	struct ast_policy	**policies;
	size_t			n_policies;
	struct ast_rule		**rules;
	size_t			n_rules;
	struct ast_inspect	**inspects;
	size_t			n_inspects;
	struct ast_shape	**shapes;	/* shape.h */
	size_t			n_shapes;
	const char		*source;	/* the top-level file */
	char			**kept;		/* released rules' strings */
	size_t			n_kept;
};

struct ast *ast_new(const char *source);
void ast_free(struct ast *a);
struct ast_define *ast_add_define(struct ast *a);
struct ast_zone *ast_add_zone(struct ast *a);
struct ast_set *ast_add_set(struct ast *a);
struct ast_policy *ast_add_policy(struct ast *a);
/* Rules are built aside and added only when they parse. */
struct ast_rule *ast_rule_new(void);
void ast_rule_free(struct ast_rule *r);
void ast_add_rule(struct ast *a, struct ast_rule *r);
/*
 * Frees rule i once the checker has made its model rule: its strings,
 * which the model points at, stay until ast_free().
 */
void ast_rule_release(struct ast *a, size_t i);
/* Inspect rules, like rules, join the tree only when they parse. */
struct ast_inspect *ast_inspect_new(void);
void ast_inspect_free(struct ast_inspect *i);
void ast_add_inspect(struct ast *a, struct ast_inspect *i);
struct ast_value *ast_list_add(struct ast_list *l);
void ast_list_free(struct ast_list *l);

#endif
