// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fwctl's heap: reserved in one step at start (heap_reserve), and
 * populated ahead of a full compile by a second thread (heap_prefault).
 */
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "clock.h"
#include "heap.h"

/*
 * A 10,000-rule file takes some 60 MB of small allocations, which the
 * heap serves from the 25-40 MB it grows to: it grows in one large step,
 * so that a free() gives nothing back to the kernel.
 *
 * Its first 4 MB are huge pages: a one-rule change of fw1_10k peaks at
 * 3.8 MB of heap, 2 page faults instead of 950 (8.5 against 11 ms back
 * to back, here). The rest is huge pages too where a small page's fault
 * is slow: some days 15 us on this virtual machine, when 40 MB took
 * 148-161 ms in small pages and 81 ms in huge ones. Other days 2-2.5 us,
 * and then a huge page that comes from memory the guest has handed back
 * to the hypervisor (free page reporting, 2 s after it was freed) costs
 * more than its 512 small ones: 5-6 ms, 32 MB of them 90-100 ms against
 * 18-26 ms in small pages. A whole compile touches its 30-40 MB once:
 * full applies 3 s apart on such a day, medians of 5, with the whole
 * heap in huge pages, with its first 4 MB, with none: fw1_10k 567, 516
 * and 499 ms; gen10k 571, 481 and 454. So the start times a few faults.
 *
 * The heap starts where the program's data ends, anywhere in a huge page,
 * and a huge page the first malloc() touches before madvise() stays small
 * pages. So the break moves on to the last small page before a huge page:
 * the first malloc() touches that one, the rest is madvised before any
 * touch, and what the break passed is never touched.
 *
 * A whole compile faults its pages in one by one all the same: 5,041
 * faults for fw1_10k, where perf put 28% of the compile's samples in the
 * kernel zeroing them (clear_page_erms), more than the start's timing
 * says a fault costs (the fresh pages of memory handed back to the
 * hypervisor cost the host a fault too). heap_prefault() has them
 * populated by a thread on the other CPU meanwhile (MADV_POPULATE_WRITE),
 * which leaves the compile 133 faults: fwctl check, 20-30 runs each by
 * turns, 5-11 ms faster at the fastest and the tenth percentile
 * (fw1_10k 108 against 119 ms, gen10k 123 against 128, acl1_10k 117
 * against 123), 9 ms at the median of the paired differences of fw1_10k.
 * The spread of this machine's timings is larger than that (124-215 ms
 * for the same run), so medians of a few runs may show nothing. Whole
 * compiles only: a one-rule change touches 4 MB at most.
 */
#define HEAP_HUGE_FIRST		(4u << 20)
#define SMALL_FAULT_SLOW_NS	6000	/* beyond it, huge pages throughout */
#define SMALL_FAULT_SAMPLE	32

/* The part of the heap that is reserved, from its first huge page. */
struct span {
	uintptr_t	lo;
	size_t		len;
};
static struct span reserved;

/* What a small page's first touch costs, in ns: a few, in memory of
 * their own (0.1 ms on a day of 2.5 us). */
static uint64_t small_fault_ns(void)
{
	const size_t small = 4096, len = SMALL_FAULT_SAMPLE * small;
	volatile char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t t0, t;
	size_t i;

	if (p == MAP_FAILED)
		return 0;
	t0 = clock_ns();
	for (i = 0; i < len; i += small)
		p[i] = 1;
	t = clock_ns() - t0;
	munmap((void *)p, len);
	return t / SMALL_FAULT_SAMPLE;
}

void heap_reserve(void)
{
	const uintptr_t huge = 2u << 20, small = 4096;
	const size_t step = 256u << 20;
	uintptr_t lo, hi;
	size_t len;
	void *p;

	/* apply's second thread (apply_ahead.h) shares this heap. */
	mallopt(M_ARENA_MAX, 1);
	mallopt(M_MMAP_THRESHOLD, 32u << 20);
	mallopt(M_TOP_PAD, (int)step);
	mallopt(M_TRIM_THRESHOLD, (int)step);
	hi = (uintptr_t)sbrk(0);
	lo = ((hi + small + huge - 1) & ~(huge - 1)) - small;
	if (hi != (uintptr_t)-1 && lo > hi)
		sbrk((intptr_t)(lo - hi));
	p = malloc(1);
	if (!p)
		return;
	lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	hi = (uintptr_t)sbrk(0);
	if (hi > lo) {
		len = hi - lo;
		if (len > HEAP_HUGE_FIRST &&
		    small_fault_ns() < SMALL_FAULT_SLOW_NS)
			len = HEAP_HUGE_FIRST;
		madvise((void *)lo, len, MADV_HUGEPAGE);
		reserved.lo = lo;
		reserved.len = hi - lo;
	}
	free(p);
}

static void *populate(void *arg)
{
	const struct span *s = arg;

	/* EINVAL before Linux 5.14: then the compile faults them itself. */
	madvise((void *)s->lo, s->len, MADV_POPULATE_WRITE);
	return NULL;
}

void heap_prefault(size_t bytes)
{
	static struct span ahead;
	pthread_t th;

	if (ahead.len || bytes <= HEAP_HUGE_FIRST || !reserved.len)
		return;
	ahead.lo = reserved.lo;
	ahead.len = bytes < reserved.len ? bytes : reserved.len;
	ahead.len &= ~(size_t)4095;
	if (pthread_create(&th, NULL, populate, &ahead)) {
		ahead.len = 0;
		return;
	}
	pthread_detach(th);
}
