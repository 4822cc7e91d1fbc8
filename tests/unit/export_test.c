// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * export_table() against the golden file tests/unit/golden/backend.nft.
 * After an intended change: FWCTL_REGEN=1 tests/unit/export_test, then
 * review the diff like code. The golden text is also what the round-trip
 * test feeds to nft, so it is known to load.
 */
#include <stdlib.h>
#include <string.h>

#include "backend_util.h"

#define GOLDEN	"tests/unit/golden/backend.nft"

int main(void)
{
	const char *top = getenv("top_srcdir");
	struct ir_table *t = bt_table_all();
	char path[4096], *text = bt_export(t), *again = bt_export(t), *golden;

	snprintf(path, sizeof(path), "%s/%s", top ? top : ".", GOLDEN);
	CHECK(strcmp(text, again) == 0);
	if (getenv("FWCTL_REGEN")) {
		CHECK(bt_write_file(path, text));
		return bt_exit("export_test (regenerated)");
	}
	golden = bt_read_file(path);
	CHECK(golden != NULL);
	if (golden && strcmp(text, golden)) {
		CHECK(!"export differs from " GOLDEN);
		fprintf(stderr, "--- got:\n%s", text);
	}
	free(golden);
	free(text);
	free(again);
	ir_table_free(t);
	return bt_exit("export_test");
}
