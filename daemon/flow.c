// SPDX-License-Identifier: GPL-2.0-or-later
/* The per-queue flow table: hash on the 5-tuple, LRU for eviction. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "flow.h"

#define TCP_SYN		0x02
#define TCP_ACK		0x10

struct flow_table {
	struct flow **bucket;
	size_t nbuckets, count, max;	/* nbuckets: a power of two */
	uint64_t idle_ns;
	struct flow *oldest, *newest;
};

struct flow_table *flow_table_new(size_t max, uint64_t idle_ns)
{
	struct flow_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->nbuckets = 64;
	while (t->nbuckets < max)
		t->nbuckets *= 2;
	t->bucket = calloc(t->nbuckets, sizeof(*t->bucket));
	if (!t->bucket) {
		free(t);
		return NULL;
	}
	t->max = max ? max : 1;
	t->idle_ns = idle_ns;
	return t;
}

void flow_table_free(struct flow_table *t)
{
	struct flow *f, *next;

	if (!t)
		return;
	for (f = t->oldest; f; f = next) {
		next = f->newer;
		free(f->buf);
		free(f);
	}
	free(t->bucket);
	free(t);
}

size_t flow_table_count(const struct flow_table *t)
{
	return t->count;
}

/* Orders the two ends so that both directions build the same key. */
static void flow_key_make(const struct packet *pkt, struct flow_key *k,
			  bool *swapped)
{
	size_t alen = pkt->family == AF_INET ? 4 : 16;
	int c = memcmp(pkt->saddr, pkt->daddr, alen);

	memset(k, 0, sizeof(*k));
	k->family = pkt->family;
	k->proto = pkt->proto;
	*swapped = c > 0 || (c == 0 && pkt->sport > pkt->dport);
	memcpy(k->addr[*swapped], pkt->saddr, alen);
	memcpy(k->addr[!*swapped], pkt->daddr, alen);
	k->port[*swapped] = pkt->sport;
	k->port[!*swapped] = pkt->dport;
}

/* FNV-1a over the key; good enough against accidents, not an attacker's
 * chosen collisions, which the table bound and LRU keep cheap anyway. */
static size_t flow_hash(const struct flow_key *k, size_t mask)
{
	const uint8_t *p = (const uint8_t *)k;
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 16777619u;
	return h & mask;
}

static void lru_unlink(struct flow_table *t, struct flow *f)
{
	*(f->older ? &f->older->newer : &t->oldest) = f->newer;
	*(f->newer ? &f->newer->older : &t->newest) = f->older;
	f->older = f->newer = NULL;
}

static void lru_push(struct flow_table *t, struct flow *f)
{
	f->older = t->newest;
	*(t->newest ? &t->newest->newer : &t->oldest) = f;
	t->newest = f;
}

static void flow_remove(struct flow_table *t, struct flow *f)
{
	struct flow **pp = &t->bucket[flow_hash(&f->key, t->nbuckets - 1)];

	while (*pp != f)
		pp = &(*pp)->hnext;
	*pp = f->hnext;
	lru_unlink(t, f);
	t->count--;
	free(f->buf);
	free(f);
}

/* Idle flows go first; then, if still full, the least recent one. */
static void flow_evict(struct flow_table *t, uint64_t now_ns)
{
	while (t->oldest && now_ns - t->oldest->last_ns > t->idle_ns)
		flow_remove(t, t->oldest);
	if (t->count >= t->max)
		flow_remove(t, t->oldest);
}

static struct flow *flow_create(struct flow_table *t,
				const struct flow_key *k, size_t h,
				bool swapped)
{
	struct flow *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->key = *k;
	f->client = swapped;
	f->hnext = t->bucket[h];
	t->bucket[h] = f;
	t->count++;
	return f;
}

struct flow *flow_lookup(struct flow_table *t, const struct packet *pkt,
			 uint64_t now_ns, bool *from_client)
{
	struct flow_key k;
	struct flow *f;
	bool swapped;
	size_t h;

	flow_key_make(pkt, &k, &swapped);
	h = flow_hash(&k, t->nbuckets - 1);
	for (f = t->bucket[h]; f; f = f->hnext)
		if (!memcmp(&f->key, &k, sizeof(k)))
			break;
	/* A SYN for a decided flow opens a new connection on the tuple of
	 * an ended one (the kernel queued it: its connection mark is new):
	 * it is decided anew, not by what the old connection said. */
	if (f && f->state != FLOW_UNDECIDED && pkt->proto == IPPROTO_TCP &&
	    (pkt->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
		flow_remove(t, f);
		f = NULL;
	}
	if (f) {
		lru_unlink(t, f);
	} else {
		flow_evict(t, now_ns);
		h = flow_hash(&k, t->nbuckets - 1);
		f = flow_create(t, &k, h, swapped);
		if (!f)
			return NULL;
	}
	lru_push(t, f);
	f->last_ns = now_ns;
	f->packets++;
	*from_client = f->client == swapped;
	return f;
}

/*
 * The buffer grows as the stream does: most first flights fit in
 * FLOW_BUF_MIN, and many undecided flows must not cost FLOW_BUF_MAX each.
 */
static bool flow_buf_add(struct flow *f, const uint8_t *p, size_t n)
{
	uint32_t cap = f->bufcap ? f->bufcap : FLOW_BUF_MIN;
	uint8_t *buf;

	if (n > FLOW_BUF_MAX - f->buflen)
		return false;
	while (cap < f->buflen + n)
		cap = cap * 2 < FLOW_BUF_MAX ? cap * 2 : FLOW_BUF_MAX;
	if (cap != f->bufcap) {
		buf = realloc(f->buf, cap);
		if (!buf)
			return false;
		f->buf = buf;
		f->bufcap = cap;
	}
	memcpy(f->buf + f->buflen, p, n);
	f->buflen += n;
	return true;
}

bool flow_append(struct flow *f, const struct packet *pkt)
{
	if (pkt->proto == IPPROTO_UDP)
		return !f->buflen && flow_buf_add(f, pkt->payload,
						  pkt->payload_len);
	if (pkt->tcp_flags & TCP_SYN) {
		f->next_seq = pkt->seq + 1;
		f->seq_known = true;
		return false;
	}
	if (!pkt->payload_len || (f->seq_known && pkt->seq != f->next_seq))
		return false;
	if (!flow_buf_add(f, pkt->payload, pkt->payload_len))
		return false;
	f->next_seq = pkt->seq + pkt->payload_len;
	f->seq_known = true;
	return true;
}

void flow_release(struct flow *f)
{
	free(f->buf);
	f->buf = NULL;
	f->buflen = f->bufcap = 0;
}
