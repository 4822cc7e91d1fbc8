// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the first bytes of a TCP stream through http_host(). */
#include "fuzz_dissect.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_dissect(http_host, data, size);
	return 0;
}
