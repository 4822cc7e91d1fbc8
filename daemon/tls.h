/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_TLS_H
#define FWCTL_TLS_H

#include <stddef.h>
#include <stdint.h>

/*
 * The largest ClientHello tls_sni() reassembles: one full record's worth.
 * Browsers send 512-2000 bytes; post-quantum key shares push it past one
 * TCP segment (about 1.8 KiB), which is why the daemon must keep the first
 * bytes of a flow and call again when the next segment arrives. A hello
 * announcing more than this is refused (-1) rather than buffered.
 */
#define TLS_HELLO_MAX	16384

/*
 * Finds the server name in the first bytes a TLS client sent on a TCP
 * stream: p holds the stream from its start, which the daemon builds by
 * concatenating the payloads of the first segments in order. The
 * ClientHello may span several handshake records; a daemon that keeps
 * TLS_HELLO_MAX + 4 bytes plus 5 per record it allows has room for any
 * hello this accepts, and takes a 0 once its buffer is full for a -1.
 *
 * Returns 1 with out set to the lowercase, validated host_name of the
 * server_name extension (RFC 6066); 0 when the bytes so far are a valid
 * beginning but the hello is not complete yet (call again with more);
 * -1 when this is not a TLS ClientHello, is malformed, or has no host_name
 * (more data cannot change that answer). Never reads past p + len.
 */
int tls_sni(const uint8_t *p, size_t len, char *out, size_t outlen);

#endif
