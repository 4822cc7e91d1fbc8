/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_DNS_QUERY_H
#define FWCTL_DNS_QUERY_H

/*
 * The DNS messages of dns expectations (RFC 1035, 4.1): the client's
 * query for one name, the scenario server's answer with one address.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_MSG_MAX	512	/* a UDP message without EDNS */

/* A recursive query for name (A, or AAAA), class IN; length or 0. */
size_t dns_query_build(uint8_t *buf, size_t size, uint16_t id,
		       const char *name, bool aaaa);

/*
 * The answer to query q: its id and question, QR and RA set, one record
 * (192.0.2.1 or 2001:db8::1) naming the question by a pointer. Its
 * length, or 0 when q is not a query of one question for A or AAAA.
 */
size_t dns_answer_build(uint8_t *out, size_t size, const uint8_t *q,
			size_t len);

/* True when r answers query id with no error and at least one record. */
bool dns_answer_ok(const uint8_t *r, size_t len, uint16_t id);

#endif
