// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Domain sets: which pattern decides, what a wildcard covers, what is not
 * a pattern, and that 100k names build and answer fast enough for the
 * packet path (the figures themselves are in tests/bench/dissect).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "domainset.h"
#include "unit.h"

static const char *const patterns[] = {
	"ads.example.com", "*.example.com", "*.cdn.example.com",
	"Example.ORG.", "*.org.example", "_dmarc.example.net",
};

/* Names and the pattern that must decide for each; NULL for none. */
static const struct {
	const char *name, *match;
} cases[] = {
	{ "ads.example.com", "ads.example.com" },
	{ "ADS.Example.Com.", "ads.example.com" },
	{ "a.example.com", "*.example.com" },
	{ "a.b.c.example.com", "*.example.com" },
	{ "x.ads.example.com", "*.example.com" },
	{ "example.com", NULL },
	{ "img.cdn.example.com", "*.cdn.example.com" },
	{ "a.img.cdn.example.com", "*.cdn.example.com" },
	{ "cdn.example.com", "*.example.com" },
	{ "example.org", "example.org" },
	{ "www.example.org", NULL },
	{ "org.example", NULL },
	{ "a.org.example", "*.org.example" },
	{ "_dmarc.example.net", "_dmarc.example.net" },
	{ "notexample.com", NULL },
	{ "aexample.com", NULL },
	{ "com", NULL },
	{ ".example.com", NULL },
	{ "a..example.com", NULL },
	{ "a example.com", NULL },
	{ "", NULL },
	{ ".", NULL },
};

static const char *const bad_patterns[] = {
	"", "*", "*.", "**.example.com", "a.*.example.com", "*example.com",
	"example..com", ".example.com", "exa mple.com", "ex/ample.com",
	"*.*.example.com", "0123456789012345678901234567890123456789012345"
	"678901234567890123.com",
};

static void test_patterns(void)
{
	struct domainset *ds = domainset_new();
	size_t i;

	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++)
		CHECK_EQ(domainset_add(ds, patterns[i]), 0);
	CHECK_EQ(domainset_add(ds, "ADS.example.com"), 0);
	CHECK_EQ(domainset_count(ds), 6);
	for (i = 0; i < sizeof(bad_patterns) / sizeof(bad_patterns[0]); i++)
		if (!CHECK_EQ(domainset_add(ds, bad_patterns[i]), -EINVAL))
			fprintf(stderr, "  pattern: \"%s\"\n", bad_patterns[i]);
	CHECK_EQ(domainset_count(ds), 6);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STREQ(domainset_match(ds, cases[i].name), cases[i].match);

	/* The documented way to cover a domain and everything below it. */
	CHECK_EQ(domainset_add(ds, "example.com"), 0);
	CHECK_STREQ(domainset_match(ds, "example.com"), "example.com");
	CHECK_STREQ(domainset_match(ds, "a.example.com"), "*.example.com");
	domainset_free(ds);
}

static void test_long_names(void)
{
	struct domainset *ds = domainset_new();
	char name[300];
	size_t i;

	/* "a.a.a...a", 253 characters, 127 labels. */
	for (i = 0; i < 253; i++)
		name[i] = i % 2 ? '.' : 'a';
	name[253] = '\0';
	CHECK_EQ(domainset_add(ds, name), 0);
	CHECK_STREQ(domainset_match(ds, name), name);
	CHECK_EQ(domainset_add(ds, "*.a"), 0);
	CHECK_STREQ(domainset_match(ds, name + 2), "*.a");
	CHECK_EQ(domainset_add(ds, "*.a.a"), 0);
	CHECK_STREQ(domainset_match(ds, name + 2), "*.a.a");
	CHECK_STREQ(domainset_match(ds, name + 250), "*.a");
	/* One more character is past any name, even with a wildcard. */
	name[253] = 'a';
	name[254] = '\0';
	CHECK_EQ(domainset_add(ds, name), -EINVAL);
	CHECK(domainset_match(ds, name) == NULL);
	memset(name, 'b', 64);
	strcpy(name + 64, ".a");
	CHECK(domainset_match(ds, name) == NULL);
	domainset_free(ds);
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * 100k patterns, half of them wildcards, every one found again, and
 * names next to them not found. The bounds are ten times what the design
 * asks, so that a loaded sanitized build passes, yet a set that scanned
 * its entries (100k string compares a lookup) would fail by far.
 */
static void test_100k(void)
{
	enum { N = 100000 };
	struct domainset *ds = domainset_new();
	char name[64], want[64];
	double t0, build, lookup;
	size_t i, wrong = 0;

	t0 = seconds();
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "%sh%zu.zone%zu.example",
			 i % 2 ? "*." : "", i, i % 97);
		if (domainset_add(ds, name))
			wrong++;
	}
	build = seconds() - t0;
	CHECK_EQ(domainset_count(ds), N);
	t0 = seconds();
	for (i = 0; i < N; i++) {
		const char *got;

		snprintf(name, sizeof(name), "www.h%zu.zone%zu.example", i,
			 i % 97);
		snprintf(want, sizeof(want), "*.h%zu.zone%zu.example", i,
			 i % 97);
		got = domainset_match(ds, name);
		if ((i % 2 && (!got || strcmp(got, want))) || (!(i % 2) && got))
			wrong++;
		if (domainset_match(ds, name + 4) != NULL && i % 2)
			wrong++;
	}
	lookup = (seconds() - t0) / (2 * N);
	CHECK_EQ(wrong, 0);
	printf("100k: build %.1f ms, lookup %.0f ns\n", build * 1e3,
	       lookup * 1e9);
	CHECK(build < 1.0);
	CHECK(lookup < 10e-6);
	domainset_free(ds);
}

int main(void)
{
	test_patterns();
	test_long_names();
	test_100k();
	return unit_summary("domainset_test");
}
