/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_CTLCLIENT_H
#define FWCTL_CTLCLIENT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "fwctl/control.h"

/*
 * How long fwctl waits for fwctld to connect, take and answer a request:
 * CTLCLIENT_TIMEOUT_MS, plus CTLCLIENT_MS_PER_MB for each MB a SET_CONFIG
 * carries (checking and applying 100k names takes the daemon a second).
 */
#define CTLCLIENT_TIMEOUT_MS	2000
#define CTLCLIENT_MS_PER_MB	2000

/*
 * One request to the fwctld whose socket is rundir/fwctld.sock (rundir
 * NULL: CONTROL_RUN_DIR). Each returns 0, or -errno with why filled with
 * a sentence for a person:
 *   -ENOENT, -ECONNREFUSED  no daemon ("fwctld is not running (...)")
 *   -EACCES, -EPERM         not allowed (the socket is root only)
 *   -ETIMEDOUT              no answer in time (see above)
 *   other                   the daemon refused the request: its message
 */
int ctlclient_set_config(const char *rundir, const struct control_config *c,
			 char *why, size_t len);
int ctlclient_status(const char *rundir, struct control_status *s,
		     char *why, size_t len);
int ctlclient_reload(const char *rundir, char *why, size_t len);

/*
 * Saves c as rundir/inspect.conf (control_text_write(): atomic), making
 * rundir (mode 0700) when it does not exist yet, so that a daemon started
 * later takes over with it. 0 or -errno with why filled.
 */
int ctlclient_save_config(const char *rundir, const struct control_config *c,
			  char *why, size_t len);

/* Whether err (from the above) means that no daemon is running. */
static inline bool ctlclient_no_daemon(int err)
{
	return err == -ENOENT || err == -ECONNREFUSED;
}

#endif
