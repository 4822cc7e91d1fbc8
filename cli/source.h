/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_SOURCE_H
#define FWCTL_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A rule file in memory, registered with diag so messages can quote it. */
struct source {
	const char	*name;	/* the registered name, for fw_loc.file */
	const char	*text;	/* the registered copy */
	size_t		len;
	dev_t		dev;	/* identity, to find include cycles */
	ino_t		ino;
};

#define SOURCE_MAX	(64u << 20)	/* bytes */

/* Reads a regular file; returns NULL or why it could not. */
const char *source_read(const char *path, struct source *src);
void source_buffer(const char *name, const char *text, size_t len,
		   struct source *src);
/*
 * Whether two names of rule files are one file: "rules.fw" and
 * "/etc/fwctl/rules.fw" (or a symbolic link) are the same rules. A
 * relative name resolves from here, so where it is another file now,
 * they are not. b completed from here (source_absolute()) as a is one
 * file too, present or not: a compiled buffer has a name and no file.
 */
bool source_same_file(const char *a, const char *b);
/* path as seen from the directory of the file `from` (malloc'ed). */
char *source_relative(const char *from, const char *path);
/*
 * path from the root (malloc'ed): the name the live table keeps for its
 * rule file, which status, show and the next apply from any directory
 * read. Symbolic links stay, as the person named them; a path that
 * cannot be completed (no working directory) stays as given.
 */
char *source_absolute(const char *path);

#endif
