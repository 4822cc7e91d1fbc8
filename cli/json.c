// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>

#include "json.h"

void json_init(struct json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->first[0] = true;
}

/* How many bytes the UTF-8 sequence at s takes, 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s)
{
	static const struct {
		unsigned char lo, hi;	/* first byte range */
		unsigned char n;	/* sequence length */
		unsigned char min2, max2; /* second byte range */
	} forms[] = {
		{ 0xc2, 0xdf, 2, 0x80, 0xbf },
		{ 0xe0, 0xe0, 3, 0xa0, 0xbf },	/* no overlong forms */
		{ 0xe1, 0xec, 3, 0x80, 0xbf },
		{ 0xed, 0xed, 3, 0x80, 0x9f },	/* no surrogates */
		{ 0xee, 0xef, 3, 0x80, 0xbf },
		{ 0xf0, 0xf0, 4, 0x90, 0xbf },
		{ 0xf1, 0xf3, 4, 0x80, 0xbf },
		{ 0xf4, 0xf4, 4, 0x80, 0x8f },	/* nothing above U+10FFFF */
	};
	size_t i, k;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		if (s[0] < forms[i].lo || s[0] > forms[i].hi)
			continue;
		if (s[1] < forms[i].min2 || s[1] > forms[i].max2)
			return 0;
		for (k = 2; k < forms[i].n; k++)
			if ((s[k] & 0xc0) != 0x80)
				return 0;
		return forms[i].n;
	}
	return 0;
}

static void json_escape(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	fputc('"', out);
	while (*s) {
		if (*s == '"' || *s == '\\') {
			fprintf(out, "\\%c", *s++);
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(out, "\\u%04x", *s++);
		} else if (*s < 0x80) {
			fputc(*s++, out);
		} else if ((n = utf8_seq(s)) != 0) {
			fwrite(s, 1, n, out);
			s += n;
		} else {
			fputs("\\ufffd", out);
			s++;
		}
	}
	fputc('"', out);
}

/* Comma, member name: what every value starts with. */
static void json_value(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->out);
	j->first[j->depth] = false;
	if (key) {
		json_escape(j->out, key);
		fputc(':', j->out);
	}
}

static void json_open(struct json *j, const char *key, char c)
{
	json_value(j, key);
	fputc(c, j->out);
	if (j->depth + 1 < JSON_DEPTH_MAX)
		j->depth++;
	j->first[j->depth] = true;
}

static void json_close(struct json *j, char c)
{
	fputc(c, j->out);
	if (j->depth)
		j->depth--;
	if (!j->depth)
		fputc('\n', j->out);
}

void json_object_begin(struct json *j, const char *key)
{
	json_open(j, key, '{');
}

void json_object_end(struct json *j)
{
	json_close(j, '}');
}

void json_array_begin(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void json_array_end(struct json *j)
{
	json_close(j, ']');
}

void json_string(struct json *j, const char *key, const char *s)
{
	json_value(j, key);
	if (s)
		json_escape(j->out, s);
	else
		fputs("null", j->out);
}

void json_uint(struct json *j, const char *key, uint64_t v)
{
	json_value(j, key);
	fprintf(j->out, "%" PRIu64, v);
}

void json_int(struct json *j, const char *key, int64_t v)
{
	json_value(j, key);
	fprintf(j->out, "%" PRId64, v);
}

void json_bool(struct json *j, const char *key, bool v)
{
	json_value(j, key);
	fputs(v ? "true" : "false", j->out);
}

void json_null(struct json *j, const char *key)
{
	json_string(j, key, NULL);
}
