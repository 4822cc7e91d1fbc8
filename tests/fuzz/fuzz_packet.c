// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: a packet as NFQUEUE hands it through packet_parse(),
 * then its payload through every dissector, as the daemon will do.
 */
#include <netinet/in.h>
#include <sys/socket.h>

#include "dns.h"
#include "fuzz_dissect.h"
#include "http.h"
#include "packet.h"
#include "tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct packet pkt;
	int ret = packet_parse(data, size, &pkt);

	PROMISE(ret >= -1 && ret <= 1);
	if (ret != 1)
		return 0;
	PROMISE(pkt.family == AF_INET || pkt.family == AF_INET6);
	PROMISE(pkt.proto == IPPROTO_TCP || pkt.proto == IPPROTO_UDP);
	PROMISE(pkt.payload >= data + 28);
	PROMISE(pkt.payload + pkt.payload_len <= data + size);
	if (pkt.proto == IPPROTO_UDP) {
		fuzz_dissect(dns_qname, pkt.payload, pkt.payload_len);
		return 0;
	}
	fuzz_dissect(tls_sni, pkt.payload, pkt.payload_len);
	fuzz_dissect(http_host, pkt.payload, pkt.payload_len);
	fuzz_dissect(dns_qname_tcp, pkt.payload, pkt.payload_len);
	return 0;
}
