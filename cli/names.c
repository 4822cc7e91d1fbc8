// SPDX-License-Identifier: GPL-2.0-or-later
#include <linux/netfilter/nf_tables.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "names.h"

#define TABLE(name, ...)						\
	static const struct name_entry name##_entries[] = { __VA_ARGS__ }; \
	const struct name_table name = {				\
		name##_entries,						\
		sizeof(name##_entries) / sizeof(name##_entries[0])	\
	}

TABLE(names_proto,
	{ "ah",		IPPROTO_AH },
	{ "dccp",	IPPROTO_DCCP },
	{ "esp",	IPPROTO_ESP },
	{ "gre",	IPPROTO_GRE },
	{ "icmp",	IPPROTO_ICMP },
	{ "icmpv6",	IPPROTO_ICMPV6 },
	{ "sctp",	IPPROTO_SCTP },
	{ "tcp",	IPPROTO_TCP },
	{ "udp",	IPPROTO_UDP },
	{ "udplite",	IPPROTO_UDPLITE },
);

/* A fixed list instead of /etc/services: the same file compiles the same
 * everywhere, whatever the machine has installed. */
TABLE(names_service,
	{ "bgp",		179 },
	{ "bootpc",		68 },
	{ "bootps",		67 },
	{ "dhcpv6-client",	546 },
	{ "dhcpv6-server",	547 },
	{ "dns",		53 },
	{ "domain",		53 },
	{ "ftp",		21 },
	{ "ftp-data",		20 },
	{ "http",		80 },
	{ "http-alt",		8080 },
	{ "https",		443 },
	{ "imap",		143 },
	{ "imaps",		993 },
	{ "ipp",		631 },
	{ "isakmp",		500 },
	{ "kerberos",		88 },
	{ "ldap",		389 },
	{ "ldaps",		636 },
	{ "microsoft-ds",	445 },
	{ "mysql",		3306 },
	{ "netbios-dgm",	138 },
	{ "netbios-ns",		137 },
	{ "netbios-ssn",	139 },
	{ "nfs",		2049 },
	{ "ntp",		123 },
	{ "openvpn",		1194 },
	{ "pop3",		110 },
	{ "pop3s",		995 },
	{ "postgresql",		5432 },
	{ "rdp",		3389 },
	{ "rsync",		873 },
	{ "sip",		5060 },
	{ "sips",		5061 },
	{ "smtp",		25 },
	{ "snmp",		161 },
	{ "snmp-trap",		162 },
	{ "ssh",		22 },
	{ "submission",		587 },
	{ "submissions",	465 },
	{ "syslog",		514 },
	{ "telnet",		23 },
	{ "tftp",		69 },
);

TABLE(names_icmp_type,
	{ "address-mask-reply",		18 },
	{ "address-mask-request",	17 },
	{ "destination-unreachable",	3 },
	{ "echo-reply",			0 },
	{ "echo-request",		8 },
	{ "info-reply",			16 },
	{ "info-request",		15 },
	{ "parameter-problem",		12 },
	{ "redirect",			5 },
	{ "router-advertisement",	9 },
	{ "router-solicitation",	10 },
	{ "source-quench",		4 },
	{ "time-exceeded",		11 },
	{ "timestamp-reply",		14 },
	{ "timestamp-request",		13 },
);

TABLE(names_icmpv6_type,
	{ "destination-unreachable",	1 },
	{ "echo-reply",			129 },
	{ "echo-request",		128 },
	{ "ind-neighbor-advert",	142 },
	{ "ind-neighbor-solicit",	141 },
	{ "mld-listener-done",		132 },
	{ "mld-listener-query",		130 },
	{ "mld-listener-reduction",	132 },
	{ "mld-listener-report",	131 },
	{ "mld2-listener-report",	143 },
	{ "nd-neighbor-advert",		136 },
	{ "nd-neighbor-solicit",	135 },
	{ "nd-redirect",		137 },
	{ "nd-router-advert",		134 },
	{ "nd-router-solicit",		133 },
	{ "packet-too-big",		2 },
	{ "parameter-problem",		4 },
	{ "router-renumbering",		138 },
	{ "time-exceeded",		3 },
);

TABLE(names_ct_state,
	{ "established",	IR_CT_ESTABLISHED },
	{ "invalid",		IR_CT_INVALID },
	{ "new",		IR_CT_NEW },
	{ "related",		IR_CT_RELATED },
	{ "untracked",		IR_CT_UNTRACKED },
);

TABLE(names_reject_kind,
	{ "icmp",	IR_REJECT_ICMP },
	{ "icmpv6",	IR_REJECT_ICMPV6 },
	{ "icmpx",	IR_REJECT_ICMPX },
	{ "tcp-reset",	IR_REJECT_TCP_RESET },
);

TABLE(names_reject_icmp,
	{ "admin-prohibited",	13 },
	{ "host-prohibited",	10 },
	{ "host-unreachable",	1 },
	{ "net-prohibited",	9 },
	{ "net-unreachable",	0 },
	{ "port-unreachable",	3 },
	{ "prot-unreachable",	2 },
);

/* ICMPv6 has no host or network unreachable; these are its equivalents,
 * the same mapping nft uses for icmpx. */
TABLE(names_reject_icmpv6,
	{ "addr-unreachable",	3 },
	{ "admin-prohibited",	1 },
	{ "host-unreachable",	3 },
	{ "net-unreachable",	0 },
	{ "no-route",		0 },
	{ "port-unreachable",	4 },
);

TABLE(names_reject_icmpx,
	{ "admin-prohibited",	NFT_REJECT_ICMPX_ADMIN_PROHIBITED },
	{ "host-unreachable",	NFT_REJECT_ICMPX_HOST_UNREACH },
	{ "net-unreachable",	NFT_REJECT_ICMPX_NO_ROUTE },
	{ "no-route",		NFT_REJECT_ICMPX_NO_ROUTE },
	{ "port-unreachable",	NFT_REJECT_ICMPX_PORT_UNREACH },
);

TABLE(names_rate_unit,
	{ "day",	IR_PER_DAY },
	{ "hour",	IR_PER_HOUR },
	{ "minute",	IR_PER_MINUTE },
	{ "second",	IR_PER_SECOND },
);

TABLE(names_set_type,
	{ "addr",	SET_TYPE_ADDR },
	{ "domain",	SET_TYPE_DOMAIN },
	{ "ifname",	SET_TYPE_IFNAME },
	{ "ipv4",	SET_TYPE_IPV4 },
	{ "ipv6",	SET_TYPE_IPV6 },
	{ "port",	SET_TYPE_PORT },
);

/*
 * Binary search, the first byte compared inline: the lexer looks up every
 * word of a rule file as a keyword, and bsearch() with a strcmp() per
 * step was a fortieth of compiling 10,000 rules.
 */
bool names_lookup(const struct name_table *t, const char *name,
		  unsigned *value)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *e = t->entries[mid].name;
		int d = (unsigned char)name[0] - (unsigned char)e[0];

		if (!d && name[0])
			d = strcmp(name + 1, e + 1);
		if (!d) {
			if (value)
				*value = t->entries[mid].value;
			return true;
		}
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

const char *names_by_value(const struct name_table *t, unsigned value)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->entries[i].value == value)
			return t->entries[i].name;
	return NULL;
}

