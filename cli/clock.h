/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_CLOCK_H
#define FWCTL_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Monotonic nanoseconds, for the times fwctl -v reports. */
static inline uint64_t clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
