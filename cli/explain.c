// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fwctl export --explain: per source rule, in file order, what the kernel
 * will run in its place (ir_optimize() wrote it down as it went).
 */
#include "export.h"
#include "fwctl.h"

int export_explain(const struct ir_table *t, FILE *out)
{
	size_t i;

	if (!t->n_notes)
		fprintf(out, "no rules of the file (or the optimizer was "
			"off)\n");
	for (i = 0; i < t->n_notes; i++) {
		const struct ir_note *n = &t->notes[i];

		if (n->text)
			fprintf(out, "%s:%u: %s\n    -> %s\n", n->loc.file,
				n->loc.line, n->text, n->what);
		else
			fprintf(out, "%s:%u: %s\n", n->loc.file ?
				n->loc.file : "(built in)", n->loc.line,
				n->what);
	}
	return ferror(out) ? FW_EXIT_SYSTEM : FW_EXIT_OK;
}
