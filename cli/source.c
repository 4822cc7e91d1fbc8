// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "source.h"
#include "xalloc.h"

/*
 * O_NONBLOCK and the S_ISREG test keep a mistyped include of a FIFO or a
 * device from hanging the compiler; SOURCE_MAX keeps /proc-style endless
 * files out.
 */
static const char *read_all(int fd, size_t size, char **buf, size_t *len)
{
	/* The file, its NUL, and a byte more: the read that sees the end. */
	size_t cap = size < SOURCE_MAX - 2 ? size + 2 : SOURCE_MAX;
	ssize_t n;

	*buf = malloc(cap);
	*len = 0;
	if (!*buf)
		abort();
	for (;;) {
		if (*len + 1 >= cap) {
			if (cap >= SOURCE_MAX)
				return "file too large (64 MiB at most)";
			cap = 2 * cap < SOURCE_MAX ? 2 * cap : SOURCE_MAX;
			*buf = realloc(*buf, cap);
			if (!*buf)
				abort();
		}
		n = read(fd, *buf + *len, cap - 1 - *len);
		if (n == 0)
			return NULL;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return strerror(errno);
		*len += (size_t)n;
	}
}

const char *source_read(const char *path, struct source *src)
{
	const char *err;
	struct stat st;
	size_t len;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return strerror(errno);
	if (fstat(fd, &st) < 0)
		err = strerror(errno);
	else if (S_ISDIR(st.st_mode))
		err = strerror(EISDIR);
	else if (!S_ISREG(st.st_mode))
		err = "not a regular file";
	else
		err = NULL;
	if (err) {
		close(fd);
		return err;
	}
	/* Sized by fstat, read once, and the buffer is the one registered. */
	err = read_all(fd, (size_t)st.st_size, &buf, &len);
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	src->name = diag_take_source(path, buf, len);
	src->text = buf;
	src->len = len;
	src->dev = st.st_dev;
	src->ino = st.st_ino;
	return NULL;
}

void source_buffer(const char *name, const char *text, size_t len,
		   struct source *src)
{
	src->name = diag_add_source(name, text, len);
	src->text = diag_source_text(src->name, NULL);
	src->len = len;
	src->dev = 0;
	src->ino = 0;
}

bool source_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	char *abs;
	bool same;

	if (!strcmp(a, b))
		return true;
	abs = source_absolute(b);	/* the live table's name of it */
	same = !strcmp(a, abs);
	free(abs);
	return same || (!stat(a, &sa) && !stat(b, &sb) &&
			sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino);
}

char *source_relative(const char *from, const char *path)
{
	const char *slash = strrchr(from, '/');
	size_t dir = slash ? (size_t)(slash - from) + 1 : 0;
	char *out;

	if (path[0] == '/' || !dir)
		return xstrdup(path);
	out = xcalloc(dir + strlen(path) + 1, 1);
	memcpy(out, from, dir);
	strcpy(out + dir, path);
	return out;
}

char *source_absolute(const char *path)
{
	char *cwd, *out;

	if (path[0] == '/' || !path[0] || !(cwd = getcwd(NULL, 0)))
		return xstrdup(path);
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	out = xcalloc(strlen(cwd) + strlen(path) + 2, 1);
	sprintf(out, "%s%s%s", cwd, strcmp(cwd, "/") ? "/" : "", path);
	free(cwd);
	return out;
}
