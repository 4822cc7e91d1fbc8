// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A TLS 1.3 ClientHello (RFC 8446, 4.1.2) in one handshake record. The
 * lengths nest (record, handshake, extensions, each extension), so the
 * writer leaves room for a length and fills it in when the part ends.
 */
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "tls_hello.h"

#define RANDOM_OFF	11	/* record 5, handshake 4, version 2 */
static const uint8_t magic[8] = "fwctltst";

struct writer {
	uint8_t	*buf;
	size_t	size, len;
	bool	full;
};

static void put(struct writer *w, const void *p, size_t n)
{
	if (w->full || w->size - w->len < n) {
		w->full = true;
		return;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void put_u8(struct writer *w, uint8_t v)
{
	put(w, &v, 1);
}

static void put_u16(struct writer *w, uint16_t v)
{
	uint8_t b[2] = { v >> 8, v };

	put(w, b, 2);
}

/* Room for an n-byte length; the offset for len_end(). */
static size_t len_begin(struct writer *w, size_t n)
{
	static const uint8_t zero[3];

	put(w, zero, n);
	return w->len - n;
}

static void len_end(struct writer *w, size_t at, size_t n)
{
	size_t v = w->len - at - n, i;

	for (i = 0; !w->full && i < n; i++)
		w->buf[at + i] = v >> 8 * (n - 1 - i);
}

/* Bytes no one needs to predict: a key share nobody will use. */
static void put_noise(struct writer *w, size_t n)
{
	uint8_t b[32];
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (getpid() * 131 + i * 7919) >> 3;
	put(w, b, n);
}

static void ext_server_name(struct writer *w, const char *name)
{
	size_t ext, list;

	put_u16(w, 0);
	ext = len_begin(w, 2);
	list = len_begin(w, 2);
	put_u8(w, 0);			/* host_name */
	put_u16(w, strlen(name));
	put(w, name, strlen(name));
	len_end(w, list, 2);
	len_end(w, ext, 2);
}

/* An extension whose body is fixed bytes. */
static void ext_fixed(struct writer *w, uint16_t type, const uint8_t *body,
		      size_t n)
{
	put_u16(w, type);
	put_u16(w, n);
	put(w, body, n);
}

static void ext_key_share(struct writer *w)
{
	size_t ext, list;

	put_u16(w, 51);
	ext = len_begin(w, 2);
	list = len_begin(w, 2);
	put_u16(w, 0x001d);		/* x25519 */
	put_u16(w, 32);
	put_noise(w, 32);
	len_end(w, list, 2);
	len_end(w, ext, 2);
}

static void extensions(struct writer *w, const char *name)
{
	static const uint8_t groups[] = { 0, 4, 0x00, 0x1d, 0x00, 0x17 };
	static const uint8_t points[] = { 1, 0 };
	static const uint8_t sigalgs[] = { 0, 6, 0x04, 0x03, 0x08, 0x04,
					   0x04, 0x01 };
	static const uint8_t versions[] = { 4, 0x03, 0x04, 0x03, 0x03 };
	static const uint8_t psk_modes[] = { 1, 1 };
	size_t all = len_begin(w, 2);

	ext_server_name(w, name);
	ext_fixed(w, 10, groups, sizeof(groups));
	ext_fixed(w, 11, points, sizeof(points));
	ext_fixed(w, 13, sigalgs, sizeof(sigalgs));
	ext_fixed(w, 43, versions, sizeof(versions));
	ext_fixed(w, 45, psk_modes, sizeof(psk_modes));
	ext_key_share(w);
	len_end(w, all, 2);
}

size_t tls_hello_build(uint8_t *buf, size_t size, const char *name,
		       uint32_t bytes)
{
	static const uint8_t suites[] = { 0, 14, 0x13, 0x01, 0x13, 0x02,
					  0x13, 0x03, 0xc0, 0x2b, 0xc0, 0x2f,
					  0xc0, 0x2c, 0xc0, 0x30 };
	static const uint8_t no_compression[] = { 1, 0 };
	uint8_t want[4] = { bytes >> 24, bytes >> 16, bytes >> 8, bytes };
	struct writer w = { buf, size, 0, false };
	size_t record, hs;

	put(&w, "\x16\x03\x01", 3);	/* handshake, TLS 1.0 for old boxes */
	record = len_begin(&w, 2);
	put_u8(&w, 1);			/* client_hello */
	hs = len_begin(&w, 3);
	put_u16(&w, 0x0303);
	put(&w, magic, sizeof(magic));
	put(&w, want, sizeof(want));
	put_noise(&w, 20);
	put_u8(&w, 32);			/* a session id: middlebox compat */
	put_noise(&w, 32);
	put(&w, suites, sizeof(suites));
	put(&w, no_compression, sizeof(no_compression));
	extensions(&w, name);
	len_end(&w, hs, 3);
	len_end(&w, record, 2);
	return w.full ? 0 : w.len;
}

long tls_hello_len(const uint8_t *p, size_t len)
{
	if (len < 5)
		return 0;
	if (p[0] != 0x16 || p[1] != 3)
		return -1;
	return 5 + (p[3] << 8 | p[4]);
}

long tls_hello_bytes(const uint8_t *p, size_t len)
{
	const uint8_t *r = p + RANDOM_OFF;

	if (len < RANDOM_OFF + 32 || p[5] != 1 ||
	    memcmp(r, magic, sizeof(magic)))
		return -1;
	r += sizeof(magic);
	return (long)((uint32_t)r[0] << 24 | r[1] << 16 | r[2] << 8 | r[3]);
}
