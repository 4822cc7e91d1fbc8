// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fwctld's config file (lib/control_text.c): what the writer writes the
 * reader reads back unchanged, and every malformed file is refused with
 * FILE:LINE: and the reason.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control_text.h"
#include "unit.h"

static char dir[] = "/tmp/control_text_test.XXXXXX";
static char path[sizeof(dir) + 16];

static void write_text(const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

static void check_same(const struct control_config *a,
		       const struct control_config *b)
{
	size_t i, k;

	CHECK_EQ(a->nprofiles, b->nprofiles);
	for (k = 0; k < a->nprofiles && k < b->nprofiles; k++) {
		const struct control_profile *p = &a->profiles[k];
		const struct control_profile *q = &b->profiles[k];

		CHECK_EQ(p->queue_first, q->queue_first);
		CHECK_EQ(p->queue_count, q->queue_count);
		CHECK_EQ(p->queue_maxlen, q->queue_maxlen);
		CHECK_EQ(p->fail_open, q->fail_open);
		CHECK_EQ(p->default_verdict, q->default_verdict);
		CHECK_EQ(p->budget, q->budget);
		CHECK_EQ(p->npatterns, q->npatterns);
		for (i = 0; i < p->npatterns && i < q->npatterns; i++) {
			CHECK_EQ(p->patterns[i].kind, q->patterns[i].kind);
			CHECK_EQ(p->patterns[i].action, q->patterns[i].action);
			CHECK_STREQ(p->patterns[i].name, q->patterns[i].name);
		}
	}
}

/* Only the file itself in the directory: no temporary left behind. */
static int dir_entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_roundtrip(void)
{
	struct control_config c = { 0 }, r;
	struct control_profile *p = control_config_add_profile(&c);
	char why[256], name[32];
	struct stat before, after;
	int i;

	p->queue_first = 4;
	p->queue_count = 4;
	p->default_verdict = CONTROL_DROP;
	p->fail_open = 0;
	p->budget = 3;
	p->queue_maxlen = 77;
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "n%d.example", i);
		control_profile_add_pattern(p, i < 12 ? CONTROL_SNI :
						    CONTROL_DNS, i % 2, name);
	}
	p = control_config_add_profile(&c);
	control_profile_add_pattern(p, CONTROL_HOST, CONTROL_DENY,
				    "*.ads.example");
	CHECK_EQ(control_text_write(path, &c), 0);
	CHECK_EQ(dir_entries(), 1);
	CHECK_EQ(control_text_read(path, &r, why, sizeof(why)), 0);
	check_same(&c, &r);
	control_config_free(&r);

	/* The same config again leaves the file as it is (no new inode). */
	CHECK_EQ(stat(path, &before), 0);
	CHECK_EQ(control_text_write(path, &c), 0);
	CHECK_EQ(stat(path, &after), 0);
	CHECK_EQ(after.st_ino, before.st_ino);
	CHECK_EQ(dir_entries(), 1);

	/* Rewriting replaces the file whole. */
	c.nprofiles = 1;
	CHECK_EQ(control_text_write(path, &c), 0);
	CHECK_EQ(stat(path, &after), 0);
	CHECK(after.st_ino != before.st_ino);
	CHECK_EQ(control_text_read(path, &r, why, sizeof(why)), 0);
	check_same(&c, &r);
	control_config_free(&r);
	c.nprofiles = 2;
	control_config_free(&c);
}

static void test_empty(void)
{
	struct control_config c = { 0 }, r;
	char why[256];

	CHECK_EQ(control_text_write(path, &c), 0);
	CHECK_EQ(control_text_read(path, &r, why, sizeof(why)), 0);
	CHECK_EQ(r.nprofiles, 0);
	control_config_free(&r);
}

