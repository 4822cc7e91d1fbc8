/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_DNS_H
#define FWCTL_DNS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Finds the name asked for by a DNS query (RFC 1035, 4.1): a message with
 * QR clear, opcode QUERY and at least one question; the name of the first
 * question, which must be followed by its type and class.
 *
 * The question's name is taken label by label. A compression pointer there
 * is refused, not followed: the first question's name starts right after
 * the header, so there is no earlier name a pointer could lawfully reuse,
 * and no resolver sends one. Label lengths 64-191 (the reserved and
 * extended label types) are refused too, as are the root name, names over
 * 253 characters and labels with characters outside [A-Za-z0-9-_].
 *
 * dns_qname() takes a UDP payload, which is the whole message: returns 1
 * with out set to the lowercase name, -1 for anything else (never 0).
 * Never reads past p + len.
 */
int dns_qname(const uint8_t *p, size_t len, char *out, size_t outlen);

/*
 * The same over TCP, where p is the start of the stream and the message
 * follows a 2-byte length (RFC 1035, 4.2.2). Returns 0 until the whole
 * first message is there (at most 2 + 65535 bytes).
 */
int dns_qname_tcp(const uint8_t *p, size_t len, char *out, size_t outlen);

#endif
