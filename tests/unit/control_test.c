// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control protocol: every message survives encode -> decode
 * unchanged, and every truncation, bad length, stray byte or oversized
 * field is refused without reading out of bounds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fwctl/control.h"
#include "unit.h"

static struct control_pattern patterns[] = {
	{ CONTROL_SNI, CONTROL_DENY, "bad.example" },
	{ CONTROL_HOST, CONTROL_ALLOW, "*.good.example" },
	{ CONTROL_DNS, CONTROL_DENY, "a" },
};

static const struct control_config config = {
	.queue_first = 10, .queue_count = 4, .queue_maxlen = 256,
	.fail_open = 1, .default_verdict = CONTROL_DROP, .budget = 8,
	.npatterns = 3, .patterns = patterns,
};

static void test_config_roundtrip(void)
{
	struct control_buf b = { 0 };
	struct control_config c;
	enum control_type type;
	size_t i;

	CHECK_EQ(control_put_config(&b, &config), 0);
	CHECK_EQ(control_msg_len(b.p, b.len, &type), (long)b.len);
	CHECK_EQ(type, CONTROL_SET_CONFIG);
	CHECK_EQ(control_get_config(b.p, b.len, &c), 0);
	CHECK_EQ(c.queue_first, 10);
	CHECK_EQ(c.queue_count, 4);
	CHECK_EQ(c.queue_maxlen, 256);
	CHECK_EQ(c.fail_open, 1);
	CHECK_EQ(c.default_verdict, CONTROL_DROP);
	CHECK_EQ(c.budget, 8);
	CHECK_EQ(c.npatterns, 3);
	for (i = 0; i < c.npatterns && i < 3; i++) {
		CHECK_EQ(c.patterns[i].kind, patterns[i].kind);
		CHECK_EQ(c.patterns[i].action, patterns[i].action);
		CHECK_STREQ(c.patterns[i].name, patterns[i].name);
	}
	control_config_free(&c);
	control_buf_free(&b);
}

static void test_status_roundtrip(void)
{
	struct control_status s = { .bad_requests = 3, .flows = 1ull << 40,
				    .nqueues = 2, .ntop = 1 }, d;
	struct control_buf b = { 0 };

	s.queues[0] = (struct control_queue_stat){ 0, 1, 2, 3, 4, 5, 6 };
	s.queues[1] = (struct control_queue_stat){ 65535, ~0ull, 0, 0, 0, 0,
						   7 };
	s.top[0].count = 42;
	strcpy(s.top[0].name, "denied.example");
	CHECK_EQ(control_put_status(&b, &s), 0);
	CHECK_EQ(control_get_status(b.p, b.len, &d), 0);
	CHECK_EQ(d.bad_requests, 3);
	CHECK_EQ(d.flows, 1ull << 40);
	CHECK_EQ(d.nqueues, 2);
	CHECK(!memcmp(&d.queues[0], &s.queues[0], sizeof(s.queues[0])));
	CHECK_EQ(d.queues[1].queue, 65535);
	CHECK(d.queues[1].packets == ~0ull);
	CHECK_EQ(d.queues[1].flows, 7);
	CHECK_EQ(d.ntop, 1);
	CHECK_EQ(d.top[0].count, 42);
	CHECK_STREQ(d.top[0].name, "denied.example");
	control_buf_free(&b);
}

static void test_error_and_requests(void)
{
	char msg[CONTROL_ERRMSG_MAX + 1];
	struct control_buf b = { 0 };
	enum control_type type;
	int err = 0;

	CHECK_EQ(control_put_error(&b, -EINVAL, "bad pattern"), 0);
	CHECK_EQ(control_get_error(b.p, b.len, &err, msg), 0);
	CHECK_EQ(err, EINVAL);
	CHECK_STREQ(msg, "bad pattern");
	control_buf_free(&b);

	CHECK_EQ(control_put_request(&b, CONTROL_GET_STATUS), 0);
	CHECK_EQ(b.len, CONTROL_HDR_LEN);
	CHECK_EQ(control_msg_len(b.p, b.len, &type), CONTROL_HDR_LEN);
	CHECK_EQ(type, CONTROL_GET_STATUS);
	CHECK_EQ(control_put_request(&b, CONTROL_SET_CONFIG), -EINVAL);
	CHECK_EQ(b.len, CONTROL_HDR_LEN);
	control_buf_free(&b);
}

/*
 * Every proper prefix of a valid message is refused. With its length
 * field rewritten to match, a prefix is a message of its own, valid only
 * where it ends between patterns: after the scalars and after each of the
 * first two patterns.
 */
static size_t prefixes_accepted(const struct control_buf *b, bool relabel)
{
	struct control_config c;
	size_t n, accepted = 0;
	uint8_t *copy;

	for (n = 0; n < b->len; n++) {
		/* an exact-size copy, so ASan catches any overread */
		copy = malloc(n ? n : 1);
		memcpy(copy, b->p, n);
		if (relabel && n >= CONTROL_HDR_LEN)
			copy[7] = n & 0xff, copy[6] = n >> 8 & 0xff;
		if (!control_get_config(copy, n, &c)) {
			accepted++;
			control_config_free(&c);
		}
		free(copy);
	}
	return accepted;
}

static void test_truncated(void)
{
	struct control_buf b = { 0 };

	control_put_config(&b, &config);
	CHECK_EQ(prefixes_accepted(&b, false), 0);
	CHECK_EQ(prefixes_accepted(&b, true), 3);
	control_buf_free(&b);
}

