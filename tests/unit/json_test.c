// SPDX-License-Identifier: GPL-2.0-or-later
/* The JSON writer: commas, nesting, and strings escaped into valid JSON. */
#include <stdlib.h>
#include <string.h>

#include "backend_util.h"
#include "json.h"

typedef void (*write_fn)(struct json *j);

static char *render(write_fn fn)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct json j;

	if (!f)
		abort();
	json_init(&j, f);
	fn(&j);
	fclose(f);
	return text;
}

static void expect(write_fn fn, const char *want)
{
	char *got = render(fn);

	CHECK(strcmp(got, want) == 0);
	if (strcmp(got, want))
		fprintf(stderr, "got:  %swant: %s", got, want);
	free(got);
}

static void nested(struct json *j)
{
	json_object_begin(j, NULL);
	json_string(j, "name", "fwctl");
	json_null(j, "source");
	json_array_begin(j, "list");
	json_uint(j, NULL, 18446744073709551615u);
	json_int(j, NULL, -10);
	json_bool(j, NULL, true);
	json_object_begin(j, NULL);
	json_object_end(j);
	json_array_begin(j, NULL);
	json_array_end(j);
	json_array_end(j);
	json_bool(j, "last", false);
	json_object_end(j);
}

static void escapes(struct json *j)
{
	json_array_begin(j, NULL);
	json_string(j, NULL, "say \"hi\" \\ back");
	json_string(j, NULL, "tab\tnew\nline\x01\x1f\x7f");
	json_string(j, NULL, "caf\xc3\xa9 \xf0\x9f\x94\xa5 \xe2\x82\xac");
	json_array_end(j);
}

/* Bytes that are not UTF-8 must not reach the output raw. */
static void invalid(struct json *j)
{
	json_array_begin(j, NULL);
	json_string(j, NULL, "a\xff" "b");
	json_string(j, NULL, "\xc0\xaf");		/* overlong '/' */
	json_string(j, NULL, "\xed\xa0\x80");		/* a surrogate */
	json_string(j, NULL, "\xf4\x90\x80\x80");	/* above U+10FFFF */
	json_string(j, NULL, "\xe2\x82");		/* cut short */
	json_array_end(j);
}

static void keys(struct json *j)
{
	json_object_begin(j, NULL);
	json_string(j, "k\"ey", "v");
	json_object_end(j);
}

int main(void)
{
	expect(nested, "{\"name\":\"fwctl\",\"source\":null,\"list\":"
	       "[18446744073709551615,-10,true,{},[]],\"last\":false}\n");
	expect(escapes, "[\"say \\\"hi\\\" \\\\ back\","
	       "\"tab\\u0009new\\u000aline\\u0001\\u001f\\u007f\","
	       "\"caf\xc3\xa9 \xf0\x9f\x94\xa5 \xe2\x82\xac\"]\n");
	expect(invalid, "[\"a\\ufffdb\",\"\\ufffd\\ufffd\","
	       "\"\\ufffd\\ufffd\\ufffd\",\"\\ufffd\\ufffd\\ufffd\\ufffd\","
	       "\"\\ufffd\\ufffd\"]\n");
	expect(keys, "{\"k\\\"ey\":\"v\"}\n");
	return bt_exit("json_test");
}
