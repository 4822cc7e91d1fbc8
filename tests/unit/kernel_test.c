// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel back end against a real kernel, each part in its own
 * network namespace: errors mapped to rule locations and atomicity,
 * check-only batches, the generation guard, flush, show and status, and
 * one batch of 50,000 rules and 100,000 set elements; inspect rules with
 * the queue mechanism the kernel has.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "backend_util.h"
#include "batch.h"
#include "compile.h"
#include "diag.h"
#include "feature.h"
#include "fwctl.h"
#include "kernel.h"
#include "live.h"

/* -s: no counters, no timeouts counting down. */
#define LIST	"nft -s list ruleset"

static uint32_t genid_now(void)
{
	struct nlsock s;
	uint32_t gen = 0;

	if (nlsock_open(&s, NETLINK_NETFILTER) == 0) {
		CHECK(batch_genid(&s, &gen) == 0);
		nlsock_close(&s);
	}
	return gen;
}

/* A rule jumping to a chain that does not exist: refused, nothing changed. */
static void test_rejected_rule(void)
{
	const char *ns = bt_netns_new("err");
	struct ir_table *good = bt_table_small(), *bad = bt_table_small();
	struct ir_rule *r;
	char *before, *after, *msg;

	r = ir_rule_add(bad->chains[0], (struct fw_loc){
		.file = bad->source, .line = 7, .col = 3 });
	r->verdict.kind = IR_JUMP;
	r->verdict.chain = "nowhere";
	bt_netns_enter(ns);
	CHECK(kernel_apply(good, false, NULL) == FW_EXIT_OK);
	before = bt_run(ns, LIST, NULL);
	CHECK(bt_contains(before, "table inet fwctl"));
	CHECK(kernel_apply(bad, false, NULL) == FW_EXIT_SYSTEM);
	msg = bt_diag_take();
	CHECK(bt_contains(msg, "backend-small.fw:7:3: error: kernel rejected "
		       "this rule: "));
	CHECK(bt_contains(msg, "rule on line 7"));	/* the quoted source line */
	CHECK(bt_contains(msg, "nothing was changed"));
	after = bt_run(ns, LIST, NULL);
	CHECK(strcmp(before, after) == 0);
	free(msg);
	/* Check-only reports the same error, and changes nothing either. */
	CHECK(kernel_apply(bad, true, NULL) == FW_EXIT_SYSTEM);
	msg = bt_diag_take();
	CHECK(bt_contains(msg, "backend-small.fw:7:3: error: kernel rejected"));
	free(after);
	after = bt_run(ns, LIST, NULL);
	CHECK(strcmp(before, after) == 0);
	free(msg);
	free(before);
	free(after);
	ir_table_free(good);
	ir_table_free(bad);
}

static void test_check_only(void)
{
	const char *ns = bt_netns_new("check");
	struct ir_table *t = bt_table_all();
	char *before, *after, *msg;
	uint32_t gen;

	bt_netns_enter(ns);
	gen = genid_now();
	CHECK(kernel_apply(t, true, NULL) == FW_EXIT_OK);
	after = bt_run(ns, LIST, NULL);
	CHECK(*after == '\0');		/* absent stays absent */
	CHECK(genid_now() == gen);	/* nothing was committed */
	free(after);
	CHECK(kernel_apply(t, false, NULL) == FW_EXIT_OK);
	before = bt_run(ns, LIST, NULL);
	gen = genid_now();
	ir_table_free(t);
	t = bt_table_small();
	CHECK(kernel_apply(t, true, NULL) == FW_EXIT_OK);
	after = bt_run(ns, LIST, NULL);
	CHECK(strcmp(before, after) == 0);	/* present stays identical */
	CHECK(genid_now() == gen);
	msg = bt_diag_take();
	CHECK(*msg == '\0');
	free(msg);
	free(before);
	free(after);
	ir_table_free(t);
}

