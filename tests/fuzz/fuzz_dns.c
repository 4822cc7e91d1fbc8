// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: a UDP payload through dns_qname(), the same bytes as
 * a TCP stream, which must agree with it about the message inside, and
 * both the bytes and the name found against a domain set.
 */
#include <strings.h>

#include "dns.h"
#include "domainset.h"
#include "fuzz_dissect.h"

static const char *const patterns[] = {
	"www.example.com", "*.example.com", "*.a.example.com", "a", "*.b",
};

static struct domainset *fuzz_set(void)
{
	static struct domainset *ds;
	size_t i;

	if (ds)
		return ds;
	ds = domainset_new();
	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++)
		PROMISE(domainset_add(ds, patterns[i]) == 0);
	return ds;
}

/*
 * A match is a pattern of the set; an exact one is the name, a wildcard
 * a proper suffix of it starting a label.
 */
static void fuzz_match(const char *name)
{
	const char *m = domainset_match(fuzz_set(), name);
	size_t len = strlen(name), i, k;

	if (!m)
		return;
	for (i = 0; strcmp(m, patterns[i]); i++)
		PROMISE(i + 1 < sizeof(patterns) / sizeof(patterns[0]));
	if (name[len - 1] == '.')
		len--;
	if (m[0] == '*') {
		k = strlen(m + 1);
		PROMISE(len > k && !strncasecmp(name + len - k, m + 1, k));
	} else {
		PROMISE(len == strlen(m) && !strncasecmp(name, m, len));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int tcp = fuzz_dissect(dns_qname_tcp, data, size);
	char out[HOSTNAME_MAX + 1], *raw;
	size_t n;

	if (fuzz_dissect(dns_qname, data, size) == 1) {
		dns_qname(data, size, out, sizeof(out));
		fuzz_match(out);
	}
	raw = strndup((const char *)data, size);
	fuzz_match(raw);
	free(raw);
	if (size < 2 || !tcp)
		return 0;
	n = (size_t)data[0] << 8 | data[1];
	if (n < 12) {
		PROMISE(tcp == -1);
		return 0;
	}
	PROMISE(n <= size - 2);
	PROMISE(tcp == dns_qname(data + 2, n, out, sizeof(out)));
	return 0;
}
