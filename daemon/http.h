/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_HTTP_H
#define FWCTL_HTTP_H

#include <stddef.h>
#include <stdint.h>

/*
 * The most of a request head (request line and header fields) that
 * http_host() waits for, like the 8 KiB default of common servers: a
 * client sending more before the blank line gets -1, not buffering.
 */
#define HTTP_HEAD_MAX	8192

/*
 * Finds the host an HTTP/1.x request is for, from the first bytes of the
 * client's TCP stream. The request line must start with a known method
 * and end in HTTP/1.x; the head must be complete (an empty line ends it;
 * LF alone is taken for CRLF as servers do, RFC 9112, 2.2). The name comes
 * from the request target when it has an authority (absolute form, or the
 * CONNECT authority form), else from the one Host field (RFC 9112, 3.2.2);
 * the port is dropped.
 *
 * Returns 1 with out set to the lowercase, validated name; 0 when what is
 * there is a valid beginning of a request whose head is not complete yet;
 * -1 when this is not an HTTP/1.x request, is malformed (two Host fields,
 * a folded Host field), names no host, or names an IP literal in
 * brackets. Never reads past p + len.
 */
int http_host(const uint8_t *p, size_t len, char *out, size_t outlen);

#endif
