// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Figures for the daemon's packet path, not a test: how long a domain set
 * of 100k names takes to build, lookups per second against it (exact
 * hits, wildcard hits, misses), and dissections per second of each seed
 * message in tests/fuzz/dissect (real ClientHellos, requests, queries and
 * packets).
 *
 *   tests/bench/dissect [SEED_DIR]    (default $top_srcdir/tests/fuzz/dissect)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns.h"
#include "domainset.h"
#include "http.h"
#include "packet.h"
#include "tls.h"

enum { NAMES = 100000, ROUNDS = 1000000 };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Keeps the compiler from dropping calls whose results go unused. */
static volatile long sink;

/* Half the names of the set: the exact ones (0) or the wildcards (1). */
static char (*query_names(const char *fmt, size_t odd))[64]
{
	char (*names)[64] = malloc(NAMES / 2 * sizeof(*names));
	size_t i, k;

	for (i = 0; i < NAMES / 2; i++) {
		k = 2 * i + odd;
		snprintf(names[i], sizeof(names[i]), fmt, k, k % 211);
	}
	return names;
}

static void bench_lookups(const struct domainset *ds, const char *what,
			  const char *fmt, size_t odd)
{
	char (*names)[64] = query_names(fmt, odd);
	double t0 = now();
	size_t i, found = 0;

	for (i = 0; i < ROUNDS; i++)
		found += domainset_match(ds, names[i % (NAMES / 2)]) != NULL;
	t0 = now() - t0;
	printf("domainset %-14s %10.0f lookups/s  %5.0f ns  (%zu%% found)\n",
	       what, ROUNDS / t0, t0 / ROUNDS * 1e9, found * 100 / ROUNDS);
	free(names);
}

static void bench_domainset(void)
{
	struct domainset *ds = domainset_new();
	char name[64];
	double t0 = now();
	size_t i;

	for (i = 0; i < NAMES; i++) {
		snprintf(name, sizeof(name), "%ssite%zu.tld%zu.example",
			 i % 2 ? "*." : "", i, i % 211);
		domainset_add(ds, name);
	}
	printf("domainset build %zu names: %.1f ms\n", domainset_count(ds),
	       (now() - t0) * 1e3);
	bench_lookups(ds, "exact hit", "site%zu.tld%zu.example", 0);
	bench_lookups(ds, "wildcard hit", "www.cdn.site%zu.tld%zu.example",
		      1);
	bench_lookups(ds, "miss", "www.other%zu.tld%zu.example", 0);
	domainset_free(ds);
}

static int packet_any(const uint8_t *p, size_t len, char *out, size_t n)
{
	struct packet pkt;

	return packet_parse(p, len, &pkt);
}

static int dns_any(const uint8_t *p, size_t len, char *out, size_t n)
{
	return len > 2 && (size_t)(p[0] << 8 | p[1]) == len - 2 ?
	       dns_qname_tcp(p, len, out, n) : dns_qname(p, len, out, n);
}

static const struct {
	const char *dir;
	int (*dissect)(const uint8_t *p, size_t len, char *out, size_t n);
	const char *seeds[4];
} dissectors[] = {
	{ "tls", tls_sni, { "one-record", "split-records", "no-sni" } },
	{ "http", http_host, { "origin-form", "absolute-form", "connect" } },
	{ "dns", dns_any, { "udp-query", "tcp-query" } },
	{ "packet", packet_any, { "ipv4-tls", "ipv6-ext-dns" } },
};

static void bench_seed(const char *dir, size_t d, const char *seed)
{
	static uint8_t buf[65536];
	char path[4096 + 64], out[256];
	double t0;
	size_t len, i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, dissectors[d].dir, seed);
	f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	t0 = now();
	for (i = 0; i < ROUNDS; i++)
		sink += dissectors[d].dissect(buf, len, out, sizeof(out));
	t0 = now() - t0;
	printf("%-6s %-14s %5zu bytes %10.0f /s  %5.0f ns\n",
	       dissectors[d].dir, seed, len, ROUNDS / t0, t0 / ROUNDS * 1e9);
}

int main(int argc, char **argv)
{
	const char *top = getenv("top_srcdir");
	char dir[4096];
	size_t d, s;

	snprintf(dir, sizeof(dir), "%s/tests/fuzz/dissect", top ? top : ".");
	if (argc > 1)
		snprintf(dir, sizeof(dir), "%s", argv[1]);
	bench_domainset();
	for (d = 0; d < sizeof(dissectors) / sizeof(dissectors[0]); d++)
		for (s = 0; dissectors[d].seeds[s]; s++)
			bench_seed(dir, d, dissectors[d].seeds[s]);
	return 0;
}
