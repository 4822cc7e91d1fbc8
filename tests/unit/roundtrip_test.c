// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The two back ends are exact mirrors: the same IR pushed by
 * kernel_apply() into one namespace and, as export_table() text, by
 * `nft -f` into another must list identically, bytecode included; and
 * so must the inspect chains of a compiled rule file.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend_util.h"
#include "batch.h"
#include "compile.h"
#include "feature.h"
#include "fwctl.h"
#include "kernel.h"

#define LIST	"nft -s list table inet fwctl"
/*
 * The bytecode of every rule, as nft prints it while listing; without
 * the userdata (nft -f cannot write fwctl's own source text) and the set
 * dumps (hash sets list in a per-set random order).
 */
#define BYTECODE "nft -s --debug=netlink list table inet fwctl | " \
		 "grep -E '^(inet fwctl [^@]|  \\[)'"
/* Every set element with its flags, data and userdata, in sorted order. */
#define ELEMENTS "nft -s --debug=netlink list table inet fwctl | " \
		 "awk '/^inet fwctl @/ { s = $3 } " \
		 "/^\telement/ { print s, $0 }' " \
		 "| sort"

static void show_diff(const char *a, const char *b)
{
	char pa[] = "/tmp/fwctl-rt-a-XXXXXX", pb[] = "/tmp/fwctl-rt-b-XXXXXX";
	char cmd[128], *out;
	int fa = mkstemp(pa), fb = mkstemp(pb);

	if (fa < 0 || fb < 0)
		return;
	close(fa);
	close(fb);
	bt_write_file(pa, a);
	bt_write_file(pb, b);
	snprintf(cmd, sizeof(cmd), "diff -u %s %s", pa, pb);
	out = bt_run(NULL, cmd, NULL);
	fprintf(stderr, "kernel_apply (-) vs nft -f export (+):\n%s", out);
	free(out);
	unlink(pa);
	unlink(pb);
}

static void compare(const char *ns_a, const char *ns_b, const char *cmd)
{
	int sa, sb;
	char *a = bt_run(ns_a, cmd, &sa), *b = bt_run(ns_b, cmd, &sb);

	CHECK(sa == 0 && sb == 0);
	CHECK(*a != '\0');
	CHECK(strcmp(a, b) == 0);
	if (strcmp(a, b))
		show_diff(a, b);
	free(a);
	free(b);
}

/* nft -f the export in ns; the file is written once, loaded twice. */
static void nft_load(const char *ns, const char *text)
{
	char path[] = "/tmp/fwctl-rt-XXXXXX", cmd[64];
	int fd = mkstemp(path), st;
	char *out;

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	CHECK(bt_write_file(path, text));
	snprintf(cmd, sizeof(cmd), "nft -f %s", path);
	out = bt_run(ns, cmd, &st);
	CHECK(st == 0);
	free(out);
	unlink(path);
}

/* What the listing must show, spot-checked by hand. */
static void check_listing(const char *ns)
{
	static const char *const expected[] = {
		"comment \"backend.fw:10 ssh from 'admins'\"",
		"comment \"fwctl: stateful\"",
		"iifname vmap { \"lan0\" : goto forward_lan, "
		"\"lan1\" : accept, \"wg*\" : drop }",
		"ip daddr != { 10.0.0.0/23, 10.0.3.1 }",
		"meta l4proto tcp ip saddr 198.51.100.0/24 "
		"reject with tcp reset",
		"elements = { \"dmz*\" : goto to_dmz,",
		"table ip keepme",
		"iifname \"wan0\" tcp dport 8080 dnat ip to 192.168.1.10:80",
		"dnat ip6 to [fd00::10]:22",
		"snat ip to 198.51.100.1-198.51.100.5:1024-2000",
		"masquerade to :10000-20000 random,persistent",
		"fib daddr type local redirect to :3128",
		"ct status dnat masquerade",
		"udp dport 53 notrack",
		"ct helper set \"ftp-tcp\"",
		"type \"ftp\" protocol tcp",
		"add @conn-v6 { ip6 saddr ct count 3 }",
		"tcp ct count 100 accept",
		"policy = { unreplied : 10, replied : 60 }",
	};
	char *out = bt_run(ns, "nft -s list ruleset", NULL);
	size_t i;

	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		CHECK(strstr(out, expected[i]) != NULL);
		if (!strstr(out, expected[i]))
			fprintf(stderr, "missing: %s\n", expected[i]);
	}
	free(out);
}

static const char inspect_rules[] =
	"zone lan { interfaces veth-lan; networks 192.168.1.0/24 }\n"
	"inspect forward from lan proto tcp port 443 deny sni "
	"{ \"*.example.invalid\" }\n"
	"inspect input proto udp port 53 deny dns { \"a.example\" } "
	"fail-closed queues 2-3\n";

/* nft loads queue statements only where the kernel has nft_queue. */
static void queue_verdicts_drop(struct ir_table *t)
{
	size_t i, j;

	for (i = 0; i < t->n_chains; i++)
		for (j = 0; j < t->chains[i]->n_rules; j++)
			if (t->chains[i]->rules[j].verdict.kind == IR_QUEUE)
				t->chains[i]->rules[j].verdict.kind =
					IR_VERDICT_NONE;
}

/*
 * The inspect chains: ct and meta mark matches under a mask, ct mark set
 * meta mark, priorities 10 and 20, and the queue verdicts when nft can
 * load them here (else they go, and export_roundtrip.sh counts the xt
 * targets instead).
 */
static void test_inspect(void)
{
	const char *a = bt_netns_new("ia"), *b = bt_netns_new("ib");
	struct ir_table *t = compile_buffer("inspect.fw", inspect_rules,
					    strlen(inspect_rules));
	char *text, *out;
	struct nlsock s;

	CHECK(t != NULL);
	if (!t)
		return;
	bt_netns_enter(a);
	CHECK(batch_socket_open(&s) == 0);
	if (feature_queue_probe(&s) != FEATURE_QUEUE_NATIVE)
		queue_verdicts_drop(t);
	nlsock_close(&s);
	text = bt_export(t);
	CHECK(kernel_apply(t, false, NULL) == FW_EXIT_OK);
	nft_load(b, text);
	compare(a, b, LIST);
	compare(a, b, BYTECODE);
	out = bt_run(a, LIST, NULL);
	CHECK(strstr(out, "meta mark 0x80000000/1 ct mark set meta mark"));
	CHECK(strstr(out, "ct mark 0xc0000000/2 drop"));
	CHECK(strstr(out, "hook input priority filter + 10;"));
	free(out);
	free(text);
	ir_table_free(t);
}

int main(void)
{
	struct ir_table *t = bt_table_all();
	char *text = bt_export(t), *out;
	const char *a, *b;

	bt_need_kernel();
	a = bt_netns_new("a");
	b = bt_netns_new("b");
	/* Another tool's table must survive an apply. */
	out = bt_run(a, "nft add table ip keepme", NULL);
	free(out);
	bt_netns_enter(a);
	CHECK(kernel_apply(t, false, NULL) == FW_EXIT_OK);
	nft_load(b, text);
	compare(a, b, LIST);
	compare(a, b, BYTECODE);
	compare(a, b, ELEMENTS);
	check_listing(a);
	/* Replacing an existing table: both ways again. */
	CHECK(kernel_apply(t, false, NULL) == FW_EXIT_OK);
	nft_load(b, text);
	compare(a, b, LIST);
	compare(a, b, BYTECODE);
	compare(a, b, ELEMENTS);
	free(text);
	ir_table_free(t);
	test_inspect();
	return bt_exit("roundtrip_test");
}
