// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the first bytes of a TCP stream through tls_sni(). */
#include "fuzz_dissect.h"
#include "tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_dissect(tls_sni, data, size);
	return 0;
}