static void test_bad_headers(void)
{
	uint8_t m[CONTROL_HDR_LEN] = { CONTROL_VERSION, CONTROL_GET_STATUS,
				       0, 0, 0, 0, 0, CONTROL_HDR_LEN };
	enum control_type type;

	CHECK_EQ(control_msg_len(m, sizeof(m), &type), CONTROL_HDR_LEN);
	m[0] = 2;
	CHECK_EQ(control_msg_len(m, sizeof(m), &type), -EBADMSG);
	m[0] = CONTROL_VERSION, m[1] = 0;
	CHECK_EQ(control_msg_len(m, sizeof(m), &type), -EBADMSG);
	m[1] = CONTROL_TYPE_MAX + 1;
	CHECK_EQ(control_msg_len(m, sizeof(m), &type), -EBADMSG);
	m[1] = CONTROL_GET_STATUS, m[3] = 1;
	CHECK_EQ(control_msg_len(m, sizeof(m), &type), -EBADMSG);
	m[3] = 0, m[7] = 4;			/* shorter than the header */
	CHECK_EQ(control_msg_len(m, sizeof(m), &type), -EBADMSG);
	m[4] = 0x7f, m[7] = 8;			/* past CONTROL_MSG_MAX */
	CHECK_EQ(control_msg_len(m, sizeof(m), &type), -EBADMSG);
	CHECK_EQ(control_msg_len(m, 7, &type), -EBADMSG);
	CHECK_EQ(control_msg_len((const uint8_t *)"GET / HTTP/1.1\r\n", 16,
				 &type), -EBADMSG);
}

/* Patches one attribute of an encoded config and expects a refusal. */
static void expect_refused(uint8_t *p, size_t len, size_t off, uint8_t v)
{
	struct control_config c;
	uint8_t old = p[off];

	p[off] = v;
	CHECK_EQ(control_get_config(p, len, &c), -EBADMSG);
	CHECK(c.patterns == NULL);
	p[off] = old;
}

/*
 * The first attribute is QUEUE_FIRST at offset 8: type at 8, length at
 * 10, value at 12. Patterns follow the six scalars (6 x 8 bytes).
 */
static void test_bad_attributes(void)
{
	struct control_buf b = { 0 };
	struct control_config c;
	size_t pat = CONTROL_HDR_LEN + 6 * 8;

	control_put_config(&b, &config);
	CHECK_EQ(control_get_config(b.p, b.len, &c), 0);
	control_config_free(&c);
	expect_refused(b.p, b.len, 9, 0);		/* type 0 */
	expect_refused(b.p, b.len, 9, CONTROL_A_MAX + 1);
	expect_refused(b.p, b.len, 9, CONTROL_A_ERRNO);	/* wrong message */
	expect_refused(b.p, b.len, 9, CONTROL_A_QUEUE_COUNT);	/* twice */
	expect_refused(b.p, b.len, 11, 5);		/* wrong size */
	expect_refused(b.p, b.len, 11, 3);		/* under the header */
	expect_refused(b.p, b.len, 10, 0xff);		/* past the end */
	expect_refused(b.p, b.len, pat + 4, CONTROL_KINDS);
	expect_refused(b.p, b.len, pat + 5, CONTROL_ACTIONS);
	expect_refused(b.p, b.len, pat + 6, '\0');	/* NUL in a name */
	expect_refused(b.p, b.len, 1, CONTROL_STATUS);	/* other type */
	/* queue_count 4 -> 0 and 65 (first scalar after QUEUE_FIRST) */
	expect_refused(b.p, b.len, 8 + 8 + 5, 0);
	expect_refused(b.p, b.len, 8 + 8 + 5, CONTROL_QUEUES_MAX + 1);
	control_buf_free(&b);
}

static void test_oversized(void)
{
	struct control_pattern big = { CONTROL_SNI, CONTROL_DENY, "" };
	struct control_config c = config;
	struct control_buf b = { 0 };

	memset(big.name, 'a', CONTROL_NAME_MAX);
	c.patterns = &big;
	c.npatterns = 1;
	CHECK_EQ(control_put_config(&b, &c), 0);	/* 253 is the limit */
	control_buf_free(&b);
	big.name[0] = '\0';
	CHECK_EQ(control_put_config(&b, &c), -EINVAL);
	CHECK_EQ(b.len, 0);
	control_buf_free(&b);
}

/* Random bytes behind a valid header: refused or decoded, never a crash. */
static void test_garbage(void)
{
	struct control_status s;
	struct control_config c;
	uint8_t m[512];
	unsigned i, ok = 0;
	size_t n;

	srand(4);
	for (i = 0; i < 20000; i++) {
		n = CONTROL_HDR_LEN + 4 * (rand() % 120);
		for (size_t j = 0; j < n; j++)
			m[j] = rand() % 3 ? rand() : rand() % 16;
		m[0] = CONTROL_VERSION, m[2] = m[3] = 0;
		m[4] = m[5] = 0, m[6] = n >> 8, m[7] = n & 0xff;
		m[1] = i % 2 ? CONTROL_SET_CONFIG : CONTROL_STATUS;
		if (!control_get_config(m, n, &c)) {
			ok++;
			control_config_free(&c);
		}
		ok += !control_get_status(m, n, &s);
	}
	CHECK(ok < 20000);
}

int main(void)
{
	test_config_roundtrip();
	test_status_roundtrip();
	test_error_and_requests();
	test_truncated();
	test_bad_headers();
	test_bad_attributes();
	test_oversized();
	test_garbage();
	return unit_summary("control_test");
}
