// SPDX-License-Identifier: GPL-2.0-or-later
/* The records' lock (record_file.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record_file.h"

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
