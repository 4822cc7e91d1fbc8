// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NAT and conntrack rules: masquerade, snat, dnat, redirect, notrack,
 * helper and ct timeout. They have no chain word (each goes to chains of
 * its own) and take the matches of filter rules, plus a target after '->'
 * and a few flag words. What the values mean is the checker's business.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "parser_internal.h"
#include "xalloc.h"

/* dnat ZONE PROTO PORT: the short form of from ZONE proto P to port N. */
static int dnat_short(struct parser *p, struct ast_rule *r)
{
	static const enum ast_part parts[] = { R_FROM, R_PROTO, R_DPORT };
	static const char *const what[] = {
		"a zone", "a protocol after the zone (tcp, udp)",
		"a port after the protocol",
	};
	size_t i;

	for (i = 0; i < 3; i++) {
		if (at_end(p) || at(p, T_ARROW))
			return parse_expected(p, what[i]);
		rule_claim(r, parts[i], p->tok.loc, p->tok.width);
		if (parse_list(p, &r->op[parts[i]].list, 0) < 0)
			return -1;
	}
	return 0;
}

/*
 * The kernel also keeps ICMP timeouts, but nft (1.0.6) reads policies for
 * tcp and udp only, and fwctl export must stay readable by nft.
 */
static const struct name_entry timeout_protos[] = {
	{ "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP },
};
static const struct name_table timeout_proto_table = { timeout_protos, 2 };

/* The states of each protocol, valued as NFTNL_CTTIMEOUT_*. */
static const struct name_entry tcp_states[] = {
	{ "close", 7 }, { "close_wait", 4 }, { "established", 2 },
	{ "fin_wait", 3 }, { "last_ack", 5 }, { "retrans", 9 },
	{ "syn_recv", 1 }, { "syn_sent", 0 }, { "syn_sent2", 8 },
	{ "time_wait", 6 }, { "unack", 10 },
};
static const struct name_entry udp_states[] = {
	{ "replied", 1 }, { "unreplied", 0 },
};

static const struct name_table state_tables[] = {
	[IPPROTO_TCP] = { tcp_states, 11 },
	[IPPROTO_UDP] = { udp_states, 2 },
};

/* STATE DURATION: the kernel counts whole seconds. */
static int timeout_pair(struct parser *p, struct ast_timeout *t,
			const struct name_table *states)
{
	struct fw_loc loc;
	unsigned state, width;
	size_t i;

	if (!names_lookup(states, p->tok.text, &state))
		return unknown_name(p, "connection state", states);
	for (i = 0; i < t->n; i++) {
		if (t->state[i] == state) {
			diag_error(p->tok.loc, p->tok.width, "timeout for "
				   "'%s' given twice", p->tok.text);
			return -1;
		}
	}
	next(p);
	loc = p->tok.loc;
	width = p->tok.width;
	if (parse_duration(p, &t->ms[t->n]) < 0)
		return -1;
	if (t->ms[t->n] % 1000) {
		diag_error(loc, width, "conntrack timeouts are whole seconds");
		return -1;
	}
	t->state[t->n++] = state;
	return 0;
}

/* ct timeout PROTO STATE DURATION [STATE DURATION]... */
static int parse_timeout(struct parser *p, struct ast_rule *r)
{
	struct ast_timeout *t = &r->timeout;

	next(p);
	if (!at_kw(p, KW_TIMEOUT))
		return parse_expected(p, "'timeout' after 'ct' (ct timeout "
				      "tcp established 2h)");
	next(p);
	if (at(p, T_IDENT) && !strncmp(p->tok.text, "icmp", 4)) {
		diag_error(p->tok.loc, p->tok.width, "ct timeout takes tcp or "
			   "udp: nft cannot read %s timeout policies",
			   p->tok.text);
		return -1;
	}
	if (!at(p, T_IDENT) ||
	    !names_lookup(&timeout_proto_table, p->tok.text, &t->proto))
		return unknown_name(p, "timeout protocol",
				    &timeout_proto_table);
	next(p);
	do {
		if (!at(p, T_IDENT) || p->tok.kw != KW_NONE)
			return parse_expected(p, "a connection state and its "
					      "timeout (established 2h)");
		if (timeout_pair(p, t, &state_tables[t->proto]) < 0)
			return -1;
	} while (at(p, T_IDENT) && p->tok.kw == KW_NONE);
	return 0;
}

static int parse_helper(struct parser *p, struct ast_rule *r)
{
	next(p);
	if (!at(p, T_IDENT) || p->tok.kw != KW_NONE)
		return parse_expected(p, "a helper name (ftp, sip, tftp, "
				      "irc, ...)");
	r->helper = xstrdup(p->tok.text);
	r->helper_loc = p->tok.loc;
	r->helper_width = p->tok.width;
	next(p);
	return 0;
}

/* NAT rules take from and to in both directions: forward says that. */
int parse_ct_head(struct parser *p, struct ast_rule *r)
{
	r->chain = CHAIN_FORWARD;
	if (r->action == ACT_CT_TIMEOUT)
		return parse_timeout(p, r);
	if (r->action == ACT_HELPER)
		return parse_helper(p, r);
	next(p);
	if (r->action == ACT_DNAT && at(p, T_IDENT) && p->tok.kw == KW_NONE)
		return dnat_short(p, r);
	return 0;
}

/* One value, not a list: a NAT target is one address or one range. */
static int target_value(struct parser *p, struct ast_list *l,
			const char *what)
{
	if (at_end(p) || at(p, T_COLON) || at(p, T_RBRACKET))
		return parse_expected(p, what);
	if (parse_list(p, l, 0) < 0)
		return -1;
	if (l->braced) {
		diag_error(l->loc, l->width, "a NAT target is one address or "
			   "range, not a list");
		return -1;
	}
	return 0;
}

static int target_address(struct parser *p, struct ast_nat *n)
{
	if (!at(p, T_LBRACKET))
		return target_value(p, &n->addr, "an address after '->'");
	next(p);
	n->bracketed = true;
	if (target_value(p, &n->addr, "an IPv6 address after '['") < 0)
		return -1;
	if (!at(p, T_RBRACKET))
		return parse_expected(p, "']' after the IPv6 address");
	next(p);
	return 0;
}

/* -> ADDR[:PORT], -> [ADDR6][:PORT]; redirect: -> PORT. */
static int parse_target(struct parser *p, struct ast_rule *r)
{
	struct ast_nat *n = &r->nat;
	size_t start;

	if (r->action != ACT_SNAT && r->action != ACT_DNAT &&
	    r->action != ACT_REDIRECT) {
		diag_error(p->tok.loc, p->tok.width, "'->' goes only with "
			   "snat, dnat and redirect%s",
			   r->action == ACT_MASQUERADE ? "; masquerade takes "
			   "the outgoing interface's address (ports LO-HI "
			   "picks ports)" : "");
		return -1;
	}
	if (n->has_target) {
		diag_error(p->tok.loc, p->tok.width, "a second target");
		diag_note(n->loc, n->width, "first given here");
		return -1;
	}
	n->has_target = true;
	next(p);
	n->loc = p->tok.loc;
	start = p->tok.start;
	if (r->action == ACT_REDIRECT) {
		n->port_loc = p->tok.loc;
		if (target_value(p, &n->port, "a port after '->'") < 0)
			return -1;
	} else if (target_address(p, n) < 0) {
		return -1;
	}
	if (r->action != ACT_REDIRECT && at(p, T_COLON)) {
		next(p);
		n->port_loc = p->tok.loc;
		if (target_value(p, &n->port, "a port after ':'") < 0)
			return -1;
	}
	n->width = (unsigned)(p->prev_end - start);
	return 0;
}

enum nat_word { W_RANDOM, W_PERSISTENT, W_NOPASS, W_REFLECT, W_PORTS };

/* The flag words and the actions they go with (bits of ast_action). */
static const struct {
	const char	*name;
	unsigned	actions;
	const char	*with;
} nat_words[] = {
	[W_RANDOM] = { "random", 1u << ACT_MASQUERADE | 1u << ACT_SNAT |
		       1u << ACT_DNAT | 1u << ACT_REDIRECT,
		       "masquerade, snat, dnat and redirect" },
	[W_PERSISTENT] = { "persistent", 1u << ACT_MASQUERADE |
			   1u << ACT_SNAT | 1u << ACT_DNAT,
			   "masquerade, snat and dnat" },
	[W_NOPASS] = { "nopass", 1u << ACT_DNAT, "dnat" },
	[W_REFLECT] = { "reflect", 1u << ACT_DNAT, "dnat" },
	[W_PORTS] = { "ports", 1u << ACT_MASQUERADE,
		      "masquerade (snat takes ADDR:PORT)" },
};

static bool *word_flag(struct ast_nat *n, enum nat_word w)
{
	bool *flags[] = {
		[W_RANDOM] = &n->random, [W_PERSISTENT] = &n->persistent,
		[W_NOPASS] = &n->nopass, [W_REFLECT] = &n->reflect,
		[W_PORTS] = NULL,
	};

	return flags[w];
}

static int parse_word(struct parser *p, struct ast_rule *r, enum nat_word w)
{
	bool *flag = word_flag(&r->nat, w);

	if (!(nat_words[w].actions & 1u << r->action)) {
		diag_error(p->tok.loc, p->tok.width, "'%s' goes only with %s",
			   nat_words[w].name, nat_words[w].with);
		return -1;
	}
	if ((flag && *flag) || (!flag && r->nat.port.n)) {
		diag_error(p->tok.loc, p->tok.width, "'%s' given twice",
			   nat_words[w].name);
		return -1;
	}
	next(p);
	if (flag) {
		*flag = true;
		return 0;
	}
	r->nat.port_loc = p->tok.loc;
	return target_value(p, &r->nat.port, "a port range after 'ports'");
}

int parse_nat_part(struct parser *p, struct ast_rule *r)
{
	size_t i;

	if (at(p, T_ARROW))
		return parse_target(p, r);
	if (!at(p, T_IDENT) || p->tok.kw != KW_NONE)
		return 1;
	for (i = 0; i < sizeof(nat_words) / sizeof(nat_words[0]); i++)
		if (!strcmp(p->tok.text, nat_words[i].name))
			return parse_word(p, r, (enum nat_word)i);
	return 1;
}

/* limit connections N [per src] */
int parse_conn_limit(struct parser *p, struct ast_rule *r)
{
	if (r->action >= ACT_FIRST_CT) {
		diag_error(p->tok.loc, p->tok.width, "'limit connections' "
			   "goes only in accept, drop and reject rules");
		return -1;
	}
	next(p);
	if (!at(p, T_NUMBER))
		return parse_expected(p, "a number of connections");
	if (p->tok.lo.num == 0 || p->tok.lo.num > UINT32_MAX) {
		diag_error(p->tok.loc, p->tok.width, "a connection limit is 1 "
			   "to 4294967295");
		return -1;
	}
	r->conn_limit = true;
	r->conn_count = (uint32_t)p->tok.lo.num;
	next(p);
	if (!at(p, T_IDENT) || strcmp(p->tok.text, "per"))
		return 0;
	next(p);
	if (!at_kw(p, KW_SRC))
		return parse_expected(p, "'src' after 'per'");
	r->conn_per_src = true;
	next(p);
	return 0;
}
