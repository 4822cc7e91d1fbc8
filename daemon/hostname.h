/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_HOSTNAME_H
#define FWCTL_HOSTNAME_H

#include <stddef.h>
#include <stdint.h>

/*
 * The one definition of "a name" shared by the dissectors and the domain
 * sets: labels of 1-63 characters of [a-z0-9-_] joined by dots, at most
 * 253 characters, compared without regard to case. The underscore is
 * allowed because real service names use it (_dmarc, _sip._udp).
 */
#define HOSTNAME_MAX	253
#define HOSTNAME_LABEL_MAX 63

/* The lowercase form of c when c may appear in a label, else 0. */
uint8_t hostname_char(uint8_t c);

/*
 * Copies the name s[0..n) to out as a lowercase C string, dropping one
 * trailing dot. Returns 1 when the name is valid and fits in outlen bytes
 * (terminator included), -1 otherwise; out is then an empty string.
 */
int hostname_copy(const uint8_t *s, size_t n, char *out, size_t outlen);

#endif
