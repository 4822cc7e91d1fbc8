// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A random rule file and packets to send through it, with the verdict
 * the rules as written (COMPILE_LINEAR, run by ir_eval) give each one,
 * for optimize_packets.sh: there the optimized file is applied to a real
 * router and the packets must fare as predicted.
 *
 * opt_sample SEED RULES|FILE DIR IIF... : writes DIR/rules.fw (RULES
 * random rules, or a copy of the rule file FILE) and
 * DIR/packets.txt, one packet a line:
 *   ID IIF FAMILY PROTO SADDR DADDR SPORT DPORT VERDICT SOURCE
 * for forwarded packets that arrive on one of the IIFs and leave on eth0
 * (the rule files' wan zone). Only packets a real network carries as
 * predicted: new tcp (SYN), udp and ICMP echo requests, no fragments
 * (conntrack reassembles them before the rules), no martian or link
 * addresses (198.18.0.0/15, 203.0.113.0/24 and 3fff::/20 are the
 * test's links).
 */
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "diag.h"
#include "ir_eval.h"
#include "opt_gen.h"

#define PACKETS		300
#define CANDIDATES	200000

static bool martian4(const uint8_t *a)
{
	return a[0] == 0 || a[0] == 127 || a[0] >= 224 ||
	       (a[0] == 198 && (a[1] & 0xfe) == 18) ||
	       (a[0] == 203 && a[1] == 0 && a[2] == 113) ||
	       (a[0] == 169 && a[1] == 254);
}

static bool martian6(const uint8_t *a)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const uint8_t zero[15];

	return a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
	       !memcmp(a, mapped, 12) || !memcmp(a, zero, 15) ||
	       (a[0] == 0x3f && (a[1] & 0xf0) == 0xf0) || a[0] == 0;
}

static bool martian(const struct ir_packet *p)
{
	if (p->nfproto == NFPROTO_IPV4)
		return martian4(p->saddr) || martian4(p->daddr);
	return martian6(p->saddr) || martian6(p->daddr);
}

/* What a packet of the sender is: the protocol and ports it can carry. */
static void realize(struct ir_packet *p, const char *iif, bool v6)
{
	memset(p->iifname, 0, sizeof(p->iifname));
	snprintf(p->iifname, sizeof(p->iifname), "%s", iif);
	memset(p->oifname, 0, sizeof(p->oifname));
	snprintf(p->oifname, sizeof(p->oifname), "eth0");
	if (p->l4proto == IPPROTO_ICMP || p->l4proto == IPPROTO_ICMPV6) {
		p->l4proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
		p->icmp_type = v6 ? 128 : 8;	/* echo request */
		p->icmp_code = 0;
		p->sport = p->dport = 0;
	} else if (p->l4proto != IPPROTO_TCP && p->l4proto != IPPROTO_UDP) {
		p->l4proto = p->sport & 1 ? IPPROTO_TCP : IPPROTO_UDP;
	}
	if (p->l4proto == IPPROTO_TCP || p->l4proto == IPPROTO_UDP) {
		p->sport = p->sport ? p->sport : 1;
		p->dport = p->dport ? p->dport : 1;
	}
	p->has_th = true;
	p->ct_state = IR_CT_NEW;
	p->ct_status = p->ct_mark = p->meta_mark = 0;
	p->fib_daddr_type = RTN_UNICAST;
	p->over_limit = p->over_connlimit = false;
}

/* A zone interface for packets aimed at one, else one of no zone. */
static const char *iif_for(const struct ir_packet *p, char **ifs, int n)
{
	size_t len;
	int i;

	for (i = 0; i < n; i++) {
		len = strcspn(ifs[i], "0123456789");
		if (!strncmp(p->iifname, ifs[i], len))
			return ifs[i];
	}
	return ifs[n - 1];
}

static const char *const verdicts[] = {
	[IR_ACCEPT] = "accept", [IR_DROP] = "drop", [IR_REJECT] = "reject",
	[IR_QUEUE] = "queue",
};

static void packet_line(FILE *f, unsigned id, const struct ir_packet *p,
			const struct ir_eval_result *r)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	int af = p->nfproto == NFPROTO_IPV4 ? AF_INET : AF_INET6;

	inet_ntop(af, p->saddr, s, sizeof(s));
	inet_ntop(af, p->daddr, d, sizeof(d));
	fprintf(f, "%u %s %d %u %s %s %u %u %s ", id, p->iifname,
		af == AF_INET ? 4 : 6, p->l4proto, s, d, p->sport, p->dport,
		verdicts[r->kind]);
	if (r->policy)
		fprintf(f, "policy\n");
	else
		fprintf(f, "%s:%u\n", r->loc.file ? r->loc.file : "built-in",
			r->loc.line);
}

static FILE *open_in(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	return f;
}

/* Packets half accepted, half not, as far as the rules allow. */
static unsigned sample(const struct ir_table *t, struct opt_rng *g,
		       char **ifs, int n_ifs, FILE *out)
{
	struct opt_pool *pl = opt_pool_new(t);
	unsigned kept[2] = { 0 }, i, id = 0;
	struct ir_eval_result r;
	struct ir_packet p;
	enum ir_hook hook;

	for (i = 0; i < CANDIDATES && id < PACKETS; i++) {
		opt_packet(pl, g, &p, &hook);
		realize(&p, iif_for(&p, ifs, n_ifs),
			p.nfproto == NFPROTO_IPV6);
		if (martian(&p))
			continue;
		ir_eval_hook(t, IR_HOOK_FORWARD, &p, NULL, &r);
		if (r.error || r.kind == IR_QUEUE ||
		    kept[r.kind == IR_ACCEPT] >= PACKETS / 2)
			continue;
		kept[r.kind == IR_ACCEPT]++;
		packet_line(out, id++, &p, &r);
	}
	opt_pool_free(pl);
	return id;
}

static char *read_rules(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t size = 0;

	if (!f || getdelim(&text, &size, '\0', f) < 0) {
		fprintf(stderr, "opt_sample: cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	return text;
}

int main(int argc, char **argv)
{
	struct ir_table *t;
	struct opt_rng g;
	char *text;
	FILE *f;
	unsigned n;

	if (argc < 5) {
		fprintf(stderr, "usage: opt_sample SEED RULES|FILE DIR IIF...\n");
		return 64;
	}
	opt_rng_seed(&g, strtoull(argv[1], NULL, 0));
	if (strspn(argv[2], "0123456789") == strlen(argv[2]))
		text = opt_gen_rules(&g, strtoul(argv[2], NULL, 0),
				     OPT_GEN_KERNEL);
	else
		text = read_rules(argv[2]);
	f = open_in(argv[3], "rules.fw");
	fputs(text, f);
	fclose(f);
	t = compile_buffer_flags("rules.fw", text, strlen(text),
				 COMPILE_LINEAR);
	if (!t)
		return 1;
	f = open_in(argv[3], "packets.txt");
	n = sample(t, &g, argv + 4, argc - 4, f);
	fclose(f);
	fprintf(stderr, "opt_sample: %zu IR rules, %u packets\n",
		ir_table_rule_count(t), n);
	ir_table_free(t);
	free(text);
	return 0;
}