/* Another tool commits between our GETGEN and our batch. */
static void test_generation_guard(void)
{
	const char *ns = bt_netns_new("gen");
	struct ir_table *t = bt_table_small(), *all = bt_table_all();
	char *before, *after, *msg, *out;
	uint32_t stale;

	bt_netns_enter(ns);
	CHECK(kernel_apply(t, false, NULL) == FW_EXIT_OK);
	stale = genid_now();
	out = bt_run(ns, "nft add table ip othertool", NULL);
	free(out);
	CHECK(genid_now() != stale);
	before = bt_run(ns, LIST, NULL);
	CHECK(kernel_apply_at(all, false, stale) == FW_EXIT_SYSTEM);
	msg = bt_diag_take();
	CHECK(bt_contains(msg, "the ruleset changed while fwctl was applying "
		       "(another tool committed); nothing was changed — run "
		       "fwctl apply again"));
	after = bt_run(ns, LIST, NULL);
	CHECK(strcmp(before, after) == 0);
	/* The current generation goes through. */
	CHECK(kernel_apply_at(all, false, genid_now()) == FW_EXIT_OK);
	free(msg);
	free(before);
	free(after);
	ir_table_free(t);
	ir_table_free(all);
}

static const char *fwctl_path(void)
{
	const char *p = getenv("FWCTL");

	return p ? p : "./fwctl";
}

static char run_dir[] = "/tmp/fwctl-kernel-test-XXXXXX";

static void run_dir_remove(void)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", run_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "kernel_test: could not remove %s\n", run_dir);
}

/*
 * A run directory of the test's own for fwctl (--rundir): what a flush or
 * apply writes there stays out of /run/fwctld.
 */
static const char *fwctl_run_dir(void)
{
	static bool made;

	if (!made) {
		if (!mkdtemp(run_dir))
			abort();
		made = true;
		atexit(run_dir_remove);
	}
	return run_dir;
}

/* Runs fwctl ARGS in ns, stderr included; exit status in *st. */
static char *fwctl_run(const char *ns, const char *args, int *st)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "%s --netns %s --rundir %s %s 2>&1",
		 fwctl_path(), ns, fwctl_run_dir(), args);
	return bt_run(NULL, cmd, st);
}

static void test_flush(void)
{
	const char *ns = bt_netns_new("flush");
	struct ir_table *t = bt_table_small();
	char *out;
	int st;

	bt_netns_enter(ns);
	out = bt_run(ns, "nft add table ip othertool", NULL);
	free(out);
	CHECK(kernel_apply(t, false, NULL) == FW_EXIT_OK);
	CHECK(kernel_flush(NULL) == FW_EXIT_OK);
	out = bt_run(ns, "nft list tables", NULL);
	CHECK(strcmp(out, "table ip othertool\n") == 0);
	free(out);
	/* Absent: fine, and silent. */
	out = fwctl_run(ns, "flush", &st);
	CHECK(st == 0 && *out == '\0');
	free(out);
	ir_table_free(t);
}

/* Python checks on the JSON of `fwctl -j CMD`; exit 0 when they hold. */
static void check_json(const char *ns, const char *cmd, const char *py)
{
	char args[2048], *out;
	int st;

	snprintf(args, sizeof(args), "-j %s | python3 -c '"
		 "import json, os, sys\n"
		 "d = json.load(sys.stdin)\n%s'", cmd, py);
	out = fwctl_run(ns, args, &st);
	CHECK(st == 0);
	if (st)
		fprintf(stderr, "fwctl -j %s: %s\n", cmd, out);
	free(out);
}

