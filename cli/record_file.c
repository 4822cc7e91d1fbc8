// SPDX-License-Identifier: GPL-2.0-or-later
/* The records' boot, lock and checksum (record_file.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opt.h"
#include "record_file.h"

const char *record_boot_id(void)
{
	static char boot[64];
	FILE *f;

	if (*boot)
		return boot;
	f = fopen("/proc/sys/kernel/random/boot_id", "re");
	if (!f)
		return boot;
	if (!fgets(boot, sizeof(boot), f))
		*boot = '\0';
	fclose(f);
	boot[strcspn(boot, "\n")] = '\0';
	return boot;
}

FILE *record_aside(const char *path, char *tmp)
{
	snprintf(tmp, RECORD_TMP_SIZE, "%s.%ld.tmp", path, (long)getpid());
	return fopen(tmp, "we");
}

bool record_put(FILE *f, bool ok, const char *tmp, const char *path)
{
	if (fclose(f) || !ok || record_replace(tmp, path) < 0) {
		unlink(tmp);
		return false;
	}
	return true;
}

int record_lock(const char *dir)
{
	char path[4200];
	int fd;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	snprintf(path, sizeof(path), "%s/records.lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

void record_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* and with it the lock */
}

/* One lane of record_sum(): a word in, then mixed. */
static uint64_t lane(uint64_t h, const char *s)
{
	uint64_t w;

	memcpy(&w, s, sizeof(w));
	h = (h ^ w) * 0xff51afd7ed558ccdull;
	return h ^ (h >> 29);
}

/*
 * The lanes are four variables, not an array: gcc made the array two SSE
 * vectors, with no 64-bit multiply (three pmuludq each) and kept on the
 * stack between rounds, which made the sums 7% of a one-rule change
 * (perf).
 */
uint64_t record_sum(const void *p, size_t len)
{
	const char *s = p;
	uint64_t a = len, b = 1, c = 2, d = 3;
	char tail[8] = { 0 };
	size_t i;

	for (i = 0; i + 32 <= len; i += 32) {
		a = lane(a, s + i);
		b = lane(b, s + i + 8);
		c = lane(c, s + i + 16);
		d = lane(d, s + i + 24);
	}
	for (; i + 8 <= len; i += 8)
		a = lane(a, s + i);
	if (len > i)	/* p may be NULL when len is 0 */
		memcpy(tail, s + i, len - i);
	a = lane(a, tail);
	return opt_mix(opt_mix(opt_mix(a ^ b) ^ c) ^ d);
}
