// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * treecost: the work a compiled rule set gives each packet, without a
 * kernel. Every packet of a trace (classbench trace) goes through the
 * optimized IR the way nf_tables runs it (tests/unit/ir_eval.c); printed
 * per packet: verdict map lookups, rules entered, of them "missed" those
 * in chains it fell off the end of (leaves of earlier sequence parts that
 * held nothing for it: on gen10k and fw1_10k three quarters of all), and
 * matches compared; and the rules the kernel would load.
 *
 * Why: measuring packets/s takes minutes per rule set and moves by a
 * fifth between runs on a virtual machine; these counts take seconds and
 * do not move. Fitted to tests/bench/classify's packets/s of acl1_10k and
 * gen10k here, a lookup costs ~210 ns and a rule entered ~7 ns (which
 * predicts fw1_10k within its spread): "model ns" is that sum, a guide
 * for trying optimizer changes before measuring them, not a measurement.
 * The trees are built without the flow cache of stateless lists
 * (opt_flow.c): every packet is the first of its flow, as in the kernel
 * without it, and the figures are the tree's.
 *
 * usage: treecost FILE TRACE [FILE TRACE]...
 *   TRACE: lines "PROTO SRC DST SPORT DPORT", PROTO tcp, udp, icmp or a
 *   number, IPv4 addresses (what classbench trace writes).
 */
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "ir.h"
#include "ir_eval.h"

#define LOOKUP_NS	210.0
#define RULE_NS		7.0

struct tally {
	double	packets, lookups, rules, matches, missed;
	size_t	accepted;
};

static int proto_of(const char *s)
{
	if (!strcmp(s, "tcp"))
		return IPPROTO_TCP;
	if (!strcmp(s, "udp"))
		return IPPROTO_UDP;
	if (!strcmp(s, "icmp"))
		return IPPROTO_ICMP;
	return atoi(s);
}

/* One trace line into a forwarded IPv4 packet; false at its end. */
static bool packet_read(FILE *f, struct ir_packet *p, const char *path,
			unsigned long line)
{
	char proto[16], src[64], dst[64];
	unsigned sport, dport;

	if (fscanf(f, "%15s %63s %63s %u %u", proto, src, dst, &sport,
		   &dport) != 5)
		return false;
	memset(p, 0, sizeof(*p));
	p->nfproto = NFPROTO_IPV4;
	p->l4proto = (uint8_t)proto_of(proto);
	if (inet_pton(AF_INET, src, p->saddr) != 1 ||
	    inet_pton(AF_INET, dst, p->daddr) != 1 || sport > 65535 ||
	    dport > 65535) {
		fprintf(stderr, "treecost: %s:%lu: not a trace line\n", path,
			line);
		exit(2);
	}
	p->has_th = true;
	p->sport = (uint16_t)sport;
	p->dport = (uint16_t)dport;
	strcpy(p->iifname, "in0");
	strcpy(p->oifname, "out0");
	return true;
}

static size_t kernel_rules(const struct ir_table *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->n_chains; i++)
		n += t->chains[i]->n_rules;
	return n;
}

static int run(const char *rules, const char *trace)
{
	struct ir_table *t = compile_file_flags(rules, COMPILE_NO_FLOW_CACHE);
	FILE *f = fopen(trace, "r");
	struct tally y = { 0 };
	struct ir_eval_result r;
	struct ir_packet p;

	if (!t || !f) {		/* the compiler said why on stderr */
		if (!f)
			perror(trace);
		ir_table_free(t);
		if (f)
			fclose(f);
		return 2;
	}
	while (packet_read(f, &p, trace, (unsigned long)y.packets + 1)) {
		ir_eval_hook(t, IR_HOOK_FORWARD, &p, NULL, &r);
		y.packets++;
		y.lookups += r.lookups;
		y.rules += r.rules;
		y.missed += r.missed;
		y.matches += r.matches;
		y.accepted += r.kind == IR_ACCEPT;
	}
	fclose(f);
	if (y.packets > 0)
		printf("%-24s %7zu %7zu | %7.2f %8.1f %8.1f %8.1f | %9.0f | "
		       "%zu/%.0f\n", rules, kernel_rules(t), t->n_chains,
		       y.lookups / y.packets, y.rules / y.packets,
		       y.missed / y.packets, y.matches / y.packets,
		       (LOOKUP_NS * y.lookups + RULE_NS * y.rules) /
		       y.packets, y.accepted, y.packets);
	ir_table_free(t);
	return y.packets > 0 ? 0 : 2;
}

int main(int argc, char **argv)
{
	int i, err = 0;

	if (argc < 3 || argc % 2 == 0) {
		fprintf(stderr, "usage: treecost FILE TRACE [FILE TRACE]...\n");
		return 64;
	}
	printf("%-24s %15s | %35s | %9s |\n", "", "loaded:", "per packet:",
	       "");
	printf("%-24s %7s %7s | %7s %8s %8s %8s | %9s | %s\n", "rule file",
	       "rules", "chains", "lookups", "rules", "missed", "matches",
	       "model ns", "accepted");
	for (i = 1; i + 1 < argc; i += 2)
		if (run(argv[i], argv[i + 1]))
			err = 2;
	return err;
}
