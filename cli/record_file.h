/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_RECORD_FILE_H
#define FWCTL_RECORD_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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
 * A small record written whole by one process: record_aside() opens
 * path.PID.tmp for writing (its name into tmp, RECORD_TMP_SIZE bytes);
 * record_put() closes it and puts it in path's place if ok and every
 * write went, else removes it. Two writers at once each write their own.
 */
#define RECORD_TMP_SIZE	4500
FILE *record_aside(const char *path, char *tmp);
bool record_put(FILE *f, bool ok, const char *tmp, const char *path);

/*
 * This boot's id (/proc/sys/kernel/random/boot_id), read once: what the
 * kernel had and held is known for one boot only. "" if it cannot be read.
 */
const char *record_boot_id(void);

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

/*
 * The checksum of len bytes at p, by which a reader tells a damaged
 * record from a whole one (not against an adversary: the records are
 * root's). Four lanes of multiplies, 32 bytes a round: trees.lines's 0.5
 * MB for 10,000 lines is summed when written and again when read.
 */
uint64_t record_sum(const void *p, size_t len);

#endif
