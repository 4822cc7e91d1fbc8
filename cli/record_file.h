/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_RECORD_FILE_H
#define FWCTL_RECORD_FILE_H

#include <stdio.h>
#include <unistd.h>

/*
 * Puts a record written as tmp (the live cache, the trees' records) in
 * path's place. Not by rename() over the old one: ext4 then writes the
 * new file's blocks out at once (its replace-via-rename safeguard), 0.8 ms
 * for the live cache of 10,000 rules. Neither record is believed before
 * it is checked against the kernel's generation, so a moment without one
 * costs a reader only the slow way, never a wrong change.
 */
static inline int record_replace(const char *tmp, const char *path)
{
	unlink(path);
	return rename(tmp, path);
}

/*
 * One writer of records at a time: from writing a record aside (under a
 * name of its own, the same for every writer) until it is in place, an
 * apply holds dir/records.lock (flock, let go when the process dies), so
 * that two applies at once never write into one file nor put half of
 * each other's trees' records in place. Returns the lock's descriptor,
 * or -1 if another apply holds it (or it cannot be made): then write
 * nothing, never wait; the records that stay describe an older state,
 * which no reader believes. dir is made if it is missing.
 */
int record_lock(const char *dir);
void record_unlock(int fd);

#endif
