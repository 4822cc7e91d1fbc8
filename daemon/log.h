/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_LOG_H
#define FWCTL_LOG_H

/*
 * Logging to stderr (the journal, under systemd) that cannot flood it: a
 * token bucket of LOG_BURST lines refilled at LOG_RATE per second, shared
 * by all threads. Lines over the limit are counted, and the next line let
 * through says how many were left out. Thread-safe.
 */
#define LOG_BURST	20
#define LOG_RATE	5

__attribute__((format(printf, 1, 2)))
void log_msg(const char *fmt, ...);

#endif
