// SPDX-License-Identifier: GPL-2.0-or-later
#include "dns.h"
#include "hostname.h"
#include "wire.h"

/*
 * Header (RFC 1035, 4.1.1), then the question:
 *
 *   | id (16) | QR opcode(4) AA TC RD RA Z RCODE | QD | AN | NS | AR |
 *   | QNAME: len, label, len, label, ..., 0 | QTYPE (16) | QCLASS (16) |
 */
enum {
	DNS_HDR = 12,
	DNS_QR = 0x8000,
	DNS_OPCODE_MASK = 0x7800,
	DNS_LABEL_TYPE = 0xc0,
};

static int dns_label(struct wire *msg, uint8_t *name, size_t *n)
{
	struct wire label;
	uint32_t len;
	size_t i;

	if (!wire_uint(msg, 1, &len) || len & DNS_LABEL_TYPE)
		return -1;
	if (!len)
		return 0;
	if (!wire_take(msg, len, &label) || *n + len + 1 > HOSTNAME_MAX + 1)
		return -1;
	/* A dot inside a label would read as two labels once joined. */
	for (i = 0; i < len; i++)
		if (!hostname_char(label.p[i]))
			return -1;
	if (*n)
		name[(*n)++] = '.';
	for (i = 0; i < len; i++)
		name[(*n)++] = label.p[i];
	return 1;
}

int dns_qname(const uint8_t *p, size_t len, char *out, size_t outlen)
{
	struct wire msg = { .p = p, .len = len }, hdr;
	uint8_t name[HOSTNAME_MAX + 1];
	size_t n = 0;
	int ret;

	if (outlen)
		out[0] = '\0';
	if (!wire_take(&msg, DNS_HDR, &hdr) ||
	    wire_be(hdr.p + 2, 2) & (DNS_QR | DNS_OPCODE_MASK) ||
	    !wire_be(hdr.p + 4, 2))
		return -1;
	while ((ret = dns_label(&msg, name, &n)) > 0)
		;
	if (ret < 0 || !wire_take(&msg, 4, NULL))
		return -1;
	return hostname_copy(name, n, out, outlen);
}

int dns_qname_tcp(const uint8_t *p, size_t len, char *out, size_t outlen)
{
	size_t msglen;

	if (outlen)
		out[0] = '\0';
	if (len < 2)
		return 0;
	msglen = wire_be(p, 2);
	if (msglen < DNS_HDR)
		return -1;
	if (len - 2 < msglen)
		return 0;
	return dns_qname(p + 2, msglen, out, outlen);
}
