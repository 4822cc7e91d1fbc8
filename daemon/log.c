// SPDX-License-Identifier: GPL-2.0-or-later
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "log.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static double log_tokens = LOG_BURST, log_last;
static unsigned long log_suppressed;

static double log_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Takes a token if there is one; refills by the time since the last call. */
static int log_take(void)
{
	double now = log_now();

	log_tokens += (now - log_last) * LOG_RATE;
	log_last = now;
	if (log_tokens > LOG_BURST)
		log_tokens = LOG_BURST;
	if (log_tokens < 1) {
		log_suppressed++;
		return 0;
	}
	log_tokens--;
	return 1;
}

void log_msg(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&log_lock);
	if (log_take()) {
		if (log_suppressed)
			fprintf(stderr, "fwctld: %lu messages suppressed\n",
				log_suppressed);
		log_suppressed = 0;
		fputs("fwctld: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	pthread_mutex_unlock(&log_lock);
}
