/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_SCRATCH_H
#define FWCTL_SCRATCH_H

#include <stddef.h>

/*
 * A stack of temporary memory. The decision tree sweeps every node's
 * edges with arrays as long as its list, and a node's sweep is still open
 * while its children are built: what is taken last is given back first.
 * Taken from a stack, those arrays cost a pointer bump instead of a
 * malloc, a memset and a free (the allocator took a third of the
 * instructions of compiling gen10k), and the same pages serve every node
 * instead of fresh ones, which cost a page fault each on a virtual
 * machine.
 *
 * Memory comes in blocks that are kept until scratch_free, so a pointer
 * stays valid until the mark before it is released.
 */
struct scratch_block;

struct scratch {
	struct scratch_block	*first, *cur;
};

struct scratch_mark {
	struct scratch_block	*block;
	size_t			used;
};

/* n elements of size bytes, aligned for any type; not zeroed. */
void *scratch_take(struct scratch *s, size_t n, size_t size);
/* The same, zeroed. */
void *scratch_ztake(struct scratch *s, size_t n, size_t size);
/* Where the stack is now, and giving back everything taken since. */
struct scratch_mark scratch_mark(const struct scratch *s);
void scratch_release(struct scratch *s, struct scratch_mark m);
void scratch_free(struct scratch *s);

#endif
