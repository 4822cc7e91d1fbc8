// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The traffic-control layer against the running kernel, in a namespace of
 * the test's own with one veth pair: an HTB tree built, read back field by
 * field, changed, broken on purpose and removed; IFB ingress set up, fed a
 * few packets and taken down. Root only (77 otherwise).
 */
#include <errno.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tc.h"
#include "unit.h"

#define MBIT	1000000ull

static struct tc_features feat;

/* The root class fc:1 and three children under it; fc:30 takes the rest. */
static const struct tc_class tree[] = {
	{ TC_CLASS(1), TC_HTB_MAJOR, 100 * MBIT, 100 * MBIT, 20000, 20000,
	  0, false },
	{ TC_CLASS(0x10), TC_CLASS(1), 10 * MBIT, 100 * MBIT, 15000,
	  25000, 0, true },
	{ TC_CLASS(0x20), TC_CLASS(1), 50 * MBIT, 100 * MBIT, 25000,
	  25000, 1, true },
	{ TC_CLASS(0x30), TC_CLASS(1), 8 * MBIT, 80 * MBIT, 10000,
	  20000, 7, true },
};

static void check_class(const struct tc_class_stats *got,
			const struct tc_class *want)
{
	CHECK_EQ(got->cls.handle, want->handle);
	CHECK_EQ(got->cls.parent, want->parent);
	CHECK_EQ(got->cls.rate, want->rate);
	CHECK_EQ(got->cls.ceil, want->ceil);
	CHECK_EQ(got->cls.burst, want->burst);
	CHECK_EQ(got->cls.cburst, want->cburst);
	CHECK_EQ(got->cls.prio, want->prio);
	CHECK_EQ(got->cls.leaf, want->leaf);
	CHECK_STREQ(got->leaf_kind, want->leaf ? feat.leaf_kind : "");
}

/* Reads ifname's tree and compares it with want[0..n), in handle order. */
static void check_tree(const char *ifname, const struct tc_class *want,
		       size_t n)
{
	struct tc_class_stats *got = NULL;
	size_t m = 0;

	if (!CHECK_EQ(tc_htb_read(ifname, &got, &m), 0) || !CHECK_EQ(m, n)) {
		free(got);
		return;
	}
	for (size_t i = 0; i < n; i++)
		check_class(&got[i], &want[i]);
	free(got);
}

static uint64_t class_bytes(const char *ifname, uint32_t handle)
{
	struct tc_class_stats *got = NULL;
	uint64_t bytes = 0;
	size_t m = 0;

	if (tc_htb_read(ifname, &got, &m) == 0)
		for (size_t i = 0; i < m; i++)
			if (got[i].cls.handle == handle)
				bytes = got[i].bytes;
	free(got);
	return bytes;
}

/*
 * 10.9.0.3 is a neighbour behind v0 that answers to v1's address: what is
 * sent to it leaves through v0's qdisc and enters v1 (where IP drops it).
 */
static int send_udp(int count)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(9),
				  .sin_addr.s_addr = htonl(0x0a090003) };
	char payload[100] = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), err = 0;

	for (int i = 0; i < count && fd >= 0; i++)
		if (sendto(fd, payload, sizeof(payload), 0,
			   (struct sockaddr *)&to, sizeof(to)) < 0)
			err = -1;
	if (fd >= 0)
		close(fd);
	usleep(100000);
	return fd < 0 ? -1 : err;
}

static void test_build(void)
{
	CHECK_EQ(tc_htb_apply("v0", tree, 4, 0x30), 0);
	check_tree("v0", tree, 4);
	/* The same state again is no change at all. */
	CHECK_EQ(tc_htb_apply("v0", tree, 4, 0x30), 0);
	check_tree("v0", tree, 4);
}

/* Changed in place (same default), then a new default and a new class. */
static void test_change(void)
{
	struct tc_class t[4];

	memcpy(t, tree, sizeof(t));
	t[2].rate = 20 * MBIT;
	t[2].burst = 5000;
	t[1].prio = 3;
	CHECK_EQ(tc_htb_apply("v0", t, 4, 0x30), 0);
	check_tree("v0", t, 4);

	/* fc:30 goes, fc:40 comes under fc:20 (no longer a leaf), default 40. */
	t[3] = (struct tc_class){ TC_CLASS(0x40), TC_CLASS(0x20),
				  5 * MBIT, 20 * MBIT, 5000, 5000, 2, true };
	t[2].leaf = false;
	CHECK_EQ(tc_htb_apply("v0", t, 4, 0x40), 0);
	check_tree("v0", t, 4);
	CHECK_EQ(tc_htb_apply("v0", tree, 4, 0x30), 0);
	check_tree("v0", tree, 4);
}

