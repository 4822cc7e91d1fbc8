/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_CONNTRACK_H
#define FWCTL_CONNTRACK_H

#include <stdbool.h>

#include "ct_filter.h"
#include "fwctl.h"

/* What the output looks like: -j, events or not, accounting columns. */
unsigned ct_print_flags(const struct fw_opts *o, bool events);

/* Prints "fwctl conntrack: WHAT: strerror(-err)"; returns FW_EXIT_SYSTEM. */
int ct_fail(const char *what, int err);

/* `fwctl conntrack watch`: events until SIGINT or SIGTERM (exit 0). */
int ct_watch(const struct ct_filter *f, const struct fw_opts *o);

#endif