static const char show_py[] =
	"t = d[\"table\"]\n"
	"assert t[\"name\"] == \"fwctl\", t\n"
	"assert t[\"source\"] == os.getcwd() + \"/backend-small.fw\", t\n"
	"assert isinstance(t[\"generation\"], int)\n"
	"c = {x[\"name\"]: x for x in d[\"chains\"]}\n"
	"i = c[\"input\"]\n"
	"assert (i[\"hook\"], i[\"priority\"], i[\"policy\"]) == "
	"(\"input\", 0, \"accept\"), i\n"
	"r = i[\"rules\"]\n"
	"assert r[0][\"location\"] is None and "
	"r[0][\"text\"] == \"fwctl: invalid\", r[0]\n"
	"assert r[0][\"packets\"] is None, r[0]\n"
	"assert r[1][\"location\"] == \"backend-small.fw:2\", r[1]\n"
	"assert r[1][\"text\"] == \"accept input proto udp src @admins\"\n"
	"assert (r[1][\"packets\"], r[1][\"bytes\"]) == (3, 114), r[1]\n"
	"assert r[2][\"packets\"] is None, r[2]\n"
	"assert c[\"output\"][\"rules\"][0][\"packets\"] >= 3\n"
	"s = d[\"sets\"][0]\n"
	"assert s == {\"name\": \"admins\", \"type\": \"ipv4_addr\", "
	"\"flags\": [\"interval\"], \"elements\": 2}, s\n";

static const char status_py[] =
	"f = {x[\"name\"]: x for x in d[\"features\"]}\n"
	"for k in (\"nf_tables\", \"inet\", \"counter\", \"reject\", "
	"\"limit\", \"log\", \"ct\", \"vmap\", \"nat\"):\n"
	"    assert f[k][\"supported\"] is True, f[k]\n"
	"for k in (\"queue\", \"flowtable\", \"xt_nfqueue\", \"concat\"):\n"
	"    assert isinstance(f[k][\"supported\"], bool), f[k]\n"
	"    assert f[k][\"supported\"] or f[k][\"errno\"], f[k]\n"
	"t = d[\"table\"]\n"
	"assert (t[\"chains\"], t[\"rules\"], t[\"sets\"]) == (2, 4, 1), t\n"
	"assert t[\"source\"] == os.getcwd() + \"/backend-small.fw\", t\n"
	"assert isinstance(d[\"generation\"], int)\n";

