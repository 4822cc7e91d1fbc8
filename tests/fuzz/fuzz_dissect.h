/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_FUZZ_DISSECT_H
#define FWCTL_FUZZ_DISSECT_H

/*
 * The promises every dissector makes beyond "no crash, no overread" (the
 * sanitizers watch those): an answer is 1, 0 or -1; a 1 comes with a
 * valid lowercase name, and anything else with an empty one. A broken
 * promise aborts, and libFuzzer keeps the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostname.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PROMISE(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "broken promise: %s\n", #cond);	\
			abort();					\
		}							\
	} while (0)

typedef int (*fuzz_dissector)(const uint8_t *p, size_t len, char *out,
			      size_t outlen);

static inline int fuzz_dissect(fuzz_dissector d, const uint8_t *p,
			       size_t len)
{
	char out[HOSTNAME_MAX + 1], check[HOSTNAME_MAX + 1];
	char *tight;
	int ret;

	ret = d(p, len, out, sizeof(out));
	PROMISE(ret >= -1 && ret <= 1);
	if (ret != 1) {
		PROMISE(!out[0]);
		return ret;
	}
	PROMISE(hostname_copy((const uint8_t *)out, strlen(out), check,
			      sizeof(check)) == 1);
	PROMISE(!strcmp(out, check));
	/* Exactly the room the name needs works; one byte less must not. */
	tight = malloc(strlen(out) + 1);
	PROMISE(d(p, len, tight, strlen(out) + 1) == 1);
	PROMISE(!strcmp(tight, out));
	PROMISE(d(p, len, tight, strlen(out)) == -1);
	free(tight);
	return ret;
}

#endif
