/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_JSON_H
#define FWCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * A streaming JSON writer, just enough for `fwctl -j`: it places commas,
 * escapes strings (control characters, quotes, backslashes; bytes that are
 * not UTF-8 become U+FFFD) and prints one document per line.
 *
 * key is the member name inside an object and must be NULL inside an
 * array or at the top.
 */
#define JSON_DEPTH_MAX	16

struct json {
	FILE		*out;
	unsigned	depth;
	bool		first[JSON_DEPTH_MAX];	/* nothing written yet there */
};

void json_init(struct json *j, FILE *out);
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
/* s NULL: null. */
void json_string(struct json *j, const char *key, const char *s);
void json_uint(struct json *j, const char *key, uint64_t v);
void json_int(struct json *j, const char *key, int64_t v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);

#endif
