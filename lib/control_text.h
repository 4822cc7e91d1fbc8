/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_CONTROL_TEXT_H
#define FWCTL_CONTROL_TEXT_H

#include <stddef.h>

#include "fwctl/control.h"

/*
 * The text form of a control_config: fwctl apply writes it to
 * DIR/inspect.conf, fwctld reads it at start and on SIGHUP / RELOAD.
 * One setting per line, '#' starts a comment; each profile starts with a
 * `profile` line and the settings after it are its own:
 *
 *   profile
 *   queues 0-3              queue range (or one number); default 0
 *   queue-maxlen 1024       packets the kernel holds per queue
 *   fail-open | fail-closed overflow and daemon-hang behaviour
 *   default accept | drop   verdict for flows no name decides
 *   budget 8                packets a flow may take to decide
 *   deny sni NAME...        kinds: sni, host, dns; names or *.suffix
 *   allow dns NAME...
 *
 * A file without profiles is a valid config: no inspection.
 */

/*
 * Reads path into *c (free with control_config_free()). Returns 0, or
 * -errno with why filled as "FILE:LINE: message" (or "FILE: message"
 * when the file cannot be read: -ENOENT when it does not exist).
 */
int control_text_read(const char *path, struct control_config *c,
		      char *why, size_t len);

/*
 * Writes c to path atomically: a temporary file in the same directory,
 * fsync'd, renamed over path, and the directory fsync'd; nothing when
 * path holds that text already. 0 or -errno (-EINVAL for a config
 * control_config_check() refuses).
 */
int control_text_write(const char *path, const struct control_config *c);

#endif
