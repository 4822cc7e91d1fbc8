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
	{ CONTROL_DNS, CONTROL_ALLOW, "kids.example" },
};

static struct control_profile profiles[] = {
	{ .queue_first = 10, .queue_count = 4, .queue_maxlen = 256,
	  .fail_open = 1, .default_verdict = CONTROL_DROP, .budget = 8,
	  .npatterns = 3, .patterns = patterns },
	{ .queue_first = 0, .queue_count = 1, .queue_maxlen = 1000000,
	  .fail_open = 0, .default_verdict = CONTROL_ACCEPT, .budget = 1000,
	  .npatterns = 1, .patterns = patterns + 3 },
};

static const struct control_config config = {
	.nprofiles = 2, .profiles = profiles,
};

/*
 * Offsets in the encoding of config: the header, then per profile a
 * PROFILE attribute and six scalars of 8 bytes each, then its patterns.
 */
#define A_PROFILE	CONTROL_HDR_LEN
#define A_SCALARS	(A_PROFILE + 8)
#define A_PATTERNS	(A_SCALARS + 6 * 8)
#define SCALAR(base, i)	((base) + 8 * (i))	/* i: 0 QUEUE_FIRST .. */

static size_t profile_b(const struct control_buf *b)
{
	size_t off = A_PATTERNS, i;

	for (i = 0; i < 3; i++)
		off += ((b->p[off + 2] << 8 | b->p[off + 3]) + 3) & ~(size_t)3;
	return off;
}

static void check_profile(const struct control_profile *got,
			  const struct control_profile *want)
{
	size_t i;

	CHECK_EQ(got->queue_first, want->queue_first);
	CHECK_EQ(got->queue_count, want->queue_count);
	CHECK_EQ(got->queue_maxlen, want->queue_maxlen);
	CHECK_EQ(got->fail_open, want->fail_open);
	CHECK_EQ(got->default_verdict, want->default_verdict);
	CHECK_EQ(got->budget, want->budget);
	CHECK_EQ(got->npatterns, want->npatterns);
	for (i = 0; i < got->npatterns && i < want->npatterns; i++) {
		CHECK_EQ(got->patterns[i].kind, want->patterns[i].kind);
		CHECK_EQ(got->patterns[i].action, want->patterns[i].action);
		CHECK_STREQ(got->patterns[i].name, want->patterns[i].name);
	}
}

static void test_config_roundtrip(void)
{
	struct control_buf b = { 0 };
	struct control_config c;
	enum control_type type;

	CHECK_EQ(control_put_config(&b, &config), 0);
	CHECK_EQ(control_msg_len(b.p, b.len, &type), (long)b.len);
	CHECK_EQ(type, CONTROL_SET_CONFIG);
	CHECK_EQ(b.p[A_PROFILE + 1], CONTROL_A_PROFILE);
	CHECK_EQ(b.p[profile_b(&b) + 1], CONTROL_A_PROFILE);
	CHECK_EQ(control_get_config(b.p, b.len, &c), 0);
	CHECK_EQ(c.nprofiles, 2);
	if (c.nprofiles == 2) {
		check_profile(&c.profiles[0], &profiles[0]);
		check_profile(&c.profiles[1], &profiles[1]);
	}
	control_config_free(&c);
	CHECK(c.profiles == NULL && c.nprofiles == 0);
	control_buf_free(&b);
}

/* No profiles: the message that unbinds every queue. */
static void test_empty_config(void)
{
	const struct control_config none = { 0 };
	struct control_buf b = { 0 };
	struct control_config c;

	CHECK_EQ(control_put_config(&b, &none), 0);
	CHECK_EQ(b.len, CONTROL_HDR_LEN);
	CHECK_EQ(control_get_config(b.p, b.len, &c), 0);
	CHECK_EQ(c.nprofiles, 0);
	control_config_free(&c);
	control_buf_free(&b);
}

/* The builders, and the checks the encoder and both decoders share. */
static void test_check(void)
{
	struct control_config c = { 0 };
	struct control_profile *p = control_config_add_profile(&c), *q;
	int i;

	CHECK(p && p->queue_count == 1 && p->fail_open == 1 &&
	      p->budget == CONTROL_BUDGET_DEFAULT &&
	      p->queue_maxlen == CONTROL_MAXLEN_DEFAULT);
	for (i = 0; i < 1000; i++)
		CHECK_EQ(control_profile_add_pattern(p, CONTROL_SNI,
						     CONTROL_DENY, "x.example"),
			 0);
	CHECK_EQ(p->npatterns, 1000);
	CHECK_EQ(control_profile_add_pattern(p, CONTROL_SNI, CONTROL_DENY, ""),
		 -EINVAL);
	p->queue_count = 40;
	q = control_config_add_profile(&c);
	p = &c.profiles[0];
	CHECK(control_config_check(&c) != NULL);	/* both on queue 0 */
	q->queue_first = 40;
	CHECK(control_config_check(&c) == NULL);
	q->queue_count = 25;				/* 65 in all */
	CHECK_STREQ(control_config_check(&c),
		    "more than 64 queues in all profiles");
	q->queue_count = 24;
	q->queue_first = 39;
	CHECK_STREQ(control_config_check(&c),
		    "queue range overlaps another profile's");
	q->queue_first = 65530;
	q->queue_count = 7;
	CHECK(control_config_check(&c) != NULL);	/* past 65535 */
	q->queue_count = 6;
	q->budget = 0;
	CHECK(control_config_check(&c) != NULL);
	q->budget = 1;
	q->queue_maxlen = CONTROL_MAXLEN_MAX + 1;
	CHECK(control_config_check(&c) != NULL);
	q->queue_maxlen = 1;
	q->default_verdict = 2;
	CHECK(control_config_check(&c) != NULL);
	q->default_verdict = CONTROL_DROP;
	CHECK(control_config_check(&c) == NULL);
	control_config_free(&c);
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
 * where it ends between whole profiles or patterns: the header alone, the
 * first profile's scalars and each of its three patterns, the second
 * profile's scalars.
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
	CHECK_EQ(prefixes_accepted(&b, true), 6);
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
	if (!CHECK_EQ(control_get_config(p, len, &c), -EBADMSG))
		fprintf(stderr, "  offset %zu = %u\n", off, v);
	CHECK(c.profiles == NULL && c.nprofiles == 0);
	p[off] = old;
}

