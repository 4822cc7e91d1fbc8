/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_CONFFILE_H
#define FWCTL_CONFFILE_H

#include "fwctl/control.h"

/*
 * The configuration file of fwctld -c FILE, the same settings SET_CONFIG
 * carries, one per line ('#' starts a comment):
 *
 *   queues 0-3              queue range (or one number); default 0
 *   queue-maxlen 1024       packets the kernel holds per queue
 *   fail-open | fail-closed overflow and daemon-hang behaviour
 *   default accept | drop   verdict for flows no name decides
 *   budget 8                packets a flow may take to decide
 *   deny sni NAME...        kinds: sni, host, dns; names or *.suffix
 *   allow dns NAME...
 *
 * Returns 0 with *c filled (free with control_config_free()), or -errno;
 * errors are logged as FILE:LINE: message.
 */
int conffile_read(const char *path, struct control_config *c);

#endif
