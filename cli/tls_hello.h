/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_TLS_HELLO_H
#define FWCTL_TLS_HELLO_H

/*
 * The TLS ClientHello of tls expectations: a real one, as a TLS 1.3
 * client sends it (TLS 1.2 record version, supported_versions 1.3 and
 * 1.2, an x25519 key share), so fwctld reads it as it reads a browser's.
 * No handshake follows: the scenario server only reads the hello and
 * sends back the number of bytes the client asked for, which the client
 * writes into its random (after a magic word no real random has).
 */
#include <stddef.h>
#include <stdint.h>

#define TLS_HELLO_BUF	768	/* room for a hello with a 253-byte name */
#define TLS_HELLO_ENDLESS 0	/* bytes: send until the client leaves */

/* The whole record into buf; its length, or 0 when buf is too small. */
size_t tls_hello_build(uint8_t *buf, size_t size, const char *name,
		       uint32_t bytes);

/*
 * The server side, on the first bytes of a connection: the length of the
 * whole first record once its header is there (0 before), -1 when this is
 * no handshake record.
 */
long tls_hello_len(const uint8_t *p, size_t len);

/* The bytes a complete hello of tls_hello_build() asks for, or -1. */
long tls_hello_bytes(const uint8_t *p, size_t len);

#endif