bool names_sorted(const struct name_table *t)
{
	size_t i;

	for (i = 1; i < t->n; i++)
		if (strcmp(t->entries[i - 1].name, t->entries[i].name) >= 0)
			return false;
	return true;
}

#define SUGGEST_MAX	2	/* edits */
#define SUGGEST_LEN	64	/* longer words get no suggestion */

/* Levenshtein distance, two rows; words are short and errors rare. */
static unsigned edit_distance(const char *a, const char *b)
{
	unsigned row[2][SUGGEST_LEN + 1];
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la > SUGGEST_LEN || lb > SUGGEST_LEN)
		return SUGGEST_MAX + 1;
	for (j = 0; j <= lb; j++)
		row[0][j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		unsigned *prev = row[(i - 1) & 1], *cur = row[i & 1];

		cur[0] = (unsigned)i;
		for (j = 1; j <= lb; j++) {
			unsigned best = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			cur[j] = best;
		}
	}
	return row[la & 1][lb];
}

/*
 * The closest candidate within SUGGEST_MAX edits; a word of one or two
 * letters is too short for a guess to mean anything. Ties go to the first.
 */
const char *names_closest(const char *word, const char *const *cands,
			  size_t n)
{
	unsigned best = SUGGEST_MAX + 1, d;
	const char *found = NULL;
	size_t i;

	if (strlen(word) <= 2)
		return NULL;
	for (i = 0; i < n; i++) {
		d = edit_distance(word, cands[i]);
		if (d < best) {
			best = d;
			found = cands[i];
		}
	}
	return found;
}

const char *names_suggest(const struct name_table *t, const char *word)
{
	const char *cands[64];
	size_t i, n = t->n < 64 ? t->n : 64;

	for (i = 0; i < n; i++)
		cands[i] = t->entries[i].name;
	return names_closest(word, cands, n);
}

bool proto_has_ports(unsigned proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_SCTP || proto == IPPROTO_UDPLITE ||
	       proto == IPPROTO_DCCP;
}
