// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Must-fail rule files: tests/unit/errors/NAME.fw must give exactly the
 * diagnostics in NAME.err, and no IR. The files are found at run time, so
 * a new case is two new files. FWCTL_REGEN=1 rewrites the .err files from
 * what the compiler says now; review that diff like code.
 */
#include <glob.h>
#include <stdlib.h>
#include <unistd.h>

#include "compile.h"
#include "diag.h"
#include "unit.h"

#define MIN_CASES 25

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int c;

	if (!f)
		return NULL;
	out = open_memstream(&text, &len);
	while ((c = fgetc(f)) != EOF)
		fputc(c, out);
	fclose(out);
	fclose(f);
	return text;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!CHECK(f))
		return;
	fputs(text, f);
	fclose(f);
}

/* Where the two texts part, to keep a failure short. */
static void show_difference(const char *fw, const char *got, const char *want)
{
	size_t i = 0, line = 1;

	for (; got[i] && got[i] == want[i]; i++)
		line += got[i] == '\n';
	fprintf(stderr, "  %s: output differs from line %zu of the .err\n"
		"--- got:\n%s--- expected:\n%s", fw, line, got, want);
}

static void run_case(const char *fw, bool regen)
{
	char err[256], *got = NULL, *want;
	size_t len = 0;
	struct ir_table *t;
	FILE *out = open_memstream(&got, &len);

	diag_reset();
	diag_set_stream(out);
	t = compile_file(fw);
	diag_set_stream(NULL);
	fclose(out);
	snprintf(err, sizeof(err), "%.*s.err", (int)(strlen(fw) - 3), fw);
	if (!CHECK(!t))
		fprintf(stderr, "  %s compiled without an error\n", fw);
	ir_table_free(t);
	CHECK(diag_error_count() > 0);
	if (regen) {
		write_file(err, got);
	} else {
		want = read_file(err);
		if (!CHECK(want))
			fprintf(stderr, "  %s: no %s\n", fw, err);
		else if (!CHECK(!strcmp(got, want)))
			show_difference(fw, got, want);
		free(want);
	}
	free(got);
}

int main(void)
{
	const char *top = getenv("top_srcdir");
	bool regen = getenv("FWCTL_REGEN") != NULL;
	char dir[4096];
	glob_t g;
	size_t i;

	snprintf(dir, sizeof(dir), "%s/tests/unit/errors", top ? top : ".");
	if (chdir(dir) < 0) {
		perror(dir);
		return 99;
	}
	if (glob("*.fw", 0, NULL, &g) != 0) {
		fprintf(stderr, "%s: no *.fw files\n", dir);
		return 99;
	}
	CHECK(g.gl_pathc >= MIN_CASES);
	for (i = 0; i < g.gl_pathc; i++)
		run_case(g.gl_pathv[i], regen);
	printf("%zu cases\n", g.gl_pathc);
	globfree(&g);
	diag_reset();
	return unit_summary("errors_test");
}
