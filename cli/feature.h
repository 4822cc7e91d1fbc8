/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_FEATURE_H
#define FWCTL_FEATURE_H

#include <stddef.h>

#include "nlsock.h"

/*
 * What the running kernel supports, asked, never assumed: each probe
 * builds a small scratch table using one feature and sends it as a
 * check-only batch (no END message), so the kernel validates it fully and
 * then throws it away. Nothing is ever committed.
 */
struct feature {
	const char	*name;		/* short key: "queue", "nat", ... */
	const char	*label;		/* for people */
	int		err;		/* 0: supported, else -errno */
};

#define FEATURE_MAX	32

/* Probes every feature into out[FEATURE_MAX]; returns how many. */
size_t feature_probe_all(struct nlsock *s, struct feature *out);

/* Probes one feature by its name (one of feature_probe_all's); 0 if the
 * kernel has it, else -errno. */
int feature_probe(struct nlsock *s, const char *name);
/* Whether FWCTL_PROBE_DENY names the probe (fwctl(8) ENVIRONMENT). */
bool feature_probe_denied(const char *name);

/*
 * What a probe found is the kernel's until it boots again (no module
 * takes a feature away from a kernel that has none to unload; one that
 * is loaded later is found by the next boot's probe). feature_record()
 * writes a passed probe's name in dir/features with this boot's id;
 * feature_recorded() says whether it is there (never for a probe that
 * FWCTL_PROBE_DENY names).
 */
bool feature_recorded(const char *dir, const char *name);
void feature_record(const char *dir, const char *name);

/* How packets reach a userspace queue on this kernel, best first. */
enum feature_queue {
	FEATURE_QUEUE_NONE,
	FEATURE_QUEUE_NATIVE,	/* the nft queue expression */
	FEATURE_QUEUE_XT,	/* the xt NFQUEUE target through nft_compat */
};

/* Probes the queue mechanisms (two check-only batches at most). */
enum feature_queue feature_queue_probe(struct nlsock *s);
/* The same, read from the results of feature_probe_all(). */
enum feature_queue feature_queue_of(const struct feature *f, size_t n);
/* "native nft queue", "xt NFQUEUE (nft_compat)" or "none". */
const char *feature_queue_label(enum feature_queue q);

#endif
