/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_SESSIONS_H
#define FWCTL_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "fwhook_client.h"

/*
 * Which inspect engine is live in this namespace: true when fwhook.ko
 * answers (with its counters and how many profiles it has), false when
 * the nft-native ct mark form is what inspect rules compile to.
 */
bool sessions_engine(struct fwhook_stats *st, size_t *nprofiles);

#endif