/* Same default class, so the tree stays: fc:20 goes, then fc:10 moves. */
static void test_prune(void)
{
	struct tc_class t[4] = { tree[0], tree[1], tree[3] };

	CHECK_EQ(tc_htb_apply("v0", t, 3, 0x30), 0);
	check_tree("v0", t, 3);
	memcpy(t, tree, sizeof(t));
	t[1].parent = TC_CLASS(0x20);
	t[1].ceil = t[2].ceil = 50 * MBIT;
	t[2].leaf = false;
	CHECK_EQ(tc_htb_apply("v0", t, 4, 0x30), 0);
	check_tree("v0", t, 4);
	CHECK_EQ(tc_htb_apply("v0", tree, 4, 0x30), 0);
	check_tree("v0", tree, 4);
}

static void expect_refusal(const struct tc_class *t, size_t n,
			   uint16_t defcls, const char *why)
{
	CHECK_EQ(tc_htb_apply("v0", t, n, defcls), -EINVAL);
	if (!CHECK(strstr(tc_error(), why)))
		fprintf(stderr, "  error was: %s\n", tc_error());
	check_tree("v0", tree, 4);
}

static void test_errors(void)
{
	struct tc_class t[4];

	memcpy(t, tree, sizeof(t));
	t[2].rate = 0;
	expect_refusal(t, 4, 30, "class fc:20: rate must be");
	memcpy(t, tree, sizeof(t));
	t[3].parent = TC_CLASS(0x99);
	expect_refusal(t, 4, 30, "parent fc:99 is no class of this tree");
	memcpy(t, tree, sizeof(t));
	t[1].ceil = MBIT;
	expect_refusal(t, 4, 30, "class fc:10: ceil is below rate");
	expect_refusal(tree, 4, 1, "default class fc:1 is not a leaf");
	expect_refusal(tree, 4, 0x77, "default class fc:77 is no class");
	CHECK_EQ(tc_htb_apply("nosuch0", tree, 4, 0x30), -ENODEV);
	CHECK_STREQ(tc_error(), "unknown interface 'nosuch0'");
}

/* Above 4 Gbyte/s the rate travels as TCA_HTB_RATE64. */
static void test_rate64(void)
{
	const struct tc_class big = { TC_CLASS(5), TC_HTB_MAJOR,
				      40000 * MBIT, 50000 * MBIT, 5000000,
				      6250000, 0, true };

	CHECK_EQ(tc_htb_apply("v1", &big, 1, 5), 0);
	check_tree("v1", &big, 1);
	CHECK_EQ(tc_htb_remove("v1"), 0);
}

static void test_ingress(void)
{
	uint64_t before = class_bytes("v0", TC_CLASS(0x30));
	char kind[16] = "";

	if (!feat.ifb || !feat.redirect_classifier[0]) {
		CHECK_EQ(tc_ingress_apply("v1", "ifb0", 20 * MBIT),
			 -EOPNOTSUPP);
		return;
	}
	CHECK_EQ(tc_ingress_apply("v1", "ifb0", 20 * MBIT), 0);
	CHECK_EQ(tc_root_kind("ifb0", kind, sizeof(kind)), 0);
	CHECK_STREQ(kind, "htb");
	/* Again: replaces the ingress qdisc, keeps the device. */
	CHECK_EQ(tc_ingress_apply("v1", "ifb0", 20 * MBIT), 0);
	CHECK_EQ(send_udp(3), 0);
	/* The datagrams left v0 through its default class ... */
	CHECK(class_bytes("v0", TC_CLASS(0x30)) >= before + 3 * 128);
	/* ... and came into v1 through ifb0. */
	CHECK(class_bytes("ifb0", TC_CLASS(1)) >= 3 * 128);
	CHECK_EQ(tc_ingress_remove("v1", "ifb0"), 0);
	CHECK_EQ(if_nametoindex("ifb0"), 0);
	CHECK_EQ(send_udp(1), 0);
}

static int setup(void)
{
	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0)
		return -1;
	return system("ip link add v0 type veth peer name v1 && "
		      "ip link set v0 up && ip link set v1 up && "
		      "ip addr add 10.9.0.1/24 dev v0 && "
		      "ip link set v1 address 02:00:00:00:09:02 && "
		      "ip neigh add 10.9.0.3 lladdr 02:00:00:00:09:02 dev v0");
}

int main(void)
{
	char before[16] = "", after[16] = "";

	if (setup() != 0) {
		fprintf(stderr, "tc_test: needs root and ip(8); skipped\n");
		return UNIT_SKIP;
	}
	CHECK_EQ(tc_probe(&feat), 0);
	CHECK(feat.htb);
	CHECK(feat.leaf_kind[0]);
	printf("leaf qdisc: %s; ingress redirect: %s\n", feat.leaf_kind,
	       feat.redirect_classifier[0] ? feat.redirect_classifier : "none");
	CHECK_EQ(tc_root_kind("v0", before, sizeof(before)), 0);
	test_build();
	test_change();
	test_prune();
	test_errors();
	test_rate64();
	test_ingress();
	CHECK_EQ(tc_htb_remove("v0"), 0);
	CHECK_EQ(tc_root_kind("v0", after, sizeof(after)), 0);
	CHECK_STREQ(after, before);
	CHECK_EQ(tc_htb_remove("v0"), 0);
	return unit_summary("tc_test");
}
