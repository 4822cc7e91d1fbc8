/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_INSPECT_CONFIG_H
#define FWCTL_INSPECT_CONFIG_H

#include "fwctl/control.h"
#include "ir.h"

/*
 * What fwctld is told about a rule set: one control_profile per IR
 * profile, with its queues, fail mode, default, budget and names. t NULL
 * (fwctl flush) or without inspect rules: no profiles, so a running daemon
 * stops queueing. 0 or -ENOMEM / -EINVAL; free c with
 * control_config_free().
 */
int inspect_config_from_ir(const struct ir_table *t, struct control_config *c);

/*
 * After the nf_tables commit: writes DIR/inspect.conf (atomically) for a
 * daemon that starts later, then pushes the config to the running one.
 * No daemon is a warning (what the rules do until it starts), a daemon
 * that refuses the config an error. Returns an fw_exit code.
 */
int inspect_config_push(const char *rundir, const struct ir_table *t);

#endif
