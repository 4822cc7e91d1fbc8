// SPDX-License-Identifier: GPL-2.0-or-later
/* Verdicts by name: dissectors chosen by protocol, then the domain sets. */
#include <stdlib.h>
#include <netinet/in.h>

#include "dns.h"
#include "domainset.h"
#include "http.h"
#include "policy.h"
#include "tls.h"

#define DNS_PORT	53

struct policy {
	struct domainset *sets[CONTROL_KINDS][CONTROL_ACTIONS];
	enum flow_state fallback;	/* the default verdict */
	uint32_t budget;
};

typedef int (*dissect_fn)(const uint8_t *p, size_t len, char *out,
			  size_t outlen);

/* Which dissector may look at which stream; port 0 means any port. */
static const struct dissector {
	uint8_t proto;
	uint16_t port;
	enum control_kind kind;
	dissect_fn fn;
} dissectors[] = {
	{ IPPROTO_TCP, 0, CONTROL_SNI, tls_sni },
	{ IPPROTO_TCP, 0, CONTROL_HOST, http_host },
	{ IPPROTO_TCP, DNS_PORT, CONTROL_DNS, dns_qname_tcp },
	{ IPPROTO_UDP, DNS_PORT, CONTROL_DNS, dns_qname },
};

void policy_free(struct policy *p)
{
	int k, a;

	if (!p)
		return;
	for (k = 0; k < CONTROL_KINDS; k++)
		for (a = 0; a < CONTROL_ACTIONS; a++)
			domainset_free(p->sets[k][a]);
	free(p);
}

static int policy_sets_new(struct policy *p)
{
	int k, a;

	for (k = 0; k < CONTROL_KINDS; k++)
		for (a = 0; a < CONTROL_ACTIONS; a++)
			if (!(p->sets[k][a] = domainset_new()))
				return -1;
	return 0;
}

struct policy *policy_new(const struct control_profile *c, const char **why)
{
	struct policy *p = calloc(1, sizeof(*p));
	size_t i;

	*why = "out of memory";
	if (!p || policy_sets_new(p))
		goto err;
	p->fallback = c->default_verdict == CONTROL_DROP ? FLOW_DENY :
							   FLOW_ACCEPT;
	p->budget = c->budget;
	for (i = 0; i < c->npatterns; i++) {
		const struct control_pattern *cp = &c->patterns[i];

		if (domainset_add(p->sets[cp->kind][cp->action], cp->name)) {
			*why = "bad domain pattern";
			goto err;
		}
	}
	return p;
err:
	policy_free(p);
	return NULL;
}

static enum flow_state policy_match(const struct policy *p,
				    enum control_kind kind, const char *name)
{
	struct domainset *const *sets = p->sets[kind];

	if (domainset_match(sets[CONTROL_DENY], name))
		return FLOW_DENY;
	if (domainset_match(sets[CONTROL_ALLOW], name))
		return FLOW_ACCEPT;
	return domainset_count(sets[CONTROL_ALLOW]) ? FLOW_DENY : FLOW_ACCEPT;
}

/*
 * Runs the dissectors that fit; returns the verdict for a name found,
 * FLOW_UNDECIDED while some dissector wants more bytes, or -1 when none
 * ever can find a name in this flow.
 */
static int policy_dissect(const struct policy *p, const struct flow *f,
			  const struct packet *pkt, char *name)
{
	uint16_t server_port = f->key.port[!f->client];
	bool waiting = false;
	size_t i;

	for (i = 0; i < sizeof(dissectors) / sizeof(dissectors[0]); i++) {
		const struct dissector *d = &dissectors[i];
		int r;

		if (d->proto != pkt->proto ||
		    (d->port && d->port != server_port))
			continue;
		r = d->fn(f->buf, f->buflen, name, HOSTNAME_MAX + 1);
		if (r > 0)
			return policy_match(p, d->kind, name);
		waiting |= r == 0;
	}
	name[0] = '\0';
	return waiting ? FLOW_UNDECIDED : -1;
}

enum flow_state policy_decide(const struct policy *p, struct flow *f,
			      const struct packet *pkt, bool from_client,
			      char name[HOSTNAME_MAX + 1])
{
	int r = FLOW_UNDECIDED;

	name[0] = '\0';
	if (from_client && flow_append(f, pkt))
		r = policy_dissect(p, f, pkt, name);
	if (r < 0 || (r == FLOW_UNDECIDED && f->packets >= p->budget))
		return p->fallback;
	return r;
}
