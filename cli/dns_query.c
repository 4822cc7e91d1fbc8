// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A DNS query and its answer, just enough of RFC 1035 for the scenario
 * client and server: a 12-byte header, one question of labels, and for
 * the answer one resource record whose name points back at the question.
 */
#include <string.h>

#include "dns_query.h"

#define HDR		12
#define TYPE_A		1
#define TYPE_AAAA	28
#define CLASS_IN	1

static void be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

/* name as labels at out; their length, or 0 when they do not fit. */
static size_t put_name(uint8_t *out, size_t size, const char *name)
{
	size_t n = 0, label;
	const char *dot;

	for (; *name; name = *dot ? dot + 1 : dot) {
		dot = name + strcspn(name, ".");
		label = dot - name;
		if (!label || label > 63 || n + 1 + label + 1 > size)
			return 0;
		out[n++] = label;
		memcpy(out + n, name, label);
		n += label;
	}
	out[n++] = 0;
	return n;
}

size_t dns_query_build(uint8_t *buf, size_t size, uint16_t id,
		       const char *name, bool aaaa)
{
	size_t n;

	if (size < HDR + 4)
		return 0;
	memset(buf, 0, HDR);
	be16(buf, id);
	buf[2] = 0x01;			/* RD: a stub asks for recursion */
	be16(buf + 4, 1);		/* QDCOUNT */
	n = put_name(buf + HDR, size - HDR - 4, name);
	if (!n)
		return 0;
	be16(buf + HDR + n, aaaa ? TYPE_AAAA : TYPE_A);
	be16(buf + HDR + n + 2, CLASS_IN);
	return HDR + n + 4;
}

/* The end of the question's name (plain labels only), or 0. */
static size_t question_end(const uint8_t *q, size_t len)
{
	size_t at = HDR;

	while (at < len && q[at] && q[at] <= 63)
		at += 1 + q[at];
	return at < len && !q[at] ? at + 1 : 0;
}

size_t dns_answer_build(uint8_t *out, size_t size, const uint8_t *q,
			size_t len)
{
	static const uint8_t a4[4] = { 192, 0, 2, 1 };
	static const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	size_t end = len >= HDR ? question_end(q, len) : 0;
	uint16_t type;
	size_t alen, n;

	if (!end || end + 4 > len || (q[2] & 0x80) || get16(q + 4) != 1)
		return 0;
	type = get16(q + end);
	if (type != TYPE_A && type != TYPE_AAAA)
		return 0;
	alen = type == TYPE_A ? 4 : 16;
	n = end + 4;
	if (n + 12 + alen > size)
		return 0;
	memcpy(out, q, n);
	out[2] = 0x81 | (q[2] & 0x01);	/* QR, RD as asked */
	out[3] = 0x80;			/* RA, rcode 0 */
	memset(out + 6, 0, 6);
	be16(out + 6, 1);		/* ANCOUNT */
	be16(out + n, 0xc000 | HDR);	/* the question's name */
	be16(out + n + 2, type);
	be16(out + n + 4, CLASS_IN);
	memset(out + n + 6, 0, 4);
	out[n + 9] = 60;		/* TTL */
	be16(out + n + 10, alen);
	memcpy(out + n + 12, alen == 4 ? a4 : a6, alen);
	return n + 12 + alen;
}

bool dns_answer_ok(const uint8_t *r, size_t len, uint16_t id)
{
	return len >= HDR && get16(r) == id && (r[2] & 0x80) &&
	       !(r[3] & 0x0f) && get16(r + 6) >= 1;
}
