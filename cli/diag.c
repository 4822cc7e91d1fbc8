// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

struct diag_source {
	struct diag_source	*next;
	char			*name;
	char			*text;
	size_t			len;
};

static struct diag_source *sources;
static unsigned n_errors, n_warnings;
static FILE *stream;

FILE *diag_stream(void)
{
	return stream ? stream : stderr;
}

void diag_set_stream(FILE *f)
{
	stream = f;
}

unsigned diag_warning_count(void)
{
	return n_warnings;
}

void diag_take_back(unsigned errors, unsigned warnings)
{
	if (errors <= n_errors)
		n_errors = errors;
	if (warnings <= n_warnings)
		n_warnings = warnings;
}

const char *diag_take_source(const char *name, char *text, size_t len)
{
	struct diag_source *s = calloc(1, sizeof(*s));

	if (!s)
		abort();
	s->name = strdup(name);
	if (!s->name)
		abort();
	s->text = text;
	s->text[len] = '\0';
	s->len = len;
	s->next = sources;
	sources = s;
	return s->name;
}

const char *diag_add_source(const char *name, const char *text, size_t len)
{
	char *copy = malloc(len + 1);

	if (!copy)
		abort();
	memcpy(copy, text, len);
	return diag_take_source(name, copy, len);
}

const char *diag_source_text(const char *name, size_t *len)
{
	struct diag_source *s;

	for (s = sources; s; s = s->next) {
		if (s->name == name || strcmp(s->name, name) == 0) {
			if (len)
				*len = s->len;
			return s->text;
		}
	}
	return NULL;
}

/* Prints line loc.line of its file and a caret under loc.col. */
static void diag_quote(struct fw_loc loc, unsigned width)
{
	const char *text, *p, *end;
	size_t len;
	unsigned line, i;

	if (!loc.file || !loc.line)
		return;
	text = diag_source_text(loc.file, &len);
	if (!text)
		return;
	for (p = text, line = 1; line < loc.line && p < text + len; p++)
		if (*p == '\n')
			line++;
	if (line != loc.line)
		return;
	end = memchr(p, '\n', text + len - p);
	if (!end)
		end = text + len;
	fprintf(diag_stream(), "    %.*s\n    ", (int)(end - p), p);
	/* Tabs stay tabs so the caret lines up with the quoted line. */
	for (i = 1; i < loc.col && p + i - 1 < end; i++)
		fputc(p[i - 1] == '\t' ? '\t' : ' ', diag_stream());
	fputc('^', diag_stream());
	for (i = 1; i < width; i++)
		fputc('~', diag_stream());
	fputc('\n', diag_stream());
}

static void diag_vprint(const char *kind, struct fw_loc loc, unsigned width,
			const char *fmt, va_list ap)
{
	FILE *f = diag_stream();

	if (loc.file && loc.line)
		fprintf(f, "%s:%u:%u: ", loc.file, loc.line, loc.col);
	else if (loc.file)
		fprintf(f, "%s: ", loc.file);
	fprintf(f, "%s: ", kind);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	diag_quote(loc, width);
}

void diag_error(struct fw_loc loc, unsigned width, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vprint("error", loc, width, fmt, ap);
	va_end(ap);
	n_errors++;
}

void diag_warning(struct fw_loc loc, unsigned width, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vprint("warning", loc, width, fmt, ap);
	va_end(ap);
	n_warnings++;
}

void diag_note(struct fw_loc loc, unsigned width, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vprint("note", loc, width, fmt, ap);
	va_end(ap);
}

unsigned diag_error_count(void)
{
	return n_errors;
}

void diag_reset(void)
{
	struct diag_source *s, *next;

	for (s = sources; s; s = next) {
		next = s->next;
		free(s->name);
		free(s->text);
		free(s);
	}
	sources = NULL;
	n_errors = n_warnings = 0;
}
