/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_SESSIONS_H
#define FWCTL_SESSIONS_H

#include <stdio.h>

#include "json.h"

/*
 * The "inspect engine" of `fwctl status`: fwhook.ko (with its profiles
 * and sessions) when the module answers in this namespace, else the
 * nft-native ct mark form. Text to out, or members of the open JSON
 * object j when j is not NULL.
 */
void sessions_engine_print(FILE *out, struct json *j);

#endif
