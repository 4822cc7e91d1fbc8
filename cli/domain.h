/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_DOMAIN_H
#define FWCTL_DOMAIN_H

#include <stdbool.h>

#include "check.h"

/*
 * Domain names for inspect rules: exact names and "*.suffix" wildcards,
 * checked by the rules of the daemon's daemon/hostname.c (at most 253
 * characters, labels of 1-63 letters, digits, '-' or '_'), compared
 * without regard to case.
 */

/*
 * Whether a set element reads as a domain name rather than an interface:
 * a quoted "*.suffix", or a quoted name with a dot whose last label is
 * not all digits (interface names look like "eth0.100", top-level domains
 * never are numbers).
 */
bool domain_like(const struct ast_value *v);
/*
 * Every value of xl as a domain name, each error reported at its element;
 * out is sorted and holds each name once.
 */
int domain_list(const struct xlist *xl, struct m_domains *out);

#endif
