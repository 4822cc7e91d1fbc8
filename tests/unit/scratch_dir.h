/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_TESTS_SCRATCH_DIR_H
#define FWCTL_TESTS_SCRATCH_DIR_H

/*
 * A test's scratch directory goes with all it holds, whatever the code
 * under test put there (records come and go with the features).
 */
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

static inline int scratch_remove_one(const char *path, const struct stat *st,
				     int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void scratch_dir_remove(const char *dir)
{
	nftw(dir, scratch_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
