/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_POLICY_H
#define FWCTL_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "fwctl/control.h"
#include "flow.h"
#include "hostname.h"
#include "packet.h"

/*
 * What the daemon decides by: the domain sets per kind (sni, host, dns)
 * and action (deny, allow), the default verdict and the packet budget.
 * Built whole from one profile of a control_config and never changed
 * afterwards, so the queue threads read it without locks (see daemon.c for
 * how it is swapped).
 */
struct policy;

/* Builds a policy; NULL with *why set for a bad pattern or no memory. */
struct policy *policy_new(const struct control_profile *c,
			  const char **why);
void policy_free(struct policy *p);

/*
 * Decides for flow f after its latest packet pkt (from_client as
 * flow_lookup() said): looks for a name with the dissectors that fit the
 * protocol and port, then
 *   - a name in a deny set of its kind: FLOW_DENY;
 *   - a name in an allow set of its kind: FLOW_ACCEPT;
 *   - a kind that has allow sets makes them a list of the only names
 *     allowed: any other name of that kind is FLOW_DENY;
 *   - otherwise FLOW_ACCEPT.
 * When no dissector can ever find a name (they all say -1), or the flow
 * has used its packet budget, the default verdict decides. Otherwise the
 * flow stays FLOW_UNDECIDED. name receives the name decided by, or "".
 */
enum flow_state policy_decide(const struct policy *p, struct flow *f,
			      const struct packet *pkt, bool from_client,
			      char name[HOSTNAME_MAX + 1]);

#endif
