// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a probe found, kept for the boot (cli/feature_record.c): a file
 * of this boot names what passed; one of another boot or format, cut
 * short, too long, or naming only a longer or shorter name is not
 * believed; FWCTL_PROBE_DENY wins over it; a second name keeps the
 * first. Nothing here asks the kernel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feature.h"
#include "record_file.h"
#include "scratch_dir.h"
#include "unit.h"

static char dir[] = "/tmp/feature-record-XXXXXX";
static char path[64];

static void put(const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

/* put() of the head of this boot (or another), then rest. */
static void put_boot(const char *boot, const char *rest)
{
	char text[2048];

	snprintf(text, sizeof(text), "fwctl-features 1\nboot %s\n%s", boot,
		 rest);
	put(text);
}

int main(void)
{
	const char *boot = record_boot_id();
	char big[1200];
	size_t head;

	if (!*boot)
		return UNIT_SKIP;	/* no /proc: nothing is recorded */
	if (!CHECK(mkdtemp(dir) != NULL))
		return unit_summary("feature_record_test");
	snprintf(path, sizeof(path), "%s/features", dir);
	unsetenv("FWCTL_PROBE_DENY");

	CHECK(!feature_recorded(dir, "flow_cache"));	/* no file */
	feature_record(dir, "flow_cache");
	CHECK(feature_recorded(dir, "flow_cache"));
	CHECK(!feature_recorded(dir, "queue"));
	feature_record(dir, "queue");
	CHECK(feature_recorded(dir, "queue") &&
	      feature_recorded(dir, "flow_cache"));
	feature_record(dir, "queue");			/* once is enough */
	put_boot(boot, "flow_cache\nqueue\n");
	CHECK(feature_recorded(dir, "queue"));

	setenv("FWCTL_PROBE_DENY", "nat,flow_cache", 1);
	CHECK(!feature_recorded(dir, "flow_cache"));
	CHECK(feature_recorded(dir, "queue"));
	unsetenv("FWCTL_PROBE_DENY");

	put_boot("00000000-0000-0000-0000-000000000000", "flow_cache\n");
	CHECK(!feature_recorded(dir, "flow_cache"));
	/* ... and a new record is of this boot, without the other's. */
	feature_record(dir, "queue");
	CHECK(feature_recorded(dir, "queue") &&
	      !feature_recorded(dir, "flow_cache"));

	put_boot(boot, "flow_cache");			/* cut short */
	CHECK(!feature_recorded(dir, "flow_cache"));
	put_boot(boot, "flow_cache_x\nflow\n");		/* other names */
	CHECK(!feature_recorded(dir, "flow_cache"));
	put("fwctl-features 2\n");			/* another format */
	CHECK(!feature_recorded(dir, "flow_cache"));
	put("");
	CHECK(!feature_recorded(dir, "flow_cache"));
	/* Too long, even where the part that is read ends a line. */
	head = strlen("fwctl-features 1\nboot \n") + strlen(boot);
	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, "flow_cache\n", 11);
	big[1022 - head] = '\n';
	big[sizeof(big) - 2] = '\n';
	big[sizeof(big) - 1] = '\0';
	put_boot(boot, big);
	CHECK(!feature_recorded(dir, "flow_cache"));
	put_boot(boot, "flow_cache\n");
	CHECK(feature_recorded(dir, "flow_cache"));

	CHECK(!feature_recorded(NULL, "flow_cache"));
	feature_record(NULL, "flow_cache");		/* no directory */
	scratch_dir_remove(dir);
	return unit_summary("feature_record_test");
}
