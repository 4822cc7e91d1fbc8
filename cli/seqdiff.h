/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_SEQDIFF_H
#define FWCTL_SEQDIFF_H

#include <stddef.h>
#include <stdint.h>

#define SEQDIFF_NEW	SIZE_MAX

/*
 * The shortest edit script from a to b (Myers' O(ND) algorithm): for each
 * b[j], match[j] is the index of the a element it keeps, or SEQDIFF_NEW.
 * Kept indices increase with j; every a element no match names is
 * deleted. Keys may repeat. Past SEQDIFF_MAX_D edits between the common
 * head and tail, the middle is treated as all new (no longer minimal,
 * still correct).
 */
#define SEQDIFF_MAX_D	1024
void seqdiff(const uint64_t *a, size_t na, const uint64_t *b, size_t nb,
	     size_t *match);

#endif
