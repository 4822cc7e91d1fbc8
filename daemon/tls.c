// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "hostname.h"
#include "tls.h"
#include "wire.h"

/*
 * TLS plaintext record and handshake header (RFC 8446, 5.1 and 4):
 *
 *   0      1      2      3      4      5      6      7      8
 *   +------+------+------+------+------+------+------+------+---
 *   | type | version     | length      | hs   | hs length   |...
 *   | 22   | 3    | x    |             | 1    | (24 bits)   |
 *   +------+------+------+------+------+------+------+------+---
 *
 * A handshake message may be cut across records, so the hello is first
 * gathered out of the records into one buffer and parsed from there.
 */
enum {
	TLS_RECORD_HDR = 5,
	TLS_RECORD_MAX = 16384 + 2048,
	TLS_CT_HANDSHAKE = 22,
	TLS_HS_HDR = 4,
	TLS_HS_CLIENT_HELLO = 1,
	TLS_EXT_SERVER_NAME = 0,
	TLS_SNI_HOST_NAME = 0,
};

struct tls_gather {
	uint8_t buf[TLS_HS_HDR + TLS_HELLO_MAX];
	size_t got, need;
};

/* Appends one record's fragment; -1 once the header shows no hello. */
static int tls_gather_record(struct tls_gather *g, struct wire frag)
{
	while (frag.len && g->got < g->need) {
		size_t n = g->need - g->got;
		struct wire part;

		if (n > frag.len)
			n = frag.len;
		wire_take(&frag, n, &part);
		memcpy(g->buf + g->got, part.p, n);
		g->got += n;
		if (g->got == TLS_HS_HDR && g->need == TLS_HS_HDR) {
			if (g->buf[0] != TLS_HS_CLIENT_HELLO)
				return -1;
			g->need += wire_be(g->buf + 1, 3);
			if (g->need > sizeof(g->buf))
				return -1;
		}
	}
	return 1;
}

static int tls_gather(struct tls_gather *g, struct wire stream)
{
	g->got = 0;
	g->need = TLS_HS_HDR;
	while (g->got < g->need) {
		struct wire hdr, frag;
		uint32_t rlen;

		if (!wire_take(&stream, TLS_RECORD_HDR, &hdr))
			return 0;
		if (hdr.p[0] != TLS_CT_HANDSHAKE || hdr.p[1] != 3)
			return -1;
		rlen = wire_be(hdr.p + 3, 2);
		if (!rlen || rlen > TLS_RECORD_MAX)
			return -1;
		if (!wire_take(&stream, rlen, &frag))
			return 0;
		if (tls_gather_record(g, frag) < 0)
			return -1;
	}
	return 1;
}

/* server_name extension data: a list of (type, name), RFC 6066, 3. */
static int tls_server_name(struct wire ext, char *out, size_t outlen)
{
	struct wire list, name;
	uint32_t type;

	if (!wire_vec(&ext, 2, &list) || ext.len)
		return -1;
	while (list.len) {
		if (!wire_uint(&list, 1, &type) || !wire_vec(&list, 2, &name))
			return -1;
		if (type == TLS_SNI_HOST_NAME)
			return hostname_copy(name.p, name.len, out, outlen);
	}
	return -1;
}

/* Walks every extension so that a malformed block is refused whole. */
static int tls_extensions(struct wire exts, char *out, size_t outlen)
{
	int found = -1, seen = 0;

	while (exts.len) {
		struct wire data;
		uint32_t type;

		if (!wire_uint(&exts, 2, &type) || !wire_vec(&exts, 2, &data))
			return -1;
		if (type != TLS_EXT_SERVER_NAME)
			continue;
		/* RFC 8446, 4.2: one extension of a type, or abort. */
		if (seen++)
			return -1;
		found = tls_server_name(data, out, outlen);
	}
	return found;
}

static int tls_client_hello(struct wire hello, char *out, size_t outlen)
{
	struct wire version, session, suites, compression, exts;

	if (!wire_take(&hello, 2, &version) || version.p[0] != 3 ||
	    !wire_take(&hello, 32, NULL) ||
	    !wire_vec(&hello, 1, &session) || session.len > 32 ||
	    !wire_vec(&hello, 2, &suites) || !suites.len || suites.len & 1 ||
	    !wire_vec(&hello, 1, &compression) || !compression.len ||
	    !wire_vec(&hello, 2, &exts) || hello.len)
		return -1;
	return tls_extensions(exts, out, outlen);
}

int tls_sni(const uint8_t *p, size_t len, char *out, size_t outlen)
{
	struct tls_gather g;
	int ret;

	if (outlen)
		out[0] = '\0';
	ret = tls_gather(&g, (struct wire){ .p = p, .len = len });
	if (ret <= 0)
		return ret;
	ret = tls_client_hello((struct wire){ .p = g.buf + TLS_HS_HDR,
					      .len = g.need - TLS_HS_HDR },
			       out, outlen);
	if (ret < 0 && outlen)
		out[0] = '\0';
	return ret;
}
