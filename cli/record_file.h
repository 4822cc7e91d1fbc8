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

#endif