/* n datagrams of 10 bytes from 127.0.0.1 to port 9 (38 bytes as IP). */
static int send_udp(int n)
{
	struct sockaddr_in to = {
		.sin_family = AF_INET, .sin_port = htons(9),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = socket(AF_INET, SOCK_DGRAM, 0), i, sent = 0;

	for (i = 0; fd >= 0 && i < n; i++)
		if (sendto(fd, "0123456789", 10, 0, (struct sockaddr *)&to,
			   sizeof(to)) == 10)
			sent++;
	if (fd >= 0)
		close(fd);
	return sent;
}

static void test_show_status(void)
{
	const char *ns = bt_netns_new("show");
	struct ir_table *t = bt_table_small();
	char *out;
	int st;
	uint32_t gen;

	out = fwctl_run(ns, "show", &st);
	CHECK(st == 0 &&
	      strcmp(out, "no fwctl table in this namespace\n") == 0);
	free(out);
	out = fwctl_run(ns, "-j show", &st);
	CHECK(st == 0 && strcmp(out, "{\"table\":null}\n") == 0);
	free(out);
	bt_netns_enter(ns);
	CHECK(kernel_apply(t, false, NULL) == FW_EXIT_OK);
	CHECK(send_udp(3) == 3);
	check_json(ns, "show", show_py);
	out = fwctl_run(ns, "show", &st);
	CHECK(st == 0 && bt_contains(out, "backend-small.fw:2"));
	free(out);
	gen = genid_now();
	check_json(ns, "status", status_py);
	CHECK(genid_now() == gen);	/* the probes committed nothing */
	out = fwctl_run(ns, "status", &st);
	CHECK(st == 0 && bt_contains(out, "queue expression"));
	free(out);
	ir_table_free(t);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 50,000 rules and a 100,000-element set in one batch, read back. */
static void test_big_batch(void)
{
	const char *ns = bt_netns_new("big");
	struct ir_table *t = bt_table_big(50000, 100000);
	struct live_table lt = { 0 };
	struct nlsock s;
	double start;

	bt_netns_enter(ns);
	start = now();
	CHECK(kernel_apply(t, false, NULL) == FW_EXIT_OK);
	printf("apply of 50000 rules + 100000 elements: %.2f s\n",
	       now() - start);
	CHECK(nlsock_open(&s, NETLINK_NETFILTER) == 0);
	CHECK(live_read(&s, &lt, LIVE_ELEMENTS) == 0);
	CHECK(lt.n_rules == 50000);
	CHECK(lt.n_sets == 1 && lt.sets[0].elements == 100000);
	live_free(&lt);
	nlsock_close(&s);
	ir_table_free(t);
}

static const char inspect_rules[] =
	"zone lan { interfaces veth-lan; networks 192.168.1.0/24 }\n"
	"set bad = { \"*.example.invalid\", \"tracker.example\" }\n"
	"inspect forward from lan proto tcp port 443 deny sni @bad\n"
	"inspect output proto udp port 53 deny dns @bad fail-closed "
	"queues 2-3\n";

/*
 * The inspect chains with their queue verdicts, in the mechanism probed
 * here; a refused inspect table changes nothing.
 */
static void test_inspect(void)
{
	const char *ns = bt_netns_new("inspect");
	struct ir_table *t, *bad;
	enum feature_queue q;
	char *before, *after, *msg;
	struct ir_rule *r;
	struct nlsock s;

	t = compile_buffer("inspect.fw", inspect_rules, strlen(inspect_rules));
	bad = compile_buffer("inspect.fw", inspect_rules,
			     strlen(inspect_rules));
	CHECK(t && bad);
	if (!t || !bad)
		return;
	CHECK(t->n_profiles == 2);
	bt_netns_enter(ns);
	CHECK(batch_socket_open(&s) == 0);
	q = feature_queue_probe(&s);
	nlsock_close(&s);
	if (q == FEATURE_QUEUE_NONE) {
		fprintf(stderr, "inspect: no queue mechanism, part skipped\n");
		goto out;
	}
	t->queue_xt = bad->queue_xt = q == FEATURE_QUEUE_XT;
	CHECK(kernel_apply(t, false, NULL) == FW_EXIT_OK);
	before = bt_run(ns, LIST " 2>/dev/null", NULL);
	CHECK(bt_contains(before, "chain inspect_forward {"));
	CHECK(bt_contains(before, "hook forward priority filter + 10; policy "
		       "accept;"));
	CHECK(bt_contains(before, "chain inspect_forward_mark {"));
	CHECK(bt_contains(before, "hook forward priority 20; policy accept;"));
	CHECK(bt_contains(before, "chain inspect_output {"));
	CHECK(bt_contains(before, "ct mark set meta mark"));
	CHECK(bt_contains(before, "iifname \"veth-lan\" ip saddr "
		       "192.168.1.0/24 tcp dport 443"));
	CHECK(!strstr(before, "chain inspect_input"));
	r = ir_rule_add(ir_table_find_chain(bad, "inspect_output"),
			(struct fw_loc){ .file = bad->source, .line = 4 });
	r->verdict.kind = IR_JUMP;
	r->verdict.chain = "nowhere";
	CHECK(kernel_apply(bad, false, NULL) == FW_EXIT_SYSTEM);
	msg = bt_diag_take();
	CHECK(bt_contains(msg, "nothing was changed"));
	after = bt_run(ns, LIST " 2>/dev/null", NULL);
	CHECK(strcmp(before, after) == 0);
	free(msg);
	free(before);
	free(after);
out:
	ir_table_free(t);
	ir_table_free(bad);
}

int main(void)
{
	bt_need_kernel();
	bt_diag_capture();
	test_rejected_rule();
	test_check_only();
	test_generation_guard();
	test_flush();
	test_show_status();
	test_big_batch();
	test_inspect();
	return bt_exit("kernel_test");
}
