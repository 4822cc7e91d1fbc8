/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_ELEMS_RECORD_H
#define FWCTL_ELEMS_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "ir.h"
#include "live.h"

/*
 * The elements big named sets were committed with, in DIR/sets
 * (cli/elems_record.c). Smaller sets are read back: a dump of a few
 * hundred elements costs less than a file.
 */
#define ELEMS_RECORD_MIN	1024	/* the set's elements in the file */

/*
 * After t was committed as now (its sets' digests): records the elements
 * of t's big sets that are not recorded yet, and removes the records of
 * sets t no longer has.
 */
void elems_record_store(const char *dir, const struct ir_table *t,
			const struct live_table *now);
/*
 * The ranges the live set ls was committed with (sorted and apart, as in
 * an ir_set; rec's to free), if its record is whole and, sent as a set
 * like `like` (the file's set of that name), sums to ls's digest, which
 * only the cache of this generation has: false if not.
 */
struct elems_record {
	struct ir_elem	*e;
	size_t		n;
	char		*names;		/* the verdicts' chains point here */
};
bool elems_record_load(const char *dir, const struct live_set *ls,
		       const struct ir_set *like, struct elems_record *rec);
void elems_record_free(struct elems_record *rec);
/* Removes every set's record (the table is gone). */
void elems_record_drop(const char *dir);

#endif
