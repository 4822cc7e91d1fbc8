/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_HEAP_H
#define FWCTL_HEAP_H

#include <stddef.h>

/* At start, before anything is allocated: the heap in one step (heap.c). */
void heap_reserve(void);

/*
 * A compile about to touch some bytes of fresh heap: a thread of its own
 * populates them meanwhile, once per process, and only where
 * heap_reserve() reserved them (so never in a test program).
 */
void heap_prefault(size_t bytes);

#endif
