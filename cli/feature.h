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

#endif
