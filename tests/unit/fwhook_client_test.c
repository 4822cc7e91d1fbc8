// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The wire formats of lib/fwhook_client: a configuration encoded as in
 * SET_CONFIG decodes back (as the kernel's GET_CONFIG reply uses the
 * same layout) to the same values; a session message as the module
 * builds it decodes field by field, and attributes of the wrong size are
 * skipped rather than read.
 */
#include <string.h>
#include <linux/genetlink.h>

#include "fwhook_client.h"
#include "unit.h"

static struct nlmsghdr *genl_start(char *buf)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	mnl_nlmsg_put_extra_header(nlh, sizeof(struct genlmsghdr));
	return nlh;
}

static void test_config_round_trip(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct fwhook_config c = { .idle_timeout = 30, .max_sessions = 500,
				   .nprofiles = FWHOOK_PROFILES_MAX }, back;
	struct nlmsghdr *nlh = genl_start(buf);
	size_t i;

	for (i = 0; i < c.nprofiles; i++)
		c.profiles[i] = (struct fwhook_profile){
			.queue_first = i * 3, .queue_count = 1 + i % 64,
			.budget = 1 + i * 7, .fail_open = i & 1,
			.default_verdict = 1 + (i & 1) };
	fwhook_config_encode(nlh, &c);
	fwhook_config_decode(nlh, &back);
	CHECK(back.idle_timeout == 30);
	CHECK(back.max_sessions == 500);
	CHECK(back.nprofiles == FWHOOK_PROFILES_MAX);
	CHECK(!memcmp(c.profiles, back.profiles, sizeof(c.profiles)));

	c = (struct fwhook_config){ 0 };
	nlh = genl_start(buf);
	fwhook_config_encode(nlh, &c);
	fwhook_config_decode(nlh, &back);
	CHECK(back.nprofiles == 0);
	CHECK(back.idle_timeout == 0);
}

static void test_session_decode(void)
{
	static const uint8_t v4[4] = { 10, 99, 0, 1 }, v4d[4] = { 10, 99, 0, 2 };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = genl_start(buf);
	struct fwhook_session s;
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, FWHOOK_A_SESSION);
	mnl_attr_put_u64(nlh, FWHOOK_S_ID, 42);
	mnl_attr_put_u8(nlh, FWHOOK_S_FAMILY, 2);
	mnl_attr_put_u8(nlh, FWHOOK_S_PROTO, 6);
	mnl_attr_put(nlh, FWHOOK_S_SADDR, 4, v4);
	mnl_attr_put(nlh, FWHOOK_S_DADDR, 4, v4d);
	mnl_attr_put_u16(nlh, FWHOOK_S_SPORT, 40000);
	mnl_attr_put_u16(nlh, FWHOOK_S_DPORT, 443);
	mnl_attr_put_u8(nlh, FWHOOK_S_VERDICT, FWHOOK_VERDICT_DENY);
	mnl_attr_put_u8(nlh, FWHOOK_S_REASON, FWHOOK_REASON_DAEMON);
	mnl_attr_put_u64(nlh, FWHOOK_S_BYTES, 1ull << 40);
	mnl_attr_put_u32(nlh, FWHOOK_S_PACKETS, 7);	/* wrong size */
	mnl_attr_put_u32(nlh, FWHOOK_S_QUEUED, 3);
	mnl_attr_put_u64(nlh, FWHOOK_S_AGE_MS, 1500);
	mnl_attr_put(nlh, FWHOOK_S_MAX + 5, 3, "xyz");	/* unknown */
	mnl_attr_nest_end(nlh, nest);
	fwhook_session_decode(nlh, &s);
	CHECK(s.id == 42);
	CHECK(s.family == 2 && s.proto == 6);
	CHECK(!memcmp(s.saddr, v4, 4) && !memcmp(s.daddr, v4d, 4));
	CHECK(s.sport == 40000 && s.dport == 443);
	CHECK(s.verdict == FWHOOK_VERDICT_DENY);
	CHECK(s.reason == FWHOOK_REASON_DAEMON);
	CHECK(s.bytes == 1ull << 40);
	CHECK(s.packets == 0);
	CHECK(s.queued == 3 && s.age_ms == 1500);
	CHECK_STREQ(fwhook_verdict_name(s.verdict), "deny");
	CHECK_STREQ(fwhook_reason_name(s.reason), "daemon");
	CHECK_STREQ(fwhook_verdict_name(200), "?");
}

int main(void)
{
	test_config_round_trip();
	test_session_decode();
	return unit_summary("fwhook_client_test");
}