/*
 * One byte patched at a time. Attributes: type at +1 (low byte), length
 * at +2, value at +4; the second profile's queue count and first are
 * single low bytes at +7 of their scalars.
 */
static void test_bad_attributes(void)
{
	struct control_buf b = { 0 };
	struct control_config c;
	size_t pb;

	control_put_config(&b, &config);
	pb = profile_b(&b);
	CHECK_EQ(control_get_config(b.p, b.len, &c), 0);
	control_config_free(&c);
	expect_refused(b.p, b.len, A_SCALARS + 1, 0);		/* type 0 */
	expect_refused(b.p, b.len, A_SCALARS + 1, CONTROL_A_MAX + 1);
	expect_refused(b.p, b.len, A_SCALARS + 1, CONTROL_A_ERRNO);
	expect_refused(b.p, b.len, A_SCALARS + 1, CONTROL_A_QUEUE_COUNT);
	expect_refused(b.p, b.len, A_SCALARS + 3, 5);		/* wrong size */
	expect_refused(b.p, b.len, A_SCALARS + 3, 3);	/* under the header */
	expect_refused(b.p, b.len, A_SCALARS + 2, 0xff);	/* past end */
	expect_refused(b.p, b.len, A_PATTERNS + 4, CONTROL_KINDS);
	expect_refused(b.p, b.len, A_PATTERNS + 5, CONTROL_ACTIONS);
	expect_refused(b.p, b.len, A_PATTERNS + 6, '\0');	/* NUL */
	expect_refused(b.p, b.len, 1, CONTROL_STATUS);	/* other type */
	expect_refused(b.p, b.len, A_PROFILE + 5, 1);	/* PROFILE not zero */
	/* a scalar of the first profile turned into a second PROFILE */
	expect_refused(b.p, b.len, SCALAR(A_SCALARS, 5) + 1,
		       CONTROL_A_PROFILE);
	/* queue_count 4 -> 0 and 65 */
	expect_refused(b.p, b.len, SCALAR(A_SCALARS, 1) + 5, 0);
	expect_refused(b.p, b.len, SCALAR(A_SCALARS, 1) + 5,
		       CONTROL_QUEUES_MAX + 1);
	/* the second profile on queue 12: inside the first's 10-13 */
	expect_refused(b.p, b.len, SCALAR(pb + 8, 0) + 5, 12);
	/* the second profile 61 queues wide: 65 in all */
	expect_refused(b.p, b.len, SCALAR(pb + 8, 1) + 5, 61);
	/* budget 1000 (0x03e8) -> 1256 (0x04e8) */
	expect_refused(b.p, b.len, SCALAR(pb + 8, 5) + 4, 4);
	control_buf_free(&b);
}

/* A config attribute before the first PROFILE: the PROFILE cut out. */
static void test_attribute_before_profile(void)
{
	struct control_buf b = { 0 };
	struct control_config c;
	size_t n;

	control_put_config(&b, &config);
	n = b.len - 8;
	memmove(b.p + A_PROFILE, b.p + A_PROFILE + 8, n - A_PROFILE);
	b.p[6] = n >> 8, b.p[7] = n & 0xff;
	CHECK_EQ(control_get_config(b.p, n, &c), -EBADMSG);
	CHECK(c.profiles == NULL);
	control_buf_free(&b);
}

/* Two profiles' ranges may not overlap, not even in the encoder. */
static void test_put_refuses(void)
{
	struct control_profile two[2] = { profiles[0], profiles[1] };
	struct control_config c = { .nprofiles = 2, .profiles = two };
	struct control_buf b = { 0 };

	two[1].queue_first = 13;
	CHECK_EQ(control_put_config(&b, &c), -EINVAL);
	two[1].queue_first = 14;
	two[1].queue_count = 61;
	CHECK_EQ(control_put_config(&b, &c), -EINVAL);
	two[1].queue_count = 60;
	CHECK_EQ(control_put_config(&b, &c), 0);
	control_buf_free(&b);
}

static void test_oversized(void)
{
	struct control_pattern big = { CONTROL_SNI, CONTROL_DENY, "" };
	struct control_profile p = profiles[0];
	struct control_config c = { .nprofiles = 1, .profiles = &p };
	struct control_buf b = { 0 };

	memset(big.name, 'a', CONTROL_NAME_MAX);
	p.patterns = &big;
	p.npatterns = 1;
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
	test_empty_config();
	test_check();
	test_status_roundtrip();
	test_error_and_requests();
	test_truncated();
	test_bad_headers();
	test_bad_attributes();
	test_attribute_before_profile();
	test_put_refuses();
	test_oversized();
	test_garbage();
	return unit_summary("control_test");
}
