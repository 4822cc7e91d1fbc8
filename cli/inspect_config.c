// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fwctl's side of the inspection daemon: the IR's profiles as the control
 * protocol's config, kept in DIR/inspect.conf and pushed over
 * DIR/fwctld.sock. The file comes first, so that a daemon that restarts
 * between the two still ends up with this config.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control_text.h"
#include "ctlclient.h"
#include "diag.h"
#include "fwctl.h"
#include "inspect_config.h"

static const enum control_kind kinds[] = {
	[IR_INSPECT_SNI] = CONTROL_SNI,
	[IR_INSPECT_HOST] = CONTROL_HOST,
	[IR_INSPECT_DNS] = CONTROL_DNS,
};

static const enum control_action actions[] = {
	[IR_INSPECT_DENY] = CONTROL_DENY,
	[IR_INSPECT_ALLOW] = CONTROL_ALLOW,
};

static int profile_from_ir(const struct ir_profile *ip,
			   struct control_profile *p)
{
	size_t i;
	int err;

	p->queue_first = ip->queue_first;
	p->queue_count = ip->queue_count;
	p->fail_open = ip->fail_open;
	p->default_verdict = ip->default_drop ? CONTROL_DROP : CONTROL_ACCEPT;
	p->budget = ip->budget;
	p->queue_maxlen = ip->queue_length;
	for (i = 0; i < ip->n_patterns; i++) {
		const struct ir_pattern *pat = &ip->patterns[i];

		err = control_profile_add_pattern(p, kinds[pat->kind],
						  actions[pat->action],
						  pat->name);
		if (err)
			return err;
	}
	return 0;
}

int inspect_config_from_ir(const struct ir_table *t, struct control_config *c)
{
	struct control_profile *p;
	size_t i;
	int err;

	*c = (struct control_config){ 0 };
	for (i = 0; t && i < t->n_profiles; i++) {
		p = control_config_add_profile(c);
		err = p ? profile_from_ir(&t->profiles[i], p) : -ENOMEM;
		if (err) {
			control_config_free(c);
			return err;
		}
	}
	return 0;
}

static bool any_fail_closed(const struct control_config *c)
{
	size_t i;

	for (i = 0; i < c->nprofiles; i++)
		if (!c->profiles[i].fail_open)
			return true;
	return false;
}

/*
 * No run directory means no daemon was ever started here: nothing to
 * tell when there is no inspection, else make it for the daemon to come.
 */
static int config_write(const char *rundir, const struct control_config *c)
{
	char path[4096];
	int err;

	snprintf(path, sizeof(path), "%s/%s", rundir, CONTROL_CONFIG_NAME);
	if (!c->nprofiles && access(rundir, F_OK) < 0 && errno == ENOENT)
		return 0;
	if (mkdir(rundir, 0700) < 0 && errno != EEXIST)
		err = -errno;
	else
		err = control_text_write(path, c);
	if (err)
		diag_error((struct fw_loc){ NULL, 0, 0 }, 0, "cannot write "
			   "%s: %s", path, strerror(-err));
	return err;
}

static int config_send(const char *rundir, const struct control_config *c)
{
	char why[256] = "";
	int err = ctlclient_set_config(rundir, c, why, sizeof(why));

	if (!err)
		return FW_EXIT_OK;
	if (ctlclient_no_daemon(err)) {
		if (c->nprofiles)
			diag_warning((struct fw_loc){ NULL, 0, 0 }, 0, "fwctld "
				     "is not running; the inspect rules %s "
				     "until it starts", any_fail_closed(c) ?
				     "drop inspected traffic (fail-closed)" :
				     "fail open");
		return FW_EXIT_OK;
	}
	diag_error((struct fw_loc){ NULL, 0, 0 }, 0, "fwctld did not take "
		   "the inspect configuration: %s", *why ? why :
		   strerror(-err));
	return FW_EXIT_SYSTEM;
}

int inspect_config_push(const char *rundir, const struct ir_table *t)
{
	struct control_config c;
	int ret;

	if (inspect_config_from_ir(t, &c) < 0) {
		diag_error((struct fw_loc){ NULL, 0, 0 }, 0, "cannot build "
			   "the inspect configuration: %s", strerror(ENOMEM));
		return FW_EXIT_SYSTEM;
	}
	ret = config_write(rundir, &c) ? FW_EXIT_SYSTEM :
					 config_send(rundir, &c);
	control_config_free(&c);
	return ret;
}