/* 100k names in one profile: long lines on the way in. */
static void test_large(void)
{
	struct control_config c = { 0 }, r;
	struct control_profile *p = control_config_add_profile(&c);
	char why[256], name[32];
	int i;

	for (i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "host%d.example", i);
		control_profile_add_pattern(p, CONTROL_SNI, CONTROL_DENY, name);
	}
	CHECK_EQ(control_text_write(path, &c), 0);
	CHECK_EQ(control_text_read(path, &r, why, sizeof(why)), 0);
	CHECK_EQ(r.nprofiles, 1);
	if (r.nprofiles)
		CHECK_EQ(r.profiles[0].npatterns, 100000);
	control_config_free(&r);
	control_config_free(&c);
}

static void test_write_refuses(void)
{
	struct control_config c = { 0 };
	struct control_profile *p = control_config_add_profile(&c);

	control_profile_add_pattern(p, CONTROL_SNI, CONTROL_DENY, "a b");
	CHECK_EQ(control_text_write(path, &c), -EINVAL);
	strcpy(p->patterns[0].name, "a#b");
	CHECK_EQ(control_text_write(path, &c), -EINVAL);
	strcpy(p->patterns[0].name, "ab");
	control_config_add_profile(&c);		/* both on queue 0 */
	CHECK_EQ(control_text_write(path, &c), -EINVAL);
	CHECK_EQ(dir_entries(), 1);
	control_config_free(&c);
}

static const struct bad {
	const char *text, *why;
} bad[] = {
	{ "queues 0\n", ":1: 'queues' before the first 'profile' line" },
	{ "# c\n\nprofile\nqueues 0-64\n",
	  ":4: queues: bad range (at most 64 queues)" },
	{ "profile\nqueues 3-1\n",
	  ":2: queues: bad range (at most 64 queues)" },
	{ "profile\nqueues x\n", ":2: queues: expected N or N-M" },
	{ "profile\nfrob 1\n", ":2: unknown setting 'frob'" },
	{ "profile\nqueues 0-3\nprofile\nqueues 3\n",
	  ":3: profile: queue range overlaps another profile's" },
	{ "profile\nqueues 0-39\n\nprofile # b\nqueues 40-64\nbudget 2\n",
	  ":4: profile: more than 64 queues in all profiles" },
	{ "profile\ndefault maybe\n", ":2: default: expected accept or drop" },
	{ "profile\nfail-open now\n", ":2: trailing words" },
	{ "profile\nprofile 2\n", ":2: trailing words" },
	{ "profile\ndeny tls a.example\n", ":2: expected sni, host or dns" },
	{ "profile\nbudget 1001\n", ":2: budget: expected 1..1000 packets" },
	{ "profile\nbudget 0\n", ":2: budget: expected 1..1000 packets" },
	{ "profile\nqueue-maxlen 0\n",
	  ":2: queue-maxlen: expected 1..1000000" },
	{ "profile\nqueue-maxlen 1000001\n",
	  ":2: queue-maxlen: expected 1..1000000" },
};

static void test_bad(void)
{
	struct control_config c;
	char why[512], want[512], text[600];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_text(bad[i].text);
		snprintf(want, sizeof(want), "%s%s", path, bad[i].why);
		CHECK_EQ(control_text_read(path, &c, why, sizeof(why)),
			 -EINVAL);
		CHECK_STREQ(why, want);
		CHECK(c.profiles == NULL && c.nprofiles == 0);
	}
	snprintf(text, sizeof(text), "profile\n\ndeny sni ok.example %0254d\n",
		 0);
	write_text(text);
	snprintf(want, sizeof(want), "%s:3: name too long (254 bytes, at most "
		 "253)", path);
	CHECK_EQ(control_text_read(path, &c, why, sizeof(why)), -EINVAL);
	CHECK_STREQ(why, want);
	unlink(path);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	CHECK_EQ(control_text_read(path, &c, why, sizeof(why)), -ENOENT);
	CHECK_STREQ(why, want);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/inspect.conf", dir);
	test_roundtrip();
	test_empty();
	test_large();
	test_write_refuses();
	test_bad();
	unlink(path);
	rmdir(dir);
	return unit_summary("control_text_test");
}
