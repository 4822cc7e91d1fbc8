// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What this boot's kernel was found to have (feature.h): dir/features
 * names the probes that passed, under the boot's id. A probe is an
 * aborted batch, and the kernel's abort waits for a grace period: 13-48
 * ms here, as long as the batch of ipc1_1k's 3,700 rules.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "feature.h"
#include "record_file.h"

#define FEATURES_NAME	"features"
#define FEATURES_MAGIC	"fwctl-features 1\n"
#define FEATURES_SIZE	1024	/* FEATURE_MAX names and the head */
#define PATH_SIZE	4200

/*
 * The names in dir/features, one a line, into buf (NUL-terminated; ""
 * when the file is missing, too long, or of another boot or format).
 */
static void features_load(const char *dir, char *buf, size_t size)
{
	char path[PATH_SIZE], head[128];
	size_t n, h;
	FILE *f;

	*buf = '\0';
	snprintf(path, sizeof(path), "%s/" FEATURES_NAME, dir);
	h = (size_t)snprintf(head, sizeof(head), FEATURES_MAGIC "boot %s\n",
			     record_boot_id());
	f = fopen(path, "re");
	if (!f)
		return;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (n == size - 1 || n < h || memcmp(buf, head, h) ||
	    (n > h && buf[n - 1] != '\n')) {
		*buf = '\0';
		return;
	}
	memmove(buf, buf + h, n - h + 1);
}

static bool has_name(const char *names, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = names; *p; p = strchr(p, '\n') + 1)
		if (!strncmp(p, name, n) && p[n] == '\n')
			return true;
	return false;
}

bool feature_recorded(const char *dir, const char *name)
{
	char names[FEATURES_SIZE];

	if (!dir || !*record_boot_id() || feature_probe_denied(name))
		return false;
	features_load(dir, names, sizeof(names));
	return has_name(names, name);
}

void feature_record(const char *dir, const char *name)
{
	char names[FEATURES_SIZE], path[PATH_SIZE], tmp[RECORD_TMP_SIZE];
	bool ok;
	FILE *f;

	if (!dir || !*record_boot_id() ||
	    (mkdir(dir, 0700) < 0 && errno != EEXIST))
		return;
	features_load(dir, names, sizeof(names));
	if (has_name(names, name) ||
	    strlen(names) + strlen(name) + 128 > sizeof(names))
		return;
	snprintf(path, sizeof(path), "%s/" FEATURES_NAME, dir);
	/* Two applies at once each write their own, and either is right. */
	f = record_aside(path, tmp);
	if (!f)
		return;
	ok = fprintf(f, FEATURES_MAGIC "boot %s\n%s%s\n", record_boot_id(),
		     names, name) > 0;
	record_put(f, ok, tmp, path);
}
